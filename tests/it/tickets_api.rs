//! Ticket API against the real server and a real database (SQLite, or
//! PostgreSQL when YEKUO_TEST_DATABASE_URL is set). Expected dates were
//! cross-checked with the PyPI `chinese-calendar` package.

use crate::common;

use common::{TestApp, expect, local, ticket_body};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::HashMap;

#[tokio::test]
async fn due_dates_per_category_across_the_spring_festival() {
    let t = TestApp::spawn(local("2026-02-13 10:00")).await;
    let cases = [
        ("single", false, "mv_existing_single", 80, "2026-05-07"),
        ("dual", false, "mv_existing_dual", 80, "2026-05-07"),
        ("single", true, "mv_new_single", 80, "2026-05-07"),
        ("dual", true, "mv_new_dual", 90, "2026-05-20"),
    ];
    for (sources, new_line, category, limit, due) in cases {
        let v = t
            .create_ticket(json!({"power_sources": sources, "new_line": new_line, "accepted_on": "2026-01-05"}))
            .await;
        assert_eq!(v["category"], category);
        assert_eq!(v["limit_working_days"], limit);
        assert_eq!(v["due_date"], due, "{category}");
        assert_eq!(v["provisional"], false);
        assert_eq!(v["status"], "open");
    }
    // Accepted just before the 2026 Spring Festival (02-15..02-23, make-up
    // Saturdays 02-14 and 02-28): 90 working days end on 2026-06-16.
    let v = t
        .create_ticket(
            json!({"power_sources": "dual", "new_line": true, "accepted_on": "2026-01-30"}),
        )
        .await;
    assert_eq!(v["due_date"], "2026-06-16");
    // The deadline instant is 24:00 Beijing time of the due date.
    assert_eq!(v["due_at"], "2026-06-16T16:00:00Z");
    let explain = t
        .get_ok(&format!("/api/v1/tickets/{}/explain", v["id"]))
        .await;
    let makeup: Vec<&str> = explain["calendar"]["makeup_workdays_crossed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        makeup.contains(&"2026-02-14") && makeup.contains(&"2026-02-28"),
        "{makeup:?}"
    );
    assert_eq!(explain["limit_working_days"], 90);
    assert_eq!(explain["due"]["due_date"], "2026-06-16");
    assert!(
        explain["calendar"]["calendar_version"]
            .as_str()
            .unwrap()
            .starts_with("cn-2024+cn-2025+cn-2026")
    );

    // Accepted on Friday 02-13: the supply plan is due one working day later,
    // which is the make-up Saturday 02-14.
    let v = t.create_ticket(json!({"accepted_on": "2026-02-13"})).await;
    let id = v["id"].as_i64().unwrap();
    t.post_ok(&format!("/api/v1/tickets/{id}/advance"), &json!({}), 200)
        .await;
    let v = t
        .post_ok(
            &format!("/api/v1/tickets/{id}/advance"),
            &json!({"to": "supply_plan"}),
            200,
        )
        .await;
    assert_eq!(v["stage_sla"]["due_date"], "2026-02-14");
    assert_eq!(v["stage_sla"]["state"], "on_time");
    t.clock.set(local("2026-02-15 00:00"));
    let v = t.get_ok(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(v["stage_sla"]["state"], "breached");
    t.stop().await;
}

#[tokio::test]
async fn a_ticket_accepted_in_december_2026_is_provisional() {
    let t = TestApp::spawn(local("2026-12-03 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-12-01"})).await;
    assert_eq!(v["provisional"], true);
    assert!(
        v["due_date"].as_str().unwrap().starts_with("2027-"),
        "{}",
        v["due_date"]
    );
    let e = t
        .get_ok(&format!("/api/v1/tickets/{}/explain", v["id"]))
        .await;
    assert_eq!(e["due"]["provisional"], true);
    assert_eq!(e["calendar"]["uncovered_from"], "2027-01-01");
    // A ticket due within 2026 is not provisional.
    let v = t.create_ticket(json!({"accepted_on": "2026-08-03"})).await;
    assert_eq!(v["provisional"], false);
    t.stop().await;
}

#[tokio::test]
async fn pause_and_resume_move_the_due_date_by_whole_paused_days() {
    let t = TestApp::spawn(local("2026-03-10 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-10"})).await;
    let id = v["id"].as_i64().unwrap();
    assert_eq!(v["due_date"], "2026-07-06");
    let p = format!("/api/v1/tickets/{id}");
    // A pause needs a configured reason.
    let e = t.post_ok(&format!("{p}/pause"), &json!({}), 422).await;
    assert_eq!(e["errors"][0]["field"], "reason");
    let e = t
        .post_ok(&format!("{p}/pause"), &json!({"reason": "lunch"}), 422)
        .await;
    assert_eq!(e["errors"][0]["field"], "reason");
    t.clock.set(local("2026-03-17 14:00"));
    let v = t
        .post_ok(
            &format!("{p}/pause"),
            &json!({"reason": "customer_documents", "note": "等待用电设备清单"}),
            200,
        )
        .await;
    assert_eq!(v["status"], "paused");
    t.post_ok(
        &format!("{p}/pause"),
        &json!({"reason": "customer_documents"}),
        409,
    )
    .await;
    t.post_ok(&format!("{p}/advance"), &json!({}), 409).await;
    // While paused, the due date moves with each whole day elapsed.
    t.clock.set(local("2026-03-19 08:00"));
    let v = t.get_ok(&p).await;
    assert_eq!(v["due_date"], "2026-07-07");
    t.clock.set(local("2026-03-19 10:00"));
    let v = t.post_ok(&format!("{p}/resume"), &json!(null), 200).await;
    assert_eq!(v["status"], "open");
    assert_eq!(
        v["due_date"], "2026-07-07",
        "only Wednesday 03-18 was paused all day"
    );
    t.post_ok(&format!("{p}/resume"), &json!({}), 409).await;
    let events = t.get_ok(&format!("{p}/events")).await;
    let resumed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "resumed")
        .unwrap();
    assert_eq!(resumed["payload"]["paused_working_days"], 1);
    assert_eq!(resumed["payload"]["due_date_before"], "2026-07-06");
    let e = t.get_ok(&format!("{p}/explain")).await;
    assert_eq!(e["paused_working_days"], 1);
    assert_eq!(e["total_working_days"], 81);
    t.stop().await;
}

#[tokio::test]
async fn lifecycle_and_illegal_transitions() {
    let t = TestApp::spawn(local("2026-04-01 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-30"})).await;
    let id = v["id"].as_i64().unwrap();
    let p = format!("/api/v1/tickets/{id}");
    let act = |a: &str| format!("{p}/{a}");
    // site_survey cannot be skipped; stages never go back.
    let e = t
        .post_ok(&act("advance"), &json!({"to": "supply_plan"}), 409)
        .await;
    assert!(e["detail"].as_str().unwrap().contains("site_survey"), "{e}");
    t.post_ok(&act("advance"), &json!({"to": "nowhere"}), 422)
        .await;
    t.post_ok(&act("advance"), &json!({}), 200).await;
    t.post_ok(&act("advance"), &json!({"to": "accept"}), 409)
        .await;
    t.post_ok(&act("close"), &json!({}), 409).await;
    t.post_ok(&act("advance"), &json!({}), 200).await;
    // design review and mid-inspection are skippable.
    let v = t
        .post_ok(
            &act("advance"),
            &json!({"to": "completion_acceptance"}),
            200,
        )
        .await;
    assert_eq!(v["stage"], "completion_acceptance");
    t.clock.set(local("2026-04-02 15:00"));
    let v = t.post_ok(&act("advance"), &json!({}), 200).await;
    assert_eq!(v["stage"], "energisation");
    // Outage connection within 7 working days of completion acceptance,
    // across the Qingming rest days 04-04..04-06.
    assert_eq!(v["stage_sla"]["due_date"], "2026-04-14");
    t.post_ok(&act("advance"), &json!({}), 409).await;
    let v = t
        .post_ok(&act("close"), &json!({"note": "送电成功"}), 200)
        .await;
    assert_eq!(v["status"], "closed");
    assert!(v["standing"].is_null());
    let stages: Vec<&str> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "accept",
            "site_survey",
            "supply_plan",
            "completion_acceptance",
            "energisation"
        ]
    );
    assert_eq!(v["stages"][4]["state"], "met");
    for a in ["advance", "resume", "close", "pause"] {
        let e = t
            .post_ok(&act(a), &json!({"reason": "customer_documents"}), 409)
            .await;
        assert_eq!(e["status"], 409);
    }
    t.patch(&p, &json!({"address": "x"}))
        .await
        .status()
        .as_u16()
        .eq(&409)
        .then_some(())
        .expect("closed tickets are not edited");
    let e = t.post_ok(&act("reopen"), &json!({}), 422).await;
    assert_eq!(e["errors"][0]["field"], "note");
    let v = t
        .post_ok(&act("reopen"), &json!({"note": "计量装置复核"}), 200)
        .await;
    assert_eq!(v["status"], "open");
    let v = t
        .post_ok(&act("cancel"), &json!({"note": "客户撤销申请"}), 200)
        .await;
    assert_eq!(v["status"], "cancelled");
    let events = t.get_ok(&format!("{p}/events")).await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "stage_changed",
            "closed",
            "reopened",
            "cancelled"
        ]
    );
    assert_eq!(
        events[3]["payload"]["skipped"],
        json!(["design_review", "mid_inspection"])
    );
    let seqs: Vec<i64> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "mgr-li")
    );
    t.stop().await;
}

#[tokio::test]
async fn updates_recompute_and_are_recorded() {
    let t = TestApp::spawn(local("2026-02-13 10:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    let p = format!("/api/v1/tickets/{}", v["id"]);
    let res = t
        .req("dir-chen", reqwest::Method::PATCH, &p)
        .json(&json!({"power_sources": "dual", "new_line": true, "note": "方案变更"}))
        .send()
        .await
        .unwrap();
    let v = expect(res, 200).await;
    assert_eq!(v["category"], "mv_new_dual");
    assert_eq!(v["due_date"], "2026-05-20");
    // No change, no event.
    expect(t.patch(&p, &json!({"new_line": true})).await, 200).await;
    let e = expect(
        t.patch(
            &p,
            &json!({"capacity_kva": 0, "voltage_level": "1kV", "colour": "red"}),
        )
        .await,
        422,
    )
    .await;
    let mut fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["capacity_kva", "colour", "voltage_level"]);
    let events = t.get_ok(&format!("{p}/events")).await;
    assert_eq!(events.as_array().unwrap().len(), 2);
    assert_eq!(events[1]["kind"], "field_updated");
    assert_eq!(events[1]["actor"], "dir-chen");
    assert_eq!(
        events[1]["payload"]["changes"]["category"]["from"],
        "mv_existing_single"
    );
    assert_eq!(
        events[1]["payload"]["changes"]["category"]["to"],
        "mv_new_dual"
    );
    t.stop().await;
}

#[tokio::test]
async fn bad_input_gets_clear_problems_never_a_500() {
    let t = TestApp::spawn(local("2026-02-13 10:00")).await;
    let e = t.post_ok("/api/v1/tickets", &json!({"customer_name": " ", "voltage_level": "400V", "new_line": "yes", "capacity_kva": -1, "accepted_on": "2026-02-30", "extra": 1}), 422).await;
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "customer_name",
        "customer_account_no",
        "voltage_level",
        "new_line",
        "capacity_kva",
        "accepted_on",
        "service_center",
        "extra",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    let e = t
        .create_ticket_raw(json!({"service_center": "GZ-NOPE"}))
        .await;
    assert_eq!(e["errors"][0]["field"], "service_center");
    let e = t.create_ticket_raw(json!({"manager": "mgr-wang"})).await;
    assert_eq!(
        e["errors"][0]["field"], "manager",
        "mgr-wang manages GZ-YX, not GZ-TH"
    );
    let e = t.create_ticket_raw(json!({"manager": "nobody"})).await;
    assert_eq!(e["errors"][0]["field"], "manager");
    let e = t
        .create_ticket_raw(json!({"accepted_on": "2026-02-14"}))
        .await;
    assert_eq!(
        e["errors"][0]["field"], "accepted_on",
        "acceptance in the future"
    );
    let res = t
        .req("mgr-li", reqwest::Method::POST, "/api/v1/tickets")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let e = expect(res, 400).await;
    assert_eq!(e["type"], "/problems/bad-request");
    expect(t.post("/api/v1/tickets", &json!([1, 2])).await, 422).await;
    expect(t.get("/api/v1/tickets/424242").await, 404).await;
    expect(t.get("/api/v1/tickets/abc").await, 400).await;
    expect(
        t.post("/api/v1/tickets/424242/resume", &json!({})).await,
        404,
    )
    .await;
    expect(t.get("/api/v1/nothing-here").await, 404).await;
    t.create_ticket(json!({"ticket_no": "GZ-0001"})).await;
    let e = t
        .post_ok(
            "/api/v1/tickets",
            &{
                let mut b = ticket_body();
                b["ticket_no"] = json!("GZ-0001");
                b
            },
            409,
        )
        .await;
    assert!(e["detail"].as_str().unwrap().contains("already exists"));
    expect(
        t.get("/api/v1/tickets?status=lost&limit=0&colour=red")
            .await,
        422,
    )
    .await;
    expect(t.get("/api/v1/tickets/1?as_of=yesterday").await, 422).await;
    t.stop().await;
}

#[tokio::test]
async fn list_filters_sorts_and_pages() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    for (acc, sources, center) in [
        ("2026-01-05", "single", "GZ-TH"),
        ("2026-01-06", "dual", "GZ-TH"),
        ("2026-02-02", "single", "GZ-YX"),
        ("2026-03-02", "single", "GZ-TH"),
        ("2026-05-06", "single", "GZ-YX"),
    ] {
        t.create_ticket(
            json!({"accepted_on": acc, "power_sources": sources, "service_center": center}),
        )
        .await;
    }
    let all = t.get_ok_as("head-wu", "/api/v1/tickets?limit=2").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let mut dues: Vec<String> = Vec::new();
    let mut page = all;
    loop {
        dues.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["due_date"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => {
                page = t
                    .get_ok_as("head-wu", &format!("/api/v1/tickets?limit=2&cursor={c}"))
                    .await
            }
            None => break,
        }
    }
    assert_eq!(dues.len(), 5);
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    let desc = t
        .get_ok_as("head-wu", "/api/v1/tickets?sort=-due&limit=1")
        .await;
    assert_eq!(desc["items"][0]["due_date"], dues[4].as_str());
    let v = t
        .get_ok_as("head-wu", "/api/v1/tickets?service_center=GZ-YX")
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let v = t
        .get_ok_as("head-wu", "/api/v1/tickets?category=mv_existing_dual")
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    // 2026-01-05 + 80 = 05-07 and 2026-01-06 + 80 = 05-08: overdue on 06-01.
    let v = t
        .get_ok_as("head-wu", "/api/v1/tickets?overdue_as_of=2026-06-01")
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["standing"]["overdue"] == true)
    );
    let v = t
        .get_ok_as("head-wu", "/api/v1/tickets?overdue_as_of=2026-05-08")
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let v = t
        .get_ok_as(
            "head-wu",
            "/api/v1/tickets?due_before=2026-05-08&due_after=2026-01-01",
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let first: Value = v["items"][0].clone();
    assert_eq!(
        first["standing"]["overdue_working_days"], 18,
        "working days in (05-07, 06-01], 05-09 a make-up Saturday"
    );
    t.stop().await;
}

#[tokio::test]
async fn health_openapi_and_offline_docs() {
    let t = TestApp::spawn(local("2026-02-13 10:00")).await;
    assert_eq!(t.get_ok("/healthz").await["status"], "ok");
    assert_eq!(t.get_ok("/readyz").await["database"], "ok");
    let doc = t.get_ok("/api-docs/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/tickets", "post"),
        ("/api/v1/tickets", "get"),
        ("/api/v1/tickets/{id}", "get"),
        ("/api/v1/tickets/{id}", "patch"),
        ("/api/v1/tickets/{id}/events", "get"),
        ("/api/v1/tickets/{id}/explain", "get"),
        ("/api/v1/tickets/{id}/advance", "post"),
        ("/api/v1/tickets/{id}/pause", "post"),
        ("/api/v1/tickets/{id}/resume", "post"),
        ("/api/v1/tickets/{id}/close", "post"),
        ("/api/v1/tickets/{id}/cancel", "post"),
        ("/api/v1/tickets/{id}/reopen", "post"),
        ("/api/v1/policy", "get"),
        ("/api/v1/calendar/add", "get"),
        ("/api/v1/calendar/between", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} undocumented"
        );
    }
    for schema in [
        "TicketView",
        "Problem",
        "CreateTicketBody",
        "Page",
        "DueExplanation",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} missing"
        );
    }
    // The docs page and its assets are served by yekuo itself: no CDN.
    let res = t.get("/docs/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("https://") && !html.contains("http://"),
        "external asset in {html}"
    );
    for asset in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let res = t.get(asset).await;
        assert_eq!(res.status(), 200, "{asset}");
    }
    let init = t
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api-docs/openapi.json"));
    let v = t.get_ok("/api/v1/calendar/add?start=2025-09-30&n=3").await;
    assert_eq!(v["date"], "2025-10-11");
    let v = t
        .get_ok("/api/v1/calendar/between?a=2025-01-24&b=2025-02-07")
        .await;
    assert_eq!(v["working_days"], 5);
    expect(t.get("/api/v1/calendar/add?start=2025-09-31").await, 422).await;
    let policy = t.get_ok("/api/v1/policy").await;
    assert_eq!(policy["categories"].as_array().unwrap().len(), 4);
    t.stop().await;
}

#[tokio::test]
async fn events_are_hash_chained_and_tampering_shows() {
    use sea_orm::ConnectionTrait;
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let p = format!("/api/v1/tickets/{id}");
    t.post_ok(&format!("{p}/advance"), &json!({}), 200).await;
    t.post_ok(
        &format!("{p}/pause"),
        &json!({"reason": "customer_documents"}),
        200,
    )
    .await;
    t.post_ok(&format!("{p}/resume"), &json!({}), 200).await;
    let events = t.get_ok(&format!("{p}/events")).await;
    let list = events.as_array().unwrap();
    assert_eq!(list[0]["prev_hash"], "");
    for w in list.windows(2) {
        assert_eq!(
            w[1]["prev_hash"], w[0]["hash"],
            "each event links to the one before"
        );
    }
    let ok = t.get_ok_as("aud-he", &format!("{p}/events/verify")).await;
    assert_eq!(
        (ok["ok"].as_bool(), ok["events"].as_u64()),
        (Some(true), Some(4))
    );
    // Someone edits the history in the database behind yekuo's back.
    t.app
        .db
        .execute_unprepared(&format!("UPDATE ticket_events SET payload = '{{\"reason\":\"forged\"}}' WHERE ticket_id = {id} AND seq = 3"))
        .await
        .unwrap();
    let bad = t.get_ok_as("aud-he", &format!("{p}/events/verify")).await;
    assert_eq!(
        (bad["ok"].as_bool(), bad["broken_at_seq"].as_i64()),
        (Some(false), Some(3))
    );
    assert!(bad["problem"].as_str().unwrap().contains("changed"));
    t.app
        .db
        .execute_unprepared(&format!(
            "DELETE FROM ticket_events WHERE ticket_id = {id} AND seq = 2"
        ))
        .await
        .unwrap();
    let gone = t.get_ok_as("aud-he", &format!("{p}/events/verify")).await;
    assert_eq!(
        gone["broken_at_seq"].as_i64(),
        Some(3),
        "a removed event breaks the chain where it was"
    );
    t.stop().await;
}

/// Tickets of every shape the list must tell apart: three centers in two
/// bureaus, shared due dates, every status, an owner from another center
/// and bureau, a department asked about some. Returns their ids.
async fn varied_tickets(t: &TestApp) -> Vec<i64> {
    let mut ids = Vec::new();
    for (i, (acc, sources, center)) in [
        ("2026-01-05", "single", "GZ-TH"),
        ("2026-01-05", "single", "GZ-TH"),
        ("2026-01-05", "dual", "GZ-YX"),
        ("2026-01-06", "dual", "GZ-TH"),
        ("2026-02-02", "single", "GZ-YX"),
        ("2026-02-02", "single", "SZ-FT"),
        ("2026-03-02", "single", "GZ-TH"),
        ("2026-03-02", "dual", "GZ-YX"),
        ("2026-04-01", "single", "SZ-FT"),
        ("2026-05-06", "single", "GZ-YX"),
        ("2026-05-06", "single", "GZ-TH"),
        ("2026-05-07", "dual", "GZ-TH"),
    ]
    .into_iter()
    .enumerate()
    {
        let v = t
            .create_ticket(json!({"accepted_on": acc, "power_sources": sources,
                "service_center": center, "new_line": i % 3 == 0}))
            .await;
        ids.push(v["id"].as_i64().unwrap());
    }
    let act = |user: &'static str, id: i64, what: &'static str, body: Value| async move {
        let p = format!("/api/v1/tickets/{id}/{what}");
        expect(t.post_as(user, &p, &body).await, 200).await
    };
    act(
        "mgr-li",
        ids[1],
        "cancel",
        json!({"note": "customer withdrew"}),
    )
    .await;
    act(
        "mgr-wang",
        ids[4],
        "pause",
        json!({"reason": "customer_design"}),
    )
    .await;
    act("mgr-li", ids[6], "advance", json!({})).await;
    // Closed: advanced through every stage, then closed.
    loop {
        let v = act("mgr-li", ids[3], "advance", json!({})).await;
        if v["stage"] == "energisation" || v["stage"] == t.app.policy.last_stage().key.as_str() {
            break;
        }
    }
    act("mgr-li", ids[3], "close", json!({})).await;
    // Owned across centers and bureaus.
    act(
        "head-wu",
        ids[7],
        "reassign",
        json!({"owner": "mgr-li", "note": "handover"}),
    )
    .await;
    // Owned in another bureau: no one hands a ticket there, but an org
    // import may move its owner to another bureau's unit.
    {
        use sea_orm::{ConnectionTrait, Statement};
        let sz = yekuo::org::service::person_by_username(&t.app.db, "mgr-sz")
            .await
            .unwrap()
            .unwrap();
        t.app
            .db
            .execute_raw(Statement::from_string(
                t.app.db.get_database_backend(),
                format!(
                    "UPDATE tickets SET owner_id = {} WHERE id = {}",
                    sz.id, ids[10]
                ),
            ))
            .await
            .unwrap();
    }
    for id in [ids[2], ids[10]] {
        let p = format!("/api/v1/tickets/{id}/coordination");
        let body = json!({"subject": "停电", "question": "能否安排？",
            "category": "holiday_outage", "departments": ["GZ-MKT"]});
        let user = if id == ids[2] { "mgr-wang" } else { "mgr-li" };
        expect(t.post_as(user, &p, &body).await, 201).await;
    }
    ids
}

/// The app with [`varied_tickets`], their ids and the first one's number.
async fn list_fixture() -> (TestApp, Vec<i64>, String) {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    let ids = varied_tickets(&t).await;
    let no = t.get_ok(&format!("/api/v1/tickets/{}", ids[0])).await["ticket_no"]
        .as_str()
        .unwrap()
        .to_string();
    (t, ids, no)
}

/// The filters a list is checked with.
fn list_filters(t: &TestApp, one_ticket_no: &str) -> Vec<String> {
    let stage = &t.app.policy.stages[1].key;
    [
        String::new(),
        "status=open".into(),
        "status=closed".into(),
        "status=cancelled".into(),
        "status=paused".into(),
        format!("stage={stage}"),
        "category=mv_existing_dual".into(),
        "service_center=GZ-YX".into(),
        "service_center=GZ-TH&status=open".into(),
        "owner=mgr-li".into(),
        "owner=mgr-sz".into(),
        "manager=mgr-wang".into(),
        format!("ticket_no={one_ticket_no}"),
        "due_before=2026-05-08".into(),
        "due_after=2026-05-07".into(),
        "overdue_as_of=2026-06-01".into(),
        "overdue_as_of=2026-06-01T00:00:00%2B08:00&sort=-due".into(),
        "sort=-due".into(),
        "status=open&sort=-due".into(),
        "due_before=2026-07-01&due_after=2026-04-01&sort=-due".into(),
        "light=green".into(),
        "light=yellow".into(),
        "light=red&sort=-due".into(),
        "light=overdue".into(),
        "light=yellow&service_center=GZ-TH".into(),
    ]
    .into_iter()
    .collect()
}

/// The users whose scopes are checked (every kind of role).
const LIST_USERS: [&str; 10] = [
    "mgr-li", "mgr-zhao", "mgr-wang", "dir-chen", "dep-sun", "head-wu", "aud-he", "dept-lin",
    "mgr-sz", "adm-ma",
];

/// What a list must return, worked out the slow way: every ticket, the
/// permission check one by one, the filter's meaning applied in memory.
async fn expected_list(t: &TestApp, user: &str, query: &str) -> Vec<i64> {
    use yekuo::auth::permissions::{TicketAccess, ticket_access};
    use yekuo::tickets::entity::ticket;
    let app = &t.app;
    let person = yekuo::org::service::person_by_username(&app.db, user)
        .await
        .unwrap()
        .unwrap();
    let p = yekuo::auth::sessions::principal(&app.db, person, yekuo::auth::Via::Cli)
        .await
        .unwrap();
    let depts = p.units_with(yekuo::org::Role::Department);
    let q: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap();
    let f = yekuo::tickets::ListFilter::parse(&q, app).unwrap();
    let id_of = |name: &Option<String>| {
        let name = name.clone();
        async move {
            match name {
                Some(n) => Some(
                    yekuo::org::service::person_by_username(&app.db, &n)
                        .await
                        .unwrap()
                        .unwrap()
                        .id,
                ),
                None => None,
            }
        }
    };
    let (owner, manager) = (id_of(&f.owner).await, id_of(&f.manager).await);
    let center = match &f.service_center {
        Some(c) => Some(
            yekuo::org::service::unit_by_code(&app.db, c)
                .await
                .unwrap()
                .unwrap()
                .id,
        ),
        None => None,
    };
    let mut rows = Vec::new();
    for tk in ticket::Entity::find().all(&app.db).await.unwrap() {
        let readable = ticket_access(&p, &tk) != TicketAccess::None
            || (!depts.is_empty()
                && yekuo::tickets::store::asked_of_any(app, tk.id, &depts)
                    .await
                    .unwrap());
        let live = tk.status.is_live();
        let keep = readable
            && f.status.as_ref().is_none_or(|s| tk.status.as_str() == s)
            && f.stage.as_ref().is_none_or(|s| &tk.stage == s)
            && f.category.as_ref().is_none_or(|s| &tk.category == s)
            && f.ticket_no.as_ref().is_none_or(|s| &tk.ticket_no == s)
            && owner.is_none_or(|o| tk.owner_id == o)
            && manager.is_none_or(|m| tk.manager_id == m)
            && center.is_none_or(|c| tk.service_center_id == c)
            && f.due_before.is_none_or(|d| tk.due_date < d)
            && f.due_after.is_none_or(|d| tk.due_date > d)
            && f.overdue_as_of.is_none_or(|at| live && tk.due_at <= at)
            && f.light.is_none_or(|l| {
                let due = yekuo::sla::Due {
                    due_date: tk.due_date,
                    due_at: tk.due_at,
                    provisional: tk.provisional,
                    paused_working_days: 0,
                };
                live && app.config.lights.light(&due, app.now(), &app.sla()) == l
            });
        if keep {
            rows.push((tk.due_at, tk.id));
        }
    }
    rows.sort();
    if f.descending {
        rows.reverse();
    }
    rows.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn lists_return_what_a_slow_reading_finds_for_every_scope_and_filter() {
    let (t, ids, no) = list_fixture().await;
    for user in LIST_USERS {
        for query in list_filters(&t, &no) {
            let want = expected_list(&t, user, &query).await;
            // Pages of two, following the cursor to the end.
            let mut got: Vec<i64> = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut path = format!("/api/v1/tickets?limit=2&{query}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let page = t.get_ok_as(user, &path).await;
                let items = page["items"].as_array().unwrap();
                assert!(items.len() <= 2);
                got.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => break,
                }
                assert!(got.len() <= ids.len(), "{user} {query}: endless pages");
            }
            assert_eq!(got, want, "{user} ?{query}");
        }
    }
    // The page of everything, at once, for the head: each ticket once.
    let all = t.get_ok_as("head-wu", "/api/v1/tickets?limit=500").await;
    let all = all["items"].as_array().unwrap().len();
    assert_eq!(all, expected_list(&t, "head-wu", "").await.len());
    t.stop().await;
}

#[tokio::test]
async fn every_list_shape_reads_through_an_index_in_due_order() {
    let (t, _, no) = list_fixture().await;
    let sqlite = t.app.db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let mut shapes = 0;
    // Every caller's scope, and every ticket (the command line's).
    for user in LIST_USERS.into_iter().chain(["(all)"]) {
        let scope = match yekuo::org::service::person_by_username(&t.app.db, user)
            .await
            .unwrap()
        {
            Some(person) => yekuo::auth::permissions::ticket_scope(
                &yekuo::auth::sessions::principal(&t.app.db, person, yekuo::auth::Via::Cli)
                    .await
                    .unwrap(),
            ),
            None => yekuo::tickets::list::Scope::All,
        };
        for query in list_filters(&t, &no) {
            for cursor in [None, Some("1780000000_3")] {
                let mut q: HashMap<String, String> = serde_urlencoded::from_str(&query).unwrap();
                if let Some(c) = cursor {
                    q.insert("cursor".into(), c.into());
                }
                let mut f = yekuo::tickets::ListFilter::parse(&q, &t.app).unwrap();
                f.scope = scope.clone();
                let plans = yekuo::tickets::list::explain(&t.app, &f, false)
                    .await
                    .unwrap();
                assert!(!plans.is_empty());
                for (sql, plan) in plans {
                    shapes += 1;
                    if !sqlite {
                        continue;
                    }
                    let text = plan.join("\n");
                    assert!(
                        !text.contains("SCAN") && !text.contains("TEMP B-TREE"),
                        "{user} ?{query} cursor {cursor:?}: a scan or a sort\n{text}\n{sql}"
                    );
                    let first = plan[0].replace("COVERING INDEX", "INDEX");
                    assert!(
                        first.starts_with("SEARCH tickets USING INDEX")
                            || first.starts_with("SEARCH td USING INDEX"),
                        "{user} ?{query}: not entered through an index\n{text}"
                    );
                    // Entered by an anchor (all tickets: each bureau's), and
                    // any due-date bound is a range of the index, not a filter.
                    let seek = first.split_once('(').map_or("", |(_, c)| c);
                    assert!(
                        !seek.starts_with("status="),
                        "{user} ?{query}: the anchor is filtered, not sought\n{text}"
                    );
                    if query.contains("due_") || query.contains("overdue") || cursor.is_some() {
                        assert!(
                            seek.contains("due_at<")
                                || seek.contains("due_at>")
                                || seek.contains("due_at=")
                                || seek.starts_with("ticket_no="),
                            "{user} ?{query} cursor {cursor:?}: the due bound is not sought\n{text}"
                        );
                    }
                }
            }
        }
    }
    assert!(shapes > 450, "{shapes} arms checked");
    t.stop().await;
}

#[tokio::test]
async fn every_open_ticket_shows_its_light_and_lists_filter_by_it() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    // Accepted a week apart since January: deadlines from May to October.
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    while day <= chrono::NaiveDate::from_ymd_opt(2026, 5, 25).unwrap() {
        t.create_ticket(json!({"accepted_on": day.to_string()}))
            .await;
        day = day + chrono::Days::new(7);
    }
    let mut seen = std::collections::BTreeMap::new();
    let all = t.get_ok_as("head-wu", "/api/v1/tickets?limit=500").await;
    for item in all["items"].as_array().unwrap() {
        let light = item["light"].as_str().unwrap().to_string();
        // The light follows the deadline: overdue past it, red within 10
        // days, yellow within a month.
        let due: chrono::NaiveDate = item["due_date"].as_str().unwrap().parse().unwrap();
        let want = match due.to_string().as_str() {
            d if d < "2026-06-01" => "overdue",
            d if d <= "2026-06-10" => "red",
            d if d <= "2026-06-30" => "yellow",
            _ => "green",
        };
        assert_eq!(light, want, "due {due}");
        seen.entry(light)
            .or_insert_with(Vec::new)
            .push(item["id"].as_i64().unwrap());
    }
    assert_eq!(seen.len(), 4, "every light occurs: {seen:?}");
    for (light, ids) in &seen {
        let page = t
            .get_ok_as(
                "head-wu",
                &format!("/api/v1/tickets?limit=500&light={light}"),
            )
            .await;
        let got: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(&got, ids, "light={light}");
    }
    let bad = t.get_as("head-wu", "/api/v1/tickets?light=blue").await;
    assert_eq!(expect(bad, 422).await["errors"][0]["field"], "light");
    t.stop().await;
}
