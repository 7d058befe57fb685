//! `/metrics` (Prometheus text format) and the HTTP figures: requests by
//! matched route, method and status, and latency by matched route.
//!
//! On `server.bind`, `/metrics` asks for the bearer token
//! `metrics.token` (and is not there without one); on the separate
//! `metrics.bind` listener it is open, for a scraper inside the cluster.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::App;

/// Counts a request that matched a route and times it.
pub async fn track(State(app): State<App>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let took = started.elapsed().as_secs_f64();
    app.metrics.record(|| {
        metrics::counter!("yekuo_http_requests_total",
            "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
        metrics::histogram!("yekuo_http_request_duration_seconds", "route" => route).record(took);
    });
    res
}

/// The figures, with the figures read at scrape time (the calendar's
/// coverage) brought up to date first.
fn exposition(app: &App) -> Response {
    let today = app.sla().local_date(app.now());
    let last = app.calendar.last_covered();
    app.metrics.record(|| {
        metrics::gauge!("yekuo_calendar_last_covered_timestamp_seconds")
            .set(app.sla().end_of(last).timestamp() as f64);
        metrics::gauge!("yekuo_calendar_days_left").set((last - today).num_days() as f64);
    });
    let mut res = app.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

/// `/metrics` on the main listener: the bearer token, or nothing.
pub async fn guarded(State(app): State<App>, headers: HeaderMap) -> Response {
    let token = &app.config.raw.metrics.token;
    if token.is_empty() {
        return crate::http::error::ApiError::NotFound("no such route".into()).into_response();
    }
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !crate::auth::secret::same(sent, token.expose()) {
        let mut res = (
            StatusCode::UNAUTHORIZED,
            "the metrics token is missing or wrong",
        )
            .into_response();
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    }
    exposition(&app)
}

/// `/metrics` on its own listener (`metrics.bind`), open.
async fn open(State(app): State<App>) -> Response {
    exposition(&app)
}

/// The separate listener's router.
pub fn router(app: App) -> Router {
    Router::new().route("/metrics", get(open)).with_state(app)
}
