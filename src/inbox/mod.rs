//! The durable inbox: store each verified delivery before answering 2xx, deduplicate every
//! retry by its [`DedupKey`](crate::DedupKey), and process it later with a [`Worker`].
//!
//! Providers retry, and two of them punish slow or failing receivers: Xoxoday tries three
//! times and then disables the webhook, Skladon retries for 48 hours and then deactivates it,
//! isendu gives its handshake 5 seconds. A receiver that stores first and processes later
//! answers in milliseconds, loses nothing it answered 2xx for, and processes each event once
//! however often it arrives.
//!
//! - [`Inbox`]: the trait; [`accept`](Inbox::accept) stores a delivery atomically and answers
//!   [`Acceptance::Accepted`] or [`Acceptance::Duplicate`]; workers [`claim`](Inbox::claim)
//!   items under a lease, then [`complete`](Inbox::complete) or [`fail`](Inbox::fail) them
//!   (exponential back-off, then the dead-letter state); [`replay`](Inbox::replay) sends a
//!   dead item round again; [`purge`](Inbox::purge) removes old completed items, never inside
//!   their provider's [`dedup_window`].
//! - Backends: `SqliteInbox` (feature `inbox-sqlite`: one file, WAL, no server) and
//!   `PostgresInbox` (feature `inbox-postgres`: several receiver instances over one database).
//! - [`Worker`]: claims, calls your async handler with each [`Item`], records the outcome, and
//!   stops cleanly on a shutdown signal.
//! - The framework adapters' inbox mode (`axum::inbox_router`, `actix::inbox_scope`): verify,
//!   accept, answer 200 (also for a duplicate) without waiting for the handler.
//!
//! Guarantees, schema and the retry windows: `docs/inbox.md`.
//!
//! ```no_run
//! # #[cfg(all(feature = "inbox-sqlite", feature = "axum"))]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::net::SocketAddr;
//! use delivery_webhooks::Config;
//! use delivery_webhooks::inbox::{InboxOptions, SqliteInbox, Worker};
//!
//! let config = Config::from_env()?;
//! let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
//!
//! // Receive: verify, store, answer 200.
//! let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
//! let app = delivery_webhooks::axum::inbox_router(config, inbox.clone());
//! tokio::spawn(async move {
//!     axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
//! });
//!
//! // Process: at least once into the handler, each dedup key stored once.
//! Worker::new(inbox)
//!     .run(
//!         |item| async move {
//!             println!("{} {}", item.delivery.provider(), item.delivery.dedup_key());
//!             Ok::<(), std::convert::Infallible>(())
//!         },
//!         async { let _ = tokio::signal::ctrl_c().await; },
//!     )
//!     .await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{AnyDelivery, Provider};

mod batch;
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
mod ops;
mod rebuild;
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
mod sql;
mod worker;

#[cfg(feature = "inbox-postgres")]
mod postgres;
#[cfg(feature = "inbox-sqlite")]
mod sqlite;

#[cfg(feature = "inbox-postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "inbox-postgres")))]
pub use postgres::PostgresInbox;
#[cfg(feature = "inbox-sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "inbox-sqlite")))]
pub use sqlite::SqliteInbox;
pub use worker::{Worker, WorkerReport};

/// A durable, deduplicating store of verified deliveries, and the queue workers take them from.
///
/// Implemented by `SqliteInbox` and `PostgresInbox`; the framework adapters' inbox mode and
/// the [`Worker`] are written against this trait. Every method is atomic on its own.
pub trait Inbox: Send + Sync {
    /// Stores `delivery` with the request it came in (`raw`), unless an item with the same
    /// [`DedupKey`](crate::DedupKey) is already stored: [`Acceptance::Duplicate`] then.
    /// Once this returns `Ok`, the delivery is on disk (committed), so answering 2xx is safe.
    fn accept(
        &self,
        delivery: &AnyDelivery,
        raw: &RawDelivery,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send;

    /// Claims up to `n` items that are due (pending and past their back-off, or claimed by a
    /// worker whose lease ran out) for `lease`: no other worker gets them before the lease ends.
    /// Each claim counts as an attempt; an item whose lease ran out
    /// [`max_attempts`](InboxOptions::max_attempts) times goes to the dead letters instead.
    fn claim(
        &self,
        n: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Item>, InboxError>> + Send;

    /// Marks a claimed item as processed.
    fn complete(&self, id: ItemId) -> impl Future<Output = Result<(), InboxError>> + Send;

    /// Records that processing a claimed item failed with `error`: it is due again after an
    /// exponential back-off, or goes to the dead letters once it has had
    /// [`max_attempts`](InboxOptions::max_attempts) attempts.
    fn fail(
        &self,
        id: ItemId,
        error: &str,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send;

    /// Sends a dead (or completed) item round again: pending now, its attempts reset. `false`
    /// when there is no such item in either state.
    fn replay(&self, id: ItemId) -> impl Future<Output = Result<bool, InboxError>> + Send;

    /// Deletes completed items completed more than `older_than` ago whose provider's
    /// [`dedup_window`] has also passed since they were received (so a late retry is still
    /// recognised as a duplicate). Returns how many were deleted.
    fn purge(&self, older_than: Duration) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// One item's state, attempts and last error, `None` if there is no such item.
    fn item(&self, id: ItemId)
    -> impl Future<Output = Result<Option<ItemInfo>, InboxError>> + Send;

    /// How many items are in each state.
    fn stats(&self) -> impl Future<Output = Result<Stats, InboxError>> + Send;
}

impl<I: Inbox> Inbox for Arc<I> {
    fn accept(
        &self,
        delivery: &AnyDelivery,
        raw: &RawDelivery,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send {
        (**self).accept(delivery, raw)
    }
    fn claim(
        &self,
        n: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Item>, InboxError>> + Send {
        (**self).claim(n, lease)
    }
    fn complete(&self, id: ItemId) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).complete(id)
    }
    fn fail(
        &self,
        id: ItemId,
        error: &str,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send {
        (**self).fail(id, error)
    }
    fn replay(&self, id: ItemId) -> impl Future<Output = Result<bool, InboxError>> + Send {
        (**self).replay(id)
    }
    fn purge(&self, older_than: Duration) -> impl Future<Output = Result<u64, InboxError>> + Send {
        (**self).purge(older_than)
    }
    fn item(
        &self,
        id: ItemId,
    ) -> impl Future<Output = Result<Option<ItemInfo>, InboxError>> + Send {
        (**self).item(id)
    }
    fn stats(&self) -> impl Future<Output = Result<Stats, InboxError>> + Send {
        (**self).stats()
    }
}

/// The id of a stored item: unique within one inbox.
///
/// ```
/// use delivery_webhooks::inbox::ItemId;
/// assert_eq!(ItemId(7).to_string(), "7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub i64);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What [`Inbox::accept`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// Stored now, as this item.
    Accepted(ItemId),
    /// An item with the same dedup key was already stored: a retry or a duplicate. Answer 2xx
    /// all the same, so that the provider stops sending it.
    Duplicate,
}

/// What [`Inbox::fail`] did with the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Due again at this time (exponential back-off).
    RetryAt(SystemTime),
    /// It had its last attempt: now in the dead letters, until [`Inbox::replay`].
    Dead,
    /// The item was not claimed (its lease ran out and another worker has it, or it is gone):
    /// nothing was recorded.
    NotClaimed,
}

/// An item's state in the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// Waiting for a worker (new, or failed and backing off).
    Pending,
    /// Claimed by a worker under a lease.
    Claimed,
    /// Processed.
    Completed,
    /// Failed on every attempt: kept for inspection and [`Inbox::replay`].
    Dead,
}

impl ItemState {
    /// The state as stored in the `state` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Claimed => "claimed",
            ItemState::Completed => "completed",
            ItemState::Dead => "dead",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            ItemState::Pending,
            ItemState::Claimed,
            ItemState::Completed,
            ItemState::Dead,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// One item's bookkeeping, from [`Inbox::item`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemInfo {
    /// The item.
    pub id: ItemId,
    /// Its dedup key, `<provider>:<id>`.
    pub dedup_key: String,
    /// Where it is.
    pub state: ItemState,
    /// How many times a worker claimed it.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
}

/// How many items are in each state, from [`Inbox::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Waiting for a worker.
    pub pending: u64,
    /// Claimed under a lease.
    pub claimed: u64,
    /// Processed.
    pub completed: u64,
    /// In the dead letters.
    pub dead: u64,
}

impl Stats {
    pub(crate) fn add(&mut self, state: &str, count: i64) {
        let count = u64::try_from(count).unwrap_or(0);
        match ItemState::parse(state) {
            Some(ItemState::Pending) => self.pending += count,
            Some(ItemState::Claimed) => self.claimed += count,
            Some(ItemState::Completed) => self.completed += count,
            Some(ItemState::Dead) => self.dead += count,
            None => {}
        }
    }
}

/// A claimed delivery, rebuilt from what was stored: handed to a [`Worker`]'s handler.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Item {
    /// The item, for [`Inbox::complete`] and [`Inbox::fail`].
    pub id: ItemId,
    /// Which attempt this is (1 for the first claim).
    pub attempts: u32,
    /// When the delivery was accepted.
    pub received_at: SystemTime,
    /// The delivery, parsed again from the stored body (typed exactly as when it arrived,
    /// with the stored dedup key and the provider's attempt number; its reply is an empty 200).
    pub delivery: AnyDelivery,
    /// The request as stored (credential headers and URL tokens redacted).
    pub raw: RawDelivery,
}

/// The request a delivery came in: what [`Inbox::accept`] stores beside the typed payload.
///
/// The framework adapters build it from the HTTP request. Credentials are never stored: the
/// values of `x-webhook-shared-token`, `x-api-key`, `authorization`, `proxy-authorization` and
/// `cookie`, Skladon's path token and isendu's URL token are replaced by `[redacted]`.
///
/// ```
/// use delivery_webhooks::inbox::RawDelivery;
///
/// let raw = RawDelivery::new(br#"{"id":"A1"}"#.to_vec())
///     .method("POST")
///     .uri("/webhooks/peddler")
///     .peer("203.0.113.9".parse().unwrap())
///     .header("x-webhook-shared-token", "pd-token");
/// assert_eq!(raw.headers[0].1, "pd-token"); // redacted only when stored
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawDelivery {
    /// The HTTP method.
    pub method: String,
    /// The path and query as the client sent them.
    pub uri: String,
    /// The peer address.
    pub peer: Option<IpAddr>,
    /// The headers, names in lowercase, values as text (lossy for non-UTF-8 bytes).
    pub headers: Vec<(String, String)>,
    /// The body exactly as received.
    pub body: Vec<u8>,
}

impl RawDelivery {
    /// A `POST /` with this body, no headers and no peer.
    #[must_use]
    pub fn new(body: Vec<u8>) -> Self {
        Self {
            method: "POST".to_owned(),
            uri: "/".to_owned(),
            peer: None,
            headers: Vec::new(),
            body,
        }
    }

    /// Sets the method.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Sets the path and query.
    #[must_use]
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = uri.into();
        self
    }

    /// Sets the peer address.
    #[must_use]
    pub fn peer(mut self, peer: IpAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Adds a header (the name is lowercased).
    #[must_use]
    pub fn header(mut self, name: impl AsRef<str>, value: impl Into<String>) -> Self {
        self.headers
            .push((name.as_ref().to_ascii_lowercase(), value.into()));
        self
    }
}

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
/// provider goes on retrying, so that a late retry is still a duplicate. [`Inbox::purge`]
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

/// An inbox operation that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// The database refused or could not be reached.
    #[error("inbox database: {0}")]
    Database(Arc<dyn std::error::Error + Send + Sync>),
    /// The stored schema is newer than this version of the crate knows.
    #[error("inbox schema version {found} is newer than this crate's {known}")]
    SchemaTooNew {
        /// The version in the database.
        found: i64,
        /// The newest version this crate knows.
        known: i64,
    },
    /// The payload could not be written as JSON.
    #[error("inbox: cannot encode the payload: {0}")]
    Encode(String),
    /// The inbox's writer task has stopped (its runtime shut down).
    #[error("inbox: the writer has stopped")]
    Closed,
}

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
impl From<sqlx::Error> for InboxError {
    fn from(err: sqlx::Error) -> Self {
        InboxError::Database(Arc::new(err))
    }
}

/// Milliseconds since the Unix epoch: how times are stored.
pub(crate) fn now_ms() -> i64 {
    to_ms(SystemTime::now())
}

pub(crate) fn to_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) use rebuild::{Record, Row};
