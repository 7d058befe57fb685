//! The sweep: reads only tickets whose `next_escalation_at` has come, in
//! batches, and applies each escalation in the batch's transaction: owner
//! and level, the `escalated` event, the outbox mails, the new
//! `next_escalation_at`, and a row unique on (ticket, level) that makes a
//! second application impossible. On PostgreSQL the batch's rows are locked
//! with SKIP LOCKED, so several sweepers share the work.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait, sea_query::LockBehavior, sea_query::LockType, sea_query::OnConflict,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::decide::{Decision, Holders, decide};
use super::entity as escalation;
use super::notify;
use crate::app::App;
use crate::org::service::Vacancy;
use crate::tickets::entity::ticket;
use crate::tickets::service::insert_event;
use crate::tickets::{Actor, TicketError};

/// One escalation applied (or, in a dry run, that would be).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Applied {
    pub ticket_id: i64,
    pub ticket_no: String,
    pub from_level: u32,
    pub to_level: u32,
    pub skipped_levels: Vec<u32>,
    pub new_owner: Option<String>,
    pub vacancies: Vec<Vacancy>,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SweepReport {
    pub as_of: Option<DateTime<Utc>>,
    pub dry_run: bool,
    /// Due tickets looked at.
    pub examined: u64,
    pub escalated: Vec<Applied>,
    /// Mails written to the outbox.
    pub mails: u64,
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Other(String),
}

impl From<TicketError> for SweepError {
    fn from(e: TicketError) -> Self {
        match e {
            TicketError::Db(e) => SweepError::Db(e),
            other => SweepError::Other(other.to_string()),
        }
    }
}

impl From<crate::org::OrgError> for SweepError {
    fn from(e: crate::org::OrgError) -> Self {
        match e {
            crate::org::OrgError::Db(e) => SweepError::Db(e),
            other => SweepError::Other(other.to_string()),
        }
    }
}

/// Default batch size.
pub const BATCH: u64 = 500;

/// Applies every escalation due at `as_of`.
#[tracing::instrument(skip_all, fields(%as_of, dry_run))]
pub async fn sweep(
    app: &App,
    as_of: DateTime<Utc>,
    dry_run: bool,
    batch: u64,
) -> Result<SweepReport, SweepError> {
    let mut report = SweepReport {
        as_of: Some(as_of),
        dry_run,
        ..Default::default()
    };
    // A real run moves every ticket it reads out of the due set (its
    // `next_escalation_at` passes `as_of` or is cleared), so each batch is
    // read from the start; a dry run writes nothing and pages instead.
    let mut offset = 0u64;
    let mut seen = std::collections::HashSet::new();
    loop {
        let txn = app.db.begin().await?;
        let rows = due_batch(&txn, as_of, offset, batch).await?;
        if rows.is_empty() || rows.iter().all(|t| seen.contains(&t.id)) {
            break;
        }
        if dry_run {
            offset += rows.len() as u64;
        }
        seen.extend(rows.iter().map(|t| t.id));
        let mut cache = Holders::default();
        let mut seqs = if dry_run {
            HashMap::new()
        } else {
            last_seqs(&txn, &rows).await?
        };
        for t in rows {
            report.examined += 1;
            let (decision, next_only) = if t.status == "open" {
                decide(app, &txn, &t, as_of, &mut cache).await?
            } else {
                (None, None)
            };
            let Some(d) = decision else {
                if !dry_run && next_only != t.next_escalation_at {
                    let mut am = t.into_active_model();
                    am.next_escalation_at = Set(next_only);
                    am.update(&txn).await?;
                }
                continue;
            };
            let applied = Applied {
                ticket_id: t.id,
                ticket_no: t.ticket_no.clone(),
                from_level: d.from_level,
                to_level: d.to_level,
                skipped_levels: d.skipped.clone(),
                new_owner: d.new_owner.as_ref().map(|p| p.username.clone()),
                vacancies: d.vacancies.clone(),
            };
            if dry_run {
                report.escalated.push(applied);
                continue;
            }
            let seq = seqs.get(&t.id).copied().unwrap_or(0) + 1;
            seqs.insert(t.id, seq);
            if let Some(mails) = apply(app, &txn, t, &d, as_of, seq, &mut cache).await? {
                report.mails += mails;
                report.escalated.push(applied);
            }
        }
        if dry_run {
            txn.rollback().await?;
        } else {
            txn.commit().await?;
        }
    }
    if !dry_run && !report.escalated.is_empty() {
        tracing::info!(
            escalated = report.escalated.len(),
            mails = report.mails,
            "sweep applied escalations"
        );
    }
    Ok(report)
}

/// Tickets due at `as_of` (only open tickets have a `next_escalation_at`;
/// the index on it serves the range and the order), locked on PostgreSQL.
async fn due_batch(txn: &DatabaseTransaction, as_of: DateTime<Utc>, offset: u64, batch: u64) -> Result<Vec<ticket::Model>, SweepError> {
    use ticket::Column as C;
    let mut q = ticket::Entity::find()
        .filter(C::NextEscalationAt.lte(as_of))
        .order_by_asc(C::NextEscalationAt)
        .order_by_asc(C::Id)
        .offset(offset)
        .limit(batch);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(q.all(txn).await?)
}

/// The last event sequence number of each ticket of the batch (one query).
async fn last_seqs(
    txn: &DatabaseTransaction,
    rows: &[ticket::Model],
) -> Result<HashMap<i64, i32>, SweepError> {
    use crate::tickets::entity::event;
    use sea_orm::sea_query::{Expr, Func};
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let pairs: Vec<(i64, Option<i32>)> = event::Entity::find()
        .select_only()
        .column(event::Column::TicketId)
        .column_as(
            Expr::from(Func::max(Expr::col(event::Column::Seq))),
            "max_seq",
        )
        .filter(event::Column::TicketId.is_in(ids))
        .group_by(event::Column::TicketId)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(pairs
        .into_iter()
        .map(|(id, s)| (id, s.unwrap_or(0)))
        .collect())
}

/// Writes one escalation; `None` when it was already applied (the unique
/// key on ticket, round and level refused it, and nothing was written).
async fn apply(
    app: &App,
    txn: &DatabaseTransaction,
    t: ticket::Model,
    d: &Decision,
    as_of: DateTime<Utc>,
    seq: i32,
    cache: &mut Holders,
) -> Result<Option<u64>, SweepError> {
    let now = app.now();
    let from_owner = t.owner_id;
    let to_owner = d.new_owner.as_ref().map_or(from_owner, |p| p.id);
    let row = escalation::ActiveModel {
        id: NotSet,
        ticket_id: Set(t.id),
        round: Set(t.escalation_round),
        level: Set(d.to_level as i32),
        from_owner_id: Set(from_owner),
        to_owner_id: Set(to_owner),
        rule: Set(d.rule.clone()),
        due_at: Set(t.due_at),
        as_of: Set(as_of),
        created_at: Set(now),
    };
    let key = [
        escalation::Column::TicketId,
        escalation::Column::Round,
        escalation::Column::Level,
    ];
    let inserted = escalation::Entity::insert(row)
        .on_conflict(OnConflict::columns(key).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let payload = json!({
        "from_level": d.from_level, "to_level": d.to_level, "due_level": d.due_level, "rule": d.rule,
        "from_owner_id": from_owner, "to_owner_id": to_owner,
        "to_owner": d.new_owner.as_ref().map(|p| p.username.clone()),
        "due_at": t.due_at, "as_of": as_of, "skipped_levels": d.skipped,
        "vacancies": d.vacancies.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
    });
    let event_id =
        insert_event(txn, t.id, seq, &Actor::system(), now, "escalated", payload).await?;
    let mut am = t.clone().into_active_model();
    am.owner_id = Set(to_owner);
    am.escalation_level = Set(d.to_level as i32);
    am.next_escalation_at = Set(d.next_at);
    am.updated_at = Set(now);
    let updated = am.update(txn).await?;
    let mails = notify::escalation_mails(app, txn, &t, &updated, d, event_id, as_of, cache).await?;
    Ok(Some(mails))
}
