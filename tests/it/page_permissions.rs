//! The permission matrix of the pages, as tests/it/permissions.rs has it
//! for the API: every page × every role (and no session), with the exact
//! status each must get. A logged-out browser is sent to the login (303).

use std::collections::HashMap;

use crate::common::{TestApp, expect, form_token, local, page_text};
use reqwest::redirect::Policy;
use serde_json::json;

/// Callers, in the column order of [`PAGES`] (`root`: an
/// installation-wide admin; `adm-ma` administers the GZ bureau).
const CALLERS: [&str; 11] = [
    "-", "mgr-li", "mgr-wang", "dir-chen", "dep-sun", "head-wu", "dept-lin", "aud-he", "adm-ma",
    "mgr-sz", "root",
];

/// (method, page, expected status per caller). `{id}` is a fresh ticket
/// of GZ-TH managed by mgr-li, `{request}` a request on it to GZ-MKT,
/// `{leaver}` a fresh manager of GZ-TH.
#[rustfmt::skip]
const PAGES: &[(&str, &str, [u16; 11])] = &[
    //                                              -    li   wang chen sun  wu   dept aud  adm  sz   root
    ("get",  "/",                                 [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("get",  "/login",                            [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get",  "/work",                             [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get",  "/tickets/new",                      [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("post", "/tickets/new",                      [303, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("get",  "/tickets/new/category?voltage_level=10kV&power_sources=single",
                                                  [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get",  "/tickets/{id}",                     [303, 200, 404, 200, 200, 200, 200, 200, 404, 404, 404]),
    ("post", "/tickets/{id}/act",                 [303, 303, 404, 303, 303, 303, 403, 403, 404, 404, 404]),
    ("post", "/tickets/{id}/reassign",            [303, 422, 404, 422, 422, 422, 403, 403, 404, 404, 404]),
    ("post", "/tickets/{id}/hand-back",           [303, 422, 404, 422, 422, 422, 422, 422, 404, 404, 404]),
    ("get",  "/tickets/{id}/edit",                [303, 200, 404, 200, 200, 200, 403, 403, 404, 404, 404]),
    ("post", "/tickets/{id}/edit",                [303, 422, 404, 422, 422, 422, 403, 403, 404, 404, 404]),
    ("get",  "/tickets/{id}/accountability/new",  [303, 403, 404, 403, 403, 403, 403, 200, 404, 404, 404]),
    ("post", "/tickets/{id}/accountability",      [303, 403, 404, 403, 403, 403, 403, 422, 404, 404, 404]),
    ("get",  "/tickets/{id}/coordination/new",    [303, 200, 404, 200, 200, 200, 403, 403, 404, 404, 404]),
    ("post", "/tickets/{id}/coordination",        [303, 422, 404, 422, 422, 422, 403, 403, 404, 404, 404]),
    ("get",  "/coordination?department=GZ-MKT",   [303, 404, 404, 404, 200, 200, 200, 200, 404, 404, 404]),
    ("get",  "/coordination/{request}",           [303, 200, 404, 200, 200, 200, 200, 200, 404, 404, 404]),
    ("post", "/coordination/{request}/answer",    [303, 403, 404, 403, 403, 403, 303, 403, 404, 404, 404]),
    ("post", "/coordination/{request}/decision",  [303, 422, 404, 422, 422, 422, 403, 403, 404, 404, 404]),
    ("post", "/coordination/{request}/feedback",  [303, 422, 404, 422, 422, 422, 403, 403, 404, 404, 404]),
    ("get",  "/meeting",                          [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get",  "/reports",                          [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get",  "/reports/overdue",                  [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/reports/compliance",               [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/reports/durations",                [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/reports/workload",                 [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/reports/coordination",             [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/reports/accountability",           [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/reports/overdue?unit=GZ",          [303, 403, 403, 403, 200, 200, 403, 200, 403, 403, 403]),
    ("get",  "/overview",                         [303, 200, 200, 200, 200, 200, 403, 200, 403, 200, 403]),
    ("get",  "/account",                          [303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get",  "/admin",                            [303, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200]),
    ("get",  "/admin/org?unit=GZ-YX",             [303, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200]),
    ("get",  "/admin/people",                     [303, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200]),
    ("post", "/admin/people",                     [303, 403, 403, 403, 403, 403, 403, 403, 422, 403, 422]),
    ("post", "/admin/people/{leaver}/roles",      [303, 403, 403, 403, 403, 403, 403, 403, 303, 403, 303]),
    ("post", "/admin/people/{leaver}/roles/remove",
                                                  [303, 403, 403, 403, 403, 403, 403, 403, 303, 403, 303]),
    ("post", "/admin/people/{leaver}/deactivate", [303, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200]),
    ("get",  "/admin/import",                     [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("post", "/admin/import/preview",             [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("post", "/admin/import/apply",               [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 422]),
    ("get",  "/admin/mail",                       [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("post", "/admin/mail/999999/retry",          [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404]),
    ("get",  "/admin/calendar",                   [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("post", "/admin/calendar/recompute",         [303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("post", "/logout",                           [303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303]),
];

#[tokio::test]
async fn every_page_by_every_role() {
    let mut t = TestApp::spawn_with(
        local("2026-03-02 10:00"),
        "[auth]\nmax_failures = 100000\nfailure_delay_ms = 0",
    )
    .await;
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    // Each person gets a password (which ends their API tokens: the
    // fixtures get new ones) and one browser session.
    let mut sessions = HashMap::new();
    for user in &CALLERS[1..] {
        yekuo::auth::users::set_password(&t.app, user, Some("correct horse battery".into()))
            .await
            .unwrap();
        let p = yekuo::org::service::person_by_username(&t.app.db, user)
            .await
            .unwrap()
            .unwrap();
        let (token, _) = yekuo::auth::tokens::create(&t.app, p.id, "tests", None)
            .await
            .unwrap();
        t.tokens.insert(user.to_string(), token);
        sessions.insert(*user, session_of(&t, &browser, user).await);
    }
    let mut failures = Vec::new();
    let mut leavers = 0;
    for (m, page, expected) in PAGES {
        for (caller, want) in CALLERS.iter().zip(expected) {
            // A fresh ticket (GZ-TH, mgr-li) with a request to GZ-MKT per cell.
            let ticket = t.create_ticket(json!({})).await;
            let request = expect(
                t.post_as(
                    "dir-chen",
                    &format!("/api/v1/tickets/{}/coordination", ticket["id"]),
                    &json!({"subject": "供电方案", "question": "请确认", "category": "high_reliability_fee", "departments": ["GZ-MKT"]}),
                )
                .await,
                201,
            )
            .await;
            let mut path = page
                .replace("{id}", &ticket["id"].to_string())
                .replace("{request}", &request["id"].to_string());
            if path.contains("{leaver}") {
                leavers += 1;
                let leaver = expect(
                    t.post_as(
                        "root",
                        "/api/v1/people",
                        &json!({"username": format!("leaver-{leavers}"), "name": "离职者",
                                "email": format!("leaver{leavers}@example.cn"), "unit": "GZ-TH",
                                "roles": ["manager"]}),
                    )
                    .await,
                    201,
                )
                .await;
                path = path.replace("{leaver}", &leaver["id"].to_string());
            }
            let (cookie, csrf) = sessions.get(caller).cloned().unwrap_or_default();
            let mut req = match *m {
                "get" => browser.get(t.url(&path)),
                _ => browser.post(t.url(&path)),
            };
            if !cookie.is_empty() {
                req = req.header("cookie", &cookie);
            }
            if path.ends_with("/import/preview") {
                // A file of units and people that changes nothing.
                let file = reqwest::multipart::Part::bytes(b"type,code,name\n".to_vec())
                    .file_name("org.csv")
                    .mime_str("text/csv")
                    .unwrap();
                req = req.multipart(
                    reqwest::multipart::Form::new()
                        .text("csrf", csrf.clone())
                        .part("file", file),
                );
            } else if *m == "post" {
                let mut form: HashMap<&str, String> = HashMap::from([("csrf", csrf.clone())]);
                if path.ends_with("/act") {
                    form.insert("action", "advance".into());
                } else if path.ends_with("/answer") {
                    form.insert("answer", "agree".into());
                } else if path.contains("/roles") {
                    form.insert("grant", "center_director".into());
                } else if path.ends_with("/apply") {
                    form.extend([("name", "org.csv".into()), ("data", String::new())]);
                }
                req = req.form(&form);
            }
            let got = req.send().await.unwrap().status().as_u16();
            if got != *want {
                failures.push(format!(
                    "{} {page} as {caller}: want {want}, got {got}",
                    m.to_uppercase()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    t.stop().await;
}

/// A browser session of `user` (its cookie and form token), through the
/// login page.
async fn session_of(t: &TestApp, c: &reqwest::Client, user: &str) -> (String, String) {
    let res = c
        .post(t.url("/login"))
        .form(&[
            ("username", user),
            ("password", "correct horse battery"),
            ("next", "/work"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page_text(c, t, "/work", &cookie).await;
    let csrf = form_token(&html);
    (cookie, csrf)
}
