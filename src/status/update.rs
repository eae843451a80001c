//! [`StatusUpdate`]: one status change of one shipment, and the order updates sort in.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ShipmentLocation, ShipmentRef, ShipmentStatus};
use crate::delivery::Provider;

/// One status change of one shipment, in the common model.
///
/// Build it from a delivery with [`Delivery::status_updates`](crate::Delivery::status_updates),
/// or with [`StatusUpdate::new`] for your own sources and tests. Serializes to JSON with the
/// time in RFC 3339.
///
/// ```
/// use delivery_webhooks::{Provider, RefKind, ShipmentRef, ShipmentStatus, StatusUpdate};
/// use time::macros::datetime;
///
/// let update = StatusUpdate::new(
///     Provider::Xoxoday,
///     ShipmentRef::new(RefKind::Order, "10254678901"),
///     ShipmentStatus::Delivered,
///     "delivered",
/// )
/// .at(Some(datetime!(2019-12-27 16:45:02 UTC)));
/// assert_eq!(update.shipment_key(), "order:10254678901");
/// let json = serde_json::to_string(&update).unwrap();
/// assert!(json.contains(r#""time":"2019-12-27T16:45:02Z""#));
/// assert_eq!(serde_json::from_str::<StatusUpdate>(&json).unwrap(), update);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusUpdate {
    /// Who sent it.
    pub provider: Provider,
    /// The shipment it is about.
    pub shipment: ShipmentRef,
    /// The status, in the common model.
    pub status: ShipmentStatus,
    /// The provider's own status, event or code name, as the payload holds it (a documented
    /// value in its documented spelling, anything else verbatim): `Order Completed`,
    /// `FAILED_ATTEMPT`, `D`, `onTheWay`...
    pub provider_status: String,
    /// When the change happened, by the provider's own clock, in UTC.
    ///
    /// Wakilni and Xoxoday send times without a zone and document none: they are taken as UTC.
    /// Within one provider that assumption never changes which update is newer; shift the
    /// value yourself if you know the provider's zone. `None` when the provider sent no time
    /// for the change (an isendu tracking without step timestamps, a Skladon receiving without
    /// any date).
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    pub time: Option<OffsetDateTime>,
    /// Where it happened, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ShipmentLocation>,
    /// Why a delivery failed, as sent: Peddler's `failedStatus` (`CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS`),
    /// isendu's error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

impl StatusUpdate {
    /// An update with no time, location or failure reason.
    #[must_use]
    pub fn new(
        provider: Provider,
        shipment: ShipmentRef,
        status: ShipmentStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            provider,
            shipment,
            status,
            provider_status: provider_status.into(),
            time: None,
            location: None,
            failure_reason: None,
        }
    }

    /// The same update with this time (converted to UTC).
    #[must_use]
    pub fn at(mut self, time: Option<OffsetDateTime>) -> Self {
        self.time = time.map(|t| t.to_offset(time::UtcOffset::UTC));
        self
    }

    /// The key grouping the updates of this shipment at its provider:
    /// [`ShipmentRef::shipment_key`].
    #[must_use]
    pub fn shipment_key(&self) -> String {
        self.shipment.shipment_key()
    }

    /// Orders two updates by recency, the order a [`Timeline`](super::Timeline) keeps the
    /// greatest of: by [`time`](StatusUpdate::time) (an update without a time is older than any
    /// with one), then by [`ShipmentStatus::position`] (so at equal times a terminal state wins), then by
    /// [`provider_status`](StatusUpdate::provider_status), then by the JSON serialization of the
    /// whole update. `Equal` only for updates that serialize identically.
    ///
    /// Meant for updates of the same shipment; it does not look at the provider or the key.
    #[must_use]
    pub fn recency_cmp(&self, other: &StatusUpdate) -> Ordering {
        self.time
            .cmp(&other.time)
            .then_with(|| self.status.position().cmp(&other.status.position()))
            .then_with(|| self.provider_status.cmp(&other.provider_status))
            .then_with(|| {
                // Whole-value tie-break: deterministic on every machine, and only two updates
                // that are the same update compare equal. Serialization of these plain types
                // cannot fail; an empty string would only make two updates tie.
                let a = serde_json::to_string(self).unwrap_or_default();
                let b = serde_json::to_string(other).unwrap_or_default();
                a.cmp(&b)
            })
    }
}

/// `Option<OffsetDateTime>` as an RFC 3339 string, read back into UTC.
mod rfc3339_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{OffsetDateTime, UtcOffset};

    pub(super) fn serialize<S: Serializer>(
        v: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(&crate::wire::Timestamp::from(*t).to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => crate::wire::Timestamp::parse(&t)
                .and_then(|t| t.to_offset_date_time())
                .map(|t| Some(t.to_offset(UtcOffset::UTC)))
                .ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 date-time")),
        }
    }
}
