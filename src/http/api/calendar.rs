//! `/api/v1/calendar`: working-day arithmetic for other programs.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::http::error::{ApiError, Problem};
use crate::http::extract::QueryMap;
use crate::validate::FieldError;

pub fn router() -> Router<App> {
    Router::new()
        .route("/calendar/add", get(add))
        .route("/calendar/between", get(between))
        .route("/calendar", get(info))
}

fn date_param(q: &QueryMap, name: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let parsed = match q.0.get(name) {
        None => Err("is required".to_string()),
        Some(v) => crate::validate::date(v),
    };
    parsed
        .map_err(|message| {
            errors.push(FieldError {
                field: name.into(),
                message,
            })
        })
        .ok()
}

/// A working-day answer; `provisional` when it reaches an unannounced year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarAnswer {
    pub date: Option<NaiveDate>,
    pub working_days: Option<i64>,
    pub provisional: bool,
    pub calendar_version: String,
}

/// The loaded working-day calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarInfo {
    /// The files loaded, with a hash of their contents.
    pub version: String,
    pub first_covered: NaiveDate,
    pub last_covered: NaiveDate,
    /// Dates after `last_covered` are provisional (weekend rule).
    pub last_covered_year: i32,
}

/// Which calendar is loaded and what it covers.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "reference",
    responses((status = 200, body = CalendarInfo), (status = 401, body = Problem)))]
async fn info(State(app): State<App>, _p: crate::auth::Principal) -> Json<CalendarInfo> {
    Json(CalendarInfo {
        version: app.calendar.version().to_string(),
        first_covered: app.calendar.first_covered(),
        last_covered: app.calendar.last_covered(),
        last_covered_year: app.calendar.last_covered_year(),
    })
}

/// The nth working day strictly after `start`.
#[utoipa::path(get, path = "/api/v1/calendar/add", tag = "reference",
    params(("start" = String, Query, description = "YYYY-MM-DD"), ("n" = u32, Query, description = "working days, 0–1000")),
    responses((status = 200, body = CalendarAnswer), (status = 422, body = Problem)))]
async fn add(
    State(app): State<App>,
    _p: crate::auth::Principal,
    q: QueryMap,
) -> Result<Json<CalendarAnswer>, ApiError> {
    let mut errors = Vec::new();
    let start = date_param(&q, "start", &mut errors);
    let n =
        q.0.get("n")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n <= 1000);
    if n.is_none() {
        errors.push(FieldError {
            field: "n".into(),
            message: "must be an integer from 0 to 1000".into(),
        });
    }
    let (Some(start), Some(n)) = (start, n) else {
        return Err(ApiError::Invalid(errors));
    };
    let d = app.calendar.add_provisional(start, n);
    Ok(Json(CalendarAnswer {
        date: Some(d.date),
        working_days: Some(n.into()),
        provisional: d.provisional,
        calendar_version: app.calendar.version().to_string(),
    }))
}

/// Working days in (a, b].
#[utoipa::path(get, path = "/api/v1/calendar/between", tag = "reference",
    params(("a" = String, Query, description = "YYYY-MM-DD"), ("b" = String, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = CalendarAnswer), (status = 422, body = Problem)))]
async fn between(
    State(app): State<App>,
    _p: crate::auth::Principal,
    q: QueryMap,
) -> Result<Json<CalendarAnswer>, ApiError> {
    let mut errors = Vec::new();
    let a = date_param(&q, "a", &mut errors);
    let b = date_param(&q, "b", &mut errors);
    let (Some(a), Some(b)) = (a, b) else {
        return Err(ApiError::Invalid(errors));
    };
    let (n, provisional) = app.calendar.between_provisional(a, b);
    Ok(Json(CalendarAnswer {
        date: None,
        working_days: Some(n),
        provisional,
        calendar_version: app.calendar.version().to_string(),
    }))
}
