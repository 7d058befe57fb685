//! The sea-orm entity of the outbox table (migration 000003).

pub mod outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "mail_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub idempotency_key: String,
        #[sea_orm(unique)]
        pub message_id: String,
        /// `To:` addresses, comma-separated (see `EmailAddress::join`).
        pub recipients: String,
        pub cc: String,
        pub subject: String,
        pub body_text: String,
        pub body_html: String,
        pub template: String,
        pub ticket_id: Option<i64>,
        pub event_id: Option<i64>,
        /// pending | sending | sent | failed
        pub state: String,
        pub attempts: i32,
        /// When due (pending), or the lease end (sending).
        pub next_attempt_at: DateTimeUtc,
        pub claimed_until: Option<DateTimeUtc>,
        pub claimed_by: Option<String>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
