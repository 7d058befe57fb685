//! Each report's page over real HTTP: the API's report for the same
//! parameters, its table the CSV's (same header, same rows), a chart of
//! its main figure, its downloads; a bad parameter said at its field; a
//! scope not the reader's refused.

use crate::common;
use crate::web::{browser, log_in, session};

use common::{TestApp, local, page_text};
use serde_json::json;

/// The cells of the first `<tr>` of the page's report table.
fn header_cells(html: &str) -> Vec<String> {
    let head = html
        .split("<table class=\"report-table\">")
        .nth(1)
        .and_then(|s| s.split("</thead>").next())
        .unwrap_or("");
    head.split("<th>")
        .skip(1)
        .map(|c| c.split("</th>").next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn each_report_has_a_page_with_a_chart_its_csv_table_and_its_files() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    t.create_ticket(json!({"ticket_no": "YK-R1", "accepted_on": "2026-01-05"}))
        .await;
    yekuo::auth::users::set_password(&t.app, "head-wu", Some("correct horse battery".into()))
        .await
        .unwrap();
    let c = browser();
    let cookie = session(&log_in(&t, &c, "head-wu", "/reports").await);
    let index = page_text(&c, &t, "/reports", &cookie).await;
    for kind in [
        "overdue",
        "compliance",
        "durations",
        "workload",
        "coordination",
        "accountability",
    ] {
        assert!(
            index.contains(&format!("action=\"/reports/{kind}\"")),
            "{kind}"
        );
        let path = format!("/reports/{kind}?unit=GZ");
        let res = c
            .get(t.url(&path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{kind}");
        let html = res.text().await.unwrap();
        // The table is the CSV's: the same header as the file the API writes.
        let csv = t
            .req(
                "aud-he",
                reqwest::Method::GET,
                &format!("/api/v1/reports/{kind}?unit=GZ&format=csv"),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let first = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert_eq!(header_cells(&html).join(","), first, "{kind}");
        assert!(
            html.contains(&format!(
                "href=\"/api/v1/reports/{kind}?unit=GZ&amp;format=xlsx\""
            )),
            "{kind}: the workbook's link"
        );
    }
    // The overdue page: the ticket in the table, a bar for its center.
    let html = page_text(&c, &t, "/reports/overdue?unit=GZ", &cookie).await;
    assert!(html.contains("<td>YK-R1</td>"));
    assert_eq!(html.matches("class=\"chart-bar\"").count(), 1);
    assert!(html.contains(">GZ-TH</text>"), "the bar's label");

    // A bad date is said at its field, the rest of the form kept.
    let res = c
        .get(t.url("/reports/compliance?unit=GZ&from=2026-13-01&to=2026-05-31"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let from = html
        .split("name=\"from\"")
        .nth(1)
        .unwrap()
        .split("</label>")
        .next()
        .unwrap();
    assert!(
        from.contains("value=\"2026-13-01\"") && from.contains("error field"),
        "{from}"
    );
    assert!(html.contains("value=\"2026-05-31\""), "the other date kept");
    assert!(
        !html.contains("report-table"),
        "no table for a refused period"
    );
    // An unknown report is not found.
    let res = c
        .get(t.url("/reports/nope"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // A manager reads their own tickets' report, not the bureau's.
    yekuo::auth::users::set_password(&t.app, "mgr-li", Some("correct horse battery".into()))
        .await
        .unwrap();
    let li = session(&log_in(&t, &c, "mgr-li", "/reports").await);
    let html = page_text(&c, &t, "/reports/overdue", &li).await;
    assert!(html.contains("<td>YK-R1</td>"));
    let res = c
        .get(t.url("/reports/overdue?unit=GZ"))
        .header("cookie", &li)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    t.stop().await;
}

#[tokio::test]
async fn an_auditor_records_accountability_on_a_ticket_and_its_completion() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    let v = t
        .create_ticket(json!({"ticket_no": "YK-A1", "accepted_on": "2026-01-05"}))
        .await;
    let id = v["id"].as_i64().unwrap();
    yekuo::auth::users::set_password(&t.app, "aud-he", Some("correct horse battery".into()))
        .await
        .unwrap();
    let c = browser();
    let cookie = session(&log_in(&t, &c, "aud-he", "/account").await);
    let page = format!("/tickets/{id}");
    let html = page_text(&c, &t, &page, &cookie).await;
    let csrf = common::form_token(&html);
    assert!(html.contains(&format!("href=\"/tickets/{id}/accountability/new\"")));
    let form = page_text(
        &c,
        &t,
        &format!("/tickets/{id}/accountability/new"),
        &cookie,
    )
    .await;
    assert!(
        form.contains("mgr-li"),
        "the owner at the breach is the default: {form}"
    );
    // No text: said at its field, the kind chosen kept.
    let post = |body: Vec<(&'static str, String)>, path: String| {
        let c = c.clone();
        let cookie = cookie.clone();
        let url = t.url(&path);
        async move {
            c.post(url)
                .header("cookie", cookie)
                .form(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let record = format!("/tickets/{id}/accountability");
    let res = post(
        vec![
            ("csrf", csrf.clone()),
            ("kind", "circular".into()),
            ("text", "".into()),
        ],
        record.clone(),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"circular\" selected"));
    let res = post(
        vec![
            ("csrf", csrf.clone()),
            ("kind", "circular".into()),
            ("persons", "".into()),
            ("date", "2026-06-01".into()),
            ("text", "超期通报".into()),
        ],
        record,
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = page_text(&c, &t, &page, &cookie).await;
    assert!(html.contains("超期通报") && html.contains("complete-entry"));
    let entry = html
        .split("action=\"/accountability/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let complete = format!("/accountability/{entry}/complete");
    let res = post(
        vec![("csrf", csrf.clone()), ("note", " ".into())],
        complete.clone(),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post(
        vec![("csrf", csrf.clone()), ("note", "已在全局通报".into())],
        complete.clone(),
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = page_text(&c, &t, &page, &cookie).await;
    assert!(html.contains("已在全局通报") && !html.contains("complete-entry"));
    // Once only.
    let res = post(
        vec![("csrf", csrf.clone()), ("note", "再次".into())],
        complete,
    )
    .await;
    assert_eq!(res.status(), 409);
    t.stop().await;
}
