//! Peddler's vocabulary mapped onto [`ShipmentStatus`], and [`StatusSource`] for its payload.

use super::{external, text};
use crate::delivery::Provider;
use crate::status::{
    RefKind, ShipmentLocation, ShipmentRef, ShipmentStatus, StatusSource, StatusUpdate,
};
use time::OffsetDateTime;

/// Peddler: `ts`.
fn peddler_time(u: &crate::peddler::ShipmentUpdate) -> Option<OffsetDateTime> {
    Some(u.ts.assume_utc())
}

/// `SHIPMENT_DETAILS_UPDATED` is not a lifecycle status (the shipment did not move): it maps to
/// [`ShipmentStatus::Other`], and a delivery carrying it gives no update.
impl From<&crate::peddler::Status> for ShipmentStatus {
    fn from(s: &crate::peddler::Status) -> ShipmentStatus {
        use crate::peddler::Status as P;
        match s {
            P::ShipmentConfirmed => ShipmentStatus::Confirmed,
            P::ShipmentEnrouteToWarehouse => ShipmentStatus::PickedUp,
            P::ShipmentInWarehouse
            | P::ShipmentEnrouteToLocalDepot
            | P::ShipmentInLocalDepot
            | P::ShipmentReady => ShipmentStatus::InTransit,
            P::OutForDelivery => ShipmentStatus::OutForDelivery,
            P::Delivered => ShipmentStatus::Delivered,
            P::DeliveredCollectionPoint => ShipmentStatus::ReadyForPickup,
            P::PickupCollectionPoint => ShipmentStatus::Delivered,
            P::FailedAttempt => ShipmentStatus::FailedAttempt,
            P::OnHold => ShipmentStatus::OnHold,
            P::Exception => ShipmentStatus::Exception,
            P::ReturnToSender => ShipmentStatus::Returned,
            P::Canceled => ShipmentStatus::Canceled,
            other => ShipmentStatus::Other(other.as_str().to_owned()),
        }
    }
}

/// Gives one update, except for `SHIPMENT_DETAILS_UPDATED` (none). A status name this crate
/// does not know is read from its documented `code` when it has one (`410` is out for
/// delivery), else kept as [`ShipmentStatus::Other`]; a code that decides the status decides
/// its whole row, the failure reason of 600–619 included
/// ([`effective_status`](crate::peddler::ShipmentUpdate::effective_status)).
impl StatusSource for crate::peddler::ShipmentUpdate {
    fn status_updates(&self) -> Vec<StatusUpdate> {
        use crate::peddler::Status as P;
        let named = self.effective_status();
        if named == Some(P::ShipmentDetailsUpdated) {
            return Vec::new();
        }
        let status = match named {
            Some(known) => ShipmentStatus::from(&known),
            None => ShipmentStatus::Other(self.status.as_str().to_owned()),
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
            (name, gps) => Some(ShipmentLocation {
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
