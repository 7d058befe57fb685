//! Compliance, durations, workload, coordination and the accountability
//! register as CSV and XLSX: the files say what the JSON report says, in
//! the reader's language, and open in Excel as the overdue export does
//! (frozen header, autofilter, formulas with their results, a chart, the
//! definitions sheet).

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};

use crate::common::{TestApp, expect, local};

const MARCH: &str = "from=2026-03-01&to=2026-03-31";

/// Moves ticket `id` on as `user`: `to` a stage, or the next one.
async fn advance(t: &TestApp, user: &str, id: i64, to: Option<&str>) {
    let body = to.map_or(json!({}), |s| json!({ "to": s }));
    let path = format!("/api/v1/tickets/{id}/advance");
    expect(t.post_as(user, &path, &body).await, 200).await;
}

async fn close(t: &TestApp, user: &str, id: i64) {
    let path = format!("/api/v1/tickets/{id}/close");
    expect(t.post_as(user, &path, &json!({})).await, 200).await;
}

/// Three tickets accepted on Monday 2026-03-02 and closed that week, and
/// two still open; the clock on 2026-04-02.
///
/// - YK-1 (GZ-TH, 10 kV, single source): every limited stage in time,
///   closed March 4: compliant.
/// - YK-2 (GZ-TH, 10 kV, dual source, another customer): the supply plan
///   (one working day from acceptance) left on March 5, closed March 6:
///   on time but not compliant.
/// - YK-3 (GZ-YX, 20 kV): closed March 6, compliant.
/// - YK-4 (GZ-TH, mgr-li), accepted 2025-11-03: overdue now; YK-5 (GZ-TH,
///   mgr-zhao, the same customer as YK-4): open.
async fn march() -> TestApp {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let id = |v: Value| v["id"].as_i64().unwrap();
    let y1 = id(t
        .create_ticket(json!({"ticket_no": "YK-1", "accepted_on": "2026-03-02"}))
        .await);
    let y2 = id(t
        .create_ticket(json!({"ticket_no": "YK-2", "accepted_on": "2026-03-02",
            "power_sources": "dual", "customer_account_no": "0300099999"}))
        .await);
    let y3 = id(t
        .create_ticket(json!({"ticket_no": "YK-3", "accepted_on": "2026-03-02",
            "service_center": "GZ-YX", "voltage_level": "20kV"}))
        .await);
    t.create_ticket(json!({"ticket_no": "YK-4", "accepted_on": "2025-11-03"}))
        .await;
    t.create_ticket(
        json!({"ticket_no": "YK-5", "accepted_on": "2026-03-02", "manager": "mgr-zhao"}),
    )
    .await;
    let (li, wang) = ("mgr-li", "mgr-wang");
    let jump = Some("completion_acceptance");
    t.clock.set(local("2026-03-02 10:00"));
    for (user, id) in [(li, y1), (li, y2), (wang, y3)] {
        advance(&t, user, id, None).await; // site survey
        advance(&t, user, id, None).await; // supply plan
    }
    t.clock.set(local("2026-03-03 10:00"));
    advance(&t, li, y1, jump).await;
    advance(&t, wang, y3, jump).await;
    t.clock.set(local("2026-03-04 09:00"));
    advance(&t, li, y1, None).await; // energisation
    advance(&t, wang, y3, None).await;
    t.clock.set(local("2026-03-04 15:00"));
    close(&t, li, y1).await;
    t.clock.set(local("2026-03-05 10:00"));
    advance(&t, li, y2, jump).await; // the supply plan two days late
    advance(&t, li, y2, None).await;
    t.clock.set(local("2026-03-06 10:00"));
    close(&t, li, y2).await;
    close(&t, wang, y3).await;
    t.clock.set(local("2026-04-02 09:00"));
    t
}

/// An auditor of GZ who reads English (`lang = en`).
async fn english_reader(t: &mut TestApp) -> &'static str {
    let p = expect(
        t.post_as(
            "root",
            "/api/v1/people",
            &json!({"username": "aud-en", "name": "Auditor", "email": "aud-en@example.com",
                "unit": "GZ", "roles": ["auditor"], "lang": "en"}),
        )
        .await,
        201,
    )
    .await;
    let (token, _) = yekuo::auth::tokens::create(&t.app, p["id"].as_i64().unwrap(), "tests", None)
        .await
        .unwrap();
    t.tokens.insert("aud-en".into(), token);
    "aud-en"
}

/// `path` as `user`: the file's bytes, checking its type and name.
async fn file(t: &TestApp, user: &str, path: &str, content_type: &str, name: &str) -> Vec<u8> {
    let res = t.get_as(user, path).await;
    assert_eq!(res.status(), 200, "{path}");
    let h = res.headers();
    assert_eq!(h["content-type"], content_type, "{path}");
    assert_eq!(
        h["content-disposition"],
        format!("attachment; filename=\"{name}\"").as_str(),
        "{path}"
    );
    res.bytes().await.unwrap().to_vec()
}

async fn csv_file(t: &TestApp, user: &str, path: &str, name: &str) -> Vec<u8> {
    file(t, user, path, "text/csv; charset=utf-8", name).await
}

async fn xlsx_file(t: &TestApp, user: &str, path: &str, name: &str) -> Vec<u8> {
    let ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    file(t, user, path, ct, name).await
}

/// A CSV file: a byte-order mark, the header, the rows.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

/// A number of a CSV file or a JSON report (the same `f64` when written
/// right: both are the shortest text that reads back).
fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

/// A workbook and its parts.
struct Book {
    bytes: Vec<u8>,
    xlsx: Xlsx<Cursor<Vec<u8>>>,
}

impl Book {
    fn open(bytes: Vec<u8>) -> Book {
        let xlsx = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        Book { bytes, xlsx }
    }

    fn part(&self, name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(self.bytes.clone())).unwrap();
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the workbook"))
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    fn cell(&mut self, sheet: &str, at: (u32, u32)) -> Data {
        let r = self.xlsx.worksheet_range(sheet).unwrap();
        r.get_value(at).cloned().unwrap_or(Data::Empty)
    }

    fn formula(&mut self, sheet: &str, at: (u32, u32)) -> String {
        let r = self.xlsx.worksheet_formula(sheet).unwrap();
        r.get_value(at).cloned().unwrap_or_default()
    }

    /// Row `row` of `sheet`: the text at JSON pointer `name` of `x` first
    /// (if given), then the figures at the pointers `figures`, column by
    /// column (a formula's cached result where the cell is a formula).
    fn assert_figures(
        &mut self,
        sheet: &str,
        row: u32,
        x: &Value,
        name: Option<&str>,
        figures: &[(u32, &str)],
    ) {
        if let Some(name) = name {
            let want = x.pointer(name).and_then(Value::as_str).unwrap();
            assert_eq!(self.cell(sheet, (row, 0)), text(want), "{sheet} row {row}");
        }
        for (col, key) in figures {
            let want = float(f(x.pointer(key).unwrap()));
            assert_eq!(
                self.cell(sheet, (row, *col)),
                want,
                "{sheet} row {row}: {key}"
            );
        }
    }

    /// The `n`th sheet (from 1) has its header frozen and the autofilter
    /// `range`.
    fn assert_table(&self, n: usize, range: &str) {
        let sheet = self.part(&format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            sheet.contains("state=\"frozen\"") && sheet.contains("ySplit=\"1\""),
            "sheet {n}: a frozen header"
        );
        assert!(
            sheet.contains(&format!("<autoFilter ref=\"{range}\"")),
            "sheet {n}: autofilter {range}"
        );
    }

    /// The definitions sheet names the report's rules and who asked.
    fn assert_definitions(&mut self, sheet: &str, report: &Value, by: &str, has: &[&str]) {
        let r = self.xlsx.worksheet_range(sheet).unwrap();
        let text: Vec<String> = r.rows().map(|x| x[1].to_string()).collect();
        let calendar = report["calendar_version"].as_str().unwrap();
        let policy = report["policy_hash"].as_str().unwrap();
        assert!(
            calendar.starts_with("cn-") && policy.len() == 16,
            "{report}"
        );
        for want in [calendar, policy, by].iter().chain(has) {
            assert!(text.iter().any(|v| v == want), "{want} in {text:?}");
        }
        assert!(
            text.iter().any(|v| v.starts_with("2026-04-02 09:00")),
            "generated at: {text:?}"
        );
    }

    /// The chart, with what it should say.
    fn assert_chart(&self, has: &[&str]) {
        let chart = self.part("xl/charts/chart1.xml");
        for want in has {
            assert!(chart.contains(want), "{want} in the chart: {chart}");
        }
    }
}

/// `IF(B2=0,0,D2/B2)`: the share `part` is of `whole` on Excel row `row`.
fn share(part: char, whole: char, row: u32) -> String {
    format!("IF({whole}{row}=0,0,{part}{row}/{whole}{row})")
}

fn float(x: f64) -> Data {
    Data::Float(x)
}

fn text(s: &str) -> Data {
    Data::String(s.into())
}

#[tokio::test]
async fn compliance_as_csv_and_xlsx_says_what_the_json_says() {
    let mut t = march().await;
    let path = format!("/api/v1/reports/compliance?{MARCH}");
    let r = t.get_ok_as("head-wu", &path).await;
    // By hand: GZ-TH two closed, both on time, one compliant; GZ-YX one.
    let total = &r["total"];
    assert_eq!(
        (&total["closed"], &total["on_time"], &total["compliant"]),
        (&json!(3), &json!(3), &json!(2)),
        "{r}"
    );
    let centers = array(&r["centers"]);
    let stages = array(&r["stages"]);
    assert_eq!(centers.len(), 2);
    assert!(stages.len() >= 2, "{r}");
    let policy = t.app.policy.clone();
    let stage_name = |key: &Value, zh: bool| {
        let s = policy.stage(key.as_str().unwrap()).unwrap();
        if zh {
            s.name_zh.clone()
        } else {
            s.name_en.clone()
        }
    };

    // CSV: a row a center, the total, a row a stage.
    let bytes = csv_file(
        &t,
        "head-wu",
        &format!("{path}&format=csv"),
        "compliance.csv",
    )
    .await;
    let (head, rows) = read_csv(&bytes);
    assert_eq!(
        head,
        [
            "分类",
            "名称",
            "数量",
            "按期送电",
            "达标",
            "达标率",
            "平均工作日（含暂停）",
            "平均工作日（扣除暂停）",
            "P90工作日"
        ]
    );
    assert_eq!(rows.len(), centers.len() + 1 + stages.len());
    for (row, c) in rows.iter().zip(centers.iter().chain([total])) {
        let section = if c == total {
            "合计"
        } else {
            "供电服务中心"
        };
        assert_eq!(row[0], section);
        assert_eq!(row[1], c["service_center"].as_str().unwrap());
        for (i, k) in [
            (2, "closed"),
            (3, "on_time"),
            (4, "compliant"),
            (5, "compliance_rate"),
            (6, "mean_working_days_gross"),
            (7, "mean_working_days_net"),
        ] {
            assert_eq!(num(&row[i]), f(&c[k]), "{k} of {row:?}");
        }
        assert_eq!(row[8], "");
    }
    assert_eq!((&rows[0][1][..], &rows[1][1][..]), ("GZ-TH", "GZ-YX"));
    assert_eq!(num(&rows[2][5]), 2.0 / 3.0, "the total rate, as a fraction");
    for (row, s) in rows[centers.len() + 1..].iter().zip(stages) {
        assert_eq!(row[0], "环节");
        assert_eq!(row[1], stage_name(&s["stage"], true));
        for (i, k) in [
            (2, "entered"),
            (4, "within_limit"),
            (5, "rate"),
            (6, "mean_working_days"),
            (8, "p90_working_days"),
        ] {
            assert_eq!(num(&row[i]), f(&s[k]), "{k} of {row:?}");
        }
        assert_eq!((&row[3][..], &row[7][..]), ("", ""));
    }
    let plan = rows.iter().find(|r| r[1] == "供电方案答复").unwrap();
    assert_eq!((&plan[2][..], &plan[4][..]), ("3", "2"), "YK-2 late");

    // In English for a reader who reads English: keys and English names.
    let en = english_reader(&mut t).await;
    let bytes = csv_file(&t, en, &format!("{path}&format=csv"), "compliance.csv").await;
    let (head, rows_en) = read_csv(&bytes);
    assert_eq!(
        head,
        [
            "section",
            "name",
            "count",
            "on_time",
            "compliant",
            "rate",
            "mean_working_days_gross",
            "mean_working_days_net",
            "p90_working_days"
        ]
    );
    assert_eq!(rows_en[0][0], "center");
    assert_eq!(rows_en[2][0], "total");
    assert_eq!(rows_en[3][0], "stage");
    assert_eq!(rows_en[3][1], stage_name(&stages[0]["stage"], false));
    for (zh, en) in rows.iter().zip(&rows_en) {
        assert_eq!(zh[2..], en[2..], "the same figures");
    }

    // XLSX: the centers with the total as formulas and a chart, the
    // stages, the tickets, the definitions.
    let bytes = xlsx_file(
        &t,
        "head-wu",
        &format!("{path}&format=xlsx"),
        "compliance.xlsx",
    )
    .await;
    let mut b = Book::open(bytes);
    assert_eq!(
        b.xlsx.sheet_names(),
        ["按供电服务中心", "按环节", "工单明细", "口径"]
    );
    let sheet = "按供电服务中心";
    assert_eq!(b.cell(sheet, (0, 4)), text("达标率"));
    let figures = [
        (1, "/closed"),
        (2, "/on_time"),
        (3, "/compliant"),
        (4, "/compliance_rate"),
        (5, "/mean_working_days_gross"),
        (6, "/mean_working_days_net"),
    ];
    for (i, c) in centers.iter().enumerate() {
        let row = i as u32 + 1;
        b.assert_figures(sheet, row, c, Some("/service_center"), &figures);
        assert_eq!(b.formula(sheet, (row, 4)), share('D', 'B', row + 1));
    }
    // The total row: the JSON total, cached.
    assert_eq!(b.cell(sheet, (3, 0)), text("合计"));
    b.assert_figures(sheet, 3, total, None, &figures);
    assert_eq!(b.formula(sheet, (3, 1)), "SUM(B2:B3)");
    assert_eq!(b.formula(sheet, (3, 4)), share('D', 'B', 4));
    assert_eq!(
        b.formula(sheet, (3, 5)),
        "IF(B4=0,0,SUMPRODUCT(B2:B3,F2:F3)/B4)"
    );
    b.assert_table(1, "A1:G3");
    b.assert_table(2, &format!("A1:F{}", stages.len() + 1));
    b.assert_table(3, "A1:J4");
    b.assert_chart(&["<c:barChart>", "各供电服务中心达标率", "$E$2:$E$3", "0.0%"]);
    assert!(
        b.part("xl/styles.xml").contains("formatCode=\"0.0%\""),
        "rates as percentages"
    );
    let stage_sheet = "按环节";
    assert_eq!(
        b.cell(stage_sheet, (1, 0)),
        text(&stage_name(&stages[0]["stage"], true))
    );
    assert_eq!(b.cell(stage_sheet, (1, 3)), float(f(&stages[0]["rate"])));
    // The tickets: YK-2 with its late stage, in words.
    let tickets = "工单明细";
    assert_eq!(b.cell(tickets, (2, 0)), text("YK-2"));
    assert_eq!(b.cell(tickets, (2, 6)), text("否"));
    assert_eq!(b.cell(tickets, (2, 7)), text("供电方案答复"));
    assert!(
        matches!(b.cell(tickets, (2, 3)), Data::DateTime(_)),
        "dates as dates"
    );
    b.assert_definitions(
        "口径",
        &r,
        "head-wu",
        &[
            "2026-03-01 至 2026-03-31（含）",
            "全环节达标率（compliance）",
        ],
    );
    t.stop().await;
}

#[tokio::test]
async fn durations_as_csv_and_xlsx_says_what_the_json_says() {
    let mut t = march().await;
    let path = format!("/api/v1/reports/durations?{MARCH}");
    let r = t.get_ok_as("head-wu", &path).await;
    let all = &r["all"];
    assert_eq!(all["working_days"]["count"], 3, "{r}");
    let voltages: Vec<&str> = array(&r["by_voltage"])
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(voltages, ["10kV", "20kV"]);
    let summary = |row: &[String], g: &Value| {
        assert_eq!(num(&row[2]), f(&g["working_days"]["count"]), "{row:?}");
        for (i, side) in [(3, "working_days"), (7, "calendar_days")] {
            for (j, k) in ["mean", "median", "p90", "max"].iter().enumerate() {
                assert_eq!(num(&row[i + j]), f(&g[side][k]), "{side}.{k} of {row:?}");
            }
        }
    };

    // CSV: all, then by voltage, category and stage.
    let bytes = csv_file(
        &t,
        "head-wu",
        &format!("{path}&format=csv"),
        "durations.csv",
    )
    .await;
    let (head, rows) = read_csv(&bytes);
    assert_eq!(
        head,
        [
            "分类",
            "名称",
            "数量",
            "平均工作日",
            "工作日中位数",
            "工作日P90",
            "最长工作日",
            "平均自然日",
            "自然日中位数",
            "自然日P90",
            "最长自然日"
        ]
    );
    let groups: Vec<(&str, &Value)> = std::iter::once(("全部", all))
        .chain(array(&r["by_voltage"]).iter().map(|g| ("电压等级", g)))
        .chain(array(&r["by_category"]).iter().map(|g| ("业务类别", g)))
        .chain(array(&r["by_stage"]).iter().map(|g| ("环节", g)))
        .collect();
    assert_eq!(rows.len(), groups.len());
    for (row, (section, g)) in rows.iter().zip(&groups) {
        assert_eq!(row[0], *section);
        summary(row, g);
    }
    assert_eq!((&rows[1][1][..], &rows[2][1][..]), ("10kV", "20kV"));
    let single = t.app.policy.category("mv_existing_single").unwrap().clone();
    assert!(
        rows.iter().any(|r| r[1] == single.name_zh),
        "categories by name"
    );
    let en = english_reader(&mut t).await;
    let (head, rows_en) =
        read_csv(&csv_file(&t, en, &format!("{path}&format=csv"), "durations.csv").await);
    assert_eq!(
        &head[..4],
        ["section", "name", "count", "working_days_mean"]
    );
    assert_eq!(head[10], "calendar_days_max");
    assert_eq!(rows_en[0][0], "all");
    assert!(rows_en.iter().any(|r| r[1] == single.name_en));

    // XLSX: by voltage with a row of all and the chart, by category, by stage.
    let bytes = xlsx_file(
        &t,
        "head-wu",
        &format!("{path}&format=xlsx"),
        "durations.xlsx",
    )
    .await;
    let mut b = Book::open(bytes);
    assert_eq!(
        b.xlsx.sheet_names(),
        ["按电压等级", "按业务类别", "按环节", "口径"]
    );
    let sheet = "按电压等级";
    let mut figures = vec![(1, "/working_days/count")];
    for (i, k) in [
        "/working_days/mean",
        "/working_days/median",
        "/working_days/p90",
        "/working_days/max",
        "/calendar_days/mean",
        "/calendar_days/median",
        "/calendar_days/p90",
        "/calendar_days/max",
    ]
    .into_iter()
    .enumerate()
    {
        figures.push((i as u32 + 2, k));
    }
    for (i, g) in array(&r["by_voltage"]).iter().enumerate() {
        b.assert_figures(sheet, i as u32 + 1, g, Some("/key"), &figures);
    }
    // The row of all tickets: the JSON figures, cached where formulas.
    assert_eq!(b.cell(sheet, (3, 0)), text("全部"));
    b.assert_figures(sheet, 3, all, None, &figures);
    assert_eq!(b.formula(sheet, (3, 1)), "SUM(B2:B3)");
    assert_eq!(
        b.formula(sheet, (3, 2)),
        "IF(B4=0,0,SUMPRODUCT(B2:B3,C2:C3)/B4)"
    );
    assert_eq!(b.formula(sheet, (3, 5)), "MAX(F2:F3)");
    b.assert_table(1, "A1:J3");
    b.assert_table(3, &format!("A1:J{}", array(&r["by_stage"]).len() + 1));
    b.assert_chart(&[
        "<c:barChart>",
        "各电压等级办电时长（工作日）",
        "$C$2:$C$3",
        "$D$2:$D$3",
        "$E$2:$E$3",
    ]);
    assert_eq!(b.cell("按环节", (0, 1)), text("环节次数"));
    b.assert_definitions("口径", &r, "head-wu", &["办电时长（durations）"]);
    // In English, sheets and headers too.
    let bytes = xlsx_file(&t, en, &format!("{path}&format=xlsx"), "durations.xlsx").await;
    let mut b = Book::open(bytes);
    assert_eq!(
        b.xlsx.sheet_names(),
        ["By voltage level", "By category", "By stage", "Definitions"]
    );
    assert_eq!(
        b.cell("By voltage level", (0, 2)),
        text("Mean working days")
    );
    t.stop().await;
}

#[tokio::test]
async fn workload_as_csv_and_xlsx_says_what_the_json_says() {
    let mut t = march().await;
    let path = format!("/api/v1/reports/workload?{MARCH}");
    let r = t.get_ok_as("head-wu", &path).await;
    let managers = array(&r["managers"]);
    let centers = array(&r["centers"]);
    let names: Vec<&str> = managers
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mgr-li", "mgr-zhao", "mgr-wang"], "{r}");
    // By hand: mgr-li closed YK-1 and YK-2 on time, has YK-4 open and overdue.
    let li = &managers[0];
    assert_eq!(
        (
            &li["open_managed"],
            &li["overdue_now"],
            &li["closed_in_period"],
            &li["closed_on_time"]
        ),
        (&json!(1), &json!(1), &json!(2), &json!(2)),
        "{r}"
    );
    // GZ-TH: two managers, one customer (YK-4 and YK-5 share it).
    assert_eq!(centers[0]["customers_per_manager"], 0.5, "{r}");
    assert_eq!(r["target_customers_per_manager"], 50);

    // CSV: a row a manager, then a row a center.
    let bytes = csv_file(&t, "head-wu", &format!("{path}&format=csv"), "workload.csv").await;
    let (head, rows) = read_csv(&bytes);
    assert_eq!(
        head,
        [
            "分类",
            "供电服务中心",
            "客户经理",
            "姓名",
            "在办工单",
            "责任工单",
            "客户数",
            "当前逾期",
            "期间送电",
            "按期送电",
            "按期率",
            "客户经理人数",
            "人均客户数",
            "目标人均客户数",
            "超出目标"
        ]
    );
    assert_eq!(rows.len(), managers.len() + centers.len());
    for (row, m) in rows.iter().zip(managers) {
        assert_eq!(row[0], "客户经理");
        for (i, k) in [(1, "service_center"), (2, "manager"), (3, "name")] {
            assert_eq!(row[i], m[k].as_str().unwrap());
        }
        for (i, k) in [
            (4, "open_managed"),
            (5, "open_owned"),
            (6, "customers"),
            (7, "overdue_now"),
            (8, "closed_in_period"),
            (9, "closed_on_time"),
            (10, "on_time_rate"),
        ] {
            assert_eq!(num(&row[i]), f(&m[k]), "{k} of {row:?}");
        }
        assert!(row[11..].iter().all(String::is_empty), "{row:?}");
    }
    for (row, c) in rows[managers.len()..].iter().zip(centers) {
        assert_eq!(row[0], "供电服务中心");
        assert_eq!(row[1], c["service_center"].as_str().unwrap());
        for (i, k) in [
            (6, "customers"),
            (11, "managers"),
            (12, "customers_per_manager"),
            (13, "target_customers_per_manager"),
        ] {
            assert_eq!(num(&row[i]), f(&c[k]), "{k} of {row:?}");
        }
        let over = if c["over_target"] == true {
            "是"
        } else {
            "否"
        };
        assert_eq!(row[14], over);
    }
    let en = english_reader(&mut t).await;
    let (head, rows_en) =
        read_csv(&csv_file(&t, en, &format!("{path}&format=csv"), "workload.csv").await);
    assert_eq!(head[10], "on_time_rate");
    assert_eq!(head[14], "over_target");
    assert_eq!(
        (&rows_en[0][0][..], &rows_en[3][0][..]),
        ("manager", "center")
    );
    assert_eq!(rows_en[3][14], "no");

    // XLSX: managers with a total row, centers against the target with a
    // chart of both.
    let bytes = xlsx_file(
        &t,
        "head-wu",
        &format!("{path}&format=xlsx"),
        "workload.xlsx",
    )
    .await;
    let mut b = Book::open(bytes);
    assert_eq!(b.xlsx.sheet_names(), ["客户经理", "按供电服务中心", "口径"]);
    let sheet = "客户经理";
    let figures = [
        (3, "/open_managed"),
        (4, "/open_owned"),
        (5, "/customers"),
        (6, "/overdue_now"),
        (7, "/closed_in_period"),
        (8, "/closed_on_time"),
        (9, "/on_time_rate"),
    ];
    for (i, m) in managers.iter().enumerate() {
        let row = i as u32 + 1;
        b.assert_figures(sheet, row, m, Some("/manager"), &figures);
        assert_eq!(b.formula(sheet, (row, 9)), share('I', 'H', row + 1));
    }
    let sum = |k: &str| managers.iter().map(|m| f(&m[k])).sum::<f64>();
    assert_eq!(b.cell(sheet, (4, 0)), text("合计"));
    assert_eq!(b.cell(sheet, (4, 7)), float(sum("closed_in_period")));
    assert_eq!(b.cell(sheet, (4, 8)), float(sum("closed_on_time")));
    assert_eq!(b.cell(sheet, (4, 9)), float(1.0), "3 of 3 on time");
    assert_eq!(b.formula(sheet, (4, 7)), "SUM(H2:H4)");
    let sheet = "按供电服务中心";
    let figures = [
        (1, "/managers"),
        (2, "/customers"),
        (3, "/customers_per_manager"),
        (4, "/target_customers_per_manager"),
    ];
    for (i, c) in centers.iter().enumerate() {
        let row = i as u32 + 1;
        b.assert_figures(sheet, row, c, Some("/service_center"), &figures);
        assert_eq!(b.formula(sheet, (row, 3)), share('C', 'B', row + 1));
        assert_eq!(b.cell(sheet, (row, 4)), float(50.0));
        assert_eq!(b.cell(sheet, (row, 5)), text("否"));
    }
    b.assert_table(1, "A1:J4");
    b.assert_table(2, "A1:F3");
    b.assert_chart(&[
        "<c:barChart>",
        "<c:lineChart>",
        "各供电服务中心人均客户数与目标",
        "$D$2:$D$3",
        "$E$2:$E$3",
    ]);
    b.assert_definitions("口径", &r, "head-wu", &["50", "客户经理工作量（workload）"]);
    t.stop().await;
}

#[tokio::test]
async fn a_bad_format_is_refused_naming_the_parameter() {
    let t = TestApp::spawn(local("2026-04-02 09:00")).await;
    for report in [
        "compliance",
        "durations",
        "workload",
        "overdue",
        "coordination",
        "accountability",
    ] {
        let p = expect(
            t.get_as("head-wu", &format!("/api/v1/reports/{report}?format=pdf"))
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "format", "{report}: {p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("json, csv, xlsx"),
            "{p}"
        );
    }
    // With the other parameters' errors, not instead of them.
    let p = expect(
        t.get_as(
            "head-wu",
            "/api/v1/reports/compliance?format=xls&from=2026-02-30",
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = array(&p["errors"])
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["format", "from"], "{p}");
    let p = expect(
        t.get_as(
            "head-wu",
            "/api/v1/reports/accountability?format=xls&state=done",
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = array(&p["errors"])
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["format", "state"], "{p}");
    // The language is the reader's (their profile), not a parameter.
    let p = expect(
        t.get_as("head-wu", "/api/v1/reports/workload?format=csv&lang=en")
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lang", "{p}");
    t.stop().await;
}

#[tokio::test]
async fn the_command_line_writes_the_same_files() {
    let t = march().await;
    let api = |report: &str| format!("/api/v1/reports/{report}?{MARCH}&unit=GZ&format=csv");
    for report in ["compliance", "durations", "workload"] {
        let from_api = csv_file(&t, "head-wu", &api(report), &format!("{report}.csv")).await;
        let args = [
            "report",
            report,
            "--unit",
            "GZ",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "csv",
        ];
        let (code, out, err) = t.cli(&args);
        assert_eq!(code, 0, "{err}");
        if report == "workload" {
            // Workload is as of now: the CLI's clock is the real one, so
            // only the shape is compared.
            let (head, rows) = read_csv(&out);
            let (api_head, api_rows) = read_csv(&from_api);
            assert_eq!((head, rows.len()), (api_head, api_rows.len()));
        } else {
            assert_eq!(out, from_api, "{report}: the same CSV");
        }
        let (code, out, _) = t.cli(&[&args[..], &["--lang", "en"]].concat());
        assert_eq!(code, 0);
        assert_eq!(read_csv(&out).0[0], "section", "{report} in English");
        // A workbook to a file.
        let file = t.dir.path().join(format!("{report}.xlsx"));
        let mut xargs = args.to_vec();
        xargs.pop();
        xargs.extend(["xlsx", "--output", file.to_str().unwrap()]);
        let (code, out, err) = t.cli(&xargs);
        assert_eq!((code, out.len()), (0, 0), "{err}");
        let mut b = Book::open(std::fs::read(&file).unwrap());
        let defs = b.xlsx.worksheet_range("口径").unwrap();
        assert!(
            defs.rows()
                .any(|r| matches!(&r[1], Data::String(s) if s == "cli")),
            "{report}: generated by the command line"
        );
        b.assert_chart(&["<c:barChart>"]);
    }
    let (code, _, err) = t.cli(&[
        "report",
        "durations",
        "--unit",
        "GZ",
        "--format",
        "csv",
        "--lang",
        "fr",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("lang: `fr` is not zh-CN or en"), "{err}");
    t.stop().await;
}

/// Files a coordination request on `ticket` to `departments` at local
/// time `at`.
async fn request(t: &TestApp, ticket: &Value, departments: &[&str], at: &str) -> Value {
    t.clock.set(local(at));
    let body = json!({"subject": "供电方案", "question": "请确认", "category": "high_reliability_fee", "departments": departments});
    let path = format!("/api/v1/tickets/{}/coordination", ticket["id"]);
    t.post_ok(&path, &body, 201).await
}

async fn answer(t: &TestApp, user: &str, request: &Value, at: &str) {
    t.clock.set(local(at));
    let path = format!("/api/v1/coordination/{}/answer", request["id"]);
    expect(
        t.post_as(user, &path, &json!({"answer": "agree"})).await,
        200,
    )
    .await;
}

const MAY: &str = "from=2026-05-01&to=2026-05-31";

/// Coordination requests filed in May 2026 (as in `report_periods`): to
/// marketing, two answered, one in time; to planning, three, one answered
/// late, one open, one settled by the weekly meeting; one filed in June,
/// open and overdue. The clock on 2026-06-02 10:00.
async fn may() -> TestApp {
    let t = TestApp::spawn(local("2026-05-06 08:00")).await;
    let ticket = t
        .create_ticket(json!({"ticket_no": "YK-C", "accepted_on": "2026-05-06"}))
        .await;
    let r1 = request(&t, &ticket, &["GZ-MKT", "GZ-PLAN"], "2026-05-06 09:00").await;
    answer(&t, "dept-lin", &r1, "2026-05-06 11:30").await;
    answer(&t, "dept-zhang", &r1, "2026-05-07 09:30").await;
    let r2 = request(&t, &ticket, &["GZ-MKT"], "2026-05-08 16:00").await;
    answer(&t, "dept-lin", &r2, "2026-05-11 09:00").await;
    request(&t, &ticket, &["GZ-PLAN"], "2026-05-29 09:00").await;
    let r4 = request(&t, &ticket, &["GZ-PLAN"], "2026-05-20 09:00").await;
    t.clock.set(local("2026-05-25 09:30"));
    t.post_ok(
        &format!("/api/v1/coordination/{}/decision", r4["id"]),
        &json!({"meeting_date": "2026-05-25", "decision": "按方案执行", "responsible_department": "GZ-PLAN", "due_date": "2026-05-29"}),
        200,
    )
    .await;
    request(&t, &ticket, &["GZ-MKT"], "2026-06-01 09:00").await;
    t.clock.set(local("2026-06-02 10:00"));
    t
}

/// The values (column B) of a definitions sheet.
fn definitions(b: &mut Book, sheet: &str) -> Vec<String> {
    let r = b.xlsx.worksheet_range(sheet).unwrap();
    r.rows().map(|x| x[1].to_string()).collect()
}

fn assert_has(text: &[String], want: &[&str]) {
    for w in want {
        assert!(text.iter().any(|v| v.starts_with(w)), "{w} in {text:?}");
    }
}

/// The coordination report's figures, by column of its CSV file (after
/// the section) and workbook (one fewer).
const COORDINATION: [(usize, &str); 10] = [
    (1, "department"),
    (2, "name"),
    (3, "received"),
    (4, "answered"),
    (5, "answered_in_time"),
    (6, "in_time_rate"),
    (7, "median_answer_working_hours"),
    (8, "open_now"),
    (9, "overdue_now"),
    (10, "decided_at_meeting"),
];

/// A CSV cell says what the JSON value says: a text, a number, or (null)
/// nothing.
fn assert_cell(cell: &str, v: &Value, what: &str) {
    match v {
        Value::String(s) => assert_eq!(cell, s, "{what}"),
        Value::Null => assert_eq!(cell, "", "{what}"),
        v => assert_eq!(num(cell), f(v), "{what}"),
    }
}

#[tokio::test]
async fn coordination_as_csv_and_xlsx_says_what_the_json_says() {
    let mut t = may().await;
    let path = format!("/api/v1/reports/coordination?{MAY}");
    let r = t.get_ok_as("aud-he", &path).await;
    let rows = array(&r["rows"]);
    let codes: Vec<&str> = rows
        .iter()
        .map(|d| d["department"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["GZ-MKT", "GZ-PLAN"], "{r}");
    let total = &r["total"];
    assert_eq!(
        (
            &total["received"],
            &total["in_time_rate"],
            &total["overdue_now"]
        ),
        (&json!(5), &json!(0.2), &json!(2)),
        "{r}"
    );

    // CSV: a row a department, then the total.
    let bytes = csv_file(
        &t,
        "aud-he",
        &format!("{path}&format=csv"),
        "coordination.csv",
    )
    .await;
    let (head, lines) = read_csv(&bytes);
    assert_eq!(
        head,
        [
            "分类",
            "部门编码",
            "部门",
            "收到请求",
            "已答复",
            "按时答复",
            "按时答复率",
            "答复用时中位数（工作小时）",
            "当前待答复",
            "当前逾期",
            "例会决定"
        ]
    );
    let want: Vec<(&str, &Value)> = rows
        .iter()
        .map(|d| ("部门", d))
        .chain(std::iter::once(("合计", total)))
        .collect();
    assert_eq!(lines.len(), want.len());
    for (line, (section, d)) in lines.iter().zip(&want) {
        assert_eq!(line[0], *section);
        for (i, k) in COORDINATION {
            assert_cell(&line[i], &d[k], &format!("{k} of {line:?}"));
        }
    }
    assert_eq!(lines[0][2], "市场部");
    let en = english_reader(&mut t).await;
    let (head, lines_en) =
        read_csv(&csv_file(&t, en, &format!("{path}&format=csv"), "coordination.csv").await);
    let keys: Vec<&str> = COORDINATION.iter().map(|(_, k)| *k).collect();
    assert_eq!(head[0], "section");
    assert_eq!(&head[1..], &keys[..], "the JSON field names");
    assert_eq!(
        (&lines_en[0][0][..], &lines_en[2][0][..]),
        ("department", "total")
    );

    // XLSX: the departments, a total row of formulas with the JSON's
    // figures as results, the rate as a chart; the definitions.
    let bytes = xlsx_file(
        &t,
        "aud-he",
        &format!("{path}&format=xlsx"),
        "coordination.xlsx",
    )
    .await;
    let mut b = Book::open(bytes);
    assert_eq!(b.xlsx.sheet_names(), ["按部门", "口径"]);
    let sheet = "按部门";
    assert_eq!(b.cell(sheet, (0, 6)), text("答复用时中位数（工作小时）"));
    let figures: Vec<(u32, String)> = COORDINATION[2..]
        .iter()
        .map(|(i, k)| (*i as u32 - 1, format!("/{k}")))
        .collect();
    let figures: Vec<(u32, &str)> = figures.iter().map(|(c, k)| (*c, k.as_str())).collect();
    for (i, d) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        b.assert_figures(sheet, row, d, Some("/department"), &figures);
        assert_eq!(b.cell(sheet, (row, 1)), text(d["name"].as_str().unwrap()));
        assert_eq!(b.formula(sheet, (row, 5)), share('E', 'C', row + 1));
    }
    assert_eq!(b.cell(sheet, (3, 0)), text("合计"));
    b.assert_figures(sheet, 3, total, None, &figures);
    assert_eq!(b.formula(sheet, (3, 2)), "SUM(C2:C3)");
    assert_eq!(b.formula(sheet, (3, 9)), "SUM(J2:J3)");
    assert_eq!(b.formula(sheet, (3, 5)), share('E', 'C', 4));
    assert_eq!(b.cell(sheet, (3, 5)), float(0.2), "1 of 5 in time");
    b.assert_table(1, "A1:J3");
    assert!(
        b.part("xl/styles.xml").contains("formatCode=\"0.0%\""),
        "rates as percentages"
    );
    // The in-time rate by department, named.
    b.assert_chart(&[
        "<c:barChart>",
        "各部门按时答复率",
        "$F$2:$F$3",
        "$B$2:$B$3",
        "0.0%",
    ]);
    let defs = definitions(&mut b, "口径");
    let calendar = r["calendar_version"].as_str().unwrap();
    assert_has(
        &defs,
        &[
            "部门协调答复（coordination）",
            "2026-05-01 至 2026-05-31（含）",
            "2026-06-02 10:00",
            calendar,
            "aud-he",
            "departments asked in coordination requests",
        ],
    );
    // In English.
    let bytes = xlsx_file(&t, en, &format!("{path}&format=xlsx"), "coordination.xlsx").await;
    let mut b = Book::open(bytes);
    assert_eq!(b.xlsx.sheet_names(), ["By department", "Definitions"]);
    assert_eq!(b.cell("By department", (0, 5)), text("In-time rate"));
    assert_eq!(b.cell("By department", (3, 0)), text("Total"));
    t.stop().await;
}

/// Records an action on `ticket` as aud-he.
async fn record(t: &TestApp, ticket: &Value, body: Value) -> Value {
    let path = format!("/api/v1/tickets/{}/accountability", ticket["id"]);
    expect(t.post_as("aud-he", &path, &body).await, 201).await
}

/// Three entries of the register: an interview on YK-1 (March 4, completed
/// March 10 15:30), a circular on YK-3 (GZ-YX, another customer, March 5,
/// a text with a comma and quotes), an accountability on YK-1 naming two
/// (March 5, a text of two lines). The clock on 2026-04-02 09:00.
async fn register() -> TestApp {
    let t = TestApp::spawn(local("2026-03-02 09:00")).await;
    let y1 = t
        .create_ticket(json!({"ticket_no": "YK-1", "accepted_on": "2026-03-02"}))
        .await;
    let y3 = t
        .create_ticket(json!({"ticket_no": "YK-3", "accepted_on": "2026-03-02",
            "service_center": "GZ-YX", "customer_name": "越秀商业广场有限公司"}))
        .await;
    t.clock.set(local("2026-03-05 10:00"));
    let interview = record(
        &t,
        &y1,
        json!({"kind": "interview", "persons": ["mgr-li"], "text": "供电方案答复逾期，约谈客户经理", "date": "2026-03-04"}),
    )
    .await;
    record(
        &t,
        &y3,
        json!({"kind": "circular", "persons": ["mgr-wang"], "text": "现场勘查超时 2 天, 通报\"越秀\"中心", "date": "2026-03-05"}),
    )
    .await;
    record(
        &t,
        &y1,
        json!({"kind": "accountability", "persons": ["mgr-li", "mgr-zhao"], "date": "2026-03-05",
            "text": "超时三个环节：\n现场勘查、供电方案答复、竣工检验均超过时限，问责客户经理并扣减当季绩效"}),
    )
    .await;
    t.clock.set(local("2026-03-10 15:30"));
    let done = format!("/api/v1/accountability/{}/completion", interview["id"]);
    let note = json!({"note": "已于3月10日约谈"});
    expect(t.post_as("aud-he", &done, &note).await, 200).await;
    t.clock.set(local("2026-04-02 09:00"));
    t
}

/// The register's entries, by column of its CSV file (after the section)
/// and workbook (one fewer), as JSON pointers into an entry.
const ENTRY: [(usize, &str); 5] = [
    (1, "/date"),
    (2, "/ticket_no"),
    (3, "/customer_name"),
    (4, "/service_center"),
    (7, "/text"),
];

/// The persons an entry names, by name, joined with `sep`.
fn names(e: &Value, sep: &str) -> String {
    let v: Vec<&str> = array(&e["persons"])
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    v.join(sep)
}

#[tokio::test]
async fn accountability_as_csv_and_xlsx_says_what_the_json_says() {
    let mut t = register().await;
    let path = "/api/v1/reports/accountability";
    let r = t.get_ok_as("aud-he", path).await;
    let rows = array(&r["rows"]);
    let kinds: Vec<&str> = rows.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["interview", "circular", "accountability"], "{r}");
    assert_eq!(rows[0]["completed_at"], json!(local("2026-03-10 15:30")));
    let totals = array(&r["totals"]);
    let counts: Vec<(&str, u64, u64)> = totals
        .iter()
        .map(|k| {
            let n = |x: &str| k[x].as_u64().unwrap();
            (k["kind"].as_str().unwrap(), n("open"), n("completed"))
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("accountability", 1, 0),
            ("interview", 0, 1),
            ("circular", 1, 0),
            ("all", 2, 1)
        ]
    );
    let zh_kind = |k: &str| match k {
        "accountability" => "问责",
        "interview" => "约谈",
        "circular" => "通报",
        _ => panic!("{k}"),
    };

    // CSV: a row an entry, then a row a kind, then the total.
    let bytes = csv_file(
        &t,
        "aud-he",
        &format!("{path}?format=csv"),
        "accountability.csv",
    )
    .await;
    let (head, lines) = read_csv(&bytes);
    assert_eq!(
        head,
        [
            "分类",
            "日期",
            "工单编号",
            "客户名称",
            "供电服务中心",
            "类别",
            "相关人员",
            "事由",
            "状态",
            "完成时间",
            "完成人",
            "完成说明",
            "未完成",
            "已完成"
        ]
    );
    assert_eq!(lines.len(), rows.len() + totals.len());
    for (line, e) in lines.iter().zip(rows) {
        assert_eq!(line[0], "登记");
        for (i, k) in ENTRY {
            assert_cell(&line[i], e.pointer(k).unwrap(), &format!("{k} of {line:?}"));
        }
        assert_eq!(line[5], zh_kind(e["kind"].as_str().unwrap()));
        assert_eq!(line[6], names(e, "、"));
        let done = e["state"] == "completed";
        assert_eq!(line[8], if done { "已完成" } else { "未完成" });
        assert_cell(
            &line[11],
            &e["completion_note"],
            &format!("note of {line:?}"),
        );
        assert!(line[12..].iter().all(String::is_empty), "{line:?}");
    }
    assert_eq!(lines[2][6], "mgr-li、mgr-zhao");
    assert_eq!(lines[1][7], "现场勘查超时 2 天, 通报\"越秀\"中心");
    // The completion in local time.
    assert_eq!(
        &lines[0][9..12],
        ["2026-03-10 15:30", "aud-he", "已于3月10日约谈"]
    );
    assert!(lines[1][9..12].iter().all(String::is_empty));
    for (line, k) in lines[rows.len()..].iter().zip(totals) {
        let kind = k["kind"].as_str().unwrap();
        if kind == "all" {
            assert_eq!((&line[0][..], &line[5][..]), ("合计", ""));
        } else {
            assert_eq!((&line[0][..], &line[5][..]), ("类别", zh_kind(kind)));
        }
        assert_eq!(num(&line[12]), f(&k["open"]), "{line:?}");
        assert_eq!(num(&line[13]), f(&k["completed"]), "{line:?}");
        assert!(line[1..5].iter().all(String::is_empty), "{line:?}");
    }
    // In English: the JSON's keys and values.
    let en = english_reader(&mut t).await;
    let (head, lines_en) =
        read_csv(&csv_file(&t, en, &format!("{path}?format=csv"), "accountability.csv").await);
    assert_eq!(
        head,
        [
            "section",
            "date",
            "ticket_no",
            "customer_name",
            "service_center",
            "kind",
            "persons",
            "text",
            "state",
            "completed_at",
            "completed_by",
            "completion_note",
            "open",
            "completed"
        ]
    );
    for (line, e) in lines_en.iter().zip(rows) {
        assert_eq!(line[0], "entry");
        assert_eq!(line[5], e["kind"].as_str().unwrap());
        assert_eq!(line[8], e["state"].as_str().unwrap());
    }
    assert_eq!(lines_en[2][6], "mgr-li, mgr-zhao");
    assert_eq!(
        (&lines_en[3][0][..], &lines_en[3][5][..]),
        ("kind", "accountability")
    );
    assert_eq!(lines_en[6][0], "total");

    // XLSX: the entries, the counts per kind with a chart, the definitions.
    let bytes = xlsx_file(
        &t,
        "aud-he",
        &format!("{path}?format=xlsx"),
        "accountability.xlsx",
    )
    .await;
    let mut b = Book::open(bytes);
    assert_eq!(b.xlsx.sheet_names(), ["登记簿", "按类别", "口径"]);
    let sheet = "登记簿";
    for (i, e) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, k) in &ENTRY[1..] {
            let want = e.pointer(k).unwrap().as_str().unwrap();
            assert_eq!(b.cell(sheet, (row, *c as u32 - 1)), text(want), "{k}");
        }
        let kind = zh_kind(e["kind"].as_str().unwrap());
        assert_eq!(b.cell(sheet, (row, 4)), text(kind));
        assert_eq!(b.cell(sheet, (row, 5)), text(&names(e, "、")));
    }
    // Dates as dates, the completion in local time.
    let date = |c: Data| match c {
        Data::DateTime(d) => d.to_ymd_hms_milli(),
        other => panic!("{other:?} is not a date"),
    };
    assert_eq!(date(b.cell(sheet, (1, 0))), (2026, 3, 4, 0, 0, 0, 0));
    assert_eq!(date(b.cell(sheet, (2, 0))), (2026, 3, 5, 0, 0, 0, 0));
    assert_eq!(date(b.cell(sheet, (1, 8))), (2026, 3, 10, 15, 30, 0, 0));
    assert_eq!(b.cell(sheet, (1, 7)), text("已完成"));
    assert_eq!(b.cell(sheet, (1, 9)), text("aud-he"));
    assert_eq!(b.cell(sheet, (1, 10)), text("已于3月10日约谈"));
    assert_eq!(b.cell(sheet, (2, 7)), text("未完成"));
    assert_eq!(b.cell(sheet, (2, 8)), Data::Empty);
    b.assert_table(1, "A1:K4");
    // Per kind: open, completed and their sum; the total row of sums.
    let sheet = "按类别";
    for (i, k) in totals.iter().enumerate() {
        let row = i as u32 + 1;
        let kind = k["kind"].as_str().unwrap();
        let label = if kind == "all" {
            "合计"
        } else {
            zh_kind(kind)
        };
        assert_eq!(b.cell(sheet, (row, 0)), text(label));
        b.assert_figures(sheet, row, k, None, &[(1, "/open"), (2, "/completed")]);
        let sum = f(&k["open"]) + f(&k["completed"]);
        assert_eq!(b.cell(sheet, (row, 3)), float(sum), "{kind}");
        assert_eq!(
            b.formula(sheet, (row, 3)),
            format!("B{n}+C{n}", n = row + 1)
        );
    }
    assert_eq!(b.formula(sheet, (4, 1)), "SUM(B2:B4)");
    assert_eq!(b.formula(sheet, (4, 2)), "SUM(C2:C4)");
    b.assert_table(2, "A1:D4");
    b.assert_chart(&[
        "<c:barChart>",
        "各类别未完成与已完成",
        "$A$2:$A$4",
        "$B$2:$B$4",
        "$C$2:$C$4",
    ]);
    let defs = definitions(&mut b, "口径");
    assert_has(
        &defs,
        &[
            "问责、约谈、通报登记（accountability）",
            "全部",
            "供电局（id",
            "2026-04-02 09:00",
            "aud-he",
            "entries of the accountability register",
        ],
    );
    // A period and a state, in English.
    let bytes = xlsx_file(
        &t,
        en,
        &format!("{path}?format=xlsx&from=2026-03-05&state=open"),
        "accountability.xlsx",
    )
    .await;
    let mut b = Book::open(bytes);
    assert_eq!(b.xlsx.sheet_names(), ["Register", "By kind", "Definitions"]);
    assert_eq!(b.cell("Register", (1, 4)), text("circular"));
    assert_eq!(b.cell("Register", (1, 7)), text("open"));
    assert_eq!(b.cell("Register", (3, 0)), Data::Empty, "two entries");
    assert_eq!(b.cell("By kind", (4, 1)), float(2.0));
    assert_has(
        &definitions(&mut b, "Definitions"),
        &[
            "from 2026-03-05",
            "open",
            "Accountability register (accountability)",
        ],
    );
    t.stop().await;
}

/// Standard error (not a terminal here) shows no progress: only the log.
fn assert_no_progress(err: &str) {
    for shown in ["\r", "写入", "rows", "统计报表", "computing"] {
        assert!(!err.contains(shown), "{shown:?} in {err}");
    }
}

#[tokio::test]
async fn the_command_line_writes_coordination_and_the_register() {
    let t = may().await;
    let api = format!("/api/v1/reports/coordination?{MAY}&unit=GZ&format=csv");
    let (_, from_api) = read_csv(&csv_file(&t, "aud-he", &api, "coordination.csv").await);
    let args = [
        "report",
        "coordination",
        "--unit",
        "GZ",
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-31",
        "--format",
        "csv",
    ];
    let (code, out, err) = t.cli(&args);
    assert_eq!(code, 0, "{err}");
    // The command line's clock is the real one: overdue now may differ.
    let (head, lines) = read_csv(&out);
    assert_eq!(head[9], "当前逾期");
    assert_eq!(lines.len(), from_api.len());
    for (a, b) in lines.iter().zip(&from_api) {
        assert_eq!((&a[..9], &a[10]), (&b[..9], &b[10]));
    }
    // A workbook to a file: nothing on standard output, and no progress on
    // a standard error that is not a terminal.
    let file = t.dir.path().join("coordination.xlsx");
    let mut xargs = args.to_vec();
    xargs.pop();
    xargs.extend(["xlsx", "--output", file.to_str().unwrap(), "--lang", "en"]);
    let (code, out, err) = t.cli(&xargs);
    assert_eq!((code, out.len()), (0, 0), "{err}");
    assert_no_progress(&err);
    let mut b = Book::open(std::fs::read(&file).unwrap());
    assert_has(&definitions(&mut b, "Definitions"), &["cli"]);
    b.assert_chart(&["<c:barChart>", "In-time rate by department"]);
    t.stop().await;

    let t = register().await;
    let from_api = csv_file(
        &t,
        "aud-he",
        "/api/v1/reports/accountability?unit=GZ&format=csv",
        "accountability.csv",
    )
    .await;
    let args = [
        "report",
        "accountability",
        "--unit",
        "GZ",
        "--format",
        "csv",
    ];
    let (code, out, err) = t.cli(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, from_api, "the same CSV");
    let file = t.dir.path().join("register.xlsx");
    let mut xargs = args.to_vec();
    xargs.pop();
    xargs.extend(["xlsx", "--output", file.to_str().unwrap()]);
    let (code, out, err) = t.cli(&xargs);
    assert_eq!((code, out.len()), (0, 0), "{err}");
    assert_no_progress(&err);
    let mut b = Book::open(std::fs::read(&file).unwrap());
    assert_eq!(b.xlsx.sheet_names(), ["登记簿", "按类别", "口径"]);
    assert_eq!(b.cell("登记簿", (3, 4)), text("问责"));
    // The table and JSON as before; a bad language named.
    let (code, out, _) = t.cli(&["report", "accountability", "--unit", "GZ"]);
    assert_eq!(code, 0);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("all            2 open, 1 completed"), "{out}");
    let (code, out, _) = t.cli(&[&args[..4], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(array(&json["rows"]).len(), 3);
    let (code, _, err) = t.cli(&[&args[..], &["--lang", "fr"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("lang: `fr` is not zh-CN or en"), "{err}");
    t.stop().await;
}
