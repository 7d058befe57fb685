//! The application context shared by HTTP handlers, CLI commands and jobs:
//! database pool, configuration, calendar, SLA policy and the clock.

use std::sync::Arc;

use chrono_tz::Tz;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

use crate::calendar::Calendar;
use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::sla::{SlaClock, SlaPolicy};

/// Everything a service function needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    /// Reads (and nothing else on SQLite; see `crate::db`).
    pub db: DatabaseConnection,
    /// Writes: transactions from [`App::begin_write`] and single statements.
    pub writer: DatabaseConnection,
    pub config: Arc<Config>,
    pub calendar: Arc<Calendar>,
    pub policy: Arc<SlaPolicy>,
    pub ladder: Arc<crate::sla::LadderPolicy>,
    pub clock: SharedClock,
    /// Recently resolved credentials (see `crate::auth::cache`).
    pub credentials: Arc<crate::auth::cache::CredentialCache>,
    /// The figures `/metrics` shows (`crate::metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// A shared lock on the SQLite database while the app runs: a restore
    /// waits for none (`crate::backup`).
    _held: Arc<Option<std::fs::File>>,
}

impl App {
    /// Connects to the database (migrating when configured) and loads the
    /// calendar and policy.
    pub async fn start(config: Config, clock: Option<SharedClock>) -> anyhow::Result<App> {
        let calendar = config.load_calendar()?;
        let held = crate::backup::hold(&config.raw.database.url)?;
        let db = crate::db::connect(&config.raw.database).await?;
        let writer = crate::db::connect_writer(&config.raw.database, &db).await?;
        if config.raw.database.migrate_on_start {
            crate::db::migrate(&writer).await?;
        }
        Ok(App {
            db,
            writer,
            policy: Arc::new(config.sla_policy()),
            ladder: Arc::new(config.ladder_policy()),
            calendar: Arc::new(calendar),
            credentials: Arc::new(crate::auth::cache::CredentialCache::new(
                config.raw.auth.credential_cache_seconds,
            )),
            config: Arc::new(config),
            clock: clock.unwrap_or_else(|| Arc::new(SystemClock)),
            _held: Arc::new(held),
            metrics: Arc::new(crate::metrics::Metrics::new()),
        })
    }

    /// The clock's current instant, truncated to microseconds (what both
    /// databases store), so values read back compare equal.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        use chrono::SubsecRound;
        self.clock.now().trunc_subsecs(6)
    }

    /// Begins a write transaction: it holds the write lock from its start
    /// (see `crate::db`), so concurrent writers wait instead of failing.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        crate::db::begin_write(&self.writer).await
    }

    pub fn zone(&self) -> Tz {
        self.config.zone
    }

    /// The SLA clock over this app's calendar and zone.
    pub fn sla(&self) -> SlaClock<'_> {
        SlaClock::new(&self.calendar, self.config.zone)
    }
}
