//! [`Worker`]: claims items, calls the user's handler, records each outcome.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use super::{Failure, Inbox, InboxError, Item};

/// Runs a handler over an [`Inbox`]: claims up to [`batch`](Worker::batch) due items under a
/// [`lease`](Worker::lease), calls the handler with each (one at a time, oldest first), then
/// completes it (`Ok`) or fails it (`Err`: back-off, then the dead letters). When nothing is
/// due it waits [`idle`](Worker::idle) and looks again.
///
/// Delivery into the handler is at least once: an item whose worker crashed comes back when its
/// lease runs out, so make the handler idempotent on [`Item::id`] or the dedup key, and keep the
/// lease longer than the handler ever takes. Run several workers (tasks, processes, instances)
/// to process in parallel; they never share a live lease.
///
/// ```no_run
/// # #[cfg(feature = "inbox-sqlite")]
/// # async fn run() -> Result<(), delivery_webhooks::inbox::InboxError> {
/// use std::time::Duration;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox, Worker};
///
/// let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let worker = Worker::new(inbox).batch(32).lease(Duration::from_secs(60));
/// let running = tokio::spawn(worker.run(
///     |item| async move {
///         println!("processing {}", item.delivery.dedup_key());
///         Ok::<(), String>(())
///     },
///     async { let _ = stopped.await; },
/// ));
/// // ... later: finish the current item and stop.
/// let _ = stop.send(());
/// let report = running.await.expect("the worker task")?;
/// println!("{} completed, {} failed", report.completed, report.failed);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Worker<I> {
    inbox: I,
    batch: usize,
    lease: Duration,
    idle: Duration,
}

/// What a [`Worker`] did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerReport {
    /// Items the handler processed (`Ok`).
    pub completed: u64,
    /// Items the handler failed (`Err`), whether retried later or dead.
    pub failed: u64,
    /// Of those, items that went to the dead letters.
    pub dead: u64,
}

impl<I: Inbox> Worker<I> {
    /// A worker over `inbox`: batches of 16, a lease of 5 minutes, 200 ms between looks when
    /// idle.
    pub fn new(inbox: I) -> Self {
        Self {
            inbox,
            batch: 16,
            lease: Duration::from_secs(300),
            idle: Duration::from_millis(200),
        }
    }

    /// Items claimed at once (at least 1). A crash leaves at most this many to the lease.
    #[must_use]
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// How long a claimed batch is this worker's: longer than the handler takes for a whole
    /// batch, or another worker takes its items again.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The wait between looks when nothing is due.
    #[must_use]
    pub fn idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Processes items until `shutdown` completes, then returns once the current item has been
    /// handled and recorded (the rest of a claimed batch is released to other workers when its
    /// lease runs out).
    ///
    /// # Errors
    /// The first [`InboxError`] of the inbox itself (the handler's errors are recorded with
    /// [`Inbox::fail`], never returned).
    pub async fn run<H, Fut, E>(
        self,
        handler: H,
        shutdown: impl Future<Output = ()>,
    ) -> Result<WorkerReport, InboxError>
    where
        H: Fn(Item) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut report = WorkerReport::default();
        // The depth and dead letters for telemetry, counted at most this often: counting scans
        // the table, which holds every delivery of the dedup window.
        const GAUGES_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
        let mut gauges_at: Option<std::time::Instant> = None;
        loop {
            if gauges_at.is_none_or(|at| at.elapsed() >= GAUGES_EVERY) {
                gauges_at = Some(std::time::Instant::now());
                let stats = self.inbox.stats().await?;
                crate::telemetry::record_inbox_depth(stats.pending);
                crate::telemetry::record_dead_letters(stats.dead);
            }
            let claimed = tokio::select! {
                biased;
                () = &mut shutdown => return Ok(report),
                claimed = self.inbox.claim(self.batch, self.lease) => claimed?,
            };
            if claimed.is_empty() {
                tokio::select! {
                    biased;
                    () = &mut shutdown => return Ok(report),
                    () = tokio::time::sleep(self.idle) => continue,
                }
            }
            for item in claimed {
                let id = item.id;
                match handler(item).await {
                    Ok(()) => {
                        self.inbox.complete(id).await?;
                        report.completed += 1;
                    }
                    Err(err) => {
                        report.failed += 1;
                        if self.inbox.fail(id, &err.to_string()).await? == Failure::Dead {
                            report.dead += 1;
                        }
                    }
                }
                if futures_poll_ready(&mut shutdown) {
                    return Ok(report);
                }
            }
        }
    }
}

/// Whether `future` has completed, polling it once without waiting.
fn futures_poll_ready<F: Future<Output = ()>>(future: &mut std::pin::Pin<&mut F>) -> bool {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    future.as_mut().poll(&mut cx).is_ready()
}
