//! The Xoxoday delivery update: its envelope, id, status and timestamps.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::wire::{self, As, Timestamp, enums::wire_enum};

/// One delivery status update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryUpdate {
    /// `id`: the webhook's id ("unique webhook id to identify that the webhook is thrown"),
    /// up to 20 digits.
    pub id: WebhookId,
    /// `data`: the order and its new status.
    pub data: DeliveryData,
    /// `createdAt`: when the callback was invoked. Documented as `YYYY-MM-DD HH:MM:SS` with no
    /// timezone; any ISO 8601 form is read, and written back as it came.
    pub created_at: Timestamp,
}

impl DeliveryUpdate {
    /// An update: the webhook id, the order data and when the callback was invoked.
    #[must_use]
    pub fn new(id: impl Into<WebhookId>, data: DeliveryData, created_at: Timestamp) -> Self {
        Self {
            id: id.into(),
            data,
            created_at,
        }
    }
}

/// The `data` object of a [`DeliveryUpdate`].
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryData {
    /// `orderId`: the Xoxoday order id returned when the order was placed through the Plum API
    /// (Number(11)); also read from a string of digits.
    #[serde_as(as = "wire::Uint")]
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
    #[cfg_attr(
        feature = "schema",
        schemars(with = "serde_with::Schema<Option<String>, Option<wire::Text>>")
    )]
    pub po_number: Option<String>,
    /// `orderDate`: when the order was placed.
    pub order_date: Timestamp,
    /// `deliveryStatus`.
    pub delivery_status: DeliveryStatus,
}

impl DeliveryData {
    /// Order data without a purchase-order number (set [`po_number`](Self::po_number) as needed).
    #[must_use]
    pub fn new(order_id: u64, order_date: Timestamp, delivery_status: DeliveryStatus) -> Self {
        Self {
            order_id,
            po_number: None,
            order_date,
            delivery_status,
        }
    }
}

fn po_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = As::<Option<wire::Text>, Option<String>>::deserialize(d)?.into_inner();
    Ok(v.filter(|s| !s.is_empty()))
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
        // Nineteen digits at a time in a `u64` (which always holds them), then into the `u128`:
        // far fewer wide multiplications than a digit at a time. Beyond `u128`: `None`.
        let mut value: u128 = 0;
        for chunk in s.as_bytes().chunks(19) {
            let part = chunk
                .iter()
                .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
            value = value
                .checked_mul(10u128.pow(chunk.len() as u32))?
                .checked_add(u128::from(part))?;
        }
        Some(WebhookId(value))
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
