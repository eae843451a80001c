//! The inbox under real conditions (issue 36): accepts, claims, retention and the console on an
//! empty inbox and on one holding millions of items, side by side in one run per backend.
//!
//! The fill (`benches/common/fill.rs`): five genuine Wakilni deliveries (five event fixtures)
//! accepted through `Inbox::accept`, four failed to the dead letters and one completed through
//! the worker's calls, then copied by `INSERT … SELECT` into the inbox's own tables (item rows,
//! references, attempts, history; 100,000 items per transaction): 195 in 200 completed, 4 dead,
//! 1 pending; distinct keys; received over 30 days. The ids handed out by the inbox start after
//! the copies, so the deliveries sent below land after them.
//!
//! Steps: the empty inbox, then filled to `SCALE_ITEMS / 10`, then to `SCALE_ITEMS` (default
//! 10,000,000); each step analyzed (`ANALYZE`, or `VACUUM ANALYZE` as autovacuum leaves a table
//! at rest), then measured:
//!
//! 1. accepts as fast as answered: signed Wakilni deliveries from 64 keep-alive connections to
//!    `axum::inbox_router` on loopback (`benches/common/load.rs`, as `benches/inbox.rs`);
//! 2. paced at half that rate: p50, p99;
//! 3. the same, with the console's overview, a filtered list (provider + dead) and a reference
//!    search (waybill) running one after another meanwhile: accept p99 and each query's p99;
//! 4. claim latency: `Inbox::claim` of 10 items 200 times (after 20), each batch completed;
//! 5. a worker (a handler doing nothing) in the same process while accepts arrive at half rate:
//!    items processed, the process's resident memory (VmRSS) at the end and its peak (VmHWM).
//!
//! After the last step, retention: `Inbox::purge` of the oldest tenth of the items (their
//! completion older than the limit) while accepts arrive at half rate: accept p99 beside step
//! 2's, and the purge's rows per second. Then the plans of claim, accept (new and duplicate),
//! purge and the three console queries, from the statements the library ran (caught from
//! sqlx's `sqlx::query` events, as `benches/console` does).
//!
//! Env: `SCALE_ITEMS` (default 10,000,000), `SCALE_BACKLOG` (the items purged; default a tenth), `SCALE_BACKEND` (`sqlite` or `postgres`; default
//! both, PostgreSQL when `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL` is set), `SCALE_SECS` (each load
//! window, default 10). Run one backend at a time at full size (each needs 10–15 GB of disk):
//! `SCALE_BACKEND=sqlite scripts/with-postgres.sh cargo bench --bench scale --all-features`.
//! Writes `target/scale-bench-<backend>.json`; `docs/performance.md` records the runs.
#![allow(missing_docs)]

#[path = "../common/db.rs"]
mod db;
#[path = "../common/fill.rs"]
mod fill;
#[path = "../common/load.rs"]
mod load;
#[path = "../common/plans.rs"]
mod plans;
mod steps;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::{Inbox, InboxOptions, PostgresInbox, SqliteInbox};
use serde_json::json;
use tokio::runtime::Runtime;

use db::Raw;
use fill::Span;

/// The disk space a fill leaves free (other work shares the disk).
const KEEP_FREE: f64 = 9e9;

/// The Wakilni fixtures the five templates are made of.
const FIXTURES: [&str; 5] = [
    "order_created",
    "order_assigned",
    "order_canceled",
    "order_closed_failed",
    "order_completed",
];

fn main() {
    plans::install();
    let items = steps::env_number("SCALE_ITEMS", 10_000_000) as i64;
    let secs = steps::env_number("SCALE_SECS", 10);
    let url = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL").ok();
    let backends = std::env::var("SCALE_BACKEND").unwrap_or_else(|_| "sqlite,postgres".into());
    // The receiver (server, worker, console, retention) on two threads; the client on one.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "scale bench: steps 0, {}, {items} items; {secs} s per load window; nproc {}; load average {}",
        items / 10,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        steps::loadavg()
    );
    if backends.contains("sqlite") {
        let dir = std::env::temp_dir().join(format!(
            "delivery-webhooks-scale-bench-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("inbox.db");
        let inbox = server.block_on(async { SqliteInbox::open(&path, options()).await.unwrap() });
        let raw = server.block_on(async {
            Raw::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(
                        sqlx::sqlite::SqliteConnectOptions::new()
                            .filename(&path)
                            .busy_timeout(Duration::from_secs(60)),
                    )
                    .await
                    .unwrap(),
            )
        });
        let out = run(
            "SQLite",
            inbox,
            &raw,
            "webhook_inbox",
            items,
            secs,
            &server,
            &client,
        );
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!("SQLite file at the end: {} MB", size / 1_000_000);
        write("sqlite", out);
        drop(raw);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if backends.contains("postgres") {
        let Some(url) = url else {
            println!("PostgreSQL: SKIPPED (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL)");
            return;
        };
        let (inbox, raw) = server.block_on(async {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            sqlx::raw_sql("DROP SCHEMA IF EXISTS scale_bench CASCADE")
                .execute(&pool)
                .await
                .unwrap();
            let inbox = PostgresInbox::connect(&url, options().namespace("scale_bench"))
                .await
                .unwrap();
            (inbox, Raw::Postgres(pool))
        });
        let table = "\"scale_bench\".webhook_inbox";
        let out = run(
            "PostgreSQL",
            inbox,
            &raw,
            table,
            items,
            secs,
            &server,
            &client,
        );
        let size = server.block_on(raw.scalar("SELECT pg_database_size(current_database())"));
        println!("PostgreSQL database at the end: {} MB", size / 1_000_000);
        write("postgres", out);
        server.block_on(raw.run("DROP SCHEMA scale_bench CASCADE", &[]));
    }
}

fn write(backend: &str, out: serde_json::Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/scale-bench-{backend}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&out).unwrap()).unwrap();
    println!("written: {}", path.display());
}

/// Three attempts to the dead letters, no back-off: the templates die in three claims.
fn options() -> InboxOptions {
    InboxOptions::default()
        .max_attempts(3)
        .backoff(Duration::ZERO, Duration::ZERO)
}

#[allow(clippy::too_many_arguments)]
fn run<I>(
    name: &str,
    inbox: I,
    raw: &Raw,
    table: &str,
    items: i64,
    secs: u64,
    server: &Runtime,
    client: &Runtime,
) -> serde_json::Value
where
    I: Inbox + Clone + Send + Sync + 'static,
    Console: From<I>,
{
    let postgres = matches!(raw, Raw::Postgres(_));
    println!("\n== {name} ==");
    let console = Console::from(inbox.clone());
    let config = fill::config();
    let (templates, causes) = server.block_on(fill::templates(&inbox, &console, raw, table, |k| {
        fill::wakilni(&config, FIXTURES[k], 1_000 + k as u64)
    }));
    let first = 1000;
    let span = Span {
        first,
        start: steps::now_ms() - fill::SPAN_MS - 3_600_000,
        per_item: fill::SPAN_MS as f64 / items as f64,
    };
    server.block_on(fill::reserve_ids(raw, postgres, table, first + items));
    let addr = load::listen(server, inbox.clone());
    let next = Arc::new(AtomicU64::new(0));
    let ctx = steps::Ctx {
        inbox: &inbox,
        console: &console,
        raw,
        server,
        client,
        addr,
        next: &next,
        secs,
    };
    let mut out = Vec::new();
    let mut filled = 0;
    let mut used_per_item = 0.0;
    for mut size in [0, items / 10, items] {
        // Leave `KEEP_FREE` of disk: a fill that would not fit stops at the largest that does.
        if used_per_item > 0.0 {
            let room = (steps::disk_free_bytes() as f64 - KEEP_FREE) / used_per_item;
            let most = filled + (room as i64 / 100_000) * 100_000;
            if most < size {
                println!(
                    "  the disk holds {most} items, not {size} ({:.0} bytes per item): filling to {most}",
                    used_per_item
                );
                size = most;
            }
        }
        if size > filled {
            let free_before = steps::disk_free_bytes();
            let started = Instant::now();
            server.block_on(fill::copy(
                raw,
                postgres,
                table,
                &templates,
                &causes,
                &span,
                first + filled,
                first + size - 1,
            ));
            let copied = started.elapsed().as_secs_f64();
            let started = Instant::now();
            server.block_on(analyze(raw, table));
            used_per_item = free_before.saturating_sub(steps::disk_free_bytes()) as f64
                / (size - filled) as f64;
            println!(
                "  filled to {size} items in {copied:.0} s, analyzed in {:.0} s; disk free: {}",
                started.elapsed().as_secs_f64(),
                steps::disk_free()
            );
            filled = size;
        }
        out.push(ctx.step(size));
    }
    // Retention: the oldest tenth of the copies, completed longer ago than the limit.
    let backlog = steps::env_number("SCALE_BACKLOG", items as u64 / 10) as i64;
    let half = out.last().unwrap()["accept_max_per_s"].as_f64().unwrap() / 2.0;
    let retention = ctx.retention(&span, backlog, half);
    let plans = ctx.plans(&span, backlog);
    json!({
        "backend": name,
        "items": items,
        "load_window_s": secs,
        "steps": out,
        "retention": retention,
        "plans": plans,
        "load_average_after": steps::loadavg(),
    })
}

async fn analyze(raw: &Raw, table: &str) {
    match raw {
        Raw::Sqlite(_) => {
            raw.run("ANALYZE", &[]).await;
        }
        Raw::Postgres(_) => {
            for t in ["", "_ref", "_attempt", "_history"] {
                raw.run(&format!("VACUUM ANALYZE {table}{t}"), &[]).await;
            }
        }
    }
}
