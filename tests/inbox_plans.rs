//! A lost index shows up here (issue 36): an inbox filled with 100,000 items by the benchmarks'
//! bulk path (`benches/common/fill.rs`: Wakilni items, 195 in 200 completed, 4 dead, 1 pending,
//! with their references, attempts and history), analyzed, then the statements the library
//! runs for claim, accept (new and duplicate), retention and the console's overview, filtered
//! list, reference search and search by dedup key are caught as sqlx runs them, and their plans
//! (`EXPLAIN QUERY PLAN`, `EXPLAIN`) must read the inbox's tables through the expected indexes,
//! never by a full scan. Plans, not timings: the check is deterministic.
//!
//! SQLite always; PostgreSQL under `scripts/with-postgres.sh` (skipped with a notice without
//! it, a failure when `DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1`, as in CI). `docs/performance.md`
//! ("The inbox at ten million items") shows the same plans at full size.
#![allow(missing_docs)]

#[path = "../benches/common/db.rs"]
mod db;
#[path = "../benches/common/fill.rs"]
mod fill;
#[path = "../benches/common/plans.rs"]
mod plans;

use std::sync::{Mutex, Once};
use std::time::Duration;

use delivery_webhooks::Provider;
use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::query::{Filter, RefField, Reference};
use delivery_webhooks::inbox::{
    Inbox, InboxOptions, ItemState, PostgresInbox, SqliteInbox, dedup_window,
};

use db::{P, Raw, t};
use fill::Span;

const ITEMS: i64 = 100_000;
const FIRST: i64 = 1000;

/// The catcher is one global subscriber: one backend's statements at a time.
static CATCHING: Mutex<()> = Mutex::new(());
static INSTALL: Once = Once::new();

fn options() -> InboxOptions {
    InboxOptions::default()
        .max_attempts(3)
        .backoff(Duration::ZERO, Duration::ZERO)
}

/// One operation's statements and their plans.
struct Caught {
    operation: &'static str,
    plans: Vec<(String, Vec<String>)>,
}

/// Fills the inbox and returns the plans of every operation's statements.
async fn fill_and_plan<I: Inbox + Clone>(inbox: I, raw: &Raw, table: &str) -> Vec<Caught>
where
    Console: From<I>,
{
    let postgres = matches!(raw, Raw::Postgres(_));
    let console = Console::from(inbox.clone());
    let config = fill::config();
    let names = [
        "order_created",
        "order_assigned",
        "order_canceled",
        "order_closed_failed",
        "order_completed",
    ];
    let (templates, causes) = fill::templates(&inbox, &console, raw, table, |k| {
        fill::wakilni(&config, names[k], k as u64)
    })
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let span = Span {
        first: FIRST,
        start: now - fill::SPAN_MS - 3_600_000,
        per_item: fill::SPAN_MS as f64 / ITEMS as f64,
    };
    let last = FIRST + ITEMS - 1;
    fill::copy(
        raw, postgres, table, &templates, &causes, &span, FIRST, last,
    )
    .await;
    fill::reserve_ids(raw, postgres, table, last).await;
    let mut out = Vec::new();
    if !postgres {
        // A receiver's SQLite file has no statistics (no one runs `ANALYZE` on it): the claim
        // must take its index all the same.
        let (claimed, sql) = plans::catch(inbox.claim(1, Duration::from_secs(60))).await;
        assert_eq!(claimed.unwrap().len(), 1);
        let mut plans = Vec::new();
        for sql in sql {
            let plan = raw.plan(&sql, &[P::I(60_000), P::I(1)]).await;
            plans.push((sql, plan));
        }
        out.push(Caught {
            operation: "claim (no statistics)",
            plans,
        });
    }
    if postgres {
        for t in ["", "_ref", "_attempt", "_history"] {
            raw.run(&format!("VACUUM ANALYZE {table}{t}"), &[]).await;
        }
    } else {
        raw.run("ANALYZE", &[]).await;
    }
    assert_eq!(
        raw.scalar(&format!("SELECT COUNT(*) FROM {table}")).await,
        ITEMS + 5
    );

    let mut add = async |operation, statements: Vec<String>, params: Vec<P>| {
        assert!(!statements.is_empty(), "{operation}: no statement caught");
        let mut plans = Vec::new();
        for sql in statements {
            let plan = raw.plan(&sql, &params).await;
            plans.push((sql, plan));
        }
        out.push(Caught { operation, plans });
    };
    let d = fill::wakilni(&config, "order_created", 999_999);
    let (_, sql) = plans::catch(inbox.accept(&d.0, &d.1)).await;
    // At most 16 parameters: PostgreSQL's one-statement batch (items and references).
    add("accept", sql, vec![P::N; 16]).await;
    let (dup, sql) = plans::catch(inbox.accept(&d.0, &d.1)).await;
    assert!(
        dup.unwrap() == delivery_webhooks::inbox::Acceptance::Duplicate,
        "the second accept is a duplicate"
    );
    add("accept (duplicate)", sql, vec![P::N; 16]).await;
    let (claimed, sql) = plans::catch(inbox.claim(1, Duration::from_secs(60))).await;
    assert_eq!(claimed.unwrap().len(), 1);
    add("claim", sql, vec![P::I(60_000), P::I(1)]).await;
    // Retention: the completions older than 29 days (the oldest thirtieth).
    let older = Duration::from_secs(29 * 86_400);
    let (purged, sql) = plans::catch(inbox.purge(older)).await;
    assert!(purged.unwrap() > 1000);
    let window = dedup_window(Provider::Wakilni).as_millis() as i64;
    let purge = vec![
        P::I(older.as_millis() as i64),
        t("wakilni"),
        P::I(window),
        P::I(1000),
    ];
    add("retention purge", sql, purge).await;
    let (_, sql) = plans::catch(console.overview()).await;
    add("console overview", sql, vec![]).await;
    let dead = Filter::new()
        .provider(Provider::Wakilni)
        .state(ItemState::Dead);
    let (page, sql) = plans::catch(console.list(&dead, None, 50)).await;
    assert_eq!(page.unwrap().items.len(), 50);
    add(
        "console list: provider + dead",
        sql,
        vec![t("wakilni"), t("dead"), P::I(50)],
    )
    .await;
    let waybill = db::waybill_of(raw, table, FIRST + 5 * 7_001).await;
    let by_ref = Filter::new().reference(Reference::of(RefField::Waybill, &waybill));
    let (page, sql) = plans::catch(console.list(&by_ref, None, 50)).await;
    assert_eq!(page.unwrap().items.len(), 1, "{waybill}");
    add(
        "console reference search",
        sql,
        vec![t("waybill"), t(&waybill), P::I(50)],
    )
    .await;
    let key = db::key_of(raw, table, FIRST + 5 * 7_001).await;
    let by_key = Filter::new().dedup_key(&key);
    let (page, sql) = plans::catch(console.list(&by_key, None, 50)).await;
    assert_eq!(page.unwrap().items.len(), 1, "{key}");
    add(
        "console dedup key search",
        sql,
        vec![t(&key), t(&key), P::I(50)],
    )
    .await;
    out
}

/// Every operation reads the inbox's tables through an index, and through each of
/// `expected[op]` (`a|b`: either).
fn check(caught: &[Caught], full_scan: impl Fn(&str) -> bool, expected: &[(&str, &[&str])]) {
    for c in caught {
        for (sql, plan) in &c.plans {
            eprintln!(
                "-- {}\n   {sql}\n     {}",
                c.operation,
                plan.join("\n     ")
            );
            for line in plan {
                assert!(
                    !full_scan(line),
                    "{}: a full scan\n{sql}\n{}",
                    c.operation,
                    plan.join("\n")
                );
            }
        }
        let want = expected
            .iter()
            .find(|(op, _)| *op == c.operation)
            .map_or(&[][..], |(_, w)| *w);
        let all: Vec<&String> = c.plans.iter().flat_map(|(_, p)| p).collect();
        for index in want {
            assert!(
                all.iter()
                    .any(|l| index.split('|').any(|name| l.contains(name))),
                "{}: no use of {index}\n{:#?}",
                c.operation,
                c.plans
            );
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn sqlite_plans_at_100k_items_use_the_indexes() {
    INSTALL.call_once(plans::install);
    let _one = CATCHING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("delivery-webhooks-plans-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("inbox.db");
    let caught = runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, options()).await.unwrap();
        let raw = Raw::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(
                    sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(&path)
                        .busy_timeout(Duration::from_secs(30)),
                )
                .await
                .unwrap(),
        );
        let caught = fill_and_plan(inbox, &raw, "webhook_inbox").await;
        // Dedup on accept: SQLite enforces it through the unique partial indexes alone.
        let unique: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM pragma_index_list('webhook_inbox') WHERE \"unique\" = 1 \
             AND partial = 1 ORDER BY name",
        )
        .fetch_all(match &raw {
            Raw::Sqlite(pool) => pool,
            Raw::Postgres(_) => unreachable!(),
        })
        .await
        .unwrap();
        assert_eq!(unique, ["webhook_inbox_key", "webhook_inbox_open_key"]);
        caught
    });
    let _ = std::fs::remove_dir_all(&dir);
    // `SCAN t` reads a whole table (or a whole index, in its order): never on the inbox's
    // tables.
    check(
        &caught,
        |line| line.trim_start().starts_with("SCAN webhook_inbox"),
        &[
            ("claim", &["webhook_inbox_due"]),
            ("retention purge", &["webhook_inbox_completed"]),
            (
                "console overview",
                &[
                    "webhook_inbox_pending",
                    "webhook_inbox_cause",
                    "webhook_inbox_retrying",
                    "webhook_inbox_provider_received",
                ],
            ),
            ("console list: provider + dead", &["webhook_inbox_"]),
            ("console reference search", &["webhook_inbox_ref_value"]),
            (
                "console dedup key search",
                &["webhook_inbox_key", "webhook_inbox_announce_key"],
            ),
        ],
    );
}

#[test]
fn postgres_plans_at_100k_items_use_the_indexes() {
    let Ok(url) = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("DELIVERY_WEBHOOKS_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1 but DELIVERY_WEBHOOKS_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED: no PostgreSQL (run it under scripts/with-postgres.sh, see README)");
        return;
    };
    INSTALL.call_once(plans::install);
    let _one = CATCHING.lock().unwrap_or_else(|e| e.into_inner());
    let ns = format!("t_plans_{}", std::process::id());
    let caught = runtime().block_on(async {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let inbox = PostgresInbox::connect(&url, options().namespace(ns.clone()))
            .await
            .unwrap();
        let raw = Raw::Postgres(pool);
        let caught = fill_and_plan(inbox, &raw, &format!("\"{ns}\".webhook_inbox")).await;
        // Dedup on accept: `ON CONFLICT DO NOTHING` arbitrates on every unique index (its plan
        // names none): the two partial ones on the dedup key must be there.
        let Raw::Postgres(pool) = &raw else {
            unreachable!()
        };
        let unique: Vec<String> = sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = $1 \
             AND tablename = 'webhook_inbox' AND indexdef LIKE 'CREATE UNIQUE INDEX %(dedup_key) WHERE %' \
             ORDER BY 1",
        )
        .bind(&ns)
        .fetch_all(pool)
        .await
        .unwrap();
        assert_eq!(unique, ["webhook_inbox_key", "webhook_inbox_open_key"]);
        raw.run(&format!("DROP SCHEMA \"{ns}\" CASCADE"), &[]).await;
        caught
    });
    check(
        &caught,
        |line| line.contains("Seq Scan on webhook_inbox"),
        // PostgreSQL's `ANALYZE` samples rows, so between two fit indexes its choice may change
        // from run to run (at 7.3 M items the dead letters by cause went through `_dead`): the
        // alternatives are named; a full scan never passes. SQLite's plans are exact. The
        // overview's dead letters by cause are a skip scan of `_cause` since their count was
        // bounded (at 7.3 M items a `COUNT(DISTINCT cause)` went through `_dead` and the rows).
        &[
            ("claim", &["webhook_inbox_due"]),
            (
                "retention purge",
                &["webhook_inbox_completed|webhook_inbox_state_received"],
            ),
            (
                "console overview",
                &[
                    "webhook_inbox_pending|webhook_inbox_due|webhook_inbox_state_received",
                    // The causes' skip scan: one probe of the covering index per cause.
                    "webhook_inbox_cause",
                    "webhook_inbox_retrying|webhook_inbox_state_received",
                    "webhook_inbox_provider_received",
                ],
            ),
            ("console list: provider + dead", &["webhook_inbox_"]),
            ("console reference search", &["webhook_inbox_ref_"]),
            (
                "console dedup key search",
                &["webhook_inbox_key", "webhook_inbox_announce_key"],
            ),
        ],
    );
}
