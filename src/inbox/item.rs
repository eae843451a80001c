//! What the inbox stores and hands back: item ids and states, acceptance and failure outcomes,
//! the stored request, and counts.

use std::fmt;
use std::time::SystemTime;

use crate::any::AnyDelivery;
use crate::owned::OwnedRequest;

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

/// A worker's hold on a claimed item: the item and the claim's fencing token. Every write after
/// the claim ([`extend`](super::Inbox::extend), [`complete`](super::Inbox::complete),
/// [`fail`](super::Inbox::fail), [`release`](super::Inbox::release)) names it, and is refused
/// with [`InboxError::LeaseLost`](super::InboxError::LeaseLost) once another claim of the item
/// has been made (the lease ran out and another worker took it) or the item left the claimed
/// state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claim {
    pub(crate) id: ItemId,
    pub(crate) token: i64,
    pub(crate) attempt: u32,
}

impl Claim {
    pub(crate) fn new(id: ItemId, token: i64, attempts: i64) -> Self {
        Self {
            id,
            token,
            attempt: u32::try_from(attempts).unwrap_or(u32::MAX),
        }
    }

    /// The claimed item.
    #[must_use]
    pub fn id(&self) -> ItemId {
        self.id
    }

    /// The fencing token: grows with every claim of the item, never reused.
    #[must_use]
    pub fn token(&self) -> i64 {
        self.token
    }

    /// Which attempt this claim is (1 for the first).
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

/// What [`Inbox::accept`](super::Inbox::accept) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Acceptance {
    /// Stored now, as this item.
    Accepted(ItemId),
    /// An item with the same dedup key was already stored: a retry or a duplicate. Answer 2xx
    /// all the same, so that the provider stops sending it.
    Duplicate,
    /// Not stored, and never will be: the delivery's reply holds a secret
    /// ([`Reply::holds_secret`](crate::reply::Reply::holds_secret); isendu's handshake, whose
    /// answer is the integration's secret key), and the inbox keeps no credential at rest.
    /// Answer it with its reply now; no worker ever sees it.
    NotStored,
}

/// What [`Inbox::fail`](super::Inbox::fail) did with the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Due again at this time (exponential back-off).
    RetryAt(SystemTime),
    /// It had its last attempt: now in the dead letters, until [`Inbox::replay`](super::Inbox::replay).
    Dead,
}

/// What [`Inbox::replay`](super::Inbox::replay) did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Replay {
    /// Pending again with no attempts: a worker hands it to the handler next.
    Queued,
    /// There is no such item.
    NotFound,
    /// The item is pending or claimed: it runs anyway, nothing to replay.
    NotFinished(ItemState),
    /// A Skladon GET announcement of the same entity is already waiting or running: it fetches
    /// the entity anyway, so this one stays where it is.
    Coalesced,
    /// This build cannot rebuild the stored delivery (the reason): replaying it would only
    /// bury it again. Replay it from an instance that can (a newer or older version).
    Unreadable(String),
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
    /// Failed on every attempt: kept for inspection and [`Inbox::replay`](super::Inbox::replay).
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

/// One item's bookkeeping, from [`Inbox::item`](super::Inbox::item).
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
    /// The error of the last failed attempt (or why it could not be rebuilt).
    pub last_error: Option<String>,
    /// When a pending item is due, a claimed item's lease ends (the database's clock); for a
    /// completed or dead item, when its last attempt was due.
    pub due_at: SystemTime,
}

/// How many items are in each state, from [`Inbox::stats`](super::Inbox::stats).
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

/// The items that wait, run or are dead, from [`Inbox::depth`](super::Inbox::depth): counted
/// over the partial indexes only, so cheap however many completed items are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Depth {
    /// Waiting for a worker.
    pub pending: u64,
    /// Claimed under a lease.
    pub claimed: u64,
    /// In the dead letters.
    pub dead: u64,
}

/// A claimed delivery, rebuilt from what was stored: handed to a [`Worker`](super::Worker)'s handler.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Item {
    /// The item.
    pub id: ItemId,
    /// The claim, for [`Inbox::complete`](super::Inbox::complete), [`Inbox::fail`](super::Inbox::fail)
    /// and the other writes after it.
    pub claim: Claim,
    /// Which attempt this is (1 for the first claim).
    pub attempts: u32,
    /// When the delivery was accepted.
    pub received_at: SystemTime,
    /// The delivery, parsed again from the stored body (typed exactly as when it arrived,
    /// with the stored dedup key and the provider's attempt number; its reply is an empty 200).
    pub delivery: AnyDelivery,
    /// The request as stored: only the headers the inbox keeps (`docs/inbox.md`, "No credentials
    /// at rest"), each at most 1 KiB; credential headers and URL tokens redacted.
    pub raw: OwnedRequest,
}
