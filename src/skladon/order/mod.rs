//! [`Order`]: hand-written serde, because Skladon sends the recipient and billing contacts as
//! flat prefixed fields (`recipientName`, `billingCity`, ...) and the order carries more fields
//! than are published; those are kept in [`Order::extra`] rather than dropped.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::enums::{OrderStatus, OrderType};
use crate::wire::{self, FillIn, Key, RawJson, Seen, TimestampOrText};

mod contact;
mod field;

pub use contact::Contact;
use contact::{BILLING, RECIPIENT};
use field::{Enum, Field, RequiredText, Text, TextList, Time, Uint};

/// Declares [`Order`] from one table of its typed fields (`field: Type as Kind = "wireName"`),
/// followed by the two contacts and `extra`. Reading, writing and the schema are generated from
/// the same table, in its order, which is Skladon's.
macro_rules! order {
    (
        $(#[$sm:meta])*
        pub struct Order {
            $($(#[$m:meta])* $field:ident: $ty:ty as $kind:ty = $wire:literal,)+
        }
    ) => {
        $(#[$sm])*
        pub struct Order {
            $($(#[$m])* pub $field: $ty,)+
            /// `recipient…` fields.
            pub recipient: Contact,
            /// `billing…` fields.
            pub billing: Contact,
            /// Every other field, by its wire name, as raw JSON.
            pub extra: BTreeMap<String, RawJson>,
        }

        /// How many typed fields there are: the contact fields follow them in the duplicate
        /// check's numbering, recipient first, then billing.
        const TYPED: usize = [$($wire),+].len();

        impl Order {
            /// An order with every field unset.
            fn unset() -> Self {
                Self {
                    $($field: <$kind as Field>::Value::default(),)+
                    recipient: Contact::default(),
                    billing: Contact::default(),
                    extra: BTreeMap::new(),
                }
            }

            /// Reads the value of `key` if it names a typed field; `false` if it does not.
            fn read_typed<'de, A: MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
                seen: &mut Seen,
            ) -> Result<bool, A::Error> {
                let mut i = 0;
                $(
                    if key == $wire {
                        seen.once(i, $wire)?;
                        self.$field = <$kind as Field>::read(map)?;
                        return Ok(true);
                    }
                    i += 1;
                )+
                let _ = i;
                Ok(false)
            }

            /// Refuses an order that lacks a required field.
            fn check_required<E: de::Error>(seen: &Seen) -> Result<(), E> {
                let mut i = 0;
                $(
                    if <$kind as Field>::REQUIRED && !seen.contains(i) {
                        return Err(E::missing_field($wire));
                    }
                    i += 1;
                )+
                let _ = i;
                Ok(())
            }

            /// Writes the set typed fields.
            fn write_typed<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
                $(<$kind as Field>::write(m, $wire, &self.$field)?;)+
                Ok(())
            }

            /// The typed fields' schemas, and the names of the required ones.
            #[cfg(feature = "schema")]
            fn typed_schema(
                g: &mut schemars::SchemaGenerator,
                properties: &mut serde_json::Map<String, serde_json::Value>,
                required: &mut Vec<&'static str>,
            ) {
                $(
                    properties.insert($wire.into(), <$kind as Field>::schema(g));
                    if <$kind as Field>::REQUIRED {
                        required.push($wire);
                    }
                )+
            }
        }
    };
}

order! {
    /// An order (`CREATE_ORDER`, `UPDATE_ORDER`, `UPDATE_ORDER_STATUS`).
    ///
    /// Times and dates are [`TimestampOrText`]s: `2022-05-23T18:43:10.000Z` on the wire, but a plain
    /// date, a time without zone or any other ISO 8601 form is read too, and each is written back as
    /// it came. Every key may appear once: a repeated one (typed, contact or extra) is refused.
    /// The recipient and billing fields are grouped in two [`Contact`]s. Any field this crate does
    /// not model (Skladon's order carries more than it publishes: shipper, cash on delivery, lines...)
    /// is kept in [`extra`](Order::extra) as raw JSON and written back, so nothing is lost.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub struct Order {
        /// `id`: Skladon's own id.
        id: Option<u64> as Uint = "id",
        /// `eshopOrderId`: your id of the order, the one Skladon appends to GET webhook URLs.
        /// Required.
        eshop_order_id: String as RequiredText = "eshopOrderId",
        /// `status`.
        status: Option<OrderStatus> as Enum<OrderStatus> = "status",
        /// `timestamp`: when the order was created.
        timestamp: Option<TimestampOrText> as Time = "timestamp",
        /// `updatedAt`: when the order last changed.
        updated_at: Option<TimestampOrText> as Time = "updatedAt",
        /// `deliveredAt`.
        delivered_at: Option<TimestampOrText> as Time = "deliveredAt",
        /// `canceledAt`.
        canceled_at: Option<TimestampOrText> as Time = "canceledAt",
        /// `trackingNumbers` (`null` reads as empty).
        tracking_numbers: Vec<String> as TextList = "trackingNumbers",
        /// `invoiceNumber`.
        invoice_number: Option<String> as Text = "invoiceNumber",
        /// `orderType`.
        order_type: Option<OrderType> as Enum<OrderType> = "orderType",
        /// `invoiceDate`.
        invoice_date: Option<TimestampOrText> as Time = "invoiceDate",
        /// `requiredExpeditionDate`: when the order must leave the warehouse.
        required_expedition_date: Option<TimestampOrText> as Time = "requiredExpeditionDate",
        /// `partnerOrderId`.
        partner_order_id: Option<String> as Text = "partnerOrderId",
    }
}

impl Order {
    /// An order with its `eshopOrderId` and nothing else: set the optional fields and contacts as needed.
    #[must_use]
    pub fn new(eshop_order_id: impl Into<String>) -> Self {
        Self {
            eshop_order_id: eshop_order_id.into(),
            ..Self::unset()
        }
    }
}

impl<'de> Deserialize<'de> for Order {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut o = Order::unset();
        <Order as FillIn>::fill(&mut o, d)?;
        Ok(o)
    }
}

impl FillIn for Order {
    fn unset() -> Self {
        Order::unset()
    }
    fn fill<'de, D: Deserializer<'de>>(place: &mut Self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(OrderVisitor(place))
    }
}

/// Fills an unset order.
struct OrderVisitor<'a>(&'a mut Order);

impl<'de> Visitor<'de> for OrderVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Skladon order object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::default();
        let o = self.0;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            // Every key once, optional or not (principle 3).
            if o.read_typed(&key, &mut map, &mut seen)? {
                continue;
            }
            let slot = if let Some(suffix) = key.strip_prefix("recipient") {
                o.recipient
                    .slot(suffix)
                    .map(|(i, slot)| (TYPED + i, RECIPIENT[i], slot))
            } else if let Some(suffix) = key.strip_prefix("billing") {
                o.billing
                    .slot(suffix)
                    .map(|(i, slot)| (TYPED + RECIPIENT.len() + i, BILLING[i], slot))
            } else {
                None
            };
            match slot {
                Some((i, name, slot)) => {
                    seen.once(i, name)?;
                    *slot = Text::read(&mut map)?;
                }
                None => {
                    if o.extra.contains_key(key.as_ref()) {
                        return Err(wire::duplicate_key(&key));
                    }
                    let v: RawJson = map.next_value()?;
                    wire::budget::take_entry::<String, RawJson, A::Error>()?;
                    o.extra.insert(key.into_owned(), v);
                }
            }
        }
        Order::check_required(&seen)
    }
}

impl Serialize for Order {
    /// Writes the order as Skladon does: camelCase, flat contact fields, times as they came;
    /// unset fields are left out; [`extra`](Order::extra) fields come last.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.write_typed(&mut m)?;
        for (prefix, contact) in [("recipient", &self.recipient), ("billing", &self.billing)] {
            for (suffix, v) in contact.fields() {
                if let Some(v) = v {
                    m.serialize_entry(&format_args!("{prefix}{suffix}"), v)?;
                }
            }
        }
        for (k, v) in &self.extra {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Order {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Order".into()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        "delivery_webhooks::skladon::Order".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut properties = serde_json::Map::new();
        let mut required = Vec::new();
        Order::typed_schema(g, &mut properties, &mut required);
        let text = Text::schema(g);
        for name in RECIPIENT.into_iter().chain(BILLING) {
            properties.insert(name.into(), text.clone());
        }
        schemars::json_schema!({
            "type": "object",
            "description": "A Skladon order; recipient and billing fields are flat (`recipientName`...), other fields are kept",
            "properties": properties,
            "required": required
        })
    }
}
