//! The permission matrix: every route of the OpenAPI document × every role
//! (and no credentials), with the exact status each must get. A route
//! without an entry here fails the test.

use crate::common;

use common::{TestApp, expect, local, ticket_body};
use reqwest::Method;
use serde_json::{Value, json};

/// Callers, in the column order of [`MATRIX`].
const CALLERS: [&str; 10] = [
    "-",        // no credentials
    "mgr-li",   // manager of GZ-TH, manages the ticket under test
    "mgr-wang", // manager of another center (GZ-YX)
    "dir-chen", // center director of GZ-TH
    "dep-sun",  // deputy head of bureau GZ
    "head-wu",  // head of bureau GZ
    "dept-lin", // department member
    "aud-he",   // auditor of bureau GZ
    "adm-ma",   // admin of bureau GZ
    "mgr-sz",   // manager in another bureau (SZ)
];

/// (method, OpenAPI path, expected status per caller).
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [u16; 10])] = &[
    //                                              -    li   wang chen sun  wu   dept aud  adm  sz
    ("post", "/api/v1/tickets",                  [401, 201, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("get", "/api/v1/tickets",                   [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/tickets/{id}",              [401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("patch", "/api/v1/tickets/{id}",            [401, 200, 404, 200, 200, 200, 404, 403, 404, 404]),
    ("get", "/api/v1/tickets/{id}/events",       [401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("get", "/api/v1/tickets/{id}/events/verify",[401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("get", "/api/v1/tickets/{id}/explain",      [401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("get", "/api/v1/tickets/{id}/ladder",       [401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("post", "/api/v1/tickets/{id}/advance",     [401, 200, 404, 200, 200, 200, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/pause",       [401, 200, 404, 200, 200, 200, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/resume",      [401, 409, 404, 409, 409, 409, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/close",       [401, 409, 404, 409, 409, 409, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/cancel",      [401, 200, 404, 200, 200, 200, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/reopen",      [401, 409, 404, 409, 409, 409, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/reassign",    [401, 200, 404, 200, 200, 200, 404, 403, 404, 404]),
    ("post", "/api/v1/tickets/{id}/hand-back",   [401, 409, 404, 403, 403, 403, 404, 403, 404, 404]),
    ("get", "/api/v1/policy",                    [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/calendar",                  [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/admin/config",              [401, 403, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("get", "/api/v1/calendar/add",              [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/calendar/between",          [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/auth/login",               [401, 401, 401, 401, 401, 401, 401, 401, 401, 401]),
    ("post", "/api/v1/auth/logout",              [401, 204, 204, 204, 204, 204, 204, 204, 204, 204]),
    ("get", "/api/v1/auth/me",                   [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/tokens",                   [401, 201, 201, 201, 201, 201, 201, 201, 201, 201]),
    ("get", "/api/v1/tokens",                    [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("delete", "/api/v1/tokens/{id}",            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("get", "/api/v1/sessions",                  [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("delete", "/api/v1/sessions/{id}",          [401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("get", "/api/v1/org/units",                 [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/org/units",                [401, 403, 403, 403, 403, 403, 403, 403, 201, 403]),
    ("post", "/api/v1/org/import",               [401, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("post", "/api/v1/tickets/{id}/coordination",[401, 201, 404, 201, 201, 201, 404, 403, 404, 404]),
    ("get", "/api/v1/tickets/{id}/coordination", [401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("get", "/api/v1/coordination",              [401, 403, 403, 403, 200, 200, 200, 200, 403, 403]),
    ("get", "/api/v1/coordination/{id}",         [401, 200, 404, 200, 200, 200, 200, 200, 404, 404]),
    ("post", "/api/v1/coordination/{id}/answer", [401, 403, 404, 403, 403, 403, 200, 403, 404, 404]),
    ("post", "/api/v1/coordination/{id}/withdraw",[401, 200, 404, 403, 403, 403, 403, 403, 404, 404]),
    ("post", "/api/v1/coordination/{id}/decision",[401, 200, 404, 200, 200, 200, 403, 403, 404, 404]),
    ("post", "/api/v1/coordination/{id}/feedback",[401, 200, 404, 200, 200, 200, 403, 403, 404, 404]),
    ("get", "/api/v1/mail",                      [401, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("post", "/api/v1/mail/{id}/retry",          [401, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("get", "/api/v1/people",                    [401, 403, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("post", "/api/v1/people",                   [401, 403, 403, 403, 403, 403, 403, 403, 201, 403]),
    ("get", "/api/v1/people/{id}",               [401, 404, 404, 404, 404, 404, 404, 404, 200, 404]),
    ("post", "/api/v1/people/{id}/deactivate",   [401, 403, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("get", "/api/v1/people/{id}/open-tickets",  [401, 403, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("get", "/api/v1/reports/overdue",           [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/reports/compliance",        [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/reports/durations",         [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/reports/workload",          [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/reports/coordination",      [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/reports/snapshots/{month}", [401, 403, 403, 404, 404, 404, 403, 404, 403, 403]),
    ("get", "/api/v1/reports/accountability",    [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("post", "/api/v1/tickets/{id}/accountability",[401, 403, 404, 403, 403, 403, 404, 201, 404, 404]),
    ("get", "/api/v1/tickets/{id}/accountability",[401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("get", "/api/v1/accountability",            [401, 200, 200, 200, 200, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/accountability/{id}",       [401, 200, 404, 200, 200, 200, 404, 200, 404, 404]),
    ("post", "/api/v1/accountability/{id}/completion",[401, 403, 404, 403, 403, 403, 404, 200, 404, 404]),
];

fn coordination_body() -> Value {
    json!({"subject": "高可靠性供电费", "question": "是否收取？", "category": "high_reliability_fee", "departments": ["GZ-MKT"]})
}

/// An interview naming the ticket's manager (the ticket has not breached).
fn accountability_body() -> Value {
    json!({"kind": "interview", "persons": ["mgr-li"], "text": "办理缓慢，约谈客户经理"})
}

fn method(m: &str) -> Method {
    Method::from_bytes(m.to_ascii_uppercase().as_bytes()).unwrap()
}

/// The body each route is called with (valid where the role allows it).
fn body_for(m: &str, path: &str, n: usize) -> Value {
    match (m, path) {
        ("post", "/api/v1/tickets") => ticket_body(),
        ("patch", _) => json!({"address": "广州市天河区新址 8 号"}),
        (_, p) if p.ends_with("/pause") => json!({"reason": "customer_documents"}),
        (_, p) if p.ends_with("/cancel") || p.ends_with("/reopen") || p.ends_with("/hand-back") => {
            json!({"note": "矩阵测试"})
        }
        (_, p) if p.ends_with("/reassign") => json!({"owner": "mgr-zhao", "note": "矩阵测试"}),
        (_, "/api/v1/auth/login") => json!({"username": "mgr-li", "password": "not the password"}),
        ("post", "/api/v1/tokens") => json!({"name": "matrix"}),
        ("post", "/api/v1/tickets/{id}/coordination") => coordination_body(),
        (_, "/api/v1/coordination/{id}/answer") => json!({"answer": "agree"}),
        (_, "/api/v1/coordination/{id}/decision") => {
            json!({"meeting_date": "2026-03-02", "decision": "按双电源收费", "responsible_department": "GZ-MKT", "due_date": "2026-03-06"})
        }
        (_, "/api/v1/coordination/{id}/feedback") => {
            json!({"given_on": "2026-03-02", "channel": "phone", "text": "已电话告知客户"})
        }
        (_, "/api/v1/tickets/{id}/accountability") => accountability_body(),
        (_, "/api/v1/accountability/{id}/completion") => json!({"note": "已约谈"}),
        ("post", "/api/v1/org/units") => {
            json!({"code": format!("GZ-N{n}"), "name": "新中心", "kind": "service_center", "parent": "GZ"})
        }
        ("post", "/api/v1/people") => {
            json!({"username": format!("new-{n}"), "name": "新人", "email": "new@example.com", "unit": "GZ-TH", "roles": ["manager"]})
        }
        _ => Value::Null,
    }
}

#[tokio::test]
async fn every_route_by_every_role() {
    let t = TestApp::spawn_with(
        local("2026-03-02 10:00"),
        "[auth]\nmax_failures = 100000\nfailure_delay_ms = 0",
    )
    .await;
    let doc = t.get_ok("/api-docs/openapi.json").await;
    // Every documented route has a row, and every row is documented.
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            documented.push((m.clone(), path.clone()));
            assert!(
                MATRIX.iter().any(|(mm, pp, _)| mm == m && pp == path),
                "{} {path} has no entry in the permission matrix",
                m.to_uppercase()
            );
        }
    }
    for (m, p, _) in MATRIX {
        assert!(
            documented.iter().any(|(mm, pp)| mm == m && pp == p),
            "{m} {p} is not in the OpenAPI document"
        );
    }

    let mut failures = Vec::new();
    let mut n = 0;
    for (m, path, expected) in MATRIX {
        for (caller, want) in CALLERS.iter().zip(expected) {
            n += 1;
            // A fresh ticket (GZ-TH, managed by mgr-li) and person per cell.
            let ticket = t.create_ticket(json!({})).await;
            let person = expect(
                t.post_as("root", "/api/v1/people", &json!({"username": format!("p-{n}"), "name": "某人", "email": "p@example.com", "unit": "GZ-TH", "roles": ["manager"]})).await,
                201,
            )
            .await;
            let request = if path.starts_with("/api/v1/coordination/{id}") {
                let url = format!("/api/v1/tickets/{}/coordination", ticket["id"]);
                expect(t.post_as("mgr-li", &url, &coordination_body()).await, 201).await["id"]
                    .clone()
            } else if path.starts_with("/api/v1/accountability/{id}") {
                let url = format!("/api/v1/tickets/{}/accountability", ticket["id"]);
                expect(t.post_as("aud-he", &url, &accountability_body()).await, 201).await["id"]
                    .clone()
            } else {
                Value::Null
            };
            let concrete = path
                .replace("/coordination/{id}", &format!("/coordination/{request}"))
                .replace(
                    "/accountability/{id}",
                    &format!("/accountability/{request}"),
                )
                .replace("/tickets/{id}", &format!("/tickets/{}", ticket["id"]))
                .replace("/people/{id}", &format!("/people/{}", person["id"]))
                .replace("{id}", "999999")
                .replace("{month}", "2026-02");
            let url = match *path {
                "/api/v1/coordination" => format!("{concrete}?department=GZ-MKT"),
                "/api/v1/calendar/add" => format!("{concrete}?start=2026-02-13&n=1"),
                "/api/v1/calendar/between" => format!("{concrete}?a=2026-02-13&b=2026-02-28"),
                _ => concrete,
            };
            let mut req = match *caller {
                "-" => t.client.request(method(m), t.url(&url)),
                user => t.req(user, method(m), &url),
            };
            let body = body_for(m, path, n);
            if !body.is_null() {
                req = req.json(&body);
            }
            let res = req.send().await.unwrap();
            let got = res.status().as_u16();
            if got != *want {
                failures.push(format!(
                    "{} {path} as {caller}: want {want}, got {got}: {}",
                    m.to_uppercase(),
                    res.text().await.unwrap_or_default()
                ));
            } else if got >= 400 {
                let ct = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                assert_eq!(ct, "application/problem+json", "{m} {path} as {caller}");
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

#[tokio::test]
async fn a_manager_cannot_reach_another_centers_ticket_by_guessing_ids() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let theirs = t.create_ticket(json!({"service_center": "GZ-YX"})).await;
    let id = theirs["id"].as_i64().unwrap();
    for guess in [id, id + 1, id - 1, 424242] {
        let res = t
            .get_as("mgr-li", &format!("/api/v1/tickets/{guess}"))
            .await;
        assert_eq!(res.status(), 404, "guess {guess}");
    }
    let res = t
        .post_as(
            "mgr-li",
            &format!("/api/v1/tickets/{id}/advance"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 404);
    let list = t.get_ok_as("mgr-li", "/api/v1/tickets").await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    // An auditor reads but changes nothing.
    let res = t
        .post_as(
            "aud-he",
            &format!("/api/v1/tickets/{id}/pause"),
            &json!({"reason": "customer_documents"}),
        )
        .await;
    assert_eq!(res.status(), 403);
    let events = t
        .get_ok_as("aud-he", &format!("/api/v1/tickets/{id}/events"))
        .await;
    assert_eq!(events.as_array().unwrap().len(), 1);
    t.stop().await;
}

/// Role granting: (the new person's unit, roles) × callers
/// (adm-ma: admin of GZ, root: installation-wide admin, head-wu, mgr-sz).
#[rustfmt::skip]
const GRANTS: &[(Option<&str>, &[&str], [u16; 4])] = &[
    //                                                   adm-ma root head sz
    (Some("GZ-TH"), &["manager"],                       [201, 201, 403, 403]),
    (Some("GZ-TH"), &["manager", "auditor@GZ"],         [201, 201, 403, 403]),
    (Some("GZ"),    &["admin"],                         [201, 201, 403, 403]),
    (Some("GZ-TH"), &["head@SZ"],                       [403, 201, 403, 403]),
    (Some("GZ-TH"), &["manager", "admin@SZ"],           [403, 201, 403, 403]),
    (Some("SZ-FT"), &["manager"],                       [403, 201, 403, 403]),
    (Some("SZ-FT"), &["manager@GZ-TH"],                 [403, 201, 403, 403]),
    (None,          &["admin"],                         [403, 201, 403, 403]),
];

#[tokio::test]
async fn roles_are_granted_only_by_admins_of_every_bureau_they_touch() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let mut failures = Vec::new();
    for (i, (unit, roles, expected)) in GRANTS.iter().enumerate() {
        for (j, (caller, want)) in ["adm-ma", "root", "head-wu", "mgr-sz"]
            .iter()
            .zip(expected)
            .enumerate()
        {
            let username = format!("g-{i}-{j}");
            let body = json!({"username": username, "name": "新人", "email": "g@example.com", "unit": unit, "roles": roles});
            let got = t
                .post_as(caller, "/api/v1/people", &body)
                .await
                .status()
                .as_u16();
            if got != *want {
                failures.push(format!(
                    "{unit:?} {roles:?} by {caller}: want {want}, got {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Only the granted ones exist.
    let people = t.get_ok_as("root", "/api/v1/people").await;
    let made = people
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["username"].as_str().unwrap().starts_with("g-"))
        .count();
    let granted: usize = GRANTS
        .iter()
        .map(|(_, _, e)| e.iter().filter(|s| **s == 201).count())
        .sum();
    assert_eq!(made, granted);
    t.stop().await;
}
