//! The metrics the crate records through the `metrics` facade (feature `metrics`).

use std::time::Duration;

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};

use crate::delivery::Provider;

/// Every request that reached a provider's endpoint: label `provider`, and `outcome`
/// (`accepted`, `rejected` or `failed`).
pub const RECEIVED: &str = "delivery_webhooks_received_total";
/// Requests refused with an [`Error`](crate::Error): labels `provider` and `reason`
/// ([`Error::reason`](crate::Error::reason)).
pub const REJECTED: &str = "delivery_webhooks_rejected_total";
/// Deliveries the handler did not take care of (answered 500): label `provider`.
pub const HANDLER_FAILURES: &str = "delivery_webhooks_handler_failures_total";
/// Deliveries seen again (a provider's retry of one already accepted): label `provider`.
pub const DUPLICATES: &str = "delivery_webhooks_duplicates_total";
/// Accepted deliveries of an event this crate does not know: label `provider`.
pub const UNKNOWN_EVENTS: &str = "delivery_webhooks_unknown_events_total";
/// Status updates outside the common model (`ShipmentStatus::Other`): label `provider`.
pub const UNKNOWN_STATUSES: &str = "delivery_webhooks_unknown_statuses_total";
/// Time to verify and parse a request (`Receive::receive`), seconds: labels `provider` and
/// `outcome` (`accepted` or `rejected`).
pub const RECEIVE_SECONDS: &str = "delivery_webhooks_receive_seconds";
/// Time the ready receiver's handler took, seconds: labels `provider` and `outcome`
/// (`accepted` or `failed`).
pub const HANDLER_SECONDS: &str = "delivery_webhooks_handler_seconds";
/// Time to accept a delivery into the inbox, seconds: label `provider`.
pub const ACCEPT_SECONDS: &str = "delivery_webhooks_accept_seconds";
/// Deliveries waiting in the inbox: label `provider`.
pub const INBOX_DEPTH: &str = "delivery_webhooks_inbox_depth";
/// Deliveries the inbox gave up on.
pub const DEAD_LETTERS: &str = "delivery_webhooks_dead_letters";
/// Deliveries answered with a failure in a row ([`Health`](super::Health)): label `provider`.
pub const CONSECUTIVE_FAILURES: &str = "delivery_webhooks_consecutive_failures";
/// 1 while the provider is at risk of disabling the endpoint, else 0: label `provider`.
pub const AT_RISK: &str = "delivery_webhooks_at_risk";

/// Registers the description and unit of every metric with the installed recorder: call it
/// once after installing your exporter, so that it shows `# HELP` lines and units.
pub fn describe() {
    describe_counter!(
        RECEIVED,
        Unit::Count,
        "Requests that reached a provider's webhook endpoint, by outcome."
    );
    describe_counter!(
        REJECTED,
        Unit::Count,
        "Requests refused by the crate, by reason."
    );
    describe_counter!(
        HANDLER_FAILURES,
        Unit::Count,
        "Deliveries the handler did not take care of (answered 500)."
    );
    describe_counter!(
        DUPLICATES,
        Unit::Count,
        "Retries of deliveries already accepted."
    );
    describe_counter!(
        UNKNOWN_EVENTS,
        Unit::Count,
        "Accepted deliveries of an event the crate does not know."
    );
    describe_counter!(
        UNKNOWN_STATUSES,
        Unit::Count,
        "Status updates outside the common status model."
    );
    describe_histogram!(
        RECEIVE_SECONDS,
        Unit::Seconds,
        "Time to verify and parse a request."
    );
    describe_histogram!(
        HANDLER_SECONDS,
        Unit::Seconds,
        "Time the receiver's handler took."
    );
    describe_histogram!(
        ACCEPT_SECONDS,
        Unit::Seconds,
        "Time to accept a delivery into the inbox."
    );
    describe_gauge!(INBOX_DEPTH, Unit::Count, "Deliveries waiting in the inbox.");
    describe_gauge!(
        DEAD_LETTERS,
        Unit::Count,
        "Deliveries the inbox gave up on."
    );
    describe_gauge!(
        CONSECUTIVE_FAILURES,
        Unit::Count,
        "Deliveries answered with a failure in a row."
    );
    describe_gauge!(
        AT_RISK,
        Unit::Count,
        "1 while the provider is at risk of disabling the endpoint."
    );
}

pub(crate) fn outcome(provider: Provider, outcome: &'static str) {
    counter!(RECEIVED, "provider" => provider.as_str(), "outcome" => outcome).increment(1);
}

pub(crate) fn rejected(provider: Provider, reason: &'static str) {
    counter!(REJECTED, "provider" => provider.as_str(), "reason" => reason).increment(1);
}

pub(crate) fn handler_failure(provider: Provider) {
    counter!(HANDLER_FAILURES, "provider" => provider.as_str()).increment(1);
}

pub(crate) fn receive_time(provider: Provider, outcome: &'static str, time: Duration) {
    histogram!(RECEIVE_SECONDS, "provider" => provider.as_str(), "outcome" => outcome)
        .record(time.as_secs_f64());
}

pub(crate) fn handler_time(provider: Provider, outcome: &'static str, time: Duration) {
    histogram!(HANDLER_SECONDS, "provider" => provider.as_str(), "outcome" => outcome)
        .record(time.as_secs_f64());
}

#[cfg_attr(not(all(adapter, any_provider)), allow(dead_code))]
pub(crate) fn unknown(provider: Provider, events: u64, statuses: u64) {
    if events > 0 {
        counter!(UNKNOWN_EVENTS, "provider" => provider.as_str()).increment(events);
    }
    if statuses > 0 {
        counter!(UNKNOWN_STATUSES, "provider" => provider.as_str()).increment(statuses);
    }
}

pub(crate) fn duplicate(provider: Provider) {
    counter!(DUPLICATES, "provider" => provider.as_str()).increment(1);
}

pub(crate) fn accept_time(provider: Provider, time: Duration) {
    histogram!(ACCEPT_SECONDS, "provider" => provider.as_str()).record(time.as_secs_f64());
}

#[allow(
    clippy::cast_precision_loss,
    reason = "a gauge is an f64; depths stay far below 2^53"
)]
pub(crate) fn inbox_depth(depth: u64) {
    gauge!(INBOX_DEPTH).set(depth as f64);
}

#[allow(
    clippy::cast_precision_loss,
    reason = "a gauge is an f64; counts stay far below 2^53"
)]
pub(crate) fn dead_letters(count: u64) {
    gauge!(DEAD_LETTERS).set(count as f64);
}

pub(crate) fn health(provider: Provider, consecutive: u32, warn_at: u32) {
    gauge!(CONSECUTIVE_FAILURES, "provider" => provider.as_str()).set(f64::from(consecutive));
    let at_risk = if consecutive >= warn_at { 1.0 } else { 0.0 };
    gauge!(AT_RISK, "provider" => provider.as_str()).set(at_risk);
}
