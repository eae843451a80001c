//! [`Order`]: hand-written serde, because Skladon sends the recipient and billing contacts as
//! flat prefixed fields (`recipientName`, `billingCity`, ...) and the order carries more fields
//! than are published; those are kept in [`Order::extra`] rather than dropped.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::enums::{OrderStatus, OrderType};
use crate::wire::{self, As, Key, OptTimestamp, RawJson, Seen, TimestampOrText};

/// One optional text field, read as the derived structs read it.
type OptText = As<Option<wire::Text>, Option<String>>;
/// One optional timestamp field, read as the derived structs read it.
type OptTime = As<OptTimestamp, Option<TimestampOrText>>;

/// Declares [`Contact`] and the wire suffix of each of its fields.
macro_rules! contact {
    ($($(#[$m:meta])* $field:ident = $suffix:literal),+ $(,)?) => {
        /// The recipient's or the billing party's name, address, tax and contact fields.
        ///
        /// On the wire they are flat fields of the order, prefixed `recipient` or `billing`:
        /// [`name`](Contact::name) is `recipientName` / `billingName`, and so on. All are text
        /// and optional.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Contact {
            $($(#[$m])* pub $field: Option<String>,)+
        }

        /// The wire names of the recipient fields, in [`Contact::fields`] order.
        pub(crate) const RECIPIENT: [&str; 14] = [$(concat!("recipient", $suffix)),+];
        /// The wire names of the billing fields, in [`Contact::fields`] order.
        pub(crate) const BILLING: [&str; 14] = [$(concat!("billing", $suffix)),+];

        impl Contact {
            /// The field for a wire suffix (`Name`, `PostCode`...), with its index in
            /// [`Contact::fields`].
            fn slot(&mut self, suffix: &str) -> Option<(usize, &mut Option<String>)> {
                let mut i = 0;
                $(
                    if suffix == $suffix {
                        return Some((i, &mut self.$field));
                    }
                    i += 1;
                )+
                let _ = i;
                None
            }

            /// Every field with its wire suffix, in Skladon's order.
            fn fields(&self) -> [(&'static str, &Option<String>); 14] {
                [$(($suffix, &self.$field)),+]
            }

            /// Whether no field is set.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.fields().iter().all(|(_, v)| v.is_none())
            }
        }
    };
}

contact! {
    /// `…Name`: the person's full name.
    name = "Name",
    /// `…AttentionName`: for the attention of.
    attention_name = "AttentionName",
    /// `…Email`.
    email = "Email",
    /// `…Phone`.
    phone = "Phone",
    /// `…CompanyName`.
    company_name = "CompanyName",
    /// `…CompanyId`: the company registration number.
    company_id = "CompanyId",
    /// `…TaxId`: the VAT number.
    tax_id = "TaxId",
    /// `…Street`: street and number.
    street = "Street",
    /// `…AddressAdditionalInfo`.
    address_additional_info = "AddressAdditionalInfo",
    /// `…City`.
    city = "City",
    /// `…State`: the country code in Skladon's example (`CZ`).
    state = "State",
    /// `…ProvinceCode`.
    province_code = "ProvinceCode",
    /// `…PostCode`.
    post_code = "PostCode",
    /// `…Gln`: the GS1 global location number.
    gln = "Gln",
}

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
    pub id: Option<u64>,
    /// `eshopOrderId`: your id of the order, the one Skladon appends to GET webhook URLs.
    /// Required.
    pub eshop_order_id: String,
    /// `status`.
    pub status: Option<OrderStatus>,
    /// `timestamp`: when the order was created.
    pub timestamp: Option<TimestampOrText>,
    /// `updatedAt`: when the order last changed.
    pub updated_at: Option<TimestampOrText>,
    /// `deliveredAt`.
    pub delivered_at: Option<TimestampOrText>,
    /// `canceledAt`.
    pub canceled_at: Option<TimestampOrText>,
    /// `trackingNumbers` (`null` reads as empty).
    pub tracking_numbers: Vec<String>,
    /// `invoiceNumber`.
    pub invoice_number: Option<String>,
    /// `orderType`.
    pub order_type: Option<OrderType>,
    /// `invoiceDate`.
    pub invoice_date: Option<TimestampOrText>,
    /// `requiredExpeditionDate`: when the order must leave the warehouse.
    pub required_expedition_date: Option<TimestampOrText>,
    /// `partnerOrderId`.
    pub partner_order_id: Option<String>,
    /// `recipient…` fields.
    pub recipient: Contact,
    /// `billing…` fields.
    pub billing: Contact,
    /// Every other field, by its wire name, as raw JSON.
    pub extra: BTreeMap<String, RawJson>,
}

impl Order {
    /// An order with its `eshopOrderId` and nothing else: set the optional fields and contacts as needed.
    #[must_use]
    pub fn new(eshop_order_id: impl Into<String>) -> Self {
        Self {
            id: None,
            eshop_order_id: eshop_order_id.into(),
            status: None,
            timestamp: None,
            updated_at: None,
            delivered_at: None,
            canceled_at: None,
            tracking_numbers: Vec::new(),
            invoice_number: None,
            order_type: None,
            invoice_date: None,
            required_expedition_date: None,
            partner_order_id: None,
            recipient: Contact::default(),
            billing: Contact::default(),
            extra: BTreeMap::new(),
        }
    }
}

impl<'de> Deserialize<'de> for Order {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(OrderVisitor)
    }
}

struct OrderVisitor;

/// The typed fields' wire names, by their index in the duplicate check; contact fields follow
/// at [`CONTACTS`] (recipient) and `CONTACTS + 14` (billing).
pub(crate) const FIELDS: [&str; 13] = [
    "id",
    "eshopOrderId",
    "status",
    "timestamp",
    "updatedAt",
    "deliveredAt",
    "canceledAt",
    "trackingNumbers",
    "invoiceNumber",
    "orderType",
    "invoiceDate",
    "requiredExpeditionDate",
    "partnerOrderId",
];
const CONTACTS: usize = FIELDS.len();

fn field_index(name: &str) -> Option<usize> {
    FIELDS.iter().position(|f| *f == name)
}

impl<'de> Visitor<'de> for OrderVisitor {
    type Value = Order;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Skladon order object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Order, A::Error> {
        let mut eshop_order_id: Option<String> = None;
        let mut seen = Seen::default();
        let mut o = Order {
            id: None,
            eshop_order_id: String::new(),
            status: None,
            timestamp: None,
            updated_at: None,
            delivered_at: None,
            canceled_at: None,
            tracking_numbers: Vec::new(),
            invoice_number: None,
            order_type: None,
            invoice_date: None,
            required_expedition_date: None,
            partner_order_id: None,
            recipient: Contact::default(),
            billing: Contact::default(),
            extra: BTreeMap::new(),
        };
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            // Every key once, optional or not (principle 3); `null` and absent are alike.
            if let Some(i) = field_index(&key) {
                seen.once(i, FIELDS[i])?;
                match i {
                    0 => o.id = map.next_value::<As<Option<wire::Uint>, _>>()?.into_inner(),
                    1 => {
                        let id = map.next_value::<As<wire::Text, String>>()?.into_inner();
                        eshop_order_id = Some(id);
                    }
                    2 => o.status = map.next_value()?,
                    3 => o.timestamp = map.next_value::<OptTime>()?.into_inner(),
                    4 => o.updated_at = map.next_value::<OptTime>()?.into_inner(),
                    5 => o.delivered_at = map.next_value::<OptTime>()?.into_inner(),
                    6 => o.canceled_at = map.next_value::<OptTime>()?.into_inner(),
                    7 => {
                        o.tracking_numbers = map
                            .next_value::<As<serde_with::DefaultOnNull<wire::List<wire::Text>>, _>>(
                            )?
                            .into_inner();
                    }
                    8 => o.invoice_number = map.next_value::<OptText>()?.into_inner(),
                    9 => o.order_type = map.next_value()?,
                    10 => o.invoice_date = map.next_value::<OptTime>()?.into_inner(),
                    11 => o.required_expedition_date = map.next_value::<OptTime>()?.into_inner(),
                    _ => o.partner_order_id = map.next_value::<OptText>()?.into_inner(),
                }
                continue;
            }
            let slot = if let Some(suffix) = key.strip_prefix("recipient") {
                o.recipient
                    .slot(suffix)
                    .map(|(i, slot)| (CONTACTS + i, RECIPIENT[i], slot))
            } else if let Some(suffix) = key.strip_prefix("billing") {
                o.billing
                    .slot(suffix)
                    .map(|(i, slot)| (CONTACTS + 14 + i, BILLING[i], slot))
            } else {
                None
            };
            match slot {
                Some((i, name, slot)) => {
                    seen.once(i, name)?;
                    *slot = map.next_value::<OptText>()?.into_inner();
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
        o.eshop_order_id =
            eshop_order_id.ok_or_else(|| de::Error::missing_field("eshopOrderId"))?;
        Ok(o)
    }
}

impl Serialize for Order {
    /// Writes the order as Skladon does: camelCase, flat contact fields, times as they came;
    /// `None` fields are left out; [`extra`](Order::extra) fields come last.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(id) = self.id {
            m.serialize_entry("id", &id)?;
        }
        m.serialize_entry("eshopOrderId", &self.eshop_order_id)?;
        if let Some(v) = &self.status {
            m.serialize_entry("status", v)?;
        }
        let times = [
            ("timestamp", &self.timestamp),
            ("updatedAt", &self.updated_at),
            ("deliveredAt", &self.delivered_at),
            ("canceledAt", &self.canceled_at),
        ];
        for (k, v) in times {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        if !self.tracking_numbers.is_empty() {
            m.serialize_entry("trackingNumbers", &self.tracking_numbers)?;
        }
        if let Some(v) = &self.invoice_number {
            m.serialize_entry("invoiceNumber", v)?;
        }
        if let Some(v) = &self.order_type {
            m.serialize_entry("orderType", v)?;
        }
        let times = [
            ("invoiceDate", &self.invoice_date),
            ("requiredExpeditionDate", &self.required_expedition_date),
        ];
        for (k, v) in times {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        if let Some(v) = &self.partner_order_id {
            m.serialize_entry("partnerOrderId", v)?;
        }
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
        use serde_with::Schema as As;
        let text = g
            .subschema_for::<As<Option<String>, Option<wire::Text>>>()
            .to_value();
        let time = g
            .subschema_for::<As<Option<TimestampOrText>, OptTimestamp>>()
            .to_value();
        let mut properties = serde_json::Map::new();
        for (name, schema) in [
            (
                "id",
                g.subschema_for::<As<Option<u64>, Option<wire::Uint>>>()
                    .to_value(),
            ),
            (
                "eshopOrderId",
                g.subschema_for::<As<String, wire::Text>>().to_value(),
            ),
            (
                "status",
                g.subschema_for::<Option<OrderStatus>>().to_value(),
            ),
            (
                "orderType",
                g.subschema_for::<Option<OrderType>>().to_value(),
            ),
            (
                "trackingNumbers",
                crate::wire::schema::nullable(
                    g.subschema_for::<As<Vec<String>, Vec<wire::Text>>>(),
                )
                .to_value(),
            ),
        ] {
            properties.insert(name.into(), schema);
        }
        for name in [
            "timestamp",
            "updatedAt",
            "deliveredAt",
            "canceledAt",
            "invoiceDate",
            "requiredExpeditionDate",
        ] {
            properties.insert(name.into(), time.clone());
        }
        for name in ["invoiceNumber", "partnerOrderId"]
            .into_iter()
            .chain(RECIPIENT)
            .chain(BILLING)
        {
            properties.insert(name.into(), text.clone());
        }
        debug_assert!(FIELDS.iter().all(|f| properties.contains_key(*f)));
        schemars::json_schema!({
            "type": "object",
            "description": "A Skladon order; recipient and billing fields are flat (`recipientName`...), other fields are kept",
            "properties": properties,
            "required": ["eshopOrderId"]
        })
    }
}
