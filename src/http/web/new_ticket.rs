//! The new-ticket form: the API's parsing (`NewTicket::parse`), an error at
//! each field with what was typed kept.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::i18n::Tr;
use super::pages::page;
use super::session::WebUser;
use crate::app::App;
use crate::auth::permissions;
use crate::org::Role;
use crate::sla::{PowerSources, VoltageLevel};
use crate::tickets::input::NewTicket;

/// A ticket's own fields as a form holds them (as typed): the new-ticket
/// and the edit forms share them (templates/web/ticket_fields.html).
#[derive(Debug, Default, Deserialize)]
pub struct TicketFields {
    #[serde(default)]
    pub(super) customer_name: String,
    #[serde(default)]
    pub(super) customer_account_no: String,
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) voltage_level: String,
    #[serde(default)]
    pub(super) power_sources: String,
    pub(super) new_line: Option<String>,
    #[serde(default)]
    pub(super) capacity_kva: String,
    #[serde(default)]
    pub(super) accepted_on: String,
}

impl TicketFields {
    /// The capacity as typed: a number when it reads as one, else the
    /// text (for the parser to refuse by name).
    pub(super) fn capacity(&self) -> Value {
        self.capacity_kva
            .trim()
            .parse::<i64>()
            .map_or_else(|_| json!(self.capacity_kva), |n| json!(n))
    }
}

/// What the shared fields offer: the voltage levels, the power sources,
/// and the category the choices so far derive.
pub(super) struct Choices {
    pub(super) voltages: Vec<&'static str>,
    pub(super) sources: Vec<&'static str>,
    pub(super) category: String,
}

pub(super) fn choices(app: &App, tr: Tr, f: &TicketFields) -> Choices {
    Choices {
        voltages: VoltageLevel::ALL.iter().map(|v| v.as_str()).collect(),
        sources: [PowerSources::Single, PowerSources::Dual]
            .iter()
            .map(|s| s.as_str())
            .collect(),
        category: derived(
            app,
            tr,
            &f.voltage_level,
            &f.power_sources,
            f.new_line.is_some(),
        ),
    }
}

/// What the new-ticket form holds (as typed).
#[derive(Debug, Default, Deserialize)]
pub struct TicketForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    f: TicketFields,
    #[serde(default)]
    service_center: String,
}

#[derive(Template)]
#[template(path = "web/new_ticket.html")]
struct NewTicketPage {
    tr: Tr,
    csrf: String,
    f: TicketFields,
    service_center: String,
    errors: HashMap<String, String>,
    c: Choices,
    centers: Vec<String>,
}

/// The category that voltage, sources and new line derive, as the form
/// shows it: its name and limit (or what is missing).
fn derived(app: &App, tr: Tr, voltage: &str, sources: &str, new_line: bool) -> String {
    let (Ok(v), Ok(p)) = (VoltageLevel::parse(voltage), PowerSources::parse(sources)) else {
        return String::new();
    };
    match app.policy.categorize(v, p, new_line) {
        Some(c) => {
            let name = match tr.lang {
                crate::mail::Lang::ZhCn => &c.name_zh,
                crate::mail::Lang::En => &c.name_en,
            };
            format!("{name} · {} {}", c.limit_working_days, tr.t("working_days"))
        }
        None => tr.t("no_category").to_string(),
    }
}

#[derive(Template)]
#[template(
    source = r#"<output id="category" class="category">{{ category }}</output>"#,
    ext = "html"
)]
struct CategoryFragment {
    category: String,
}

#[derive(Deserialize)]
pub struct CategoryQuery {
    #[serde(default)]
    voltage_level: String,
    #[serde(default)]
    power_sources: String,
    new_line: Option<String>,
}

/// The derived category, for htmx to show as the choices change.
pub async fn category(
    State(app): State<App>,
    u: WebUser,
    axum::extract::Query(q): axum::extract::Query<CategoryQuery>,
) -> Response {
    let category = derived(
        &app,
        u.tr,
        &q.voltage_level,
        &q.power_sources,
        q.new_line.is_some(),
    );
    let mut res = page(StatusCode::OK, CategoryFragment { category });
    res.headers_mut().insert(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("HX-Request"),
    );
    res
}

async fn centers_of(app: &App, u: &WebUser) -> Vec<String> {
    let mut out = Vec::new();
    for id in u.p.units_with(Role::Manager) {
        if let Ok(unit) = crate::org::service::unit_by_id(&app.db, id).await {
            out.push(unit.code);
        }
    }
    out
}

async fn form_page(
    app: &App,
    u: &WebUser,
    f: TicketForm,
    errors: HashMap<String, String>,
) -> Response {
    let status = super::pages::form_status(&errors);
    page(
        status,
        NewTicketPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            errors,
            c: choices(app, u.tr, &f.f),
            centers: centers_of(app, u).await,
            service_center: f.service_center,
            f: f.f,
        },
    )
}

/// The empty form (acceptance today, the first of my centers).
pub async fn form(State(app): State<App>, u: WebUser) -> Response {
    let f = TicketForm {
        f: TicketFields {
            accepted_on: app.sla().local_date(app.now()).to_string(),
            voltage_level: VoltageLevel::Kv10.as_str().into(),
            power_sources: PowerSources::Single.as_str().into(),
            ..Default::default()
        },
        ..Default::default()
    };
    form_page(&app, &u, f, HashMap::new()).await
}

/// Creates the ticket and shows it; or the form again with each field's
/// error.
pub async fn create(State(app): State<App>, u: WebUser, Form(f): Form<TicketForm>) -> Response {
    if !u.csrf_ok(&f.csrf) {
        return super::session::bad_csrf();
    }
    let t = &f.f;
    let body = json!({
        "customer_name": t.customer_name, "customer_account_no": t.customer_account_no,
        "address": t.address, "voltage_level": t.voltage_level, "power_sources": t.power_sources,
        "new_line": t.new_line.is_some(), "capacity_kva": t.capacity(),
        "service_center": f.service_center, "accepted_on": t.accepted_on,
    });
    let today = app.sla().local_date(app.now());
    let new = match NewTicket::parse(&body, &app.policy, today) {
        Ok(n) => n,
        Err(errors) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            return form_page(&app, &u, f, errors).await;
        }
    };
    let center = crate::org::service::unit_by_code(&app.db, &new.service_center)
        .await
        .ok()
        .flatten();
    if !center.is_some_and(|c| permissions::can_create_in(&u.p, c.id)) {
        let errors = HashMap::from([(
            "service_center".to_string(),
            u.tr.t("not_your_center").to_string(),
        )]);
        return form_page(&app, &u, f, errors).await;
    }
    match crate::tickets::service::create(&app, &u.p.actor(), new).await {
        Ok(t) => Redirect::to(&format!("/tickets/{}", t.id)).into_response(),
        Err(e) => {
            let errors = HashMap::from([("form".to_string(), e.to_string())]);
            form_page(&app, &u, f, errors).await
        }
    }
}
