//! The data each Wakilni event carries: one struct per kind of event.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::wire::{self, Timestamp};

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
    /// `location`: the pickup office. Read from an object or a list holding one object; written
    /// as an object.
    #[serde(default, deserialize_with = "one_office")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "one_office_schema"))]
    pub location: Option<PickupOffice>,
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

/// What [`one_office`] reads.
#[cfg(feature = "schema")]
fn one_office_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let office = g.subschema_for::<PickupOffice>();
    schemars::json_schema!({
        "anyOf": [office, {"type": "array", "maxItems": 1, "items": office}, {"type": "null"}]
    })
}

/// `location` as an object, a list of at most one object, or `null`.
fn one_office<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PickupOffice>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<PickupOffice>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a pickup office object, or a list holding one")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            PickupOffice::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<PickupOffice>()?;
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_length(
                    2,
                    &"a list holding one pickup office",
                ));
            }
            Ok(first)
        }
    }
    d.deserialize_any(V)
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
