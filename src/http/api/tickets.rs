//! `/api/v1/tickets`: thin handlers that parse, call the ticket service and
//! render JSON.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};

use crate::app::App;
use crate::auth::Principal;
use crate::auth::permissions::{self, TicketAccess};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, JsonBody, QueryMap};
use crate::org::service::LadderPeople;
use crate::sla::DueExplanation;
use crate::tickets::input::{CreateTicketBody, UpdateTicketBody};
use crate::tickets::{
    Action, ActionBody, EventView, ListFilter, NewTicket, Page, ReassignBody, TicketPatch,
    TicketView, service,
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/tickets", post(create).get(list))
        .route("/tickets/{id}", get(show).patch(update))
        .route("/tickets/{id}/events", get(events))
        .route("/tickets/{id}/events/verify", get(verify))
        .route("/tickets/{id}/explain", get(explain))
        .route("/tickets/{id}/advance", post(advance))
        .route("/tickets/{id}/pause", post(pause))
        .route("/tickets/{id}/resume", post(resume))
        .route("/tickets/{id}/close", post(close))
        .route("/tickets/{id}/cancel", post(cancel))
        .route("/tickets/{id}/reopen", post(reopen))
        .route("/tickets/{id}/reassign", post(reassign))
        .route("/tickets/{id}/ladder", get(ladder))
        .route("/tickets/{id}/hand-back", post(hand_back))
}

/// Checks the caller's access to ticket `id`: out of scope reads as 404,
/// read-only where writing is needed is 403.
pub(crate) async fn authorize(
    app: &App,
    p: &Principal,
    id: i64,
    need: TicketAccess,
) -> Result<(), ApiError> {
    let t = crate::tickets::store::find_row(app, id).await?;
    authorize_row(app, p, &t, need).await
}

/// [`authorize`] for a ticket already read.
pub(crate) async fn authorize_row(
    app: &App,
    p: &Principal,
    t: &crate::tickets::entity::ticket::Model,
    need: TicketAccess,
) -> Result<(), ApiError> {
    Ok(permissions::check_ticket(app, p, t, need).await?)
}

fn today(app: &App) -> chrono::NaiveDate {
    app.sla().local_date(app.now())
}

/// Parses an `as_of` query parameter (RFC 3339).
fn as_of(q: &QueryMap) -> Result<Option<DateTime<Utc>>, ApiError> {
    match q.0.get("as_of") {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| {
                ApiError::Invalid(vec![crate::validate::FieldError {
                    field: "as_of".into(),
                    message: format!(
                        "`{v}` is not an RFC 3339 instant like 2026-03-01T09:00:00+08:00"
                    ),
                }])
            }),
    }
}

/// Create a ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = CreateTicketBody,
    responses((status = 201, body = TicketView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 400, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(app): State<App>,
    p: Principal,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    let new = NewTicket::parse(&body, &app.policy, today(&app)).map_err(ApiError::Invalid)?;
    let center = crate::org::service::unit_by_code(&app.db, &new.service_center).await?;
    if let Some(center) = center
        && !permissions::can_create_in(&p, center.id)
    {
        return Err(ApiError::Forbidden(
            "only a customer manager of that service center creates its tickets".into(),
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(service::create(&app, &p.actor(), new).await?),
    ))
}

/// List tickets, sorted by due date, one page at a time.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets",
    params(
        ("status" = Option<String>, Query, description = "open, paused, closed or cancelled"),
        ("stage" = Option<String>, Query), ("category" = Option<String>, Query),
        ("service_center" = Option<String>, Query, description = "service center code"),
        ("owner" = Option<String>, Query, description = "owner username"),
        ("manager" = Option<String>, Query, description = "manager username"),
        ("ticket_no" = Option<String>, Query),
        ("q" = Option<String>, Query, description = "the ticket number (exact) or part of the customer's name"),
        ("due_before" = Option<String>, Query, description = "due date before this date (YYYY-MM-DD)"),
        ("due_after" = Option<String>, Query, description = "due date after this date (YYYY-MM-DD)"),
        ("overdue_as_of" = Option<String>, Query, description = "open or paused tickets overdue at this instant (RFC 3339) or at the start of this date"),
        ("sort" = Option<String>, Query, description = "due (default) or -due"),
        ("limit" = Option<u32>, Query, description = "1–500, default 50"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses((status = 200, body = Page), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list(State(app): State<App>, p: Principal, q: QueryMap) -> Result<Json<Page>, ApiError> {
    let mut filter = ListFilter::parse(&q.0, &app).map_err(ApiError::Invalid)?;
    filter.scope = permissions::ticket_scope(&p);
    Ok(Json(crate::tickets::list::list(&app, &filter).await?))
}

/// One ticket with its stages, pauses and SLA state.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path), ("as_of" = Option<String>, Query, description = "compute SLA state at this instant (RFC 3339)")),
    responses((status = 200, body = TicketView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn show(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    q: QueryMap,
) -> Result<Json<TicketView>, ApiError> {
    let as_of = as_of(&q)?;
    let t = service::load(&app, id).await?;
    authorize_row(&app, &p, &t.0.ticket, TicketAccess::Read).await?;
    Ok(Json(service::show(&app, t, as_of)))
}

/// Change ticket fields; a category, voltage or acceptance change recomputes the due date.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", request_body = UpdateTicketBody, params(("id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<TicketView>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Write).await?;
    let patch = TicketPatch::parse(&body, &app.policy, today(&app)).map_err(ApiError::Invalid)?;
    Ok(Json(
        service::act(&app, &p.actor(), id, Action::Update(patch)).await?,
    ))
}

/// The ticket's append-only history.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/events", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn events(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<Vec<EventView>>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Read).await?;
    Ok(Json(service::events(&app, id).await?))
}

/// Check the hash chain of the ticket's events (auditors): the first
/// changed or missing event is named.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/events/verify", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = crate::tickets::chain::Verification), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn verify(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<crate::tickets::chain::Verification>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Read).await?;
    Ok(Json(service::verify_events(&app, id).await?))
}

/// How the due date came about: limit, pauses, rest days and make-up workdays crossed.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/explain", tag = "tickets",
    params(("id" = i64, Path), ("as_of" = Option<String>, Query)),
    responses((status = 200, body = DueExplanation), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn explain(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    q: QueryMap,
) -> Result<Json<DueExplanation>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Read).await?;
    Ok(Json(service::explain(&app, id, as_of(&q)?).await?))
}

async fn action(
    app: App,
    p: Principal,
    id: i64,
    body: serde_json::Value,
    make: fn(ActionBody) -> Action,
) -> Result<Json<TicketView>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Write).await?;
    let b = ActionBody::parse(&body).map_err(ApiError::Invalid)?;
    Ok(Json(service::act(&app, &p.actor(), id, make(b)).await?))
}

/// Hand the ticket to another owner and/or customer manager (`note` required); audited.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/reassign", tag = "tickets", request_body = ReassignBody, params(("id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reassign(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<TicketView>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Write).await?;
    let b = ReassignBody::parse(&body).map_err(ApiError::Invalid)?;
    let may_own = |t: &_, to: &[_]| crate::auth::permissions::may_hand_to(&p, t, to);
    Ok(Json(
        service::reassign(&app, &p.actor(), id, b, may_own).await?,
    ))
}

/// Hand the ticket back down the ladder (current owner only, `note`
/// required), when a later deadline means a lower level is due now.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/hand-back", tag = "tickets", request_body(content = Option<ActionBody>), params(("id" = i64, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn hand_back(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<TicketView>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Read).await?;
    let b = ActionBody::parse(&body).map_err(ApiError::Invalid)?;
    let note = b.note.ok_or_else(|| {
        ApiError::Invalid(vec![crate::validate::FieldError {
            field: "note".into(),
            message: "is required to hand a ticket back".into(),
        }])
    })?;
    Ok(Json(
        crate::escalation::hand_back(&app, &p.actor(), id, note).await?,
    ))
}

/// Who holds each rung of the ticket's escalation ladder; vacant roles are named.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/ladder", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = LadderPeople), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn ladder(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<LadderPeople>, ApiError> {
    authorize(&app, &p, id, TicketAccess::Read).await?;
    Ok(Json(service::ladder(&app, id).await?))
}

macro_rules! action_handler {
    ($name:ident, $path:literal, $doc:literal, $make:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "tickets", request_body(content = Option<ActionBody>), params(("id" = i64, Path)),
            responses((status = 200, body = TicketView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
        async fn $name(State(app): State<App>, p: Principal, IdPath(id): IdPath, JsonBody(body): JsonBody) -> Result<Json<TicketView>, ApiError> {
            action(app, p, id, body, $make).await
        }
    };
}

action_handler!(
    advance,
    "/api/v1/tickets/{id}/advance",
    "Move to the next stage (or `to`, jumping skippable stages only).",
    |b| Action::Advance {
        to: b.to,
        note: b.note
    }
);
action_handler!(
    pause,
    "/api/v1/tickets/{id}/pause",
    "Pause the clock while waiting on the customer (`reason` required).",
    |b| Action::Pause {
        reason: b.reason,
        note: b.note
    }
);
action_handler!(
    resume,
    "/api/v1/tickets/{id}/resume",
    "Resume a paused ticket; the due date moves by the whole paused working days.",
    |b| Action::Resume { note: b.note }
);
action_handler!(
    close,
    "/api/v1/tickets/{id}/close",
    "Close a ticket in its last stage (energised).",
    |b| Action::Close { note: b.note }
);
action_handler!(
    cancel,
    "/api/v1/tickets/{id}/cancel",
    "Cancel an open or paused ticket (`note` required).",
    |b| Action::Cancel { note: b.note }
);
action_handler!(
    reopen,
    "/api/v1/tickets/{id}/reopen",
    "Reopen a closed or cancelled ticket (`note` required).",
    |b| Action::Reopen { note: b.note }
);
