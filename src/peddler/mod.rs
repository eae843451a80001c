//! Peddler: shipment status webhooks, authenticated by a shared token header.
//!
//! # What Peddler sends
//! A `POST` with a JSON body for every status change of a shipment whose `webhookUri` you set
//! when creating it: the shipment `id`, `carrierTrackingNumber`, your `metaData`, the `status`
//! (`OUT_FOR_DELIVERY`, `DELIVERED`, `FAILED_ATTEMPT`...), a numeric `code`, the time `ts`, the
//! `trackingUrl`, for `OUT_FOR_DELIVERY` and `DELIVERED` the GPS `location`, for failed attempts
//! the `failedStatus` reason, and `details` with texts per language and per-status extras.
//! [`parse`] turns it into a [`ShipmentUpdate`]. Answer `200` (the body may be empty).
//!
//! # How it is authenticated
//! Each call carries `x-webhook-shared-token`, a secret you agree with Peddler. [`Verifier`]
//! compares it in constant time with one or more configured tokens (several during a rotation);
//! [`Verifier::receive`] checks it, then parses the body into the crate's
//! [`Delivery`] whose [`dedup_key()`](Delivery::dedup_key) is
//! `peddler:<id>:<status>:<code>:<ts in UTC>`.
//!
//! # Example
//! ```
//! use delivery_webhooks::Request;
//! use delivery_webhooks::peddler::{self, CodeMeaning, FailureReason, Status};
//!
//! let body = br#"{"id":"fx6_ZSWp0RDc24csBqOj9","carrierTrackingNumber":"P199684830307745678",
//!   "metaData":"78420240902-2","status":"FAILED_ATTEMPT","location":null,
//!   "ts":"2024-09-02T13:08:06.574Z","trackingUrl":"https://t.pdlr.nl/P199684830307745678/",
//!   "code":601,"failedStatus":"CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS",
//!   "details":{"lang":{"en":{"headline":"Delivery attempt failed"}},"courierName":"Peddler"}}"#;
//! let headers = [("X-Webhook-Shared-Token", "my-shared-token")];
//!
//! let verifier = peddler::Verifier::new("my-shared-token")?;
//! let delivery = verifier.receive(&Request::new(&headers, body))?;
//! let update = &delivery.payload;
//! assert_eq!(update.status, Status::FailedAttempt);
//! assert_eq!(update.failed_status, Some(FailureReason::CustomerNotPresentNoNeighbours));
//! assert_eq!(
//!     update.code_meaning(),
//!     Some(CodeMeaning::FailedAttempt(FailureReason::CustomerNotPresentNoNeighbours))
//! );
//! assert_eq!(
//!     delivery.dedup_key().as_str(),
//!     "peddler:fx6_ZSWp0RDc24csBqOj9:FAILED_ATTEMPT:601:2024-09-02T13:08:06.574Z"
//! );
//!
//! let wrong = [("x-webhook-shared-token", "guess")];
//! let err = verifier.receive(&Request::new(&wrong, body)).unwrap_err();
//! assert_eq!(err.status_code(), 401);
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```
//!
//! # Quirks handled
//! - `code` is kept as sent, also from a string of digits; [`ShipmentUpdate::code_meaning`]
//!   reads it: `DELIVERED` comes as 500, 501 (at the neighbours) or 502 (in the mailbox), and a
//!   `FAILED_ATTEMPT`'s code is its reason's (600 to 619), not a status code of its own.
//! - `location` is `null` or absent on statuses that have none, and may be `null` on those
//!   that should: both are `None`. `lat`/`lng` are also read from strings and checked against
//!   their ranges; a location sent with any status is kept.
//! - `details` is absent on some statuses; `lang` is a map, so a third language is kept.
//!   The extras whose shapes are not published (dates, neighbours, collection point,
//!   warehouse) are typed when recognisable and kept as sent otherwise, never refused.
//! - `ts` is RFC 3339 with or without fractional seconds, `Z` or an offset.
//! - Statuses and reasons match ignoring case and `_`/`-`/space; unknown ones are kept verbatim.
//! - No event id: [`Delivery::dedup_key`] (built from the update) and
//!   [`ShipmentUpdate::is_newer_than`] handle
//!   repeats and late arrivals.
//!
//! See `docs/peddler.md` for the status and reason tables and the full list.

use std::fmt;

use crate::delivery::{DedupKey, Delivery, Provider};
use crate::error::{ConfigError, Error};
use crate::request::Request;
use crate::verify::TokenSet;
use crate::wire;

mod codes;
mod extras;
mod update;

pub use codes::{CodeMeaning, FailureReason, Status};
pub use update::{DateValue, Details, LocalizedText, Location, NeighbourDelivery, ShipmentUpdate};

/// The header carrying the shared token.
pub const TOKEN_HEADER: &str = "x-webhook-shared-token";

/// Parses a Peddler webhook body.
///
/// # Errors
/// [`Error::Payload`] naming the JSON path when the body is not JSON, lacks `id`, `status`,
/// `code` or `ts`, or has a field of the wrong type (a non-numeric `code`, a latitude out of
/// range at `location.lat`...).
///
/// ```
/// use delivery_webhooks::peddler::{self, Status};
///
/// let update = peddler::parse(br#"{"id":"PlakFjJkuYatSCXFvDxTs","status":"OUT_FOR_DELIVERY",
///   "location":{"lat":52.3409992,"lng":4.8236365},"ts":"2023-06-14T10:54:55.896Z","code":410}"#)?;
/// assert_eq!(update.status, Status::OutForDelivery);
/// assert_eq!(update.location.map(|l| l.lat), Some(52.3409992));
///
/// let err = peddler::parse(br#"{"id":"x","status":"DELIVERED","ts":"2023-06-14T10:54:55Z","code":"soon"}"#)
///     .unwrap_err();
/// assert!(err.to_string().contains("code"));
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub fn parse(body: &[u8]) -> Result<ShipmentUpdate, Error> {
    wire::parse(body)
}

/// Checks Peddler's `x-webhook-shared-token` header.
///
/// Tokens are kept as SHA-256 digests and compared in constant time; `Debug` never shows them.
/// Configure the new and the old token together with [`with_secrets`](Verifier::with_secrets)
/// while a rotation is under way.
#[derive(Clone)]
pub struct Verifier {
    tokens: TokenSet,
    body_limit: usize,
    body_timeout: std::time::Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("peddler::Verifier")
            .field("tokens", &self.tokens)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

impl Verifier {
    /// The largest body this verifier accepts unless told otherwise (`body_limit`): 64 KiB. A
    /// Peddler update is one shipment's status, with its proof-of-delivery links and extras: the
    /// documented updates are about 1 KiB, a few KiB with every optional field. 64 KiB is more than
    /// ten times that (`docs/security.md`, "Body limits per provider").
    pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

    /// A verifier accepting one token.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if `token` is
    /// empty or only whitespace.
    /// [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret) if one has
    /// surrounding whitespace: header values arrive trimmed, so it could never match.
    pub fn new(token: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::with_secrets([token])
    }

    /// A verifier accepting any of `tokens`: during a rotation, configure the new and the old
    /// token together.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the list or
    /// any token is empty or only whitespace.
    /// [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret) if one has
    /// surrounding whitespace: header values arrive trimmed, so it could never match.
    pub fn with_secrets<I, S>(tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            tokens: TokenSet::for_header(tokens)?,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
        })
    }

    crate::body::limit_builders!();

    /// Checks the body size, then the `x-webhook-shared-token` header. Allocates nothing.
    ///
    /// The token covers no part of the body: only its size is looked at.
    ///
    /// # Errors
    /// [`Error::BodyTooLarge`] (413), [`Error::MissingHeader`] (absent or empty, 401),
    /// [`Error::ConflictingHeader`] (sent twice with different values, 400),
    /// [`Error::InvalidHeader`] (not visible ASCII, 400) or [`Error::TokenMismatch`] (401).
    pub fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
        crate::body::check_body_size(request.body, self.body_limit)?;
        self.verify_head(request)
    }

    /// Checks what the request head proves without its body, before a framework adapter reads
    /// the body: the `x-webhook-shared-token` header, the whole credential. Allocates nothing; the body is not looked at.
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify) but [`Error::BodyTooLarge`].
    pub fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
        let token = head.headers.require(TOKEN_HEADER)?;
        if self.tokens.matches(token.as_bytes()) {
            Ok(())
        } else {
            Err(Error::TokenMismatch)
        }
    }

    /// [`verify`](Verifier::verify), then [`parse`]; the dedup key is
    /// `peddler:<id>:<status>:<code>:<ts in UTC>` (`%` and `:` inside `id` and `status`
    /// percent-encoded).
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify), then those of [`parse`].
    pub fn receive(&self, request: &Request<'_>) -> Result<Delivery<ShipmentUpdate>, Error> {
        self.verify(request)?;
        let update = parse(request.body)?;
        let key = DedupKey::new(Provider::Peddler, update.key_part());
        Ok(Delivery::new(Provider::Peddler, key, update))
    }
}

crate::delivery::receive_by_inherent_methods!(Verifier, Provider::Peddler, ShipmentUpdate);
