//! The light of an open ticket: green, yellow (within `yellow_before` of
//! its deadline), red (within `red_before`) or overdue, from the stored
//! deadline and the instant asked about. The thresholds are offsets like
//! the ladder's (`1 month`, `10 days`, `10 working days`), by default the
//! same instants as its first two levels.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::deadline::{Due, SlaClock};
use super::ladder::{Offset, level_instant};
use crate::config::ConfigError;

/// How close an open ticket is to its deadline.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
    Overdue,
}

named_values!(Light {
    Green => "green",
    Yellow => "yellow",
    Red => "red",
    Overdue => "overdue",
});

/// `[lights]` as written.
#[derive(Debug, Clone, Deserialize)]
pub struct LightsConfig {
    pub yellow_before: String,
    pub red_before: String,
}

/// The thresholds, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Lights {
    pub yellow_before: Offset,
    pub red_before: Offset,
}

/// The last day from `lo` to `hi` for which `holds` is true, when it holds
/// up to some day and not after (`None` when it does not hold at `lo`):
/// bisection, about a dozen calls for decades of days.
pub fn last_date_where(
    lo: NaiveDate,
    hi: NaiveDate,
    holds: impl Fn(NaiveDate) -> bool,
) -> Option<NaiveDate> {
    if !holds(lo) {
        return None;
    }
    if holds(hi) {
        return Some(hi);
    }
    // Invariant: holds(lo), !holds(hi).
    let (mut lo, mut hi) = (lo, hi);
    while (hi - lo).num_days() > 1 {
        let mid = lo + Days::new(((hi - lo).num_days() / 2) as u64);
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// How far from today the deadlines of open tickets are searched for a
/// light's boundary (well beyond any limit).
const SEARCH_DAYS: u64 = 20 * 366;

impl Lights {
    pub fn from_config(c: &LightsConfig) -> Result<Lights, ConfigError> {
        let parse = |key: &str, raw: &str| {
            Offset::parse(raw).map_err(|e| ConfigError::invalid(format!("lights.{key}"), e))
        };
        Ok(Lights {
            yellow_before: parse("yellow_before", &c.yellow_before)?,
            red_before: parse("red_before", &c.red_before)?,
        })
    }

    /// The light of a ticket with deadline `due` at `now` (open tickets;
    /// closed and cancelled ones have none).
    pub fn light(&self, due: &Due, now: DateTime<Utc>, sla: &SlaClock) -> Light {
        if now >= due.due_at {
            Light::Overdue
        } else if now >= level_instant(self.red_before, due, sla) {
            Light::Red
        } else if now >= level_instant(self.yellow_before, due, sla) {
            Light::Yellow
        } else {
            Light::Green
        }
    }

    /// The deadlines (`due_at`) of the tickets showing `light` at `now`, as
    /// bounds `(after, up_to)`: `after < due_at <= up_to`, either open. A
    /// threshold's instant never falls as the deadline moves later, so each
    /// light is one stretch of deadlines; its ends are found by bisection
    /// over due dates, with the same [`Lights::light`] that views use.
    pub fn due_range(
        &self,
        light: Light,
        now: DateTime<Utc>,
        sla: &SlaClock,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        // The last due date (deadline 24:00 of it) whose light is at least `l`.
        let last_at_least = |l: Light| -> DateTime<Utc> {
            let due_of = |d: NaiveDate| Due {
                due_date: d,
                due_at: sla.start_of(d + Days::new(1)),
                provisional: false,
                paused_working_days: 0,
            };
            let today = sla.local_date(now);
            let (lo, hi) = (
                today - Days::new(SEARCH_DAYS),
                today + Days::new(SEARCH_DAYS),
            );
            let last = last_date_where(lo, hi, |d| self.light(&due_of(d), now, sla) >= l);
            due_of(last.unwrap_or(lo)).due_at
        };
        match light {
            Light::Overdue => (None, Some(now)),
            Light::Red => (Some(now), Some(last_at_least(Light::Red))),
            Light::Yellow => (
                Some(last_at_least(Light::Red)),
                Some(last_at_least(Light::Yellow)),
            ),
            Light::Green => (Some(last_at_least(Light::Yellow)), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    fn lights(yellow: &str, red: &str) -> Lights {
        Lights::from_config(&LightsConfig {
            yellow_before: yellow.into(),
            red_before: red.into(),
        })
        .unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Shanghai
            .from_local_datetime(&n)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_deadline_turns_yellow_a_month_before_and_red_ten_days_before() {
        let cal = Calendar::builtin();
        let sla = SlaClock::new(&cal, Shanghai);
        let l = lights("1 month", "10 days");
        let due = |d: &str| {
            let d: NaiveDate = d.parse().unwrap();
            Due {
                due_date: d,
                due_at: sla.start_of(d + Days::new(1)),
                provisional: false,
                paused_working_days: 0,
            }
        };
        let d = due("2026-05-20");
        assert_eq!(l.light(&d, at("2026-04-20 23:59"), &sla), Light::Green);
        assert_eq!(l.light(&d, at("2026-04-21 00:00"), &sla), Light::Yellow);
        assert_eq!(l.light(&d, at("2026-05-10 23:59"), &sla), Light::Yellow);
        assert_eq!(l.light(&d, at("2026-05-11 00:00"), &sla), Light::Red);
        assert_eq!(l.light(&d, at("2026-05-20 23:59"), &sla), Light::Red);
        assert_eq!(l.light(&d, at("2026-05-21 00:00"), &sla), Light::Overdue);
    }

    #[test]
    fn each_lights_range_of_deadlines_holds_exactly_its_tickets() {
        let cal = Calendar::builtin();
        let sla = SlaClock::new(&cal, Shanghai);
        for (yellow, red) in [
            ("1 month", "10 days"),
            ("20 working days", "5 working days"),
        ] {
            let l = lights(yellow, red);
            // Across the Spring Festival and its make-up workdays.
            for now in [
                at("2026-01-31 09:00"),
                at("2026-02-13 23:30"),
                at("2026-03-31 00:00"),
            ] {
                for offset in 0..200u64 {
                    let d = sla.local_date(now) - Days::new(30) + Days::new(offset);
                    let due = Due {
                        due_date: d,
                        due_at: sla.start_of(d + Days::new(1)),
                        provisional: false,
                        paused_working_days: 0,
                    };
                    let light = l.light(&due, now, &sla);
                    for other in Light::ALL {
                        let (after, up_to) = l.due_range(other, now, &sla);
                        let inside = after.is_none_or(|a| due.due_at > a)
                            && up_to.is_none_or(|u| due.due_at <= u);
                        assert_eq!(
                            inside,
                            other == light,
                            "{d} at {now}: {light:?} vs {other:?}"
                        );
                    }
                }
            }
        }
    }
}
