//! Operations on the outbox: list rows, put a failed row back in the queue.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MailError;
use super::entity::outbox;
use crate::app::App;

/// Where a row is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its `next_attempt_at`.
    Pending,
    /// Claimed by a worker until `claimed_until`.
    Sending,
    /// Accepted by the transport.
    Sent,
    /// Rejected permanently or out of attempts: waits for an operator.
    Failed,
}

impl OutboxState {
    pub const ALL: [OutboxState; 4] = [
        OutboxState::Pending,
        OutboxState::Sending,
        OutboxState::Sent,
        OutboxState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| format!("`{s}` is not one of pending, sending, sent, failed"))
    }
}

/// An outbox row as operators see it (bodies left out).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub state: OutboxState,
    pub template: String,
    pub subject: String,
    /// `To:` addresses as stored.
    pub to: String,
    pub cc: String,
    pub message_id: String,
    pub idempotency_key: String,
    pub ticket_id: Option<i64>,
    pub event_id: Option<i64>,
    pub attempts: i32,
    /// When the next attempt is due (pending) or the claim ends (sending).
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<outbox::Model> for OutboxView {
    fn from(m: outbox::Model) -> Self {
        OutboxView {
            id: m.id,
            state: OutboxState::parse(&m.state).unwrap_or(OutboxState::Failed),
            template: m.template,
            subject: m.subject,
            to: m.recipients,
            cc: m.cc,
            message_id: m.message_id,
            idempotency_key: m.idempotency_key,
            ticket_id: m.ticket_id,
            event_id: m.event_id,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            claimed_by: m.claimed_by,
            claimed_until: m.claimed_until,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// The newest `limit` rows, optionally only those in `state`.
pub async fn list(
    app: &App,
    state: Option<OutboxState>,
    limit: u64,
) -> Result<Vec<OutboxView>, MailError> {
    let mut q = outbox::Entity::find()
        .order_by_desc(outbox::Column::Id)
        .limit(limit);
    if let Some(s) = state {
        q = q.filter(outbox::Column::State.eq(s.as_str()));
    }
    Ok(q.all(&app.db).await?.into_iter().map(Into::into).collect())
}

/// Puts a `failed` row back in the queue, due now, with a fresh set of
/// attempts; its last error stays visible until the next attempt.
/// Any other state is a conflict: pending and sending rows are already
/// queued, and a sent mail is not sent again.
#[tracing::instrument(skip_all, fields(outbox_id = id))]
pub async fn retry(app: &App, id: i64) -> Result<OutboxView, MailError> {
    let now = app.now();
    let done = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::State,
            Expr::value(OutboxState::Pending.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::State.eq(OutboxState::Failed.as_str()))
        .exec(&app.writer)
        .await?
        .rows_affected;
    let row = outbox::Entity::find_by_id(id)
        .one(&app.db)
        .await?
        .ok_or(MailError::NotFound(id))?;
    if done == 0 {
        return Err(MailError::Conflict(format!(
            "outbox mail {id} is {}; only failed mail can be retried",
            row.state
        )));
    }
    tracing::info!("failed mail put back in the queue");
    Ok(row.into())
}

/// A plain-text table of rows, for the CLI (`yekuo mail list`).
pub fn format_table(rows: &[OutboxView]) -> String {
    let mut out = format!(
        "{:>8}  {:<8}  {:>8}  {:<25}  {:<12}  {}\n",
        "id", "state", "attempts", "next attempt (UTC)", "template", "subject / last error"
    );
    for r in rows {
        out.push_str(&format!(
            "{:>8}  {:<8}  {:>8}  {:<25}  {:<12}  {}\n",
            r.id,
            r.state.as_str(),
            r.attempts,
            r.next_attempt_at.format("%Y-%m-%d %H:%M:%S"),
            r.template,
            r.subject
        ));
        if let Some(e) = &r.last_error {
            out.push_str(&format!("{:>8}  {}\n", "", e));
        }
    }
    out
}

/// The outbox as the gauges show it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxGauges {
    pub pending: u64,
    pub failed: u64,
    /// Seconds since the oldest pending mail was written (0: none).
    pub oldest_pending_age: f64,
}

/// Rows pending and failed, and the age of the oldest pending one.
pub async fn gauges(app: &App) -> Result<OutboxGauges, sea_orm::DbErr> {
    use sea_orm::{PaginatorTrait, QueryOrder};
    let count = |state: OutboxState| {
        outbox::Entity::find()
            .filter(outbox::Column::State.eq(state.as_str()))
            .count(&app.db)
    };
    let oldest = outbox::Entity::find()
        .filter(outbox::Column::State.eq(OutboxState::Pending.as_str()))
        .order_by_asc(outbox::Column::CreatedAt)
        .one(&app.db)
        .await?;
    Ok(OutboxGauges {
        pending: count(OutboxState::Pending).await?,
        failed: count(OutboxState::Failed).await?,
        oldest_pending_age: oldest.map_or(0.0, |m| {
            (app.now() - m.created_at).num_milliseconds().max(0) as f64 / 1000.0
        }),
    })
}
