//! The organisation chart and access: units, people, role assignments,
//! sessions, API tokens and login throttling.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("org_units")
                .col(big_pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("kind"))
                .col(big_integer_null("parent_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("org_units", "parent_id")
                        .to("org_units", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("people")
                .col(big_pk_auto("id"))
                .col(string_uniq("username"))
                .col(string("name"))
                .col(string("email"))
                .col(string_null("phone"))
                .col(big_integer_null("unit_id"))
                .col(string("lang"))
                .col(boolean("active"))
                .col(text_null("password_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("deactivated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("people", "unit_id")
                        .to("org_units", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("role_assignments")
                .col(big_pk_auto("id"))
                .col(big_integer("person_id"))
                .col(string("role"))
                .col(big_integer_null("unit_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("role_assignments", "person_id")
                        .to("people", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("role_assignments", "unit_id")
                        .to("org_units", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_role_assignments")
                .table("role_assignments")
                .col("person_id")
                .col("role")
                .col("unit_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_role_assignments_unit_role")
                .table("role_assignments")
                .col("unit_id")
                .col("role")
                .to_owned(),
        )
        .await?;
        for (table, extra) in [("sessions", true), ("api_tokens", false)] {
            let mut t = Table::create();
            t.table(table)
                .col(big_pk_auto("id"))
                .col(big_integer("person_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(table, "person_id")
                        .to("people", "id"),
                );
            if extra {
                t.col(string("csrf_token")).col(string_null("ip"));
            } else {
                t.col(string("name")).col(string("prefix"));
            }
            m.create_table(t.to_owned()).await?;
            m.create_index(
                Index::create()
                    .name(format!("idx_{table}_person"))
                    .table(table)
                    .col("person_id")
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("login_throttle")
                .col(string("key").primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("window_start"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "login_throttle",
            "api_tokens",
            "sessions",
            "role_assignments",
            "people",
            "org_units",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
