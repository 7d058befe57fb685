//! Escalation mail end to end: the sweep writes the outbox, the delivery
//! worker sends to a real SMTP listener on TCP; a restart between the two,
//! and an SMTP outage, lose and duplicate nothing.

use crate::common;
use crate::smtp;

use chrono::Duration;
use common::{TestApp, local};
use mail_parser::MessageParser;
use serde_json::json;
use smtp::SmtpServer;
use yekuo::escalation::sweep;
use yekuo::mail::{Transport, drain};

async fn with_smtp() -> (TestApp, SmtpServer, Transport) {
    let smtp = SmtpServer::start().await;
    let toml = format!(
        "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nsmtp_security = \"none\"\n\
         smtp_timeout_seconds = 5\nfrom = \"yekuo <yekuo@gz.example.cn>\"\n",
        smtp.port()
    );
    let t = TestApp::spawn_with(local("2026-01-05 09:00"), &toml).await;
    let transport = Transport::from_config(&t.app.config.raw.mail).unwrap();
    (t, smtp, transport)
}

fn addresses(list: Option<&mail_parser::Address>) -> Vec<String> {
    let mut v: Vec<String> = list
        .map(|l| {
            l.iter()
                .filter_map(|a| a.address().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn each_escalation_mail_arrives_once_with_the_right_people() {
    let (t, smtp, transport) = with_smtp().await;
    let v = t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    let no = v["ticket_no"].as_str().unwrap().to_string();
    let steps = [
        (
            local("2026-04-08 00:00"),
            "dir-chen@example.com",
            vec!["mgr-li@example.com"],
        ),
        (
            local("2026-04-28 00:00"),
            "dep-sun@example.com",
            vec!["dir-chen@example.com", "mgr-li@example.com"],
        ),
        (
            local("2026-05-08 00:00"),
            "head-wu@example.com",
            vec!["dep-sun@example.com", "mgr-li@example.com"],
        ),
    ];
    for (n, (at, to, cc)) in steps.iter().enumerate() {
        t.clock.set(*at);
        sweep(&t.app, *at, false, 100).await.unwrap();
        drain(&t.app, &transport, "test").await.unwrap();
        let got = smtp.received();
        assert_eq!(got.len(), n + 1, "one mail per escalation");
        let msg = MessageParser::default().parse(&got[n].data).unwrap();
        assert_eq!(addresses(msg.to()), vec![to.to_string()]);
        assert_eq!(addresses(msg.cc()), *cc);
        let subject = msg.subject().unwrap();
        assert!(
            subject.contains(&no) && subject.contains("升级"),
            "{subject}"
        );
        let text = msg.body_text(0).unwrap();
        assert!(text.contains("华南精密制造有限公司"), "{text}");
        assert!(
            text.contains(&format!("/tickets/{}", v["id"])),
            "a link to the ticket: {text}"
        );
    }
    // Nothing more to send, and sweeping again sends nothing.
    sweep(&t.app, local("2026-05-09 00:00"), false, 100)
        .await
        .unwrap();
    drain(&t.app, &transport, "test").await.unwrap();
    assert_eq!(smtp.received().len(), 3);
    t.stop().await;
}

#[tokio::test]
async fn a_restart_between_the_transaction_and_the_send_loses_nothing() {
    let (t, smtp, transport) = with_smtp().await;
    for _ in 0..5 {
        t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    }
    let at = local("2026-04-08 00:00");
    t.clock.set(at);
    sweep(&t.app, at, false, 100).await.unwrap();
    // The process dies here: nothing was sent. A new process starts.
    let restarted = t.sibling("").await;
    let report = drain(&restarted, &transport, "after-restart")
        .await
        .unwrap();
    assert_eq!(report.sent, 5);
    smtp.wait_for(5).await;
    // Sweeping again after the restart applies and sends nothing new.
    sweep(&restarted, at, false, 100).await.unwrap();
    drain(&restarted, &transport, "after-restart")
        .await
        .unwrap();
    assert_eq!(smtp.received().len(), 5);
    let mut ids: Vec<String> = smtp
        .received()
        .iter()
        .map(|r| {
            MessageParser::default()
                .parse(&r.data)
                .unwrap()
                .message_id()
                .unwrap()
                .to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "five different mails");
    restarted.db.close().await.ok();
    t.stop().await;
}

#[tokio::test]
async fn escalation_mail_waits_out_an_smtp_outage() {
    let (t, smtp, transport) = with_smtp().await;
    t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    let at = local("2026-04-08 00:00");
    t.clock.set(at);
    smtp.stop();
    sweep(&t.app, at, false, 100).await.unwrap();
    let r = drain(&t.app, &transport, "w").await.unwrap();
    assert_eq!((r.sent, r.retrying), (0, 1));
    // Still down a few minutes later.
    t.clock.advance(Duration::minutes(5));
    drain(&t.app, &transport, "w").await.unwrap();
    smtp.restart().await;
    t.clock.advance(Duration::hours(2));
    let r = drain(&t.app, &transport, "w").await.unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(smtp.received().len(), 1);
    t.stop().await;
}
