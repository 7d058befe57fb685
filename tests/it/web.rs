//! The web pages over real HTTP: a page asked for while logged out leads
//! to the login and back, in the reader's language; my work; a ticket with
//! why its deadline falls where it does; log out with the form's token.

use crate::common;

use common::{TestApp, expect, form_token, local, page_text};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The session cookie a response sets.
pub(crate) fn session(res: &reqwest::Response) -> String {
    let set = res.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

pub(crate) async fn log_in(
    t: &TestApp,
    c: &reqwest::Client,
    user: &str,
    next: &str,
) -> reqwest::Response {
    c.post(t.url("/login"))
        .form(&[
            ("username", user),
            ("password", "correct horse battery"),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

/// A browser session of `user`, given a password first (which ends their
/// API tokens): its cookie and form token.
pub(crate) async fn signed_in(t: &TestApp, c: &reqwest::Client, user: &str) -> (String, String) {
    yekuo::auth::users::set_password(&t.app, user, Some("correct horse battery".into()))
        .await
        .unwrap();
    let cookie = session(&log_in(t, c, user, "/account").await);
    let csrf = form_token(&page_text(c, t, "/account", &cookie).await);
    (cookie, csrf)
}

/// A form posted with the session `cookie`.
pub(crate) async fn post_form(
    t: &TestApp,
    c: &reqwest::Client,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(t.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_link_followed_while_logged_out_lands_on_its_page_after_the_login() {
    let t = TestApp::spawn(local("2026-02-13 09:00")).await;
    // Accepted Friday 02-13: 80 working days cross the Spring Festival and
    // two make-up Saturdays.
    let v = t
        .create_ticket(json!({"ticket_no": "YK-W1", "accepted_on": "2026-02-13"}))
        .await;
    // (Setting a password ends the person's API tokens: after the ticket.)
    yekuo::auth::users::set_password(&t.app, "mgr-li", Some("correct horse battery".into()))
        .await
        .unwrap();
    yekuo::auth::users::set_password(&t.app, "mgr-wang", Some("correct horse battery".into()))
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    let page = format!("/tickets/{id}");
    let c = browser();

    // Logged out: to the login, which remembers where to go.
    let res = c.get(t.url(&page)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/login?next=/tickets/{id}"));
    let form = c.get(t.url(&location(&res))).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"zh-CN\">") && html.contains("登录"),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"/tickets/{id}\"")));
    let en = c
        .get(t.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Log in") && en.contains("lang=\"en\""), "{en}");

    // A wrong password shows the form again, the username kept.
    let res = c
        .post(t.url("/login"))
        .form(&[
            ("username", "mgr-li"),
            ("password", "nope"),
            ("next", page.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("用户名或密码不正确") && html.contains("value=\"mgr-li\""),
        "{html}"
    );

    // The right one: back to the ticket, with a session.
    let res = log_in(&t, &c, "mgr-li", &page).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), page);
    let cookie = session(&res);
    let res = c
        .get(t.url(&page))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for want in [
        "YK-W1",
        "为何是这一天",
        "2026-02-14",
        "2026-02-28",
        "记录链校验通过",
        v["due_date"].as_str().unwrap(),
    ] {
        assert!(html.contains(want), "{want} missing from the ticket page");
    }
    // My work lists it, with its light.
    let work = c
        .get(t.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&work), "/work");
    let html = page_text(&c, &t, "/work", &cookie).await;
    assert!(
        html.contains(&format!("href=\"/tickets/{id}\"")) && html.contains("light-green"),
        "{html}"
    );

    // Filtered by light, searched by ticket number or part of the
    // customer's name (`%` and `_` are themselves, not wildcards).
    for (query, listed) in [
        ("/work?light=green", true),
        ("/work?light=red", false),
        ("/work?q=YK-W1", true),
        ("/work?q=YK-NONE", false),
        ("/work?q=YK-W", false),
        ("/work?q=%E7%B2%BE%E5%AF%86", true),
        ("/work?q=%25", false),
        ("/work?q=_", false),
        ("/work?light=purple", true),
    ] {
        let html = page_text(&c, &t, query, &cookie).await;
        assert_eq!(html.contains("YK-W1</span>"), listed, "{query}");
    }
    // Another center's manager: not found, as in the API.
    let other = session(&log_in(&t, &c, "mgr-wang", "/").await);
    let res = c
        .get(t.url(&page))
        .header("cookie", &other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // A login link cannot send anyone to another site.
    let res = log_in(&t, &c, "mgr-li", "//evil.example/x").await;
    assert_eq!(location(&res), "/");

    // Log out needs the page's form token.
    let res = c
        .post(t.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let token = form_token(&html);
    let res = c
        .post(t.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/login".to_string())
    );
    let res = c
        .get(t.url("/work"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?next=/work");
    // The style sheet is served from here, cached.
    let css = c.get(t.url("/assets/app.css")).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    t.stop().await;
}

#[tokio::test]
async fn a_manager_advances_pauses_and_resumes_from_the_ticket_page() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-W2", "accepted_on": "2026-03-02"}))
        .await;
    let id = v["id"].as_i64().unwrap();
    // (Setting a password ends API tokens: the checks below use dir-chen's.)
    yekuo::auth::users::set_password(&t.app, "mgr-li", Some("correct horse battery".into()))
        .await
        .unwrap();
    yekuo::auth::users::set_password(&t.app, "aud-he", Some("correct horse battery".into()))
        .await
        .unwrap();
    let c = browser();
    let cookie = session(&log_in(&t, &c, "mgr-li", "/").await);
    let page = format!("/tickets/{id}");
    let get = |path: String| {
        let (c, cookie, url) = (c.clone(), cookie.clone(), t.url(&path));
        async move {
            c.get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let html = get(page.clone()).await;
    let token = form_token(&html);
    let act = |fields: Vec<(&'static str, String)>| {
        let (c, cookie, url, token) = (
            c.clone(),
            cookie.clone(),
            t.url(&format!("/tickets/{id}/act")),
            token.clone(),
        );
        async move {
            let mut form: Vec<(&str, String)> = vec![("csrf", token)];
            form.extend(fields);
            c.post(url)
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    assert!(
        html.contains("进入下一环节") && html.contains("暂停计时"),
        "the actions are offered"
    );

    let res = act(vec![("action", "advance".into())]).await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, page.clone()));
    let stage = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{id}"))
        .await;
    assert_eq!(stage["stage"], t.app.policy.stages[1].key.as_str());

    // A pause needs a reason: the page says so, the note typed is kept.
    let res = act(vec![
        ("action", "pause".into()),
        ("note", "等客户资料".into()),
    ])
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("未能办理")
            && html.contains("reason")
            && html.contains("value=\"等客户资料\""),
        "{html}"
    );
    let reason = t.app.policy.pause_reasons[0].key.clone();
    let res = act(vec![
        ("action", "pause".into()),
        ("reason", reason.clone()),
        ("note", "等客户资料".into()),
    ])
    .await;
    assert_eq!(res.status(), 303);
    assert!(get(page.clone()).await.contains("恢复计时"));
    let res = act(vec![("action", "resume".into())]).await;
    assert_eq!(res.status(), 303);
    let now = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{id}"))
        .await;
    assert_eq!(now["status"], "open");
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

    // Without the page's token nothing happens; an auditor is offered nothing.
    let res = c
        .post(t.url(&format!("/tickets/{id}/act")))
        .header("cookie", &cookie)
        .form(&[("csrf", "x"), ("action", "advance")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let aud = session(&log_in(&t, &c, "aud-he", "/").await);
    let html = page_text(&c, &t, &page, &aud).await;
    assert!(
        html.contains("YK-W2") && !html.contains("/act\""),
        "read-only for an auditor"
    );
    t.stop().await;
}

#[tokio::test]
async fn a_department_member_answers_from_the_inbox_the_digest_links_to() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-W3", "accepted_on": "2026-03-02"}))
        .await;
    let r = t
        .post_ok(
            &format!("/api/v1/tickets/{}/coordination", v["id"]),
            &json!({"subject": "高可靠性供电费", "question": "是否收取？", "category": "high_reliability_fee", "departments": ["GZ-MKT", "GZ-PLAN"]}),
            201,
        )
        .await;
    yekuo::auth::users::set_password(&t.app, "dept-lin", Some("correct horse battery".into()))
        .await
        .unwrap();
    let c = browser();
    // The digest's link, followed while logged out.
    let inbox = "/coordination?department=GZ-MKT";
    let res = c.get(t.url(inbox)).send().await.unwrap();
    assert_eq!(
        location(&res),
        "/login?next=/coordination%3Fdepartment%3DGZ-MKT"
    );
    let res = log_in(&t, &c, "dept-lin", inbox).await;
    assert_eq!(location(&res), inbox);
    let cookie = session(&res);
    let html = page_text(&c, &t, inbox, &cookie).await;
    assert!(
        html.contains("高可靠性供电费") && html.contains("YK-W3") && html.contains("提交答复"),
        "{html}"
    );
    let token = form_token(&html);
    let answer = format!("/coordination/{}/answer", r["id"]);
    // From htmx (the card's form): the card again, answered or not, in place.
    let hx = c
        .post(t.url(&answer))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .form(&[
            ("csrf", token.as_str()),
            ("answer", "maybe"),
            ("back", inbox),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(hx.status(), 200);
    assert_eq!(hx.headers()["vary"], "HX-Request");
    let card = hx.text().await.unwrap();
    assert!(
        card.starts_with("<section") && card.contains("class=\"error\"") && !card.contains("<html"),
        "{card}"
    );
    // A bad answer: the request's page says why.
    let res = c
        .post(t.url(&answer))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("answer", "maybe"),
            ("back", inbox),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("answer"));
    let res = c
        .post(t.url(&answer))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("answer", "agree"),
            ("text", "按标准收取"),
            ("back", inbox),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, inbox.to_string())
    );
    let html = page_text(&c, &t, inbox, &cookie).await;
    assert!(!html.contains("YK-W3"), "answered: no longer waiting on us");
    // The request's own page (the agenda's link) shows both departments.
    let page = page_text(&c, &t, &format!("/coordination/{}", r["id"]), &cookie).await;
    assert!(
        page.contains("市场部") && page.contains("规划部") && page.contains("按标准收取"),
        "{page}"
    );
    // The ticket's page lists the request with the answers so far, and an
    // entry of the accountability register.
    expect(
        t.post_as(
            "aud-he",
            &format!("/api/v1/tickets/{}/accountability", v["id"]),
            &json!({"kind": "interview", "persons": ["mgr-li"], "text": "协调迟缓，约谈"}),
        )
        .await,
        201,
    )
    .await;
    let ticket_page = page_text(&c, &t, &format!("/tickets/{}", v["id"]), &cookie).await;
    assert!(
        ticket_page.contains("高可靠性供电费") && ticket_page.contains("市场部 (同意)"),
        "{ticket_page}"
    );
    assert!(
        !ticket_page.contains("协调迟缓"),
        "a department member does not read the register"
    );
    yekuo::auth::users::set_password(&t.app, "head-wu", Some("correct horse battery".into()))
        .await
        .unwrap();
    let head = session(&log_in(&t, &c, "head-wu", "/").await);
    let as_head = page_text(&c, &t, &format!("/tickets/{}", v["id"]), &head).await;
    assert!(
        as_head.contains("协调迟缓") && as_head.contains("约谈"),
        "the head reads it"
    );
    // The head's overview counts the bureau's open tickets by light.
    let overview = page_text(&c, &t, "/overview", &head).await;
    assert!(
        overview.contains("绿灯 <strong>1</strong>") && overview.contains("YK-W3"),
        "{overview}"
    );
    let api = t
        .get_ok_as("dir-chen", &format!("/api/v1/coordination/{}", r["id"]))
        .await;
    let answered: Vec<&Value> = api["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["answer"] == "agree")
        .collect();
    assert_eq!(answered.len(), 1, "{api}");
    t.stop().await;
}

#[tokio::test]
async fn my_account_changes_the_password_and_keeps_tokens_and_sessions() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    yekuo::auth::users::set_password(&t.app, "mgr-zhao", Some("correct horse battery".into()))
        .await
        .unwrap();
    let c = browser();
    let cookie = session(&log_in(&t, &c, "mgr-zhao", "/account").await);
    let get = |path: &str| {
        let req = c.get(t.url(path)).header("cookie", &cookie);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let html = get("/account").await;
    assert!(html.contains("当前会话"), "{html}");
    let csrf = form_token(&html);
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        let mut form = form;
        form.push(("csrf", csrf.clone()));
        let req = c.post(t.url(path)).header("cookie", &cookie).form(&form);
        async move { req.send().await.unwrap() }
    };
    // A token, shown once, that works on the API until revoked.
    let res = post("/account/tokens", vec![("name", "报表脚本".into())]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let token = html
        .split("class=\"token\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    assert!(token.starts_with("ykt_"), "{token}");
    let me = c
        .get(t.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let id = get("/account")
        .await
        .split("/account/tokens/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let res = post(&format!("/account/tokens/{id}/revoke"), vec![]).await;
    assert_eq!(res.status(), 303);
    let me = c
        .get(t.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    // The password: the current one first, the new one twice.
    let change = |current: &str, new: &str, repeat: &str| {
        vec![
            ("current", current.to_string()),
            ("new", new.to_string()),
            ("repeat", repeat.to_string()),
        ]
    };
    let res = post(
        "/account/password",
        change("wrong", "a new horse battery", "a new horse battery"),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("当前密码不正确"));
    let res = post(
        "/account/password",
        change("correct horse battery", "a new horse battery", "another"),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post(
        "/account/password",
        change(
            "correct horse battery",
            "a new horse battery",
            "a new horse battery",
        ),
    )
    .await;
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (303, "/login".to_string())
    );
    // Every session ended; the new password opens a new one.
    let res = c
        .get(t.url("/work"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = c
        .post(t.url("/login"))
        .form(&[
            ("username", "mgr-zhao"),
            ("password", "a new horse battery"),
            ("next", "/work"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/work");
    t.stop().await;
}
