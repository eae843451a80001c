//! Group commit: concurrent accepts queue here, and a writer task stores whatever has queued in
//! one transaction, so one synchronous commit (one fsync) covers many deliveries.
//!
//! A batch is bounded in count ([`InboxOptions::max_batch`](super::InboxOptions::max_batch))
//! and bytes ([`InboxOptions::max_batch_bytes`](super::InboxOptions::max_batch_bytes)). When the
//! database refuses a batch of several deliveries, each is written again on its own, so that
//! a delivery the database cannot take (a NUL byte in a `TEXT` column on PostgreSQL, say)
//! fails alone with its own error while the others are stored and answered.
#![cfg_attr(
    not(any(feature = "inbox-sqlite", feature = "inbox-postgres")),
    allow(dead_code)
)]

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{Acceptance, Entry, InboxError};

type Reply = oneshot::Sender<Result<Acceptance, InboxError>>;

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
}

/// The sending side of the writer task; dropping every clone stops it.
#[derive(Clone, Debug)]
pub(crate) struct Batcher {
    tx: mpsc::Sender<(Entry, Reply)>,
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
        let (tx, mut rx) = mpsc::channel::<(Entry, Reply)>(max.saturating_mul(8).max(64));
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
                let batch: Vec<(Entry, Reply)> = std::mem::take(&mut queued);
                let write = Arc::clone(&write);
                tokio::spawn(async move {
                    for chunk in by_bytes(batch, limits.bytes) {
                        write_chunk(&*write, chunk).await;
                    }
                    drop(permit);
                });
            }
        });
        Self { tx }
    }

    /// Queues one record and waits until its batch is committed.
    pub(crate) async fn accept(&self, entry: Entry) -> Result<Acceptance, InboxError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((entry, reply))
            .await
            .map_err(|_| InboxError::Closed)?;
        answer.await.map_err(|_| InboxError::Closed)?
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
async fn write_chunk<W, Fut>(write: &W, chunk: Vec<(Entry, Reply)>)
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
                let _ = reply.send(Ok(acceptance));
            }
        }
        Err(err) if several && refused(&err) => {
            for (entry, reply) in entries.into_iter().zip(replies) {
                let answer = write(vec![entry])
                    .await
                    .1
                    .and_then(|mut one| one.pop().ok_or(InboxError::Closed));
                let _ = reply.send(answer);
            }
        }
        Err(err) => {
            for reply in replies {
                let _ = reply.send(Err(err.clone()));
            }
        }
    }
}

/// Whether the database answered and refused the statement (rather than being unreachable):
/// then a record of the batch may be the cause, and writing each alone isolates it.
fn refused(err: &InboxError) -> bool {
    match err {
        InboxError::Database(source) => source
            .downcast_ref::<sqlx::Error>()
            .is_some_and(|e| matches!(e, sqlx::Error::Database(_) | sqlx::Error::Encode(_))),
        _ => false,
    }
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
