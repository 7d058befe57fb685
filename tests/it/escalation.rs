//! The owner escalation ladder against a real database: exact instants,
//! pauses, several levels late, vacancies, and exactly-once under two
//! concurrent sweepers. Dates cross-checked with PyPI `chinese-calendar`.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{TestApp, local};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use yekuo::escalation::{SweepReport, sweep};

async fn sweep_at(t: &TestApp, at: DateTime<Utc>) -> SweepReport {
    t.clock.set(at);
    sweep(&t.app, at, false, 500).await.expect("sweep")
}

async fn ticket(t: &TestApp, id: &Value) -> Value {
    t.get_ok_as("head-wu", &format!("/api/v1/tickets/{id}"))
        .await
}

async fn outbox_count(t: &TestApp, template: &str) -> u64 {
    use yekuo::mail::outbox_entity as o;
    o::Entity::find()
        .filter(o::Column::Template.eq(template))
        .count(&t.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn levels_escalate_at_exactly_the_configured_instants() {
    let t = TestApp::spawn(local("2026-01-05 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    assert_eq!(v["due_date"], "2026-05-07");
    assert_eq!(v["owner"], "mgr-li");
    // 1 month, 10 days before 24:00 of 05-07, then the deadline itself.
    let steps = [
        (local("2026-04-08 00:00"), 1, "dir-chen"),
        (local("2026-04-28 00:00"), 2, "dep-sun"),
        (local("2026-05-08 00:00"), 3, "head-wu"),
    ];
    assert_eq!(
        v["next_escalation_at"].as_str().unwrap(),
        steps[0]
            .0
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for (at, level, owner) in steps {
        let r = sweep_at(&t, at - Duration::seconds(1)).await;
        assert!(
            r.escalated.is_empty(),
            "nothing one second before level {level}"
        );
        let r = sweep_at(&t, at).await;
        assert_eq!(r.escalated.len(), 1, "level {level} at {at}");
        let now = ticket(&t, &v["id"]).await;
        assert_eq!(now["escalation_level"], level);
        assert_eq!(now["owner"], owner);
    }
    let now = ticket(&t, &v["id"]).await;
    assert!(
        now["next_escalation_at"].is_null(),
        "nothing left above the head"
    );
    assert!(
        sweep_at(&t, local("2026-06-01 00:00"))
            .await
            .escalated
            .is_empty()
    );
    let events = t
        .get_ok_as("head-wu", &format!("/api/v1/tickets/{}/events", v["id"]))
        .await;
    let escalated: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .collect();
    assert_eq!(escalated.len(), 3);
    assert!(escalated.iter().all(|e| e["actor"] == "system"));
    assert_eq!(escalated[2]["payload"]["to_owner"], "head-wu");
    let chain = t
        .get_ok_as(
            "aud-he",
            &format!("/api/v1/tickets/{}/events/verify", v["id"]),
        )
        .await;
    assert_eq!(
        chain["ok"], true,
        "the sweep's bulk-written events extend the hash chain: {chain}"
    );
    assert_eq!(
        outbox_count(&t, "escalation").await,
        3,
        "one mail per escalation"
    );
    t.stop().await;
}

#[tokio::test]
async fn a_pause_across_the_spring_festival_moves_every_level() {
    let t = TestApp::spawn(local("2026-01-30 09:00")).await;
    let v = t
        .create_ticket(
            json!({"accepted_on": "2026-01-30", "power_sources": "dual", "new_line": true}),
        )
        .await;
    assert_eq!(
        v["due_date"], "2026-06-16",
        "90 working days across the Spring Festival and make-up Saturdays"
    );
    let p = format!("/api/v1/tickets/{}", v["id"]);
    t.clock.set(local("2026-03-16 10:00"));
    t.post_ok(
        &format!("{p}/pause"),
        &json!({"reason": "customer_construction"}),
        200,
    )
    .await;
    let paused = t.get_ok(&p).await;
    assert!(
        paused["next_escalation_at"].is_null(),
        "paused tickets do not escalate"
    );
    t.clock.set(local("2026-03-20 10:00"));
    let v = t.post_ok(&format!("{p}/resume"), &json!({}), 200).await;
    // 03-17..03-19 were paused all day: 93 working days, past Dragon Boat (06-19..21).
    assert_eq!(v["due_date"], "2026-06-22");
    let l1 = local("2026-05-23 00:00");
    assert_eq!(
        v["next_escalation_at"].as_str().unwrap(),
        l1.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert!(
        sweep_at(&t, local("2026-05-17 00:00"))
            .await
            .escalated
            .is_empty(),
        "the old level-1 instant no longer applies"
    );
    assert!(
        sweep_at(&t, l1 - Duration::seconds(1))
            .await
            .escalated
            .is_empty()
    );
    assert_eq!(sweep_at(&t, l1).await.escalated.len(), 1);
    assert_eq!(
        sweep_at(&t, local("2026-06-13 00:00")).await.escalated[0].to_level,
        2
    );
    t.stop().await;
}

#[tokio::test]
async fn a_ticket_found_several_levels_late_jumps_with_one_mail() {
    let t = TestApp::spawn(local("2026-01-05 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    let r = sweep_at(&t, local("2026-05-20 09:00")).await;
    assert_eq!(r.escalated.len(), 1);
    assert_eq!(
        (
            r.escalated[0].to_level,
            r.escalated[0].skipped_levels.clone()
        ),
        (3, vec![1, 2])
    );
    let now = ticket(&t, &v["id"]).await;
    assert_eq!(
        (now["owner"].as_str(), now["escalation_level"].as_i64()),
        (Some("head-wu"), Some(3))
    );
    assert_eq!(outbox_count(&t, "escalation").await, 1, "no mail storm");
    let events = t
        .get_ok_as("head-wu", &format!("/api/v1/tickets/{}/events", v["id"]))
        .await;
    let e = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(e["payload"]["skipped_levels"], json!([1, 2]));
    // Applying again changes nothing.
    assert!(
        sweep_at(&t, local("2026-05-21 09:00"))
            .await
            .escalated
            .is_empty()
    );
    t.stop().await;
}

#[tokio::test]
async fn a_vacant_role_passes_the_ticket_up_and_tells_the_admins_once_a_day() {
    let t = TestApp::spawn(local("2026-01-05 09:00")).await;
    // GZ-YX has no center director.
    let a = t
        .create_ticket(json!({"accepted_on": "2026-01-05", "service_center": "GZ-YX"}))
        .await;
    let b = t
        .create_ticket(json!({"accepted_on": "2026-01-05", "service_center": "GZ-YX"}))
        .await;
    let r = sweep_at(&t, local("2026-04-08 00:00")).await;
    assert_eq!(r.escalated.len(), 2);
    for id in [&a["id"], &b["id"]] {
        let now = ticket(&t, id).await;
        assert_eq!(
            (now["owner"].as_str(), now["escalation_level"].as_i64()),
            (Some("dep-sun"), Some(2))
        );
    }
    assert!(r.escalated[0].vacancies[0].to_string().contains("GZ-YX"));
    assert_eq!(
        outbox_count(&t, "vacancy").await,
        1,
        "one notice per vacancy per day"
    );
    let events = t
        .get_ok_as("head-wu", &format!("/api/v1/tickets/{}/events", a["id"]))
        .await;
    let e = events.as_array().unwrap().last().unwrap().clone();
    assert!(
        e["payload"]["vacancies"][0]
            .as_str()
            .unwrap()
            .contains("center_director")
    );
    // Level 2 is already held: nothing happens at its instant.
    assert!(
        sweep_at(&t, local("2026-04-28 00:00"))
            .await
            .escalated
            .is_empty()
    );
    t.stop().await;
}

#[tokio::test]
async fn two_sweepers_over_ten_thousand_due_tickets_apply_each_escalation_once() {
    let t = TestApp::spawn(local("2026-11-27 09:00")).await;
    let at = local("2026-11-27 09:00");
    let spec = yekuo::demo::DemoSpec {
        tickets: 10_000,
        due: 10_000,
        as_of: at,
        centers: 4,
    };
    assert_eq!(yekuo::demo::seed(&t.app, &spec).await.unwrap(), 10_000);
    let other = t.sibling("").await;
    let (a, b) = tokio::join!(sweep(&t.app, at, false, 500), sweep(&other, at, false, 500));
    // Both run to the end: PostgreSQL's SKIP LOCKED shares the work; on
    // SQLite the second waits for the write lock instead of failing.
    let a = a.expect("sweeper a");
    let b = b.expect("sweeper b");
    let again = sweep(&t.app, at, false, 500).await.unwrap();
    let applied = a.escalated.len() + b.escalated.len() + again.escalated.len();
    assert_eq!(applied, 10_000, "each ticket escalated exactly once");
    use yekuo::escalation::entity as esc;
    use yekuo::tickets::entity::event;
    assert_eq!(esc::Entity::find().count(&t.app.db).await.unwrap(), 10_000);
    let events = event::Entity::find()
        .filter(event::Column::Kind.eq("escalated"))
        .count(&t.app.db)
        .await
        .unwrap();
    assert_eq!(events, 10_000);
    assert_eq!(
        outbox_count(&t, "escalation").await,
        10_000,
        "each mail once"
    );
    assert!(
        sweep(&other, at, false, 500)
            .await
            .unwrap()
            .escalated
            .is_empty()
    );
    other.db.close().await.ok();
    t.stop().await;
}

#[tokio::test]
async fn ownership_stays_until_the_owner_hands_it_back() {
    let t = TestApp::spawn(local("2026-01-05 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    let p = format!("/api/v1/tickets/{}", v["id"]);
    sweep_at(&t, local("2026-04-08 00:00")).await;
    assert_eq!(ticket(&t, &v["id"]).await["owner"], "dir-chen");
    // The acceptance date is corrected: the deadline moves a month later.
    t.clock.set(local("2026-04-09 10:00"));
    let res = t
        .req("dir-chen", reqwest::Method::PATCH, &p)
        .json(&json!({"accepted_on": "2026-02-02"}))
        .send()
        .await
        .unwrap();
    let now = common::expect(res, 200).await;
    assert_eq!(now["due_date"], "2026-06-03");
    assert_eq!(
        now["owner"], "dir-chen",
        "ownership does not fall back by itself"
    );
    assert_eq!(now["escalation_level"], 1);
    // Only the current owner hands back, with a reason.
    let res = t
        .post_as("mgr-li", &format!("{p}/hand-back"), &json!({"note": "x"}))
        .await;
    assert_eq!(res.status(), 403);
    let res = t
        .post_as("dir-chen", &format!("{p}/hand-back"), &json!({}))
        .await;
    assert_eq!(res.status(), 422);
    let back = common::expect(
        t.post_as(
            "dir-chen",
            &format!("{p}/hand-back"),
            &json!({"note": "受理日期更正，交回客户经理"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (back["owner"].as_str(), back["escalation_level"].as_i64()),
        (Some("mgr-li"), Some(0))
    );
    let res = t
        .post_as(
            "mgr-li",
            &format!("{p}/hand-back"),
            &json!({"note": "again"}),
        )
        .await;
    assert_eq!(res.status(), 409, "nothing lower to hand back to");
    // The ladder runs again: level 1 at 1 month before 24:00 of 06-03.
    let l1 = local("2026-05-04 00:00");
    assert!(
        sweep_at(&t, l1 - Duration::seconds(1))
            .await
            .escalated
            .is_empty()
    );
    assert_eq!(sweep_at(&t, l1).await.escalated.len(), 1);
    assert_eq!(ticket(&t, &v["id"]).await["owner"], "dir-chen");
    let events = t.get_ok_as("head-wu", &format!("{p}/events")).await;
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
            "escalated",
            "field_updated",
            "handed_back",
            "escalated"
        ]
    );
    assert_eq!(
        outbox_count(&t, "escalation").await,
        2,
        "one mail per escalation, also in a new round"
    );
    t.stop().await;
}

/// Writers wait, never fail: 16 clients write over HTTP (create, change,
/// pause, resume) while a sweep on another connection pool (as another
/// process would) escalates 3,000 due tickets and the delivery worker
/// sends. No 5xx, the sweep finishes, each escalation and mail exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_writers_a_sweep_and_the_delivery_worker_at_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let at = local("2026-11-27 09:00");
    let t = Arc::new(TestApp::spawn(at).await);
    let spec = yekuo::demo::DemoSpec {
        tickets: 3_000,
        due: 3_000,
        as_of: at,
        centers: 4,
    };
    assert_eq!(yekuo::demo::seed(&t.app, &spec).await.unwrap(), 3_000);
    let sweeper = t.sibling("").await;
    let transport = Arc::new(yekuo::mail::Transport::memory());
    let writing = Arc::new(AtomicBool::new(true));
    let mut writers = Vec::new();
    for i in 0..16 {
        let t = t.clone();
        writers.push(tokio::spawn(async move {
            let (user, center) = if i % 2 == 0 {
                ("mgr-li", "GZ-TH")
            } else {
                ("mgr-wang", "GZ-YX")
            };
            let mut statuses = Vec::new();
            for n in 0..12 {
                let mut body = common::ticket_body();
                body["service_center"] = json!(center);
                body["customer_name"] = json!(format!("并发客户 {i}-{n}"));
                // Accepted yesterday: not due, so the sweep's count is exact.
                body["accepted_on"] = json!("2026-11-26");
                let res = t
                    .req(user, reqwest::Method::POST, "/api/v1/tickets")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                statuses.push(res.status().as_u16());
                let Some(id) = res
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|v| v["id"].as_i64())
                else {
                    continue;
                };
                let p = format!("/api/v1/tickets/{id}");
                for (method, path, body) in [
                    (
                        reqwest::Method::PATCH,
                        p.clone(),
                        json!({"address": format!("地址 {n}")}),
                    ),
                    (
                        reqwest::Method::POST,
                        format!("{p}/pause"),
                        json!({"reason": "customer_design"}),
                    ),
                    (reqwest::Method::POST, format!("{p}/resume"), json!({})),
                ] {
                    let res = t.req(user, method, &path).json(&body).send().await.unwrap();
                    statuses.push(res.status().as_u16());
                }
            }
            statuses
        }));
    }
    let sweeping = tokio::spawn(async move {
        let r = sweep(&sweeper, at, false, 500).await;
        sweeper.db.close().await.ok();
        r
    });
    let delivering = {
        let (t, transport, writing) = (t.clone(), transport.clone(), writing.clone());
        tokio::spawn(async move {
            let worker = yekuo::mail::worker_id();
            let mut sent = 0;
            while writing.load(Ordering::SeqCst) {
                let r = yekuo::mail::drain(&t.app, &transport, &worker).await?;
                sent += r.sent;
                tokio::task::yield_now().await;
            }
            Ok::<_, yekuo::mail::MailError>(sent)
        })
    };
    let mut statuses = Vec::new();
    for w in writers {
        statuses.extend(w.await.unwrap());
    }
    let report = sweeping.await.unwrap().expect("the sweep finishes");
    writing.store(false, Ordering::SeqCst);
    delivering
        .await
        .unwrap()
        .expect("the delivery worker never fails");
    assert_eq!(statuses.len(), 16 * 12 * 4);
    assert!(
        statuses.iter().all(|s| (200..300).contains(s)),
        "every write answered 2xx: {:?}",
        statuses
            .iter()
            .filter(|s| !(200..300).contains(*s))
            .collect::<Vec<_>>()
    );
    assert_eq!(report.escalated.len(), 3_000);
    // Whatever is left goes out now; each escalation mailed exactly once.
    yekuo::mail::drain(&t.app, &transport, "last")
        .await
        .unwrap();
    use yekuo::escalation::entity as esc;
    assert_eq!(esc::Entity::find().count(&t.app.db).await.unwrap(), 3_000);
    assert_eq!(outbox_count(&t, "escalation").await, 3_000);
    let sent = transport.sent();
    assert_eq!(sent.len(), 3_000, "each mail sent once");
    // The escalated tickets' histories still verify (events written in bulk).
    for a in report.escalated.iter().step_by(250) {
        let v = yekuo::tickets::service::verify_events(&t.app, a.ticket_id)
            .await
            .unwrap();
        assert!(v.ok && v.events == 2, "{v:?}");
    }
    let t = Arc::into_inner(t).expect("every task is done");
    t.stop().await;
}
