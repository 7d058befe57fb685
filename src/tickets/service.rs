//! Service functions over tickets. Each change runs in one transaction:
//! lock the ticket, apply the action, write history rows, the recomputed
//! ticket and its event together.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Unchanged},
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use serde_json::{Value, json};

use crate::app::App;
use crate::sla::DueExplanation;

use super::TicketError;
use super::actions::{self, Action, History, Tracked};
use super::entity::{event, pause, stage_visit, ticket};
use super::input::NewTicket;
use super::view::{EventView, TicketView};

/// Creates a ticket accepted on `n.accepted_on`, owned by `n.owner`.
#[tracing::instrument(skip_all, fields(ticket_no))]
pub async fn create(app: &App, actor: &str, n: NewTicket) -> Result<TicketView, TicketError> {
    let now = app.now();
    let txn = app.db.begin().await?;
    let placeholder = format!(
        "pending-{}-{}",
        now.timestamp_nanos_opt().unwrap_or_default(),
        std::process::id()
    );
    let mut t = ticket::Model {
        id: 0,
        ticket_no: n
            .ticket_no
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or(placeholder),
        customer_name: n.customer_name,
        customer_account_no: n.customer_account_no,
        address: n.address,
        voltage_level: n.voltage_level.as_str().into(),
        power_sources: n.power_sources.as_str().into(),
        new_line: n.new_line,
        category: n.category,
        capacity_kva: n.capacity_kva,
        service_center: n.service_center,
        accepted_on: n.accepted_on,
        stage: n.stage.clone(),
        stage_entered_at: now,
        stage_due_date: None,
        stage_due_at: None,
        status: "open".into(),
        owner: n.owner,
        escalation_level: 0,
        due_date: n.accepted_on,
        due_at: now,
        provisional: false,
        calendar_version: String::new(),
        closed_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut history = History::default();
    history.visits.push(Tracked::new(stage_visit::Model {
        id: 0,
        ticket_id: 0,
        stage: n.stage,
        entered_at: now,
        left_at: None,
    }));
    actions::recompute(app, &mut t, &history, now);
    let mut am = t.clone().into_active_model();
    am.id = NotSet;
    let inserted = am.insert(&txn).await.map_err(unique_to_conflict)?;
    t.id = inserted.id;
    if n.ticket_no.is_none() {
        t.ticket_no = actions::ticket_no_for(&t);
        let mut am = inserted.into_active_model();
        am.ticket_no = Set(t.ticket_no.clone());
        am.update(&txn).await.map_err(unique_to_conflict)?;
    }
    tracing::Span::current().record("ticket_no", t.ticket_no.as_str());
    for v in &mut history.visits {
        v.row.ticket_id = t.id;
    }
    write_history(&txn, &mut history).await?;
    let limit = app
        .policy
        .category(&t.category)
        .map(|c| c.limit_working_days);
    let payload = json!({
        "ticket_no": t.ticket_no, "category": t.category, "limit_working_days": limit,
        "accepted_on": t.accepted_on, "due_date": t.due_date, "provisional": t.provisional,
        "stage": t.stage, "owner": t.owner, "calendar_version": t.calendar_version,
    });
    append_event(&txn, t.id, actor, now, "created", payload).await?;
    txn.commit().await?;
    Ok(view(app, t, &history, now))
}

/// Applies `action` to ticket `id` on behalf of `actor`.
#[tracing::instrument(skip_all, fields(ticket_id = id))]
pub async fn act(
    app: &App,
    actor: &str,
    id: i64,
    action: Action,
) -> Result<TicketView, TicketError> {
    let now = app.now();
    let txn = app.db.begin().await?;
    let mut t = lock(&txn, id).await?;
    let mut history = load_history(&txn, id).await?;
    if let Some((kind, payload)) = actions::apply(app, &mut t, &mut history, action, now)? {
        write_history(&txn, &mut history).await?;
        let mut am = t.clone().into_active_model().reset_all();
        am.id = Unchanged(t.id);
        am.update(&txn).await.map_err(unique_to_conflict)?;
        append_event(&txn, id, actor, now, kind, payload).await?;
    }
    txn.commit().await?;
    Ok(view(app, t, &history, now))
}

/// One ticket with its stage and pause history, computed as of `as_of`
/// (the clock's now by default).
pub async fn get(
    app: &App,
    id: i64,
    as_of: Option<DateTime<Utc>>,
) -> Result<TicketView, TicketError> {
    let now = as_of.unwrap_or_else(|| app.now());
    let t = find(&app.db, id).await?;
    let history = load_history(&app.db, id).await?;
    Ok(view(app, t, &history, now))
}

/// The ticket's events, oldest first.
pub async fn events(app: &App, id: i64) -> Result<Vec<EventView>, TicketError> {
    find(&app.db, id).await?;
    let rows = event::Entity::find()
        .filter(event::Column::TicketId.eq(id))
        .order_by_asc(event::Column::Seq)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(EventView::from).collect())
}

/// Every fact behind the ticket's due date as of `as_of`.
pub async fn explain(
    app: &App,
    id: i64,
    as_of: Option<DateTime<Utc>>,
) -> Result<DueExplanation, TicketError> {
    let now = as_of.unwrap_or_else(|| app.now());
    let t = find(&app.db, id).await?;
    let history = load_history(&app.db, id).await?;
    let limit = app
        .policy
        .category(&t.category)
        .map(|c| c.limit_working_days)
        .unwrap_or(0);
    let until = t.closed_at.unwrap_or(now);
    Ok(app.sla().explain(
        &t.category,
        t.accepted_on,
        limit,
        &history.sla_pauses(),
        until,
    ))
}

/// The full view: live SLA columns recomputed from history (a paused
/// ticket's due date moves while the pause lasts), plus every stage visit.
fn view(app: &App, mut t: ticket::Model, h: &History, now: DateTime<Utc>) -> TicketView {
    let live = t.status == "open" || t.status == "paused";
    if live {
        let updated = t.updated_at;
        actions::recompute(app, &mut t, h, now);
        t.updated_at = updated;
    }
    let voltage =
        crate::sla::VoltageLevel::parse(&t.voltage_level).unwrap_or(crate::sla::VoltageLevel::Kv10);
    let pauses = h.sla_pauses();
    let end = t.closed_at.unwrap_or(now);
    let stages = h
        .sla_visits()
        .iter()
        .filter_map(|v| {
            let stage = app.policy.stage(&v.stage)?;
            Some(
                app.sla()
                    .stage_sla(stage, v, t.accepted_on, voltage, &pauses, end),
            )
        })
        .collect();
    let mut view = TicketView::from_model(app, t, now);
    view.stages = Some(stages);
    view.pauses = Some(pauses);
    view
}

async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<ticket::Model, TicketError> {
    ticket::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| TicketError::NotFound(id.to_string()))
}

/// Reads the ticket for update (row lock on PostgreSQL; SQLite serialises writers).
async fn lock(txn: &DatabaseTransaction, id: i64) -> Result<ticket::Model, TicketError> {
    let mut q = ticket::Entity::find_by_id(id);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(txn)
        .await?
        .ok_or_else(|| TicketError::NotFound(id.to_string()))
}

pub(crate) async fn load_history<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<History, TicketError> {
    let pauses = pause::Entity::find()
        .filter(pause::Column::TicketId.eq(id))
        .order_by_asc(pause::Column::Id)
        .all(db)
        .await?;
    let visits = stage_visit::Entity::find()
        .filter(stage_visit::Column::TicketId.eq(id))
        .order_by_asc(stage_visit::Column::Id)
        .all(db)
        .await?;
    Ok(History {
        pauses: pauses.into_iter().map(Tracked::clean).collect(),
        visits: visits.into_iter().map(Tracked::clean).collect(),
    })
}

async fn write_history(txn: &DatabaseTransaction, h: &mut History) -> Result<(), TicketError> {
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

pub(crate) async fn append_event(
    txn: &DatabaseTransaction,
    ticket_id: i64,
    actor: &str,
    at: DateTime<Utc>,
    kind: &str,
    payload: Value,
) -> Result<(), TicketError> {
    let last = event::Entity::find()
        .filter(event::Column::TicketId.eq(ticket_id))
        .order_by_desc(event::Column::Seq)
        .one(txn)
        .await?;
    event::ActiveModel {
        id: NotSet,
        ticket_id: Set(ticket_id),
        seq: Set(last.map_or(1, |e| e.seq + 1)),
        at: Set(at),
        actor: Set(actor.to_string()),
        kind: Set(kind.to_string()),
        payload: Set(payload.to_string()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

fn unique_to_conflict(e: sea_orm::DbErr) -> TicketError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            TicketError::Conflict("a ticket with this ticket number already exists".into())
        }
        _ => TicketError::Db(e),
    }
}
