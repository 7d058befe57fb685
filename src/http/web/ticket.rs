//! A ticket's page and the actions taken from it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::Tr;
use super::pages::{light_of, local, page, stage_name, status_of};
use super::session::WebUser;
use crate::app::App;
use crate::auth::permissions::{self, TicketAccess};
use crate::tickets::view::{EventView, TicketView};

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
    /// The ladder, and who the ticket may go to.
    people: super::ticket_more::People,
    /// The reader may act on the ticket (edit, reassign, coordinate).
    writes: bool,
    live: bool,
    /// The reader records the bureau's accountability (an auditor).
    audits: bool,
}

/// A ticket: header, deadline and why, stages, history with its check,
/// and the actions the reader may take.
pub async fn ticket(State(app): State<App>, u: WebUser, Path(id): Path<i64>) -> Response {
    render_ticket(&app, &u, id, None).await
}

/// The ticket page, with a refused action's message and typed note.
pub(super) async fn render_ticket(
    app: &App,
    u: &WebUser,
    id: i64,
    refused: Option<(StatusCode, String, String)>,
) -> Response {
    let app = app.clone();
    let not_found = || super::pages::not_found(u);
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
    let people = super::ticket_more::people(&app, u, &t, writes).await;
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
            people,
            writes,
            live: matches!(t.status.as_str(), "open" | "paused"),
            audits: permissions::records_accountability(&u.p, t.bureau_id),
            t,
        },
    )
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
        return super::session::bad_csrf();
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
