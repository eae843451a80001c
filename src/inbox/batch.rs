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
        // With several writers, large records may hold all of them but one: that one is kept
        // for small records, which also go in batches of their own (`next_batch`).
        let large = (limits.parallel > 1).then(|| Arc::new(Semaphore::new(limits.parallel - 1)));
        tokio::spawn(async move {
            // What has queued and is not written yet: a batch takes its head, the rest waits
            // for the next free writer.
            let mut queued = Vec::with_capacity(max);
            loop {
                // Wait for a free writer first: meanwhile, accepts keep queueing and the next
                // batch grows (that is the group commit).
                let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                    return;
                };
                if queued.is_empty() {
                    if rx.recv_many(&mut queued, max).await == 0 {
                        return;
                    }
                    if !limits.linger.is_zero() {
                        let until = tokio::time::Instant::now() + limits.linger;
                        while queued.len() < max {
                            let more = max - queued.len();
                            match tokio::time::timeout_at(until, rx.recv_many(&mut queued, more))
                                .await
                            {
                                Ok(0) | Err(_) => break,
                                Ok(_) => {}
                            }
                        }
                    }
                }
                // What arrived while the last batch was written, without waiting.
                while queued.len() < max {
                    match rx.try_recv() {
                        Ok(record) => queued.push(record),
                        Err(_) => break,
                    }
                }
                // Not written: the caller gave up (past its deadline, answered 503), so the
                // provider sends it again.
                queued.retain(|(_, reply)| !reply.answer.is_closed());
                if queued.is_empty() {
                    continue;
                }
                let large_permit = match &large {
                    Some(large) if !queued.iter().any(|(e, _)| e.bytes() <= SMALL_RECORD) => {
                        match Arc::clone(large).try_acquire_owned() {
                            Ok(held) => Some(held),
                            // Every other writer is on large records: this one waits for a
                            // small record, or for one of them to finish.
                            Err(_) => {
                                tokio::select! {
                                    got = rx.recv_many(&mut queued, max) => if got == 0 {
                                        return;
                                    },
                                    _ = Arc::clone(large).acquire_owned() => {}
                                }
                                continue;
                            }
                        }
                    }
                    _ => None,
                };
                let batch = next_batch(&mut queued, max, limits.bytes, large.is_some());
                let write = Arc::clone(&write);
                tokio::spawn(async move {
                    write_chunk(&*write, batch, limits.record_error).await;
                    drop(large_permit);
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

/// A record this size or smaller (a delivery of any provider as documented, headers and
/// payload included) is small: with several writers, small records are batched apart from
/// larger ones and always find a writer free.
pub(crate) const SMALL_RECORD: usize = 16 << 10;

/// The next batch out of `queued` ([`take_fair`]); with `split` (several writers), only its
/// small records while there are any, so that a small delivery is not written in the same
/// statement as a megabyte of another provider's large ones (issue 33, finding 2).
fn next_batch(
    queued: &mut Vec<(Entry, Reply)>,
    count: usize,
    bytes: usize,
    split: bool,
) -> Vec<(Entry, Reply)> {
    if !split || !queued.iter().any(|(e, _)| e.bytes() <= SMALL_RECORD) {
        return take_fair(queued, count, bytes);
    }
    let (mut small, large): (Vec<_>, Vec<_>) = queued
        .drain(..)
        .partition(|(e, _)| e.bytes() <= SMALL_RECORD);
    let batch = take_fair(&mut small, count, bytes);
    queued.extend(small);
    queued.extend(large);
    batch
}

/// Takes the next batch out of `queued`: at most `count` records and `bytes` bytes (a larger
/// record alone), the providers taken in turn, the one with the fewest bytes waiting first,
/// each provider's records in the order they came. So a lone delivery of one provider is in
/// the next batch however many bytes another has queued before it (issue 33, finding 2), and
/// what is not taken keeps its place for the next batch.
fn take_fair(queued: &mut Vec<(Entry, Reply)>, count: usize, bytes: usize) -> Vec<(Entry, Reply)> {
    let mut lanes: Vec<(usize, std::collections::VecDeque<(Entry, Reply)>)> = Vec::new();
    let mut providers: Vec<Provider> = Vec::new();
    for (entry, reply) in queued.drain(..) {
        let lane = match providers.iter().position(|p| *p == entry.provider) {
            Some(lane) => lane,
            None => {
                providers.push(entry.provider);
                lanes.push((0, std::collections::VecDeque::new()));
                lanes.len() - 1
            }
        };
        lanes[lane].0 += entry.bytes();
        lanes[lane].1.push_back((entry, reply));
    }
    // Stable: providers with as many bytes keep the order they came in.
    lanes.sort_by_key(|(waiting, _)| *waiting);
    let mut batch: Vec<(Entry, Reply)> = Vec::new();
    let mut taken: usize = 0;
    let mut full = false;
    while !full && lanes.iter().any(|(_, lane)| !lane.is_empty()) {
        for (_, lane) in &mut lanes {
            let Some((entry, _)) = lane.front() else {
                continue;
            };
            let size = entry.bytes();
            if batch.len() >= count || (!batch.is_empty() && taken.saturating_add(size) > bytes) {
                full = true;
                break;
            }
            taken = taken.saturating_add(size);
            batch.extend(lane.pop_front());
        }
    }
    // The rest, in turn again next time.
    let mut rest: Vec<_> = lanes.into_iter().map(|(_, lane)| lane).collect();
    while rest.iter().any(|lane| !lane.is_empty()) {
        for lane in &mut rest {
            queued.extend(lane.pop_front());
        }
    }
    batch
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

/// Whether a batch write stored a new item (then the inbox's [`Wakeup`](super::Wakeup) rings).
pub(crate) fn stored_new(written: &Written) -> bool {
    written
        .1
        .as_ref()
        .is_ok_and(|answers| answers.iter().any(|a| matches!(a, Acceptance::Accepted(_))))
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
    use super::*;

    /// A record of `provider` named `key`, of `size` body bytes, and its reply.
    fn record(provider: Provider, key: &str, size: usize) -> (Entry, Reply) {
        let record = super::super::rebuild::Record {
            provider: provider.as_str(),
            dedup_key: key.to_owned(),
            delivery_attempt: None,
            context: None,
            method: String::new(),
            uri: String::new(),
            peer: None,
            headers: String::new(),
            body: vec![b' '; size],
            payload: Vec::new(),
            received_at: 0,
        };
        let entry = Entry {
            record,
            provider,
            key: key.to_owned(),
            full_key: None,
            announce: false,
            references: Vec::new(),
        };
        let (answer, _) = oneshot::channel();
        let reply = Reply {
            answer,
            _slot: Slot {
                budgets: Budgets::default(),
                index: 0,
                bytes: 0,
            },
        };
        (entry, reply)
    }

    fn keys(records: &[(Entry, Reply)]) -> Vec<&str> {
        records.iter().map(|(e, _)| e.key.as_str()).collect()
    }

    /// Issue 33, finding 2: a lone delivery of one provider goes in the next batch however many
    /// bytes another provider queued before it.
    #[test]
    fn the_next_batch_takes_providers_in_turn_the_lightest_first() {
        let mut queued: Vec<_> = (0..6)
            .map(|i| record(Provider::Peddler, &format!("p{i}"), 64 << 10))
            .collect();
        queued.push(record(Provider::Wakilni, "w0", 2 << 10));
        queued.push(record(Provider::Peddler, "p6", 64 << 10));
        queued.push(record(Provider::Wakilni, "w1", 2 << 10));
        // 150 KiB a batch: Wakilni (4 KiB waiting) first, then the providers in turn.
        let batch = take_fair(&mut queued, 256, 150 << 10);
        assert_eq!(keys(&batch), ["w0", "p0", "w1", "p1"]);
        assert_eq!(keys(&queued), ["p2", "p3", "p4", "p5", "p6"]);
        // Count bounds a batch too; the rest keeps its order.
        let batch = take_fair(&mut queued, 2, usize::MAX);
        assert_eq!(keys(&batch), ["p2", "p3"]);
        assert_eq!(keys(&queued), ["p4", "p5", "p6"]);
    }

    #[test]
    fn a_record_larger_than_a_batch_goes_alone() {
        let mut queued = vec![
            record(Provider::Peddler, "huge", 16 << 20),
            record(Provider::Wakilni, "small", 1 << 10),
            record(Provider::Peddler, "after", 1 << 10),
        ];
        let batch = take_fair(&mut queued, 256, 1 << 20);
        // Wakilni waits fewer bytes: first; Peddler's next record does not fit beside it.
        assert_eq!(keys(&batch), ["small"]);
        let batch = take_fair(&mut queued, 256, 1 << 20);
        assert_eq!(keys(&batch), ["huge"]);
        let batch = take_fair(&mut queued, 256, 1 << 20);
        assert_eq!(keys(&batch), ["after"]);
        assert!(queued.is_empty());
    }

    /// With several writers, small records go in batches of their own while any are queued.
    #[test]
    fn small_records_are_batched_apart_from_large_ones() {
        let mut queued = vec![
            record(Provider::Peddler, "p0", 64 << 10),
            record(Provider::Wakilni, "w0", 1 << 10),
            record(Provider::Peddler, "p1", 64 << 10),
            record(Provider::Peddler, "small", 2 << 10),
            record(Provider::Wakilni, "w1", 1 << 10),
        ];
        let batch = next_batch(&mut queued, 256, 1 << 20, true);
        assert_eq!(keys(&batch), ["small", "w0", "w1"]);
        assert_eq!(keys(&queued), ["p0", "p1"]);
        let batch = next_batch(&mut queued, 256, 1 << 20, true);
        assert_eq!(keys(&batch), ["p0", "p1"]);
        // One writer (SQLite): one batch for all, the lightest provider first.
        let mut queued = vec![
            record(Provider::Peddler, "p0", 64 << 10),
            record(Provider::Wakilni, "w0", 1 << 10),
        ];
        let batch = next_batch(&mut queued, 256, 1 << 20, false);
        assert_eq!(keys(&batch), ["w0", "p0"]);
    }

    /// With two writers, large records hold one at most: while a large batch is being written
    /// and more large records wait, a small record is stored at once by the other writer.
    /// (Paused clock: if the small record found no writer, every task would wait, the clock
    /// would jump to the hour-long bound below and the test fail at once.)
    #[tokio::test(start_paused = true)]
    async fn a_small_record_finds_a_writer_while_large_ones_hold_the_others() {
        let release = Arc::new(Semaphore::new(0));
        let written = Arc::new(Mutex::new(Vec::new()));
        let limits = Limits {
            count: 256,
            bytes: 1 << 20,
            linger: Duration::ZERO,
            parallel: 2,
            record_error: |_| false,
            deadline: Duration::from_secs(3600),
            provider_items: 256,
            provider_bytes: 64 << 20,
        };
        let (gate, log) = (Arc::clone(&release), Arc::clone(&written));
        let batcher = Batcher::spawn(limits, move |entries: Vec<Entry>| {
            let (gate, log) = (Arc::clone(&gate), Arc::clone(&log));
            async move {
                let keys: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
                if entries.iter().any(|e| e.bytes() > SMALL_RECORD) {
                    // A large batch is written when the test lets it.
                    gate.acquire().await.unwrap().forget();
                }
                log.lock().unwrap().push(keys);
                let n = i64::try_from(entries.len()).unwrap();
                (
                    entries,
                    Ok((0..n)
                        .map(|i| Acceptance::Accepted(super::super::ItemId(i)))
                        .collect()),
                )
            }
        });
        let entry = |provider, key: &str, size| record(provider, key, size).0;
        // Each 2 MiB: a batch of its own (1 MiB a batch), so two large batches.
        let large = |key: &str| {
            let batcher = batcher.clone();
            let e = entry(Provider::Peddler, key, 2 << 20);
            tokio::spawn(async move { batcher.accept(e).await })
        };
        let first = large("p0");
        let second = large("p1");
        // The clock is paused: it moves on only when every task waits, so after this both
        // large records are as far as they get (one in a write, one waiting).
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(written.lock().unwrap().is_empty());
        let small = tokio::time::timeout(
            Duration::from_secs(60),
            batcher.accept(entry(Provider::Wakilni, "w0", 1 << 10)),
        )
        .await
        .expect("the small record waited for a writer held by large ones");
        assert!(matches!(small, Ok(Acceptance::Accepted(_))), "{small:?}");
        assert_eq!(*written.lock().unwrap(), [vec!["w0".to_owned()]]);
        release.add_permits(2);
        assert!(first.await.unwrap().is_ok());
        assert!(second.await.unwrap().is_ok());
        assert_eq!(written.lock().unwrap().len(), 3);
    }

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
