//! `wire_enum!`: the one way this crate models a provider's string enum.
//!
//! Every provider sends statuses and kinds as strings and adds new ones without notice
//! (principle 2 of the design), so each such enum gets:
//! - one variant per documented value, plus `Other(String)` that keeps anything else verbatim;
//! - `as_str` (the wire value), `Display`, `FromStr` (infallible) and `From<&str>`;
//! - `Serialize`/`Deserialize` as that string, borrowing while parsing so a known value
//!   allocates nothing;
//! - a matching rule: `exact`, `ignore_case` (ASCII) or `loose` (ASCII case, and `_`, `-` and
//!   space treated alike), chosen per enum from what the provider's own pages show.

/// Compares two wire values ignoring ASCII case and treating `_`, `-` and ` ` as one separator.
/// Inline: an unknown value is compared with every documented one, and most differ in length.
/// From the last byte back: values of one kind tend to share a prefix (`Order ...`), and an
/// unknown one differs from those of its length sooner there.
#[inline]
pub(crate) fn eq_loose(a: &str, b: &str) -> bool {
    fn norm(c: u8) -> u8 {
        match c {
            b'_' | b'-' => b' ',
            c => c.to_ascii_lowercase(),
        }
    }
    a.len() == b.len()
        && a.bytes()
            .rev()
            .zip(b.bytes().rev())
            .all(|(x, y)| x == y || norm(x) == norm(y))
}

/// Exact comparison, the default matching rule.
pub(crate) fn eq_exact(a: &str, b: &str) -> bool {
    a == b
}

/// ASCII case-insensitive comparison.
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Declares a provider string enum with an `Other(String)` fallback; see the module docs.
#[cfg_attr(not(any_provider), allow(unused_macros))]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident matching $rule:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal $(| $alias:literal)*
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("\n\nWire value: `", $wire, "`.")]
                $variant,
            )+
            /// A value this crate does not know yet, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every documented value, in the provider's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it goes on the wire.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $name::Other(s) => s.as_str(),
                    known => known.documented_str().unwrap_or_default(),
                }
            }

            /// The documented wire value, `None` for [`Other`](Self::Other).
            #[must_use]
            pub fn documented_str(&self) -> Option<&'static str> {
                match self {
                    $($name::$variant => Some($wire),)+
                    $name::Other(_) => None,
                }
            }

            /// Whether this is a value the crate does not know (kept in `Other`).
            #[must_use]
            pub fn is_other(&self) -> bool {
                matches!(self, $name::Other(_))
            }

            fn known(s: &str) -> Option<Self> {
                // The exact spelling first: it is what the provider documents and the cheapest.
                match s {
                    $($wire $(| $alias)* => return Some($name::$variant),)+
                    _ => {}
                }
                let eq = $crate::wire::enums::$rule;
                $(
                    if eq(s, $wire) $(|| eq(s, $alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::known(s).unwrap_or_else(|| $name::Other(s.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self::known(&s).unwrap_or($name::Other(s))
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn schema_id() -> std::borrow::Cow<'static, str> {
                concat!(module_path!(), "::", stringify!($name)).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $crate::wire::schema::wire_enum(stringify!($name), &[$($wire $(, $alias)*),+])
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        Ok($name::from(s))
                    }
                    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<$name, E> {
                        Ok($name::from(s))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_matching_folds_case_and_separators() {
        assert!(eq_loose("Closed Failed", "CLOSED_FAILED"));
        assert!(eq_loose("self-pickup", "SELF PICKUP"));
        assert!(!eq_loose("Closed Failed", "ClosedFailed"));
        assert!(eq_ignore_case("Delivered", "dELIVERED"));
        assert!(!eq_ignore_case("Delivered", "Delivered "));
        assert!(eq_exact("a", "a") && !eq_exact("a", "A"));
    }
}
