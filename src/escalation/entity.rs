//! sea-orm entity of the escalations table: one row per (ticket, level).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "escalations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    /// 0, then one more after each hand-back.
    pub round: i32,
    pub level: i32,
    pub from_owner_id: i64,
    pub to_owner_id: i64,
    pub rule: String,
    pub due_at: DateTimeUtc,
    pub as_of: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
