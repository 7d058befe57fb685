//! The morning digest, to one department: every open coordination request
//! that waits on its answer on a working day. Templates: templates/mail/digest/.

use chrono::NaiveDate;

use super::Lang;
use crate::mail::{MailError, Rendered};

/// What the morning digest says. Names and labels come already in the
/// recipient's language.
#[derive(Debug, Clone)]
pub struct DigestContext {
    pub department_name: String,
    /// The working day the digest is for.
    pub date: NaiveDate,
    pub items: Vec<DigestItem>,
    /// `base_url + "/coordination?department=<code>"`.
    pub link: String,
}

/// One open request in the digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    pub request_id: i64,
    pub ticket_no: String,
    pub customer_name: String,
    pub subject: String,
    pub question: String,
    /// The request's category, localised.
    pub category_label: String,
    /// The name of the manager who asked.
    pub asked_by: String,
    /// Working days since the request was filed (0 = filed today).
    pub age_working_days: i64,
    /// The requested answer date.
    pub answer_by: NaiveDate,
    pub overdue: bool,
    /// Answers so far from the other departments asked.
    pub other_answers: Vec<DigestAnswer>,
    /// `base_url + "/coordination/{id}"`.
    pub answer_link: String,
}

/// One department's answer to a request, as the digest and the agenda show it.
#[derive(Debug, Clone)]
pub struct DigestAnswer {
    pub department_name: String,
    /// The answer, localised (see [`answer_label`]).
    pub answer_label: String,
    pub text: String,
}

/// An answer (`agree`, `disagree`, `need_info`) in `lang`; `"?"` for
/// anything else.
pub fn answer_label(answer: &str, lang: Lang) -> &'static str {
    match (answer, lang) {
        ("agree", Lang::ZhCn) => "同意",
        ("disagree", Lang::ZhCn) => "不同意",
        ("need_info", Lang::ZhCn) => "需补充信息",
        ("agree", Lang::En) => "agree",
        ("disagree", Lang::En) => "disagree",
        ("need_info", Lang::En) => "need more information",
        _ => "?",
    }
}

/// Indents every line after the first of a multi-line text by `indent`, so
/// that it stays under its label in a text mail.
fn indent_lines(s: &str, indent: &str) -> String {
    s.trim()
        .lines()
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

/// What the templates read: the context plus preformatted pieces.
struct View<'a> {
    c: &'a DigestContext,
    /// Each item with its question indented for the text body.
    items: Vec<(&'a DigestItem, String)>,
    /// `"s"` unless there is exactly one item (English plural).
    s: &'static str,
}

impl<'a> View<'a> {
    fn new(c: &'a DigestContext) -> Self {
        let items = c
            .items
            .iter()
            .map(|i| (i, indent_lines(&i.question, "     ")))
            .collect();
        let s = if c.items.len() == 1 { "" } else { "s" };
        View { c, items, s }
    }
}

mail_templates!(v: View<'a>, ["mail/digest/subject.zh-CN.txt", "mail/digest/text.zh-CN.txt", "mail/digest/html.zh-CN.html", "mail/digest/subject.en.txt", "mail/digest/text.en.txt", "mail/digest/html.en.html"]);

/// Renders the morning digest in `lang`.
pub fn render_digest(ctx: &DigestContext, lang: Lang) -> Result<Rendered, MailError> {
    render(&View::new(ctx), lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn item(id: i64, ticket_no: &str, customer: &str) -> DigestItem {
        DigestItem {
            request_id: id,
            ticket_no: ticket_no.into(),
            customer_name: customer.into(),
            subject: "低压联络是否收取高可靠性供电费".into(),
            question:
                "客户申请一路 10kV 主供电源，\n另有一路低压联络作备用，是否收取高可靠性供电费？"
                    .into(),
            category_label: "高可靠性供电费".into(),
            asked_by: "李经理".into(),
            age_working_days: 0,
            answer_by: d(3, 2),
            overdue: false,
            other_answers: vec![],
            answer_link: format!("https://yekuo.example.cn/coordination/{id}"),
        }
    }

    fn sample() -> DigestContext {
        let mut second = item(8, "YK-2026-000050", "越秀大厦");
        second.subject = "节假日停电检修时段".into();
        second.question = "五一期间能否安排停电检修？".into();
        second.category_label = "节假日停电检修".into();
        second.asked_by = "王经理".into();
        second.age_working_days = 3;
        second.answer_by = d(2, 25);
        second.overdue = true;
        second.other_answers = vec![DigestAnswer {
            department_name: "运检部".into(),
            answer_label: answer_label("agree", Lang::ZhCn).into(),
            text: "5 月 2 日可安排".into(),
        }];
        DigestContext {
            department_name: "市场部".into(),
            date: d(3, 2),
            items: vec![
                item(7, "YK-2026-000042", "华南精密"),
                second,
                item(9, "YK-2026-000051", "天河科技"),
            ],
            link: "https://yekuo.example.cn/coordination?department=SC".into(),
        }
    }

    #[test]
    fn answer_labels() {
        assert_eq!(answer_label("agree", Lang::ZhCn), "同意");
        assert_eq!(answer_label("disagree", Lang::ZhCn), "不同意");
        assert_eq!(answer_label("need_info", Lang::ZhCn), "需补充信息");
        assert_eq!(answer_label("agree", Lang::En), "agree");
        assert_eq!(answer_label("disagree", Lang::En), "disagree");
        assert_eq!(answer_label("need_info", Lang::En), "need more information");
        assert_eq!(answer_label("maybe", Lang::ZhCn), "?");
        assert_eq!(answer_label("", Lang::En), "?");
    }

    #[test]
    fn zh_digest_lists_every_request_with_its_answers_and_links() {
        let r = render_digest(&sample(), Lang::ZhCn).unwrap();
        assert_eq!(r.subject, "【业扩协调】市场部 2026-03-02 待答复 3 项");
        for part in [&r.text, &r.html] {
            for needle in [
                "市场部",
                "2026-03-02",
                "YK-2026-000042",
                "华南精密",
                "YK-2026-000050",
                "越秀大厦",
                "YK-2026-000051",
                "低压联络是否收取高可靠性供电费",
                "是否收取高可靠性供电费？",
                "高可靠性供电费",
                "节假日停电检修",
                "李经理",
                "王经理",
                "今日提交",
                "已提交 3 个工作日",
                "2026-02-25",
                "已逾期",
                "运检部",
                "同意",
                "5 月 2 日可安排",
                "https://yekuo.example.cn/coordination/7",
                "https://yekuo.example.cn/coordination/8",
                "https://yekuo.example.cn/coordination/9",
                "https://yekuo.example.cn/coordination?department=SC",
            ] {
                assert!(part.contains(needle), "{needle} missing in:\n{part}");
            }
        }
        // A multi-line question stays under its label in the text body.
        assert!(
            r.text.contains("主供电源，\n     另有一路低压联络作备用"),
            "{}",
            r.text
        );
        // Only the overdue one is marked.
        assert_eq!(r.text.matches("已逾期").count(), 1, "{}", r.text);
        // Items keep their order.
        let a = r.text.find("YK-2026-000042").unwrap();
        let b = r.text.find("YK-2026-000050").unwrap();
        let c = r.text.find("YK-2026-000051").unwrap();
        assert!(a < b && b < c, "{}", r.text);
    }

    #[test]
    fn en_subject_counts_and_wording() {
        let mut c = sample();
        c.department_name = "Marketing".into();
        c.items[1].other_answers[0].answer_label = answer_label("need_info", Lang::En).into();
        let r = render_digest(&c, Lang::En).unwrap();
        assert_eq!(
            r.subject,
            "[Coordination] Marketing: 3 requests to answer on 2026-03-02"
        );
        for part in [&r.text, &r.html] {
            for needle in [
                "filed today",
                "filed 3 working days ago",
                "overdue",
                "need more information",
                "https://yekuo.example.cn/coordination/8",
            ] {
                assert!(part.contains(needle), "{needle} missing in:\n{part}");
            }
        }
        c.items.truncate(1);
        let r = render_digest(&c, Lang::En).unwrap();
        assert_eq!(
            r.subject,
            "[Coordination] Marketing: 1 request to answer on 2026-03-02"
        );
        assert!(!r.text.contains("overdue"), "{}", r.text);
        let zh = render_digest(&c, Lang::ZhCn).unwrap();
        assert_eq!(zh.subject, "【业扩协调】Marketing 2026-03-02 待答复 1 项");
    }

    #[test]
    fn html_escapes_what_people_typed_and_text_keeps_it() {
        let mut c = sample();
        c.items[0].question = "<script>alert('x')</script> & 是否收费？".into();
        c.items[1].other_answers[0].text = "<b>可以</b>".into();
        c.items[2].customer_name = "A & B <Ltd>".into();
        c.link = "https://yekuo.example.cn/coordination?department=SC&x=\"1\"".into();
        for lang in [Lang::ZhCn, Lang::En] {
            let r = render_digest(&c, lang).unwrap();
            assert!(!r.html.contains("<script>"), "{}", r.html);
            assert!(
                r.html.contains("&#60;script&#62;") || r.html.contains("&lt;script&gt;"),
                "{}",
                r.html
            );
            assert!(!r.html.contains("<b>可以"), "{}", r.html);
            assert!(!r.html.contains("<Ltd>"), "{}", r.html);
            assert!(!r.html.contains("\"1\""), "{}", r.html);
            assert!(
                r.text.contains("<script>alert('x')</script> & 是否收费？"),
                "{}",
                r.text
            );
            assert!(r.text.contains("<b>可以</b>"), "{}", r.text);
            assert!(r.text.contains("A & B <Ltd>"), "{}", r.text);
        }
    }

    #[test]
    fn subject_stays_on_one_line() {
        let mut c = sample();
        c.department_name = "市场部\r\nBcc: x@example.com".into();
        for lang in [Lang::ZhCn, Lang::En] {
            let r = render_digest(&c, lang).unwrap();
            assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
        }
    }
}
