//! The accountability register: `/api/v1/tickets/{id}/accountability`
//! (record, list a ticket's) and `/api/v1/accountability` (the register,
//! one entry, its completion). Who may do what: `auth::permissions`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::app::App;
use crate::auth::Principal;
use crate::auth::permissions::{self, TicketAccess};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, JsonBody, QueryMap};
use crate::reports::accountability::forms::{CompleteBody, NewEntry, RecordBody};
use crate::reports::accountability::{self as register, AccountabilityReport, EntryView, commands};
use crate::validate::dto;

pub fn router() -> Router<App> {
    Router::new()
        .route("/tickets/{id}/accountability", post(record).get(of_ticket))
        .route("/accountability", get(list))
        .route("/accountability/{id}", get(show))
        .route("/accountability/{id}/completion", post(complete))
}

fn readable(p: &Principal, v: &EntryView, bureau_id: i64, center_id: i64) -> bool {
    permissions::reads_accountability(p, bureau_id, center_id, &v.person_ids())
}

/// Record an action (问责 accountability, 约谈 interview, 通报 circular) on
/// a ticket: auditors of its bureau. The persons default to the owners at
/// the breach.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/accountability", tag = "accountability", request_body = RecordBody, params(("id" = i64, Path)),
    responses((status = 201, body = EntryView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    let t = crate::tickets::store::find_row(&app, id).await?;
    super::tickets::authorize_row(&app, &p, &t, TicketAccess::Read).await?;
    if !permissions::records_accountability(&p, t.bureau_id) {
        return Err(ApiError::Forbidden(
            "only the bureau's auditors record accountability".into(),
        ));
    }
    let n = NewEntry::try_from(dto::<RecordBody>(&body)?)?;
    Ok((
        StatusCode::CREATED,
        Json(commands::record(&app, &p.actor(), id, n).await?),
    ))
}

/// A ticket's accountability entries that you may read, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/accountability", tag = "accountability", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EntryView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn of_ticket(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    let t = crate::tickets::store::find_row(&app, id).await?;
    super::tickets::authorize_row(&app, &p, &t, TicketAccess::Read).await?;
    let mut entries = register::of_ticket(&app, id).await?;
    entries.retain(|v| readable(&p, v, t.bureau_id, t.service_center_id));
    Ok(Json(entries))
}

/// The register over your scope (`unit`, `from`, `to` on the action date,
/// `state=open|completed`); a customer manager sees the entries naming
/// them.
#[utoipa::path(get, path = "/api/v1/accountability", tag = "accountability",
    params(
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("from" = Option<String>, Query, description = "first action date (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "last action date, inclusive"),
        ("state" = Option<String>, Query, description = "open or completed"),
    ),
    responses((status = 200, body = AccountabilityReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Json<AccountabilityReport>, ApiError> {
    let (scope, filter) = super::reports::register_params(&app, &p, &q, &[]).await?;
    Ok(Json(register::report(&app, scope, filter).await?))
}

/// One entry of the register.
#[utoipa::path(get, path = "/api/v1/accountability/{id}", tag = "accountability", params(("id" = i64, Path)),
    responses((status = 200, body = EntryView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn show(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<EntryView>, ApiError> {
    Ok(Json(readable_entry(&app, &p, id).await?.0))
}

/// The entry `id` if `p` may read it (else: not found), with its row.
async fn readable_entry(
    app: &App,
    p: &Principal,
    id: i64,
) -> Result<(EntryView, register::entity::Model), ApiError> {
    let row = commands::find(app, id).await?;
    let v = commands::show(app, id).await?;
    if readable(p, &v, row.bureau_id, row.service_center_id) {
        Ok((v, row))
    } else {
        Err(ApiError::NotFound(format!(
            "accountability entry {id} does not exist"
        )))
    }
}

/// Record that an entry was carried out (auditors of its bureau; once).
#[utoipa::path(post, path = "/api/v1/accountability/{id}/completion", tag = "accountability", request_body = CompleteBody, params(("id" = i64, Path)),
    responses((status = 200, body = EntryView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn complete(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<EntryView>, ApiError> {
    let (_, row) = readable_entry(&app, &p, id).await?;
    if !permissions::records_accountability(&p, row.bureau_id) {
        return Err(ApiError::Forbidden(
            "only the bureau's auditors record completion".into(),
        ));
    }
    let note = String::try_from(dto::<CompleteBody>(&body)?)?;
    Ok(Json(commands::complete(&app, &p.actor(), id, note).await?))
}
