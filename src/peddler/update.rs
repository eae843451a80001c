//! The body of a Peddler webhook: [`ShipmentUpdate`] and the types inside it.

use std::cmp::Ordering;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::codes::{CodeMeaning, FailureReason, Status};
pub use super::extras::{DateValue, NeighbourDelivery};
use crate::wire::{self, RawJson, Timestamp};

/// One Peddler webhook: a status update of one shipment.
///
/// Fields are the snake_case of Peddler's camelCase wire names (`carrierTrackingNumber` is
/// [`carrier_tracking_number`](ShipmentUpdate::carrier_tracking_number)); serializing gives
/// Peddler's wire format back, and parsing that again gives an equal value.
///
/// Peddler sends no event id, may send an update more than once and does not promise order: use
/// the delivery's [`dedup_key()`](crate::delivery::Delivery::dedup_key) to drop repeats and
/// [`is_newer_than`](ShipmentUpdate::is_newer_than) before overwriting a shipment's stored state.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShipmentUpdate {
    /// `id`: Peddler's shipment id, e.g. `fx6_ZSWp0RDc24csBqOj9`. Required.
    #[serde_as(as = "wire::Text")]
    pub id: String,
    /// `carrierTrackingNumber`, e.g. `P199684830307745678`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub carrier_tracking_number: Option<String>,
    /// `metaData`: the free text the shipper attached when creating the shipment (an order
    /// reference, say), as sent.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub meta_data: Option<String>,
    /// `status`. Required.
    pub status: Status,
    /// `location`: the GPS position where the status changed. Documented for `OUT_FOR_DELIVERY`
    /// and `DELIVERED`, where it may still be `null` or absent; kept whatever the status.
    #[serde(default, deserialize_with = "optional_location")]
    pub location: Option<Location>,
    /// `ts`: when the status changed. Required; documented as RFC 3339, and any ISO 8601 form
    /// is read (a value without zone counts as UTC where an instant is needed, as in
    /// the dedup key and [`recency_cmp`](ShipmentUpdate::recency_cmp)).
    pub ts: Timestamp,
    /// `trackingUrl`: the public tracking page, e.g. `https://t.pdlr.nl/P199684830307745678/`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// `code`: the numeric code, as sent (a number or a string of digits). Required. Its
    /// documented meaning: [`code_meaning`](ShipmentUpdate::code_meaning).
    #[serde_as(as = "wire::Uint")]
    pub code: u32,
    /// `failedStatus`: why the attempt failed, with status `FAILED_ATTEMPT`. `null`, `""` and
    /// absent are `None`.
    #[serde(default, deserialize_with = "optional_reason")]
    pub failed_status: Option<FailureReason>,
    /// `details`: texts for people and per-status extras. Absent on some statuses (Peddler's
    /// `OUT_FOR_DELIVERY` example has none).
    #[serde(default)]
    pub details: Option<Details>,
}

impl ShipmentUpdate {
    /// An update with its four required fields and nothing else: set the optional ones as needed.
    #[must_use]
    pub fn new(id: impl Into<String>, status: Status, ts: Timestamp, code: u32) -> Self {
        Self {
            id: id.into(),
            carrier_tracking_number: None,
            meta_data: None,
            status,
            location: None,
            ts,
            tracking_url: None,
            code,
            failed_status: None,
            details: None,
        }
    }
}

impl ShipmentUpdate {
    /// The documented meaning of [`code`](ShipmentUpdate::code); `None` for an undocumented code.
    ///
    /// ```
    /// use delivery_webhooks::peddler::{self, CodeMeaning};
    ///
    /// let update = peddler::parse(br#"{"id":"s1","status":"DELIVERED","code":502,
    ///   "ts":"2024-09-02T13:08:06Z"}"#)?;
    /// assert_eq!(update.code_meaning(), Some(CodeMeaning::DeliveredInMailbox));
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    #[must_use]
    pub fn code_meaning(&self) -> Option<CodeMeaning> {
        CodeMeaning::from_code(self.code)
    }

    /// The status this update stands for: [`status`](ShipmentUpdate::status) when this crate
    /// knows its name, otherwise the status its documented `code` stands for (a renamed status
    /// still reads by its code); `None` when neither is known. The status mapping and
    /// [`failure_reason`](ShipmentUpdate::failure_reason) both read it, so a code that decides
    /// the status brings everything its row says.
    ///
    /// ```
    /// use delivery_webhooks::peddler::{self, Status};
    ///
    /// let update = peddler::parse(br#"{"id":"s1","status":"ATTEMPT_FAILED_V2","code":605,
    ///   "ts":"2024-09-02T13:08:06Z"}"#)?;
    /// assert_eq!(update.effective_status(), Some(Status::FailedAttempt));
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    #[must_use]
    pub fn effective_status(&self) -> Option<Status> {
        match &self.status {
            Status::Other(_) => self.code_meaning().map(|m| m.status()),
            known => Some(known.clone()),
        }
    }

    /// Why a delivery attempt failed: `failedStatus` when sent, otherwise, for a
    /// `FAILED_ATTEMPT` (by name, or by its code when the name is unknown:
    /// [`effective_status`](ShipmentUpdate::effective_status)), the reason its `code` stands for.
    ///
    /// ```
    /// use delivery_webhooks::peddler::{self, FailureReason};
    ///
    /// let update = peddler::parse(br#"{"id":"s1","status":"ATTEMPT_FAILED_V2","code":605,
    ///   "ts":"2024-09-02T13:08:06Z"}"#)?;
    /// assert_eq!(update.failure_reason(), Some(FailureReason::ClosedNotPresent));
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    #[must_use]
    pub fn failure_reason(&self) -> Option<FailureReason> {
        match (&self.failed_status, self.effective_status()) {
            (Some(reason), _) => Some(reason.clone()),
            (None, Some(Status::FailedAttempt)) => FailureReason::from_code(self.code),
            (None, _) => None,
        }
    }

    /// The part of the dedup key after `peddler:` (the key itself is
    /// [`Delivery::dedup_key`](crate::delivery::Delivery::dedup_key)): `id`, `status`, `code`
    /// and `ts` (in UTC), joined by `:`, e.g.
    /// `fx6_ZSWp0RDc24csBqOj9:FAILED_ATTEMPT:601:2024-09-02T13:08:06.574Z`.
    ///
    /// Peddler sends no event id, so the key is built from what identifies one status change:
    /// a retry repeats the same body, hence the same key, while two distinct updates of a
    /// shipment differ in status, code (`DELIVERED` 500/501/502, or a failure reason) or time.
    /// The time is written in UTC so that one instant gives one key whatever the offset it was
    /// sent with. `%` and `:` inside `id` and `status` are percent-encoded, so that two different
    /// updates can never give the same key. A `String`, because that is what goes into a
    /// unique column or a cache.
    pub(crate) fn key_part(&self) -> String {
        let ts = Timestamp::from(self.ts.assume_utc().to_offset(UtcOffset::UTC)).to_string();
        let mut key = String::with_capacity(self.id.len() + ts.len() + 32);
        push_escaped(&mut key, &self.id);
        key.push(':');
        push_escaped(&mut key, self.status.as_str());
        key.push(':');
        key.push_str(&self.code.to_string());
        key.push(':');
        key.push_str(&ts);
        key
    }

    /// Whether this update is newer than `other`, an update of the same shipment: store it only
    /// then, so that a late, older update never takes a shipment back.
    ///
    /// The later `ts` is newer. At equal `ts` (to the nanosecond), the update further along the
    /// shipment's journey wins: the higher `code`, since Peddler numbers its codes in journey
    /// order (100 confirmed ... 500 delivered ... 1000 canceled), except that 1100
    /// (`SHIPMENT_DETAILS_UPDATED`, which does not move the shipment) counts lowest. Equal `ts`
    /// and `code` is not newer: a repeat never replaces what is stored. Updates of different
    /// shipments (different `id`) are never newer than each other.
    ///
    /// ```
    /// use delivery_webhooks::peddler;
    ///
    /// let out = peddler::parse(br#"{"id":"s1","status":"OUT_FOR_DELIVERY","code":410,
    ///   "ts":"2024-09-02T10:00:00Z"}"#)?;
    /// let delivered = peddler::parse(br#"{"id":"s1","status":"DELIVERED","code":501,
    ///   "ts":"2024-09-02T12:30:00+02:00"}"#)?;
    /// // 10:30 UTC is after 10:00 UTC: store `delivered`...
    /// assert!(delivered.is_newer_than(&out));
    /// // ...and when the out-for-delivery update is retried late, keep `delivered`.
    /// assert!(!out.is_newer_than(&delivered));
    /// // A repeat is not newer than itself.
    /// assert!(!delivered.is_newer_than(&delivered.clone()));
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    #[must_use]
    pub fn is_newer_than(&self, other: &ShipmentUpdate) -> bool {
        self.id == other.id && self.recency_cmp(other) == Ordering::Greater
    }

    /// Orders two updates of one shipment by recency, as [`is_newer_than`](Self::is_newer_than)
    /// does: by `ts`, then by journey order of `code`.
    #[must_use]
    pub fn recency_cmp(&self, other: &ShipmentUpdate) -> Ordering {
        self.ts
            .assume_utc()
            .cmp(&other.ts.assume_utc())
            .then_with(|| journey_rank(self.code).cmp(&journey_rank(other.code)))
    }
}

/// The tie-break rank of a code: the code itself, with 1100 (details updated) lowest.
fn journey_rank(code: u32) -> u32 {
    if code == 1100 { 0 } else { code }
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            c => out.push(c),
        }
    }
}

/// The GPS position where a status changed, in degrees (WGS 84).
///
/// Read from numbers or numeric strings; a latitude outside -90..=90 or a longitude outside
/// -180..=180 is an error naming `location.lat` or `location.lng`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Location {
    /// `lat`: latitude, -90 to 90.
    pub lat: f64,
    /// `lng`: longitude, -180 to 180.
    pub lng: f64,
}

impl Location {
    /// A location, if both values are in range.
    ///
    /// ```
    /// use delivery_webhooks::peddler::Location;
    /// assert!(Location::new(52.3409992, 4.8236365).is_some());
    /// assert!(Location::new(91.0, 4.8).is_none());
    /// ```
    #[must_use]
    pub fn new(lat: f64, lng: f64) -> Option<Location> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng))
            .then_some(Location { lat, lng })
    }
}

/// `location`: an object `{lat, lng}`, or `null`/absent. An object whose `lat` and `lng` are
/// both `null` is read as no location (a device without a fix); one without the other is an
/// error, since half a position is no position.
fn optional_location<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Location>, D::Error> {
    #[derive(Deserialize)]
    #[serde(field_identifier, rename_all = "lowercase")]
    enum Field {
        Lat,
        Lng,
        #[serde(other)]
        Other,
    }

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Location>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a location {\"lat\": number, \"lng\": number} or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let (mut lat, mut lng) = (None, None);
            while let Some(field) = map.next_key()? {
                match field {
                    Field::Lat => {
                        if lat.is_some() {
                            return Err(de::Error::duplicate_field("lat"));
                        }
                        lat = Some(map.next_value_seed(Coordinate::LATITUDE)?);
                    }
                    Field::Lng => {
                        if lng.is_some() {
                            return Err(de::Error::duplicate_field("lng"));
                        }
                        lng = Some(map.next_value_seed(Coordinate::LONGITUDE)?);
                    }
                    Field::Other => {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
            }
            match (lat.flatten(), lng.flatten()) {
                (Some(lat), Some(lng)) => Ok(Some(Location { lat, lng })),
                (None, None) => Ok(None),
                (Some(_), None) => Err(de::Error::missing_field("lng")),
                (None, Some(_)) => Err(de::Error::missing_field("lat")),
            }
        }
    }
    d.deserialize_any(V)
}

/// One coordinate: a number or a numeric string, `null` for none, checked against its range.
#[derive(Clone, Copy)]
struct Coordinate {
    limit: f64,
    expecting: &'static str,
}

impl Coordinate {
    const LATITUDE: Coordinate = Coordinate {
        limit: 90.0,
        expecting: "a latitude between -90 and 90",
    };
    const LONGITUDE: Coordinate = Coordinate {
        limit: 180.0,
        expecting: "a longitude between -180 and 180",
    };

    fn check<E: de::Error>(self, v: f64, unexpected: de::Unexpected<'_>) -> Result<f64, E> {
        if v.is_finite() && (-self.limit..=self.limit).contains(&v) {
            Ok(v)
        } else {
            Err(E::invalid_value(unexpected, &self))
        }
    }
}

impl Visitor<'_> for Coordinate {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.check(v, de::Unexpected::Float(v)).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.check(v as f64, de::Unexpected::Unsigned(v)).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.check(v as f64, de::Unexpected::Signed(v)).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match wire::number::trim(v).parse::<f64>() {
            Ok(n) => self.check(n, de::Unexpected::Str(v)).map(Some),
            Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Coordinate {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

/// `failedStatus`: a reason, or `null`/`""`/absent for none.
fn optional_reason<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FailureReason>, D::Error> {
    let s = wire::borrowed_str_opt(d)?;
    Ok(match s.as_deref().map(wire::number::trim) {
        None | Some("") => None,
        Some(reason) => Some(FailureReason::from(reason)),
    })
}

/// `details`: texts for people, and the extras some statuses carry.
///
/// Every field is optional: Peddler documents `lang`, `courierName` and `reason`, and its
/// query API shows the other extras per status. Unknown keys are ignored.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Details {
    /// `lang`: the headline and description of the status per language code (`en`, `nl`, and
    /// any other Peddler adds). `null` and absent are an empty map.
    #[serde(
        default,
        deserialize_with = "lang_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(schema_with = "lang_map_schema"))]
    pub lang: BTreeMap<String, LocalizedText>,
    /// `courierName`, e.g. `Peddler`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub courier_name: Option<String>,
    /// `reason`: a human-readable reason, e.g. `Customer not answering; no neighbours available`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub reason: Option<String>,
    /// `estimatedDeliveryDate`.
    #[serde(default)]
    pub estimated_delivery_date: Option<DateValue>,
    /// `deliveryDate`.
    #[serde(default)]
    pub delivery_date: Option<DateValue>,
    /// `courierComment`: what the courier noted.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub courier_comment: Option<String>,
    /// `deliveredAtNeighbours`.
    #[serde(default)]
    pub delivered_at_neighbours: Option<NeighbourDelivery>,
    /// `podSignatureUrl`: where the proof-of-delivery signature image is.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub pod_signature_url: Option<String>,
    /// `collectionPoint`: the collection point (with `DELIVERED_COLLECTION_POINT` and
    /// `PICKUP_COLLECTION_POINT`). Its shape is not published, so it is kept as sent.
    #[serde(default)]
    pub collection_point: Option<RawJson>,
    /// `warehouse`: the warehouse holding the shipment. Its shape is not published, so it is
    /// kept as sent.
    #[serde(default)]
    pub warehouse: Option<RawJson>,
}

/// What `lang_map` reads: a map of language code to texts (a `null` entry is dropped), or `null`.
#[cfg(feature = "schema")]
fn lang_map_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let text = g.subschema_for::<LocalizedText>();
    schemars::json_schema!({
        "type": ["object", "null"],
        "additionalProperties": {"anyOf": [text, {"type": "null"}]}
    })
}

impl Details {
    /// The text in language `code` (`en`, `nl`...), if sent.
    #[must_use]
    pub fn text(&self, code: &str) -> Option<&LocalizedText> {
        self.lang.get(code)
    }
}

/// A status's headline and description in one language.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct LocalizedText {
    /// `headline`, e.g. `Delivery attempt failed`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub headline: Option<String>,
    /// `description`, e.g. `Delivery attempt failed at destination`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub description: Option<String>,
}

/// `lang`: a map of language code to text; `null` is empty, and a language whose text is
/// `null` is left out.
fn lang_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, LocalizedText>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<String, LocalizedText>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of language code to {headline, description}")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            // Languages sent as `null` are left out, but still count as sent: a code repeated
            // after one is refused too. A set, not a list: a body of a million `null`
            // languages must not cost a million scans of the list (issue 33, finding 5).
            let mut nulls: BTreeSet<String> = BTreeSet::new();
            while let Some(code) = map.next_key::<String>()? {
                if nulls.contains(&code) {
                    return Err(wire::duplicate_key(&code));
                }
                // One search of the map per language, not one to check and one to insert.
                let slot = match out.entry(code) {
                    Entry::Occupied(taken) => return Err(wire::duplicate_key(taken.key())),
                    Entry::Vacant(slot) => slot,
                };
                match map.next_value::<Option<LocalizedText>>()? {
                    Some(text) => {
                        wire::budget::take_entry::<String, LocalizedText, A::Error>()?;
                        slot.insert(text);
                    }
                    None => {
                        wire::budget::take_entry::<String, (), A::Error>()?;
                        nulls.insert(slot.into_key());
                    }
                }
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}
