//! Every link in the mails yekuo sends leads its recipient to a page:
//! escalation mail to the ticket, the morning digest to the department's
//! inbox and each request, the weekly agenda to each request. The links
//! are followed over HTTP as the recipient, from a logged-out browser.

use crate::common;
use crate::smtp;

use common::{TestApp, local};
use mail_parser::MessageParser;
use reqwest::redirect::Policy;
use serde_json::json;
use smtp::SmtpServer;
use yekuo::escalation::sweep;
use yekuo::mail::{Transport, drain};

/// The links of a mail's text (the path part) and who it went to.
pub(crate) fn links_and_recipients(data: &[u8]) -> (Vec<String>, Vec<String>) {
    let msg = MessageParser::default().parse(data).unwrap();
    let text = msg.body_text(0).unwrap().to_string();
    let links = text
        .split_whitespace()
        .filter_map(|w| w.find("http").map(|i| &w[i..]))
        .map(|u| {
            let u = u.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '/');
            let rest = u.splitn(4, '/').nth(3).unwrap_or("");
            format!("/{rest}")
        })
        .collect();
    let to = msg
        .to()
        .map(|l| {
            l.iter()
                .filter_map(|a| {
                    a.address()
                        .map(|s| s.split('@').next().unwrap().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    (links, to)
}

#[tokio::test]
async fn every_link_in_every_mail_leads_its_recipient_to_a_page() {
    let smtp = SmtpServer::start().await;
    let toml = format!(
        "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nsmtp_security = \"none\"\n\
         smtp_timeout_seconds = 5\nfrom = \"yekuo <yekuo@gz.example.cn>\"\n\
         [coordination]\nmeeting_participants = [\"head-wu\"]\n",
        smtp.port()
    );
    let t = TestApp::spawn_with(local("2026-01-05 09:00"), &toml).await;
    let transport = Transport::from_config(&t.app.config.raw.mail).unwrap();
    let v = t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    // GZ-YX has no director: its ticket's escalation tells the admins.
    t.create_ticket(json!({"accepted_on": "2026-01-05", "service_center": "GZ-YX"}))
        .await;
    // A coordination request left unanswered: the digest and the agenda.
    t.post_ok(
        &format!("/api/v1/tickets/{}/coordination", v["id"]),
        &json!({"subject": "高可靠性供电费", "question": "是否收取？", "category": "high_reliability_fee", "departments": ["GZ-MKT"]}),
        201,
    )
    .await;
    // Tuesday morning: the digest; the next Monday's meeting: the agenda;
    // April 8: the escalation to the director.
    for at in ["2026-01-06 09:00", "2026-01-12 09:30"] {
        t.clock.set(local(at));
        yekuo::coordination::digest::run_due(&t.app).await.unwrap();
        yekuo::coordination::meeting::run_due(&t.app).await.unwrap();
    }
    t.clock.set(local("2026-04-08 00:00"));
    sweep(&t.app, local("2026-04-08 00:00"), false, 100)
        .await
        .unwrap();
    drain(&t.app, &transport, "test").await.unwrap();
    let mails = smtp.received();
    assert!(
        mails.len() >= 3,
        "digest, agenda and escalation: {}",
        mails.len()
    );

    let c = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut followed = 0;
    for m in &mails {
        let (links, to) = links_and_recipients(&m.data);
        assert!(!links.is_empty(), "a mail without a link");
        for user in to {
            yekuo::auth::users::set_password(&t.app, &user, Some("correct horse battery".into()))
                .await
                .unwrap();
            for path in &links {
                // Logged out: to the login, and back after it.
                let res = c.get(t.url(path)).send().await.unwrap();
                assert_eq!(res.status(), 303, "{path} for {user}");
                let login = res.headers()["location"].to_str().unwrap().to_string();
                assert!(login.starts_with("/login?next="), "{login}");
                let res = c
                    .post(t.url("/login"))
                    .form(&[
                        ("username", user.as_str()),
                        ("password", "correct horse battery"),
                        ("next", path.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.headers()["location"].to_str().unwrap(), path.as_str());
                let cookie = res.headers()["set-cookie"]
                    .to_str()
                    .unwrap()
                    .split(';')
                    .next()
                    .unwrap()
                    .to_string();
                let page = c
                    .get(t.url(path))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(page.status(), 200, "{path} as {user}");
                followed += 1;
            }
        }
    }
    assert!(followed >= 4, "links followed: {followed}");
    t.stop().await;
}
