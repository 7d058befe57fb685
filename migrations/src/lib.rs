//! yekuo's database migrations, one file per migration, run in order on
//! SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261127_000000_org;
mod m20261127_000001_tickets;
mod m20261127_000002_escalation;
mod m20261127_000003_mail;
mod m20261127_000004_coordination;
mod m20261128_000005_list_indexes;
mod m20261128_000006_lean_outbox;
mod m20261129_000007_reports;
mod m20261129_000008_closed_index;
mod m20261129_000009_field_updates;
mod m20261129_000010_ticket_closings;
mod m20261130_000011_calendar_feeds;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000000_org::Migration),
            Box::new(m20261127_000001_tickets::Migration),
            Box::new(m20261127_000002_escalation::Migration),
            Box::new(m20261127_000003_mail::Migration),
            Box::new(m20261127_000004_coordination::Migration),
            Box::new(m20261128_000005_list_indexes::Migration),
            Box::new(m20261128_000006_lean_outbox::Migration),
            Box::new(m20261129_000007_reports::Migration),
            Box::new(m20261129_000008_closed_index::Migration),
            Box::new(m20261129_000009_field_updates::Migration),
            Box::new(m20261129_000010_ticket_closings::Migration),
            Box::new(m20261130_000011_calendar_feeds::Migration),
        ]
    }
}
