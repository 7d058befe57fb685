//! Why a deadline falls where it does: the rest days, make-up workdays and
//! weekends between the start and the due date, for people (`Display`) and
//! for machines (`Serialize`).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Calendar, DayClass};

/// The working days counted from `start` to `due`, and what was skipped.
///
/// Every day of `(start, due]` is exactly one of: a working day (there are
/// `working_days` of them, make-up workdays included), a rest day
/// (`rest_days_crossed`), or an ordinary non-working Saturday/Sunday
/// (`weekend_days_crossed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// Day 0 (acceptance day), not counted.
    pub start: NaiveDate,
    /// Number of working days added.
    pub working_days: u32,
    /// The `working_days`th working day after `start` (deadline: end of it).
    pub due: NaiveDate,
    /// True iff days beyond the loaded calendar were counted Monday–Friday.
    pub provisional: bool,
    /// [`Calendar::version`] of the calendar used.
    pub calendar_version: String,
    /// Rest days in `(start, due]` (statutory and regional), in order.
    pub rest_days_crossed: Vec<NaiveDate>,
    /// The subset of `rest_days_crossed` that come from a regional file.
    pub regional_rest_days_crossed: Vec<NaiveDate>,
    /// Make-up workdays in `(start, due]` (counted as working days).
    pub makeup_workdays_crossed: Vec<NaiveDate>,
    /// Ordinary Saturdays/Sundays in `(start, due]` (not rest days listed
    /// above, not make-up workdays), including uncovered ones.
    pub weekend_days_crossed: u32,
    /// First day of `(start, due]` outside the loaded calendar, if any.
    pub uncovered_from: Option<NaiveDate>,
}

impl Calendar {
    /// Every rest day and make-up workday in `(start, add(start, n)]`, plus
    /// counts. Past the calendar the provisional (Monday–Friday) rule is used
    /// and `provisional`/`uncovered_from` say so. Costs O(days crossed that
    /// are rest or make-up days).
    pub fn explain(&self, start: NaiveDate, n: u32) -> Explanation {
        let dated = self.add_provisional(start, n);
        let due = dated.date;
        let mut rest = Vec::new();
        let mut regional_rest = Vec::new();
        let mut makeup = Vec::new();
        let mut uncovered_from = None;
        if n > 0 {
            for (d, class, regional) in self.specials_in(start, due) {
                match class {
                    DayClass::Rest => {
                        rest.push(d);
                        if regional {
                            regional_rest.push(d);
                        }
                    }
                    DayClass::Makeup => makeup.push(d),
                    DayClass::Workday | DayClass::Weekend => {}
                }
            }
            let next = start.succ_opt().unwrap_or(start);
            if next < self.first_covered() {
                uncovered_from = Some(next);
            } else if due > self.last_covered() {
                uncovered_from = Some(next.max(self.after_last()));
            }
        }
        let days = (due - start).num_days();
        let weekend = days - i64::from(n) - rest.len() as i64;
        Explanation {
            start,
            working_days: n,
            due,
            provisional: dated.provisional,
            calendar_version: self.version().to_string(),
            rest_days_crossed: rest,
            regional_rest_days_crossed: regional_rest,
            makeup_workdays_crossed: makeup,
            weekend_days_crossed: u32::try_from(weekend.max(0)).unwrap_or(u32::MAX),
            uncovered_from,
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Explanation {
    /// One line per crossed rest day or make-up workday, then a summary:
    ///
    /// ```text
    /// start 2025-09-30 Tue  acceptance day (day 0, not counted)
    /// 2025-10-01 Wed  rest day (statutory)
    /// ...
    /// 2025-10-11 Sat  make-up workday
    /// due   2025-10-11 Sat  3rd working day after 2025-09-30 (deadline: end of that day, Asia/Shanghai)
    /// crossed: 8 rest days, 1 make-up workday, 1 ordinary weekend day (11 calendar days)
    /// calendar: cn-2024+cn-2025+cn-2026#1a2b3c4d
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "start {} {}  acceptance day (day 0, not counted)",
            self.start,
            self.start.weekday()
        )?;
        let mut lines: Vec<(NaiveDate, &str)> = Vec::new();
        for d in &self.rest_days_crossed {
            let why = if self.regional_rest_days_crossed.contains(d) {
                "rest day (regional)"
            } else {
                "rest day (statutory)"
            };
            lines.push((*d, why));
        }
        for d in &self.makeup_workdays_crossed {
            lines.push((*d, "make-up workday"));
        }
        if let Some(u) = self.uncovered_from {
            lines.push((
                u,
                "first day outside the loaded calendar: Mon-Fri assumed outside it (provisional)",
            ));
        }
        lines.sort();
        for (d, why) in lines {
            writeln!(f, "{d} {}  {why}", d.weekday())?;
        }
        writeln!(
            f,
            "due   {} {}  {} after {} (deadline: end of that day, Asia/Shanghai){}",
            self.due,
            self.due.weekday(),
            plural(self.working_days as usize, "working day", "working days"),
            self.start,
            if self.provisional {
                "  PROVISIONAL"
            } else {
                ""
            }
        )?;
        writeln!(
            f,
            "crossed: {}, {}, {} ({})",
            plural(self.rest_days_crossed.len(), "rest day", "rest days"),
            plural(
                self.makeup_workdays_crossed.len(),
                "make-up workday",
                "make-up workdays"
            ),
            plural(
                self.weekend_days_crossed as usize,
                "ordinary weekend day",
                "ordinary weekend days"
            ),
            plural(
                usize::try_from((self.due - self.start).num_days()).unwrap_or(0),
                "calendar day",
                "calendar days"
            ),
        )?;
        if self.provisional {
            writeln!(
                f,
                "provisional: days outside the loaded calendar were counted Mon-Fri; recompute \
                 when the State Council's calendar for that year is loaded"
            )?;
        }
        write!(f, "calendar: {}", self.calendar_version)
    }
}
