//! Test harness: spawns the real application on 127.0.0.1:0 with its own
//! fresh database (a new SQLite file, or a new PostgreSQL database when
//! `YEKUO_TEST_DATABASE_URL` points at a server) and a fixed clock.

#![allow(dead_code)]

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

/// A local Shanghai wall-clock time (`2026-02-13 10:00`) as UTC.
pub fn local(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Shanghai
        .from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub clock: FixedClock,
    pub app: App,
    stop: Option<oneshot::Sender<()>>,
    pg_admin: Option<(String, String)>,
    toml: String,
    pub dir: tempfile::TempDir,
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
        let dir = tempfile::tempdir().unwrap();
        let (url, pg_admin) = fresh_database(dir.path()).await;
        let toml = format!(
            "[database]\nurl = \"{url}\"\nmax_connections = 5\n[calendar]\ndir = \"\"\n[mail]\ndir = \"{}\"\n{extra_toml}",
            dir.path().join("mail").display()
        );
        let config = Config::from_toml_overrides(&toml).expect("test config");
        let clock = FixedClock::new(now);
        let app = App::start(config, Some(Arc::new(clock.clone())))
            .await
            .expect("app starts");
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

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
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

    pub async fn get_ok(&self, path: &str) -> Value {
        expect(self.get(path).await, 200).await
    }

    /// Creates a ticket from [`ticket_body`] with overrides.
    pub async fn create_ticket(&self, overrides: Value) -> Value {
        let mut body = ticket_body();
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.post_ok("/api/v1/tickets", &body, 201).await
    }

    /// Stops the server and drops a PostgreSQL test database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.app.db.clone().close().await.ok();
        if let Some((admin, name)) = self.pg_admin.take() {
            let db = Database::connect(&admin).await.unwrap();
            db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .ok();
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
        "service_center": "天河供电服务中心",
        "accepted_on": "2026-01-05",
        "owner": "mgr-li"
    })
}

impl TestApp {
    /// Posts a ticket body with overrides expecting 422; returns the problem.
    pub async fn create_ticket_raw(&self, overrides: Value) -> Value {
        let mut body = ticket_body();
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.post_ok("/api/v1/tickets", &body, 422).await
    }
}
