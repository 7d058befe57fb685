//! REST JSON API under `/api/v1` and its OpenAPI 3.1 description.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::app::App;
use crate::sla::SlaPolicy;

pub mod calendar;
pub mod tickets;

/// The OpenAPI document served at `/api-docs/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "yekuo API", description = "Large-customer connection work orders (业扩报装工单): tickets, working-day deadlines, stage SLAs."),
    paths(
        tickets::create, tickets::list, tickets::show, tickets::update, tickets::events, tickets::explain,
        tickets::advance, tickets::pause, tickets::resume, tickets::close, tickets::cancel, tickets::reopen,
        policy, calendar::add, calendar::between,
    ),
    tags((name = "tickets", description = "Connection tickets"), (name = "reference", description = "Policy and calendar"))
)]
pub struct ApiDoc;

pub fn router() -> Router<App> {
    Router::new()
        .merge(tickets::router())
        .merge(calendar::router())
        .route("/policy", get(policy))
}

/// Ticket categories and limits, stages and their limits, pause reasons.
#[utoipa::path(get, path = "/api/v1/policy", tag = "reference", responses((status = 200, body = SlaPolicy)))]
async fn policy(State(app): State<App>) -> Json<SlaPolicy> {
    Json((*app.policy).clone())
}
