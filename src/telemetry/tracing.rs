//! The span and events the crate emits through `tracing` (feature `tracing`).

use std::time::Duration;

use tracing::field::Empty;
use tracing::{Span, debug, error, info, info_span, warn};

use crate::delivery::{DedupKey, Provider};
use crate::error::Error;
use crate::outcome::HandlerError;

/// The span of one delivery: every field but `provider` is filled in as it becomes known.
pub(crate) fn span(provider: Provider) -> Span {
    info_span!(
        target: "delivery_webhooks",
        "webhook_delivery",
        provider = provider.as_str(),
        dedup_key = Empty,
        attempt = Empty,
        outcome = Empty,
        status = Empty,
        reason = Empty,
        error = Empty,
        authenticated = Empty,
        receive_us = Empty,
        handler_us = Empty,
        unknown_events = Empty,
        unknown_statuses = Empty,
    )
}

fn micros(time: Duration) -> u64 {
    u64::try_from(time.as_micros()).unwrap_or(u64::MAX)
}

pub(crate) fn received(span: &Span, key: &DedupKey, attempt: Option<u32>, time: Duration) {
    span.record("dedup_key", key.as_str());
    if let Some(attempt) = attempt {
        span.record("attempt", attempt);
    }
    span.record("receive_us", micros(time));
}

pub(crate) fn receive_failed(span: &Span, time: Duration) {
    span.record("receive_us", micros(time));
}

pub(crate) fn authenticated(span: &Span, authenticated: bool) {
    span.record("authenticated", authenticated);
}

pub(crate) fn handler_time(span: &Span, time: Duration) {
    span.record("handler_us", micros(time));
}

#[cfg_attr(not(all(adapter, any_provider)), allow(dead_code))]
pub(crate) fn unknown(span: &Span, events: u64, statuses: u64) {
    span.record("unknown_events", events);
    span.record("unknown_statuses", statuses);
    if events > 0 || statuses > 0 {
        warn!(
            target: "delivery_webhooks",
            unknown_events = events,
            unknown_statuses = statuses,
            "delivery carries events or statuses this crate does not know: kept verbatim"
        );
    }
}

/// A refusal: a warning when the provider sees a failure that counts towards its health,
/// information otherwise (anyone can send a forged request; they must not flood the logs).
pub(crate) fn rejected(span: &Span, err: &Error, counts: bool) {
    span.record("outcome", "rejected");
    span.record("status", err.status_code());
    span.record("reason", err.reason());
    span.record("error", tracing::field::display(err));
    if counts {
        warn!(target: "delivery_webhooks", status = err.status_code(), reason = err.reason(), error = %err, "delivery rejected");
    } else {
        info!(target: "delivery_webhooks", status = err.status_code(), reason = err.reason(), error = %err, "request rejected");
    }
}

pub(crate) fn accepted(span: &Span, status: u16) {
    span.record("outcome", "accepted");
    span.record("status", status);
    info!(target: "delivery_webhooks", status, "delivery accepted");
}

pub(crate) fn not_handled(span: &Span, err: &HandlerError) {
    span.record("outcome", "failed");
    span.record("status", 500u16);
    span.record("reason", "handler");
    span.record("error", tracing::field::display(err));
    warn!(target: "delivery_webhooks", status = 500u16, reason = "handler", error = %err, "the handler did not take care of the delivery: answered 500");
}

/// The inbox worker's handler failed an item: the worker runs outside any request's span, so
/// the event carries what identifies the delivery.
#[cfg(feature = "inbox")]
pub(crate) fn handler_failed(key: &DedupKey, attempt: u32, err: &str) {
    warn!(
        target: "delivery_webhooks",
        provider = key.provider().as_str(),
        dedup_key = key.as_str(),
        attempt,
        reason = "handler",
        error = %err,
        "the handler did not take care of the delivery: the inbox retries it later"
    );
}

#[cfg(feature = "inbox")]
pub(crate) fn not_stored(span: &Span) {
    span.record("outcome", "failed");
    span.record("status", 503u16);
    span.record("reason", "store");
}

pub(crate) fn duplicate(provider: Provider) {
    debug!(target: "delivery_webhooks", provider = provider.as_str(), "duplicate delivery");
}

pub(crate) fn short_credential(provider: Provider, setting: &str) {
    warn!(
        target: "delivery_webhooks",
        provider = provider.as_str(),
        setting,
        "credential shorter than 16 bytes: it works, but could be guessed; replace it with a long random one when the provider lets you"
    );
}

/// The event of a [`HealthWarning`](super::HealthWarning), given field by field so that this
/// module does not depend on `health` (which calls it).
pub(crate) fn health_warning(
    provider: Provider,
    consecutive_failures: u32,
    cutoff: u32,
    likely_disabled: bool,
    last_error: &str,
) {
    if likely_disabled {
        error!(
            target: "delivery_webhooks",
            provider = provider.as_str(),
            consecutive_failures = consecutive_failures,
            cutoff = cutoff,
            last_error = %last_error,
            "provider has likely disabled the webhook endpoint: fix the cause, then re-enable it in the provider's dashboard"
        );
    } else {
        warn!(
            target: "delivery_webhooks",
            provider = provider.as_str(),
            consecutive_failures = consecutive_failures,
            cutoff = cutoff,
            last_error = %last_error,
            "provider is about to disable the webhook endpoint: one more failure reaches its cut-off"
        );
    }
}
