//! The console's queries at a million items (issue #34): fills an inbox on SQLite, and on
//! PostgreSQL when `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL` is set (e.g. under
//! `scripts/with-postgres.sh`), then times each query the console's pages issue — p50 and p99
//! over many runs after a warm-up — and prints the plan of every statement they ran.
//!
//! The fill: five genuine deliveries (one per provider) accepted through `Inbox::accept`, failed
//! or completed through the worker's calls, serve as templates; `INSERT … SELECT` copies them
//! (item rows with each copy's references put in its body, references, attempts, history)
//! up to `CONSOLE_BENCH_ITEMS` (default 1,000,000) items received over 30 days: 4 in 200 dead
//! (four causes; a quarter of them discarded), 1 in 200 pending, the rest completed. Then a few
//! hundred genuine deliveries are accepted (Peddler's and isendu's sharing tracking numbers),
//! a copy and a genuine item are read back through the console (a schema mismatch fails the
//! run), and the tables are analyzed.
//!
//! `CONSOLE_BENCH_BACKLOG=<dead>,<pending>` turns that many completed copies into dead letters
//! (Wakilni's) and items retrying received in the last hour (Peddler's) before the timing.
//!
//! Run: `scripts/with-postgres.sh cargo bench --bench console --all-features`. Prints a table
//! and writes `target/console-bench.json`; figures recorded in `docs/performance.md`.
#![allow(missing_docs)]

#[path = "../common/db.rs"]
mod db;
#[path = "../common/fill.rs"]
mod fill;
#[path = "../common/plans.rs"]
mod plans;

use std::time::{Duration, Instant, SystemTime};

use delivery_webhooks::Provider;
use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::query::{Filter, RefField, Reference};
use delivery_webhooks::inbox::{
    Inbox, InboxOptions, ItemId, ItemState, PostgresInbox, SqliteInbox,
};
use serde_json::json;

use db::{P, Raw, key_of, keyset, ms, received_of, t, waybill_of};
use fill::Span;

const WARM_UP: usize = 20;
const RUNS: usize = 200;
/// Genuine deliveries accepted after the copies, per provider.
const GENUINE: u64 = 60;
/// Every query's p99 target.
const TARGET_MS: f64 = 50.0;

fn main() {
    plans::install();
    let items: i64 = std::env::var("CONSOLE_BENCH_ITEMS")
        .map(|v| {
            v.replace('_', "")
                .parse()
                .expect("CONSOLE_BENCH_ITEMS: a number of items")
        })
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "console bench: {items} items; load average before: {}",
        load.trim()
    );
    let mut report = Vec::new();
    let only = std::env::var("CONSOLE_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    if only.contains("sqlite") {
        report.push(runtime.block_on(sqlite(items)));
    }
    if only.contains("postgres") {
        match std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") {
            Ok(url) => report.push(runtime.block_on(postgres(&url, items))),
            Err(_) => println!(
                "\nPostgreSQL: SKIPPED (no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL; run under scripts/with-postgres.sh)"
            ),
        }
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/console-bench.json");
    let summary = json!({
        "items": items,
        "runs": RUNS,
        "warm_up": WARM_UP,
        "target_p99_ms": TARGET_MS,
        "load_average_after": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        "backends": report,
    });
    std::fs::write(&out, serde_json::to_vec_pretty(&summary).unwrap()).unwrap();
    println!("\nwritten: {}", out.display());
}

async fn sqlite(items: i64) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-console-bench-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("inbox.db");
    let inbox = SqliteInbox::open(&path, options()).await.unwrap();
    let raw = Raw::Sqlite(
        sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&path)
                    .busy_timeout(Duration::from_secs(60)),
            )
            .await
            .unwrap(),
    );
    let out = run("SQLite", inbox, &raw, "webhook_inbox", false, items).await;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("SQLite file: {} MB", size / 1_000_000);
    drop(raw);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

async fn postgres(url: &str, items: i64) -> serde_json::Value {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    sqlx::raw_sql("DROP SCHEMA IF EXISTS console_bench CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    let inbox = PostgresInbox::connect(url, options().namespace("console_bench"))
        .await
        .unwrap();
    let raw = Raw::Postgres(pool);
    run(
        "PostgreSQL",
        inbox,
        &raw,
        "\"console_bench\".webhook_inbox",
        true,
        items,
    )
    .await
}

/// Three attempts to the dead letters: the copies' dead items have three attempt rows too.
fn options() -> InboxOptions {
    InboxOptions::default()
        .max_attempts(3)
        .backoff(Duration::ZERO, Duration::ZERO)
}

async fn run<I>(
    name: &str,
    inbox: I,
    raw: &Raw,
    table: &str,
    postgres: bool,
    items: i64,
) -> serde_json::Value
where
    I: Inbox + Clone,
    Console: From<I>,
{
    let console = Console::from(inbox.clone());
    let config = fill::config();
    println!("\n== {name} ==");

    // The templates: one genuine delivery per provider; four die of the four causes, one completes.
    let (templates, causes) = fill::templates(&inbox, &console, raw, table, |k| {
        fill::genuine(&config, k, 1_000_000 + k as u64)
    })
    .await;

    // The copies: items 1000.. (`n % 5` picks the template), received over 30 days.
    let genuine_total = GENUINE as i64 * 5 + 5;
    let copies = (items - genuine_total).max(5);
    let first = 1000;
    let last = first + copies - 1;
    let now = now_ms();
    let span = Span {
        first,
        start: now - fill::SPAN_MS - 3_600_000,
        per_item: fill::SPAN_MS as f64 / copies as f64,
    };
    let started = Instant::now();
    fill::copy(
        raw, postgres, table, &templates, &causes, &span, first, last,
    )
    .await;
    fill::reserve_ids(raw, postgres, table, last).await;
    let fill_secs = started.elapsed().as_secs_f64();

    // Genuine deliveries after the copies: the newest items.
    let mut genuine = Vec::new();
    for i in 0..GENUINE {
        for p in 0..5 {
            genuine.push(fill::accept(&inbox, &fill::genuine(&config, p, i)).await);
        }
    }
    let started_analyze = Instant::now();
    match raw {
        Raw::Sqlite(_) => raw.run("ANALYZE", &[]).await,
        Raw::Postgres(_) => {
            for t in ["", "_ref", "_attempt", "_history", "_audit"] {
                raw.run(&format!("VACUUM ANALYZE {table}{t}"), &[]).await;
            }
            0
        }
    };
    let analyze_secs = started_analyze.elapsed().as_secs_f64();
    let total = raw.scalar(&format!("SELECT COUNT(*) FROM {table}")).await;
    let refs = raw
        .scalar(&format!("SELECT COUNT(*) FROM {table}_ref"))
        .await;
    println!(
        "  {total} items, {refs} references; copies in {fill_secs:.0} s, analyze in {analyze_secs:.0} s"
    );

    // A copy and a genuine item read back through the console, as the receiver wrote them.
    let copy = ItemId(first + 17 * 5); // a Wakilni copy
    let view = console
        .item(copy)
        .await
        .unwrap()
        .expect("a copy reads back");
    let waybill = view
        .record
        .references
        .iter()
        .find(|(k, _)| *k == RefField::Waybill)
        .map(|(_, v)| v.clone())
        .expect("a Wakilni copy has a waybill");
    assert_eq!(view.record.summary.provider, "wakilni");
    assert!(
        view.pretty_json.as_deref().unwrap().contains(&waybill),
        "the body names its waybill"
    );
    let story = console
        .story(&Reference::of(RefField::Waybill, &waybill))
        .await
        .unwrap();
    assert_eq!(story.steps.len(), 1, "{story:?}");
    assert_eq!(story.steps[0].item, copy);
    assert!(story.without_steps.is_empty(), "{story:?}");
    let shared = "1ZG0000000007";
    let story = console.story(&Reference::any(shared)).await.unwrap();
    let providers: Vec<&str> = story.steps.iter().map(|s| s.provider.as_str()).collect();
    assert!(
        providers.contains(&"peddler") && providers.contains(&"isendu"),
        "{story:?}"
    );
    // A copy of every template rebuilds from its body (its numbers still fit their types).
    for k in 0..5 {
        let view = console.item(ItemId(first + k)).await.unwrap().unwrap();
        let (_, value) = view
            .record
            .references
            .first()
            .cloned()
            .expect("copies have references");
        let story = console.story(&Reference::any(&value)).await.unwrap();
        assert!(
            story.without_steps.iter().all(|(_, why)| why.is_empty()),
            "copy of {}: {story:?}",
            view.record.summary.provider
        );
        assert_eq!(
            view.record.references.len(),
            templates[k as usize].refs.len()
        );
    }
    let genuine_view = console.item(genuine[3]).await.unwrap().unwrap();
    assert_eq!(genuine_view.record.summary.state, ItemState::Pending);
    assert_eq!(genuine_view.record.history.len(), 1);
    let dead = console
        .list(
            &Filter::new()
                .provider(Provider::Skladon)
                .state(ItemState::Dead),
            None,
            1,
        )
        .await
        .unwrap();
    let dead = console.item(dead.items[0].id).await.unwrap().unwrap();
    assert_eq!(dead.record.attempts.len(), 3);
    assert_eq!(dead.record.attempts[2].outcome, "dead");
    let groups = console.failures(None).await.unwrap();
    assert_eq!(groups.len(), 20, "five providers, four causes: {groups:#?}");
    println!(
        "  read back: copy {} (waybill {waybill}) and genuine {} as written",
        copy.0, genuine[3].0
    );

    // A backlog on top (`CONSOLE_BENCH_BACKLOG=<dead>,<pending>`): that many completed Wakilni
    // copies turned into dead letters (one more cause), and Peddler copies into items waiting
    // to be retried that arrived in the last hour: what a receiver whose handler fails, or
    // whose worker stopped, holds. The overview's counts read these.
    if let Ok(backlog) = std::env::var("CONSOLE_BENCH_BACKLOG") {
        let (dead, pending) = backlog
            .split_once(',')
            .and_then(|(d, p)| Some((d.parse::<i64>().ok()?, p.parse::<i64>().ok()?)))
            .expect("CONSOLE_BENCH_BACKLOG: <dead>,<pending>, e.g. 200000,100000");
        let started = Instant::now();
        let now = now_ms();
        let pick = |provider: &str, n: i64| {
            format!(
                "SELECT id FROM {table} WHERE state = 'completed' AND provider = '{provider}' \
                 ORDER BY id LIMIT {n}"
            )
        };
        let died = raw
            .run(
                &format!(
                    "UPDATE {table} SET state = 'dead', attempts = 3, completed_at = NULL, \
                     dead_at = {now}, last_error = 'backlog: ERP answered 503', \
                     cause = 'backlog: ERP answered #' WHERE id IN ({})",
                    pick("wakilni", dead)
                ),
                &[],
            )
            .await;
        let waiting = raw
            .run(
                &format!(
                    "UPDATE {table} SET state = 'pending', attempts = 1, completed_at = NULL, \
                     available_at = {now} - 1000, received_at = {now} - (id % 3000000), \
                     last_error = 'timeout after 30s' WHERE id IN ({})",
                    pick("peddler", pending)
                ),
                &[],
            )
            .await;
        match raw {
            Raw::Sqlite(_) => raw.run("ANALYZE", &[]).await,
            Raw::Postgres(_) => raw.run(&format!("VACUUM ANALYZE {table}"), &[]).await,
        };
        println!(
            "  backlog: {died} dead letters and {waiting} items retrying added in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }

    // The queries.
    let mut pick = Picker(0x9e37_79b9_7f4a_7c15);
    let wakilni_copies: Vec<i64> = (0..RUNS + WARM_UP)
        .map(|_| first + 5 * (pick.next() % (copies as u64 / 5)) as i64)
        .collect();
    let waybills: Vec<String> = {
        let mut v = Vec::new();
        for id in &wakilni_copies {
            v.push(waybill_of(raw, table, *id).await);
        }
        v
    };
    let keys: Vec<String> = {
        let mut v = Vec::new();
        for id in &wakilni_copies {
            v.push(key_of(raw, table, *id).await);
        }
        v
    };
    let day = Duration::from_secs(86_400);
    let mid =
        SystemTime::UNIX_EPOCH + Duration::from_millis((span.start + fill::SPAN_MS / 2) as u64);
    let page_size = 50;
    let mut cursors = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..9 {
        let page = console
            .list(&Filter::new(), cursor.as_deref(), page_size)
            .await
            .unwrap();
        cursor = page.next;
    }
    cursors.push(cursor.unwrap());
    // A page deep in the list: the cursor of an item half-way down.
    let deep_item = first + copies / 2;
    let deep_page = console
        .list(
            &Filter::new().received(
                None,
                Some(
                    SystemTime::UNIX_EPOCH
                        + Duration::from_millis(
                            received_of(raw, table, deep_item).await as u64 + 1,
                        ),
                ),
            ),
            None,
            page_size,
        )
        .await
        .unwrap();
    let deep_cursor = deep_page.next.unwrap();

    let mut results = Vec::new();
    let mut plans_out = Vec::new();
    macro_rules! measure {
        ($label:expr, [$($param:expr),*], $i:ident => $call:expr) => {{
            let label: &str = $label;
            let mut times = Vec::with_capacity(RUNS);
            for $i in 0..WARM_UP + RUNS {
                let started = Instant::now();
                let out = $call.await;
                let took = started.elapsed();
                std::hint::black_box(&out);
                if $i >= WARM_UP {
                    times.push(took);
                }
            }
            let $i = 0usize;
            let (_, statements) = plans::catch(async { $call.await }).await;
            let params: &[P] = &[$($param),*];
            let (p50, p99) = percentiles(&mut times);
            // `Inbox::stats` counts every item by design: shown, without a target.
            let target = (!label.contains("Inbox::stats")).then_some(TARGET_MS);
            let met = target.map(|t| p99 <= t);
            let verdict = match met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "no target",
            };
            println!("  {label:<58} p50 {p50:>8.2} ms   p99 {p99:>8.2} ms   {verdict}");
            results.push(json!({"query": label, "p50_ms": p50, "p99_ms": p99, "target_ms": target, "met": met}));
            let mut shown = Vec::new();
            for sql in statements {
                let plan = raw.plan(&sql, params).await;
                shown.push(json!({"sql": sql, "plan": plan}));
            }
            plans_out.push(json!({"query": label, "statements": shown}));
        }};
    }
    println!(
        "  {RUNS} runs each after {WARM_UP} warm-up runs; load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let all = Filter::new();
    let limit = P::I(i64::from(page_size));
    let (c10, deep) = (keyset(&cursors[0]), keyset(&deep_cursor));
    let tracking = |i: usize| format!("1ZG{:010}", i as u64 % GENUINE);
    let from_day = |i: usize| mid - day * (i % 7) as u32;
    measure!("overview", [], i => { let _ = i; console.overview() });
    measure!("list: first page, no filter (50)", [P::I(i64::from(page_size))], i => { let _ = i; console.list(&all, None, page_size) });
    measure!("list: provider + state=dead (50)", [t("wakilni"), t("dead"), limit.clone()], i => console.list(&Filter::new().provider(PROVIDERS[i % 5]).state(ItemState::Dead), None, page_size));
    measure!("list: provider + dead, not handled (50)", [t("wakilni"), t("dead"), limit.clone()], i => console.list(&Filter::new().provider(PROVIDERS[i % 5]).state(ItemState::Dead).handled(false), None, page_size));
    measure!("list: provider + received in one day (50)", [t("wakilni"), P::I(ms(from_day(0))), P::I(ms(from_day(0) + day)), limit.clone()], i => console.list(&Filter::new().provider(PROVIDERS[i % 5]).received(Some(from_day(i)), Some(from_day(i) + day)), None, page_size));
    measure!("list: page 10 by cursor, no filter (50)", [P::I(c10.0), P::I(c10.1), limit.clone()], i => { let _ = i; console.list(&all, Some(&cursors[0]), page_size) });
    measure!("list: a page half-way down the list, by cursor (50)", [P::I(deep.0), P::I(deep.1), limit.clone()], i => { let _ = i; console.list(&all, Some(&deep_cursor), page_size) });
    measure!("list: reference, waybill (unique)", [t("waybill"), t(&waybills[0]), limit.clone()], i => console.list(&Filter::new().reference(Reference::of(RefField::Waybill, &waybills[i])), None, page_size));
    measure!("list: reference, any kind (tracking number on two providers)", [t(tracking(0)), limit.clone()], i => console.list(&Filter::new().reference(Reference::any(tracking(i))), None, page_size));
    measure!("story: waybill", [t("waybill"), t(&waybills[0]), P::I(1000)], i => console.story(&Reference::of(RefField::Waybill, &waybills[i])));
    measure!("story: tracking number on two providers", [t(tracking(0)), P::I(1000)], i => console.story(&Reference::any(tracking(i))));
    measure!("list: dedup key", [t(&keys[0]), limit.clone()], i => console.list(&Filter::new().dedup_key(&keys[i]), None, page_size));
    measure!("item: one in full", [P::I(wakilni_copies[0])], i => console.item(ItemId(wakilni_copies[i])));
    measure!("failures: all providers", [t("")], i => { let _ = i; console.failures(None) });
    measure!("failures: one provider", [t("wakilni")], i => console.failures(Some(PROVIDERS[i % 5])));
    measure!("inbox depth (Inbox::depth)", [], i => { let _ = i; inbox.depth() });
    measure!("inbox stats (Inbox::stats, counts every item)", [], i => { let _ = i; inbox.stats() });

    println!("\n  Plans ({name}):");
    for q in &plans_out {
        println!("  -- {}", q["query"].as_str().unwrap());
        for s in q["statements"].as_array().unwrap() {
            println!("     {}", s["sql"].as_str().unwrap());
            for line in s["plan"].as_array().unwrap() {
                println!("       {}", line.as_str().unwrap());
            }
        }
    }
    json!({
        "backend": name,
        "items": total,
        "references": refs,
        "fill_seconds": fill_secs,
        "analyze_seconds": analyze_secs,
        "results": results,
        "plans": plans_out,
    })
}

const PROVIDERS: [Provider; 5] = [
    Provider::Wakilni,
    Provider::Peddler,
    Provider::Xoxoday,
    Provider::Isendu,
    Provider::Skladon,
];

/// p50 and p99 (nearest rank), in ms.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let at = |q: f64| {
        let rank = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len());
        times[rank - 1].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.99))
}

/// A small deterministic generator (splitmix64): the same items every run.
struct Picker(u64);

impl Picker {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
