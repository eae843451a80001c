//! What a [`Worker`] writes after a claim: the batch's completions in one commit, each failure
//! on its own, the heartbeat that keeps the batch's leases, and the release at shutdown.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Outcome, Worker, WorkerReport};
use crate::delivery::DedupKey;
use crate::inbox::{Claim, Failure, Inbox, InboxError, Item};
use crate::outcome::Retry;

/// Attempts at writing an outcome before leaving the item to its lease.
const TRIES: usize = 5;

/// One claimed batch while the worker goes through it.
pub(super) struct Batch {
    /// Claimed, not started yet (oldest first).
    pub(super) waiting: VecDeque<Item>,
    /// Finished by the handler, not recorded yet: completed together by
    /// [`flush`](Worker::flush) at the end of the batch or at the next heartbeat.
    pub(super) done: Vec<Claim>,
    /// When the batch's leases were last set (the claim, then each heartbeat).
    pub(super) extended_at: Instant,
}

impl Batch {
    /// The batch just claimed (its leases set now).
    pub(super) fn new(items: Vec<Item>) -> Self {
        Self {
            waiting: VecDeque::from(items),
            done: Vec::new(),
            extended_at: Instant::now(),
        }
    }
}

impl<I: Inbox> Worker<I> {
    /// Records the finished items of `batch` as completed, in one call
    /// ([`Inbox::complete_batch`]), retrying an inbox error a few times (the heartbeat keeps the
    /// leases meanwhile; if recording never succeeds, the items come back when they run out).
    pub(super) async fn flush(&self, batch: &mut Batch, report: &mut WorkerReport) {
        let mut pending = std::mem::take(&mut batch.done);
        let mut pause = Pause::default();
        for _ in 0..TRIES {
            if pending.is_empty() {
                return;
            }
            match self.inbox.complete_batch(&pending).await {
                Ok(recorded) => {
                    let mut again = Vec::new();
                    for (claim, result) in pending.iter().zip(recorded) {
                        match result {
                            Ok(()) => report.completed += 1,
                            Err(InboxError::LeaseLost { .. }) => report.lost += 1,
                            Err(err) => {
                                self.survived(report, &err);
                                again.push(*claim);
                            }
                        }
                    }
                    pending = again;
                }
                Err(err) => self.survived(report, &err),
            }
            if !pending.is_empty() {
                tokio::time::sleep(pause.next()).await;
            }
        }
    }

    /// The heartbeat: records what the batch finished, then extends the leases of `running`
    /// and of the waiting items, dropping those another worker holds now (counted lost).
    /// Whether `running` is still this worker's.
    pub(super) async fn keep_leases(
        &self,
        running: Claim,
        batch: &mut Batch,
        report: &mut WorkerReport,
    ) -> bool {
        batch.extended_at = Instant::now();
        self.flush(batch, report).await;
        match self.inbox.extend(running, self.lease).await {
            Ok(()) => {}
            Err(InboxError::LeaseLost { .. }) => return false,
            Err(err) => self.survived(report, &err),
        }
        let mut kept = VecDeque::with_capacity(batch.waiting.len());
        for item in batch.waiting.drain(..) {
            match self.inbox.extend(item.claim, self.lease).await {
                Err(InboxError::LeaseLost { .. }) => report.lost += 1,
                Err(err) => {
                    self.survived(report, &err);
                    kept.push_back(item);
                }
                Ok(()) => kept.push_back(item),
            }
        }
        batch.waiting = kept;
        true
    }

    /// Records an outcome other than done (those go together through [`flush`](Self::flush)),
    /// retrying an inbox error a few times.
    pub(super) async fn record(
        &self,
        claim: Claim,
        key: &DedupKey,
        outcome: Outcome,
        report: &mut WorkerReport,
    ) {
        let (reason, retry) = match outcome {
            Outcome::Done => {
                let mut batch = Batch::new(Vec::new());
                batch.done.push(claim);
                return self.flush(&mut batch, report).await;
            }
            Outcome::Lost => {
                report.lost += 1;
                return;
            }
            Outcome::Failed(err, retry) => (err, retry),
            Outcome::Panicked(message) => {
                report.panicked += 1;
                (format!("the handler panicked: {message}"), Retry::Backoff)
            }
            Outcome::TimedOut => {
                report.timed_out += 1;
                (
                    format!("timed out after {:?}", self.timeout),
                    Retry::Backoff,
                )
            }
        };
        report.failed += 1;
        crate::telemetry::record_handler_failure(key, claim.attempt, &reason);
        let mut pause = Pause::default();
        for _ in 0..TRIES {
            match self.inbox.fail_with(claim, &reason, retry).await {
                Ok(failure) => {
                    if failure == Failure::Dead {
                        report.dead += 1;
                    }
                    return;
                }
                Err(InboxError::LeaseLost { .. }) => {
                    report.lost += 1;
                    return;
                }
                Err(err) => {
                    self.survived(report, &err);
                    tokio::time::sleep(pause.next()).await;
                }
            }
        }
    }

    /// Gives back claims not started (shutdown): pending again, the attempt not counted.
    pub(super) async fn release(&self, items: VecDeque<Item>, report: &mut WorkerReport) {
        for item in items {
            match self.inbox.release(item.claim).await {
                Ok(()) => report.released += 1,
                Err(InboxError::LeaseLost { .. }) => report.lost += 1,
                // It comes back when its lease runs out.
                Err(err) => self.survived(report, &err),
            }
        }
    }
}

/// The back-off after inbox errors: 100 ms doubling to 10 s.
#[derive(Debug, Default)]
pub(super) struct Pause {
    errors: u32,
}

impl Pause {
    pub(super) fn next(&mut self) -> Duration {
        let wait = Duration::from_millis(100)
            .saturating_mul(1 << self.errors.min(7))
            .min(Duration::from_secs(10));
        self.errors = self.errors.saturating_add(1);
        wait
    }

    pub(super) fn reset(&mut self) {
        self.errors = 0;
    }
}
