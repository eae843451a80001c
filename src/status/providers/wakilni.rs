//! Wakilni's vocabulary mapped onto [`Status`], and [`StatusSource`] for its payload.

use super::text;
use crate::delivery::Provider;
use crate::status::{Location, RefKind, ShipmentRef, Status, StatusSource, StatusUpdate};
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
