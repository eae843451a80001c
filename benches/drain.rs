//! Drain rate against accept rate (issue 36): do workers with a handler that does nothing
//! complete items at least as fast as the receiver accepts them, so that the backlog never
//! grows under the maximum accept rate? All figures of one backend come from one run, side by
//! side, since this machine's absolute numbers move with its load.
//!
//! For each backend (SQLite in a temp file; PostgreSQL when `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL`
//! is set, e.g. under `scripts/with-postgres.sh`):
//!
//! 1. **accept (max)**: one receiver, `inbox_router` over the inbox on loopback, Wakilni
//!    deliveries (signed, unique `event_id`s) from 64 keep-alive connections as fast as answered
//!    for `DRAIN_BENCH_SECS` (default 10), no worker running: accepted/s. This leaves a backlog.
//! 2. **drain, per item (before)**: one `Worker` (batches of 16, a handler that does nothing)
//!    over an inbox whose completions are written one at a time (`complete_batch` left to the
//!    trait's default, which calls `complete` for each claim: what the worker did before);
//!    completed/s over the backlog's first `DRAIN_BENCH_ITEMS` (default 5,000) items.
//! 3. **drain, 1 worker** and **drain, 2 workers**: the same, batched completions (the
//!    inbox's own `complete_batch`). On PostgreSQL each worker has its own inbox instance (its
//!    own pool), as a worker in another process would.
//! 4. **accept (max) with 1 worker** and **with 2 workers draining**: the load of step 1 with
//!    the workers running: accepted/s, completed/s, and the backlog (pending + claimed) before
//!    and after.
//!
//! And on PostgreSQL, **1 vs 2 receivers**: the same load split over two receiver instances
//! (each its own runtime and pool, distinct deliveries), no worker: accepted/s in all.
//!
//! Run: `scripts/with-postgres.sh cargo bench --bench drain --all-features`. Not a timed test:
//! it prints figures, recorded in `docs/performance.md` ("Drain rate") and `docs/inbox.md`
//! ("Beyond one machine").
#![allow(missing_docs)]

#[path = "common/load.rs"]
mod load;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{
    Acceptance, Claim, Depth, Failure, Inbox, InboxError, InboxOptions, Item, ItemId, ItemInfo,
    PostgresInbox, Replay, SqliteInbox, Stats, Wakeup, Worker, WorkerReport,
};
use delivery_webhooks::{AnyDelivery, OwnedRequest, Retry};
use tokio::io::AsyncWriteExt;

const CONNECTIONS: usize = 64;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A receiver: `inbox_router` over `inbox` on its own one-thread runtime.
struct Receiver {
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

fn serve<I: Inbox + Clone + 'static>(inbox: I) -> Receiver {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = load::listen(&runtime, inbox);
    Receiver {
        addr,
        _runtime: runtime,
    }
}

/// Sends distinct deliveries over `CONNECTIONS` connections (spread over `addrs`) as fast as
/// answered for `secs`: how many were answered 200.
async fn load(addrs: &[SocketAddr], secs: u64, next: Arc<AtomicU64>) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let addr = addrs[c % addrs.len()];
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let mut buf = Vec::new();
            let mut answered = 0u64;
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                stream.write_all(&load::request(n)).await.unwrap();
                load::read_response(&mut stream, &mut buf).await;
                answered += 1;
            }
            answered
        }));
    }
    let mut answered = 0;
    for t in tasks {
        answered += t.await.unwrap();
    }
    answered
}

/// Items waiting or running.
async fn backlog<I: Inbox>(inbox: &I) -> u64 {
    let depth = inbox.depth().await.unwrap();
    depth.pending + depth.claimed
}

/// Workers (one per inbox in `inboxes`) with a handler that does nothing, until `stop`.
fn start_workers<I: Inbox + Clone + 'static>(
    inboxes: &[I],
) -> (
    tokio::sync::watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<WorkerReport>>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let batch = usize::try_from(env("DRAIN_BENCH_BATCH", 16)).unwrap();
    let running = inboxes
        .iter()
        .map(|inbox| {
            let mut stopped = stopped.clone();
            tokio::spawn(Worker::new(inbox.clone()).batch(batch).retention(None).run(
                |_item: Item| async {},
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            ))
        })
        .collect();
    (stop, running)
}

async fn stop_workers(
    stop: tokio::sync::watch::Sender<bool>,
    running: Vec<tokio::task::JoinHandle<WorkerReport>>,
) -> u64 {
    // No receiver left when there is no worker.
    let _ = stop.send(true);
    let mut completed = 0;
    for r in running {
        completed += r.await.unwrap().completed;
    }
    completed
}

/// Workers over `inboxes` until the backlog (read through `watch`, nothing accepted meanwhile)
/// is `items` smaller: completed/s.
async fn drain<I: Inbox + Clone + 'static, W: Inbox>(inboxes: &[I], watch: &W, items: u64) -> f64 {
    let before = backlog(watch).await;
    assert!(
        before >= items,
        "a backlog of {before} cannot drain {items}"
    );
    let started = Instant::now();
    let (stop, running) = start_workers(inboxes);
    let done = loop {
        let done = before - backlog(watch).await;
        if done >= items {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let elapsed = started.elapsed().as_secs_f64();
    stop_workers(stop, running).await;
    done as f64 / elapsed
}

/// What the server's active sessions were doing, sampled every 50 ms for `secs`: each
/// `wait_event_type:wait_event` (`CPU` when none), as a share of the samples' sessions.
async fn waits(url: String, secs: u64) -> String {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity \
             WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (wait,) in rows {
            *counts.entry(wait).or_default() += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total: u64 = counts.values().sum();
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .take(6)
        .map(|(wait, n)| format!("{wait} {:.0}%", 100.0 * *n as f64 / total.max(1) as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

fn load_line() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One backend: every step of the module's list, printed as it goes.
fn bench<I: Inbox + Clone + 'static>(
    label: &str,
    client: &tokio::runtime::Runtime,
    inbox: I,
    workers: [I; 2],
    secs: u64,
    items: u64,
) {
    let receiver = serve(inbox.clone());
    let next = Arc::new(AtomicU64::new(0));
    println!("{label}: load average {}", load_line());
    let started = Instant::now();
    let accepted = client.block_on(load(&[receiver.addr], secs, Arc::clone(&next)));
    let accept_max = accepted as f64 / started.elapsed().as_secs_f64();
    println!("{label:<10} accept (max), no worker            {accept_max:>8.0} items/s");
    // Three drains out of the backlog just accepted.
    let items = items.min(accepted / 3);
    let per_item = client.block_on(drain(&[PerItem(workers[0].clone())], &inbox, items));
    println!(
        "{label:<10} drain, per item (before), 1 worker   {per_item:>8.0} items/s   ({:.2}x accept)",
        per_item / accept_max
    );
    let one = client.block_on(drain(&workers[..1], &inbox, items));
    println!(
        "{label:<10} drain, batched, 1 worker             {one:>8.0} items/s   ({:.2}x accept)",
        one / accept_max
    );
    let two = client.block_on(drain(&workers[..], &inbox, items));
    println!(
        "{label:<10} drain, batched, 2 workers            {two:>8.0} items/s   ({:.2}x accept)",
        two / accept_max
    );
    for n in [1, 2] {
        let before = client.block_on(backlog(&inbox));
        let (stop, running) = client.block_on(async { start_workers(&workers[..n]) });
        let started = Instant::now();
        let accepted = client.block_on(load(&[receiver.addr], secs, Arc::clone(&next)));
        let elapsed = started.elapsed().as_secs_f64();
        let after = client.block_on(backlog(&inbox));
        let completed = client.block_on(stop_workers(stop, running));
        println!(
            "{label:<10} accept (max) with {n} worker(s) draining {:>8.0} accepted/s {:>8.0} completed/s   backlog {before} -> {after}",
            accepted as f64 / elapsed,
            completed as f64 / elapsed,
        );
    }
    println!("{label}: load average {}", load_line());
}

/// An inbox whose completions are written one at a time: `complete_batch` is the trait's
/// default (a `complete` per claim), as the worker wrote them before batching.
#[derive(Clone)]
struct PerItem<I>(I);

impl<I: Inbox> Inbox for PerItem<I> {
    fn accept(
        &self,
        d: &AnyDelivery,
        r: &OwnedRequest,
    ) -> impl Future<Output = Result<Acceptance, InboxError>> + Send {
        self.0.accept(d, r)
    }
    fn claim(
        &self,
        n: usize,
        lease: Duration,
    ) -> impl Future<Output = Result<Vec<Item>, InboxError>> + Send {
        self.0.claim(n, lease)
    }
    fn extend(
        &self,
        claim: Claim,
        lease: Duration,
    ) -> impl Future<Output = Result<(), InboxError>> + Send {
        self.0.extend(claim, lease)
    }
    fn complete(&self, claim: Claim) -> impl Future<Output = Result<(), InboxError>> + Send {
        self.0.complete(claim)
    }
    fn fail(
        &self,
        claim: Claim,
        error: &str,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send {
        self.0.fail(claim, error)
    }
    fn fail_with(
        &self,
        claim: Claim,
        error: &str,
        retry: Retry,
    ) -> impl Future<Output = Result<Failure, InboxError>> + Send {
        self.0.fail_with(claim, error, retry)
    }
    fn release(&self, claim: Claim) -> impl Future<Output = Result<(), InboxError>> + Send {
        self.0.release(claim)
    }
    fn replay(&self, id: ItemId) -> impl Future<Output = Result<Replay, InboxError>> + Send {
        self.0.replay(id)
    }
    fn purge(&self, older_than: Duration) -> impl Future<Output = Result<u64, InboxError>> + Send {
        self.0.purge(older_than)
    }
    fn retain(&self) -> impl Future<Output = Result<u64, InboxError>> + Send {
        self.0.retain()
    }
    fn item(
        &self,
        id: ItemId,
    ) -> impl Future<Output = Result<Option<ItemInfo>, InboxError>> + Send {
        self.0.item(id)
    }
    fn stats(&self) -> impl Future<Output = Result<Stats, InboxError>> + Send {
        self.0.stats()
    }
    fn depth(&self) -> impl Future<Output = Result<Depth, InboxError>> + Send {
        self.0.depth()
    }
    fn wakeup(&self) -> Option<Wakeup> {
        self.0.wakeup()
    }
}

fn main() {
    let secs = env("DRAIN_BENCH_SECS", 10);
    let items = env("DRAIN_BENCH_ITEMS", 5000);
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("{cores} cores; {secs} s of load per step; {items} items per drain");

    let dir = std::env::temp_dir().join(format!("delivery-webhooks-drain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("inbox.db");
    let inbox = client.block_on(async {
        SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap()
    });
    // One file, one writer connection: the workers share the receiver's inbox.
    bench(
        "SQLite",
        &client,
        inbox.clone(),
        [inbox.clone(), inbox],
        secs,
        items,
    );
    let _ = std::fs::remove_dir_all(&dir);

    match std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") {
        Ok(url) => {
            let ns = format!("drain_{}", std::process::id());
            let open = || {
                client
                    .block_on(PostgresInbox::connect(
                        &url,
                        InboxOptions::default().namespace(ns.clone()),
                    ))
                    .unwrap()
            };
            let inbox = open();
            bench(
                "PostgreSQL",
                &client,
                inbox.clone(),
                [open(), open()],
                secs,
                items,
            );
            // 1 vs 2 receivers, distinct deliveries, no worker; then 2 receivers and 2 workers,
            // what the server's sessions wait on sampled meanwhile.
            let next = Arc::new(AtomicU64::new(1 << 40));
            for (n, workers) in [(1usize, 0usize), (2, 0), (2, 2)] {
                let receivers: Vec<Receiver> = (0..n).map(|_| serve(open())).collect();
                let addrs: Vec<SocketAddr> = receivers.iter().map(|r| r.addr).collect();
                let drainers: Vec<PostgresInbox> = (0..workers).map(|_| open()).collect();
                let (stop, running) = client.block_on(async { start_workers(&drainers) });
                let sampling = client.spawn(waits(url.clone(), secs));
                let started = Instant::now();
                let accepted = client.block_on(load(&addrs, secs, Arc::clone(&next)));
                let elapsed = started.elapsed().as_secs_f64();
                let completed = client.block_on(stop_workers(stop, running));
                let waits = client.block_on(sampling).unwrap();
                println!(
                    "PostgreSQL {n} receiver(s), {workers} worker(s)   {:>8.0} accepted/s {:>8.0} completed/s",
                    accepted as f64 / elapsed,
                    completed as f64 / elapsed
                );
                println!("           sessions of the server, sampled every 50 ms: {waits}");
            }
            println!("PostgreSQL: load average {}", load_line());
        }
        Err(_) => println!(
            "PostgreSQL: skipped (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL; run under scripts/with-postgres.sh)"
        ),
    }
}
