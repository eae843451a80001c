//! [`RawJson`]: the one form in which payloads keep JSON this crate does not model.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer};
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
            .map(RawJson)
            .map_err(|e| Error::Payload(super::payload_error(String::new(), &e)))
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
    /// Any JSON value, kept as text. serde_json skips it without recursing, so even a deeply
    /// nested value costs linear time and no stack; [`to_value`](RawJson::to_value) then has
    /// serde_json's recursion limit, and fails cleanly on such a value.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<serde_json::value::RawValue>::deserialize(d).map(RawJson)
    }
}
