//! The sweep: reads only tickets whose `next_escalation_at` has come, in
//! batches, and applies each escalation in the batch's transaction: owner
//! and level, the `escalated` event, the outbox mails, the new
//! `next_escalation_at`, and a row unique on (ticket, level) that makes a
//! second application impossible. On PostgreSQL the batch's rows are locked
//! with SKIP LOCKED, so several sweepers share the work.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
    sea_query::LockBehavior, sea_query::LockType, sea_query::OnConflict,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::decide::{Decision, Holders, decide};
use super::entity as escalation;
use super::notify;
use crate::app::App;
use crate::org::service::Vacancy;
use crate::tickets::entity::event;
use crate::tickets::entity::ticket;
use crate::tickets::entity::ticket::Status;
use crate::tickets::{Actor, ServiceError};

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

/// Default batch size.
pub const BATCH: u64 = 500;

/// Applies every escalation due at `as_of`.
///
/// On PostgreSQL two batches are written at once (SKIP LOCKED gives each
/// its own tickets), so the database's work runs on two cores; SQLite has
/// one writer.
#[tracing::instrument(skip_all, fields(%as_of, dry_run))]
pub async fn sweep(
    app: &App,
    as_of: DateTime<Utc>,
    dry_run: bool,
    batch: u64,
) -> Result<SweepReport, ServiceError> {
    let state = tokio::sync::Mutex::new(Progress {
        report: SweepReport {
            as_of: Some(as_of),
            dry_run,
            ..Default::default()
        },
        seen: std::collections::HashSet::new(),
        offset: 0,
    });
    let worker = || async {
        while run_batch(app, as_of, dry_run, batch, &state).await? {}
        Ok::<_, ServiceError>(())
    };
    if app.db.get_database_backend() == DatabaseBackend::Postgres && !dry_run {
        let (a, b) = tokio::join!(worker(), worker());
        a?;
        b?;
    } else {
        worker().await?;
    }
    let report = state.into_inner().report;
    if !dry_run {
        app.metrics.record(|| {
            for a in &report.escalated {
                metrics::counter!("yekuo_escalations_total", "level" => a.to_level.to_string())
                    .increment(1);
                metrics::counter!("yekuo_vacancies_met_total").increment(a.vacancies.len() as u64);
            }
        });
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

/// What the batches of one sweep share.
struct Progress {
    report: SweepReport,
    /// Tickets already looked at: a batch of only these ends the sweep.
    seen: std::collections::HashSet<i64>,
    /// A dry run writes nothing, so it pages through the due set.
    offset: u64,
}

/// One batch in its own transaction; `false` when nothing was left.
async fn run_batch(
    app: &App,
    as_of: DateTime<Utc>,
    dry_run: bool,
    batch: u64,
    state: &tokio::sync::Mutex<Progress>,
) -> Result<bool, ServiceError> {
    // A real run moves every ticket it reads out of the due set (its
    // `next_escalation_at` passes `as_of` or is cleared), so each batch is
    // read from the start; a dry run writes nothing and pages instead.
    let txn = app.begin_write().await?;
    let offset = state.lock().await.offset;
    let rows = due_batch(&txn, as_of, offset, batch).await?;
    {
        let mut st = state.lock().await;
        if rows.is_empty() || rows.iter().all(|t| st.seen.contains(&t.id)) {
            return Ok(false);
        }
        if dry_run {
            st.offset += rows.len() as u64;
        }
        st.seen.extend(rows.iter().map(|t| t.id));
        st.report.examined += rows.len() as u64;
    }
    let mut cache = Holders::default();
    let mut work = Vec::new();
    for t in rows {
        let (decision, next_only) = if t.status == Status::Open {
            decide(app, &txn, &t, as_of, &mut cache).await?
        } else {
            (None, None)
        };
        let Some(d) = decision else {
            if !dry_run && next_only != t.next_escalation_at {
                ticket::Entity::update_many()
                    .col_expr(ticket::Column::NextEscalationAt, Expr::value(next_only))
                    .filter(ticket::Column::Id.eq(t.id))
                    .exec(&txn)
                    .await?;
            }
            continue;
        };
        work.push((t, d));
    }
    if dry_run {
        txn.rollback().await?;
        let mut st = state.lock().await;
        st.report
            .escalated
            .extend(work.iter().map(|(t, d)| applied(t, d)));
    } else {
        let (done, mails) = apply_batch(app, &txn, work, as_of, &mut cache).await?;
        txn.commit().await?;
        let mut st = state.lock().await;
        st.report.escalated.extend(done);
        st.report.mails += mails;
    }
    Ok(true)
}

/// Tickets due at `as_of` (only open tickets have a `next_escalation_at`;
/// the index on it serves the range and the order), locked on PostgreSQL.
async fn due_batch(
    txn: &DatabaseTransaction,
    as_of: DateTime<Utc>,
    offset: u64,
    batch: u64,
) -> Result<Vec<ticket::Model>, ServiceError> {
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

/// The last event (sequence number, hash) of each ticket of the batch.
async fn last_events(
    txn: &DatabaseTransaction,
    rows: &[ticket::Model],
) -> Result<HashMap<i64, (i32, String)>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let all: Vec<(i64, i32, String)> = event::Entity::find()
        .select_only()
        .column(event::Column::TicketId)
        .column(event::Column::Seq)
        .column(event::Column::Hash)
        .filter(event::Column::TicketId.is_in(ids))
        .into_tuple()
        .all(txn)
        .await?;
    let mut last: HashMap<i64, (i32, String)> = HashMap::new();
    for (id, seq, hash) in all {
        if last.get(&id).is_none_or(|(s, _)| *s < seq) {
            last.insert(id, (seq, hash));
        }
    }
    Ok(last)
}

/// Sets owner, level and next escalation of many tickets in one statement
/// per chunk (`UPDATE … FROM (VALUES …)`, on PostgreSQL and SQLite ≥ 3.33).
async fn update_tickets(
    txn: &DatabaseTransaction,
    rows: &[(i64, i64, i32, Option<DateTime<Utc>>)],
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    use sea_orm::{Statement, Value};
    let pg = txn.get_database_backend() == DatabaseBackend::Postgres;
    for chunk in rows.chunks(CHUNK) {
        let mut values: Vec<Value> = vec![now.into()];
        let mut tuples = Vec::with_capacity(chunk.len());
        for (id, owner, level, next) in chunk {
            let n = values.len();
            tuples.push(if pg {
                format!(
                    "(${}::bigint, ${}::bigint, ${}::int, ${}::timestamptz)",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4
                )
            } else {
                "(?, ?, ?, ?)".to_string()
            });
            values.extend([
                Value::from(*id),
                Value::from(*owner),
                Value::from(*level),
                Value::from(*next),
            ]);
        }
        let sql = if pg {
            format!(
                "UPDATE tickets AS t SET owner_id = v.owner_id, escalation_level = v.level, next_escalation_at = v.next_at, updated_at = $1 \
                 FROM (VALUES {}) AS v(id, owner_id, level, next_at) WHERE t.id = v.id",
                tuples.join(", ")
            )
        } else {
            format!(
                "UPDATE tickets SET owner_id = v.column2, escalation_level = v.column3, next_escalation_at = v.column4, updated_at = ? \
                 FROM (VALUES {}) AS v WHERE tickets.id = v.column1",
                tuples.join(", ")
            )
        };
        let backend = txn.get_database_backend();
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

fn applied(t: &ticket::Model, d: &Decision) -> Applied {
    Applied {
        ticket_id: t.id,
        ticket_no: t.ticket_no.clone(),
        from_level: d.from_level,
        to_level: d.to_level,
        skipped_levels: d.skipped.clone(),
        new_owner: d.new_owner.as_ref().map(|p| p.username.clone()),
        vacancies: d.vacancies.clone(),
    }
}

const CHUNK: usize = 500;

/// Writes a batch of escalations with multi-row inserts: the escalation
/// rows first (ON CONFLICT DO NOTHING RETURNING: a ticket whose row already
/// exists is left alone), then their events, the tickets, the mails.
async fn apply_batch(
    app: &App,
    txn: &DatabaseTransaction,
    work: Vec<(ticket::Model, Decision)>,
    as_of: DateTime<Utc>,
    cache: &mut Holders,
) -> Result<(Vec<Applied>, u64), ServiceError> {
    if work.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let now = app.now();
    let to_owner =
        |t: &ticket::Model, d: &Decision| d.new_owner.as_ref().map_or(t.owner_id, |p| p.id);
    let rows: Vec<escalation::ActiveModel> = work
        .iter()
        .map(|(t, d)| escalation::ActiveModel {
            id: NotSet,
            ticket_id: Set(t.id),
            round: Set(t.escalation_round),
            level: Set(d.to_level as i32),
            from_owner_id: Set(t.owner_id),
            to_owner_id: Set(to_owner(t, d)),
            rule: Set(d.rule.clone()),
            due_at: Set(t.due_at),
            as_of: Set(as_of),
            created_at: Set(now),
        })
        .collect();
    let key = [
        escalation::Column::TicketId,
        escalation::Column::Round,
        escalation::Column::Level,
    ];
    let mut inserted = std::collections::HashSet::new();
    for chunk in rows.chunks(CHUNK) {
        let res = escalation::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::columns(key).do_nothing().to_owned())
            .exec_with_returning(txn)
            .await;
        match res {
            Ok(models) => inserted.extend(models.into_iter().map(|m| m.ticket_id)),
            // Every row of the chunk existed already.
            Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let work: Vec<(ticket::Model, Decision)> = work
        .into_iter()
        .filter(|(t, _)| inserted.contains(&t.id))
        .collect();
    let tickets: Vec<ticket::Model> = work.iter().map(|(t, _)| t.clone()).collect();
    let last = last_events(txn, &tickets).await?;
    let events: Vec<event::ActiveModel> = work
        .iter()
        .map(|(t, d)| {
            let payload = json!({
                "from_level": d.from_level, "to_level": d.to_level, "due_level": d.due_level, "rule": d.rule,
                "from_owner_id": t.owner_id, "to_owner_id": to_owner(t, d),
                "to_owner": d.new_owner.as_ref().map(|p| p.username.clone()),
                "due_at": t.due_at, "as_of": as_of, "skipped_levels": d.skipped,
                "vacancies": d.vacancies.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            });
            let actor = Actor::system();
            let (seq, prev) = last.get(&t.id).map_or((1, String::new()), |(s, h)| (s + 1, h.clone()));
            let payload = payload.to_string();
            let hash = crate::tickets::chain::event_hash(&prev, t.id, seq, now, &actor.name, actor.person_id, "escalated", &payload);
            event::ActiveModel {
                id: NotSet,
                ticket_id: Set(t.id),
                seq: Set(seq),
                at: Set(now),
                actor: Set(actor.name),
                actor_id: Set(actor.person_id),
                kind: Set("escalated".into()),
                payload: Set(payload),
                prev_hash: Set(prev),
                hash: Set(hash),
            }
        })
        .collect();
    let mut event_ids = HashMap::new();
    for chunk in events.chunks(CHUNK) {
        let models = event::Entity::insert_many(chunk.to_vec())
            .exec_with_returning(txn)
            .await?;
        event_ids.extend(models.into_iter().map(|e| (e.ticket_id, e.id)));
    }
    let mut mails = Vec::new();
    let mut done = Vec::with_capacity(work.len());
    let changes: Vec<(i64, i64, i32, Option<DateTime<Utc>>)> = work
        .iter()
        .map(|(t, d)| (t.id, to_owner(t, d), d.to_level as i32, d.next_at))
        .collect();
    update_tickets(txn, &changes, now).await?;
    for (t, d) in work {
        let mut after = t.clone();
        after.owner_id = to_owner(&t, &d);
        after.escalation_level = d.to_level as i32;
        after.next_escalation_at = d.next_at;
        after.updated_at = now;
        let event_id = event_ids.get(&t.id).copied().unwrap_or_default();
        mails.extend(notify::build_mails(app, txn, &t, &after, &d, event_id, as_of, cache).await?);
        done.push(applied(&t, &d));
    }
    let written = crate::mail::enqueue_many(txn, &app.config.raw.mail, mails, now).await?;
    Ok((done, written))
}
