//! [`InboxOptions`]: attempts, back-off, batching and the dedup window per provider.

use std::time::Duration;

use crate::delivery::Provider;

/// Settings shared by both backends.
///
/// ```
/// use std::time::Duration;
/// use delivery_webhooks::inbox::InboxOptions;
///
/// let options = InboxOptions::default().max_attempts(5).backoff(Duration::from_secs(2), Duration::from_secs(600));
/// assert_eq!(options.retry_delay(1), Duration::from_secs(2));
/// assert_eq!(options.retry_delay(3), Duration::from_secs(8));
/// assert_eq!(options.retry_delay(30), Duration::from_secs(600));
/// ```
#[derive(Debug, Clone)]
pub struct InboxOptions {
    pub(crate) max_attempts: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) namespace: Option<String>,
    pub(crate) max_batch: usize,
    pub(crate) pool_size: u32,
}

impl Default for InboxOptions {
    /// 10 attempts, back-off from 1 s doubling up to 1 h, batches of up to 256 accepts, a pool
    /// of 8 connections (PostgreSQL), the default namespace.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(3600),
            namespace: None,
            max_batch: 256,
            pool_size: 8,
        }
    }
}

impl InboxOptions {
    /// Attempts before an item goes to the dead letters (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The back-off after a failed attempt: `base` after the first, doubling each time, never
    /// more than `max`.
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// Where the tables live: a PostgreSQL schema (created if missing), or a table name prefix
    /// in SQLite. Several inboxes can share one database under different namespaces (tests do).
    /// Letters, digits and `_` only.
    ///
    /// # Panics
    /// If `namespace` is empty or holds another character.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        assert!(
            !namespace.is_empty()
                && namespace
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "an inbox namespace is letters, digits and _ only"
        );
        self.namespace = Some(namespace);
        self
    }

    /// The most accepts written in one transaction (group commit). At least 1.
    #[must_use]
    pub fn max_batch(mut self, n: usize) -> Self {
        self.max_batch = n.max(1);
        self
    }

    /// Connections to PostgreSQL (at least 2); SQLite always uses one writer connection.
    #[must_use]
    pub fn pool_size(mut self, n: u32) -> Self {
        self.pool_size = n.max(2);
        self
    }

    /// The back-off after failed attempt number `attempts` (1-based).
    #[must_use]
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.backoff_base
            .saturating_mul(1 << doublings)
            .min(self.backoff_max)
    }
}

/// How long an item's dedup key is kept after it was received, at least: longer than the
/// provider goes on retrying, so that a late retry is still a duplicate. [`Inbox::purge`](super::Inbox::purge)
/// never deletes an item inside its window.
///
/// | provider | retries (documented) | window |
/// |---|---|---|
/// | Wakilni | resends the same `event_id`; schedule not documented | 7 days |
/// | Peddler | up to 3 attempts (older docs); schedule not documented | 7 days |
/// | Xoxoday | 3 attempts, then the webhook is disabled | 7 days |
/// | isendu | not documented; the key is a digest of the body | 7 days |
/// | Skladon | up to 20 retries over 48 hours, then deactivated | 4 days |
///
/// ```
/// use std::time::Duration;
/// use delivery_webhooks::{Provider, inbox::dedup_window};
/// assert!(dedup_window(Provider::Skladon) >= Duration::from_secs(48 * 3600));
/// ```
#[must_use]
pub fn dedup_window(provider: Provider) -> Duration {
    const DAY: u64 = 24 * 3600;
    match provider {
        Provider::Skladon => Duration::from_secs(4 * DAY),
        Provider::Wakilni | Provider::Peddler | Provider::Xoxoday | Provider::Isendu => {
            Duration::from_secs(7 * DAY)
        }
    }
}
