//! Unit tests of the SLA clock. Expected dates were cross-checked with the
//! PyPI `chinese-calendar` package (counting days strictly after the start).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use super::*;
use crate::calendar::Calendar;
use crate::config::Config;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A local Shanghai time as UTC.
fn at(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Shanghai
        .from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

fn pause(from: &str, to: Option<&str>) -> Pause {
    Pause {
        reason: "customer_documents".into(),
        started_at: at(from),
        ended_at: to.map(at),
    }
}

#[test]
fn due_dates_per_category_across_the_spring_festival() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let now = at("2026-01-05 09:00");
    let due80 = clock.ticket_due(d("2026-01-05"), 80, &[], now);
    assert_eq!(due80.due_date, d("2026-05-07"));
    assert!(!due80.provisional);
    assert_eq!(due80.due_at, at("2026-05-08 00:00"));
    assert_eq!(
        clock.ticket_due(d("2026-01-05"), 90, &[], now).due_date,
        d("2026-05-20")
    );
    assert_eq!(
        clock.ticket_due(d("2025-12-01"), 80, &[], now).due_date,
        d("2026-03-30")
    );
}

#[test]
fn a_december_2026_ticket_is_provisional() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let due = clock.ticket_due(d("2026-12-01"), 80, &[], at("2026-12-01 10:00"));
    assert!(due.provisional);
    assert!(due.due_date.format("%Y").to_string() == "2027");
}

#[test]
fn partial_pause_days_count_whole_days_do_not() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let now = at("2026-04-01 12:00");
    let base = clock.ticket_due(d("2026-03-10"), 80, &[], now);
    assert_eq!(base.due_date, d("2026-07-06"));
    // Tue 14:00 → Thu 10:00: only Wednesday is paused all day.
    let p = [pause("2026-03-17 14:00", Some("2026-03-19 10:00"))];
    let due = clock.ticket_due(d("2026-03-10"), 80, &p, now);
    assert_eq!(due.paused_working_days, 1);
    assert_eq!(due.due_date, d("2026-07-07"));
    // Within one day: nothing.
    let p = [pause("2026-03-17 09:00", Some("2026-03-17 18:00"))];
    assert_eq!(
        clock
            .ticket_due(d("2026-03-10"), 80, &p, now)
            .paused_working_days,
        0
    );
    // Fri 00:00 → Mon 00:00: Friday whole, the weekend does not count.
    let p = [pause("2026-03-20 00:00", Some("2026-03-23 00:00"))];
    assert_eq!(
        clock
            .ticket_due(d("2026-03-10"), 80, &p, now)
            .paused_working_days,
        1
    );
    // A pause over the Qingming rest days (04-04..04-06) counts only working days.
    let p = [pause("2026-04-02 18:00", Some("2026-04-08 09:00"))];
    let due = clock.ticket_due(d("2026-03-10"), 80, &p, at("2026-05-01 00:00"));
    assert_eq!(due.paused_working_days, 2, "04-03 Fri and 04-07 Tue");
}

#[test]
fn an_open_pause_counts_the_whole_days_elapsed() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let p = [pause("2026-03-16 10:00", None)]; // Monday
    let n = |now| {
        clock
            .ticket_due(d("2026-03-10"), 80, &p, at(now))
            .paused_working_days
    };
    assert_eq!(n("2026-03-16 23:00"), 0);
    assert_eq!(n("2026-03-17 23:00"), 0, "Tuesday is not over yet");
    assert_eq!(n("2026-03-18 00:00"), 1, "Tuesday is");
    assert_eq!(n("2026-03-23 08:00"), 4, "Tue–Fri, not the weekend");
}

#[test]
fn standing_counts_remaining_and_overdue_working_days() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let due = clock.ticket_due(d("2026-02-10"), 7, &[], at("2026-02-10 09:00"));
    assert_eq!(due.due_date, d("2026-02-26"));
    let s = clock.standing(&due, at("2026-02-26 23:59"));
    assert_eq!((s.overdue, s.remaining_working_days), (false, 0));
    let s = clock.standing(&due, at("2026-02-27 00:00"));
    assert_eq!((s.overdue, s.overdue_working_days), (true, 1));
    // Sat 02-28 is a make-up workday.
    let s = clock.standing(&due, at("2026-02-28 12:00"));
    assert_eq!(s.overdue_working_days, 2);
    let s = clock.standing(&due, at("2026-02-13 12:00"));
    assert_eq!(
        s.remaining_working_days, 4,
        "02-14 (make-up Sat), 02-24, 02-25, 02-26"
    );
}

#[test]
fn stage_limits_follow_the_policy() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let policy = Config::from_toml_overrides("").unwrap().sla_policy();
    let plan = policy.stage("supply_plan").unwrap();
    let visit = StageVisit {
        stage: "supply_plan".into(),
        entered_at: at("2026-02-13 10:00"),
        left_at: None,
    };
    // Accepted Friday 02-13: one working day later is the make-up Saturday.
    let sla = clock.stage_sla(
        plan,
        &visit,
        d("2026-02-13"),
        VoltageLevel::Kv10,
        &[],
        at("2026-02-14 12:00"),
    );
    assert_eq!(sla.due_date, Some(d("2026-02-14")));
    assert_eq!(sla.state, StageSlaState::OnTime);
    let sla = clock.stage_sla(
        plan,
        &visit,
        d("2026-02-13"),
        VoltageLevel::Kv10,
        &[],
        at("2026-02-15 00:00"),
    );
    assert_eq!(sla.state, StageSlaState::Breached);
    let done = StageVisit {
        left_at: Some(at("2026-02-14 16:00")),
        ..visit
    };
    let sla = clock.stage_sla(
        plan,
        &done,
        d("2026-02-13"),
        VoltageLevel::Kv10,
        &[],
        at("2026-03-01 00:00"),
    );
    assert_eq!(sla.state, StageSlaState::Met);

    let energise = policy.stage("energisation").unwrap();
    let visit = StageVisit {
        stage: "energisation".into(),
        entered_at: at("2026-02-10 15:00"),
        left_at: None,
    };
    let sla = clock.stage_sla(
        energise,
        &visit,
        d("2026-01-05"),
        VoltageLevel::Kv10,
        &[],
        at("2026-02-11 00:00"),
    );
    assert_eq!(sla.due_date, Some(d("2026-02-26")));
    let survey = policy.stage("site_survey").unwrap();
    let sla = clock.stage_sla(
        survey,
        &visit,
        d("2026-01-05"),
        VoltageLevel::Kv10,
        &[],
        at("2026-02-11 00:00"),
    );
    assert_eq!(sla.state, StageSlaState::Unlimited);
}

#[test]
fn explain_lists_the_facts() {
    let cal = Calendar::builtin();
    let clock = SlaClock::new(&cal, Shanghai);
    let p = [pause("2026-03-17 14:00", Some("2026-03-19 10:00"))];
    let e = clock.explain(
        "mv_new_dual",
        d("2026-01-30"),
        90,
        &p,
        at("2026-04-01 00:00"),
    );
    assert_eq!(e.limit_working_days, 90);
    assert_eq!(e.paused_working_days, 1);
    assert_eq!(e.total_working_days, 91);
    assert_eq!(e.pauses[0].paused_working_days, 1);
    assert!(
        e.calendar
            .makeup_workdays_crossed
            .contains(&d("2026-02-14"))
    );
    assert!(e.calendar.rest_days_crossed.contains(&d("2026-02-16")));
    assert_eq!(e.due.due_date, e.calendar.due);
}
