//! The HTTP side of the inbox benchmarks: signed Wakilni deliveries sent over keep-alive
//! connections on loopback to `axum::inbox_router`, as fast as answered or paced, with each
//! request's latency.
#![allow(dead_code)] // each bench uses its own subset

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::Inbox;
use delivery_webhooks::{Config, wakilni};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const SECRET: &str = "bench-secret";
pub const CONNECTIONS: usize = 64;

pub fn config() -> Config {
    Config::builder().wakilni_secret(SECRET).build().unwrap()
}

/// One signed request for event `n`, as raw HTTP/1.1.
pub fn request(n: u64) -> Vec<u8> {
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

/// Serves `inbox_router` over `inbox` on its own runtime (its own pool); returns the address.
pub fn serve<I: Inbox + Clone + 'static>(
    open: impl std::future::Future<Output = I>,
) -> (SocketAddr, I, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let inbox = runtime.block_on(open);
    let addr = listen(&runtime, inbox.clone());
    (addr, inbox, runtime)
}

/// Serves `inbox_router` over `inbox` on `runtime`; returns the address.
pub fn listen<I: Inbox + Clone + 'static>(
    runtime: &tokio::runtime::Runtime,
    inbox: I,
) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let app = delivery_webhooks::axum::inbox_router(config(), inbox);
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

/// Reads one response with an empty body; panics unless it is a 200.
pub async fn read_response(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) {
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

pub struct Run {
    pub accepted_per_s: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub requests: u64,
    /// Every request's latency, sorted.
    pub latencies: Vec<Duration>,
}

/// Sends deliveries over `CONNECTIONS` connections for `secs`: as fast as answered (`rate` None)
/// or paced to `rate` requests per second in all. Each delivery goes to every address in turn
/// (`addrs.len()` copies); the latency is each request's.
pub async fn load(addrs: &[SocketAddr], secs: u64, rate: Option<f64>, next: Arc<AtomicU64>) -> Run {
    load_owned(addrs.to_vec(), secs, rate, next).await
}

/// [`load`], owning its addresses (to spawn it).
pub async fn load_owned(
    addrs: Vec<SocketAddr>,
    secs: u64,
    rate: Option<f64>,
    next: Arc<AtomicU64>,
) -> Run {
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
        latencies,
    }
}

pub fn show(label: &str, run: &Run) {
    println!(
        "{label:<44} {:>9.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} requests)",
        run.accepted_per_s,
        run.p50.as_secs_f64() * 1e3,
        run.p99.as_secs_f64() * 1e3,
        run.requests
    );
}
