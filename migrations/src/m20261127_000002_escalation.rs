//! Escalations (one row per ticket and level, unique), each ticket's
//! `next_escalation_at` (indexed: a sweep reads only what is due), and the
//! lease rows scheduled jobs take before running.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("tickets")
                .add_column(timestamp_with_time_zone_null("next_escalation_at"))
                .to_owned(),
        )
        .await?;
        // Bumped when an owner hands a ticket back down the ladder, so the
        // same level can be reached again (a new round), still once per round.
        m.alter_table(
            Table::alter()
                .table("tickets")
                .add_column(integer("escalation_round").default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tickets_next_escalation")
                .table("tickets")
                .col("next_escalation_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("escalations")
                .col(big_pk_auto("id"))
                .col(big_integer("ticket_id"))
                .col(integer("round"))
                .col(integer("level"))
                .col(big_integer("from_owner_id"))
                .col(big_integer("to_owner_id"))
                .col(string("rule"))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone("as_of"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("escalations", "ticket_id")
                        .to("tickets", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_escalations_ticket_round_level")
                .table("escalations")
                .col("ticket_id")
                .col("round")
                .col("level")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("job_leases")
                .col(string("name").primary_key())
                .col(string("holder"))
                .col(timestamp_with_time_zone("expires_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("job_leases").to_owned())
            .await?;
        m.drop_table(Table::drop().table("escalations").to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_tickets_next_escalation")
                .table("tickets")
                .to_owned(),
        )
        .await?;
        for column in ["escalation_round", "next_escalation_at"] {
            m.alter_table(
                Table::alter()
                    .table("tickets")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
