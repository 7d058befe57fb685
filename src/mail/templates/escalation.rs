//! The escalation mail: a ticket moved up the ladder to a new owner.
//! Templates: templates/mail/escalation/.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::Lang;
use crate::mail::{MailError, Rendered};

/// One step of the ladder so far: who owned the ticket from when.
#[derive(Debug, Clone)]
pub struct LadderStep {
    pub level: u32,
    pub owner_name: String,
    pub at: DateTime<Utc>,
}

/// What the escalation mail says. Names and labels (category, stage, role,
/// vacancy sentences) come already in the recipient's language.
#[derive(Debug, Clone)]
pub struct EscalationContext {
    pub ticket_no: String,
    pub customer_name: String,
    pub category_name: String,
    pub limit_working_days: u32,
    pub accepted_on: NaiveDate,
    pub due_date: NaiveDate,
    /// The due date runs into a year whose calendar is not loaded yet.
    pub provisional: bool,
    pub overdue: bool,
    pub remaining_working_days: i64,
    pub overdue_working_days: i64,
    pub level: u32,
    pub new_owner_name: String,
    /// The new owner's role, localised (see [`super::role_label`]).
    pub new_owner_role: String,
    pub ladder_so_far: Vec<LadderStep>,
    /// Levels jumped over when the ticket was found several levels late.
    pub skipped_levels: Vec<u32>,
    /// Sentences naming vacant roles the ticket escalated past.
    pub vacancies: Vec<String>,
    pub stage_name: String,
    pub days_in_stage: i64,
    /// `base_url + "/tickets/{id}"`.
    pub link: String,
    /// The zone ladder times are shown in (the configured `time.zone`).
    pub zone: Tz,
}

/// What the templates read: the context plus preformatted pieces.
struct View<'a> {
    c: &'a EscalationContext,
    ladder: Vec<(u32, &'a str, String)>,
    skipped: String,
}

impl<'a> View<'a> {
    fn new(c: &'a EscalationContext) -> Self {
        let ladder = c
            .ladder_so_far
            .iter()
            .map(|s| {
                let at = s.at.with_timezone(&c.zone).format("%Y-%m-%d %H:%M");
                (s.level, s.owner_name.as_str(), at.to_string())
            })
            .collect();
        let skipped = c
            .skipped_levels
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        View { c, ladder, skipped }
    }
}

mail_templates!(v: View<'a>, ["mail/escalation/subject.zh-CN.txt", "mail/escalation/text.zh-CN.txt", "mail/escalation/html.zh-CN.html", "mail/escalation/subject.en.txt", "mail/escalation/text.en.txt", "mail/escalation/html.en.html"]);

/// Renders the escalation mail in `lang`.
pub fn render_escalation(ctx: &EscalationContext, lang: Lang) -> Result<Rendered, MailError> {
    render(&View::new(ctx), lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn sample() -> EscalationContext {
        let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 1, d, h, 0, 0).unwrap();
        EscalationContext {
            ticket_no: "YK-2026-000042".into(),
            customer_name: "华南精密".into(),
            category_name: "中压非新出线单电源".into(),
            limit_working_days: 80,
            accepted_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            due_date: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
            provisional: false,
            overdue: false,
            remaining_working_days: 12,
            overdue_working_days: 0,
            level: 1,
            new_owner_name: "陈主任".into(),
            new_owner_role: "服务中心主任".into(),
            ladder_so_far: vec![
                LadderStep {
                    level: 0,
                    owner_name: "李经理".into(),
                    at: at(5, 2),
                },
                LadderStep {
                    level: 1,
                    owner_name: "陈主任".into(),
                    at: at(6, 1),
                },
            ],
            skipped_levels: vec![],
            vacancies: vec![],
            stage_name: "现场勘查".into(),
            days_in_stage: 9,
            link: "https://yekuo.example.cn/tickets/42".into(),
            zone: chrono_tz::Asia::Shanghai,
        }
    }

    #[test]
    fn zh_subject_names_ticket_customer_role_and_days_left() {
        let r = render_escalation(&sample(), Lang::ZhCn).unwrap();
        assert_eq!(
            r.subject,
            "【业扩升级】YK-2026-000042 华南精密 已升级至 服务中心主任（剩余 12 个工作日）"
        );
        for part in [&r.text, &r.html] {
            for needle in [
                "YK-2026-000042",
                "华南精密",
                "中压非新出线单电源",
                "80",
                "2026-01-05",
                "2026-05-06",
                "剩余 12 个工作日",
                "陈主任",
                "李经理",
                "2026-01-05 10:00",
                "现场勘查",
                "9",
                "https://yekuo.example.cn/tickets/42",
            ] {
                assert!(part.contains(needle), "{needle} missing in:\n{part}");
            }
        }
    }

    #[test]
    fn en_subject_and_overdue_wording() {
        let mut c = sample();
        c.overdue = true;
        c.overdue_working_days = 3;
        c.remaining_working_days = 0;
        c.new_owner_name = "Wu".into();
        c.new_owner_role = "head of bureau".into();
        c.skipped_levels = vec![1, 2];
        c.vacancies = vec!["deputy_head of 广州供电局 (GZ) is vacant".into()];
        let r = render_escalation(&c, Lang::En).unwrap();
        assert_eq!(
            r.subject,
            "[Escalation] YK-2026-000042 华南精密 now owned by Wu (head of bureau), overdue by 3 working days"
        );
        for part in [&r.text, &r.html] {
            assert!(part.contains("overdue by 3 working days"), "{part}");
            assert!(part.contains("1, 2"), "{part}");
            assert!(part.contains("is vacant"), "{part}");
        }
        let zh = render_escalation(&c, Lang::ZhCn).unwrap();
        assert!(
            zh.subject.ends_with("（已超期 3 个工作日）"),
            "{}",
            zh.subject
        );
        assert!(zh.text.contains("第 1, 2 级"), "{}", zh.text);
    }

    #[test]
    fn html_escapes_what_people_typed_and_text_keeps_it() {
        let mut c = sample();
        c.customer_name = "<script>alert('x')</script> & Co".into();
        c.link = "https://yekuo.example.cn/tickets/42?a=1&b=\"2\"".into();
        for lang in [Lang::ZhCn, Lang::En] {
            let r = render_escalation(&c, lang).unwrap();
            assert!(!r.html.contains("<script>"), "{}", r.html);
            assert!(
                r.html.contains("&#60;script&#62;") || r.html.contains("&lt;script&gt;"),
                "{}",
                r.html
            );
            assert!(!r.html.contains("\"2\""), "{}", r.html);
            assert!(
                r.text.contains("<script>alert('x')</script> & Co"),
                "{}",
                r.text
            );
            assert!(
                r.subject.contains("<script>"),
                "subjects are text: {}",
                r.subject
            );
        }
    }

    #[test]
    fn provisional_due_dates_and_due_today_are_said() {
        let mut c = sample();
        c.provisional = true;
        c.remaining_working_days = 0;
        let zh = render_escalation(&c, Lang::ZhCn).unwrap();
        assert!(zh.subject.ends_with("（今日到期）"), "{}", zh.subject);
        assert!(zh.text.contains("暂定"), "{}", zh.text);
        let en = render_escalation(&c, Lang::En).unwrap();
        assert!(en.subject.ends_with("due today"), "{}", en.subject);
        assert!(en.text.contains("provisional"), "{}", en.text);
    }
}
