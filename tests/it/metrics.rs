//! `/metrics` after a ticket went through escalation and mail: the
//! counters moved, the gauges right; the token on the main listener; the
//! open separate listener; a scrape reads nothing from the database.

use crate::common::{TestApp, local};
use crate::smtp::SmtpServer;
use serde_json::json;

/// The value of the sample `name{labels}` (labels as written, sorted as
/// the exporter writes them), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn scrape(t: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = t.client.get(t.url("/metrics"));
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_scrape_after_an_escalation_and_its_mail_shows_the_figures() {
    let smtp = SmtpServer::start().await;
    let toml = format!(
        "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nsmtp_security = \"none\"\n\
         smtp_timeout_seconds = 5\nfrom = \"yekuo <yekuo@gz.example.cn>\"\n\
         [metrics]\ntoken = \"scrape-me\"\n",
        smtp.port()
    );
    let t = TestApp::spawn_with(local("2026-01-05 09:00"), &toml).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-M1", "accepted_on": "2026-01-05"}))
        .await;
    t.get_ok(&format!("/api/v1/tickets/{}", v["id"])).await;
    // The token: missing or wrong is refused.
    assert_eq!(scrape(&t, None).await.0, 401);
    assert_eq!(scrape(&t, Some("guess")).await.0, 401);
    // A month before the deadline: the director's rung, and its mail.
    t.clock.set(local("2026-04-08 00:00"));
    yekuo::escalation::sweep(&t.app, t.app.now(), false, 100)
        .await
        .unwrap();
    let transport = yekuo::mail::Transport::from_config(&t.app.config.raw.mail).unwrap();
    let sent = yekuo::mail::drain(&t.app, &transport, "test")
        .await
        .unwrap();
    assert!(sent.sent >= 1);
    assert!(yekuo::scheduler::run_gauges(&t.app, "test").await.unwrap());
    let (status, text) = scrape(&t, Some("scrape-me")).await;
    assert_eq!(status, 200);
    let id_route = "route=\"/api/v1/tickets/{id}\"";
    let expect = [
        ("yekuo_escalations_total{level=\"1\"}", 1.0),
        ("yekuo_mail_sent_total", sent.sent as f64),
        ("yekuo_mail_failed_total", 0.0),
        ("yekuo_outbox_pending", 0.0),
        ("yekuo_outbox_failed", 0.0),
        ("yekuo_tickets_live{bureau=\"GZ\",status=\"open\"}", 1.0),
        ("yekuo_tickets_live{bureau=\"GZ\",status=\"paused\"}", 0.0),
        ("yekuo_tickets_live{bureau=\"SZ\",status=\"open\"}", 0.0),
        (
            "yekuo_tickets_live_by_level{bureau=\"GZ\",level=\"1\"}",
            1.0,
        ),
        (
            "yekuo_tickets_live_by_level{bureau=\"GZ\",level=\"0\"}",
            0.0,
        ),
        ("yekuo_tickets_open{bureau=\"GZ\",light=\"yellow\"}", 1.0),
        ("yekuo_tickets_open{bureau=\"GZ\",light=\"red\"}", 0.0),
        ("yekuo_job_runs_total{job=\"gauges\"}", 1.0),
        ("yekuo_coordination_waiting{department=\"GZ-MKT\"}", 0.0),
    ];
    for (series, want) in expect {
        assert_eq!(sample(&text, series), Some(want), "{series}\n{text}");
    }
    assert_eq!(
        sample(
            &text,
            "yekuo_http_requests_total{route=\"/api/v1/tickets\",method=\"POST\",status=\"201\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        text.lines().any(
            |l| l.starts_with("yekuo_http_request_duration_seconds_bucket{")
                && l.contains(id_route)
        ),
        "a latency histogram by route"
    );
    assert!(sample(&text, "yekuo_calendar_days_left").is_some_and(|d| d > 200.0));
    assert!(text.contains("yekuo_build_info{"), "{text}");
    // A scrape reads nothing from the database: it answers with the pool
    // closed (so it costs the same at 10 tickets or a million).
    t.app.db.clone().close().await.ok();
    t.app.writer.clone().close().await.ok();
    let (status, again) = scrape(&t, Some("scrape-me")).await;
    assert_eq!(status, 200);
    assert!(again.contains("yekuo_tickets_live"));
    t.stop().await;
}

#[tokio::test]
async fn the_separate_listener_is_open_and_the_main_one_needs_a_token() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    // No token configured: not on the main listener at all.
    assert_eq!(scrape(&t, None).await.0, 404);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    let router = yekuo::http::metrics::router(t.app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let res = reqwest::get(format!("http://{at}/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("yekuo_calendar_days_left")
    );
    t.stop().await;
}
