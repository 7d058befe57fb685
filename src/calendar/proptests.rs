//! Property tests (proptest) of the O(1) queries against each other and
//! against the plain day-by-day oracle.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::tests::{Oracle, d};
use super::*;

/// Covered starts (and the day before coverage) that leave room for 250
/// working days: 2023-12-31 ..= 2025-10-31.
fn start_with_room() -> impl Strategy<Value = NaiveDate> {
    (0u64..=670).prop_map(|k| d("2023-12-31") + Days::new(k))
}

/// Any day of 2021..=2029.
fn any_day() -> impl Strategy<Value = NaiveDate> {
    (0u64..3287).prop_map(|k| d("2021-01-01") + Days::new(k))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn between_inverts_add(s in start_with_room(), n in 0u32..=250) {
        let c = Calendar::builtin();
        let due = c.add(s, n).unwrap();
        prop_assert_eq!(c.between(s, due), Ok(i64::from(n)));
        prop_assert_eq!(c.between(due, s), Ok(-i64::from(n)));
        if n >= 1 {
            prop_assert_eq!(c.is_working_day(due), Ok(true));
            // Nothing working was skipped: one day earlier counts n - 1.
            prop_assert_eq!(c.between(s, due.pred_opt().unwrap()), Ok(i64::from(n) - 1));
        }
    }

    #[test]
    fn add_is_strictly_monotone_in_n(s in start_with_room(), n in 0u32..250) {
        let c = Calendar::builtin();
        prop_assert!(c.add(s, n).unwrap() < c.add(s, n + 1).unwrap());
    }

    #[test]
    fn add_agrees_with_the_oracle_or_reports_not_covered(s in any_day(), n in 0u32..=250) {
        let c = Calendar::builtin();
        let o = Oracle::new();
        let covered_start = s >= d("2023-12-31") && s <= d("2026-12-31");
        match c.add(s, n) {
            Ok(due) => {
                prop_assert!(covered_start || n == 0);
                prop_assert_eq!(Some(due), o.add(s, n));
            }
            Err(CalendarError::NotCovered { last_covered_year, .. }) => {
                prop_assert_eq!(last_covered_year, 2026);
                prop_assert!(!covered_start || o.add(s, n).is_none());
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn provisional_variants_are_consistent(s in any_day(), n in 0u32..=600) {
        let c = Calendar::builtin();
        let dated = c.add_provisional(s, n);
        let (count, provisional) = c.between_provisional(s, dated.date);
        prop_assert_eq!(count, i64::from(n));
        prop_assert_eq!(provisional, dated.provisional);
        match c.add(s, n) {
            Ok(due) => prop_assert_eq!(dated, Dated { date: due, provisional: false }),
            Err(_) => prop_assert!(dated.provisional),
        }
        if n >= 1 {
            prop_assert!(c.is_working_day_provisional(dated.date).0);
        }
        let e = c.explain(s, n);
        prop_assert_eq!(e.due, dated.date);
        prop_assert_eq!(e.provisional, e.uncovered_from.is_some());
        prop_assert_eq!(
            (e.due - s).num_days(),
            i64::from(n) + e.rest_days_crossed.len() as i64 + i64::from(e.weekend_days_crossed)
        );
    }

    #[test]
    fn between_is_additive_and_antisymmetric(a in any_day(), b in any_day(), m in any_day()) {
        let c = Calendar::builtin();
        let (ab, p1) = c.between_provisional(a, b);
        let (ba, _) = c.between_provisional(b, a);
        prop_assert_eq!(ab, -ba);
        let (am, _) = c.between_provisional(a, m);
        let (mb, _) = c.between_provisional(m, b);
        prop_assert_eq!(ab, am + mb);
        match c.between(a, b) {
            Ok(v) => { prop_assert_eq!(v, ab); prop_assert!(!p1); }
            Err(_) => prop_assert!(p1),
        }
    }
}
