//! The coordination report as a workbook: the departments with a total row
//! and a chart of the in-time rate by department, the definitions.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{
    BLUE, Col, Defs, Render, Styles, col, column_chart_by, finish_table, fit, formula, header,
    letter, share,
};
use crate::reports::coordination::CoordinationReport;

/// The departments (and the total row), in the workbook and the CSV file.
pub(crate) const DEPARTMENTS: [Col; 10] = [
    col("部门编码", "Department code", "department", 12.0),
    col("部门", "Department", "name", 12.0),
    col("收到请求", "Received", "received", 10.0),
    col("已答复", "Answered", "answered", 10.0),
    col("按时答复", "Answered in time", "answered_in_time", 10.0),
    col("按时答复率", "In-time rate", "in_time_rate", 12.0),
    col(
        "答复用时中位数（工作小时）",
        "Median answer (working hours)",
        "median_answer_working_hours",
        16.0,
    ),
    col("当前待答复", "Open now", "open_now", 10.0),
    col("当前逾期", "Overdue now", "overdue_now", 10.0),
    col(
        "例会决定",
        "Decided at the meeting",
        "decided_at_meeting",
        10.0,
    ),
];

/// The coordination report as a workbook.
pub fn coordination(r: &CoordinationReport, how: &Render) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let lang = how.lang;
    // Working hours: 6.75, 9.5.
    let hours = Format::new().set_num_format("0.0#");
    let total_hours = s.total.clone().set_num_format("0.0#");

    let name = how.t("按部门", "By department");
    {
        let ws = book.add_worksheet();
        header(ws, name, &DEPARTMENTS, lang, &s)?;
        fit(
            ws,
            (1, &DEPARTMENTS[1], lang),
            r.rows.iter().map(|d| &d.name),
        )?;
        let n = r.rows.len() as u32;
        // Counts: (column, figure).
        let counts = |d: &crate::reports::coordination::DepartmentRow| {
            [
                (2u16, d.received),
                (3, d.answered),
                (4, d.answered_in_time),
                (7, d.open_now),
                (8, d.overdue_now),
                (9, d.decided_at_meeting),
            ]
        };
        for (i, d) in r.rows.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &d.department)?;
            ws.write_string(row, 1, &d.name)?;
            for (c, v) in counts(d) {
                ws.write_number(row, c, v as f64)?;
            }
            formula(
                ws,
                (row, 5),
                share(4, 2, row + 1),
                d.in_time_rate,
                &s.percent,
            )?;
            if let Some(h) = d.median_answer_working_hours {
                ws.write_number_with_format(row, 6, h, &hours)?;
            }
        }
        // The total: sums of the departments, the rate of the sums; the
        // median is the report's (it does not follow from the rows').
        let t = &r.total;
        let row = n + 1;
        ws.write_string_with_format(row, 0, how.t("合计", "Total"), &s.total)?;
        ws.write_blank(row, 1, &s.total)?;
        for (c, v) in counts(t) {
            if n == 0 {
                ws.write_number_with_format(row, c, v as f64, &s.total)?;
            } else {
                let l = letter(c);
                formula(
                    ws,
                    (row, c),
                    format!("=SUM({l}2:{l}{n1})", n1 = n + 1),
                    v as f64,
                    &s.total,
                )?;
            }
        }
        formula(
            ws,
            (row, 5),
            share(4, 2, row + 1),
            t.in_time_rate,
            &s.total_percent,
        )?;
        match t.median_answer_working_hours {
            Some(h) => ws.write_number_with_format(row, 6, h, &total_hours)?,
            None => ws.write_blank(row, 6, &total_hours)?,
        };
        finish_table(ws, n, DEPARTMENTS.len())?;
        if n > 0 {
            // The rate by department, named as the department is.
            let mut chart = column_chart_by(
                (name, n, 1),
                &[(5, BLUE)],
                Some("0.0%"),
                how.t("各部门按时答复率", "In-time rate by department"),
                how.t("按时答复率", "In-time rate"),
            );
            chart.y_axis().set_num_format("0%").set_max(1);
            chart.legend().set_hidden();
            ws.insert_chart(n + 3, 0, &chart)?;
        }
    }

    Defs::new(how, "coordination", ("部门协调答复", "Coordination"))
        .period(r.from, r.to)
        .instant(r.as_of)
        .scope(r.scope)
        .add("日历版本", "Calendar", r.calendar_version.clone())
        .add("统计口径", "Definitions", r.definitions.clone())
        .write(&mut book, &s)?;
    book.save_to_buffer()
}
