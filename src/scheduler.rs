//! Scheduled jobs inside `serve` (tokio-cron-scheduler): the escalation
//! sweep, the mail delivery worker, the morning digest, the monthly
//! report snapshots and the gauges of the work (`crate::metrics`). Each
//! run is counted and timed, and first takes a lease row in
//! the database, so several instances on one PostgreSQL never run the same
//! job at once; correctness does not rest on the lease (the unique keys hold
//! regardless).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use serde::Deserialize;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use crate::app::App;
use crate::mail::Transport;

/// `[scheduler]`: the jobs inside `serve`.
#[derive(Debug, Clone, Deserialize)]
pub struct SchedulerConfig {
    pub enabled: bool,
    pub sweep_cron: String,
    pub delivery_cron: String,
    pub digest_cron: String,
    /// Closes last month's reports on the first working day of a month,
    /// and checks closed months again after a calendar or policy change.
    pub snapshot_cron: String,
    /// Sets the gauges of the work (open tickets by light, level and
    /// status per bureau; the outbox; coordination by department).
    #[serde(default = "every_minute")]
    pub gauges_cron: String,
    pub lease_seconds: u32,
}

fn every_minute() -> String {
    "15 * * * * *".into()
}

/// Runs job `job`, counting the run and timing it: a run that did its
/// work, one that found the lease held elsewhere, or a failure; the
/// instant of the last success.
async fn observed(
    app: &App,
    job: &'static str,
    run: impl Future<Output = anyhow::Result<bool>>,
) -> anyhow::Result<bool> {
    let started = std::time::Instant::now();
    let outcome = run.await;
    let took = started.elapsed().as_secs_f64();
    let now = app.now().timestamp() as f64;
    app.metrics.record(|| match &outcome {
        Ok(true) => {
            metrics::counter!("yekuo_job_runs_total", "job" => job).increment(1);
            metrics::histogram!("yekuo_job_duration_seconds", "job" => job).record(took);
            metrics::gauge!("yekuo_job_last_success_timestamp_seconds", "job" => job).set(now);
        }
        Ok(false) => {
            metrics::counter!("yekuo_job_lease_busy_total", "job" => job).increment(1);
        }
        Err(_) => {
            metrics::counter!("yekuo_job_failures_total", "job" => job).increment(1);
        }
    });
    outcome
}

/// The lease rows (`job_leases`).
pub mod lease {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "job_leases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub holder: String,
        pub expires_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Takes (or renews) the lease `name` for `holder` until `now + ttl`;
/// false while another holder's lease is live.
pub async fn try_lease<C: ConnectionTrait>(
    db: &C,
    name: &str,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let until = now + ttl;
    let res = lease::Entity::update_many()
        .col_expr(lease::Column::Holder, Expr::value(holder))
        .col_expr(lease::Column::ExpiresAt, Expr::value(until))
        .filter(lease::Column::Name.eq(name))
        .filter(
            sea_orm::Condition::any()
                .add(lease::Column::ExpiresAt.lte(now))
                .add(lease::Column::Holder.eq(holder)),
        )
        .exec(db)
        .await?;
    if res.rows_affected == 1 {
        return Ok(true);
    }
    let row = lease::ActiveModel {
        name: sea_orm::Set(name.to_string()),
        holder: sea_orm::Set(holder.to_string()),
        expires_at: sea_orm::Set(until),
    };
    let inserted = lease::Entity::insert(row)
        .on_conflict(
            OnConflict::column(lease::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// Gives the lease back early (after a run).
pub async fn release<C: ConnectionTrait>(db: &C, name: &str, holder: &str) -> Result<(), DbErr> {
    lease::Entity::delete_many()
        .filter(lease::Column::Name.eq(name))
        .filter(lease::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

/// One run of the sweep under its lease; returns whether it ran.
pub async fn run_sweep(app: &App, holder: &str) -> anyhow::Result<bool> {
    observed(app, "sweep", async {
        let now = app.now();
        let ttl = Duration::seconds(app.config.raw.scheduler.lease_seconds.into());
        if !try_lease(&app.writer, "sweep", holder, ttl, now).await? {
            return Ok(false);
        }
        let result = crate::escalation::sweep(app, now, false, crate::escalation::BATCH).await;
        release(&app.writer, "sweep", holder).await?;
        result?;
        Ok(true)
    })
    .await
}

/// One run of the delivery worker under its lease; returns whether it ran.
pub async fn run_delivery(app: &App, transport: &Transport, holder: &str) -> anyhow::Result<bool> {
    observed(app, "deliver", async {
        let now = app.now();
        let ttl = Duration::seconds(app.config.raw.scheduler.lease_seconds.into());
        if !try_lease(&app.writer, "deliver", holder, ttl, now).await? {
            return Ok(false);
        }
        let batch = app.config.raw.mail.batch_size;
        let result = crate::mail::deliver_due(app, transport, holder, batch).await;
        release(&app.writer, "deliver", holder).await?;
        result?;
        Ok(true)
    })
    .await
}

/// One run of the morning digest and weekly agenda checks under their
/// lease; returns whether it ran.
pub async fn run_digest(app: &App, holder: &str) -> anyhow::Result<bool> {
    observed(app, "digest", async {
        let now = app.now();
        let ttl = Duration::seconds(app.config.raw.scheduler.lease_seconds.into());
        if !try_lease(&app.writer, "digest", holder, ttl, now).await? {
            return Ok(false);
        }
        let digest = crate::coordination::digest::run_due(app).await;
        let agenda = crate::coordination::meeting::run_due(app).await;
        release(&app.writer, "digest", holder).await?;
        digest?;
        agenda?;
        Ok(true)
    })
    .await
}

/// One run of the monthly snapshots under their lease; returns whether it
/// ran.
pub async fn run_snapshots(app: &App, holder: &str) -> anyhow::Result<bool> {
    observed(app, "snapshots", async {
        let now = app.now();
        let ttl = Duration::seconds(app.config.raw.scheduler.lease_seconds.into());
        if !try_lease(&app.writer, "snapshots", holder, ttl, now).await? {
            return Ok(false);
        }
        let done = crate::reports::snapshots::run_due(app).await;
        release(&app.writer, "snapshots", holder).await?;
        for (month, unit, outcome) in done? {
            tracing::info!(%month, %unit, ?outcome, "report snapshot");
        }
        Ok(true)
    })
    .await
}

/// One run of the work's gauges under their lease (`crate::metrics`);
/// returns whether it ran.
pub async fn run_gauges(app: &App, holder: &str) -> anyhow::Result<bool> {
    observed(app, "gauges", async {
        let now = app.now();
        let ttl = Duration::seconds(app.config.raw.scheduler.lease_seconds.into());
        if !try_lease(&app.writer, "gauges", holder, ttl, now).await? {
            return Ok(false);
        }
        let result = crate::metrics::measure_work(app).await;
        release(&app.writer, "gauges", holder).await?;
        result?;
        Ok(true)
    })
    .await
}

/// Starts the jobs; stop them with `shutdown()` on the returned scheduler.
pub async fn start(app: App, transport: Arc<Transport>) -> Result<JobScheduler, JobSchedulerError> {
    let sched = JobScheduler::new().await?;
    let holder = crate::mail::worker_id();
    let cfg = app.config.raw.scheduler.clone();
    let (a, h) = (app.clone(), holder.clone());
    sched
        .add(Job::new_async_tz(cfg.sweep_cron.as_str(), app.zone(), move |_, _| {
            let (app, holder) = (a.clone(), h.clone());
            Box::pin(async move {
                if let Err(e) = run_sweep(&app, &holder).await {
                    tracing::error!(error = %e, "escalation sweep failed; it runs again at its next time");
                }
            })
        })?)
        .await?;
    let (a, h) = (app.clone(), holder.clone());
    sched
        .add(Job::new_async_tz(cfg.digest_cron.as_str(), app.zone(), move |_, _| {
            let (app, holder) = (a.clone(), h.clone());
            Box::pin(async move {
                if let Err(e) = run_digest(&app, &holder).await {
                    tracing::error!(error = %e, "morning digest failed; it is tried again next minute");
                }
            })
        })?)
        .await?;
    let (a, h) = (app.clone(), holder.clone());
    sched
        .add(Job::new_async_tz(cfg.snapshot_cron.as_str(), app.zone(), move |_, _| {
            let (app, holder) = (a.clone(), h.clone());
            Box::pin(async move {
                if let Err(e) = run_snapshots(&app, &holder).await {
                    tracing::error!(error = %e, "monthly report snapshots failed; they are tried again at the next run");
                }
            })
        })?)
        .await?;
    let (a, h) = (app.clone(), holder.clone());
    sched
        .add(Job::new_async_tz(cfg.gauges_cron.as_str(), app.zone(), move |_, _| {
            let (app, holder) = (a.clone(), h.clone());
            Box::pin(async move {
                if let Err(e) = run_gauges(&app, &holder).await {
                    tracing::error!(error = %e, "the work's gauges failed; they are set again next minute");
                }
            })
        })?)
        .await?;
    let (a, h) = (app.clone(), holder);
    sched
        .add(Job::new_async_tz(cfg.delivery_cron.as_str(), app.zone(), move |_, _| {
            let (app, holder, transport) = (a.clone(), h.clone(), transport.clone());
            Box::pin(async move {
                if let Err(e) = run_delivery(&app, &transport, &holder).await {
                    tracing::error!(error = %e, "mail delivery failed; it runs again at its next time");
                }
            })
        })?)
        .await?;
    sched.start().await?;
    Ok(sched)
}
