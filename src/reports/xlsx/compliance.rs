//! The compliance report (达标) as a workbook: the centers with a total row
//! and a chart of the compliance rate, the limited stages, the tickets, the
//! definitions.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::{
    BLUE, Col, Defs, Render, Styles, col, column_chart, finish_table, fit, formula, header, letter,
    share,
};
use crate::reports::compliance::ComplianceReport;

/// The centers (and the total row), in the workbook and the CSV file.
pub(crate) const CENTERS: [Col; 7] = [
    col("供电服务中心", "Service center", "service_center", 16.0),
    col("已送电工单", "Closed", "closed", 12.0),
    col("按期送电", "On time", "on_time", 10.0),
    col("达标", "Compliant", "compliant", 10.0),
    col("达标率", "Compliance rate", "compliance_rate", 16.0),
    col(
        "平均工作日（含暂停）",
        "Mean working days (gross)",
        "mean_working_days_gross",
        24.0,
    ),
    col(
        "平均工作日（扣除暂停）",
        "Mean working days (net)",
        "mean_working_days_net",
        24.0,
    ),
];

/// The limited stages.
pub(crate) const STAGES: [Col; 6] = [
    col("环节", "Stage", "stage", 28.0),
    col("环节次数", "Visits", "entered", 10.0),
    col("时限内", "Within limit", "within_limit", 12.0),
    col("时限内比例", "Within limit, rate", "rate", 16.0),
    col("平均工作日", "Mean working days", "mean_working_days", 18.0),
    col("P90工作日", "P90 working days", "p90_working_days", 16.0),
];

const TICKETS: [Col; 10] = [
    col("工单编号", "Ticket no", "ticket_no", 18.0),
    col("供电服务中心", "Service center", "service_center", 14.0),
    col("受理日期", "Accepted on", "accepted_on", 12.0),
    col("送电日期", "Closed on", "closed_on", 12.0),
    col("到期日", "Due date", "due_date", 12.0),
    col("按期", "On time", "on_time", 8.0),
    col("达标", "Compliant", "compliant", 10.0),
    col("超时环节", "Stages late", "late_stages", 28.0),
    col(
        "工作日（含暂停）",
        "Working days (gross)",
        "working_days_gross",
        20.0,
    ),
    col(
        "工作日（扣除暂停）",
        "Working days (net)",
        "working_days_net",
        20.0,
    ),
];

/// The compliance report as a workbook.
pub fn compliance(r: &ComplianceReport, how: &Render) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let lang = how.lang;

    // The centers, a total row, and the rate by center as a chart.
    let centers_name = how.t("按供电服务中心", "By center");
    {
        let ws = book.add_worksheet();
        header(ws, centers_name, &CENTERS, lang, &s)?;
        let n = r.centers.len() as u32;
        for (i, c) in r.centers.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &c.service_center)?;
            ws.write_number(row, 1, c.closed as f64)?;
            ws.write_number(row, 2, c.on_time as f64)?;
            ws.write_number(row, 3, c.compliant as f64)?;
            formula(
                ws,
                (row, 4),
                share(3, 1, row + 1),
                c.compliance_rate,
                &s.percent,
            )?;
            ws.write_number_with_format(row, 5, c.mean_working_days_gross, &s.days)?;
            ws.write_number_with_format(row, 6, c.mean_working_days_net, &s.days)?;
        }
        // The total: sums of the centers, the rate of the sums, the means
        // weighted by tickets closed.
        let t = &r.total;
        let row = n + 1;
        let excel = row + 1;
        ws.write_string_with_format(row, 0, how.t("合计", "Total"), &s.total)?;
        if n == 0 {
            for (c, v) in [(1, t.closed), (2, t.on_time), (3, t.compliant)] {
                ws.write_number_with_format(row, c, v as f64, &s.total)?;
            }
            ws.write_number_with_format(row, 4, t.compliance_rate, &s.total_percent)?;
            ws.write_number_with_format(row, 5, t.mean_working_days_gross, &s.total_days)?;
            ws.write_number_with_format(row, 6, t.mean_working_days_net, &s.total_days)?;
        } else {
            for (c, v) in [(1u16, t.closed), (2, t.on_time), (3, t.compliant)] {
                let l = letter(c);
                formula(
                    ws,
                    (row, c),
                    format!("=SUM({l}2:{l}{n1})", n1 = n + 1),
                    v as f64,
                    &s.total,
                )?;
            }
            formula(
                ws,
                (row, 4),
                share(3, 1, excel),
                t.compliance_rate,
                &s.total_percent,
            )?;
            for (c, v) in [
                (5u16, t.mean_working_days_gross),
                (6, t.mean_working_days_net),
            ] {
                let l = letter(c);
                formula(
                    ws,
                    (row, c),
                    format!(
                        "=IF(B{excel}=0,0,SUMPRODUCT(B2:B{n1},{l}2:{l}{n1})/B{excel})",
                        n1 = n + 1
                    ),
                    v,
                    &s.total_days,
                )?;
            }
        }
        finish_table(ws, n, CENTERS.len())?;
        if n > 0 {
            let mut chart = column_chart(
                (centers_name, n),
                &[(4, BLUE)],
                Some("0.0%"),
                how.t("各供电服务中心达标率", "Compliance rate by center"),
                how.t("达标率", "Compliance rate"),
            );
            chart.y_axis().set_num_format("0%").set_max(1);
            chart.legend().set_hidden();
            ws.insert_chart(n + 3, 0, &chart)?;
        }
    }

    // The limited stages.
    {
        let ws = book.add_worksheet();
        header(ws, how.t("按环节", "By stage"), &STAGES, lang, &s)?;
        let names = r.stages.iter().map(|x| how.stage(&x.stage));
        fit(ws, (0, &STAGES[0], lang), names)?;
        let mut row = 0u32;
        for st in &r.stages {
            row += 1;
            ws.write_string(row, 0, how.stage(&st.stage))?;
            ws.write_number(row, 1, st.entered as f64)?;
            ws.write_number(row, 2, st.within_limit as f64)?;
            formula(ws, (row, 3), share(2, 1, row + 1), st.rate, &s.percent)?;
            ws.write_number_with_format(row, 4, st.mean_working_days, &s.days)?;
            ws.write_number(row, 5, st.p90_working_days)?;
        }
        finish_table(ws, row, STAGES.len())?;
    }

    // The tickets (one row each: constant memory).
    {
        let ws = book.add_worksheet_with_constant_memory()?;
        header(ws, how.t("工单明细", "Tickets"), &TICKETS, lang, &s)?;
        // Late stages: as wide as the longest stage name.
        let names = how.policy.stages.iter().map(|x| how.stage(x.key.as_str()));
        fit(ws, (7, &TICKETS[7], lang), names)?;
        let sep = how.t("、", ", ");
        let mut row = 0u32;
        for x in &r.tickets {
            row += 1;
            ws.write_string(row, 0, &x.ticket_no)?;
            ws.write_string(row, 1, &x.service_center)?;
            ws.write_date_with_format(row, 2, x.accepted_on, &s.date)?;
            ws.write_date_with_format(row, 3, x.closed_on, &s.date)?;
            ws.write_date_with_format(row, 4, x.due_date, &s.date)?;
            for (c, b) in [(5u16, x.on_time), (6, x.compliant)] {
                let f = if b { &s.flag } else { &s.warn };
                ws.write_string_with_format(row, c, how.yes_no(b), f)?;
            }
            let late: Vec<String> = x.late_stages.iter().map(|k| how.stage(k)).collect();
            ws.write_string(row, 7, late.join(sep))?;
            ws.write_number(row, 8, x.working_days_gross as f64)?;
            ws.write_number(row, 9, x.working_days_net as f64)?;
        }
        finish_table(ws, row, TICKETS.len())?;
    }

    Defs::new(how, "compliance", ("全环节达标率", "All-stage compliance"))
        .period(r.from, r.to)
        .rules(r.scope, &r.calendar_version, &r.policy_hash)
        .add("统计口径", "Definitions", r.definitions.clone())
        .write(&mut book, &s)?;
    book.save_to_buffer()
}
