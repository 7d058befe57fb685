//! Coordination in the browser: a department's inbox (what waits on its
//! answer, oldest first, answered right there; the morning digest links
//! here) and one request (the links of the digest and the agenda).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::Tr;
use super::meeting::{DecisionForm, FeedbackForm};
use super::pages::{local, page};
use super::session::{WebUser, safe_next};
use crate::app::App;
use crate::auth::permissions;
use crate::coordination::forms::{AnswerBody, NewAnswer};
use crate::coordination::views::{self as svc, RequestView};
use crate::org::Role;

/// A request as a page shows it.
#[derive(Clone)]
pub struct RequestRow {
    pub v: RequestView,
    pub filed: String,
    pub ticket_no: String,
    pub customer: String,
    /// Whether the reader's department may still answer it.
    pub mine_to_answer: bool,
    /// Whether the reader may record the meeting's decision and the
    /// feedback to the customer (they may act on the ticket).
    pub minutes: bool,
}

pub(super) async fn rows(app: &App, u: &WebUser, views: Vec<RequestView>) -> Vec<RequestRow> {
    let mine = u.p.units_with(Role::Department);
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        let t = crate::tickets::store::find_row(app, v.ticket_id).await.ok();
        let minutes = t.as_ref().is_some_and(|t| {
            permissions::ticket_access(&u.p, t) == permissions::TicketAccess::Write
        });
        let (ticket_no, customer) = t
            .map(|t| (t.ticket_no, t.customer_name))
            .unwrap_or_default();
        let mine_to_answer = v.state.as_str() == "open"
            && v.targets
                .iter()
                .any(|t| mine.contains(&t.department_id) && t.answer.is_none());
        out.push(RequestRow {
            filed: local(v.filed_at, app.zone()),
            ticket_no,
            customer,
            mine_to_answer,
            minutes,
            v,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "web/inbox.html")]
struct InboxPage {
    tr: Tr,
    csrf: String,
    department: String,
    requests: Vec<RequestRow>,
    back: String,
    /// Only for the one card htmx swaps in (see [`CardFragment`]).
    flash: Option<(bool, String)>,
}

/// One request's card, as htmx swaps it in after an answer: with what
/// happened (answered, or why not).
#[derive(Template)]
#[template(path = "web/request_card.html")]
struct CardFragment {
    tr: Tr,
    csrf: String,
    r: RequestRow,
    back: String,
    flash: Option<(bool, String)>,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    department: Option<String>,
}

/// What waits on a department's answer (the reader's own department by
/// default), oldest first.
pub async fn inbox(State(app): State<App>, u: WebUser, Query(q): Query<InboxQuery>) -> Response {
    let unit = match &q.department {
        Some(code) => crate::org::service::unit_by_code(&app.db, code)
            .await
            .ok()
            .flatten(),
        None => match u.p.units_with(Role::Department).first() {
            Some(id) => crate::org::service::unit_by_id(&app.db, *id).await.ok(),
            None => None,
        },
    };
    if q.department.is_none() && unit.is_none() {
        // Not a department's member: nothing waits on them.
        return page(
            StatusCode::OK,
            InboxPage {
                tr: u.tr,
                csrf: u.csrf().to_string(),
                department: String::new(),
                requests: Vec::new(),
                back: String::new(),
                flash: None,
            },
        );
    }
    let Some(dept) = unit
        .filter(|d| permissions::reads_department(&u.p, d.id, crate::org::service::bureau_of(d)))
    else {
        return super::pages::not_found(&u);
    };
    let mut open = match svc::open_for_department(&app, dept.id).await {
        Ok(v) => v,
        Err(e) => return crate::http::error::ApiError::from(e).into_response(),
    };
    open.sort_by_key(|v| (v.filed_at, v.id));
    let back = format!("/coordination?department={}", dept.code);
    page(
        StatusCode::OK,
        InboxPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            department: dept.name,
            requests: rows(&app, &u, open).await,
            back,
            flash: None,
        },
    )
}

#[derive(Template)]
#[template(path = "web/request.html")]
struct RequestPage {
    tr: Tr,
    csrf: String,
    r: RequestRow,
    back: String,
    error: Option<String>,
    /// The minutes' forms as typed, and each field's error.
    d: DecisionForm,
    fb: FeedbackForm,
    errors: std::collections::HashMap<String, String>,
    /// Departments of the ticket's bureau (code, name), for the decision.
    departments: Vec<(String, String)>,
    today: String,
}

/// What a request page shows besides the request: a refusal, or the
/// minutes' forms as typed with their errors.
#[derive(Default)]
pub(super) struct Shown {
    pub(super) error: Option<(StatusCode, String)>,
    pub(super) d: DecisionForm,
    pub(super) fb: FeedbackForm,
    pub(super) errors: std::collections::HashMap<String, String>,
}

/// One request: its ticket, question, the departments asked and their
/// answers; the answer form for a department still to answer.
pub async fn request(State(app): State<App>, u: WebUser, Path(id): Path<i64>) -> Response {
    show(&app, &u, id, Shown::default()).await
}

/// The request page after a refused answer.
async fn refused(app: &App, u: &WebUser, id: i64, status: StatusCode, m: String) -> Response {
    let x = Shown {
        error: Some((status, m)),
        ..Shown::default()
    };
    show(app, u, id, x).await
}

pub(super) async fn show(app: &App, u: &WebUser, id: i64, x: Shown) -> Response {
    let not_found = || super::pages::not_found(u);
    let Ok(r) = svc::find(app, id).await else {
        return not_found();
    };
    let Ok(v) = svc::view(app, r).await else {
        return not_found();
    };
    let Ok(t) = crate::tickets::store::find_row(app, v.ticket_id).await else {
        return not_found();
    };
    let asked: Vec<i64> = v.targets.iter().map(|t| t.department_id).collect();
    if !permissions::reads_request(&u.p, &t, &asked) {
        return not_found();
    }
    let r = rows(app, u, vec![v]).await.remove(0);
    let departments = if r.minutes {
        departments_of(app, t.bureau_id).await
    } else {
        Vec::new()
    };
    let status = match &x.error {
        Some(e) => e.0,
        None if !x.errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    page(
        status,
        RequestPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            back: format!("/coordination/{id}"),
            r,
            error: x.error.map(|e| e.1),
            d: x.d,
            fb: x.fb,
            errors: x.errors,
            departments,
            today: app.sla().local_date(app.now()).to_string(),
        },
    )
}

/// The departments of a bureau (code, name).
async fn departments_of(app: &App, bureau_id: i64) -> Vec<(String, String)> {
    crate::org::service::all_units(&app.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|x| {
            x.kind == crate::org::UnitKind::Department.as_str() && x.parent_id == Some(bureau_id)
        })
        .map(|x| (x.code, x.name))
        .collect()
}

#[derive(Deserialize)]
pub struct AnswerForm {
    csrf: String,
    answer: String,
    text: Option<String>,
    back: Option<String>,
}

/// Answers for the reader's department; back to where the form was.
pub async fn answer(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<AnswerForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    if headers.contains_key("hx-request") {
        return answer_in_place(&app, &u, id, f).await;
    }
    let body = AnswerBody {
        answer: f.answer,
        text: f.text.filter(|t| !t.trim().is_empty()),
        department: None,
    };
    let a = match NewAnswer::try_from(body) {
        Ok(a) => a,
        Err(errors) => {
            let m = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            return refused(&app, &u, id, StatusCode::UNPROCESSABLE_ENTITY, m).await;
        }
    };
    match crate::coordination::commands::answer(&app, &u.p.person, id, None, a.answer, a.text).await
    {
        Ok(_) => Redirect::to(&safe_next(f.back.as_deref())).into_response(),
        Err(e) => refused(&app, &u, id, super::pages::status_of(&e), e.to_string()).await,
    }
}

/// The answer sent by htmx from a card: the card again, saying what
/// happened (htmx swaps only 2xx answers in, so a refusal is a 200 here
/// with the reason on the card).
async fn answer_in_place(app: &App, u: &WebUser, id: i64, f: AnswerForm) -> Response {
    let body = AnswerBody {
        answer: f.answer,
        text: f.text.filter(|t| !t.trim().is_empty()),
        department: None,
    };
    let flash = match NewAnswer::try_from(body) {
        Err(errors) => (
            false,
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Ok(a) => match crate::coordination::commands::answer(
            app,
            &u.p.person,
            id,
            None,
            a.answer,
            a.text,
        )
        .await
        {
            Ok(_) => (true, u.tr.t("answered").to_string()),
            Err(e) => (false, e.to_string()),
        },
    };
    let Ok(v) = svc::find(app, id).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(v) = svc::view(app, v).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let r = rows(app, u, vec![v]).await.remove(0);
    let mut res = page(
        StatusCode::OK,
        CardFragment {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            r,
            back: safe_next(f.back.as_deref()),
            flash: Some(flash),
        },
    );
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    res
}
