//! Tickets, their append-only events, pauses and stage visits. A ticket
//! belongs to a service center (and its bureau) and has a manager and an
//! owner, all from the organisation chart (migration 000000).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tickets")
                .col(big_pk_auto("id"))
                .col(string_uniq("ticket_no"))
                .col(string("customer_name"))
                .col(string("customer_account_no"))
                .col(string("address"))
                .col(string("voltage_level"))
                .col(string("power_sources"))
                .col(boolean("new_line"))
                .col(string("category"))
                .col(big_integer("capacity_kva"))
                .col(big_integer("service_center_id"))
                .col(big_integer("bureau_id"))
                .col(big_integer("manager_id"))
                .col(date("accepted_on"))
                .col(string("stage"))
                .col(timestamp_with_time_zone("stage_entered_at"))
                .col(date_null("stage_due_date"))
                .col(timestamp_with_time_zone_null("stage_due_at"))
                .col(string("status"))
                .col(big_integer("owner_id"))
                .col(integer("escalation_level"))
                .col(date("due_date"))
                .col(timestamp_with_time_zone("due_at"))
                .col(boolean("provisional"))
                .col(string("calendar_version"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("tickets", "service_center_id")
                        .to("org_units", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("tickets", "bureau_id")
                        .to("org_units", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("tickets", "manager_id")
                        .to("people", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("tickets", "owner_id")
                        .to("people", "id"),
                )
                .to_owned(),
        )
        .await?;
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
            let mut idx = Index::create();
            idx.name(name).table("tickets");
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx.to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table("ticket_events")
                .col(big_pk_auto("id"))
                .col(big_integer("ticket_id"))
                .col(integer("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(string("actor"))
                .col(big_integer_null("actor_id"))
                .col(string("kind"))
                .col(text("payload"))
                // Hash chain: SHA-256 of this event and the previous hash.
                .col(string("prev_hash"))
                .col(string("hash"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_events", "ticket_id")
                        .to("tickets", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_ticket_events_seq")
                .table("ticket_events")
                .col("ticket_id")
                .col("seq")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("ticket_pauses")
                .col(big_pk_auto("id"))
                .col(big_integer("ticket_id"))
                .col(string("reason"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("ended_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_pauses", "ticket_id")
                        .to("tickets", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_pauses_ticket")
                .table("ticket_pauses")
                .col("ticket_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("ticket_stages")
                .col(big_pk_auto("id"))
                .col(big_integer("ticket_id"))
                .col(string("stage"))
                .col(timestamp_with_time_zone("entered_at"))
                .col(timestamp_with_time_zone_null("left_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_stages", "ticket_id")
                        .to("tickets", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_stages_ticket")
                .table("ticket_stages")
                .col("ticket_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["ticket_stages", "ticket_pauses", "ticket_events", "tickets"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
