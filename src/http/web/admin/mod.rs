//! Administration: the organisation of the bureaus the reader administers
//! (each unit with who holds which role there, vacancies marked; the
//! vacancy mail links here), people, the org import with its preview, the
//! mail outbox and the calendar.

pub mod calendar;
pub mod import;
pub mod mail;
pub mod people;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::i18n::Tr;
use super::pages::page;
use super::session::WebUser;
use crate::app::App;
use crate::auth::permissions;
use crate::org::entity::{person, role_assignment};
use crate::org::{Role, UnitKind};

struct UnitRow {
    code: String,
    name: String,
    /// (role label key, holders' names; empty: vacant).
    roles: Vec<(&'static str, Vec<String>)>,
    asked: bool,
}

#[derive(Template)]
#[template(path = "web/admin_org.html")]
struct OrgPage {
    tr: Tr,
    csrf: String,
    units: Vec<UnitRow>,
}

#[derive(Deserialize)]
pub struct OrgQuery {
    unit: Option<String>,
}

/// The roles a unit of `kind` must have someone in (the ladder's rungs
/// and the managers).
fn roles_of(kind: &str) -> Vec<Role> {
    if kind == UnitKind::Bureau.as_str() {
        vec![Role::Head, Role::DeputyHead, Role::Auditor, Role::Admin]
    } else if kind == UnitKind::ServiceCenter.as_str() {
        vec![Role::CenterDirector, Role::Manager]
    } else {
        vec![Role::Department]
    }
}

/// The refusal a person who administers nothing here gets.
pub(super) fn admins_only(u: &WebUser) -> Response {
    (StatusCode::FORBIDDEN, u.tr.t("admins_only")).into_response()
}

/// A page could not read the database.
pub(super) fn db_down() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the database did not answer",
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "web/admin.html")]
struct AdminIndex {
    tr: Tr,
    csrf: String,
    /// Installation-wide: the import, the outbox and the calendar too.
    wide: bool,
}

/// The administration's start page: what the reader may administer.
pub async fn index(u: WebUser) -> Response {
    if !permissions::is_admin(&u.p) {
        return admins_only(&u);
    }
    page(
        StatusCode::OK,
        AdminIndex {
            wide: permissions::administers(&u.p, None),
            csrf: u.csrf().to_string(),
            tr: u.tr,
        },
    )
}

/// The organisation of the bureaus the reader administers.
pub async fn org(State(app): State<App>, u: WebUser, Query(q): Query<OrgQuery>) -> Response {
    let units = crate::org::service::all_units(&app.db)
        .await
        .unwrap_or_default();
    let visible: Vec<_> = units
        .into_iter()
        .filter(|x| permissions::administers(&u.p, Some(crate::org::service::bureau_of(x))))
        .collect();
    if visible.is_empty() {
        return admins_only(&u);
    }
    let (Ok(assignments), Ok(people)) = (
        role_assignment::Entity::find().all(&app.db).await,
        person::Entity::find().all(&app.db).await,
    ) else {
        return db_down();
    };
    let name_of = |id: i64| {
        people
            .iter()
            .find(|p| p.id == id && p.active)
            .map(|p| format!("{} ({})", p.name, p.username))
    };
    let rows = visible
        .into_iter()
        .map(|x| UnitRow {
            asked: q.unit.as_deref() == Some(x.code.as_str()),
            roles: roles_of(&x.kind)
                .into_iter()
                .map(|role| {
                    let holders = assignments
                        .iter()
                        .filter(|a| a.unit_id == Some(x.id) && a.role == role.as_str())
                        .filter_map(|a| name_of(a.person_id))
                        .collect();
                    (super::pages::role_key(role), holders)
                })
                .collect(),
            code: x.code,
            name: x.name,
        })
        .collect();
    page(
        StatusCode::OK,
        OrgPage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            units: rows,
        },
    )
}
