//! The pages: log in and out, my work, a ticket.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::i18n::Tr;
use super::session::{WebUser, safe_next, url_encode};
use crate::app::App;
use crate::auth::{AuthError, Via, sessions};
use crate::http::api::auth::ClientIp;
use crate::http::auth::session_cookie;
use crate::sla::Light;
use crate::tickets::list::{Anchor, ListFilter, Scope};

/// A rendered page, or a plain 500 when a template fails.
pub(super) fn page<T: Template>(status: StatusCode, t: T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
        }
    }
}

/// `/`: my work.
pub async fn home() -> Redirect {
    Redirect::to("/work")
}

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    tr: Tr,
    /// Empty: nobody is logged in (the layout shows no menu).
    csrf: String,
    next: String,
    username: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form (coming back to `next` afterwards).
pub async fn login_form(headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    page(
        StatusCode::OK,
        LoginPage {
            tr: Tr::of_headers(&headers),
            csrf: String::new(),
            next: safe_next(q.next.as_deref()),
            username: String::new(),
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Logs in and goes back to the page asked for; a failure shows the form
/// again with the username kept.
pub async fn login(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let tr = Tr::of_headers(&headers);
    let next = safe_next(f.next.as_deref());
    match sessions::login(&app, f.username.trim(), &f.password, ip.as_deref()).await {
        Ok((token, _)) => {
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&session_cookie(&app, &headers, &token)) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            let (status, key) = match e {
                AuthError::Locked(_) => (StatusCode::TOO_MANY_REQUESTS, "login_locked"),
                AuthError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "login_failed"),
                other => {
                    tracing::error!(error = %other, "login failed");
                    (StatusCode::SERVICE_UNAVAILABLE, "login_failed")
                }
            };
            page(
                status,
                LoginPage {
                    tr,
                    csrf: String::new(),
                    next,
                    username: f.username,
                    error: Some(key),
                },
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// Logs out (the form carries the session's CSRF token).
pub async fn logout(
    State(app): State<App>,
    u: WebUser,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    if let Via::Session { id, .. } = u.p.via
        && let Err(e) = sessions::revoke(&app, u.p.person.id, id).await
    {
        tracing::error!(error = %e, "logout failed");
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&app, &headers, "")) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// A row of my work.
struct WorkRow {
    id: i64,
    ticket_no: String,
    customer: String,
    stage: String,
    days_in_stage: i64,
    light: &'static str,
    light_key: &'static str,
    due_date: String,
    left: i64,
    overdue: i64,
    next_escalation: String,
    /// Who the next escalation hands the ticket to (a role's name).
    next_to: &'static str,
}

#[derive(Template)]
#[template(path = "web/work.html")]
struct WorkPage {
    tr: Tr,
    csrf: String,
    name: String,
    rows: Vec<WorkRow>,
    next: Option<String>,
    /// The filters as chosen (kept in the form), and as a query for the
    /// next page's link.
    light: String,
    search: String,
    filters: String,
}

#[derive(Deserialize)]
pub struct WorkQuery {
    cursor: Option<String>,
    /// green, yellow, red or overdue.
    light: Option<String>,
    /// A ticket number (exact) or part of a customer's name.
    q: Option<String>,
}

pub(super) fn light_of(l: Option<Light>) -> (&'static str, &'static str) {
    match l {
        Some(Light::Overdue) => ("overdue", "light_overdue"),
        Some(Light::Red) => ("red", "light_red"),
        Some(Light::Yellow) => ("yellow", "light_yellow"),
        _ => ("green", "light_green"),
    }
}

/// My work: the open tickets I manage or own, soonest deadline first.
pub async fn work(State(app): State<App>, u: WebUser, Query(q): Query<WorkQuery>) -> Response {
    let me = u.p.person.id;
    let mut params = std::collections::HashMap::new();
    params.insert("status".to_string(), "open".to_string());
    params.insert("limit".to_string(), "50".to_string());
    if let Some(c) = q.cursor {
        params.insert("cursor".to_string(), c);
    }
    // The filters the page offers (anything else is not a choice).
    let light = q
        .light
        .filter(|l| crate::sla::Light::parse(l).is_ok())
        .unwrap_or_default();
    let search: String =
        q.q.map(|n| n.trim().chars().take(100).collect())
            .unwrap_or_default();
    if !light.is_empty() {
        params.insert("light".to_string(), light.clone());
    }
    if !search.is_empty() {
        params.insert("q".to_string(), search.clone());
    }
    // A cursor that does not read starts from the first page.
    let mut filter = match ListFilter::parse(&params, &app) {
        Ok(f) => f,
        Err(_) => {
            params.remove("cursor");
            ListFilter::parse(&params, &app).unwrap_or_default()
        }
    };
    filter.scope = Scope::Anchors(vec![Anchor::Manager(me), Anchor::Owner(me)]);
    let listed = match crate::tickets::list::list(&app, &filter).await {
        Ok(p) => p,
        Err(e) => return crate::http::error::ApiError::from(e).into_response(),
    };
    let zone = app.zone();
    let sla = app.sla();
    let today = sla.local_date(app.now());
    let rows = listed
        .items
        .into_iter()
        .map(|t| {
            let (light, light_key) = light_of(t.light);
            let standing = t.standing.clone().unwrap_or(crate::sla::Standing {
                overdue: false,
                remaining_working_days: 0,
                overdue_working_days: 0,
            });
            let (days_in_stage, _) = sla
                .calendar
                .between_provisional(sla.local_date(t.stage_entered_at), today);
            WorkRow {
                id: t.id,
                ticket_no: t.ticket_no,
                customer: t.customer_name,
                stage: stage_name(&app, &t.stage, u.tr),
                days_in_stage: days_in_stage.max(0),
                light,
                light_key,
                due_date: t.due_date.to_string(),
                left: standing.remaining_working_days,
                overdue: standing.overdue_working_days,
                next_to: app
                    .ladder
                    .for_category(&t.category)
                    .level(t.escalation_level.max(0) as u32 + 1)
                    .map_or("", |l| u.tr.t(role_key(l.role))),
                next_escalation: t
                    .next_escalation_at
                    .map(|at| at.with_timezone(&zone).format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    page(
        StatusCode::OK,
        WorkPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            name: u.p.person.name.clone(),
            rows,
            next: listed.next_cursor.map(|c| url_encode(&c)),
            filters: format!("&light={}&q={}", url_encode(&light), url_encode(&search)),
            light,
            search,
        },
    )
}

/// The catalog key of a role's name.
pub(super) fn role_key(r: crate::org::Role) -> &'static str {
    match r {
        crate::org::Role::Manager => "role_manager",
        crate::org::Role::CenterDirector => "role_center_director",
        crate::org::Role::DeputyHead => "role_deputy_head",
        crate::org::Role::Head => "role_head",
        crate::org::Role::Department => "role_department",
        crate::org::Role::Auditor => "role_auditor",
        crate::org::Role::Admin => "role_admin",
    }
}

/// A stage's name in the reader's language.
pub(super) fn stage_name(app: &App, key: &str, tr: Tr) -> String {
    app.policy
        .stage(key)
        .map_or(key.to_string(), |s| match tr.lang {
            crate::mail::Lang::ZhCn => s.name_zh.clone(),
            crate::mail::Lang::En => s.name_en.clone(),
        })
}

#[derive(Template)]
#[template(path = "web/not_found.html")]
pub(super) struct NotFoundPage {
    pub(super) tr: Tr,
    pub(super) csrf: String,
}

/// The page of what does not exist, or is not the reader's to see (404,
/// as the API).
pub(super) fn not_found(u: &WebUser) -> Response {
    page(
        StatusCode::NOT_FOUND,
        NotFoundPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
        },
    )
}

/// The ticket `id` if the reader has `need` on it; otherwise the page to
/// answer: not found (out of scope, as the API), or forbidden (readable,
/// not theirs to change).
pub(super) async fn ticket_for(
    app: &App,
    u: &WebUser,
    id: i64,
    need: crate::auth::permissions::TicketAccess,
) -> Result<crate::tickets::entity::ticket::Model, Response> {
    let Ok(t) = crate::tickets::store::find_row(app, id).await else {
        return Err(not_found(u));
    };
    match crate::auth::permissions::check_ticket(app, &u.p, &t, need).await {
        Ok(()) => Ok(t),
        Err(crate::error::ServiceError::Forbidden(m)) => {
            Err((StatusCode::FORBIDDEN, m).into_response())
        }
        Err(_) => Err(not_found(u)),
    }
}

/// A form page's status: 200, or 422 when it is shown again with errors.
pub(super) fn form_status(errors: &std::collections::HashMap<String, String>) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// An instant as local time, to the minute.
pub(super) fn local(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// The status a page answers a refused service call with (as the API).
pub(super) fn status_of(e: &crate::error::ServiceError) -> StatusCode {
    use crate::error::ServiceError as E;
    match e {
        E::NotFound(_) => StatusCode::NOT_FOUND,
        E::Conflict(_) => StatusCode::CONFLICT,
        E::Forbidden(_) => StatusCode::FORBIDDEN,
        E::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        E::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
