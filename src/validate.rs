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
        let s = s.trim().to_string();
        if s.is_empty() {
            self.error(name, "must not be blank");
            None
        } else if s.chars().count() > max {
            self.error(name, format!("must be at most {max} characters"));
            None
        } else {
            Some(s)
        }
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
