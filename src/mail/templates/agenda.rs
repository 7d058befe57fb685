//! The weekly coordination meeting agenda, to the meeting's participants:
//! every unsettled request, grouped by department, oldest first.
//! Templates: templates/mail/agenda/.

use chrono::NaiveDate;

use super::Lang;
use super::digest::DigestAnswer;
use crate::mail::{MailError, Rendered};

/// What the agenda says. Names and labels come already in the recipient's
/// language.
#[derive(Debug, Clone)]
pub struct AgendaContext {
    pub meeting_date: NaiveDate,
    /// Shown in the order given; groups without items are left out.
    pub groups: Vec<AgendaGroup>,
}

/// The unsettled requests that wait on one department.
#[derive(Debug, Clone)]
pub struct AgendaGroup {
    pub department_name: String,
    /// Shown oldest first (by `filed_on`; the given order within a day).
    pub items: Vec<AgendaItem>,
}

/// One unsettled request on the agenda.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub request_id: i64,
    pub ticket_no: String,
    pub customer_name: String,
    pub subject: String,
    pub filed_on: NaiveDate,
    /// The name of the manager who asked.
    pub asked_by: String,
    pub overdue: bool,
    /// The answers given so far, by any department asked.
    pub answers: Vec<DigestAnswer>,
    /// `base_url + "/coordination/{id}"`.
    pub link: String,
}

/// What the templates read: the non-empty groups, items oldest first.
struct View<'a> {
    c: &'a AgendaContext,
    groups: Vec<(&'a str, Vec<&'a AgendaItem>)>,
    /// Distinct requests on the agenda.
    total: usize,
    /// `"s"` unless there is exactly one item (English plural).
    s: &'static str,
}

impl<'a> View<'a> {
    fn new(c: &'a AgendaContext) -> Self {
        let groups: Vec<_> = c
            .groups
            .iter()
            .filter(|g| !g.items.is_empty())
            .map(|g| {
                let mut items: Vec<_> = g.items.iter().collect();
                items.sort_by_key(|i| i.filed_on);
                (g.department_name.as_str(), items)
            })
            .collect();
        // Requests, not entries: one asked of two departments is one item.
        let mut ids: Vec<i64> = groups
            .iter()
            .flat_map(|(_, items)| items.iter().map(|i| i.request_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let total = ids.len();
        let s = if total == 1 { "" } else { "s" };
        View {
            c,
            groups,
            total,
            s,
        }
    }
}

mail_templates!(v: View<'a>, ["mail/agenda/subject.zh-CN.txt", "mail/agenda/text.zh-CN.txt", "mail/agenda/html.zh-CN.html", "mail/agenda/subject.en.txt", "mail/agenda/text.en.txt", "mail/agenda/html.en.html"]);

/// Renders the weekly meeting agenda in `lang`.
pub fn render_agenda(ctx: &AgendaContext, lang: Lang) -> Result<Rendered, MailError> {
    render(&View::new(ctx), lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates::answer_label;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn item(id: i64, ticket_no: &str, customer: &str, filed_on: NaiveDate) -> AgendaItem {
        AgendaItem {
            request_id: id,
            ticket_no: ticket_no.into(),
            customer_name: customer.into(),
            subject: format!("协调事项 {id}"),
            filed_on,
            asked_by: "李经理".into(),
            overdue: false,
            answers: vec![],
            link: format!("https://yekuo.example.cn/coordination/{id}"),
        }
    }

    fn sample() -> AgendaContext {
        let mut old = item(3, "YK-2026-000030", "华南精密", d(2, 26));
        old.overdue = true;
        old.answers = vec![
            DigestAnswer {
                department_name: "运检部".into(),
                answer_label: answer_label("agree", Lang::ZhCn).into(),
                text: "可安排".into(),
            },
            DigestAnswer {
                department_name: "调控中心".into(),
                answer_label: answer_label("disagree", Lang::ZhCn).into(),
                text: "与迎峰度夏冲突".into(),
            },
        ];
        AgendaContext {
            meeting_date: d(3, 9),
            groups: vec![
                AgendaGroup {
                    department_name: "市场部".into(),
                    // Given newest first: the agenda puts the oldest first.
                    items: vec![
                        item(9, "YK-2026-000090", "天河科技", d(3, 6)),
                        item(5, "YK-2026-000050", "越秀大厦", d(3, 2)),
                        old,
                    ],
                },
                AgendaGroup {
                    department_name: "空部门".into(),
                    items: vec![],
                },
                AgendaGroup {
                    department_name: "运检部".into(),
                    items: (10..14)
                        .map(|i| {
                            item(
                                i,
                                &format!("YK-2026-0001{i}"),
                                "番禺物流",
                                d(3, i as u32 - 7),
                            )
                        })
                        .collect(),
                },
            ],
        }
    }

    #[test]
    fn zh_agenda_groups_by_department_oldest_first() {
        let r = render_agenda(&sample(), Lang::ZhCn).unwrap();
        assert_eq!(
            r.subject,
            "【业扩协调周例会】2026-03-09 议程：未决事项 7 项"
        );
        for part in [&r.text, &r.html] {
            for needle in [
                "2026-03-09",
                "市场部",
                "运检部",
                "YK-2026-000030",
                "华南精密",
                "协调事项 3",
                "2026-02-26",
                "李经理",
                "已逾期",
                "运检部：同意",
                "可安排",
                "调控中心：不同意",
                "与迎峰度夏冲突",
                "YK-2026-000113",
                "https://yekuo.example.cn/coordination/3",
                "https://yekuo.example.cn/coordination/13",
            ] {
                assert!(part.contains(needle), "{needle} missing in:\n{part}");
            }
            assert!(
                !part.contains("空部门"),
                "empty groups are left out:\n{part}"
            );
            let pos = |s: &str| part.find(s).unwrap();
            assert!(pos("YK-2026-000030") < pos("YK-2026-000050"), "{part}");
            assert!(pos("YK-2026-000050") < pos("YK-2026-000090"), "{part}");
            assert!(pos("YK-2026-000090") < pos("YK-2026-000110"), "{part}");
        }
        assert!(r.text.contains("市场部（3 项）"), "{}", r.text);
        assert!(r.text.contains("运检部（4 项）"), "{}", r.text);
    }

    #[test]
    fn en_agenda_and_an_empty_one() {
        let mut c = sample();
        c.groups[0].department_name = "Marketing".into();
        c.groups[0].items[2].answers[0].answer_label = answer_label("agree", Lang::En).into();
        let r = render_agenda(&c, Lang::En).unwrap();
        assert_eq!(
            r.subject,
            "[Coordination meeting] 2026-03-09 agenda: 7 open requests"
        );
        for part in [&r.text, &r.html] {
            for needle in ["Marketing (3)", "overdue", "运检部: agree", "2026-02-26"] {
                assert!(part.contains(needle), "{needle} missing in:\n{part}");
            }
        }
        c.groups.truncate(1);
        c.groups[0].items.truncate(1);
        let r = render_agenda(&c, Lang::En).unwrap();
        assert_eq!(
            r.subject,
            "[Coordination meeting] 2026-03-09 agenda: 1 open request"
        );
        c.groups.clear();
        let r = render_agenda(&c, Lang::ZhCn).unwrap();
        assert_eq!(
            r.subject,
            "【业扩协调周例会】2026-03-09 议程：未决事项 0 项"
        );
        assert!(r.text.contains("暂无未决事项"), "{}", r.text);
        assert!(r.html.contains("暂无未决事项"), "{}", r.html);
        let r = render_agenda(&c, Lang::En).unwrap();
        assert!(r.text.contains("No open requests"), "{}", r.text);
    }

    #[test]
    fn html_escapes_what_people_typed_and_text_keeps_it() {
        let mut c = sample();
        c.groups[0].items[0].subject = "<script>alert('x')</script> & 停电".into();
        c.groups[0].items[2].answers[0].text = "<i>ok</i>".into();
        c.groups[2].department_name = "R&D <lab>".into();
        c.groups[0].items[1].link = "https://yekuo.example.cn/coordination/5?a=1&b=\"2\"".into();
        for lang in [Lang::ZhCn, Lang::En] {
            let r = render_agenda(&c, lang).unwrap();
            assert!(!r.html.contains("<script>"), "{}", r.html);
            assert!(
                r.html.contains("&#60;script&#62;") || r.html.contains("&lt;script&gt;"),
                "{}",
                r.html
            );
            assert!(!r.html.contains("<i>ok"), "{}", r.html);
            assert!(!r.html.contains("<lab>"), "{}", r.html);
            assert!(!r.html.contains("\"2\""), "{}", r.html);
            assert!(
                r.text.contains("<script>alert('x')</script> & 停电"),
                "{}",
                r.text
            );
            assert!(r.text.contains("R&D <lab>"), "{}", r.text);
        }
    }
}
