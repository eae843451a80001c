//! The data each Wakilni event carries: one struct per kind of event.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::{Deserialize, Serialize};

use serde_json::value::RawValue;

use crate::wire::unique::Field;
use crate::wire::{self, RawJson, Timestamp};

use super::Status;

/// `Order Created` data.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OrderCreated {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `created_at`.
    pub created_at: Timestamp,
}

impl OrderCreated {
    /// `Order Created` data with its three fields: for tests of your own code.
    #[must_use]
    pub fn new(order_id: u64, waybill: impl Into<String>, created_at: Timestamp) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            created_at,
        }
    }
}

/// `Order Assigned` data: the driver now in charge.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OrderAssigned {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `driver_name`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_name: Option<String>,
    /// `driver_phone`, e.g. `+96170123456`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_phone: Option<String>,
    /// `updated_at`.
    pub updated_at: Timestamp,
}

impl OrderAssigned {
    /// `Order Assigned` data without a driver (set [`driver_name`](Self::driver_name) and [`driver_phone`](Self::driver_phone) as needed).
    #[must_use]
    pub fn new(order_id: u64, waybill: impl Into<String>, updated_at: Timestamp) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            driver_name: None,
            driver_phone: None,
            updated_at,
        }
    }
}

/// `Order Ready for Self-Pickup` data: where the customer collects the order.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ReadyForSelfPickup {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `location`: the pickup office, kept exactly as sent (see [`PickupLocation`]); `None` when
    /// absent or `null`. [`office`](Self::office) gives the first office.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(schema_with = "location_schema"))]
    pub location: Option<PickupLocation>,
}

impl ReadyForSelfPickup {
    /// `Order Ready for Self-Pickup` data without an office (set [`location`](Self::location) as needed).
    #[must_use]
    pub fn new(order_id: u64, waybill: impl Into<String>) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            location: None,
        }
    }

    /// The office to collect the order at: the first one sent (see [`PickupLocation::office`]).
    #[must_use]
    pub fn office(&self) -> Option<&PickupOffice> {
        self.location.as_ref().and_then(PickupLocation::office)
    }
}

/// The Wakilni office holding an order for self-pickup.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct PickupOffice {
    /// `office_name`, e.g. `Wakilni Dekwaneh`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub office_name: Option<String>,
    /// `phone_number`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// A self-pickup event's `location`, kept exactly as Wakilni sent it.
///
/// Wakilni's docs show `location` as `[ "office_name": ..., "phone_number": ..., ]`, which is
/// not JSON: whether a real delivery carries an object, a list of one office or a list of
/// several is unknown. None of these may refuse a genuine delivery, so the value is kept as
/// sent (written back unchanged, whatever its shape) and read through:
///
/// - [`office`](Self::office): the first office, typed — the object itself, or a list's first
///   element. The documented choice when a list names several: Wakilni lists the office holding
///   the order first.
/// - [`offices`](Self::offices): every office of the list, typed.
/// - [`raw`](Self::raw): the JSON as sent, for anything else it carries.
///
/// ```
/// use delivery_webhooks::wakilni::{self, EventData};
///
/// let body = br#"{"event_id":"e1","event":"Order Ready for Self-Pickup","timestamp":"2024-11-14 14:39:13",
///   "data":{"order_id":7,"waybill":"WK7","location":[{"office_name":"Wakilni Dekwaneh"},
///   {"office_name":"Wakilni Hamra"}]}}"#;
/// let EventData::OrderReadyForSelfPickup(pickup) = wakilni::parse(body)?.data else { unreachable!() };
/// let location = pickup.location.as_ref().unwrap();
/// assert_eq!(location.office().unwrap().office_name.as_deref(), Some("Wakilni Dekwaneh"));
/// assert_eq!(location.offices().len(), 2);
/// assert!(location.raw().get().starts_with('['));
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupLocation {
    office: Option<PickupOffice>,
    raw: RawJson,
}

impl PickupLocation {
    /// A location read from its JSON as sent: an object, a list of any length, or any other
    /// value (which then names no office).
    #[must_use]
    pub fn from_raw(raw: RawJson) -> Self {
        // Any failure is no office. A list is read in one pass: its first element as an
        // office where it stands, not kept and read again.
        let office = match shape(&raw) {
            Some(b'{') => serde_json::from_str(raw.get()).ok(),
            Some(b'[') => serde_json::from_str::<FirstOffice>(raw.get())
                .ok()
                .and_then(|first| first.0),
            _ => None,
        };
        Self { office, raw }
    }

    /// The office to collect the order at: the object sent, or the first element of a list
    /// when it is an office object; `None` for an empty list or another shape.
    #[must_use]
    pub fn office(&self) -> Option<&PickupOffice> {
        self.office.as_ref()
    }

    /// Every office sent: the object, or each element of a list that is an office object
    /// (others are skipped; [`raw`](Self::raw) still holds them).
    #[must_use]
    pub fn offices(&self) -> Vec<PickupOffice> {
        match shape(&self.raw) {
            Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(self.raw.get())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|value| serde_json::from_str(value.get()).ok())
                .collect(),
            _ => self.office.iter().cloned().collect(),
        }
    }

    /// `location` exactly as sent.
    #[must_use]
    pub fn raw(&self) -> &RawJson {
        &self.raw
    }
}

impl From<PickupOffice> for PickupLocation {
    /// A location naming one office, written as an object.
    fn from(office: PickupOffice) -> Self {
        let raw = RawJson::from_value(&office).expect("two optional strings serialize");
        Self {
            office: Some(office),
            raw,
        }
    }
}

/// The first non-whitespace byte of the raw text: which kind of JSON value it is.
fn shape(raw: &RawJson) -> Option<u8> {
    raw.get().bytes().find(|b| !b.is_ascii_whitespace())
}

impl Serialize for PickupLocation {
    /// `location` exactly as sent.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for PickupLocation {
    /// Any JSON value (an absent or `null` location is `None` around it).
    ///
    /// One pass over the text kept checks its keys ([`RawJson`]'s rule) and, in the usual
    /// case, reads the office too: its fields as plain strings or `null`. Any other shape is
    /// read by [`from_raw`](Self::from_raw), to the same result.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        let noted = wire::unique::first_repeated_key_noting(
            text,
            first_object(text.as_bytes()),
            ["office_name", "phone_number"],
        )
        .map_err(wire::unique::RepeatedKey::into_error)?;
        let office = noted.and_then(|[name, phone]| Some((plain(name)?, plain(phone)?)));
        let raw = RawJson::keys_checked(raw);
        match office {
            Some((office_name, phone_number)) => Ok(Self {
                office: Some(PickupOffice {
                    office_name,
                    phone_number,
                }),
                raw,
            }),
            None => Ok(Self::from_raw(raw)),
        }
    }
}

/// Where the office [`PickupLocation::office`] reads starts: the value itself when it is an
/// object, a list's first element when that is one (`usize::MAX`: none).
fn first_object(b: &[u8]) -> usize {
    let at = |from: usize| {
        b.iter()
            .skip(from)
            .position(|c| !c.is_ascii_whitespace())
            .map(|n| n + from)
    };
    match at(0) {
        Some(i) if b[i] == b'{' => i,
        Some(i) if b[i] == b'[' => at(i + 1).filter(|&j| b[j] == b'{').unwrap_or(usize::MAX),
        _ => usize::MAX,
    }
}

/// An office field read without serde where that is sure to give what `wire::Text` gives:
/// absent or `null` is `Some(None)`, a string without escapes its content; `None` for any
/// other value (then the office is read by serde).
fn plain(field: Field<'_>) -> Option<Option<String>> {
    match field {
        Field::Absent | Field::Null => Some(None),
        Field::Plain(text) => Some(Some(text.to_owned())),
        Field::Other => None,
    }
}

/// The office a list of offices names first (the rest skipped without being kept); fails where
/// the first element is not an office object.
struct FirstOffice(Option<PickupOffice>);

impl<'de> Deserialize<'de> for FirstOffice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstOffice;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of offices")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<FirstOffice, A::Error> {
                let first = seq.next_element::<PickupOffice>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstOffice(first))
            }
        }
        d.deserialize_seq(V)
    }
}

/// What [`PickupLocation`] reads: an office, a list (of offices, as far as is known), or any
/// other value, kept.
#[cfg(feature = "schema")]
fn location_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let office = g.subschema_for::<PickupOffice>();
    schemars::json_schema!({
        "description": "The pickup office as sent: an object, a list of offices (the first is \
            the one to collect at), or null. Kept exactly as sent.",
        "anyOf": [office, {"type": "array", "items": office}, {}]
    })
}

/// The data of the ten status-change events (`Order Confirmed`, `Order Failed`, ...).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct StatusChange {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `new_status_code`, as sent. Do not infer the status from it: Wakilni's pages disagree.
    #[serde_as(as = "wire::Uint")]
    pub new_status_code: u32,
    /// `new_status`.
    pub new_status: Status,
    /// `previous_status_code`, as sent.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub previous_status_code: Option<u32>,
    /// `previous_status`.
    #[serde(default)]
    pub previous_status: Option<Status>,
    /// `updated_at`.
    pub updated_at: Timestamp,
}

impl StatusChange {
    /// Status-change data with its required fields, no previous status.
    #[must_use]
    pub fn new(
        order_id: u64,
        waybill: impl Into<String>,
        new_status_code: u32,
        new_status: Status,
        updated_at: Timestamp,
    ) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            new_status_code,
            new_status,
            previous_status_code: None,
            previous_status: None,
            updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A location read in one pass (the usual shapes) or by `from_raw` (any other) is the
    /// location `from_raw` reads from the same text.
    #[test]
    fn one_pass_reads_what_from_raw_reads() {
        for json in [
            r#"{"office_name":"Wakilni Dekwaneh","phone_number":"+96101123456"}"#,
            r#"[ {"phone_number": null, "extra": {"office_name": "inner"}}, 7 ]"#,
            r#"[{"office_name":"A"},{"office_name":"B","opening_hours":"9-18"}]"#,
            r#"{"office_name":"Caf\u00e9","phone_number":961}"#,
            r#"{"office_name":"A","phone_number":true}"#,
            r#"{"office_\u006eame":"A"}"#,
            r#"[["A","B"]]"#,
            "[]",
            r#""Dekwaneh""#,
            "{}",
        ] {
            let read: PickupLocation = serde_json::from_str(json).unwrap();
            let again = PickupLocation::from_raw(RawJson::new(json).unwrap());
            assert_eq!(read, again, "{json}");
            assert_eq!(read.raw().get(), json);
        }
        let office = |json| {
            serde_json::from_str::<PickupLocation>(json)
                .unwrap()
                .office()
                .cloned()
        };
        assert_eq!(
            office(r#"[{"office_name":"A","phone_number":"1"},{}]"#),
            Some(PickupOffice {
                office_name: Some("A".into()),
                phone_number: Some("1".into()),
            })
        );
        assert_eq!(
            office(r#"{"office_name":"Caf\u00e9","phone_number":961}"#),
            Some(PickupOffice {
                office_name: Some("Café".into()),
                phone_number: Some("961".into()),
            })
        );
        assert_eq!(office(r#"{"office_name":true}"#), None);
    }

    /// A key repeated anywhere in the location is refused, as in any value kept raw.
    #[test]
    fn a_repeated_key_is_refused() {
        for json in [
            r#"{"office_name":"A","office_name":"B"}"#,
            r#"[{"office_name":"A"},{"x":1,"x":2}]"#,
        ] {
            let err = serde_json::from_str::<PickupLocation>(json).unwrap_err();
            assert!(
                err.to_string().starts_with("duplicate field"),
                "{json}: {err}"
            );
        }
    }
}
