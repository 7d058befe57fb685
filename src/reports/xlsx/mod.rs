//! Reports as Excel workbooks (rust_xlsxwriter), and the one place that
//! maps each report to its CSV and XLSX writers ([`Export`]).
//!
//! Every workbook follows the same conventions: a frozen header with an
//! autofilter, column widths that fit, numbers as numbers (rates as
//! percentages, days with one decimal), dates as dates, totals and rates as
//! formulas written with their results (so viewers other than Excel show
//! them), a chart of the report's main figure, and a sheet of definitions
//! (口径: the parameters, the period or instant, the calendar version, the
//! policy digest, when and by whom it was generated). Large sheets (one row
//! a ticket) are written in constant memory mode.

pub(crate) mod accountability;
pub(crate) mod compliance;
pub(crate) mod coordination;
pub(crate) mod durations;
pub(crate) mod overdue;
pub(crate) mod workload;

pub use accountability::accountability;
pub use compliance::compliance;
pub use coordination::coordination;
pub use durations::durations;
pub use overdue::overdue;
pub use workload::workload;

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFont, ChartFormat, ChartSolidFill, ChartType, Color, Format,
    FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;

use super::ReportScope;
use crate::mail::Lang;
use crate::sla::SlaPolicy;

/// Who asked for the workbook and when, for its definitions sheet.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub generated_at: DateTime<Utc>,
    pub generated_by: String,
    pub zone: chrono_tz::Tz,
}

/// How a report is written out: for whom, in which language, with the
/// names of the policy's stages and categories.
pub struct Render<'a> {
    pub lang: Lang,
    pub who: &'a Provenance,
    pub policy: &'a SlaPolicy,
}

impl Render<'_> {
    pub(crate) fn zh(&self) -> bool {
        self.lang == Lang::ZhCn
    }

    /// `zh` or `en` by the reader's language.
    pub(crate) fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        if self.zh() { zh } else { en }
    }

    /// A stage's name in the reader's language (its key if unknown).
    pub(crate) fn stage(&self, key: &str) -> String {
        match self.policy.stage(key) {
            Some(s) if self.zh() => s.name_zh.clone(),
            Some(s) => s.name_en.clone(),
            None => key.to_string(),
        }
    }

    /// A ticket category's name in the reader's language (its key if unknown).
    pub(crate) fn category(&self, key: &str) -> String {
        match self.policy.category(key) {
            Some(c) if self.zh() => c.name_zh.clone(),
            Some(c) => c.name_en.clone(),
            None => key.to_string(),
        }
    }

    pub(crate) fn yes_no(&self, b: bool) -> &'static str {
        match (b, self.zh()) {
            (true, true) => "是",
            (false, true) => "否",
            (true, false) => "yes",
            (false, false) => "no",
        }
    }
}

/// A report with CSV and XLSX writers. To give a report files, add it to
/// the table below; the API (`format=csv|xlsx`) and the command line
/// (`--format csv|xlsx`) then send them.
pub trait Export: Serialize {
    /// The file name without extension (`compliance` → `compliance.xlsx`).
    const NAME: &'static str;
    fn csv(&self, how: &Render) -> Vec<u8>;
    fn xlsx(&self, how: &Render) -> Result<Vec<u8>, XlsxError>;
    /// How many rows its workbook's tables hold (totals included), for a
    /// writer's progress.
    fn rows(&self) -> usize;
}

/// Each report: its file name, its CSV writer, its XLSX writer, and how
/// many rows its workbook's tables hold.
macro_rules! exports {
    ($($report:ty => $name:literal, $csv:path, $xlsx:path, |$r:ident| $rows:expr;)*) => {$(
        impl Export for $report {
            const NAME: &'static str = $name;
            fn csv(&self, how: &Render) -> Vec<u8> {
                $csv(self, how)
            }
            fn xlsx(&self, how: &Render) -> Result<Vec<u8>, XlsxError> {
                $xlsx(self, how)
            }
            fn rows(&self) -> usize {
                let $r = self;
                $rows
            }
        }
    )*};
}

exports! {
    super::overdue::OverdueReport => "overdue", super::csv::overdue, overdue,
        |r| r.rows.len() + r.due_soon.len() + r.totals.len();
    super::compliance::ComplianceReport => "compliance", super::csv::compliance, compliance,
        |r| r.centers.len() + 1 + r.stages.len() + r.tickets.len();
    super::durations::DurationsReport => "durations", super::csv::durations, durations,
        |r| r.by_voltage.len() + r.by_category.len() + r.by_stage.len() + 2;
    super::workload::WorkloadReport => "workload", super::csv::workload, workload,
        |r| r.managers.len() + 1 + r.centers.len();
    super::coordination::CoordinationReport => "coordination", super::csv::coordination,
        coordination, |r| r.rows.len() + 1;
    super::accountability::AccountabilityReport => "accountability",
        super::csv::accountability, accountability, |r| r.rows.len() + r.totals.len();
}

/// A file a report is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// `format=`: `None` for JSON (the default), or a file format.
    pub fn parse(raw: Option<&str>) -> Result<Option<FileFormat>, String> {
        match raw {
            None | Some("json") => Ok(None),
            Some("csv") => Ok(Some(FileFormat::Csv)),
            Some("xlsx") => Ok(Some(FileFormat::Xlsx)),
            Some(other) => Err(format!("`{other}` is not one of json, csv, xlsx")),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// `compliance.csv`, `compliance.xlsx`.
    pub fn file_name<R: Export>(self) -> String {
        let ext = match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        };
        format!("{}.{ext}", R::NAME)
    }

    /// `r` as this file.
    pub fn write<R: Export>(self, r: &R, how: &Render) -> Result<Vec<u8>, XlsxError> {
        match self {
            FileFormat::Csv => Ok(r.csv(how)),
            FileFormat::Xlsx => r.xlsx(how),
        }
    }
}

/// A column of a report's table: its header in Chinese, in English for a
/// workbook and as a key for CSV (the JSON field where there is one), and
/// its width in a workbook.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub zh: &'static str,
    pub en: &'static str,
    pub key: &'static str,
    pub width: f64,
}

pub(crate) const fn col(zh: &'static str, en: &'static str, key: &'static str, width: f64) -> Col {
    Col { zh, en, key, width }
}

impl Col {
    /// The header of a CSV file: Chinese, or the key.
    pub(crate) fn csv(&self, lang: Lang) -> &'static str {
        if lang == Lang::ZhCn {
            self.zh
        } else {
            self.key
        }
    }

    /// The header of a workbook: Chinese, or English words.
    pub(crate) fn label(&self, lang: Lang) -> &'static str {
        if lang == Lang::ZhCn { self.zh } else { self.en }
    }

    /// Its width in a workbook: at least its header's.
    fn width_in(&self, lang: Lang) -> f64 {
        self.width.max(text_width(self.label(lang)) as f64 + 2.0)
    }
}

/// The formats every workbook uses.
pub(crate) struct Styles {
    pub header: Format,
    pub date: Format,
    pub stamp: Format,
    /// A rate: 66.7%.
    pub percent: Format,
    /// Days: 3.7.
    pub days: Format,
    /// A total row: bold over a rule, as text, rate and days.
    pub total: Format,
    pub total_percent: Format,
    pub total_days: Format,
    /// A yes or no.
    pub flag: Format,
    /// A yes or no that needs attention (late, over target).
    pub warn: Format,
}

impl Styles {
    pub(crate) fn new() -> Styles {
        let total = Format::new().set_bold().set_border_top(FormatBorder::Thin);
        Styles {
            header: Format::new()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDD_EBF7))
                .set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            stamp: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            percent: Format::new().set_num_format("0.0%"),
            days: Format::new().set_num_format("0.0"),
            total_percent: total.clone().set_num_format("0.0%"),
            total_days: total.clone().set_num_format("0.0"),
            total,
            flag: Format::new().set_align(FormatAlign::Center),
            warn: Format::new()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xFF_C7CE)),
        }
    }
}

/// Names a new sheet and writes the header of `cols` on its first row,
/// with the columns' widths.
pub(crate) fn header(
    ws: &mut Worksheet,
    name: &str,
    cols: &[Col],
    lang: Lang,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, h) in cols.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, h.width_in(lang))?;
        ws.write_string_with_format(0, c, h.label(lang), &s.header)?;
    }
    Ok(())
}

/// Widens column `col`, of header `h`, to fit the longest of `texts` (no
/// wider than 60).
pub(crate) fn fit<S: AsRef<str>>(
    ws: &mut Worksheet,
    (col, h, lang): (u16, &Col, Lang),
    texts: impl IntoIterator<Item = S>,
) -> Result<(), XlsxError> {
    let min = h.width_in(lang);
    let widest = texts
        .into_iter()
        .map(|t| text_width(t.as_ref()))
        .max()
        .unwrap_or(0);
    ws.set_column_width(col, min.max((widest as f64 + 2.0).min(60.0)))?;
    Ok(())
}

/// How many columns `s` takes (a wide character, such as a Chinese one,
/// takes two).
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// How many lines `s` takes wrapped in a column of `width` (its own line
/// breaks kept): not every viewer fits a row to wrapped text.
pub(crate) fn lines(s: &str, width: f64) -> usize {
    let per_line = (width as usize).saturating_sub(2).max(1);
    s.split('\n')
        .map(|l| text_width(l).div_ceil(per_line).max(1))
        .sum()
}

/// Freezes the header of a table of `cols` columns whose last data row is
/// `last`, filters it, and prints it landscape on the page width.
pub(crate) fn finish_table(ws: &mut Worksheet, last: u32, cols: usize) -> Result<(), XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, last.max(1), cols.saturating_sub(1) as u16)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A formula stored with its result, which viewers that do not calculate
/// show.
pub(crate) fn formula(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    text: String,
    result: f64,
    format: &Format,
) -> Result<(), XlsxError> {
    ws.write_formula_with_format(
        row,
        col,
        Formula::new(text).set_result(result.to_string()),
        format,
    )?;
    Ok(())
}

/// The Excel name of a column (0 → A).
pub(crate) fn letter(col: u16) -> String {
    rust_xlsxwriter::utility::column_number_to_name(col)
}

/// `=IF(B2=0,0,D2/B2)`: the share `part` is of `whole` on Excel row `row`.
pub(crate) fn share(part: u16, whole: u16, row: u32) -> String {
    let (p, w) = (letter(part), letter(whole));
    format!("=IF({w}{row}=0,0,{p}{row}/{w}{row})")
}

/// The colours of charts' series.
pub(crate) const BLUE: Color = Color::RGB(0x2E_75B6);
pub(crate) const LIGHT_BLUE: Color = Color::RGB(0x9D_C3E6);
pub(crate) const ORANGE: Color = Color::RGB(0xED_7D31);

/// A column chart of rows 1 to `n` of `sheet`: categories from column A,
/// a series for each of `series` (a column, named by its header, and its
/// colour), with data labels in `labels` if given; titled `title`, the
/// value axis named `axis` and starting at 0, in a font every viewer has
/// Chinese glyphs for (Excel would fall back to one; others may not).
pub(crate) fn column_chart(
    (sheet, n): (&str, u32),
    series: &[(u16, Color)],
    labels: Option<&str>,
    title: &str,
    axis: &str,
) -> Chart {
    column_chart_by((sheet, n, 0), series, labels, title, axis)
}

/// [`column_chart`] with its categories from column `categories`.
pub(crate) fn column_chart_by(
    (sheet, n, categories): (&str, u32, u16),
    series: &[(u16, Color)],
    labels: Option<&str>,
    title: &str,
    axis: &str,
) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    for (col, color) in series {
        let s = chart
            .add_series()
            .set_name((sheet, 0, *col))
            .set_categories((sheet, 1, categories, n, categories))
            .set_values((sheet, 1, *col, n, *col))
            .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(*color)));
        if let Some(f) = labels {
            s.set_data_label(ChartDataLabel::new().show_value().set_num_format(f));
        }
    }
    let mut font = ChartFont::new();
    font.set_name("Microsoft YaHei");
    let mut title_font = font.clone();
    title_font.set_size(12);
    chart.title().set_name(title).set_font(&title_font);
    chart.x_axis().set_font(&font);
    chart
        .y_axis()
        .set_font(&font)
        .set_name_font(&font)
        .set_name(axis)
        .set_min(0);
    chart.legend().set_font(&font);
    chart.set_width(640).set_height(320);
    chart
}

/// What a definitions sheet (口径) says, a row a line.
pub(crate) struct Defs<'a> {
    how: &'a Render<'a>,
    rows: Vec<(&'static str, String)>,
}

impl<'a> Defs<'a> {
    /// Starts with the report: `title` in the reader's language, and its key.
    pub(crate) fn new(how: &'a Render<'a>, key: &str, title: (&'static str, &'static str)) -> Self {
        let report = if how.zh() {
            format!("{}（{key}）", title.0)
        } else {
            format!("{} ({key})", title.1)
        };
        Defs {
            how,
            rows: vec![(how.t("报表", "Report"), report)],
        }
    }

    pub(crate) fn add(mut self, zh: &'static str, en: &'static str, v: impl Into<String>) -> Self {
        self.rows.push((self.how.t(zh, en), v.into()));
        self
    }

    fn local(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.how.who.zone)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    }

    /// The instant the report is as of.
    pub(crate) fn instant(self, at: DateTime<Utc>) -> Self {
        let v = self.local(at);
        self.add("统计时点", "As of", v)
    }

    /// The closing period, inclusive.
    pub(crate) fn period(self, from: NaiveDate, to: NaiveDate) -> Self {
        let v = if self.how.zh() {
            format!("{from} 至 {to}（含）")
        } else {
            format!("{from} to {to} (inclusive)")
        };
        self.add("统计期间", "Period", v)
    }

    /// The scope, the calendar and the rules in force.
    pub(crate) fn rules(self, scope: ReportScope, calendar: &str, policy_hash: &str) -> Self {
        self.scope(scope).add("日历版本", "Calendar", calendar).add(
            "规则版本",
            "Policy",
            policy_hash,
        )
    }

    /// The scope alone.
    pub(crate) fn scope(self, scope: ReportScope) -> Self {
        let scope = match (scope, self.how.zh()) {
            (ReportScope::Bureau(id), true) => format!("供电局（id {id}）"),
            (ReportScope::Center(id), true) => format!("供电服务中心（id {id}）"),
            (ReportScope::Manager(id), true) => format!("客户经理名下工单（id {id}）"),
            (ReportScope::Bureau(id), false) => format!("bureau {id}"),
            (ReportScope::Center(id), false) => format!("service center {id}"),
            (ReportScope::Manager(id), false) => format!("manager {id}"),
        };
        self.add("范围", "Scope", scope)
    }

    /// Writes the sheet, ending with when and by whom it was generated.
    pub(crate) fn write(self, book: &mut Workbook, s: &Styles) -> Result<(), XlsxError> {
        let how = self.how;
        let generated_at = self.local(how.who.generated_at);
        let this = self.add("生成时间", "Generated at", generated_at).add(
            "生成人",
            "Generated by",
            how.who.generated_by.clone(),
        );
        let ws = book.add_worksheet();
        let cols = [
            col("项目", "Item", "item", 18.0),
            col("内容", "Value", "value", 90.0),
        ];
        header(ws, how.t("口径", "Definitions"), &cols, how.lang, s)?;
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        for (i, (k, v)) in this.rows.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string_with_format(r, 0, *k, &wrap)?;
            ws.write_string_with_format(r, 1, v, &wrap)?;
            // Not every viewer fits a row to wrapped text: as many lines
            // as the text takes in the column (a wide character counts
            // two).
            let n = lines(v, 87.0);
            if n > 1 {
                ws.set_row_height(r, 15.0 * n as f64)?;
            }
        }
        ws.set_landscape().set_print_fit_to_pages(1, 0);
        Ok(())
    }
}
