//! The mail outbox end to end: enqueue in a transaction, deliver to a real
//! SMTP listener, retries with backoff while it is down, permanent failures
//! and operator retries, crashes between send and mark, two workers at
//! once, the file transport. Time moves with the test clock only.

use crate::common;
use crate::smtp;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use mail_parser::MessageParser;
use sea_orm::{EntityTrait, QueryOrder, TransactionTrait};
use serde_json::json;

use common::{TestApp, expect, local};
use smtp::{Behaviour, SmtpServer};
use yekuo::config::Config;
use yekuo::mail::{
    self, EmailAddress, EscalationContext, LadderStep, Lang, MailError, OutboxMail, OutboxState,
    Rendered, Transport, outbox_entity as outbox,
};

const START: &str = "2026-03-02 09:00";

/// An app whose mail goes to a fresh SMTP listener, with `extra` `[mail]` keys.
pub(crate) async fn with_smtp(extra: &str) -> (TestApp, SmtpServer, Transport) {
    let smtp = SmtpServer::start().await;
    let toml = format!(
        "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\n\
         smtp_security = \"none\"\nsmtp_timeout_seconds = 5\nfrom = \"yekuo <yekuo@gz.example.cn>\"\n{extra}",
        smtp.port()
    );
    let t = TestApp::spawn_with(local(START), &toml).await;
    let transport = Transport::from_config(&t.app.config.raw.mail).unwrap();
    (t, smtp, transport)
}

fn addr(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

pub(crate) fn plain(key: &str, to: &str) -> OutboxMail {
    OutboxMail {
        idempotency_key: key.into(),
        to: vec![addr(to)],
        cc: vec![],
        rendered: Rendered {
            subject: format!("测试 {key}"),
            text: format!("text of {key}"),
            html: format!("<p>html of {key}</p>"),
        },
        template: "test",
        ticket_id: None,
        event_id: None,
    }
}

pub(crate) async fn put(t: &TestApp, m: OutboxMail) -> bool {
    mail::enqueue(&t.app.db, &t.app.config.raw.mail, m, t.app.now())
        .await
        .unwrap()
}

async fn rows(t: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(&t.app.db)
        .await
        .unwrap()
}

fn states(rows: &[outbox::Model]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r.state.clone()).or_default() += 1;
    }
    m
}

/// Message-ID of a raw message, as written in the header (with <>).
fn message_id(raw: &[u8]) -> String {
    let m = MessageParser::default().parse(raw).expect("parses");
    format!("<{}>", m.message_id().expect("has a Message-ID"))
}

#[tokio::test]
async fn enqueue_twice_with_one_key_writes_one_row_and_follows_the_transaction() {
    let (t, _smtp, _) = with_smtp("").await;
    let cfg = &t.app.config.raw.mail;
    let txn = t.app.db.begin().await.unwrap();
    assert!(
        mail::enqueue(&txn, cfg, plain("k1", "dir-chen@example.com"), t.app.now())
            .await
            .unwrap()
    );
    assert!(
        !mail::enqueue(&txn, cfg, plain("k1", "head-wu@example.com"), t.app.now())
            .await
            .unwrap()
    );
    txn.commit().await.unwrap();
    assert!(!put(&t, plain("k1", "dep-sun@example.com")).await);
    // A rolled-back transaction leaves no mail behind.
    let txn = t.app.db.begin().await.unwrap();
    assert!(
        mail::enqueue(&txn, cfg, plain("k2", "dir-chen@example.com"), t.app.now())
            .await
            .unwrap()
    );
    txn.rollback().await.unwrap();
    let all = rows(&t).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].recipients, "dir-chen@example.com");
    assert_eq!(all[0].state, "pending");
    assert_eq!(all[0].message_id, mail::message_id_for(cfg, "k1"));
    let e = mail::enqueue(
        &t.app.db,
        cfg,
        OutboxMail {
            to: vec![],
            ..plain("k3", "x@y.z")
        },
        t.app.now(),
    )
    .await;
    assert!(matches!(e, Err(MailError::Address(_))), "{e:?}");
    t.stop().await;
}

fn escalation_context(customer: &str) -> EscalationContext {
    EscalationContext {
        ticket_no: "YK-2026-000042".into(),
        customer_name: customer.into(),
        category_name: "中压非新出线单电源".into(),
        limit_working_days: 80,
        accepted_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
        provisional: false,
        overdue: false,
        remaining_working_days: 12,
        overdue_working_days: 0,
        level: 1,
        new_owner_name: "dir-chen".into(),
        new_owner_role: mail::role_label(yekuo::org::Role::CenterDirector, Lang::ZhCn).into(),
        ladder_so_far: vec![LadderStep {
            level: 0,
            owner_name: "mgr-li".into(),
            at: local("2026-01-05 10:00"),
        }],
        skipped_levels: vec![],
        vacancies: vec![],
        stage_name: "现场勘查".into(),
        days_in_stage: 9,
        link: "http://127.0.0.1:8080/tickets/1".into(),
        zone: chrono_tz::Asia::Shanghai,
    }
}

#[tokio::test]
async fn escalation_mail_reaches_the_smtp_listener_whole_and_escaped() {
    let (t, smtp, transport) = with_smtp("").await;
    let ticket = t.create_ticket(json!({})).await;
    let rendered = mail::render_escalation(
        &escalation_context("<script>alert(1)</script>精密"),
        Lang::ZhCn,
    )
    .unwrap();
    let m = OutboxMail {
        idempotency_key: "escalation:1:1".into(),
        to: vec![EmailAddress::named("陈主任", "dir-chen@example.com").unwrap()],
        cc: vec![
            addr("mgr-li@example.com"),
            EmailAddress::named("Wu, Head", "head-wu@example.com").unwrap(),
        ],
        rendered: rendered.clone(),
        template: "escalation",
        ticket_id: ticket["id"].as_i64(),
        event_id: None,
    };
    assert!(put(&t, m).await);
    let report = mail::drain(&t.app, &transport, "w1").await.unwrap();
    assert_eq!((report.claimed, report.sent), (1, 1));

    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].from, "yekuo@gz.example.cn");
    let rcpts: BTreeSet<_> = got[0].to.iter().map(String::as_str).collect();
    assert_eq!(
        rcpts,
        BTreeSet::from([
            "dir-chen@example.com",
            "mgr-li@example.com",
            "head-wu@example.com"
        ])
    );
    let msg = MessageParser::default().parse(&got[0].data).unwrap();
    assert_eq!(msg.subject(), Some(rendered.subject.as_str()));
    assert!(
        rendered.subject.starts_with("【业扩升级】YK-2026-000042"),
        "{}",
        rendered.subject
    );
    let row = &rows(&t).await[0];
    assert_eq!(message_id(&got[0].data), row.message_id);
    let to = msg.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("陈主任"), Some("dir-chen@example.com"))
    );
    let cc: Vec<_> = msg
        .cc()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a.name().map(str::to_string),
                a.address().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cc,
        vec![
            (None, "mgr-li@example.com".into()),
            (Some("Wu, Head".into()), "head-wu@example.com".into())
        ]
    );
    let html = msg.body_html(0).unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(
        msg.body_text(0)
            .unwrap()
            .contains("<script>alert(1)</script>精密")
    );

    assert_eq!((row.state.as_str(), row.attempts), ("sent", 1));
    assert_eq!(row.sent_at, Some(t.app.now()));
    assert_eq!(row.ticket_id, ticket["id"].as_i64());
    t.stop().await;
}

#[tokio::test]
async fn smtp_down_mail_waits_with_growing_backoff_then_all_is_delivered() {
    let (t, smtp, transport) = with_smtp("").await;
    for i in 0..5 {
        put(&t, plain(&format!("down-{i}"), "dir-chen@example.com")).await;
    }
    smtp.stop();
    let mut last_delay = Duration::zero();
    for attempt in 1..=4 {
        let report = mail::drain(&t.app, &transport, "w1").await.unwrap();
        assert_eq!(
            (report.claimed, report.retrying, report.sent),
            (5, 5, 0),
            "attempt {attempt}"
        );
        let now = t.app.now();
        let mut latest = now;
        for r in rows(&t).await {
            assert_eq!((r.state.as_str(), r.attempts), ("pending", attempt));
            assert!(r.last_error.is_some());
            let delay = r.next_attempt_at - now;
            let full = Duration::seconds(30 << (attempt - 1));
            assert!(
                delay <= full && delay >= full * 3 / 4,
                "attempt {attempt}: {delay}"
            );
            assert!(
                delay > last_delay,
                "attempt {attempt}: {delay} after {last_delay}"
            );
            latest = latest.max(r.next_attempt_at);
        }
        last_delay = Duration::seconds(30 << (attempt - 1));
        // Nothing is due again before its time.
        assert_eq!(
            mail::drain(&t.app, &transport, "w1").await.unwrap().claimed,
            0
        );
        t.clock.set(latest);
    }
    smtp.restart().await;
    let report = mail::drain(&t.app, &transport, "w1").await.unwrap();
    assert_eq!((report.claimed, report.sent), (5, 5));
    let all = rows(&t).await;
    assert_eq!(states(&all), BTreeMap::from([("sent".into(), 5)]));
    assert!(
        all.iter()
            .all(|r| r.last_error.is_none() && r.attempts == 5)
    );
    let ids: BTreeSet<_> = smtp
        .received()
        .iter()
        .map(|m| message_id(&m.data))
        .collect();
    assert_eq!(ids, all.iter().map(|r| r.message_id.clone()).collect());
    assert_eq!(smtp.received().len(), 5);
    t.stop().await;
}

#[tokio::test]
async fn temporary_rejections_retry_until_max_attempts() {
    let (t, smtp, transport) = with_smtp("max_attempts = 3").await;
    put(&t, plain("busy", "dir-chen@example.com")).await;
    smtp.set(Behaviour::TempFail);
    for attempt in 1..=3 {
        let report = mail::drain(&t.app, &transport, "w1").await.unwrap();
        assert_eq!(report.claimed, 1);
        let r = &rows(&t).await[0];
        assert_eq!(r.attempts, attempt);
        assert!(
            r.last_error.as_deref().unwrap().contains("451"),
            "{:?}",
            r.last_error
        );
        let expected = if attempt < 3 { "pending" } else { "failed" };
        assert_eq!(r.state, expected);
        t.clock.set(r.next_attempt_at);
    }
    let r = &rows(&t).await[0];
    assert!(
        r.last_error
            .as_deref()
            .unwrap()
            .starts_with("gave up after 3 attempts"),
        "{:?}",
        r.last_error
    );
    assert!(smtp.received().is_empty());
    t.stop().await;
}

#[tokio::test]
async fn rejected_mail_fails_stays_listed_and_an_operator_retry_delivers_it() {
    let (t, smtp, transport) = with_smtp("").await;
    put(&t, plain("rejected", "nobody@example.com")).await;
    put(&t, plain("fine", "dir-chen@example.com")).await;
    smtp.set(Behaviour::Reject);
    let report = mail::drain(&t.app, &transport, "w1").await.unwrap();
    assert_eq!((report.claimed, report.failed), (2, 2));
    smtp.set(Behaviour::Accept);
    t.clock.advance(Duration::days(2));
    assert_eq!(
        mail::drain(&t.app, &transport, "w1").await.unwrap().claimed,
        0,
        "failed mail waits for an operator"
    );

    let failed = mail::list(&t.app, Some(OutboxState::Failed), 100)
        .await
        .unwrap();
    assert_eq!(failed.len(), 2);
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        failed[0].last_error
    );
    assert!(mail::format_table(&failed).contains("550"));
    let id = failed
        .iter()
        .find(|v| v.idempotency_key == "fine")
        .unwrap()
        .id;
    let view = mail::retry(&t.app, id).await.unwrap();
    assert_eq!((view.state, view.attempts), (OutboxState::Pending, 0));
    assert!(matches!(
        mail::retry(&t.app, id).await,
        Err(MailError::Conflict(_))
    ));
    assert!(matches!(
        mail::retry(&t.app, 999_999).await,
        Err(MailError::NotFound(_))
    ));
    assert_eq!(mail::drain(&t.app, &transport, "w1").await.unwrap().sent, 1);
    assert!(
        matches!(mail::retry(&t.app, id).await, Err(MailError::Conflict(m)) if m.contains("sent"))
    );
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        mail::list(&t.app, Some(OutboxState::Failed), 100)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        mail::list(&t.app, None, 100).await.unwrap().len(),
        2,
        "nothing is deleted"
    );
    t.stop().await;
}

#[tokio::test]
async fn http_lists_and_retries_for_installation_admins_only() {
    let (t, smtp, transport) = with_smtp("").await;
    put(&t, plain("http", "dir-chen@example.com")).await;
    smtp.set(Behaviour::Reject);
    mail::drain(&t.app, &transport, "w1").await.unwrap();
    let listed = t.get_ok_as("root", "/api/v1/mail?state=failed").await;
    let id = listed[0]["id"].as_i64().unwrap();
    assert_eq!(listed[0]["state"], "failed");
    for user in ["adm-ma", "mgr-li", "head-wu"] {
        expect(t.get_as(user, "/api/v1/mail").await, 403).await;
        let res = t
            .post_as(user, &format!("/api/v1/mail/{id}/retry"), &json!(null))
            .await;
        expect(res, 403).await;
    }
    expect(t.get_as("root", "/api/v1/mail?state=lost").await, 422).await;
    let res = t
        .post_as("root", &format!("/api/v1/mail/{id}/retry"), &json!(null))
        .await;
    assert_eq!(expect(res, 200).await["state"], "pending");
    let res = t
        .post_as("root", &format!("/api/v1/mail/{id}/retry"), &json!(null))
        .await;
    expect(res, 409).await;
    expect(
        t.post_as("root", "/api/v1/mail/424242/retry", &json!(null))
            .await,
        404,
    )
    .await;
    t.stop().await;
}

#[tokio::test]
async fn a_claim_never_marked_is_sent_again_after_it_expires_with_the_same_message_id() {
    let (t, smtp, transport) = with_smtp("claim_seconds = 120").await;
    for i in 0..3 {
        put(&t, plain(&format!("crash-{i}"), "dir-chen@example.com")).await;
    }
    // A worker claims one row and dies before sending.
    assert_eq!(mail::claim_due(&t.app, "dead", 1).await.unwrap().len(), 1);
    // Another is stopped between the server taking the message and the mark.
    smtp.set(Behaviour::Stall);
    let app = t.app.clone();
    // Its own transport, as if in another process: it goes with the task.
    let tr = Transport::from_config(&t.app.config.raw.mail).unwrap();
    let task = tokio::spawn(async move { mail::deliver_due(&app, &tr, "aborted", 1).await });
    smtp.wait_for(1).await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    smtp.set(Behaviour::Accept);
    let stalled_id = message_id(&smtp.received()[0].data);

    // The leases hold: only the unclaimed row goes.
    assert_eq!(mail::drain(&t.app, &transport, "w2").await.unwrap().sent, 1);
    assert_eq!(
        states(&rows(&t).await),
        BTreeMap::from([("sending".into(), 2), ("sent".into(), 1)])
    );
    t.clock.advance(Duration::seconds(119));
    assert_eq!(
        mail::drain(&t.app, &transport, "w2").await.unwrap().claimed,
        0
    );
    t.clock.advance(Duration::seconds(1));
    assert_eq!(mail::drain(&t.app, &transport, "w2").await.unwrap().sent, 2);

    let all = rows(&t).await;
    assert_eq!(states(&all), BTreeMap::from([("sent".into(), 3)]));
    let got = smtp.received();
    assert_eq!(got.len(), 4, "the stalled mail arrived twice");
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for m in &got {
        *count.entry(message_id(&m.data)).or_default() += 1;
    }
    assert_eq!(count.len(), 3, "every row at least once");
    assert_eq!(
        count[&stalled_id], 2,
        "the duplicate has the same Message-ID"
    );
    t.stop().await;
}

#[tokio::test]
async fn two_workers_at_once_send_each_of_200_mails_exactly_once() {
    let (t, smtp, transport) = with_smtp("batch_size = 15").await;
    for i in 0..200 {
        put(
            &t,
            plain(&format!("bulk-{i}"), &format!("p{i}@example.com")),
        )
        .await;
    }
    let other = Transport::from_config(&t.app.config.raw.mail).unwrap();
    let (a, b) = tokio::join!(
        mail::drain(&t.app, &transport, "w1"),
        mail::drain(&t.app, &other, "w2")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 200, "{a:?} {b:?}");
    assert!(
        a.sent > 0 && b.sent > 0,
        "both workers took part: {a:?} {b:?}"
    );
    let got = smtp.received();
    assert_eq!(got.len(), 200);
    let ids: BTreeSet<_> = got.iter().map(|m| message_id(&m.data)).collect();
    assert_eq!(ids.len(), 200);
    let all = rows(&t).await;
    assert_eq!(states(&all), BTreeMap::from([("sent".into(), 200)]));
    assert!(all.iter().all(|r| r.attempts == 1));
    t.stop().await;
}

#[tokio::test]
async fn file_transport_writes_eml_files_that_parse_back() {
    let t = TestApp::spawn(local(START)).await;
    let dir = t.dir.path().join("mail");
    let transport = Transport::from_config(&t.app.config.raw.mail).unwrap();
    assert!(
        matches!(transport, Transport::File(_)),
        "file is the embedded default"
    );
    let rendered =
        mail::render_escalation(&escalation_context("华南精密 & <Co>"), Lang::En).unwrap();
    let m = OutboxMail {
        rendered: rendered.clone(),
        ..plain("file-1", "陈主任 <dir-chen@example.com>")
    };
    put(&t, m).await;
    assert_eq!(mail::drain(&t.app, &transport, "w1").await.unwrap().sent, 1);
    let row = &rows(&t).await[0];
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files,
        vec![std::ffi::OsString::from(format!("{}.eml", row.id))]
    );
    let raw = std::fs::read(dir.join(format!("{}.eml", row.id))).unwrap();
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(msg.subject(), Some(rendered.subject.as_str()));
    assert!(
        rendered.subject.starts_with("[Escalation] YK-2026-000042"),
        "{}",
        rendered.subject
    );
    assert_eq!(message_id(&raw), row.message_id);
    assert_eq!(
        msg.to().unwrap().first().unwrap().address(),
        Some("dir-chen@example.com")
    );
    assert!(
        msg.body_html(0)
            .unwrap()
            .contains("华南精密 &#38; &#60;Co&#62;"),
        "{}",
        msg.body_html(0).unwrap()
    );
    assert!(msg.body_text(0).unwrap().contains("华南精密 & <Co>"));
    t.stop().await;
}

#[tokio::test]
async fn memory_transport_is_for_tests_only_and_keeps_what_it_sends() {
    let e = Config::from_toml_overrides("[mail]\ntransport = \"memory\"").unwrap_err();
    assert!(e.to_string().contains("mail.transport"), "{e}");
    let e = Config::from_toml_overrides("[mail]\ntransport = \"smtp\"").unwrap_err();
    assert!(e.to_string().contains("mail.smtp_host"), "{e}");
    let e = Config::from_toml_overrides("[mail]\nsmtp_security = \"ssl\"").unwrap_err();
    assert!(e.to_string().contains("mail.smtp_security"), "{e}");
    let e = Config::from_toml_overrides("[mail]\nfrom = \"nobody\"").unwrap_err();
    assert!(e.to_string().contains("mail.from"), "{e}");

    let t = TestApp::spawn_with(
        local(START),
        "[mail]\ntransport = \"memory\"\nallow_memory = true",
    )
    .await;
    let transport = Transport::from_config(&t.app.config.raw.mail).unwrap();
    put(&t, plain("mem", "dir-chen@example.com")).await;
    assert_eq!(mail::drain(&t.app, &transport, "w1").await.unwrap().sent, 1);
    let sent = transport.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].message_id, rows(&t).await[0].message_id);
    assert_eq!(
        sent[0].envelope_to,
        vec!["dir-chen@example.com".to_string()]
    );
    assert_eq!(message_id(&sent[0].raw), sent[0].message_id);
    t.stop().await;
}
