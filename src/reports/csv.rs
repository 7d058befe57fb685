//! Reports as CSV for Excel: UTF-8 with a byte-order mark (Excel on Chinese
//! Windows then reads the characters right), one header row in the reader's
//! language (Chinese, or the JSON field names), numbers as plain numbers
//! (rates as fractions, as in JSON), dates as `YYYY-MM-DD`. One file a
//! report: a report of several tables is one table whose first column says
//! which part a row belongs to, cells that do not apply left empty.
//! The column headers are the workbook's (`reports::xlsx`).

use super::compliance::{ComplianceReport, Totals};
use super::durations::{DurationsReport, Group};
use super::overdue::{OverdueReport, OverdueRow};
use super::xlsx::{Col, Render, col};
use super::xlsx::{accountability as xa, coordination as xco};
use super::xlsx::{compliance as xc, durations as xd, overdue as xo, workload as xw};
use crate::mail::Lang;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file: a byte-order mark, the header of `cols`, the rows.
fn table(cols: &[Col], lang: Lang, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let header: Vec<&str> = cols.iter().map(|c| c.csv(lang)).collect();
    // Writing to memory cannot fail.
    let _ = w.write_record(&header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

/// A number as it reads in JSON.
fn n(x: impl ToString) -> String {
    x.to_string()
}

/// The overdue report: the overdue tickets, then those due soon.
/// Instants are shown in local time.
pub fn overdue(report: &OverdueReport, how: &Render) -> Vec<u8> {
    let (lang, zone) = (how.lang, how.who.zone);
    let local = |r: &OverdueRow| {
        r.stage_since
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let rows = report
        .rows
        .iter()
        .chain(&report.due_soon)
        .map(|r| {
            vec![
                r.ticket_no.clone(),
                r.customer_name.clone(),
                r.service_center.clone(),
                r.manager.clone(),
                r.owner.clone(),
                r.owner_name.clone(),
                n(r.escalation_level),
                r.status.as_str().to_string(),
                r.stage.clone(),
                local(r),
                n(r.due_date),
                n(r.overdue_working_days),
                n(r.remaining_working_days),
                n(r.paused_working_days),
                super::light_label(r.light, lang).to_string(),
            ]
        })
        .collect();
    table(&xo::TICKETS, lang, rows)
}

/// What part of a report a row belongs to, and what the row is of.
const SECTION: Col = col("分类", "Section", "section", 0.0);
const NAME: Col = col("名称", "Name", "name", 0.0);
const COUNT: Col = col("数量", "Count", "count", 0.0);

/// The compliance report: a row a center, the total row, then a row a
/// limited stage. A stage's visits count as `count`, those within its
/// limit as `compliant`, their working days as the gross mean.
pub fn compliance(r: &ComplianceReport, how: &Render) -> Vec<u8> {
    let [_, _, on_time, compliant, rate, gross, net] = xc::CENTERS;
    let cols = [
        SECTION,
        NAME,
        COUNT,
        on_time,
        compliant,
        Col {
            key: "rate",
            ..rate
        },
        gross,
        net,
        xc::STAGES[5],
    ];
    let totals = |section: &str, t: &Totals| {
        vec![
            section.to_string(),
            t.service_center.clone(),
            n(t.closed),
            n(t.on_time),
            n(t.compliant),
            n(t.compliance_rate),
            n(t.mean_working_days_gross),
            n(t.mean_working_days_net),
            String::new(),
        ]
    };
    let mut rows: Vec<Vec<String>> = r
        .centers
        .iter()
        .map(|c| totals(how.t("供电服务中心", "center"), c))
        .collect();
    rows.push(totals(how.t("合计", "total"), &r.total));
    rows.extend(r.stages.iter().map(|s| {
        vec![
            how.t("环节", "stage").to_string(),
            how.stage(&s.stage),
            n(s.entered),
            String::new(),
            n(s.within_limit),
            n(s.rate),
            n(s.mean_working_days),
            String::new(),
            n(s.p90_working_days),
        ]
    }));
    table(&cols, how.lang, rows)
}

/// The durations report: all tickets, then by voltage level, by category
/// and by stage (the count of a stage: its visits).
pub fn durations(r: &DurationsReport, how: &Render) -> Vec<u8> {
    let mut cols = vec![SECTION, NAME, COUNT];
    cols.extend(xd::SUMMARY);
    let row = |section: &str, name: String, g: &Group| {
        let mut v = vec![section.to_string(), name, n(g.working_days.count)];
        for x in [&g.working_days, &g.calendar_days] {
            v.extend([n(x.mean), n(x.median), n(x.p90), n(x.max)]);
        }
        v
    };
    let mut rows = vec![row(how.t("全部", "all"), String::new(), &r.all)];
    let (voltage, category, stage) = (
        how.t("电压等级", "voltage"),
        how.t("业务类别", "category"),
        how.t("环节", "stage"),
    );
    rows.extend(r.by_voltage.iter().map(|g| row(voltage, g.key.clone(), g)));
    rows.extend(
        r.by_category
            .iter()
            .map(|g| row(category, how.category(&g.key), g)),
    );
    rows.extend(r.by_stage.iter().map(|g| row(stage, how.stage(&g.key), g)));
    table(&cols, how.lang, rows)
}

/// The workload report: a row a customer manager, then a row a center
/// (with its distinct customers under `customers`).
pub fn workload(r: &super::workload::WorkloadReport, how: &Render) -> Vec<u8> {
    let [
        manager,
        name,
        center,
        open,
        owned,
        customers,
        overdue,
        closed,
        on_time,
        rate,
    ] = xw::MANAGERS;
    let [_, managers, _, per, target, over] = xw::CENTERS;
    let cols = [
        SECTION, center, manager, name, open, owned, customers, overdue, closed, on_time, rate,
        managers, per, target, over,
    ];
    let blank = || String::new();
    let mut rows: Vec<Vec<String>> = r
        .managers
        .iter()
        .map(|m| {
            vec![
                how.t("客户经理", "manager").to_string(),
                m.service_center.clone(),
                m.manager.clone(),
                m.name.clone(),
                n(m.open_managed),
                n(m.open_owned),
                n(m.customers),
                n(m.overdue_now),
                n(m.closed_in_period),
                n(m.closed_on_time),
                n(m.on_time_rate),
                blank(),
                blank(),
                blank(),
                blank(),
            ]
        })
        .collect();
    rows.extend(r.centers.iter().map(|c| {
        vec![
            how.t("供电服务中心", "center").to_string(),
            c.service_center.clone(),
            blank(),
            blank(),
            blank(),
            blank(),
            n(c.customers),
            blank(),
            blank(),
            blank(),
            blank(),
            n(c.managers),
            n(c.customers_per_manager),
            n(c.target_customers_per_manager),
            how.yes_no(c.over_target).to_string(),
        ]
    }));
    table(&cols, how.lang, rows)
}

/// The coordination report: a row a department, then the total row.
pub fn coordination(r: &super::coordination::CoordinationReport, how: &Render) -> Vec<u8> {
    let mut cols = vec![SECTION];
    cols.extend(xco::DEPARTMENTS);
    let row = |section: &str, d: &super::coordination::DepartmentRow| {
        vec![
            section.to_string(),
            d.department.clone(),
            d.name.clone(),
            n(d.received),
            n(d.answered),
            n(d.answered_in_time),
            n(d.in_time_rate),
            d.median_answer_working_hours.map(n).unwrap_or_default(),
            n(d.open_now),
            n(d.overdue_now),
            n(d.decided_at_meeting),
        ]
    };
    let mut rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|d| row(how.t("部门", "department"), d))
        .collect();
    rows.push(row(how.t("合计", "total"), &r.total));
    table(&cols, how.lang, rows)
}

/// The accountability register: a row an entry (persons by name, the
/// completion in local time), then a row a kind with its open and completed
/// entries, then the total row.
pub fn accountability(r: &super::accountability::AccountabilityReport, how: &Render) -> Vec<u8> {
    let [_, open, completed, _] = xa::KINDS;
    let mut cols = vec![SECTION];
    cols.extend(xa::ENTRIES);
    cols.extend([open, completed]);
    let zone = how.who.zone;
    let mut rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|e| {
            vec![
                how.t("登记", "entry").to_string(),
                n(e.date),
                e.ticket_no.clone(),
                e.customer_name.clone(),
                e.service_center.clone(),
                e.kind.label(how.lang).to_string(),
                xa::persons(e, how),
                e.text.clone(),
                xa::state(e.state, how).to_string(),
                e.completed_at
                    .map(|at| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                e.completed_by
                    .as_ref()
                    .map(|p| xa::person(p).to_string())
                    .unwrap_or_default(),
                e.completion_note.clone().unwrap_or_default(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let (kinds, all) = xa::split(r);
    let totals = |section: &str, kind: String, k: &super::accountability::KindTotals| {
        let mut v = vec![String::new(); cols.len()];
        v[0] = section.to_string();
        v[5] = kind;
        v[12] = n(k.open);
        v[13] = n(k.completed);
        v
    };
    for k in kinds {
        rows.push(totals(how.t("类别", "kind"), xa::kind(k, how), k));
    }
    if let Some(all) = all {
        rows.push(totals(how.t("合计", "total"), String::new(), all));
    }
    table(&cols, how.lang, rows)
}
