//! [`InboxOptions`]: attempts, back-off, batching and the dedup window per provider.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::delivery::Provider;

/// Settings shared by both backends.
///
/// ```
/// use std::time::Duration;
/// use delivery_webhooks::inbox::InboxOptions;
///
/// let options = InboxOptions::default().max_attempts(5).backoff(Duration::from_secs(2), Duration::from_secs(600));
/// assert_eq!(options.retry_ceiling(1), Duration::from_secs(2));
/// assert_eq!(options.retry_ceiling(3), Duration::from_secs(8));
/// assert_eq!(options.retry_ceiling(30), Duration::from_secs(600));
/// // Full jitter: anywhere from nothing up to the ceiling.
/// assert!(options.retry_delay(3, 42) <= Duration::from_secs(8));
/// ```
#[derive(Debug, Clone)]
pub struct InboxOptions {
    pub(crate) max_attempts: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) jitter: bool,
    pub(crate) namespace: Option<String>,
    pub(crate) max_batch: usize,
    pub(crate) max_batch_bytes: usize,
    pub(crate) batch_linger: Duration,
    pub(crate) pool_size: u32,
    pub(crate) clock_skew_ms: i64,
    pub(crate) allow_asynchronous_commit: bool,
    pub(crate) keep_completed: Duration,
    pub(crate) keep_dead: Duration,
    pub(crate) purge_batch: usize,
    pub(crate) acquire_timeout: Duration,
    pub(crate) accept_deadline: Duration,
    pub(crate) provider_items: usize,
    pub(crate) provider_bytes: usize,
    /// PostgreSQL: where the `LISTEN` session connects, when not through the pool.
    pub(crate) listen_url: Option<Redacted>,
}

/// A URL that may hold a password: `Debug` shows `<redacted>`.
#[derive(Clone)]
pub(crate) struct Redacted(
    #[cfg_attr(not(feature = "inbox-postgres"), allow(dead_code))] pub(crate) String,
);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Default for InboxOptions {
    /// 25 attempts, back-off with full jitter under a ceiling from 1 min doubling up to 3 days
    /// (a horizon of about 39 days at most, 19 on average: the table in `docs/inbox.md`),
    /// batches of up to 256 accepts and 1 MiB, no lingering, a pool of 8 connections
    /// (PostgreSQL), the default namespace; completed items kept 7 days, dead letters 30 days
    /// (each at least its provider's dedup window), purged 250 rows per statement (each followed by a pause as long as it took); an accept
    /// not stored within 5 s answered 503, and each provider at most 256 accepts and 16 MiB
    /// waiting for the writer.
    fn default() -> Self {
        Self {
            max_attempts: 25,
            backoff_base: Duration::from_secs(60),
            backoff_max: Duration::from_secs(3 * 24 * 3600),
            jitter: true,
            namespace: None,
            max_batch: 256,
            max_batch_bytes: 1 << 20,
            batch_linger: Duration::ZERO,
            pool_size: 8,
            clock_skew_ms: 0,
            allow_asynchronous_commit: false,
            keep_completed: Duration::from_secs(7 * 24 * 3600),
            keep_dead: Duration::from_secs(30 * 24 * 3600),
            purge_batch: 250,
            acquire_timeout: Duration::from_secs(5),
            accept_deadline: Duration::from_secs(5),
            provider_items: 256,
            provider_bytes: 16 << 20,
            listen_url: None,
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

    /// The ceiling of the back-off after a failed attempt: `base` after the first, doubling
    /// each time, never more than `max`. The back-off itself is drawn between zero and the
    /// ceiling (full jitter) unless [`jitter`](Self::jitter) is off.
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// Whether each back-off is drawn at random between zero and its ceiling (the default), so
    /// that items failed together by one outage do not all come back at the same moment; or is
    /// the ceiling itself.
    #[must_use]
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
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

    /// The most bytes (bodies, headers, keys) written in one transaction, 1 MiB by default; a
    /// single larger delivery is written alone. Keeps a batch far below PostgreSQL's 1 GB
    /// message limit whatever its deliveries hold, and bounds how long a delivery that arrives
    /// during a write waits for it (`docs/inbox.md`, "Group commit").
    #[must_use]
    pub fn max_batch_bytes(mut self, bytes: usize) -> Self {
        self.max_batch_bytes = bytes.max(1);
        self
    }

    /// How long the writer waits for more accepts to fill a batch (up to
    /// [`max_batch`](Self::max_batch)) once one has arrived: zero by default, so a lone accept is
    /// never delayed. Useful to make batches deterministic in tests.
    #[must_use]
    pub fn batch_linger(mut self, linger: Duration) -> Self {
        self.batch_linger = linger;
        self
    }

    /// For tests of skewed clocks: shifts this instance's own clock by `skew_ms` (positive:
    /// ahead). The instance's clock only stamps `received_at`; leases, back-off and retention
    /// are measured on the database's clock, so a skewed instance cannot take another's work.
    #[doc(hidden)]
    #[must_use]
    pub fn clock_skew_ms(mut self, skew_ms: i64) -> Self {
        self.clock_skew_ms = skew_ms;
        self
    }

    /// Lets `PostgresInbox` start on a server whose `synchronous_commit` is `off`. Then a commit
    /// returns before it is on disk, and a server crash can lose deliveries already answered 200:
    /// only for throwaway environments. Without it, `connect` refuses with
    /// [`InboxError::AsynchronousCommit`](super::InboxError::AsynchronousCommit).
    #[must_use]
    pub fn allow_asynchronous_commit(mut self) -> Self {
        self.allow_asynchronous_commit = true;
        self
    }

    /// How long [`Inbox::retain`](super::Inbox::retain) keeps completed items after they
    /// completed (7 days by default), and dead letters after they died (30 days). Either is
    /// kept at least as long as its provider's [`dedup_window`] since it was received, so a late
    /// retry is still a duplicate.
    #[must_use]
    pub fn retention(mut self, completed: Duration, dead: Duration) -> Self {
        self.keep_completed = completed;
        self.keep_dead = dead;
        self
    }

    /// Rows deleted per statement when purging, at most (at least 1; 250 by default): a purge
    /// never holds a long lock or a huge transaction, whatever the backlog. Fewer while a
    /// statement takes longer than [`PURGE_STATEMENT_TARGET`] (halved each time, grown back
    /// when quick), so that an accept waiting for SQLite's one writer waits a couple of
    /// milliseconds at most; and after each full batch the purge pauses as long as the batch
    /// took, so accepts get the writer at least half the time.
    #[must_use]
    pub fn purge_batch(mut self, rows: usize) -> Self {
        self.purge_batch = rows.max(1);
        self
    }

    /// How long a PostgreSQL operation waits for a connection (5 s by default): while the
    /// server is down, an accept fails after this long (answered 503 with `Retry-After`), well
    /// before a provider gives up on the request.
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// How long an accept may wait to be stored (queued, then written) before it is answered
    /// [`InboxError::Overloaded`](super::InboxError::Overloaded), which the adapters answer 503
    /// with `Retry-After`: 5 s by default, so an overloaded or locked inbox answers well before
    /// a provider gives up on the request (isendu's handshake waits 5 s, but it is never
    /// stored). An accept answered so may still be stored (it was being written): the
    /// provider's retry is then a duplicate. One not yet written is dropped.
    #[must_use]
    pub fn accept_deadline(mut self, deadline: Duration) -> Self {
        self.accept_deadline = deadline;
        self
    }

    /// The most accepts (`items`, at least 1) and bytes (bodies, stored headers, keys) one
    /// provider may have waiting for the writer at once: 256 and 16 MiB by default. Past it,
    /// that provider's accepts are refused at once with
    /// [`InboxError::ProviderBacklog`](super::InboxError::ProviderBacklog) (503 with
    /// `Retry-After`, counted in endpoint health) while the other providers' are still taken:
    /// one provider's flood cannot fill the queue and starve the rest. A lone delivery larger
    /// than `bytes` is taken. All five budgets fit in the writer's queue, so an accept within
    /// its budget never waits to queue. The items already stored and pending are not counted
    /// here (`Inbox::depth` tells them).
    #[must_use]
    pub fn provider_budget(mut self, items: usize, bytes: usize) -> Self {
        self.provider_items = items.max(1);
        self.provider_bytes = bytes;
        self
    }

    /// PostgreSQL: the URL the process's `LISTEN` session (the workers' wake-up from other
    /// processes) connects to, when the inbox's own URL goes through a pooler in transaction
    /// mode (PgBouncer's `pool_mode = transaction`), where a `LISTEN` is lost as soon as its
    /// transaction ends and notifications would never arrive: the server itself, or a
    /// session-mode pool (`DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL`, `docs/inbox.md`, "Beyond one
    /// machine"). Unset: a connection like the pool's. One connection per process; never shown.
    #[must_use]
    pub fn listen_url(mut self, url: impl Into<String>) -> Self {
        self.listen_url = Some(Redacted(url.into()));
        self
    }

    /// Connections to PostgreSQL (at least 2); SQLite always uses one writer connection.
    #[must_use]
    pub fn pool_size(mut self, n: u32) -> Self {
        self.pool_size = n.max(2);
        self
    }

    /// The ceiling of the back-off after failed attempt number `attempts` (1-based):
    /// `base · 2^(attempts − 1)`, at most `max`.
    #[must_use]
    pub fn retry_ceiling(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.backoff_base
            .saturating_mul(1 << doublings)
            .min(self.backoff_max)
    }

    /// The back-off after failed attempt number `attempts`: with [`jitter`](Self::jitter), drawn
    /// uniformly between zero and [`retry_ceiling`](Self::retry_ceiling) from `seed` (the item
    /// id, say) mixed with a per-process random key and the time; without, the ceiling.
    #[must_use]
    pub fn retry_delay(&self, attempts: u32, seed: u64) -> Duration {
        let ceiling = self.retry_ceiling(attempts);
        if !self.jitter {
            return ceiling;
        }
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(seed);
        hasher.write_u32(attempts);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let fraction = u128::from(hasher.finish());
        let nanos = ceiling.as_nanos().saturating_mul(fraction) >> 64;
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

/// How long one purge statement should hold the writer: about an accept's own median at half
/// its maximum rate on SQLite (1.8 ms at 600,000 items). A statement that takes longer halves
/// the next one; one under half of it doubles the next, up to
/// [`purge_batch`](InboxOptions::purge_batch) (`docs/performance.md`, "Retention").
pub const PURGE_STATEMENT_TARGET: Duration = Duration::from_millis(2);

/// The fewest rows a purge statement deletes while its backlog lasts (unless
/// [`purge_batch`](InboxOptions::purge_batch) is smaller): below this a statement's own cost,
/// not its rows, would take the writer.
const PURGE_MIN_ROWS: usize = 16;

/// The rows the next purge statement deletes, after one of `rows` rows took `took`, with at
/// most `max` rows a statement.
pub(crate) fn next_purge_rows(rows: usize, took: Duration, max: usize) -> usize {
    let floor = PURGE_MIN_ROWS.min(max);
    if took > PURGE_STATEMENT_TARGET {
        (rows / 2).max(floor)
    } else if took < PURGE_STATEMENT_TARGET / 2 {
        rows.saturating_mul(2).min(max)
    } else {
        rows
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_slow_purge_statement_halves_the_next_and_a_quick_one_doubles_it_within_bounds() {
        use super::{PURGE_STATEMENT_TARGET as TARGET, next_purge_rows};
        let slow = TARGET * 3;
        let quick = TARGET / 4;
        assert_eq!(next_purge_rows(250, slow, 250), 125);
        assert_eq!(next_purge_rows(125, slow, 250), 62);
        assert_eq!(next_purge_rows(20, slow, 250), 16, "never under 16 rows");
        assert_eq!(
            next_purge_rows(4, slow, 4),
            4,
            "nor over the configured batch"
        );
        assert_eq!(next_purge_rows(62, quick, 250), 124);
        assert_eq!(
            next_purge_rows(200, quick, 250),
            250,
            "never over the configured batch"
        );
        assert_eq!(
            next_purge_rows(100, TARGET * 3 / 4, 250),
            100,
            "near the target: kept"
        );
        assert_eq!(next_purge_rows(100, TARGET, 250), 100);
    }

    use super::*;

    #[test]
    fn the_listen_url_is_never_shown() {
        let options = InboxOptions::default().listen_url("postgres://inbox:s3cret-pw@db/inbox");
        let shown = format!("{options:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("listen_url: Some(<redacted>)"), "{shown}");
    }

    /// The schedule table in `docs/inbox.md`: 25 attempts, 24 back-offs whose ceilings add up
    /// to 38 d 16 h 31 min (about 19 days on average with full jitter).
    #[test]
    fn the_default_horizon_is_weeks() {
        let options = InboxOptions::default();
        assert_eq!(options.max_attempts, 25);
        assert_eq!(options.retry_ceiling(1), Duration::from_secs(60));
        assert_eq!(options.retry_ceiling(13), Duration::from_secs(60 << 12));
        assert_eq!(options.retry_ceiling(14), Duration::from_secs(3 * 86_400));
        let horizon: Duration = (1..options.max_attempts)
            .map(|a| options.retry_ceiling(a))
            .sum();
        assert_eq!(horizon, Duration::from_secs(3_342_660));
        assert_eq!(horizon.as_secs() / 86_400, 38);
    }

    #[test]
    fn full_jitter_spreads_delays_between_zero_and_the_ceiling() {
        let options = InboxOptions::default();
        let ceiling = options.retry_ceiling(5);
        let delays: Vec<Duration> = (0..1000).map(|seed| options.retry_delay(5, seed)).collect();
        assert!(delays.iter().all(|d| *d <= ceiling));
        // 1,000 uniform draws: all in one quarter has a probability of (3/4)^1000.
        assert!(delays.iter().any(|d| *d < ceiling / 4));
        assert!(delays.iter().any(|d| *d > ceiling * 3 / 4));
        let fixed = options.clone().jitter(false);
        assert!((0..10).all(|seed| fixed.retry_delay(5, seed) == ceiling));
    }
}
