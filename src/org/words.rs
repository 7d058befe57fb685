//! The org's words, each parsed by one rule wherever it arrives from: the
//! JSON API, the command line, the import file and the HTML forms. A value
//! of one of these types has passed its rule; the messages name no field
//! (the caller knows which field it read).

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Role, UnitKind};
use crate::mail::Lang;
use crate::validate::{self, Errors, FieldError, is_hidden};

/// Longest unit code or username.
pub const MAX_CODE: usize = 64;
/// Longest unit or person name (characters).
pub const MAX_NAME: usize = 200;
/// Longest email address (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest phone number.
pub const MAX_PHONE: usize = 32;

/// Shows a refused value in a message with its hidden characters escaped.
fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_hidden(c) {
                format!("\\u{{{:04X}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

macro_rules! word {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(w: $name) -> String {
                w.0
            }
        }
    };
}

word!(
    /// A login name: ASCII letters, digits, `-`, `_` and `.`.
    Username
);
word!(
    /// A unit's code (`GZ`, `GZ-TH`): ASCII letters, digits, `-` and `_`.
    UnitCode
);
word!(
    /// One mailbox, `local@domain.tld`, nothing around it.
    EmailAddress
);
word!(
    /// A phone number: digits, spaces, `+ - ( ) #`.
    Phone
);

/// Letters, digits, `-`, `_` (and `.` when `dot`), at most [`MAX_CODE`].
fn code(s: &str, what: &str, dot: bool) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("is required".into());
    }
    let ok = s.len() <= MAX_CODE
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || (dot && c == '.'));
    if ok {
        Ok(s.to_string())
    } else {
        let allowed = if dot {
            "letters, digits, -, _ and ."
        } else {
            "letters, digits, - and _"
        };
        Err(format!(
            "`{}` is not {what} ({allowed}; at most {MAX_CODE})",
            shown(s)
        ))
    }
}

impl Username {
    pub fn parse(s: &str) -> Result<Self, String> {
        code(s, "a username", true).map(Username)
    }
}

impl UnitCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        code(s, "a unit code", false).map(UnitCode)
    }
}

impl EmailAddress {
    /// `local@domain.tld`: one `@`, a dotted domain, at most [`MAX_EMAIL`]
    /// bytes, no spaces, control characters or the characters that would
    /// make it more than one address (`<>()[],;:"\`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("is required".into());
        }
        let ok = s.len() <= MAX_EMAIL
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            })
            && !s
                .chars()
                .any(|c| c.is_whitespace() || is_hidden(c) || "<>()[],;:\"\\".contains(c));
        if ok {
            Ok(EmailAddress(s.to_string()))
        } else {
            Err(format!(
                "`{}` is not an email address (like name@example.cn)",
                shown(s)
            ))
        }
    }
}

impl Phone {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.chars().count() <= MAX_PHONE
            && s.chars()
                .all(|c| c.is_ascii_digit() || " +-()#".contains(c));
        if ok {
            Ok(Phone(s.to_string()))
        } else {
            Err(format!(
                "`{}` is not a phone number (digits, spaces, + - ( ) #; at most {MAX_PHONE})",
                shown(s)
            ))
        }
    }
}

/// A person's or a unit's name: one line of at most [`MAX_NAME`] characters.
pub fn name(s: &str) -> Result<String, String> {
    validate::line(s, MAX_NAME)
}

/// A role and where it is held: `role` (in the person's own unit; `admin`
/// alone, for a person without a unit, is installation-wide) or
/// `role@UNITCODE`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleGrant {
    pub role: Role,
    pub unit: Option<UnitCode>,
}

impl RoleGrant {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s.split_once('@') {
            Some((r, u)) => {
                let role = Role::parse(r)?;
                if u.trim().is_empty() {
                    return Err(format!("`{}` names no unit after @", shown(s)));
                }
                let unit = UnitCode::parse(u)
                    .map_err(|_| format!("`{}` in `{}` is not a unit code", shown(u), shown(s)))?;
                Ok(RoleGrant {
                    role,
                    unit: Some(unit),
                })
            }
            None => Ok(RoleGrant {
                role: Role::parse(s)?,
                unit: None,
            }),
        }
    }
}

impl fmt::Display for RoleGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unit {
            Some(u) => write!(f, "{}@{u}", self.role.as_str()),
            None => f.write_str(self.role.as_str()),
        }
    }
}

/// A person as typed into a form, a request body or the command line:
/// text, to be parsed into a [`NewPerson`].
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PersonForm {
    pub username: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    /// Code of the unit the person belongs to (none: an installation-wide admin).
    pub unit: Option<String>,
    /// zh-CN (default) or en.
    pub lang: Option<String>,
    /// `role` (held in the person's unit) or `role@UNITCODE`.
    pub roles: Vec<String>,
}

/// A person ready to be created: every field has passed its rule.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub username: Username,
    pub name: String,
    pub email: EmailAddress,
    pub phone: Option<Phone>,
    pub unit_code: Option<UnitCode>,
    pub lang: Lang,
    pub roles: Vec<RoleGrant>,
}

impl NewPerson {
    /// The units the person's roles are held in, their own unit included
    /// (`None`: installation-wide).
    pub fn units_touched(&self) -> Vec<Option<&UnitCode>> {
        let mut out = vec![self.unit_code.as_ref()];
        for g in &self.roles {
            out.push(g.unit.as_ref().or(self.unit_code.as_ref()));
        }
        out.dedup();
        out
    }
}

impl TryFrom<PersonForm> for NewPerson {
    type Error = Vec<FieldError>;

    fn try_from(f: PersonForm) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let username = e.take("username", Username::parse(&f.username));
        let name = e.take("name", name(&f.name));
        let email = e.take("email", EmailAddress::parse(&f.email));
        let phone = match f.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => e.take("phone", Phone::parse(p)).map(Some),
        };
        let unit_code = match f.unit.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(u) => e.take("unit", UnitCode::parse(u)).map(Some),
        };
        let lang = match f.lang.as_deref().map(str::trim) {
            None | Some("") => Some(Lang::ZhCn),
            Some(l) => e.take("lang", Lang::parse(l)),
        };
        let mut roles = Vec::new();
        if f.roles.is_empty() {
            e.add("roles", "name at least one role");
        }
        for r in &f.roles {
            if let Some(g) = e.take("roles", RoleGrant::parse(r))
                && !roles.contains(&g)
            {
                roles.push(g);
            }
        }
        if let Some(None) = &unit_code {
            for g in &roles {
                if g.unit.is_none() && g.role != Role::Admin {
                    e.add(
                        "roles",
                        format!(
                            "`{}` needs a unit: give the person a unit or write {}@UNIT",
                            g.role.as_str(),
                            g.role.as_str()
                        ),
                    );
                }
            }
        }
        let value = (|| {
            Some(NewPerson {
                username: username?,
                name: name?,
                email: email?,
                phone: phone?,
                unit_code: unit_code?,
                lang: lang?,
                roles,
            })
        })();
        e.finish(value)
    }
}

/// A unit as typed: text, to be parsed into a [`NewUnit`].
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UnitForm {
    pub code: String,
    pub name: String,
    /// bureau, service_center or department.
    pub kind: String,
    /// The bureau's code (service centers and departments).
    pub parent: Option<String>,
}

/// A unit ready to be created.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub parent_code: Option<UnitCode>,
}

impl TryFrom<UnitForm> for NewUnit {
    type Error = Vec<FieldError>;

    fn try_from(f: UnitForm) -> Result<Self, Self::Error> {
        let mut e = Errors::default();
        let code = e.take("code", UnitCode::parse(&f.code));
        let name = e.take("name", name(&f.name));
        let kind = e.take("kind", UnitKind::parse(&f.kind));
        let parent_code = match f.parent.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => e.take("parent", UnitCode::parse(p)).map(Some),
        };
        let value = (|| {
            Some(NewUnit {
                code: code?,
                name: name?,
                kind: kind?,
                parent_code: parent_code?,
            })
        })();
        e.finish(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_refuse_what_the_import_refuses() {
        assert!(Username::parse("li.ming_2").is_ok());
        assert!(Username::parse("li\u{200B}ming").is_err());
        assert!(
            Username::parse("li\u{202E}ming")
                .unwrap_err()
                .contains("\\u{202E}")
        );
        assert!(UnitCode::parse("<b>GZ</b>").is_err());
        assert!(UnitCode::parse("GZ.TH").is_err());
        assert_eq!(UnitCode::parse(" GZ-TH ").unwrap().as_str(), "GZ-TH");
        assert!(UnitCode::parse(&"A".repeat(MAX_CODE)).is_ok());
        assert!(UnitCode::parse(&"A".repeat(MAX_CODE + 1)).is_err());
        for bad in [
            "nonsense",
            "l1\r\nBcc: x@y.cn",
            "a@b",
            "a b@c.cn",
            "<a@b.cn>",
            "a@b.cn,c@d.cn",
            "a@@b.cn",
            "a@.cn",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            EmailAddress::parse("l1\r\nBcc: x@y.cn")
                .unwrap_err()
                .contains("\\u{000D}")
        );
        assert!(EmailAddress::parse("li.ming@gz.example.cn").is_ok());
        assert!(Phone::parse("+86 (20) 1234-5678").is_ok());
        assert!(Phone::parse("call me").is_err());
    }

    #[test]
    fn role_grants_parse_role_and_unit() {
        let g = RoleGrant::parse("head@SZ").unwrap();
        assert_eq!((g.role, g.unit.unwrap().as_str()), (Role::Head, "SZ"));
        assert_eq!(RoleGrant::parse("manager").unwrap().unit, None);
        assert!(RoleGrant::parse("boss@SZ").is_err());
        assert!(RoleGrant::parse("head@").unwrap_err().contains("no unit"));
        assert!(
            RoleGrant::parse("head@S Z")
                .unwrap_err()
                .contains("not a unit code")
        );
    }

    #[test]
    fn a_form_gets_one_error_per_bad_field() {
        let form = PersonForm {
            username: "li\u{0}".into(),
            name: " ".into(),
            email: "x".into(),
            phone: Some("abc".into()),
            unit: Some("GZ TH".into()),
            lang: Some("fr".into()),
            roles: vec!["boss".into()],
        };
        let errors = NewPerson::try_from(form).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "username", "name", "email", "phone", "unit", "lang", "roles"
            ]
        );
    }
}
