//! One delivery status model across the five providers.
//!
//! Every provider speaks its own vocabulary: Wakilni's 13 events and status names, Peddler's
//! 16 statuses and 20 failure reasons, Xoxoday's `delivered`/`canceled`/`pending`, isendu's
//! tracking letters and order statuses, Skladon's order, receiving and return statuses. This
//! module maps them all onto one lifecycle, [`ShipmentStatus`], carried by a [`StatusUpdate`] that also
//! names the shipment ([`ShipmentRef`]), when the change happened, where, why it failed, and the
//! provider's own status verbatim.
//!
//! [`Delivery::status_updates`](crate::Delivery::status_updates) and
//! [`AnyDelivery::status_updates`](crate::AnyDelivery::status_updates) give the updates of a
//! delivery: none, one or many (an isendu batch gives one per tracking and per order; a Skladon
//! product or stock movement, a Skladon GET call, an isendu handshake and a Peddler
//! `SHIPMENT_DETAILS_UPDATED` give none). A [`Timeline`] folds them into the current state of
//! every shipment, with the same result whatever order they arrive in and however often they
//! are repeated.
//!
//! The table from every provider value to [`ShipmentStatus`], with its justification from the
//! providers' documentation, is `docs/status-mapping.md`.
//!
//! ```
//! # #[cfg(feature = "peddler")] {
//! use delivery_webhooks::{Request, ShipmentStatus, Timeline, peddler};
//!
//! let verifier = peddler::Verifier::new("pd-token")?;
//! let headers = [("x-webhook-shared-token", "pd-token")];
//! let delivered = br#"{"id":"A1","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":501}"#;
//! let out = br#"{"id":"A1","status":"OUT_FOR_DELIVERY","ts":"2024-09-02T10:00:00Z","code":410}"#;
//!
//! let mut timeline = Timeline::new();
//! // The later update arrives first; the earlier one, late, does not undo it.
//! for body in [delivered.as_slice(), out] {
//!     let delivery = verifier.receive(&Request::new(&headers, body))?;
//!     timeline.apply_all(&delivery.status_updates());
//! }
//! let now = timeline.current(delivery_webhooks::Provider::Peddler, "shipment:A1").unwrap();
//! assert_eq!(now.status, ShipmentStatus::Delivered);
//! assert_eq!(now.provider_status, "DELIVERED");
//! assert!(now.status.is_terminal());
//! # }
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

mod providers;
mod source;
mod timeline;
mod update;

pub use source::StatusSource;
pub use timeline::Timeline;
pub use update::StatusUpdate;

/// Where a shipment is in its life, the same words for every provider.
///
/// The variants are listed in lifecycle order, which [`position`](ShipmentStatus::position) numbers;
/// the four terminal states ([`is_terminal`](ShipmentStatus::is_terminal)) come last. A provider value
/// that has no lifecycle meaning, or that this crate does not know, is kept verbatim in
/// [`Other`](ShipmentStatus::Other).
///
/// ```
/// use delivery_webhooks::ShipmentStatus;
///
/// assert!(ShipmentStatus::InTransit.position() < ShipmentStatus::Delivered.position());
/// assert!(ShipmentStatus::Canceled.is_terminal() && !ShipmentStatus::FailedAttempt.is_terminal());
/// assert_eq!(ShipmentStatus::OutForDelivery.to_string(), "out_for_delivery");
/// assert_eq!(ShipmentStatus::Other("PARCEL_IN_LOCKER".into()).to_string(), "PARCEL_IN_LOCKER");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShipmentStatus {
    /// The order or shipment exists, nothing more (Wakilni `Order Created`, isendu `pending`).
    Created,
    /// Accepted by the provider (Wakilni `Order Confirmed`, Peddler `SHIPMENT_CONFIRMED`).
    Confirmed,
    /// Held or blocked, expected to resume: postponed, suspended, waiting for payment or stock.
    OnHold,
    /// Being prepared: picked, packed, labelled (Skladon `processing`, isendu
    /// `generating_labels`).
    Processing,
    /// Prepared, waiting for the carrier to collect it (isendu `P`, Skladon
    /// `waitingForCarrier`).
    ReadyToShip,
    /// A driver or courier was assigned (Wakilni `Order Assigned`).
    Assigned,
    /// The carrier has collected it (Peddler `SHIPMENT_ENROUTE_TO_WAREHOUSE`).
    PickedUp,
    /// On its way: between depots, in a warehouse or hub of the carrier.
    InTransit,
    /// A problem the provider reports that needs attention (Peddler `EXCEPTION`, isendu `E`).
    Exception,
    /// With the courier for the final delivery.
    OutForDelivery,
    /// A delivery attempt failed; another may follow. See
    /// [`StatusUpdate::failure_reason`].
    FailedAttempt,
    /// Waiting at a collection point or office for the recipient.
    ReadyForPickup,
    /// On its way back to the sender or the warehouse.
    Returning,
    /// Terminal: delivered to the recipient (or collected by them).
    Delivered,
    /// Terminal: back with the sender or in the warehouse.
    Returned,
    /// Terminal: delivery ended without success (closed as failed, lost, rejected).
    Failed,
    /// Terminal: called off before delivery, by the sender, the recipient or the provider.
    Canceled,
    /// A provider value with no lifecycle meaning, or one this crate does not know, verbatim
    /// (isendu's own `U`, "unknown", is kept here too).
    Other(String),
}

impl ShipmentStatus {
    /// Every status but [`Other`](ShipmentStatus::Other), in lifecycle order.
    pub const ALL: &'static [ShipmentStatus] = &[
        ShipmentStatus::Created,
        ShipmentStatus::Confirmed,
        ShipmentStatus::OnHold,
        ShipmentStatus::Processing,
        ShipmentStatus::ReadyToShip,
        ShipmentStatus::Assigned,
        ShipmentStatus::PickedUp,
        ShipmentStatus::InTransit,
        ShipmentStatus::Exception,
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::FailedAttempt,
        ShipmentStatus::ReadyForPickup,
        ShipmentStatus::Returning,
        ShipmentStatus::Delivered,
        ShipmentStatus::Returned,
        ShipmentStatus::Failed,
        ShipmentStatus::Canceled,
    ];

    /// The position along the lifecycle: 1 for [`Created`](ShipmentStatus::Created) up to 17 for
    /// [`Canceled`](ShipmentStatus::Canceled), in the order of the variants; 0 for
    /// [`Other`](ShipmentStatus::Other). Terminal states have the highest positions.
    ///
    /// A [`Timeline`] uses it to choose between two updates sent with the same time.
    #[must_use]
    pub fn position(&self) -> u8 {
        match self {
            ShipmentStatus::Created => 1,
            ShipmentStatus::Confirmed => 2,
            ShipmentStatus::OnHold => 3,
            ShipmentStatus::Processing => 4,
            ShipmentStatus::ReadyToShip => 5,
            ShipmentStatus::Assigned => 6,
            ShipmentStatus::PickedUp => 7,
            ShipmentStatus::InTransit => 8,
            ShipmentStatus::Exception => 9,
            ShipmentStatus::OutForDelivery => 10,
            ShipmentStatus::FailedAttempt => 11,
            ShipmentStatus::ReadyForPickup => 12,
            ShipmentStatus::Returning => 13,
            ShipmentStatus::Delivered => 14,
            ShipmentStatus::Returned => 15,
            ShipmentStatus::Failed => 16,
            ShipmentStatus::Canceled => 17,
            ShipmentStatus::Other(_) => 0,
        }
    }

    /// Whether the shipment's journey is over: [`Delivered`](ShipmentStatus::Delivered),
    /// [`Returned`](ShipmentStatus::Returned), [`Failed`](ShipmentStatus::Failed) or
    /// [`Canceled`](ShipmentStatus::Canceled).
    #[must_use]
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ShipmentStatus::Delivered
                | ShipmentStatus::Returned
                | ShipmentStatus::Failed
                | ShipmentStatus::Canceled
        )
    }

    /// Whether this is [`Other`](ShipmentStatus::Other).
    #[must_use]
    pub fn is_other(&self) -> bool {
        matches!(self, ShipmentStatus::Other(_))
    }

    /// The status in snake_case (`out_for_delivery`), or the verbatim value of
    /// [`Other`](ShipmentStatus::Other).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            ShipmentStatus::Created => "created",
            ShipmentStatus::Confirmed => "confirmed",
            ShipmentStatus::OnHold => "on_hold",
            ShipmentStatus::Processing => "processing",
            ShipmentStatus::ReadyToShip => "ready_to_ship",
            ShipmentStatus::Assigned => "assigned",
            ShipmentStatus::PickedUp => "picked_up",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::Exception => "exception",
            ShipmentStatus::OutForDelivery => "out_for_delivery",
            ShipmentStatus::FailedAttempt => "failed_attempt",
            ShipmentStatus::ReadyForPickup => "ready_for_pickup",
            ShipmentStatus::Returning => "returning",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Returned => "returned",
            ShipmentStatus::Failed => "failed",
            ShipmentStatus::Canceled => "canceled",
            ShipmentStatus::Other(s) => s,
        }
    }
}

impl fmt::Display for ShipmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a [`ShipmentRef`] identifies: the thing whose status changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefKind {
    /// An order (Wakilni, Xoxoday, isendu orders, Skladon orders).
    Order,
    /// A parcel or tracking (Peddler shipments, isendu trackings).
    Shipment,
    /// An inbound delivery of goods to a warehouse (Skladon receivings).
    Receiving,
    /// A return (Skladon returns).
    Return,
}

impl RefKind {
    /// The lowercase name: `order`, `shipment`, `receiving`, `return`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            RefKind::Order => "order",
            RefKind::Shipment => "shipment",
            RefKind::Receiving => "receiving",
            RefKind::Return => "return",
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The references of the shipment a [`StatusUpdate`] is about: whichever the provider sends.
///
/// [`kind`](ShipmentRef::kind) and [`id`](ShipmentRef::id) identify it at its provider and make
/// its [`shipment_key`](ShipmentRef::shipment_key); the other fields are for finding it in your
/// own records.
///
/// ```
/// use delivery_webhooks::{RefKind, ShipmentRef};
///
/// let mut r = ShipmentRef::new(RefKind::Order, "123456");
/// r.waybill = Some("WK123456".into());
/// assert_eq!(r.shipment_key(), "order:123456");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShipmentRef {
    /// What [`id`](ShipmentRef::id) identifies.
    pub kind: RefKind,
    /// The provider's own id of it: Wakilni `order_id`, Peddler `id`, Xoxoday `orderId`, isendu
    /// `uuid`, Skladon `eshopOrderId`/`eshopReceivingId`/`eshopReturnId`.
    pub id: String,
    /// The order id, where the provider sends one (for isendu, the shop's `storeOrderId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The waybill (Wakilni).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waybill: Option<String>,
    /// Carrier tracking numbers (Peddler `carrierTrackingNumber`, isendu `trackingNumber`,
    /// Skladon `trackingNumbers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracking_numbers: Vec<String>,
    /// The purchase order number (Xoxoday `poNumber`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub po_number: Option<String>,
    /// Other ids, by the provider's own field name (`metaData`, `storeInternalOrderId`,
    /// `partnerOrderId`, `rma`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub external_ids: BTreeMap<String, String>,
}

impl ShipmentRef {
    /// A reference with this kind and id and nothing else.
    #[must_use]
    pub fn new(kind: RefKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            order_id: None,
            waybill: None,
            tracking_numbers: Vec::new(),
            po_number: None,
            external_ids: BTreeMap::new(),
        }
    }

    /// The key that groups the updates of one shipment at one provider: `<kind>:<id>`, e.g.
    /// `order:123456` or `shipment:fx6_ZSWp0RDc24csBqOj9`. Unique within a provider (a Skladon
    /// order and a Skladon return with the same id have different keys).
    #[must_use]
    pub fn shipment_key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// Where a status change took place, as far as the provider says.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShipmentLocation {
    /// A place name or address as sent: isendu's step `location`, Wakilni's pickup office,
    /// Peddler's collection point or warehouse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Latitude in degrees (WGS 84), where sent (Peddler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude in degrees (WGS 84), where sent (Peddler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lng: Option<f64>,
}

impl ShipmentLocation {
    /// A location known by name only.
    #[must_use]
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            lat: None,
            lng: None,
        }
    }

    /// A location known by GPS position only.
    #[must_use]
    pub fn at(lat: f64, lng: f64) -> Self {
        Self {
            name: None,
            lat: Some(lat),
            lng: Some(lng),
        }
    }
}
