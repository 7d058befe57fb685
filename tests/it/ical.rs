//! The deadline feed: a person makes a private link on "My account", a
//! calendar app fetches it without logging in, the feed parses back and
//! its dates are the tickets' and the requests'; each alarm rings three
//! working days before; a new link ends the old one, revoking ends it.

use std::str::FromStr;

use crate::common::{TestApp, local, page_text};
use crate::web::{browser, post_form, signed_in};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use serde_json::json;

/// The feed's URL path on the account page after making one.
async fn make_link(t: &TestApp, c: &reqwest::Client, cookie: &str, csrf: &str) -> String {
    let res = post_form(t, c, cookie, "/account/feed", &[("csrf", csrf)]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let url = html
        .split("<code class=\"feed-url\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the new link, shown once")
        .to_string();
    let path = url.splitn(4, '/').nth(3).unwrap();
    format!("/{path}")
}

/// Each event's UID with its all-day date.
fn events(ics: &str) -> Vec<(String, chrono::NaiveDate, String)> {
    let cal = Calendar::from_str(ics).expect("the feed parses");
    cal.components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => {
                let day = match e.get_start()? {
                    DatePerhapsTime::Date(d) => d,
                    DatePerhapsTime::DateTime(_) => return None,
                };
                Some((e.get_uid()?.to_string(), day, e.get_summary()?.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_feed_holds_my_deadlines_with_their_alarms_until_revoked() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-F1", "accepted_on": "2026-03-02"}))
        .await;
    let r = t
        .post_ok(
            &format!("/api/v1/tickets/{}/coordination", v["id"]),
            &json!({"subject": "停电计划", "question": "三月能否停电？", "category": "outage_plan_slot", "departments": ["GZ-MKT"]}),
            201,
        )
        .await;
    // Into the supply plan stage, which has a limit of its own.
    for _ in 0..2 {
        t.post_ok(
            &format!("/api/v1/tickets/{}/advance", v["id"]),
            &json!({}),
            200,
        )
        .await;
    }
    let ticket = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{}", v["id"]))
        .await;
    let due: chrono::NaiveDate = ticket["due_date"].as_str().unwrap().parse().unwrap();
    let stage_due: chrono::NaiveDate = ticket["stage_sla"]["due_date"]
        .as_str()
        .expect("the supply plan has a limit")
        .parse()
        .unwrap();
    let c = browser();
    let (cookie, csrf) = signed_in(&t, &c, "mgr-li").await;
    let path = make_link(&t, &c, &cookie, &csrf).await;
    assert!(
        path.starts_with("/ical/") && path.ends_with(".ics"),
        "{path}"
    );
    // A calendar app: no session, no token.
    let res = reqwest::get(t.url(&path)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = res.text().await.unwrap();
    let got = events(&ics);
    let id = v["id"].as_i64().unwrap();
    let due_event = got
        .iter()
        .find(|(uid, _, _)| uid.starts_with(&format!("ticket-{id}-due@")))
        .expect("the ticket's due date");
    assert_eq!(due_event.1, due);
    assert!(due_event.2.contains("YK-F1") && due_event.2.contains("办结时限"));
    let stage_event = got
        .iter()
        .find(|(uid, _, _)| uid.starts_with(&format!("ticket-{id}-stage-")))
        .expect("the stage's deadline");
    assert_eq!(stage_event.1, stage_due);
    assert!(
        !got.iter().any(|(uid, _, _)| uid.starts_with("request-")),
        "the manager's department owes nothing"
    );
    // Each alarm: 08:30 (00:30Z) of the working day three working days before.
    let triggers: Vec<&str> = ics
        .lines()
        .filter_map(|l| l.strip_prefix("TRIGGER;VALUE=DATE-TIME:"))
        .collect();
    assert_eq!(triggers.len(), got.len(), "{ics}");
    let first = chrono::NaiveDate::parse_from_str(&triggers[0][..8], "%Y%m%d").unwrap();
    assert_eq!(&triggers[0][8..], "T003000Z");
    let deadline = got[0].1;
    assert_eq!(t.app.calendar.add(first, 3).unwrap(), deadline);

    // The department member's feed: the answer their department owes.
    let (lin, lin_csrf) = signed_in(&t, &c, "dept-lin").await;
    let lin_path = make_link(&t, &c, &lin, &lin_csrf).await;
    let theirs = events(
        &reqwest::get(t.url(&lin_path))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].0.starts_with(&format!("request-{}-", r["id"])));
    assert_eq!(theirs[0].1.to_string(), r["answer_by"].as_str().unwrap());

    // A new link ends the old; revoking ends the feed at once.
    let renewed = make_link(&t, &c, &cookie, &csrf).await;
    assert_ne!(renewed, path);
    assert_eq!(reqwest::get(t.url(&path)).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(t.url(&renewed)).await.unwrap().status(), 200);
    let html = page_text(&c, &t, "/account", &cookie).await;
    assert!(html.contains("revoke-feed"));
    let res = post_form(&t, &c, &cookie, "/account/feed/revoke", &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(reqwest::get(t.url(&renewed)).await.unwrap().status(), 404);
    t.stop().await;
}
