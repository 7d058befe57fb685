//! `/metrics` (Prometheus text format) and the HTTP figures: requests by
//! matched route, method and status, and latency by matched route.
//!
//! On `server.bind`, `/metrics` asks for the bearer token
//! `metrics.token` (and is not there without one); on the separate
//! `metrics.bind` listener it is open, for a scraper inside the cluster.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::App;

/// Who a request acted as: the authentication extractors write the
/// person's id here, the request's log line reads it.
#[derive(Clone, Default)]
pub struct Acting(Arc<AtomicI64>);

impl Acting {
    /// Notes that the request `parts` acts as person `id`.
    pub fn note(parts: &axum::http::request::Parts, id: i64) {
        if let Some(a) = parts.extensions.get::<Acting>() {
            a.0.store(id, Ordering::Relaxed);
        }
    }
}

/// The request's id: the caller's `x-request-id` when it is a sane token,
/// else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map_or_else(
            || {
                let mut b = [0u8; 8];
                let _ = getrandom::fill(&mut b);
                b.iter().map(|x| format!("{x:02x}")).collect()
            },
            String::from,
        )
}

/// Counts a request that matched a route, times it, and writes its log
/// line (request id — also answered as `x-request-id` —, route, status,
/// latency, the person acting).
pub async fn track(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let id = request_id(&req);
    let acting = Acting::default();
    req.extensions_mut().insert(acting.clone());
    let started = Instant::now();
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    let status = res.status().as_u16().to_string();
    let took = started.elapsed().as_secs_f64();
    let person = acting.0.load(Ordering::Relaxed);
    tracing::info!(
        target: "yekuo::request",
        request_id = %id,
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        latency_ms = (took * 1000.0 * 10.0).round() / 10.0,
        person_id = (person > 0).then_some(person),
        "request"
    );
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
