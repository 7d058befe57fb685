//! Coordination requests: the answer-day rule, answers, settlement,
//! withdrawal, overdue at the end of the answer day, bad input.

use crate::common;

use chrono::NaiveDate;
use common::{TestApp, local};
use serde_json::json;
use yekuo::coordination::{self, Answer, NewRequest, ServiceError};
use yekuo::org::service::person_by_username;
use yekuo::tickets::Actor;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn request(departments: &[&str]) -> NewRequest {
    NewRequest {
        subject: "低压联络是否收取高可靠性供电费".into(),
        question: "客户申请低压联络作为备用，是否按双电源收取高可靠性供电费？".into(),
        category: "high_reliability_fee".into(),
        departments: departments.iter().map(|s| s.to_string()).collect(),
        attachments: vec![],
        answer_by: None,
    }
}

async fn person(t: &TestApp, username: &str) -> yekuo::org::entity::person::Model {
    person_by_username(&t.app.db, username)
        .await
        .unwrap()
        .unwrap()
}

async fn actor(t: &TestApp, username: &str) -> Actor {
    let p = person(t, username).await;
    Actor::person(p.id, &p.username)
}

#[tokio::test]
async fn the_answer_day_follows_the_cutoff_and_the_calendar() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let by = |s: &str| coordination::answer_by(&t.app, local(s));
    assert_eq!(
        by("2026-03-02 09:59"),
        d("2026-03-02"),
        "before 10:00: the same day"
    );
    assert_eq!(by("2026-03-02 10:00"), d("2026-03-02"));
    assert_eq!(
        by("2026-03-02 10:01"),
        d("2026-03-03"),
        "after the cut-off: the next working day"
    );
    assert_eq!(
        by("2026-02-13 11:00"),
        d("2026-02-14"),
        "Friday afternoon: the make-up Saturday"
    );
    assert_eq!(
        by("2026-02-14 09:00"),
        d("2026-02-14"),
        "a make-up Saturday is a working day"
    );
    assert_eq!(
        by("2026-02-15 09:00"),
        d("2026-02-24"),
        "during the Spring Festival: the first day back"
    );
    t.stop().await;
}

#[tokio::test]
async fn answers_settle_a_request_and_every_step_is_a_ticket_event() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let li = actor(&t, "mgr-li").await;
    let r = coordination::file(&t.app, &li, id, request(&["GZ-MKT", "GZ-PLAN"]))
        .await
        .unwrap();
    assert_eq!((r.state.as_str(), r.answer_by), ("open", d("2026-03-02")));
    assert_eq!(r.targets.len(), 2);
    let lin = person(&t, "dept-lin").await;
    let zhang = person(&t, "dept-zhang").await;
    let r = coordination::answer(
        &t.app,
        &lin,
        r.id,
        None,
        Answer::Agree,
        Some("按双电源收取".into()),
    )
    .await
    .unwrap();
    assert_eq!(r.state.as_str(), "open", "one department still to answer");
    let r = coordination::answer(&t.app, &zhang, r.id, None, Answer::Agree, None)
        .await
        .unwrap();
    assert_eq!(
        (r.state.as_str(), r.settled_how.as_deref()),
        ("settled", Some("answers"))
    );
    let late = coordination::answer(&t.app, &zhang, r.id, None, Answer::Disagree, None).await;
    assert!(
        matches!(late, Err(ServiceError::Conflict(_))),
        "no answers after settlement"
    );
    let events = t.get_ok(&format!("/api/v1/tickets/{id}/events")).await;
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
            "coordination_filed",
            "coordination_answered",
            "coordination_answered",
            "coordination_settled"
        ]
    );
    assert_eq!(events[2]["actor"], "dept-lin");
    assert_eq!(
        t.get_ok(&format!("/api/v1/tickets/{id}/events/verify"))
            .await["ok"],
        true
    );
    t.stop().await;
}

#[tokio::test]
async fn only_asked_departments_answer_and_only_authors_withdraw() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let li = actor(&t, "mgr-li").await;
    let r = coordination::file(&t.app, &li, id, request(&["GZ-MKT"]))
        .await
        .unwrap();
    let zhang = person(&t, "dept-zhang").await;
    let res = coordination::answer(&t.app, &zhang, r.id, None, Answer::Agree, None).await;
    assert!(
        matches!(res, Err(ServiceError::Forbidden(_))),
        "GZ-PLAN was not asked"
    );
    let lin = person(&t, "dept-lin").await;
    let r2 = coordination::answer(
        &t.app,
        &lin,
        r.id,
        None,
        Answer::NeedInfo,
        Some("请补充负荷清单".into()),
    )
    .await
    .unwrap();
    assert_eq!(
        r2.state.as_str(),
        "open",
        "need more information does not settle"
    );
    let res = coordination::withdraw(&t.app, &actor(&t, "dir-chen").await, r.id).await;
    assert!(matches!(res, Err(ServiceError::Forbidden(_))));
    let w = coordination::withdraw(&t.app, &li, r.id).await.unwrap();
    assert_eq!(w.state.as_str(), "withdrawn");
    let res = coordination::answer(&t.app, &lin, r.id, None, Answer::Agree, None).await;
    assert!(matches!(res, Err(ServiceError::Conflict(_))));
    // Bad input: no departments, an unknown one, a service center, an unknown category.
    for (deps, field) in [
        (vec![], "departments"),
        (vec!["GZ-NOPE"], "departments"),
        (vec!["GZ-TH"], "departments"),
    ] {
        match coordination::file(&t.app, &li, id, request(&deps)).await {
            Err(ServiceError::Invalid(e)) => assert_eq!(e[0].field, field),
            other => panic!("{deps:?}: {other:?}"),
        }
    }
    let mut bad = request(&["GZ-MKT"]);
    bad.category = "gossip".into();
    assert!(matches!(
        coordination::file(&t.app, &li, id, bad).await,
        Err(ServiceError::Invalid(_))
    ));
    t.stop().await;
}

#[tokio::test]
async fn an_unanswered_request_is_overdue_at_the_end_of_its_answer_day() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let li = actor(&t, "mgr-li").await;
    let r = coordination::file(
        &t.app,
        &li,
        v["id"].as_i64().unwrap(),
        request(&["GZ-MKT", "GZ-PLAN"]),
    )
    .await
    .unwrap();
    let lin = person(&t, "dept-lin").await;
    coordination::answer(&t.app, &lin, r.id, None, Answer::Agree, None)
        .await
        .unwrap();
    let mkt = yekuo::org::service::unit_by_code(&t.app.db, "GZ-PLAN")
        .await
        .unwrap()
        .unwrap();
    t.clock.set(local("2026-03-02 17:29"));
    let open = coordination::open_for_department(&t.app, mkt.id)
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert!(!open[0].overdue);
    t.clock.set(local("2026-03-02 17:30"));
    assert!(
        coordination::open_for_department(&t.app, mkt.id)
            .await
            .unwrap()[0]
            .overdue
    );
    let marketing = yekuo::org::service::unit_by_code(&t.app.db, "GZ-MKT")
        .await
        .unwrap()
        .unwrap();
    assert!(
        coordination::open_for_department(&t.app, marketing.id)
            .await
            .unwrap()
            .is_empty(),
        "GZ-MKT has answered"
    );
    t.stop().await;
}

async fn digest_mails(t: &TestApp) -> Vec<(String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use yekuo::mail::outbox_entity as o;
    o::Entity::find()
        .filter(o::Column::Template.eq("digest"))
        .order_by_asc(o::Column::Id)
        .all(&t.app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                m.idempotency_key,
                format!("{} | {}", m.recipients, m.subject),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_fortnight_of_digests_on_working_days_only_once_each() {
    let t = TestApp::spawn(local("2026-02-09 08:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-02-06"})).await;
    let id = v["id"].as_i64().unwrap();
    let li = actor(&t, "mgr-li").await;
    let other = t.sibling("").await;
    let mkt = yekuo::org::service::unit_by_code(&t.app.db, "GZ-MKT")
        .await
        .unwrap()
        .unwrap()
        .id;
    let plan = yekuo::org::service::unit_by_code(&t.app.db, "GZ-PLAN")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (lin, zhang) = (person(&t, "dept-lin").await, person(&t, "dept-zhang").await);
    let mut r1 = None;
    let mut r2 = None;
    // Mon 02-09 … Tue 02-24: make-up Saturday 02-14, Spring Festival 02-15..02-23.
    let mut day = d("2026-02-09");
    let mut per_day = Vec::new();
    while day <= d("2026-02-24") {
        let before = digest_mails(&t).await.len();
        // The job checks every minute; 08:29 is too early, 08:30 sends,
        // a restart at 08:31 and a second instance send nothing more.
        for (at, app) in [
            ("08:29", &t.app),
            ("08:30", &t.app),
            ("08:31", &t.app),
            ("08:31", &other),
        ] {
            t.clock.set(local(&format!("{day} {at}")));
            yekuo::scheduler::run_digest(app, "test").await.unwrap();
        }
        per_day.push((day, digest_mails(&t).await.len() - before));
        t.clock.set(local(&format!("{day} 09:00")));
        match day.to_string().as_str() {
            "2026-02-09" => {
                r1 = Some(
                    coordination::file(&t.app, &li, id, request(&["GZ-MKT", "GZ-PLAN"]))
                        .await
                        .unwrap()
                        .id,
                )
            }
            "2026-02-10" => {
                coordination::answer(&t.app, &lin, r1.unwrap(), None, Answer::Agree, None)
                    .await
                    .unwrap();
            }
            "2026-02-12" => {
                let r =
                    coordination::answer(&t.app, &zhang, r1.unwrap(), None, Answer::Agree, None)
                        .await
                        .unwrap();
                assert_eq!(r.state.as_str(), "settled");
            }
            "2026-02-13" => {
                r2 = Some(
                    coordination::file(&t.app, &li, id, request(&["GZ-MKT"]))
                        .await
                        .unwrap()
                        .id,
                )
            }
            _ => {}
        }
        day = day.succ_opt().unwrap();
    }
    let counts: Vec<(String, usize)> = per_day
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(d, n)| (d.to_string(), *n))
        .collect();
    assert_eq!(
        counts,
        [
            ("2026-02-10".to_string(), 2), // both departments
            ("2026-02-11".to_string(), 1), // GZ-MKT answered: only GZ-PLAN
            ("2026-02-12".to_string(), 1), // GZ-PLAN, answered later that morning
            ("2026-02-14".to_string(), 1), // the make-up Saturday: r2 to GZ-MKT
            ("2026-02-24".to_string(), 1), // first working day after the festival
        ]
    );
    assert!(r2.is_some());
    let mails = digest_mails(&t).await;
    assert!(
        mails.iter().all(|(_, to)| to.contains("dept-")),
        "sent to department members"
    );
    assert_eq!(mails[0].0, format!("digest:{mkt}:2026-02-10"));
    assert_eq!(mails[1].0, format!("digest:{plan}:2026-02-10"));
    other.db.close().await.ok();
    t.stop().await;
}

#[tokio::test]
async fn over_http_bad_input_gets_problems_and_departments_read_what_they_were_asked() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let p = format!("/api/v1/tickets/{}/coordination", v["id"]);
    let body = |deps: serde_json::Value| json!({"subject": "节假日停电检修", "question": "五一能否安排停电接入？", "category": "holiday_outage", "departments": deps});
    let e = t.post_ok(&p, &body(json!([])), 422).await;
    assert_eq!(e["errors"][0]["field"], "departments");
    let e = t.post_ok(&p, &body(json!(["GZ-NOPE"])), 422).await;
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("GZ-NOPE")
    );
    t.post_ok(&p, &json!({"subject": "x"}), 422).await;
    // Before the request, the department cannot see the ticket.
    assert_eq!(
        t.get_as("dept-lin", &format!("/api/v1/tickets/{}", v["id"]))
            .await
            .status(),
        404
    );
    let r = t.post_ok(&p, &body(json!(["GZ-MKT"])), 201).await;
    let rid = r["id"].as_i64().unwrap();
    // Now it reads the ticket (read-only) and its requests.
    let seen = t
        .get_ok_as("dept-lin", &format!("/api/v1/tickets/{}", v["id"]))
        .await;
    assert_eq!(seen["ticket_no"], v["ticket_no"]);
    assert_eq!(
        t.post_as(
            "dept-lin",
            &format!("/api/v1/tickets/{}/advance", v["id"]),
            &json!({})
        )
        .await
        .status(),
        403
    );
    let list = t.get_ok_as("dept-lin", "/api/v1/tickets").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // A department that was not asked may not answer.
    let res = t
        .post_as(
            "dept-zhang",
            &format!("/api/v1/coordination/{rid}/answer"),
            &json!({"answer": "agree"}),
        )
        .await;
    assert_eq!(res.status(), 404, "it cannot even see the request");
    let e = common::expect(
        t.post_as(
            "dept-lin",
            &format!("/api/v1/coordination/{rid}/answer"),
            &json!({"answer": "maybe"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(e["errors"][0]["field"], "answer");
    let ok = common::expect(
        t.post_as(
            "dept-lin",
            &format!("/api/v1/coordination/{rid}/answer"),
            &json!({"answer": "agree", "text": "可以"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(ok["state"], "settled");
    let late = t
        .post_as(
            "dept-lin",
            &format!("/api/v1/coordination/{rid}/answer"),
            &json!({"answer": "disagree"}),
        )
        .await;
    assert_eq!(common::expect(late, 409).await["status"], 409);
    let listed = t
        .get_ok_as(
            "dept-lin",
            "/api/v1/coordination?department=GZ-MKT&state=settled",
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    t.stop().await;
}

#[tokio::test]
async fn the_weekly_agenda_lists_the_unsettled_and_the_minutes_settle_them() {
    let t = TestApp::spawn_with(
        local("2026-03-02 09:00"),
        "[coordination]\nmeeting_participants = [\"head-wu\", \"dep-sun\"]",
    )
    .await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let li = actor(&t, "mgr-li").await;
    let answered = coordination::file(&t.app, &li, id, request(&["GZ-MKT"]))
        .await
        .unwrap();
    let unanswered = coordination::file(&t.app, &li, id, request(&["GZ-PLAN"]))
        .await
        .unwrap();
    coordination::answer(
        &t.app,
        &person(&t, "dept-lin").await,
        answered.id,
        None,
        Answer::Agree,
        None,
    )
    .await
    .unwrap();
    // Overdue at 17:30 of its answer day.
    t.clock.set(local("2026-03-02 17:30"));
    assert!(
        coordination::view(
            &t.app,
            coordination::find(&t.app, unanswered.id).await.unwrap()
        )
        .await
        .unwrap()
        .overdue
    );
    // The meeting is on Monday 09:00: nothing before, the agenda once after.
    t.clock.set(local("2026-03-09 08:59"));
    assert!(
        coordination::meeting::run_due(&t.app)
            .await
            .unwrap()
            .is_none()
    );
    t.clock.set(local("2026-03-09 09:00"));
    let a = coordination::meeting::run_due(&t.app)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.requests, a.recipients, a.written),
        (1, 2, true),
        "only the unsettled request"
    );
    let again = coordination::meeting::run_due(&t.app)
        .await
        .unwrap()
        .unwrap();
    assert!(!again.written, "once per meeting");
    // The minutes settle it; the manager records the customer feedback.
    let decided = t
        .post_ok(
            &format!("/api/v1/coordination/{}/decision", unanswered.id),
            &json!({"meeting_date": "2026-03-09", "decision": "规划部本周内出具意见", "responsible_department": "GZ-PLAN", "due_date": "2026-03-13"}),
            200,
        )
        .await;
    assert_eq!(
        (decided["state"].as_str(), decided["settled_how"].as_str()),
        (Some("settled"), Some("meeting"))
    );
    assert_eq!(decided["decision"]["responsible_department"], "GZ-PLAN");
    let fed = t
        .post_ok(
            &format!("/api/v1/coordination/{}/feedback", unanswered.id),
            &json!({"given_on": "2026-03-09", "channel": "phone", "text": "已告知客户处理进度"}),
            200,
        )
        .await;
    assert_eq!(fed["feedback"][0]["channel"], "phone");
    t.post_ok(&format!("/api/v1/coordination/{}/decision", unanswered.id), &json!({"meeting_date": "2026-03-09", "decision": "x", "responsible_department": "GZ-PLAN", "due_date": "2026-03-13"}), 409).await;
    let events = t.get_ok(&format!("/api/v1/tickets/{id}/events")).await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.ends_with(&["coordination_decided", "coordination_feedback"]),
        "{kinds:?}"
    );
    t.stop().await;
}

#[tokio::test]
async fn two_departments_agreeing_at_once_settle_the_request_once() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    for round in 0..5 {
        let filed = t
            .post_ok(
                &format!("/api/v1/tickets/{id}/coordination"),
                &json!({"subject": format!("事项 {round}"), "question": "是否同意？", "category": "holiday_outage", "departments": ["GZ-MKT", "GZ-PLAN"]}),
                201,
            )
            .await;
        let rid = filed["id"].as_i64().unwrap();
        let mut set = tokio::task::JoinSet::new();
        for who in ["dept-lin", "dept-zhang"] {
            let r = t
                .req(
                    who,
                    reqwest::Method::POST,
                    &format!("/api/v1/coordination/{rid}/answer"),
                )
                .json(&json!({"answer": "agree"}));
            set.spawn(async move { r.send().await.unwrap().status().as_u16() });
        }
        assert_eq!(set.join_all().await, [200, 200]);
        let r = t.get_ok(&format!("/api/v1/coordination/{rid}")).await;
        assert_eq!(r["state"], "settled", "{r}");
    }
    let events = t.get_ok(&format!("/api/v1/tickets/{id}/events")).await;
    let settled = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "coordination_settled")
        .count();
    assert_eq!(settled, 5, "each request settled exactly once");
    let verified = t
        .get_ok(&format!("/api/v1/tickets/{id}/events/verify"))
        .await;
    assert_eq!(verified["ok"], true);
    t.stop().await;
}
