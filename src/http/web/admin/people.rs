//! People of the bureaus the reader administers: create one (the API's
//! parser, an error at each field, everything typed kept), give or take a
//! role, deactivate one who left (their open tickets listed to reassign).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::i18n::Tr;
use super::super::pages::page;
use super::super::session::{WebUser, bad_csrf};
use super::{admins_only, db_down};
use crate::app::App;
use crate::auth::permissions;
use crate::org::entity::unit;
use crate::org::service::{self as org, NewPerson};
use crate::org::words::RoleGrant;
use crate::org::{PersonForm, Role};
use crate::tickets::service::HeldTicket;

struct PersonRow {
    id: i64,
    username: String,
    name: String,
    email: String,
    unit: String,
    active: bool,
    /// Each role as `role@UNIT` (the value the remove form sends) with its
    /// label.
    roles: Vec<(String, String)>,
    me: bool,
}

/// What the create form holds (as typed).
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    lang: String,
    /// `;`-separated, as in the import file: `manager`, `deputy_head@GZ`.
    #[serde(default)]
    roles: String,
}

#[derive(Template)]
#[template(path = "web/admin_people.html")]
struct PeoplePage {
    tr: Tr,
    csrf: String,
    people: Vec<PersonRow>,
    /// Units the reader administers (code, name), for the form and filter.
    units: Vec<(String, String)>,
    shown_unit: String,
    f: CreateForm,
    errors: HashMap<String, String>,
    /// A refused role change or deactivation.
    error: Option<String>,
    /// Someone just deactivated: their name and open tickets to reassign.
    left: Option<(String, Vec<HeldTicket>)>,
    roles: Vec<&'static str>,
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    unit: Option<String>,
}

/// What else a page shows besides the list.
#[derive(Default)]
struct Extra {
    f: CreateForm,
    errors: HashMap<String, String>,
    error: Option<String>,
    left: Option<(String, Vec<HeldTicket>)>,
}

async fn render(app: &App, u: &WebUser, unit_filter: Option<&str>, x: Extra) -> Response {
    let (Ok(units), Ok(people)) = (
        org::all_units(&app.db).await,
        org::all_people(&app.db).await,
    ) else {
        return db_down();
    };
    let by_id: HashMap<i64, &unit::Model> = units.iter().map(|x| (x.id, x)).collect();
    let administered = |unit_id: Option<i64>| {
        permissions::administers(
            &u.p,
            unit_id
                .and_then(|id| by_id.get(&id))
                .map(|x| org::bureau_of(x)),
        )
    };
    let shown = unit_filter
        .and_then(|code| units.iter().find(|x| x.code == code))
        .map(|x| x.id);
    let mut rows = Vec::new();
    for p in people {
        if !administered(p.unit_id) || shown.is_some_and(|id| p.unit_id != Some(id)) {
            continue;
        }
        let Ok(grants) = org::grants_of(&app.db, p.id).await else {
            return db_down();
        };
        let roles = grants
            .iter()
            .map(|g| {
                let code = g.unit_id.and_then(|id| by_id.get(&id)).map(|x| &x.code);
                let value = match code {
                    Some(c) => format!("{}@{c}", g.role.as_str()),
                    None => g.role.as_str().to_string(),
                };
                let label = match code {
                    Some(c) => format!("{} · {c}", u.tr.t(super::super::pages::role_key(g.role))),
                    None => u.tr.t(super::super::pages::role_key(g.role)).to_string(),
                };
                (value, label)
            })
            .collect();
        rows.push(PersonRow {
            me: p.id == u.p.person.id,
            unit: p
                .unit_id
                .and_then(|id| by_id.get(&id))
                .map(|x| x.code.clone())
                .unwrap_or_default(),
            id: p.id,
            username: p.username,
            name: p.name,
            email: p.email,
            active: p.active,
            roles,
        });
    }
    let mine: Vec<(String, String)> = units
        .iter()
        .filter(|x| permissions::administers(&u.p, Some(org::bureau_of(x))))
        .map(|x| (x.code.clone(), x.name.clone()))
        .collect();
    let status = if x.errors.is_empty() && x.error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        PeoplePage {
            tr: u.tr,
            csrf: u.csrf().to_string(),
            people: rows,
            units: mine,
            shown_unit: unit_filter.unwrap_or_default().to_string(),
            f: x.f,
            errors: x.errors,
            error: x.error,
            left: x.left,
            roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        },
    )
}

/// The people page.
pub async fn list(State(app): State<App>, u: WebUser, Query(q): Query<PeopleQuery>) -> Response {
    if !permissions::is_admin(&u.p) {
        return admins_only(&u);
    }
    render(&app, &u, q.unit.as_deref(), Extra::default()).await
}

/// Creates a person (no password yet: `yekuo user reset-password` gives
/// one), or shows the form again with each field's error.
pub async fn create(State(app): State<App>, u: WebUser, Form(f): Form<CreateForm>) -> Response {
    if !permissions::is_admin(&u.p) {
        return admins_only(&u);
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let form = PersonForm {
        username: f.username.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        phone: Some(f.phone.clone()),
        unit: Some(f.unit.clone()),
        lang: Some(f.lang.clone()),
        roles: f
            .roles
            .split([';', '；', ','])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(String::from)
            .collect(),
    };
    let refused = |errors: HashMap<String, String>, f: CreateForm| Extra {
        f,
        errors,
        ..Extra::default()
    };
    let new = match NewPerson::try_from(form) {
        Ok(n) => n,
        Err(errors) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            return render(&app, &u, None, refused(errors, f)).await;
        }
    };
    let Ok(bureaus) = org::bureaus_touched(&app.db, &new).await else {
        return db_down();
    };
    if !permissions::may_grant(&u.p, &bureaus) {
        let errors = HashMap::from([("roles".to_string(), u.tr.t("not_your_bureau").to_string())]);
        return render(&app, &u, None, refused(errors, f)).await;
    }
    let created = async {
        let txn = app.begin_write().await?;
        let p = org::create_person(&txn, new, None, app.now()).await?;
        txn.commit().await?;
        Ok::<_, crate::org::ServiceError>(p)
    }
    .await;
    match created {
        Ok(p) => {
            app.credentials.clear();
            let unit = p
                .unit_id
                .map(|_| f.unit.trim().to_string())
                .unwrap_or_default();
            Redirect::to(&format!(
                "/admin/people?unit={}#person-{}",
                super::super::session::url_encode(&unit),
                p.id
            ))
            .into_response()
        }
        Err(crate::org::ServiceError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| (e.field, e.message)).collect();
            render(&app, &u, None, refused(errors, f)).await
        }
        Err(crate::org::ServiceError::Conflict(m)) => {
            let errors = HashMap::from([("username".to_string(), m)]);
            render(&app, &u, None, refused(errors, f)).await
        }
        Err(e) => crate::http::error::ApiError::from(e).into_response(),
    }
}

/// A person the reader administers (and their bureau), or `None`.
async fn administered(
    app: &App,
    u: &WebUser,
    id: i64,
) -> Option<crate::org::entity::person::Model> {
    let person = org::person_by_id(&app.db, id).await.ok()?;
    let bureau = org::bureau_of_person(&app.db, &person).await.ok()?;
    permissions::administers(&u.p, bureau).then_some(person)
}

#[derive(Deserialize)]
pub struct RoleForm {
    csrf: String,
    /// `role` (in the person's unit) or `role@UNIT`.
    grant: String,
}

/// What a role form names: the role and the unit it is held in (`None`:
/// installation-wide), resolved against the person's own unit.
async fn resolve(
    app: &App,
    u: &WebUser,
    person: &crate::org::entity::person::Model,
    text: &str,
) -> Result<(Role, Option<unit::Model>), String> {
    let g = RoleGrant::parse(text)?;
    let held_in = match (&g.unit, person.unit_id) {
        (Some(code), _) => Some(
            org::unit_by_code(&app.db, code.as_str())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("unit `{code}` does not exist"))?,
        ),
        (None, _) if g.role == Role::Admin && person.unit_id.is_none() => None,
        (None, Some(id)) => Some(
            org::unit_by_id(&app.db, id)
                .await
                .map_err(|e| e.to_string())?,
        ),
        (None, None) => {
            return Err(format!(
                "`{}` needs a unit: write {}@UNIT",
                text.trim(),
                g.role.as_str()
            ));
        }
    };
    if !permissions::administers(&u.p, held_in.as_ref().map(org::bureau_of)) {
        return Err(u.tr.t("not_your_bureau").to_string());
    }
    Ok((g.role, held_in))
}

/// Gives a person a role (`role` in their unit, or `role@UNIT`).
pub async fn grant(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> Response {
    role_change(app, u, id, f, true).await
}

/// Takes a role away from a person.
pub async fn revoke(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> Response {
    role_change(app, u, id, f, false).await
}

async fn role_change(app: App, u: WebUser, id: i64, f: RoleForm, give: bool) -> Response {
    if !permissions::is_admin(&u.p) {
        return admins_only(&u);
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let Some(person) = administered(&app, &u, id).await else {
        return super::super::pages::not_found(&u);
    };
    let done = match resolve(&app, &u, &person, &f.grant).await {
        Err(m) => Err(m),
        Ok((Role::Admin, _)) if !give && id == u.p.person.id => {
            Err(u.tr.t("keep_own_admin").to_string())
        }
        Ok((role, held_in)) if give => org::assign_role(&app.writer, id, role, held_in.as_ref())
            .await
            .map_err(|e| e.to_string()),
        Ok((role, held_in)) => org::remove_role(&app.writer, id, role, held_in.map(|x| x.id))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
    };
    match done {
        Ok(()) => {
            app.credentials.clear();
            Redirect::to(&format!("/admin/people#person-{id}")).into_response()
        }
        Err(m) => {
            let x = Extra {
                error: Some(format!("{}: {m}", person.username)),
                ..Extra::default()
            };
            render(&app, &u, None, x).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// Deactivates a person who left, then lists their open tickets.
pub async fn deactivate(
    State(app): State<App>,
    u: WebUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !permissions::is_admin(&u.p) {
        return admins_only(&u);
    }
    if !u.csrf_ok(&f.csrf) {
        return bad_csrf();
    }
    let Some(person) = administered(&app, &u, id).await else {
        return super::super::pages::not_found(&u);
    };
    if id == u.p.person.id {
        let x = Extra {
            error: Some(u.tr.t("keep_yourself").to_string()),
            ..Extra::default()
        };
        return render(&app, &u, None, x).await;
    }
    if let Err(e) = crate::auth::users::deactivate(&app, id).await {
        return crate::http::error::ApiError::from(e).into_response();
    }
    let held = crate::tickets::service::held_by(&app, id)
        .await
        .unwrap_or_default();
    let x = Extra {
        left: Some((format!("{} ({})", person.name, person.username), held)),
        ..Extra::default()
    };
    render(&app, &u, None, x).await
}
