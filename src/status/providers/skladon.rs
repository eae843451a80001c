//! Skladon's vocabulary mapped onto [`ShipmentStatus`], and [`StatusSource`] for its payload.

use super::{external, text, utc};
use crate::delivery::Provider;
use crate::status::{RefKind, ShipmentRef, ShipmentStatus, StatusSource, StatusUpdate};
use time::OffsetDateTime;

/// Skladon: the newest of the entity's recorded times. Each snapshot of an entity carries the
/// times of everything that happened to it so far, so the newest grows as the entity moves on.
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

impl From<&crate::skladon::OrderStatus> for ShipmentStatus {
    fn from(s: &crate::skladon::OrderStatus) -> ShipmentStatus {
        use crate::skladon::OrderStatus as O;
        match s {
            O::InProcess | O::PreReceived => ShipmentStatus::Created,
            O::Received => ShipmentStatus::Confirmed,
            O::WaitingForPayment | O::ProductsNotAvailable | O::Suspended => ShipmentStatus::OnHold,
            O::Processing | O::Packed | O::OnResend => ShipmentStatus::Processing,
            O::Processed | O::WaitingForCarrier => ShipmentStatus::ReadyToShip,
            O::OnTheWay => ShipmentStatus::InTransit,
            O::Incorrect => ShipmentStatus::Exception,
            O::Delivered => ShipmentStatus::Delivered,
            O::ReturningBack => ShipmentStatus::Returning,
            O::ReturnedBack | O::ReceivedBack | O::PartlyReceivedBack => ShipmentStatus::Returned,
            O::Lost => ShipmentStatus::Failed,
            O::Canceled => ShipmentStatus::Canceled,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

impl From<&crate::skladon::ReceivingStatus> for ShipmentStatus {
    fn from(s: &crate::skladon::ReceivingStatus) -> ShipmentStatus {
        use crate::skladon::ReceivingStatus as R;
        match s {
            R::Awaiting => ShipmentStatus::Created,
            R::Received => ShipmentStatus::Delivered,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

/// A return's `status`: Skladon publishes no list, so only the two values its date fields
/// (`receivedAt`, `canceledAt`) attest are mapped.
fn skladon_return_status(s: &str) -> ShipmentStatus {
    match s {
        "received" => ShipmentStatus::Returned,
        "canceled" => ShipmentStatus::Canceled,
        other => ShipmentStatus::Other(other.to_owned()),
    }
}

/// An order, receiving or return with a `status` gives one update; a product, a stock movement,
/// an entity without a status and a GET call (only an id) give none.
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
                (r, ShipmentStatus::from(s), s.as_str())
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
                (r, ShipmentStatus::from(s), s.as_str())
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
