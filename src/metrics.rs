//! The figures operators watch, in Prometheus' text format (served at
//! `/metrics` by `crate::http::metrics`). Built on the `metrics` facade
//! with `metrics-exporter-prometheus`; each [`App`](crate::app::App) has
//! its own recorder (not a process-wide one), so two apps in one process
//! — the tests — never mix their figures.
//!
//! Counters move where things happen (requests, escalations, mails, job
//! runs). Gauges of the work (open tickets by light, level and status per
//! bureau; the outbox; coordination by department) are set by the
//! `gauges` job every minute under its lease, so a scrape only renders
//! what is there and never reads a ticket.

use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Latency buckets (seconds) of HTTP requests and job runs.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// An app's recorder and the handle that renders it.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        let m = Metrics { recorder, handle };
        m.record(|| {
            metrics::gauge!(
                "yekuo_build_info",
                "version" => env!("CARGO_PKG_VERSION"),
                "commit" => option_env!("YEKUO_COMMIT").unwrap_or("unknown"),
            )
            .set(1.0);
        });
        m
    }

    /// Runs `f` with this app's recorder: the `metrics` macros inside
    /// record here.
    pub fn record<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    /// Everything recorded, in Prometheus' text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Sets the gauges of the work from the database: open tickets per bureau
/// by light, escalation level and status; the outbox (pending, failed,
/// the oldest pending's age); coordination requests waiting on each
/// department and those past their answer day. Run by the `gauges` job,
/// never by a scrape. Every combination is set, zeros included, so a
/// figure that falls to nothing shows 0 rather than its last value.
pub async fn measure_work(app: &crate::app::App) -> Result<(), crate::error::ServiceError> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

    use crate::tickets::entity::ticket::{self, Column as C, Status};

    let units = crate::org::service::all_units(&app.db).await?;
    let code = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.code.clone())
    };
    let bureaus: Vec<i64> = units
        .iter()
        .filter(|u| u.kind == crate::org::UnitKind::Bureau.as_str())
        .map(|u| u.id)
        .collect();
    let live = [Status::Open, Status::Paused];
    // Per bureau, each light and status: ranges of the bureau's (status,
    // due) index, a few milliseconds each even at a million tickets.
    let mut lights = Vec::new();
    let mut statuses = Vec::new();
    for &b in &bureaus {
        let here = sea_orm::Condition::all().add(C::BureauId.eq(b));
        let counts = crate::tickets::service::count_by_light(app, here.clone()).await?;
        lights.push((b, counts));
        for status in live {
            let n = ticket::Entity::find()
                .filter(here.clone())
                .filter(C::Status.eq(status))
                .count(&app.db)
                .await?;
            statuses.push((b, status, n));
        }
    }
    let levels: Vec<(i64, i32, i64)> = ticket::Entity::find()
        .select_only()
        .column(C::BureauId)
        .column(C::EscalationLevel)
        .column_as(C::Id.count(), "n")
        .filter(C::Status.is_in(live))
        .group_by(C::BureauId)
        .group_by(C::EscalationLevel)
        .into_tuple()
        .all(&app.db)
        .await?;
    // Every rung of every category's ladder, and any level a ticket holds.
    let top = app
        .policy
        .categories
        .iter()
        .map(|c| app.ladder.for_category(c.key.as_str()).top() as i32)
        .chain(levels.iter().map(|r| r.1))
        .max()
        .unwrap_or(0);
    let outbox = crate::mail::outbox_gauges(app).await?;
    let waiting = crate::coordination::views::waiting_by_department(app, None).await?;
    let departments: Vec<i64> = units
        .iter()
        .filter(|u| u.kind == crate::org::UnitKind::Department.as_str())
        .map(|u| u.id)
        .collect();
    app.metrics.record(|| {
        for &b in &bureaus {
            let bureau = code(b);
            let counts = lights.iter().find(|(x, _)| *x == b).map(|(_, c)| c);
            for (i, (_, name)) in crate::tickets::service::LIGHTS.iter().enumerate() {
                let n = counts.and_then(|c| c.get(i)).copied().unwrap_or(0);
                metrics::gauge!("yekuo_tickets_open", "bureau" => bureau.clone(), "light" => *name)
                    .set(n as f64);
            }
            for (x, status, n) in &statuses {
                if *x == b {
                    metrics::gauge!("yekuo_tickets_live",
                        "bureau" => bureau.clone(), "status" => status.as_str())
                    .set(*n as f64);
                }
            }
            for level in 0..=top {
                let n = levels
                    .iter()
                    .find(|(x, l, _)| *x == b && *l == level)
                    .map_or(0.0, |r| r.2 as f64);
                metrics::gauge!("yekuo_tickets_live_by_level",
                    "bureau" => bureau.clone(), "level" => level.to_string())
                .set(n);
            }
        }
        metrics::gauge!("yekuo_outbox_pending").set(outbox.pending as f64);
        metrics::gauge!("yekuo_outbox_failed").set(outbox.failed as f64);
        metrics::gauge!("yekuo_outbox_oldest_pending_age_seconds").set(outbox.oldest_pending_age);
        for &d in &departments {
            let (open, late) = waiting
                .iter()
                .find(|(x, _, _)| *x == d)
                .map_or((0, 0), |r| (r.1, r.2));
            metrics::gauge!("yekuo_coordination_waiting", "department" => code(d)).set(open as f64);
            metrics::gauge!("yekuo_coordination_overdue", "department" => code(d)).set(late as f64);
        }
    });
    Ok(())
}
