//! Reports as CSV for Excel: UTF-8 with a byte-order mark (Excel on Chinese
//! Windows then reads the characters right), a header row in the reader's
//! language, numbers as plain numbers, dates as `YYYY-MM-DD`.

use super::overdue::{OverdueReport, OverdueRow};
use crate::mail::Lang;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The overdue report: the overdue tickets, then those due soon.
/// Instants are shown in local time of `zone`.
pub fn overdue(report: &OverdueReport, lang: Lang, zone: chrono_tz::Tz) -> Vec<u8> {
    let header: &[&str] = match lang {
        Lang::ZhCn => &[
            "工单编号",
            "客户名称",
            "供电服务中心",
            "客户经理",
            "责任人",
            "责任人姓名",
            "升级层级",
            "状态",
            "环节",
            "环节开始",
            "到期日",
            "逾期工作日",
            "剩余工作日",
            "暂停工作日",
            "预警",
        ],
        Lang::En => &[
            "ticket_no",
            "customer",
            "service_center",
            "manager",
            "owner",
            "owner_name",
            "escalation_level",
            "status",
            "stage",
            "stage_since",
            "due_date",
            "overdue_working_days",
            "remaining_working_days",
            "paused_working_days",
            "light",
        ],
    };
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    let local = |r: &OverdueRow| {
        r.stage_since
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    for r in report.rows.iter().chain(&report.due_soon) {
        let _ = w.write_record([
            r.ticket_no.clone(),
            r.customer_name.clone(),
            r.service_center.clone(),
            r.manager.clone(),
            r.owner.clone(),
            r.owner_name.clone(),
            r.escalation_level.to_string(),
            r.status.as_str().to_string(),
            r.stage.clone(),
            local(r),
            r.due_date.to_string(),
            r.overdue_working_days.to_string(),
            r.remaining_working_days.to_string(),
            r.paused_working_days.to_string(),
            super::light_label(r.light, lang).to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}
