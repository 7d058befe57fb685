//! sea-orm entities of the ticket tables (see migrations).

pub mod ticket {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};
    use utoipa::ToSchema;

    /// Where a ticket is in its life, stored as its name.
    #[derive(
        Debug,
        Clone,
        Copy,
        PartialEq,
        Eq,
        Hash,
        EnumIter,
        DeriveActiveEnum,
        Serialize,
        Deserialize,
        ToSchema,
    )]
    #[sea_orm(
        rs_type = "String",
        db_type = "String(StringLen::None)",
        rename_all = "snake_case"
    )]
    #[serde(rename_all = "snake_case")]
    pub enum Status {
        /// Being worked on; its clock runs and it escalates.
        Open,
        /// Waiting on the customer: the clock stops, no escalation.
        Paused,
        /// Energised and closed.
        Closed,
        /// Withdrawn before completion.
        Cancelled,
    }

    named_values!(Status {
        Open => "open",
        Paused => "paused",
        Closed => "closed",
        Cancelled => "cancelled",
    });

    impl Status {
        /// `open` or `paused`: the ticket is still being worked on.
        pub fn is_live(self) -> bool {
            matches!(self, Status::Open | Status::Paused)
        }
    }

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tickets")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub ticket_no: String,
        pub customer_name: String,
        pub customer_account_no: String,
        pub address: String,
        pub voltage_level: String,
        pub power_sources: String,
        pub new_line: bool,
        pub category: String,
        pub capacity_kva: i64,
        pub service_center_id: i64,
        pub bureau_id: i64,
        pub manager_id: i64,
        pub accepted_on: Date,
        pub stage: String,
        pub stage_entered_at: DateTimeUtc,
        pub stage_due_date: Option<Date>,
        pub stage_due_at: Option<DateTimeUtc>,
        pub status: Status,
        pub owner_id: i64,
        pub escalation_level: i32,
        /// When the next ladder level falls due (open tickets only).
        pub next_escalation_at: Option<DateTimeUtc>,
        /// Bumped by each hand-back (escalations are unique per round and level).
        pub escalation_round: i32,
        pub due_date: Date,
        pub due_at: DateTimeUtc,
        pub provisional: bool,
        pub calendar_version: String,
        pub closed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ticket_id: i64,
        pub seq: i32,
        pub at: DateTimeUtc,
        pub actor: String,
        pub actor_id: Option<i64>,
        pub kind: String,
        pub payload: String,
        /// The previous event's hash (empty for the first).
        pub prev_hash: String,
        /// SHA-256 over this event and `prev_hash` (see `tickets::chain`).
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod pause {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_pauses")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ticket_id: i64,
        pub reason: String,
        pub started_at: DateTimeUtc,
        pub ended_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stage_visit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_stages")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ticket_id: i64,
        pub stage: String,
        pub entered_at: DateTimeUtc,
        pub left_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The tickets each department was asked about, with a copy of the
/// ticket's due instant kept equal to it, so a department's ticket list
/// is read in due order from its own index.
pub mod ticket_department {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_departments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub department_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub ticket_id: i64,
        pub due_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
