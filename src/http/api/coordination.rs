//! `/api/v1/.../coordination`: filing, answering, withdrawing requests, the
//! meeting's decisions and the customer feedback; lists by ticket and by
//! department.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::app::App;
use crate::auth::Principal;
use crate::auth::permissions::{self, TicketAccess};
use crate::coordination::forms::{
    AnswerBody, DecisionBody, FeedbackBody, FileBody, NewAnswer, NewFeedback,
};
use crate::coordination::meeting::{NewDecision, record_decision, record_feedback};
use crate::coordination::{self as svc, NewRequest, RequestView};
use crate::http::api::tickets::authorize;
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, JsonBody, QueryMap};
use crate::validate::{FieldError, dto};

pub fn router() -> Router<App> {
    Router::new()
        .route("/tickets/{id}/coordination", post(file).get(by_ticket))
        .route("/coordination", get(by_department))
        .route("/coordination/{id}", get(show))
        .route("/coordination/{id}/answer", post(answer))
        .route("/coordination/{id}/withdraw", post(withdraw))
        .route("/coordination/{id}/decision", post(decision))
        .route("/coordination/{id}/feedback", post(feedback))
}

/// A request the caller may read: its ticket is readable, or one of the
/// caller's departments was asked.
async fn readable(app: &App, p: &Principal, id: i64) -> Result<RequestView, ApiError> {
    let r = svc::find(app, id).await?;
    let v = svc::view(app, r).await?;
    let t = crate::tickets::store::find_row(app, v.ticket_id).await?;
    let asked: Vec<i64> = v.targets.iter().map(|t| t.department_id).collect();
    if permissions::reads_request(p, &t, &asked) {
        Ok(v)
    } else {
        Err(ApiError::NotFound(format!(
            "coordination request {id} does not exist"
        )))
    }
}

/// File a coordination request on a ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/coordination", tag = "coordination", request_body = FileBody, params(("id" = i64, Path)),
    responses((status = 201, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn file(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    authorize(&app, &p, id, TicketAccess::Write).await?;
    let n = NewRequest::try_from(dto::<FileBody>(&body)?)?;
    Ok((
        StatusCode::CREATED,
        Json(svc::file(&app, &p.actor(), id, n).await?),
    ))
}

/// A ticket's coordination requests.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/coordination", tag = "coordination", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RequestView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn by_ticket(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    super::tickets::authorize(&app, &p, id, TicketAccess::Read).await?;
    Ok(Json(svc::by_ticket(&app, id).await?))
}

/// Requests addressed to a department (`department` code required;
/// `state=open`, `overdue=true` narrow it). Members of the department, and
/// auditors, deputy heads and heads of its bureau.
#[utoipa::path(get, path = "/api/v1/coordination", tag = "coordination",
    params(("department" = String, Query), ("state" = Option<String>, Query, description = "open, settled or withdrawn"), ("overdue" = Option<bool>, Query)),
    responses((status = 200, body = Vec<RequestView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn by_department(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    let invalid = |field: &str, message: String| {
        ApiError::Invalid(vec![FieldError {
            field: field.into(),
            message,
        }])
    };
    let code =
        q.0.get("department")
            .ok_or_else(|| invalid("department", "is required".into()))?;
    let dept = crate::org::service::unit_by_code(&app.db, code)
        .await?
        .ok_or_else(|| invalid("department", format!("no department `{code}`")))?;
    let state = match q.0.get("state") {
        None => None,
        Some(s) => Some(
            crate::coordination::entity::request::State::parse(s)
                .map_err(|m| invalid("state", m))?,
        ),
    };
    let overdue = match q.0.get("overdue").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(invalid(
                "overdue",
                format!("`{other}` is not true or false"),
            ));
        }
    };
    let bureau = crate::org::service::bureau_of(&dept);
    if !permissions::reads_department(&p, dept.id, bureau) {
        return Err(ApiError::Forbidden(
            "you are not of this department nor overseeing its bureau".into(),
        ));
    }
    Ok(Json(
        svc::by_department(&app, dept.id, state, overdue).await?,
    ))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/coordination/{id}", tag = "coordination", params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn show(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(readable(&app, &p, id).await?))
}

/// Answer for your department (only departments asked may).
#[utoipa::path(post, path = "/api/v1/coordination/{id}/answer", tag = "coordination", request_body = AnswerBody, params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn answer(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<RequestView>, ApiError> {
    readable(&app, &p, id).await?;
    let a = NewAnswer::try_from(dto::<AnswerBody>(&body)?)?;
    Ok(Json(
        svc::answer(
            &app,
            &p.person,
            id,
            a.department.as_deref(),
            a.answer,
            a.text,
        )
        .await?,
    ))
}

/// Withdraw your request.
#[utoipa::path(post, path = "/api/v1/coordination/{id}/withdraw", tag = "coordination", params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<RequestView>, ApiError> {
    readable(&app, &p, id).await?;
    Ok(Json(svc::withdraw(&app, &p.actor(), id).await?))
}

/// Record the weekly meeting's decision (settles the request; it becomes a tracked action).
#[utoipa::path(post, path = "/api/v1/coordination/{id}/decision", tag = "coordination", request_body = DecisionBody, params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decision(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<RequestView>, ApiError> {
    let v = readable(&app, &p, id).await?;
    authorize(&app, &p, v.ticket_id, TicketAccess::Write).await?;
    let n = NewDecision::try_from(dto::<DecisionBody>(&body)?)?;
    Ok(Json(record_decision(&app, &p.actor(), id, n).await?))
}

/// Record the feedback given to the customer.
#[utoipa::path(post, path = "/api/v1/coordination/{id}/feedback", tag = "coordination", request_body = FeedbackBody, params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn feedback(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody,
) -> Result<Json<RequestView>, ApiError> {
    let v = readable(&app, &p, id).await?;
    authorize(&app, &p, v.ticket_id, TicketAccess::Write).await?;
    let n = NewFeedback::try_from(dto::<FeedbackBody>(&body)?)?;
    Ok(Json(
        record_feedback(&app, &p.actor(), id, n.given_on, n.channel, n.text).await?,
    ))
}
