//! Reports as Excel workbooks (rust_xlsxwriter): a frozen header with an
//! autofilter, column widths that fit, numbers as numbers and dates as
//! dates, the light as a fill colour, a sheet per center with totals
//! (formulas written with their results, so viewers other than Excel show
//! them) and a chart, and a sheet of definitions (口径). Rows are written in
//! constant memory mode: a large export does not grow with its rows.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, Color, Format, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};

use super::ReportScope;
use super::overdue::OverdueReport;
use crate::mail::Lang;
use crate::sla::Light;

fn fill(light: Light) -> Color {
    match light {
        Light::Overdue => Color::RGB(0xC0_0000),
        Light::Red => Color::RGB(0xFF_6666),
        Light::Yellow => Color::RGB(0xFF_E066),
        Light::Green => Color::RGB(0x8F_D18F),
    }
}

/// Who asked for the workbook and when, for its definitions sheet.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub generated_at: DateTime<Utc>,
    pub generated_by: String,
    pub zone: chrono_tz::Tz,
}

/// The overdue report as a workbook: the tickets, the centers, the
/// definitions.
pub fn overdue(r: &OverdueReport, lang: Lang, who: &Provenance) -> Result<Vec<u8>, XlsxError> {
    let zh = lang == Lang::ZhCn;
    let t = |zh_text: &'static str, en: &'static str| if zh { zh_text } else { en };
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDD_EBF7))
        .set_border_bottom(FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm");

    // The tickets.
    let tickets_name = t("逾期工单", "Overdue");
    {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(tickets_name)?;
        let columns: [(&str, &str, f64); 15] = [
            ("工单编号", "Ticket no", 18.0),
            ("客户名称", "Customer", 28.0),
            ("供电服务中心", "Service center", 14.0),
            ("客户经理", "Manager", 12.0),
            ("责任人", "Owner", 12.0),
            ("责任人姓名", "Owner name", 12.0),
            ("升级层级", "Level", 8.0),
            ("状态", "Status", 8.0),
            ("环节", "Stage", 16.0),
            ("环节开始", "Stage since", 17.0),
            ("到期日", "Due date", 12.0),
            ("逾期工作日", "Working days overdue", 12.0),
            ("剩余工作日", "Working days left", 12.0),
            ("暂停工作日", "Working days paused", 12.0),
            ("预警", "Light", 8.0),
        ];
        for (c, (zh_h, en_h, width)) in columns.iter().enumerate() {
            let c = c as u16;
            ws.set_column_width(c, *width)?;
            ws.write_string_with_format(0, c, if zh { *zh_h } else { *en_h }, &header)?;
        }
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
            ws.write_datetime_with_format(row, 9, local(x.stage_since), &stamp)?;
            ws.write_date_with_format(row, 10, x.due_date, &date)?;
            ws.write_number(row, 11, x.overdue_working_days as f64)?;
            ws.write_number(row, 12, x.remaining_working_days as f64)?;
            ws.write_number(row, 13, x.paused_working_days)?;
            let light = Format::new().set_background_color(fill(x.light));
            let light = if x.light == Light::Overdue {
                light.set_font_color(Color::White)
            } else {
                light
            };
            ws.write_string_with_format(row, 14, super::light_label(x.light, lang), &light)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, row.max(1), 14)?;
        // Printed: landscape, every column on the page width.
        ws.set_landscape().set_print_fit_to_pages(1, 0);
    }

    // The centers, with totals and a chart.
    let centers_name = t("按供电服务中心", "By center");
    {
        let ws = book.add_worksheet();
        ws.set_name(centers_name)?;
        let heads = [
            t("供电服务中心", "Service center"),
            t("已逾期", "Overdue"),
            t("红", "Red"),
            t("黄", "Yellow"),
            t("合计", "Total"),
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.set_column_width(c as u16, if c == 0 { 16.0 } else { 10.0 })?;
            ws.write_string_with_format(0, c as u16, *h, &header)?;
        }
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
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, row.max(1), 4)?;
        if row > 0 {
            let mut chart = Chart::new(ChartType::Column);
            let sheet = centers_name;
            for (col, color) in [
                (1u16, fill(Light::Overdue)),
                (2, fill(Light::Red)),
                (3, fill(Light::Yellow)),
            ] {
                chart
                    .add_series()
                    .set_name((sheet, 0, col))
                    .set_categories((sheet, 1, 0, row, 0))
                    .set_values((sheet, 1, col, row, col))
                    .set_format(
                        ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(color)),
                    );
            }
            chart.title().set_name(t(
                "各供电服务中心逾期与预警工单",
                "Overdue and due soon by center",
            ));
            ws.insert_chart(1, 6, &chart)?;
        }
    }

    definitions(
        book.add_worksheet(),
        r,
        lang,
        who,
        t("口径", "Definitions"),
        &header,
    )?;
    book.save_to_buffer()
}

fn definitions(
    ws: &mut Worksheet,
    r: &OverdueReport,
    lang: Lang,
    who: &Provenance,
    name: &str,
    header: &Format,
) -> Result<(), XlsxError> {
    let zh = lang == Lang::ZhCn;
    ws.set_name(name)?;
    ws.set_column_width(0, 18.0)?;
    ws.set_column_width(1, 90.0)?;
    let d = &r.definitions;
    let local = |at: DateTime<Utc>| {
        at.with_timezone(&who.zone)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    };
    let scope = match d.scope {
        ReportScope::Bureau(id) => format!("bureau {id}"),
        ReportScope::Center(id) => format!("service center {id}"),
        ReportScope::Manager(id) => format!("manager {id}"),
    };
    let rows: Vec<(&str, String)> = vec![
        (if zh { "报表" } else { "Report" }, "overdue".into()),
        (if zh { "统计时点" } else { "As of" }, local(d.as_of)),
        (if zh { "范围" } else { "Scope" }, scope),
        (
            if zh { "日历版本" } else { "Calendar" },
            d.calendar_version.clone(),
        ),
        (
            if zh { "规则版本" } else { "Policy" },
            d.policy_hash.clone(),
        ),
        (if zh { "逾期口径" } else { "Overdue" }, d.overdue.clone()),
        (if zh { "预警口径" } else { "Due soon" }, d.due_soon.clone()),
        (
            if zh { "生成时间" } else { "Generated at" },
            local(who.generated_at),
        ),
        (
            if zh { "生成人" } else { "Generated by" },
            who.generated_by.clone(),
        ),
    ];
    ws.write_string_with_format(0, 0, if zh { "项目" } else { "Item" }, header)?;
    ws.write_string_with_format(0, 1, if zh { "内容" } else { "Value" }, header)?;
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *k)?;
        ws.write_string(i as u32 + 1, 1, v)?;
    }
    Ok(())
}
