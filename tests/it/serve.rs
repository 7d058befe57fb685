//! `yekuo serve` as a process: embedded SQLite default, migrations on
//! start, health probes, graceful stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn serve_runs_on_the_embedded_default_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yekuo"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("YEKUO__DATABASE__URL")
        .env("YEKUO__SERVER__BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let ready = loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(ready.status(), 200);
    assert!(
        dir.path().join("data/yekuo.db").exists(),
        "SQLite file created under data/"
    );
    // First start: `admin` with a random password, printed once.
    let stdout = child.stdout.take().unwrap();
    let password = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok);
        lines.find(|l| l.contains("First start"))?;
        lines.map(|l| l.trim().to_string()).find(|l| !l.is_empty())
    })
    .await
    .unwrap()
    .expect("the admin password is printed");
    let res = client
        .get(format!("{base}/api/v1/tickets"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "no credentials");
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let me: serde_json::Value = res.json().await.unwrap();
    assert_eq!(me["username"], "admin");
    let list: serde_json::Value = client
        .get(format!("{base}/api/v1/tickets"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"],
        serde_json::json!([]),
        "an admin holds no ticket role"
    );
    // A state change with the session cookie needs the CSRF token.
    let unit = serde_json::json!({"code": "GZ", "name": "广州供电局", "kind": "bureau"});
    let res = client
        .post(format!("{base}/api/v1/org/units"))
        .header("cookie", &session)
        .json(&unit)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no CSRF token");
    let res = client
        .post(format!("{base}/api/v1/org/units"))
        .header("cookie", &session)
        .header("x-csrf-token", me["csrf_token"].as_str().unwrap())
        .json(&unit)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "graceful exit, got {exit:?}");
}
