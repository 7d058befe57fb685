//! The accountability register (问责、约谈、通报) as a workbook: the entries
//! (a row each), the counts per kind with a chart of open against
//! completed, the definitions.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::{
    BLUE, Col, Defs, ORANGE, Render, Styles, col, column_chart, finish_table, fit, formula, header,
    letter, lines,
};
use crate::reports::accountability::{
    AccountabilityReport, EntryState, EntryView, Kind, KindTotals, PersonRef,
};

/// The entries, in the workbook and the CSV file.
pub(crate) const ENTRIES: [Col; 11] = [
    col("日期", "Date", "date", 12.0),
    col("工单编号", "Ticket no", "ticket_no", 18.0),
    col("客户名称", "Customer", "customer_name", 24.0),
    col("供电服务中心", "Service center", "service_center", 14.0),
    col("类别", "Kind", "kind", 8.0),
    col("相关人员", "Persons", "persons", 12.0),
    col("事由", "Text", "text", 40.0),
    col("状态", "State", "state", 8.0),
    col("完成时间", "Completed at", "completed_at", 17.0),
    col("完成人", "Completed by", "completed_by", 10.0),
    col("完成说明", "Note", "completion_note", 30.0),
];

/// The counts per kind.
pub(crate) const KINDS: [Col; 4] = [
    col("类别", "Kind", "kind", 10.0),
    col("未完成", "Open", "open", 10.0),
    col("已完成", "Completed", "completed", 10.0),
    col("合计", "Total", "total", 10.0),
];

/// A person by name (their username if the name is unknown).
pub(crate) fn person(p: &PersonRef) -> &str {
    if p.name.is_empty() {
        &p.username
    } else {
        &p.name
    }
}

/// The persons an entry names, by name.
pub(crate) fn persons(e: &EntryView, how: &Render) -> String {
    let names: Vec<&str> = e.persons.iter().map(person).collect();
    names.join(how.t("、", ", "))
}

/// Whether an entry was carried out, in the reader's language.
pub(crate) fn state(s: EntryState, how: &Render) -> &'static str {
    match s {
        EntryState::Open => how.t("未完成", "open"),
        EntryState::Completed => how.t("已完成", "completed"),
    }
}

/// A kind of the totals (a key, or `all`) in the reader's language.
pub(crate) fn kind(k: &KindTotals, how: &Render) -> String {
    match Kind::parse(&k.kind) {
        Ok(kind) => kind.label(how.lang).to_string(),
        Err(_) => k.kind.clone(),
    }
}

/// The totals per kind, and the row of all kinds.
pub(crate) fn split(r: &AccountabilityReport) -> (Vec<&KindTotals>, Option<&KindTotals>) {
    let kinds = r.totals.iter().filter(|k| k.kind != "all").collect();
    (kinds, r.totals.iter().find(|k| k.kind == "all"))
}

/// The action dates asked for: both ends, one, or none.
fn dates<'a>(d: Defs<'a>, r: &AccountabilityReport, how: &Render) -> Defs<'a> {
    match (r.from, r.to) {
        (Some(f), Some(t)) => d.period(f, t),
        (from, to) => {
            let v = match (from, to, how.zh()) {
                (Some(f), _, true) => format!("{f} 起"),
                (_, Some(t), true) => format!("至 {t}（含）"),
                (_, _, true) => "全部".to_string(),
                (Some(f), _, false) => format!("from {f}"),
                (_, Some(t), false) => format!("to {t} (inclusive)"),
                (_, _, false) => "all".to_string(),
            };
            d.add("行动日期", "Action dates", v)
        }
    }
}

/// The register as a workbook.
pub fn accountability(r: &AccountabilityReport, how: &Render) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let lang = how.lang;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    // Centred: a date does not run into the ticket number beside it.
    let date = s
        .date
        .clone()
        .set_align(FormatAlign::Top)
        .set_align(FormatAlign::Center);
    let stamp = s
        .stamp
        .clone()
        .set_align(FormatAlign::Top)
        .set_align(FormatAlign::Center);
    let flag = s.flag.clone().set_align(FormatAlign::Top);

    // The entries (a row each: constant memory, widths first).
    {
        let ws = book.add_worksheet_with_constant_memory()?;
        header(ws, how.t("登记簿", "Register"), &ENTRIES, lang, &s)?;
        let names: Vec<String> = r.rows.iter().map(|e| persons(e, how)).collect();
        fit(
            ws,
            (2, &ENTRIES[2], lang),
            r.rows.iter().map(|e| &e.customer_name),
        )?;
        fit(ws, (5, &ENTRIES[5], lang), &names)?;
        fit(
            ws,
            (9, &ENTRIES[9], lang),
            r.rows
                .iter()
                .filter_map(|e| e.completed_by.as_ref().map(person)),
        )?;
        let mut row = 0u32;
        for (e, names) in r.rows.iter().zip(&names) {
            row += 1;
            ws.write_date_with_format(row, 0, e.date, &date)?;
            ws.write_string_with_format(row, 1, &e.ticket_no, &top)?;
            ws.write_string_with_format(row, 2, &e.customer_name, &top)?;
            ws.write_string_with_format(row, 3, &e.service_center, &top)?;
            ws.write_string_with_format(row, 4, e.kind.label(lang), &flag)?;
            ws.write_string_with_format(row, 5, names, &top)?;
            ws.write_string_with_format(row, 6, &e.text, &wrap)?;
            ws.write_string_with_format(row, 7, state(e.state, how), &flag)?;
            if let Some(at) = e.completed_at {
                let local = at.with_timezone(&how.who.zone).naive_local();
                ws.write_datetime_with_format(row, 8, local, &stamp)?;
            }
            if let Some(p) = &e.completed_by {
                ws.write_string_with_format(row, 9, person(p), &top)?;
            }
            if let Some(note) = &e.completion_note {
                ws.write_string_with_format(row, 10, note, &wrap)?;
            }
            // As tall as its wrapped text and note.
            let note = e.completion_note.as_deref().unwrap_or("");
            let n = lines(&e.text, ENTRIES[6].width).max(lines(note, ENTRIES[10].width));
            if n > 1 {
                ws.set_row_height(row, 15.0 * n as f64)?;
            }
        }
        finish_table(ws, row, ENTRIES.len())?;
    }

    // The counts per kind, a total row, and open against completed as a
    // chart.
    let kinds_name = how.t("按类别", "By kind");
    {
        let ws = book.add_worksheet();
        header(ws, kinds_name, &KINDS, lang, &s)?;
        let (kinds, all) = split(r);
        let n = kinds.len() as u32;
        for (i, k) in kinds.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, kind(k, how))?;
            ws.write_number(row, 1, k.open as f64)?;
            ws.write_number(row, 2, k.completed as f64)?;
            let excel = row + 1;
            formula(
                ws,
                (row, 3),
                format!("=B{excel}+C{excel}"),
                (k.open + k.completed) as f64,
                &Format::new(),
            )?;
        }
        let row = n + 1;
        let all = all.cloned().unwrap_or_default();
        ws.write_string_with_format(row, 0, how.t("合计", "Total"), &s.total)?;
        for (c, v) in [(1u16, all.open), (2, all.completed)] {
            let l = letter(c);
            formula(
                ws,
                (row, c),
                format!("=SUM({l}2:{l}{n1})", n1 = n + 1),
                v as f64,
                &s.total,
            )?;
        }
        let excel = row + 1;
        formula(
            ws,
            (row, 3),
            format!("=B{excel}+C{excel}"),
            (all.open + all.completed) as f64,
            &s.total,
        )?;
        finish_table(ws, n, KINDS.len())?;
        let mut chart = column_chart(
            (kinds_name, n),
            &[(1, ORANGE), (2, BLUE)],
            Some("0"),
            how.t("各类别未完成与已完成", "Open and completed by kind"),
            how.t("条数", "Entries"),
        );
        // Counts: whole steps, about five.
        let most = kinds.iter().map(|k| k.open.max(k.completed)).max();
        let step = (most.unwrap_or(0) as f64 / 5.0).ceil().max(1.0);
        chart.y_axis().set_major_unit(step).set_num_format("0");
        ws.insert_chart(1, 5, &chart)?;
    }

    let filter = match r.state {
        None => how.t("全部", "all").to_string(),
        Some(st) => state(st, how).to_string(),
    };
    let d = Defs::new(
        how,
        "accountability",
        ("问责、约谈、通报登记", "Accountability register"),
    );
    dates(d, r, how)
        .add("状态", "State", filter)
        .scope(r.scope)
        .add("统计口径", "Definitions", r.definitions.clone())
        .write(&mut book, &s)?;
    book.save_to_buffer()
}
