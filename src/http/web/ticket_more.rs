//! The ticket page's people and its other actions: the ladder with who
//! holds each rung (vacancies shown); reassigning and handing back (small
//! forms on the page, the note kept when refused); editing the ticket's
//! fields (its own page, an error at each field, everything typed kept).
//! Asking departments from a ticket is `new_request`.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::i18n::Tr;
use super::new_ticket::{Choices, TicketFields, choices};
use super::pages::{not_found, page, status_of, ticket_for};
use super::session::{WebUser, bad_csrf};
use super::ticket::render_ticket;
use crate::app::App;
use crate::auth::permissions::{self, TicketAccess};
use crate::org::Role;
use crate::org::service::{self as org, Holder};
use crate::tickets::entity::ticket;
use crate::tickets::view::TicketView;

/// The people a ticket page shows and offers.
#[derive(Default)]
pub(super) struct People {
    /// Each rung (label key, holder's name; `None`: vacant).
    pub ladder: Vec<(&'static str, Option<String>)>,
    /// The center's managers (username, name), for reassigning.
    pub managers: Vec<(String, String)>,
    /// Who may be handed the ticket (username, name): the rungs' holders
    /// and the center's managers.
    pub owners: Vec<(String, String)>,
    /// The reader owns it above the first rung (may hand it back).
    pub hands_back: bool,
}

/// The ladder of `t` and the people it may be handed to.
pub(super) async fn people(app: &App, u: &WebUser, t: &TicketView, writes: bool) -> People {
    let Ok(l) = crate::tickets::service::ladder(app, t.id).await else {
        return People::default();
    };
    let name = |h: &Holder| match h {
        Holder::Filled { name, username, .. } => Some((username.clone(), name.clone())),
        Holder::Vacant { .. } => None,
    };
    let rungs = [
        ("role_manager", &l.manager),
        ("role_center_director", &l.center_director),
        ("role_deputy_head", &l.deputy_head),
        ("role_head", &l.head),
    ];
    let managers: Vec<(String, String)> = if writes {
        org::holders(&app.db, Role::Manager, t.service_center_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.username, p.name))
            .collect()
    } else {
        Vec::new()
    };
    let mut owners = managers.clone();
    if writes {
        for (_, h) in &rungs {
            if let Some(p) = name(h)
                && !owners.contains(&p)
            {
                owners.push(p);
            }
        }
    }
    People {
        ladder: rungs
            .iter()
            .map(|(k, h)| (*k, name(h).map(|(_, n)| n)))
            .collect(),
        managers,
        owners,
        hands_back: t.owner_id == u.p.person.id
            && t.escalation_level > 0
            && matches!(t.status.as_str(), "open" | "paused"),
    }
}

#[derive(Deserialize)]
pub struct ReassignForm {
    csrf: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    note: String,
}

/// The ticket page again, saying why an action was refused (the note kept).
async fn refused(
    app: &App,
    u: &WebUser,
    id: i64,
    status: StatusCode,
    m: String,
    note: String,
) -> Response {
    render_ticket(app, u, id, Some((status, m, note))).await
}

/// Field errors as one line.
fn joined(errors: &[crate::validate::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Hands the ticket to another owner and/or customer manager.
pub async fn reassign(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<ReassignForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let Ok(t) = crate::tickets::store::find_row(&app, id).await else {
        return not_found(&u);
    };
    if let Err(e) = permissions::check_ticket(&app, &u.p, &t, TicketAccess::Write).await {
        return refused(&app, &u, id, StatusCode::FORBIDDEN, e.to_string(), f.note).await;
    }
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let body = json!({"owner": some(&f.owner), "manager": some(&f.manager), "note": some(&f.note)});
    let b = match crate::tickets::input::ReassignBody::parse(&body) {
        Ok(b) => b,
        Err(errors) => {
            let m = joined(&errors);
            return refused(&app, &u, id, StatusCode::UNPROCESSABLE_ENTITY, m, f.note).await;
        }
    };
    let may_own = |t: &ticket::Model, to: &[_]| permissions::may_hand_to(&u.p, t, to);
    match crate::tickets::service::reassign(&app, &u.p.actor(), id, b, may_own).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => refused(&app, &u, id, status_of(&e), e.to_string(), f.note).await,
    }
}

/// A form with only a note (handing back, completing an accountability
/// entry).
#[derive(Deserialize)]
pub struct NoteForm {
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) note: String,
}

/// The note of a form that needs one (at most `max` characters), or the
/// ticket page saying it is missing, what was typed kept.
pub(super) async fn required_note(
    app: &App,
    u: &WebUser,
    id: i64,
    typed: &str,
    max: usize,
) -> Result<String, Response> {
    match crate::validate::text(typed, max) {
        Ok(n) if !n.trim().is_empty() => Ok(n),
        _ => {
            let m = format!("note: {}", u.tr.t("note_required"));
            let r = (StatusCode::UNPROCESSABLE_ENTITY, m, typed.to_string());
            Err(render_ticket(app, u, id, Some(r)).await)
        }
    }
}

/// Hands the ticket back down the ladder (its owner, a note required).
pub async fn hand_back(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    if let Err(res) = ticket_for(&app, &u, id, TicketAccess::Read).await {
        return res;
    }
    let note = match required_note(&app, &u, id, &f.note, 2000).await {
        Ok(n) => n,
        Err(res) => return res,
    };
    match crate::escalation::hand_back(&app, &u.p.actor(), id, note).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => refused(&app, &u, id, status_of(&e), e.to_string(), f.note).await,
    }
}

/// The edit form (as typed).
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    f: TicketFields,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "web/edit_ticket.html")]
struct EditPage {
    tr: Tr,
    csrf: String,
    id: i64,
    ticket_no: String,
    f: TicketFields,
    note: String,
    errors: HashMap<String, String>,
    c: Choices,
}

fn edit_page(
    app: &App,
    u: &WebUser,
    t: &ticket::Model,
    f: EditForm,
    errors: HashMap<String, String>,
) -> Response {
    let status = super::pages::form_status(&errors);
    page(
        status,
        EditPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            id: t.id,
            ticket_no: t.ticket_no.clone(),
            c: choices(app, u.tr, &f.f),
            f: f.f,
            note: f.note,
            errors,
        },
    )
}

/// The edit form, filled with the ticket's fields.
pub async fn edit_form(State(app): State<App>, u: WebUser, Path(id): Path<i64>) -> Response {
    let t = match ticket_for(&app, &u, id, TicketAccess::Write).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let f = EditForm {
        f: TicketFields {
            customer_name: t.customer_name.clone(),
            customer_account_no: t.customer_account_no.clone(),
            address: t.address.clone(),
            voltage_level: t.voltage_level.clone(),
            power_sources: t.power_sources.clone(),
            new_line: t.new_line.then(|| "yes".to_string()),
            capacity_kva: t.capacity_kva.to_string(),
            accepted_on: t.accepted_on.to_string(),
        },
        ..EditForm::default()
    };
    edit_page(&app, &u, &t, f, HashMap::new())
}

/// Saves what changed (the API's parsing; a voltage, sources, new line or
/// acceptance change recomputes the deadline), or the form again with
/// each field's error.
pub async fn edit(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Response {
    use crate::tickets::actions::Action;
    use crate::tickets::input::TicketPatch;
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let t = match ticket_for(&app, &u, id, TicketAccess::Write).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    // Only what differs from the ticket is sent.
    let mut body = serde_json::Map::new();
    let mut put = |k: &str, typed: &str, now: &str| {
        if typed.trim() != now {
            body.insert(k.into(), json!(typed));
        }
    };
    let typed = &f.f;
    put("customer_name", &typed.customer_name, &t.customer_name);
    put(
        "customer_account_no",
        &typed.customer_account_no,
        &t.customer_account_no,
    );
    put("address", &typed.address, &t.address);
    put("voltage_level", &typed.voltage_level, &t.voltage_level);
    put("power_sources", &typed.power_sources, &t.power_sources);
    put(
        "accepted_on",
        &typed.accepted_on,
        &t.accepted_on.to_string(),
    );
    if typed.capacity_kva.trim() != t.capacity_kva.to_string() {
        body.insert("capacity_kva".into(), typed.capacity());
    }
    if typed.new_line.is_some() != t.new_line {
        body.insert("new_line".into(), json!(typed.new_line.is_some()));
    }
    if body.is_empty() {
        return Redirect::to(&format!("/tickets/{id}")).into_response();
    }
    if !f.note.trim().is_empty() {
        body.insert("note".into(), json!(f.note));
    }
    let today = app.sla().local_date(app.now());
    let patch = match TicketPatch::parse(&Value::Object(body), &app.policy, today) {
        Ok(p) => p,
        Err(errors) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            return edit_page(&app, &u, &t, f, errors);
        }
    };
    match crate::tickets::service::act(&app, &u.p.actor(), id, Action::Update(patch)).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(crate::tickets::ServiceError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            edit_page(&app, &u, &t, f, errors)
        }
        Err(e) => {
            let errors = HashMap::from([("form".to_string(), e.to_string())]);
            edit_page(&app, &u, &t, f, errors)
        }
    }
}
