//! Skladon: fulfilment webhooks for orders, products, receivings, returns and stock movements,
//! as GET or POST calls to URLs you register, one per webhook type.
//!
//! # What Skladon sends
//! You register a URL per [`WebhookType`] (18 of them, such as `CREATE_ORDER` or
//! `UPDATE_RECEIVING_STATUS`) with Skladon's `/webhooks` API, choosing the method:
//! - **POST**: the body is the changed entity, in the same JSON as Skladon's API returns it,
//!   with **no field naming the type**: your receiver knows it from the URL it was called on.
//!   [`parse`] takes that type and gives an [`Entity`]: an [`Order`], [`Product`],
//!   [`Receiving`], [`Return`] or [`StockMovement`]. When the type is not known, [`parse`]
//!   recognises the entity by its keys (a fallback).
//! - **GET**: no body; the entity's id is appended to your URL. You then fetch the entity from
//!   Skladon's API.
//!
//! # How it is authenticated
//! Skladon signs nothing and sends no credential, so the URL you register is the credential.
//! Mount the receiver at a route (`/webhooks/skladon` by default) and register, per type,
//! `https://you.example/webhooks/skladon/<token>/<TYPE>` for POST and the same with a trailing
//! slash for GET. The [`Verifier`] checks the token in constant time (several at once for
//! rotation) and reads the type and a GET call's id from the path: [`Verifier::receive`] gives
//! the crate's [`Delivery`](crate::Delivery) of a [`Notification`] (the entity, or its id).
//!
//! # Example
//! ```
//! use delivery_webhooks::Request;
//! use delivery_webhooks::skladon::{self, Entity, Notification};
//!
//! let verifier = skladon::Verifier::new("tok-5f1c9a7e2b4d8e")?;
//! let none: [(&str, &str); 0] = [];
//!
//! // POST, registered at /webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_RECEIVING_STATUS
//! let body = br#"{"eshopReceivingId":"ESHOP_RECIVING_ID_123","status":"received",
//!   "estimatedDelivery":"2024-06-13T00:00:00.000Z","products":[{"sku":"TEST_SKU_3","quantity":2,
//!   "received":2,"lineState":"E"}]}"#;
//! let post = Request::new(&none, body).uri("/webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_RECEIVING_STATUS");
//! let delivery = verifier.receive(&post)?;
//! let Some(Entity::Receiving(receiving)) = delivery.payload.entity() else { unreachable!() };
//! assert_eq!(receiving.eshop_receiving_id, "ESHOP_RECIVING_ID_123");
//! assert_eq!(receiving.products[0].received, Some(2));
//! println!("dedup on {}", delivery.dedup_key());
//!
//! // GET, registered at /webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_ORDER_STATUS/
//! let get = Request::new(&none, b"")
//!     .method("GET")
//!     .uri("/webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_ORDER_STATUS/123456");
//! let Notification::EntityId { id, .. } = verifier.receive(&get)?.payload else { unreachable!() };
//! assert_eq!(id.as_str(), "123456");
//!
//! // A call without the token is refused (401).
//! let forged = Request::new(&none, b"").method("GET").uri("/webhooks/skladon/guess/UPDATE_ORDER_STATUS/1");
//! assert_eq!(verifier.receive(&forged).unwrap_err().status_code(), 401);
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```
//!
//! # Quirks handled
//! - Times are RFC 3339 with milliseconds (`2022-05-23T18:43:10.000Z`); dates such as
//!   `estimatedDelivery`, `invoiceDate` or `expirationDate` are plain dates (`2025-05-25`) in
//!   the API schema but midnight times in the webhook example. Every one is a
//!   [`TimestampOrText`](crate::TimestampOrText): any ISO 8601 date or date-time form is read
//!   (with or without a zone), written back exactly as it came, and a value in no date form is
//!   kept as its text rather than failing the delivery.
//! - Skladon's misspellings are the wire values: `recievedWithoutAsn` ([`Urgency`]),
//!   `completition` ([`StockMovementType`], `CREATE_STOCK_MOVEMENT_COMPLETITION`). The correct
//!   spellings are read too.
//! - Prices are kept exact ([`Decimal`](crate::Decimal)), and numbers are also read from numeric
//!   strings; `null` and absent are both `None`; `null` lists are empty.
//! - Orders carry more fields than Skladon publishes: those are kept in [`Order::extra`].
//! - Skladon sends no delivery id: the delivery's [`dedup_key()`](crate::Delivery::dedup_key)
//!   is built from the webhook type, the entity's id and its version (`updatedAt`, `status`, or
//!   a fingerprint of its content), e.g.
//!   `skladon:UPDATE_ORDER_STATUS:12345:2022-05-23T18:43:10.000Z:delivered`.
//!
//! See `docs/skladon.md` for the entity tables, registration and retries.

mod call;
mod entities;
mod enums;
mod get;
mod order;
mod parse;
mod product;
mod receive;
mod receiving;
mod returns;
#[cfg(feature = "schema")]
mod schema;
mod stock_movement;

use std::fmt;

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::wire::enums::wire_enum;

pub use entities::{
    BatteryType, Contact, DeliveryType, ExpMethod, HandlingUnits, Incoterms, LineState, Order,
    OrderStatus, OrderType, Product, ProductType, Receiving, ReceivingProduct, ReceivingStatus,
    ReceivingType, Resolution, Return, ReturnFile, ReturnReason, ReturnedOrderProduct,
    StockMovement, StockMovementType, Urgency,
};
pub use get::{EntityId, entity_id_from_url};
pub use parse::parse;
pub use receive::{DEFAULT_MOUNT, Notification, Verifier};

wire_enum! {
    /// The 18 webhook types Skladon registers URLs for (`webhookType` in its `/webhooks` API).
    ///
    /// Names match exactly, as Skladon's API requires them. Each type carries one kind of
    /// entity ([`entity`](WebhookType::entity)) and is a create, an update or a status update
    /// ([`action`](WebhookType::action)).
    pub enum WebhookType matching eq_exact {
        /// An order was created.
        CreateOrder = "CREATE_ORDER",
        /// An order was updated.
        UpdateOrder = "UPDATE_ORDER",
        /// An order's status changed.
        UpdateOrderStatus = "UPDATE_ORDER_STATUS",
        /// A product was created.
        CreateProduct = "CREATE_PRODUCT",
        /// A product was updated.
        UpdateProduct = "UPDATE_PRODUCT",
        /// A receiving was created.
        CreateReceiving = "CREATE_RECEIVING",
        /// A receiving was updated.
        UpdateReceiving = "UPDATE_RECEIVING",
        /// A receiving's status changed.
        UpdateReceivingStatus = "UPDATE_RECEIVING_STATUS",
        /// A return was created.
        CreateReturn = "CREATE_RETURN",
        /// A return was updated.
        UpdateReturn = "UPDATE_RETURN",
        /// A return's status changed.
        UpdateReturnStatus = "UPDATE_RETURN_STATUS",
        /// A stock movement of type `stock_correction` was created.
        CreateStockMovementStockCorrection = "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
        /// A stock movement of type `completition` (sic) was created.
        CreateStockMovementCompletition = "CREATE_STOCK_MOVEMENT_COMPLETITION",
        /// A stock movement of type `order` was created.
        CreateStockMovementOrder = "CREATE_STOCK_MOVEMENT_ORDER",
        /// A stock movement of type `return` was created.
        CreateStockMovementReturn = "CREATE_STOCK_MOVEMENT_RETURN",
        /// A stock movement of type `receiving` was created.
        CreateStockMovementReceiving = "CREATE_STOCK_MOVEMENT_RECEIVING",
        /// Stock was put on quality hold.
        CreateStockMovementQualityHold = "CREATE_STOCK_MOVEMENT_QUALITY_HOLD",
        /// Stock was released from quality hold.
        CreateStockMovementQualityRelease = "CREATE_STOCK_MOVEMENT_QUALITY_RELEASE",
    }
}

/// Which kind of entity a webhook carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntityKind {
    /// An [`Order`].
    Order,
    /// A [`Product`].
    Product,
    /// A [`Receiving`].
    Receiving,
    /// A [`Return`].
    Return,
    /// A [`StockMovement`].
    StockMovement,
}

impl EntityKind {
    /// Every kind.
    pub const ALL: &'static [EntityKind] = &[
        EntityKind::Order,
        EntityKind::Product,
        EntityKind::Receiving,
        EntityKind::Return,
        EntityKind::StockMovement,
    ];

    /// A lowercase name for logs: `order`, `product`, `receiving`, `return`, `stock_movement`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            EntityKind::Order => "order",
            EntityKind::Product => "product",
            EntityKind::Receiving => "receiving",
            EntityKind::Return => "return",
            EntityKind::StockMovement => "stock_movement",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// It was created (`CREATE_*`).
    Create,
    /// It was updated (`UPDATE_ORDER`, `UPDATE_PRODUCT`, ...).
    Update,
    /// Its status changed (`UPDATE_*_STATUS`).
    StatusUpdate,
}

impl WebhookType {
    /// The kind of entity this type carries; `None` for an unknown type.
    #[must_use]
    pub fn entity(&self) -> Option<EntityKind> {
        use WebhookType as T;
        Some(match self {
            T::CreateOrder | T::UpdateOrder | T::UpdateOrderStatus => EntityKind::Order,
            T::CreateProduct | T::UpdateProduct => EntityKind::Product,
            T::CreateReceiving | T::UpdateReceiving | T::UpdateReceivingStatus => {
                EntityKind::Receiving
            }
            T::CreateReturn | T::UpdateReturn | T::UpdateReturnStatus => EntityKind::Return,
            T::CreateStockMovementStockCorrection
            | T::CreateStockMovementCompletition
            | T::CreateStockMovementOrder
            | T::CreateStockMovementReturn
            | T::CreateStockMovementReceiving
            | T::CreateStockMovementQualityHold
            | T::CreateStockMovementQualityRelease => EntityKind::StockMovement,
            T::Other(_) => return None,
        })
    }

    /// Whether this is a create, an update or a status update; `None` for an unknown type.
    #[must_use]
    pub fn action(&self) -> Option<Action> {
        use WebhookType as T;
        Some(match self {
            T::UpdateOrder | T::UpdateProduct | T::UpdateReceiving | T::UpdateReturn => {
                Action::Update
            }
            T::UpdateOrderStatus | T::UpdateReceivingStatus | T::UpdateReturnStatus => {
                Action::StatusUpdate
            }
            T::Other(_) => return None,
            _ => Action::Create,
        })
    }

    /// For the stock movement types named after a movement type, that type
    /// (`CREATE_STOCK_MOVEMENT_ORDER` is [`StockMovementType::Order`]). `None` for the quality
    /// hold and release types, whose movement type Skladon does not publish, and for the others.
    #[must_use]
    pub fn stock_movement_type(&self) -> Option<StockMovementType> {
        use WebhookType as T;
        Some(match self {
            T::CreateStockMovementStockCorrection => StockMovementType::StockCorrection,
            T::CreateStockMovementCompletition => StockMovementType::Completition,
            T::CreateStockMovementOrder => StockMovementType::Order,
            T::CreateStockMovementReturn => StockMovementType::Return,
            T::CreateStockMovementReceiving => StockMovementType::Receiving,
            _ => return None,
        })
    }
}

/// The entity a POST webhook carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "one entity per request, moved once: boxing would only add an allocation"
)]
pub enum Entity {
    /// An order.
    Order(Order),
    /// A product.
    Product(Product),
    /// A receiving.
    Receiving(Receiving),
    /// A return.
    Return(Return),
    /// A stock movement.
    StockMovement(StockMovement),
}

impl Entity {
    /// Which kind of entity this is.
    #[must_use]
    pub fn kind(&self) -> EntityKind {
        match self {
            Entity::Order(_) => EntityKind::Order,
            Entity::Product(_) => EntityKind::Product,
            Entity::Receiving(_) => EntityKind::Receiving,
            Entity::Return(_) => EntityKind::Return,
            Entity::StockMovement(_) => EntityKind::StockMovement,
        }
    }

    /// The entity's identifier, the one a GET webhook appends to the URL: `eshopOrderId`,
    /// `sku`, `eshopReceivingId`, `eshopReturnId`, or a stock movement's `id`.
    #[must_use]
    pub fn id(&self) -> String {
        match self {
            Entity::Order(o) => o.eshop_order_id.clone(),
            Entity::Product(p) => p.sku.clone(),
            Entity::Receiving(r) => r.eshop_receiving_id.clone(),
            Entity::Return(r) => r.eshop_return_id.clone(),
            Entity::StockMovement(m) => m.id.to_string(),
        }
    }

    /// The part of the dedup key after `skladon:` for a POST (the key itself is
    /// [`Delivery::dedup_key`](crate::delivery::Delivery::dedup_key)): Skladon sends no delivery
    /// id and retries a failed delivery up to 20 times over 48 hours.
    ///
    /// It is `<webhook type>:<entity id>`, then the entity's version where it has one:
    /// `:<updatedAt>` (orders, stock movements) and `:<status>` (orders, receivings, returns).
    /// Products, receivings, returns and orders without `updatedAt` carry no version stamp, so
    /// `:~` and a 16-hex-digit fingerprint of the entity's content is added: a retry of the same
    /// change gives the same key, two different changes of one entity do not. An order's key is
    /// `UPDATE_ORDER_STATUS:12345:2022-05-23T18:43:10.000Z:delivered`.
    pub(crate) fn key_part(&self, webhook_type: &WebhookType) -> String {
        let mut key = format!("{}:{}", webhook_type.as_str(), self.id());
        let (updated_at, status) = match self {
            Entity::Order(o) => (
                o.updated_at.as_ref(),
                o.status.as_ref().map(OrderStatus::as_str),
            ),
            Entity::Product(_) => (None, None),
            Entity::Receiving(r) => (None, r.status.as_ref().map(ReceivingStatus::as_str)),
            Entity::Return(r) => (None, r.status.as_deref()),
            Entity::StockMovement(m) => (m.updated_at.as_ref(), None),
        };
        if let Some(t) = updated_at {
            key.push(':');
            // As sent: a retry repeats the same text.
            key.push_str(&t.to_string());
        }
        if let Some(s) = status {
            key.push(':');
            key.push_str(s);
        }
        // A stock movement is immutable and its id unique: no fingerprint needed.
        if updated_at.is_none() && !matches!(self, Entity::StockMovement(_)) {
            let bytes = serde_json::to_vec(self).unwrap_or_default();
            let digest = Sha256::digest(&bytes);
            key.push_str(":~");
            for b in digest.iter().take(8) {
                key.push_str(&format!("{b:02x}"));
            }
        }
        key
    }
}

impl Serialize for Entity {
    /// The entity alone, exactly as Skladon sends it (the type is not part of the body).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Entity::Order(e) => e.serialize(s),
            Entity::Product(e) => e.serialize(s),
            Entity::Receiving(e) => e.serialize(s),
            Entity::Return(e) => e.serialize(s),
            Entity::StockMovement(e) => e.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_knows_its_entity_and_action() {
        assert_eq!(WebhookType::ALL.len(), 18);
        for t in WebhookType::ALL {
            assert!(t.entity().is_some() && t.action().is_some(), "{t}");
        }
        assert_eq!(WebhookType::Other("X".into()).entity(), None);
    }
}
