//! Each closed ticket's outcome for the period reports (on time, each
//! stage within its limit, working and calendar days), kept in closing
//! order: a month's compliance reads one small row per ticket instead of
//! each ticket's scattered history. A cache keyed by the closing instant,
//! the calendar version and the policy hash (`reports::closings`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ticket_closings")
                .col(big_pk_auto("id"))
                .col(big_integer_uniq("ticket_id"))
                .col(timestamp_with_time_zone("closed_at"))
                .col(string("calendar_version"))
                .col(string("policy_hash"))
                .col(text("outcome"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_closings", "ticket_id")
                        .to("tickets", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_closings_closed")
                .table("ticket_closings")
                .col("closed_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("ticket_closings").to_owned())
            .await
    }
}
