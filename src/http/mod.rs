//! The HTTP server: JSON API under `/api/v1`, OpenAPI and its offline
//! browser at `/docs`, health probes. Handlers are thin.

use std::future::Future;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::app::App;

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
pub mod ical;
pub mod metrics;
pub mod web;

/// The whole application router.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest("/api/v1", api::router())
        .merge(web::router())
        .merge(SwaggerUi::new("/docs").url("/api-docs/openapi.json", api::ApiDoc::openapi()))
        .route("/metrics", get(metrics::guarded))
        .route("/ical/{file}", get(ical::feed))
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            metrics::track,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database answers.
async fn readyz(State(app): State<App>) -> (StatusCode, Json<serde_json::Value>) {
    match app.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ready", "database": "ok"})),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "not ready", "database": "unreachable"})),
            )
        }
    }
}

async fn not_found() -> error::ApiError {
    error::ApiError::NotFound("no such route".into())
}

/// A route that exists, asked with a method it does not answer (axum adds
/// the `Allow` header naming those it does).
pub(crate) async fn method_not_allowed(method: axum::http::Method) -> error::ApiError {
    error::ApiError::MethodNotAllowed(format!("this route does not answer {method}"))
}
