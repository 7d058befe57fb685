//! Parsing request bodies into domain values, collecting one error per
//! field instead of stopping at the first.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// One invalid field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The dates yekuo takes from people: a calendar date `YYYY-MM-DD` from
/// 2000 to 2100 (a year 0 or 9999 is a typing error, not a work order).
pub fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    use chrono::{Datelike, NaiveDate};
    let s = s.trim();
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{}` is not a date like 2026-03-02", s.escape_debug()))?;
    if (2000..=2100).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!("{d} is outside the years 2000 to 2100"))
    }
}

/// Free text (a note, a question, an address): trimmed, not blank, at most
/// `max` characters; line breaks and tabs are kept, other control
/// characters (NUL among them) and invisible direction overrides refused.
pub fn text(s: &str, max: usize) -> Result<String, String> {
    checked(s, max, |c| matches!(c, '\n' | '\r' | '\t'))
}

/// One line of text (a name, a subject): as [`text`], without line breaks
/// or tabs.
pub fn line(s: &str, max: usize) -> Result<String, String> {
    checked(s, max, |_| false)
}

fn checked(s: &str, max: usize, allowed: impl Fn(char) -> bool) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be blank".into());
    }
    if let Some(c) = s.chars().find(|&c| !allowed(c) && is_hidden(c)) {
        return Err(format!(
            "must not contain the control character U+{:04X}",
            c as u32
        ));
    }
    if s.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(s.to_string())
}

/// Control characters, and the invisible characters that change how text
/// around them reads (direction overrides and isolates, zero-width spaces
/// and joiners, the byte-order mark).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The first string in `v` (an object key or a value, at any depth) that
/// holds a NUL character, by its path (`attachments[0].url`): no database
/// stores NUL in text, so such a body is refused before anything reads it.
pub fn find_nul(v: &Value) -> Option<String> {
    fn walk(v: &Value, path: &mut String) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Value::Object(map) => map.iter().any(|(k, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&k.replace('\0', "\\0"));
                let found = k.contains('\0') || walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(v, &mut path).then_some(path)
}

/// Reads fields of a JSON object, recording problems as it goes.
pub struct Fields<'a> {
    obj: Option<&'a Map<String, Value>>,
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Value) -> Self {
        let mut f = Fields {
            obj: body.as_object(),
            errors: Vec::new(),
        };
        if f.obj.is_none() {
            f.error("", "the body must be a JSON object");
        }
        f
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// True when the field is present and not null.
    pub fn has(&self, name: &str) -> bool {
        self.obj
            .and_then(|o| o.get(name))
            .is_some_and(|v| !v.is_null())
    }

    /// An optional field of type `T`.
    pub fn opt<T: DeserializeOwned>(&mut self, name: &str, expected: &str) -> Option<T> {
        let v = self.obj?.get(name)?;
        if v.is_null() {
            return None;
        }
        match serde_json::from_value(v.clone()) {
            Ok(t) => Some(t),
            Err(_) => {
                self.error(name, format!("must be {expected}"));
                None
            }
        }
    }

    /// A required field of type `T`.
    pub fn req<T: DeserializeOwned>(&mut self, name: &str, expected: &str) -> Option<T> {
        if self.obj.is_some() && !self.has(name) {
            self.error(name, "is required");
            return None;
        }
        self.opt(name, expected)
    }

    /// A required non-blank string of at most `max` characters, trimmed.
    pub fn text(&mut self, name: &str, max: usize) -> Option<String> {
        let s: String = self.req(name, "a string")?;
        self.check_text(name, s, max)
    }

    /// An optional non-blank string of at most `max` characters, trimmed.
    pub fn opt_text(&mut self, name: &str, max: usize) -> Option<String> {
        let s: String = self.opt(name, "a string")?;
        self.check_text(name, s, max)
    }

    fn check_text(&mut self, name: &str, s: String, max: usize) -> Option<String> {
        match text(&s, max) {
            Ok(s) => Some(s),
            Err(m) => {
                self.error(name, m);
                None
            }
        }
    }

    /// A date field ([`date`]).
    pub fn date(&mut self, name: &str, required: bool) -> Option<chrono::NaiveDate> {
        let raw: Option<String> = if required {
            self.req(name, "a date like 2026-03-02")
        } else {
            self.opt(name, "a date like 2026-03-02")
        };
        self.parse_with(name, raw, date)
    }

    /// Applies a domain parser to a string field, recording its message.
    pub fn parse_with<T>(
        &mut self,
        name: &str,
        raw: Option<String>,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = raw?;
        match f(&raw) {
            Ok(t) => Some(t),
            Err(m) => {
                self.error(name, m);
                None
            }
        }
    }

    /// Fields present in the body that the caller does not know.
    pub fn reject_unknown(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .obj
            .map(|o| {
                o.keys()
                    .filter(|k| !known.contains(&k.as_str()))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for k in unknown {
            self.error(&k, "is not a known field");
        }
    }

    /// `Ok(value)` when no error was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty()
            && let Some(v) = value()
        {
            return Ok(v);
        }
        let mut errors = self.errors;
        if errors.is_empty() {
            errors.push(FieldError {
                field: String::new(),
                message: "invalid request".into(),
            });
        }
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_refuses_control_characters_and_keeps_line_breaks() {
        assert_eq!(text(" a\nb\t ", 10).unwrap(), "a\nb");
        assert!(line("a\nb", 10).unwrap_err().contains("U+000A"));
        assert!(text("a\0b", 10).unwrap_err().contains("U+0000"));
        assert!(line("ab\u{202E}cd", 10).unwrap_err().contains("U+202E"));
        assert_eq!(line("  ", 10).unwrap_err(), "must not be blank");
        assert_eq!(
            line("东方红", 2).unwrap_err(),
            "must be at most 2 characters"
        );
    }

    #[test]
    fn dates_are_of_this_era() {
        assert_eq!(date(" 2026-03-02 ").unwrap().to_string(), "2026-03-02");
        assert!(date("0000-01-01").unwrap_err().contains("2000 to 2100"));
        assert!(date("2101-01-01").is_err());
        assert!(date("2026-02-30").unwrap_err().contains("not a date"));
    }

    #[test]
    fn finds_nul_at_any_depth() {
        assert_eq!(find_nul(&json!({"a": "x"})), None);
        assert_eq!(
            find_nul(&json!({"a": [{"u": "ok"}, {"u": "x\u{0}"}]})).as_deref(),
            Some("a[1].u")
        );
        assert_eq!(find_nul(&json!("\u{0}")).as_deref(), Some(""));
    }

    #[test]
    fn collects_one_error_per_field() {
        let body = json!({"a": 5, "b": "  ", "x": 1});
        let mut f = Fields::new(&body);
        let a = f.text("a", 10);
        let b = f.text("b", 10);
        let c: Option<i64> = f.req("c", "an integer");
        f.reject_unknown(&["a", "b", "c"]);
        assert!(a.is_none() && b.is_none() && c.is_none());
        let fields: Vec<_> = f.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "x"]);
    }
}
