//! Reports, with fixtures computed by hand.

use crate::common;

use common::{TestApp, expect, local};
use serde_json::{Value, json};

fn numbers(section: &Value) -> Vec<&str> {
    section
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ticket_no"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn overdue_as_of_a_past_instant_is_what_was_overdue_then() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    let make = |no: &str, accepted: &str| json!({"ticket_no": no, "accepted_on": accepted});
    // Accepted 2026-01-05: 80 working days end on 2026-05-07.
    let a = t.create_ticket(make("YK-A", "2026-01-05")).await;
    // Paused since June 1: still overdue (its deadline had passed).
    let c = t.create_ticket(make("YK-C", "2026-01-05")).await;
    t.post_ok(
        &format!("/api/v1/tickets/{}/pause", c["id"]),
        &json!({"reason": "customer_design"}),
        200,
    )
    .await;
    // Accepted 2026-02-06: 80 working days, across the Spring Festival
    // (Feb 15-23 off, Saturdays Feb 14 and 28 worked), Qingming (Apr 6) and
    // Labour Day (May 1-5 off, Saturday May 9 worked), end on 2026-06-09:
    // red on June 2, not overdue.
    let b = t.create_ticket(make("YK-B", "2026-02-06")).await;
    assert_eq!(b["due_date"], "2026-06-09", "{b}");
    // After T: A is handed to another manager and closed; D is created.
    t.clock.set(local("2026-06-03 10:00"));
    t.post_ok(
        &format!("/api/v1/tickets/{}/reassign", a["id"]),
        &json!({"owner": "mgr-zhao", "note": "交接"}),
        200,
    )
    .await;
    t.advance_and_close("dir-chen", a["id"].as_i64().unwrap())
        .await;
    t.create_ticket(make("YK-D", "2026-01-05")).await;

    let r = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/overdue?as_of=2026-06-02T10:00:00%2B08:00",
        )
        .await;
    assert_eq!(numbers(&r["rows"]), ["YK-A", "YK-C"], "{r}");
    let a_then = &r["rows"][0];
    // Working days after 2026-05-07 up to 2026-06-02: May 8, Saturday May 9
    // (a make-up workday after Labour Day), 15 days of May 11-29, June 1
    // and 2.
    assert_eq!(a_then["overdue_working_days"], 19, "{a_then}");
    assert_eq!(
        a_then["owner"], "mgr-li",
        "the owner at T, before the hand-over"
    );
    assert_eq!(a_then["status"], "open");
    assert_eq!(a_then["light"], "overdue");
    assert_eq!(r["rows"][1]["status"], "paused");
    assert_eq!(numbers(&r["due_soon"]), ["YK-B"]);
    assert_eq!(r["due_soon"][0]["light"], "red");
    assert_eq!(r["totals"][0]["service_center"], "GZ-TH");
    assert_eq!(
        (&r["totals"][0]["overdue"], &r["totals"][0]["red"]),
        (&json!(2), &json!(1))
    );
    // Now: A is closed, D is overdue, C still is, its deadline a day later
    // for the whole working day (June 2) it has been paused.
    let now = t.get_ok_as("head-wu", "/api/v1/reports/overdue").await;
    assert_eq!(numbers(&now["rows"]), ["YK-D", "YK-C"], "{now}");
    assert_eq!(now["rows"][1]["due_date"], "2026-05-08");
    assert_eq!(now["rows"][1]["paused_working_days"], 1);
    // Now is read from the current rows, an instant from the history: the
    // same instant gives the same report either way.
    let rebuilt = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/overdue?as_of=2026-06-03T10:00:00%2B08:00",
        )
        .await;
    for section in ["rows", "due_soon", "totals"] {
        assert_eq!(now[section], rebuilt[section], "{section}");
    }
    // Read a ticket at a time (tickets sharing a deadline across pages),
    // the report is the same, now and at an instant.
    let scope =
        yekuo::reports::ReportScope::Bureau(now["definitions"]["scope"]["id"].as_i64().unwrap());
    for (as_of, whole) in [(None, &now), (Some(local("2026-06-02 10:00")), &r)] {
        let paged = yekuo::reports::overdue::report_in_pages(&t.app, scope, as_of, 1)
            .await
            .unwrap();
        let paged = serde_json::to_value(&paged).unwrap();
        for section in ["rows", "due_soon", "totals"] {
            assert_eq!(paged[section], whole[section], "{section} at {as_of:?}");
        }
    }

    // As CSV, for Excel: BOM, Chinese header, the same rows.
    let res = t
        .get_as(
            "head-wu",
            "/api/v1/reports/overdue?as_of=2026-06-02T10:00:00%2B08:00&format=csv",
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&reader.headers().unwrap()[0], "工单编号");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let firsts: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(firsts, ["YK-A", "YK-C", "YK-B"]);
    assert_eq!(&rows[0][11], "19");
    // The operator's command gives the same file.
    let (code, out, err) = t.cli(&[
        "report",
        "overdue",
        "--unit",
        "GZ",
        "--as-of",
        "2026-06-02T10:00:00+08:00",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, bytes.to_vec());
    let (code, out, _) = t.cli(&["report", "overdue", "--unit", "GZ", "--as-of", "2026-06-02"]);
    assert_eq!(code, 0);
    let table = String::from_utf8(out).unwrap();
    assert!(table.contains("YK-A") && table.contains("+19"), "{table}");
    let (code, _, err) = t.cli(&["report", "overdue", "--unit", "GZ-MKT"]);
    assert_eq!(code, 2);
    assert!(err.contains("unit: `GZ-MKT` is a department"), "{err}");
    t.stop().await;
}

#[tokio::test]
async fn reports_cover_what_the_caller_oversees_and_name_bad_parameters() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    t.create_ticket(json!({"ticket_no": "YK-TH", "accepted_on": "2026-01-05"}))
        .await;
    t.create_ticket(
        json!({"ticket_no": "YK-YX", "accepted_on": "2026-01-05", "service_center": "GZ-YX"}),
    )
    .await;
    let rows = |r: &Value| {
        numbers(&r["rows"])
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    // A manager: the tickets they manage; a director: the center; the head: the bureau.
    let li = t.get_ok_as("mgr-li", "/api/v1/reports/overdue").await;
    assert_eq!(rows(&li), ["YK-TH"]);
    let chen = t.get_ok_as("dir-chen", "/api/v1/reports/overdue").await;
    assert_eq!(rows(&chen), ["YK-TH"]);
    let wu = t.get_ok_as("head-wu", "/api/v1/reports/overdue").await;
    assert_eq!(rows(&wu), ["YK-TH", "YK-YX"]);
    let yx = t
        .get_ok_as("head-wu", "/api/v1/reports/overdue?unit=GZ-YX")
        .await;
    assert_eq!(rows(&yx), ["YK-YX"]);
    // Outside one's scope, or not a bureau or center: refused, never empty.
    expect(
        t.get_as("dir-chen", "/api/v1/reports/overdue?unit=GZ-YX")
            .await,
        403,
    )
    .await;
    expect(
        t.get_as("head-wu", "/api/v1/reports/overdue?unit=SZ").await,
        403,
    )
    .await;
    for (query, field) in [
        ("unit=GZ-MKT", "unit"),
        ("unit=NOPE", "unit"),
        ("as_of=2026-13-01", "as_of"),
        ("as_of=1999-01-01", "as_of"),
        ("format=pdf", "format"),
        ("colour=red", "colour"),
    ] {
        let p = expect(
            t.get_as("head-wu", &format!("/api/v1/reports/overdue?{query}"))
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
    }
    t.stop().await;
}

#[tokio::test]
async fn the_overdue_report_opens_in_excel_as_it_was_computed() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use std::io::{Cursor, Read};
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    t.create_ticket(json!({"ticket_no": "YK-A", "accepted_on": "2026-01-05"}))
        .await;
    t.create_ticket(json!({"ticket_no": "YK-B", "accepted_on": "2026-02-06"}))
        .await;
    t.create_ticket(
        json!({"ticket_no": "YK-Y", "accepted_on": "2026-01-05", "service_center": "GZ-YX"}),
    )
    .await;
    let res = t
        .get_as("head-wu", "/api/v1/reports/overdue?format=xlsx")
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["逾期工单", "按供电服务中心", "口径"]);
    let tickets = book.worksheet_range("逾期工单").unwrap();
    assert_eq!(tickets.get((0, 0)), Some(&Data::String("工单编号".into())));
    let first: Vec<String> = (1..4)
        .map(|r| tickets.get((r, 0)).unwrap().to_string())
        .collect();
    assert_eq!(first, ["YK-A", "YK-Y", "YK-B"]);
    // Numbers as numbers, dates as dates, the light in words.
    // 18 working days after 2026-05-07 up to June 1 (see the test above).
    assert_eq!(tickets.get((1, 11)), Some(&Data::Float(18.0)));
    assert!(
        matches!(tickets.get((1, 10)), Some(Data::DateTime(d)) if d.as_f64() == 46149.0),
        "2026-05-07 as an Excel date: {:?}",
        tickets.get((1, 10))
    );
    assert_eq!(tickets.get((3, 14)), Some(&Data::String("红".into())));
    // Totals per center with their formulas' results cached.
    let centers = book.worksheet_range("按供电服务中心").unwrap();
    assert_eq!(centers.get((1, 0)), Some(&Data::String("GZ-TH".into())));
    assert_eq!(centers.get((1, 4)), Some(&Data::Float(2.0)), "cached SUM");
    let formulas = book.worksheet_formula("按供电服务中心").unwrap();
    assert_eq!(
        formulas.get_value((1, 4)).map(String::as_str),
        Some("SUM(B2:D2)")
    );
    let defs = book.worksheet_range("口径").unwrap();
    let text: Vec<String> = defs.rows().map(|r| r[1].to_string()).collect();
    assert!(text.iter().any(|v| v.starts_with("cn-2024")), "{text:?}");
    assert!(text.iter().any(|v| v == "head-wu"), "{text:?}");
    // Frozen header, autofilter and a chart, as the file says.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains("state=\"frozen\""), "frozen pane");
    assert!(sheet.contains("<autoFilter ref=\"A1:O4\""), "autofilter");
    assert!(zip.by_name("xl/charts/chart1.xml").is_ok(), "a chart");
    t.stop().await;
}

/// `POST /api/v1/tickets/{id}/{what}` as the default user, expecting 200.
async fn act(t: &TestApp, id: i64, what: &str, body: Value) -> Value {
    t.post_ok(&format!("/api/v1/tickets/{id}/{what}"), &body, 200)
        .await
}

#[tokio::test]
async fn compliance_counts_a_late_stage_against_an_on_time_ticket() {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let mut ids = Vec::new();
    for no in ["YK-1", "YK-2", "YK-3"] {
        let v = t
            .create_ticket(json!({"ticket_no": no, "accepted_on": "2026-03-02"}))
            .await;
        ids.push(v["id"].as_i64().unwrap());
    }
    let jump = || json!({"to": "completion_acceptance"});
    t.clock.set(local("2026-03-02 10:00"));
    for id in &ids[..2] {
        act(&t, *id, "advance", json!({})).await; // site survey
        act(&t, *id, "advance", json!({})).await; // supply plan: 1 working day from acceptance
    }
    t.clock.set(local("2026-03-02 12:00"));
    act(&t, ids[2], "pause", json!({"reason": "customer_design"})).await;
    t.clock.set(local("2026-03-03 10:00"));
    act(&t, ids[0], "advance", jump()).await; // left the supply plan in time
    t.clock.set(local("2026-03-04 09:00"));
    act(&t, ids[0], "advance", json!({})).await; // energisation: 7 working days
    t.clock.set(local("2026-03-04 12:00"));
    act(&t, ids[2], "resume", json!({})).await; // March 3 paused whole
    t.clock.set(local("2026-03-04 13:00"));
    act(&t, ids[2], "advance", json!({})).await;
    act(&t, ids[2], "advance", json!({})).await; // supply plan due March 4 (a day paused)
    act(&t, ids[2], "advance", jump()).await;
    act(&t, ids[2], "advance", json!({})).await;
    t.clock.set(local("2026-03-05 10:00"));
    act(&t, ids[0], "close", json!({})).await;
    act(&t, ids[1], "advance", jump()).await; // the supply plan two days late
    t.clock.set(local("2026-03-05 11:00"));
    act(&t, ids[1], "advance", json!({})).await;
    t.clock.set(local("2026-03-06 10:00"));
    act(&t, ids[1], "close", json!({})).await;
    act(&t, ids[2], "close", json!({})).await;

    // In April the report closes March by default.
    t.clock.set(local("2026-04-02 09:00"));
    let r = t.get_ok_as("head-wu", "/api/v1/reports/compliance").await;
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-03-01"), Some("2026-03-31"))
    );
    let total = &r["total"];
    assert_eq!(
        (&total["closed"], &total["on_time"], &total["compliant"]),
        (&json!(3), &json!(3), &json!(2)),
        "{r}"
    );
    let by_no = |no: &str| {
        r["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["ticket_no"] == no)
            .unwrap()
            .clone()
    };
    assert_eq!(by_no("YK-2")["compliant"], false);
    assert_eq!(by_no("YK-2")["late_stages"], json!(["supply_plan"]));
    assert_eq!(by_no("YK-1")["compliant"], true);
    assert_eq!(by_no("YK-3")["compliant"], true);
    // Working days after March 2 up to the closing day; YK-3 less March 3.
    let days = |no: &str| {
        let x = by_no(no);
        (
            x["working_days_gross"].as_i64().unwrap(),
            x["working_days_net"].as_i64().unwrap(),
        )
    };
    assert_eq!(
        [days("YK-1"), days("YK-2"), days("YK-3")],
        [(3, 3), (4, 4), (4, 3)]
    );
    let near = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-9;
    assert!(near(&total["compliance_rate"], 2.0 / 3.0));
    assert!(near(&total["mean_working_days_gross"], 11.0 / 3.0));
    assert!(near(&total["mean_working_days_net"], 10.0 / 3.0));
    let stage = |key: &str| {
        r["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == key)
            .unwrap()
            .clone()
    };
    let plan = stage("supply_plan");
    assert_eq!(
        (&plan["entered"], &plan["within_limit"]),
        (&json!(3), &json!(2))
    );
    // Days in the supply plan: 1, 3 and 0; in energisation: 1, 1 and 2.
    assert!(near(&plan["p90_working_days"], 3.0));
    let energy = stage("energisation");
    assert_eq!(
        (&energy["entered"], &energy["within_limit"]),
        (&json!(3), &json!(3))
    );
    assert!(near(&energy["mean_working_days"], 4.0 / 3.0));
    assert!(near(&energy["p90_working_days"], 2.0));
    assert_eq!(r["centers"][0]["service_center"], "GZ-TH");
    // A period with nothing closed is empty, not an error; a bad one is.
    let feb = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/compliance?from=2026-02-01&to=2026-02-28",
        )
        .await;
    assert_eq!(feb["total"]["closed"], 0);
    let p = expect(
        t.get_as(
            "head-wu",
            "/api/v1/reports/compliance?from=2026-03-31&to=2026-03-01",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "from");
    // How long they took: 3, 4 and 4 working days (and calendar days).
    let d = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/durations?from=2026-03-01&to=2026-03-31",
        )
        .await;
    let all = &d["all"]["working_days"];
    assert_eq!(
        (&all["count"], &all["median"], &all["max"]),
        (&json!(3), &json!(4.0), &json!(4.0)),
        "{d}"
    );
    assert!(near(&all["mean"], 11.0 / 3.0));
    assert_eq!(d["all"]["calendar_days"]["max"], 4.0);
    assert_eq!(d["by_voltage"][0]["key"], "10kV");
    let plan = d["by_stage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "supply_plan")
        .unwrap();
    assert_eq!(
        (
            &plan["working_days"]["median"],
            &plan["working_days"]["max"]
        ),
        (&json!(1.0), &json!(3.0))
    );
    // The operator's table says the same.
    let (code, out, err) = t.cli(&[
        "report",
        "compliance",
        "--unit",
        "GZ",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ]);
    assert_eq!(code, 0, "{err}");
    let table = String::from_utf8(out).unwrap();
    assert!(
        table.contains("GZ-TH") && table.contains("66.7%") && table.contains("supply_plan"),
        "{table}"
    );
    let (code, _, err) = t.cli(&[
        "report",
        "compliance",
        "--unit",
        "GZ",
        "--from",
        "2026-04-01",
        "--to",
        "2026-03-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("from: 2026-04-01 is after"), "{err}");
    t.stop().await;
}

#[tokio::test]
async fn a_ticket_whose_acceptance_day_moved_later_is_still_overdue_before_the_move() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    let e = t
        .create_ticket(json!({"ticket_no": "YK-E", "accepted_on": "2026-01-05"}))
        .await;
    t.clock.set(local("2026-06-03 10:00"));
    let moved = expect(
        t.patch(
            &format!("/api/v1/tickets/{}", e["id"]),
            &json!({"accepted_on": "2026-05-20", "note": "受理日期录错"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["light"], "green");
    let then = t
        .get_ok_as(
            "head-wu",
            "/api/v1/reports/overdue?as_of=2026-06-02T10:00:00%2B08:00",
        )
        .await;
    assert_eq!(numbers(&then["rows"]), ["YK-E"], "{then}");
    assert_eq!(then["rows"][0]["due_date"], "2026-05-07");
    let now = t.get_ok_as("head-wu", "/api/v1/reports/overdue").await;
    assert!(numbers(&now["rows"]).is_empty(), "{now}");
    t.stop().await;
}

#[tokio::test]
async fn workload_per_manager_and_customers_per_manager_per_center() {
    let t = TestApp::spawn(local("2026-06-01 09:00")).await;
    // mgr-li: two open tickets of one customer (one overdue), one of another.
    t.create_ticket(json!({"accepted_on": "2026-01-05"})).await;
    t.create_ticket(json!({"accepted_on": "2026-05-25"})).await;
    t.create_ticket(json!({"accepted_on": "2026-05-25", "customer_account_no": "0300099999"}))
        .await;
    // mgr-zhao: one, handed to the director (owned by dir-chen).
    let z = t
        .create_ticket(json!({"accepted_on": "2026-05-25", "manager": "mgr-zhao"}))
        .await;
    expect(
        t.post_as(
            "dir-chen",
            &format!("/api/v1/tickets/{}/reassign", z["id"]),
            &json!({"owner": "dir-chen", "note": "主任督办"}),
        )
        .await,
        200,
    )
    .await;
    let r = t
        .get_ok_as("head-wu", "/api/v1/reports/workload?unit=GZ-TH")
        .await;
    let m = |u: &str| {
        r["managers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["manager"] == u)
            .unwrap()
            .clone()
    };
    let li = m("mgr-li");
    assert_eq!(
        (
            &li["open_managed"],
            &li["open_owned"],
            &li["customers"],
            &li["overdue_now"]
        ),
        (&json!(3), &json!(3), &json!(2), &json!(1)),
        "{r}"
    );
    let zhao = m("mgr-zhao");
    assert_eq!(
        (&zhao["open_managed"], &zhao["open_owned"]),
        (&json!(1), &json!(0))
    );
    // GZ-TH: two managers, two customers (0300012345, managed by both, once).
    let c = &r["centers"][0];
    assert_eq!(
        (&c["service_center"], &c["managers"], &c["customers"]),
        (&json!("GZ-TH"), &json!(2), &json!(2)),
        "{r}"
    );
    assert_eq!(c["customers_per_manager"], 1.0);
    let (code, out, err) = t.cli(&["report", "workload", "--unit", "GZ-TH"]);
    assert_eq!(code, 0, "{err}");
    let table = String::from_utf8(out).unwrap();
    assert!(
        table.contains("mgr-li") && table.contains("1.0 per manager (target 50)"),
        "{table}"
    );
    let (code, out, _) = t.cli(&["report", "durations", "--unit", "GZ", "--format", "json"]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        d["all"]["working_days"]["count"], 0,
        "nothing closed last month"
    );
    assert_eq!(
        (&c["target_customers_per_manager"], &c["over_target"]),
        (&json!(50), &json!(false))
    );
    t.stop().await;
}
