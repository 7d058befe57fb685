//! Days and instants: the spread of acceptances over the year's working
//! days, and working-day positions turned into instants in office hours.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};

use crate::app::App;

/// Office hours: from 08:30, nine hours.
const OPEN_MINUTES: i64 = 8 * 60 + 30;
const OFFICE_MINUTES: f64 = 540.0;

/// Working days of the year, weighted (fewer around the Spring Festival),
/// from which acceptance days are drawn by quantile: ticket `i` of `n` is
/// accepted at quantile `(i + u) / n`, so numbers follow acceptance.
pub(super) struct AcceptanceDays {
    pub(super) days: Vec<NaiveDate>,
    pub(super) cumulative: Vec<f64>,
    pub(super) today: NaiveDate,
    /// The latest office-hours fraction of today before `as_of`.
    pub(super) today_fraction: f64,
}

impl AcceptanceDays {
    pub(super) fn new(app: &App, as_of: DateTime<Utc>) -> anyhow::Result<AcceptanceDays> {
        let sla = app.sla();
        let today = sla.local_date(as_of);
        let first = today - Days::new(364);
        let festival = spring_festival(app, first, today);
        let opened = sla.start_of(today) + Duration::minutes(OPEN_MINUTES);
        let today_fraction = ((as_of - opened).num_minutes() as f64 / OFFICE_MINUTES).min(0.95);
        let (mut days, mut cumulative, mut total) = (Vec::new(), Vec::new(), 0.0);
        for d in first.iter_days().take_while(|d| *d <= today) {
            let working = app.calendar.is_working_day_provisional(d).0;
            if !working || (d == today && today_fraction < 0.02) {
                continue;
            }
            total += weight(d, festival);
            days.push(d);
            cumulative.push(total);
        }
        anyhow::ensure!(
            !days.is_empty(),
            "no working day in the year before {today}"
        );
        Ok(AcceptanceDays {
            days,
            cumulative,
            today,
            today_fraction,
        })
    }

    /// The day at quantile `q` in [0, 1).
    pub(super) fn at(&self, q: f64) -> NaiveDate {
        let x = q * self.cumulative.last().copied().unwrap_or(0.0);
        let i = self.cumulative.partition_point(|c| *c <= x);
        self.days[i.min(self.days.len() - 1)]
    }

    /// The latest fraction of office hours an acceptance on `d` may have.
    pub(super) fn latest_fraction(&self, d: NaiveDate) -> f64 {
        if d == self.today {
            self.today_fraction
        } else {
            0.95
        }
    }
}

/// Fewer applications in the weeks around the festival.
fn weight(d: NaiveDate, festival: Option<(NaiveDate, NaiveDate)>) -> f64 {
    match festival {
        Some((from, to)) if d + Days::new(14) >= from && d <= to + Days::new(10) => 0.3,
        _ => 1.0,
    }
}

/// The Spring Festival holiday in `[first, last]`: the first run of at
/// least seven rest days starting between January 15 and February 25.
fn spring_festival(app: &App, first: NaiveDate, last: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    use chrono::Datelike;
    let mut run: Option<NaiveDate> = None;
    for d in first.iter_days().take_while(|d| *d <= last) {
        if !app.calendar.is_working_day_provisional(d).0 {
            run.get_or_insert(d);
            continue;
        }
        if let Some(start) = run.take() {
            let md = (start.month(), start.day());
            let long = (d - start).num_days() >= 7;
            if long && ((1, 15)..=(2, 25)).contains(&md) {
                return Some((start, d.pred_opt()?));
            }
        }
    }
    None
}

/// The instant at working-day position `pos` after `accepted_on`: the
/// whole part counts working days after it, the fraction runs through the
/// office hours, to the minute.
pub(super) fn instant(app: &App, accepted_on: NaiveDate, pos: f64) -> DateTime<Utc> {
    let sla = app.sla();
    let pos = pos.max(0.0);
    let day = pos.floor();
    let date = app.calendar.add_provisional(accepted_on, day as u32).date;
    let minutes = OPEN_MINUTES + ((pos - day) * OFFICE_MINUTES) as i64;
    sla.start_of(date) + Duration::minutes(minutes)
}
