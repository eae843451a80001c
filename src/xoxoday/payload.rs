//! The Xoxoday delivery update: its envelope, id, status and timestamps.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::json;
use crate::macros::wire_enum;

/// One delivery status update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryUpdate {
    /// `id`: the webhook's id ("unique webhook id to identify that the webhook is thrown"),
    /// up to 20 digits.
    pub id: WebhookId,
    /// `data`: the order and its new status.
    pub data: DeliveryData,
    /// `createdAt`: when the callback was invoked.
    pub created_at: Timestamp,
}

impl DeliveryUpdate {
    /// The key to deduplicate on: the webhook [`id`](DeliveryUpdate::id).
    ///
    /// Xoxoday does not document whether a retry carries the same id (its sample even labels
    /// the field `orderID`). Since a status is final, making the handling of
    /// (`order_id`, `delivery_status`) idempotent as well costs little.
    #[must_use]
    pub fn dedup_key(&self) -> WebhookId {
        self.id
    }
}

/// The `data` object of a [`DeliveryUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryData {
    /// `orderId`: the Xoxoday order id returned when the order was placed through the Plum API
    /// (Number(11)); also read from a string of digits.
    #[serde(with = "json::lenient_uint")]
    pub order_id: u64,
    /// `poNumber`: the purchase-order number the client gave when placing the order.
    ///
    /// Absent, `null` and `""` are all `None` (an empty reference is no reference), and `None`
    /// is written back as `null`: a round trip gives an equal value, not the same bytes. A
    /// number is kept as its text.
    #[serde(
        default,
        deserialize_with = "po_number",
        serialize_with = "serialize_po_number"
    )]
    pub po_number: Option<String>,
    /// `orderDate`: when the order was placed.
    pub order_date: Timestamp,
    /// `deliveryStatus`.
    pub delivery_status: DeliveryStatus,
}

fn po_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    json::lenient_string::option::deserialize(d).map(|v| v.filter(|s| !s.is_empty()))
}

fn serialize_po_number<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

wire_enum! {
    /// A reward order's delivery status.
    ///
    /// Matched ignoring ASCII case: Xoxoday's own pages write `delivered|canceled`,
    /// `delivered|Canceled` and `Delivered|Canceled`. Written back in lowercase.
    pub enum DeliveryStatus matching eq_ignore_case {
        /// The reward was delivered.
        Delivered = "delivered",
        /// The order was canceled (`Cancelled` accepted too).
        Canceled = "canceled" | "cancelled",
        /// Not final yet: the Plum API knows this status, the webhook page does not list it.
        Pending = "pending",
    }
}

/// The webhook `id`: Number(20) in Xoxoday's docs, so up to 20 decimal digits.
///
/// Twenty digits can exceed `u64::MAX` (18446744073709551615), hence `u128`. Read exactly from a
/// JSON number of any length up to 39 digits or from a string of digits (never through `f64`);
/// written as a JSON number.
///
/// `serde_json::to_value` cannot hold an id beyond `u64` (a `Value` number is at most 64 bits
/// without serde_json's `arbitrary_precision` feature) and returns an error for one: serialize
/// with `serde_json::to_vec`/`to_string`, which write every digit.
///
/// Reading needs serde_json (`parse`, `serde_json::from_slice`, `from_str`, `from_reader` or
/// `from_value`): without its `arbitrary_precision` feature, the only exact way to read an
/// integer beyond `u64` that may also come as a string is its raw text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebhookId(u128);

impl WebhookId {
    /// The id as a number.
    #[must_use]
    pub const fn get(self) -> u128 {
        self.0
    }

    /// Reads a JSON number's or a string's text: ASCII digits only.
    fn from_digits(s: &str) -> Option<Self> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().map(WebhookId)
    }
}

impl From<u128> for WebhookId {
    fn from(v: u128) -> Self {
        WebhookId(v)
    }
}

impl From<u64> for WebhookId {
    fn from(v: u64) -> Self {
        WebhookId(u128::from(v))
    }
}

impl fmt::Display for WebhookId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for WebhookId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u128(self.0)
    }
}

impl<'de> Deserialize<'de> for WebhookId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde_json hands integers beyond u64 to visitors as f64 (lossy), and its exact u128
        // path refuses strings; the raw text serves both.
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        let digits = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => inner.trim(),
            None => text,
        };
        WebhookId::from_digits(digits).ok_or_else(|| {
            // The value is the sender's text, of any size (a 10 MiB array): an error quotes
            // only its start, so that logging it costs little.
            let shown: String = text.chars().take(48).collect();
            let more = if shown.len() < text.len() { "..." } else { "" };
            de::Error::custom(format_args!(
                "invalid value: {shown}{more}, expected a webhook id (an integer of up to 39 digits, or a string of digits)"
            ))
        })
    }
}

/// A date-time as Xoxoday sends it.
///
/// The docs give `YYYY-MM-DD HH:MM:SS` (String(19)) and no timezone, so such a value is
/// [`Naive`](Timestamp::Naive): the crate does not guess an offset (Xoxoday is based in India
/// and hosted in Singapore; neither is documented). An RFC 3339 value with an offset
/// (`2019-12-27T16:41:33+05:30`) is kept as [`Offset`](Timestamp::Offset). Each writes back in
/// its own form, so a round trip gives an equal value.
///
/// ```
/// use delivery_webhooks::xoxoday::Timestamp;
/// use time::{UtcOffset, macros::datetime};
///
/// let t: Timestamp = "2019-12-27 16:41:33".parse()?;
/// assert_eq!(t.naive(), datetime!(2019-12-27 16:41:33));
/// assert_eq!(t.offset(), None);
/// let ist = UtcOffset::from_hms(5, 30, 0)?;
/// assert_eq!(t.assume_offset(ist), datetime!(2019-12-27 16:41:33 +05:30));
/// assert_eq!(t.to_string(), "2019-12-27 16:41:33");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// `YYYY-MM-DD HH:MM:SS` (or with `T`): a wall-clock time in an undocumented timezone.
    Naive(PrimitiveDateTime),
    /// RFC 3339 with `Z` or an offset.
    Offset(OffsetDateTime),
}

impl Timestamp {
    /// The wall-clock date and time as sent (for [`Offset`](Timestamp::Offset), in its offset).
    #[must_use]
    pub fn naive(&self) -> PrimitiveDateTime {
        match self {
            Timestamp::Naive(t) => *t,
            Timestamp::Offset(t) => PrimitiveDateTime::new(t.date(), t.time()),
        }
    }

    /// The offset sent, `None` for a naive value.
    #[must_use]
    pub fn offset(&self) -> Option<UtcOffset> {
        match self {
            Timestamp::Naive(_) => None,
            Timestamp::Offset(t) => Some(t.offset()),
        }
    }

    /// The instant, assuming `offset` for a naive value (an explicit offset is kept).
    #[must_use]
    pub fn assume_offset(&self, offset: UtcOffset) -> OffsetDateTime {
        match self {
            Timestamp::Naive(t) => t.assume_offset(offset),
            Timestamp::Offset(t) => *t,
        }
    }

    fn parse_str(s: &str) -> Option<Self> {
        json::parse_naive(s)
            .map(Timestamp::Naive)
            .or_else(|| json::parse_rfc3339(s).map(Timestamp::Offset))
    }
}

/// The error of [`Timestamp`]'s `FromStr`: neither `YYYY-MM-DD HH:MM:SS` nor RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a date-time as `YYYY-MM-DD HH:MM:SS` or RFC 3339")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl std::str::FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// `YYYY-MM-DD HH:MM:SS` (or with `T`) as [`Naive`](Timestamp::Naive), RFC 3339 as
    /// [`Offset`](Timestamp::Offset).
    fn from_str(s: &str) -> Result<Self, InvalidTimestamp> {
        Timestamp::parse_str(s).ok_or(InvalidTimestamp)
    }
}

impl From<PrimitiveDateTime> for Timestamp {
    fn from(t: PrimitiveDateTime) -> Self {
        Timestamp::Naive(t)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Timestamp::Offset(t)
    }
}

impl fmt::Display for Timestamp {
    /// The wire form: `YYYY-MM-DD HH:MM:SS`, or RFC 3339.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::Naive(t) => f.write_str(&json::format_naive(t)),
            Timestamp::Offset(t) => f.write_str(&json::format_rfc3339(t)),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Timestamp::Naive(t) => s.serialize_str(&json::format_naive(t)),
            Timestamp::Offset(t) => s.serialize_str(&json::format_rfc3339(t)),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time as `YYYY-MM-DD HH:MM:SS` or RFC 3339")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_str(v)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_ignoring_case() {
        for (wire, status) in [
            ("delivered", DeliveryStatus::Delivered),
            ("Delivered", DeliveryStatus::Delivered),
            ("DELIVERED", DeliveryStatus::Delivered),
            ("canceled", DeliveryStatus::Canceled),
            ("Canceled", DeliveryStatus::Canceled),
            ("Cancelled", DeliveryStatus::Canceled),
            ("Pending", DeliveryStatus::Pending),
        ] {
            assert_eq!(DeliveryStatus::from(wire), status, "{wire}");
        }
        assert_eq!(
            DeliveryStatus::from("Returned"),
            DeliveryStatus::Other("Returned".into())
        );
        assert_eq!(DeliveryStatus::ALL.len(), 3);
    }

    #[test]
    fn timestamps_in_both_forms() {
        assert_eq!(
            Timestamp::parse_str(" 2019-12-27 16:41:33 "),
            Some(Timestamp::Naive(
                time::macros::datetime!(2019-12-27 16:41:33)
            ))
        );
        assert_eq!(
            Timestamp::parse_str("2019-12-27T16:41:33+05:30"),
            Some(Timestamp::Offset(
                time::macros::datetime!(2019-12-27 16:41:33 +05:30)
            ))
        );
        assert_eq!(Timestamp::parse_str("2019-12-27"), None);
    }

    #[test]
    fn webhook_id_digits() {
        assert_eq!(WebhookId::from_digits("0"), Some(WebhookId(0)));
        assert_eq!(
            WebhookId::from_digits("340282366920938463463374607431768211455"),
            Some(WebhookId(u128::MAX))
        );
        for bad in [
            "",
            "-1",
            "+1",
            "1.0",
            "1e3",
            "12a",
            "340282366920938463463374607431768211456",
        ] {
            assert_eq!(WebhookId::from_digits(bad), None, "{bad}");
        }
    }
}
