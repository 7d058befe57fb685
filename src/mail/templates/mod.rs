//! Mail templates (askama): one folder per mail under templates/mail/,
//! each with a subject, a text body and an HTML body per language. zh-CN is
//! the default; English for people whose `lang` is `en`.

/// The six askama templates of one mail — subject, text and HTML, in zh-CN
/// and English (askama wants each path as a literal) — each holding `$field: &$ty`,
/// and `fn render(data, lang)` that renders the set for one language.
macro_rules! mail_templates {
    ($field:ident: $ty:ty, [$sz:literal, $tz:literal, $hz:literal, $se:literal, $te:literal, $he:literal]) => {
        #[derive(askama::Template)]
        #[template(path = $sz)]
        struct SubjectZh<'a> {
            $field: &'a $ty,
        }

        #[derive(askama::Template)]
        #[template(path = $tz)]
        struct TextZh<'a> {
            $field: &'a $ty,
        }

        #[derive(askama::Template)]
        #[template(path = $hz)]
        struct HtmlZh<'a> {
            $field: &'a $ty,
        }

        #[derive(askama::Template)]
        #[template(path = $se)]
        struct SubjectEn<'a> {
            $field: &'a $ty,
        }

        #[derive(askama::Template)]
        #[template(path = $te)]
        struct TextEn<'a> {
            $field: &'a $ty,
        }

        #[derive(askama::Template)]
        #[template(path = $he)]
        struct HtmlEn<'a> {
            $field: &'a $ty,
        }

        #[allow(
            clippy::needless_lifetimes,
            reason = "needed where the data type borrows ('a), not where it does not"
        )]
        fn render<'a>(
            $field: &'a $ty,
            lang: super::Lang,
        ) -> Result<crate::mail::Rendered, crate::mail::MailError> {
            use askama::Template;
            Ok(match lang {
                super::Lang::ZhCn => crate::mail::Rendered {
                    subject: super::subject(SubjectZh { $field }.render()?),
                    text: TextZh { $field }.render()?,
                    html: HtmlZh { $field }.render()?,
                },
                super::Lang::En => crate::mail::Rendered {
                    subject: super::subject(SubjectEn { $field }.render()?),
                    text: TextEn { $field }.render()?,
                    html: HtmlEn { $field }.render()?,
                },
            })
        }
    };
}

mod agenda;
mod digest;
mod escalation;
mod vacancy;

pub use agenda::{AgendaContext, AgendaGroup, AgendaItem, render_agenda};
pub use digest::{DigestAnswer, DigestContext, DigestItem, answer_label, render_digest};
pub use escalation::{EscalationContext, LadderStep, render_escalation};
pub use vacancy::{VacancyContext, render_vacancy};

use crate::org::Role;

/// The language a mail is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    /// A person's `lang` preference: `en` (or `en-…`) is English, anything
    /// else the default zh-CN.
    pub fn from_pref(pref: &str) -> Lang {
        let p = pref.trim().to_ascii_lowercase();
        if p == "en" || p.starts_with("en-") || p.starts_with("en_") {
            Lang::En
        } else {
            Lang::ZhCn
        }
    }

    /// A language as given in a form, a request or a file: `zh-CN` or `en`
    /// (any case).
    pub fn parse(s: &str) -> Result<Lang, String> {
        match s.trim() {
            l if l.eq_ignore_ascii_case("zh-CN") => Ok(Lang::ZhCn),
            l if l.eq_ignore_ascii_case("en") => Ok(Lang::En),
            other => Err(format!("`{other}` is not zh-CN or en")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A role's name in `lang`, for mail text.
pub fn role_label(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::Manager, Lang::ZhCn) => "客户经理",
        (Role::CenterDirector, Lang::ZhCn) => "服务中心主任",
        (Role::DeputyHead, Lang::ZhCn) => "分管副局长",
        (Role::Head, Lang::ZhCn) => "局长",
        (Role::Department, Lang::ZhCn) => "部门专责",
        (Role::Auditor, Lang::ZhCn) => "营销稽查",
        (Role::Admin, Lang::ZhCn) => "系统管理员",
        (Role::Manager, Lang::En) => "customer manager",
        (Role::CenterDirector, Lang::En) => "service center director",
        (Role::DeputyHead, Lang::En) => "deputy head",
        (Role::Head, Lang::En) => "head of bureau",
        (Role::Department, Lang::En) => "department member",
        (Role::Auditor, Lang::En) => "auditor",
        (Role::Admin, Lang::En) => "administrator",
    }
}

/// Trims what a template leaves around a one-line subject.
fn subject(s: String) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_preferences() {
        assert_eq!(Lang::from_pref("en"), Lang::En);
        assert_eq!(Lang::from_pref("en-GB"), Lang::En);
        assert_eq!(Lang::from_pref("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::from_pref(""), Lang::ZhCn);
        assert_eq!(Lang::from_pref("fr"), Lang::ZhCn);
    }

    #[test]
    fn every_role_has_labels() {
        for r in Role::ALL {
            assert!(!role_label(r, Lang::ZhCn).is_empty());
            assert!(role_label(r, Lang::En).is_ascii());
        }
    }
}
