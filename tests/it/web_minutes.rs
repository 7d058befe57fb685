//! The weekly meeting and a ticket's other actions over real HTTP: the
//! agenda grouped by department, a decision recorded as the minutes (an
//! error at each field first, what was typed kept), then the feedback to
//! the customer; a ticket edited, asking departments, handed over; the
//! category derived as the new-ticket form's choices change.

use crate::common;
use crate::web::{browser, location, post_form, signed_in};

use common::{TestApp, local, page_text};
use serde_json::json;

/// The text inside the `<label>` of the form field `name`.
fn field<'a>(html: &'a str, name: &str) -> &'a str {
    html.split(&format!("name=\"{name}\""))
        .nth(1)
        .and_then(|s| s.split("</label>").next())
        .unwrap_or("")
}

#[tokio::test]
async fn the_meeting_records_a_decision_then_the_feedback_to_the_customer() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-M1", "accepted_on": "2026-03-02"}))
        .await;
    let r = t
        .post_ok(
            &format!("/api/v1/tickets/{}/coordination", v["id"]),
            &json!({"subject": "高可靠性费用", "question": "能否分期缴纳？", "category": "high_reliability_fee", "departments": ["GZ-MKT", "GZ-PLAN"]}),
            201,
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    let c = browser();
    let (cookie, csrf) = signed_in(&t, &c, "dir-chen").await;
    let html = page_text(&c, &t, "/meeting", &cookie).await;
    let groups: Vec<&str> = html.split("class=\"card agenda-group\"").skip(1).collect();
    assert_eq!(groups.len(), 2, "under each department asked: {html}");
    assert!(groups[0].contains("市场部") && groups[1].contains("规划部"));
    assert!(
        groups
            .iter()
            .all(|g| g.contains(&format!("/coordination/{rid}")))
    );

    // No due date: said at its field, the decision typed kept.
    let decision = format!("/coordination/{rid}/decision");
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("meeting_date", "2026-03-02"),
        ("decision", "由市场部牵头，分两期缴纳"),
        ("responsible_department", "GZ-MKT"),
        ("due_date", ""),
    ];
    let res = post_form(&t, &c, &cookie, &decision, &form).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(">由市场部牵头，分两期缴纳</textarea>"),
        "kept"
    );
    assert!(field(&html, "due_date").contains("error field"), "{html}");
    form[4] = ("due_date", "2026-02-27");
    let res = post_form(&t, &c, &cookie, &decision, &form).await;
    assert_eq!(res.status(), 422, "due before the meeting");
    form[4] = ("due_date", "2026-03-06");
    // A department member reads the request but writes no minutes.
    let (lin, lin_csrf) = signed_in(&t, &c, "dept-lin").await;
    let mut theirs = form.clone();
    theirs[0] = ("csrf", lin_csrf.as_str());
    assert_eq!(
        post_form(&t, &c, &lin, &decision, &theirs).await.status(),
        403
    );
    let res = post_form(&t, &c, &cookie, &decision, &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/coordination/{rid}"));
    let got = t
        .get_ok_as("head-wu", &format!("/api/v1/coordination/{rid}"))
        .await;
    assert_eq!(got["state"], "settled");
    assert_eq!(got["decision"]["due_date"], "2026-03-06");

    // Off the agenda, onto the follow-up until the customer hears.
    let html = page_text(&c, &t, "/meeting", &cookie).await;
    assert!(!html.contains("class=\"card agenda-group\""), "{html}");
    let follow = html.split("class=\"card follow").nth(1).unwrap_or("");
    assert!(follow.contains("由市场部牵头，分两期缴纳") && follow.contains("2026-03-06"));
    let res = post_form(
        &t,
        &c,
        &cookie,
        &format!("/coordination/{rid}/feedback"),
        &[
            ("csrf", &csrf),
            ("given_on", "2026-03-02"),
            ("channel", "phone"),
            ("text", "已电话告知客户分两期缴纳"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = page_text(&c, &t, "/meeting", &cookie).await;
    assert!(!html.contains("class=\"card follow"), "{html}");
    let html = page_text(&c, &t, &format!("/coordination/{rid}"), &cookie).await;
    assert!(html.contains("已电话告知客户分两期缴纳"));
    t.stop().await;
}

#[tokio::test]
async fn a_ticket_is_edited_asks_departments_and_is_handed_over_from_its_page() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-T1", "accepted_on": "2026-03-02"}))
        .await;
    let id = v["id"].as_i64().unwrap();
    let c = browser();
    let (cookie, csrf) = signed_in(&t, &c, "mgr-li").await;
    let page = format!("/tickets/{id}");
    let html = page_text(&c, &t, &page, &cookie).await;
    let ladder = html.split("class=\"facts ladder\"").nth(1).unwrap_or("");
    assert_eq!(
        ladder
            .split("</dl>")
            .next()
            .unwrap()
            .matches("<dd>")
            .count(),
        4
    );
    assert!(
        !ladder.split("</dl>").next().unwrap().contains("error"),
        "no rung vacant"
    );
    assert!(html.contains(&format!("href=\"/tickets/{id}/edit\"")));
    assert!(
        !html.contains("action-hand-back"),
        "the first rung hands nothing back"
    );

    // Edit: a bad capacity said at its field, the rest kept; then saved.
    let edit = format!("/tickets/{id}/edit");
    let html = page_text(&c, &t, &edit, &cookie).await;
    assert!(field(&html, "customer_name").contains(&format!(
        "value=\"{}\"",
        v["customer_name"].as_str().unwrap()
    )));
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("customer_name", "华南精密制造股份有限公司"),
        (
            "customer_account_no",
            v["customer_account_no"].as_str().unwrap(),
        ),
        ("address", v["address"].as_str().unwrap()),
        ("voltage_level", "10kV"),
        ("power_sources", "dual"),
        ("new_line", "yes"),
        ("capacity_kva", "很多"),
        ("accepted_on", "2026-03-02"),
        ("note", "客户更名，改双电源新出线"),
    ];
    let res = post_form(&t, &c, &cookie, &edit, &form).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(field(&html, "capacity_kva").contains("error field"));
    assert!(field(&html, "customer_name").contains("华南精密制造股份有限公司"));
    form[7] = ("capacity_kva", "3150");
    let res = post_form(&t, &c, &cookie, &edit, &form).await;
    assert_eq!(res.status(), 303);
    let got = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{id}"))
        .await;
    assert_eq!(got["customer_name"], "华南精密制造股份有限公司");
    assert_eq!(
        (got["category"].as_str(), got["limit_working_days"].as_i64()),
        (Some("mv_new_dual"), Some(90)),
        "dual source on a new line: the 90-day category"
    );

    // Ask departments: none ticked is said at its field, the subject kept.
    let file = format!("/tickets/{id}/coordination");
    let html = page_text(&c, &t, &format!("{file}/new"), &cookie).await;
    assert!(html.contains("value=\"GZ-MKT\"") && html.contains("value=\"GZ-PLAN\""));
    assert!(
        !html.contains("value=\"SZ-"),
        "another bureau's departments are not offered"
    );
    let base = [
        ("csrf", csrf.as_str()),
        ("subject", "停电计划"),
        ("question", "三月能否安排停电接入？"),
        ("category", "outage_plan_slot"),
    ];
    let res = post_form(&t, &c, &cookie, &file, &base).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(field(&html, "subject").contains("value=\"停电计划\""));
    assert!(
        html.split("class=\"departments\"")
            .nth(1)
            .unwrap()
            .contains("error field")
    );
    let mut ticked = base.to_vec();
    ticked.extend([("departments", "GZ-MKT"), ("departments", "GZ-PLAN")]);
    let res = post_form(&t, &c, &cookie, &file, &ticked).await;
    assert_eq!(res.status(), 303);
    let rid = location(&res)
        .trim_start_matches("/coordination/")
        .to_string();
    let got = t
        .get_ok_as("dir-chen", &format!("/api/v1/coordination/{rid}"))
        .await;
    assert_eq!(got["targets"].as_array().unwrap().len(), 2);

    // Hand back from the first rung: refused with the reason, note kept.
    let res = post_form(
        &t,
        &c,
        &cookie,
        &format!("/tickets/{id}/hand-back"),
        &[("csrf", &csrf), ("note", "交回")],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("value=\"交回\""));
    // Reassign: a note is required; then the owner changes.
    let reassign = format!("/tickets/{id}/reassign");
    let res = post_form(
        &t,
        &c,
        &cookie,
        &reassign,
        &[("csrf", &csrf), ("owner", "mgr-zhao"), ("note", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &t,
        &c,
        &cookie,
        &reassign,
        &[("csrf", &csrf), ("owner", "mgr-zhao"), ("note", "休假交接")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let got = t
        .get_ok_as("dir-chen", &format!("/api/v1/tickets/{id}"))
        .await;
    assert_eq!(got["owner"], "mgr-zhao");
    t.stop().await;
}

#[tokio::test]
async fn the_new_ticket_form_derives_the_category_as_the_choices_change() {
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let c = browser();
    let (cookie, _) = signed_in(&t, &c, "mgr-li").await;
    let html = page_text(&c, &t, "/tickets/new", &cookie).await;
    assert!(
        html.contains("<output id=\"category\" class=\"category\">中压非新出线单电源 · 80"),
        "{html}"
    );
    let res = c
        .get(t.url("/tickets/new/category?voltage_level=10kV&power_sources=dual&new_line=yes"))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["vary"], "HX-Request");
    assert_eq!(
        res.text().await.unwrap(),
        "<output id=\"category\" class=\"category\">中压新出线双电源 · 90 个工作日</output>"
    );
    t.stop().await;
}

#[tokio::test]
async fn the_overview_names_departments_late_with_an_answer_and_my_work_whom_a_ticket_goes_to_next()
{
    let t = TestApp::spawn(local("2026-03-02 10:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-O1", "accepted_on": "2026-03-02"}))
        .await;
    t.post_ok(
        &format!("/api/v1/tickets/{}/coordination", v["id"]),
        &json!({"subject": "接入点", "question": "请确认接入点", "category": "grid_works", "departments": ["GZ-MKT", "GZ-PLAN"]}),
        201,
    )
    .await;
    t.post_ok(
        &format!("/api/v1/tickets/{}/coordination", v["id"]),
        &json!({"subject": "方案", "question": "请确认方案", "category": "grid_works", "departments": ["GZ-MKT"]}),
        201,
    )
    .await;
    let c = browser();
    let (cookie, _) = signed_in(&t, &c, "head-wu").await;
    let html = page_text(&c, &t, "/overview", &cookie).await;
    assert!(
        html.contains("没有部门超期未答复"),
        "answer day not over yet"
    );
    // Two working days on, nothing answered: 市场部 owes two, 规划部 one.
    // (Sessions end after their idle time: a new one.)
    t.clock.advance(chrono::Duration::days(2));
    let (cookie, _) = signed_in(&t, &c, "head-wu").await;
    let html = page_text(&c, &t, "/overview", &cookie).await;
    let late = html.split("class=\"card late-answers\"").nth(1).unwrap();
    assert!(
        late.contains("<td>市场部</td><td class=\"error\">2</td></tr><tr><td>规划部</td><td class=\"error\">1</td>"),
        "{late}"
    );
    let (li, _) = signed_in(&t, &c, "mgr-li").await;
    let html = page_text(&c, &t, "/work", &li).await;
    assert!(html.contains("→ 供电服务中心主任"), "{html}");
    t.stop().await;
}
