//! A leaner mail outbox for bursts of escalations: the message id is made
//! from the idempotency key (unique already), so it needs no unique index
//! of its own; the ticket and event a mail came from stay as plain ids,
//! without foreign keys or an index nobody reads by (each cost every
//! insert a lookup and a lock). The outbox is a queue, not the record:
//! the ticket's events are.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE mail_outbox \
                 DROP CONSTRAINT IF EXISTS mail_outbox_event_id_fkey, \
                 DROP CONSTRAINT IF EXISTS mail_outbox_ticket_id_fkey, \
                 DROP CONSTRAINT IF EXISTS mail_outbox_message_id_key",
            )
            .await?;
        }
        // SQLite keeps the inline constraints of the table (changing them
        // means copying the table); its foreign key checks and unique
        // indexes are cheap there.
        m.drop_index(
            Index::drop()
                .name("idx_mail_outbox_ticket")
                .table("mail_outbox")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_mail_outbox_ticket")
                .table("mail_outbox")
                .col("ticket_id")
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE mail_outbox \
                 ADD CONSTRAINT mail_outbox_message_id_key UNIQUE (message_id), \
                 ADD CONSTRAINT mail_outbox_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id), \
                 ADD CONSTRAINT mail_outbox_event_id_fkey FOREIGN KEY (event_id) REFERENCES ticket_events(id)",
            )
            .await?;
        }
        Ok(())
    }
}
