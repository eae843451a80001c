//! Accepted-to-handler-start latency of an idle worker (issue 36): how long a delivery waits,
//! once stored, before a worker that has nothing else to do starts on it.
//!
//! For each backend (SQLite in a temp file; PostgreSQL when `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL`
//! is set, e.g. under `scripts/with-postgres.sh`), two workers in turn over one inbox, each with
//! the default look every 200 ms (`Worker::idle`):
//!
//! - **baseline**: wake-ups off (`Worker::wakeups(false)`): the worker finds an item at its next
//!   look, as before wake-ups;
//! - **wake-ups**: the default: the inbox rings the worker when it stores an item.
//!
//! And on PostgreSQL a third: **across instances**, the item stored by a second inbox instance
//! (its own pool, as another process would), so the wake-up is PostgreSQL's `NOTIFY` reaching
//! this process's `LISTEN` session.
//!
//! Each of `WAKE_BENCH_ITEMS` (default 200) Wakilni deliveries is accepted through
//! `Inbox::accept` once the worker is idle again (the handler of the one before has started, then
//! a pause of 20 to 219 ms, varied so that the arrivals fall at every phase of the look); its
//! latency runs from `accept` returning (stored and committed) to its handler starting.
//! Prints p50, p99 and max per run. Not a timed test: `docs/performance.md` records a run.
//!
//! Run: `scripts/with-postgres.sh cargo bench --bench wake --all-features`.
#![allow(missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{Inbox, InboxOptions, Item, PostgresInbox, SqliteInbox, Worker};
use delivery_webhooks::wakilni::Verifier;
use delivery_webhooks::{AnyDelivery, OwnedRequest};

const SECRET: &str = "wake-bench-secret";

/// Delivery `n` of run `run`, parsed and as received.
fn delivery(run: &str, n: usize) -> (AnyDelivery, OwnedRequest) {
    let body = format!(
        r#"{{"event_id":"wake-{run}-{n}","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{{"order_id":{n},"waybill":"W{n}","created_at":"2024-11-14 14:39:10"}}}}"#
    );
    let raw = delivery_webhooks::testing::wakilni::request(SECRET, body).build();
    let verifier = Verifier::new(SECRET).unwrap();
    let parsed = verifier.receive(&raw.request()).unwrap();
    (parsed.into(), raw)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// One run: a worker over `inbox` (wake-ups on or off), deliveries stored through `store`.
async fn run<I, S>(label: &str, inbox: I, store: S, wakeups: bool, items: usize) -> Vec<Duration>
where
    I: Inbox + Clone + Send + Sync + 'static,
    S: Inbox,
{
    let started: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(inbox).retention(None).wakeups(wakeups);
    let handler_started = Arc::clone(&started);
    let running = tokio::spawn(worker.run(
        move |item: Item| {
            let at = Instant::now();
            let key = item.delivery.dedup_key().to_string();
            handler_started.lock().unwrap().insert(key.clone(), at);
            let tx = tx.clone();
            async move {
                let _ = tx.send(key);
            }
        },
        async {
            let _ = stopped.await;
        },
    ));
    let mut latencies = Vec::with_capacity(items);
    for n in 0..items {
        // The worker is idle: its last handler started; pause 20 to 219 ms more, so that the
        // arrivals fall at every phase of its look every 200 ms.
        tokio::time::sleep(Duration::from_millis(20 + (n as u64 * 37) % 200)).await;
        let (parsed, raw) = delivery(label, n);
        store.accept(&parsed, &raw).await.unwrap();
        let accepted = Instant::now();
        let key = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the worker started within 30 s")
            .unwrap();
        let at = started.lock().unwrap()[&key];
        latencies.push(at.saturating_duration_since(accepted));
    }
    let _ = stop.send(());
    running.await.unwrap();
    latencies.sort();
    println!(
        "{label:<44} n={items:<4} p50 {:>9}  p99 {:>9}  max {:>9}",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
    );
    latencies
}

fn main() {
    let items: usize = std::env::var("WAKE_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("wake-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (wakeups, label) in [(false, "baseline"), (true, "wake-ups")] {
            let path = dir.join(format!("{label}.db"));
            let inbox = SqliteInbox::open(&path, InboxOptions::default())
                .await
                .unwrap();
            run(&format!("sqlite {label}"), inbox.clone(), inbox, wakeups, items).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        let Ok(url) = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") else {
            println!("postgres: skipped (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL; run under scripts/with-postgres.sh)");
            return;
        };
        let stamp = std::process::id();
        for (wakeups, label, across) in [
            (false, "baseline", false),
            (true, "wake-ups", false),
            (true, "wake-ups across instances", true),
        ] {
            let ns = format!("wake_{stamp}_{}", label.len() + usize::from(across));
            let options = || InboxOptions::default().namespace(ns.clone());
            let inbox = PostgresInbox::connect(&url, options()).await.unwrap();
            let store = if across {
                PostgresInbox::connect(&url, options()).await.unwrap()
            } else {
                inbox.clone()
            };
            run(&format!("postgres {label}"), inbox, store, wakeups, items).await;
        }
    });
}
