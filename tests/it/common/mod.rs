//! Test harness: spawns the real application on 127.0.0.1:0 with its own
//! fresh database (a new SQLite file, or a new PostgreSQL database when
//! `YEKUO_TEST_DATABASE_URL` points at a server) and a fixed clock.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use reqwest::{Client, Response};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::sync::oneshot;

use yekuo::app::App;
use yekuo::clock::FixedClock;
use yekuo::config::Config;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Drops a PostgreSQL test database made by [`fresh_database`].
pub async fn drop_database(admin: &str, name: &str) {
    let db = Database::connect(admin).await.unwrap();
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
}

/// A local Shanghai wall-clock time (`2026-02-13 10:00`) as UTC.
pub fn local(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Shanghai
        .from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

/// The seeded organisation: (username, unit, roles).
pub const PEOPLE: &[(&str, Option<&str>, &[&str])] = &[
    ("mgr-li", Some("GZ-TH"), &["manager"]),
    ("mgr-zhao", Some("GZ-TH"), &["manager"]),
    ("mgr-wang", Some("GZ-YX"), &["manager"]),
    ("dir-chen", Some("GZ-TH"), &["center_director"]),
    ("dep-sun", Some("GZ"), &["deputy_head"]),
    ("head-wu", Some("GZ"), &["head"]),
    ("aud-he", Some("GZ"), &["auditor"]),
    ("dept-lin", Some("GZ-MKT"), &["department"]),
    ("dept-zhang", Some("GZ-PLAN"), &["department"]),
    ("adm-ma", Some("GZ"), &["admin"]),
    ("mgr-sz", Some("SZ-FT"), &["manager"]),
    ("root", None, &["admin"]),
];

/// Seeds two bureaus (GZ with centers GZ-TH, GZ-YX and departments GZ-MKT, GZ-PLAN;
/// SZ with center SZ-FT) and [`PEOPLE`]; returns an API token per person.
async fn seed(app: &App) -> HashMap<String, String> {
    use yekuo::org::UnitKind;
    use yekuo::org::service::{NewPerson, NewUnit, create_person, create_unit};
    let now = app.now();
    for (code, name, kind, parent) in [
        ("GZ", "广州供电局", UnitKind::Bureau, None),
        (
            "GZ-TH",
            "天河供电服务中心",
            UnitKind::ServiceCenter,
            Some("GZ"),
        ),
        (
            "GZ-YX",
            "越秀供电服务中心",
            UnitKind::ServiceCenter,
            Some("GZ"),
        ),
        ("GZ-MKT", "市场部", UnitKind::Department, Some("GZ")),
        ("GZ-PLAN", "规划部", UnitKind::Department, Some("GZ")),
        ("SZ", "深圳供电局", UnitKind::Bureau, None),
        (
            "SZ-FT",
            "福田供电服务中心",
            UnitKind::ServiceCenter,
            Some("SZ"),
        ),
    ] {
        let u = NewUnit::try_from(yekuo::org::UnitForm {
            code: code.into(),
            name: name.into(),
            kind: kind.as_str().into(),
            parent: parent.map(Into::into),
        })
        .unwrap();
        create_unit(&app.db, u, now).await.expect("seed unit");
    }
    let mut tokens = HashMap::new();
    for (username, unit, roles) in PEOPLE {
        let p = NewPerson::try_from(yekuo::org::PersonForm {
            username: username.to_string(),
            name: username.to_string(),
            email: format!("{username}@example.com"),
            unit: unit.map(Into::into),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        })
        .unwrap();
        let p = create_person(&app.db, p, None, now)
            .await
            .expect("seed person");
        let (token, _) = yekuo::auth::tokens::create(app, p.id, "tests", None)
            .await
            .unwrap();
        tokens.insert(username.to_string(), token);
    }
    tokens
}

pub struct TestApp {
    pub base: String,
    /// API token per seeded username.
    pub tokens: HashMap<String, String>,
    pub client: Client,
    pub clock: FixedClock,
    pub app: App,
    stop: Option<oneshot::Sender<()>>,
    pg_admin: Option<(String, String)>,
    toml: String,
    pub dir: tempfile::TempDir,
}

/// With `YEKUO_TEST_LOG=FILE`, every test app logs to FILE as JSON lines
/// through the service's masking writer (`.ci/run` then checks that every
/// line parses and no email address or mobile number shows).
fn log_to_file() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(path) = std::env::var("YEKUO_TEST_LOG") else {
            return;
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("the test log file");
        yekuo::logging::init_with("info", yekuo::logging::LogFormat::Json, move || {
            file.try_clone().expect("the test log file")
        });
    });
}

/// The database URL for a fresh test database, and how to drop it later.
pub async fn fresh_database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match std::env::var("YEKUO_TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let name = format!(
                "yekuo_test_{}_{}_{}",
                std::process::id(),
                n,
                Utc::now().timestamp_micros() % 1_000_000
            );
            let db = Database::connect(&admin)
                .await
                .expect("connect to YEKUO_TEST_DATABASE_URL");
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            db.close().await.ok();
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin.clone());
            (format!("{base}/{name}"), Some((admin, name)))
        }
        _ => (
            format!("sqlite://{}?mode=rwc", dir.join("yekuo.db").display()),
            None,
        ),
    }
}

impl TestApp {
    /// Spawns the app with its clock at `now`.
    pub async fn spawn(now: DateTime<Utc>) -> TestApp {
        Self::spawn_with(now, "").await
    }

    /// Spawns the app with extra TOML configuration.
    pub async fn spawn_with(now: DateTime<Utc>, extra_toml: &str) -> TestApp {
        log_to_file();
        let dir = tempfile::tempdir().unwrap();
        let (url, pg_admin) = fresh_database(dir.path()).await;
        let toml = format!(
            "[database]\nurl = \"{url}\"\nmax_connections = 5\n[calendar]\ndir = \"\"\n[mail]\ndir = \"{}\"",
            dir.path().join("mail").display()
        );
        let config = Config::from_toml_layers(&[&toml, extra_toml]).expect("test config");
        let clock = FixedClock::new(now);
        let app = App::start(config, Some(Arc::new(clock.clone())))
            .await
            .expect("app starts");
        let tokens = seed(&app).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        let server_app = app.clone();
        tokio::spawn(async move {
            yekuo::http::serve(server_app, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            base,
            tokens,
            client: Client::new(),
            clock,
            app,
            stop: Some(tx),
            pg_admin,
            toml,
            dir,
        }
    }

    /// A second application on the same database with more configuration
    /// (e.g. another calendar), sharing the test clock.
    pub async fn sibling(&self, extra_toml: &str) -> App {
        let config = Config::from_toml_layers(&[&self.toml, extra_toml]).expect("sibling config");
        App::start(config, Some(Arc::new(self.clock.clone())))
            .await
            .expect("sibling starts")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The default caller: `mgr-li`, customer manager of GZ-TH.
    pub const DEFAULT_USER: &'static str = "mgr-li";

    /// A request as `user` (by API token).
    pub fn req(&self, user: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let token = self
            .tokens
            .get(user)
            .unwrap_or_else(|| panic!("no seeded user {user}"));
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_as(Self::DEFAULT_USER, path).await
    }

    pub async fn get_as(&self, user: &str, path: &str) -> Response {
        self.req(user, reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.post_as(Self::DEFAULT_USER, path, body).await
    }

    pub async fn post_as(&self, user: &str, path: &str, body: &Value) -> Response {
        self.req(user, reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.req(Self::DEFAULT_USER, reqwest::Method::PATCH, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// POSTs and asserts the status; returns the JSON body.
    pub async fn post_ok(&self, path: &str, body: &Value, status: u16) -> Value {
        let res = self.post(path, body).await;
        expect(res, status).await
    }

    pub async fn get_ok_as(&self, user: &str, path: &str) -> Value {
        expect(self.get_as(user, path).await, 200).await
    }

    pub async fn get_ok(&self, path: &str) -> Value {
        expect(self.get(path).await, 200).await
    }

    /// Creates a ticket from [`ticket_body`] with overrides, as a manager of
    /// its service center (mgr-li for GZ-TH, mgr-wang for GZ-YX, mgr-sz for SZ-FT).
    pub async fn create_ticket(&self, overrides: Value) -> Value {
        let mut body = ticket_body();
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        let user = match body["service_center"].as_str() {
            Some("GZ-YX") => "mgr-wang",
            Some("SZ-FT") => "mgr-sz",
            _ => Self::DEFAULT_USER,
        };
        expect(self.post_as(user, "/api/v1/tickets", &body).await, 201).await
    }

    /// Stops the server and drops a PostgreSQL test database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.app.db.clone().close().await.ok();
        if let Some((admin, name)) = self.pg_admin.take() {
            drop_database(&admin, &name).await;
        }
    }
}

/// Asserts the status of `res` and returns its JSON body.
pub async fn expect(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "unexpected status; body: {text}");
    if status >= 400 {
        assert_eq!(ct, "application/problem+json", "errors are problem+json");
    }
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A valid new-ticket body (10 kV, single source, existing line: 80 days).
pub fn ticket_body() -> Value {
    serde_json::json!({
        "customer_name": "华南精密制造有限公司",
        "customer_account_no": "0300012345",
        "address": "广州市天河区科韵路 1 号",
        "voltage_level": "10kV",
        "power_sources": "single",
        "new_line": false,
        "capacity_kva": 2500,
        "service_center": "GZ-TH",
        "accepted_on": "2026-01-05"
    })
}

impl TestApp {
    /// Runs the `yekuo` binary on this application's database: exit code,
    /// standard output, standard error.
    pub fn cli(&self, args: &[&str]) -> (i32, Vec<u8>, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_yekuo"))
            .args(args)
            .env("YEKUO__DATABASE__URL", &self.app.config.raw.database.url)
            .env("YEKUO__CALENDAR__DIR", "")
            .output()
            .expect("run yekuo");
        (
            out.status.code().unwrap_or(-1),
            out.stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Advances ticket `id` as `user` through every stage and closes it.
    pub async fn advance_and_close(&self, user: &str, id: i64) {
        let last = self.app.policy.last_stage().key.to_string();
        loop {
            let path = format!("/api/v1/tickets/{id}/advance");
            let v = expect(self.post_as(user, &path, &serde_json::json!({})).await, 200).await;
            if v["stage"] == last.as_str() {
                break;
            }
        }
        let path = format!("/api/v1/tickets/{id}/close");
        expect(self.post_as(user, &path, &serde_json::json!({})).await, 200).await;
    }

    /// Posts a ticket body with overrides expecting 422; returns the problem.
    pub async fn create_ticket_raw(&self, overrides: Value) -> Value {
        let mut body = ticket_body();
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.post_ok("/api/v1/tickets", &body, 422).await
    }
}

/// The value of the first hidden `csrf` field of a page (the form token).
pub fn form_token(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string()
}

/// A page's HTML, fetched with a session `cookie`.
pub async fn page_text(c: &reqwest::Client, t: &TestApp, path: &str, cookie: &str) -> String {
    c.get(t.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
