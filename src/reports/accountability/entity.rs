//! The register's table: one row per action, completed at most once. The
//! ticket's events (`accountability_recorded`, `accountability_completed`)
//! are the record; this row is what the register lists and filters.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accountability_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub bureau_id: i64,
    pub service_center_id: i64,
    /// accountability, interview or circular ([`super::Kind`]).
    pub kind: String,
    /// JSON list of person ids.
    pub persons: String,
    pub on_date: Date,
    pub text: String,
    pub recorded_by: i64,
    pub recorded_at: DateTimeUtc,
    pub completed_by: Option<i64>,
    pub completed_at: Option<DateTimeUtc>,
    pub completion_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
