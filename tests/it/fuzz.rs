//! Generated input against every write route of the OpenAPI document, as an
//! admin and as a customer manager: wrong types, NUL and other control
//! characters, huge numbers and strings, deep nesting, unknown fields. Never
//! a 5xx; every error problem+json; a refused request stores nothing; every
//! ticket's event chain still verifies.

use crate::common;

use common::{TestApp, local};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Map, Value, json};

/// The tables a write may touch (sessions and throttling excepted: a
/// refused login is itself recorded).
const TABLES: &[&str] = &[
    "api_tokens",
    "coordination_decisions",
    "coordination_feedback",
    "coordination_requests",
    "coordination_targets",
    "escalations",
    "mail_outbox",
    "org_units",
    "people",
    "role_assignments",
    "ticket_departments",
    "ticket_events",
    "ticket_pauses",
    "ticket_stages",
    "tickets",
];

/// xorshift64*: the same bodies on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values that break naive parsers, and a few that pass them.
fn nasty(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 2 { 24 } else { 28 }) {
        0 => json!(""),
        1 => json!("   "),
        2 => json!("\u{0}"),
        3 => json!("a\u{0}b"),
        4 => json!("\u{202E}evil\u{200B}"),
        5 => json!("l1\r\nBcc: x@y.cn"),
        6 => Value::String("长".repeat(100_000)),
        7 => json!(1e308),
        8 => json!(-1),
        9 => json!(0),
        10 => json!(i64::MAX),
        11 => json!(u64::MAX),
        12 => json!(-0.5),
        13 => json!(true),
        14 => Value::Null,
        15 => json!("2026-03-02"),
        16 => json!("0000-01-01"),
        17 => json!("GZ-TH"),
        18 => json!("mgr-zhao"),
        19 => json!("agree"),
        20 => json!("customer_design"),
        21 => json!("javascript:alert(1)"),
        22 => json!("<script>x</script>"),
        23 => json!("manager@SZ"),
        24 => json!([nasty(rng, depth + 1), nasty(rng, depth + 1)]),
        25 => json!({"name": nasty(rng, depth + 1), "link": nasty(rng, depth + 1)}),
        26 => json!(["manager", "head@SZ"]),
        _ => json!({"\u{0}": 1}),
    }
}

fn deep(levels: usize) -> Value {
    (0..levels).fold(json!("x"), |v, _| json!([v]))
}

/// A body for a route whose request schema names `fields`.
fn body(rng: &mut Rng, fields: &[String]) -> Value {
    match rng.below(8) {
        0 => nasty(rng, 0),
        1 => deep(rng.below(400) + 10),
        _ => {
            let mut m = Map::new();
            for f in fields {
                if rng.below(4) > 0 {
                    m.insert(f.clone(), nasty(rng, 0));
                }
            }
            if rng.below(5) == 0 {
                m.insert("unknown_field".into(), nasty(rng, 0));
            }
            Value::Object(m)
        }
    }
}

/// The property names of a request body schema (following one `$ref`).
fn fields_of(doc: &Value, op: &Value) -> Vec<String> {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

async fn counts(t: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        let row = t
            .app
            .db
            .query_one_raw(Statement::from_string(
                t.app.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        out.push(row.try_get::<i64>("", "n").unwrap());
    }
    out
}

#[tokio::test]
async fn generated_bodies_never_get_a_5xx_and_refusals_store_nothing() {
    let t = TestApp::spawn_with(
        local("2026-03-02 10:00"),
        "[auth]\nfailure_delay_ms = 0\nmax_failures = 1000",
    )
    .await;
    let ticket = t.create_ticket(json!({"accepted_on": "2026-03-02"})).await;
    let ticket_id = ticket["id"].as_i64().unwrap();
    let filed = t
        .post_ok(
            &format!("/api/v1/tickets/{ticket_id}/coordination"),
            &json!({"subject": "双电源", "question": "是否收取？", "category": "high_reliability_fee", "departments": ["GZ-MKT"]}),
            201,
        )
        .await;
    let request_id = filed["id"].as_i64().unwrap();
    // A person the admin may deactivate without locking the callers out.
    let target = common::expect(
        t.post_as(
            "root",
            "/api/v1/people",
            &json!({"username": "fuzz-target", "name": "靶", "email": "t@example.cn", "unit": "GZ-TH", "roles": ["manager"]}),
        )
        .await,
        201,
    )
    .await;
    let person_id = target["id"].as_i64().unwrap();
    let doc: Value = t
        .client
        .get(t.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "post" => Method::POST,
                "patch" => Method::PATCH,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let id = if path.starts_with("/api/v1/tickets/") {
                ticket_id
            } else if path.starts_with("/api/v1/coordination/") {
                request_id
            } else if path.starts_with("/api/v1/people/") {
                person_id
            } else {
                // Tokens, sessions, mails: an id that names nothing (the
                // callers' own tokens stay).
                999_999
            };
            routes.push((
                method,
                path.replace("{id}", &id.to_string()),
                fields_of(&doc, op),
            ));
        }
    }
    assert!(routes.len() >= 20, "{} write routes", routes.len());
    let ticket_path = format!("/api/v1/tickets/{ticket_id}");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sent = 0;
    for (method, path, fields) in &routes {
        for user in ["root", "mgr-li"] {
            for _ in 0..25 {
                let b = body(&mut rng, fields);
                let before = counts(&t).await;
                let ticket_before = t.get_ok_as("head-wu", &ticket_path).await;
                let res = t
                    .req(user, method.clone(), path)
                    .header("content-type", "application/json")
                    .body(serde_json::to_vec(&b).unwrap())
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let ct = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let text = res.text().await.unwrap();
                let shown: String = b.to_string().chars().take(300).collect();
                assert!(
                    status < 500,
                    "{method} {path} as {user} → {status} {text}\nbody: {shown}"
                );
                if status >= 400 {
                    assert_eq!(
                        ct, "application/problem+json",
                        "{method} {path} → {status}\nbody: {shown}"
                    );
                    assert_eq!(
                        counts(&t).await,
                        before,
                        "{method} {path} as {user} refused ({status}) but stored\nbody: {shown}"
                    );
                    assert_eq!(
                        t.get_ok_as("head-wu", &ticket_path).await,
                        ticket_before,
                        "{method} {path} as {user} refused ({status}) but changed the ticket\nbody: {shown}"
                    );
                }
                sent += 1;
            }
        }
    }
    assert!(sent >= 1000, "{sent} requests");
    // Every ticket (all are the GZ bureau's: its head reads them) verifies.
    let ids = t
        .app
        .db
        .query_all_raw(Statement::from_string(
            t.app.db.get_database_backend(),
            "SELECT id FROM tickets".to_string(),
        ))
        .await
        .unwrap();
    assert!(!ids.is_empty());
    for row in ids {
        let id: i64 = row.try_get("", "id").unwrap();
        let verified = t
            .get_ok_as("head-wu", &format!("/api/v1/tickets/{id}/events/verify"))
            .await;
        assert_eq!(verified["ok"], true, "ticket {id}: {verified}");
    }
    t.stop().await;
}
