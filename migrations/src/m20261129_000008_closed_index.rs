//! Reports over a period read the tickets closed in it: an index on
//! (status, closed_at) finds a month's closings without walking every
//! closed ticket of a bureau.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_tickets_status_closed")
                .table("tickets")
                .col("status")
                .col("closed_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_tickets_status_closed")
                .table("tickets")
                .to_owned(),
        )
        .await
    }
}
