//! The durations report (办电时长) as a workbook: by voltage level (with
//! the mean, median and P90 as a chart), by category, by stage, each with
//! working and calendar days; the definitions.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{
    BLUE, Col, Defs, LIGHT_BLUE, ORANGE, Render, Styles, col, column_chart, finish_table, fit,
    formula, header, letter,
};
use crate::reports::durations::{DurationsReport, Group};
use crate::reports::stats::Summary;

/// What a group is: a voltage level, a category, a stage.
pub(crate) const VOLTAGE: Col = col("电压等级", "Voltage level", "voltage", 12.0);
pub(crate) const CATEGORY: Col = col("业务类别", "Category", "category", 30.0);
pub(crate) const STAGE: Col = col("环节", "Stage", "stage", 28.0);

/// How many tickets a group has, or (a stage) how many visits.
pub(crate) const TICKETS: Col = col("工单数", "Tickets", "count", 10.0);
pub(crate) const VISITS: Col = col("环节次数", "Visits", "count", 10.0);

/// The summaries of a group, in the workbook and the CSV file.
pub(crate) const SUMMARY: [Col; 8] = [
    col("平均工作日", "Mean working days", "working_days_mean", 18.0),
    col(
        "工作日中位数",
        "Median working days",
        "working_days_median",
        20.0,
    ),
    col("工作日P90", "P90 working days", "working_days_p90", 16.0),
    col("最长工作日", "Max working days", "working_days_max", 16.0),
    col(
        "平均自然日",
        "Mean calendar days",
        "calendar_days_mean",
        18.0,
    ),
    col(
        "自然日中位数",
        "Median calendar days",
        "calendar_days_median",
        20.0,
    ),
    col("自然日P90", "P90 calendar days", "calendar_days_p90", 16.0),
    col("最长自然日", "Max calendar days", "calendar_days_max", 16.0),
];

/// A sheet of groups: its name, what its groups are, what they count, and
/// how a group's key reads.
struct Sheet<'a> {
    name: &'a str,
    key: Col,
    count: Col,
    label: &'a dyn Fn(&str) -> String,
}

/// Mean, median, P90 and max from column `c`.
fn summary(ws: &mut Worksheet, row: u32, c: u16, x: &Summary, s: &Styles) -> Result<(), XlsxError> {
    ws.write_number_with_format(row, c, x.mean, &s.days)?;
    ws.write_number_with_format(row, c + 1, x.median, &s.days)?;
    ws.write_number(row, c + 2, x.p90)?;
    ws.write_number(row, c + 3, x.max)?;
    Ok(())
}

/// A sheet of `groups`, with a row of all tickets after them when `all`
/// is given: its count a sum, its means weighted by the groups' counts and
/// its maxima those of the groups (formulas stored with the report's
/// figures); its medians and P90s the report's (they do not follow from the
/// groups'). The number of groups.
fn groups(
    ws: &mut Worksheet,
    sheet: Sheet,
    groups: &[Group],
    all: Option<&Group>,
    how: &Render,
    s: &Styles,
) -> Result<u32, XlsxError> {
    let mut cols = vec![sheet.key, sheet.count];
    cols.extend(SUMMARY);
    header(ws, sheet.name, &cols, how.lang, s)?;
    let labels: Vec<String> = groups.iter().map(|g| (sheet.label)(&g.key)).collect();
    fit(ws, (0, &sheet.key, how.lang), &labels)?;
    let n = groups.len() as u32;
    for (i, g) in groups.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &labels[i])?;
        ws.write_number(row, 1, g.working_days.count as f64)?;
        summary(ws, row, 2, &g.working_days, s)?;
        summary(ws, row, 6, &g.calendar_days, s)?;
    }
    if let Some(all) = all {
        let (row, last) = (n + 1, n + 1);
        let total = row + 1;
        ws.write_string_with_format(row, 0, how.t("全部", "All"), &s.total)?;
        if n == 0 {
            ws.write_number_with_format(row, 1, 0.0, &s.total)?;
        } else {
            formula(
                ws,
                (row, 1),
                format!("=SUM(B2:B{last})"),
                all.working_days.count as f64,
                &s.total,
            )?;
        }
        for (c, x) in [(2u16, &all.working_days), (6, &all.calendar_days)] {
            let (mean, max) = (letter(c), letter(c + 3));
            if n == 0 {
                ws.write_number_with_format(row, c, x.mean, &s.total_days)?;
                ws.write_number_with_format(row, c + 3, x.max, &s.total)?;
            } else {
                formula(
                    ws,
                    (row, c),
                    format!(
                        "=IF(B{total}=0,0,SUMPRODUCT(B2:B{last},{mean}2:{mean}{last})/B{total})"
                    ),
                    x.mean,
                    &s.total_days,
                )?;
                formula(
                    ws,
                    (row, c + 3),
                    format!("=MAX({max}2:{max}{last})"),
                    x.max,
                    &s.total,
                )?;
            }
            ws.write_number_with_format(row, c + 1, x.median, &s.total_days)?;
            ws.write_number_with_format(row, c + 2, x.p90, &s.total)?;
        }
    }
    finish_table(ws, n, cols.len())?;
    Ok(n)
}

/// The durations report as a workbook.
pub fn durations(r: &DurationsReport, how: &Render) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let same = |k: &str| k.to_string();

    let voltage_name = how.t("按电压等级", "By voltage level");
    {
        let ws = book.add_worksheet();
        let sheet = Sheet {
            name: voltage_name,
            key: VOLTAGE,
            count: TICKETS,
            label: &same,
        };
        let n = groups(ws, sheet, &r.by_voltage, Some(&r.all), how, &s)?;
        if n > 0 {
            // Mean, median and P90 working days by voltage level.
            let chart = column_chart(
                (voltage_name, n),
                &[(2, BLUE), (3, LIGHT_BLUE), (4, ORANGE)],
                Some("0.0"),
                how.t(
                    "各电压等级办电时长（工作日）",
                    "Working days to connect by voltage level",
                ),
                how.t("工作日", "Working days"),
            );
            ws.insert_chart(n + 3, 0, &chart)?;
        }
    }
    let category = |k: &str| how.category(k);
    let sheet = Sheet {
        name: how.t("按业务类别", "By category"),
        key: CATEGORY,
        count: TICKETS,
        label: &category,
    };
    groups(
        book.add_worksheet(),
        sheet,
        &r.by_category,
        Some(&r.all),
        how,
        &s,
    )?;
    let stage = |k: &str| how.stage(k);
    let sheet = Sheet {
        name: how.t("按环节", "By stage"),
        key: STAGE,
        count: VISITS,
        label: &stage,
    };
    groups(book.add_worksheet(), sheet, &r.by_stage, None, how, &s)?;

    Defs::new(how, "durations", ("办电时长", "Time to connect"))
        .period(r.from, r.to)
        .rules(r.scope, &r.calendar_version, &r.policy_hash)
        .add("统计口径", "Definitions", r.definitions.clone())
        .write(&mut book, &s)?;
    book.save_to_buffer()
}
