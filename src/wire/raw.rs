//! [`RawJson`]: the one form in which payloads keep JSON this crate does not model.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serializer};

use crate::error::Error;

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
    /// Keeps `json` as raw JSON, after checking that it is one valid JSON value: to build
    /// payloads that carry data the crate does not model (an unknown Wakilni event's `data`, a
    /// Skladon order's extra fields).
    ///
    /// # Errors
    /// [`Error::Payload`] when `json` is not valid JSON.
    ///
    /// ```
    /// use delivery_webhooks::RawJson;
    ///
    /// assert_eq!(RawJson::new(r#"{"a": 1}"#)?.get(), r#"{"a": 1}"#);
    /// assert!(RawJson::new("{").is_err());
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    pub fn new(json: impl Into<String>) -> Result<Self, Error> {
        serde_json::value::RawValue::from_string(json.into())
            .and_then(Self::checked)
            .map_err(|e| Error::Payload(super::payload_error(String::new(), &e)))
    }

    /// Keeps a value that has no key twice in one object ([`unique`](super::unique)).
    fn checked<E: de::Error>(raw: Box<serde_json::value::RawValue>) -> Result<Self, E> {
        match super::unique::first_repeated_key(raw.get()) {
            None => Ok(RawJson(raw)),
            Some(repeated) => Err(repeated.into_error()),
        }
    }

    /// Keeps a value whose keys its reader has already checked, in its own pass
    /// ([`first_repeated_key_noting`](super::unique::first_repeated_key_noting)).
    pub(crate) fn keys_checked(raw: Box<serde_json::value::RawValue>) -> Self {
        RawJson(raw)
    }

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
        super::parse(self.get().as_bytes())
    }

    /// The raw text of a value serialized (one already parsed and buffered, or a typed value
    /// to keep in raw form).
    pub(crate) fn from_value<T: serde::Serialize + ?Sized>(
        value: &T,
    ) -> Result<Self, serde_json::Error> {
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
    /// Any JSON value, kept as text. serde_json skips it without recursing, so even a deeply
    /// nested value costs linear time and no stack; [`to_value`](RawJson::to_value) then has
    /// serde_json's recursion limit, and fails cleanly on such a value.
    ///
    /// A key repeated in one of its objects, at any depth, is an error naming its path: two
    /// readers of the text must not disagree on what it says.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::checked(Box::<serde_json::value::RawValue>::deserialize(d)?)
    }
}

/// The name under which serde_json lends a value's raw text (its `RawValue` protocol): a
/// deserializer asked for a newtype struct of this name gives a one-entry map whose key is this
/// name and whose value is the raw text. serde_json's `&RawValue` and `Box<RawValue>` read
/// themselves through it; tests/wire.rs checks that every way of deserializing still does.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// The raw JSON text of the next value, borrowed from the body when the deserializer can lend it
/// (`from_str`, `from_slice`), owned otherwise (a reader, a `serde_json::Value`): what
/// `Box<RawValue>` reads, without its allocation when the text is only looked at (a date, a
/// decimal's digits, an empty string read as absent).
///
/// Errors about the text belong to the caller, raised once this returns: so that they name the
/// field, not serde_json's private raw-value key.
pub(crate) fn raw_text<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    struct Outer;
    impl<'de> Visitor<'de> for Outer {
        type Value = Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any valid JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            match map.next_key::<super::Key<'de>>()? {
                Some(super::Key(key)) if key == RAW_VALUE_TOKEN => map.next_value_seed(Inner),
                _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
            }
        }
    }
    struct Inner;
    impl<'de> DeserializeSeed<'de> for Inner {
        type Value = Cow<'de, str>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl<'de> Visitor<'de> for Inner {
        type Value = Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("raw value")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }
    d.deserialize_newtype_struct(RAW_VALUE_TOKEN, Outer)
}

impl RawJson {
    /// Keeps raw text that [`raw_text`] gave (valid JSON already; checked again, as only
    /// serde_json can build a `RawValue`).
    pub(crate) fn from_raw_text<E: de::Error>(text: Cow<'_, str>) -> Result<Self, E> {
        serde_json::value::RawValue::from_string(text.into_owned())
            .map_err(E::custom)
            .and_then(Self::checked)
    }
}

/// A scalar's raw JSON, sorted by kind: what the lenient scalars ([`Text`](super::Text),
/// [`Uint`](super::Uint), [`Int`](super::Int), an optional timestamp) read, so that a number
/// reaches them as the digits that were sent, never through `f64`.
pub(crate) enum Scalar<'de> {
    /// A string's content, its escapes resolved; borrowed from the body when it has none.
    Str(Cow<'de, str>),
    /// A number's text, exactly as sent (`18446744073709551617`, `1.50`, `-0`, `1e3`).
    Number(Cow<'de, str>),
    /// `null`.
    Null,
    /// `true`, `false`, an object or an array.
    Other(OtherKind),
}

/// What a [`Scalar::Other`] was, for the error that names it.
#[derive(Clone, Copy)]
pub(crate) enum OtherKind {
    Bool(bool),
    Map,
    Seq,
}

impl OtherKind {
    /// serde's name for it, for `invalid_type`.
    pub(crate) fn unexpected(self) -> de::Unexpected<'static> {
        match self {
            OtherKind::Bool(b) => de::Unexpected::Bool(b),
            OtherKind::Map => de::Unexpected::Map,
            OtherKind::Seq => de::Unexpected::Seq,
        }
    }
}

impl<'de> Scalar<'de> {
    /// Reads the next value's raw text and sorts it.
    pub(crate) fn read<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_raw(raw_text(d)?)
    }

    /// Sorts raw JSON text (one valid value, as [`raw_text`] gives).
    pub(crate) fn from_raw<E: de::Error>(raw: Cow<'de, str>) -> Result<Self, E> {
        Ok(match raw.as_bytes().first() {
            Some(b'"') => {
                let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
                if inner.contains('\\') {
                    Scalar::Str(Cow::Owned(serde_json::from_str(&raw).map_err(E::custom)?))
                } else {
                    match raw {
                        Cow::Borrowed(text) => Scalar::Str(Cow::Borrowed(&text[1..text.len() - 1])),
                        Cow::Owned(ref text) => {
                            Scalar::Str(Cow::Owned(text[1..text.len() - 1].to_owned()))
                        }
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => Scalar::Number(raw),
            Some(b'n') => Scalar::Null,
            Some(b't') => Scalar::Other(OtherKind::Bool(true)),
            Some(b'f') => Scalar::Other(OtherKind::Bool(false)),
            Some(b'[') => Scalar::Other(OtherKind::Seq),
            _ => Scalar::Other(OtherKind::Map),
        })
    }
}
