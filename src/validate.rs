//! Parsing what people send into domain values, collecting one error per
//! field instead of stopping at the first: request bodies into their DTOs
//! ([`dto`]), text ([`text`], [`line`]), dates ([`date`]); the words of the
//! org have their parsers in `org::words`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
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

/// A JSON body read into its DTO `T`, the type the OpenAPI document shows:
/// every unknown field, missing required field and field of the wrong type
/// is reported, one error per field (the fields and which are required come
/// from `T`'s schema). What the values mean is checked after, when the DTO
/// is turned into domain values (`TryFrom`, with [`Errors`]).
pub fn dto<T: DeserializeOwned + utoipa::PartialSchema>(
    body: &Value,
) -> Result<T, Vec<FieldError>> {
    let (t, errors) = dto_partial(body)?;
    errors.finish(Some(t))
}

/// [`dto`] that goes on past bad fields: the DTO without them (a DTO whose
/// fields are all `Option`, required ones marked `#[schema(required = true)]`,
/// can always be built) and the errors so far, for the domain checks to add
/// theirs, so that one answer names every bad field.
pub fn dto_partial<T: DeserializeOwned + utoipa::PartialSchema>(
    body: &Value,
) -> Result<(T, Errors), Vec<FieldError>> {
    let Some(obj) = body.as_object() else {
        return Err(vec![FieldError {
            field: String::new(),
            message: "the body must be a JSON object".into(),
        }]);
    };
    let schema = serde_json::to_value(T::schema()).unwrap_or_default();
    let names = |key: &str| -> Vec<String> {
        match &schema[key] {
            Value::Object(m) => m.keys().cloned().collect(),
            Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (known, required) = (names("properties"), names("required"));
    let mut errors = Errors::default();
    let mut obj = obj.clone();
    for r in &required {
        if obj.get(r).is_none_or(Value::is_null) {
            errors.add(r, "is required");
            obj.remove(r);
        }
    }
    let unknown: Vec<String> = obj.keys().filter(|k| !known.contains(k)).cloned().collect();
    obj.retain(|k, _| known.contains(k));
    let result = loop {
        match serde_path_to_error::deserialize::<_, T>(Value::Object(obj.clone())) {
            Ok(t) => break Some(t),
            Err(e) => {
                let top = match e.path().iter().next() {
                    Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
                    _ => String::new(),
                };
                if top.is_empty() || obj.remove(&top).is_none() {
                    // A required field reported above is missing: no DTO.
                    if errors.0.is_empty() {
                        errors.add("", e.inner().to_string());
                    }
                    break None;
                }
                let path = e.path().to_string();
                errors.add(&path, e.into_inner().to_string());
            }
        }
    };
    for k in unknown {
        errors.add(&k, "is not a known field");
    }
    match result {
        Some(t) => Ok((t, errors)),
        None => Err(errors.0),
    }
}

/// Collects one error per field while turning values into domain types.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// The value, or `None` with the error recorded against `field`.
    pub fn take<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|message| self.add(field, message)).ok()
    }

    /// Records an error against `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// An optional text field checked by `f` (absent or blank: `Some(None)`).
    pub fn opt<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match raw.map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => self.take(field, f(s)).map(Some),
        }
    }

    /// A required field (already reported by [`dto_partial`] when absent)
    /// checked by `f`.
    pub fn req<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        self.take(field, f(raw?))
    }

    /// `Ok(value)` when nothing was recorded (and the value was built).
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ if self.0.is_empty() => Err(vec![FieldError {
                field: String::new(),
                message: "invalid request".into(),
            }]),
            _ => Err(self.0),
        }
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

    #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        size: Option<i64>,
        tags: Vec<String>,
    }

    #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Lenient {
        #[schema(required = true)]
        name: Option<String>,
        size: Option<i64>,
    }

    #[test]
    fn a_dto_reports_every_bad_field_at_once() {
        let errors = dto::<Sample>(&json!({"name": 5, "size": "big", "x": 1})).unwrap_err();
        let mut fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["name", "size", "tags", "x"], "{errors:?}");
        let ok = dto::<Sample>(&json!({"name": "a", "tags": []})).unwrap();
        assert_eq!((ok.name.as_str(), ok.size), ("a", None));
        assert_eq!(dto::<Sample>(&json!([1])).unwrap_err()[0].field, "");
        // All optional: the good fields are kept for the domain checks.
        let (l, errors) = dto_partial::<Lenient>(&json!({"size": "big", "y": 0})).unwrap();
        assert_eq!((l.name, l.size), (None, None));
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "size", "y"]);
    }
}
