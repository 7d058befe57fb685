//! `/api/v1/reports/{kind}`: reports as JSON, or (`format=csv|xlsx`) as the
//! files their writers make (`reports::xlsx::Export`), over the scope the
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
use crate::reports::xlsx::{Export, FileFormat, Provenance, Render};
use crate::validate::{Errors, FieldError};

pub fn router() -> Router<App> {
    Router::new()
        .route("/reports/overdue", get(overdue_report))
        .route("/reports/compliance", get(compliance_report))
        .route("/reports/durations", get(durations_report))
        .route("/reports/workload", get(workload_report))
        .route("/reports/accountability", get(accountability_report))
        .route("/reports/coordination", get(coordination_report))
        .route("/reports/snapshots/{month}", get(snapshot))
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

/// The scope and closing period of a report over closed tickets.
type PeriodAndScope = (
    crate::reports::ReportScope,
    (chrono::NaiveDate, chrono::NaiveDate),
);

/// The closing period (`from`, `to`; the last month by default), the scope
/// of a report over closed tickets, and `format=`.
async fn period_scope_and_format(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<(PeriodAndScope, Option<FileFormat>), ApiError> {
    let mut e = Errors::default();
    let format = format_param(q, &mut e);
    let ps = period_and_scope_with(app, p, q, &["format"], e).await?;
    // A bad format was refused with the other parameters.
    Ok((ps, format.flatten()))
}

/// The period and scope, with the parameters `more` also taken, and the
/// errors found in them so far.
async fn period_and_scope_with(
    app: &App,
    p: &Principal,
    q: &QueryMap,
    more: &[&str],
    mut e: Errors,
) -> Result<PeriodAndScope, ApiError> {
    let names: Vec<&str> = ["from", "to", "unit"].iter().chain(more).copied().collect();
    known(q, &names, &mut e);
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
/// `format=csv` (UTF-8 with BOM) or `format=xlsx` for Excel, in your
/// language.
#[utoipa::path(get, path = "/api/v1/reports/durations", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first closing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last closing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("format" = Option<String>, Query, description = "json (default), csv or xlsx"),
    ),
    responses((status = 200, body = crate::reports::durations::DurationsReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn durations_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    durations_of(&app, &p, &q).await?.send(&app, &p)
}

/// The durations report the parameters ask for.
pub(crate) async fn durations_of(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<Built<crate::reports::durations::DurationsReport>, ApiError> {
    let ((scope, period), format) = period_scope_and_format(app, p, q).await?;
    // A closed month is read from its snapshot.
    let compute = crate::reports::durations::report(app, scope, period);
    let (report, snapshot) =
        crate::reports::snapshots::frozen_or(app, scope, period, "durations", compute).await?;
    Ok(Built {
        report,
        format,
        snapshot,
    })
}

/// Workload per customer manager now: open tickets managed and owned,
/// distinct customers, overdue now; tickets closed in the period (the last
/// month by default) and how many on time; per service center, customers
/// per manager against `[reports] customers_per_manager`. `format=csv`
/// (UTF-8 with BOM) or `format=xlsx` for Excel, in your language.
#[utoipa::path(get, path = "/api/v1/reports/workload", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first closing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last closing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("format" = Option<String>, Query, description = "json (default), csv or xlsx"),
    ),
    responses((status = 200, body = crate::reports::workload::WorkloadReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn workload_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    workload_of(&app, &p, &q).await?.send(&app, &p)
}

/// The workload report the parameters ask for.
pub(crate) async fn workload_of(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<Built<crate::reports::workload::WorkloadReport>, ApiError> {
    let ((scope, period), format) = period_scope_and_format(app, p, q).await?;
    let report = crate::reports::workload::report(app, scope, period).await?;
    Ok(Built {
        report,
        format,
        snapshot: None,
    })
}

/// All-stage compliance (达标) of the tickets closed in a period (the last
/// month by default): per service center and in all, on time overall, on
/// time in every limited stage, working days gross and net of pauses; per
/// stage, within limit, mean and P90 working days. `format=csv` (UTF-8
/// with BOM) or `format=xlsx` for Excel, in your language.
#[utoipa::path(get, path = "/api/v1/reports/compliance", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first closing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last closing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("format" = Option<String>, Query, description = "json (default), csv or xlsx"),
    ),
    responses((status = 200, body = ComplianceReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn compliance_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    compliance_of(&app, &p, &q).await?.send(&app, &p)
}

/// The compliance report the parameters ask for.
pub(crate) async fn compliance_of(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<Built<ComplianceReport>, ApiError> {
    let ((scope, period), format) = period_scope_and_format(app, p, q).await?;
    // A closed month is read from its snapshot.
    let compute = crate::reports::compliance::report(app, scope, period);
    let (report, snapshot) =
        crate::reports::snapshots::frozen_or(app, scope, period, "compliance", compute).await?;
    Ok(Built {
        report,
        format,
        snapshot,
    })
}

/// A report computed for its parameters: the report, the file format asked
/// for (`None`: JSON), and the monthly snapshot it was read from, if any.
pub(crate) struct Built<R> {
    pub report: R,
    pub format: Option<FileFormat>,
    pub snapshot: Option<String>,
}

impl<R: Export> Built<R> {
    /// The answer: the report in its format, a snapshot marked
    /// (`Yekuo-Snapshot: 2026-05 v1`).
    fn send(self, app: &App, p: &Principal) -> Result<Response, ApiError> {
        let mut res = send(app, p, self.report, self.format)?;
        if let Some(label) = self.snapshot {
            let v = HeaderValue::from_str(&label).map_err(|e| ApiError::Internal(e.into()))?;
            res.headers_mut().insert("yekuo-snapshot", v);
        }
        Ok(res)
    }
}

/// `format=`: `None` (JSON) or a file; `None` inside when refused.
fn format_param(q: &QueryMap, e: &mut Errors) -> Option<Option<FileFormat>> {
    e.take(
        "format",
        FileFormat::parse(q.0.get("format").map(String::as_str)),
    )
}

/// `r` as JSON, or as the file `format` says in the caller's language,
/// with its type and a file name.
fn send<R: Export>(
    app: &App,
    p: &Principal,
    r: R,
    format: Option<FileFormat>,
) -> Result<Response, ApiError> {
    let Some(format) = format else {
        return Ok(Json(r).into_response());
    };
    let who = Provenance {
        generated_at: app.now(),
        generated_by: p.person.username.clone(),
        zone: app.zone(),
    };
    let how = Render {
        lang: Lang::from_pref(&p.person.lang),
        who: &who,
        policy: &app.policy,
    };
    let body = format
        .write(&r, &how)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let file = format!("attachment; filename=\"{}\"", format.file_name::<R>());
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&file).map_err(|e| ApiError::Internal(e.into()))?,
    );
    Ok(res)
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
    overdue_of(&app, &p, &q).await?.send(&app, &p)
}

/// The overdue report the parameters ask for.
pub(crate) async fn overdue_of(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<Built<OverdueReport>, ApiError> {
    let mut e = Errors::default();
    known(q, &["as_of", "unit", "format"], &mut e);
    let as_of = e.take(
        "as_of",
        crate::reports::parse_as_of(q.0.get("as_of").map(String::as_str), &app.sla()),
    );
    let format = format_param(q, &mut e);
    let unit = unit_param(app, q, &mut e).await?;
    let (as_of, format) = e
        .finish(as_of.zip(format))
        .map_err(|errors: Vec<FieldError>| ApiError::Invalid(errors))?;
    let scope = permissions::report_scope(p, unit.as_ref())?;
    let report = overdue::report(app, scope, as_of).await?;
    Ok(Built {
        report,
        format,
        snapshot: None,
    })
}

/// The scope and filter of the accountability register: `unit`, `from`,
/// `to` (action dates, both optional), `state` (open or completed), and
/// `extra` parameters the caller reads itself.
pub(super) async fn register_params(
    app: &App,
    p: &Principal,
    q: &QueryMap,
    extra: &[&str],
) -> Result<RegisterParams, ApiError> {
    register_params_with(app, p, q, extra, Errors::default()).await
}

/// The scope and filter of the accountability register.
pub(super) type RegisterParams = (
    crate::reports::ReportScope,
    crate::reports::accountability::Filter,
);

/// `register_params` with the errors found in the `extra` parameters so
/// far (refused with the others).
async fn register_params_with(
    app: &App,
    p: &Principal,
    q: &QueryMap,
    extra: &[&str],
    mut e: Errors,
) -> Result<RegisterParams, ApiError> {
    use crate::reports::accountability::{EntryState, Filter};
    let mut names = vec!["unit", "from", "to", "state"];
    names.extend_from_slice(extra);
    known(q, &names, &mut e);
    let from = e.opt(
        "from",
        q.0.get("from").map(String::as_str),
        crate::validate::date,
    );
    let to = e.opt(
        "to",
        q.0.get("to").map(String::as_str),
        crate::validate::date,
    );
    if let (Some(Some(f)), Some(Some(t))) = (from, to)
        && f > t
    {
        e.add("from", format!("{f} is after `to` ({t})"));
    }
    let state = e.opt(
        "state",
        q.0.get("state").map(String::as_str),
        EntryState::parse,
    );
    let unit = unit_param(app, q, &mut e).await?;
    let filter = e
        .finish((|| {
            Some(Filter {
                from: from?,
                to: to?,
                state: state?,
            })
        })())
        .map_err(|errors: Vec<FieldError>| ApiError::Invalid(errors))?;
    Ok((permissions::report_scope(p, unit.as_ref())?, filter))
}

/// The accountability register as a report: entries by action date with
/// their state, and counts per kind (the same as `/api/v1/accountability`).
/// `format=csv` (UTF-8 with BOM) or `format=xlsx` for Excel, in your
/// language.
#[utoipa::path(get, path = "/api/v1/reports/accountability", tag = "reports",
    params(
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("from" = Option<String>, Query, description = "first action date (YYYY-MM-DD); all by default"),
        ("to" = Option<String>, Query, description = "last action date, inclusive; all by default"),
        ("state" = Option<String>, Query, description = "open or completed; both by default"),
        ("format" = Option<String>, Query, description = "json (default), csv or xlsx"),
    ),
    responses((status = 200, body = crate::reports::accountability::AccountabilityReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn accountability_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    accountability_of(&app, &p, &q).await?.send(&app, &p)
}

/// The accountability register the parameters ask for.
pub(crate) async fn accountability_of(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<Built<crate::reports::accountability::AccountabilityReport>, ApiError> {
    let mut e = Errors::default();
    let format = format_param(q, &mut e);
    let (scope, filter) = register_params_with(app, p, q, &["format"], e).await?;
    // A bad format was refused with the other parameters.
    let report = crate::reports::accountability::report(app, scope, filter).await?;
    Ok(Built {
        report,
        format: format.flatten(),
        snapshot: None,
    })
}

/// How departments answer coordination requests filed in a period (the
/// last month by default): received, answered within the answer day,
/// median answer time in working hours, open and overdue now, settled at
/// the weekly meeting. `format=csv` (UTF-8 with BOM) or `format=xlsx` for
/// Excel, in your language.
#[utoipa::path(get, path = "/api/v1/reports/coordination", tag = "reports",
    params(
        ("from" = Option<String>, Query, description = "first filing day (YYYY-MM-DD); the first of last month by default"),
        ("to" = Option<String>, Query, description = "last filing day, inclusive; the last of last month by default"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("format" = Option<String>, Query, description = "json (default), csv or xlsx"),
    ),
    responses((status = 200, body = crate::reports::coordination::CoordinationReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn coordination_report(
    State(app): State<App>,
    p: Principal,
    q: QueryMap,
) -> Result<Response, ApiError> {
    coordination_of(&app, &p, &q).await?.send(&app, &p)
}

/// The coordination report the parameters ask for.
pub(crate) async fn coordination_of(
    app: &App,
    p: &Principal,
    q: &QueryMap,
) -> Result<Built<crate::reports::coordination::CoordinationReport>, ApiError> {
    let ((scope, period), format) = period_scope_and_format(app, p, q).await?;
    let report = crate::reports::coordination::report(app, scope, period).await?;
    Ok(Built {
        report,
        format,
        snapshot: None,
    })
}

/// A closed month's reports as frozen for a bureau or service center
/// (`unit`, your widest by default): the latest version, or `version`;
/// with the differences a restatement made.
#[utoipa::path(get, path = "/api/v1/reports/snapshots/{month}", tag = "reports",
    params(
        ("month" = String, Path, description = "YYYY-MM"),
        ("unit" = Option<String>, Query, description = "a bureau or service center code you oversee; your widest scope by default"),
        ("version" = Option<i32>, Query, description = "a version (1 = as closed); the latest by default"),
    ),
    responses((status = 200, body = crate::reports::snapshots::SnapshotView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn snapshot(
    State(app): State<App>,
    p: Principal,
    axum::extract::Path(month): axum::extract::Path<String>,
    q: QueryMap,
) -> Result<Json<crate::reports::snapshots::SnapshotView>, ApiError> {
    use crate::reports::ReportScope;
    use crate::reports::snapshots::{Month, read};
    let mut e = Errors::default();
    known(&q, &["unit", "version"], &mut e);
    let m = e.take("month", Month::parse(&month));
    let version = e.opt("version", q.0.get("version").map(String::as_str), |v| {
        v.parse::<i32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("`{v}` is not a version (1, 2, …)"))
    });
    let unit = unit_param(&app, &q, &mut e).await?;
    let (m, version) = e
        .finish(m.zip(version))
        .map_err(|errors: Vec<FieldError>| ApiError::Invalid(errors))?;
    let id = match permissions::report_scope(&p, unit.as_ref())? {
        ReportScope::Bureau(id) | ReportScope::Center(id) => id,
        ReportScope::Manager(_) => {
            return Err(ApiError::Forbidden(
                "snapshots are kept for bureaus and service centers".into(),
            ));
        }
    };
    let u = crate::org::service::unit_by_id(&app.db, id).await?;
    read(&app, &u, m, version).await?.map(Json).ok_or_else(|| {
        ApiError::NotFound(match version {
            Some(v) => format!("{m} has no version {v} for {}", u.code),
            None => format!("{m} is not closed for {}", u.code),
        })
    })
}
