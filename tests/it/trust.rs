//! Trust boundaries: who may grant what and hand a ticket to whom, what
//! text the API takes (NUL and other hidden characters), one rule per word
//! whichever door it comes through, problem+json for every error, one rule
//! of lateness for coordination.

use crate::common;

use common::{TestApp, expect, local};
use reqwest::Method;
use serde_json::{Value, json};
use yekuo::org::import::{Format, ImportError, import_bytes};

fn person_body(username: &str, unit: Value, roles: Value) -> Value {
    json!({"username": username, "name": "新同事", "email": format!("{username}@example.cn"), "unit": unit, "roles": roles})
}

async fn usernames(t: &TestApp) -> Vec<String> {
    let people = t.get_ok_as("root", "/api/v1/people").await;
    people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_bureau_admin_grants_roles_only_in_bureaus_they_administer() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    // adm-ma administers GZ; SZ is another bureau.
    for (username, unit, roles) in [
        ("n1", json!("GZ-TH"), json!(["head@SZ"])),
        ("n2", json!("GZ-TH"), json!(["manager", "admin@SZ"])),
        ("n3", json!("GZ"), json!(["manager@SZ-FT"])),
        ("n4", json!("SZ-FT"), json!(["manager@GZ-TH"])),
        ("n5", Value::Null, json!(["admin"])),
    ] {
        let p = expect(
            t.post_as(
                "adm-ma",
                "/api/v1/people",
                &person_body(username, unit, roles),
            )
            .await,
            403,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("bureau"), "{p}");
    }
    let people = usernames(&t).await;
    for refused in ["n1", "n2", "n3", "n4", "n5"] {
        assert!(!people.iter().any(|u| u == refused), "{refused} stored");
    }
    // Within their bureau they grant; the installation-wide admin anywhere.
    expect(
        t.post_as(
            "adm-ma",
            "/api/v1/people",
            &person_body("n6", json!("GZ-TH"), json!(["manager", "center_director"])),
        )
        .await,
        201,
    )
    .await;
    let made = expect(
        t.post_as(
            "root",
            "/api/v1/people",
            &person_body("n7", json!("GZ-TH"), json!(["head@SZ"])),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(made["roles"][0]["role"], "head");
    t.stop().await;
}

#[tokio::test]
async fn nul_characters_are_refused_naming_the_field_and_nothing_is_stored() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let filed = t
        .post_ok(
            &format!("/api/v1/tickets/{id}/coordination"),
            &json!({"subject": "双电源", "question": "是否收取？", "category": "high_reliability_fee", "departments": ["GZ-MKT"]}),
            201,
        )
        .await;
    let rid = filed["id"].as_i64().unwrap();
    let mut ticket = common::ticket_body();
    ticket["customer_name"] = json!("华南\u{0}精密");
    let cases: Vec<(&str, Method, String, Value, &str)> = vec![
        (
            "mgr-li",
            Method::POST,
            "/api/v1/tickets".into(),
            ticket,
            "customer_name",
        ),
        (
            "mgr-li",
            Method::PATCH,
            format!("/api/v1/tickets/{id}"),
            json!({"address": "科韵路\u{0}", "note": "改地址"}),
            "address",
        ),
        (
            "mgr-li",
            Method::POST,
            format!("/api/v1/tickets/{id}/pause"),
            json!({"reason": "customer_design", "note": "\u{0}"}),
            "note",
        ),
        (
            "mgr-li",
            Method::POST,
            format!("/api/v1/tickets/{id}/reassign"),
            json!({"owner": "mgr-zhao\u{0}", "note": "交接"}),
            "owner",
        ),
        (
            "root",
            Method::POST,
            "/api/v1/people".into(),
            json!({"username": "nul-p", "name": "新\u{0}同事", "email": "p@example.cn", "unit": "GZ-TH", "roles": ["manager"]}),
            "name",
        ),
        (
            "root",
            Method::POST,
            "/api/v1/org/units".into(),
            json!({"code": "GZ-X", "name": "a\u{0}b", "kind": "department", "parent": "GZ"}),
            "name",
        ),
        (
            "mgr-li",
            Method::POST,
            "/api/v1/tokens".into(),
            json!({"name": "脚本\u{0}"}),
            "name",
        ),
        (
            "mgr-li",
            Method::POST,
            format!("/api/v1/tickets/{id}/coordination"),
            json!({"subject": "s", "question": "q", "category": "high_reliability_fee", "departments": ["GZ-MKT"], "attachments": [{"name": "图", "link": "https://x.cn/\u{0}"}]}),
            "attachments[0].link",
        ),
        (
            "dept-lin",
            Method::POST,
            format!("/api/v1/coordination/{rid}/answer"),
            json!({"answer": "agree", "text": "同意\u{0}"}),
            "text",
        ),
        (
            "mgr-li",
            Method::POST,
            format!("/api/v1/coordination/{rid}/feedback"),
            json!({"given_on": "2026-03-02", "channel": "phone", "text": "\u{0}"}),
            "text",
        ),
        (
            "mgr-li",
            Method::POST,
            format!("/api/v1/tickets/{id}/close"),
            json!({"note\u{0}": "x"}),
            "note\\0",
        ),
        (
            "mgr-li",
            Method::GET,
            "/api/v1/tickets?ticket_no=%00".into(),
            Value::Null,
            "ticket_no",
        ),
    ];
    for (user, method, path, body, field) in cases {
        let mut req = t.req(user, method.clone(), &path);
        if !body.is_null() {
            req = req.json(&body);
        }
        let p = expect(req.send().await.unwrap(), 422).await;
        assert_eq!(p["errors"][0]["field"], field, "{method} {path}: {p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("U+0000"),
            "{p}"
        );
    }
    // Logging in with a NUL: the same answer, before any password is checked.
    let res = t
        .client
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({"username": "mgr-li\u{0}", "password": "x"}))
        .send()
        .await
        .unwrap();
    let p = expect(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "username");
    // Nothing changed: the ticket, its coordination request, its history.
    let after = t.get_ok(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(after["address"], v["address"]);
    assert_eq!(after["status"], "open");
    let verified = t
        .get_ok(&format!("/api/v1/tickets/{id}/events/verify"))
        .await;
    assert_eq!(verified["ok"], true, "{verified}");
    let r = t.get_ok(&format!("/api/v1/coordination/{rid}")).await;
    assert!(r["targets"][0]["answer"].is_null() && r["feedback"] == json!([]));
    assert!(!usernames(&t).await.iter().any(|u| u.starts_with("nul")));
    t.stop().await;
}

#[tokio::test]
async fn every_error_is_problem_json_405_included_with_its_allow_header() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    for (method, path, allowed) in [
        (Method::PUT, "/api/v1/tickets/1", &["GET", "PATCH"][..]),
        (Method::DELETE, "/api/v1/tickets", &["GET", "POST"][..]),
        (Method::POST, "/healthz", &["GET"][..]),
    ] {
        let res = t.req("mgr-li", method.clone(), path).send().await.unwrap();
        let allow = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let p = expect(res, 405).await;
        assert_eq!(p["status"], 405, "{p}");
        for m in allowed {
            assert!(allow.contains(m), "{method} {path}: Allow: {allow}");
        }
    }
    t.stop().await;
}

/// The rows an import of `csv` refuses (it must refuse some).
async fn refused_rows(t: &TestApp, csv: &str) -> Vec<yekuo::org::import::RowError> {
    match import_bytes(
        &t.app.writer,
        csv.as_bytes(),
        Format::Csv,
        false,
        t.app.now(),
    )
    .await
    {
        Err(ImportError::Rows(rows)) => rows,
        other => panic!("{csv:?} was not refused row by row: {other:?}"),
    }
}

#[tokio::test]
async fn the_same_bad_value_gets_the_same_message_over_http_the_cli_and_the_import() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    // (field over HTTP, column in the file, value, the one message)
    let bad_people = [
        (
            "email",
            "email",
            "l1\r\nBcc: x@y.cn",
            yekuo::org::EmailAddress::parse("l1\r\nBcc: x@y.cn").unwrap_err(),
        ),
        (
            "username",
            "code",
            "li\u{200B}ming",
            yekuo::org::Username::parse("li\u{200B}ming").unwrap_err(),
        ),
        (
            "email",
            "email",
            "nonsense",
            yekuo::org::EmailAddress::parse("nonsense").unwrap_err(),
        ),
    ];
    for (field, column, value, message) in bad_people {
        let (username, email) = match field {
            "email" => ("parity-p".to_string(), value.to_string()),
            _ => (value.to_string(), "p@example.cn".to_string()),
        };
        // HTTP
        let body = json!({"username": username, "name": "新同事", "email": email, "unit": "GZ-TH", "roles": ["manager"]});
        let p = expect(t.post_as("root", "/api/v1/people", &body).await, 422).await;
        assert_eq!(p["errors"], json!([{"field": field, "message": message}]));
        // CLI
        let (code, _, err) = t.cli(&[
            "user",
            "create",
            "--username",
            &username,
            "--name",
            "新同事",
            "--email",
            &email,
            "--unit",
            "GZ-TH",
            "--role",
            "manager",
        ]);
        assert_ne!(code, 0);
        assert!(err.contains(&format!("{field}: {message}")), "{err}");
        // Import
        let csv = format!(
            "type,code,name,email,unit,roles\nperson,\"{username}\",新同事,\"{email}\",GZ-TH,manager\n"
        );
        let rows = refused_rows(&t, &csv).await;
        assert!(
            rows.iter()
                .any(|r| r.message == format!("{column}: {message}")),
            "{rows:?}"
        );
    }
    // A unit code with markup, through the three doors.
    let message = yekuo::org::UnitCode::parse("<b>X</b>").unwrap_err();
    let p = expect(
        t.post_as(
            "root",
            "/api/v1/org/units",
            &json!({"code": "<b>X</b>", "name": "标记", "kind": "bureau"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"], json!([{"field": "code", "message": message}]));
    let (code, _, err) = t.cli(&[
        "org", "add-unit", "--code", "<b>X</b>", "--name", "标记", "--kind", "bureau",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains(&format!("code: {message}")), "{err}");
    let csv = "type,code,name,kind\nunit,<b>X</b>,标记,bureau\n";
    let rows = refused_rows(&t, csv).await;
    assert_eq!(rows[0].message, format!("code: {message}"));
    assert!(!usernames(&t).await.iter().any(|u| u.starts_with("parity")));
    t.stop().await;
}

#[tokio::test]
async fn tickets_change_hands_within_the_center_or_for_the_bureau_within_the_bureau() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let path = format!("/api/v1/tickets/{}/reassign", v["id"]);
    let to = |owner: &str| json!({"owner": owner, "note": "交接"});
    // A manager of GZ-TH: not to another bureau's manager, not to GZ-YX.
    for other in ["mgr-sz", "mgr-wang", "dept-lin", "head-wu"] {
        expect(t.post_as("mgr-li", &path, &to(other)).await, 403).await;
    }
    let same = t.get_ok(&format!("/api/v1/tickets/{}", v["id"])).await;
    assert_eq!(same["owner"], v["owner"]);
    // Within the center: a colleague, or the director.
    let moved = expect(t.post_as("mgr-li", &path, &to("mgr-zhao")).await, 200).await;
    assert_eq!(moved["owner"], "mgr-zhao");
    expect(t.post_as("dir-chen", &path, &to("mgr-sz")).await, 403).await;
    expect(t.post_as("dir-chen", &path, &to("dir-chen")).await, 200).await;
    // The head hands within the bureau, another center included, not beyond.
    expect(t.post_as("head-wu", &path, &to("mgr-sz")).await, 403).await;
    let moved = expect(t.post_as("head-wu", &path, &to("mgr-wang")).await, 200).await;
    assert_eq!(moved["owner"], "mgr-wang");
    t.stop().await;
}

#[tokio::test]
async fn what_users_type_is_bounded_to_what_makes_sense() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    // Acceptance dates from 2000 to 2100.
    for day in ["0000-01-01", "1999-12-31", "2101-01-01"] {
        let p = t.create_ticket_raw(json!({"accepted_on": day})).await;
        assert_eq!(p["errors"][0]["field"], "accepted_on", "{p}");
    }
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let file = |departments: Value, attachments: Value| json!({"subject": "s", "question": "q", "category": "high_reliability_fee", "departments": departments, "attachments": attachments});
    let path = format!("/api/v1/tickets/{id}/coordination");
    // Links are web addresses of a sane length.
    for link in [
        "javascript:alert(1)".to_string(),
        "data:text/html,x".to_string(),
        format!("https://x.cn/{}", "a".repeat(3000)),
        "https://x.cn/a b".to_string(),
    ] {
        let p = expect(
            t.post_as(
                "mgr-li",
                &path,
                &file(json!(["GZ-MKT"]), json!([{"name": "图纸", "link": link}])),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "attachments", "{p}");
    }
    // Departments of the ticket's own bureau only (by default).
    expect(
        t.post_as(
            "root",
            "/api/v1/org/units",
            &json!({"code": "SZ-MKT", "name": "深圳市场部", "kind": "department", "parent": "SZ"}),
        )
        .await,
        201,
    )
    .await;
    let p = expect(
        t.post_as("mgr-li", &path, &file(json!(["SZ-MKT"]), json!([])))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "departments", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("another bureau")
    );
    expect(
        t.post_as(
            "mgr-li",
            &path,
            &file(
                json!(["GZ-MKT"]),
                json!([{"name": "图纸", "link": "HTTPS://x.cn/drawing.pdf"}]),
            ),
        )
        .await,
        201,
    )
    .await;
    // Filtering by a username does not tell whether it exists.
    for q in ["owner=nobody-here", "manager=nobody-here", "owner=mgr-wang"] {
        let page = expect(
            t.get_as("head-wu", &format!("/api/v1/tickets?{q}")).await,
            200,
        )
        .await;
        assert_eq!(page["items"], json!([]), "{q}");
    }
    t.stop().await;
}

#[tokio::test]
async fn the_agenda_calls_late_what_the_api_calls_late_and_counts_requests() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use yekuo::coordination::{self, Answer, NewRequest};
    use yekuo::mail::outbox_entity as o;
    let t = TestApp::spawn_with(
        local("2026-03-02 09:00"),
        "[coordination]\nmeeting_participants = [\"head-wu\"]",
    )
    .await;
    let v = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let id = v["id"].as_i64().unwrap();
    let li = yekuo::org::service::person_by_username(&t.app.db, "mgr-li")
        .await
        .unwrap()
        .unwrap();
    let actor = yekuo::tickets::Actor::person(li.id, &li.username);
    let ask = |subject: &str| NewRequest {
        subject: subject.into(),
        question: "是否收取？".into(),
        category: "high_reliability_fee".into(),
        departments: vec!["GZ-MKT".into(), "GZ-PLAN".into()],
        attachments: vec![],
        answer_by: None,
    };
    // Answered by both departments within its day, one disagreeing: open
    // for the meeting, not late. The other: unanswered, late.
    let answered = coordination::file(&t.app, &actor, id, ask("已答复事项"))
        .await
        .unwrap();
    let late = coordination::file(&t.app, &actor, id, ask("未答复事项"))
        .await
        .unwrap();
    for (who, a) in [
        ("dept-lin", Answer::Disagree),
        ("dept-zhang", Answer::NeedInfo),
    ] {
        let p = yekuo::org::service::person_by_username(&t.app.db, who)
            .await
            .unwrap()
            .unwrap();
        coordination::answer(&t.app, &p, answered.id, None, a, Some("理由".into()))
            .await
            .unwrap();
    }
    t.clock.set(local("2026-03-09 09:00"));
    for (rid, overdue) in [(answered.id, false), (late.id, true)] {
        let r = t.get_ok(&format!("/api/v1/coordination/{rid}")).await;
        assert_eq!(r["overdue"], overdue, "{r}");
    }
    let report = coordination::meeting::run_due(&t.app)
        .await
        .unwrap()
        .unwrap();
    assert!(report.written);
    let mail = o::Entity::find()
        .filter(o::Column::Template.eq("agenda"))
        .one(&t.app.db)
        .await
        .unwrap()
        .unwrap();
    // Two requests, each listed under both departments: "2 项", not 4.
    assert!(mail.subject.contains("未决事项 2 项"), "{}", mail.subject);
    // Only the unanswered one is marked late, in each department's list.
    let marks = mail.body_text.matches("已逾期").count();
    assert_eq!(marks, 2, "{}", mail.body_text);
    for line in mail.body_text.lines().filter(|l| l.contains("已逾期")) {
        assert!(line.contains("未答复事项"), "{line}");
    }
    t.stop().await;
}

#[tokio::test]
async fn a_lost_race_is_a_conflict_not_a_crash() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    // Eight admins' clicks create the same person at once: one wins, the
    // others are told it exists (the database's unique key decides).
    let body = person_body("twin", json!("GZ-TH"), json!(["manager"]));
    let statuses = at_once(8, || {
        t.req("root", Method::POST, "/api/v1/people").json(&body)
    })
    .await;
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    // The same for a ticket number given twice at once.
    let mut ticket = common::ticket_body();
    ticket["ticket_no"] = json!("YK-RACE-1");
    let statuses = at_once(6, || {
        t.req("mgr-li", Method::POST, "/api/v1/tickets")
            .json(&ticket)
    })
    .await;
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409]);
    t.stop().await;
}

/// Sends `n` copies of a request at once; their statuses, sorted.
async fn at_once(n: usize, request: impl Fn() -> reqwest::RequestBuilder) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let r = request();
        set.spawn(async move { r.send().await.unwrap().status().as_u16() });
    }
    let mut statuses = set.join_all().await;
    statuses.sort_unstable();
    statuses
}
