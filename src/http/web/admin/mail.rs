//! The mail outbox for installation-wide admins: the failed mails first
//! (what waits for an operator), each with its last error and a retry
//! button; the other states a click away.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::i18n::Tr;
use super::super::pages::{local, page};
use super::super::session::{WebUser, bad_csrf};
use super::admins_only;
use crate::app::App;
use crate::auth::permissions;
use crate::mail::{self, OutboxState};

struct MailRow {
    id: i64,
    subject: String,
    to: String,
    template: String,
    ticket_id: Option<i64>,
    attempts: i32,
    created: String,
    /// Sent at, or next attempt at.
    when: String,
    last_error: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "web/admin_mail.html")]
struct MailPage {
    tr: Tr,
    csrf: String,
    /// (state, its label's key).
    states: Vec<(&'static str, &'static str)>,
    state: &'static str,
    rows: Vec<MailRow>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct MailQuery {
    state: Option<String>,
}

const SHOWN: u64 = 200;

async fn render(
    app: &App,
    u: &WebUser,
    state: OutboxState,
    error: Option<(StatusCode, String)>,
) -> Response {
    let rows = match mail::list(app, Some(state), SHOWN).await {
        Ok(v) => v,
        Err(_) => return super::db_down(),
    };
    let zone = app.zone();
    let rows = rows
        .into_iter()
        .map(|m| MailRow {
            failed: m.state == OutboxState::Failed,
            when: local(m.sent_at.unwrap_or(m.next_attempt_at), zone),
            created: local(m.created_at, zone),
            id: m.id,
            subject: m.subject,
            to: m.to,
            template: m.template,
            ticket_id: m.ticket_id,
            attempts: m.attempts,
            last_error: m.last_error.unwrap_or_default(),
        })
        .collect();
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.0);
    let error = error.map(|e| e.1);
    page(
        status,
        MailPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            states: OutboxState::ALL
                .iter()
                .map(|s| {
                    let key = match s {
                        OutboxState::Pending => "mail_pending",
                        OutboxState::Sending => "mail_sending",
                        OutboxState::Sent => "mail_sent",
                        OutboxState::Failed => "mail_failed",
                    };
                    (s.as_str(), key)
                })
                .collect(),
            state: state.as_str(),
            rows,
            error,
        },
    )
}

/// The outbox in one state (failed unless asked otherwise).
pub async fn list(State(app): State<App>, u: WebUser, Query(q): Query<MailQuery>) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    let state = match q.state.as_deref() {
        None | Some("") => OutboxState::Failed,
        Some(s) => match OutboxState::parse(s) {
            Ok(s) => s,
            Err(m) => return (StatusCode::BAD_REQUEST, m).into_response(),
        },
    };
    render(&app, &u, state, None).await
}

#[derive(Deserialize)]
pub struct RetryForm {
    csrf: String,
}

/// Puts a failed mail back in the queue, due now.
pub async fn retry(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<RetryForm>,
) -> Response {
    if !permissions::administers(&u.p, None) {
        return admins_only(&u);
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    match mail::retry(&app, id).await {
        Ok(_) => Redirect::to("/admin/mail?state=failed").into_response(),
        Err(e) => {
            let status = match e {
                mail::MailError::NotFound(_) => StatusCode::NOT_FOUND,
                mail::MailError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            render(&app, &u, OutboxState::Failed, Some((status, e.to_string()))).await
        }
    }
}
