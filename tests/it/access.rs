//! Logins, throttling, sessions, API tokens, people leaving, vacancies.

use crate::common;

use common::{TestApp, expect, local};
use serde_json::json;

async fn set_password(t: &TestApp, user: &str, password: &str) {
    yekuo::auth::users::set_password(&t.app, user, Some(password.into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn throttled_logins_lock_without_revealing_accounts() {
    let t = TestApp::spawn_with(
        local("2026-03-02 10:00"),
        "[auth]\nmax_failures = 3\nlock_minutes = 15\nfailure_delay_ms = 0",
    )
    .await;
    set_password(&t, "mgr-li", "correct horse battery").await;
    let login = |user: &str, pw: &str| {
        t.client
            .post(t.url("/api/v1/auth/login"))
            .json(&json!({"username": user, "password": pw}))
            .send()
    };
    // Unknown account and wrong password read the same.
    let a = expect(login("nobody", "x").await.unwrap(), 401).await;
    let b = expect(login("mgr-li", "wrong").await.unwrap(), 401).await;
    assert_eq!(a["detail"], b["detail"]);
    // The third failure from this address locks it; the right password now waits too.
    expect(login("mgr-li", "wrong again").await.unwrap(), 401).await;
    let locked = expect(login("mgr-li", "correct horse battery").await.unwrap(), 429).await;
    assert!(
        locked["detail"]
            .as_str()
            .unwrap()
            .contains("try again after")
    );
    let other = expect(login("nobody-else", "x").await.unwrap(), 429).await;
    assert_eq!(
        other["status"], 429,
        "the address is locked whatever the account"
    );
    // After the lock the right password works.
    t.clock.advance(chrono::Duration::minutes(16));
    let res = login("mgr-li", "correct horse battery").await.unwrap();
    assert_eq!(res.status(), 200);
    t.stop().await;
}

#[tokio::test]
async fn sessions_and_tokens_are_revocable() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    set_password(&t, "dir-chen", "director password 1").await;
    let res = t
        .client
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({"username": "dir-chen", "password": "director password 1"}))
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
    let me = expect(res, 200).await;
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let get = |path: &str| t.client.get(t.url(path)).header("cookie", &cookie).send();
    expect(get("/api/v1/auth/me").await.unwrap(), 200).await;
    let sessions = expect(get("/api/v1/sessions").await.unwrap(), 200).await;
    assert_eq!(sessions[0]["current"], true);
    // An API token, shown once, listed without its secret, revocable.
    let created = expect(
        t.client
            .post(t.url("/api/v1/tokens"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "报表导出"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let token = created["token"].as_str().unwrap().to_string();
    let listed = expect(get("/api/v1/tokens").await.unwrap(), 200).await;
    assert!(
        !listed.to_string().contains(&token),
        "secrets are never listed"
    );
    let by_token = t
        .client
        .get(t.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(expect(by_token, 200).await["username"], "dir-chen");
    let del = t
        .client
        .delete(t.url(&format!("/api/v1/tokens/{}", created["id"])))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    let res = t
        .client
        .get(t.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Logging out ends the session.
    let res = t
        .client
        .post(t.url("/api/v1/auth/logout"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(get("/api/v1/auth/me").await.unwrap().status(), 401);
    // Sessions expire after `auth.session_hours` without use.
    let res = t
        .client
        .post(t.url("/api/v1/auth/login"))
        .json(&json!({"username": "dir-chen", "password": "director password 1"}))
        .send()
        .await
        .unwrap();
    let cookie2 = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    t.clock.advance(chrono::Duration::hours(13));
    let res = t
        .client
        .get(t.url("/api/v1/auth/me"))
        .header("cookie", &cookie2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    t.stop().await;
}

#[tokio::test]
async fn people_leave_their_tickets_are_listed_and_reassigned_with_an_event() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let a = t.create_ticket(json!({})).await;
    t.create_ticket(json!({})).await;
    let li = a["manager_id"].as_i64().unwrap();
    let res = t
        .post_as(
            "adm-ma",
            &format!("/api/v1/people/{li}/deactivate"),
            &json!({}),
        )
        .await;
    let out = expect(res, 200).await;
    assert_eq!(out["person"]["active"], false);
    assert_eq!(out["open_tickets"].as_array().unwrap().len(), 2);
    // The leaver's token no longer works; their history stays.
    assert_eq!(t.get_as("mgr-li", "/api/v1/auth/me").await.status(), 401);
    let events = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{}/events", a["id"]))
        .await;
    assert_eq!(events[0]["actor"], "mgr-li");
    // The director hands the ticket to another manager of the center.
    let bad = t
        .post_as(
            "dir-chen",
            &format!("/api/v1/tickets/{}/reassign", a["id"]),
            &json!({"manager": "mgr-wang", "owner": "mgr-wang", "note": "x"}),
        )
        .await;
    assert_eq!(
        expect(bad, 422).await["errors"][0]["field"],
        "manager",
        "mgr-wang is not of GZ-TH"
    );
    let v = t
        .post_as(
            "dir-chen",
            &format!("/api/v1/tickets/{}/reassign", a["id"]),
            &json!({"manager": "mgr-zhao", "owner": "mgr-zhao", "note": "李经理调离"}),
        )
        .await;
    let v = expect(v, 200).await;
    assert_eq!(
        (v["owner"].as_str(), v["manager"].as_str()),
        (Some("mgr-zhao"), Some("mgr-zhao"))
    );
    let events = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{}/events", a["id"]))
        .await;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "reassigned");
    assert_eq!(last["actor"], "dir-chen");
    assert_eq!(last["payload"]["note"], "李经理调离");
    let held = t
        .get_ok_as("adm-ma", &format!("/api/v1/people/{li}/open-tickets"))
        .await;
    assert_eq!(
        held.as_array().unwrap().len(),
        1,
        "one ticket still to reassign"
    );
    t.stop().await;
}

#[tokio::test]
async fn the_ladder_names_vacant_roles() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let v = t.create_ticket(json!({"service_center": "GZ-YX"})).await;
    let ladder = t
        .get_ok_as("head-wu", &format!("/api/v1/tickets/{}/ladder", v["id"]))
        .await;
    assert_eq!(ladder["manager"]["username"], "mgr-wang");
    assert_eq!(ladder["deputy_head"]["username"], "dep-sun");
    assert_eq!(ladder["head"]["username"], "head-wu");
    // GZ-YX has no director: the vacancy says which role in which unit.
    assert_eq!(ladder["center_director"]["state"], "vacant");
    assert_eq!(
        ladder["center_director"]["vacancy"]["role"],
        "center_director"
    );
    assert_eq!(ladder["center_director"]["vacancy"]["unit_code"], "GZ-YX");
    let v = t.create_ticket(json!({})).await;
    let ladder = t
        .get_ok_as("head-wu", &format!("/api/v1/tickets/{}/ladder", v["id"]))
        .await;
    assert_eq!(ladder["center_director"]["username"], "dir-chen");
    t.stop().await;
}

#[tokio::test]
async fn org_import_over_http_is_all_or_nothing() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let good = "type,code,name,kind,parent,email,phone,unit,roles,lang,active\n\
                unit,GZ-BY,白云供电服务中心,service_center,GZ,,,,,,\n\
                person,mgr-bai,白经理,,,bai@example.com,13800000000,GZ-BY,manager,zh-CN,true\n";
    let bad = format!("{good}person,mgr-bad,坏行,,,not-an-email,,GZ-BY,manager,,\n");
    let post = |body: String, dry: bool| {
        t.req(
            "root",
            reqwest::Method::POST,
            &format!("/api/v1/org/import?dry_run={dry}"),
        )
        .header("content-type", "text/csv")
        .body(body)
        .send()
    };
    let e = expect(post(bad, false).await.unwrap(), 422).await;
    assert_eq!(e["errors"][0]["field"], "line 4");
    let units = t.get_ok("/api/v1/org/units").await;
    assert!(!units.to_string().contains("GZ-BY"), "nothing written");
    let dry = expect(post(good.to_string(), true).await.unwrap(), 200).await;
    assert_eq!(
        (
            dry["units_created"].as_u64(),
            dry["people_created"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert!(
        !t.get_ok("/api/v1/org/units")
            .await
            .to_string()
            .contains("GZ-BY"),
        "a dry run writes nothing"
    );
    let done = expect(post(good.to_string(), false).await.unwrap(), 200).await;
    assert_eq!(done["people_created"], 1);
    assert!(
        t.get_ok("/api/v1/org/units")
            .await
            .to_string()
            .contains("GZ-BY")
    );
    let res = t
        .req("adm-ma", reqwest::Method::POST, "/api/v1/org/import")
        .header("content-type", "text/csv")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "a bureau admin does not import the whole chart"
    );
    t.stop().await;
}

#[tokio::test]
async fn admins_see_the_configuration_with_secrets_masked() {
    let t = TestApp::spawn_with(
        local("2026-03-02 10:00"),
        "[mail]\nsmtp_username = \"yekuo\"\nsmtp_password = \"hunter2\"",
    )
    .await;
    let c = t.get_ok_as("adm-ma", "/api/v1/admin/config").await;
    assert_eq!(c["mail"]["smtp_password"], "***");
    assert!(!c.to_string().contains("hunter2"));
    assert_eq!(c["time"]["zone"], "Asia/Shanghai");
    let cal = t.get_ok_as("adm-ma", "/api/v1/calendar").await;
    assert_eq!(cal["last_covered_year"], 2026);
    assert!(
        cal["version"]
            .as_str()
            .unwrap()
            .starts_with("cn-2024+cn-2025+cn-2026")
    );
    t.stop().await;
}

/// A credential resolved once is reused for `auth.credential_cache_seconds`
/// (5): a revocation, a password reset or a deactivation takes effect at
/// once on the instance that made it, and within 5 s on another one.
#[tokio::test]
async fn revocations_reach_every_instance_within_five_seconds() {
    use yekuo::auth::tokens::authenticate;
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let other = t.sibling("").await;
    let live = |app: &yekuo::app::App, user: &'static str| {
        let token = t.tokens[user].clone();
        let app = app.clone();
        async move { authenticate(&app, &token).await.unwrap().is_some() }
    };
    let users = ["mgr-li", "mgr-zhao", "dir-chen"];
    for user in users {
        assert!(live(&t.app, user).await && live(&other, user).await);
    }
    // mgr-li's token is revoked; mgr-zhao's password reset; dir-chen leaves.
    let li = t.tokens["mgr-li"].clone();
    let li = yekuo::auth::tokens::authenticate(&t.app, &li)
        .await
        .unwrap()
        .unwrap();
    let yekuo::auth::Via::Token { id } = li.via else {
        panic!("a token")
    };
    assert!(
        yekuo::auth::tokens::revoke(&t.app, li.person.id, id)
            .await
            .unwrap()
    );
    yekuo::auth::users::set_password(&t.app, "mgr-zhao", None)
        .await
        .unwrap();
    let chen = yekuo::org::service::person_by_username(&t.app.db, "dir-chen")
        .await
        .unwrap()
        .unwrap();
    let res = t
        .req(
            "adm-ma",
            reqwest::Method::POST,
            &format!("/api/v1/people/{}/deactivate", chen.id),
        )
        .send()
        .await
        .unwrap();
    expect(res, 200).await;
    for user in users {
        assert!(
            !live(&t.app, user).await,
            "{user}: at once where it was done"
        );
        assert!(
            live(&other, user).await,
            "{user}: the other instance still has it"
        );
    }
    t.clock.advance(chrono::Duration::seconds(5));
    for user in users {
        assert!(
            !live(&other, user).await,
            "{user}: gone elsewhere within 5 s"
        );
    }
    // An untouched credential is still good after its entry aged out.
    assert!(live(&other, "head-wu").await);
    t.stop().await;
}
