//! The accountability register: who records, who reads, the default
//! persons (the owners at the breach), completion once, and every step in
//! the ticket's hash chain.

use crate::common;

use common::{TestApp, expect, local};
use serde_json::{Value, json};
use yekuo::escalation::sweep;

fn usernames(entry: &Value) -> Vec<&str> {
    entry["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect()
}

fn field(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn auditors_record_and_complete_heads_and_the_named_read() {
    let t = TestApp::spawn(local("2026-01-05 09:00")).await;
    // Accepted 2026-01-05: 80 working days end on 2026-05-07.
    let a = t
        .create_ticket(json!({"ticket_no": "YK-A", "accepted_on": "2026-01-05"}))
        .await;
    let a_id = a["id"].as_i64().unwrap();
    assert_eq!(a["due_date"], "2026-05-07");
    // The sweep ran on April 30 (inside the deputy head's ten days) and
    // after the deadline: the deputy head held it as it ran late.
    for at in ["2026-04-30 10:00", "2026-06-01 09:00"] {
        t.clock.set(local(at));
        sweep(&t.app, local(at), false, 500).await.expect("sweep");
    }
    let now = t
        .get_ok_as("head-wu", &format!("/api/v1/tickets/{a_id}"))
        .await;
    assert_eq!(now["owner"], "head-wu", "{now}");
    let url = format!("/api/v1/tickets/{a_id}/accountability");

    // Only the bureau's auditors record; others read 403 or 404.
    let body = json!({"kind": "interview", "text": "逾期未送电，约谈责任人"});
    for (user, status) in [
        ("mgr-li", 403),
        ("head-wu", 403),
        ("dir-chen", 403),
        ("mgr-sz", 404),
    ] {
        expect(t.post_as(user, &url, &body).await, status).await;
    }
    let e = expect(t.post_as("aud-he", &url, &body).await, 201).await;
    assert_eq!(
        usernames(&e),
        ["dep-sun"],
        "the owner as the deadline passed: {e}"
    );
    assert_eq!(
        (&e["kind"], &e["state"], &e["date"], &e["ticket_no"]),
        (
            &json!("interview"),
            &json!("open"),
            &json!("2026-06-01"),
            &json!("YK-A")
        )
    );
    assert_eq!(e["recorded_by"]["username"], "aud-he");

    // Bad input: a clear error at the field, nothing stored.
    for (bad, f) in [
        (json!({"kind": "fine", "text": "x"}), "kind"),
        (
            json!({"kind": "circular", "persons": ["nobody"], "text": "x"}),
            "persons",
        ),
        (
            json!({"kind": "circular", "persons": ["mgr-sz"], "text": "x"}),
            "persons",
        ),
        (
            json!({"kind": "circular", "persons": [], "text": "x"}),
            "persons",
        ),
        (
            json!({"kind": "circular", "date": "2025-12-31", "text": "x"}),
            "date",
        ),
        (
            json!({"kind": "circular", "date": "2026-02-30", "text": "x"}),
            "date",
        ),
        (json!({"kind": "circular"}), "text"),
    ] {
        let p = expect(t.post_as("aud-he", &url, &bad).await, 422).await;
        assert_eq!(field(&p), f, "{bad} → {p}");
    }
    // A ticket that breached nothing needs the persons named.
    let b = t
        .create_ticket(json!({"ticket_no": "YK-B", "accepted_on": "2026-06-01"}))
        .await;
    let b_url = format!("/api/v1/tickets/{}/accountability", b["id"]);
    let p = expect(
        t.post_as(
            "aud-he",
            &b_url,
            &json!({"kind": "circular", "text": "受理不规范"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(field(&p), "persons", "{p}");
    let eb = expect(
        t.post_as(
            "aud-he",
            &b_url,
            &json!({"kind": "circular", "persons": ["mgr-li", "mgr-li"], "text": "受理不规范", "date": "2026-06-02"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(usernames(&eb), ["mgr-li"]);

    // Readers: the bureau's heads and auditors, the center director, the
    // persons named; the ticket's manager reads only what names them.
    let seen = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["ticket_no"].as_str().unwrap().to_string())
            .collect()
    };
    for (user, want) in [
        ("head-wu", 1),
        ("dir-chen", 1),
        ("dep-sun", 1),
        ("aud-he", 1),
        ("mgr-li", 0),
    ] {
        let v = t.get_ok_as(user, &url).await;
        assert_eq!(seen(v).len(), want, "{user}");
    }
    expect(t.get_as("mgr-sz", &url).await, 404).await;
    let reg = t.get_ok_as("aud-he", "/api/v1/accountability").await;
    let nos: Vec<&str> = reg["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ticket_no"].as_str().unwrap())
        .collect();
    assert_eq!(nos, ["YK-A", "YK-B"], "by action date: {reg}");
    let all = reg["totals"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&all["kind"], &all["open"], &all["completed"]),
        (&json!("all"), &json!(2), &json!(0))
    );
    let mine = t.get_ok_as("mgr-li", "/api/v1/accountability").await;
    assert_eq!(
        mine["rows"].as_array().unwrap().len(),
        1,
        "a manager sees what names them: {mine}"
    );
    assert_eq!(mine["rows"][0]["ticket_no"], "YK-B");
    let other = t.get_ok_as("mgr-sz", "/api/v1/accountability").await;
    assert!(other["rows"].as_array().unwrap().is_empty(), "{other}");
    let p = expect(
        t.get_as(
            "aud-he",
            "/api/v1/accountability?from=2026-07-01&to=2026-06-01",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(field(&p), "from");
    let p = expect(
        t.get_as("aud-he", "/api/v1/accountability?state=done")
            .await,
        422,
    )
    .await;
    assert_eq!(field(&p), "state");

    // Completion: auditors, once.
    let done_url = format!("/api/v1/accountability/{}/completion", e["id"]);
    let note = json!({"note": "已于6月3日约谈"});
    expect(t.post_as("head-wu", &done_url, &note).await, 403).await;
    expect(t.post_as("mgr-sz", &done_url, &note).await, 404).await;
    let p = expect(
        t.post_as("aud-he", &done_url, &json!({"note": ""})).await,
        422,
    )
    .await;
    assert_eq!(field(&p), "note");
    let done = expect(t.post_as("aud-he", &done_url, &note).await, 200).await;
    assert_eq!(
        (&done["state"], &done["completed_by"]["username"]),
        (&json!("completed"), &json!("aud-he"))
    );
    expect(t.post_as("aud-he", &done_url, &note).await, 409).await;
    let closed = t
        .get_ok_as("aud-he", "/api/v1/reports/accountability?state=completed")
        .await;
    assert_eq!(closed["rows"].as_array().unwrap().len(), 1, "{closed}");
    assert_eq!(closed["rows"][0]["completion_note"], "已于6月3日约谈");

    // Every step is an event of the ticket, and the chain holds.
    let events = t
        .get_ok_as("aud-he", &format!("/api/v1/tickets/{a_id}/events"))
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.ends_with(&["accountability_recorded", "accountability_completed"]),
        "{kinds:?}"
    );
    let v = t
        .get_ok_as("aud-he", &format!("/api/v1/tickets/{a_id}/events/verify"))
        .await;
    assert_eq!(v["ok"], true, "{v}");
    t.stop().await;
}

#[tokio::test]
async fn two_completions_at_once_settle_once() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let a = t.create_ticket(json!({})).await;
    let e = expect(
        t.post_as(
            "aud-he",
            &format!("/api/v1/tickets/{}/accountability", a["id"]),
            &json!({"kind": "accountability", "persons": ["mgr-li"], "text": "问责"}),
        )
        .await,
        201,
    )
    .await;
    let url = format!("/api/v1/accountability/{}/completion", e["id"]);
    let (one, two) = (json!({"note": "一"}), json!({"note": "二"}));
    let (x, y) = tokio::join!(
        t.post_as("aud-he", &url, &one),
        t.post_as("aud-he", &url, &two),
    );
    let mut codes = [x.status().as_u16(), y.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
    let events = t
        .get_ok_as("aud-he", &format!("/api/v1/tickets/{}/events", a["id"]))
        .await;
    let completions = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "accountability_completed")
        .count();
    assert_eq!(completions, 1);
    t.stop().await;
}
