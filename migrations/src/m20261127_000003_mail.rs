//! The mail outbox: every mail is a row written in the transaction that
//! caused it, then claimed, sent and marked by the delivery worker
//! (src/mail). Rows are never deleted; `failed` rows wait for an operator.
//!
//! While a row is `sending`, `next_attempt_at` equals `claimed_until` (the
//! lease end), so one index on (state, next_attempt_at) finds both due
//! `pending` rows and rows whose worker died.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("mail_outbox")
                .col(big_pk_auto("id"))
                .col(string_uniq("idempotency_key"))
                .col(string_uniq("message_id"))
                .col(text("recipients"))
                .col(text("cc"))
                .col(text("subject"))
                .col(text("body_text"))
                .col(text("body_html"))
                .col(string("template"))
                .col(big_integer_null("ticket_id"))
                .col(big_integer_null("event_id"))
                .col(string("state"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("claimed_until"))
                .col(string_null("claimed_by"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("mail_outbox", "ticket_id")
                        .to("tickets", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("mail_outbox", "event_id")
                        .to("ticket_events", "id"),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_mail_outbox_due", &["state", "next_attempt_at"][..]),
            ("idx_mail_outbox_ticket", &["ticket_id"][..]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table("mail_outbox");
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("mail_outbox").to_owned())
            .await
    }
}
