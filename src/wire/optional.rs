//! [`TimestampOrText`]: optional timestamps, which must never fail a delivery, and the
//! `OptTimestamp` adapter that reads them (`null`, absent and `""` are `None`).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

use super::datetime::Timestamp;
use super::exact;
use super::raw::Scalar;

/// An optional timestamp as sent: read when it is a date form, kept as its text otherwise.
///
/// Used for every optional date field, so that a date in a form nobody foresaw never fails a
/// delivery (a provider disables an endpoint that keeps failing): the text is kept, and written
/// back as it came. `null`, absent and `""` are `None` on the field.
///
/// ```
/// use delivery_webhooks::{Timestamp, TimestampOrText};
///
/// let read: TimestampOrText = serde_json::from_str(r#""2024-11-14T14:39:13Z""#)?;
/// assert_eq!(read.timestamp().map(|t| t.assume_utc().hour()), Some(14));
/// let odd: TimestampOrText = serde_json::from_str(r#""next Tuesday""#)?;
/// assert_eq!(odd, TimestampOrText::Unreadable("next Tuesday".into()));
/// assert_eq!(serde_json::to_string(&odd)?, r#""next Tuesday""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TimestampOrText {
    /// A date or date-time in a form [`Timestamp`] reads.
    Read(Timestamp),
    /// Anything else, as sent (a number is kept as its text).
    Unreadable(String),
}

impl TimestampOrText {
    /// The timestamp, if it could be read.
    #[must_use]
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            TimestampOrText::Read(t) => Some(*t),
            TimestampOrText::Unreadable(_) => None,
        }
    }

    /// The text, if it could not be read.
    #[must_use]
    pub fn unreadable(&self) -> Option<&str> {
        match self {
            TimestampOrText::Read(_) => None,
            TimestampOrText::Unreadable(s) => Some(s),
        }
    }

    /// Reads `text`: never fails.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        Timestamp::parse(text).map_or_else(|| Self::Unreadable(text.to_owned()), Self::Read)
    }
}

impl From<Timestamp> for TimestampOrText {
    fn from(t: Timestamp) -> Self {
        TimestampOrText::Read(t)
    }
}

impl fmt::Display for TimestampOrText {
    /// The text as sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampOrText::Read(t) => t.fmt(f),
            TimestampOrText::Unreadable(s) => f.write_str(s),
        }
    }
}

impl Serialize for TimestampOrText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TimestampOrText::Read(t) => t.serialize(s),
            TimestampOrText::Unreadable(text) => s.serialize_str(text),
        }
    }
}

/// Reads a string (or number) as [`TimestampOrText`]; `""` (after trimming) is `None`. A number
/// is kept as its digits exactly as sent, never through `f64`.
#[inline]
fn loose<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimestampOrText>, D::Error> {
    if exact::fast() {
        d.deserialize_any(FastLoose)
    } else {
        exact_loose(d)
    }
}

/// [`loose`] in exact mode, out of the fast path's way.
#[cold]
#[inline(never)]
fn exact_loose<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimestampOrText>, D::Error> {
    const EXPECTED: &str = "a date or date-time as a string";
    match Scalar::read(d)? {
        Scalar::Str(v) => {
            // A date first: the common case, and never blank; only other text needs the
            // (Unicode) trim that tells a blank value.
            if let Some(t) = Timestamp::parse(&v) {
                return Ok(Some(TimestampOrText::Read(t)));
            }
            Ok((!v.trim().is_empty()).then(|| TimestampOrText::Unreadable(v.into_owned())))
        }
        Scalar::Number(digits) => Ok(Some(TimestampOrText::Unreadable(digits.into_owned()))),
        Scalar::Null => Err(de::Error::invalid_type(de::Unexpected::Unit, &EXPECTED)),
        Scalar::Other(kind) => Err(de::Error::invalid_type(kind.unexpected(), &EXPECTED)),
    }
}

/// [`loose`] in fast mode (see [`exact`](super::exact)).
struct FastLoose;

impl Visitor<'_> for FastLoose {
    type Value = Option<TimestampOrText>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date or date-time as a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let Some(t) = Timestamp::parse(v) {
            return Ok(Some(TimestampOrText::Read(t)));
        }
        Ok((!v.trim().is_empty()).then(|| TimestampOrText::Unreadable(v.to_owned())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(TimestampOrText::Unreadable(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(TimestampOrText::Unreadable(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        exact::lossy();
        Ok(None)
    }
}

impl<'de> Deserialize<'de> for TimestampOrText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(loose(d)?.unwrap_or_else(|| TimestampOrText::Unreadable(String::new())))
    }
}

/// `Option<TimestampOrText>` as a `serde_with` adapter: `null`, absent and `""` are `None`;
/// anything else is kept (read, or as its text). Use with `#[serde(default)]`.
pub(crate) struct OptTimestamp;

/// [`FastLoose`] where `null` is `None`: what [`OptTimestamp`] reads in fast mode, in one call
/// into the deserializer (`deserialize_any`, where `null` arrives as a unit) rather than two
/// (`deserialize_option`, then `deserialize_any`), as it runs for every optional timestamp.
struct FastOptLoose;

impl Visitor<'_> for FastOptLoose {
    type Value = Option<TimestampOrText>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        FastLoose.expecting(f)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        FastLoose.visit_str(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        FastLoose.visit_u64(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        FastLoose.visit_i64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        FastLoose.visit_f64(v)
    }
}

impl<'de> DeserializeAs<'de, Option<TimestampOrText>> for OptTimestamp {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<TimestampOrText>, D::Error> {
        if exact::fast() {
            return d.deserialize_any(FastOptLoose);
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<TimestampOrText>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date or date-time as a string, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                loose(d)
            }
        }
        d.deserialize_option(V)
    }
}

impl SerializeAs<Option<TimestampOrText>> for OptTimestamp {
    fn serialize_as<S: Serializer>(v: &Option<TimestampOrText>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}
