//! `/api/v1/reports/{kind}`: reports as JSON or CSV, over the scope the
//! caller may read (`auth::permissions::report_scope`).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::app::App;
use crate::auth::{Principal, permissions};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::QueryMap;
use crate::mail::Lang;
use crate::reports::compliance::ComplianceReport;
use crate::reports::overdue::{self, OverdueReport};
use crate::validate::{Errors, FieldError};

pub fn router() -> Router<App> {
    Router::new()
        .route("/reports/overdue", get(overdue_report))
        .route("/reports/compliance", get(compliance_report))
        .route("/reports/durations", get(durations_report))
        .route("/reports/workload", get(workload_report))
}

/// Refuses parameters a report does not take.
fn known(q: &QueryMap, names: &[&str], e: &mut Errors) {
    for k in q.0.keys() {
        if !names.contains(&k.as_str()) {
            e.add(
                k,
                format!("is not a parameter of this report ({})", names.join(", ")),
            );
        }
    }
}

/// The unit named by `unit=`, if any (an unknown code is an error).
async fn unit_param(
    app: &App,
    q: &QueryMap,
    e: &mut Errors,
) -> Result<Option<crate::org::entity::unit::Model>, ApiError> {
    let Some(code) = q.0.get("unit") else {
        return Ok(None);
    };
    let unit = crate::org::service::unit_by_code(&app.db, code).await?;
    if unit.is_none() {
        e.add("unit", format!("no unit `{code}`"));
    }
    Ok(unit)
}

/// The closing period (`from`, `to`; the last month by default) and the
/// scope of a report over closed tickets.
async fn period_and_scope(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<
    (
        crate::reports::ReportScope,
        (chrono::NaiveDate, chrono::NaiveDate),
    ),
    ApiError,
> {
    let mut e = Errors::default();
    known(q, &["from", "to", "unit"], &mut e);
    let (default_from, default_to) =
        crate::reports::compliance::last_month(app.sla().local_date(app.now()));
    let mut day = |name: &str, default| match q.0.get(name) {
        None => Some(default),
        Some(v) => e.take(name, crate::validate::date(v)),
    };
    let (from, to) = (day("from", default_from), day("to", default_to));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        e.add("from", format!("{f} is after `to` ({t})"));
    }
    let unit = unit_param(app, q, &mut e).await?;
    let period = e
        .finish(from.zip(to))
        .map_err(|errors: Vec<FieldError>| ApiError::Invalid(errors))?;
    Ok((permissions::report_scope(p, unit.as_ref())?, period))
}

/// How long connection took (办电时长) for the tickets closed in a period
/// (the last month by default): mean, median, P90 and max, in working and
/// calendar days, in all, by voltage level, by category and per stage.
#[utoipa::path(get, path = "/api/v1/reports/durations", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first closing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last closing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
    ),
    responses((status = 200, body = crate::reports::durations::DurationsReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn durations_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    let (scope, period) = period_and_scope(&app, &p, &q).await?;
    Ok(Json(crate::reports::durations::report(&app, scope, period).await?).into_response())
}

/// Workload per customer manager now: open tickets managed and owned,
/// distinct customers, overdue now; tickets closed in the period (the last
/// month by default) and how many on time; per service center, customers
/// per manager against `[reports] customers_per_manager`.
#[utoipa::path(get, path = "/api/v1/reports/workload", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first closing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last closing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
    ),
    responses((status = 200, body = crate::reports::workload::WorkloadReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn workload_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    let (scope, period) = period_and_scope(&app, &p, &q).await?;
    Ok(Json(crate::reports::workload::report(&app, scope, period).await?).into_response())
}

/// All-stage compliance (达标) of the tickets closed in a period (the last
/// month by default): per service center and in all, on time overall, on
/// time in every limited stage, working days gross and net of pauses; per
/// stage, within limit, mean and P90 working days.
#[utoipa::path(get, path = "/api/v1/reports/compliance", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first closing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last closing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
    ),
    responses((status = 200, body = ComplianceReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn compliance_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    let (scope, period) = period_and_scope(&app, &p, &q).await?;
    Ok(Json(crate::reports::compliance::report(&app, scope, period).await?).into_response())
}

/// How a report is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The overdue report as of any instant: tickets open (or paused) then with
/// their deadline, as it stood then, passed; and those due soon (red or
/// yellow). `format=csv` (UTF-8 with BOM) or `format=xlsx` for Excel, in
/// your language.
#[utoipa::path(get, path = "/api/v1/reports/overdue", tag = "reports",
    params(
        ("as_of" = Option<String>, Query, description = "an RFC 3339 instant, or a date (its start); now by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("format" = Option<String>, Query, description = "json (default), csv or xlsx"),
    ),
    responses((status = 200, body = OverdueReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn overdue_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    let mut e = Errors::default();
    known(&q, &["as_of", "unit", "format"], &mut e);
    let as_of = e.take(
        "as_of",
        crate::reports::parse_as_of(q.0.get("as_of").map(String::as_str), &app.sla()),
    );
    let format = e.take(
        "format",
        match q.0.get("format").map(String::as_str) {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(other) => Err(format!("`{other}` is not one of json, csv, xlsx")),
        },
    );
    let unit = unit_param(&app, &q, &mut e).await?;
    let (as_of, format) = e
        .finish(as_of.zip(format))
        .map_err(|errors: Vec<FieldError>| ApiError::Invalid(errors))?;
    let scope = permissions::report_scope(&p, unit.as_ref())?;
    let report = overdue::report(&app, scope, as_of).await?;
    let lang = Lang::from_pref(&p.person.lang);
    let (body, content_type, file) = match format {
        Format::Json => return Ok(Json(report).into_response()),
        Format::Csv => (
            crate::reports::csv::overdue(&report, lang, app.zone()),
            "text/csv; charset=utf-8",
            "attachment; filename=\"overdue.csv\"",
        ),
        Format::Xlsx => {
            let who = crate::reports::xlsx::Provenance {
                generated_at: app.now(),
                generated_by: p.person.username.clone(),
                zone: app.zone(),
            };
            (
                crate::reports::xlsx::overdue(&report, lang, &who)
                    .map_err(|e| ApiError::Internal(e.into()))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "attachment; filename=\"overdue.xlsx\"",
            )
        }
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(file));
    Ok(res)
}
