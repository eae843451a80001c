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

#[path = "common/load.rs"]
mod load;

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{Inbox, InboxOptions, PostgresInbox, SqliteInbox};

use load::{load, serve, show};

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
