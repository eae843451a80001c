//! Xoxoday's vocabulary mapped onto [`ShipmentStatus`], and [`StatusSource`] for its payload.

use super::text;
use crate::delivery::Provider;
use crate::status::{RefKind, ShipmentRef, ShipmentStatus, StatusSource, StatusUpdate};
use time::OffsetDateTime;

/// Xoxoday: `createdAt`, when the callback was invoked (the webhook page's words).
fn xoxoday_time(u: &crate::xoxoday::DeliveryUpdate) -> Option<OffsetDateTime> {
    Some(u.created_at.assume_utc())
}

impl From<&crate::xoxoday::DeliveryStatus> for ShipmentStatus {
    fn from(s: &crate::xoxoday::DeliveryStatus) -> ShipmentStatus {
        use crate::xoxoday::DeliveryStatus as X;
        match s {
            X::Delivered => ShipmentStatus::Delivered,
            X::Canceled => ShipmentStatus::Canceled,
            X::Pending => ShipmentStatus::Created,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

/// Gives one update, for the reward order `orderId`.
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
                ShipmentStatus::from(status),
                status.as_str(),
            )
            .at(xoxoday_time(self)),
        ]
    }
}
