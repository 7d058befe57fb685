//! The coordination report, and monthly snapshots with restatements, with
//! fixtures computed by hand (working hours across a make-up workday).

use crate::common;

use common::{TestApp, expect, local};
use serde_json::{Value, json};

/// Files a request on `ticket` to `departments` at local time `at`.
async fn file(t: &TestApp, ticket: &Value, departments: &[&str], at: &str) -> Value {
    t.clock.set(local(at));
    let body = json!({"subject": "供电方案", "question": "请确认", "category": "high_reliability_fee", "departments": departments});
    t.post_ok(
        &format!("/api/v1/tickets/{}/coordination", ticket["id"]),
        &body,
        201,
    )
    .await
}

async fn answer(t: &TestApp, user: &str, request: &Value, at: &str) {
    t.clock.set(local(at));
    let url = format!("/api/v1/coordination/{}/answer", request["id"]);
    expect(
        t.post_as(user, &url, &json!({"answer": "agree"})).await,
        200,
    )
    .await;
}

fn dept<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == code)
        .unwrap_or_else(|| panic!("no row for {code}: {r}"))
}

fn figures(d: &Value) -> Vec<Value> {
    [
        "received",
        "answered",
        "answered_in_time",
        "in_time_rate",
        "median_answer_working_hours",
        "open_now",
        "overdue_now",
        "decided_at_meeting",
    ]
    .iter()
    .map(|k| d[*k].clone())
    .collect()
}

#[tokio::test]
async fn coordination_per_department_in_working_hours() {
    let t = TestApp::spawn(local("2026-05-06 08:00")).await;
    let ticket = t
        .create_ticket(json!({"ticket_no": "YK-C", "accepted_on": "2026-05-06"}))
        .await;
    // R1, Wednesday May 6 09:00, before the 10:00 cut-off: answer by 17:30
    // that day. Marketing answers at 11:30 (2.5 working hours); planning
    // the next morning at 09:30 (8.5 + 1 = 9.5 hours), late.
    let r1 = file(&t, &ticket, &["GZ-MKT", "GZ-PLAN"], "2026-05-06 09:00").await;
    answer(&t, "dept-lin", &r1, "2026-05-06 11:30").await;
    answer(&t, "dept-zhang", &r1, "2026-05-07 09:30").await;
    // R2, Friday May 8 16:00, after the cut-off: due the next working day,
    // Saturday May 9 (a make-up workday after Labour Day). Answered Monday
    // 09:00: late; 1.5 (Fri) + 9 (Sat) + 0 (Sun) + 0.5 (Mon) = 11 hours.
    let r2 = file(&t, &ticket, &["GZ-MKT"], "2026-05-08 16:00").await;
    assert_eq!(r2["answer_by"], "2026-05-09", "{r2}");
    answer(&t, "dept-lin", &r2, "2026-05-11 09:00").await;
    // R3: never answered, still open. R4: settled by the weekly meeting.
    file(&t, &ticket, &["GZ-PLAN"], "2026-05-29 09:00").await;
    let r4 = file(&t, &ticket, &["GZ-PLAN"], "2026-05-20 09:00").await;
    t.clock.set(local("2026-05-25 09:30"));
    t.post_ok(
        &format!("/api/v1/coordination/{}/decision", r4["id"]),
        &json!({"meeting_date": "2026-05-25", "decision": "按方案执行", "responsible_department": "GZ-PLAN", "due_date": "2026-05-29"}),
        200,
    )
    .await;
    // R5: filed in June (outside the period), open and overdue now.
    file(&t, &ticket, &["GZ-MKT"], "2026-06-01 09:00").await;
    t.clock.set(local("2026-06-02 10:00"));

    let r = t
        .get_ok_as(
            "aud-he",
            "/api/v1/reports/coordination?from=2026-05-01&to=2026-05-31",
        )
        .await;
    // received, answered, in time, rate, median hours, open now, overdue now, meeting
    assert_eq!(
        figures(dept(&r, "GZ-MKT")),
        [
            json!(2),
            json!(2),
            json!(1),
            json!(0.5),
            json!(6.75),
            json!(1),
            json!(1),
            json!(0)
        ],
        "{r}"
    );
    assert_eq!(dept(&r, "GZ-MKT")["name"], "市场部");
    assert_eq!(
        figures(dept(&r, "GZ-PLAN")),
        [
            json!(3),
            json!(1),
            json!(0),
            json!(0.0),
            json!(9.5),
            json!(1),
            json!(1),
            json!(1)
        ],
        "{r}"
    );
    assert_eq!(
        figures(&r["total"]),
        [
            json!(5),
            json!(3),
            json!(1),
            json!(0.2),
            json!(9.5),
            json!(2),
            json!(2),
            json!(1)
        ],
        "{r}"
    );
    // The other bureau sees none of it; bad periods are named.
    let sz = t
        .get_ok_as(
            "mgr-sz",
            "/api/v1/reports/coordination?from=2026-05-01&to=2026-05-31",
        )
        .await;
    assert!(sz["rows"].as_array().unwrap().is_empty(), "{sz}");
    let p = expect(
        t.get_as(
            "aud-he",
            "/api/v1/reports/coordination?from=2026-06-01&to=2026-05-01",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "from", "{p}");
    t.stop().await;
}

#[tokio::test]
async fn a_closed_month_is_frozen_and_restated_when_the_rules_change() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    // C: closed in May. X: open at the end of May, due 2026-06-26 (yellow
    // at the month's end: within a month, not within ten days).
    let c = t
        .create_ticket(json!({"ticket_no": "YK-SC", "accepted_on": "2026-03-02"}))
        .await;
    let x = t
        .create_ticket(json!({"ticket_no": "YK-SX", "accepted_on": "2026-03-02"}))
        .await;
    t.clock.set(local("2026-05-20 10:00"));
    t.advance_and_close(TestApp::DEFAULT_USER, c["id"].as_i64().unwrap())
        .await;

    // Not yet: May has not ended (the command runs on the real clock).
    t.clock.set(local("2026-05-31 12:00"));
    let month = yekuo::reports::snapshots::Month::parse("2026-05").unwrap();
    let early = yekuo::reports::snapshots::close_month(&t.app, month).await;
    assert!(
        format!("{early:?}").contains("2026-05 has not ended"),
        "{early:?}"
    );
    let (code, _, err) = t.cli(&["report", "close-month", "--month", "2099-01"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("month: 2099-01 has not ended"), "{err}");
    let (code, _, err) = t.cli(&["report", "close-month", "--month", "2026-5"]);
    assert_eq!(code, 2, "{err}");
    // Sunday June 7 is not a working day: the job waits.
    t.clock.set(local("2026-06-07 06:15"));
    assert!(
        yekuo::scheduler::run_snapshots(&t.app, "test")
            .await
            .unwrap()
    );
    expect(
        t.get_as("head-wu", "/api/v1/reports/snapshots/2026-05?unit=GZ")
            .await,
        404,
    )
    .await;
    // Monday June 8 (the service was down until then): the first run on a
    // working day closes May.
    t.clock.set(local("2026-06-08 06:15"));
    assert!(
        yekuo::scheduler::run_snapshots(&t.app, "test")
            .await
            .unwrap()
    );
    let s = t
        .get_ok_as("head-wu", "/api/v1/reports/snapshots/2026-05?unit=GZ")
        .await;
    assert_eq!(
        (&s["version"], &s["versions"]),
        (&json!(1), &json!([1])),
        "{s}"
    );
    assert_eq!(s["reports"]["compliance"]["total"]["closed"], 1, "{s}");
    assert_eq!(s["reports"]["overdue"]["due_soon"][0]["ticket_no"], "YK-SX");
    assert_eq!(s["reports"]["overdue"]["due_soon"][0]["light"], "yellow");
    assert_eq!(x["due_date"], "2026-06-26", "{x}");
    // The center was closed too; a second run changes nothing.
    t.get_ok_as("dir-chen", "/api/v1/reports/snapshots/2026-05")
        .await;
    let (code, out, err) = t.cli(&["report", "close-month", "--month", "2026-05"]);
    assert_eq!(code, 0, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("GZ") && out.contains("unchanged"), "{out}");

    // A closed month is read from its snapshot: reopening C changes the
    // live tickets, not May's compliance.
    t.post_ok(
        &format!("/api/v1/tickets/{}/reopen", c["id"]),
        &json!({"note": "客户要求复核"}),
        200,
    )
    .await;
    let may = "/api/v1/reports/compliance?unit=GZ&from=2026-05-01&to=2026-05-31";
    let res = t.get_as("head-wu", may).await;
    assert_eq!(
        res.headers()
            .get("yekuo-snapshot")
            .and_then(|v| v.to_str().ok()),
        Some("2026-05 v1")
    );
    let frozen = expect(res, 200).await;
    assert_eq!(frozen["total"]["closed"], 1, "{frozen}");
    // The command reads it the same way.
    let (code, out, err) = t.cli(&[
        "report",
        "compliance",
        "--unit",
        "GZ",
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-31",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("read from its snapshot (2026-05 v1)"), "{err}");
    let cli: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(cli["total"], frozen["total"]);
    // Part of a month is computed afresh.
    let live = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/compliance?unit=GZ&from=2026-05-01&to=2026-05-30",
        )
        .await;
    assert_eq!(live["total"]["closed"], 0, "{live}");

    // The rules change (red from two months before the deadline): May is
    // restated as version 2, with the difference listed; version 1 stays.
    let changed = t.sibling("[lights]\nred_before = \"2 months\"").await;
    let month = yekuo::reports::snapshots::Month::parse("2026-05").unwrap();
    let done = yekuo::reports::snapshots::close_month(&changed, month)
        .await
        .unwrap();
    assert!(
        done.iter()
            .any(|(u, o)| u == "GZ" && *o == yekuo::reports::snapshots::Outcome::Restated),
        "{done:?}"
    );
    let s2 = t
        .get_ok_as("head-wu", "/api/v1/reports/snapshots/2026-05?unit=GZ")
        .await;
    assert_eq!(
        (&s2["version"], &s2["versions"]),
        (&json!(2), &json!([1, 2]))
    );
    let light = s2["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "/overdue/due_soon/0/light")
        .unwrap_or_else(|| panic!("{}", s2["differences"]));
    assert_eq!(
        (&light["before"], &light["after"]),
        (&json!("yellow"), &json!("red"))
    );
    assert_ne!(s2["policy_hash"], s["policy_hash"]);
    let v1 = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/snapshots/2026-05?unit=GZ&version=1",
        )
        .await;
    assert_eq!(v1["reports"], s["reports"]);
    for (q, status) in [("2026-13", 422), ("2026-04", 404)] {
        expect(
            t.get_as("head-wu", &format!("/api/v1/reports/snapshots/{q}?unit=GZ"))
                .await,
            status,
        )
        .await;
    }
    expect(
        t.get_as(
            "head-wu",
            "/api/v1/reports/snapshots/2026-05?unit=GZ&version=9",
        )
        .await,
        404,
    )
    .await;
    t.stop().await;
}

#[tokio::test]
async fn a_period_across_the_spring_festival_counts_its_make_up_workdays() {
    // 2026: the Spring Festival rest runs from Sunday Feb 15 to Monday
    // Feb 23; Saturdays Feb 14 and Feb 28 are make-up workdays.
    let t = TestApp::spawn(local("2026-02-10 09:00")).await;
    let s1 = t
        .create_ticket(json!({"ticket_no": "YK-F1", "accepted_on": "2026-02-10"}))
        .await;
    t.clock.set(local("2026-02-13 09:00"));
    let s2 = t
        .create_ticket(json!({"ticket_no": "YK-F2", "accepted_on": "2026-02-13"}))
        .await;
    // S2 closes on the make-up Saturday: Feb 14, Feb 24-27, Feb 28 = 6
    // working days, 15 calendar days.
    t.clock.set(local("2026-02-28 10:00"));
    t.advance_and_close(TestApp::DEFAULT_USER, s2["id"].as_i64().unwrap())
        .await;
    // S1 closes on Monday March 2: Feb 11-13, 14, 24-27, 28, Mar 2 = 10
    // working days, 20 calendar days.
    t.clock.set(local("2026-03-02 10:00"));
    t.advance_and_close(TestApp::DEFAULT_USER, s1["id"].as_i64().unwrap())
        .await;
    t.clock.set(local("2026-04-01 09:00"));

    let q = "unit=GZ&from=2026-02-01&to=2026-03-31";
    let c = t
        .get_ok_as("head-wu", &format!("/api/v1/reports/compliance?{q}"))
        .await;
    let gross: Vec<(&str, i64, &str)> = c["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ticket_no"].as_str().unwrap(),
                r["working_days_gross"].as_i64().unwrap(),
                r["closed_on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        gross,
        [("YK-F1", 10, "2026-03-02"), ("YK-F2", 6, "2026-02-28")],
        "{c}"
    );
    assert_eq!(c["total"]["mean_working_days_gross"], 8.0);
    // February alone holds only S2.
    let feb = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/compliance?unit=GZ&from=2026-02-01&to=2026-02-28",
        )
        .await;
    assert_eq!(feb["total"]["closed"], 1, "{feb}");
    let d = t
        .get_ok_as("head-wu", &format!("/api/v1/reports/durations?{q}"))
        .await;
    let (w, cal) = (&d["all"]["working_days"], &d["all"]["calendar_days"]);
    assert_eq!(
        (&w["count"], &w["mean"], &w["median"], &w["max"]),
        (&json!(2), &json!(8.0), &json!(8.0), &json!(10.0)),
        "{d}"
    );
    assert_eq!(
        (&cal["mean"], &cal["max"]),
        (&json!(17.5), &json!(20.0)),
        "{d}"
    );
    t.stop().await;
}

#[tokio::test]
async fn outcomes_of_closed_tickets_are_kept_and_recomputed_when_the_closing_moves() {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    use yekuo::reports::closings::entity as closings;
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let a = t
        .create_ticket(json!({"ticket_no": "YK-K", "accepted_on": "2026-03-02"}))
        .await;
    let id = a["id"].as_i64().unwrap();
    t.clock.set(local("2026-03-10 10:00"));
    t.advance_and_close(TestApp::DEFAULT_USER, id).await;
    t.clock.set(local("2026-04-01 09:00"));
    let q = "/api/v1/reports/compliance?unit=GZ&from=2026-03-01&to=2026-03-31";
    let first = t.get_ok_as("head-wu", q).await;
    assert_eq!(first["total"]["on_time"], 1, "{first}");
    // The report kept the ticket's outcome.
    let rows = closings::Entity::find().all(&t.app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].ticket_id, id);
    // It is read back (a kept row says late: the report says late).
    let mut row = rows[0].clone().into_active_model();
    let tampered = rows[0]
        .outcome
        .replace("\"on_time\":true", "\"on_time\":false");
    assert_ne!(tampered, rows[0].outcome);
    row.outcome = Set(tampered);
    row.update(&t.app.db).await.unwrap();
    let kept = t.get_ok_as("head-wu", q).await;
    assert_eq!(kept["total"]["on_time"], 0, "{kept}");
    // Reopened and closed again later in March: the kept row no longer
    // matches the closing and is computed again.
    t.clock.set(local("2026-03-20 10:00"));
    t.post_ok(
        &format!("/api/v1/tickets/{id}/reopen"),
        &json!({"note": "复核"}),
        200,
    )
    .await;
    t.post_ok(&format!("/api/v1/tickets/{id}/close"), &json!({}), 200)
        .await;
    t.clock.set(local("2026-04-01 09:00"));
    let again = t.get_ok_as("head-wu", q).await;
    assert_eq!(again["total"]["on_time"], 1, "{again}");
    assert_eq!(again["tickets"][0]["closed_on"], "2026-03-20");
    let rows = closings::Entity::find().all(&t.app.db).await.unwrap();
    assert_eq!(rows.len(), 1, "one row per ticket");
    assert!(rows[0].outcome.contains("\"on_time\":true"));
    t.stop().await;
}
