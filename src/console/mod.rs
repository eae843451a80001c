//! The operator's queries and verbs over the inbox (feature `console`): what the console's
//! pages and the `delivery-webhooks inbox …` commands call. `docs/console.md` ("Library API").
//!
//! - [`Console::list`]: items by provider, state, received time, dedup key and shipment
//!   reference ([`Filter`]), newest first, in pages whose [`cursor`](Page::next) stays stable
//!   while deliveries keep arriving;
//! - [`Console::item`]: one item in full: body (and pretty JSON), headers as stored, references,
//!   every attempt and change of state;
//! - [`Console::story`]: every delivery of one shipment reference, across providers, with its
//!   [`Timeline`] and where each step came from;
//! - [`Console::failures`]: the dead items grouped by provider and normalized cause;
//! - [`Console::overview`]: depth, the oldest wait, and per provider dead letters, failures and
//!   recent deliveries;
//! - verbs [`replay`](Console::replay), [`discard`](Console::discard) and
//!   [`expunge`](Console::expunge): each says how many items it touched and is recorded in the
//!   [`audit`](Console::audit) log.
//!
//! Every filter is on an indexed column; no query reads bodies to search.
//!
//! ```no_run
//! # #[cfg(feature = "inbox-sqlite")]
//! # async fn run() -> Result<(), delivery_webhooks::console::ConsoleError> {
//! use delivery_webhooks::console::Console;
//! use delivery_webhooks::inbox::query::{Filter, Reference};
//! use delivery_webhooks::inbox::{InboxOptions, ItemState, SqliteInbox};
//! use delivery_webhooks::Provider;
//!
//! let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
//! let console = Console::from(inbox);
//! let dead = Filter::new().provider(Provider::Skladon).state(ItemState::Dead);
//! let page = console.list(&dead, None, 50).await?;
//! let queued = console.replay(&dead, "alice", Some("ERP is back")).await?;
//! let story = console.story(&Reference::any("12345")).await?;
//! # let _ = (page, queued, story); Ok(()) }
//! ```

use std::time::SystemTime;

use base64::Engine as _;

use crate::any::AnyDelivery;
use crate::delivery::Provider;
#[cfg(feature = "inbox-postgres")]
use crate::inbox::PostgresInbox;
#[cfg(feature = "inbox-sqlite")]
use crate::inbox::SqliteInbox;
use crate::inbox::query::{
    AuditEntry, FailureGroup, Filter, ItemRecord, ItemSummary, RefField, Reference,
};
use crate::inbox::{InboxError, ItemId};
use crate::status::{StatusUpdate, Timeline};

/// The most items one page holds, and one story reads.
pub const MAX_PAGE: u32 = 1000;

/// The operator's view of an inbox: build it with `Console::from(inbox)` from a `SqliteInbox` or
/// a `PostgresInbox` (a clone: it shares the pools). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Console {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    #[cfg(feature = "inbox-sqlite")]
    Sqlite(SqliteInbox),
    #[cfg(feature = "inbox-postgres")]
    Postgres(PostgresInbox),
}

#[cfg(feature = "inbox-sqlite")]
impl From<SqliteInbox> for Console {
    fn from(inbox: SqliteInbox) -> Self {
        Self {
            backend: Backend::Sqlite(inbox),
        }
    }
}

#[cfg(feature = "inbox-postgres")]
impl From<PostgresInbox> for Console {
    fn from(inbox: PostgresInbox) -> Self {
        Self {
            backend: Backend::Postgres(inbox),
        }
    }
}

/// Calls the same method on whichever backend.
macro_rules! each {
    ($self:ident, $i:ident => $call:expr) => {
        match &$self.backend {
            #[cfg(feature = "inbox-sqlite")]
            Backend::Sqlite($i) => $call.await,
            #[cfg(feature = "inbox-postgres")]
            Backend::Postgres($i) => $call.await,
        }
    };
}

mod overview;
#[cfg(feature = "console-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "console-web")))]
pub mod web;

pub use overview::{COUNT_CAP, Count, Overview, OverviewDepth, ProviderOverview};

/// A console call that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// The inbox failed.
    #[error(transparent)]
    Inbox(#[from] InboxError),
    /// A page cursor that no page of this console gave out.
    #[error("console: cursor: not a cursor this console gave out")]
    Cursor,
    /// A required argument is empty: `actor`, a discard's `reason`, a reference's `value`.
    #[error("console: {0} must not be empty")]
    Empty(&'static str),
}

/// One page of [`Console::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// The items, newest first.
    pub items: Vec<ItemSummary>,
    /// The cursor of the next page (older items), `None` on the last page.
    pub next: Option<String>,
}

/// One item in full, from [`Console::item`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemView {
    /// What the inbox stores about it.
    pub record: ItemRecord,
    /// The body pretty-printed, when it is JSON.
    pub pretty_json: Option<String>,
}

/// One status change in a [`Story`], and where it came from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoryStep {
    /// The delivery that reported it.
    pub item: ItemId,
    /// Its provider.
    pub provider: String,
    /// When the delivery was accepted.
    pub received_at: SystemTime,
    /// The change, in the common model.
    pub update: StatusUpdate,
}

/// Every delivery of one shipment reference, from [`Console::story`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Story {
    /// What was looked for.
    pub reference: Reference,
    /// The status changes about it, in provider time (those without a time last), then in the
    /// order they were received.
    pub steps: Vec<StoryStep>,
    /// The current status of each shipment the steps name: their fold.
    pub timeline: Timeline,
    /// The deliveries that carry the reference but that this build cannot rebuild (item and
    /// why), or that report no status change (reason empty).
    pub without_steps: Vec<(ItemId, String)>,
}

impl Console {
    /// The items `filter` selects, newest first (by received time, then id), `limit` at most
    /// (1 to [`MAX_PAGE`]), from `cursor` (the [`Page::next`] of the page before; `None` for
    /// the first page). Items that arrive meanwhile are newer than every cursor, so paging on
    /// neither repeats nor skips an item.
    ///
    /// # Errors
    /// [`ConsoleError::Cursor`] for a cursor this console did not give out; the inbox's errors.
    pub async fn list(
        &self,
        filter: &Filter,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page, ConsoleError> {
        let after = cursor.map(decode_cursor).transpose()?;
        let limit = limit.clamp(1, MAX_PAGE);
        let items = each!(self, i => i.q_list(filter, after, limit))?;
        let next = (items.len() == limit as usize)
            .then(|| items.last().map(encode_cursor))
            .flatten();
        Ok(Page { items, next })
    }

    /// One item in full, `None` if there is none.
    ///
    /// # Errors
    /// The inbox's errors.
    pub async fn item(&self, id: ItemId) -> Result<Option<ItemView>, ConsoleError> {
        let record = each!(self, i => i.q_item(id))?;
        Ok(record.map(|record| {
            let pretty_json = serde_json::from_slice::<serde_json::Value>(&record.body)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok());
            ItemView {
                record,
                pretty_json,
            }
        }))
    }

    /// Every delivery carrying `reference` (up to [`MAX_PAGE`], across providers), with the
    /// status changes it reports about that reference, their [`Timeline`], and which item
    /// each came from.
    ///
    /// # Errors
    /// [`ConsoleError::Empty`] for an empty value; the inbox's errors.
    pub async fn story(&self, reference: &Reference) -> Result<Story, ConsoleError> {
        if reference.value.is_empty() {
            return Err(ConsoleError::Empty("reference value"));
        }
        let deliveries = each!(self, i => i.q_deliveries(reference, MAX_PAGE))?;
        let mut steps = Vec::new();
        let mut without_steps = Vec::new();
        for (item, provider, received_at, delivery) in deliveries {
            let delivery: AnyDelivery = match delivery {
                Ok(delivery) => delivery,
                Err(reason) => {
                    without_steps.push((item, reason));
                    continue;
                }
            };
            let before = steps.len();
            for update in delivery.status_updates() {
                if names(&update, reference) {
                    steps.push(StoryStep {
                        item,
                        provider: provider.clone(),
                        received_at,
                        update,
                    });
                }
            }
            if steps.len() == before {
                without_steps.push((item, String::new()));
            }
        }
        steps.sort_by(|a, b| {
            let time = |s: &StoryStep| (s.update.time.is_none(), s.update.time);
            time(a)
                .cmp(&time(b))
                .then(a.received_at.cmp(&b.received_at))
                .then(a.item.cmp(&b.item))
        });
        let timeline = steps.iter().map(|s| &s.update).collect();
        Ok(Story {
            reference: reference.clone(),
            steps,
            timeline,
            without_steps,
        })
    }

    /// The dead items not discarded, grouped by provider and normalized cause (every word
    /// holding a digit replaced by `#`), with how many, when first and last: the largest
    /// group first. Only `provider`'s, when given.
    ///
    /// # Errors
    /// The inbox's errors.
    pub async fn failures(
        &self,
        provider: Option<Provider>,
    ) -> Result<Vec<FailureGroup>, ConsoleError> {
        Ok(each!(self, i => i.q_failures(provider))?)
    }

    /// The newest `limit` verbs recorded (1 to [`MAX_PAGE`]), newest first.
    ///
    /// # Errors
    /// The inbox's errors.
    pub async fn audit(&self, limit: u32) -> Result<Vec<AuditEntry>, ConsoleError> {
        let limit = limit.clamp(1, MAX_PAGE);
        Ok(each!(self, i => i.q_audit(limit))?)
    }

    /// Sends every dead or completed item `filter` selects round again (one item:
    /// `Filter::new().item(id)`), as [`Inbox::replay`](crate::inbox::Inbox::replay) does
    /// for one: an item this build cannot read, or an announcement whose entity already
    /// waits, stays. Returns how many were queued; recorded in the audit with `actor` and
    /// `reason`.
    ///
    /// # Errors
    /// [`ConsoleError::Empty`] for an empty `actor`; the inbox's errors.
    pub async fn replay(
        &self,
        filter: &Filter,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<u64, ConsoleError> {
        nonempty(actor, "actor")?;
        Ok(each!(self, i => i.v_replay(filter, actor, reason))?)
    }

    /// Marks every dead item `filter` selects as handled by `actor` for `reason`: it leaves
    /// [`failures`](Console::failures) and stays until retention deletes it. Returns how many;
    /// recorded in the audit and in each item's history (state `handled`).
    ///
    /// # Errors
    /// [`ConsoleError::Empty`] for an empty `actor` or `reason`; the inbox's errors.
    pub async fn discard(
        &self,
        filter: &Filter,
        actor: &str,
        reason: &str,
    ) -> Result<u64, ConsoleError> {
        nonempty(actor, "actor")?;
        nonempty(reason, "reason")?;
        Ok(each!(self, i => i.v_discard(filter, actor, reason))?)
    }

    /// Deletes every stored trace of `reference` (a data-removal request): every item carrying
    /// it, whatever its state, with its references, attempts and history. Returns how many
    /// items; recorded in the audit with the reference's kind, never its value. A retry of an
    /// expunged delivery is accepted again as new.
    ///
    /// # Errors
    /// [`ConsoleError::Empty`] for an empty `actor` or reference value; the inbox's errors.
    pub async fn expunge(
        &self,
        reference: &Reference,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<u64, ConsoleError> {
        nonempty(actor, "actor")?;
        nonempty(&reference.value, "reference value")?;
        Ok(each!(self, i => i.v_expunge(reference, actor, reason))?)
    }
}

fn nonempty(value: &str, name: &'static str) -> Result<(), ConsoleError> {
    if value.trim().is_empty() {
        Err(ConsoleError::Empty(name))
    } else {
        Ok(())
    }
}

/// Whether `update` is about `reference`: one of its shipment's references matches.
fn names(update: &StatusUpdate, reference: &Reference) -> bool {
    let mut refs = Vec::new();
    crate::inbox::trail_references(update.provider, &update.shipment, &mut refs);
    refs.iter().any(|(kind, value)| {
        *value == reference.value
            && reference
                .field
                .is_none_or(|f: RefField| f.as_str() == *kind)
    })
}

/// What a cursor says: the keyset of the last item of a page.
const CURSOR_PREFIX: &str = "c1.";

fn encode_cursor(item: &ItemSummary) -> String {
    let at = crate::inbox::to_ms(item.received_at);
    let raw = format!("{at}.{}", item.id.0);
    format!(
        "{CURSOR_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    )
}

fn decode_cursor(cursor: &str) -> Result<(i64, i64), ConsoleError> {
    let raw = cursor
        .strip_prefix(CURSOR_PREFIX)
        .and_then(|b| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b)
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(ConsoleError::Cursor)?;
    let (at, id) = raw.split_once('.').ok_or(ConsoleError::Cursor)?;
    Ok((
        at.parse().map_err(|_| ConsoleError::Cursor)?,
        id.parse().map_err(|_| ConsoleError::Cursor)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let item = ItemSummary {
            id: ItemId(42),
            provider: "peddler".into(),
            dedup_key: "k".into(),
            state: crate::inbox::ItemState::Dead,
            attempts: 1,
            received_at: crate::inbox::from_ms(1_700_000_000_123),
            last_error: None,
            handled: false,
        };
        let cursor = encode_cursor(&item);
        assert_eq!(decode_cursor(&cursor).unwrap(), (1_700_000_000_123, 42));
        for bad in ["", "c1.", "c1.!!", "x1.MTIzLjQ", "c1.MTIz"] {
            assert!(
                matches!(decode_cursor(bad), Err(ConsoleError::Cursor)),
                "{bad}"
            );
        }
    }
}
