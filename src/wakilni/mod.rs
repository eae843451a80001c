//! Wakilni: order status webhooks, signed with HMAC-SHA256.
//!
//! # What Wakilni sends
//! A `POST` with a JSON envelope `{event_id, event, timestamp, data}` for each of 13 events
//! (`Order Created`, `Order Assigned`, `Order Ready for Self-Pickup` and ten status changes such
//! as `Order Confirmed`). [`parse`] turns it into an [`Event`] whose [`EventData`] has one
//! variant per event; an event this crate does not know is kept in [`EventData::Unknown`] with
//! its raw data, never refused.
//!
//! # How it is authenticated
//! `x-webhook-signature` carries the base64 HMAC-SHA256 of the raw body. [`Verifier`] checks it
//! in constant time against one or more secrets (rotation), and [`Verifier::receive`] checks,
//! then parses the body into the crate's [`Delivery`]: the [`Event`], the dedup
//! key `wakilni:<event_id>` and the attempt number from `x-attempt-number`. The other delivery
//! headers are read with [`DeliveryHeaders::from_headers`].
//!
//! # Example
//! ```
//! use delivery_webhooks::Request;
//! use delivery_webhooks::wakilni::{self, EventData, Status};
//!
//! let body = br#"{"event_id":"e2986cd1-1e85-4ef1-a85a-89488dd27b92","event":"Order Confirmed",
//!   "timestamp":"2024-11-14 14:39:13","data":{"order_id":123456,"waybill":"WK-123456",
//!   "new_status_code":7,"new_status":"Confirmed","previous_status_code":1,
//!   "previous_status":"Pending","updated_at":"2024-11-14 14:39:10"}}"#;
//! let signature = wakilni::sign("my-webhook-secret", body);
//! let headers = [
//!     ("X-Webhook-Signature", signature.as_str()),
//!     ("X-Webhook-Topic", "Order Confirmed"),
//!     ("X-Attempt-Number", "2"),
//! ];
//!
//! let verifier = wakilni::Verifier::new("my-webhook-secret")?;
//! let delivery = verifier.receive(&Request::new(&headers, body))?;
//! match &delivery.payload.data {
//!     EventData::OrderConfirmed(change) => {
//!         assert_eq!(change.order_id, 123456);
//!         assert_eq!(change.new_status, Status::Confirmed);
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! assert_eq!(delivery.dedup_key().as_str(), "wakilni:e2986cd1-1e85-4ef1-a85a-89488dd27b92");
//! assert_eq!(delivery.attempt, Some(2));
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```
//!
//! # Quirks handled
//! - Times are documented as `2024-11-14 14:39:13`, with no timezone; they are
//!   [`Timestamp`](crate::Timestamp)s, which also read the other ISO 8601 forms Wakilni may
//!   send (`T`, fractional seconds, `Z` or an offset such as `+03:00`) and keep no guessed
//!   offset: apply Lebanon's with [`Timestamp::assume_offset`](crate::Timestamp::assume_offset).
//! - `order_id` is accepted as a number or a string of digits, and written back as a number.
//! - Status codes are kept as the numbers sent and never tied to a [`Status`]: Wakilni's own pages
//!   disagree on which code means which status.
//! - Status and event names match ignoring case and `_`/`-`/space (`CLOSED_FAILED` is
//!   `Closed Failed`), since the API page and the webhook page spell them differently.
//! - The self-pickup `location` is kept as sent ([`PickupLocation`]: an object, a list of any
//!   length) and its first office typed: the doc's sample is neither valid JSON nor clear about
//!   which it is.
//! - `x-attempt-number` is informative: sent twice differently or unreadable, the delivery is
//!   still accepted (the first value that reads as a number, or `None`).
//!
//! See `docs/wakilni.md` for the full list.

mod data;
mod envelope;
mod event;

use std::fmt;

use crate::delivery::{DedupKey, Delivery, Provider};
use crate::error::{ConfigError, Error};
use crate::headers::Headers;
use crate::request::Request;
use crate::verify::HmacKeys;
use crate::wire;

pub use event::{
    Event, EventData, EventType, OrderAssigned, OrderCreated, PickupLocation, PickupOffice,
    ReadyForSelfPickup, Status, StatusChange,
};

/// The header carrying the base64 HMAC-SHA256 of the body.
pub const SIGNATURE_HEADER: &str = "x-webhook-signature";
/// The header carrying the delivery attempt number.
pub const ATTEMPT_HEADER: &str = "x-attempt-number";
/// The header naming the sender (`https://api.wakilni.com`).
pub const SOURCE_HEADER: &str = "x-webhook-source";
/// The header naming the event, as the body's `event`.
pub const TOPIC_HEADER: &str = "x-webhook-topic";
/// The header carrying the id of the webhook subscription.
pub const WEBHOOK_ID_HEADER: &str = "x-webhook-id";
/// The header carrying the id of this delivery.
pub const DELIVERY_ID_HEADER: &str = "x-webhook-delivery-id";

/// Parses a Wakilni webhook body.
///
/// # Errors
/// [`Error::Payload`] naming the JSON path when the body is not a Wakilni envelope, or when a
/// known event lacks a required field (`data.order_id`, say) or has one of the wrong type.
///
/// ```
/// let body = br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13",
///   "data":{"order_id":"77","waybill":"WB77","created_at":"2024-11-14 14:39:10"}}"#;
/// let event = delivery_webhooks::wakilni::parse(body)?;
/// assert_eq!(event.data.order_id(), Some(77));
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub fn parse(body: &[u8]) -> Result<Event, Error> {
    wire::parse(body)
}

/// The `x-webhook-signature` value for `body` under `secret`: base64 (standard, padded) of the
/// HMAC-SHA256. For tests and local tooling, to send signed fixtures to your own receiver.
///
/// ```
/// // printf %s '{}' | openssl dgst -sha256 -hmac 'secret' -binary | base64
/// assert_eq!(
///     delivery_webhooks::wakilni::sign("secret", b"{}"),
///     "dzJZAsrKgS3CWXM6rNBGtzgXNyx3e42VtAJkdHRRbhM="
/// );
/// ```
#[must_use]
pub fn sign(secret: impl AsRef<[u8]>, body: &[u8]) -> String {
    crate::verify::sign_base64(secret.as_ref(), body)
}

/// Checks Wakilni's `x-webhook-signature`.
///
/// Which secret Wakilni keys the HMAC with (a per-webhook secret or the app token) is not
/// documented; configure whichever your dashboard shows, or both with
/// [`with_secrets`](Verifier::with_secrets). `Debug` never shows a secret.
#[derive(Clone)]
pub struct Verifier {
    keys: HmacKeys,
    body_limit: usize,
    body_timeout: std::time::Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("wakilni::Verifier")
            .field("keys", &self.keys)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

impl Verifier {
    /// The largest body this verifier accepts unless told otherwise (`body_limit`): 64 KiB. A
    /// Wakilni event is one order's status change: the documented events are under 1 KiB, and an
    /// order with many packages and long addresses stays a few KiB. 64 KiB is more than ten times
    /// that. Wakilni's only credential is an HMAC of the body, so its head check cannot refuse a
    /// forged delivery: this limit is what anyone can make the receiver read per request, and it is
    /// kept small for that reason (`docs/security.md`, "Body limits per provider").
    pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

    /// A verifier with one secret.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if `secret` is
    /// empty.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::with_secrets([secret])
    }

    /// A verifier accepting a signature made with any of `secrets`: during a rotation, configure
    /// the new and the old secret together.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the list or
    /// any secret is empty.
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            keys: HmacKeys::new(secrets)?,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
        })
    }

    crate::body::limit_builders!();

    /// Checks what the request head proves without its body, before a framework adapter reads
    /// the body: a readable `x-webhook-signature` is there (the signature covers the body, so [`verify`](Verifier::verify) checks it once the body is read). Allocates nothing; the body is not looked at.
    ///
    /// # Errors
    /// [`Error::MissingHeader`] (401), [`Error::ConflictingHeader`] or [`Error::InvalidHeader`]
    /// (400).
    pub fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
        head.headers.require(SIGNATURE_HEADER).map(drop)
    }

    /// Checks the body size, then the signature of the body. Allocates nothing.
    ///
    /// # Errors
    /// [`Error::BodyTooLarge`], [`Error::MissingHeader`], [`Error::ConflictingHeader`],
    /// [`Error::InvalidHeader`] (not base64) or [`Error::SignatureMismatch`].
    pub fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
        let body = request.body;
        crate::body::check_body_size(body, self.body_limit)?;
        let signature = request.headers.require(SIGNATURE_HEADER)?;
        self.keys.verify_base64(SIGNATURE_HEADER, signature, body)
    }

    /// Checks the signature, then parses the body into an [`Event`]; the dedup key is
    /// `wakilni:<event_id>`, the attempt is the first readable `x-attempt-number`.
    ///
    /// The attempt number is informative ("nb of attempts" in Wakilni's docs), not a
    /// credential: sent twice with different values (a proxy appending its own copy) or
    /// unreadable, the delivery is still accepted, with the first value that reads as a number
    /// or `None`. Only the signature decides authenticity.
    ///
    /// A `x-webhook-topic` header naming another event than the body's is refused: the body is
    /// authentic, but a receiver routing on the header would act on the wrong event.
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify) and [`parse`], and [`Error::InvalidHeader`] for a
    /// topic that disagrees with the body.
    pub fn receive(&self, request: &Request<'_>) -> Result<Delivery<Event>, Error> {
        self.verify(request)?;
        let event = parse(request.body)?;
        let headers = request.headers;
        if let Some(topic) = headers.get(TOPIC_HEADER)?.filter(|t| !t.is_empty()) {
            if !EventType::from(topic).matches_event(&event.data) {
                return Err(Error::InvalidHeader {
                    name: TOPIC_HEADER,
                    reason: "names another event than the body",
                });
            }
        }
        let attempt = attempt_number(headers);
        let key = DedupKey::new(Provider::Wakilni, &event.event_id);
        Ok(Delivery::new(Provider::Wakilni, key, event).with_attempt(attempt))
    }
}

crate::delivery::receive_by_inherent_methods!(Verifier, Provider::Wakilni, Event);

/// The first `x-attempt-number` value that reads as a number, across repeated header lines and
/// comma-joined values; `None` when none does. Never an error: the header is informative.
fn attempt_number<H: Headers + ?Sized>(headers: &H) -> Option<u32> {
    let mut attempt = None;
    headers.for_each_value(ATTEMPT_HEADER, &mut |value| {
        if attempt.is_none() {
            attempt = value
                .split(|&b| b == b',')
                .filter_map(|part| std::str::from_utf8(part.trim_ascii()).ok())
                .find_map(|part| part.parse().ok());
        }
    });
    attempt
}

/// The headers Wakilni sends with each delivery.
///
/// Only the signature is required; the others are informative, and a delivery that lacks one
/// (or sends an unreadable attempt number, or two different ones) is still accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryHeaders {
    /// `x-webhook-signature`, as sent (already checked).
    pub signature: String,
    /// `x-attempt-number`: 1 for the first attempt. The first value that reads as a number;
    /// `None` when absent or unreadable.
    pub attempt_number: Option<u32>,
    /// `x-webhook-source`, e.g. `https://api.wakilni.com`.
    pub source: Option<String>,
    /// `x-webhook-topic`: the event type, the same as the body's.
    pub topic: Option<EventType>,
    /// `x-webhook-id`: the webhook subscription.
    pub webhook_id: Option<String>,
    /// `x-webhook-delivery-id`: this delivery.
    pub delivery_id: Option<String>,
}

impl DeliveryHeaders {
    /// Reads the delivery headers (the signature is required, the rest optional).
    ///
    /// # Errors
    /// [`Error::MissingHeader`] without a signature; [`Error::ConflictingHeader`] or
    /// [`Error::InvalidHeader`] for a header sent twice differently or with unreadable bytes.
    pub fn from_headers<H: Headers + ?Sized>(headers: &H) -> Result<Self, Error> {
        let owned = |name| {
            headers
                .get(name)
                .map(|v| v.filter(|v| !v.is_empty()).map(str::to_owned))
        };
        Ok(Self {
            signature: headers.require(SIGNATURE_HEADER)?.to_owned(),
            attempt_number: attempt_number(headers),
            source: owned(SOURCE_HEADER)?,
            topic: headers
                .get(TOPIC_HEADER)?
                .filter(|v| !v.is_empty())
                .map(EventType::from),
            webhook_id: owned(WEBHOOK_ID_HEADER)?,
            delivery_id: owned(DELIVERY_ID_HEADER)?,
        })
    }
}
