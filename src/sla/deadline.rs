//! The SLA clock: due dates, remaining and overdue working days, and stage
//! SLAs, as pure functions of (ticket history, calendar, now).
//!
//! Rules (see docs/sla.md):
//! - due date = add(accepted_on, limit + paused working days); the deadline
//!   instant `due_at` is 24:00 local time of the due date (exclusive: the
//!   ticket is overdue from that instant on).
//! - A working day counts as paused only if the ticket was paused for the
//!   whole local day (00:00–24:00). The day a pause starts (unless at 00:00)
//!   and the day it ends still count.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{Calendar, Explanation};

use super::policy::{CountedFrom, Stage, VoltageLevel};

/// A pause of a ticket's clock; `ended_at` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Pause {
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A ticket's time in one stage; `left_at` is `None` for the current stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageVisit {
    pub stage: String,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Due {
    pub due_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    /// True when the date depends on a year whose calendar is not announced.
    pub provisional: bool,
    pub paused_working_days: u32,
}

/// Where a deadline stands as of an instant.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Standing {
    pub overdue: bool,
    /// Working days after today up to and including the due date (0 = due today).
    pub remaining_working_days: i64,
    /// Working days after the due date up to and including today.
    pub overdue_working_days: i64,
}

/// State of a stage's own limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageSlaState {
    /// No limit applies to this stage.
    Unlimited,
    /// In the stage, within its limit.
    OnTime,
    /// In the stage, past its limit.
    Breached,
    /// Left the stage within its limit.
    Met,
    /// Left the stage after its limit.
    MetLate,
}

/// A stage's SLA for one visit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StageSla {
    pub stage: String,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub limit_working_days: Option<u32>,
    pub due_date: Option<NaiveDate>,
    pub due_at: Option<DateTime<Utc>>,
    pub provisional: bool,
    pub state: StageSlaState,
}

/// One pause as counted in an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PauseFact {
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub paused_working_days: u32,
}

/// How a due date came about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueExplanation {
    pub accepted_on: NaiveDate,
    pub category: String,
    pub limit_working_days: u32,
    pub pauses: Vec<PauseFact>,
    pub paused_working_days: u32,
    pub total_working_days: u32,
    pub due: Due,
    #[schema(value_type = Object)]
    pub calendar: Explanation,
}

/// The SLA clock over one calendar and time zone.
#[derive(Debug, Clone, Copy)]
pub struct SlaClock<'a> {
    pub calendar: &'a Calendar,
    pub zone: Tz,
}

impl<'a> SlaClock<'a> {
    pub fn new(calendar: &'a Calendar, zone: Tz) -> Self {
        SlaClock { calendar, zone }
    }

    /// The local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// 00:00 local time of `d`, as UTC.
    pub fn start_of(&self, d: NaiveDate) -> DateTime<Utc> {
        let naive = d.and_hms_opt(0, 0, 0).expect("midnight exists");
        self.zone
            .from_local_datetime(&naive)
            .earliest()
            .unwrap_or_else(|| self.zone.from_utc_datetime(&naive))
            .with_timezone(&Utc)
    }

    /// 24:00 local time of `d` (the deadline instant of a due date).
    pub fn end_of(&self, d: NaiveDate) -> DateTime<Utc> {
        self.start_of(d + Days::new(1))
    }

    /// Working days wholly inside `pause ∩ [from, until)`, and whether that
    /// count used the provisional weekend rule.
    pub fn paused_days(&self, p: &Pause, from: DateTime<Utc>, until: DateTime<Utc>) -> (u32, bool) {
        let start = p.started_at.max(from);
        let end = p.ended_at.unwrap_or(until).min(until);
        if end <= start {
            return (0, false);
        }
        let sd = self.local_date(start);
        // First whole day: the start day if the pause began at its midnight.
        let first = if self.start_of(sd) == start {
            sd
        } else {
            sd + Days::new(1)
        };
        // Last whole day: the day before the one in which the pause ends.
        let last = self.local_date(end) - Days::new(1);
        if last < first {
            return (0, false);
        }
        let (n, prov) = self
            .calendar
            .between_provisional(first - Days::new(1), last);
        (n.max(0) as u32, prov)
    }

    /// Total whole paused working days of `pauses` inside `[from, until)`.
    fn paused_total(
        &self,
        pauses: &[Pause],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> (u32, bool) {
        pauses.iter().fold((0, false), |(n, prov), p| {
            let (k, q) = self.paused_days(p, from, until);
            (n + k, prov || q)
        })
    }

    /// A deadline of `limit` working days after `anchor`, extended by the
    /// whole paused working days in `[anchor, until)`.
    pub fn due_after(
        &self,
        anchor: NaiveDate,
        limit: u32,
        pauses: &[Pause],
        until: DateTime<Utc>,
    ) -> Due {
        let (paused, p1) = self.paused_total(pauses, self.start_of(anchor), until);
        let dated = self.calendar.add_provisional(anchor, limit + paused);
        Due {
            due_date: dated.date,
            due_at: self.end_of(dated.date),
            provisional: dated.provisional || p1,
            paused_working_days: paused,
        }
    }

    /// The ticket's due date as of `as_of` (an open pause counts the whole
    /// days elapsed so far).
    pub fn ticket_due(
        &self,
        accepted_on: NaiveDate,
        limit: u32,
        pauses: &[Pause],
        as_of: DateTime<Utc>,
    ) -> Due {
        self.due_after(accepted_on, limit, pauses, as_of)
    }

    /// Where `due` stands at instant `now`.
    pub fn standing(&self, due: &Due, now: DateTime<Utc>) -> Standing {
        let today = self.local_date(now);
        if now >= due.due_at {
            let (n, _) = self.calendar.between_provisional(due.due_date, today);
            Standing {
                overdue: true,
                remaining_working_days: 0,
                overdue_working_days: n.max(0),
            }
        } else {
            let (n, _) = self.calendar.between_provisional(today, due.due_date);
            Standing {
                overdue: false,
                remaining_working_days: n.max(0),
                overdue_working_days: 0,
            }
        }
    }

    /// The SLA of one stage visit as of `now` (`ended` closes a current
    /// visit, e.g. when the ticket was closed or cancelled).
    pub fn stage_sla(
        &self,
        stage: &Stage,
        visit: &StageVisit,
        accepted_on: NaiveDate,
        voltage: VoltageLevel,
        pauses: &[Pause],
        now: DateTime<Utc>,
    ) -> StageSla {
        let mut sla = StageSla {
            stage: visit.stage.clone(),
            entered_at: visit.entered_at,
            left_at: visit.left_at,
            limit_working_days: None,
            due_date: None,
            due_at: None,
            provisional: false,
            state: StageSlaState::Unlimited,
        };
        let Some(limit) = stage.limit_for(voltage) else {
            return sla;
        };
        let anchor = match stage.counted_from {
            CountedFrom::Acceptance => accepted_on,
            CountedFrom::StageStart => self.local_date(visit.entered_at),
        };
        let until = visit.left_at.unwrap_or(now);
        let due = self.due_after(anchor, limit, pauses, until);
        sla.limit_working_days = Some(limit);
        sla.due_date = Some(due.due_date);
        sla.due_at = Some(due.due_at);
        sla.provisional = due.provisional;
        sla.state = match visit.left_at {
            Some(left) if left < due.due_at => StageSlaState::Met,
            Some(_) => StageSlaState::MetLate,
            None if now >= due.due_at => StageSlaState::Breached,
            None => StageSlaState::OnTime,
        };
        sla
    }

    /// Every fact behind a ticket's due date.
    pub fn explain(
        &self,
        category: &str,
        accepted_on: NaiveDate,
        limit: u32,
        pauses: &[Pause],
        as_of: DateTime<Utc>,
    ) -> DueExplanation {
        let from = self.start_of(accepted_on);
        let facts = pauses
            .iter()
            .map(|p| PauseFact {
                reason: p.reason.clone(),
                started_at: p.started_at,
                ended_at: p.ended_at,
                paused_working_days: self.paused_days(p, from, as_of).0,
            })
            .collect();
        let due = self.ticket_due(accepted_on, limit, pauses, as_of);
        let total = limit + due.paused_working_days;
        DueExplanation {
            accepted_on,
            category: category.to_string(),
            limit_working_days: limit,
            pauses: facts,
            paused_working_days: due.paused_working_days,
            total_working_days: total,
            calendar: self.calendar.explain(accepted_on, total),
            due,
        }
    }
}
