//! The pages: log in and out, my work, a ticket.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::i18n::Tr;
use super::session::{WebUser, safe_next, url_encode};
use crate::app::App;
use crate::auth::permissions::{self, TicketAccess};
use crate::auth::{AuthError, Via, sessions};
use crate::http::api::auth::ClientIp;
use crate::http::auth::session_cookie;
use crate::sla::Light;
use crate::tickets::list::{Anchor, ListFilter, Scope};
use crate::tickets::view::{EventView, TicketView};

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
        return (StatusCode::FORBIDDEN, "missing or wrong form token").into_response();
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
    no: String,
    filters: String,
}

#[derive(Deserialize)]
pub struct WorkQuery {
    cursor: Option<String>,
    /// green, yellow, red or overdue.
    light: Option<String>,
    /// A ticket number (exact).
    no: Option<String>,
}

fn light_of(l: Option<Light>) -> (&'static str, &'static str) {
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
    let no = q.no.map(|n| n.trim().to_string()).unwrap_or_default();
    if !light.is_empty() {
        params.insert("light".to_string(), light.clone());
    }
    if !no.is_empty() {
        params.insert("ticket_no".to_string(), no.clone());
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
            filters: format!("&light={}&no={}", url_encode(&light), url_encode(&no)),
            light,
            no,
        },
    )
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

struct StageRow {
    name: String,
    entered: String,
    left: String,
    limit: String,
    state: String,
    state_label: String,
}

struct EventRow {
    at: String,
    actor: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "web/ticket.html")]
struct TicketPage {
    tr: Tr,
    csrf: String,
    t: TicketView,
    light: &'static str,
    light_key: &'static str,
    status_key: &'static str,
    stage: String,
    category: String,
    accepted_on: String,
    rest_days: Vec<String>,
    makeup_days: Vec<String>,
    paused_days: u32,
    calendar_version: String,
    stages: Vec<StageRow>,
    events: Vec<EventRow>,
    chain_ok: bool,
    /// What the reader may do now (action names), and the pause reasons.
    actions: Vec<&'static str>,
    reasons: Vec<(String, String)>,
    /// A refused action: its message, and the note typed (kept).
    error: Option<String>,
    note: String,
    requests: Vec<crate::coordination::views::RequestView>,
    entries: Vec<crate::reports::accountability::EntryView>,
}

#[derive(Template)]
#[template(path = "web/not_found.html")]
pub(super) struct NotFoundPage {
    pub(super) tr: Tr,
    pub(super) csrf: String,
}

fn local(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// A ticket: header, deadline and why, stages, history with its check,
/// and the actions the reader may take.
pub async fn ticket(State(app): State<App>, u: WebUser, Path(id): Path<i64>) -> Response {
    render_ticket(&app, &u, id, None).await
}

/// The ticket page, with a refused action's message and typed note.
async fn render_ticket(
    app: &App,
    u: &WebUser,
    id: i64,
    refused: Option<(StatusCode, String, String)>,
) -> Response {
    let app = app.clone();
    let not_found = || {
        page(
            StatusCode::NOT_FOUND,
            NotFoundPage {
                tr: u.tr,
                csrf: u.csrf().to_string(),
            },
        )
    };
    let Ok(loaded) = crate::tickets::service::load(&app, id).await else {
        return not_found();
    };
    if permissions::check_ticket(&app, &u.p, &loaded.0.ticket, TicketAccess::Read)
        .await
        .is_err()
    {
        return not_found();
    }
    let writes = permissions::check_ticket(&app, &u.p, &loaded.0.ticket, TicketAccess::Write)
        .await
        .is_ok();
    let t = crate::tickets::service::show(&app, loaded, None);
    let (explain, events, chain, requests, mut entries) = match tokio::try_join!(
        crate::tickets::service::explain(&app, id, None),
        crate::tickets::service::events(&app, id),
        crate::tickets::service::verify_events(&app, id),
        crate::coordination::views::by_ticket(&app, id),
        crate::reports::accountability::of_ticket(&app, id),
    ) {
        Ok(x) => x,
        Err(e) => return crate::http::error::ApiError::from(e).into_response(),
    };
    // The register's entries the reader may read (as the API filters them).
    entries.retain(|e| {
        permissions::reads_accountability(&u.p, t.bureau_id, t.service_center_id, &e.person_ids())
    });
    let zone = app.zone();
    let (light, light_key) = light_of(t.light);
    let status_key = match t.status.as_str() {
        "paused" => "status_paused",
        "closed" => "status_closed",
        "cancelled" => "status_cancelled",
        _ => "status_open",
    };
    let stages = t
        .stages
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|s| StageRow {
            name: stage_name(&app, &s.stage, u.tr),
            entered: local(s.entered_at, zone),
            left: s.left_at.map(|l| local(l, zone)).unwrap_or_default(),
            limit: s
                .limit_working_days
                .map(|n| format!("{n} {}", u.tr.t("working_days")))
                .unwrap_or_default(),
            state_label: String::new(),
            state: serde_json::to_value(s.state)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
        })
        .map(|mut r| {
            r.state_label =
                u.tr.t_or(&format!("stage_{}", r.state), &r.state)
                    .to_string();
            r
        })
        .collect();
    let events = events
        .into_iter()
        .rev()
        .map(|e: EventView| EventRow {
            at: local(e.at, zone),
            actor: e.actor,
            kind: u.tr.t_or(&format!("event_{}", e.kind), &e.kind).to_string(),
        })
        .collect();
    page(
        refused.as_ref().map_or(StatusCode::OK, |r| r.0),
        TicketPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            light,
            light_key,
            status_key,
            stage: stage_name(&app, &t.stage, u.tr),
            category: app
                .policy
                .category(&t.category)
                .map_or(t.category.clone(), |c| match u.tr.lang {
                    crate::mail::Lang::ZhCn => c.name_zh.clone(),
                    crate::mail::Lang::En => c.name_en.clone(),
                }),
            accepted_on: explain.accepted_on.to_string(),
            rest_days: explain
                .calendar
                .rest_days_crossed
                .iter()
                .map(|d| d.to_string())
                .collect(),
            makeup_days: explain
                .calendar
                .makeup_workdays_crossed
                .iter()
                .map(|d| d.to_string())
                .collect(),
            paused_days: explain.paused_working_days,
            calendar_version: explain.calendar.calendar_version.clone(),
            stages,
            events,
            chain_ok: chain.ok,
            actions: if writes {
                actions_for(&app, &t)
            } else {
                Vec::new()
            },
            reasons: app
                .policy
                .pause_reasons
                .iter()
                .map(|r| {
                    let name = match u.tr.lang {
                        crate::mail::Lang::ZhCn => r.name_zh.clone(),
                        crate::mail::Lang::En => r.name_en.clone(),
                    };
                    (r.key.clone(), name)
                })
                .collect(),
            error: refused.as_ref().map(|(_, m, _)| m.clone()),
            note: refused.map(|(_, _, n)| n).unwrap_or_default(),
            requests,
            entries,
            t,
        },
    )
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

/// The actions a writer may take on `t` in its state.
fn actions_for(app: &App, t: &TicketView) -> Vec<&'static str> {
    let last = t.stage == app.policy.last_stage().key.as_str();
    match t.status.as_str() {
        "open" if last => vec!["close", "pause", "cancel"],
        "open" => vec!["advance", "pause", "cancel"],
        "paused" => vec!["resume", "cancel"],
        _ => vec!["reopen"],
    }
}

#[derive(Deserialize)]
pub struct ActForm {
    csrf: String,
    action: String,
    reason: Option<String>,
    note: Option<String>,
}

/// An action on a ticket, from its page: the same parsing and service as
/// the API; back to the page, or the page again with why not (the note
/// typed kept).
pub async fn act(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Response {
    use crate::tickets::actions::Action;
    use crate::tickets::input::ActionBody;
    if !u.csrf_ok(&f.csrf) {
        return (StatusCode::FORBIDDEN, "missing or wrong form token").into_response();
    }
    let note = f.note.clone().unwrap_or_default();
    let refuse = |status: StatusCode, m: String| (status, m, note.clone());
    let Ok(t) = crate::tickets::store::find_row(&app, id).await else {
        return render_ticket(&app, &u, id, None).await;
    };
    if let Err(e) = permissions::check_ticket(&app, &u.p, &t, TicketAccess::Write).await {
        return render_ticket(
            &app,
            &u,
            id,
            Some(refuse(StatusCode::FORBIDDEN, e.to_string())),
        )
        .await;
    }
    let filled = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let body = serde_json::json!({"reason": filled(f.reason), "note": filled(f.note)});
    let b = match ActionBody::parse(&body) {
        Ok(b) => b,
        Err(errors) => {
            let m = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            return render_ticket(
                &app,
                &u,
                id,
                Some(refuse(StatusCode::UNPROCESSABLE_ENTITY, m)),
            )
            .await;
        }
    };
    let action = match f.action.as_str() {
        "advance" => Action::Advance {
            to: None,
            note: b.note,
        },
        "pause" => Action::Pause {
            reason: b.reason,
            note: b.note,
        },
        "resume" => Action::Resume { note: b.note },
        "close" => Action::Close { note: b.note },
        "cancel" => Action::Cancel { note: b.note },
        "reopen" => Action::Reopen { note: b.note },
        other => {
            return render_ticket(
                &app,
                &u,
                id,
                Some(refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("unknown action `{other}`"),
                )),
            )
            .await;
        }
    };
    match crate::tickets::service::act(&app, &u.p.actor(), id, action).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => {
            let status = status_of(&e);
            render_ticket(&app, &u, id, Some(refuse(status, e.to_string()))).await
        }
    }
}
