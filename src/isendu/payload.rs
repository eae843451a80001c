//! The entries of an isendu batch: trackings with their steps, and orders.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::json;
use crate::macros::wire_enum;

wire_enum! {
    /// A tracking (or tracking step) status: one letter.
    ///
    /// Letters match ignoring ASCII case (`d` is [`Delivered`](TrackingStatus::Delivered));
    /// any other value is kept verbatim in `Other`. Variant names say what the letter means,
    /// since the letters themselves would make unreadable names.
    pub enum TrackingStatus matching eq_ignore_case {
        /// Created, awaiting pickup by the courier.
        AwaitingPickup = "P",
        /// In transit.
        InTransit = "T",
        /// Delivered.
        Delivered = "D",
        /// Delivery failed.
        Failed = "F",
        /// Exception: the courier reports a problem.
        Exception = "E",
        /// Returned to sender.
        Returned = "R",
        /// isendu's own "unknown" status (not a value this crate does not know: those are
        /// kept in `Other`).
        Unknown = "U",
    }
}

impl TrackingStatus {
    /// Whether the shipment reached an end: [`Delivered`](TrackingStatus::Delivered) or
    /// [`Returned`](TrackingStatus::Returned).
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(self, TrackingStatus::Delivered | TrackingStatus::Returned)
    }
}

wire_enum! {
    /// An order status.
    ///
    /// Values match ignoring ASCII case and `_`/`-`/space (`IN_TRANSIT`, `in-transit`), and
    /// `canceled` is read as `cancelled`; any other value is kept verbatim in `Other`.
    pub enum OrderStatus matching eq_loose {
        /// Pending: not fulfilled yet.
        Pending = "pending",
        /// Some items fulfilled, not all.
        PartiallyFulfilled = "partially_fulfilled",
        /// Shipping labels are being generated.
        GeneratingLabels = "generating_labels",
        /// Fulfilled: labels created, shipment prepared.
        Fulfilled = "fulfilled",
        /// In transit.
        InTransit = "in_transit",
        /// Delivered.
        Delivered = "delivered",
        /// Exception: a problem on the way.
        Exception = "exception",
        /// Cancelled.
        Cancelled = "cancelled" | "canceled",
        /// Refunded.
        Refunded = "refunded",
        /// Handled outside isendu.
        ExternallyHandled = "externally_handled",
        /// In error: see the order's `error`.
        Error = "error",
    }
}

/// A decimal amount (money, weight) exactly as isendu sent it: never rounded through a float.
///
/// isendu's OpenAPI gives no type for `total`, `price` or `weight`, and stores commonly send
/// `"12.50"` as well as `12.5`. Both are accepted; the text is kept digit for digit (trailing
/// zeros included), and whether it came as a JSON string or a JSON number is remembered, so the
/// value is written back exactly as it came. Convert with [`to_f64`](Decimal::to_f64) for display,
/// or parse [`as_str`](Decimal::as_str) with the decimal crate of your choice for arithmetic.
/// A number is written back through `serde_json`'s raw-value support, so its digits survive
/// `serde_json::to_vec`/`to_value`; other serializers see a raw-value wrapper instead.
///
/// A string is accepted when, once trimmed, it is an optional sign, digits with an optional
/// fraction, and an optional exponent (`"12.50"`, `" 7 "`, `"-0.5"`, `"1e3"`); anything else is
/// an error naming the field. An empty string reads as absent.
///
/// ```
/// use delivery_webhooks::isendu::Decimal;
///
/// let price = Decimal::parse("19.90").unwrap();
/// assert_eq!(price.as_str(), "19.90");
/// assert_eq!(price.to_f64(), Some(19.9));
/// assert!(Decimal::parse("19,90").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    text: String,
    quoted: bool,
}

impl Decimal {
    /// A decimal from a JSON number's text (`12.50`, `-3`, `1e3`), written back as a JSON
    /// number. `None` if `text` is not a JSON number.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        is_json_number(text).then(|| Self {
            text: text.to_owned(),
            quoted: false,
        })
    }

    /// The text as sent (for a string: its content, untrimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether isendu sent it as a JSON string (`"12.50"`) rather than a number.
    #[must_use]
    pub fn was_string(&self) -> bool {
        self.quoted
    }

    /// The nearest `f64`: for display, not for money arithmetic.
    #[must_use]
    pub fn to_f64(&self) -> Option<f64> {
        self.text.trim().parse().ok()
    }

    /// Reads the raw JSON text of a value: a number, or a string holding one.
    fn from_raw<E: de::Error>(raw: Box<RawValue>) -> Result<Option<Self>, E> {
        const EXPECTED: &str = "a decimal number, or a string holding one";
        // The raw text is owned already: a number's text becomes the value without a copy.
        let raw: Box<str> = raw.into();
        if raw.starts_with('"') {
            let text: String = match raw.get(1..raw.len() - 1) {
                // No escapes: drop the quotes in place, reusing the raw buffer.
                Some(inner) if !inner.contains('\\') => {
                    let mut text = raw.into_string();
                    text.pop();
                    text.remove(0);
                    text
                }
                _ => serde_json::from_str(&raw).map_err(E::custom)?,
            };
            if text.trim().is_empty() {
                return Ok(None);
            }
            if !is_decimal(text.trim()) {
                return Err(E::invalid_value(de::Unexpected::Str(&text), &EXPECTED));
            }
            Ok(Some(Self { text, quoted: true }))
        } else if is_json_number(&raw) {
            Ok(Some(Self {
                text: raw.into_string(),
                quoted: false,
            }))
        } else {
            let found = match raw.as_bytes().first() {
                Some(b'{') => de::Unexpected::Map,
                Some(b'[') => de::Unexpected::Seq,
                Some(b't') => de::Unexpected::Bool(true),
                Some(b'f') => de::Unexpected::Bool(false),
                _ => de::Unexpected::Other(&raw),
            };
            Err(E::invalid_type(found, &EXPECTED))
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            return s.serialize_str(&self.text);
        }
        // A JSON number's exact text; `parse` and `from_raw` only admit valid numbers.
        match serde_json::from_str::<&RawValue>(&self.text) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Decimal::from_raw(raw)?
            .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(""), &"a decimal number"))
    }
}

/// `Option<Decimal>`: `null`, `""` and absent are `None`.
fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Box<RawValue>>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => Decimal::from_raw(raw),
    }
}

/// JSON's own number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(&b[i..]),
        _ => return false,
    }
    finish_number(b, i)
}

/// A looser grammar for strings: optional sign, digits (leading zeros allowed), optional
/// fraction, optional exponent.
fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let n = digits(&b[i..]);
    if n == 0 {
        return false;
    }
    i += n;
    finish_number(b, i)
}

fn finish_number(b: &[u8], mut i: usize) -> bool {
    if b.get(i) == Some(&b'.') {
        let n = digits(&b[i + 1..]);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(b.get(i..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Date-times: RFC 3339 as documented, and, since isendu says its timestamps are UTC, also
/// without an offset (`2024-05-02 10:15:00`, `2024-05-02T10:15:00.123`) or a date alone,
/// read as UTC. Written back as RFC 3339.
mod utc {
    use super::*;
    use time::format_description::well_known::Rfc3339;

    pub(super) fn parse(s: &str) -> Option<OffsetDateTime> {
        let s = s.trim();
        if let Some(t) = json::parse_rfc3339(s) {
            return Some(t);
        }
        if let Some(t) = json::parse_naive(s) {
            return Some(t.assume_utc());
        }
        if let Some(date) = json::parse_date(s.as_bytes()) {
            return Some(date.midnight().assume_utc());
        }
        // No offset but a fraction of a second (rare): normalise to RFC 3339 and read as UTC.
        let b = s.as_bytes();
        let mut fixed = String::with_capacity(s.len() + 10);
        match b.len() {
            10 => {
                fixed.push_str(s);
                fixed.push_str("T00:00:00Z");
            }
            19.. if matches!(b.get(10), Some(b' ' | b'T' | b't')) => {
                fixed.push_str(s.get(..10)?);
                fixed.push('T');
                fixed.push_str(s.get(11..)?);
                fixed.push('Z');
            }
            _ => return None,
        }
        OffsetDateTime::parse(&fixed, &Rfc3339).ok()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        d.deserialize_option(OptV)
    }

    struct OptV;
    impl<'de> Visitor<'de> for OptV {
        type Value = Option<OffsetDateTime>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time such as `2024-05-02T10:15:00Z`, or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(StrV)
        }
    }

    struct StrV;
    impl Visitor<'_> for StrV {
        type Value = Option<OffsetDateTime>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time such as `2024-05-02T10:15:00Z`")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            parse(v)
                .map(Some)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    pub(super) fn serialize<S: Serializer>(
        v: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&json::format_rfc3339(v)),
            None => s.serialize_none(),
        }
    }
}

/// Booleans: `true`/`false`, and also the strings `"true"`/`"false"` (any ASCII case,
/// surrounding spaces ignored) and the numbers `1`/`0`, which stores commonly send. Any other
/// string — including the literal `"boolean"` placeholder of isendu's sample — is an error
/// naming the field: guessing a delivery flag would be worse than refusing.
mod lenient_bool {
    use super::*;

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean (or \"true\"/\"false\")")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Err(E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.eq_ignore_ascii_case("true") {
                Ok(Some(true))
            } else if t.eq_ignore_ascii_case("false") {
                Ok(Some(false))
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_option(V)
    }
}

/// A list where `null` means empty.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A problem isendu reports on a tracking, a step or an order.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorDetails {
    /// `message`: human-readable.
    #[serde(default)]
    pub message: Option<String>,
    /// `code` (a number is read as its text).
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub code: Option<String>,
    /// `i18nCode`: a key for translating the message.
    #[serde(
        rename = "i18nCode",
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub i18n_code: Option<String>,
    /// `date`: when the problem was recorded (orders only).
    #[serde(default, with = "utc")]
    pub date: Option<OffsetDateTime>,
}

/// One courier event of a tracking.
///
/// isendu's OpenAPI marks `uuid`, `status`, `description` and `datetime` as required, but its
/// webhook sample leaves `uuid` out: every field is optional here, so that one sparse step does
/// not cost the whole batch.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Step {
    /// `uuid` of the step.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub uuid: Option<String>,
    /// `status`: the same letters as the tracking's.
    #[serde(default)]
    pub status: Option<TrackingStatus>,
    /// `description`, from the courier.
    #[serde(default)]
    pub description: Option<String>,
    /// `datetime`: the step's date as the courier wrote it, kept as sent (its format varies
    /// by courier). Use [`timestamp`](Step::timestamp) to compare steps.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub datetime: Option<String>,
    /// `timestamp`: the step's instant, in UTC.
    #[serde(default, with = "utc")]
    pub timestamp: Option<OffsetDateTime>,
    /// `timezone` of the step, if the courier gives one.
    #[serde(default)]
    pub timezone: Option<String>,
    /// `location` of the step, if the courier gives one.
    #[serde(default)]
    pub location: Option<String>,
    /// `podUrl`: the proof of delivery, if any.
    #[serde(default)]
    pub pod_url: Option<String>,
    /// `error`, if the step reports one. Boxed: rarely sent, and a batch holds many steps.
    #[serde(default)]
    pub error: Option<Box<ErrorDetails>>,
}

/// One tracking (shipment) entry of a batch: its current state and its steps.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tracking {
    /// `uuid` of the tracking: required, the key to fold updates on.
    #[serde(deserialize_with = "json::lenient_string::deserialize")]
    pub uuid: String,
    /// `created`: when the tracking was created.
    #[serde(default, with = "utc")]
    pub created: Option<OffsetDateTime>,
    /// `status`: the current status.
    #[serde(default)]
    pub status: Option<TrackingStatus>,
    /// `trackingNumber`: the courier's number.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub tracking_number: Option<String>,
    /// `trackingUrl`: the courier's tracking page.
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// `delivered`: whether the shipment was delivered (see [`lenient booleans`](super#quirks-handled)).
    #[serde(default, deserialize_with = "lenient_bool::deserialize")]
    pub delivered: Option<bool>,
    /// `shipmentRef`: the shipment reference.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub shipment_ref: Option<String>,
    /// `pod`: whether a proof of delivery exists.
    #[serde(default, deserialize_with = "lenient_bool::deserialize")]
    pub pod: Option<bool>,
    /// `external`: whether the shipment is handled outside isendu.
    #[serde(default, deserialize_with = "lenient_bool::deserialize")]
    pub external: Option<bool>,
    /// `error`, if isendu reports one for the tracking. Boxed: rarely sent, and a batch holds
    /// many trackings.
    #[serde(default)]
    pub error: Option<Box<ErrorDetails>>,
    /// `steps`, as sent (`null` and absent read as empty). Their order is not guaranteed:
    /// see [`latest_step`](Tracking::latest_step).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub steps: Vec<Step>,
}

impl Tracking {
    /// A tracking with this uuid and nothing else (for tests and tooling).
    #[must_use]
    pub fn new(uuid: impl Into<String>) -> Self {
        Self {
            uuid: uuid.into(),
            created: None,
            status: None,
            tracking_number: None,
            tracking_url: None,
            delivered: None,
            shipment_ref: None,
            pod: None,
            external: None,
            error: None,
            steps: Vec::new(),
        }
    }

    /// The newest step by `timestamp` (steps without one count as the oldest); among
    /// steps with the same timestamp, the one [`State`](super::State) would also pick.
    #[must_use]
    pub fn latest_step(&self) -> Option<&Step> {
        self.steps
            .iter()
            .max_by(|a, b| super::state::step_order(a, b))
    }

    /// The newest step timestamp, if any step has one.
    #[must_use]
    pub fn latest_timestamp(&self) -> Option<OffsetDateTime> {
        self.steps.iter().filter_map(|s| s.timestamp).max()
    }
}

/// An entry of an order's `trackingInformation`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrackingInformation {
    /// `number`: the tracking number.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub number: Option<String>,
    /// `url`: the courier's tracking page.
    #[serde(default)]
    pub url: Option<String>,
    /// `status`: a tracking status letter.
    #[serde(default)]
    pub status: Option<TrackingStatus>,
}

/// An order's `shippingInformation`. isendu does not document the shape of its parts, so
/// they are kept as raw JSON.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShippingInformation {
    /// `parcels`, as sent.
    #[serde(default)]
    pub parcels: Option<serde_json::Value>,
    /// `shipmentDetails`, as sent.
    #[serde(default)]
    pub shipment_details: Option<serde_json::Value>,
    /// `additionalServices`, as sent.
    #[serde(default)]
    pub additional_services: Option<serde_json::Value>,
    /// `addresses`, as sent.
    #[serde(default)]
    pub addresses: Option<serde_json::Value>,
    /// `pudoId`: the pick-up/drop-off point, if one was chosen.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub pudo_id: Option<String>,
}

/// An order line.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Item {
    /// `uuid`, of the form `i-<uuid>`.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub uuid: Option<String>,
    /// `quantity` (also from a string of digits).
    #[serde(default, with = "json::lenient_uint::option")]
    pub quantity: Option<u64>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `weight`, in [`weight_unit`](Item::weight_unit).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub weight: Option<Decimal>,
    /// `imageUrl`.
    #[serde(default)]
    pub image_url: Option<String>,
    /// `weightUnit`, e.g. `kg`.
    #[serde(default)]
    pub weight_unit: Option<String>,
    /// `price`, in the order's currency.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub price: Option<Decimal>,
    /// `productId` in the store (a number is read as its text).
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub product_id: Option<String>,
    /// `sku`.
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub sku: Option<String>,
    /// `asin` (Amazon).
    #[serde(
        default,
        deserialize_with = "json::lenient_string::option::deserialize"
    )]
    pub asin: Option<String>,
}

/// One order entry of a batch.
///
/// isendu's webhook page shows only `uuid` and says the entry carries "other order fields": every
/// field its OpenAPI documents is typed here, all optional but `uuid`, and any other field is kept
/// as raw JSON in [`extra`](Order::extra), so that nothing isendu sent is lost when the order is
/// serialized again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Order {
    /// `uuid`, of the form `o-<uuid>`: required, the key to fold updates on.
    pub uuid: String,
    /// `updated`: when the order last changed; the fold keeps the newest.
    pub updated: Option<OffsetDateTime>,
    /// `created`.
    pub created: Option<OffsetDateTime>,
    /// `status`.
    pub status: Option<OrderStatus>,
    /// `storeOrderId`: the order's id in the store (a number is read as its text).
    pub store_order_id: Option<String>,
    /// `storeInternalOrderId`.
    pub store_internal_order_id: Option<String>,
    /// `storeCreationDate`: when the store created the order.
    pub store_creation_date: Option<OffsetDateTime>,
    /// `total`.
    pub total: Option<Decimal>,
    /// `subtotal`.
    pub subtotal: Option<Decimal>,
    /// `shippingTotal`.
    pub shipping_total: Option<Decimal>,
    /// `currency`: three letters, e.g. `EUR`.
    pub currency: Option<String>,
    /// `shippingMethod`.
    pub shipping_method: Option<String>,
    /// `paymentMethod`.
    pub payment_method: Option<String>,
    /// `itemsCount` (also from a string of digits).
    pub items_count: Option<u64>,
    /// `firstItemImageUrl`.
    pub first_item_image_url: Option<String>,
    /// `trackingInformation`.
    pub tracking_information: Option<Vec<TrackingInformation>>,
    /// `customerNote`.
    pub customer_note: Option<String>,
    /// `error`, when the order is in error. Boxed: rarely sent.
    pub error: Option<Box<ErrorDetails>>,
    /// `shippingInformation`. Boxed: large, and absent from most webhook orders.
    pub shipping_information: Option<Box<ShippingInformation>>,
    /// `deliveryDayEstimate`, as sent (its type is not documented).
    pub delivery_day_estimate: Option<serde_json::Value>,
    /// `items`.
    pub items: Option<Vec<Item>>,
    /// Every other field, by wire name, as raw JSON (`null` included). Keys that name a typed
    /// field are ignored when serializing, so the typed value always wins.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Order {
    /// An order with this uuid and nothing else (for tests and tooling).
    #[must_use]
    pub fn new(uuid: impl Into<String>) -> Self {
        Self {
            uuid: uuid.into(),
            updated: None,
            created: None,
            status: None,
            store_order_id: None,
            store_internal_order_id: None,
            store_creation_date: None,
            total: None,
            subtotal: None,
            shipping_total: None,
            currency: None,
            shipping_method: None,
            payment_method: None,
            items_count: None,
            first_item_image_url: None,
            tracking_information: None,
            customer_note: None,
            error: None,
            shipping_information: None,
            delivery_day_estimate: None,
            items: None,
            extra: BTreeMap::new(),
        }
    }
}

/// The wire names of [`Order`]'s typed fields, in serialization order.
const ORDER_FIELDS: [&str; 21] = [
    "uuid",
    "updated",
    "created",
    "status",
    "storeOrderId",
    "storeInternalOrderId",
    "storeCreationDate",
    "total",
    "subtotal",
    "shippingTotal",
    "currency",
    "shippingMethod",
    "paymentMethod",
    "itemsCount",
    "firstItemImageUrl",
    "trackingInformation",
    "customerNote",
    "error",
    "shippingInformation",
    "deliveryDayEstimate",
    "items",
];

/// The index of a typed field in [`ORDER_FIELDS`]: a `match` dispatches on length then bytes,
/// cheaper than scanning the list for every key.
fn order_field(name: &str) -> Option<usize> {
    Some(match name {
        "uuid" => 0,
        "updated" => 1,
        "created" => 2,
        "status" => 3,
        "storeOrderId" => 4,
        "storeInternalOrderId" => 5,
        "storeCreationDate" => 6,
        "total" => 7,
        "subtotal" => 8,
        "shippingTotal" => 9,
        "currency" => 10,
        "shippingMethod" => 11,
        "paymentMethod" => 12,
        "itemsCount" => 13,
        "firstItemImageUrl" => 14,
        "trackingInformation" => 15,
        "customerNote" => 16,
        "error" => 17,
        "shippingInformation" => 18,
        "deliveryDayEstimate" => 19,
        "items" => 20,
        _ => return None,
    })
}

/// A key of an order object: a typed field's index in [`ORDER_FIELDS`], or another name.
enum OrderKey {
    Known(usize),
    Other(String),
}

impl<'de> Deserialize<'de> for OrderKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = OrderKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OrderKey, E> {
                Ok(match order_field(v) {
                    Some(i) => OrderKey::Known(i),
                    None => OrderKey::Other(v.to_owned()),
                })
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<OrderKey, E> {
                Ok(match order_field(&v) {
                    Some(i) => OrderKey::Known(i),
                    None => OrderKey::Other(v),
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

// Single-field wrappers so the hand-written visitor can reuse the lenient helpers.
#[derive(Deserialize)]
#[serde(transparent)]
struct LStr(
    #[serde(deserialize_with = "json::lenient_string::option::deserialize")] Option<String>,
);

#[derive(Deserialize)]
#[serde(transparent)]
struct LStrReq(#[serde(deserialize_with = "json::lenient_string::deserialize")] String);

#[derive(Deserialize)]
#[serde(transparent)]
struct Time(#[serde(with = "utc")] Option<OffsetDateTime>);

#[derive(Deserialize)]
#[serde(transparent)]
struct Amount(#[serde(deserialize_with = "opt_decimal")] Option<Decimal>);

#[derive(Deserialize)]
#[serde(transparent)]
struct Count(#[serde(with = "json::lenient_uint::option")] Option<u64>);

impl<'de> Deserialize<'de> for Order {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(OrderVisitor)
    }
}

struct OrderVisitor;

impl<'de> Visitor<'de> for OrderVisitor {
    type Value = Order;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an isendu order object with a `uuid`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Order, A::Error> {
        let mut uuid: Option<String> = None;
        let mut o = Order::new(String::new());
        // Which typed fields were seen, to refuse duplicates as serde's derive does.
        let mut seen = [false; ORDER_FIELDS.len()];
        while let Some(key) = map.next_key::<OrderKey>()? {
            let i = match key {
                OrderKey::Other(name) => {
                    if o.extra.contains_key(&name) {
                        return Err(de::Error::custom(format_args!("duplicate field `{name}`")));
                    }
                    let value = map.next_value()?;
                    o.extra.insert(name, value);
                    continue;
                }
                OrderKey::Known(i) => i,
            };
            match seen.get_mut(i) {
                Some(true) => {
                    return Err(de::Error::duplicate_field(
                        ORDER_FIELDS.get(i).copied().unwrap_or("?"),
                    ));
                }
                Some(flag) => *flag = true,
                None => {}
            }
            match i {
                0 => uuid = Some(map.next_value::<LStrReq>()?.0),
                1 => o.updated = map.next_value::<Time>()?.0,
                2 => o.created = map.next_value::<Time>()?.0,
                3 => o.status = map.next_value()?,
                4 => o.store_order_id = map.next_value::<LStr>()?.0,
                5 => o.store_internal_order_id = map.next_value::<LStr>()?.0,
                6 => o.store_creation_date = map.next_value::<Time>()?.0,
                7 => o.total = map.next_value::<Amount>()?.0,
                8 => o.subtotal = map.next_value::<Amount>()?.0,
                9 => o.shipping_total = map.next_value::<Amount>()?.0,
                10 => o.currency = map.next_value()?,
                11 => o.shipping_method = map.next_value()?,
                12 => o.payment_method = map.next_value()?,
                13 => o.items_count = map.next_value::<Count>()?.0,
                14 => o.first_item_image_url = map.next_value()?,
                15 => o.tracking_information = map.next_value()?,
                16 => o.customer_note = map.next_value()?,
                17 => o.error = map.next_value()?,
                18 => o.shipping_information = map.next_value()?,
                19 => {
                    // `null` is absent, like every optional field.
                    o.delivery_day_estimate = map
                        .next_value::<serde_json::Value>()
                        .map(|v| (!v.is_null()).then_some(v))?;
                }
                _ => o.items = map.next_value()?,
            }
        }
        o.uuid = uuid.ok_or_else(|| de::Error::missing_field("uuid"))?;
        Ok(o)
    }
}

impl Serialize for Order {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("uuid", &self.uuid)?;
        let time = |t: &Option<OffsetDateTime>| t.as_ref().map(json::format_rfc3339);
        if let Some(v) = time(&self.updated) {
            m.serialize_entry("updated", &v)?;
        }
        if let Some(v) = time(&self.created) {
            m.serialize_entry("created", &v)?;
        }
        entry(&mut m, "status", &self.status)?;
        entry(&mut m, "storeOrderId", &self.store_order_id)?;
        entry(
            &mut m,
            "storeInternalOrderId",
            &self.store_internal_order_id,
        )?;
        if let Some(v) = time(&self.store_creation_date) {
            m.serialize_entry("storeCreationDate", &v)?;
        }
        entry(&mut m, "total", &self.total)?;
        entry(&mut m, "subtotal", &self.subtotal)?;
        entry(&mut m, "shippingTotal", &self.shipping_total)?;
        entry(&mut m, "currency", &self.currency)?;
        entry(&mut m, "shippingMethod", &self.shipping_method)?;
        entry(&mut m, "paymentMethod", &self.payment_method)?;
        entry(&mut m, "itemsCount", &self.items_count)?;
        entry(&mut m, "firstItemImageUrl", &self.first_item_image_url)?;
        entry(&mut m, "trackingInformation", &self.tracking_information)?;
        entry(&mut m, "customerNote", &self.customer_note)?;
        entry(&mut m, "error", &self.error)?;
        entry(&mut m, "shippingInformation", &self.shipping_information)?;
        entry(&mut m, "deliveryDayEstimate", &self.delivery_day_estimate)?;
        entry(&mut m, "items", &self.items)?;
        for (k, v) in &self.extra {
            if order_field(k).is_none() {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

fn entry<M: SerializeMap, T: Serialize>(
    m: &mut M,
    name: &'static str,
    v: &Option<T>,
) -> Result<(), M::Error> {
    match v {
        Some(v) => m.serialize_entry(name, v),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_grammars() {
        for ok in ["0", "-0", "12", "12.50", "-3.25", "1e3", "1E-3", "2.5e+10"] {
            assert!(is_json_number(ok), "{ok}");
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "+1", "1,5", "0x10", "1 ", "NaN",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
        for ok in ["007", "+1", "1.0"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "+", "1.", ".5", "1e", "1,5", "abc", "1.2.3", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn utc_forms() {
        use time::macros::datetime;
        let want = datetime!(2024-05-02 10:15:00 UTC);
        for s in [
            "2024-05-02T10:15:00Z",
            "2024-05-02T12:15:00+02:00",
            "2024-05-02 10:15:00",
            "2024-05-02T10:15:00",
            " 2024-05-02T10:15:00Z ",
        ] {
            assert_eq!(utc::parse(s), Some(want), "{s}");
        }
        assert_eq!(
            utc::parse("2024-05-02"),
            Some(datetime!(2024-05-02 00:00:00 UTC))
        );
        assert_eq!(
            utc::parse("2024-05-02 10:15:00.250"),
            Some(datetime!(2024-05-02 10:15:00.25 UTC))
        );
        // RFC 3339 input reads exactly as time's general parser reads it.
        for s in [
            "2024-05-02T10:15:00Z",
            "2024-05-02T10:15:00.5Z",
            "2024-05-02T10:15:00.123456789Z",
            "2024-05-02T10:15:00.1234567891Z",
            "2024-05-02T10:15:00-05:30",
            "2024-05-02T10:15:00+00:00",
            "2024-02-29T23:59:59+14:00",
            "2023-02-29T10:15:00Z",
            "2024-05-02T24:00:00Z",
            "2016-12-31T23:59:60Z",
            "2024-05-02T10:15:00+24:00",
            "2024-05-02t10:15:00z",
            "2024-05-02T10:15:00.Z",
            "2024-05-02T10:15:0aZ",
        ] {
            let general =
                OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok();
            assert_eq!(utc::parse(s), general, "{s}");
            assert_eq!(
                utc::parse(s).map(|t| t.offset()),
                general.map(|t| t.offset()),
                "{s}"
            );
        }
        for bad in [
            "",
            "yesterday",
            "2024-13-02",
            "2024-05-02X10:15:00",
            "é024-05-02 10:15:00",
        ] {
            assert_eq!(utc::parse(bad), None, "{bad}");
        }
    }
}
