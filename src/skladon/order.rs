//! [`Order`]: hand-written serde, because Skladon sends the recipient and billing contacts as
//! flat prefixed fields (`recipientName`, `billingCity`, ...) and the order carries more fields
//! than are published; those are kept in [`Order::extra`] rather than dropped.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::entities::{OrderStatus, OrderType};
use super::wire::{self, Key, OptString, OptTime, OptU64, ReqString};

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

        impl Contact {
            /// The field for a wire suffix (`Name`, `PostCode`...).
            fn slot(&mut self, suffix: &str) -> Option<&mut Option<String>> {
                match suffix {
                    $($suffix => Some(&mut self.$field),)+
                    _ => None,
                }
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
/// Times are [`OffsetDateTime`]s (`2022-05-23T18:43:10.000Z` on the wire, and written back so).
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
    pub timestamp: Option<OffsetDateTime>,
    /// `updatedAt`: when the order last changed.
    pub updated_at: Option<OffsetDateTime>,
    /// `deliveredAt`.
    pub delivered_at: Option<OffsetDateTime>,
    /// `canceledAt`.
    pub canceled_at: Option<OffsetDateTime>,
    /// `trackingNumbers` (`null` reads as empty).
    pub tracking_numbers: Vec<String>,
    /// `invoiceNumber`.
    pub invoice_number: Option<String>,
    /// `orderType`.
    pub order_type: Option<OrderType>,
    /// `invoiceDate`.
    pub invoice_date: Option<OffsetDateTime>,
    /// `requiredExpeditionDate`: when the order must leave the warehouse.
    pub required_expedition_date: Option<OffsetDateTime>,
    /// `partnerOrderId`.
    pub partner_order_id: Option<String>,
    /// `recipient…` fields.
    pub recipient: Contact,
    /// `billing…` fields.
    pub billing: Contact,
    /// Every other field, by its wire name, as raw JSON.
    pub extra: BTreeMap<String, Value>,
}

impl<'de> Deserialize<'de> for Order {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(OrderVisitor)
    }
}

struct OrderVisitor;

fn once<T, E: de::Error>(seen: &mut bool, name: &'static str, v: T) -> Result<T, E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(name));
    }
    Ok(v)
}

impl<'de> Visitor<'de> for OrderVisitor {
    type Value = Order;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Skladon order object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Order, A::Error> {
        let mut eshop_order_id: Option<String> = None;
        let mut seen_id = false;
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
            // Optional fields: `null` and absent are alike, a repeated key keeps the last
            // value (as `serde_json::Value` would). Identifiers are strict.
            match key.as_ref() {
                "id" => {
                    let v = map.next_value::<OptU64>()?.0;
                    o.id = once(&mut seen_id, "id", v)?;
                }
                "eshopOrderId" => {
                    if eshop_order_id.is_some() {
                        return Err(de::Error::duplicate_field("eshopOrderId"));
                    }
                    eshop_order_id = Some(map.next_value::<ReqString>()?.0);
                }
                "status" => o.status = map.next_value()?,
                "timestamp" => o.timestamp = map.next_value::<OptTime>()?.0,
                "updatedAt" => o.updated_at = map.next_value::<OptTime>()?.0,
                "deliveredAt" => o.delivered_at = map.next_value::<OptTime>()?.0,
                "canceledAt" => o.canceled_at = map.next_value::<OptTime>()?.0,
                "trackingNumbers" => {
                    o.tracking_numbers = map
                        .next_value::<Option<Vec<ReqString>>>()?
                        .unwrap_or_default()
                        .into_iter()
                        .map(|s| s.0)
                        .collect();
                }
                "invoiceNumber" => o.invoice_number = map.next_value::<OptString>()?.0,
                "orderType" => o.order_type = map.next_value()?,
                "invoiceDate" => o.invoice_date = map.next_value::<OptTime>()?.0,
                "requiredExpeditionDate" => {
                    o.required_expedition_date = map.next_value::<OptTime>()?.0;
                }
                "partnerOrderId" => o.partner_order_id = map.next_value::<OptString>()?.0,
                other => {
                    let slot = if let Some(suffix) = other.strip_prefix("recipient") {
                        o.recipient.slot(suffix)
                    } else if let Some(suffix) = other.strip_prefix("billing") {
                        o.billing.slot(suffix)
                    } else {
                        None
                    };
                    match slot {
                        Some(slot) => *slot = map.next_value::<OptString>()?.0,
                        None => {
                            let v: Value = map.next_value()?;
                            o.extra.insert(key.into_owned(), v);
                        }
                    }
                }
            }
        }
        o.eshop_order_id =
            eshop_order_id.ok_or_else(|| de::Error::missing_field("eshopOrderId"))?;
        Ok(o)
    }
}

struct Time<'a>(&'a OffsetDateTime);

impl Serialize for Time<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&wire::format_time(self.0))
    }
}

impl Serialize for Order {
    /// Writes the order as Skladon does: camelCase, flat contact fields, times with
    /// milliseconds; `None` fields are left out; [`extra`](Order::extra) fields come last.
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
                m.serialize_entry(k, &Time(v))?;
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
                m.serialize_entry(k, &Time(v))?;
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
