//! [`StatusSource`], what every provider's payload implements (in `providers`), and
//! [`Delivery::status_updates`] over it: the status layer adds the method to the core's
//! [`Delivery`], so the core does not name this layer.

use super::StatusUpdate;
use crate::delivery::Delivery;

/// A payload that carries shipment status changes: every provider's payload type.
///
/// [`Delivery::status_updates`](crate::Delivery::status_updates) calls it; call it directly on a
/// payload you parsed yourself.
///
/// ```
/// # #[cfg(feature = "xoxoday")] {
/// use delivery_webhooks::{ShipmentStatus, StatusSource, xoxoday};
///
/// let update = xoxoday::parse(br#"{"id":1,"data":{"orderId":77,"orderDate":"2019-12-27 16:41:33",
///   "deliveryStatus":"Canceled"},"createdAt":"2019-12-28 09:03:17"}"#)?;
/// let updates = update.status_updates();
/// assert_eq!(updates.len(), 1);
/// assert_eq!(updates[0].status, ShipmentStatus::Canceled);
/// assert_eq!(updates[0].shipment_key(), "order:77");
/// # }
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub trait StatusSource {
    /// The status changes this payload reports: none, one or many.
    fn status_updates(&self) -> Vec<StatusUpdate>;
}

impl<P: StatusSource> Delivery<P> {
    /// The shipment status changes this delivery reports, in the common model: none, one or
    /// many (see [`StatusSource`] and the [`Timeline`](super::Timeline)).
    #[must_use]
    pub fn status_updates(&self) -> Vec<StatusUpdate> {
        self.payload.status_updates()
    }
}
