//! [`Worker`]: claims items, calls the user's handler under supervision, records each outcome.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use super::{Inbox, InboxError, Item, Wakeup};
use crate::outcome::{HandlerOutcome, Retry};

mod records;

use records::{Batch, Pause};

/// A callback told of every inbox error the worker survives.
type OnError = Arc<dyn Fn(&InboxError) + Send + Sync>;

/// Runs a handler over an [`Inbox`]: claims up to [`batch`](Worker::batch) due items under a
/// [`lease`](Worker::lease), calls the handler with each (one at a time, oldest first), then
/// completes it (`Ok`) or fails it (`Err`, a panic, or running past the
/// [`timeout`](Worker::timeout): back-off, then the dead letters). Completions of quick handlers
/// (under 5 ms) are written together, one commit per batch ([`Inbox::complete_batch`]), so that
/// the worker drains as fast as the receiver's group commit accepts; a slower handler's is
/// written at once. While the handler runs, a heartbeat writes the completions waiting and
/// extends the lease of the running item and of the batch's waiting ones, on the database's
/// clock. When nothing is due it waits until the inbox's [`Wakeup`] rings (an item
/// stored, replayed or released; across processes on PostgreSQL) or [`idle`](Worker::idle)
/// has passed, and looks again: the periodic look is what guarantees progress when a wake-up
/// is lost.
///
/// The worker is supervised: a panicking handler fails its item (with the panic message), a
/// hanging one is cut off at the timeout, and an inbox error (the database unreachable, say)
/// is reported to [`on_error`](Worker::on_error) and retried after a back-off (100 ms doubling
/// to 10 s). It stops only when `shutdown` completes, releasing the claims it has not started
/// without counting an attempt.
///
/// Delivery into the handler is at least once: an item whose worker crashed comes back when
/// its lease runs out (the one it was running, and the quick ones finished since its last
/// write), so make the handler idempotent on [`Item::id`] or the dedup key. Run
/// several workers (tasks, processes, instances) to process in parallel; they never share a
/// live lease, and a worker whose lease was lost cannot record an outcome (fencing).
///
/// ```no_run
/// # #[cfg(feature = "inbox-sqlite")]
/// # async fn run() -> Result<(), delivery_webhooks::inbox::InboxError> {
/// use std::time::Duration;
/// use delivery_webhooks::HandlerResult;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox, Worker};
///
/// let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let worker = Worker::new(inbox)
///     .batch(32)
///     .lease(Duration::from_secs(60))
///     .timeout(Duration::from_secs(120))
///     .on_error(|err| eprintln!("inbox: {err}"));
/// let running = tokio::spawn(worker.run(
///     |item| async move {
///         println!("processing {}", item.delivery.dedup_key());
///         HandlerResult::Ok(())
///     },
///     async { let _ = stopped.await; },
/// ));
/// // ... later: finish the current item, release the rest, and stop.
/// let _ = stop.send(());
/// let report = running.await.expect("the worker task");
/// println!("{} completed, {} failed", report.completed, report.failed);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Worker<I> {
    inbox: I,
    batch: usize,
    lease: Duration,
    heartbeat: Option<Duration>,
    idle: Duration,
    timeout: Duration,
    retain_every: Option<Duration>,
    on_error: Option<OnError>,
    wakeups: bool,
}

impl<I: fmt::Debug> fmt::Debug for Worker<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("inbox", &self.inbox)
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("heartbeat", &self.heartbeat)
            .field("idle", &self.idle)
            .field("timeout", &self.timeout)
            .field("wakeups", &self.wakeups)
            .finish_non_exhaustive()
    }
}

/// What a [`Worker`] did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerReport {
    /// Items the handler processed (`Ok`) and recorded as completed.
    pub completed: u64,
    /// Items the handler failed (`Err`, a panic, a timeout), whether retried later or dead.
    pub failed: u64,
    /// Of those, items that went to the dead letters.
    pub dead: u64,
    /// Of those, handler calls that panicked.
    pub panicked: u64,
    /// Of those, handler calls cut off at the timeout.
    pub timed_out: u64,
    /// Items whose claim was lost (another worker holds them now): no outcome recorded.
    pub lost: u64,
    /// Claims given back unstarted at shutdown (their attempt not counted).
    pub released: u64,
    /// Inbox errors survived (claims, heartbeats or records retried later).
    pub inbox_errors: u64,
    /// Items deleted by the retention ([`Inbox::retain`]).
    pub purged: u64,
}

/// A handler call shorter than this has its completion written with the batch's other quick
/// ones (one commit for them all); a longer one is written at once.
const QUICK_HANDLER: Duration = Duration::from_millis(5);

/// How many times [`Worker::batch`] a claim grows to while a backlog of quick items lasts.
const GROWTH: usize = 16;

/// How one handler call ended.
enum Outcome {
    Done,
    Failed(String, Retry),
    Panicked(String),
    TimedOut,
    Lost,
}

impl<I: Inbox> Worker<I> {
    /// A worker over `inbox`: batches of 16 (up to 256 while quick items wait), a lease of 30 s extended every 10 s while the
    /// handler runs, a timeout of 5 minutes per item, 200 ms between looks when idle, the
    /// inbox's retention applied at start and every hour.
    pub fn new(inbox: I) -> Self {
        Self {
            inbox,
            batch: 16,
            lease: Duration::from_secs(30),
            heartbeat: None,
            idle: Duration::from_millis(200),
            timeout: Duration::from_secs(300),
            retain_every: Some(Duration::from_secs(3600)),
            on_error: None,
            wakeups: true,
        }
    }

    /// Whether an idle worker starts as soon as the inbox's [`Wakeup`] rings (the default),
    /// or only at its next look every [`idle`](Worker::idle): off, what wake-ups buy can be
    /// measured (`benches/wake.rs`); there is no other reason to turn them off.
    #[must_use]
    pub fn wakeups(mut self, on: bool) -> Self {
        self.wakeups = on;
        self
    }

    /// Items claimed at once (at least 1). While claims come back full and every handler is
    /// quick (under 5 ms), each next claim takes twice as many, up to 16× this (256 by default,
    /// the size of the receiver's largest accept batch), so that a backlog drains in as few
    /// commits as it was accepted in; after a slower handler or an empty look, back to this. A
    /// crash leaves at most that many to the lease.
    #[must_use]
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// How long a claim is this worker's without a heartbeat: how long another worker waits
    /// for the items of a worker that crashed. The heartbeat keeps it alive while the handler
    /// runs, however long that takes (up to the timeout). At least 100 ms.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    /// How often the heartbeat extends the leases: a third of the lease unless set. Keep it
    /// well under the lease.
    #[must_use]
    pub fn heartbeat(mut self, every: Duration) -> Self {
        self.heartbeat = Some(every.max(Duration::from_millis(10)));
        self
    }

    /// The wait between looks when nothing is due.
    #[must_use]
    pub fn idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// The longest one handler call may take: past it the call is dropped and the item fails
    /// with `timed out after …` (back-off, then the dead letters).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called with every inbox error the worker survives (and retries after a back-off): log
    /// it, count it. With the `tracing` feature each is also a `warn` event.
    #[must_use]
    pub fn on_error(mut self, callback: impl Fn(&InboxError) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(callback));
        self
    }

    /// How often the worker applies the inbox's retention ([`Inbox::retain`]): at start, then
    /// every `every`; `None` never (purge some other way).
    #[must_use]
    pub fn retention(mut self, every: Option<Duration>) -> Self {
        self.retain_every = every;
        self
    }

    fn heartbeat_every(&self) -> Duration {
        self.heartbeat.unwrap_or(self.lease / 3)
    }

    /// Processes items until `shutdown` completes, then returns once the current item has been
    /// handled and recorded, after releasing the rest of its batch (their attempts not
    /// counted). Never returns before: handler failures, panics, timeouts and inbox errors are
    /// recorded or retried, and counted in the [`WorkerReport`].
    ///
    /// `handler` returns what a router's handler returns ([`HandlerOutcome`]): `()`, or a
    /// `Result` whose `Err` fails the item (logged with feature `tracing`); return
    /// [`HandlerResult`](crate::outcome::HandlerResult) to write `?` and a bare `Ok(())`.
    pub async fn run<H, Fut>(self, handler: H, shutdown: impl Future<Output = ()>) -> WorkerReport
    where
        H: Fn(Item) -> Fut,
        Fut: Future,
        Fut::Output: HandlerOutcome,
    {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut report = WorkerReport::default();
        let mut pause = Pause::default();
        // The depth and dead letters for telemetry, counted at most this often.
        const GAUGES_EVERY: Duration = Duration::from_secs(5);
        let mut gauges_at: Option<std::time::Instant> = None;
        let mut retained_at: Option<std::time::Instant> = None;
        // Items to claim next: `batch`, grown while a backlog of quick items lasts.
        let mut size = self.batch;
        let wake = if self.wakeups {
            self.inbox.wakeup()
        } else {
            None
        };
        loop {
            if gauges_at.is_none_or(|at| at.elapsed() >= GAUGES_EVERY) {
                gauges_at = Some(std::time::Instant::now());
                match self.inbox.depth().await {
                    Ok(depth) => {
                        crate::telemetry::record_inbox_depth(depth.pending);
                        crate::telemetry::record_dead_letters(depth.dead);
                    }
                    Err(err) => self.survived(&mut report, &err),
                }
            }
            if let Some(every) = self.retain_every {
                if retained_at.is_none_or(|at| at.elapsed() >= every) {
                    retained_at = Some(std::time::Instant::now());
                    match self.inbox.retain().await {
                        Ok(deleted) => report.purged += deleted,
                        Err(err) => self.survived(&mut report, &err),
                    }
                }
            }
            // Not raced against the shutdown: a claim cancelled after the database ran it would
            // leave its items to the lease, an attempt counted. It is released below instead.
            if poll_ready(&mut shutdown) {
                return report;
            }
            // Read before the look: a ring after it (an item stored after the claim's query
            // saw none) ends the wait below at once.
            let seen = wake.as_ref().map(Wakeup::seen);
            let claimed = self.inbox.claim(size, self.lease).await;
            let wait = match claimed {
                Ok(items) if items.is_empty() => {
                    pause.reset();
                    size = self.batch;
                    self.idle
                }
                Ok(items) => {
                    pause.reset();
                    let full = items.len() >= size;
                    let mut quick = true;
                    let mut batch = Batch::new(items);
                    while let Some(item) = batch.waiting.pop_front() {
                        if poll_ready(&mut shutdown) {
                            batch.waiting.push_front(item);
                            self.flush(&mut batch, &mut report).await;
                            self.release(batch.waiting, &mut report).await;
                            return report;
                        }
                        let claim = item.claim;
                        let key = item.delivery.dedup_key().clone();
                        let started = std::time::Instant::now();
                        let outcome = self.process(&handler, item, &mut batch, &mut report).await;
                        let was_quick = started.elapsed() < QUICK_HANDLER;
                        quick &= was_quick;
                        match outcome {
                            // Recorded with the batch's others, in one commit; after a slow
                            // handler at once (a commit saved is worth little beside it, and a
                            // crash then re-runs only the item it was running).
                            Outcome::Done => {
                                batch.done.push(claim);
                                if !was_quick {
                                    self.flush(&mut batch, &mut report).await;
                                }
                            }
                            outcome => self.record(claim, &key, outcome, &mut report).await,
                        }
                    }
                    self.flush(&mut batch, &mut report).await;
                    // A backlog of quick items: fewer, larger claims and commits. Anything
                    // slow: back to `batch`, so that several workers share the work.
                    size = if full && quick {
                        size.saturating_mul(2)
                            .min(self.batch.saturating_mul(GROWTH))
                    } else {
                        self.batch
                    };
                    continue;
                }
                Err(err) => {
                    self.survived(&mut report, &err);
                    pause.next()
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => return report,
                () = rung(wake.as_ref(), seen) => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Runs the handler over one item: catches its panic, cuts it off at the timeout, and
    /// meanwhile keeps the batch's leases (records what it finished, extends this item's and
    /// the waiting ones') every [`heartbeat`](Worker::heartbeat), counted from the batch's last
    /// extension, not from this item's start: a batch of handlers each shorter than the
    /// heartbeat still keeps its leases.
    async fn process<H, Fut>(
        &self,
        handler: &H,
        item: Item,
        batch: &mut Batch,
        report: &mut WorkerReport,
    ) -> Outcome
    where
        H: Fn(Item) -> Fut,
        Fut: Future,
        Fut::Output: HandlerOutcome,
    {
        let claim = item.claim;
        // The handler may panic making its future, or while it runs.
        let mut work = match std::panic::catch_unwind(AssertUnwindSafe(|| handler(item))) {
            Ok(work) => Box::pin(work),
            Err(panic) => return Outcome::Panicked(panic_message(panic.as_ref())),
        };
        let mut work = std::pin::pin!(std::future::poll_fn(move |cx| {
            match std::panic::catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx))) {
                Ok(Poll::Ready(outcome)) => Poll::Ready(match outcome.into_outcome() {
                    Ok(()) => Outcome::Done,
                    Err(err) => Outcome::Failed(err.to_string(), err.retry()),
                }),
                Ok(Poll::Pending) => Poll::Pending,
                Err(panic) => Poll::Ready(Outcome::Panicked(panic_message(panic.as_ref()))),
            }
        }));
        let deadline = tokio::time::sleep(self.timeout);
        let mut deadline = std::pin::pin!(deadline);
        let every = self.heartbeat_every();
        loop {
            let beat = tokio::time::Instant::from_std(batch.extended_at + every);
            tokio::select! {
                biased;
                outcome = &mut work => return outcome,
                () = &mut deadline => return Outcome::TimedOut,
                () = tokio::time::sleep_until(beat) => {
                    if !self.keep_leases(claim, batch, report).await {
                        // Another worker has it: stop working on it, record nothing.
                        return Outcome::Lost;
                    }
                }
            }
        }
    }

    fn survived(&self, report: &mut WorkerReport, err: &InboxError) {
        report.inbox_errors += 1;
        #[cfg(feature = "tracing")]
        tracing::warn!(error = %err, "inbox worker: an inbox operation failed; retrying");
        if let Some(callback) = &self.on_error {
            callback(err);
        }
    }
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Completes when `wake` has rung since `seen`; never without a wake-up.
async fn rung(wake: Option<&Wakeup>, seen: Option<u64>) {
    match (wake, seen) {
        (Some(wake), Some(seen)) => wake.rung_since(seen).await,
        _ => std::future::pending().await,
    }
}

/// Whether `future` has completed, polling it once without waiting.
fn poll_ready<F: Future<Output = ()>>(future: &mut Pin<&mut F>) -> bool {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    future.as_mut().poll(&mut cx).is_ready()
}
