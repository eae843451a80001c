//! Resident memory of a receiver and its worker over millions of processed items (issue 36):
//! does the process stay flat between 1,000,000 and 10,000,000?
//!
//! One process per backend (the bench runs itself once for each, so that each peak is its own):
//! `inbox_router` over the inbox on loopback, and a `Worker` (a handler that does nothing,
//! retention every 5 s, completed items kept 10 s) on one two-thread runtime, as a receiver
//! runs; signed Wakilni deliveries, each its own `event_id`, from 64 keep-alive connections on
//! a one-thread runtime, as fast as answered, but held back while more than `BACKLOG` accepted
//! items wait for the worker (so the table holds the last seconds' items, not millions, and the
//! disk is not what the run measures). The client keeps no per-request state: its memory is
//! its 64 connections' buffers, the same at every mark.
//!
//! At every tenth of `MEMORY_ITEMS` (default 10,000,000) items processed (the handler's
//! calls), the process's resident memory (`VmRSS`) and its peak so far (`VmHWM`). Reported:
//! RSS at the last mark over RSS at the first (target: at most 1.10), and the peak.
//!
//! Env: `MEMORY_ITEMS`, `MEMORY_BACKEND` (`sqlite` or `postgres`; default both, PostgreSQL when
//! `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL` is set). Run:
//! `scripts/with-postgres.sh cargo bench --bench memory --all-features`. Not a timed test: it
//! prints figures, recorded in `docs/performance.md` ("Memory over ten million items").
#![allow(missing_docs)]

#[path = "common/load.rs"]
mod load;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{Inbox, InboxOptions, Item, PostgresInbox, SqliteInbox, Worker};
use tokio::io::AsyncWriteExt;

/// Accepted items not yet processed above which the client waits.
const BACKLOG: u64 = 50_000;
/// The namespace of the PostgreSQL run.
const NAMESPACE: &str = "memory_bench";

fn main() {
    let items: u64 = std::env::var("MEMORY_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let url = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL").ok();
    match std::env::var("MEMORY_BACKEND").ok().as_deref() {
        Some("sqlite") => sqlite(items),
        Some("postgres") => match url {
            Some(url) => postgres(items, &url),
            None => println!("PostgreSQL: SKIPPED (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL)"),
        },
        Some(other) => panic!("MEMORY_BACKEND: `{other}` is neither `sqlite` nor `postgres`"),
        None => {
            // Each backend in a process of its own, so that its peak is its own.
            for backend in ["sqlite", "postgres"] {
                let status = std::process::Command::new(std::env::current_exe().unwrap())
                    .args(std::env::args_os().skip(1))
                    .env("MEMORY_BACKEND", backend)
                    .status()
                    .unwrap();
                assert!(status.success(), "the {backend} run failed: {status}");
            }
        }
    }
}

fn options() -> InboxOptions {
    InboxOptions::default().retention(Duration::from_secs(10), Duration::from_secs(10))
}

fn server() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn sqlite(items: u64) {
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-memory-bench-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("inbox.db");
    let server = server();
    let inbox = server.block_on(async { SqliteInbox::open(&path, options()).await.unwrap() });
    run("SQLite", &server, inbox, items);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!("SQLite file at the end: {} MB", size / 1_000_000);
    let _ = std::fs::remove_dir_all(&dir);
}

fn postgres(items: u64, url: &str) {
    let server = server();
    let inbox = server.block_on(async {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .unwrap();
        sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {NAMESPACE} CASCADE"))
            .execute(&pool)
            .await
            .unwrap();
        PostgresInbox::connect(url, options().namespace(NAMESPACE))
            .await
            .unwrap()
    });
    run("PostgreSQL", &server, inbox, items);
}

/// One of the process's memory figures from `/proc/self/status`, in KiB.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("{field} not in /proc/self/status"))
}

fn run<I: Inbox + Clone + 'static>(
    name: &str,
    server: &tokio::runtime::Runtime,
    inbox: I,
    items: u64,
) {
    let addr = load::listen(server, inbox.clone());
    let processed = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let counter = Arc::clone(&processed);
    let worker = Worker::new(inbox).retention(Some(Duration::from_secs(5)));
    let running = server.spawn(worker.run(
        move |_: Item| {
            counter.fetch_add(1, Ordering::Relaxed);
            async {}
        },
        async {
            let _ = stopped.await;
        },
    ));
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let sending = client.spawn(send(addr, items, Arc::clone(&sent), Arc::clone(&processed)));

    println!(
        "{name}: {items} items; nproc {}; load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
    println!(
        "{:>12} {:>10} {:>10} {:>10} {:>9}",
        "processed", "RSS MB", "peak MB", "items/s", "at s"
    );
    let step = (items / 10).max(1);
    let started = Instant::now();
    let mut marks = Vec::new();
    let (mut last_count, mut last_at) = (0, Instant::now());
    while marks.len() < 10 {
        std::thread::sleep(Duration::from_millis(50));
        let done = processed.load(Ordering::Relaxed);
        if done >= step * (marks.len() as u64 + 1) {
            let rss = status_kb("VmRSS");
            let rate = (done - last_count) as f64 / last_at.elapsed().as_secs_f64();
            (last_count, last_at) = (done, Instant::now());
            println!(
                "{done:>12} {:>10.1} {:>10.1} {rate:>10.0} {:>9.0}",
                rss as f64 / 1024.0,
                status_kb("VmHWM") as f64 / 1024.0,
                started.elapsed().as_secs_f64()
            );
            marks.push(rss);
        }
    }
    client.block_on(sending).unwrap();
    let _ = stop.send(());
    let report = server.block_on(running).unwrap();
    let (first, last) = (marks[0] as f64, marks[9] as f64);
    println!(
        "{name}: RSS at the last mark / at the first: {:.3} ({:.1} MB / {:.1} MB); peak {:.1} MB; \
         worker completed {}, failed {}; {:.0} s",
        last / first,
        last / 1024.0,
        first / 1024.0,
        status_kb("VmHWM") as f64 / 1024.0,
        report.completed,
        report.failed,
        started.elapsed().as_secs_f64()
    );
}

/// Sends `items` deliveries over `load::CONNECTIONS` connections, each waiting while more than
/// `BACKLOG` sent items are not processed.
async fn send(addr: SocketAddr, items: u64, sent: Arc<AtomicU64>, processed: Arc<AtomicU64>) {
    let mut tasks = Vec::new();
    for _ in 0..load::CONNECTIONS {
        let (sent, processed) = (Arc::clone(&sent), Arc::clone(&processed));
        tasks.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let mut buf = Vec::new();
            loop {
                while sent.load(Ordering::Relaxed) > processed.load(Ordering::Relaxed) + BACKLOG {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                let n = sent.fetch_add(1, Ordering::Relaxed);
                if n >= items {
                    return;
                }
                stream.write_all(&load::request(n)).await.unwrap();
                load::read_response(&mut stream, &mut buf).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().next().unwrap_or("?").to_owned())
        .unwrap_or_default()
}
