//! The overdue report as of a past instant reads the tickets whose
//! acceptance day may have moved since: those with a `field_updated`
//! event after the instant. A partial index holds only those events (the
//! others, nine in ten, cost nothing more to write).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The same statement on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_ticket_events_field_updated ON ticket_events (at) \
                 WHERE kind = 'field_updated'",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_ticket_events_field_updated")
                .table("ticket_events")
                .to_owned(),
        )
        .await
    }
}
