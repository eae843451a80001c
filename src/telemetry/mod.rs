//! Observability: endpoint [`Health`], a `tracing` span per delivery (feature `tracing`) and
//! metrics through the `metrics` facade (feature `metrics`).
//!
//! The failure that hurts a receiver most is silent: a provider changes a field or adds a
//! status, deliveries start failing or landing in `Other`/`Unknown`, the provider retries, then
//! disables the endpoint, and nobody knows until orders stop updating. This module makes that
//! visible:
//!
//! - [`Health`] (always available) counts consecutive failures per provider and warns one
//!   failure before the provider's documented cut-off ([`default_cutoff`]); its
//!   [`report`](Health::report) is what a status endpoint serves.
//! - With feature `tracing`, the framework adapters open one span per delivery,
//!   `webhook_delivery`, with fields `provider`, `dedup_key`, `attempt`, `outcome`
//!   (`accepted`, `rejected`, `failed`), `status`, `reason` ([`Error::reason`]), `error` (the
//!   error's `Display`, which never holds a secret), `authenticated`, `receive_us`,
//!   `handler_us`, `unknown_events` and `unknown_statuses`, and emit an event when a delivery
//!   is accepted or rejected and when a provider becomes at risk.
//! - With feature `metrics`, they record the metrics named in `metrics` (all prefixed
//!   `delivery_webhooks_`, labels `provider`, `reason`, `outcome`): pick any exporter.
//!
//! What to alert on, with queries and log lines: `docs/operations.md`.
//!
//! # Hooks for code outside the adapters
//! A durable inbox (or your own code) reports what only it knows with [`record_duplicate`],
//! [`record_accept_time`], [`record_inbox_depth`] and [`record_dead_letters`]. They are always
//! available and do nothing without feature `metrics` (or `tracing`), so callers need no `cfg`.
//!
//! ```
//! use std::time::Duration;
//! use delivery_webhooks::{Provider, telemetry};
//!
//! // In an inbox: a retry of a delivery already stored, and how long storing took.
//! telemetry::record_duplicate(Provider::Wakilni);
//! telemetry::record_accept_time(Provider::Wakilni, Duration::from_millis(3));
//! // In its worker, after each poll.
//! telemetry::record_inbox_depth(12);
//! telemetry::record_dead_letters(0);
//! ```

use std::future::Future;
use std::time::Duration;
#[cfg(any(feature = "tracing", feature = "metrics"))]
use std::time::Instant;

use crate::any::AnyDelivery;
use crate::delivery::{Delivery, Provider, Receive};
use crate::error::{Error, Result};
use crate::outcome::HandlerError;
use crate::request::Request;
use parse::unwinding;
pub(crate) use parse::{Parsed, Parser};

mod health;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
#[cfg_attr(not(adapter), allow(dead_code))]
pub mod metrics;
mod parse;
#[cfg(feature = "tracing")]
#[cfg_attr(not(adapter), allow(dead_code))]
mod tracing;

pub use health::{Health, HealthReport, HealthWarning, ProviderHealth, default_cutoff};

/// Reports a duplicate: a delivery whose [`DedupKey`](crate::DedupKey) was already accepted
/// (a provider's retry). For the inbox, which alone knows; counted in
/// `delivery_webhooks_duplicates_total{provider}`. Does nothing without feature `metrics` or
/// `tracing`.
#[cfg_attr(
    not(any(feature = "metrics", feature = "tracing")),
    allow(unused_variables)
)]
pub fn record_duplicate(provider: Provider) {
    #[cfg(feature = "metrics")]
    metrics::duplicate(provider);
    #[cfg(feature = "tracing")]
    tracing::duplicate(provider);
}

/// Reports how long accepting a delivery took (storing it in the inbox, say): the histogram
/// `delivery_webhooks_accept_seconds{provider}`. Does nothing without feature `metrics`.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub fn record_accept_time(provider: Provider, time: Duration) {
    #[cfg(feature = "metrics")]
    metrics::accept_time(provider, time);
}

/// Reports how many deliveries wait in the inbox for a worker, all providers together: the
/// gauge `delivery_webhooks_inbox_depth`. The inbox's `Worker` reports it as it polls. Does
/// nothing without feature `metrics`.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub fn record_inbox_depth(depth: u64) {
    #[cfg(feature = "metrics")]
    metrics::inbox_depth(depth);
}

/// Reports how many deliveries the inbox gave up on (dead letters), in all: the gauge
/// `delivery_webhooks_dead_letters`. Does nothing without feature `metrics`.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub fn record_dead_letters(count: u64) {
    #[cfg(feature = "metrics")]
    metrics::dead_letters(count);
}

/// Reports that the inbox could not store a verified delivery (answered 503): counted in
/// `delivery_webhooks_rejected_total{provider, reason="store"}`, and an `error` event with the
/// cause (never a secret: the database's error).
#[cfg(feature = "inbox")]
#[cfg_attr(
    not(any(feature = "metrics", feature = "tracing")),
    allow(unused_variables)
)]
#[cfg_attr(not(all(adapter, any_provider)), allow(dead_code))]
pub(crate) fn record_store_failure(provider: Provider, error: &dyn std::fmt::Display) {
    #[cfg(feature = "metrics")]
    metrics::rejected(provider, "store");
    #[cfg(feature = "tracing")]
    ::tracing::error!(
        provider = provider.as_str(),
        error = %error,
        "inbox: could not store a delivery; answered 503 with Retry-After"
    );
}

/// Reports that the inbox worker's handler failed an item (`Err`, a panic, a timeout): a `warn`
/// event with the item's provider, dedup key, attempt and the handler's error, the same event a
/// router's handler failure gives.
#[cfg(feature = "inbox")]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn record_handler_failure(key: &crate::delivery::DedupKey, attempt: u32, error: &str) {
    #[cfg(feature = "tracing")]
    tracing::handler_failed(key, attempt, error);
}

#[cfg_attr(not(adapter), allow(dead_code))]
/// The span a delivery's work runs in (a unit without feature `tracing`).
#[derive(Clone)]
pub(crate) struct SpanHandle(#[cfg(feature = "tracing")] ::tracing::Span);

#[cfg_attr(not(adapter), allow(dead_code))]
/// Runs `future` inside `span`. Without feature `tracing` this is `future` itself: no wrapper
/// future, whose every move would copy the request's whole state.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn instrument<F: Future>(
    span: SpanHandle,
    future: F,
) -> impl Future<Output = F::Output> {
    #[cfg(feature = "tracing")]
    {
        ::tracing::Instrument::instrument(future, span.0)
    }
    #[cfg(not(feature = "tracing"))]
    {
        future
    }
}

/// Measures a step's time for the span and the metrics; without either feature it reads no
/// clock at all (a clock read is a visible part of a request's cost).
#[cfg_attr(not(adapter), allow(dead_code))]
pub(crate) struct Stopwatch(#[cfg(any(feature = "tracing", feature = "metrics"))] Instant);

#[cfg_attr(not(adapter), allow(dead_code))]
impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self(
            #[cfg(any(feature = "tracing", feature = "metrics"))]
            Instant::now(),
        )
    }

    /// The time since [`start`](Self::start); zero without `tracing` and `metrics`.
    pub(crate) fn elapsed(&self) -> Duration {
        #[cfg(any(feature = "tracing", feature = "metrics"))]
        {
            self.0.elapsed()
        }
        #[cfg(not(any(feature = "tracing", feature = "metrics")))]
        {
            Duration::ZERO
        }
    }
}

#[cfg_attr(not(adapter), allow(dead_code))]
/// Follows one request through a framework adapter: the span, the metrics and the health
/// record, in one place, so that the adapters stay thin.
pub(crate) struct Observer {
    provider: Provider,
    health: Option<Health>,
    /// Whether a failure of this request is one the provider sees (see [`Health`]).
    counts: bool,
    #[cfg(feature = "tracing")]
    span: ::tracing::Span,
}

#[cfg_attr(not(adapter), allow(dead_code))]
impl Observer {
    /// Starts following a request at `provider`'s endpoint; with `health`, its outcome is
    /// recorded there.
    pub(crate) fn new(provider: Provider, health: Option<Health>) -> Self {
        Self {
            provider,
            health,
            counts: false,
            #[cfg(feature = "tracing")]
            span: tracing::span(provider),
        }
    }

    pub(crate) fn span(&self) -> SpanHandle {
        SpanHandle(
            #[cfg(feature = "tracing")]
            self.span.clone(),
        )
    }

    /// `receiver.verify_head(head)`, before the body is read. A refusal here is an
    /// unauthenticated or misaddressed request (it never counts towards health), or a
    /// receiver-side error (500, which does).
    pub(crate) fn verify_head<R: Receive + ?Sized>(
        &mut self,
        receiver: &R,
        head: &Request<'_>,
    ) -> Result<()> {
        let started = Stopwatch::start();
        let checked = unwinding(|| receiver.verify_head(head));
        if let Err(err) = &checked {
            self.counts = err.status_code() == 500;
            // A refusal here is the whole of the receiver's work on this request.
            let time = started.elapsed();
            #[cfg(feature = "tracing")]
            tracing::receive_failed(&self.span, time);
            #[cfg(feature = "metrics")]
            metrics::receive_time(self.provider, "rejected", time);
            #[cfg(not(any(feature = "tracing", feature = "metrics")))]
            let _ = time;
        }
        checked
    }

    /// `receiver.receive(request)`, timed. When it fails for a reason other than
    /// authentication and health is recorded, the request is verified again to learn whether
    /// it came from the provider (only then does the failure count): this costs a forger at
    /// most one more check, and a genuine delivery nothing.
    pub(crate) fn receive<R: Receive + ?Sized>(
        &mut self,
        receiver: &R,
        request: &Request<'_>,
    ) -> Result<Delivery<R::Payload>> {
        let parsed = self.parser().parse(receiver, request);
        self.record(parsed)
    }

    /// What [`receive`](Self::receive) needs to parse on another thread; its result goes back
    /// to [`record`](Self::record).
    pub(crate) fn parser(&self) -> Parser {
        Parser {
            rechecks: self.health.is_some(),
            #[cfg(feature = "tracing")]
            span: self.span(),
        }
    }

    /// Records a [`Parser::parse`]'s outcome and passes its result through.
    pub(crate) fn record<P>(&mut self, parsed: Parsed<P>) -> Result<Delivery<P>> {
        let Parsed {
            result,
            time,
            from_provider,
        } = parsed;
        match &result {
            Ok(delivery) => {
                self.counts = true;
                #[cfg(feature = "tracing")]
                tracing::received(&self.span, &delivery.dedup_key, delivery.attempt, time);
                #[cfg(not(feature = "tracing"))]
                let _ = delivery;
            }
            Err(err) => {
                self.counts = err.status_code() == 500 || from_provider;
                #[cfg(feature = "tracing")]
                {
                    tracing::receive_failed(&self.span, time);
                    if self.health.is_some() {
                        tracing::authenticated(&self.span, self.counts);
                    }
                }
            }
        }
        #[cfg(feature = "metrics")]
        metrics::receive_time(
            self.provider,
            if result.is_ok() {
                "accepted"
            } else {
                "rejected"
            },
            time,
        );
        #[cfg(not(feature = "metrics"))]
        let _ = time;
        result
    }

    /// Records how a call without a handler of the adapter's ended (an extractor's): accepted
    /// with its reply's status, or rejected; `received` passes through.
    pub(crate) fn conclude<P>(self, received: Result<Delivery<P>>) -> Result<Delivery<P>> {
        match &received {
            Ok(delivery) => self.accepted(delivery.reply.status_code()),
            Err(err) => self.rejected(err),
        }
        received
    }

    /// The request was refused with `err` (by the body reader or by the verifier).
    pub(crate) fn rejected(self, err: &Error) {
        #[cfg(feature = "tracing")]
        tracing::rejected(&self.span, err, self.counts);
        #[cfg(feature = "metrics")]
        {
            metrics::outcome(self.provider, "rejected");
            metrics::rejected(self.provider, err.reason());
        }
        if let (true, Some(health)) = (self.counts, &self.health) {
            health.record_failure(self.provider, &err.to_string());
        }
    }

    /// Records the handler's outcome, `handled` after `started`. (Not a wrapper around the
    /// handler's future: each layer of future would copy the delivery once more.)
    /// The handler's error is logged (feature `tracing`), never sent to the provider.
    pub(crate) fn handled(
        self,
        reply_status: u16,
        outcome: Result<(), HandlerError>,
        started: &Stopwatch,
    ) -> bool {
        let handled = outcome.is_ok();
        let time = started.elapsed();
        #[cfg(feature = "tracing")]
        tracing::handler_time(&self.span, time);
        #[cfg(feature = "metrics")]
        metrics::handler_time(
            self.provider,
            if handled { "accepted" } else { "failed" },
            time,
        );
        #[cfg(not(feature = "metrics"))]
        let _ = time;
        if handled {
            self.accepted(reply_status);
        } else {
            #[cfg(feature = "tracing")]
            if let Err(err) = &outcome {
                tracing::not_handled(&self.span, err);
            }
            #[cfg(feature = "metrics")]
            {
                metrics::outcome(self.provider, "failed");
                metrics::handler_failure(self.provider);
            }
            if let Some(health) = &self.health {
                health.record_failure(
                    self.provider,
                    "the handler did not take care of the delivery (answered 500)",
                );
            }
        }
        handled
    }

    /// The delivery was verified and parsed, but the inbox could not store it (answered 503):
    /// a receiver-side failure the provider sees, so it counts towards health.
    #[cfg(feature = "inbox")]
    #[cfg_attr(not(all(adapter, any_provider)), allow(dead_code))]
    pub(crate) fn not_stored(self) {
        #[cfg(feature = "tracing")]
        tracing::not_stored(&self.span);
        #[cfg(feature = "metrics")]
        metrics::outcome(self.provider, "failed");
        if let Some(health) = &self.health {
            health.record_failure(
                self.provider,
                "the inbox could not store the delivery (answered 503)",
            );
        }
    }

    /// The delivery was verified and parsed and, where a handler runs, taken care of.
    pub(crate) fn accepted(self, reply_status: u16) {
        #[cfg(feature = "tracing")]
        tracing::accepted(&self.span, reply_status);
        #[cfg(feature = "metrics")]
        metrics::outcome(self.provider, "accepted");
        #[cfg(not(feature = "tracing"))]
        let _ = reply_status;
        if let Some(health) = &self.health {
            if (200..300).contains(&reply_status) {
                health.record_success(self.provider);
            }
        }
    }
}

#[cfg_attr(not(all(adapter, any_provider)), allow(dead_code))]
/// Counts what `delivery` carries that this crate does not know: an unknown event (Wakilni's
/// `EventData::Unknown`, a Skladon webhook type it does not know) and status updates outside
/// the common model ([`ShipmentStatus::Other`](crate::ShipmentStatus::Other)), into the current span and the
/// `delivery_webhooks_unknown_*` counters. Does nothing without feature `metrics` or
/// `tracing`; the ready receivers call it for every delivery.
#[cfg_attr(
    not(any(feature = "metrics", feature = "tracing")),
    allow(unused_variables)
)]
pub(crate) fn inspect(delivery: &AnyDelivery) {
    #[cfg(any(feature = "metrics", feature = "tracing"))]
    {
        let (events, statuses) = unknowns(delivery);
        #[cfg(feature = "metrics")]
        metrics::unknown(delivery.provider(), events, statuses);
        #[cfg(feature = "tracing")]
        tracing::unknown(&::tracing::Span::current(), events, statuses);
    }
}

/// The unknown events (0 or 1) and unknown statuses of a delivery.
#[cfg(any(feature = "metrics", feature = "tracing"))]
#[cfg_attr(not(all(adapter, any_provider)), allow(dead_code))]
fn unknowns(delivery: &AnyDelivery) -> (u64, u64) {
    let statuses = delivery
        .status_updates()
        .iter()
        .filter(|u| u.status.is_other())
        .count();
    #[allow(unreachable_patterns, clippy::match_single_binding)]
    let event = match delivery {
        #[cfg(feature = "wakilni")]
        AnyDelivery::Wakilni(d) => {
            matches!(d.payload.data, crate::wakilni::EventData::Unknown { .. })
        }
        #[cfg(feature = "skladon")]
        AnyDelivery::Skladon(d) => d.payload.webhook_type().is_other(),
        _ => false,
    };
    (
        u64::from(event),
        u64::try_from(statuses).unwrap_or(u64::MAX),
    )
}
