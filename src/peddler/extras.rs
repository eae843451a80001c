//! The extras of a Peddler update whose shapes are not published: [`DateValue`] and
//! [`NeighbourDelivery`]. Typed when recognisable, kept as sent otherwise.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::wire::raw::raw_text;
use crate::wire::{RawJson, Timestamp};

/// A date Peddler's extras carry (`estimatedDeliveryDate`, `deliveryDate`), whose format is not
/// published: typed when it is any ISO 8601 date or date-time, kept as sent otherwise, so that
/// an unexpected shape never fails a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateValue {
    /// A date or date-time, e.g. `2024-09-03T17:00:00.000Z` or `2024-09-03`, written back as it
    /// came.
    Timestamp(Timestamp),
    /// Anything else (another text, a time window object...), as sent.
    Other(RawJson),
}

impl DateValue {
    /// The calendar date, for a date or a date-time (in the offset it was sent with).
    #[must_use]
    pub fn date(&self) -> Option<time::Date> {
        self.timestamp().map(|t| t.date())
    }

    /// The date or date-time, if it is one.
    #[must_use]
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            DateValue::Timestamp(t) => Some(*t),
            DateValue::Other(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read as raw text first, borrowed from the body: a date is read from it with nothing
        // allocated, and what is not a date is kept exactly as sent.
        let raw = raw_text(d)?;
        if let Some(inner) = raw.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            // Dates have no escapes; a string with some is kept as sent. No search for a
            // backslash first: `Timestamp::parse` reads none in any form, so it refuses those.
            if let Some(t) = Timestamp::parse(inner) {
                return Ok(DateValue::Timestamp(t));
            }
        }
        RawJson::from_raw_text(raw).map(DateValue::Other)
    }
}

impl Serialize for DateValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DateValue::Timestamp(t) => t.serialize(s),
            DateValue::Other(v) => v.serialize(s),
        }
    }
}

/// `deliveredAtNeighbours`, whose shape is not published: a yes/no flag, or a description of
/// the neighbour (a house number, a name), or anything else kept as sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NeighbourDelivery {
    /// `true`/`false` (also the strings `"true"`/`"false"`).
    Flag(bool),
    /// A text, e.g. the neighbour's house number.
    Text(String),
    /// Any other shape (an object with the neighbour's address...), as sent.
    Other(RawJson),
}

impl NeighbourDelivery {
    /// Whether the parcel went to the neighbours, when that can be told: a flag as sent, a
    /// non-empty text or object as yes.
    #[must_use]
    pub fn delivered_at_neighbours(&self) -> Option<bool> {
        match self {
            NeighbourDelivery::Flag(b) => Some(*b),
            NeighbourDelivery::Text(t) => Some(!t.trim().is_empty()),
            NeighbourDelivery::Other(raw) => match raw.to_value() {
                Ok(serde_json::Value::Object(o)) => Some(!o.is_empty()),
                _ => None,
            },
        }
    }
}

impl<'de> Deserialize<'de> for NeighbourDelivery {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read as raw text first, as `DateValue` is: an unexpected shape is then kept exactly as
        // sent, in one buffer, instead of being built as a `serde_json::Value` (which costs many
        // times its text: an array of a million zeros would hold a million `Value`s).
        let raw = raw_text(d)?;
        Ok(match raw.as_bytes().first() {
            Some(b't') if raw == "true" => NeighbourDelivery::Flag(true),
            Some(b'f') if raw == "false" => NeighbourDelivery::Flag(false),
            Some(b'"') => {
                let s: String = match raw.get(1..raw.len() - 1) {
                    Some(inner) if !inner.contains('\\') => inner.to_owned(),
                    _ => serde_json::from_str(&raw).map_err(de::Error::custom)?,
                };
                match s.trim() {
                    t if t.eq_ignore_ascii_case("true") => NeighbourDelivery::Flag(true),
                    t if t.eq_ignore_ascii_case("false") => NeighbourDelivery::Flag(false),
                    _ => NeighbourDelivery::Text(s),
                }
            }
            _ => NeighbourDelivery::Other(RawJson::from_raw_text(raw)?),
        })
    }
}

impl Serialize for NeighbourDelivery {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NeighbourDelivery::Flag(b) => s.serialize_bool(*b),
            NeighbourDelivery::Text(t) => s.serialize_str(t),
            NeighbourDelivery::Other(v) => v.serialize(s),
        }
    }
}
