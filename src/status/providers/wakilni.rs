//! Wakilni's vocabulary mapped onto [`ShipmentStatus`], and [`StatusSource`] for its payload.

use super::text;
use crate::delivery::Provider;
use crate::status::{
    RefKind, ShipmentLocation, ShipmentRef, ShipmentStatus, StatusSource, StatusUpdate,
};
use time::OffsetDateTime;

/// Wakilni: the data's own `updated_at`/`created_at`, else the envelope's `timestamp`.
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

impl From<&crate::wakilni::EventType> for ShipmentStatus {
    fn from(e: &crate::wakilni::EventType) -> ShipmentStatus {
        use crate::wakilni::EventType as E;
        match e {
            E::OrderCreated => ShipmentStatus::Created,
            E::OrderConfirmed => ShipmentStatus::Confirmed,
            E::OrderDeclined => ShipmentStatus::Canceled,
            E::OrderAssigned => ShipmentStatus::Assigned,
            E::OrderProcessed => ShipmentStatus::InTransit,
            E::OrderCanceled => ShipmentStatus::Canceled,
            E::OrderPostponed => ShipmentStatus::OnHold,
            E::OrderCompleted => ShipmentStatus::Delivered,
            E::OrderCompletedRejected => ShipmentStatus::Failed,
            E::OrderClosedFailed => ShipmentStatus::Failed,
            E::OrderPendingCancelation => ShipmentStatus::OnHold,
            E::OrderFailed => ShipmentStatus::FailedAttempt,
            E::OrderReadyForSelfPickup => ShipmentStatus::ReadyForPickup,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

impl From<&crate::wakilni::Status> for ShipmentStatus {
    fn from(s: &crate::wakilni::Status) -> ShipmentStatus {
        use crate::wakilni::Status as W;
        match s {
            W::Pending => ShipmentStatus::Created,
            W::Confirmed => ShipmentStatus::Confirmed,
            W::Processing => ShipmentStatus::InTransit,
            W::Success => ShipmentStatus::Delivered,
            W::Rejected => ShipmentStatus::Failed,
            W::Failed => ShipmentStatus::FailedAttempt,
            W::Declined => ShipmentStatus::Canceled,
            W::Canceled => ShipmentStatus::Canceled,
            W::ClosedFailed => ShipmentStatus::Failed,
            W::Postponed => ShipmentStatus::OnHold,
            W::PendingCancellation => ShipmentStatus::OnHold,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

/// Gives one update per event that names an order: the status from the event name (never from
/// `new_status_code`, which Wakilni's own sample contradicts). An unknown event gives
/// [`ShipmentStatus::Other`] with its name, or nothing if its `data` has no readable `order_id`.
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
                .map(ShipmentLocation::named),
            _ => None,
        };
        let mut shipment = ShipmentRef::new(RefKind::Order, order_id.to_string());
        shipment.order_id = Some(order_id.to_string());
        shipment.waybill = text(waybill.as_deref());
        let mut update = StatusUpdate::new(
            Provider::Wakilni,
            shipment,
            ShipmentStatus::from(&self.data.event_type()),
            self.event_name(),
        )
        .at(wakilni_time(self));
        update.location = location;
        vec![update]
    }
}
