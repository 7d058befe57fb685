//! Indexes for lists at a million tickets (see docs/list-plans.md): every
//! way into the tickets (bureau, service center, owner, manager) is an
//! index whose leading column is that anchor, then the status, then
//! `(due_at, id)`, so a page is read in due order and stops at its limit.
//! The single-column and two-column indexes they replace are dropped, and
//! no index orders all tickets by status and due date: with one,
//! PostgreSQL would walk every ticket in due order filtering an owner,
//! believing the first page near.
//!
//! `ticket_departments` records the tickets each department was asked
//! about, with a copy of the ticket's due instant, so a department's list
//! is read in due order from its own index too.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const DROPPED: [&str; 7] = [
    "idx_tickets_due_at",
    "idx_tickets_status_due",
    "idx_tickets_center_due",
    "idx_tickets_bureau_due",
    "idx_tickets_owner",
    "idx_tickets_manager",
    "idx_tickets_stage",
];

const CREATED: [(&str, &[&str]); 4] = [
    (
        "idx_tickets_bureau_status_due",
        &["bureau_id", "status", "due_at", "id"],
    ),
    (
        "idx_tickets_center_status_due",
        &["service_center_id", "status", "due_at", "id"],
    ),
    (
        "idx_tickets_owner_status_due",
        &["owner_id", "status", "due_at", "id"],
    ),
    (
        "idx_tickets_manager_status_due",
        &["manager_id", "status", "due_at", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in DROPPED {
            m.drop_index(Index::drop().name(name).table("tickets").to_owned())
                .await?;
        }
        for (name, cols) in CREATED {
            m.create_index(index(name, "tickets", cols)).await?;
        }
        m.create_table(
            Table::create()
                .table("ticket_departments")
                .col(big_integer("department_id"))
                .col(big_integer("ticket_id"))
                .col(timestamp_with_time_zone("due_at"))
                .primary_key(Index::create().col("department_id").col("ticket_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_departments", "department_id")
                        .to("org_units", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_departments", "ticket_id")
                        .to("tickets", "id"),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_ticket_departments_due",
                &["department_id", "due_at", "ticket_id"][..],
            ),
            ("idx_ticket_departments_ticket", &["ticket_id"][..]),
        ] {
            m.create_index(index(name, "ticket_departments", cols))
                .await?;
        }
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO ticket_departments (department_id, ticket_id, due_at) \
                 SELECT DISTINCT g.department_id, r.ticket_id, t.due_at \
                 FROM coordination_targets g \
                 JOIN coordination_requests r ON r.id = g.request_id \
                 JOIN tickets t ON t.id = r.ticket_id",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("ticket_departments").to_owned())
            .await?;
        for (name, _) in CREATED {
            m.drop_index(Index::drop().name(name).table("tickets").to_owned())
                .await?;
        }
        for (name, cols) in [
            ("idx_tickets_due_at", &["due_at", "id"][..]),
            ("idx_tickets_status_due", &["status", "due_at"][..]),
            (
                "idx_tickets_center_due",
                &["service_center_id", "due_at"][..],
            ),
            ("idx_tickets_bureau_due", &["bureau_id", "due_at"][..]),
            ("idx_tickets_owner", &["owner_id"][..]),
            ("idx_tickets_manager", &["manager_id"][..]),
            ("idx_tickets_stage", &["stage"][..]),
        ] {
            m.create_index(index(name, "tickets", cols)).await?;
        }
        Ok(())
    }
}

/// `CREATE INDEX name ON table (cols…)`.
fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(ToString::to_string(table));
    for c in cols {
        idx.col(ToString::to_string(c));
    }
    idx.to_owned()
}
