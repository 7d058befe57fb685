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
    browser_in(d, width, height, "zh-CN").await
}

/// A browser whose language is `lang`.
async fn browser_in(d: &Driver, width: u32, height: u32, lang: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         format!("--window-size={width},{height}"), format!("--lang={lang}")],
               "binary": "/usr/bin/chromium"}),
    );
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a Chromium session")
}

/// chromedriver's log of the browser's console since it was last read.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// No page so far wrote an error to the console (a failed request, a
/// script error), but for the page statuses `expected` (a form shown again
/// with what was wrong answers 422).
async fn no_console_errors(c: &Client, expected: &[u16]) {
    let log = c.issue_cmd(BrowserLog).await.unwrap();
    let errors: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .filter(|e| {
            let m = e["message"].as_str().unwrap_or("");
            !expected
                .iter()
                .any(|s| m.contains(&format!("responded with a status of {s} ")))
        })
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
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
    no_console_errors(&c, &[]).await;
    c.close().await.unwrap();
    t.stop().await;
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Clicks `css` and waits until the browser shows the next page (the
/// old document is marked, the new one is not).
async fn press(c: &Client, css: &str) {
    c.execute("window.__before = true", vec![]).await.unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        let fresh = c
            .execute(
                "return window.__before === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if fresh {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no page came after clicking {css}");
}

/// The text of the page's main part.
async fn main_text(c: &Client) -> String {
    c.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_manager_creates_advances_pauses_and_resumes_a_ticket() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    yekuo::auth::users::set_password(&t.app, "mgr-li", Some("correct horse battery".into()))
        .await
        .unwrap();
    let d = driver().await;
    let c = browser(&d, 1280, 900).await;
    c.goto(&t.url("/tickets/new")).await.unwrap();
    fill(&c, "input[name=username]", "mgr-li").await;
    fill(&c, "input[name=password]", "correct horse battery").await;
    press(&c, "button.primary").await;
    arrive(&c, &t.url("/tickets/new")).await;
    fill(&c, "input[name=customer_name]", "天河精工有限公司").await;
    fill(&c, "input[name=customer_account_no]", "0300099999").await;
    fill(&c, "input[name=address]", "广州市天河区 1 号").await;
    fill(&c, "input[name=capacity_kva]", "很多").await;
    press(&c, "form.form button.primary").await;
    // A bad capacity: said at its field, the rest kept.
    let err = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name=capacity_kva] + .error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!err.is_empty());
    let kept = c
        .find(Locator::Css("input[name=customer_name]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("天河精工有限公司"));
    fill(&c, "input[name=capacity_kva]", "2500").await;
    press(&c, "form.form button.primary").await;
    for _ in 0..100 {
        if c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/tickets/")
            && !c.current_url().await.unwrap().path().ends_with("/new")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ticket = c.current_url().await.unwrap().to_string();
    assert!(main_text(&c).await.contains("天河精工有限公司"));
    only_from(&c, &t.base).await;
    // Advance, pause with a reason, resume: each back on the page.
    press(&c, ".action-advance button").await;
    arrive(&c, &ticket).await;
    press(&c, ".action-pause button").await;
    arrive(&c, &ticket).await;
    assert!(main_text(&c).await.contains("暂停"), "paused");
    press(&c, ".action-resume button").await;
    arrive(&c, &ticket).await;
    let id: i64 = ticket.rsplit('/').next().unwrap().parse().unwrap();
    let events = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{id}/events"))
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "stage_changed", "paused", "resumed"]);
    no_console_errors(&c, &[422]).await;
    c.close().await.unwrap();
    t.stop().await;
}

/// Writes the screenshots of the main pages (zh-CN and en, desktop and
/// phone) to
/// docs/screenshots/: `cargo test --test it screenshots -- --ignored`.
#[tokio::test]
#[ignore = "writes docs/screenshots/; run on purpose"]
async fn screenshots() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    // A few tickets in every light, one with a request to a department.
    for (no, accepted) in [
        ("YK-2026-0101", "2025-10-20"),
        ("YK-2026-0102", "2025-11-10"),
        ("YK-2026-0103", "2025-12-01"),
        ("YK-2026-0104", "2026-02-13"),
    ] {
        t.create_ticket(json!({"ticket_no": no, "accepted_on": accepted}))
            .await;
    }
    let v = t
        .create_ticket(json!({"ticket_no": "YK-2026-0105", "accepted_on": "2026-02-24", "customer_name": "广州天河精工科技有限公司"}))
        .await;
    let r = t.post_ok(
        &format!("/api/v1/tickets/{}/coordination", v["id"]),
        &json!({"subject": "高可靠性供电费", "question": "双电源客户是否收取高可靠性供电费？", "category": "high_reliability_fee", "departments": ["GZ-MKT", "GZ-PLAN"]}),
        201,
    )
    .await;
    let org = t.dir.path().join("org.csv");
    std::fs::write(
        &org,
        "type,code,name,kind,parent,email,unit,roles\n\
         unit,GZ-JJ,开发区供电服务中心,service_center,GZ,,,\n\
         person,mgr-zhou,周敏,,,zhou@example.cn,GZ-JJ,manager\n\
         person,dir-chen,陈主任,,,chen@example.cn,GZ-TH,center_director;manager\n",
    )
    .unwrap();
    const PEOPLE: [&str; 5] = ["mgr-li", "dept-lin", "dir-chen", "head-wu", "root"];
    for user in PEOPLE {
        yekuo::auth::users::set_password(&t.app, user, Some("correct horse battery".into()))
            .await
            .unwrap();
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let d = driver().await;
    for (lang, size, w, h) in [
        ("zh-CN", "desktop", 1280, 900),
        ("zh-CN", "phone", 390, 844),
        ("en", "desktop", 1280, 900),
        ("en", "phone", 390, 844),
    ] {
        // English pages for people who chose English.
        for user in PEOPLE {
            use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
            let p = yekuo::org::service::person_by_username(&t.app.db, user)
                .await
                .unwrap()
                .unwrap();
            let mut am = p.into_active_model();
            am.lang = Set(lang.to_string());
            am.update(&t.app.db).await.unwrap();
        }
        let size = if lang == "en" {
            format!("{size}-en")
        } else {
            size.to_string()
        };
        for (user, pages) in [
            (
                "mgr-li",
                vec![
                    ("work", "/work".to_string()),
                    ("ticket", format!("/tickets/{}", v["id"])),
                    ("new-ticket", "/tickets/new".to_string()),
                    ("edit-ticket", format!("/tickets/{}/edit", v["id"])),
                    (
                        "new-request",
                        format!("/tickets/{}/coordination/new", v["id"]),
                    ),
                    ("account", "/account".to_string()),
                ],
            ),
            (
                "dept-lin",
                vec![("inbox", "/coordination?department=GZ-MKT".to_string())],
            ),
            (
                "dir-chen",
                vec![
                    ("meeting", "/meeting".to_string()),
                    ("request", format!("/coordination/{}", r["id"])),
                ],
            ),
            (
                "head-wu",
                vec![
                    ("overview", "/overview".to_string()),
                    ("reports", "/reports".to_string()),
                    ("report", "/reports/overdue?unit=GZ".to_string()),
                ],
            ),
            (
                "root",
                vec![
                    ("people", "/admin/people?unit=GZ-TH".to_string()),
                    ("calendar", "/admin/calendar".to_string()),
                    ("import-preview", "/admin/import".to_string()),
                ],
            ),
        ] {
            let c = browser_in(&d, w, h, lang).await;
            c.goto(&t.url("/login")).await.unwrap();
            if user == "mgr-li" {
                std::fs::write(
                    dir.join(format!("login-{size}.png")),
                    c.screenshot().await.unwrap(),
                )
                .unwrap();
            }
            fill(&c, "input[name=username]", user).await;
            fill(&c, "input[name=password]", "correct horse battery").await;
            press(&c, "button.primary").await;
            for (name, path) in pages {
                c.goto(&t.url(&path)).await.unwrap();
                if name == "import-preview" {
                    c.find(Locator::Css("input[type=file]"))
                        .await
                        .unwrap()
                        .send_keys(org.to_str().unwrap())
                        .await
                        .unwrap();
                    press(&c, "form.import-file button.primary").await;
                }
                // The whole page, as tall as it is.
                let tall = c
                    .execute("return document.documentElement.scrollHeight", vec![])
                    .await
                    .unwrap()
                    .as_u64()
                    .unwrap_or(h as u64) as u32;
                c.set_window_size(w, tall.max(h)).await.unwrap();
                std::fs::write(
                    dir.join(format!("{name}-{size}.png")),
                    c.screenshot().await.unwrap(),
                )
                .unwrap();
                c.set_window_size(w, h).await.unwrap();
            }
            c.close().await.unwrap();
        }
    }
    t.stop().await;
}

#[tokio::test]
async fn an_auditor_downloads_the_overdue_report_as_a_workbook() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    t.create_ticket(json!({"ticket_no": "YK-R1", "accepted_on": "2026-01-05"}))
        .await;
    yekuo::auth::users::set_password(&t.app, "aud-he", Some("correct horse battery".into()))
        .await
        .unwrap();
    let d = driver().await;
    let c = browser(&d, 1280, 900).await;
    c.goto(&t.url("/reports")).await.unwrap();
    fill(&c, "input[name=username]", "aud-he").await;
    fill(&c, "input[name=password]", "correct horse battery").await;
    press(&c, "button.primary").await;
    arrive(&c, &t.url("/reports")).await;
    only_from(&c, &t.base).await;
    // The overdue report's page: a chart, the table, its downloads.
    press(&c, "form.report-overdue button.primary").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&t.url("/reports/overdue?"))
    );
    let text = main_text(&c).await;
    assert!(text.contains("YK-R1"), "{text}");
    let bars = c
        .execute(
            "return document.querySelectorAll('svg.chart rect').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(bars, json!(1), "one service center, one bar");
    only_from(&c, &t.base).await;
    // The workbook the page links to, fetched with the browser's session.
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('a.download-xlsx').href).then(async r => {
               const b = new Uint8Array(await r.arrayBuffer());
               done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), b[0], b[1]]);
             });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        got,
        json!([
            200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment; filename=\"overdue.xlsx\"",
            80,
            75
        ]),
        "a workbook (a zip: PK)"
    );
    no_console_errors(&c, &[]).await;
    c.close().await.unwrap();
    t.stop().await;
}

#[tokio::test]
async fn a_department_member_answers_from_the_inbox() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-B3", "accepted_on": "2026-03-02"}))
        .await;
    t.post_ok(
        &format!("/api/v1/tickets/{}/coordination", v["id"]),
        &json!({"subject": "供电方案", "question": "请确认接入点", "category": "high_reliability_fee", "departments": ["GZ-MKT"]}),
        201,
    )
    .await;
    yekuo::auth::users::set_password(&t.app, "dept-lin", Some("correct horse battery".into()))
        .await
        .unwrap();
    let d = driver().await;
    let c = browser(&d, 390, 844).await;
    // The digest's link.
    let inbox = t.url("/coordination?department=GZ-MKT");
    c.goto(&inbox).await.unwrap();
    fill(&c, "input[name=username]", "dept-lin").await;
    fill(&c, "input[name=password]", "correct horse battery").await;
    press(&c, "button.primary").await;
    arrive(&c, &inbox).await;
    assert!(main_text(&c).await.contains("请确认接入点"));
    fill(&c, "form.answer input[name=text]", "同意，按方案接入").await;
    // htmx sends it and swaps the card in place: no new page.
    c.find(Locator::Css("form.answer button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut answered = false;
    for _ in 0..200 {
        if main_text(&c).await.contains("已答复") {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered, "the card says it was answered");
    assert_eq!(c.current_url().await.unwrap().as_str(), inbox);
    c.goto(&inbox).await.unwrap();
    assert!(
        !main_text(&c).await.contains("请确认接入点"),
        "answered: it waits no more"
    );
    only_from(&c, &t.base).await;
    let r = t
        .get_ok_as(
            "dir-chen",
            &format!("/api/v1/tickets/{}/coordination", v["id"]),
        )
        .await;
    assert_eq!(r[0]["targets"][0]["answer"], "agree");
    assert_eq!(r[0]["targets"][0]["answer_text"], "同意，按方案接入");
    no_console_errors(&c, &[]).await;
    c.close().await.unwrap();
    t.stop().await;
}

#[tokio::test]
async fn an_admin_imports_an_org_file_after_the_preview() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    yekuo::auth::users::set_password(&t.app, "root", Some("correct horse battery".into()))
        .await
        .unwrap();
    let bad = t.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "type,code,name,kind,parent,email,unit,roles\nperson,mgr-zhou,周敏,,,not-an-address,GZ-JJ,manager\n",
    )
    .unwrap();
    let good = t.dir.path().join("org.csv");
    std::fs::write(
        &good,
        "type,code,name,kind,parent,email,unit,roles\n\
         unit,GZ-JJ,开发区供电服务中心,service_center,GZ,,,\n\
         person,mgr-zhou,周敏,,,zhou@example.cn,GZ-JJ,manager\n",
    )
    .unwrap();
    let d = driver().await;
    let c = browser(&d, 1280, 900).await;
    c.goto(&t.url("/admin/import")).await.unwrap();
    fill(&c, "input[name=username]", "root").await;
    fill(&c, "input[name=password]", "correct horse battery").await;
    press(&c, "button.primary").await;
    arrive(&c, &t.url("/admin/import")).await;
    // A bad file: every bad line named, nothing written.
    c.find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(bad.to_str().unwrap())
        .await
        .unwrap();
    press(&c, "form.import-file button.primary").await;
    let text = main_text(&c).await;
    assert!(
        text.contains("文件未导入") && text.contains("not-an-address"),
        "{text}"
    );
    // The good file: the preview lists the changes and writes nothing.
    c.find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(good.to_str().unwrap())
        .await
        .unwrap();
    press(&c, "form.import-file button.primary").await;
    let text = main_text(&c).await;
    assert!(text.contains("预览") && text.contains("mgr-zhou"), "{text}");
    let none = yekuo::org::service::person_by_username(&t.app.db, "mgr-zhou")
        .await
        .unwrap();
    assert!(none.is_none(), "the preview wrote nothing");
    only_from(&c, &t.base).await;
    // Applied: the unit and the manager exist.
    press(&c, "form.import-apply button.primary").await;
    let text = main_text(&c).await;
    assert!(text.contains("已导入"), "{text}");
    let zhou = yekuo::org::service::person_by_username(&t.app.db, "mgr-zhou")
        .await
        .unwrap()
        .expect("imported");
    let unit = yekuo::org::service::unit_by_code(&t.app.db, "GZ-JJ")
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(zhou.unit_id, Some(unit.id));
    no_console_errors(&c, &[422]).await;
    c.close().await.unwrap();
    t.stop().await;
}

#[tokio::test]
async fn a_director_opens_the_escalation_mail_link_while_logged_out_and_lands_on_the_ticket() {
    let smtp = crate::smtp::SmtpServer::start().await;
    let toml = format!(
        "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nsmtp_security = \"none\"\n\
         smtp_timeout_seconds = 5\nfrom = \"yekuo <yekuo@gz.example.cn>\"\n",
        smtp.port()
    );
    let t = TestApp::spawn_with(local("2026-01-05 09:00"), &toml).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-E1", "accepted_on": "2026-01-05"}))
        .await;
    // A month before the deadline the ticket goes to the center's director.
    t.clock.set(local("2026-04-08 00:00"));
    yekuo::escalation::sweep(&t.app, local("2026-04-08 00:00"), false, 100)
        .await
        .unwrap();
    let transport = yekuo::mail::Transport::from_config(&t.app.config.raw.mail).unwrap();
    yekuo::mail::drain(&t.app, &transport, "test")
        .await
        .unwrap();
    let link = smtp
        .received()
        .iter()
        .map(|m| crate::mail_links::links_and_recipients(&m.data))
        .find(|(_, to)| to.iter().any(|a| a == "dir-chen"))
        .and_then(|(links, _)| links.into_iter().next())
        .expect("the director's escalation mail, with a link");
    assert_eq!(link, format!("/tickets/{}", v["id"]));
    yekuo::auth::users::set_password(&t.app, "dir-chen", Some("correct horse battery".into()))
        .await
        .unwrap();
    let d = driver().await;
    let c = browser(&d, 390, 844).await;
    c.goto(&t.url(&link)).await.unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/login?next=")
    );
    fill(&c, "input[name=username]", "dir-chen").await;
    fill(&c, "input[name=password]", "correct horse battery").await;
    press(&c, "button.primary").await;
    arrive(&c, &t.url(&link)).await;
    let text = main_text(&c).await;
    assert!(text.contains("YK-E1"), "{text}");
    let owner = c
        .execute(
            "const dts = [...document.querySelectorAll('dl.facts dt')];
             const dt = dts.find(d => d.textContent === '当前责任人');
             return dt ? dt.nextElementSibling.textContent : null",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(owner, json!("dir-chen"), "the director owns it now");
    only_from(&c, &t.base).await;
    no_console_errors(&c, &[]).await;
    c.close().await.unwrap();
    t.stop().await;
}
