//! Provisional queries: exact inside the loaded calendar, Monday–Friday
//! outside it, with a flag saying whether any day outside was needed. Used
//! by callers that must give a date before next year's holidays are
//! announced.

use chrono::NaiveDate;

use super::{Calendar, Dated, plain};

impl Calendar {
    /// Like [`Calendar::add`], but never fails: days outside the calendar
    /// count Monday–Friday, and `provisional` says whether any was needed.
    pub fn add_provisional(&self, start: NaiveDate, n: u32) -> Dated {
        if n == 0 {
            return Dated {
                date: start,
                provisional: false,
            };
        }
        let c = &*self.inner;
        let i = self.index(start);
        let len = self.len();
        if i >= len {
            return Dated {
                date: plain::add_weekdays(start, u64::from(n)),
                provisional: true,
            };
        }
        if i < -1 {
            // Count Monday–Friday up to the day before coverage, then go on
            // with the calendar.
            let edge = self.before_first();
            let w = plain::weekdays_between(start, edge);
            if i64::from(n) <= w {
                return Dated {
                    date: plain::add_weekdays(start, u64::from(n)),
                    provisional: true,
                };
            }
            let rest = u32::try_from(i64::from(n) - w).expect("0 < rest <= n");
            return Dated {
                date: self.add_provisional(edge, rest).date,
                provisional: true,
            };
        }
        let target = u64::from(c.prefix[(i + 1) as usize]) + u64::from(n) - 1;
        let total = c.work_dates.len() as u64;
        if target < total {
            Dated {
                date: c.work_dates[target as usize],
                provisional: false,
            }
        } else {
            Dated {
                date: plain::add_weekdays(c.last, target - total + 1),
                provisional: true,
            }
        }
    }

    /// Like [`Calendar::between`], but never fails: days outside the
    /// calendar count Monday–Friday. Returns `(count, provisional)`.
    pub fn between_provisional(&self, a: NaiveDate, b: NaiveDate) -> (i64, bool) {
        if b < a {
            let (v, p) = self.between_provisional(b, a);
            return (-v, p);
        }
        if a == b {
            return (0, false);
        }
        let c = &*self.inner;
        let edge = self.before_first();
        let mut total = 0;
        let mut provisional = false;
        if a < edge {
            total += plain::weekdays_between(a, b.min(edge));
            provisional = true;
        }
        let (lo, hi) = (a.max(edge), b.min(c.last));
        if lo < hi {
            let p = &c.prefix;
            total += i64::from(p[(self.index(hi) + 1) as usize])
                - i64::from(p[(self.index(lo) + 1) as usize]);
        }
        if b > c.last {
            total += plain::weekdays_between(a.max(c.last), b);
            provisional = true;
        }
        (total, provisional)
    }

    /// `(is_working_day, provisional)`: exact inside the calendar, Monday–
    /// Friday (and `provisional = true`) outside.
    pub fn is_working_day_provisional(&self, d: NaiveDate) -> (bool, bool) {
        match self.is_working_day(d) {
            Ok(w) => (w, false),
            Err(_) => (plain::is_weekday(d), true),
        }
    }
}
