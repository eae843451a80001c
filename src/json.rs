//! Shared JSON plumbing: the parse entry every provider uses, and serde helpers for the
//! providers' loose wire types (numbers sent as strings, naive date-times, `null` for absent).

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use std::fmt;
use time::{OffsetDateTime, PrimitiveDateTime, format_description::well_known::Rfc3339};

use crate::error::{Error, PayloadError};

/// Parses `body` as `T`.
///
/// The success path validates the body as UTF-8 once, in one pass, and parses it as a `&str`:
/// serde_json then skips the UTF-8 check it would otherwise run on every string and key, which
/// is a sizeable share of parsing a webhook body. A body that is not UTF-8 goes through
/// `serde_json::from_slice` unchanged, so what is accepted and refused is exactly the same.
///
/// Only when parsing fails is the body parsed a second time with path tracking, so that the error
/// can name the JSON path (`data.order_id`) without every successful parse paying for it.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    parsed.map_err(|fast| Error::Payload(locate::<T>(body, fast)))
}

/// Re-runs a failed parse with path tracking and builds the error.
#[cold]
fn locate<T: DeserializeOwned>(body: &[u8], fast: serde_json::Error) -> PayloadError {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, err) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            (path, tracked.into_inner())
        }
        // Cannot happen for a deterministic Deserialize; keep the first error if it does.
        Ok(_) => (".".to_owned(), fast),
    };
    let path = if path.is_empty() || path == "?" {
        ".".to_owned()
    } else {
        path
    };
    payload_error(path, &err)
}

/// Turns a serde_json error into a [`PayloadError`] at `path`.
pub(crate) fn payload_error(path: String, err: &serde_json::Error) -> PayloadError {
    let mut message = err.to_string();
    // serde_json appends " at line L column C"; the error keeps those as fields instead.
    if err.line() > 0 {
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        if message.ends_with(&suffix) {
            message.truncate(message.len() - suffix.len());
        }
    }
    PayloadError::new(path, err.line(), err.column(), message)
}

/// Unsigned integers from a JSON number or a string of ASCII digits (providers send both).
///
/// Generic over the target type: `u16`, `u32` and `u64` fields all use it, and an out-of-range
/// value is an error that says so.
pub(crate) mod lenient_uint {
    use super::*;

    pub(crate) struct U64Visitor;

    impl Visitor<'_> for U64Visitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer or a string of digits")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            // `123.0` is an integer written loosely; `1.5` is not.
            if v.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&v) {
                Ok(v as u64)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            let digits = v.trim();
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits
                    .parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
    }

    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: TryFrom<u64>,
    {
        let v = d.deserialize_any(U64Visitor)?;
        T::try_from(v).map_err(|_| {
            de::Error::invalid_value(de::Unexpected::Unsigned(v), &"an integer in range")
        })
    }

    pub(crate) fn serialize<S: Serializer, T: Copy + Into<u64>>(
        v: &T,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u64((*v).into())
    }

    /// The same for an optional value: `null` and absent are `None`.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
        where
            D: Deserializer<'de>,
            T: TryFrom<u64>,
        {
            // serde's own `Option` handles `null` and absent; the wrapper reads the rest.
            struct Value<T>(T);
            impl<'de, T: TryFrom<u64>> Deserialize<'de> for Value<T> {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    super::deserialize(d).map(Value)
                }
            }
            Ok(Option::<Value<T>>::deserialize(d)?.map(|v| v.0))
        }

        pub(crate) fn serialize<S: Serializer, T: Copy + Into<u64>>(
            v: &Option<T>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_u64((*v).into()),
                None => s.serialize_none(),
            }
        }
    }
}

/// A string that may also arrive as a number (`"waybill": 123`): kept as its text.
pub(crate) mod lenient_string {
    use super::*;

    struct V;
    impl Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_any(V)
    }

    /// The same for an optional value: `null` and absent are `None`.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<String>, D::Error> {
            // serde's own `Option` handles `null` and absent; the wrapper reads the rest.
            struct Value(String);
            impl<'de> Deserialize<'de> for Value {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    super::deserialize(d).map(Value)
                }
            }
            Ok(Option::<Value>::deserialize(d)?.map(|v| v.0))
        }
    }
}

/// The wire format of date-times without a timezone: `2024-11-14 14:39:13`.
const NAIVE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// Parses `YYYY-MM-DD HH:MM:SS` (also with `T` as the separator), surrounding whitespace ignored.
///
/// Hand-written: it runs for every timestamp of every body, and a fixed layout is read faster
/// byte by byte than through a general format description.
pub(crate) fn parse_naive(s: &str) -> Option<PrimitiveDateTime> {
    naive_bytes(s.trim().as_bytes())
}

/// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, exactly nineteen bytes.
fn naive_bytes(b: &[u8]) -> Option<PrimitiveDateTime> {
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let date = parse_date(&b[..10])?;
    let time = time::Time::from_hms(
        digits(&b[11..13])? as u8,
        digits(&b[14..16])? as u8,
        digits(&b[17..19])? as u8,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

/// Parses an RFC 3339 date-time, surrounding whitespace ignored.
///
/// The forms providers send (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) are read by hand, which
/// costs a fraction of `time`'s general parser; anything else (lowercase `t`/`z`, leap seconds)
/// goes to that parser, so the result is the same either way.
pub(crate) fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let b = s.as_bytes();
    if let Some(t) = rfc3339_fast(b) {
        return Some(t);
    }
    // The general parser only for what could be RFC 3339 at all (a separator between date and
    // time, and room for an offset after): a naive time or a plain date, which providers also
    // send, is then refused at once instead of after a slow failed parse.
    if b.len() >= 20 && matches!(b[10], b'T' | b't' | b' ') {
        OffsetDateTime::parse(s, &Rfc3339).ok()
    } else {
        None
    }
}

fn rfc3339_fast(b: &[u8]) -> Option<OffsetDateTime> {
    let (head, mut rest) = b.split_at_checked(19)?;
    if head[10] != b'T' {
        return None;
    }
    let mut dt = naive_bytes(head)?;
    if let Some(frac) = rest.strip_prefix(b".") {
        let len = frac.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 || len > 9 {
            return None;
        }
        let (digits, after) = frac.split_at(len);
        let nanos = digits
            .iter()
            .chain(std::iter::repeat_n(&b'0', 9 - len))
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
        dt = dt.replace_nanosecond(nanos).ok()?;
        rest = after;
    }
    let offset = match rest {
        b"Z" => time::UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h0, h1, b':', m0, m1] => {
            let (h, m) = (digits(&[*h0, *h1])?, digits(&[*m0, *m1])?);
            if h > 23 || m > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            time::UtcOffset::from_hms(sign * h as i8, sign * m as i8, 0).ok()?
        }
        _ => return None,
    };
    Some(dt.assume_offset(offset))
}

/// Parses `YYYY-MM-DD` exactly (ten bytes).
pub(crate) fn parse_date(b: &[u8]) -> Option<time::Date> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let month = time::Month::try_from(digits(&b[5..7])? as u8).ok()?;
    time::Date::from_calendar_date(digits(&b[..4])? as i32, month, digits(&b[8..10])? as u8).ok()
}

/// The wire form of a plain date, `YYYY-MM-DD`.
const PLAIN_DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Formats a date as `YYYY-MM-DD` (what [`parse_date`] reads); falls back to time's default
/// format for years beyond four digits.
pub(crate) fn format_date(d: &time::Date) -> String {
    d.format(PLAIN_DATE).unwrap_or_else(|_| d.to_string())
}

/// The value of a run of ASCII digits (at most four here), `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// Formats a date-time as `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn format_naive(dt: &PrimitiveDateTime) -> String {
    dt.format(NAIVE).unwrap_or_else(|_| dt.to_string()) // only fails for years beyond 9999
}

/// `PrimitiveDateTime` as `YYYY-MM-DD HH:MM:SS`: providers that document no timezone.
pub(crate) mod naive_datetime {
    use super::*;

    struct V;
    impl Visitor<'_> for V {
        type Value = PrimitiveDateTime;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time as `YYYY-MM-DD HH:MM:SS`")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            parse_naive(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<PrimitiveDateTime, D::Error> {
        d.deserialize_str(V)
    }

    pub(crate) fn serialize<S: Serializer>(v: &PrimitiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_naive(v))
    }
}

/// `OffsetDateTime` as RFC 3339 (`2024-09-02T13:08:06.574Z`, with or without fractional
/// seconds, `Z` or an explicit offset).
pub(crate) mod rfc3339 {
    use super::*;

    pub(crate) struct V;
    impl Visitor<'_> for V {
        type Value = OffsetDateTime;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 date-time such as `2024-09-02T13:08:06.574Z`")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            parse_rfc3339(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        d.deserialize_str(V)
    }

    pub(crate) fn serialize<S: Serializer>(v: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(v))
    }

    /// The same for an optional value (read only): `null`, `""` and absent are `None`.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            let s: Option<std::borrow::Cow<'de, str>> = super::super::borrowed_str_opt(d)?;
            match s.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) => parse_rfc3339(v)
                    .map(Some)
                    .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(v), &V)),
            }
        }
    }
}

/// Formats RFC 3339; falls back to time's default format for years RFC 3339 cannot express.
pub(crate) fn format_rfc3339(v: &OffsetDateTime) -> String {
    v.format(&Rfc3339).unwrap_or_else(|_| v.to_string())
}

/// A JSON value of a field whose shape is not published: a string is kept borrowed from the
/// body when it can be (so a caller that recognises it allocates nothing to look at it), and
/// anything else is read as a `serde_json::Value`, without first buffering the string case.
pub(crate) enum Loose<'de> {
    /// A JSON string.
    Text(std::borrow::Cow<'de, str>),
    /// Any other JSON value.
    Other(serde_json::Value),
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde_json::Value;
        use std::borrow::Cow;

        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Loose::Text(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Loose::Other(Value::Bool(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Loose::Other(Value::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Loose::Other(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Loose::Other(Value::from(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Loose::Other(Value::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Loose::Other(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Loose::deserialize(d)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Value::deserialize(MapAccessDeserializer::new(map)).map(Loose::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Value::deserialize(SeqAccessDeserializer::new(seq)).map(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Loose<'_> {
    /// The value as a `serde_json::Value`, for keeping what was not recognised.
    pub(crate) fn into_value(self) -> serde_json::Value {
        match self {
            Loose::Text(t) => serde_json::Value::String(t.into_owned()),
            Loose::Other(v) => v,
        }
    }
}

/// A JSON value kept exactly as it was sent: its raw text.
///
/// Used where a provider sends something this crate does not model (the data of an event it
/// does not know yet). Keeping the text is cheaper than building a `serde_json::Value` and loses
/// nothing (no number is rounded, no key reordered); it is written back verbatim, so a round trip
/// gives an equal value. Read it with [`get`](RawJson::get), [`to_value`](RawJson::to_value) or,
/// into your own type, [`parse`](RawJson::parse).
///
/// ```
/// # #[cfg(feature = "wakilni")] {
/// use delivery_webhooks::wakilni::{self, EventData};
///
/// let body = br#"{"event_id":"e1","event":"Order Returned","timestamp":"2024-11-14 14:39:13",
///   "data":{"order_id":7,"return_reason":"refused"}}"#;
/// let EventData::Unknown { event, data } = wakilni::parse(body)?.data else { unreachable!() };
/// assert_eq!(event, "Order Returned");
/// assert_eq!(data.get(), r#"{"order_id":7,"return_reason":"refused"}"#);
/// assert_eq!(data.to_value()?["return_reason"], "refused");
/// # }
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
#[derive(Clone)]
pub struct RawJson(Box<serde_json::value::RawValue>);

impl RawJson {
    /// The JSON text, exactly as sent.
    #[must_use]
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The value as a `serde_json::Value`.
    ///
    /// # Errors
    /// Never for a value read from a body (it was valid JSON then); the `Result` is for the
    /// recursion limit of very deep values.
    pub fn to_value(&self) -> Result<serde_json::Value, Error> {
        self.parse()
    }

    /// Parses the value into a type of your own, with errors naming the JSON path.
    ///
    /// # Errors
    /// [`Error::Payload`] when the value does not fit `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Error> {
        parse(self.get().as_bytes())
    }

    /// The raw text of an already parsed value (used when a value had to be buffered).
    pub(crate) fn from_value(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(RawJson)
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.get()).finish()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl serde::Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<serde_json::value::RawValue>::deserialize(d).map(RawJson)
    }
}

/// An optional string that borrows from the body when it can.
pub(crate) fn borrowed_str_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::borrow::Cow<'de, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);
    Ok(Option::<Wrap<'de>>::deserialize(d)?.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_accepts_space_and_t() {
        let a = parse_naive("2024-11-14 14:39:13").unwrap();
        let b = parse_naive("2024-11-14T14:39:13").unwrap();
        assert_eq!(a, b);
        assert_eq!(format_naive(&a), "2024-11-14 14:39:13");
        assert!(parse_naive("2024-13-14 14:39:13").is_none());
        assert!(parse_naive("2024-11-14").is_none());
        assert!(parse_naive("é024-11-14T14:39:13").is_none());
        assert!(parse_naive("2024-02-30 10:00:00").is_none());
        assert!(parse_naive("2024-11-14 24:00:00").is_none());
        assert!(parse_naive("2024-11-14 1:00:000").is_none());
        assert!(parse_naive("+024-11-14 10:00:00").is_none());
        assert_eq!(
            parse_naive(" 2024-02-29 23:59:59 ").unwrap().to_string(),
            "2024-02-29 23:59:59.0"
        );
    }

    #[test]
    fn fast_rfc3339_agrees_with_time() {
        for s in [
            "2020-01-08T15:30:00+05:30",
            "2020-01-08T10:00:30.250Z",
            "2020-01-08T10:00:30.1Z",
            "2020-01-08T10:00:30.123456789-03:00",
            "2020-01-08T10:00:30-00:00",
            "2020-01-08T23:59:59+23:59",
            "2020-01-08T00:00:00-23:59",
            "2024-09-02T13:08:06.574Z",
        ] {
            let fast = rfc3339_fast(s.as_bytes());
            let full = OffsetDateTime::parse(s, &Rfc3339).unwrap();
            assert_eq!(fast, Some(full), "{s}");
            assert_eq!(fast.map(|t| t.offset()), Some(full.offset()), "{s}");
        }
        for other in [
            "2020-01-08 10:00:30Z",
            "2020-01-08T10:00:30",
            "2020-01-08T10:00:30.Z",
            "2020-01-08T10:00:30.1234567890Z",
            "2020-01-08T10:00:30+24:00",
            "2020-01-08T10:00:30+05:60",
            "2020-01-08T10:00:30+0530",
            "2020-01-08T10:00:30z",
            "2020-01-08T10:00:30ZZ",
            "2020-01-08T10:00:60Z",
            "2020-01-0",
        ] {
            assert_eq!(rfc3339_fast(other.as_bytes()), None, "{other}");
        }
        // What the guard refuses before the general parser, the general parser refuses too.
        for not_rfc3339 in ["2020-01-08 10:00:30", "2020-01-08", "2020-01-08T10:00", ""] {
            assert_eq!(
                OffsetDateTime::parse(not_rfc3339, &Rfc3339).ok(),
                None,
                "{not_rfc3339}"
            );
            assert_eq!(parse_rfc3339(not_rfc3339), None, "{not_rfc3339}");
        }
        // Left to time's parser, with the same result: lowercase designators and a space as the
        // separator are RFC 3339 to it too.
        for general in ["2020-01-08 10:00:30Z", "2020-01-08 10:00:30.5+01:00"] {
            assert_eq!(
                parse_rfc3339(general),
                OffsetDateTime::parse(general, &Rfc3339).ok(),
                "{general}"
            );
            assert!(parse_rfc3339(general).is_some(), "{general}");
        }
        assert_eq!(
            parse_rfc3339(" 2020-01-08t10:00:30z "),
            OffsetDateTime::parse("2020-01-08T10:00:30Z", &Rfc3339).ok()
        );
        assert_eq!(parse_rfc3339("2020-01-08T10:00:30+24:00"), None);
    }

    #[test]
    fn error_message_drops_position_suffix() {
        let err = parse::<u64>(b"\"x\"").unwrap_err();
        let Error::Payload(p) = err else {
            panic!("{err:?}")
        };
        assert_eq!(p.path(), ".");
        assert_eq!((p.line(), p.column()), (1, 3));
        assert!(!p.message().contains("line"), "{}", p.message());
    }
}
