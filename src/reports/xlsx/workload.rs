//! The workload report as a workbook: the customer managers with a total
//! row, the centers with customers per manager against the target (and as
//! a chart), the definitions.

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartMarker, ChartMarkerType, ChartSolidFill, ChartType, Color,
    Formula, Workbook, XlsxError,
};

use super::{
    BLUE, Col, Defs, Render, Styles, col, column_chart, finish_table, formula, header, letter,
    share,
};
use crate::reports::workload::WorkloadReport;

/// The customer managers, in the workbook and the CSV file.
pub(crate) const MANAGERS: [Col; 10] = [
    col("客户经理", "Manager", "manager", 12.0),
    col("姓名", "Name", "name", 12.0),
    col("供电服务中心", "Service center", "service_center", 14.0),
    col("在办工单", "Open, managed", "open_managed", 14.0),
    col("责任工单", "Open, owned", "open_owned", 12.0),
    col("客户数", "Customers", "customers", 10.0),
    col("当前逾期", "Overdue now", "overdue_now", 12.0),
    col("期间送电", "Closed in period", "closed_in_period", 16.0),
    col("按期送电", "Closed on time", "closed_on_time", 16.0),
    col("按期率", "On-time rate", "on_time_rate", 12.0),
];

/// The centers.
pub(crate) const CENTERS: [Col; 6] = [
    col("供电服务中心", "Service center", "service_center", 14.0),
    col("客户经理人数", "Managers", "managers", 14.0),
    col("客户数", "Customers", "customers", 10.0),
    col(
        "人均客户数",
        "Customers per manager",
        "customers_per_manager",
        22.0,
    ),
    col(
        "目标人均客户数",
        "Target per manager",
        "target_customers_per_manager",
        20.0,
    ),
    col("超出目标", "Over target", "over_target", 12.0),
];

/// The workload report as a workbook.
pub fn workload(r: &WorkloadReport, how: &Render) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let lang = how.lang;

    // The managers, and a total row (customers are not summed: a customer
    // may have tickets with two managers).
    {
        let ws = book.add_worksheet();
        header(ws, how.t("客户经理", "Managers"), &MANAGERS, lang, &s)?;
        let mut sums = [0u64; 10];
        for (i, m) in r.managers.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &m.manager)?;
            ws.write_string(row, 1, &m.name)?;
            ws.write_string(row, 2, &m.service_center)?;
            let counts = [
                (3usize, m.open_managed),
                (4, m.open_owned),
                (5, m.customers),
                (6, m.overdue_now),
                (7, m.closed_in_period),
                (8, m.closed_on_time),
            ];
            for (c, v) in counts {
                ws.write_number(row, c as u16, v as f64)?;
                sums[c] += v;
            }
            formula(
                ws,
                (row, 9),
                share(8, 7, row + 1),
                m.on_time_rate,
                &s.percent,
            )?;
        }
        let n = r.managers.len() as u32;
        let row = n + 1;
        ws.write_string_with_format(row, 0, how.t("合计", "Total"), &s.total)?;
        for c in [1u16, 2, 5] {
            ws.write_blank(row, c, &s.total)?;
        }
        for c in [3u16, 4, 6, 7, 8] {
            let l = letter(c);
            let sum = sums[c as usize] as f64;
            if n == 0 {
                ws.write_number_with_format(row, c, sum, &s.total)?;
            } else {
                formula(
                    ws,
                    (row, c),
                    format!("=SUM({l}2:{l}{n1})", n1 = n + 1),
                    sum,
                    &s.total,
                )?;
            }
        }
        let rate = if sums[7] == 0 {
            0.0
        } else {
            sums[8] as f64 / sums[7] as f64
        };
        formula(ws, (row, 9), share(8, 7, row + 1), rate, &s.total_percent)?;
        finish_table(ws, n, MANAGERS.len())?;
    }

    // The centers, and customers per manager against the target as a chart.
    let centers_name = how.t("按供电服务中心", "By center");
    {
        let ws = book.add_worksheet();
        header(ws, centers_name, &CENTERS, lang, &s)?;
        let mut row = 0u32;
        for c in &r.centers {
            row += 1;
            let excel = row + 1;
            ws.write_string(row, 0, &c.service_center)?;
            ws.write_number(row, 1, c.managers as f64)?;
            ws.write_number(row, 2, c.customers as f64)?;
            formula(
                ws,
                (row, 3),
                share(2, 1, excel),
                c.customers_per_manager,
                &s.days,
            )?;
            ws.write_number(row, 4, c.target_customers_per_manager)?;
            let over = Formula::new(format!(
                "=IF(D{excel}>E{excel},\"{yes}\",\"{no}\")",
                yes = how.yes_no(true),
                no = how.yes_no(false)
            ))
            .set_result(how.yes_no(c.over_target));
            let f = if c.over_target { &s.warn } else { &s.flag };
            ws.write_formula_with_format(row, 5, over, f)?;
        }
        finish_table(ws, row, CENTERS.len())?;
        if row > 0 {
            let mut chart = column_chart(
                (centers_name, row),
                &[(3, BLUE)],
                Some("0.0"),
                how.t(
                    "各供电服务中心人均客户数与目标",
                    "Customers per manager by center against the target",
                ),
                how.t("客户数/人", "Customers per manager"),
            );
            let mut target = Chart::new(ChartType::Line);
            let red = Color::RGB(0xC0_0000);
            target
                .add_series()
                .set_name((centers_name, 0, 4))
                .set_categories((centers_name, 1, 0, row, 0))
                .set_values((centers_name, 1, 4, row, 4))
                .set_format(
                    ChartFormat::new().set_line(ChartLine::new().set_color(red).set_width(2.0)),
                )
                .set_marker(
                    ChartMarker::new()
                        .set_type(ChartMarkerType::Circle)
                        .set_size(6)
                        .set_format(
                            ChartFormat::new()
                                .set_solid_fill(ChartSolidFill::new().set_color(red))
                                .set_line(ChartLine::new().set_color(red)),
                        ),
                );
            chart.combine(&target);
            ws.insert_chart(row + 2, 0, &chart)?;
        }
    }

    Defs::new(how, "workload", ("客户经理工作量", "Workload"))
        .period(r.from, r.to)
        .instant(r.as_of)
        .rules(r.scope, &r.calendar_version, &r.policy_hash)
        .add(
            "目标人均客户数",
            "Target customers per manager",
            r.target_customers_per_manager.to_string(),
        )
        .add("统计口径", "Definitions", r.definitions.clone())
        .write(&mut book, &s)?;
    book.save_to_buffer()
}
