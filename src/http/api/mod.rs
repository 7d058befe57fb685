//! REST JSON API under `/api/v1` and its OpenAPI 3.1 description.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::app::App;
use crate::sla::SlaPolicy;

pub mod accountability;
pub mod auth;
pub mod calendar;
pub mod coordination;
pub mod mail;
pub mod org;
pub mod reports;
pub mod tickets;

/// The OpenAPI document served at `/api-docs/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "yekuo API", description = "Large-customer connection work orders (业扩报装工单): tickets, working-day deadlines, stage SLAs."),
    paths(
        tickets::create, tickets::list, tickets::show, tickets::update, tickets::events, tickets::verify, tickets::explain,
        tickets::advance, tickets::pause, tickets::resume, tickets::close, tickets::cancel, tickets::reopen,
        tickets::reassign, tickets::ladder, tickets::hand_back,
        policy, config, calendar::info, calendar::add, calendar::between,
        auth::login, auth::logout, auth::me, auth::create_token, auth::list_tokens, auth::revoke_token,
        auth::list_sessions, auth::revoke_session,
        org::list_units, org::create_unit, org::list_people, org::create_person, org::show_person,
        org::deactivate, org::open_tickets, org::import,
        mail::list, mail::retry,
        coordination::file, coordination::by_ticket, coordination::by_department, coordination::show,
        coordination::answer, coordination::withdraw, coordination::decision, coordination::feedback,
        reports::overdue_report, reports::compliance_report, reports::durations_report,
        reports::workload_report, reports::accountability_report, reports::coordination_report,
        reports::snapshot,
        accountability::record, accountability::of_ticket, accountability::list, accountability::show,
        accountability::complete,
    ),
    tags((name = "tickets", description = "Connection tickets"), (name = "access", description = "Login, sessions, API tokens"),
        (name = "org", description = "Organisation chart and people"),
        (name = "mail", description = "The mail outbox"),
        (name = "coordination", description = "Cross-department coordination requests"),
        (name = "reports", description = "Overdue and compliance reports"),
        (name = "accountability", description = "The accountability register (问责、约谈、通报)"), (name = "reference", description = "Policy and calendar")),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

pub fn router() -> Router<App> {
    Router::new()
        .merge(tickets::router())
        .merge(calendar::router())
        .merge(auth::router())
        .merge(org::router())
        .merge(mail::router())
        .merge(coordination::router())
        .merge(reports::router())
        .merge(accountability::router())
        .route("/policy", get(policy))
        .route("/admin/config", get(config))
        .method_not_allowed_fallback(crate::http::method_not_allowed)
}

/// The configuration in force, secrets masked (admins).
#[utoipa::path(get, path = "/api/v1/admin/config", tag = "reference",
    responses((status = 200, body = Object), (status = 401, body = crate::http::error::Problem), (status = 403, body = crate::http::error::Problem)))]
async fn config(
    State(app): State<App>,
    p: crate::auth::Principal,
) -> Result<Json<serde_json::Value>, crate::http::error::ApiError> {
    if !crate::auth::permissions::is_admin(&p) {
        return Err(crate::http::error::ApiError::Forbidden(
            "only admins view the configuration".into(),
        ));
    }
    Ok(Json(app.config.public_view()))
}

/// Ticket categories and limits, stages and their limits, pause reasons.
#[utoipa::path(get, path = "/api/v1/policy", tag = "reference", responses((status = 200, body = SlaPolicy)))]
async fn policy(State(app): State<App>, _p: crate::auth::Principal) -> Json<SlaPolicy> {
    Json((*app.policy).clone())
}

/// Declares the two ways to authenticate in the OpenAPI document.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("yekuo_session"))),
        );
    }
}
