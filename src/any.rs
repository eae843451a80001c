//! [`AnyDelivery`]: a delivery from any of the providers, for code that handles them all.

#[cfg_attr(not(any_provider), allow(unused_imports))]
use crate::delivery::Delivery;
use crate::delivery::{DedupKey, Provider};
use crate::reply::Reply;
use crate::request_headers::RequestHeaders;

/// A delivery from any provider: what a router over all five hands to one handler.
///
/// Every provider's `Delivery<P>` converts into it with `From`/`into()`. One variant per
/// provider whose cargo feature is on; `#[non_exhaustive]` because that set varies. Peddler's
/// delivery is boxed: it is over 400 bytes, the others under 300, and an `AnyDelivery` is
/// moved into every handler's future (field access reads through the box as usual).
///
/// ```
/// # #[cfg(feature = "peddler")] {
/// use delivery_webhooks::{AnyDelivery, Provider, Request, peddler};
///
/// let verifier = peddler::Verifier::new("pd-token")?;
/// let headers = [("x-webhook-shared-token", "pd-token")];
/// let body = br#"{"id":"A1","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
/// let any: AnyDelivery = verifier.receive(&Request::new(&headers, body))?.into();
/// assert_eq!(any.provider(), Provider::Peddler);
/// assert_eq!(any.dedup_key().provider(), Provider::Peddler);
/// if let AnyDelivery::Peddler(d) = &any {
///     assert_eq!(d.payload.id, "A1");
/// }
/// # }
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AnyDelivery {
    /// A Wakilni event.
    #[cfg(feature = "wakilni")]
    Wakilni(Delivery<crate::wakilni::Event>),
    /// A Peddler shipment update.
    #[cfg(feature = "peddler")]
    Peddler(Box<Delivery<crate::peddler::ShipmentUpdate>>),
    /// A Xoxoday delivery update.
    #[cfg(feature = "xoxoday")]
    Xoxoday(Delivery<crate::xoxoday::DeliveryUpdate>),
    /// An isendu handshake or batch.
    #[cfg(feature = "isendu")]
    Isendu(Delivery<crate::isendu::Message>),
    /// A Skladon notification (an entity, or a GET call's entity id).
    #[cfg(feature = "skladon")]
    Skladon(Delivery<crate::skladon::Notification>),
}

/// Applies `$body` to the inner `Delivery<P>` of every variant, bound to `$d`.
macro_rules! each {
    ($self:expr, $d:ident => $body:expr) => {
        match *$self {
            #[cfg(feature = "wakilni")]
            AnyDelivery::Wakilni(ref $d) => $body,
            #[cfg(feature = "peddler")]
            AnyDelivery::Peddler(ref $d) => $body,
            #[cfg(feature = "xoxoday")]
            AnyDelivery::Xoxoday(ref $d) => $body,
            #[cfg(feature = "isendu")]
            AnyDelivery::Isendu(ref $d) => $body,
            #[cfg(feature = "skladon")]
            AnyDelivery::Skladon(ref $d) => $body,
        }
    };
}

impl AnyDelivery {
    /// Who sent it.
    #[must_use]
    pub fn provider(&self) -> Provider {
        each!(self, d => d.provider)
    }

    /// The key to deduplicate on.
    #[must_use]
    pub fn dedup_key(&self) -> &DedupKey {
        each!(self, d => &d.dedup_key)
    }

    /// What to answer.
    #[must_use]
    pub fn reply(&self) -> &Reply {
        each!(self, d => &d.reply)
    }

    /// The attempt number, where the provider sends one.
    #[must_use]
    pub fn attempt(&self) -> Option<u32> {
        each!(self, d => d.attempt)
    }

    /// The headers of the request it came in, credentials masked (see
    /// [`Delivery::headers`](crate::delivery::Delivery::headers)).
    #[must_use]
    pub fn headers(&self) -> &RequestHeaders {
        each!(self, d => &d.headers)
    }

    /// Sets the request's headers (the inbox, rebuilding a stored delivery).
    #[cfg_attr(not(feature = "inbox"), allow(dead_code))]
    #[cfg_attr(not(any_provider), allow(unused_variables))]
    pub(crate) fn set_headers(&mut self, headers: RequestHeaders) {
        match *self {
            #[cfg(feature = "wakilni")]
            AnyDelivery::Wakilni(ref mut d) => d.headers = headers,
            #[cfg(feature = "peddler")]
            AnyDelivery::Peddler(ref mut d) => d.headers = headers,
            #[cfg(feature = "xoxoday")]
            AnyDelivery::Xoxoday(ref mut d) => d.headers = headers,
            #[cfg(feature = "isendu")]
            AnyDelivery::Isendu(ref mut d) => d.headers = headers,
            #[cfg(feature = "skladon")]
            AnyDelivery::Skladon(ref mut d) => d.headers = headers,
        }
    }

    /// The payload in the provider's own wire format (JSON): what the provider sent, as typed
    /// and written back by this crate.
    ///
    /// # Errors
    /// Only if a payload holds a value JSON cannot express (never for a parsed body).
    pub fn payload_json(&self) -> serde_json::Result<Vec<u8>> {
        each!(self, d => serde_json::to_vec(&d.payload))
    }

    /// The shipment status changes this delivery reports, in the common model: see
    /// [`Delivery::status_updates`].
    #[must_use]
    pub fn status_updates(&self) -> Vec<crate::status::StatusUpdate> {
        each!(self, d => d.status_updates())
    }
}

macro_rules! from_delivery {
    ($feature:literal, $variant:ident, $payload:ty $(, $wrap:path)?) => {
        #[cfg(feature = $feature)]
        impl From<Delivery<$payload>> for AnyDelivery {
            fn from(d: Delivery<$payload>) -> Self {
                AnyDelivery::$variant($($wrap)?(d))
            }
        }
    };
}

from_delivery!("wakilni", Wakilni, crate::wakilni::Event);
from_delivery!("peddler", Peddler, crate::peddler::ShipmentUpdate, Box::new);
from_delivery!("xoxoday", Xoxoday, crate::xoxoday::DeliveryUpdate);
from_delivery!("isendu", Isendu, crate::isendu::Message);
from_delivery!("skladon", Skladon, crate::skladon::Notification);

#[cfg(test)]
mod tests {
    use super::AnyDelivery;

    /// Every handler's future holds an `AnyDelivery`; a large one made axum's boxed route future
    /// too big for the allocator's per-thread cache (see `benches/adapter_breakdown.rs`).
    #[test]
    fn stays_small() {
        let size = std::mem::size_of::<AnyDelivery>();
        assert!(size <= 320, "AnyDelivery is {size} bytes");
        #[cfg(feature = "skladon")]
        assert!(std::mem::size_of::<crate::skladon::Notification>() <= 64);
    }
}
