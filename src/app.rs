//! The application context shared by HTTP handlers, CLI commands and jobs:
//! database pool, configuration, calendar, SLA policy and the clock.

use std::sync::Arc;

use chrono_tz::Tz;
use sea_orm::DatabaseConnection;

use crate::calendar::Calendar;
use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::sla::{SlaClock, SlaPolicy};

/// Everything a service function needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub calendar: Arc<Calendar>,
    pub policy: Arc<SlaPolicy>,
    pub ladder: Arc<crate::sla::LadderPolicy>,
    pub clock: SharedClock,
}

impl App {
    /// Connects to the database (migrating when configured) and loads the
    /// calendar and policy.
    pub async fn start(config: Config, clock: Option<SharedClock>) -> anyhow::Result<App> {
        let calendar = config.load_calendar()?;
        let db = crate::db::connect(&config.raw.database).await?;
        if config.raw.database.migrate_on_start {
            crate::db::migrate(&db).await?;
        }
        Ok(App {
            db,
            policy: Arc::new(config.sla_policy()),
            ladder: Arc::new(config.ladder_policy()),
            calendar: Arc::new(calendar),
            config: Arc::new(config),
            clock: clock.unwrap_or_else(|| Arc::new(SystemClock)),
        })
    }

    /// The clock's current instant, truncated to microseconds (what both
    /// databases store), so values read back compare equal.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        use chrono::SubsecRound;
        self.clock.now().trunc_subsecs(6)
    }

    pub fn zone(&self) -> Tz {
        self.config.zone
    }

    /// The SLA clock over this app's calendar and zone.
    pub fn sla(&self) -> SlaClock<'_> {
        SlaClock::new(&self.calendar, self.config.zone)
    }
}
