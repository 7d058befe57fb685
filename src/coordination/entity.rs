//! sea-orm entities of the coordination tables.

pub mod request {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};
    use utoipa::ToSchema;

    /// Where a coordination request is, stored as its name.
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
    pub enum State {
        /// Waiting on answers, or on the weekly meeting.
        Open,
        /// Every department agreed, or the meeting decided.
        Settled,
        /// Taken back by its author.
        Withdrawn,
    }

    named_values!(State {
        Open => "open",
        Settled => "settled",
        Withdrawn => "withdrawn",
    });

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "coordination_requests")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ticket_id: i64,
        pub author_id: i64,
        pub subject: String,
        pub question: String,
        pub category: String,
        /// JSON list of {name, link}.
        pub attachments: String,
        pub answer_by: Date,
        pub filed_at: DateTimeUtc,
        pub state: State,
        /// answers (every department agreed) or meeting (a decision was recorded).
        pub settled_how: Option<String>,
        pub settled_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod target {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "coordination_targets")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub request_id: i64,
        pub department_id: i64,
        /// agree, disagree or need_info; `None` until answered.
        pub answer: Option<String>,
        pub answer_text: Option<String>,
        pub answered_by: Option<i64>,
        pub answered_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "coordination_decisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub request_id: i64,
        pub meeting_date: Date,
        pub decision: String,
        pub responsible_department_id: i64,
        pub due_date: Date,
        pub recorded_by: i64,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feedback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "coordination_feedback")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub request_id: i64,
        pub given_on: Date,
        pub channel: String,
        pub text: String,
        pub recorded_by: i64,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
