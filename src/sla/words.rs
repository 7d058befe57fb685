//! The SLA's words: the keys that name categories and stages in the
//! configuration, and a count of working days used as a limit. Each is
//! parsed by one rule, wherever it is read.

use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;

/// The rule of a configured key (a category, a stage, a pause reason):
/// lower-case letters, digits and `_`, at most 64.
pub(crate) fn key(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{}` must be lower-case letters, digits and _ (at most 64)",
            s.escape_debug()
        ))
    }
}

macro_rules! key_word {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, String> {
                key(s).map($name)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl From<$name> for String {
            fn from(k: $name) -> String {
                k.0
            }
        }
    };
}

key_word!(
    /// The key of a ticket category (`mv_existing_single`).
    CategoryKey
);
key_word!(
    /// The key of a stage (`accept`, `energisation`).
    StageKey
);

/// A limit in working days: 1 to 1,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = u32)]
pub struct WorkingDays(u32);

impl WorkingDays {
    pub fn new(n: u32) -> Result<Self, String> {
        if (1..=1000).contains(&n) {
            Ok(WorkingDays(n))
        } else {
            Err(format!("{n} working days: must be between 1 and 1000"))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_limits_have_one_rule() {
        assert_eq!(CategoryKey::parse(" mv_new_dual ").unwrap(), "mv_new_dual");
        assert!(StageKey::parse("Accept").is_err());
        assert!(StageKey::parse("a-b").is_err());
        assert!(CategoryKey::parse(&"a".repeat(65)).is_err());
        assert_eq!(WorkingDays::new(80).unwrap().get(), 80);
        assert!(WorkingDays::new(0).is_err() && WorkingDays::new(1001).is_err());
    }
}
