//! The plain weekend rule (Monday–Friday are working days), used for days
//! outside the loaded calendar. All O(1).

use chrono::{Datelike, Days, NaiveDate};

/// Number of Monday–Friday days in `(epoch, d]` for a fixed epoch; only
/// differences are meaningful. Day 1 of the proleptic Gregorian era
/// (0001-01-01) is a Monday, so day numbers 1..=5 (mod 7) are weekdays.
fn weekdays_through(d: NaiveDate) -> i64 {
    let x = i64::from(d.num_days_from_ce());
    x.div_euclid(7) * 5 + x.rem_euclid(7).min(5)
}

/// Number of Monday–Friday days in `(a, b]` (negative if `b < a`).
pub(super) fn weekdays_between(a: NaiveDate, b: NaiveDate) -> i64 {
    weekdays_through(b) - weekdays_through(a)
}

/// Whether `d` is Monday–Friday.
pub(super) fn is_weekday(d: NaiveDate) -> bool {
    d.weekday().num_days_from_monday() < 5
}

/// The `n`th Monday–Friday day strictly after `start`; `start` for `n == 0`.
/// Saturates at [`NaiveDate::MAX`] for absurd `n`.
pub(super) fn add_weekdays(start: NaiveDate, n: u64) -> NaiveDate {
    if n == 0 {
        return start;
    }
    let wd = u64::from(start.weekday().num_days_from_monday());
    // From a Saturday or Sunday, counting is the same as from the Friday before.
    let (base, wd) = if wd >= 5 {
        (start - Days::new(wd - 4), 4)
    } else {
        (start, wd)
    };
    let rem = n % 5;
    let mut days = (n / 5).saturating_mul(7).saturating_add(rem);
    if rem > 0 && wd + rem > 4 {
        days = days.saturating_add(2);
    }
    base.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}
