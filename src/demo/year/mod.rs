//! A year of work for `yekuo demo --year`: tickets accepted over the twelve
//! months before `as_of` (fewer around the Spring Festival), each moved
//! through the policy's stages by the same pure transitions the service
//! applies ([`crate::tickets::actions::apply`]), escalated at the ladder's
//! instants as the sweep would, some paused, cancelled, closed late, some
//! with a coordination request to departments; the recent ones still open.
//! The bureau's auditor records an action (约谈, 通报, 问责) on a share of
//! the tickets that ran late, most completed some days later.
//!
//! Everything follows from the seed, the number of tickets, the number of
//! centers and `as_of`: each ticket draws from its own stream of a small
//! PRNG (splitmix64), so the same inputs write the same rows. Tickets are
//! simulated and written a chunk at a time, one write transaction per
//! chunk, with multi-row inserts; events are hash-chained as
//! `tickets::chain` computes. No mail is queued.
//!
//! - `rng`: the random source;
//! - `days`: the spread of acceptances and office-hour instants;
//! - `org`: the people and units of the year;
//! - `profile` and `schedule`: who a ticket is and what happens to it;
//! - `ticket`: the life of one ticket, played forward;
//! - `escalations`, `coordination`, `accountability`: what the sweep,
//!   the departments and the auditors add to it;
//! - `write` and `chain`: writing a chunk in batches, each ticket's
//!   events numbered and hash-chained.

mod accountability;
mod chain;
mod coordination;
mod days;
mod escalations;
mod org;
mod profile;
mod rng;
mod schedule;
mod ticket;
mod write;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::app::App;
use crate::tickets::entity::ticket::{self as ticket_row, Status};
use days::AcceptanceDays;
use org::{YearOrg, ensure_year_org};
use ticket::{Plan, simulate};

/// The seed when none is given.
pub const DEFAULT_SEED: u64 = 2026;

/// How many tickets, from which seed, ending when, over how many centers.
#[derive(Debug, Clone)]
pub struct YearSpec {
    pub tickets: u64,
    pub seed: u64,
    /// The end of the year: nothing happens after it.
    pub as_of: DateTime<Utc>,
    pub centers: u32,
}

/// What the year holds at `as_of`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearSummary {
    pub tickets: u64,
    pub closed_on_time: u64,
    pub closed_late: u64,
    pub cancelled: u64,
    pub open: u64,
    pub paused: u64,
    pub escalations: u64,
    pub requests: u64,
    /// Entries of the accountability register.
    pub accountability: u64,
    /// Of which completed.
    pub accountability_completed: u64,
}

/// The number of the `i`th ticket of the year written with `seed`.
pub fn ticket_no(seed: u64, i: u64) -> String {
    format!("DEMO-{seed}-{i:07}")
}

/// Tickets simulated and written per write transaction.
const CHUNK: u64 = 500;

/// What every ticket of the year is simulated with.
struct Ctx<'a> {
    app: &'a App,
    spec: &'a YearSpec,
    days: AcceptanceDays,
    org: YearOrg,
}

/// Writes the year; refuses a seed already written to this database.
pub async fn seed_year(app: &App, spec: &YearSpec) -> anyhow::Result<YearSummary> {
    refuse_repeat(app, spec).await?;
    let org = ensure_year_org(app, spec).await?;
    let ctx = Ctx {
        app,
        spec,
        days: AcceptanceDays::new(app, spec.as_of)?,
        org,
    };
    let mut summary = YearSummary::default();
    let mut start = 0;
    while start < spec.tickets {
        let end = (start + CHUNK).min(spec.tickets);
        let plans = (start..end)
            .map(|i| simulate(&ctx, i))
            .collect::<anyhow::Result<Vec<_>>>()?;
        summary.add(&plans);
        write::write_chunk(app, plans).await?;
        start = end;
    }
    Ok(summary)
}

async fn refuse_repeat(app: &App, spec: &YearSpec) -> anyhow::Result<()> {
    let first = ticket_no(spec.seed, 0);
    let exists = ticket_row::Entity::find()
        .filter(ticket_row::Column::TicketNo.eq(first.as_str()))
        .one(&app.db)
        .await?
        .is_some();
    anyhow::ensure!(
        !exists,
        "a demo year with seed {} is already in this database ({first}): use another --seed or a fresh database",
        spec.seed
    );
    Ok(())
}

impl std::fmt::Display for YearSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a year of {} demo tickets: {} closed on time, {} late, {} cancelled, {} open, {} paused; {} escalations, {} coordination requests, {} accountability entries ({} completed)",
            self.tickets,
            self.closed_on_time,
            self.closed_late,
            self.cancelled,
            self.open,
            self.paused,
            self.escalations,
            self.requests,
            self.accountability,
            self.accountability_completed,
        )
    }
}

impl YearSummary {
    fn add(&mut self, plans: &[Plan]) {
        for p in plans {
            let t = &p.ticket;
            self.tickets += 1;
            match (t.status, t.closed_at) {
                (Status::Closed, Some(at)) if at < t.due_at => self.closed_on_time += 1,
                (Status::Closed, _) => self.closed_late += 1,
                (Status::Cancelled, _) => self.cancelled += 1,
                (Status::Open, _) => self.open += 1,
                (Status::Paused, _) => self.paused += 1,
            }
            self.escalations += p.escalations.len() as u64;
            self.requests += u64::from(p.request.is_some());
            if let Some(e) = &p.entry {
                self.accountability += 1;
                self.accountability_completed += u64::from(e.completed_at.is_some());
            }
        }
    }
}
