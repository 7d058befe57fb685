//! `/api/v1/org` and `/api/v1/people`: the organisation chart and accounts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::auth::{Principal, permissions};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{IdPath, JsonBody};
use crate::org::entity::{person, unit};
use crate::org::service::{self as org, Grant};
use crate::org::{NewPerson, NewUnit, PersonForm, UnitForm};
use crate::tickets::service::HeldTicket;
use crate::validate::dto;

pub fn router() -> Router<App> {
    Router::new()
        .route("/org/units", get(list_units).post(create_unit))
        .route("/org/import", post(import))
        .route("/people", get(list_people).post(create_person))
        .route("/people/{id}", get(show_person))
        .route("/people/{id}/deactivate", post(deactivate))
        .route("/people/{id}/open-tickets", get(open_tickets))
}

/// An org unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
}

impl From<unit::Model> for UnitView {
    fn from(u: unit::Model) -> Self {
        UnitView {
            id: u.id,
            code: u.code,
            name: u.name,
            kind: u.kind,
            parent_id: u.parent_id,
        }
    }
}

/// A person and their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub unit_id: Option<i64>,
    pub lang: String,
    pub active: bool,
    pub roles: Vec<Grant>,
}

async fn person_view(app: &App, p: person::Model) -> Result<PersonView, ApiError> {
    let roles = org::grants_of(&app.db, p.id).await?;
    Ok(PersonView {
        id: p.id,
        username: p.username,
        name: p.name,
        email: p.email,
        phone: p.phone,
        unit_id: p.unit_id,
        lang: p.lang,
        active: p.active,
        roles,
    })
}

fn require_admin(p: &Principal) -> Result<(), ApiError> {
    if permissions::is_admin(p) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only admins manage the organisation".into(),
        ))
    }
}

/// Loads a person an admin may administer (404 otherwise, like tickets).
async fn administered(app: &App, p: &Principal, id: i64) -> Result<person::Model, ApiError> {
    require_admin(p)?;
    let person = org::person_by_id(&app.db, id).await?;
    if permissions::administers(p, org::bureau_of_person(&app.db, &person).await?) {
        Ok(person)
    } else {
        Err(ApiError::NotFound(format!("person {id} does not exist")))
    }
}

/// Import units and people from a CSV or XLSX file (see docs/org-import.md):
/// all or nothing; every bad row is named with its line. `?dry_run=true`
/// reports what would change without writing. Installation-wide admins only.
#[utoipa::path(post, path = "/api/v1/org/import", tag = "org",
    params(("dry_run" = Option<bool>, Query, description = "report only, write nothing")),
    request_body(content = String, content_type = "text/csv", description = "the file: text/csv, or an .xlsx workbook as application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = crate::org::import::ImportReport), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import(
    State(app): State<App>,
    p: Principal,
    q: crate::http::extract::QueryMap,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<crate::org::import::ImportReport>, ApiError> {
    use crate::org::import::{Format, ImportError, import_bytes};
    if !permissions::administers(&p, None) {
        return Err(ApiError::Forbidden(
            "only an installation-wide admin imports the org chart".into(),
        ));
    }
    let dry_run = match q.0.get("dry_run").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "dry_run must be true or false, not `{other}`"
            )));
        }
    };
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = if ct.starts_with("text/csv") {
        Format::Csv
    } else if ct.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
        Format::Xlsx
    } else {
        return Err(ApiError::BadRequest(
            "send the file as text/csv or as an .xlsx workbook".into(),
        ));
    };
    match import_bytes(&app.writer, &body, format, dry_run, app.now()).await {
        Ok(report) => {
            // People, roles or units may have changed.
            app.credentials.clear();
            Ok(Json(report))
        }
        Err(ImportError::Rows(rows)) => Err(ApiError::Invalid(
            rows.into_iter()
                .map(|r| crate::validate::FieldError {
                    field: format!("line {}", r.line),
                    message: r.message,
                })
                .collect(),
        )),
        Err(ImportError::Format(m)) => Err(ApiError::BadRequest(m)),
        Err(ImportError::Db(e)) => Err(ApiError::Internal(e.into())),
    }
}

/// Every org unit (bureaus, service centers, departments).
#[utoipa::path(get, path = "/api/v1/org/units", tag = "org", responses((status = 200, body = Vec<UnitView>), (status = 401, body = Problem)))]
async fn list_units(
    State(app): State<App>,
    _p: Principal,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    Ok(Json(
        org::all_units(&app.db)
            .await?
            .into_iter()
            .map(UnitView::from)
            .collect(),
    ))
}

/// Create an org unit (admin of the parent bureau; a bureau: installation admin).
#[utoipa::path(post, path = "/api/v1/org/units", tag = "org", request_body = UnitForm,
    responses((status = 201, body = UnitView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_unit(
    State(app): State<App>,
    p: Principal,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<UnitView>), ApiError> {
    require_admin(&p)?;
    let u = NewUnit::try_from(dto::<UnitForm>(&body)?)?;
    let bureau = match &u.parent_code {
        Some(code) => org::unit_by_code(&app.db, code.as_str())
            .await?
            .map(|b| b.id),
        None => None,
    };
    if !permissions::administers(&p, bureau) {
        return Err(ApiError::Forbidden(
            "you do not administer that bureau".into(),
        ));
    }
    let created = org::create_unit(&app.writer, u, app.now()).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// People of the bureaus you administer.
#[utoipa::path(get, path = "/api/v1/people", tag = "org", responses((status = 200, body = Vec<PersonView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_people(
    State(app): State<App>,
    p: Principal,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    require_admin(&p)?;
    // Units read once, not once per person.
    let bureaus: std::collections::HashMap<i64, i64> = org::all_units(&app.db)
        .await?
        .iter()
        .map(|u| (u.id, org::bureau_of(u)))
        .collect();
    let mut out = Vec::new();
    for person in org::all_people(&app.db).await? {
        let bureau = person.unit_id.and_then(|id| bureaus.get(&id).copied());
        if permissions::administers(&p, bureau) {
            out.push(person_view(&app, person).await?);
        }
    }
    Ok(Json(out))
}

/// Create a person (an admin of the bureau of their unit). No password:
/// an operator sets one with `yekuo user reset-password`.
#[utoipa::path(post, path = "/api/v1/people", tag = "org", request_body = PersonForm,
    responses((status = 201, body = PersonView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_person(
    State(app): State<App>,
    p: Principal,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    require_admin(&p)?;
    let new = NewPerson::try_from(dto::<PersonForm>(&body)?)?;
    // Every unit the person or one of their roles is in: the admin must
    // administer each one's bureau.
    let bureaus = org::bureaus_touched(&app.db, &new).await?;
    if !permissions::may_grant(&p, &bureaus) {
        return Err(ApiError::Forbidden(
            "you do not administer every bureau this person or one of their roles is in".into(),
        ));
    }
    let txn = app.begin_write().await?;
    let created = org::create_person(&txn, new, None, app.now()).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(person_view(&app, created).await?)))
}

/// One person (yourself, or someone you administer).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn show_person(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<PersonView>, ApiError> {
    let person = if id == p.person.id {
        p.person.clone()
    } else {
        administered(&app, &p, id).await.map_err(|e| match e {
            ApiError::Forbidden(_) => ApiError::NotFound(format!("person {id} does not exist")),
            other => other,
        })?
    };
    Ok(Json(person_view(&app, person).await?))
}

/// A deactivated person and the open tickets to reassign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deactivated {
    pub person: PersonView,
    pub open_tickets: Vec<HeldTicket>,
}

/// Deactivate a person who left: history kept, sessions and tokens revoked;
/// lists their open tickets for reassignment.
#[utoipa::path(post, path = "/api/v1/people/{id}/deactivate", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Deactivated), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn deactivate(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<Deactivated>, ApiError> {
    administered(&app, &p, id).await?;
    if id == p.person.id {
        return Err(ApiError::Conflict("you cannot deactivate yourself".into()));
    }
    let person = crate::auth::users::deactivate(&app, id).await?;
    let open_tickets = crate::tickets::service::held_by(&app, id).await?;
    Ok(Json(Deactivated {
        person: person_view(&app, person).await?,
        open_tickets,
    }))
}

/// Open tickets a person owns or manages.
#[utoipa::path(get, path = "/api/v1/people/{id}/open-tickets", tag = "org", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HeldTicket>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn open_tickets(
    State(app): State<App>,
    p: Principal,
    IdPath(id): IdPath,
) -> Result<Json<Vec<HeldTicket>>, ApiError> {
    administered(&app, &p, id).await?;
    Ok(Json(crate::tickets::service::held_by(&app, id).await?))
}
