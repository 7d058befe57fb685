//! The overdue report as a workbook: the tickets (the light as a fill
//! colour), the centers with totals and a chart, the definitions.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Color, Format, Formula, Workbook, XlsxError};

use super::{Col, Defs, Render, Styles, col, column_chart, finish_table, header};
use crate::reports::overdue::OverdueReport;
use crate::sla::Light;

/// The columns of the tickets, in the workbook and the CSV file.
pub(crate) const TICKETS: [Col; 15] = [
    col("工单编号", "Ticket no", "ticket_no", 18.0),
    col("客户名称", "Customer", "customer", 28.0),
    col("供电服务中心", "Service center", "service_center", 14.0),
    col("客户经理", "Manager", "manager", 12.0),
    col("责任人", "Owner", "owner", 12.0),
    col("责任人姓名", "Owner name", "owner_name", 12.0),
    col("升级层级", "Level", "escalation_level", 8.0),
    col("状态", "Status", "status", 8.0),
    col("环节", "Stage", "stage", 16.0),
    col("环节开始", "Stage since", "stage_since", 17.0),
    col("到期日", "Due date", "due_date", 12.0),
    col(
        "逾期工作日",
        "Working days overdue",
        "overdue_working_days",
        12.0,
    ),
    col(
        "剩余工作日",
        "Working days left",
        "remaining_working_days",
        12.0,
    ),
    col(
        "暂停工作日",
        "Working days paused",
        "paused_working_days",
        12.0,
    ),
    col("预警", "Light", "light", 8.0),
];

const CENTERS: [Col; 5] = [
    col("供电服务中心", "Service center", "service_center", 16.0),
    col("已逾期", "Overdue", "overdue", 10.0),
    col("红", "Red", "red", 10.0),
    col("黄", "Yellow", "yellow", 10.0),
    col("合计", "Total", "total", 10.0),
];

fn fill(light: Light) -> Color {
    match light {
        Light::Overdue => Color::RGB(0xC0_0000),
        Light::Red => Color::RGB(0xFF_6666),
        Light::Yellow => Color::RGB(0xFF_E066),
        Light::Green => Color::RGB(0x8F_D18F),
    }
}

/// The overdue report as a workbook: the tickets, the centers, the
/// definitions.
pub fn overdue(r: &OverdueReport, how: &Render) -> Result<Vec<u8>, XlsxError> {
    let (lang, who) = (how.lang, how.who);
    let s = Styles::new();
    let mut book = Workbook::new();

    // The tickets.
    {
        let ws = book.add_worksheet_with_constant_memory()?;
        header(ws, how.t("逾期工单", "Overdue"), &TICKETS, lang, &s)?;
        let mut row = 0u32;
        for x in r.rows.iter().chain(&r.due_soon) {
            row += 1;
            let local = |at: DateTime<Utc>| at.with_timezone(&who.zone).naive_local();
            ws.write_string(row, 0, &x.ticket_no)?;
            ws.write_string(row, 1, &x.customer_name)?;
            ws.write_string(row, 2, &x.service_center)?;
            ws.write_string(row, 3, &x.manager)?;
            ws.write_string(row, 4, &x.owner)?;
            ws.write_string(row, 5, &x.owner_name)?;
            ws.write_number(row, 6, x.escalation_level)?;
            ws.write_string(row, 7, x.status.as_str())?;
            ws.write_string(row, 8, &x.stage)?;
            ws.write_datetime_with_format(row, 9, local(x.stage_since), &s.stamp)?;
            ws.write_date_with_format(row, 10, x.due_date, &s.date)?;
            ws.write_number(row, 11, x.overdue_working_days as f64)?;
            ws.write_number(row, 12, x.remaining_working_days as f64)?;
            ws.write_number(row, 13, x.paused_working_days)?;
            let light = Format::new().set_background_color(fill(x.light));
            let light = if x.light == Light::Overdue {
                light.set_font_color(Color::White)
            } else {
                light
            };
            ws.write_string_with_format(
                row,
                14,
                crate::reports::light_label(x.light, lang),
                &light,
            )?;
        }
        finish_table(ws, row, TICKETS.len())?;
    }

    // The centers, with totals and a chart.
    let centers_name = how.t("按供电服务中心", "By center");
    {
        let ws = book.add_worksheet();
        header(ws, centers_name, &CENTERS, lang, &s)?;
        let mut row = 0u32;
        for c in &r.totals {
            row += 1;
            ws.write_string(row, 0, &c.service_center)?;
            ws.write_number(row, 1, c.overdue as f64)?;
            ws.write_number(row, 2, c.red as f64)?;
            ws.write_number(row, 3, c.yellow as f64)?;
            let excel_row = row + 1;
            ws.write_formula(
                row,
                4,
                Formula::new(format!("=SUM(B{excel_row}:D{excel_row})"))
                    .set_result((c.overdue + c.red + c.yellow).to_string()),
            )?;
        }
        finish_table(ws, row, CENTERS.len())?;
        if row > 0 {
            let series = [Light::Overdue, Light::Red, Light::Yellow].map(fill);
            let chart = column_chart(
                (centers_name, row),
                &[(1, series[0]), (2, series[1]), (3, series[2])],
                None,
                how.t(
                    "各供电服务中心逾期与预警工单",
                    "Overdue and due soon by center",
                ),
                how.t("工单数", "Tickets"),
            );
            ws.insert_chart(1, 6, &chart)?;
        }
    }

    let d = &r.definitions;
    Defs::new(how, "overdue", ("逾期工单", "Overdue tickets"))
        .instant(d.as_of)
        .rules(d.scope, &d.calendar_version, &d.policy_hash)
        .add("逾期口径", "Overdue", d.overdue.clone())
        .add("预警口径", "Due soon", d.due_soon.clone())
        .write(&mut book, &s)?;
    book.save_to_buffer()
}
