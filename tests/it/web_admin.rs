//! The administration pages over real HTTP: people (create with an error
//! at each field, give and take roles, deactivate one who left and see
//! their open tickets), the mail outbox (a mail a real SMTP listener
//! refused, sent again), the calendar (the warning before the last loaded
//! year runs out; the recompute's preview, then applying it).

use crate::common;
use crate::mail::{plain, put, with_smtp};
use crate::smtp::Behaviour;
use crate::web::{browser, location, post_form, signed_in};

use common::{TestApp, local, page_text};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use yekuo::org::Role;

async fn roles_of(t: &TestApp, username: &str) -> Vec<Role> {
    let p = yekuo::org::service::person_by_username(&t.app.db, username)
        .await
        .unwrap()
        .unwrap();
    yekuo::org::service::grants_of(&t.app.db, p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.role)
        .collect()
}

#[tokio::test]
async fn an_admin_creates_gives_roles_to_and_deactivates_people() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-P1", "accepted_on": "2026-03-02"}))
        .await;
    let c = browser();
    let (cookie, csrf) = signed_in(&t, &c, "adm-ma").await;
    let html = page_text(&c, &t, "/admin/people?unit=GZ-TH", &cookie).await;
    assert!(
        html.contains("mgr-li") && !html.contains("mgr-sz"),
        "{html}"
    );

    // A bad address: said at its field, everything typed kept.
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("username", "mgr-qian"),
        ("name", "钱敏"),
        ("email", "qian-at-example"),
        ("phone", ""),
        ("unit", "GZ-TH"),
        ("lang", "zh-CN"),
        ("roles", "manager"),
    ];
    let res = post_form(&t, &c, &cookie, "/admin/people", &form).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("value=\"mgr-qian\"") && html.contains("value=\"钱敏\""),
        "typed values kept"
    );
    let at_email = html.split("name=\"email\"").nth(1).unwrap_or("");
    assert!(
        at_email.contains("value=\"qian-at-example\"")
            && at_email
                .split("</label>")
                .next()
                .unwrap()
                .contains("error field"),
        "the error is at the email field: {html}"
    );
    form[3] = ("email", "qian@example.cn");
    let res = post_form(&t, &c, &cookie, "/admin/people", &form).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/admin/people?unit=GZ-TH#person-"));
    assert_eq!(roles_of(&t, "mgr-qian").await, [Role::Manager]);

    // Give a role in their unit, take it away again.
    let qian = yekuo::org::service::person_by_username(&t.app.db, "mgr-qian")
        .await
        .unwrap()
        .unwrap();
    let roles = format!("/admin/people/{}/roles", qian.id);
    let res = post_form(
        &t,
        &c,
        &cookie,
        &roles,
        &[("csrf", &csrf), ("grant", "center_director")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        roles_of(&t, "mgr-qian").await,
        [Role::Manager, Role::CenterDirector]
    );
    let res = post_form(
        &t,
        &c,
        &cookie,
        &format!("{roles}/remove"),
        &[("csrf", &csrf), ("grant", "center_director@GZ-TH")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(roles_of(&t, "mgr-qian").await, [Role::Manager]);
    // Another bureau's role: not this admin's to give.
    let res = post_form(
        &t,
        &c,
        &cookie,
        &roles,
        &[("csrf", &csrf), ("grant", "head@SZ")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("您不是该单位的管理员"));
    assert_eq!(roles_of(&t, "mgr-qian").await, [Role::Manager]);

    // mgr-li leaves: deactivated, sessions end, the open ticket is listed.
    let li_cookie = signed_in(&t, &c, "mgr-li").await.0;
    let li = yekuo::org::service::person_by_username(&t.app.db, "mgr-li")
        .await
        .unwrap()
        .unwrap();
    let res = post_form(
        &t,
        &c,
        &cookie,
        &format!("/admin/people/{}/deactivate", li.id),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"/tickets/{}\">YK-P1</a>", v["id"])),
        "{html}"
    );
    let res = c
        .get(t.url("/work"))
        .header("cookie", &li_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "the leaver's session ended");
    // Not oneself.
    let me = yekuo::org::service::person_by_username(&t.app.db, "adm-ma")
        .await
        .unwrap()
        .unwrap();
    let res = post_form(
        &t,
        &c,
        &cookie,
        &format!("/admin/people/{}/deactivate", me.id),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("不能停用自己"));
    t.stop().await;
}

#[tokio::test]
async fn the_outbox_page_lists_refused_mail_and_sends_it_again() {
    let (t, smtp, transport) = with_smtp("").await;
    put(&t, plain("web", "dir-chen@example.com")).await;
    smtp.set(Behaviour::Reject);
    yekuo::mail::drain(&t.app, &transport, "w1").await.unwrap();
    let c = browser();
    let (cookie, csrf) = signed_in(&t, &c, "root").await;
    let html = page_text(&c, &t, "/admin/mail", &cookie).await;
    assert!(
        html.contains("测试 web") && html.contains("550") && html.contains("/retry\""),
        "{html}"
    );
    let id = html
        .split("action=\"/admin/mail/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let retry = format!("/admin/mail/{id}/retry");
    let res = post_form(&t, &c, &cookie, &retry, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/admin/mail?state=failed");
    let html = page_text(&c, &t, "/admin/mail", &cookie).await;
    assert!(!html.contains("测试 web"), "no longer failed");
    let html = page_text(&c, &t, "/admin/mail?state=pending", &cookie).await;
    assert!(html.contains("测试 web"), "waiting again");
    // A second retry: the mail is no longer failed.
    let res = post_form(&t, &c, &cookie, &retry, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), 409);
    smtp.set(Behaviour::Accept);
    let sent = yekuo::mail::drain(&t.app, &transport, "w1").await.unwrap();
    assert_eq!(sent.sent, 1);
    assert_eq!(smtp.received().len(), 1);
    t.stop().await;
}

#[tokio::test]
async fn the_calendar_page_warns_and_previews_the_recompute_before_applying_it() {
    use yekuo::tickets::entity::ticket;
    let t = TestApp::spawn(local("2026-11-27 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-C1", "accepted_on": "2026-06-01"}))
        .await;
    let due = v["due_date"].as_str().unwrap().to_string();
    let c = browser();
    let (cookie, csrf) = signed_in(&t, &c, "root").await;
    let html = page_text(&c, &t, "/admin/calendar", &cookie).await;
    assert!(
        html.contains("class=\"card warn coverage\"") && html.contains("2026-12-31"),
        "the last loaded year ends within two months: {html}"
    );
    assert!(html.contains("cn-2026"), "the files loaded are listed");

    // A ticket computed with another calendar, its date off by a day.
    ticket::Entity::update_many()
        .col_expr(ticket::Column::CalendarVersion, Expr::value("cn-old#0"))
        .col_expr(
            ticket::Column::DueDate,
            Expr::value(chrono::NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()),
        )
        .filter(ticket::Column::Id.eq(v["id"].as_i64().unwrap()))
        .exec(&t.app.db)
        .await
        .unwrap();
    let preview = post_form(
        &t,
        &c,
        &cookie,
        "/admin/calendar/recompute",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(preview.status(), 200);
    let html = preview.text().await.unwrap();
    assert!(
        html.contains("预览") && html.contains("YK-C1") && html.contains(&due),
        "{html}"
    );
    assert!(html.contains("name=\"apply\""), "an apply button");
    let stale = || async {
        ticket::Entity::find_by_id(v["id"].as_i64().unwrap())
            .one(&t.app.db)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        stale().await.calendar_version,
        "cn-old#0",
        "nothing written"
    );
    let done = post_form(
        &t,
        &c,
        &cookie,
        "/admin/calendar/recompute",
        &[("csrf", &csrf), ("apply", "yes")],
    )
    .await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("已重算"));
    let now = stale().await;
    assert_eq!(now.due_date.to_string(), due);
    assert_eq!(now.calendar_version, t.app.calendar.version());
    let events = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{}/events", v["id"]))
        .await;
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "due_recomputed");
    assert_eq!(last["actor"], "root");
    t.stop().await;

    // In March the year has long to run: no warning.
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let (cookie, _) = signed_in(&t, &c, "root").await;
    let html = page_text(&c, &t, "/admin/calendar", &cookie).await;
    assert!(!html.contains("coverage"), "{html}");
    t.stop().await;
}
