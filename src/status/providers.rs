//! Each provider's vocabulary mapped onto [`Status`], and [`StatusSource`] for each payload.
//!
//! `docs/status-mapping.md` is the same table with the reasons for each row; keep the two in
//! step.

// With some provider features off, some helpers and imports have no user.
#![cfg_attr(not(all_providers), allow(unused_imports, dead_code))]

use time::OffsetDateTime;

use super::{Location, RefKind, ShipmentRef, Status, StatusSource, StatusUpdate};
use crate::delivery::Provider;

// ----- times --------------------------------------------------------------------------------
// Every time a status update carries is read here, one function per provider, in UTC. Naive
// provider times (Wakilni, Xoxoday), which document no zone, are taken as UTC.

/// Wakilni: the data's own `updated_at`/`created_at`, else the envelope's `timestamp`.
#[cfg(feature = "wakilni")]
fn wakilni_time(e: &crate::wakilni::Event) -> Option<OffsetDateTime> {
    use crate::wakilni::EventData as D;
    let naive = match &e.data {
        D::OrderCreated(d) => d.created_at,
        D::OrderAssigned(d) => d.updated_at,
        other => other
            .status_change()
            .map_or(e.timestamp, |change| change.updated_at),
    };
    Some(naive.assume_utc())
}

/// An optional timestamp as an instant in UTC (no zone read as UTC); `None` if unreadable.
#[cfg(any(feature = "isendu", feature = "skladon"))]
fn utc(t: &Option<crate::wire::TimestampOrText>) -> Option<OffsetDateTime> {
    t.as_ref()
        .and_then(crate::wire::TimestampOrText::timestamp)
        .map(|t| t.assume_utc())
}

/// Peddler: `ts`.
#[cfg(feature = "peddler")]
fn peddler_time(u: &crate::peddler::ShipmentUpdate) -> Option<OffsetDateTime> {
    Some(u.ts.assume_utc())
}

/// Xoxoday: `createdAt`, when the callback was invoked (the webhook page's words).
#[cfg(feature = "xoxoday")]
fn xoxoday_time(u: &crate::xoxoday::DeliveryUpdate) -> Option<OffsetDateTime> {
    Some(u.created_at.assume_utc())
}

/// isendu tracking: the newest step `timestamp` (UTC per the webhook page).
#[cfg(feature = "isendu")]
fn isendu_tracking_time(t: &crate::isendu::Tracking) -> Option<OffsetDateTime> {
    t.latest_timestamp()
}

/// isendu order: `updated`.
#[cfg(feature = "isendu")]
fn isendu_order_time(o: &crate::isendu::Order) -> Option<OffsetDateTime> {
    utc(&o.updated)
}

/// Skladon: the newest of the entity's recorded times. Each snapshot of an entity carries the
/// times of everything that happened to it so far, so the newest grows as the entity moves on.
#[cfg(feature = "skladon")]
fn skladon_time(entity: &crate::skladon::Entity) -> Option<OffsetDateTime> {
    use crate::skladon::Entity as E;
    let times = match entity {
        E::Order(o) => [&o.timestamp, &o.updated_at, &o.delivered_at, &o.canceled_at],
        E::Receiving(r) => [&r.real_delivery, &r.unloaded_at, &r.confirmed_at, &None],
        E::Return(r) => [&r.canceled_at, &r.confirmed_at, &r.received_at, &None],
        E::Product(_) | E::StockMovement(_) => [&None; 4],
    };
    times.into_iter().filter_map(utc).max()
}

// ----- helpers ------------------------------------------------------------------------------

/// `Some` of a non-blank string.
fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Adds `value` under `name` to the references' `external_ids`, if it is there and not blank.
fn external(r: &mut ShipmentRef, name: &str, value: Option<impl ToString>) {
    if let Some(v) = text(value.map(|v| v.to_string()).as_deref()) {
        r.external_ids.insert(name.to_owned(), v);
    }
}

// ----- Wakilni ------------------------------------------------------------------------------

#[cfg(feature = "wakilni")]
impl From<&crate::wakilni::EventType> for Status {
    fn from(e: &crate::wakilni::EventType) -> Status {
        use crate::wakilni::EventType as E;
        match e {
            E::OrderCreated => Status::Created,
            E::OrderConfirmed => Status::Confirmed,
            E::OrderDeclined => Status::Canceled,
            E::OrderAssigned => Status::Assigned,
            E::OrderProcessed => Status::InTransit,
            E::OrderCanceled => Status::Canceled,
            E::OrderPostponed => Status::OnHold,
            E::OrderCompleted => Status::Delivered,
            E::OrderCompletedRejected => Status::Failed,
            E::OrderClosedFailed => Status::Failed,
            E::OrderPendingCancelation => Status::OnHold,
            E::OrderFailed => Status::FailedAttempt,
            E::OrderReadyForSelfPickup => Status::ReadyForPickup,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

#[cfg(feature = "wakilni")]
impl From<&crate::wakilni::Status> for Status {
    fn from(s: &crate::wakilni::Status) -> Status {
        use crate::wakilni::Status as W;
        match s {
            W::Pending => Status::Created,
            W::Confirmed => Status::Confirmed,
            W::Processing => Status::InTransit,
            W::Success => Status::Delivered,
            W::Rejected => Status::Failed,
            W::Failed => Status::FailedAttempt,
            W::Declined => Status::Canceled,
            W::Canceled => Status::Canceled,
            W::ClosedFailed => Status::Failed,
            W::Postponed => Status::OnHold,
            W::PendingCancellation => Status::OnHold,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

/// Gives one update per event that names an order: the status from the event name (never from
/// `new_status_code`, which Wakilni's own sample contradicts). An unknown event gives
/// [`Status::Other`] with its name, or nothing if its `data` has no readable `order_id`.
#[cfg(feature = "wakilni")]
impl StatusSource for crate::wakilni::Event {
    fn status_updates(&self) -> Vec<StatusUpdate> {
        use crate::wakilni::EventData as D;
        let Some(order_id) = self.data.order_id() else {
            return Vec::new();
        };
        let waybill = match &self.data {
            D::OrderCreated(d) => Some(d.waybill.clone()),
            D::OrderAssigned(d) => Some(d.waybill.clone()),
            D::OrderReadyForSelfPickup(d) => Some(d.waybill.clone()),
            D::Unknown { data, .. } => {
                #[derive(serde::Deserialize)]
                struct Waybill {
                    waybill: Option<serde_json::Value>,
                }
                data.parse::<Waybill>()
                    .ok()
                    .and_then(|w| w.waybill)
                    .and_then(|w| match w {
                        serde_json::Value::String(s) => Some(s),
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
            }
            other => other.status_change().map(|c| c.waybill.clone()),
        };
        let location = match &self.data {
            D::OrderReadyForSelfPickup(d) => d
                .office()
                .and_then(|office| text(office.office_name.as_deref()))
                .map(Location::named),
            _ => None,
        };
        let mut shipment = ShipmentRef::new(RefKind::Order, order_id.to_string());
        shipment.order_id = Some(order_id.to_string());
        shipment.waybill = text(waybill.as_deref());
        let mut update = StatusUpdate::new(
            Provider::Wakilni,
            shipment,
            Status::from(&self.data.event_type()),
            self.event_name(),
        )
        .at(wakilni_time(self));
        update.location = location;
        vec![update]
    }
}

// ----- Peddler ------------------------------------------------------------------------------

/// `SHIPMENT_DETAILS_UPDATED` is not a lifecycle status (the shipment did not move): it maps to
/// [`Status::Other`], and a delivery carrying it gives no update.
#[cfg(feature = "peddler")]
impl From<&crate::peddler::Status> for Status {
    fn from(s: &crate::peddler::Status) -> Status {
        use crate::peddler::Status as P;
        match s {
            P::ShipmentConfirmed => Status::Confirmed,
            P::ShipmentEnrouteToWarehouse => Status::PickedUp,
            P::ShipmentInWarehouse
            | P::ShipmentEnrouteToLocalDepot
            | P::ShipmentInLocalDepot
            | P::ShipmentReady => Status::InTransit,
            P::OutForDelivery => Status::OutForDelivery,
            P::Delivered => Status::Delivered,
            P::DeliveredCollectionPoint => Status::ReadyForPickup,
            P::PickupCollectionPoint => Status::Delivered,
            P::FailedAttempt => Status::FailedAttempt,
            P::OnHold => Status::OnHold,
            P::Exception => Status::Exception,
            P::ReturnToSender => Status::Returned,
            P::Canceled => Status::Canceled,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

/// Gives one update, except for `SHIPMENT_DETAILS_UPDATED` (none). A status name this crate
/// does not know is read from its documented `code` when it has one (`410` is out for
/// delivery), else kept as [`Status::Other`].
#[cfg(feature = "peddler")]
impl StatusSource for crate::peddler::ShipmentUpdate {
    fn status_updates(&self) -> Vec<StatusUpdate> {
        use crate::peddler::Status as P;
        let named = match &self.status {
            P::Other(_) => self.code_meaning().map(|m| m.status()),
            known => Some(known.clone()),
        };
        if named == Some(P::ShipmentDetailsUpdated) {
            return Vec::new();
        }
        let status = match named {
            Some(known) => Status::from(&known),
            None => Status::Other(self.status.as_str().to_owned()),
        };
        let mut shipment = ShipmentRef::new(RefKind::Shipment, self.id.clone());
        shipment
            .tracking_numbers
            .extend(text(self.carrier_tracking_number.as_deref()));
        external(&mut shipment, "metaData", self.meta_data.as_deref());
        // A named place from the details (collection point, warehouse), with the GPS position.
        let place = self.details.as_ref().and_then(|d| {
            // Kept as sent (its shape is not published): a name, or an object with a `name`.
            let name_of = |raw: &crate::wire::RawJson| match raw.to_value().ok()? {
                serde_json::Value::String(s) => text(Some(&s)),
                serde_json::Value::Object(o) => text(o.get("name").and_then(|n| n.as_str())),
                _ => None,
            };
            d.collection_point
                .as_ref()
                .and_then(name_of)
                .or_else(|| d.warehouse.as_ref().and_then(name_of))
        });
        let location = match (place, self.location) {
            (None, None) => None,
            (name, gps) => Some(Location {
                name,
                lat: gps.map(|g| g.lat),
                lng: gps.map(|g| g.lng),
            }),
        };
        let mut update =
            StatusUpdate::new(Provider::Peddler, shipment, status, self.status.as_str())
                .at(peddler_time(self));
        update.location = location;
        update.failure_reason = self.failure_reason().and_then(|r| text(Some(r.as_str())));
        vec![update]
    }
}

// ----- Xoxoday ------------------------------------------------------------------------------

#[cfg(feature = "xoxoday")]
impl From<&crate::xoxoday::DeliveryStatus> for Status {
    fn from(s: &crate::xoxoday::DeliveryStatus) -> Status {
        use crate::xoxoday::DeliveryStatus as X;
        match s {
            X::Delivered => Status::Delivered,
            X::Canceled => Status::Canceled,
            X::Pending => Status::Created,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

/// Gives one update, for the reward order `orderId`.
#[cfg(feature = "xoxoday")]
impl StatusSource for crate::xoxoday::DeliveryUpdate {
    fn status_updates(&self) -> Vec<StatusUpdate> {
        let id = self.data.order_id.to_string();
        let mut shipment = ShipmentRef::new(RefKind::Order, id.clone());
        shipment.order_id = Some(id);
        shipment.po_number = text(self.data.po_number.as_deref());
        let status = &self.data.delivery_status;
        vec![
            StatusUpdate::new(
                Provider::Xoxoday,
                shipment,
                Status::from(status),
                status.as_str(),
            )
            .at(xoxoday_time(self)),
        ]
    }
}

// ----- isendu -------------------------------------------------------------------------------

#[cfg(feature = "isendu")]
impl From<&crate::isendu::TrackingStatus> for Status {
    fn from(s: &crate::isendu::TrackingStatus) -> Status {
        use crate::isendu::TrackingStatus as T;
        match s {
            T::AwaitingPickup => Status::ReadyToShip,
            T::InTransit => Status::InTransit,
            T::Delivered => Status::Delivered,
            T::Failed => Status::FailedAttempt,
            T::Exception => Status::Exception,
            T::Returned => Status::Returned,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

#[cfg(feature = "isendu")]
impl From<&crate::isendu::OrderStatus> for Status {
    fn from(s: &crate::isendu::OrderStatus) -> Status {
        use crate::isendu::OrderStatus as O;
        match s {
            O::Pending => Status::Created,
            O::PartiallyFulfilled | O::GeneratingLabels => Status::Processing,
            O::Fulfilled => Status::ReadyToShip,
            O::InTransit => Status::InTransit,
            O::Delivered => Status::Delivered,
            O::Exception | O::Error => Status::Exception,
            O::Cancelled => Status::Canceled,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

/// A handshake gives nothing. A batch gives one update per tracking (its `status`, else its
/// newest step's; with the newest step's time, location and error) and one per order with a
/// `status`. Entries without any status give nothing.
#[cfg(feature = "isendu")]
impl StatusSource for crate::isendu::Message {
    fn status_updates(&self) -> Vec<StatusUpdate> {
        let crate::isendu::Message::Update(batch) = self else {
            return Vec::new();
        };
        let error_text =
            |e: Option<&crate::isendu::ErrorDetails>| e.and_then(|e| text(e.message.as_deref()));
        let mut out = Vec::with_capacity(batch.tracking.len() + batch.order.len());
        for t in &batch.tracking {
            let latest = t.latest_step();
            let Some(status) = t
                .status
                .as_ref()
                .or_else(|| latest.and_then(|s| s.status.as_ref()))
            else {
                continue;
            };
            let mut shipment = ShipmentRef::new(RefKind::Shipment, t.uuid.clone());
            shipment
                .tracking_numbers
                .extend(text(t.tracking_number.as_deref()));
            external(&mut shipment, "shipmentRef", t.shipment_ref.as_deref());
            let mut update =
                StatusUpdate::new(Provider::Isendu, shipment, status.into(), status.as_str())
                    .at(isendu_tracking_time(t));
            update.location = latest
                .and_then(|s| text(s.location.as_deref()))
                .map(Location::named);
            update.failure_reason = error_text(latest.and_then(|s| s.error.as_deref()))
                .or_else(|| error_text(t.error.as_deref()));
            out.push(update);
        }
        for o in &batch.order {
            let Some(status) = &o.status else { continue };
            let mut shipment = ShipmentRef::new(RefKind::Order, o.uuid.clone());
            shipment.order_id = text(o.store_order_id.as_deref());
            external(
                &mut shipment,
                "storeInternalOrderId",
                o.store_internal_order_id.as_deref(),
            );
            shipment.tracking_numbers = o
                .tracking_information
                .iter()
                .flatten()
                .filter_map(|i| text(i.number.as_deref()))
                .collect();
            let mut update =
                StatusUpdate::new(Provider::Isendu, shipment, status.into(), status.as_str())
                    .at(isendu_order_time(o));
            update.failure_reason = error_text(o.error.as_deref());
            out.push(update);
        }
        out
    }
}

// ----- Skladon ------------------------------------------------------------------------------

#[cfg(feature = "skladon")]
impl From<&crate::skladon::OrderStatus> for Status {
    fn from(s: &crate::skladon::OrderStatus) -> Status {
        use crate::skladon::OrderStatus as O;
        match s {
            O::InProcess | O::PreReceived => Status::Created,
            O::Received => Status::Confirmed,
            O::WaitingForPayment | O::ProductsNotAvailable | O::Suspended => Status::OnHold,
            O::Processing | O::Packed | O::OnResend => Status::Processing,
            O::Processed | O::WaitingForCarrier => Status::ReadyToShip,
            O::OnTheWay => Status::InTransit,
            O::Incorrect => Status::Exception,
            O::Delivered => Status::Delivered,
            O::ReturningBack => Status::Returning,
            O::ReturnedBack | O::ReceivedBack | O::PartlyReceivedBack => Status::Returned,
            O::Lost => Status::Failed,
            O::Canceled => Status::Canceled,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

#[cfg(feature = "skladon")]
impl From<&crate::skladon::ReceivingStatus> for Status {
    fn from(s: &crate::skladon::ReceivingStatus) -> Status {
        use crate::skladon::ReceivingStatus as R;
        match s {
            R::Awaiting => Status::Created,
            R::Received => Status::Delivered,
            other => Status::Other(other.as_str().to_owned()),
        }
    }
}

/// A return's `status`: Skladon publishes no list, so only the two values its date fields
/// (`receivedAt`, `canceledAt`) attest are mapped.
#[cfg(feature = "skladon")]
fn skladon_return_status(s: &str) -> Status {
    match s {
        "received" => Status::Returned,
        "canceled" => Status::Canceled,
        other => Status::Other(other.to_owned()),
    }
}

/// An order, receiving or return with a `status` gives one update; a product, a stock movement,
/// an entity without a status and a GET call (only an id) give none.
#[cfg(feature = "skladon")]
impl StatusSource for crate::skladon::Notification {
    fn status_updates(&self) -> Vec<StatusUpdate> {
        use crate::skladon::Entity as E;
        let Some(entity) = self.entity() else {
            return Vec::new();
        };
        let (shipment, status, provider_status) = match entity {
            E::Order(o) => {
                let Some(s) = &o.status else {
                    return Vec::new();
                };
                let mut r = ShipmentRef::new(RefKind::Order, o.eshop_order_id.clone());
                r.order_id = Some(o.eshop_order_id.clone());
                r.tracking_numbers = o
                    .tracking_numbers
                    .iter()
                    .filter_map(|n| text(Some(n)))
                    .collect();
                external(&mut r, "id", o.id);
                external(&mut r, "partnerOrderId", o.partner_order_id.as_deref());
                external(&mut r, "invoiceNumber", o.invoice_number.as_deref());
                (r, Status::from(s), s.as_str())
            }
            E::Receiving(rc) => {
                let Some(s) = &rc.status else {
                    return Vec::new();
                };
                let mut r = ShipmentRef::new(RefKind::Receiving, rc.eshop_receiving_id.clone());
                r.tracking_numbers
                    .extend(text(rc.tracking_number.as_deref()));
                external(
                    &mut r,
                    "deliveryNoteNumber",
                    rc.delivery_note_number.as_deref(),
                );
                external(&mut r, "containerNumber", rc.container_number.as_deref());
                (r, Status::from(s), s.as_str())
            }
            E::Return(rt) => {
                let Some(s) = &rt.status else {
                    return Vec::new();
                };
                let mut r = ShipmentRef::new(RefKind::Return, rt.eshop_return_id.clone());
                r.order_id = text(rt.eshop_order_id.as_deref());
                r.tracking_numbers
                    .extend(text(rt.tracking_number.as_deref()));
                external(&mut r, "rma", rt.rma.as_deref());
                (r, skladon_return_status(s), s.as_str())
            }
            E::Product(_) | E::StockMovement(_) => return Vec::new(),
        };
        vec![
            StatusUpdate::new(Provider::Skladon, shipment, status, provider_status)
                .at(skladon_time(entity)),
        ]
    }
}
