//! Serde helpers for Skladon's wire types: RFC 3339 times written back with milliseconds, dates
//! that are sometimes plain dates, decimals kept exact, signed counts, `null` lists.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::json;

/// How Skladon writes times: `2022-05-23T18:43:10.000Z` (JavaScript's `toISOString`).
const MILLIS_Z: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Formats a time as Skladon does (`2022-05-23T18:43:10.000Z`) when that loses nothing (UTC,
/// whole milliseconds); otherwise as full RFC 3339 so the round trip stays exact.
pub(crate) fn format_time(v: &OffsetDateTime) -> String {
    if v.offset() == UtcOffset::UTC && v.nanosecond() % 1_000_000 == 0 {
        if let Ok(s) = v.format(MILLIS_Z) {
            return s;
        }
    }
    json::format_rfc3339(v)
}

/// `Option<OffsetDateTime>`: read by `json::rfc3339::option`, written with milliseconds.
pub(crate) mod time_opt {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        v: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&format_time(v)),
            None => s.serialize_none(),
        }
    }
}

/// A date that Skladon sends either as a plain date (`2025-05-25`, the API schema's
/// `format: date`) or as a midnight time (`2024-06-13T00:00:00.000Z`, the webhook example).
///
/// Both forms are accepted and each is written back as it came, so the round trip is exact.
/// [`date`](DateOrDateTime::date) gives the calendar date either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrDateTime {
    /// `YYYY-MM-DD`.
    Date(Date),
    /// An RFC 3339 time such as `2024-06-13T00:00:00.000Z`.
    DateTime(OffsetDateTime),
}

impl DateOrDateTime {
    /// The calendar date (of the time, in its own offset, for [`DateTime`](Self::DateTime)).
    #[must_use]
    pub fn date(&self) -> Date {
        match self {
            DateOrDateTime::Date(d) => *d,
            DateOrDateTime::DateTime(t) => t.date(),
        }
    }

    /// Parses either form; `None` if the text is neither.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        // The crate's shared readers: hand-written for the common forms, `time`'s own parser for
        // the rest of RFC 3339, so the result is the same as parsing with `time` alone.
        let s = s.trim();
        match json::parse_date(s.as_bytes()) {
            Some(date) => Some(DateOrDateTime::Date(date)),
            None => json::parse_rfc3339(s).map(DateOrDateTime::DateTime),
        }
    }
}

impl fmt::Display for DateOrDateTime {
    /// The wire form: `2025-05-25` or `2024-06-13T00:00:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateOrDateTime::Date(d) => f.write_str(&json::format_date(d)),
            DateOrDateTime::DateTime(t) => f.write_str(&format_time(t)),
        }
    }
}

impl Serialize for DateOrDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = DateOrDateTime;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date `YYYY-MM-DD` or an RFC 3339 date-time")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        DateOrDateTime::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl<'de> Deserialize<'de> for DateOrDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DateVisitor)
    }
}

/// `Option<DateOrDateTime>`: `null`, `""` and absent are `None`.
pub(crate) mod date_opt {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateOrDateTime>, D::Error> {
        let s: Option<Cow<'de, str>> = json::borrowed_str_opt(d)?;
        match s.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => DateOrDateTime::parse(v)
                .map(Some)
                .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(v), &DateVisitor)),
        }
    }
}

/// An exact decimal (a price): a JSON number or a numeric string, kept as a
/// [`serde_json::Number`] so that nothing is rounded and equality works; written as a number.
pub(crate) mod decimal_opt {
    use super::*;
    use serde_json::Number;

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Number>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, a numeric string or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Number::from_f64(v)
                .map(Some)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            // `Number`'s own parser: exactly JSON's number grammar, nothing looser.
            t.parse::<Number>()
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Number>, D::Error> {
        d.deserialize_option(V)
    }
}

/// A signed integer (a stock movement's `count` goes below zero): a JSON number or a string
/// of an optional `-` and digits.
pub(crate) mod lenient_i64 {
    use super::*;

    struct V;
    impl Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or a string of digits")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            // `3.0` is an integer written loosely; `1.5` is not.
            if v.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v)
            {
                Ok(v as i64)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            let t = v.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                t.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(V)
    }
}

/// A list where `null` means empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A map key, borrowed from the body when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Newtypes so a hand-written visitor can read one field with the same rules as the derived
/// structs.
#[derive(Deserialize)]
pub(crate) struct OptString(
    #[serde(deserialize_with = "json::lenient_string::option::deserialize")]
    pub(crate)  Option<String>,
);

#[derive(Deserialize)]
pub(crate) struct OptU64(#[serde(with = "json::lenient_uint::option")] pub(crate) Option<u64>);

#[derive(Deserialize)]
pub(crate) struct OptTime(
    #[serde(deserialize_with = "json::rfc3339::option::deserialize")]
    pub(crate)  Option<OffsetDateTime>,
);

#[derive(Deserialize)]
pub(crate) struct ReqString(
    #[serde(deserialize_with = "json::lenient_string::deserialize")] pub(crate) String,
);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn times_written_like_skladon() {
        assert_eq!(
            format_time(&datetime!(2022-05-23 18:43:10 UTC)),
            "2022-05-23T18:43:10.000Z"
        );
        assert_eq!(
            format_time(&datetime!(2022-05-23 18:43:10.77 UTC)),
            "2022-05-23T18:43:10.770Z"
        );
        // Finer than milliseconds, or another offset: full RFC 3339, nothing lost.
        assert_eq!(
            format_time(&datetime!(2022-05-23 18:43:10.000_001 UTC)),
            "2022-05-23T18:43:10.000001Z"
        );
        assert_eq!(
            format_time(&datetime!(2022-05-23 18:43:10 +02:00)),
            "2022-05-23T18:43:10+02:00"
        );
    }

    #[test]
    fn dates_in_both_forms() {
        let d = DateOrDateTime::parse("2025-05-25").unwrap();
        assert_eq!(d, DateOrDateTime::Date(date!(2025 - 05 - 25)));
        assert_eq!(d.to_string(), "2025-05-25");
        let t = DateOrDateTime::parse("2024-06-13T00:00:00.000Z").unwrap();
        assert_eq!(t.date(), date!(2024 - 06 - 13));
        assert_eq!(t.to_string(), "2024-06-13T00:00:00.000Z");
        assert!(DateOrDateTime::parse("2025-13-25").is_none());
        assert!(DateOrDateTime::parse("tomorrow").is_none());
    }
}
