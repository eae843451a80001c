//! `delivery-webhooks serve` from provider request to downstream receipt (issue 35).
//!
//! Starts the release binary (`cargo bench` builds it) with Wakilni configured, a SQLite inbox
//! in a temporary directory and its workers forwarding to a downstream receiver in this
//! process, which timestamps each arrival by the event's dedup key. `CONNECTIONS` (4) threads, each
//! on its own keep-alive connection, send `SERVE_BENCH_N` (default 2,000) signed Wakilni
//! deliveries with distinct `event_id`s, built by the test kit (`testing::wakilni::request`),
//! each as soon as the previous one was answered, recording each send time. Reported:
//!
//! - deliveries per second, from the first send to the last arrival downstream;
//! - the accept rate: deliveries per second from the first send to the last answer;
//! - p50, p99 and max end-to-end latency: arrival downstream minus send;
//! - p50 and p99 accept latency: the receiver's answer minus send (the part of the latency the
//!   provider waits for);
//! - the baseline: the same number of plain HTTP POSTs of a forwarded event's body, sent over
//!   the same number of keep-alive connections straight to the downstream (no receiver, no
//!   inbox, no signature); the ratio of its rate to the pipeline's is what the whole pipeline
//!   costs.
//!
//! Run: `cargo bench -p delivery-webhooks-cli --bench serve` (`SERVE_BENCH_N=…` to change N,
//! `SERVE_BENCH_CONNECTIONS=…` the connections, `SERVE_BENCH_WORKERS=…` serve's
//! `DELIVERY_WEBHOOKS_WORKERS`, default 4 as in serve).
//! Not a timed test: it prints figures, recorded in `docs/performance.md`.
#![allow(missing_docs)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use delivery_webhooks::testing;

const BIN: &str = env!("CARGO_BIN_EXE_delivery-webhooks");
const SECRET: &str = "bench-wakilni-secret";
const FORWARD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const CONSOLE: &str = "bench-console-token";
/// Keep-alive connections the provider side sends over (one thread each), unless
/// `SERVE_BENCH_CONNECTIONS` says otherwise.
const CONNECTIONS: usize = 4;

/// Arrival time per dedup key, and how many arrived.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// The downstream: `/events` records each event's arrival (parsing its JSON for the dedup
/// key); `/plain` parses the same JSON and records nothing. Both answer 204.
fn downstream(runtime: &tokio::runtime::Runtime) -> (SocketAddr, Arrivals, Arc<Mutex<Vec<u8>>>) {
    let arrivals: Arrivals = Arc::default();
    let sample: Arc<Mutex<Vec<u8>>> = Arc::default();
    let (record, keep) = (Arc::clone(&arrivals), Arc::clone(&sample));
    let app = axum::Router::new()
        .route(
            "/events",
            axum::routing::post(move |body: axum::body::Bytes| {
                let (record, keep) = (Arc::clone(&record), Arc::clone(&keep));
                async move {
                    let now = Instant::now();
                    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let key = event["dedup_key"].as_str().unwrap().to_owned();
                    record.lock().unwrap().insert(key, now);
                    let mut keep = keep.lock().unwrap();
                    if keep.is_empty() {
                        *keep = body.to_vec();
                    }
                    StatusCode::NO_CONTENT
                }
            }),
        )
        .route(
            "/plain",
            axum::routing::post(|body: axum::body::Bytes| async move {
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert!(event["dedup_key"].is_string());
                StatusCode::NO_CONTENT
            }),
        );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, arrivals, sample)
}

/// Starts `serve`; its child and receiving address. Its stderr (a JSON line per event) is
/// drained by a thread, so logging costs what it costs in production.
fn serve(dir: &std::path::Path, downstream: SocketAddr, workers: &str) -> (Child, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(["serve", "--log-format", "json"])
        .env_clear()
        .env("DELIVERY_WEBHOOKS_WORKERS", workers)
        .env("WAKILNI_WEBHOOK_SECRET", SECRET)
        .env("DELIVERY_WEBHOOKS_LISTEN", "127.0.0.1:0")
        .env("DELIVERY_WEBHOOKS_OPS_LISTEN", "127.0.0.1:0")
        .env(
            "DELIVERY_WEBHOOKS_DATABASE_URL",
            format!("sqlite://{}", dir.join("inbox.db").display()),
        )
        .env(
            "DELIVERY_WEBHOOKS_FORWARD_URL",
            format!("http://{downstream}/events"),
        )
        .env("DELIVERY_WEBHOOKS_FORWARD_SECRET", FORWARD)
        .env("DELIVERY_WEBHOOKS_CONSOLE_TOKEN", CONSOLE)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let lines = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in lines.lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("  receiving on http://") {
                let addr = rest.split([' ', ':']).take(2).collect::<Vec<_>>().join(":");
                let _ = tx.send(addr.parse::<SocketAddr>().unwrap());
            }
        }
    });
    let receiver = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("serve printed its summary");
    (child, receiver)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent()
}

/// Sends `requests` over `CONNECTIONS` keep-alive connections, each request as soon as the
/// previous one on its connection was answered 2xx; each request's send and answer times.
fn send_all(
    requests: Vec<(String, ureq::http::Request<Vec<u8>>)>,
    connections: usize,
) -> Vec<(String, Instant, Instant)> {
    let mut lanes: Vec<Vec<_>> = (0..connections).map(|_| Vec::new()).collect();
    for (i, request) in requests.into_iter().enumerate() {
        lanes[i % connections].push(request);
    }
    let threads: Vec<_> = lanes
        .into_iter()
        .map(|lane| {
            std::thread::spawn(move || {
                let agent = agent();
                let mut sent = Vec::with_capacity(lane.len());
                for (key, request) in lane {
                    let at = Instant::now();
                    let response = agent.run(request).unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    sent.push((key, at, Instant::now()));
                }
                sent
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let n: usize = std::env::var("SERVE_BENCH_N")
        .ok()
        .map_or(2_000, |v| v.parse().expect("SERVE_BENCH_N: a number"));
    let connections: usize = std::env::var("SERVE_BENCH_CONNECTIONS")
        .ok()
        .map_or(CONNECTIONS, |v| {
            v.parse().expect("SERVE_BENCH_CONNECTIONS: a number")
        });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (down, arrivals, sample) = downstream(&runtime);
    let dir = std::env::temp_dir().join(format!("dw-serve-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // serve's default, unless `SERVE_BENCH_WORKERS` says otherwise.
    let workers = std::env::var("SERVE_BENCH_WORKERS").unwrap_or_else(|_| "4".to_owned());
    let (mut child, receiver) = serve(&dir, down, &workers);

    let template: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!(
            "{}/../fixtures/wakilni/order_assigned.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let requests: Vec<_> = (0..n)
        .map(|i| {
            let id = format!("bench-{i:08}");
            let mut body = template.clone();
            body["event_id"] = id.clone().into();
            let request = testing::wakilni::request(SECRET, serde_json::to_vec(&body).unwrap())
                .url(format!("http://{receiver}/webhooks/wakilni"))
                .attempt(1)
                .build()
                .to_http();
            (format!("wakilni:{id}"), request)
        })
        .collect();

    let sent = send_all(requests, connections);
    let answered = Instant::now();
    let deadline = answered + Duration::from_secs(300);
    while arrivals.lock().unwrap().len() < n {
        assert!(Instant::now() < deadline, "not every delivery arrived");
        std::thread::sleep(Duration::from_millis(2));
    }
    let arrivals = arrivals.lock().unwrap().clone();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);

    let first = sent.iter().map(|(_, at, _)| *at).min().unwrap();
    let last = arrivals.values().copied().max().unwrap();
    let mut latencies: Vec<Duration> = sent
        .iter()
        .map(|(key, at, _)| arrivals[key].duration_since(*at))
        .collect();
    latencies.sort_unstable();
    let mut accepts: Vec<Duration> = sent
        .iter()
        .map(|(_, at, answered)| answered.duration_since(*at))
        .collect();
    accepts.sort_unstable();
    let pipeline = last.duration_since(first);
    let accepting = answered.duration_since(first);

    // The baseline: plain POSTs of a forwarded event's body straight to the downstream.
    let body = sample.lock().unwrap().clone();
    let plain: Vec<_> = (0..n)
        .map(|i| {
            let request = ureq::http::Request::post(format!("http://{down}/plain"))
                .header("content-type", "application/json")
                .body(body.clone())
                .unwrap();
            (i.to_string(), request)
        })
        .collect();
    let start = Instant::now();
    send_all(plain, connections);
    let baseline = start.elapsed();

    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("serve: provider request to downstream receipt, SQLite, one instance");
    println!(
        "  deliveries:            {n} over {connections} keep-alive connections, {workers} workers"
    );
    println!(
        "  end to end:            {:.0} deliveries/s ({:.2} s from first send to last arrival)",
        rate(pipeline),
        pipeline.as_secs_f64()
    );
    println!(
        "  accepted:              {:.0} deliveries/s ({:.2} s from first send to last answer)",
        rate(accepting),
        accepting.as_secs_f64()
    );
    println!(
        "  latency (arrival - send): p50 {}, p99 {}, max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(*latencies.last().unwrap())
    );
    println!(
        "  accept latency (answer - send): p50 {}, p99 {}",
        ms(percentile(&accepts, 50.0)),
        ms(percentile(&accepts, 99.0))
    );
    println!(
        "  baseline, plain POSTs to the downstream: {:.0}/s ({:.2} s); {} bytes each",
        rate(baseline),
        baseline.as_secs_f64(),
        body.len()
    );
    println!(
        "  ratio (baseline rate / end-to-end rate): {:.1}",
        rate(baseline) / rate(pipeline)
    );
}
