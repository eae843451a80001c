//! [`Health`]: consecutive failures per provider, a warning before the provider gives up on the
//! endpoint, and a [`HealthReport`] to expose.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::delivery::Provider;

/// The number of consecutive failed deliveries after which `provider` stops calling, as its
/// documentation says, or this crate's conservative choice where it says nothing.
///
/// | provider | cut-off | source |
/// |---|---|---|
/// | Wakilni | 5 | not documented: a conservative choice |
/// | Peddler | 3 | older versions of Peddler's docs: "up to 3 attempts" |
/// | Xoxoday | 3 | Xoxoday disables the webhook after three failed attempts |
/// | isendu | 5 | not documented for batches: a conservative choice (a failed handshake invalidates the URL at once) |
/// | Skladon | 20 | up to 20 retries over 48 hours, then the webhook is deactivated (counted as 20 attempts, to warn early) |
///
/// ```
/// use delivery_webhooks::{Provider, telemetry};
///
/// assert_eq!(telemetry::default_cutoff(Provider::Xoxoday), 3);
/// assert_eq!(telemetry::default_cutoff(Provider::Skladon), 20);
/// ```
#[must_use]
pub const fn default_cutoff(provider: Provider) -> u32 {
    match provider {
        Provider::Wakilni | Provider::Isendu => 5,
        Provider::Peddler | Provider::Xoxoday => 3,
        Provider::Skladon => 20,
    }
}

/// The count of consecutive failures at which a provider is at risk: one less than its
/// cut-off (1 for a cut-off of 1).
const fn warn_at(cutoff: u32) -> u32 {
    if cutoff > 1 { cutoff - 1 } else { 1 }
}

/// The health of the webhook endpoint as each provider sees it: how many deliveries in a row
/// it was answered a failure, and whether it is about to give up on the endpoint.
///
/// Providers retry a failed delivery, then disable the endpoint (Xoxoday after 3 failed
/// attempts, Skladon after 20 retries): from then on nothing arrives, silently. `Health` counts
/// consecutive failures per provider and warns when the count reaches one less than the
/// provider's cut-off ([`default_cutoff`]), through a `tracing` warning (feature `tracing`), the
/// `delivery_webhooks_at_risk` gauge (feature `metrics`) and the callbacks given to
/// [`on_warning`](Health::on_warning). Any success resets the count.
///
/// **What counts as a failure** is a non-2xx answer to a request that came from the provider:
/// - a request that passed authentication, then failed: a payload the crate cannot read (400),
///   a Skladon type or id it does not know (404), or a handler that did not take care of the
///   delivery (500);
/// - a receiver-side error (500: a secret that cannot work, a missing peer address): every
///   request fails then, the provider's too.
///
/// A request that fails authentication (401, 403) does not count, nor one refused before its
/// body could be checked (413, an incomplete body, a wrong method or URL): anyone can send
/// those, and a forger must not be able to make a healthy endpoint look at risk. They are
/// counted by the `delivery_webhooks_rejected_total` metric instead.
///
/// The ready receivers (axum's [`router`][axum-router], actix's [`router`][actix-router]) record every delivery into [`Config::health`](crate::Config);
/// in a route of your own, call [`record_success`](Health::record_success) and
/// [`record_failure`](Health::record_failure). `Health` is cheap to clone (an `Arc`), and every
/// clone shares the same counts: keep one to serve [`report`](Health::report).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use delivery_webhooks::Provider;
/// use delivery_webhooks::telemetry::Health;
///
/// let warnings = Arc::new(Mutex::new(Vec::new()));
/// let seen = Arc::clone(&warnings);
/// let health = Health::new().on_warning(move |w| seen.lock().unwrap().push(w.consecutive_failures));
///
/// health.record_failure(Provider::Xoxoday, "malformed payload at `data`");
/// assert!(!health.provider(Provider::Xoxoday).at_risk);
/// health.record_failure(Provider::Xoxoday, "malformed payload at `data`");
/// // Xoxoday disables the webhook after 3 failures: the 2nd is the warning.
/// assert!(health.provider(Provider::Xoxoday).at_risk);
/// assert_eq!(*warnings.lock().unwrap(), [2]);
///
/// health.record_success(Provider::Xoxoday);
/// assert_eq!(health.provider(Provider::Xoxoday).consecutive_failures, 0);
/// let json = serde_json::to_value(health.report())?;
/// assert_eq!(json["at_risk"], false);
/// assert_eq!(json["providers"][0]["provider"], "xoxoday");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[doc = ""]
#[cfg_attr(feature = "axum", doc = "[axum-router]: crate::axum::router")]
#[cfg_attr(not(feature = "axum"), doc = "[axum-router]: crate#features")]
#[cfg_attr(feature = "actix", doc = "[actix-router]: crate::actix::router")]
#[cfg_attr(not(feature = "actix"), doc = "[actix-router]: crate#features")]
#[derive(Clone)]
pub struct Health {
    inner: Arc<Inner>,
}

type Callback = Arc<dyn Fn(&HealthWarning) + Send + Sync>;

struct Inner {
    slots: [Slot; 5],
    callbacks: Mutex<Vec<Callback>>,
}

struct Slot {
    /// Listed in the report: mounted by a ready receiver, or recorded at least once.
    watched: AtomicBool,
    cutoff: AtomicU32,
    /// A credential shorter than 16 bytes is configured: [`Health::flag_short_credential`].
    short_credential: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    consecutive: u32,
    successes: u64,
    failures: u64,
    last_success: Option<SystemTime>,
    last_failure: Option<SystemTime>,
    last_error: Option<String>,
}

/// The most bytes of a failure reason kept.
const MAX_REASON: usize = 512;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A callback or a caller that panicked leaves counts that are still meaningful.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn index(provider: Provider) -> usize {
    match provider {
        Provider::Wakilni => 0,
        Provider::Peddler => 1,
        Provider::Xoxoday => 2,
        Provider::Isendu => 3,
        Provider::Skladon => 4,
    }
}

impl Default for Health {
    fn default() -> Self {
        Self::new()
    }
}

impl Health {
    /// Every provider at its [`default_cutoff`], no failure yet, no callback.
    #[must_use]
    pub fn new() -> Self {
        let slot = |provider| Slot {
            watched: AtomicBool::new(false),
            cutoff: AtomicU32::new(default_cutoff(provider)),
            short_credential: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        };
        Self {
            inner: Arc::new(Inner {
                slots: Provider::ALL.map(slot),
                callbacks: Mutex::new(Vec::new()),
            }),
        }
    }

    fn slot(&self, provider: Provider) -> &Slot {
        &self.inner.slots[index(provider)]
    }

    /// Sets `provider`'s cut-off (at least 1): the warning comes at one failure less. For every
    /// clone of this `Health`.
    #[must_use]
    pub fn cutoff(self, provider: Provider, cutoff: u32) -> Self {
        self.slot(provider)
            .cutoff
            .store(cutoff.max(1), Ordering::Relaxed);
        self
    }

    /// Calls `callback` when a provider becomes at risk (its count of consecutive failures
    /// reaches one less than its cut-off) and again when it reaches the cut-off
    /// ([`HealthWarning::likely_disabled`]). Once each per run of failures; called on the
    /// thread that recorded the failure, so keep it short (send to a channel, page someone).
    /// For every clone of this `Health`.
    #[must_use]
    pub fn on_warning(self, callback: impl Fn(&HealthWarning) + Send + Sync + 'static) -> Self {
        lock(&self.inner.callbacks).push(Arc::new(callback));
        self
    }

    /// Lists `provider` in the [`report`](Health::report) before anything is recorded for it
    /// (the ready receivers do it for every provider they mount).
    pub fn watch(&self, provider: Provider) {
        self.slot(provider).watched.store(true, Ordering::Relaxed);
    }

    /// Records that `provider`'s credential, named by `setting` (its environment variable, such
    /// as `PEDDLER_WEBHOOK_TOKEN`), is shorter than 16 bytes: one the provider issues or an
    /// account already uses keeps working, but could be guessed. The report shows
    /// [`ProviderHealth::short_credential`]; with feature `tracing`, a warning event names the
    /// setting (never its value), once per provider for every clone of this `Health`.
    /// [`Config`](crate::Config) calls it when it is built.
    pub fn flag_short_credential(&self, provider: Provider, setting: &str) {
        let slot = self.slot(provider);
        slot.watched.store(true, Ordering::Relaxed);
        let first = !slot.short_credential.swap(true, Ordering::Relaxed);
        #[cfg(feature = "tracing")]
        if first {
            super::tracing::short_credential(provider, setting);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (first, setting);
    }

    /// Records a delivery of `provider`'s answered with a success: the count of consecutive
    /// failures starts again from zero.
    pub fn record_success(&self, provider: Provider) {
        let slot = self.slot(provider);
        slot.watched.store(true, Ordering::Relaxed);
        let mut state = lock(&slot.state);
        state.consecutive = 0;
        state.successes += 1;
        state.last_success = Some(SystemTime::now());
        drop(state);
        publish(provider, 0, slot.cutoff.load(Ordering::Relaxed));
    }

    /// Records a delivery of `provider`'s answered with a failure the provider will see (see
    /// [`Health`] for what should count), and why: a short text that must not contain a secret
    /// (an [`Error`](crate::Error)'s `Display` never does). Warns when the provider becomes at
    /// risk.
    pub fn record_failure(&self, provider: Provider, reason: &str) {
        let slot = self.slot(provider);
        slot.watched.store(true, Ordering::Relaxed);
        let cutoff = slot.cutoff.load(Ordering::Relaxed);
        let mut state = lock(&slot.state);
        state.consecutive = state.consecutive.saturating_add(1);
        state.failures += 1;
        state.last_failure = Some(SystemTime::now());
        match &mut state.last_error {
            Some(last) if last == reason => {}
            last => *last = Some(bounded(reason)),
        }
        let consecutive = state.consecutive;
        let warning =
            (consecutive == warn_at(cutoff) || consecutive == cutoff).then(|| HealthWarning {
                provider,
                consecutive_failures: consecutive,
                cutoff,
                likely_disabled: consecutive >= cutoff,
                last_error: state.last_error.clone().unwrap_or_default(),
            });
        drop(state);
        publish(provider, consecutive, cutoff);
        if let Some(warning) = warning {
            warn(&warning);
            let callbacks = lock(&self.inner.callbacks).clone();
            for callback in callbacks {
                callback(&warning);
            }
        }
    }

    /// The health of one provider now.
    #[must_use]
    pub fn provider(&self, provider: Provider) -> ProviderHealth {
        let slot = self.slot(provider);
        let cutoff = slot.cutoff.load(Ordering::Relaxed);
        let state = lock(&slot.state);
        ProviderHealth {
            provider,
            consecutive_failures: state.consecutive,
            cutoff,
            warn_at: warn_at(cutoff),
            at_risk: state.consecutive >= warn_at(cutoff),
            likely_disabled: state.consecutive >= cutoff,
            short_credential: slot.short_credential.load(Ordering::Relaxed),
            successes: state.successes,
            failures: state.failures,
            last_success: state.last_success.map(OffsetDateTime::from),
            last_failure: state.last_failure.map(OffsetDateTime::from),
            last_error: state.last_error.clone(),
        }
    }

    /// The health of every watched provider (mounted by a ready receiver, or with anything
    /// recorded), in [`Provider::ALL`]'s order: what to serve on a status endpoint. It
    /// serializes to JSON (see [`HealthReport`]).
    #[must_use]
    pub fn report(&self) -> HealthReport {
        let providers: Vec<ProviderHealth> = Provider::ALL
            .into_iter()
            .filter(|p| self.slot(*p).watched.load(Ordering::Relaxed))
            .map(|p| self.provider(p))
            .collect();
        HealthReport {
            at_risk: providers.iter().any(|p| p.at_risk),
            providers,
        }
    }
}

impl fmt::Debug for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_map();
        for p in Provider::ALL {
            let slot = self.slot(p);
            let consecutive = lock(&slot.state).consecutive;
            d.entry(&p.as_str(), &consecutive);
        }
        d.finish()
    }
}

/// Keeps the start of a long reason only.
fn bounded(reason: &str) -> String {
    if reason.len() <= MAX_REASON {
        return reason.to_owned();
    }
    let mut end = MAX_REASON;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... (truncated)", &reason[..end])
}

/// The health gauges, with feature `metrics`.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
fn publish(provider: Provider, consecutive: u32, cutoff: u32) {
    #[cfg(feature = "metrics")]
    super::metrics::health(provider, consecutive, warn_at(cutoff));
}

/// The warning event, with feature `tracing`.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn warn(warning: &HealthWarning) {
    #[cfg(feature = "tracing")]
    super::tracing::health_warning(
        warning.provider,
        warning.consecutive_failures,
        warning.cutoff,
        warning.likely_disabled,
        &warning.last_error,
    );
}

/// A provider became at risk of disabling the endpoint, or has likely done so: what
/// [`Health::on_warning`]'s callbacks receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HealthWarning {
    /// Which provider.
    pub provider: Provider,
    /// Its deliveries answered with a failure in a row.
    pub consecutive_failures: u32,
    /// After how many the provider stops calling.
    pub cutoff: u32,
    /// Whether the cut-off is reached: the provider has likely disabled the endpoint, and it
    /// must be re-enabled in the provider's dashboard once the cause is fixed.
    pub likely_disabled: bool,
    /// Why the last delivery failed (never a secret).
    pub last_error: String,
}

/// One provider's health: a part of [`HealthReport`], or [`Health::provider`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProviderHealth {
    /// Which provider.
    pub provider: Provider,
    /// Its deliveries answered with a failure since the last success.
    pub consecutive_failures: u32,
    /// After how many consecutive failures the provider stops calling.
    pub cutoff: u32,
    /// The count at which it is at risk: one less than `cutoff`.
    pub warn_at: u32,
    /// Whether `consecutive_failures` reached `warn_at`: fix the cause now.
    pub at_risk: bool,
    /// Whether `consecutive_failures` reached `cutoff`: the endpoint is likely disabled.
    pub likely_disabled: bool,
    /// Whether a configured credential is shorter than 16 bytes
    /// ([`Health::flag_short_credential`]): it works, but replace it with a long random one
    /// when the provider lets you.
    pub short_credential: bool,
    /// Deliveries answered with a success since start.
    pub successes: u64,
    /// Deliveries answered with a failure since start (see [`Health`]).
    pub failures: u64,
    /// When the last success was answered (RFC 3339, UTC).
    #[serde(serialize_with = "rfc3339")]
    pub last_success: Option<OffsetDateTime>,
    /// When the last failure was answered (RFC 3339, UTC).
    #[serde(serialize_with = "rfc3339")]
    pub last_failure: Option<OffsetDateTime>,
    /// Why the last failure happened (never a secret).
    pub last_error: Option<String>,
}

/// The health of every watched provider: [`Health::report`].
///
/// ```json
/// {"at_risk": true, "providers": [{"provider": "xoxoday", "consecutive_failures": 2,
///   "cutoff": 3, "warn_at": 2, "at_risk": true, "likely_disabled": false,
///   "short_credential": false, "successes": 40,
///   "failures": 2, "last_success": "2025-01-06T09:12:03.123Z",
///   "last_failure": "2025-01-06T09:30:41.5Z",
///   "last_error": "malformed payload at `data.orderId`: invalid type: ..."}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HealthReport {
    /// Whether any provider is at risk: answer a status endpoint with 503 then, say.
    pub at_risk: bool,
    /// One entry per watched provider.
    pub providers: Vec<ProviderHealth>,
}

fn rfc3339<S: Serializer>(time: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match time {
        Some(t) => s.serialize_str(&t.format(&Rfc3339).map_err(serde::ser::Error::custom)?),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_once_at_risk_and_once_at_the_cutoff_then_resets() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let health = Health::new()
            .cutoff(Provider::Wakilni, 4)
            .on_warning(move |w| sink.lock().unwrap().push(w.clone()));
        for _ in 0..6 {
            health.record_failure(Provider::Wakilni, "malformed payload at `data`");
        }
        let seen_now = seen.lock().unwrap().clone();
        assert_eq!(seen_now.len(), 2);
        assert_eq!(
            (
                seen_now[0].consecutive_failures,
                seen_now[0].likely_disabled
            ),
            (3, false)
        );
        assert_eq!(
            (
                seen_now[1].consecutive_failures,
                seen_now[1].likely_disabled
            ),
            (4, true)
        );
        let p = health.provider(Provider::Wakilni);
        assert!(p.at_risk && p.likely_disabled);
        assert_eq!((p.failures, p.successes), (6, 0));
        health.record_success(Provider::Wakilni);
        let p = health.provider(Provider::Wakilni);
        assert!(!p.at_risk && p.last_success.is_some());
        assert_eq!(p.last_error.as_deref(), Some("malformed payload at `data`"));
        // A new run of failures warns again.
        for _ in 0..3 {
            health.record_failure(Provider::Wakilni, "x");
        }
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[test]
    fn report_lists_watched_providers_and_serializes() {
        let health = Health::new();
        assert!(health.report().providers.is_empty());
        health.watch(Provider::Skladon);
        health.record_failure(Provider::Peddler, &"x".repeat(2000));
        let report = health.report();
        let names: Vec<_> = report.providers.iter().map(|p| p.provider).collect();
        assert_eq!(names, [Provider::Peddler, Provider::Skladon]);
        let json = serde_json::to_value(&report).unwrap();
        assert!(
            json["providers"][0]["last_failure"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        assert_eq!(
            json["providers"][1]["last_failure"],
            serde_json::Value::Null
        );
        assert!(json["providers"][0]["last_error"].as_str().unwrap().len() < 600);
        assert_eq!(json["providers"][1]["cutoff"], 20);
        let clone = health.clone();
        clone.record_failure(Provider::Peddler, "y");
        assert_eq!(health.provider(Provider::Peddler).consecutive_failures, 2);
        assert!(health.report().at_risk);
        assert!(format!("{health:?}").contains("peddler"));
    }

    #[test]
    fn a_short_credential_is_flagged_in_the_report() {
        let health = Health::new();
        assert!(!health.provider(Provider::Peddler).short_credential);
        health.flag_short_credential(Provider::Peddler, "PEDDLER_WEBHOOK_TOKEN");
        health.flag_short_credential(Provider::Peddler, "PEDDLER_WEBHOOK_TOKEN");
        let report = health.report();
        assert_eq!(report.providers.len(), 1);
        assert!(report.providers[0].short_credential && !report.at_risk);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["providers"][0]["short_credential"], true);
    }

    #[test]
    fn a_cutoff_of_one_warns_at_the_first_failure() {
        let health = Health::new().cutoff(Provider::Isendu, 0);
        health.record_failure(Provider::Isendu, "x");
        let p = health.provider(Provider::Isendu);
        assert_eq!((p.cutoff, p.warn_at), (1, 1));
        assert!(p.at_risk && p.likely_disabled);
    }
}
