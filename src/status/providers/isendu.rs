//! isendu's vocabulary mapped onto [`ShipmentStatus`], and [`StatusSource`] for its payload.

use super::{external, text, utc};
use crate::delivery::Provider;
use crate::status::{
    RefKind, ShipmentLocation, ShipmentRef, ShipmentStatus, StatusSource, StatusUpdate,
};
use time::OffsetDateTime;

/// isendu tracking: the newest step `timestamp` (UTC per the webhook page).
fn isendu_tracking_time(t: &crate::isendu::Tracking) -> Option<OffsetDateTime> {
    t.latest_timestamp()
}

/// isendu order: `updated`.
fn isendu_order_time(o: &crate::isendu::Order) -> Option<OffsetDateTime> {
    utc(&o.updated)
}

impl From<&crate::isendu::TrackingStatus> for ShipmentStatus {
    fn from(s: &crate::isendu::TrackingStatus) -> ShipmentStatus {
        use crate::isendu::TrackingStatus as T;
        match s {
            T::AwaitingPickup => ShipmentStatus::ReadyToShip,
            T::InTransit => ShipmentStatus::InTransit,
            T::Delivered => ShipmentStatus::Delivered,
            T::Failed => ShipmentStatus::FailedAttempt,
            T::Exception => ShipmentStatus::Exception,
            T::Returned => ShipmentStatus::Returned,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

impl From<&crate::isendu::OrderStatus> for ShipmentStatus {
    fn from(s: &crate::isendu::OrderStatus) -> ShipmentStatus {
        use crate::isendu::OrderStatus as O;
        match s {
            O::Pending => ShipmentStatus::Created,
            O::PartiallyFulfilled | O::GeneratingLabels => ShipmentStatus::Processing,
            O::Fulfilled => ShipmentStatus::ReadyToShip,
            O::InTransit => ShipmentStatus::InTransit,
            O::Delivered => ShipmentStatus::Delivered,
            O::Exception | O::Error => ShipmentStatus::Exception,
            O::Cancelled => ShipmentStatus::Canceled,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

/// A handshake gives nothing. A batch gives one update per tracking (its `status`, else its
/// newest step's; with the newest step's time, location and error) and one per order with a
/// `status`. Entries without any status give nothing.
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
                .map(ShipmentLocation::named);
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
