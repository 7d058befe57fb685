//! The use cases of tickets: create, act, reassign, show, explain. Each
//! change runs in one transaction: lock the ticket, apply the action, write
//! history rows, the recomputed ticket and its event together (the store
//! of rows and events is `store`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Unchanged},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use crate::app::App;
use crate::sla::DueExplanation;

use super::actions::{self, Action, History, Tracked};
use super::entity::{event, stage_visit, ticket};
use super::input::NewTicket;
use super::store::{
    append_event, find, load_history, lock, sync_due, unique_to_conflict, write_history,
};
use super::view::{EventView, LabeledTicket, Labels, TicketView, find_labeled, find_with_history};
use super::{Actor, ServiceError};
use crate::org::{self, Role, UnitKind};
use crate::tickets::entity::ticket::Status;

/// Resolves a service center code: it must be a service center.
async fn resolve_center<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<org::entity::unit::Model, ServiceError> {
    match org::service::unit_by_code(db, code).await? {
        Some(u) if u.kind == UnitKind::ServiceCenter.as_str() => Ok(u),
        Some(_) => Err(ServiceError::invalid(
            "service_center",
            format!("`{code}` is not a service center"),
        )),
        None => Err(ServiceError::invalid(
            "service_center",
            format!("service center `{code}` does not exist"),
        )),
    }
}

/// Resolves an active person by username; `field` names the request field.
async fn resolve_person<C: ConnectionTrait>(
    db: &C,
    username: &str,
    field: &str,
) -> Result<org::entity::person::Model, ServiceError> {
    match org::service::person_by_username(db, username).await? {
        Some(p) if p.active => Ok(p),
        Some(_) => Err(ServiceError::invalid(
            field,
            format!("`{username}` is deactivated"),
        )),
        None => Err(ServiceError::invalid(
            field,
            format!("no person `{username}`"),
        )),
    }
}

/// Checks that `person` is a manager of `center_id`.
async fn require_manager<C: ConnectionTrait>(
    db: &C,
    person: &org::entity::person::Model,
    center_id: i64,
    field: &str,
) -> Result<(), ServiceError> {
    let grants = org::service::grants_of(db, person.id).await?;
    if grants
        .iter()
        .any(|g| g.role == Role::Manager && g.unit_id == Some(center_id))
    {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            field,
            format!(
                "`{}` is not a customer manager of this service center",
                person.username
            ),
        ))
    }
}

/// Creates a ticket accepted on `n.accepted_on`; its manager is its first owner.
#[tracing::instrument(skip_all, fields(ticket_no))]
pub async fn create(app: &App, actor: &Actor, n: NewTicket) -> Result<TicketView, ServiceError> {
    let now = app.now();
    let txn = app.begin_write().await?;
    let center = resolve_center(&txn, &n.service_center).await?;
    let manager = match (&n.manager, actor.person_id) {
        (Some(username), _) => resolve_person(&txn, username, "manager").await?,
        (None, Some(id)) => org::service::person_by_id(&txn, id).await?,
        (None, None) => return Err(ServiceError::invalid("manager", "is required")),
    };
    require_manager(&txn, &manager, center.id, "manager").await?;
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
        service_center_id: center.id,
        bureau_id: center.parent_id.unwrap_or(center.id),
        manager_id: manager.id,
        accepted_on: n.accepted_on,
        stage: n.stage.clone(),
        stage_entered_at: now,
        stage_due_date: None,
        stage_due_at: None,
        status: Status::Open,
        owner_id: manager.id,
        escalation_level: 0,
        next_escalation_at: None,
        escalation_round: 0,
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
        .map(|c| c.limit_working_days.get());
    let payload = json!({
        "ticket_no": t.ticket_no, "category": t.category, "limit_working_days": limit,
        "accepted_on": t.accepted_on, "due_date": t.due_date, "provisional": t.provisional,
        "stage": t.stage, "service_center": center.code, "manager": manager.username,
        "calendar_version": t.calendar_version,
    });
    append_event(&txn, t.id, actor, now, "created", payload).await?;
    txn.commit().await?;
    view(app, t, &history, now).await
}

/// Applies `action` to ticket `id` on behalf of `actor`.
#[tracing::instrument(skip_all, fields(ticket_id = id))]
pub async fn act(
    app: &App,
    actor: &Actor,
    id: i64,
    action: Action,
) -> Result<TicketView, ServiceError> {
    let now = app.now();
    let txn = app.begin_write().await?;
    let mut t = lock(&txn, id).await?;
    let due_before = t.due_at;
    let mut history = load_history(&txn, id).await?;
    if let Some((kind, payload)) = actions::apply(app, &mut t, &mut history, action, now)? {
        write_history(&txn, &mut history).await?;
        let mut am = t.clone().into_active_model().reset_all();
        am.id = Unchanged(t.id);
        am.update(&txn).await.map_err(unique_to_conflict)?;
        if t.due_at != due_before {
            sync_due(&txn, id, t.due_at).await?;
        }
        append_event(&txn, id, actor, now, kind, payload).await?;
    }
    txn.commit().await?;
    view(app, t, &history, now).await
}

/// Hands ticket `id` to another owner and/or manager (audited). `may_own`
/// says whether the caller may hand the ticket to a person with these
/// roles (`auth::permissions::may_hand_to`).
pub async fn reassign(
    app: &App,
    actor: &Actor,
    id: i64,
    body: super::ReassignBody,
    may_own: impl Fn(&ticket::Model, &[org::service::Grant]) -> bool,
) -> Result<TicketView, ServiceError> {
    let t = find(&app.db, id).await?;
    let manager = match &body.manager {
        Some(u) => {
            let p = resolve_person(&app.db, u, "manager").await?;
            require_manager(&app.db, &p, t.service_center_id, "manager").await?;
            Some((p.id, p.username))
        }
        None => None,
    };
    let owner = match &body.owner {
        Some(u) => {
            let p = resolve_person(&app.db, u, "owner").await?;
            let grants = org::service::grants_of(&app.db, p.id).await?;
            if !may_own(&t, &grants) {
                return Err(ServiceError::Forbidden(format!(
                    "you may not hand this ticket to `{u}`: managers and center directors hand over within the service center, the deputy head and head within the bureau"
                )));
            }
            Some((p.id, p.username))
        }
        None => None,
    };
    let note = body.note.unwrap_or_default();
    act(
        app,
        actor,
        id,
        Action::Reassign {
            owner,
            manager,
            note,
        },
    )
    .await
}

/// One ticket with its labels and history, read in one statement, for a
/// permission check before [`show`].
pub async fn load(app: &App, id: i64) -> Result<(LabeledTicket, History), ServiceError> {
    find_with_history(&app.db, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("ticket {id}")))
}

/// The full view of a loaded ticket, computed as of `as_of` (the clock's
/// now by default).
pub fn show(
    app: &App,
    (t, history): (LabeledTicket, History),
    as_of: Option<DateTime<Utc>>,
) -> TicketView {
    let now = as_of.unwrap_or_else(|| app.now());
    full_view(app, t.ticket, t.labels, &history, now)
}

/// [`load`] and [`show`] together.
pub async fn get(
    app: &App,
    id: i64,
    as_of: Option<DateTime<Utc>>,
) -> Result<TicketView, ServiceError> {
    Ok(show(app, load(app, id).await?, as_of))
}

/// The ticket's events, oldest first.
pub async fn events(app: &App, id: i64) -> Result<Vec<EventView>, ServiceError> {
    find(&app.db, id).await?;
    let rows = event::Entity::find()
        .filter(event::Column::TicketId.eq(id))
        .order_by_asc(event::Column::Seq)
        .all(&app.db)
        .await?;
    Ok(rows.into_iter().map(EventView::from).collect())
}

/// Checks the hash chain of the ticket's events.
pub async fn verify_events(app: &App, id: i64) -> Result<super::chain::Verification, ServiceError> {
    find(&app.db, id).await?;
    let rows = event::Entity::find()
        .filter(event::Column::TicketId.eq(id))
        .order_by_asc(event::Column::Seq)
        .all(&app.db)
        .await?;
    Ok(super::chain::verify(id, &rows))
}

/// Every fact behind the ticket's due date as of `as_of`.
pub async fn explain(
    app: &App,
    id: i64,
    as_of: Option<DateTime<Utc>>,
) -> Result<DueExplanation, ServiceError> {
    let now = as_of.unwrap_or_else(|| app.now());
    let t = find(&app.db, id).await?;
    let history = load_history(&app.db, id).await?;
    let limit = app
        .policy
        .category(&t.category)
        .map(|c| c.limit_working_days.get())
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

/// The full view after a change: the labels are read again (the owner or
/// manager may have changed).
async fn view(
    app: &App,
    t: ticket::Model,
    h: &History,
    now: DateTime<Utc>,
) -> Result<TicketView, ServiceError> {
    let labels = find_labeled(&app.db, t.id)
        .await?
        .map(|l| l.labels)
        .unwrap_or_default();
    Ok(full_view(app, t, labels, h, now))
}

/// The full view: live SLA columns recomputed from history (a paused
/// ticket's due date moves while the pause lasts), plus every stage visit.
fn full_view(
    app: &App,
    mut t: ticket::Model,
    labels: Labels,
    h: &History,
    now: DateTime<Utc>,
) -> TicketView {
    let live = t.status.is_live();
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
    let mut view = TicketView::from_model(app, t, labels, now);
    view.stages = Some(stages);
    view.pauses = Some(pauses);
    view
}

/// An open ticket a person holds, for reassignment when they leave.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HeldTicket {
    pub id: i64,
    pub ticket_no: String,
    pub customer_name: String,
    pub due_date: chrono::NaiveDate,
    pub is_owner: bool,
    pub is_manager: bool,
}

/// Open or paused tickets that `person_id` owns or manages.
pub async fn held_by(app: &App, person_id: i64) -> Result<Vec<HeldTicket>, ServiceError> {
    use sea_orm::Condition;
    let rows = ticket::Entity::find()
        .filter(ticket::Column::Status.is_in([ticket::Status::Open, ticket::Status::Paused]))
        .filter(
            Condition::any()
                .add(ticket::Column::OwnerId.eq(person_id))
                .add(ticket::Column::ManagerId.eq(person_id)),
        )
        .order_by_asc(ticket::Column::DueAt)
        .all(&app.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| HeldTicket {
            id: t.id,
            ticket_no: t.ticket_no,
            customer_name: t.customer_name,
            due_date: t.due_date,
            is_owner: t.owner_id == person_id,
            is_manager: t.manager_id == person_id,
        })
        .collect())
}

/// Who holds each rung of the ticket's ladder, with vacancies named.
pub async fn ladder(app: &App, id: i64) -> Result<org::service::LadderPeople, ServiceError> {
    let t = find(&app.db, id).await?;
    org::service::ladder_people(&app.db, t.service_center_id, t.manager_id).await
}

/// The lights in the order pages and gauges show them, with their names.
pub const LIGHTS: [(crate::sla::Light, &str); 4] = [
    (crate::sla::Light::Overdue, "overdue"),
    (crate::sla::Light::Red, "red"),
    (crate::sla::Light::Yellow, "yellow"),
    (crate::sla::Light::Green, "green"),
];

/// The live (open or paused) tickets matching `cond`, per light as of now
/// (in the order of [`LIGHTS`]). A light is a stretch of deadlines, so
/// with `cond` on an anchor (bureau, center, manager) each count is a
/// range of that anchor's (status, due) index.
pub async fn count_by_light(app: &App, cond: sea_orm::Condition) -> Result<Vec<u64>, ServiceError> {
    let (now, sla) = (app.now(), app.sla());
    let mut out = Vec::with_capacity(LIGHTS.len());
    for (light, _) in LIGHTS {
        let (after, up_to) = app.config.lights.due_range(light, now, &sla);
        let mut q = ticket::Entity::find()
            .filter(cond.clone())
            .filter(ticket::Column::Status.is_in([Status::Open, Status::Paused]));
        if let Some(a) = after {
            q = q.filter(ticket::Column::DueAt.gt(a));
        }
        if let Some(u) = up_to {
            q = q.filter(ticket::Column::DueAt.lte(u));
        }
        out.push(sea_orm::PaginatorTrait::count(q, &app.db).await?);
    }
    Ok(out)
}
