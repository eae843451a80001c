//! The order entries of an isendu batch: [`Order`], declared from one list of its typed fields,
//! and the types inside it.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_with::Same;
use serde_with::ser::SerializeAsWrap;

use super::tracking::{ErrorDetails, TrackingStatus};
use crate::wire::enums::wire_enum;
use crate::wire::{
    self, As, Decimal, Key, OptDecimal, OptTimestamp, RawJson, Seen, TimestampOrText,
};

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

/// An entry of an order's `trackingInformation`.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TrackingInformation {
    /// `number`: the tracking number.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
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
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShippingInformation {
    /// `parcels`, as sent.
    #[serde(default)]
    pub parcels: Option<RawJson>,
    /// `shipmentDetails`, as sent.
    #[serde(default)]
    pub shipment_details: Option<RawJson>,
    /// `additionalServices`, as sent.
    #[serde(default)]
    pub additional_services: Option<RawJson>,
    /// `addresses`, as sent.
    #[serde(default)]
    pub addresses: Option<RawJson>,
    /// `pudoId`: the pick-up/drop-off point, if one was chosen.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub pudo_id: Option<String>,
}

/// An order line.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Item {
    /// `uuid`, of the form `i-<uuid>`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub uuid: Option<String>,
    /// `quantity` (also from a string of digits).
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub quantity: Option<u64>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `weight`, in [`weight_unit`](Item::weight_unit).
    #[serde_as(as = "wire::OptDecimal")]
    #[serde(default)]
    pub weight: Option<Decimal>,
    /// `imageUrl`.
    #[serde(default)]
    pub image_url: Option<String>,
    /// `weightUnit`, e.g. `kg`.
    #[serde(default)]
    pub weight_unit: Option<String>,
    /// `price`, in the order's currency.
    #[serde_as(as = "wire::OptDecimal")]
    #[serde(default)]
    pub price: Option<Decimal>,
    /// `productId` in the store (a number is read as its text).
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub product_id: Option<String>,
    /// `sku`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub sku: Option<String>,
    /// `asin` (Amazon).
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub asin: Option<String>,
}

/// Declares [`Order`] from one list of its optional typed fields: each with its docs, its wire
/// name, its type and the `serde_with` adapter it is read and written through. The struct, the
/// field lookup, the duplicate check, the reader and the writer all come from that one list.
macro_rules! order {
    ($($(#[$doc:meta])* $field:ident: $ty:ty = $wire:literal as $adapter:ty,)+) => {
        /// One order entry of a batch.
        ///
        /// isendu's webhook page shows only `uuid` and says the entry carries "other order
        /// fields": every field its OpenAPI documents is typed here, all optional but `uuid`, and
        /// any other field is kept as raw JSON in [`extra`](Order::extra), so that nothing isendu
        /// sent is lost when the order is serialized again. Every key may appear once: a repeated
        /// one, typed or extra, is refused.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Order {
            /// `uuid`, of the form `o-<uuid>`: required, the key to fold updates on.
            pub uuid: String,
            $($(#[$doc])* pub $field: $ty,)+
            /// Every other field, by wire name, as raw JSON (`null` included). Keys that name a
            /// typed field are ignored when serializing, so the typed value always wins.
            pub extra: BTreeMap<String, RawJson>,
        }

        impl Order {
            /// An order with this uuid and nothing else (for tests and tooling).
            #[must_use]
            pub fn new(uuid: impl Into<String>) -> Self {
                Self {
                    uuid: uuid.into(),
                    $($field: None,)+
                    extra: BTreeMap::new(),
                }
            }
        }

        /// A typed field of [`Order`]; its discriminant is its bit in the duplicate check.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        enum Field {
            uuid,
            $($field,)+
        }

        impl Field {
            /// The typed field a wire name stands for (a `match`: cheaper than a scan).
            fn from_wire(name: &str) -> Option<Field> {
                Some(match name {
                    "uuid" => Field::uuid,
                    $($wire => Field::$field,)+
                    _ => return None,
                })
            }
        }

        impl<'de> Visitor<'de> for OrderVisitor {
            type Value = Order;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an isendu order object with a `uuid`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Order, A::Error> {
                let mut uuid: Option<String> = None;
                let mut o = Order::new(String::new());
                let mut seen = Seen::default();
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    // One `match` on the name, straight to the field's reader: a lookup of the
                    // field first and a `match` on it after are two jump tables per key, and
                    // each is a likely mispredicted indirect jump.
                    match key.as_ref() {
                        "uuid" => {
                            seen.once(Field::uuid as usize, "uuid")?;
                            uuid = Some(map.next_value::<As<wire::Text, String>>()?.into_inner());
                        }
                        $($wire => {
                            seen.once(Field::$field as usize, $wire)?;
                            o.$field = map.next_value::<As<$adapter, $ty>>()?.into_inner();
                        })+
                        _ => {
                            if o.extra.contains_key(key.as_ref()) {
                                return Err(wire::duplicate_key(&key));
                            }
                            let value = map.next_value()?;
                            wire::budget::take_entry::<String, RawJson, A::Error>()?;
                            o.extra.insert(key.into_owned(), value);
                        }
                    }
                }
                o.uuid = uuid.ok_or_else(|| de::Error::missing_field("uuid"))?;
                Ok(o)
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for Order {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "Order".into()
            }
            fn schema_id() -> std::borrow::Cow<'static, str> {
                "delivery_webhooks::isendu::Order".into()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut properties = serde_json::Map::new();
                properties.insert(
                    "uuid".into(),
                    g.subschema_for::<serde_with::Schema<String, wire::Text>>().to_value(),
                );
                $(properties.insert(
                    $wire.into(),
                    g.subschema_for::<serde_with::Schema<$ty, $adapter>>().to_value(),
                );)+
                schemars::json_schema!({
                    "type": "object",
                    "description": "An order entry: `uuid` and any subset of the order fields; other fields are kept",
                    "properties": properties,
                    "required": ["uuid"]
                })
            }
        }

        impl Serialize for Order {
            /// isendu's camelCase names, typed fields in declaration order, `None` left out,
            /// then [`extra`](Order::extra).
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("uuid", &self.uuid)?;
                $(if self.$field.is_some() {
                    m.serialize_entry($wire, &SerializeAsWrap::<$ty, $adapter>::new(&self.$field))?;
                })+
                for (k, v) in &self.extra {
                    if Field::from_wire(k).is_none() {
                        m.serialize_entry(k, v)?;
                    }
                }
                m.end()
            }
        }
    };
}

struct OrderVisitor;

impl<'de> Deserialize<'de> for Order {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(OrderVisitor)
    }
}

order! {
    /// `updated`: when the order last changed; the fold keeps the newest.
    updated: Option<TimestampOrText> = "updated" as OptTimestamp,
    /// `created`.
    created: Option<TimestampOrText> = "created" as OptTimestamp,
    /// `status`.
    status: Option<OrderStatus> = "status" as Option<Same>,
    /// `storeOrderId`: the order's id in the store (a number is read as its text).
    store_order_id: Option<String> = "storeOrderId" as Option<wire::Text>,
    /// `storeInternalOrderId`.
    store_internal_order_id: Option<String> = "storeInternalOrderId" as Option<wire::Text>,
    /// `storeCreationDate`: when the store created the order.
    store_creation_date: Option<TimestampOrText> = "storeCreationDate" as OptTimestamp,
    /// `total`.
    total: Option<Decimal> = "total" as OptDecimal,
    /// `subtotal`.
    subtotal: Option<Decimal> = "subtotal" as OptDecimal,
    /// `shippingTotal`.
    shipping_total: Option<Decimal> = "shippingTotal" as OptDecimal,
    /// `currency`: three letters, e.g. `EUR`.
    currency: Option<String> = "currency" as Option<Same>,
    /// `shippingMethod`.
    shipping_method: Option<String> = "shippingMethod" as Option<Same>,
    /// `paymentMethod`.
    payment_method: Option<String> = "paymentMethod" as Option<Same>,
    /// `itemsCount` (also from a string of digits).
    items_count: Option<u64> = "itemsCount" as Option<wire::Uint>,
    /// `firstItemImageUrl`.
    first_item_image_url: Option<String> = "firstItemImageUrl" as Option<Same>,
    /// `trackingInformation`.
    tracking_information: Option<Vec<TrackingInformation>> = "trackingInformation" as Option<wire::List>,
    /// `customerNote`.
    customer_note: Option<String> = "customerNote" as Option<Same>,
    /// `error`, when the order is in error. Boxed: rarely sent.
    error: Option<Box<ErrorDetails>> = "error" as Option<wire::Boxed>,
    /// `shippingInformation`. Boxed: large, and absent from most webhook orders.
    shipping_information: Option<Box<ShippingInformation>> = "shippingInformation" as Option<wire::Boxed>,
    /// `deliveryDayEstimate`, as sent (its type is not documented).
    delivery_day_estimate: Option<RawJson> = "deliveryDayEstimate" as Option<Same>,
    /// `items`.
    items: Option<Vec<Item>> = "items" as Option<wire::List>,
}
