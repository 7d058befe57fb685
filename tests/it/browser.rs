//! The pages in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `.ci/run`), against the real server on
//! port 0: a link followed while logged out lands on its page after the
//! login, and no page asks another origin for anything.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::{TestApp, local};

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = Driver {
        child: Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; .ci/run installs it)"),
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(d: &Driver, width: u32, height: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         format!("--window-size={width},{height}"), "--lang=zh-CN"],
               "binary": "/usr/bin/chromium"}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a Chromium session")
}

/// Every resource the page loaded, and the page itself, came from `base`.
async fn only_from(c: &Client, base: &str) {
    let names = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    for n in names.as_array().unwrap() {
        let n = n.as_str().unwrap();
        assert!(
            n.starts_with(base) || n.starts_with("data:"),
            "a page asked another origin for {n}"
        );
    }
}

/// Waits (up to 10 s) until the browser shows `url`.
async fn arrive(c: &Client, url: &str) {
    for _ in 0..200 {
        if c.current_url().await.unwrap().as_str() == url {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the browser is at {}, not {url}",
        c.current_url().await.unwrap()
    );
}

#[tokio::test]
async fn a_manager_follows_a_link_logs_in_and_lands_on_the_ticket() {
    let t = TestApp::spawn(local("2026-02-13 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-B1", "accepted_on": "2026-02-13"}))
        .await;
    yekuo::auth::users::set_password(&t.app, "mgr-li", Some("correct horse battery".into()))
        .await
        .unwrap();
    let d = driver().await;
    let c = browser(&d, 390, 844).await;
    let page = t.url(&format!("/tickets/{}", v["id"]));
    c.goto(&page).await.unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/login?next=")
    );
    only_from(&c, &t.base).await;
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys("mgr-li")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("correct horse battery")
        .await
        .unwrap();
    c.find(Locator::Css("button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&c, &page).await;
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("YK-B1"), "{h1}");
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("为何是这一天") && body.contains("2026-02-28"),
        "{body}"
    );
    only_from(&c, &t.base).await;
    // My work, from the menu.
    c.find(Locator::LinkText("我的工单"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&c, &t.url("/work")).await;
    let items: Value = c
        .execute(
            "return [...document.querySelectorAll('.ticket .no')].map(e => e.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(items, json!(["YK-B1"]));
    c.close().await.unwrap();
    t.stop().await;
}
