//! Reports' own records: the accountability register (问责、约谈、通报 on
//! tickets; each step is also a ticket event) and the monthly snapshots
//! (immutable, versioned by restatement).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("accountability_entries")
                .col(big_pk_auto("id"))
                .col(big_integer("ticket_id"))
                .col(big_integer("bureau_id"))
                .col(big_integer("service_center_id"))
                .col(string("kind"))
                .col(text("persons"))
                .col(date("on_date"))
                .col(text("text"))
                .col(big_integer("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(big_integer_null("completed_by"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(text_null("completion_note"))
                .foreign_key(
                    ForeignKey::create()
                        .from("accountability_entries", "ticket_id")
                        .to("tickets", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("accountability_entries", "recorded_by")
                        .to("people", "id"),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_accountability_ticket", &["ticket_id"][..]),
            ("idx_accountability_bureau", &["bureau_id", "on_date"][..]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table("accountability_entries");
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("report_snapshots")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string("month"))
                .col(integer("version"))
                .col(string("calendar_version"))
                .col(string("policy_hash"))
                .col(text("payload"))
                .col(text_null("differences"))
                // The calendar and policy this version was last found to
                // still hold under (checked again when either changes).
                .col(string("verified_calendar_version"))
                .col(string("verified_policy_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("report_snapshots", "unit_id")
                        .to("org_units", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_report_snapshots_version")
                .table("report_snapshots")
                .col("unit_id")
                .col("month")
                .col("version")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("report_snapshots").to_owned())
            .await?;
        m.drop_table(Table::drop().table("accountability_entries").to_owned())
            .await
    }
}
