//! Receive webhooks from five delivery and fulfilment providers — Wakilni, Peddler,
//! Xoxoday (Plum Pro), isendu and Skladon — safely and with strong types, in whatever web
//! framework you already use.
//!
//! # What it does
//! Hand the crate the raw request as a [`Request`]: the body bytes, the headers (any [`Headers`]
//! type: a `Vec` of pairs, a `HashMap`, `http::HeaderMap`...) and, where the provider needs it,
//! the request target or the peer address. It checks the provider's authenticity mechanism in
//! constant time over the exact bytes received, and turns the body into typed payloads. It owns
//! no HTTP server; optional adapters plug it into axum and actix-web.
//!
//! # The receiver contract
//! Every provider's `Verifier` implements [`Receive`]: `verify(&Request)` checks authenticity,
//! `receive(&Request)` checks and parses into the one [`Delivery`] type: the [`Provider`], a
//! [`DedupKey`] namespaced by provider (the same for every retry), the typed payload, the
//! [`Reply`] to send (an empty 200, or isendu's handshake answer) and the attempt number where the
//! provider sends one. [`AnyDelivery`] holds a delivery from any provider. Failures are one
//! [`Error`]; [`Error::status_code`] is the HTTP status to answer. Every verifier has `new`,
//! `with_secrets` (rotation) and `body_limit`; the body size is checked before anything else.
//!
//! Every delivery also reads as shipment status changes in one model shared by all five
//! providers: [`Delivery::status_updates`] gives [`StatusUpdate`]s with a common [`ShipmentStatus`]
//! (`in_transit`, `delivered`...), and a [`Timeline`] folds them into the current status of each
//! shipment, the same whatever order they arrive in. The mapping is in `docs/status-mapping.md`.
//!
//! # Quick start
//! ```
//! # #[cfg(feature = "wakilni")] {
//! use delivery_webhooks::{Receive, Request, wakilni};
//!
//! // Built once at start-up, from your configuration.
//! let verifier = wakilni::Verifier::new("secret-from-the-wakilni-dashboard")?;
//!
//! // One handler for any provider: the status to answer.
//! fn handle<R: Receive>(receiver: &R, request: &Request<'_>) -> u16 {
//!     match receiver.receive(request) {
//!         Ok(delivery) => {
//!             println!("{} delivery {}", delivery.provider, delivery.dedup_key());
//!             delivery.reply.status_code()
//!         }
//!         Err(err) => err.status_code(),
//!     }
//! }
//!
//! let body = br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13",
//!   "data":{"order_id":1,"waybill":"W1","created_at":"2024-11-14 14:39:10"}}"#;
//! let headers = vec![("x-webhook-signature".to_string(), wakilni::sign("secret-from-the-wakilni-dashboard", body))];
//! assert_eq!(handle(&verifier, &Request::new(&headers, body)), 200);
//! assert_eq!(handle(&verifier, &Request::new(&headers, b"{}")), 401);
//! # }
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```
//!
//! # Providers
//! | module | authenticity | payload |
//! |---|---|---|
//! | [`wakilni`] | `x-webhook-signature`: base64 HMAC-SHA256 of the body | [`wakilni::Event`], 13 events |
//! | [`peddler`] | `x-webhook-shared-token`: shared token, constant time | [`peddler::ShipmentUpdate`], 16 statuses, 20 failure reasons |
//! | [`xoxoday`] | source address allowlist (`52.76.120.90`, proxy aware) and `x-api-key` | [`xoxoday::DeliveryUpdate`] |
//! | [`isendu`] | handshake answered only for your key id; a [`UrlToken`] in the registered URL | [`isendu::Message`]: handshake or batch of orders and trackings, folded order-independently by [`isendu::State`] |
//! | [`skladon`] | none sent: a token in each registered URL's path, GET and POST | [`skladon::Notification`]: an [`skladon::Entity`] (order, product, receiving, return, stock movement) for 18 [`skladon::WebhookType`]s, or a GET call's id |
//!
//! # Features
//! - one per provider, all on by default: `wakilni`, `peddler`, `xoxoday`, `isendu`, `skladon`;
//! - `http`: [`Headers`] for `http::HeaderMap`, `Request::from_http`, `Error::http_status`;
//! - `axum`, `actix`: framework adapters (extractors, error responses, a ready router or scope);
//! - `testing`: [`testing`], requests exactly as each provider sends them (a genuine
//!   `http::Request` and the crate's [`Request`]), for your own tests;
//! - `schema`: a JSON Schema for every payload type ([`schema::for_provider`]), with schemars;
//! - `inbox-sqlite`, `inbox-postgres`: the durable [`inbox`] that stores each
//!   delivery before answering and deduplicates retries (embedded SQLite, or PostgreSQL shared
//!   by several instances), its worker runner, and the adapters' inbox mode;
//! - `console`: the operator's queries and verbs over the inbox (`console::Console`: list,
//!   item, story, failures, overview, replay, discard, expunge, audit);
//! - `console-web`: the console over HTTP (`console::web`), pages and a JSON API, authenticated
//!   and CSRF-protected, mounted by the axum and actix-web adapters (`docs/console.md`);
//! - `tracing`: a span per delivery in the framework adapters ([`telemetry`]);
//! - `metrics`: counters, histograms and gauges through the `metrics` facade ([`telemetry`]).
//!
//! The `delivery-webhooks` command-line tool is its own crate, `delivery-webhooks-cli` (the
//! workspace's `cli/`); see the README's "Testing your receiver locally".
//!
//! # Design notes
//! - **Raw bytes in.** Signatures are checked over the body as received, never re-serialized.
//! - **Lenient where harmless, strict where it matters.** Unknown fields are ignored; unknown
//!   events, statuses and enum values are kept verbatim (`Unknown`/`Other`, data the crate does
//!   not model as [`RawJson`]); numbers are also read from numeric strings; `null` and absent
//!   both mean `None`; any ISO 8601 date form is read ([`Timestamp`]), and an optional one that
//!   cannot be read is kept as text ([`TimestampOrText`]). Signatures, tokens and required
//!   identifiers are checked exactly, duplicate keys are refused, and a malformed body is an error
//!   naming the JSON path.
//! - **Lossless round trip.** Every payload serializes back to the provider's wire format, and
//!   parsing that again gives an equal value: payloads can be queued, logged and replayed.
//
// A link to an item behind a feature resolves only with that feature on: with it off, the same
// link text points to the "Features" section above, so that every feature subset documents
// without a broken link (`.ci/run` builds the docs of each with warnings denied).
#![doc = ""]
#![cfg_attr(not(feature = "wakilni"), doc = "[`wakilni`]: crate#features")]
#![cfg_attr(not(feature = "wakilni"), doc = "[`wakilni::Event`]: crate#features")]
#![cfg_attr(not(feature = "peddler"), doc = "[`peddler`]: crate#features")]
#![cfg_attr(
    not(feature = "peddler"),
    doc = "[`peddler::ShipmentUpdate`]: crate#features"
)]
#![cfg_attr(not(feature = "xoxoday"), doc = "[`xoxoday`]: crate#features")]
#![cfg_attr(
    not(feature = "xoxoday"),
    doc = "[`xoxoday::DeliveryUpdate`]: crate#features"
)]
#![cfg_attr(not(feature = "isendu"), doc = "[`isendu`]: crate#features")]
#![cfg_attr(not(feature = "isendu"), doc = "[`isendu::Message`]: crate#features")]
#![cfg_attr(not(feature = "isendu"), doc = "[`isendu::State`]: crate#features")]
#![cfg_attr(not(feature = "skladon"), doc = "[`skladon`]: crate#features")]
#![cfg_attr(
    not(feature = "skladon"),
    doc = "[`skladon::Notification`]: crate#features"
)]
#![cfg_attr(not(feature = "skladon"), doc = "[`skladon::Entity`]: crate#features")]
#![cfg_attr(
    not(feature = "skladon"),
    doc = "[`skladon::WebhookType`]: crate#features"
)]
#![cfg_attr(not(feature = "testing"), doc = "[`testing`]: crate#features")]
#![cfg_attr(
    not(feature = "schema"),
    doc = "[`schema::for_provider`]: crate#features"
)]
#![cfg_attr(not(feature = "inbox"), doc = "[`inbox`]: crate#features")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(adapter)]
mod adapters;
mod answer;
mod any;
mod body;
mod config;
mod credentials;
mod delivery;
mod error;
#[cfg(feature = "http")]
mod header_map;
mod headers;
mod outcome;
mod owned;
mod problem;
mod reply;
mod request;
mod request_headers;
#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub mod schema;
mod status;
pub mod telemetry;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod url;
mod verify;
mod wire;

#[cfg(all(
    feature = "console",
    any(feature = "inbox-sqlite", feature = "inbox-postgres")
))]
#[cfg_attr(docsrs, doc(cfg(feature = "console")))]
pub mod console;
#[cfg(feature = "inbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "inbox")))]
pub mod inbox;
#[cfg(feature = "isendu")]
#[cfg_attr(docsrs, doc(cfg(feature = "isendu")))]
pub mod isendu;
#[cfg(feature = "peddler")]
#[cfg_attr(docsrs, doc(cfg(feature = "peddler")))]
pub mod peddler;
#[cfg(feature = "skladon")]
#[cfg_attr(docsrs, doc(cfg(feature = "skladon")))]
pub mod skladon;
#[cfg(feature = "wakilni")]
#[cfg_attr(docsrs, doc(cfg(feature = "wakilni")))]
pub mod wakilni;
#[cfg(feature = "xoxoday")]
#[cfg_attr(docsrs, doc(cfg(feature = "xoxoday")))]
pub mod xoxoday;

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub use adapters::actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use adapters::axum;

pub use answer::Answer;
pub use any::AnyDelivery;
pub use body::{
    DEFAULT_BODY_BUDGET, DEFAULT_BODY_BUDGET_WAIT, DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT,
};
pub use config::{
    Config, ConfigBuilder, ConfigErrors, DEFAULT_LISTEN_ADDR, EnvVariable, ListenAddr,
};
pub use delivery::{DedupKey, Delivery, Provider, Receive, UnknownProvider};
pub use error::{ConfigError, ConfigErrorKind, Error, PayloadError, Result};
pub use headers::Headers;
pub use outcome::{HandlerError, HandlerOutcome, HandlerResult};
pub use owned::OwnedRequest;
pub use problem::Problem;
pub use reply::Reply;
pub use request::Request;
pub use request_headers::RequestHeaders;
pub use status::{
    RefKind, ShipmentLocation, ShipmentRef, ShipmentStatus, StatusSource, StatusUpdate, Timeline,
};
pub use verify::UrlToken;
pub use wire::{Decimal, InvalidTimestamp, RawJson, Timestamp, TimestampOrText};

/// The README's Rust blocks, compiled (and those not marked `no_run`, run) as doctests, so that
/// the README cannot drift from the API. They use every provider and the axum adapter.
#[cfg(all(doctest, all_providers, feature = "axum"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// Every page of docs/ is compiled the same way, each under the features its Rust blocks need, so
// that every feature subset still passes `cargo test` (a page is simply not compiled in a subset
// lacking one). tests/docs.rs checks that every docs/*.md is listed here.

/// docs/architecture.md's Rust blocks, as doctests.
#[cfg(all(doctest, all_providers))]
#[doc = include_str!("../docs/architecture.md")]
pub struct ArchitectureDoctests;

/// docs/console.md's Rust blocks, as doctests.
#[cfg(all(
    doctest,
    feature = "console-web",
    feature = "inbox-sqlite",
    feature = "axum",
    feature = "actix"
))]
#[doc = include_str!("../docs/console.md")]
pub struct ConsoleDoctests;

/// docs/inbox.md's Rust blocks, as doctests: the receiver in inbox mode needs axum, SQLite and
/// a provider (`inbox_router` exists only with one).
#[cfg(all(doctest, any_provider, feature = "axum", feature = "inbox-sqlite"))]
#[doc = include_str!("../docs/inbox.md")]
pub struct InboxDoctests;

/// docs/isendu.md's Rust blocks, as doctests: the handler by hand is an axum handler.
#[cfg(all(doctest, feature = "isendu", feature = "axum"))]
#[doc = include_str!("../docs/isendu.md")]
pub struct IsenduDoctests;

/// docs/operations.md's Rust blocks, as doctests: the health endpoint is an axum route.
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../docs/operations.md")]
pub struct OperationsDoctests;

/// docs/peddler.md's Rust blocks, as doctests.
#[cfg(all(doctest, feature = "peddler"))]
#[doc = include_str!("../docs/peddler.md")]
pub struct PeddlerDoctests;

/// docs/performance.md's Rust blocks, as doctests.
#[cfg(all(doctest, all_providers))]
#[doc = include_str!("../docs/performance.md")]
pub struct PerformanceDoctests;

/// docs/security.md's Rust blocks, as doctests.
#[cfg(all(doctest, all_providers))]
#[doc = include_str!("../docs/security.md")]
pub struct SecurityDoctests;

/// docs/skladon.md's Rust blocks, as doctests.
#[cfg(all(doctest, feature = "skladon"))]
#[doc = include_str!("../docs/skladon.md")]
pub struct SkladonDoctests;

/// docs/status-mapping.md's Rust blocks, as doctests.
#[cfg(all(doctest, all_providers))]
#[doc = include_str!("../docs/status-mapping.md")]
pub struct StatusMappingDoctests;

/// docs/wakilni.md's Rust blocks, as doctests.
#[cfg(all(doctest, feature = "wakilni"))]
#[doc = include_str!("../docs/wakilni.md")]
pub struct WakilniDoctests;

/// docs/xoxoday.md's Rust blocks, as doctests.
#[cfg(all(doctest, feature = "xoxoday"))]
#[doc = include_str!("../docs/xoxoday.md")]
pub struct XoxodayDoctests;
