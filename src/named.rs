//! Enums of named values (a ticket's status, a request's state, a light):
//! each value has one name, the one stored, sent and parsed.

/// `ALL`, `as_str`, `parse` and `Display` for an enum whose values are
/// named `variant => "name"`.
macro_rules! named_values {
    ($ty:ident { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: [$ty; [$($s),+].len()] = [$($ty::$v),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$v => $s),+
                }
            }

            pub fn parse(s: &str) -> Result<$ty, String> {
                Self::ALL
                    .into_iter()
                    .find(|x| x.as_str() == s.trim())
                    .ok_or_else(|| {
                        format!("`{}` is not one of {}", s.trim(), [$($s),+].join(", "))
                    })
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
