//! Private calendar feeds (`/ical/{secret}.ics`): one live feed per
//! person at most; the secret is kept only as its digest, like API tokens.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(big_pk_auto("id"))
                .col(big_integer("person_id"))
                .col(string_uniq("secret_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("calendar_feeds", "person_id")
                        .to("people", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_calendar_feeds_person")
                .table("calendar_feeds")
                .col("person_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("calendar_feeds").to_owned())
            .await
    }
}
