//! `/api/v1/.../coordination`: filing, answering, withdrawing requests, the
//! meeting's decisions and the customer feedback; lists by ticket and by
//! department.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::auth::Principal;
use crate::auth::permissions::{self, TicketAccess};
use crate::coordination::meeting::{NewDecision, record_decision, record_feedback};
use crate::coordination::{self as svc, Answer, Attachment, NewRequest, RequestView};
use crate::http::api::tickets::authorize;
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, JsonBody, QueryMap};
use crate::validate::{FieldError, Fields};

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
    let t = crate::tickets::service::find_row(app, v.ticket_id).await?;
    let asked: Vec<i64> = v.targets.iter().map(|t| t.department_id).collect();
    if permissions::reads_request(p, &t, &asked) {
        Ok(v)
    } else {
        Err(ApiError::NotFound(format!(
            "coordination request {id} does not exist"
        )))
    }
}

/// Body of `POST /api/v1/tickets/{id}/coordination`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct FileBody {
    subject: String,
    question: String,
    /// A configured category (high_reliability_fee, holiday_outage, …).
    category: String,
    /// Department codes asked.
    departments: Vec<String>,
    attachments: Option<Vec<Attachment>>,
    /// By default the same working day, or the next one after the cut-off.
    answer_by: Option<NaiveDate>,
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
    let mut f = Fields::new(&body);
    let subject = f.text("subject", 200);
    let question = f.text("question", 5000);
    let category = f.text("category", 64);
    let departments: Option<Vec<String>> = f.req("departments", "a list of department codes");
    let attachments: Vec<Attachment> = f
        .opt("attachments", "a list of {name, link}")
        .unwrap_or_default();
    if let Err(m) = svc::check_attachments(&attachments) {
        f.error("attachments", m);
    }
    let answer_by = f.date("answer_by", false);
    f.reject_unknown(&[
        "subject",
        "question",
        "category",
        "departments",
        "attachments",
        "answer_by",
    ]);
    let n = f
        .finish(|| {
            Some(NewRequest {
                subject: subject?,
                question: question?,
                category: category?,
                departments: departments?,
                attachments,
                answer_by,
            })
        })
        .map_err(ApiError::Invalid)?;
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

/// Body of `POST /api/v1/coordination/{id}/answer`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct AnswerBody {
    /// agree, disagree or need_info.
    answer: String,
    text: Option<String>,
    /// Which of your departments answers (when you are in several asked).
    department: Option<String>,
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
    let mut f = Fields::new(&body);
    let raw = f.text("answer", 16);
    let a = f.parse_with("answer", raw, Answer::parse);
    let text = f.opt_text("text", 5000);
    let department = f.opt_text("department", 32);
    f.reject_unknown(&["answer", "text", "department"]);
    let a = f.finish(|| a).map_err(ApiError::Invalid)?;
    Ok(Json(
        svc::answer(&app, &p.person, id, department.as_deref(), a, text).await?,
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

/// Body of `POST /api/v1/coordination/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct DecisionBody {
    meeting_date: NaiveDate,
    decision: String,
    /// Department code responsible for carrying it out.
    responsible_department: String,
    due_date: NaiveDate,
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
    let mut f = Fields::new(&body);
    let meeting_date = f.date("meeting_date", true);
    let text = f.text("decision", 5000);
    let responsible = f.text("responsible_department", 32);
    let due_date = f.date("due_date", true);
    f.reject_unknown(&[
        "meeting_date",
        "decision",
        "responsible_department",
        "due_date",
    ]);
    let n = f
        .finish(|| {
            Some(NewDecision {
                meeting_date: meeting_date?,
                decision: text?,
                responsible: responsible?,
                due_date: due_date?,
            })
        })
        .map_err(ApiError::Invalid)?;
    Ok(Json(record_decision(&app, &p.actor(), id, n).await?))
}

/// Body of `POST /api/v1/coordination/{id}/feedback`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct FeedbackBody {
    given_on: NaiveDate,
    /// phone, visit, mail, wechat …
    channel: String,
    text: String,
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
    let mut f = Fields::new(&body);
    let given_on = f.date("given_on", true);
    let channel = f.text("channel", 32);
    let text = f.text("text", 5000);
    f.reject_unknown(&["given_on", "channel", "text"]);
    let (g, c, t) = f
        .finish(|| Some((given_on?, channel?, text?)))
        .map_err(ApiError::Invalid)?;
    Ok(Json(record_feedback(&app, &p.actor(), id, g, c, t).await?))
}
