//! Unit tests of the working-day calendar. The oracle is DOMAIN.md's table,
//! typed in again here independently of `config/calendars/`.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, Weekday};

use super::*;

pub(super) fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// DOMAIN.md "Working days in mainland China": rest days (inclusive ranges).
pub(super) const DOMAIN_REST: &[(&str, &str)] = &[
    ("2023-12-30", "2024-01-01"),
    ("2024-02-10", "2024-02-17"),
    ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"),
    ("2024-06-08", "2024-06-10"),
    ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"),
    ("2025-01-01", "2025-01-01"),
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
];

/// DOMAIN.md: make-up workdays, with the weekday DOMAIN.md gives.
pub(super) const DOMAIN_MAKEUP: &[(&str, Weekday)] = &[
    ("2024-02-04", Weekday::Sun),
    ("2024-02-18", Weekday::Sun),
    ("2024-04-07", Weekday::Sun),
    ("2024-04-28", Weekday::Sun),
    ("2024-05-11", Weekday::Sat),
    ("2024-09-14", Weekday::Sat),
    ("2024-09-29", Weekday::Sun),
    ("2024-10-12", Weekday::Sat),
    ("2025-01-26", Weekday::Sun),
    ("2025-02-08", Weekday::Sat),
    ("2025-04-27", Weekday::Sun),
    ("2025-09-28", Weekday::Sun),
    ("2025-10-11", Weekday::Sat),
    ("2026-01-04", Weekday::Sun),
    ("2026-02-14", Weekday::Sat),
    ("2026-02-28", Weekday::Sat),
    ("2026-05-09", Weekday::Sat),
    ("2026-09-20", Weekday::Sun),
    ("2026-10-10", Weekday::Sat),
];

pub(super) fn domain_rest_days() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    for (a, b) in DOMAIN_REST {
        let mut x = d(a);
        while x <= d(b) {
            out.push(x);
            x = x.succ_opt().unwrap();
        }
    }
    out
}

/// Independent, slow oracle: is `x` a working day per DOMAIN.md?
pub(super) struct Oracle {
    rest: HashSet<NaiveDate>,
    makeup: HashSet<NaiveDate>,
}

impl Oracle {
    pub(super) fn new() -> Oracle {
        Oracle {
            rest: domain_rest_days().into_iter().collect(),
            makeup: DOMAIN_MAKEUP.iter().map(|(s, _)| d(s)).collect(),
        }
    }
    pub(super) fn working(&self, x: NaiveDate) -> bool {
        if self.makeup.contains(&x) {
            return true;
        }
        !self.rest.contains(&x) && x.weekday().num_days_from_monday() < 5
    }
    /// nth working day after `s`, walking day by day, or None past 2026.
    pub(super) fn add(&self, s: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut x = s;
        let mut k = 0;
        while k < n {
            x = x.succ_opt().unwrap();
            if x > d("2026-12-31") {
                return None;
            }
            if self.working(x) {
                k += 1;
            }
        }
        Some(x)
    }
}

fn cal() -> Calendar {
    Calendar::builtin()
}

#[test]
fn builtin_builds_and_covers_2024_to_2026() {
    let c = cal();
    assert_eq!(c.first_covered(), d("2024-01-01"));
    assert_eq!(c.last_covered(), d("2026-12-31"));
    assert_eq!(c.last_covered_year(), 2026);
    let v = c.version();
    let (names, hash) = v.split_once('#').expect("version has #");
    assert_eq!(names, "cn-2024+cn-2025+cn-2026");
    assert_eq!(hash.len(), 8);
    assert!(hash.chars().all(|ch| ch.is_ascii_hexdigit()));
    assert_eq!(Calendar::builtin_files().len(), 3);
    assert!(format!("{c:?}").contains("cn-2024+cn-2025+cn-2026"));
}

#[test]
fn calendar_is_clone_debug_send_sync() {
    fn check<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    check::<Calendar>();
    check::<CalendarError>();
}

#[test]
fn required_checks() {
    let c = cal();
    assert_eq!(c.add(d("2025-01-24"), 5), Ok(d("2025-02-07")));
    assert_eq!(c.add(d("2025-09-30"), 3), Ok(d("2025-10-11")));
    assert_eq!(d("2025-10-11").weekday(), Weekday::Sat);
}

#[test]
fn every_domain_rest_day_is_not_a_working_day() {
    let c = cal();
    let mut checked = 0;
    for x in domain_rest_days() {
        if x < c.first_covered() {
            // 2023-12-30/31: outside coverage, the 2024 file's entry is ignored.
            assert!(matches!(
                c.is_working_day(x),
                Err(CalendarError::NotCovered { .. })
            ));
            continue;
        }
        assert_eq!(c.is_working_day(x), Ok(false), "{x}");
        assert!(
            matches!(
                c.day_kind(x),
                DayKind::RestDay {
                    regional: false,
                    ..
                }
            ),
            "{x}"
        );
        checked += 1;
    }
    // 2024: 1+8+3+5+3+3+7, 2025: 1+8+3+5+3+8, 2026: 3+9+3+5+3+3+7
    assert_eq!(checked, 30 + 28 + 33);
}

#[test]
fn every_domain_makeup_day_is_a_working_day() {
    let c = cal();
    for (s, wd) in DOMAIN_MAKEUP {
        let x = d(s);
        assert_eq!(x.weekday(), *wd, "{x} weekday as in DOMAIN.md");
        assert_eq!(c.is_working_day(x), Ok(true), "{x}");
        match c.day_kind(x) {
            DayKind::MakeupWorkday {
                file,
                source,
                regional,
            } => {
                assert_eq!(file, format!("cn-{}", x.year()));
                assert!(source.contains(&x.year().to_string()));
                assert!(!regional);
            }
            other => panic!("{x}: {other:?}"),
        }
    }
}

#[test]
fn every_covered_day_matches_the_oracle() {
    let c = cal();
    let o = Oracle::new();
    let mut x = c.first_covered();
    let mut working = 0;
    while x <= c.last_covered() {
        assert_eq!(c.is_working_day(x), Ok(o.working(x)), "{x}");
        assert_eq!(c.is_working_day_provisional(x), (o.working(x), false));
        working += usize::from(o.working(x));
        x = x.succ_opt().unwrap();
    }
    // Yearly totals: days - weekend days - statutory holidays
    // (2024: 366 - 104 - 11; 2025 and 2026: 365 - 104 - 13).
    assert_eq!(c.between(d("2023-12-31"), d("2024-12-31")), Ok(251));
    assert_eq!(c.between(d("2024-12-31"), d("2025-12-31")), Ok(248));
    assert_eq!(c.between(d("2025-12-31"), d("2026-12-31")), Ok(248));
    assert_eq!(working, 251 + 248 + 248);
}

#[test]
fn add_matches_the_oracle_for_every_start_and_n_up_to_260() {
    let c = cal();
    let o = Oracle::new();
    let mut s = d("2023-12-31");
    while s <= c.last_covered() {
        // Walk once from s, recording each working day.
        let mut x = s;
        let mut k = 0u32;
        assert_eq!(c.add(s, 0), Ok(s));
        while k < 260 {
            x = x.succ_opt().unwrap();
            if x > c.last_covered() {
                let err = c.add(s, k + 1).unwrap_err();
                assert!(
                    matches!(err, CalendarError::NotCovered { date, last_covered_year: 2026, .. } if date == d("2027-01-01")),
                    "{s} + {}: {err:?}",
                    k + 1
                );
                break;
            }
            if o.working(x) {
                k += 1;
                assert_eq!(c.add(s, k), Ok(x), "{s} + {k}");
                assert_eq!(c.between(s, x), Ok(i64::from(k)), "({s}, {x}]");
                assert_eq!(c.between(x, s), Ok(-i64::from(k)));
                assert_eq!(
                    c.add_provisional(s, k),
                    Dated {
                        date: x,
                        provisional: false
                    }
                );
            }
        }
        s = s.succ_opt().unwrap();
    }
    assert_eq!(o.add(d("2025-01-24"), 5), Some(d("2025-02-07")));
}

#[test]
fn year_boundaries() {
    let c = cal();
    // 2024 -> 2025: 2025-01-01 (Wed) is a rest day.
    assert_eq!(c.add(d("2024-12-31"), 1), Ok(d("2025-01-02")));
    assert_eq!(c.add(d("2024-12-30"), 1), Ok(d("2024-12-31")));
    assert_eq!(c.add(d("2024-12-30"), 2), Ok(d("2025-01-02")));
    assert_eq!(c.between(d("2024-12-31"), d("2025-01-02")), Ok(1));
    assert_eq!(c.between(d("2024-12-27"), d("2025-01-03")), Ok(4));
    // 2025 -> 2026: 01-01..01-03 rest, 01-04 (Sun) a make-up workday.
    assert_eq!(c.add(d("2025-12-31"), 1), Ok(d("2026-01-04")));
    assert_eq!(c.add(d("2025-12-30"), 2), Ok(d("2026-01-04")));
    assert_eq!(c.add(d("2025-12-31"), 2), Ok(d("2026-01-05")));
    assert_eq!(c.between(d("2025-12-31"), d("2026-01-03")), Ok(0));
    assert_eq!(c.between(d("2025-12-31"), d("2026-01-04")), Ok(1));
    // 2023 -> 2024: the day before coverage is a valid start (not counted).
    assert_eq!(c.add(d("2023-12-31"), 1), Ok(d("2024-01-02")));
    assert_eq!(c.between(d("2023-12-31"), d("2024-01-02")), Ok(1));
    // ... but the day before it is not: 2023-12-31 would have to be known.
    assert!(matches!(
        c.add(d("2023-12-30"), 1),
        Err(CalendarError::NotCovered { date, .. }) if date == d("2023-12-31")
    ));
    // 2026 -> 2027: not announced.
    assert_eq!(c.add(d("2026-12-30"), 1), Ok(d("2026-12-31")));
    assert!(matches!(
        c.add(d("2026-12-30"), 2),
        Err(CalendarError::NotCovered { date, last_covered_year: 2026, .. }) if date == d("2027-01-01")
    ));
}

#[test]
fn makeup_weekend_days_as_start_and_end() {
    let c = cal();
    // As end days.
    assert_eq!(c.add(d("2026-02-13"), 1), Ok(d("2026-02-14"))); // Sat
    assert_eq!(c.add(d("2025-09-26"), 1), Ok(d("2025-09-28"))); // Sun
    assert_eq!(c.add(d("2024-10-11"), 1), Ok(d("2024-10-12"))); // Sat
    assert_eq!(c.add(d("2024-02-02"), 1), Ok(d("2024-02-04"))); // Sun
    assert_eq!(c.add(d("2026-09-18"), 1), Ok(d("2026-09-20"))); // Sun
    // As start days: the start is not counted even though it is working.
    assert_eq!(c.add(d("2026-02-14"), 1), Ok(d("2026-02-24")));
    assert_eq!(c.add(d("2025-10-11"), 1), Ok(d("2025-10-13")));
    assert_eq!(c.add(d("2025-09-28"), 1), Ok(d("2025-09-29")));
    assert_eq!(c.add(d("2024-02-18"), 1), Ok(d("2024-02-19")));
    assert_eq!(c.add(d("2026-01-04"), 3), Ok(d("2026-01-07")));
    // Non-working start days are not moved forward first.
    assert_eq!(c.add(d("2025-10-04"), 1), Ok(d("2025-10-09"))); // rest Saturday
    assert_eq!(c.add(d("2025-10-05"), 3), Ok(d("2025-10-11")));
    assert_eq!(c.add(d("2024-06-08"), 1), Ok(d("2024-06-11")));
    assert_eq!(c.between(d("2026-02-13"), d("2026-02-14")), Ok(1));
    assert_eq!(c.between(d("2026-02-14"), d("2026-02-24")), Ok(1));
}

#[test]
fn between_conventions() {
    let c = cal();
    let a = d("2025-03-03");
    assert_eq!(c.between(a, a), Ok(0));
    assert_eq!(c.between(a, d("2025-03-04")), Ok(1));
    assert_eq!(c.between(d("2025-03-04"), a), Ok(-1));
    assert_eq!(c.between(d("2025-03-08"), d("2025-03-09")), Ok(0)); // weekend
    assert!(matches!(
        c.between(d("2026-12-01"), d("2027-01-05")),
        Err(CalendarError::NotCovered { date, .. }) if date == d("2027-01-01")
    ));
    assert!(matches!(
        c.between(d("2027-01-05"), d("2026-12-01")),
        Err(CalendarError::NotCovered { .. })
    ));
    assert!(matches!(
        c.between(d("2023-06-01"), d("2024-02-01")),
        Err(CalendarError::NotCovered { date, .. }) if date == d("2023-06-02")
    ));
}

#[test]
fn not_covered_error_names_the_last_year_and_the_fix() {
    let c = cal();
    let err = c.is_working_day(d("2027-01-04")).unwrap_err();
    assert_eq!(
        err,
        CalendarError::NotCovered {
            date: d("2027-01-04"),
            first_covered: d("2024-01-01"),
            last_covered_year: 2026
        }
    );
    let msg = err.to_string();
    assert!(msg.contains("2026-12-31"), "{msg}");
    assert!(msg.contains("cn-2027.toml"), "{msg}");
    assert!(msg.contains("provisional"), "{msg}");
    assert!(c.add(d("2030-01-01"), 1).is_err());
    assert_eq!(c.add(d("2030-01-01"), 0), Ok(d("2030-01-01")));
    assert_eq!(
        c.day_kind(d("2027-01-02")),
        DayKind::Uncovered { weekend: true }
    );
    assert_eq!(
        c.day_kind(d("2023-12-29")),
        DayKind::Uncovered { weekend: false }
    );
    assert_eq!(c.day_kind(d("2025-03-03")), DayKind::Workday);
    assert_eq!(c.day_kind(d("2025-03-08")), DayKind::Weekend);
    assert!(!c.covers(d("2027-01-01")) && c.covers(d("2026-12-31")));
}

#[test]
fn provisional_variants() {
    let c = cal();
    // Inside coverage: exact, not provisional.
    assert_eq!(
        c.add_provisional(d("2025-09-30"), 3),
        Dated {
            date: d("2025-10-11"),
            provisional: false
        }
    );
    assert_eq!(
        c.add_provisional(d("2026-12-30"), 1),
        Dated {
            date: d("2026-12-31"),
            provisional: false
        }
    );
    // Past coverage: Mon-Fri. 2027-01-01 is a Friday.
    assert_eq!(
        c.add_provisional(d("2026-12-30"), 2),
        Dated {
            date: d("2027-01-01"),
            provisional: true
        }
    );
    assert_eq!(
        c.add_provisional(d("2026-12-30"), 3),
        Dated {
            date: d("2027-01-04"),
            provisional: true
        }
    );
    assert_eq!(
        c.add_provisional(d("2027-03-05"), 1),
        Dated {
            date: d("2027-03-08"),
            provisional: true
        }
    );
    assert_eq!(
        c.add_provisional(d("2027-03-05"), 0),
        Dated {
            date: d("2027-03-05"),
            provisional: false
        }
    );
    // Before coverage: Mon-Fri until 2023-12-31, then exact.
    assert_eq!(
        c.add_provisional(d("2023-12-28"), 1),
        Dated {
            date: d("2023-12-29"),
            provisional: true
        }
    );
    // 12-29 Fri (1), 2024-01-01 rest, 01-02 Tue (2).
    assert_eq!(
        c.add_provisional(d("2023-12-28"), 2),
        Dated {
            date: d("2024-01-02"),
            provisional: true
        }
    );
    assert_eq!(
        c.between_provisional(d("2023-12-28"), d("2024-01-02")),
        (2, true)
    );
    assert_eq!(
        c.between_provisional(d("2024-01-02"), d("2023-12-28")),
        (-2, true)
    );
    assert_eq!(
        c.between_provisional(d("2025-01-24"), d("2025-02-07")),
        (5, false)
    );
    assert_eq!(
        c.between_provisional(d("2026-12-30"), d("2027-01-04")),
        (3, true)
    );
    assert_eq!(
        c.between_provisional(d("2027-01-04"), d("2027-01-04")),
        (0, false)
    );
    assert_eq!(c.is_working_day_provisional(d("2027-01-01")), (true, true));
    assert_eq!(c.is_working_day_provisional(d("2027-01-02")), (false, true));
    assert_eq!(
        c.is_working_day_provisional(d("2026-01-01")),
        (false, false)
    );
    // Absurd n saturates instead of panicking.
    assert!(c.add_provisional(d("2026-01-05"), u32::MAX).provisional);
    assert!(c.add(d("2026-01-05"), u32::MAX).is_err());
}

#[test]
fn plain_rule_matches_brute_force() {
    let mut s = d("2023-12-20");
    while s <= d("2024-01-20") {
        let mut x = s;
        let mut k = 0;
        while k < 30 {
            x = x.succ_opt().unwrap();
            if plain::is_weekday(x) {
                k += 1;
                assert_eq!(plain::add_weekdays(s, k), x, "{s} + {k}");
                assert_eq!(plain::weekdays_between(s, x), k as i64);
            }
        }
        s = s.succ_opt().unwrap();
    }
    assert_eq!(plain::add_weekdays(d("2025-03-07"), 0), d("2025-03-07"));
    assert_eq!(
        NaiveDate::from_num_days_from_ce_opt(1).unwrap().weekday(),
        Weekday::Mon
    );
}

#[test]
fn explain_lists_rest_and_makeup_days() {
    let c = cal();
    let e = c.explain(d("2026-02-10"), 10);
    assert_eq!(e.due, c.add(d("2026-02-10"), 10).unwrap());
    assert_eq!(e.due, d("2026-03-02"));
    assert!(!e.provisional);
    assert_eq!(e.uncovered_from, None);
    assert_eq!(e.rest_days_crossed.len(), 9);
    assert_eq!(e.rest_days_crossed[0], d("2026-02-15"));
    assert_eq!(
        e.makeup_workdays_crossed,
        vec![d("2026-02-14"), d("2026-02-28")]
    );
    // 02-11..03-02 = 20 days = 10 working + 9 rest + 1 weekend (03-01 Sun).
    assert_eq!(e.weekend_days_crossed, 1);
    assert_eq!(e.calendar_version, c.version());
    let text = e.to_string();
    assert!(
        text.contains("2026-02-16 Mon  rest day (statutory)"),
        "{text}"
    );
    assert!(text.contains("2026-02-14 Sat  make-up workday"), "{text}");
    assert!(text.contains("10 working days"), "{text}");
    assert!(text.contains(c.version()), "{text}");
    assert!(!text.contains("PROVISIONAL"), "{text}");
    // Lines in date order: the Saturday make-up day before the rest days.
    let sat = text.find("2026-02-14 Sat").unwrap();
    assert!(sat < text.find("2026-02-15 Sun").unwrap());

    let e = c.explain(d("2026-12-28"), 5);
    assert!(e.provisional);
    assert_eq!(e.due, d("2027-01-04"));
    assert_eq!(e.uncovered_from, Some(d("2027-01-01")));
    assert_eq!(e.weekend_days_crossed, 2);
    assert!(e.to_string().contains("PROVISIONAL"));

    let e = c.explain(d("2025-05-01"), 0);
    assert_eq!(
        (e.due, e.weekend_days_crossed, e.provisional),
        (d("2025-05-01"), 0, false)
    );
    assert!(e.rest_days_crossed.is_empty());
}

#[test]
fn explain_partitions_every_day() {
    let c = cal();
    for (s, n) in [
        ("2024-01-15", 80),
        ("2024-09-01", 90),
        ("2025-09-20", 7),
        ("2026-09-01", 250),
        ("2023-10-01", 60),
    ] {
        let e = c.explain(d(s), n);
        let days = (e.due - e.start).num_days();
        assert_eq!(
            days,
            i64::from(n) + e.rest_days_crossed.len() as i64 + i64::from(e.weekend_days_crossed),
            "{s} + {n}"
        );
        assert_eq!(
            c.between_provisional(e.start, e.due),
            (i64::from(n), e.provisional)
        );
    }
}

#[test]
fn serializes_for_the_api() {
    let c = cal();
    let v = serde_json::to_value(c.add_provisional(d("2026-12-30"), 2)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"date": "2027-01-01", "provisional": true})
    );
    let v = serde_json::to_value(c.day_kind(d("2026-02-14"))).unwrap();
    assert_eq!(v["kind"], "makeup_workday");
    assert_eq!(v["file"], "cn-2026");
    let v = serde_json::to_value(c.explain(d("2025-09-30"), 3)).unwrap();
    assert_eq!(v["due"], "2025-10-11");
    assert_eq!(v["rest_days_crossed"].as_array().unwrap().len(), 8);
}
