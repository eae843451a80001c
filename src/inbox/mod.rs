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
//!   [`Acceptance::Accepted`] or [`Acceptance::Duplicate`] (a handshake whose answer is a
//!   secret is never stored: [`Acceptance::NotStored`]); workers [`claim`](Inbox::claim)
//!   items under a lease (on the database's clock) and a fencing token ([`Claim`]), keep it
//!   with [`extend`](Inbox::extend), then [`complete`](Inbox::complete) (or
//!   [`complete_batch`](Inbox::complete_batch), a whole batch in one commit),
//!   [`fail`](Inbox::fail) (back-off with jitter for weeks, then the dead letters) or
//!   [`release`](Inbox::release) them; a stale claim writes nothing
//!   ([`InboxError::LeaseLost`]); [`replay`](Inbox::replay) sends a dead item round again;
//!   [`retain`](Inbox::retain) purges old completed items and dead letters in batches, never
//!   inside their provider's [`dedup_window`].
//! - Backends: `SqliteInbox` (feature `inbox-sqlite`: one file, WAL, no server) and
//!   `PostgresInbox` (feature `inbox-postgres`: several receiver instances over one database).
//! - [`Worker`]: claims, calls your async handler with each [`Item`] under supervision
//!   (heartbeat, panics caught, a timeout, inbox errors retried), records the outcome, and
//!   stops cleanly on a shutdown signal, releasing what it has not started.
//! - The framework adapters' inbox mode (`axum::inbox_router`, `actix::inbox_router`): verify,
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
//! let database = config.database_url().unwrap_or("webhooks.db");
//! let inbox = SqliteInbox::open(database, InboxOptions::default()).await?;
//!
//! // Receive: verify, store, answer 200.
//! let listener = tokio::net::TcpListener::bind(config.listen_addr.as_str()).await?;
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
//!             delivery_webhooks::HandlerResult::Ok(())
//!         },
//!         async { let _ = tokio::signal::ctrl_c().await; },
//!     )
//!     .await;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::any::AnyDelivery;
use crate::outcome::Retry;
use crate::owned::OwnedRequest;

mod batch;
mod headers;
mod item;
mod key;
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
mod ops;
mod options;
#[cfg(feature = "console")]
#[cfg_attr(docsrs, doc(cfg(feature = "console")))]
pub mod query;
#[cfg(all(
    feature = "console",
    any(feature = "inbox-sqlite", feature = "inbox-postgres")
))]
pub(crate) mod query_ops;
mod rebuild;
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
mod schema;
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
mod sql;
mod trail;
#[cfg(all(
    feature = "console",
    any(feature = "inbox-sqlite", feature = "inbox-postgres")
))]
mod verbs;
mod wake;
mod worker;

#[cfg(feature = "inbox-postgres")]
mod pg_migrate;
#[cfg(feature = "inbox-postgres")]
mod pg_notify;
#[cfg(feature = "inbox-postgres")]
mod postgres;
#[cfg(feature = "inbox-sqlite")]
mod sqlite;
#[cfg(feature = "inbox-sqlite")]
mod sqlite_write;

pub use item::{
    Acceptance, Claim, Depth, Failure, Item, ItemId, ItemInfo, ItemState, Replay, Stats,
};
pub use key::MAX_STORED_KEY;
pub use options::{InboxOptions, PURGE_STATEMENT_TARGET, dedup_window};
#[cfg(feature = "inbox-postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "inbox-postgres")))]
pub use postgres::PostgresInbox;
#[cfg(feature = "inbox-sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "inbox-sqlite")))]
pub use sqlite::SqliteInbox;
pub use wake::Wakeup;
pub use worker::{Worker, WorkerReport};

/// A durable, deduplicating store of verified deliveries, and the queue workers take them from.
///
/// Implemented by `SqliteInbox` and `PostgresInbox`; the framework adapters' inbox mode and
/// the [`Worker`] are written against this trait. Every method is atomic on its own. Every
/// time compared (leases, back-off, retention) is the database's clock.
pub trait Inbox: Send + Sync {
    /// Stores `delivery` with the request it came in (`raw`), unless an item with the same
    /// [`DedupKey`](crate::DedupKey) is already stored: [`Acceptance::Duplicate`] then (a
    /// Skladon GET announcement is a duplicate only of one of the same entity that is still
    /// pending or claimed). Once this returns `Ok`, the delivery is on disk (committed), so
    /// answering 2xx is safe.
    ///
    /// A delivery whose reply holds a secret (isendu's handshake: its answer is the secret key)
    /// is never stored, whoever calls: [`Acceptance::NotStored`], nothing written. Answer it
    /// with its reply at once. An implementation of this trait must keep that rule too.
    fn accept(
        &self,
        delivery: &AnyDelivery,
        raw: &OwnedRequest,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send;

    /// [`accept`](Inbox::accept), taking the request by value: its body moves into the stored
    /// row instead of being copied (the framework adapters' inbox mode, whose request is read
    /// once and not needed after). The default calls `accept`; the crate's backends move.
    fn accept_owned(
        &self,
        delivery: &AnyDelivery,
        raw: OwnedRequest,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send {
        async move { self.accept(delivery, &raw).await }
    }

    /// Claims up to `n` items that are due (pending and past their back-off, or claimed by a
    /// worker whose lease ran out) for `lease`: no other worker gets them before the lease ends
    /// (extend it with [`extend`](Inbox::extend) while working). Each claim counts as an
    /// attempt and carries a new fencing token ([`Item::claim`]). An item whose lease ran out
    /// [`max_attempts`](InboxOptions::max_attempts) times goes to the dead letters instead; an
    /// item this build cannot rebuild is failed with the reason (back-off, then the dead
    /// letters after the whole horizon), never handed out.
    fn claim(
        &self,
        n: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Item>, InboxError>> + Send;

    /// Extends a claim's lease to `lease` from now (a heartbeat).
    ///
    /// # Errors
    /// [`InboxError::LeaseLost`] if the claim no longer holds the item.
    fn extend(
        &self,
        claim: Claim,
        lease: Duration,
    ) -> impl Future<Output = Result<(), InboxError>> + Send;

    /// Marks a claimed item as processed.
    ///
    /// # Errors
    /// [`InboxError::LeaseLost`] if the claim no longer holds the item: nothing is written.
    fn complete(&self, claim: Claim) -> impl Future<Output = Result<(), InboxError>> + Send;

    /// [`complete`](Inbox::complete) for several claims at once: one transaction, one commit,
    /// for the whole batch on the crate's backends (one statement on PostgreSQL), each item
    /// still fenced by its own claim. The answer has one entry per claim, in order: `Ok(())`
    /// recorded, or [`InboxError::LeaseLost`]: that claim no longer held its item and nothing
    /// was written for it, while the others are recorded all the same. The [`Worker`] calls
    /// this with the items of a claimed batch its handler finished, so that draining costs a
    /// commit per batch, as accepting does.
    ///
    /// The default calls `complete` for each claim in turn (an implementation written before
    /// this existed keeps working) and reports each claim's error in its entry.
    ///
    /// # Errors
    /// An error for the batch as a whole (the database refused or could not be reached): the
    /// crate's backends then wrote nothing, and the batch can be tried again.
    fn complete_batch(
        &self,
        claims: &[Claim],
    ) -> impl Future<Output = Result<Vec<Result<(), InboxError>>, InboxError>> + Send {
        async move {
            let mut recorded = Vec::with_capacity(claims.len());
            for claim in claims {
                recorded.push(self.complete(*claim).await);
            }
            Ok(recorded)
        }
    }

    /// Records that processing a claimed item failed with `error`: it is due again after a
    /// back-off ([`InboxOptions::backoff`]), or goes to the dead letters once it has had
    /// [`max_attempts`](InboxOptions::max_attempts) attempts.
    ///
    /// # Errors
    /// [`InboxError::LeaseLost`] if the claim no longer holds the item: nothing is written.
    fn fail(
        &self,
        claim: Claim,
        error: &str,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send;

    /// [`fail`](Inbox::fail), as the handler asked ([`HandlerError::retry`](crate::HandlerError::retry)):
    /// [`Retry::Backoff`] is `fail`; [`Retry::Never`] makes the item dead now, `error` in its
    /// history; [`Retry::After`] makes it due no sooner than that wait from now (and no sooner
    /// than the back-off: a downstream answering `Retry-After: 0` forever still backs off),
    /// the attempt counted against `max_attempts`. The [`Worker`] calls this.
    ///
    /// The default calls `fail` whatever the hint (an implementation written before hints
    /// existed keeps working); the crate's backends honour it.
    ///
    /// # Errors
    /// [`InboxError::LeaseLost`] if the claim no longer holds the item: nothing is written.
    fn fail_with(
        &self,
        claim: Claim,
        error: &str,
        retry: Retry,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send {
        let _ = retry;
        self.fail(claim, error)
    }

    /// Gives a claimed item back without counting the attempt: pending and due now (a worker
    /// shutting down releases what it has not started).
    ///
    /// # Errors
    /// [`InboxError::LeaseLost`] if the claim no longer holds the item.
    fn release(&self, claim: Claim) -> impl Future<Output = Result<(), InboxError>> + Send;

    /// Sends a dead (or completed) item round again: pending now, its attempts reset, so a
    /// worker hands it to the handler next; or says why not ([`Replay`]).
    fn replay(&self, id: ItemId) -> impl Future<Output = Result<Replay, InboxError>> + Send;

    /// Deletes completed items completed more than `older_than` ago whose provider's
    /// [`dedup_window`] has also passed since they were received (so a late retry is still
    /// recognised as a duplicate), in statements of [`purge_batch`](InboxOptions::purge_batch)
    /// rows paced as [`retain`](Inbox::retain)'s. Returns how many were deleted.
    fn purge(&self, older_than: Duration) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// Applies the retention of [`InboxOptions::retention`]: deletes completed items completed
    /// longer ago than its first period, and dead letters dead longer than its second, never
    /// inside their provider's [`dedup_window`], in statements of
    /// [`purge_batch`](InboxOptions::purge_batch) rows, each followed by a pause as long as
    /// it took (accepts get the writer at least half the time); then SQLite's `-wal` file is
    /// checkpointed and truncated. The [`Worker`] runs it every hour. Returns how many were
    /// deleted.
    fn retain(&self) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// One item's state, attempts and last error, `None` if there is no such item.
    fn item(&self, id: ItemId)
    -> impl Future<Output = Result<Option<ItemInfo>, InboxError>> + Send;

    /// How many items are in each state: exact, but it counts every completed item kept (use
    /// [`depth`](Inbox::depth) for a gauge).
    fn stats(&self) -> impl Future<Output = Result<Stats, InboxError>> + Send;

    /// How many items wait, run or are dead: cheap at any table size (the [`Worker`]'s gauges).
    fn depth(&self) -> impl Future<Output = Result<Depth, InboxError>> + Send;

    /// The signal this inbox rings when an item becomes due (stored, replayed, released), for
    /// an idle [`Worker`] to start at once instead of at its next look; `None` (the default):
    /// the worker only looks every [`idle`](Worker::idle). Both built-in inboxes have one; on
    /// PostgreSQL the first call also starts the process's `LISTEN` session, so that what other
    /// processes store rings it too (`docs/inbox.md`, "Wake-up").
    fn wakeup(&self) -> Option<Wakeup> {
        None
    }
}

impl<I: Inbox> Inbox for Arc<I> {
    fn accept(
        &self,
        delivery: &AnyDelivery,
        raw: &OwnedRequest,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send {
        (**self).accept(delivery, raw)
    }
    fn accept_owned(
        &self,
        delivery: &AnyDelivery,
        raw: OwnedRequest,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send {
        (**self).accept_owned(delivery, raw)
    }
    fn claim(
        &self,
        n: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Item>, InboxError>> + Send {
        (**self).claim(n, lease)
    }
    fn extend(
        &self,
        claim: Claim,
        lease: Duration,
    ) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).extend(claim, lease)
    }
    fn complete(&self, claim: Claim) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).complete(claim)
    }
    fn complete_batch(
        &self,
        claims: &[Claim],
    ) -> impl Future<Output = Result<Vec<Result<(), InboxError>>, InboxError>> + Send {
        (**self).complete_batch(claims)
    }
    fn fail(
        &self,
        claim: Claim,
        error: &str,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send {
        (**self).fail(claim, error)
    }
    fn fail_with(
        &self,
        claim: Claim,
        error: &str,
        retry: Retry,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send {
        (**self).fail_with(claim, error, retry)
    }
    fn release(&self, claim: Claim) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).release(claim)
    }
    fn replay(&self, id: ItemId) -> impl Future<Output = Result<Replay, InboxError>> + Send {
        (**self).replay(id)
    }
    fn purge(&self, older_than: Duration) -> impl Future<Output = Result<u64, InboxError>> + Send {
        (**self).purge(older_than)
    }
    fn retain(&self) -> impl Future<Output = Result<u64, InboxError>> + Send {
        (**self).retain()
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
    fn depth(&self) -> impl Future<Output = Result<Depth, InboxError>> + Send {
        (**self).depth()
    }
    fn wakeup(&self) -> Option<Wakeup> {
        (**self).wakeup()
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
    /// PostgreSQL's `synchronous_commit` is `off` for the inbox's sessions: a commit would
    /// return before it is durable, and "answered 200" would not mean "stored". Set it to `on`
    /// (`ALTER DATABASE … SET synchronous_commit = on`, or for the role), or opt out with
    /// [`InboxOptions::allow_asynchronous_commit`].
    #[error(
        "inbox: PostgreSQL synchronous_commit is {setting:?}: an accepted delivery could be lost \
         in a crash; set it to on (or opt out with InboxOptions::allow_asynchronous_commit)"
    )]
    AsynchronousCommit {
        /// The session's setting.
        setting: String,
    },
    /// The inbox cannot write where it was opened (checked at start-up, by a write that is
    /// rolled back): a read-only file, directory or database, a role without `INSERT`. Starting
    /// anyway would answer every genuine delivery 503 (and Xoxoday disables a webhook after 3
    /// failures), so `open`/`connect` refuses.
    #[error("inbox: cannot write to {location}: {reason}")]
    NotWritable {
        /// The SQLite file, or the PostgreSQL table (never the URL: it may hold a password).
        location: String,
        /// Why, as the operating system or the database said it.
        reason: String,
    },
    /// The delivery was not stored within
    /// [`InboxOptions::accept_deadline`]: the writer is overloaded, or held (a long
    /// transaction, a lock, a server that does not answer). Answer 503 with `Retry-After`: the
    /// provider sends it again (a retry of one stored meanwhile is a duplicate).
    #[error(
        "inbox: not stored within {waited:?} (the writer is overloaded or held); send it again later"
    )]
    Overloaded {
        /// The deadline that passed.
        waited: std::time::Duration,
    },
    /// The provider already has its budget of deliveries waiting to be stored
    /// ([`InboxOptions::provider_budget`]): refused at once so that one provider's flood cannot
    /// starve the others. Answer 503 with `Retry-After`.
    #[error(
        "inbox: {provider} already has {items} deliveries ({bytes} bytes) waiting to be stored; \
         refused so that the other providers are not starved"
    )]
    ProviderBacklog {
        /// Whose budget is spent.
        provider: crate::delivery::Provider,
        /// Its deliveries waiting for the writer.
        items: usize,
        /// Their bytes.
        bytes: usize,
    },
    /// A write after a claim was refused: the claim no longer holds the item (its lease ran
    /// out and another worker claimed it, or it was completed, failed or released). Nothing
    /// was written; the item's current holder records its outcome.
    #[error("inbox: item {id} is no longer held by this claim (token {token}); nothing written")]
    LeaseLost {
        /// The item.
        id: ItemId,
        /// The stale claim's fencing token.
        token: i64,
    },
}

/// A database failure as an [`InboxError`]: a function, not a public `From<sqlx::Error>`, so that
/// sqlx's types stay out of the public API (and its semver out of ours). Use with `map_err`.
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
pub(crate) fn database(err: sqlx::Error) -> InboxError {
    InboxError::Database(Arc::new(err))
}

/// The database's own error code of a failure [`database`] wrapped (SQLSTATE on PostgreSQL,
/// the result code on SQLite); `None` for any other error.
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
pub(crate) fn database_code(err: &InboxError) -> Option<std::borrow::Cow<'_, str>> {
    let InboxError::Database(source) = err else {
        return None;
    };
    match source.downcast_ref::<sqlx::Error>()? {
        sqlx::Error::Database(db) => db.code(),
        _ => None,
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

pub(crate) use key::Entry;
pub(crate) use rebuild::{Record, Row};
#[cfg(all(
    feature = "console",
    any(feature = "inbox-sqlite", feature = "inbox-postgres")
))]
pub(crate) use trail::shipment_references as trail_references;

#[cfg(all(test, any(feature = "inbox-sqlite", feature = "inbox-postgres")))]
mod tests {
    use super::*;

    #[test]
    fn a_database_failure_keeps_its_message_and_source() {
        let err = database(sqlx::Error::RowNotFound);
        assert!(matches!(err, InboxError::Database(_)));
        let expected = format!("inbox database: {}", sqlx::Error::RowNotFound);
        assert_eq!(err.to_string(), expected);
        let InboxError::Database(source) = err else {
            unreachable!()
        };
        assert!(source.downcast_ref::<sqlx::Error>().is_some());
    }
}
