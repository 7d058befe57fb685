//! The vacancy notice, to a bureau's admins: a role on the ladder is
//! vacant, and a ticket escalated past it. Templates: templates/mail/vacancy/.

use chrono::NaiveDate;

use super::Lang;
use crate::mail::{MailError, Rendered};

/// What the vacancy notice says; labels come in the recipient's language.
#[derive(Debug, Clone)]
pub struct VacancyContext {
    /// The vacant role, localised (see [`super::role_label`]).
    pub role_label: String,
    pub unit_name: String,
    pub unit_code: String,
    /// The ladder level the role stands for.
    pub level: u32,
    pub ticket_no: String,
    pub customer_name: String,
    /// Where the ticket went instead.
    pub escalated_to_level: u32,
    pub escalated_to_name: String,
    /// The local date the vacancy was met (one notice per vacancy per day).
    pub date: NaiveDate,
    /// `base_url + "/admin/org?unit=<code>"`: where the role is filled.
    pub link: String,
}

mail_templates!(c: VacancyContext, ["mail/vacancy/subject.zh-CN.txt", "mail/vacancy/text.zh-CN.txt", "mail/vacancy/html.zh-CN.html", "mail/vacancy/subject.en.txt", "mail/vacancy/text.en.txt", "mail/vacancy/html.en.html"]);

/// Renders the vacancy notice in `lang`.
pub fn render_vacancy(ctx: &VacancyContext, lang: Lang) -> Result<Rendered, MailError> {
    render(ctx, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> VacancyContext {
        VacancyContext {
            role_label: "服务中心主任".into(),
            unit_name: "越秀供电服务中心".into(),
            unit_code: "GZ-YX".into(),
            level: 1,
            ticket_no: "YK-2026-000042".into(),
            customer_name: "华南精密 <b>".into(),
            escalated_to_level: 2,
            escalated_to_name: "孙副局长".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            link: "https://yekuo.example.cn/admin/org?unit=GZ-YX".into(),
        }
    }

    #[test]
    fn says_which_role_of_which_unit_and_which_ticket() {
        let r = render_vacancy(&sample(), Lang::ZhCn).unwrap();
        assert_eq!(
            r.subject,
            "【岗位空缺】越秀供电服务中心（GZ-YX）服务中心主任 空缺：工单 YK-2026-000042 已越级升级"
        );
        for part in [&r.text, &r.html] {
            for needle in [
                "越秀供电服务中心",
                "GZ-YX",
                "YK-2026-000042",
                "孙副局长",
                "2026-03-02",
                "https://yekuo.example.cn/admin/org?unit=GZ-YX",
            ] {
                assert!(part.contains(needle), "{needle} missing in:\n{part}");
            }
        }
        assert!(
            r.html.contains("华南精密 &#60;b&#62;") || r.html.contains("华南精密 &lt;b&gt;"),
            "{}",
            r.html
        );
        let mut en = sample();
        en.role_label = "service center director".into();
        let r = render_vacancy(&en, Lang::En).unwrap();
        assert_eq!(
            r.subject,
            "[Vacancy] service center director of 越秀供电服务中心 (GZ-YX) is vacant; YK-2026-000042 escalated past it"
        );
        assert!(r.text.contains("level 2"), "{}", r.text);
    }
}
