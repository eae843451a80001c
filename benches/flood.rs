//! Genuine accepts of one provider while another floods the inbox (issue 33, finding 2).
//!
//! One receiver, `axum::inbox_router` on loopback, Wakilni and Peddler configured, over SQLite
//! and then PostgreSQL (when `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL` is set, e.g. under
//! `scripts/with-postgres.sh`). For each backend, three phases of `PHASE` each:
//!
//! - baseline: signed Wakilni deliveries with distinct `event_id`s, sent open-loop at
//!   `PROBE_RATE` (each at its time, on an idle keep-alive connection or a new one): p50, p99
//!   and max from the time each was due to its answer, over every delivery sent (one refused or
//!   unanswered counts as slower than any accepted);
//! - flood: the same, while `FLOOD_CONNECTIONS` keep-alive connections send Peddler bodies as
//!   fast as answered, each 16 MiB minus one byte (or the largest Peddler's `body_limit` in the
//!   configuration admits, if that is less) with a distinct `id`, the genuine token (so each
//!   passes the head check), incompressible padding in `metaData`; the flood starts `RAMP`
//!   before the Wakilni deliveries and stops after them. Reported: the same figures for
//!   Wakilni, and how the flood was answered (200, 503, 413, other, and connections closed or
//!   reset without an answer);
//! - the same flood with each body's last byte made invalid (`!` for `}`): read and parsed to
//!   the end, answered 400, never stored. Beside the stored flood, it separates what the bytes
//!   and the parse cost from what the store costs.
//!
//! Each backend is measured with two receivers in turn: Peddler at its default body limit, and
//! Peddler's limit raised to 16 MiB (the flood of the review, which the body budget meets);
//! the malformed flood runs against the second only.
//!
//! `FLOOD_BACKEND=sqlite` or `postgres` measures one backend only (default both): PostgreSQL
//! measured after SQLite's 16 MiB phases shares the disk with their writeback.
//!
//! `FLOOD_PROVIDER_BUDGET=<items>,<bytes>` sets the inbox's `provider_budget` (default 256
//! items, 16 MiB): how long another provider's accept waits behind a flood that is stored
//! depends on it.
//!
//! Target (issue 33): Wakilni's p99 under the flood at most 50 ms on both backends.
//!
//! Run: `scripts/with-postgres.sh cargo bench --bench flood --all-features`. Not a timed test: it prints
//! figures, recorded in `docs/performance.md`.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{Inbox, InboxOptions, PostgresInbox, SqliteInbox};
use delivery_webhooks::{Config, Provider, Receive, peddler, wakilni};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SECRET: &str = "bench-secret";
const TOKEN: &str = "bench-peddler-token";
const PROBE_RATE: f64 = 50.0;
const FLOOD_CONNECTIONS: usize = 32;
const PHASE: Duration = Duration::from_secs(10);
const RAMP: Duration = Duration::from_secs(1);
/// How long a flood request still running at the end of a phase may take to finish.
const GRACE: Duration = Duration::from_secs(5);
/// How long after a phase a Wakilni delivery may still be answered; later, it counts as unanswered.
const WAIT: Duration = Duration::from_secs(10);
/// The pause after a flood, so that what it left in the writer's queue does not meet the next phase.
const SETTLE: Duration = Duration::from_secs(3);
/// The p99 target of Wakilni's accepts under the flood.
const TARGET: Duration = Duration::from_millis(50);

/// Wakilni and Peddler with their default limits, or Peddler's raised to `peddler_limit` (as an
/// operator may, `PEDDLER_BODY_LIMIT`).
fn config(peddler_limit: Option<usize>) -> Config {
    let builder = Config::builder()
        .wakilni_secret(SECRET)
        .peddler_token(TOKEN);
    match peddler_limit {
        Some(bytes) => builder.provider_body_limit(Provider::Peddler, bytes),
        None => builder,
    }
    .build()
    .unwrap()
}

/// One signed Wakilni request for event `n`, as raw HTTP/1.1.
fn wakilni_request(n: u64) -> Vec<u8> {
    let body = format!(
        r#"{{"event_id":"flood-probe-{n}","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{{"order_id":{n},"waybill":"W{n}","created_at":"2024-11-14 14:39:10"}}}}"#
    );
    let signature = wakilni::sign(SECRET, body.as_bytes());
    format!(
        "POST {} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n\
         x-webhook-signature: {signature}\r\ncontent-length: {}\r\n\r\n{body}",
        Provider::Wakilni.route(),
        body.len()
    )
    .into_bytes()
}

/// A Peddler body of `len` bytes is `head(n)` followed by the shared `tail`: the id is in the
/// head (fixed width), so each request differs while the 16 MiB tail is built once.
struct PeddlerFlood {
    tail: Arc<Vec<u8>>,
    len: usize,
}

impl PeddlerFlood {
    const ID_WIDTH: usize = 12;

    fn head(n: u64) -> String {
        format!(
            r#"{{"id":"flood-{n:0width$}","carrierTrackingNumber":"P123456789012345678","status":"OUT_FOR_DELIVERY","location":null,"ts":"2023-06-14T10:54:55.896Z","trackingUrl":"https://t.pdlr.nl/P123456789012345678/","code":410,"metaData":""#,
            width = Self::ID_WIDTH
        )
    }

    /// Padding drawn from 64 letters and digits by a fixed generator: valid in a JSON string,
    /// and incompressible enough that PostgreSQL's TOAST compression cannot shrink it to nothing.
    /// Not `valid`: the body's last byte is `!` instead of `}`, so that it is read and parsed
    /// to its end and then refused (400), never stored.
    fn new(len: usize, valid: bool) -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let pad = len - Self::head(0).len() - 2;
        let mut tail = Vec::with_capacity(pad + 2);
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..pad {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            tail.push(ALPHABET[(state >> 58) as usize]);
        }
        tail.extend_from_slice(if valid { b"\"}" } else { b"\"!" });
        Self {
            tail: Arc::new(tail),
            len,
        }
    }

    /// The request head and the body's own head for delivery `n`; the tail follows.
    fn request_head(&self, n: u64) -> Vec<u8> {
        let mut out = format!(
            "POST {} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n\
             {}: {TOKEN}\r\ncontent-length: {}\r\n\r\n",
            Provider::Peddler.route(),
            peddler::TOKEN_HEADER,
            self.len
        )
        .into_bytes();
        out.extend_from_slice(Self::head(n).as_bytes());
        out
    }
}

/// One response: its status code, and whether the server closes the connection after it.
struct Answer {
    status: u16,
    close: bool,
}

/// Reads one response (head and `content-length` body). `None`: the connection closed first.
async fn read_answer(
    stream: &mut (impl AsyncReadExt + Unpin),
    buf: &mut Vec<u8>,
) -> Option<Answer> {
    buf.clear();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = head.get(9..12)?.parse().ok()?;
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
    };
    let length: usize = header("content-length:").map_or(0, |v| v.parse().unwrap_or(0));
    let close = header("connection:").is_some_and(|v| v == "close");
    let mut have = buf.len() - end;
    while have < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        have += n;
    }
    Some(Answer { status, close })
}

/// Serves `inbox_router` over `inbox` on its own runtime (tokio's default: a worker per core);
/// returns the address.
fn serve<I: Inbox + Clone + 'static>(
    config: Config,
    open: impl std::future::Future<Output = I>,
) -> (SocketAddr, I, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let inbox = runtime.block_on(open);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let app = delivery_webhooks::axum::inbox_router(config, inbox.clone());
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

/// Wakilni's deliveries in one phase: the latency of each answered 200, and the others.
struct Probe {
    /// Sorted; every delivery not answered 200 (refused, or no answer by `WAIT` after the
    /// phase) counts as slower than all of these in the percentiles.
    latencies: Vec<Duration>,
    sent: usize,
    refused: u64,
    /// Of `refused`, those answered 503.
    unavailable: u64,
    unanswered: u64,
}

impl Probe {
    /// The `q` quantile over every delivery sent; `None` when it falls on one not accepted.
    fn at(&self, q: f64) -> Option<Duration> {
        let i = ((self.sent as f64 * q).ceil() as usize).clamp(1, self.sent) - 1;
        self.latencies.get(i).copied()
    }
}

/// Wakilni deliveries for `PHASE`, sent open-loop at `PROBE_RATE`: each at its own time
/// whatever the ones before it are doing (a slow answer does not delay the next delivery, so
/// a stall is not hidden), on an idle keep-alive connection or a new one. Each latency runs from
/// the time the delivery was due to its answer's last byte read.
async fn probe(addr: SocketAddr, next: Arc<AtomicU64>) -> Probe {
    let pool: Arc<std::sync::Mutex<Vec<TcpStream>>> = Arc::default();
    let start = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / PROBE_RATE);
    let mut tasks = Vec::new();
    let mut due = start;
    while due < start + PHASE {
        tokio::time::sleep_until(due.into()).await;
        let (pool, n) = (Arc::clone(&pool), next.fetch_add(1, Ordering::Relaxed));
        tasks.push(tokio::spawn(async move {
            let idle = pool.lock().unwrap().pop();
            let mut stream = match idle {
                Some(s) => s,
                None => {
                    let s = TcpStream::connect(addr).await.ok()?;
                    s.set_nodelay(true).ok()?;
                    s
                }
            };
            let mut buf = Vec::new();
            stream.write_all(&wakilni_request(n)).await.ok()?;
            let answer = read_answer(&mut stream, &mut buf).await?;
            let latency = due.elapsed();
            if !answer.close {
                pool.lock().unwrap().push(stream);
            }
            Some((answer.status, latency))
        }));
        due += interval;
    }
    let mut out = Probe {
        latencies: Vec::new(),
        sent: tasks.len(),
        refused: 0,
        unavailable: 0,
        unanswered: 0,
    };
    let give_up = tokio::time::Instant::now() + WAIT;
    for task in tasks {
        match tokio::time::timeout_at(give_up, task).await {
            Ok(Ok(Some((200, latency)))) => out.latencies.push(latency),
            Ok(Ok(Some((status, _)))) => {
                out.refused += 1;
                out.unavailable += u64::from(status == 503);
            }
            Ok(Ok(None)) | Ok(Err(_)) | Err(_) => out.unanswered += 1,
        }
    }
    out.latencies.sort();
    out
}

/// How the flood was answered.
#[derive(Default)]
struct Answers {
    ok: AtomicU64,
    unavailable: AtomicU64,
    too_large: AtomicU64,
    other: AtomicU64,
    dropped: AtomicU64,
    bytes_sent: AtomicU64,
}

/// One flooding connection: sends Peddler deliveries until `stop`, each written while its
/// answer is read (the receiver may answer before it has read the whole body), reconnecting
/// after a close, a reset, or an answer that came before the body was all written.
async fn flood_connection(
    addr: SocketAddr,
    flood: Arc<PeddlerFlood>,
    next: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    answers: Arc<Answers>,
) {
    let mut buf = Vec::new();
    let mut stream: Option<TcpStream> = None;
    while !stop.load(Ordering::Relaxed) {
        let s = match stream.take() {
            Some(s) => s,
            None => match TcpStream::connect(addr).await {
                Ok(s) => s,
                Err(_) => {
                    answers.dropped.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let (mut read, mut write) = s.into_split();
        let head = flood.request_head(next.fetch_add(1, Ordering::Relaxed));
        let tail = Arc::clone(&flood.tail);
        let counter = Arc::clone(&answers);
        let mut writing = Box::pin(async move {
            write.write_all(&head).await?;
            write.write_all(&tail).await?;
            counter
                .bytes_sent
                .fetch_add((head.len() + tail.len()) as u64, Ordering::Relaxed);
            Ok::<_, std::io::Error>(write)
        });
        let mut written = None;
        let answer = loop {
            tokio::select! {
                w = &mut writing, if written.is_none() => match w {
                    Ok(w) => written = Some(w),
                    // The receiver stopped reading: its answer may still be there to read.
                    Err(_) => break tokio::time::timeout(Duration::from_secs(1), read_answer(&mut read, &mut buf))
                        .await
                        .ok()
                        .flatten()
                        .map(|a| Answer { close: true, ..a }),
                },
                a = read_answer(&mut read, &mut buf) => break a,
            }
        };
        match answer.as_ref().map(|a| a.status) {
            Some(200) => &answers.ok,
            Some(503) => &answers.unavailable,
            Some(413) => &answers.too_large,
            Some(_) => &answers.other,
            None => &answers.dropped,
        }
        .fetch_add(1, Ordering::Relaxed);
        if let (Some(a), Some(write)) = (answer, written)
            && !a.close
        {
            stream = Some(read.reunite(write).unwrap());
        }
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map_or_else(
        || "not accepted".to_owned(),
        |d| format!("{:.1} ms", d.as_secs_f64() * 1e3),
    )
}

fn row(label: &str, p: &Probe) {
    println!(
        "| {label} | {} | {} | {} | {} | {} | {} ({} of them 503) | {} |",
        p.sent,
        p.latencies.len(),
        ms(p.at(0.50)),
        ms(p.at(0.99)),
        ms(p.latencies.last().copied()),
        p.refused,
        p.unavailable,
        p.unanswered
    );
}

/// Wakilni's deliveries while `FLOOD_CONNECTIONS` connections send Peddler bodies (stored, or
/// malformed at their last byte); prints how the flood was answered.
fn flooded(
    label: &str,
    addr: SocketAddr,
    client: &tokio::runtime::Runtime,
    next: &Arc<AtomicU64>,
    limit: usize,
    valid: bool,
) -> Probe {
    let len = limit.min((16 << 20) - 1);
    let flood = Arc::new(PeddlerFlood::new(len, valid));
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Answers::default());
    let flooder = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let ids = Arc::new(AtomicU64::new(0));
    let flooding: Vec<_> = (0..FLOOD_CONNECTIONS)
        .map(|_| {
            flooder.spawn(flood_connection(
                addr,
                Arc::clone(&flood),
                Arc::clone(&ids),
                Arc::clone(&stop),
                Arc::clone(&answers),
            ))
        })
        .collect();
    let started = Instant::now();
    std::thread::sleep(RAMP);
    let probe = client.block_on(probe(addr, Arc::clone(next)));
    stop.store(true, Ordering::Relaxed);
    let flood_secs = started.elapsed().as_secs_f64();
    // Requests still in flight finish within the grace, or are dropped with the runtime.
    flooder.block_on(async {
        let _ = tokio::time::timeout(GRACE, async {
            for f in flooding {
                let _ = f.await;
            }
        })
        .await;
    });
    flooder.shutdown_background();
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!(
        "{label}: {} requests of {len} bytes (limit {limit}) over {flood_secs:.1} s ({:.0} MiB/s written): \
         200: {}, 503: {}, 413: {}, other: {}, closed or reset without an answer: {}",
        ids.load(Ordering::Relaxed),
        get(&answers.bytes_sent) as f64 / flood_secs / f64::from(1u32 << 20),
        get(&answers.ok),
        get(&answers.unavailable),
        get(&answers.too_large),
        get(&answers.other),
        get(&answers.dropped),
    );
    std::thread::sleep(SETTLE);
    probe
}

/// The phases against one receiver: a baseline, the flood, and (`malformed`) the same flood
/// refused at its last byte. Prints the table; returns Wakilni's p99 under the flood that is stored.
fn run(
    backend: &str,
    addr: SocketAddr,
    client: &tokio::runtime::Runtime,
    limit: usize,
    malformed: bool,
) -> Option<Duration> {
    let next = Arc::new(AtomicU64::new(0));
    let baseline = client.block_on(probe(addr, Arc::clone(&next)));
    let len = limit.min((16 << 20) - 1);
    let stored_label =
        format!("{backend}, {FLOOD_CONNECTIONS} connections flooding Peddler, {len} B bodies");
    let stored = flooded(&stored_label, addr, client, &next, limit, true);
    let mut rows = vec![
        (format!("{backend}, baseline"), baseline),
        (stored_label, stored),
    ];
    if malformed {
        let label = format!(
            "{backend}, the same flood malformed at its last byte (read, parsed, not stored)"
        );
        let probe = flooded(&label, addr, client, &next, limit, false);
        rows.push((label, probe));
    }
    println!();
    header();
    for (label, probe) in &rows {
        row(label, probe);
    }
    println!();
    rows[1].1.at(0.99)
}

fn header() {
    println!(
        "| run | Wakilni sent | accepted (200) | p50 | p99 | max | refused | no answer |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    );
}

fn verdict(receiver: &str, p99: Option<Duration>) {
    println!(
        "{receiver}: Wakilni p99 under the flood {} against the target {}: {}",
        ms(p99),
        ms(Some(TARGET)),
        if p99.is_some_and(|d| d <= TARGET) {
            "met"
        } else {
            "missed"
        }
    );
}

/// The inbox's options: the defaults, but for `FLOOD_PROVIDER_BUDGET=<items>,<bytes>`.
fn options() -> InboxOptions {
    let options = InboxOptions::default();
    match std::env::var("FLOOD_PROVIDER_BUDGET") {
        Ok(budget) => {
            let (items, bytes) = budget
                .split_once(',')
                .expect("FLOOD_PROVIDER_BUDGET: <items>,<bytes>");
            println!("inbox provider_budget: {items} items, {bytes} bytes\n");
            options.provider_budget(
                items.trim().parse().expect("FLOOD_PROVIDER_BUDGET: items"),
                bytes.trim().parse().expect("FLOOD_PROVIDER_BUDGET: bytes"),
            )
        }
        Err(_) => options,
    }
}

/// The receivers each backend is measured with: Peddler's default limit, and Peddler's limit
/// raised to 16 MiB (the flood of the review, and the one the body budget meets).
const SETTINGS: [(&str, Option<usize>, bool); 2] = [
    ("Peddler's default limit", None, false),
    ("Peddler's limit raised to 16 MiB", Some(16 << 20), true),
];

fn main() {
    let dir = std::env::temp_dir().join(format!("delivery-webhooks-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "Wakilni open-loop at {PROBE_RATE}/s, {} s per phase; flood: {FLOOD_CONNECTIONS} connections\n",
        PHASE.as_secs()
    );
    let mut verdicts = Vec::new();
    let backend = std::env::var("FLOOD_BACKEND").unwrap_or_default();
    let sqlite = backend.is_empty() || backend == "sqlite";
    let postgres = backend.is_empty() || backend == "postgres";
    assert!(
        sqlite || postgres,
        "FLOOD_BACKEND: sqlite or postgres, not {backend:?}"
    );
    for (i, (setting, peddler_limit, malformed)) in SETTINGS.into_iter().enumerate() {
        if !sqlite {
            break;
        }
        let config = config(peddler_limit);
        let limit = Receive::body_limit(config.peddler.as_ref().unwrap());
        println!("## SQLite, {setting}\n");
        let path = dir.join(format!("inbox-{i}.db"));
        let (addr, inbox, server) = serve(config, async {
            SqliteInbox::open(&path, options()).await.unwrap()
        });
        let p99 = run("SQLite", addr, &client, limit, malformed);
        let stats = client.block_on(inbox.stats()).unwrap();
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!(
            "SQLite: {} items pending, file {} MiB\n",
            stats.pending,
            size >> 20
        );
        drop(inbox);
        server.shutdown_background();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        verdicts.push((format!("SQLite, {setting}"), p99));
    }
    let _ = std::fs::remove_dir_all(&dir);

    match std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") {
        Ok(_) if !postgres => {}
        Ok(url) => {
            for (i, (setting, peddler_limit, malformed)) in SETTINGS.into_iter().enumerate() {
                let config = config(peddler_limit);
                let limit = Receive::body_limit(config.peddler.as_ref().unwrap());
                println!("## PostgreSQL, {setting}\n");
                let ns = format!("flood_{}_{i}", std::process::id());
                let (addr, inbox, server) = serve(config, async {
                    PostgresInbox::connect(&url, options().namespace(ns))
                        .await
                        .unwrap()
                });
                let p99 = run("PostgreSQL", addr, &client, limit, malformed);
                let stats = client.block_on(inbox.stats()).unwrap();
                println!("PostgreSQL: {} items pending\n", stats.pending);
                drop(inbox);
                server.shutdown_background();
                verdicts.push((format!("PostgreSQL, {setting}"), p99));
            }
        }
        Err(_) => println!(
            "PostgreSQL: skipped (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL; run under scripts/with-postgres.sh)\n"
        ),
    }
    for (label, p99) in verdicts {
        verdict(&label, p99);
    }
}
