//! Where tickets are kept: reading a ticket (for update: under its row
//! lock), its history rows, its events (numbered and hash-chained under the
//! lock), and the departments' copy of what they were asked about.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Unchanged},
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};
use serde_json::Value;

use super::actions::{History, Tracked};
use super::entity::{event, pause, stage_visit, ticket};
use super::{Actor, ServiceError};
use crate::app::App;

/// The ticket `id`.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<ticket::Model, ServiceError> {
    ticket::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("ticket {id}")))
}

/// Reads the ticket for update (row lock on PostgreSQL; SQLite serialises writers).
pub(crate) async fn lock(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<ticket::Model, ServiceError> {
    let mut q = ticket::Entity::find_by_id(id);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(txn)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("ticket {id}")))
}

/// Takes ticket `id`'s row lock on PostgreSQL (SQLite has one writer).
async fn lock_row(txn: &DatabaseTransaction, id: i64) -> Result<(), ServiceError> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        ticket::Entity::find_by_id(id)
            .select_only()
            .column(ticket::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .one(txn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn load_history<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<History, ServiceError> {
    let pauses = pause::Entity::find()
        .filter(pause::Column::TicketId.eq(id))
        .order_by_asc(pause::Column::Id)
        .all(db);
    let visits = stage_visit::Entity::find()
        .filter(stage_visit::Column::TicketId.eq(id))
        .order_by_asc(stage_visit::Column::Id)
        .all(db);
    // Two reads at once: on a pool they go out on two connections.
    let (pauses, visits) = tokio::try_join!(pauses, visits)?;
    Ok(History {
        pauses: pauses.into_iter().map(Tracked::clean).collect(),
        visits: visits.into_iter().map(Tracked::clean).collect(),
    })
}

pub(crate) async fn write_history(
    txn: &DatabaseTransaction,
    h: &mut History,
) -> Result<(), ServiceError> {
    for p in h.pauses.iter_mut().filter(|p| p.dirty) {
        let mut am = p.row.clone().into_active_model().reset_all();
        p.row = if p.row.id == 0 {
            am.id = NotSet;
            am.insert(txn).await?
        } else {
            am.id = Unchanged(p.row.id);
            am.update(txn).await?
        };
        p.dirty = false;
    }
    for v in h.visits.iter_mut().filter(|v| v.dirty) {
        let mut am = v.row.clone().into_active_model().reset_all();
        v.row = if v.row.id == 0 {
            am.id = NotSet;
            am.insert(txn).await?
        } else {
            am.id = Unchanged(v.row.id);
            am.update(txn).await?
        };
        v.dirty = false;
    }
    Ok(())
}

/// Appends an event with the ticket's next sequence number; returns its id.
pub async fn append_event(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    actor: &Actor,
    at: DateTime<Utc>,
    kind: &str,
    payload: Value,
) -> Result<i64, ServiceError> {
    // The next sequence number is read under the ticket's row lock (held
    // already when the caller locked the ticket), so two writers of one
    // ticket's history take turns on PostgreSQL; SQLite has one writer.
    lock_row(txn, ticket_id).await?;
    let last = event::Entity::find()
        .filter(event::Column::TicketId.eq(ticket_id))
        .order_by_desc(event::Column::Seq)
        .one(txn)
        .await?;
    let (seq, prev) = last.map_or((1, String::new()), |e| (e.seq + 1, e.hash));
    insert_event(txn, ticket_id, seq, &prev, actor, at, kind, payload).await
}

/// Inserts an event with a known sequence number (unique per ticket) after
/// the event whose hash is `prev_hash`.
#[expect(clippy::too_many_arguments, reason = "the fields of an event")]
pub async fn insert_event(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    seq: i32,
    prev_hash: &str,
    actor: &Actor,
    at: DateTime<Utc>,
    kind: &str,
    payload: Value,
) -> Result<i64, ServiceError> {
    let payload = payload.to_string();
    let hash = super::chain::event_hash(
        prev_hash,
        ticket_id,
        seq,
        at,
        &actor.name,
        actor.person_id,
        kind,
        &payload,
    );
    let row = event::ActiveModel {
        id: NotSet,
        ticket_id: Set(ticket_id),
        seq: Set(seq),
        at: Set(at),
        actor: Set(actor.name.clone()),
        actor_id: Set(actor.person_id),
        kind: Set(kind.to_string()),
        payload: Set(payload),
        prev_hash: Set(prev_hash.to_string()),
        hash: Set(hash),
    }
    .insert(txn)
    .await?;
    Ok(row.id)
}

pub(crate) fn unique_to_conflict(e: sea_orm::DbErr) -> ServiceError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::Conflict("a ticket with this ticket number already exists".into())
        }
        _ => ServiceError::Db(e),
    }
}

/// Whether one of `departments` was asked about ticket `id` (a
/// coordination request to it): such a department reads the ticket.
pub async fn asked_of_any(app: &App, id: i64, departments: &[i64]) -> Result<bool, ServiceError> {
    use super::entity::ticket_department as td;
    Ok(td::Entity::find()
        .filter(td::Column::TicketId.eq(id))
        .filter(td::Column::DepartmentId.is_in(departments.to_vec()))
        .one(&app.db)
        .await?
        .is_some())
}

/// Records that `departments` were asked about ticket `t` (idempotent).
pub async fn record_asked(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    departments: &[i64],
) -> Result<(), ServiceError> {
    use super::entity::ticket_department as td;
    if departments.is_empty() {
        return Ok(());
    }
    let t = find(txn, ticket_id).await?;
    let rows = departments.iter().map(|d| td::ActiveModel {
        department_id: Set(*d),
        ticket_id: Set(t.id),
        due_at: Set(t.due_at),
    });
    td::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([td::Column::DepartmentId, td::Column::TicketId])
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Keeps the departments' copy of a ticket's due instant equal to it.
pub(crate) async fn sync_due(
    txn: &DatabaseTransaction,
    id: i64,
    due_at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    use super::entity::ticket_department as td;
    td::Entity::update_many()
        .col_expr(td::Column::DueAt, sea_orm::sea_query::Expr::value(due_at))
        .filter(td::Column::TicketId.eq(id))
        .filter(td::Column::DueAt.ne(due_at))
        .exec(txn)
        .await?;
    Ok(())
}

/// The ticket row (for permission checks before acting).
pub async fn find_row(app: &App, id: i64) -> Result<ticket::Model, ServiceError> {
    find(&app.db, id).await
}
