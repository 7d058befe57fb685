//! `yekuo demo --year`: a year of work whose rows agree with what the
//! service, the sweep and the reports make of their history.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::common::{TestApp, local};
use yekuo::coordination::entity::{request, target};
use yekuo::demo::year::{YearSpec, YearSummary, seed_year};
use yekuo::org::entity::{person, unit};
use yekuo::reports::ReportScope;
use yekuo::reports::accountability::{self as register, entity as entry};
use yekuo::reports::at::{Facts, state_at};
use yekuo::tickets::entity::ticket::Status;
use yekuo::tickets::entity::{event, pause, stage_visit, ticket, ticket_department};

const AS_OF: &str = "2026-11-27 10:00";

async fn year(t: &TestApp, seed: u64, tickets: u64) -> YearSummary {
    let spec = YearSpec {
        tickets,
        seed,
        as_of: t.app.now(),
        centers: 3,
    };
    seed_year(&t.app, &spec).await.expect("the year is written")
}

/// The year's tickets (by number), oldest first.
async fn tickets(t: &TestApp, seed: u64) -> Vec<ticket::Model> {
    ticket::Entity::find()
        .filter(ticket::Column::TicketNo.starts_with(format!("DEMO-{seed}-")))
        .order_by_asc(ticket::Column::TicketNo)
        .all(&t.app.db)
        .await
        .unwrap()
}

async fn usernames(t: &TestApp) -> HashMap<i64, String> {
    person::Entity::find()
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p.username))
        .collect()
}

/// The accountability entries by ticket, oldest first.
async fn entries_by_ticket(t: &TestApp) -> HashMap<i64, Vec<entry::Model>> {
    let mut out: HashMap<i64, Vec<entry::Model>> = HashMap::new();
    for e in entry::Entity::find()
        .order_by_asc(entry::Column::Id)
        .all(&t.app.db)
        .await
        .unwrap()
    {
        out.entry(e.ticket_id).or_default().push(e);
    }
    out
}

/// One line per ticket of the year: its row (people by username, no ids),
/// its stage visits and pauses, and its accountability entries; the
/// number's seed left out.
async fn digest(t: &TestApp, seed: u64) -> Vec<String> {
    let names = usernames(t).await;
    let mut entries = entries_by_ticket(t).await;
    let mut lines = Vec::new();
    for x in tickets(t, seed).await {
        let visits: Vec<String> = visits_of(t, x.id)
            .await
            .into_iter()
            .map(|v| format!("{}@{}-{:?}", v.stage, v.entered_at, v.left_at))
            .collect();
        let pauses: Vec<String> = pauses_of(t, x.id)
            .await
            .into_iter()
            .map(|p| format!("{}@{}-{:?}", p.reason, p.started_at, p.ended_at))
            .collect();
        let entries: Vec<String> = entries
            .remove(&x.id)
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let persons: Vec<i64> = serde_json::from_str(&e.persons).unwrap();
                let persons: Vec<&str> = persons.iter().map(|p| names[p].as_str()).collect();
                let by = e.completed_by.map(|p| names[&p].as_str());
                format!(
                    "{} {persons:?} {} {} {} {} {by:?} {:?} {:?}",
                    e.kind,
                    e.on_date,
                    e.text,
                    names[&e.recorded_by],
                    e.recorded_at,
                    e.completed_at,
                    e.completion_note
                )
            })
            .collect();
        let no = x.ticket_no.rsplit('-').next().unwrap().to_string();
        lines.push(format!(
            "{no} {} {} {} {} {} {} {} {} {} {} {:?} {:?} {} {} {:?} {:?} {} {} {visits:?} {pauses:?} {entries:?}",
            x.customer_name,
            x.customer_account_no,
            x.voltage_level,
            x.power_sources,
            x.new_line,
            x.category,
            x.capacity_kva,
            x.accepted_on,
            x.stage,
            x.stage_entered_at,
            x.status,
            x.stage_due_at,
            names[&x.owner_id],
            names[&x.manager_id],
            x.next_escalation_at,
            x.closed_at,
            x.escalation_level,
            x.due_at,
        ));
    }
    lines
}

async fn pauses_of(t: &TestApp, id: i64) -> Vec<pause::Model> {
    pause::Entity::find()
        .filter(pause::Column::TicketId.eq(id))
        .order_by_asc(pause::Column::Id)
        .all(&t.app.db)
        .await
        .unwrap()
}

async fn visits_of(t: &TestApp, id: i64) -> Vec<stage_visit::Model> {
    stage_visit::Entity::find()
        .filter(stage_visit::Column::TicketId.eq(id))
        .order_by_asc(stage_visit::Column::Id)
        .all(&t.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_same_seed_writes_the_same_year_and_another_seed_another() {
    let a = TestApp::spawn(local(AS_OF)).await;
    let b = TestApp::spawn(local(AS_OF)).await;
    let (sa, sb) = tokio::join!(year(&a, 7, 300), year(&b, 7, 300));
    assert_eq!(sa, sb);
    let (da, db) = tokio::join!(digest(&a, 7), digest(&b, 7));
    assert_eq!(da.len(), 300);
    // Entries are part of what is compared: the year of 300 has some.
    assert!(sa.accountability > 0, "{sa}");
    let with_entries = da.iter().filter(|l| !l.ends_with(" []")).count();
    assert_eq!(with_entries as u64, sa.accountability);
    if da != db {
        let first = da.iter().zip(&db).find(|(x, y)| x != y);
        panic!("the same seed wrote different tickets: {first:?}");
    }
    // Another seed in the same database (its org reused): other tickets.
    year(&b, 8, 300).await;
    let other = digest(&b, 8).await;
    assert_eq!(other.len(), 300);
    let same = da.iter().zip(&other).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0, "seed 8 repeats tickets of seed 7");
    // The same seed again is refused rather than doubled.
    let again = seed_year(
        &b.app,
        &YearSpec {
            tickets: 10,
            seed: 7,
            as_of: b.app.now(),
            centers: 3,
        },
    )
    .await;
    assert!(again.is_err());
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_year_holds_the_mix_and_agrees_with_its_history() {
    let t = TestApp::spawn(local(AS_OF)).await;
    let as_of = t.app.now();
    let summary = year(&t, 2026, 1500).await;
    let rows = tickets(&t, 2026).await;
    assert_eq!(rows.len(), 1500);
    assert_eq!(summary.tickets, 1500);
    check_mix(&t, &rows, as_of).await;
    check_spread(&t, &rows);
    check_escalations(&t, &rows).await;
    check_chains(&t, &rows).await;
    check_rebuilt_state(&t, &rows, as_of).await;
    check_coordination(&t, &rows).await;
    check_reports(&t, as_of).await;
    t.stop().await;
}

/// Closed on time and late, cancelled, open, paused, in shares like a
/// bureau's; more than one category, with both limits.
async fn check_mix(t: &TestApp, rows: &[ticket::Model], as_of: DateTime<Utc>) {
    let count = |f: &dyn Fn(&ticket::Model) -> bool| rows.iter().filter(|x| f(x)).count();
    let closed = |x: &ticket::Model| x.status == Status::Closed;
    let on_time = count(&|x| closed(x) && x.closed_at.unwrap() < x.due_at);
    let late = count(&|x| closed(x) && x.closed_at.unwrap() >= x.due_at);
    let cancelled = count(&|x| x.status == Status::Cancelled);
    let open = count(&|x| x.status == Status::Open);
    let paused = count(&|x| x.status == Status::Paused);
    let shares = format!(
        "on time {on_time}, late {late}, cancelled {cancelled}, open {open}, paused {paused}"
    );
    assert!(on_time > 600, "{shares}");
    assert!(late > 10 && late * 8 < on_time, "{shares}");
    assert!((5..=60).contains(&cancelled), "{shares}");
    assert!(open > 200 && paused > 5, "{shares}");
    // Accepted early enough (more than 90 working days before as_of):
    // closed or cancelled, except a late one now and then.
    let old: Vec<&ticket::Model> = rows
        .iter()
        .filter(|x| t.app.calendar.add_provisional(x.accepted_on, 100).date < as_of.date_naive())
        .collect();
    let done = old.iter().filter(|x| !x.status.is_live()).count();
    assert!(done * 100 >= old.len() * 97, "{done} of {} done", old.len());
    let categories: BTreeSet<&str> = rows.iter().map(|x| x.category.as_str()).collect();
    let limits: BTreeSet<u32> = categories
        .iter()
        .map(|c| t.app.policy.category(c).unwrap().limit_working_days.get())
        .collect();
    assert!(categories.len() >= 3, "{categories:?}");
    assert!(limits.contains(&80) && limits.contains(&90), "{limits:?}");
    let with_pause: BTreeSet<i64> = pause::Entity::find()
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.ticket_id)
        .collect();
    let share = with_pause.len() as f64 / rows.len() as f64;
    assert!((0.08..=0.17).contains(&share), "paused once: {share}");
}

/// Accepted over the twelve months, fewer around the Spring Festival
/// (2026-02-15 to 02-23), on working days in office hours.
fn check_spread(t: &TestApp, rows: &[ticket::Model]) {
    let sla = t.app.sla();
    let mut months: HashMap<(i32, u32), usize> = HashMap::new();
    for x in rows {
        *months
            .entry((x.accepted_on.year(), x.accepted_on.month()))
            .or_default() += 1;
        assert!(
            t.app.calendar.is_working_day(x.accepted_on).unwrap(),
            "{}",
            x.ticket_no
        );
        let local = x.created_at.with_timezone(&sla.zone).time();
        let hours = chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap()
            ..chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap();
        assert!(hours.contains(&local), "{} at {local}", x.ticket_no);
        assert_eq!(sla.local_date(x.created_at), x.accepted_on);
    }
    assert!(months.len() >= 12, "{months:?}");
    let mean = rows.len() / months.len();
    assert!(months[&(2026, 2)] * 10 < mean * 7, "February: {months:?}");
    let first = rows.iter().map(|x| x.accepted_on).min().unwrap();
    assert!(first >= NaiveDate::from_ymd_opt(2025, 11, 27).unwrap());
}

/// Every level of the ladder is held by its role's holder.
async fn check_escalations(t: &TestApp, rows: &[ticket::Model]) {
    let names = usernames(t).await;
    let mut levels = BTreeSet::new();
    for x in rows {
        let owner = &names[&x.owner_id];
        let expected = match x.escalation_level {
            0 => "demo-mgr-",
            1 => "demo-dir-",
            2 => "demo-deputy",
            3 => "demo-head",
            l => panic!("level {l}"),
        };
        assert!(owner.starts_with(expected), "{} {owner}", x.ticket_no);
        levels.insert(x.escalation_level);
        if x.status == Status::Open {
            assert!(
                x.next_escalation_at.is_none_or(|n| n > t.app.now()),
                "{} should have escalated",
                x.ticket_no
            );
        }
    }
    assert_eq!(levels, BTreeSet::from([0, 1, 2, 3]));
    // The sweep at as_of finds nothing left to escalate.
    let r = yekuo::escalation::sweep(&t.app, t.app.now(), true, 500)
        .await
        .unwrap();
    assert!(r.escalated.is_empty(), "{:?}", r.escalated.first());
    let rows = yekuo::escalation::entity::Entity::find()
        .count(&t.app.db)
        .await
        .unwrap();
    let events = event::Entity::find()
        .filter(event::Column::Kind.eq("escalated"))
        .count(&t.app.db)
        .await
        .unwrap();
    assert_eq!(rows, events);
}

async fn events_by_ticket(t: &TestApp) -> HashMap<i64, Vec<event::Model>> {
    let mut out: HashMap<i64, Vec<event::Model>> = HashMap::new();
    for e in event::Entity::find()
        .order_by_asc(event::Column::TicketId)
        .order_by_asc(event::Column::Seq)
        .all(&t.app.db)
        .await
        .unwrap()
    {
        out.entry(e.ticket_id).or_default().push(e);
    }
    out
}

/// Every chain holds; a sample checked by the service as well.
async fn check_chains(t: &TestApp, rows: &[ticket::Model]) {
    let events = events_by_ticket(t).await;
    for x in rows {
        let v = yekuo::tickets::chain::verify(x.id, &events[&x.id]);
        assert!(v.ok, "{}: {v:?}", x.ticket_no);
        assert_eq!(events[&x.id][0].kind, "created");
    }
    for x in rows.iter().step_by(50) {
        let v = yekuo::tickets::service::verify_events(&t.app, x.id)
            .await
            .unwrap();
        assert!(v.ok && v.events >= 1, "{}: {v:?}", x.ticket_no);
    }
}

/// The state rebuilt from the history at as_of is the stored row.
async fn check_rebuilt_state(t: &TestApp, rows: &[ticket::Model], as_of: DateTime<Utc>) {
    let names = usernames(t).await;
    let ids: HashMap<String, i64> = names.iter().map(|(id, n)| (n.clone(), *id)).collect();
    let mut events = events_by_ticket(t).await;
    for x in rows.iter().step_by(3) {
        let f = Facts {
            ticket: x.clone(),
            events: events.remove(&x.id).unwrap(),
            pauses: pauses_of(t, x.id).await,
            visits: visits_of(t, x.id).await,
        };
        let s = state_at(&f, as_of, &t.app.policy, &t.app.sla(), |u| {
            ids.get(u).copied()
        })
        .expect("known at as_of");
        let got = (s.status, s.owner_id, s.escalation_level, s.manager_id);
        let stored = (x.status, x.owner_id, x.escalation_level, x.manager_id);
        assert_eq!(got, stored, "{}", x.ticket_no);
        // A closed ticket is in no stage at as_of (its last visit ended).
        if x.status.is_live() {
            let stage = (s.stage.as_str(), s.stage_since);
            assert_eq!(
                stage,
                (x.stage.as_str(), x.stage_entered_at),
                "{}",
                x.ticket_no
            );
        }
        if x.status == Status::Open {
            assert_eq!(s.due.due_date, x.due_date, "{}", x.ticket_no);
        }
    }
}

/// Requests to departments, some settled, some still open, some answers
/// missing; the departments' copy of the due instant is the ticket's.
async fn check_coordination(t: &TestApp, rows: &[ticket::Model]) {
    let db = &t.app.db;
    let requests = request::Entity::find().all(db).await.unwrap();
    let targets = target::Entity::find().all(db).await.unwrap();
    let settled = requests
        .iter()
        .filter(|r| r.state == request::State::Settled)
        .count();
    assert!(requests.len() > 100, "{} requests", requests.len());
    assert!(
        settled > 50 && settled < requests.len(),
        "{settled} settled"
    );
    assert!(targets.iter().any(|x| x.answer.is_none()));
    assert!(
        targets
            .iter()
            .any(|x| x.answer.as_deref() == Some("need_info"))
    );
    let asked = ticket_department::Entity::find().all(db).await.unwrap();
    assert_eq!(asked.len(), targets.len());
    let due: HashMap<i64, DateTime<Utc>> = rows.iter().map(|x| (x.id, x.due_at)).collect();
    for a in asked {
        assert_eq!(a.due_at, due[&a.ticket_id]);
    }
    let units: HashMap<i64, String> = unit::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.kind))
        .collect();
    assert!(
        targets
            .iter()
            .all(|x| units[&x.department_id] == "department")
    );
}

/// Compliance over a past month: some compliant, some not; the overdue
/// report now (rows) and at as_of (history) agree.
async fn check_reports(t: &TestApp, as_of: DateTime<Utc>) {
    let bureau = yekuo::org::service::unit_by_code(&t.app.db, "DEMO")
        .await
        .unwrap()
        .unwrap();
    let scope = ReportScope::Bureau(bureau.id);
    let month = (
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    );
    let c = yekuo::reports::compliance::report(&t.app, scope, month)
        .await
        .unwrap();
    assert!(c.total.closed > 30, "{:?}", c.total);
    let rate = c.total.compliance_rate;
    assert!(rate > 0.0 && rate < 1.0, "{rate}");
    let now = yekuo::reports::overdue::report(&t.app, scope, None)
        .await
        .unwrap();
    let then = yekuo::reports::overdue::report(&t.app, scope, Some(as_of))
        .await
        .unwrap();
    assert!(!now.rows.is_empty() && !now.due_soon.is_empty());
    let json = |r: &yekuo::reports::overdue::OverdueReport| {
        serde_json::json!([r.rows, r.due_soon, r.totals])
    };
    assert_eq!(json(&now), json(&then));
}

#[tokio::test]
async fn the_command_writes_a_year() {
    let t = TestApp::spawn(local(AS_OF)).await;
    let args = ["demo", "--year", "--tickets", "40", "--seed", "5"];
    let (code, out, err) = t.cli(&[&args[..], &["--as-of", "2026-11-27T10:00:00+08:00"]].concat());
    assert_eq!(code, 0, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("a year of 40 demo tickets"), "{out}");
    assert!(out.contains("accountability entries"), "{out}");
    assert_eq!(tickets(&t, 5).await.len(), 40);
    let (code, _, err) = t.cli(&["demo", "--seed", "5"]);
    assert_ne!(code, 0, "--seed needs --year: {err}");
    let (code, _, err) = t.cli(&["demo", "--year", "--due", "3"]);
    assert_ne!(code, 0, "--due is not for a year: {err}");
    t.stop().await;
}

#[tokio::test]
async fn a_year_keeps_the_auditors_register() {
    let t = TestApp::spawn(local(AS_OF)).await;
    let as_of = t.app.now();
    let summary = year(&t, 2026, 4000).await;
    let rows = tickets(&t, 2026).await;
    check_accountability(&t, &rows, as_of, &summary).await;
    check_chains(&t, &rows).await;
    t.stop().await;
}

/// The auditor's register: entries on about a third of the tickets that
/// ran late, recorded by the bureau's auditor some working days after the
/// deadline passed, more than one kind, most completed; each names the
/// owners at the breaches as `breach_owners` finds them, is an event of its
/// ticket in time order with the rest, and is listed by the bureau's
/// register.
async fn check_accountability(
    t: &TestApp,
    rows: &[ticket::Model],
    as_of: DateTime<Utc>,
    summary: &YearSummary,
) {
    let app = &t.app;
    let db = &app.db;
    let auditor = yekuo::org::service::person_by_username(db, "demo-auditor")
        .await
        .unwrap()
        .expect("the demo auditor");
    let bureau = yekuo::org::service::unit_by_code(db, "DEMO")
        .await
        .unwrap()
        .unwrap();
    let auditors = yekuo::org::service::holders(db, yekuo::org::Role::Auditor, bureau.id)
        .await
        .unwrap();
    assert_eq!(
        auditors.iter().map(|p| p.id).collect::<Vec<_>>(),
        [auditor.id]
    );
    let entries: Vec<entry::Model> = entries_by_ticket(t).await.into_values().flatten().collect();
    let completed = entries.iter().filter(|e| e.completed_at.is_some()).count();
    assert_eq!(entries.len() as u64, summary.accountability, "{summary}");
    assert_eq!(completed as u64, summary.accountability_completed);
    // About a third of the tickets that ran late (fewer: those whose action
    // would come after as_of are not recorded yet).
    let late = rows
        .iter()
        .filter(|x| match x.status {
            Status::Closed => x.closed_at.unwrap() >= x.due_at,
            Status::Open | Status::Paused => x.due_at <= as_of,
            Status::Cancelled => false,
        })
        .count();
    let kinds: BTreeSet<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    let per_kind: Vec<(&str, usize)> = kinds
        .iter()
        .map(|k| (*k, entries.iter().filter(|e| e.kind == *k).count()))
        .collect();
    let shares = format!(
        "{} entries, {completed} completed, kinds {per_kind:?}, of {late} late tickets",
        entries.len()
    );
    assert!(entries.len() >= 10, "{shares}");
    assert!(
        completed * 2 > entries.len() && completed < entries.len(),
        "{shares}"
    );
    // Mostly interviews, some circulars, few sanctions.
    assert!(kinds.len() >= 2, "{shares}");
    let count = |k: &str| entries.iter().filter(|e| e.kind == k).count();
    let (interviews, circulars) = (count("interview"), count("circular"));
    assert!(
        interviews * 2 > entries.len() && circulars > count("accountability"),
        "{shares}"
    );
    assert!(
        entries.len() * 6 >= late && entries.len() * 2 <= late,
        "{shares}"
    );
    let by_id: HashMap<i64, &ticket::Model> = rows.iter().map(|x| (x.id, x)).collect();
    let sla = app.sla();
    let events = events_by_ticket(t).await;
    for e in &entries {
        let x = by_id[&e.ticket_id];
        let no = &x.ticket_no;
        assert_eq!(
            (e.bureau_id, e.service_center_id),
            (x.bureau_id, x.service_center_id)
        );
        assert_eq!(e.recorded_by, auditor.id, "{no}");
        assert!(e.recorded_at <= as_of, "{no}");
        assert_eq!(e.on_date, sla.local_date(e.recorded_at), "{no}");
        assert!(e.on_date > x.due_date && e.on_date >= x.accepted_on, "{no}");
        assert!(
            e.text.contains(no.as_str()) && e.text.contains("超过办结时限"),
            "{}",
            e.text
        );
        match (e.completed_at, e.completed_by, &e.completion_note) {
            (None, None, None) => {}
            (Some(at), Some(by), Some(note)) => {
                assert!(at > e.recorded_at && at <= as_of, "{no}");
                assert_eq!(by, auditor.id);
                assert!(!note.is_empty());
            }
            other => panic!("{no}: half completed {other:?}"),
        }
        // The persons: the owners at the breaches by the action, as the
        // register finds them (all of them once the ticket had ended).
        let persons: Vec<i64> = serde_json::from_str(&e.persons).unwrap();
        let owners = register::commands::breach_owners(app, x, as_of)
            .await
            .unwrap();
        assert!(!persons.is_empty(), "{no}");
        assert!(
            owners.starts_with(&persons),
            "{no}: {persons:?} of {owners:?}"
        );
        if x.closed_at.is_some_and(|c| c < e.recorded_at) {
            assert_eq!(persons, owners, "{no}");
        }
        // Its events, in the ticket's chain in time order.
        let chain = &events[&x.id];
        assert!(
            chain.windows(2).all(|w| w[0].at <= w[1].at),
            "{no}: out of order"
        );
        let recorded: Vec<serde_json::Value> = chain
            .iter()
            .filter(|v| v.kind == "accountability_recorded")
            .map(|v| {
                assert_eq!(v.at, e.recorded_at);
                assert_eq!(v.actor_id, Some(auditor.id));
                serde_json::from_str(&v.payload).unwrap()
            })
            .collect();
        let expected = serde_json::json!([{
            "entry_id": e.id, "kind": e.kind, "persons": persons,
            "date": e.on_date, "text": e.text,
        }]);
        assert_eq!(serde_json::json!(recorded), expected, "{no}");
        let done: Vec<(DateTime<Utc>, serde_json::Value)> = chain
            .iter()
            .filter(|v| v.kind == "accountability_completed")
            .map(|v| (v.at, serde_json::from_str(&v.payload).unwrap()))
            .collect();
        let expected: Vec<(DateTime<Utc>, serde_json::Value)> = e
            .completed_at
            .iter()
            .map(|at| {
                (
                    *at,
                    serde_json::json!({"entry_id": e.id, "note": e.completion_note}),
                )
            })
            .collect();
        assert_eq!(done, expected, "{no}");
        let v = yekuo::tickets::chain::verify(x.id, chain);
        assert!(v.ok, "{no}: {v:?}");
        let v = yekuo::tickets::service::verify_events(app, x.id)
            .await
            .unwrap();
        assert!(v.ok, "{no}: {v:?}");
    }
    // The bureau's register lists them, counted per kind.
    let r = register::report(
        app,
        ReportScope::Bureau(bureau.id),
        register::Filter::default(),
    )
    .await
    .unwrap();
    let listed: BTreeSet<i64> = r.rows.iter().map(|v| v.id).collect();
    let written: BTreeSet<i64> = entries.iter().map(|e| e.id).collect();
    assert_eq!(listed, written);
    let all = r.totals.last().unwrap();
    assert_eq!(
        (all.kind.as_str(), all.open + all.completed),
        ("all", entries.len() as u64)
    );
    assert_eq!(all.completed, completed as u64);
    assert!(
        r.rows
            .iter()
            .all(|v| v.recorded_by.username == "demo-auditor")
    );
}
