//! The accountability register's forms, for the bureau's auditors:
//! recording an action on a ticket (its own page, an error at each field,
//! everything typed kept; the persons default to the owners at the
//! breach) and recording that an entry was carried out (a note, from the
//! ticket page). The API's parsing, permissions and commands.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::Tr;
use super::pages::{page, status_of, ticket_for};
use super::session::{WebUser, bad_csrf};
use crate::app::App;
use crate::auth::permissions::{self, TicketAccess};
use crate::reports::accountability::commands;
use crate::reports::accountability::forms::{NewEntry, RecordBody};
use crate::tickets::entity::ticket;

/// An entry as the form holds it (as typed).
#[derive(Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    /// Usernames, separated by commas or spaces; empty: the owners at the
    /// breach.
    #[serde(default)]
    persons: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    text: String,
}

#[derive(Template)]
#[template(path = "web/new_entry.html")]
struct EntryPage {
    tr: Tr,
    csrf: String,
    id: i64,
    ticket_no: String,
    f: EntryForm,
    errors: HashMap<String, String>,
    /// The owners at the breach, named as the default.
    default_persons: String,
}

/// The ticket, if the reader may read it and records its bureau's
/// accountability; else the page to answer.
async fn audited(app: &App, u: &WebUser, id: i64) -> Result<ticket::Model, Response> {
    let t = ticket_for(app, u, id, TicketAccess::Read).await?;
    if permissions::records_accountability(&u.p, t.bureau_id) {
        Ok(t)
    } else {
        Err((StatusCode::FORBIDDEN, u.tr.t("auditors_only")).into_response())
    }
}

async fn entry_page(
    app: &App,
    u: &WebUser,
    t: &ticket::Model,
    f: EntryForm,
    errors: HashMap<String, String>,
) -> Response {
    let mut default_persons = Vec::new();
    for id in commands::breach_owners(app, t, app.now())
        .await
        .unwrap_or_default()
    {
        if let Ok(p) = crate::org::service::person_by_id(&app.db, id).await {
            default_persons.push(format!("{} ({})", p.name, p.username));
        }
    }
    let default_persons = default_persons.join(", ");
    let status = super::pages::form_status(&errors);
    page(
        status,
        EntryPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            id: t.id,
            ticket_no: t.ticket_no.clone(),
            f,
            errors,
            default_persons,
        },
    )
}

/// The form to record an action on the ticket.
pub async fn form(State(app): State<App>, u: WebUser, Path(id): Path<i64>) -> Response {
    let t = match audited(&app, &u, id).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let f = EntryForm {
        kind: "interview".into(),
        date: app.sla().local_date(app.now()).to_string(),
        ..EntryForm::default()
    };
    entry_page(&app, &u, &t, f, HashMap::new()).await
}

/// Records the action and shows the ticket; or the form again with each
/// field's error.
pub async fn record(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let t = match audited(&app, &u, id).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let names: Vec<String> = f
        .persons
        .split([',', '，', ' ', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let body = RecordBody {
        kind: f.kind.clone(),
        persons: (!names.is_empty()).then_some(names),
        date: (!f.date.trim().is_empty()).then(|| f.date.clone()),
        text: f.text.clone(),
    };
    let errors = match NewEntry::try_from(body) {
        Ok(n) => match commands::record(&app, &u.p.actor(), id, n).await {
            Ok(_) => return Redirect::to(&format!("/tickets/{id}")).into_response(),
            Err(crate::error::ServiceError::Invalid(errors)) => errors,
            Err(e) => vec![crate::validate::FieldError {
                field: "form".into(),
                message: e.to_string(),
            }],
        },
        Err(errors) => errors,
    };
    let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
    entry_page(&app, &u, &t, f, errors).await
}

/// Records that an entry was carried out; back to its ticket, or the
/// ticket page saying why not (the note kept).
pub async fn complete(
    State(app): State<App>,
    u: WebUser,
    Path(entry): Path<i64>,
    Form(f): Form<super::ticket_more::NoteForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let Ok(row) = commands::find(&app, entry).await else {
        return super::pages::not_found(&u);
    };
    let id = row.ticket_id;
    if let Err(res) = audited(&app, &u, id).await {
        return res;
    }
    let note = match super::ticket_more::required_note(&app, &u, id, &f.note, 5000).await {
        Ok(n) => n,
        Err(res) => return res,
    };
    match commands::complete(&app, &u.p.actor(), entry, note).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => {
            let r = (status_of(&e), e.to_string(), f.note);
            super::ticket::render_ticket(&app, &u, id, Some(r)).await
        }
    }
}
