//! Parsing a POST body: as the entity of a webhook type, of a kind, or recognised by its keys.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Entity, EntityKind, WebhookType};
use crate::error::{Error, PayloadError};
use crate::wire;

/// Parses the body of a POST webhook registered for `webhook_type`.
///
/// The one entry for parsing an entity (a whole call, GET or POST, is typed by
/// [`Notification::read`](super::Notification::read), which [`Verifier::receive`](super::Verifier::receive)
/// uses). The body carries no type, so the type decides the entity: pass the type of the URL
/// the call came in on. For a type this crate does not know ([`WebhookType::Other`]), the
/// entity is recognised by its identifying keys, first match wins (a heuristic: the keys of two
/// entities overlap, a return also has `eshopOrderId` and `status`):
///
/// | keys present | entity |
/// |---|---|
/// | `eshopReceivingId` | [`Receiving`](super::Receiving) |
/// | `eshopReturnId` or `returnedOrderProducts` | [`Return`](super::Return) |
/// | `sku`, `count` and `type` | [`StockMovement`](super::StockMovement) |
/// | `productType`, or `sku` and `name` | [`Product`](super::Product) |
/// | `eshopOrderId` | [`Order`](super::Order) |
///
/// # Errors
/// [`Error::Payload`] naming the JSON path when the body is not that entity (or lacks its
/// required id: `eshopOrderId`, `sku`, `eshopReceivingId`, `eshopReturnId`, or a stock
/// movement's `id`, `count`, `sku` and `type`); for an unknown type, when the body is not a
/// JSON object or matches no rule above.
///
/// ```
/// use delivery_webhooks::skladon::{self, Entity, WebhookType};
///
/// let body = br#"{"id":17,"count":-2,"sku":"TEST_SKU_1","lot":null,"type":"stock_correction",
///   "createdAt":"2024-06-13T09:12:44.000Z","updatedAt":"2024-06-13T09:12:44.000Z"}"#;
/// let entity = skladon::parse(&WebhookType::CreateStockMovementStockCorrection, body)?;
/// let Entity::StockMovement(m) = entity else { unreachable!() };
/// assert_eq!((m.id, m.count, m.sku.as_str()), (17, -2, "TEST_SKU_1"));
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
///
/// A type this crate does not know, recognised by the body's keys:
///
/// ```
/// use delivery_webhooks::skladon::{self, EntityKind, WebhookType};
///
/// let new_type = WebhookType::from("CREATE_PRODUCT_VARIANT");
/// let entity = skladon::parse(&new_type, br#"{"sku":"TEST_SKU_1","name":"Mug","productType":"finalProduct"}"#)?;
/// assert_eq!(entity.kind(), EntityKind::Product);
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub fn parse(webhook_type: &WebhookType, body: &[u8]) -> Result<Entity, Error> {
    match webhook_type.entity() {
        Some(kind) => parse_kind(kind, body),
        None => parse_any(body),
    }
}

/// Parses the body as an entity of `kind` (the entity of a known webhook type).
pub(crate) fn parse_kind(kind: EntityKind, body: &[u8]) -> Result<Entity, Error> {
    refuse_array(body)?;
    // Each arm gives the result itself: an entity taken out of one `Result` and put into
    // another is one more copy of it (a Skladon entity is several hundred bytes).
    match kind {
        EntityKind::Order => {
            // Filled where it stands, inside the entity: not moved into it afterwards.
            let mut entity = Entity::Order(<super::Order as wire::FillIn>::unset());
            if let Entity::Order(order) = &mut entity {
                wire::parse_in_place(body, order)?;
            }
            Ok(entity)
        }
        EntityKind::Product => wire::parse(body).map(Entity::Product),
        EntityKind::Receiving => wire::parse(body).map(Entity::Receiving),
        EntityKind::Return => wire::parse(body).map(Entity::Return),
        EntityKind::StockMovement => wire::parse(body).map(Entity::StockMovement),
    }
}

/// Serde's derived structs also accept a JSON array of their fields in order; a Skladon entity
/// is always an object, so an array body is refused up front.
fn refuse_array(body: &[u8]) -> Result<(), Error> {
    let Some(at) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(());
    };
    if body.get(at) != Some(&b'[') {
        return Ok(());
    }
    let before = body.get(..at).unwrap_or_default();
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
    Err(Error::Payload(PayloadError::new(
        ".".to_owned(),
        line,
        column,
        "invalid type: sequence, expected a skladon entity object".to_owned(),
    )))
}

/// Parses a POST body whose webhook type is not known, recognising the entity by its identifying
/// keys (the rules in [`parse`]'s docs). The body is read twice: a first pass looks at the
/// top-level keys only (skipping values, allocating nothing), the second parses the recognised
/// entity as [`parse_kind`] does.
pub(crate) fn parse_any(body: &[u8]) -> Result<Entity, Error> {
    let keys: Keys = wire::parse(body)?;
    let kind = keys.kind().ok_or_else(|| {
        Error::Payload(PayloadError::new(
            ".".to_owned(),
            0,
            0,
            "not a recognisable skladon entity: none of `eshopReceivingId`, `eshopReturnId`, \
             `sku`+`count`+`type`, `productType`, `sku`+`name`, `eshopOrderId` found"
                .to_owned(),
        ))
    })?;
    parse_kind(kind, body)
}

/// Which identifying keys a body has at its top level.
#[derive(Default)]
struct Keys {
    eshop_receiving_id: bool,
    eshop_return_id: bool,
    returned_order_products: bool,
    sku: bool,
    count: bool,
    r#type: bool,
    product_type: bool,
    name: bool,
    eshop_order_id: bool,
}

impl Keys {
    fn kind(&self) -> Option<EntityKind> {
        Some(if self.eshop_receiving_id {
            EntityKind::Receiving
        } else if self.eshop_return_id || self.returned_order_products {
            EntityKind::Return
        } else if self.sku && self.count && self.r#type {
            EntityKind::StockMovement
        } else if self.product_type || (self.sku && self.name) {
            EntityKind::Product
        } else if self.eshop_order_id {
            EntityKind::Order
        } else {
            return None;
        })
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Skladon entity object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut k = Keys::default();
                while let Some(wire::Key(key)) = map.next_key::<wire::Key<'de>>()? {
                    let flag = match key.as_ref() {
                        "eshopReceivingId" => &mut k.eshop_receiving_id,
                        "eshopReturnId" => &mut k.eshop_return_id,
                        "returnedOrderProducts" => &mut k.returned_order_products,
                        "sku" => &mut k.sku,
                        "count" => &mut k.count,
                        "type" => &mut k.r#type,
                        "productType" => &mut k.product_type,
                        "name" => &mut k.name,
                        "eshopOrderId" => &mut k.eshop_order_id,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *flag = true;
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(k)
            }
        }
        d.deserialize_map(V)
    }
}
