//! Group commit: concurrent accepts queue here, and a writer task stores whatever has queued in
//! one transaction, so one synchronous commit (one fsync) covers many deliveries.
#![cfg_attr(
    not(any(feature = "inbox-sqlite", feature = "inbox-postgres")),
    allow(dead_code)
)]

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{Acceptance, InboxError, Record};

type Reply = oneshot::Sender<Result<Acceptance, InboxError>>;

/// The sending side of the writer task; dropping every clone stops it.
#[derive(Clone, Debug)]
pub(crate) struct Batcher {
    tx: mpsc::Sender<(Record, Reply)>,
}

impl Batcher {
    /// Starts the writer on the current tokio runtime: it takes up to `max_batch` queued
    /// records at a time and runs `write` over them, at most `parallel` writes at once.
    /// `write` answers one [`Acceptance`] per record, in order.
    pub(crate) fn spawn<W, Fut>(max_batch: usize, parallel: usize, write: W) -> Self
    where
        W: Fn(Vec<Record>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Acceptance>, InboxError>> + Send + 'static,
    {
        let (tx, mut rx) = mpsc::channel::<(Record, Reply)>(max_batch.saturating_mul(8).max(64));
        let write = Arc::new(write);
        let permits = Arc::new(Semaphore::new(parallel.max(1)));
        tokio::spawn(async move {
            let mut queued = Vec::with_capacity(max_batch);
            loop {
                // Wait for a free writer first: meanwhile, accepts keep queueing and the next
                // batch grows (that is the group commit).
                let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                    return;
                };
                if rx.recv_many(&mut queued, max_batch).await == 0 {
                    return;
                }
                let (records, replies): (Vec<Record>, Vec<Reply>) = queued.drain(..).unzip();
                let write = Arc::clone(&write);
                tokio::spawn(async move {
                    let outcome = write(records).await;
                    drop(permit);
                    match outcome {
                        Ok(acceptances) => {
                            for (reply, acceptance) in replies.into_iter().zip(acceptances) {
                                let _ = reply.send(Ok(acceptance));
                            }
                        }
                        Err(err) => {
                            for reply in replies {
                                let _ = reply.send(Err(err.clone()));
                            }
                        }
                    }
                });
            }
        });
        Self { tx }
    }

    /// Queues one record and waits until its batch is committed.
    pub(crate) async fn accept(&self, record: Record) -> Result<Acceptance, InboxError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((record, reply))
            .await
            .map_err(|_| InboxError::Closed)?;
        answer.await.map_err(|_| InboxError::Closed)?
    }
}

/// Which records of a batch are new: the first of each key that `inserted` holds.
pub(crate) fn acceptances(
    records: &[Record],
    mut inserted: std::collections::HashMap<String, i64>,
) -> Vec<Acceptance> {
    records
        .iter()
        .map(|r| match inserted.remove(&r.dedup_key) {
            Some(id) => Acceptance::Accepted(super::ItemId(id)),
            None => Acceptance::Duplicate,
        })
        .collect()
}
