//! Cross-department coordination: requests on tickets, the departments
//! asked and their answers, meeting decisions, feedback to the customer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("coordination_requests")
                .col(big_pk_auto("id"))
                .col(big_integer("ticket_id"))
                .col(big_integer("author_id"))
                .col(string("subject"))
                .col(text("question"))
                .col(string("category"))
                .col(text("attachments"))
                .col(date("answer_by"))
                .col(timestamp_with_time_zone("filed_at"))
                .col(string("state"))
                .col(string_null("settled_how"))
                .col(timestamp_with_time_zone_null("settled_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("coordination_requests", "ticket_id")
                        .to("tickets", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("coordination_requests", "author_id")
                        .to("people", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_coordination_ticket")
                .table("coordination_requests")
                .col("ticket_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_coordination_state")
                .table("coordination_requests")
                .col("state")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("coordination_targets")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(big_integer("department_id"))
                .col(string_null("answer"))
                .col(text_null("answer_text"))
                .col(big_integer_null("answered_by"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("coordination_targets", "request_id")
                        .to("coordination_requests", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("coordination_targets", "department_id")
                        .to("org_units", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_coordination_targets")
                .table("coordination_targets")
                .col("request_id")
                .col("department_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_coordination_targets_dept")
                .table("coordination_targets")
                .col("department_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("coordination_decisions")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(date("meeting_date"))
                .col(text("decision"))
                .col(big_integer("responsible_department_id"))
                .col(date("due_date"))
                .col(big_integer("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("coordination_decisions", "request_id")
                        .to("coordination_requests", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("coordination_feedback")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(date("given_on"))
                .col(string("channel"))
                .col(text("text"))
                .col(big_integer("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("coordination_feedback", "request_id")
                        .to("coordination_requests", "id"),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "coordination_feedback",
            "coordination_decisions",
            "coordination_targets",
            "coordination_requests",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
