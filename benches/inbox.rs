//! Accept latency and throughput of the inbox through the axum adapter on loopback, beside the
//! disk's own synchronous commit rate measured in the same run.
//!
//! - baseline: timed `write` + `fsync` of 4 KiB to a file in the temp directory (one synchronous
//!   commit each): the rate a receiver that commits each delivery alone could not exceed;
//! - SQLite: one receiver, `inbox_router` over `SqliteInbox`, Wakilni deliveries (signed, unique
//!   `event_id`s) from 64 keep-alive connections as fast as answered: accepted/s, p50, p99;
//!   then paced at half that rate: p50, p99;
//! - PostgreSQL (when `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL` is set, e.g. under
//!   `scripts/with-postgres.sh`): two receiver instances, each with its own runtime and pool, every
//!   delivery sent to both (a duplicate each): accepted/s, p50, p99, and the number of rows
//!   stored, which must equal the number of distinct deliveries.
//!
//! Run: `scripts/with-postgres.sh cargo bench --bench inbox --all-features`. Not a timed test:
//! it prints figures, recorded in `docs/inbox.md` and `docs/performance.md`.
#![allow(missing_docs)]

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{Inbox, InboxOptions, PostgresInbox, SqliteInbox};
use delivery_webhooks::{Config, wakilni};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "bench-secret";
const CONNECTIONS: usize = 64;

fn config() -> Config {
    Config::builder().wakilni_secret(SECRET).build().unwrap()
}

/// One signed request for event `n`, as raw HTTP/1.1.
fn request(n: u64) -> Vec<u8> {
    let body = format!(
        r#"{{"event_id":"bench-{n}","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{{"order_id":{n},"waybill":"W{n}","created_at":"2024-11-14 14:39:10"}}}}"#
    );
    let signature = wakilni::sign(SECRET, body.as_bytes());
    format!(
        "POST /webhooks/wakilni HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n\
         x-webhook-signature: {signature}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The disk's synchronous commit rate: fsyncs of 4 KiB appends per second.
fn fsync_rate(dir: &std::path::Path) -> f64 {
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = [7u8; 4096];
    let started = Instant::now();
    let mut n = 0u32;
    while started.elapsed() < Duration::from_secs(3) {
        file.write_all(&block).unwrap();
        file.sync_data().unwrap();
        n += 1;
    }
    let rate = f64::from(n) / started.elapsed().as_secs_f64();
    std::fs::remove_file(path).unwrap();
    rate
}

/// Serves `inbox_router` over `inbox` on its own runtime (its own pool); returns the address.
fn serve<I: Inbox + Clone + 'static>(
    open: impl std::future::Future<Output = I>,
) -> (SocketAddr, I, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let inbox = runtime.block_on(open);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let app = delivery_webhooks::axum::inbox_router(config(), inbox.clone());
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    (addr, inbox, runtime)
}

/// Reads one response with an empty body; panics unless it is a 200.
async fn read_response(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) {
    buf.clear();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
    }
    assert!(
        buf.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(buf)
    );
}

struct Run {
    accepted_per_s: f64,
    p50: Duration,
    p99: Duration,
    requests: u64,
}

/// Sends deliveries over `CONNECTIONS` connections for `secs`: as fast as answered (`rate` None)
/// or paced to `rate` requests per second in all. Each delivery goes to every address in turn
/// (`addrs.len()` copies); the latency is each request's.
async fn load(addrs: &[SocketAddr], secs: u64, rate: Option<f64>, next: Arc<AtomicU64>) -> Run {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let addrs = addrs.to_vec();
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut streams = Vec::new();
            for addr in &addrs {
                let s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                streams.push(s);
            }
            let mut latencies = Vec::new();
            let mut buf = Vec::new();
            let interval = rate.map(|r| Duration::from_secs_f64(CONNECTIONS as f64 / r));
            let mut due = Instant::now()
                + interval.map_or(Duration::ZERO, |i| i.mul_f64(c as f64 / CONNECTIONS as f64));
            while Instant::now() < deadline {
                if let Some(interval) = interval {
                    tokio::time::sleep_until(due.into()).await;
                    due += interval;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                let request = request(n);
                for stream in &mut streams {
                    let sent = Instant::now();
                    stream.write_all(&request).await.unwrap();
                    read_response(stream, &mut buf).await;
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run {
        accepted_per_s: latencies.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
        requests: latencies.len() as u64,
    }
}

fn show(label: &str, run: &Run) {
    println!(
        "{label:<44} {:>9.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} requests)",
        run.accepted_per_s,
        run.p50.as_secs_f64() * 1e3,
        run.p99.as_secs_f64() * 1e3,
        run.requests
    );
}

fn main() {
    let dir = std::env::temp_dir().join(format!("delivery-webhooks-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    let fsyncs = fsync_rate(&dir);
    println!("baseline: synchronous commits (4 KiB write + fsync) {fsyncs:>9.0} /s");

    let path = dir.join("inbox.db");
    let (addr, inbox, _server) = serve(async {
        SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap()
    });
    let next = Arc::new(AtomicU64::new(0));
    let max = client.block_on(load(&[addr], 10, None, Arc::clone(&next)));
    show("SQLite, 64 connections, as fast as answered", &max);
    let half = client.block_on(load(
        &[addr],
        10,
        Some(max.accepted_per_s / 2.0),
        Arc::clone(&next),
    ));
    show("SQLite, paced at half that rate", &half);
    let stored = client.block_on(inbox.stats()).unwrap().pending;
    println!(
        "SQLite: {stored} stored of {} sent; accepted/s is {:.1}x the fsync rate",
        next.load(Ordering::Relaxed),
        max.accepted_per_s / fsyncs
    );
    drop(_server);

    match std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") {
        Ok(url) => {
            let ns = format!("bench_{}", std::process::id());
            let open = || {
                let (url, ns) = (url.clone(), ns.clone());
                async move {
                    PostgresInbox::connect(&url, InboxOptions::default().namespace(ns))
                        .await
                        .unwrap()
                }
            };
            let (a, inbox_a, _ra) = serve(open());
            let (b, _inbox_b, _rb) = serve(open());
            let next = Arc::new(AtomicU64::new(0));
            let max = client.block_on(load(&[a, b], 10, None, Arc::clone(&next)));
            show("PostgreSQL, 2 receivers, each delivery twice", &max);
            let half = client.block_on(load(
                &[a, b],
                10,
                Some(max.accepted_per_s / 4.0),
                Arc::clone(&next),
            ));
            show("PostgreSQL, paced at half that rate", &half);
            let stored = client.block_on(inbox_a.stats()).unwrap().pending;
            let distinct = next.load(Ordering::Relaxed);
            println!(
                "PostgreSQL: {stored} stored of {distinct} distinct deliveries ({} requests): {} duplicates stored",
                max.requests + half.requests,
                stored.saturating_sub(distinct)
            );
            assert_eq!(stored, distinct, "each delivery stored once");
        }
        Err(_) => println!(
            "PostgreSQL: skipped (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL; run under scripts/with-postgres.sh)"
        ),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
