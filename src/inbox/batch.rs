//! Group commit: concurrent accepts queue here, and a writer task stores whatever has queued in
//! one transaction, so one synchronous commit (one fsync) covers many deliveries.
//!
//! A batch is bounded in count ([`InboxOptions::max_batch`](super::InboxOptions::max_batch))
//! and bytes ([`InboxOptions::max_batch_bytes`](super::InboxOptions::max_batch_bytes)). When the
//! database refuses a batch of several deliveries for something one record can cause, each is
//! written again on its own, so that a delivery the database cannot take (a NUL byte in a
//! `TEXT` column on PostgreSQL, say) fails alone with its own error while the others are
//! stored and answered.
#![cfg_attr(
    not(any(feature = "inbox-sqlite", feature = "inbox-postgres")),
    allow(dead_code)
)]

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{Acceptance, Entry, InboxError};
use crate::delivery::Provider;

/// Where a record's answer goes, and its place in its provider's budget (given back when the
/// reply is dropped: once answered, or skipped because its caller gave up).
#[derive(Debug)]
struct Reply {
    answer: oneshot::Sender<Result<Acceptance, InboxError>>,
    _slot: Slot,
}

impl Reply {
    fn send(self, answer: Result<Acceptance, InboxError>) {
        let _ = self.answer.send(answer);
    }
}

/// What each provider has waiting for the writer (queued or being written): items and bytes,
/// indexed like [`Provider::ALL`].
type Budgets = Arc<Mutex<[(usize, usize); Provider::ALL.len()]>>;

/// One record's share of its provider's budget, given back on drop.
#[derive(Debug)]
struct Slot {
    budgets: Budgets,
    index: usize,
    bytes: usize,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut budgets = self
            .budgets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (items, bytes) = &mut budgets[self.index];
        *items = items.saturating_sub(1);
        *bytes = bytes.saturating_sub(self.bytes);
    }
}

/// What a backend's batch write gives back: the records, and one answer per record.
pub(crate) type Written = (Vec<Entry>, Result<Vec<Acceptance>, InboxError>);

/// How the writer task batches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Records per batch.
    pub(crate) count: usize,
    /// Bytes per batch (a larger record goes alone).
    pub(crate) bytes: usize,
    /// How long to wait for a batch to fill once a record has arrived.
    pub(crate) linger: Duration,
    /// Batches written at once.
    pub(crate) parallel: usize,
    /// Whether a database error code is one a single record can cause (the dialect's
    /// [`postgres_record_error`] or [`sqlite_record_error`]).
    pub(crate) record_error: fn(&str) -> bool,
    /// How long an accept waits to be stored before it is answered
    /// [`InboxError::Overloaded`].
    pub(crate) deadline: Duration,
    /// Records one provider may have waiting for the writer.
    pub(crate) provider_items: usize,
    /// Bytes one provider may have waiting for the writer (a lone record may be larger).
    pub(crate) provider_bytes: usize,
}

impl Limits {
    /// The batching, deadline and budgets of `options`, with the dialect's `record_error` and
    /// `parallel` writers.
    pub(crate) fn new(
        options: &super::InboxOptions,
        record_error: fn(&str) -> bool,
        parallel: usize,
    ) -> Self {
        Self {
            count: options.max_batch,
            bytes: options.max_batch_bytes,
            linger: options.batch_linger,
            parallel,
            record_error,
            deadline: options.accept_deadline,
            provider_items: options.provider_items,
            provider_bytes: options.provider_bytes,
        }
    }
}

/// The sending side of the writer task; dropping every clone stops it.
#[derive(Clone, Debug)]
pub(crate) struct Batcher {
    tx: mpsc::Sender<(Entry, Reply)>,
    budgets: Budgets,
    limits: Limits,
}

impl Batcher {
    /// Starts the writer on the current tokio runtime: it takes queued records within `limits`
    /// and runs `write` over them. `write` answers one [`Acceptance`] per record, in order,
    /// and hands the records back.
    pub(crate) fn spawn<W, Fut>(limits: Limits, write: W) -> Self
    where
        W: Fn(Vec<Entry>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Written> + Send + 'static,
    {
        let max = limits.count.max(1);
        // Room for every provider's whole budget: an accept within its budget never waits to
        // queue, only to be written.
        let capacity = max
            .saturating_mul(8)
            .max(64)
            .max(limits.provider_items.saturating_mul(Provider::ALL.len()));
        let (tx, mut rx) = mpsc::channel::<(Entry, Reply)>(capacity);
        let write = Arc::new(write);
        let permits = Arc::new(Semaphore::new(limits.parallel.max(1)));
        tokio::spawn(async move {
            let mut queued = Vec::with_capacity(max);
            loop {
                // Wait for a free writer first: meanwhile, accepts keep queueing and the next
                // batch grows (that is the group commit).
                let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                    return;
                };
                if rx.recv_many(&mut queued, max).await == 0 {
                    return;
                }
                if !limits.linger.is_zero() {
                    let until = tokio::time::Instant::now() + limits.linger;
                    while queued.len() < max {
                        let more = max - queued.len();
                        match tokio::time::timeout_at(until, rx.recv_many(&mut queued, more)).await
                        {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {}
                        }
                    }
                }
                let mut batch: Vec<(Entry, Reply)> = std::mem::take(&mut queued);
                // Not written: the caller gave up (past its deadline, answered 503), so the
                // provider sends it again.
                batch.retain(|(_, reply)| !reply.answer.is_closed());
                let write = Arc::clone(&write);
                tokio::spawn(async move {
                    for chunk in by_bytes(batch, limits.bytes) {
                        write_chunk(&*write, chunk, limits.record_error).await;
                    }
                    drop(permit);
                });
            }
        });
        Self {
            tx,
            budgets: Arc::default(),
            limits,
        }
    }

    /// Queues one record and waits until its batch is committed: refused at once with
    /// [`InboxError::ProviderBacklog`] if its provider's budget is spent, answered
    /// [`InboxError::Overloaded`] if not stored within the deadline.
    pub(crate) async fn accept(&self, entry: Entry) -> Result<Acceptance, InboxError> {
        let slot = self.reserve(&entry)?;
        let (answer, answered) = oneshot::channel();
        let reply = Reply {
            answer,
            _slot: slot,
        };
        let stored = async {
            self.tx
                .send((entry, reply))
                .await
                .map_err(|_| InboxError::Closed)?;
            answered.await.map_err(|_| InboxError::Closed)?
        };
        tokio::time::timeout(self.limits.deadline, stored)
            .await
            .unwrap_or(Err(InboxError::Overloaded {
                waited: self.limits.deadline,
            }))
    }

    /// Takes `entry`'s place in its provider's budget, or says that the budget is spent. A
    /// record alone may exceed the byte budget (the body limit bounds it).
    fn reserve(&self, entry: &Entry) -> Result<Slot, InboxError> {
        let index = Provider::ALL
            .iter()
            .position(|p| *p == entry.provider)
            .unwrap_or(0);
        let size = entry.bytes();
        let mut budgets = self
            .budgets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (items, bytes) = &mut budgets[index];
        if *items > 0
            && (*items >= self.limits.provider_items
                || bytes.saturating_add(size) > self.limits.provider_bytes)
        {
            return Err(InboxError::ProviderBacklog {
                provider: entry.provider,
                items: *items,
                bytes: *bytes,
            });
        }
        *items += 1;
        *bytes += size;
        Ok(Slot {
            budgets: Arc::clone(&self.budgets),
            index,
            bytes: size,
        })
    }
}

/// Splits a batch into runs of at most `limit` bytes (a larger record alone).
fn by_bytes(batch: Vec<(Entry, Reply)>, limit: usize) -> Vec<Vec<(Entry, Reply)>> {
    let mut chunks: Vec<Vec<(Entry, Reply)>> = Vec::new();
    let mut bytes: usize = 0;
    for (entry, reply) in batch {
        let size = entry.bytes();
        match chunks.last_mut() {
            Some(chunk) if bytes.saturating_add(size) <= limit => {
                bytes += size;
                chunk.push((entry, reply));
            }
            _ => {
                bytes = size;
                chunks.push(vec![(entry, reply)]);
            }
        }
    }
    chunks
}

/// Writes one chunk and answers each record; if the database refused a chunk of several,
/// writes each record on its own, so only the ones it refuses fail.
async fn write_chunk<W, Fut>(write: &W, chunk: Vec<(Entry, Reply)>, record_error: fn(&str) -> bool)
where
    W: Fn(Vec<Entry>) -> Fut,
    Fut: Future<Output = Written>,
{
    let (entries, replies): (Vec<Entry>, Vec<Reply>) = chunk.into_iter().unzip();
    let several = entries.len() > 1;
    let (entries, written) = write(entries).await;
    match written {
        Ok(acceptances) => {
            for (reply, acceptance) in replies.into_iter().zip(acceptances) {
                reply.send(Ok(acceptance));
            }
        }
        Err(err) if several && refused(&err, record_error) => {
            for (entry, reply) in entries.into_iter().zip(replies) {
                let answer = write(vec![entry])
                    .await
                    .1
                    .and_then(|mut one| one.pop().ok_or(InboxError::Closed));
                reply.send(answer);
            }
        }
        Err(err) => {
            for reply in replies {
                reply.send(Err(err.clone()));
            }
        }
    }
}

/// Whether the database refused the statement for something a single record can cause (then
/// writing each record alone isolates it): bad data, a value too long, a constraint. Not for a
/// transient failure (busy, locked, a lost connection, a deadlock): writing each record alone
/// would only repeat it once per record.
fn refused(err: &InboxError, record_error: fn(&str) -> bool) -> bool {
    let InboxError::Database(source) = err else {
        return false;
    };
    match source.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Encode(_)) => true,
        Some(sqlx::Error::Database(db)) => db.code().is_some_and(|code| record_error(&code)),
        _ => false,
    }
}

/// A PostgreSQL SQLSTATE a single record can cause: class 22 (data exception, such as a NUL
/// byte in `TEXT`), 23 (integrity) or 54 (program limit, such as an index row too large).
#[cfg_attr(not(feature = "inbox-postgres"), allow(dead_code))]
pub(crate) fn postgres_record_error(code: &str) -> bool {
    ["22", "23", "54"]
        .iter()
        .any(|class| code.starts_with(class))
}

/// A SQLite result code a single record can cause: `TOOBIG`, `CONSTRAINT`, `MISMATCH` or
/// `RANGE`, primary or extended (not `BUSY` or `LOCKED`).
#[cfg_attr(not(feature = "inbox-sqlite"), allow(dead_code))]
pub(crate) fn sqlite_record_error(code: &str) -> bool {
    code.parse::<u32>()
        .is_ok_and(|code| matches!(code & 0xff, 18 | 19 | 20 | 25))
}

/// Which records of a batch are new: the first of each stored key that `inserted` holds.
pub(crate) fn acceptances(
    entries: &[Entry],
    mut inserted: std::collections::HashMap<String, i64>,
) -> Vec<Acceptance> {
    entries
        .iter()
        .map(|e| match inserted.remove(&e.key) {
            Some(id) => Acceptance::Accepted(super::ItemId(id)),
            None => Acceptance::Duplicate,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_record_level_errors_isolate_records() {
        use super::{postgres_record_error as pg, sqlite_record_error as sqlite};
        // PostgreSQL: a NUL byte, an index row too large, a unique violation.
        assert!(pg("22021") && pg("54000") && pg("23505"));
        // Not: a deadlock, a connection killed, too many connections.
        assert!(!pg("40P01") && !pg("57P01") && !pg("53300"));
        // SQLite: too big, a constraint (extended: unique), but not busy or locked.
        assert!(sqlite("18") && sqlite("2067"));
        assert!(!sqlite("5") && !sqlite("6") && !sqlite("517"));
    }
}
