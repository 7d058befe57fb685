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
use crate::reports::overdue::{self, OverdueReport};
use crate::validate::{Errors, FieldError};

pub fn router() -> Router<App> {
    Router::new().route("/reports/overdue", get(overdue_report))
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
    for k in q.0.keys() {
        if !["as_of", "unit", "format"].contains(&k.as_str()) {
            e.add(k, "is not a parameter of this report (as_of, unit, format)");
        }
    }
    let as_of = e.take(
        "as_of",
        crate::reports::parse_as_of(q.0.get("as_of").map(String::as_str), app.now(), &app.sla()),
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
    let unit = match q.0.get("unit") {
        None => None,
        Some(code) => match crate::org::service::unit_by_code(&app.db, code).await? {
            Some(u) => Some(u),
            None => {
                e.add("unit", format!("no unit `{code}`"));
                None
            }
        },
    };
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
