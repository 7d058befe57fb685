//! Asking departments from a ticket: the coordination request form (its
//! own page; the API's parsing and rules, an error at each field,
//! everything typed kept), offering the departments of the ticket's bureau
//! (all of them with `coordination.cross_bureau`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::Tr;
use super::pages::{page, ticket_for};
use super::session::{WebUser, bad_csrf};
use crate::app::App;
use crate::auth::permissions::TicketAccess;
use crate::org::service as org;
use crate::tickets::entity::ticket;

/// A coordination request as the form holds it (as typed).
#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    category: String,
    /// Department codes ticked (the form repeats the field).
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    answer_by: String,
}

#[derive(Template)]
#[template(path = "web/new_request.html")]
struct NewRequestPage {
    tr: Tr,
    csrf: String,
    id: i64,
    ticket_no: String,
    f: RequestForm,
    errors: HashMap<String, String>,
    /// (key, name) of each configured category.
    categories: Vec<(String, String)>,
    /// (code, name) of the departments that may be asked.
    departments: Vec<(String, String)>,
}

async fn request_page(
    app: &App,
    u: &WebUser,
    t: &ticket::Model,
    f: RequestForm,
    errors: HashMap<String, String>,
) -> Response {
    let cross = app.config.raw.coordination.cross_bureau;
    let departments = org::all_units(&app.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|x| x.kind == crate::org::UnitKind::Department.as_str())
        .filter(|x| cross || x.parent_id == Some(t.bureau_id))
        .map(|x| (x.code, x.name))
        .collect();
    let categories = app
        .config
        .raw
        .coordination
        .categories
        .iter()
        .map(|c| {
            let name = match u.tr.lang {
                crate::mail::Lang::ZhCn => c.name_zh.clone(),
                crate::mail::Lang::En => c.name_en.clone(),
            };
            (c.key.clone(), name)
        })
        .collect();
    let status = super::pages::form_status(&errors);
    page(
        status,
        NewRequestPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            id: t.id,
            ticket_no: t.ticket_no.clone(),
            f,
            errors,
            categories,
            departments,
        },
    )
}

/// The form to file a coordination request on the ticket.
pub async fn request_form(State(app): State<App>, u: WebUser, Path(id): Path<i64>) -> Response {
    let t = match ticket_for(&app, &u, id, TicketAccess::Write).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    request_page(&app, &u, &t, RequestForm::default(), HashMap::new()).await
}

/// Files the request (the API's parsing and rules) and shows it, or the
/// form again with each field's error.
pub async fn file_request(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    raw: axum::body::Bytes,
) -> Response {
    use crate::coordination::commands::{NewRequest, file};
    use crate::coordination::forms::FileBody;
    // Repeated `departments` fields: read as pairs, not a struct.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let mut f = RequestForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => f.csrf = v,
            "subject" => f.subject = v,
            "question" => f.question = v,
            "category" => f.category = v,
            "departments" => f.departments.push(v),
            "answer_by" => f.answer_by = v,
            _ => {}
        }
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let t = match ticket_for(&app, &u, id, TicketAccess::Write).await {
        Ok(t) => t,
        Err(res) => return res,
    };
    let body = FileBody {
        subject: f.subject.clone(),
        question: f.question.clone(),
        category: f.category.clone(),
        departments: f.departments.clone(),
        attachments: None,
        answer_by: (!f.answer_by.trim().is_empty()).then(|| f.answer_by.clone()),
    };
    let new = match NewRequest::try_from(body) {
        Ok(n) => n,
        Err(errors) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            return request_page(&app, &u, &t, f, errors).await;
        }
    };
    match file(&app, &u.p.actor(), id, new).await {
        Ok(r) => Redirect::to(&format!("/coordination/{}", r.id)).into_response(),
        Err(crate::coordination::ServiceError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            request_page(&app, &u, &t, f, errors).await
        }
        Err(e) => {
            let errors = HashMap::from([("form".to_string(), e.to_string())]);
            request_page(&app, &u, &t, f, errors).await
        }
    }
}
