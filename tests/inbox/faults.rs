//! The inbox keeps its word under injected faults (issue 26, and 27.2): each test runs on a
//! SQLite file and on the real PostgreSQL server, and injects its fault deterministically (a
//! zero lease, a handler waiting on a channel, a skewed instance clock, a renamed table, a
//! corrupted row), never a sleep that usually suffices.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use delivery_webhooks::inbox::{
    Acceptance, Claim, Depth, Failure, Inbox, InboxError, InboxOptions, Item, ItemId, ItemInfo,
    ItemState, PostgresInbox, Replay, SqliteInbox, Stats, Wakeup, Worker,
};
use delivery_webhooks::{AnyDelivery, OwnedRequest};
use sqlx::Connection as _;

use super::{
    Call, ISENDU_KEY_ID, ISENDU_SECRET, calls, config, namespace, postgres_url, raw, receive,
    runtime, temp_db,
};

/// Where a test's inbox lives: a SQLite file or a PostgreSQL schema, both under a namespace.
#[derive(Clone, Debug)]
enum Store {
    Sqlite(PathBuf),
    Postgres { url: String, ns: String },
}

const SQLITE_NS: &str = "t";

impl Store {
    /// One more instance over the same store (its own pool), with `options`.
    async fn open(&self, options: InboxOptions) -> TestInbox {
        match self {
            Store::Sqlite(path) => TestInbox::Sqlite(
                SqliteInbox::open(path, options.namespace(SQLITE_NS))
                    .await
                    .unwrap(),
            ),
            Store::Postgres { url, ns } => TestInbox::Postgres(
                PostgresInbox::connect(url, options.namespace(ns.clone()))
                    .await
                    .unwrap(),
            ),
        }
    }

    /// Runs `statement` behind the inbox's back (`{inbox}` is its table).
    async fn sql(&self, statement: &str) {
        match self {
            Store::Sqlite(path) => {
                let table = format!("{SQLITE_NS}_webhook_inbox");
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true);
                let mut conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .unwrap();
                sqlx::raw_sql(&statement.replace("{inbox}", &table))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
            }
            Store::Postgres { url, ns } => {
                let table = format!("\"{ns}\".webhook_inbox");
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql(&statement.replace("{inbox}", &table))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
            }
        }
    }

    /// The number `query` (a `SELECT COUNT(*)`, `{inbox}` its table) reads behind the inbox's
    /// back.
    async fn count(&self, query: &str) -> i64 {
        match self {
            Store::Sqlite(path) => {
                let table = format!("{SQLITE_NS}_webhook_inbox");
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let mut conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .unwrap();
                let n = sqlx::query_scalar(&query.replace("{inbox}", &table))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                n
            }
            Store::Postgres { url, ns } => {
                let table = format!("\"{ns}\".webhook_inbox");
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let n = sqlx::query_scalar(&query.replace("{inbox}", &table))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                n
            }
        }
    }

    /// Everything the store holds, as bytes to search: the SQLite file and its `-wal` (read
    /// while the inbox is open and idle, so no checkpoint moves pages between the two reads),
    /// or every row of every table in the PostgreSQL schema as text, `bytea` written in its
    /// escape form so that stored JSON reads as itself.
    async fn dump(&self) -> Vec<u8> {
        match self {
            Store::Sqlite(path) => {
                let mut bytes = std::fs::read(path).unwrap();
                bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
                bytes
            }
            Store::Postgres { url, ns } => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql("SET bytea_output = 'escape'")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = $1 ORDER BY table_name",
                )
                .bind(ns)
                .fetch_all(&mut conn)
                .await
                .unwrap();
                assert!(tables.contains(&"webhook_inbox".to_owned()), "{tables:?}");
                let mut text = String::new();
                for table in tables {
                    let rows: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT t::text FROM \"{ns}\".\"{table}\" t"))
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    for row in rows {
                        text.push_str(&row);
                        text.push('\n');
                    }
                }
                conn.close().await.unwrap();
                text.into_bytes()
            }
        }
    }

    /// The table's bare name, for `ALTER TABLE … RENAME TO`.
    fn table(&self) -> String {
        match self {
            Store::Sqlite(_) => format!("{SQLITE_NS}_webhook_inbox"),
            Store::Postgres { .. } => "webhook_inbox".to_owned(),
        }
    }
}

/// Either backend behind one type, so each scenario is written once.
#[derive(Clone, Debug)]
enum TestInbox {
    Sqlite(SqliteInbox),
    Postgres(PostgresInbox),
}

macro_rules! each {
    ($self:ident, $i:ident => $call:expr) => {
        match $self {
            TestInbox::Sqlite($i) => $call.await,
            TestInbox::Postgres($i) => $call.await,
        }
    };
}

impl Inbox for TestInbox {
    async fn accept(&self, d: &AnyDelivery, r: &OwnedRequest) -> Result<Acceptance, InboxError> {
        each!(self, i => i.accept(d, r))
    }
    async fn claim(&self, n: usize, lease: Duration) -> Result<Vec<Item>, InboxError> {
        each!(self, i => i.claim(n, lease))
    }
    async fn extend(&self, claim: Claim, lease: Duration) -> Result<(), InboxError> {
        each!(self, i => i.extend(claim, lease))
    }
    async fn complete(&self, claim: Claim) -> Result<(), InboxError> {
        each!(self, i => i.complete(claim))
    }
    async fn complete_batch(
        &self,
        claims: &[Claim],
    ) -> Result<Vec<Result<(), InboxError>>, InboxError> {
        each!(self, i => i.complete_batch(claims))
    }
    async fn fail(&self, claim: Claim, error: &str) -> Result<Failure, InboxError> {
        each!(self, i => i.fail(claim, error))
    }
    async fn fail_with(
        &self,
        claim: Claim,
        error: &str,
        retry: delivery_webhooks::Retry,
    ) -> Result<Failure, InboxError> {
        each!(self, i => i.fail_with(claim, error, retry))
    }
    async fn release(&self, claim: Claim) -> Result<(), InboxError> {
        each!(self, i => i.release(claim))
    }
    async fn replay(&self, id: ItemId) -> Result<Replay, InboxError> {
        each!(self, i => i.replay(id))
    }
    async fn purge(&self, older_than: Duration) -> Result<u64, InboxError> {
        each!(self, i => i.purge(older_than))
    }
    async fn item(&self, id: ItemId) -> Result<Option<ItemInfo>, InboxError> {
        each!(self, i => i.item(id))
    }
    async fn stats(&self) -> Result<Stats, InboxError> {
        each!(self, i => i.stats())
    }
    async fn retain(&self) -> Result<u64, InboxError> {
        each!(self, i => i.retain())
    }
    async fn depth(&self) -> Result<Depth, InboxError> {
        each!(self, i => i.depth())
    }
    fn wakeup(&self) -> Option<Wakeup> {
        match self {
            TestInbox::Sqlite(i) => i.wakeup(),
            TestInbox::Postgres(i) => i.wakeup(),
        }
    }
}

/// Runs `scenario` on a fresh SQLite file.
fn on_sqlite<F, Fut>(test: &str, scenario: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let path = temp_db(test);
    runtime().block_on(scenario(Store::Sqlite(path.clone())));
    // Passed: its file goes (a failed test's stays, to be looked at).
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Runs `scenario` in a fresh schema of the test PostgreSQL server (skipped without one,
/// unless required).
fn on_postgres<F, Fut>(test: &str, scenario: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(url) = postgres_url(test) else {
        return;
    };
    let ns = namespace(&test.chars().take(24).collect::<String>());
    runtime().block_on(scenario(Store::Postgres { url, ns }));
}

/// Two tests per scenario: `<name>::sqlite` and `<name>::postgres`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::on_sqlite(stringify!($name), super::$name);
            }
            #[test]
            fn postgres() {
                super::on_postgres(stringify!($name), super::$name);
            }
        }
    )*};
}

on_both!(
    a_stale_claim_writes_nothing,
    skewed_instance_clocks_cannot_steal_or_hide_work,
    a_heartbeat_keeps_a_slow_handler_s_batch_from_a_second_worker,
    panicking_and_hanging_handlers_fail_their_item_not_the_worker,
    the_worker_survives_database_errors,
    shutdown_releases_unstarted_claims_without_counting_an_attempt,
    an_unrebuildable_item_backs_off_then_dies_with_its_reason_and_replay_says_why,
    back_off_has_full_jitter_under_its_ceiling,
    skladon_get_announcements_coalesce_only_while_waiting,
    a_batch_isolates_the_delivery_the_database_refuses,
    a_version_1_database_is_migrated_keeping_its_items_ids_and_keys,
    retention_purges_old_completed_and_dead_items_in_batches_and_nothing_else,
    the_documented_rollback_to_version_1_works,
    a_handshake_is_never_stored_whoever_calls_the_inbox,
);

/// `n` deliveries with distinct dedup keys, each with the request it came in.
fn distinct(n: usize) -> Vec<(AnyDelivery, OwnedRequest)> {
    let config = config();
    let mut seen = BTreeSet::new();
    let out: Vec<_> = calls()
        .iter()
        .map(|c| (receive(&config, c), raw(c)))
        .filter(|(d, _)| !d.reply().holds_secret())
        .filter(|(d, _)| seen.insert(d.dedup_key().to_string()))
        .take(n)
        .collect();
    assert_eq!(out.len(), n, "not enough distinct fixtures");
    out
}

/// Accepts `n` distinct deliveries; their ids in order.
async fn fill(inbox: &TestInbox, n: usize) -> Vec<ItemId> {
    let mut ids = Vec::new();
    for (delivery, raw) in distinct(n) {
        match inbox.accept(&delivery, &raw).await.unwrap() {
            Acceptance::Accepted(id) => ids.push(id),
            other => panic!("{}: {other:?}", delivery.dedup_key()),
        }
    }
    ids
}

async fn info(inbox: &TestInbox, id: ItemId) -> ItemInfo {
    inbox.item(id).await.unwrap().unwrap()
}

/// Waits (up to 60 s, then fails) until `check` holds on the item.
async fn until(inbox: &TestInbox, id: ItemId, what: &str, check: impl Fn(&ItemInfo) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let info = info(inbox, id).await;
        if check(&info) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {info:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// 26.6: a worker whose lease ran out and whose item another worker claimed again can neither
/// complete, fail, extend nor release it.
async fn a_stale_claim_writes_nothing(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let [id] = fill(&inbox, 1).await[..] else {
        unreachable!()
    };
    // A lease of zero runs out at once: the next claim takes the item again.
    let stale = inbox.claim(1, Duration::ZERO).await.unwrap()[0].claim;
    let fresh = inbox.claim(1, MINUTE).await.unwrap()[0].claim;
    assert_eq!((stale.id(), fresh.id()), (id, id));
    assert!(fresh.token() > stale.token());
    assert_eq!((stale.attempt(), fresh.attempt()), (1, 2));

    let lost = |r: Result<(), InboxError>| {
        assert!(
            matches!(r, Err(InboxError::LeaseLost { id: i, token }) if i == id && token == stale.token()),
            "{r:?}"
        );
    };
    lost(inbox.complete(stale).await);
    lost(inbox.fail(stale, "late").await.map(|_| ()));
    lost(inbox.extend(stale, MINUTE).await);
    lost(inbox.release(stale).await);
    let now = info(&inbox, id).await;
    assert_eq!(
        (now.state, now.attempts, now.last_error),
        (ItemState::Claimed, 2, None)
    );

    inbox.complete(fresh).await.unwrap();
    assert_eq!(info(&inbox, id).await.state, ItemState::Completed);
    // Not claimed any more: a second outcome is refused too.
    assert!(matches!(
        inbox.fail(fresh, "twice").await,
        Err(InboxError::LeaseLost { .. })
    ));
    assert_eq!(info(&inbox, id).await.state, ItemState::Completed);
}

/// 26.8: leases and due times are the database's clock. An instance an hour ahead does not see
/// another's live lease as expired; an item accepted by an instance an hour behind is due at
/// once, not in an hour.
async fn skewed_instance_clocks_cannot_steal_or_hide_work(store: Store) {
    const HOUR_MS: i64 = 3_600_000;
    let on_time = store.open(InboxOptions::default()).await;
    let ahead = store
        .open(InboxOptions::default().clock_skew_ms(HOUR_MS))
        .await;
    let behind = store
        .open(InboxOptions::default().clock_skew_ms(-HOUR_MS))
        .await;
    let deliveries = distinct(2);
    let Acceptance::Accepted(first) = on_time
        .accept(&deliveries[0].0, &deliveries[0].1)
        .await
        .unwrap()
    else {
        panic!()
    };
    let held = on_time.claim(10, MINUTE).await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(
        ahead.claim(10, MINUTE).await.unwrap().is_empty(),
        "stolen by a clock an hour ahead"
    );
    assert!(behind.claim(10, MINUTE).await.unwrap().is_empty());

    let Acceptance::Accepted(second) = behind
        .accept(&deliveries[1].0, &deliveries[1].1)
        .await
        .unwrap()
    else {
        panic!()
    };
    let taken = ahead.claim(10, MINUTE).await.unwrap();
    assert_eq!(taken.iter().map(|i| i.id).collect::<Vec<_>>(), [second]);
    on_time.complete(held[0].claim).await.unwrap();
    ahead.complete(taken[0].claim).await.unwrap();
    assert_eq!(info(&on_time, first).await.state, ItemState::Completed);
}

/// 26.7: a handler that runs far past its lease (1 s) keeps its item, and the waiting item of
/// its batch, from a second worker polling all along: each runs once.
async fn a_heartbeat_keeps_a_slow_handler_s_batch_from_a_second_worker(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let other = store.open(InboxOptions::default()).await;
    let ids = fill(&inbox, 2).await;
    let lease = Duration::from_secs(1);
    let runs = Arc::new(std::sync::Mutex::new(Vec::<(&str, ItemId)>::new()));
    let (go, gate) = tokio::sync::watch::channel(false);
    let (started, mut first_started) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handler = |who: &'static str| {
        let (runs, gate, started) = (Arc::clone(&runs), gate.clone(), started.clone());
        move |item: Item| {
            let (runs, mut gate, started) = (Arc::clone(&runs), gate.clone(), started.clone());
            async move {
                runs.lock().unwrap().push((who, item.id));
                let _ = started.send(item.id);
                let _ = gate.wait_for(|open| *open).await;
                Ok::<(), String>(())
            }
        }
    };
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    let a = tokio::spawn(
        Worker::new(inbox.clone())
            .batch(2)
            .lease(lease)
            .heartbeat(Duration::from_millis(100))
            .idle(Duration::from_millis(10))
            .run(handler("a"), until_stopped(stopped.clone())),
    );
    assert_eq!(first_started.recv().await, Some(ids[0]));
    let claimed_until = info(&inbox, ids[1]).await.due_at;
    let b = tokio::spawn(
        Worker::new(other.clone())
            .lease(lease)
            .idle(Duration::from_millis(10))
            .run(handler("b"), until_stopped(stopped.clone())),
    );
    // Three leases' worth: both items' leases must have been extended well past the first.
    for id in &ids {
        until(&inbox, *id, "lease extended by the heartbeat", |i| {
            i.due_at > claimed_until + 3 * lease
        })
        .await;
    }
    go.send(true).unwrap();
    for id in &ids {
        until(&inbox, *id, "completed", |i| {
            i.state == ItemState::Completed
        })
        .await;
    }
    stop.send(true).unwrap();
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(*runs.lock().unwrap(), [("a", ids[0]), ("a", ids[1])]);
    assert_eq!((a.completed, a.lost, b.completed), (2, 0, 0));
}

/// 26.11: a panic fails its item with the panic message, a hanging handler is cut off at the
/// timeout; the worker goes on to the next item.
async fn panicking_and_hanging_handlers_fail_their_item_not_the_worker(store: Store) {
    let inbox = store
        .open(InboxOptions::default().backoff(Duration::from_secs(3600), Duration::from_secs(3600)))
        .await;
    let ids = fill(&inbox, 4).await;
    let (panics, hangs, panics_early) = (ids[0], ids[1], ids[2]);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(inbox.clone())
            .batch(4)
            .timeout(Duration::from_millis(300))
            .idle(Duration::from_millis(10))
            .run(
                move |item: Item| {
                    // A handler may panic before it even returns its future.
                    assert_ne!(item.id, panics_early, "boom making the future");
                    async move {
                        if item.id == panics {
                            panic!("boom in the handler");
                        }
                        if item.id == hangs {
                            std::future::pending::<()>().await;
                        }
                        Ok::<(), String>(())
                    }
                },
                async {
                    let _ = stopped.await;
                },
            ),
    );
    until(&inbox, ids[3], "the last item completed", |i| {
        i.state == ItemState::Completed
    })
    .await;
    stop.send(()).unwrap();
    let report = worker.await.unwrap();
    let panicked = info(&inbox, panics).await;
    assert_eq!(panicked.state, ItemState::Pending);
    assert_eq!(
        panicked.last_error.as_deref(),
        Some("the handler panicked: boom in the handler")
    );
    let early = info(&inbox, panics_early).await;
    assert_eq!(early.state, ItemState::Pending);
    let early = early.last_error.unwrap();
    assert!(
        early.starts_with("the handler panicked: assertion")
            && early.contains("boom making the future"),
        "{early}"
    );
    let hung = info(&inbox, hangs).await;
    assert_eq!(hung.state, ItemState::Pending);
    assert_eq!(hung.last_error.as_deref(), Some("timed out after 300ms"));
    assert_eq!(
        (
            report.completed,
            report.failed,
            report.panicked,
            report.timed_out
        ),
        (1, 3, 2, 1)
    );
}

/// 26.11: the inbox's table vanishes under a running worker (every claim fails); the worker
/// reports the errors, backs off, and processes the next item once the table is back.
async fn the_worker_survives_database_errors(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let table = store.table();
    let (errors_tx, mut errors) = tokio::sync::mpsc::unbounded_channel::<String>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handled = Arc::new(AtomicU64::new(0));
    store
        .sql(&format!("ALTER TABLE {{inbox}} RENAME TO {table}_away"))
        .await;
    let worker = {
        let handled = Arc::clone(&handled);
        tokio::spawn(
            Worker::new(inbox.clone())
                .idle(Duration::from_millis(10))
                .on_error(move |err| {
                    let _ = errors_tx.send(err.to_string());
                })
                .run(
                    move |_item: Item| {
                        handled.fetch_add(1, Ordering::SeqCst);
                        async { Ok::<(), String>(()) }
                    },
                    async {
                        let _ = stopped.await;
                    },
                ),
        )
    };
    // Two errors: the worker went on after the first.
    for _ in 0..2 {
        let error = errors.recv().await.unwrap();
        assert!(error.starts_with("inbox database"), "{error}");
    }
    let away = match &store {
        Store::Sqlite(_) => format!("{table}_away"),
        Store::Postgres { ns, .. } => format!("\"{ns}\".{table}_away"),
    };
    store
        .sql(&format!("ALTER TABLE {away} RENAME TO {table}"))
        .await;
    let [id] = fill(&inbox, 1).await[..] else {
        unreachable!()
    };
    until(&inbox, id, "processed after the outage", |i| {
        i.state == ItemState::Completed
    })
    .await;
    stop.send(()).unwrap();
    let report = worker.await.unwrap();
    assert!(report.inbox_errors >= 2, "{report:?}");
    assert_eq!((report.completed, handled.load(Ordering::SeqCst)), (1, 1));
}

/// 26.9: a worker stopped while its batch waits finishes the running item and gives the rest
/// back: pending, due now, and their attempt not counted.
async fn shutdown_releases_unstarted_claims_without_counting_an_attempt(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let ids = fill(&inbox, 3).await;
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let started_tx = std::sync::Mutex::new(Some(started_tx));
    let (go, gate) = tokio::sync::oneshot::channel::<()>();
    let gate = Arc::new(tokio::sync::Mutex::new(Some(gate)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(Worker::new(inbox.clone()).batch(3).run(
        move |_item: Item| {
            if let Some(tx) = started_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            let gate = Arc::clone(&gate);
            async move {
                if let Some(gate) = gate.lock().await.take() {
                    let _ = gate.await;
                }
                Ok::<(), String>(())
            }
        },
        async {
            let _ = stopped.await;
        },
    ));
    started.await.unwrap();
    stop.send(()).unwrap();
    go.send(()).unwrap();
    let report = worker.await.unwrap();
    assert_eq!((report.completed, report.released), (1, 2));
    assert_eq!(info(&inbox, ids[0]).await.state, ItemState::Completed);
    for id in &ids[1..] {
        let i = info(&inbox, *id).await;
        assert_eq!((i.state, i.attempts), (ItemState::Pending, 0), "{i:?}");
    }
    let again = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(
        again.iter().map(|i| (i.id, i.attempts)).collect::<Vec<_>>(),
        [(ids[1], 1), (ids[2], 1)]
    );
}

/// 26.10 and 26.3: a stored delivery this build cannot rebuild is never handed out, but it is
/// not buried at once either: it backs off like any failure, with its reason, and is dead only
/// after the horizon. Replay says why it cannot run; once readable, replay runs it again.
async fn an_unrebuildable_item_backs_off_then_dies_with_its_reason_and_replay_says_why(
    store: Store,
) {
    let options = InboxOptions::default()
        .max_attempts(2)
        .backoff(Duration::ZERO, Duration::ZERO);
    let inbox = store.open(options).await;
    let [id] = fill(&inbox, 1).await[..] else {
        unreachable!()
    };
    assert_eq!(
        inbox.replay(id).await.unwrap(),
        Replay::NotFinished(ItemState::Pending)
    );
    assert_eq!(
        inbox.replay(ItemId(i64::MAX)).await.unwrap(),
        Replay::NotFound
    );
    let body_hex: String = match &store {
        Store::Sqlite(_) => "X'7b'".into(),
        Store::Postgres { .. } => "'\\x7b'::bytea".into(),
    };
    store
        .sql(&format!(
            "CREATE TABLE {{inbox}}_saved AS SELECT id, body FROM {{inbox}}; \
             UPDATE {{inbox}} SET body = {body_hex}"
        ))
        .await;
    assert!(
        inbox.claim(10, MINUTE).await.unwrap().is_empty(),
        "handed out"
    );
    let first = info(&inbox, id).await;
    assert_eq!(
        (first.state, first.attempts),
        (ItemState::Pending, 1),
        "{first:?}"
    );
    let reason = first.last_error.unwrap();
    assert!(
        reason.starts_with("cannot rebuild the stored delivery"),
        "{reason}"
    );
    assert!(inbox.claim(10, MINUTE).await.unwrap().is_empty());
    let dead = info(&inbox, id).await;
    assert_eq!((dead.state, dead.attempts), (ItemState::Dead, 2));
    assert_eq!(dead.last_error.as_deref(), Some(reason.as_str()));

    let Replay::Unreadable(why) = inbox.replay(id).await.unwrap() else {
        panic!("replayed an unreadable item")
    };
    assert!(reason.ends_with(&why), "{why} / {reason}");
    assert_eq!(info(&inbox, id).await.state, ItemState::Dead);
    store
        .sql(
            "UPDATE {inbox} SET body = (SELECT body FROM {inbox}_saved s WHERE s.id = {inbox}.id); \
             DROP TABLE {inbox}_saved",
        )
        .await;
    assert_eq!(inbox.replay(id).await.unwrap(), Replay::Queued);
    let items = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(
        items.iter().map(|i| (i.id, i.attempts)).collect::<Vec<_>>(),
        [(id, 1)]
    );
}

/// 26.2: a failure backs off by a delay drawn between zero and the attempt's ceiling, measured
/// on the database's clock; without jitter, exactly the ceiling.
async fn back_off_has_full_jitter_under_its_ceiling(store: Store) {
    let hour = Duration::from_secs(3600);
    for jitter in [true, false] {
        let inbox = store
            .open(
                InboxOptions::default()
                    .backoff(hour, 10 * hour)
                    .jitter(jitter),
            )
            .await;
        fill(&inbox, 3).await;
        // Attempt 1: ceiling 1 h; attempt 2 (claimed again after a zero lease): ceiling 2 h.
        let items = inbox.claim(3, Duration::ZERO).await.unwrap();
        let items2 = inbox.claim(1, MINUTE).await.unwrap();
        assert_eq!(items2[0].attempts, 2);
        for (item, ceiling) in items[1..]
            .iter()
            .map(|i| (i, hour))
            .chain([(&items2[0], 2 * hour)])
        {
            let before = SystemTime::now() - Duration::from_secs(5);
            let Failure::RetryAt(at) = inbox.fail(item.claim, "down").await.unwrap() else {
                panic!("dead")
            };
            let after = SystemTime::now() + Duration::from_secs(5);
            if jitter {
                assert!(
                    at >= before && at <= after + ceiling,
                    "{at:?} not within {ceiling:?}"
                );
            } else {
                assert!(at >= before + ceiling && at <= after + ceiling, "{at:?}");
            }
        }
        // Clean up for the next round.
        store.sql("DELETE FROM {inbox}").await;
    }
}

/// 26.1: a Skladon GET ("entity X changed, fetch it") coalesces with an announcement of the same
/// entity that still waits or runs (the provider retrying it), never with one processed.
async fn skladon_get_announcements_coalesce_only_while_waiting(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let call = calls().into_iter().find(|c| c.method == "GET").unwrap();
    let get = receive(&config(), &call);
    let get_raw = raw(&call);
    let accept = || inbox.accept(&get, &get_raw);
    let Acceptance::Accepted(first) = accept().await.unwrap() else {
        panic!()
    };
    assert_eq!(
        accept().await.unwrap(),
        Acceptance::Duplicate,
        "pending: coalesces"
    );
    let claimed = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(
        accept().await.unwrap(),
        Acceptance::Duplicate,
        "claimed: coalesces"
    );
    inbox.complete(claimed[0].claim).await.unwrap();
    let Acceptance::Accepted(second) = accept().await.unwrap() else {
        panic!("a later change of a processed entity was swallowed")
    };
    assert_ne!(first, second);
    // The processed one cannot be replayed beside the waiting one; it can once that is done.
    assert_eq!(inbox.replay(first).await.unwrap(), Replay::Coalesced);
    let claimed = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(&claimed[0].delivery, &get);
    inbox.complete(claimed[0].claim).await.unwrap();
    assert_eq!(inbox.replay(first).await.unwrap(), Replay::Queued);

    // Events (not announcements) stay duplicates once processed.
    let post = calls()
        .into_iter()
        .find(|c| c.name.starts_with("skladon/order"))
        .unwrap();
    let event = receive(&config(), &post);
    assert!(matches!(
        inbox.accept(&event, &raw(&post)).await.unwrap(),
        Acceptance::Accepted(_)
    ));
    let items = inbox.claim(10, MINUTE).await.unwrap();
    for item in items {
        inbox.complete(item.claim).await.unwrap();
    }
    assert_eq!(
        inbox.accept(&event, &raw(&post)).await.unwrap(),
        Acceptance::Duplicate
    );
}

/// 27.2 / 26.12: one batch holding an over-long key (Peddler's id is unbounded), a NUL byte (a
/// percent-encoded Skladon webhook type) and a record the database refuses (a trigger, injected
/// here, refuses any key holding `poison`, as a constraint or a bad value would). The long key
/// is stored as its digest (the rebuilt delivery keeps the whole key); the NUL byte is stored
/// escaped (digested key, JSON context); the refused record fails alone, and every other
/// delivery of the batch is stored. (The five accepts are made together and the writer lingers
/// 2 s for a batch of five; were they split, each assertion still holds.)
async fn a_batch_isolates_the_delivery_the_database_refuses(store: Store) {
    let config = config();
    let inbox = store
        .open(
            InboxOptions::default()
                .max_batch(5)
                .batch_linger(Duration::from_secs(2)),
        )
        .await;
    match &store {
        Store::Sqlite(_) => {
            store
                .sql(
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON {inbox} \
                     WHEN NEW.dedup_key LIKE '%poison%' \
                     BEGIN SELECT RAISE(ABORT, 'poisoned record'); END;",
                )
                .await;
        }
        Store::Postgres { ns, .. } => {
            store
                .sql(&format!(
                    "CREATE FUNCTION \"{ns}\".refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN IF NEW.dedup_key LIKE '%poison%' THEN \
                     RAISE EXCEPTION 'poisoned record' USING ERRCODE = '22000'; END IF; \
                     RETURN NEW; END $$; \
                     CREATE TRIGGER refuse_poison BEFORE INSERT ON {{inbox}} \
                     FOR EACH ROW EXECUTE FUNCTION \"{ns}\".refuse_poison();"
                ))
                .await;
        }
    }
    let mut plain = distinct(2).into_iter();
    let (a, b) = (plain.next().unwrap(), plain.next().unwrap());
    let peddler = calls()
        .into_iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap();
    let with_id = |id: String| {
        let mut body: serde_json::Value = serde_json::from_slice(&peddler.body).unwrap();
        body["id"] = serde_json::Value::String(id);
        let call = Call {
            body: serde_json::to_vec(&body).unwrap(),
            ..peddler.clone()
        };
        (receive(&config, &call), raw(&call))
    };
    let long = with_id("L".repeat(5000));
    assert!(long.0.dedup_key().as_str().len() > 5000);
    let poison = with_id("poison-1".to_owned());
    let order = calls()
        .into_iter()
        .find(|c| c.name.starts_with("skladon/order"))
        .unwrap();
    let nul_call = Call {
        path: format!("/webhooks/skladon/{}/UPDATE%00ORDER", super::SKLADON_TOKEN),
        ..order
    };
    let nul = (receive(&config, &nul_call), raw(&nul_call));
    assert!(nul.0.dedup_key().as_str().contains('\0'));

    let batch = [&a, &long, &poison, &nul, &b];
    let answers = futures_join(batch.iter().map(|(d, r)| inbox.accept(d, r))).await;
    let stored = |i: usize| matches!(answers[i], Ok(Acceptance::Accepted(_)));
    assert!(
        stored(0) && stored(1) && stored(3) && stored(4),
        "{answers:?}"
    );
    let Err(InboxError::Database(err)) = &answers[2] else {
        panic!("{:?}", answers[2])
    };
    assert!(err.to_string().contains("poisoned record"), "{err}");
    // The long key is still the delivery's key, and still deduplicates.
    assert_eq!(
        inbox.accept(&long.0, &long.1).await.unwrap(),
        Acceptance::Duplicate
    );
    let items = inbox.claim(10, MINUTE).await.unwrap();
    let rebuilt = |key: &delivery_webhooks::DedupKey| {
        items
            .iter()
            .find(|i| i.delivery.dedup_key() == key)
            .map(|i| &i.delivery)
    };
    assert_eq!(rebuilt(long.0.dedup_key()), Some(&long.0));
    // The NUL byte is handed to the handler as it was received.
    assert_eq!(rebuilt(nul.0.dedup_key()), Some(&nul.0));
}

/// Runs futures concurrently (on this task) and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *output = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

/// Version 1 of the schema exactly as the previous release created it (frozen here: the crate's
/// own copy may not change, and this one must not follow it).
fn v1_schema(store: &Store) -> String {
    let (table, index, version, int, serial, bytes, schema) = match store {
        Store::Sqlite(_) => (
            format!("{SQLITE_NS}_webhook_inbox"),
            format!("{SQLITE_NS}_webhook_inbox"),
            format!("{SQLITE_NS}_webhook_inbox_schema_version"),
            "INTEGER",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BLOB",
            String::new(),
        ),
        Store::Postgres { ns, .. } => (
            format!("\"{ns}\".webhook_inbox"),
            "webhook_inbox".to_owned(),
            format!("\"{ns}\".webhook_inbox_schema_version"),
            "BIGINT",
            "BIGSERIAL PRIMARY KEY",
            "BYTEA",
            format!("CREATE SCHEMA \"{ns}\";"),
        ),
    };
    format!(
        "{schema}
        CREATE TABLE {version} (version {int} PRIMARY KEY, applied_at {int} NOT NULL);
        INSERT INTO {version} (version, applied_at) VALUES (1, 0);
        CREATE TABLE {table} (
            id {serial}, provider TEXT NOT NULL, dedup_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending', attempts {int} NOT NULL DEFAULT 0,
            available_at {int} NOT NULL, received_at {int} NOT NULL, completed_at {int},
            last_error TEXT, delivery_attempt {int}, context TEXT, method TEXT NOT NULL,
            uri TEXT NOT NULL, peer TEXT, headers TEXT NOT NULL, body {bytes} NOT NULL,
            payload {bytes} NOT NULL);
        CREATE INDEX {index}_due ON {table} (available_at, id) WHERE state IN ('pending', 'claimed');
        CREATE INDEX {index}_completed ON {table} (completed_at) WHERE state = 'completed';"
    )
}

/// A v1 row: `(id, provider, dedup_key, state, available_at, context, body)`.
fn v1_row(
    store: &Store,
    id: i64,
    d: &AnyDelivery,
    state: &str,
    context: Option<&str>,
    body: &[u8],
) -> String {
    let hex: String = body.iter().map(|b| format!("{b:02x}")).collect();
    let body = match store {
        Store::Sqlite(_) => format!("X'{hex}'"),
        Store::Postgres { .. } => format!("'\\x{hex}'::bytea"),
    };
    let context = context.map_or("NULL".to_owned(), |c| format!("'{c}'"));
    format!(
        "INSERT INTO {{inbox}} (id, provider, dedup_key, state, attempts, available_at, received_at, \
         completed_at, last_error, context, method, uri, headers, body, payload) VALUES ({id}, \
         '{}', '{}', '{state}', 1, 1000, 1000, 2000, NULL, {context}, 'POST', '/', '[]', {body}, {body});",
        d.provider().as_str(),
        d.dedup_key(),
    )
}

/// 26.14: a database written by version 1 (created here statement by statement, with items in
/// every state) is migrated on open, by two instances at once: items keep their ids, keys and
/// states; a processed GET no longer swallows the next; the id sequence goes on past the old
/// highest id, never reusing one.
async fn a_version_1_database_is_migrated_keeping_its_items_ids_and_keys(store: Store) {
    let config = config();
    let all = calls();
    let pick = |prefix: &str| all.iter().find(|c| c.name.starts_with(prefix)).unwrap();
    let (pending, done, dead) = (pick("peddler/"), pick("wakilni/"), pick("xoxoday/"));
    let get = all.iter().find(|c| c.method == "GET").unwrap();
    let [p, w, x, g] = [pending, done, dead, get].map(|c| receive(&config, c));
    let g_context = "GET UPDATE_ORDER_STATUS 123456";
    let sequence = match &store {
        Store::Sqlite(_) => {
            "UPDATE sqlite_sequence SET seq = 1000 WHERE name = 't_webhook_inbox';".to_owned()
        }
        Store::Postgres { ns, .. } => {
            format!("SELECT setval(pg_get_serial_sequence('\"{ns}\".webhook_inbox', 'id'), 1000);")
        }
    };
    store
        .sql(
            &[
                v1_schema(&store),
                v1_row(&store, 1, &p, "pending", None, &pending.body),
                v1_row(&store, 2, &w, "completed", None, &done.body),
                v1_row(&store, 3, &x, "dead", None, &dead.body),
                v1_row(&store, 4, &g, "completed", Some(g_context), b""),
                sequence,
            ]
            .join("\n"),
        )
        .await;

    // Two instances start together over the old database.
    let (inbox, other) = tokio::join!(
        store.open(InboxOptions::default()),
        store.open(InboxOptions::default())
    );
    let states: Vec<_> = [1, 2, 3, 4]
        .map(ItemId)
        .iter()
        .map(|id| (inbox.item(*id), *id))
        .collect::<Vec<_>>();
    let mut seen = Vec::new();
    for (info, id) in states {
        let info = info.await.unwrap().unwrap();
        seen.push((id.0, info.state, info.attempts));
    }
    assert_eq!(
        seen,
        [
            (1, ItemState::Pending, 1),
            (2, ItemState::Completed, 1),
            (3, ItemState::Dead, 1),
            (4, ItemState::Completed, 1)
        ]
    );
    let raw_of = |c: &Call| raw(c);
    assert_eq!(
        other.accept(&w, &raw_of(done)).await.unwrap(),
        Acceptance::Duplicate
    );
    assert_eq!(
        other.accept(&p, &raw_of(pending)).await.unwrap(),
        Acceptance::Duplicate
    );
    let Acceptance::Accepted(new_get) = other.accept(&g, &raw_of(get)).await.unwrap() else {
        panic!("the processed GET of version 1 swallowed a new one")
    };
    assert!(new_get.0 > 1000, "an id reused: {new_get}");
    let claimed = inbox.claim(10, MINUTE).await.unwrap();
    let ids: Vec<_> = claimed.iter().map(|i| (i.id, i.attempts)).collect();
    assert_eq!(ids, [(ItemId(1), 2), (new_get, 1)]);
    assert_eq!(claimed[0].delivery, p);
    assert_eq!(claimed[1].delivery, g);
    assert_eq!(inbox.replay(ItemId(3)).await.unwrap(), Replay::Queued);
}

/// 26.4: when the inbox cannot store a verified delivery (its table renamed away behind a live
/// receiver), inbox mode answers 503 with `Retry-After`, not a bare 500, and endpoint health
/// counts the failure; once the table is back, accepting resumes on its own.
fn a_store_failure_is_answered_503_with_retry_after(store: Store) {
    let (receiver, inbox) = super::Receiver::start(store.open(InboxOptions::default()));
    let call = calls()
        .into_iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap();
    let table = store.table();
    let away = match &store {
        Store::Sqlite(_) => format!("{table}_away"),
        Store::Postgres { ns, .. } => format!("\"{ns}\".{table}_away"),
    };
    let side = runtime();
    side.block_on(store.sql(&format!("ALTER TABLE {{inbox}} RENAME TO {table}_away")));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.post(format!("http://{}{}", receiver.addr, call.path));
    for (k, v) in &call.headers {
        request = request.header(k, v);
    }
    let mut response = request.send(&call.body[..]).unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("send it again later"), "{body}");
    assert!(
        !body.contains(&table),
        "the database's error is not echoed: {body}"
    );

    // The provider saw a failure: endpoint health counts it.
    let peddler = delivery_webhooks::Provider::Peddler;
    assert_eq!(receiver.health.provider(peddler).consecutive_failures, 1);

    side.block_on(store.sql(&format!("ALTER TABLE {away} RENAME TO {table}")));
    assert_eq!(receiver.send(&call).0, 200);
    assert_eq!(receiver.health.provider(peddler).consecutive_failures, 0);
    let stats = receiver._runtime.block_on(inbox.stats()).unwrap();
    assert_eq!(stats.pending, 1);
}

#[test]
fn a_store_failure_is_answered_503_with_retry_after_on_sqlite() {
    a_store_failure_is_answered_503_with_retry_after(Store::Sqlite(temp_db("store_failure")));
}

#[test]
fn a_store_failure_is_answered_503_with_retry_after_on_postgres() {
    let test = "a_store_failure_is_answered_503_with_retry_after_on_postgres";
    let Some(url) = postgres_url(test) else {
        return;
    };
    let ns = namespace("store_failure");
    a_store_failure_is_answered_503_with_retry_after(Store::Postgres { url, ns });
}

/// 26.5: a PostgreSQL session with `synchronous_commit = off` (here set through the URL) would
/// make "answered 200" mean "not yet on disk": `connect` refuses it with a clear error, unless
/// explicitly allowed.
#[test]
fn postgres_with_asynchronous_commit_is_refused_unless_allowed() {
    let Some(url) = postgres_url("postgres_with_asynchronous_commit_is_refused_unless_allowed")
    else {
        return;
    };
    let separator = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{separator}options=-c%20synchronous_commit%3Doff");
    runtime().block_on(async {
        let options = InboxOptions::default().namespace(namespace("async_commit"));
        let refused = PostgresInbox::connect(&url, options.clone()).await;
        let Err(err @ InboxError::AsynchronousCommit { .. }) = refused else {
            panic!("{refused:?}")
        };
        assert!(
            err.to_string().contains("synchronous_commit is \"off\""),
            "{err}"
        );
        PostgresInbox::connect(&url, options.allow_asynchronous_commit())
            .await
            .unwrap();
    });
}

/// 26.13: retention is automatic and batched. Items made old behind the inbox's back (received
/// and finished at the epoch): completed and dead ones go, in statements of two rows; recent
/// ones, and a pending one however old, stay. A worker applies it on its own at start.
async fn retention_purges_old_completed_and_dead_items_in_batches_and_nothing_else(store: Store) {
    let options = InboxOptions::default()
        .max_attempts(1)
        .retention(Duration::from_secs(3600), Duration::from_secs(3600))
        .purge_batch(2);
    let inbox = store.open(options).await;
    let ids = fill(&inbox, 8).await;
    let items = inbox.claim(7, MINUTE).await.unwrap();
    for item in &items[..4] {
        inbox.complete(item.claim).await.unwrap();
    }
    for item in &items[4..] {
        assert_eq!(inbox.fail(item.claim, "down").await.unwrap(), Failure::Dead);
    }
    // Old: completed 0..3, dead 4..5, the pending 7. Recent: completed 3, dead 6.
    let old: Vec<String> = [0, 1, 2, 4, 5, 7]
        .iter()
        .map(|i| ids[*i].to_string())
        .collect();
    store
        .sql(&format!(
            "UPDATE {{inbox}} SET received_at = 0, \
             completed_at = CASE WHEN completed_at IS NULL THEN NULL ELSE 0 END, \
             dead_at = CASE WHEN dead_at IS NULL THEN NULL ELSE 0 END \
             WHERE id IN ({})",
            old.join(", ")
        ))
        .await;
    let depth = inbox.depth().await.unwrap();
    assert_eq!(
        (depth.pending, depth.claimed, depth.dead),
        (1, 0, 3),
        "the cheap gauges"
    );
    assert_eq!(
        inbox.retain().await.unwrap(),
        5,
        "3 completed + 2 dead, in batches of 2"
    );
    let mut left = Vec::new();
    for id in &ids {
        if inbox.item(*id).await.unwrap().is_some() {
            left.push(*id);
        }
    }
    assert_eq!(left, [ids[3], ids[6], ids[7]]);

    // A worker applies the retention on its own, at start.
    store
        .sql(&format!(
            "UPDATE {{inbox}} SET received_at = 0, completed_at = 0 WHERE id = {}",
            ids[3]
        ))
        .await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(inbox.clone())
            .idle(Duration::from_millis(10))
            .run(|_item: Item| async { Ok::<(), String>(()) }, async {
                let _ = stopped.await;
            }),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while inbox.item(ids[3]).await.unwrap().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "not purged by the worker"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();
    let report = worker.await.unwrap();
    assert_eq!(report.purged, 1);
}

/// 26.12: a batch caught in a deadlock. Another transaction holds the batch's second key
/// (uncommitted) and then asks for its first, which the batch holds: PostgreSQL cancels the
/// batch (`40P01`; the inbox's sessions detect deadlocks after 1 s, the other's after a minute,
/// so the batch is the one cancelled). Its deliveries are not answered an error: the batch is
/// tried again, finds both keys stored by the other, and answers both `Duplicate`.
#[test]
fn a_deadlocked_batch_is_retried_not_failed_on_postgres() {
    let Some(url) = postgres_url("a_deadlocked_batch_is_retried_not_failed_on_postgres") else {
        return;
    };
    let ns = namespace("deadlock");
    let separator = if url.contains('?') { '&' } else { '?' };
    let inbox_url = format!("{url}{separator}options=-c%20deadlock_timeout%3D1s");
    runtime().block_on(async {
        let options = InboxOptions::default()
            .namespace(ns.clone())
            .max_batch(2)
            .batch_linger(Duration::from_secs(30));
        let inbox = PostgresInbox::connect(&inbox_url, options).await.unwrap();
        let mut pair = distinct(2);
        pair.sort_by(|a, b| a.0.dedup_key().as_str().cmp(b.0.dedup_key().as_str()));
        let (first, second) = (
            pair[0].0.dedup_key().to_string(),
            pair[1].0.dedup_key().to_string(),
        );

        let mut other = sqlx::PgConnection::connect(&url).await.unwrap();
        let insert = |key: &str| {
            format!(
                "INSERT INTO \"{ns}\".webhook_inbox (provider, dedup_key, available_at, \
                 received_at, method, uri, headers, body, payload) VALUES \
                 (split_part('{key}', ':', 1), '{key}', 0, 0, 'POST', '/', '[]', '', '')"
            )
        };
        sqlx::raw_sql("SET deadlock_timeout = '60s'; BEGIN")
            .execute(&mut other)
            .await
            .unwrap();
        sqlx::raw_sql(&insert(&second))
            .execute(&mut other)
            .await
            .unwrap();

        let batch = tokio::spawn({
            let inbox = inbox.clone();
            async move { futures_join(pair.iter().map(|(d, r)| inbox.accept(d, r))).await }
        });
        // The batch has stored its first key and waits for the second.
        let mut watch = sqlx::PgConnection::connect(&url).await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' \
                 AND query LIKE 'WITH ins AS (INSERT INTO%UNNEST%' AND strpos(query, $1) > 0",
            )
            .bind(format!("\"{ns}\".webhook_inbox"))
            .fetch_one(&mut watch)
            .await
            .unwrap();
            if waiting == 1 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the batch never waited"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Closes the cycle; returns once PostgreSQL has cancelled the batch.
        sqlx::raw_sql(&insert(&first))
            .execute(&mut other)
            .await
            .unwrap();
        sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
        let answers = batch.await.unwrap();
        assert!(
            answers
                .iter()
                .all(|a| matches!(a, Ok(Acceptance::Duplicate))),
            "{answers:?}"
        );
    });
}

/// A Peddler delivery with its own id (`flow-<n>`), as Peddler would send it.
fn peddler_numbered(n: usize) -> (AnyDelivery, OwnedRequest) {
    let peddler = calls()
        .into_iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(&peddler.body).unwrap();
    body["id"] = serde_json::Value::String(format!("flow-{n}"));
    let call = Call {
        body: serde_json::to_vec(&body).unwrap(),
        ..peddler
    };
    (receive(&config(), &call), raw(&call))
}

/// 26.11 / 26.4: while deliveries flow in and a worker processes them, the table is locked
/// until both the batch writer and the worker wait inside a statement, and then every
/// connection of the inbox is killed (`pg_terminate_backend`). Accepts that fail are sent again
/// (as a provider does); accepting resumes on its own; nothing answered `Ok` is lost; the
/// worker survives its error and processes every delivery exactly once.
#[test]
fn connections_killed_mid_flow_lose_nothing_on_postgres() {
    let Some(url) = postgres_url("connections_killed_mid_flow_lose_nothing_on_postgres") else {
        return;
    };
    let ns = namespace("killed");
    let app = format!("inbox_{ns}");
    let separator = if url.contains('?') { '&' } else { '?' };
    let inbox_url = format!("{url}{separator}application_name={app}");
    const N: usize = 300;
    runtime().block_on(async {
        let options = InboxOptions::default().namespace(ns.clone());
        let inbox = PostgresInbox::connect(&inbox_url, options).await.unwrap();
        let handled = Arc::new(std::sync::Mutex::new(std::collections::HashMap::<
            String,
            u32,
        >::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(
            Worker::new(inbox.clone())
                .batch(8)
                .idle(Duration::from_millis(10))
                .run(
                    {
                        let handled = Arc::clone(&handled);
                        move |item: Item| {
                            *handled
                                .lock()
                                .unwrap()
                                .entry(item.delivery.dedup_key().to_string())
                                .or_default() += 1;
                            async { Ok::<(), String>(()) }
                        }
                    },
                    async {
                        let _ = stopped.await;
                    },
                ),
        );
        let (progress, mut accepted) = tokio::sync::watch::channel(0usize);
        let feeder = tokio::spawn({
            let inbox = inbox.clone();
            async move {
                let mut failures = 0;
                for chunk in (0..N).collect::<Vec<_>>().chunks(10) {
                    let deliveries: Vec<_> = chunk.iter().map(|n| peddler_numbered(*n)).collect();
                    let mut pending: Vec<_> = deliveries.iter().collect();
                    let deadline = std::time::Instant::now() + Duration::from_secs(60);
                    while !pending.is_empty() {
                        assert!(
                            std::time::Instant::now() < deadline,
                            "accepting never resumed"
                        );
                        let answers =
                            futures_join(pending.iter().map(|(d, r)| inbox.accept(d, r))).await;
                        let before = pending.len();
                        pending = pending
                            .into_iter()
                            .zip(answers)
                            .filter(|(_, a)| a.is_err())
                            .map(|(d, _)| d)
                            .collect();
                        if !pending.is_empty() {
                            failures += pending.len();
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        progress.send_modify(|n| *n += before - pending.len());
                    }
                }
                failures
            }
        });
        accepted.wait_for(|n| *n >= N / 3).await.unwrap();
        // Stop the table so that the writer and the worker are both inside a statement, then
        // kill every connection of the inbox.
        let mut lock = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(&format!(
            "BEGIN; LOCK TABLE \"{ns}\".webhook_inbox IN ACCESS EXCLUSIVE MODE"
        ))
        .execute(&mut lock)
        .await
        .unwrap();
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let (writers, others): (i64, i64) = sqlx::query_as(
                "SELECT count(*) FILTER (WHERE query LIKE 'WITH ins AS (INSERT INTO%'), \
                 count(*) FILTER (WHERE query NOT LIKE 'WITH ins AS (INSERT INTO%') \
                 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
            )
            .bind(&app)
            .fetch_one(&mut admin)
            .await
            .unwrap();
            if writers >= 1 && others >= 1 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "nothing waited on the lock"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let killed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&app)
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert!(killed.len() >= 2 && killed.iter().all(|k| *k), "{killed:?}");
        sqlx::raw_sql("COMMIT").execute(&mut lock).await.unwrap();
        let failures = feeder.await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            match inbox.stats().await {
                Ok(stats) if stats.completed == N as u64 => break,
                _ => {}
            }
            assert!(std::time::Instant::now() < deadline, "not all processed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(()).unwrap();
        let report = worker.await.unwrap();
        let handled = std::mem::take(&mut *handled.lock().unwrap());
        assert_eq!(handled.len(), N, "every delivery processed");
        let twice: Vec<_> = handled.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "processed more than once: {twice:?}");
        let stats = inbox.stats().await.unwrap();
        assert_eq!(
            (stats.completed, stats.pending, stats.claimed, stats.dead),
            (N as u64, 0, 0, 0)
        );
        // Both were inside a statement when their connections died: the batch's deliveries
        // were answered an error (and sent again), the worker survived one.
        assert!(failures > 0, "the killed batch was answered Ok");
        assert!(
            report.inbox_errors > 0,
            "the worker saw no error: {report:?}"
        );
        eprintln!(
            "killed {} connections; {failures} accepts failed and were sent again; \
             the worker survived {} inbox errors",
            killed.len(),
            report.inbox_errors
        );
    });
}

/// 26.13: SQLite reads have connections of their own. Another connection holds the write lock,
/// so the inbox's one writer connection waits inside an accept (its busy timeout is 30 s);
/// meanwhile `item`, `stats` and `depth` answer at once from the read connections (WAL).
/// (The half second given to the accept to reach the writer can only make this test weaker,
/// never make it fail.)
#[test]
fn sqlite_reads_do_not_wait_for_the_writer() {
    let path = temp_db("readers");
    let store = Store::Sqlite(path.clone());
    runtime().block_on(async {
        let inbox = store.open(InboxOptions::default()).await;
        let [id] = fill(&inbox, 1).await[..] else {
            unreachable!()
        };
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
        let mut other = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap();
        let accepting = tokio::spawn({
            let inbox = inbox.clone();
            async move {
                let (delivery, raw) = peddler_numbered(1);
                inbox.accept(&delivery, &raw).await
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        let reads = tokio::time::timeout(Duration::from_secs(10), async {
            (
                inbox.item(id).await.unwrap().unwrap().state,
                inbox.stats().await.unwrap().pending,
                inbox.depth().await.unwrap().pending,
            )
        })
        .await
        .expect("a read waited for the writer");
        assert_eq!(reads, (ItemState::Pending, 1, 1));
        assert!(!accepting.is_finished(), "the writer was not held");
        sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
        assert!(matches!(
            accepting.await.unwrap(),
            Ok(Acceptance::Accepted(_))
        ));
    });
}

/// The rollback scripts for `backend` (`PostgreSQL` or `SQLite`) from version 5 to 1, as
/// `docs/inbox.md` prints them.
fn documented_rollback(backend: &str) -> String {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/inbox.md"),
    )
    .unwrap();
    // Version 5 to 4 first, then 4 to 3, 3 to 2, then 2 to 1.
    [4, 3, 2, 1]
        .iter()
        .map(|version| {
            let marker = format!("-- rollback to version {version}: {backend}\n");
            let start = docs
                .find(&marker)
                .expect("the rollback script in docs/inbox.md");
            let script = &docs[start..];
            script[..script.find("```").unwrap()].to_owned()
        })
        .collect()
}

/// 26.14: the rollback path. A version-5 inbox holding a pending item, two Skladon GET
/// announcements of one entity (one processed) and a key stored as its digest is taken back to
/// version 1 by the scripts in `docs/inbox.md` (5 to 4, 4 to 3, 3 to 2, then 2 to 1): the version, the columns and the unique key are
/// version 1's, every item is kept but the older announcement; a version-2 build then migrates it
/// forward again and processes what was pending.
async fn the_documented_rollback_to_version_1_works(store: Store) {
    let config = config();
    let all = calls();
    let pending_call = all.iter().find(|c| c.name.starts_with("peddler/")).unwrap();
    let get_call = all.iter().find(|c| c.method == "GET").unwrap();
    let (pending, get) = (receive(&config, pending_call), receive(&config, get_call));
    let (long, long_raw) = {
        let mut body: serde_json::Value = serde_json::from_slice(&pending_call.body).unwrap();
        body["id"] = serde_json::Value::String("L".repeat(1000));
        let call = Call {
            body: serde_json::to_vec(&body).unwrap(),
            ..pending_call.clone()
        };
        (receive(&config, &call), raw(&call))
    };
    // The scripts are written for the default namespace: SQLite without a prefix, PostgreSQL
    // in the schema named by `search_path`.
    let open = || async {
        match &store {
            Store::Sqlite(path) => TestInbox::Sqlite(
                SqliteInbox::open(path, InboxOptions::default())
                    .await
                    .unwrap(),
            ),
            Store::Postgres { .. } => store.open(InboxOptions::default()).await,
        }
    };
    {
        let inbox = open().await;
        inbox.accept(&pending, &raw(pending_call)).await.unwrap();
        inbox.accept(&get, &raw(get_call)).await.unwrap();
        let claimed = inbox.claim(10, MINUTE).await.unwrap();
        for item in claimed.iter().filter(|i| i.delivery == get) {
            inbox.complete(item.claim).await.unwrap();
        }
        for item in claimed.iter().filter(|i| i.delivery != get) {
            inbox.release(item.claim).await.unwrap();
        }
        let Acceptance::Accepted(_) = inbox.accept(&get, &raw(get_call)).await.unwrap() else {
            panic!("the second announcement")
        };
        inbox.accept(&long, &long_raw).await.unwrap();
    } // Every instance stopped.

    let (columns, version, keys, unique) = match &store {
        Store::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            sqlx::raw_sql(&documented_rollback("SQLite"))
                .execute(&mut conn)
                .await
                .unwrap();
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info('webhook_inbox')")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let version: i64 =
                sqlx::query_scalar("SELECT MAX(version) FROM webhook_inbox_schema_version")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            let keys: Vec<String> =
                sqlx::query_scalar("SELECT dedup_key FROM webhook_inbox ORDER BY id")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let unique = sqlx::raw_sql(
                "INSERT INTO webhook_inbox (provider, dedup_key, available_at, received_at, \
                 method, uri, headers, body, payload) SELECT provider, dedup_key, 0, 0, 'POST', \
                 '/', '[]', X'', X'' FROM webhook_inbox LIMIT 1",
            )
            .execute(&mut conn)
            .await
            .is_err();
            (columns, version, keys, unique)
        }
        Store::Postgres { url, ns } => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(&format!(
                "SET search_path TO \"{ns}\";\n{}",
                documented_rollback("PostgreSQL")
            ))
            .execute(&mut conn)
            .await
            .unwrap();
            let columns: Vec<String> = sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = 'webhook_inbox' ORDER BY ordinal_position",
            )
            .bind(ns)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let version: i64 =
                sqlx::query_scalar("SELECT MAX(version) FROM webhook_inbox_schema_version")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            let keys: Vec<String> =
                sqlx::query_scalar("SELECT dedup_key FROM webhook_inbox ORDER BY id")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let unique = sqlx::raw_sql(
                "INSERT INTO webhook_inbox (provider, dedup_key, available_at, received_at, \
                 method, uri, headers, body, payload) SELECT provider, dedup_key, 0, 0, 'POST', \
                 '/', '[]', '', '' FROM webhook_inbox LIMIT 1",
            )
            .execute(&mut conn)
            .await
            .is_err();
            (columns, version, keys, unique)
        }
    };
    assert_eq!(version, 1);
    assert_eq!(
        columns,
        [
            "id",
            "provider",
            "dedup_key",
            "state",
            "attempts",
            "available_at",
            "received_at",
            "completed_at",
            "last_error",
            "delivery_attempt",
            "context",
            "method",
            "uri",
            "peer",
            "headers",
            "body",
            "payload"
        ]
    );
    assert!(unique, "version 1's unique key is back");
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert_eq!(keys[0], pending.dedup_key().as_str());
    assert_eq!(
        keys[1],
        get.dedup_key().as_str(),
        "the newer announcement kept"
    );
    assert!(keys[2].contains("~sha256:"), "{}", keys[2]);

    // Forward again.
    let inbox = open().await;
    let claimed = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(claimed.len(), 3);
    assert_eq!(claimed[0].delivery, pending);
    assert_eq!(claimed[1].delivery, get);
    assert_eq!(
        inbox.accept(&pending, &raw(pending_call)).await.unwrap(),
        Acceptance::Duplicate
    );
}

/// A PostgreSQL server of one test's own (so that stopping it disturbs no other test): a fresh
/// cluster from the server programs `scripts/with-postgres.sh` found (`PG_BINDIR`), as the
/// `postgres` user when run as root, like the script.
struct OwnServer {
    dir: PathBuf,
    port: u16,
    pg_ctl: Vec<String>,
}

impl OwnServer {
    fn start(test: &str) -> Option<Self> {
        let Ok(bindir) = std::env::var("PG_BINDIR") else {
            assert!(
                std::env::var("DELIVERY_WEBHOOKS_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1 but PG_BINDIR is not set"
            );
            eprintln!(
                "SKIPPED {test}: no PostgreSQL server programs (run under scripts/with-postgres.sh)"
            );
            return None;
        };
        let dir = temp_db(test).with_file_name("pg");
        std::fs::create_dir_all(&dir).unwrap();
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout
            == b"0\n";
        let mut prefix: Vec<String> = Vec::new();
        if root {
            let chown = std::process::Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.parent().unwrap())
                .status()
                .unwrap();
            assert!(chown.success());
            prefix = ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec();
        }
        let run = |program: &str, args: &[&str]| {
            let program = format!("{bindir}/{program}");
            let mut command = std::process::Command::new(prefix.first().unwrap_or(&program));
            if !prefix.is_empty() {
                command.args(&prefix[1..]).arg(&program);
            }
            let output = command.args(args).output().unwrap();
            assert!(
                output.status.success(),
                "{program}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let data = dir.join("data");
        let data = data.to_str().unwrap();
        run(
            "initdb",
            &["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut pg_ctl = prefix.clone();
        pg_ctl.push(format!("{bindir}/pg_ctl"));
        let server = Self { dir, port, pg_ctl };
        server.ctl(&[
            "-D",
            data,
            "-l",
            &format!("{data}.log"),
            "-w",
            "-o",
            &format!(
                "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={}",
                server.dir.display()
            ),
            "start",
        ]);
        Some(server)
    }

    fn ctl(&self, args: &[&str]) {
        let output = std::process::Command::new(&self.pg_ctl[0])
            .args(&self.pg_ctl[1..])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pg_ctl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl stop -m immediate`: no checkpoint, no goodbye to clients; a crash.
    fn crash(&self) {
        self.ctl(&["-D", &self.data(), "-m", "immediate", "-w", "stop"]);
    }

    fn restart(&self) {
        let data = self.data();
        self.ctl(&[
            "-D",
            &data,
            "-l",
            &format!("{data}.log"),
            "-w",
            "-o",
            &format!(
                "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={}",
                self.port,
                self.dir.display()
            ),
            "start",
        ]);
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = std::process::Command::new(&self.pg_ctl[0])
            .args(&self.pg_ctl[1..])
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(self.dir.parent().unwrap());
    }
}

/// 26.4 / done-when: PostgreSQL crashes (`pg_ctl stop -m immediate`) and comes back while
/// deliveries flow in and a worker runs. Every delivery answered `Ok` before the crash is still
/// there after it; an accept fails while the server is down (it is restarted only once one has:
/// within the 5 s acquire timeout) and is sent again, as a provider does; accepting resumes on
/// its own once it is back; the worker survives and processes every delivery.
#[test]
fn postgres_crash_and_restart_while_deliveries_flow_loses_nothing() {
    let Some(server) = OwnServer::start("pg_crash") else {
        return;
    };
    const N: usize = 200;
    runtime().block_on(async {
        let inbox = PostgresInbox::connect(&server.url(), InboxOptions::default())
            .await
            .unwrap();
        let handled = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(
            Worker::new(inbox.clone())
                .batch(8)
                .idle(Duration::from_millis(10))
                .run(
                    {
                        let handled = Arc::clone(&handled);
                        move |_item: Item| {
                            handled.fetch_add(1, Ordering::SeqCst);
                            async { Ok::<(), String>(()) }
                        }
                    },
                    async {
                        let _ = stopped.await;
                    },
                ),
        );
        // (answered Ok so far, failed answers so far)
        let (progress, mut seen) = tokio::sync::watch::channel((0usize, 0usize));
        let feeder = tokio::spawn({
            let inbox = inbox.clone();
            async move {
                for n in 0..N {
                    let (delivery, raw) = peddler_numbered(n);
                    let deadline = std::time::Instant::now() + Duration::from_secs(120);
                    while inbox.accept(&delivery, &raw).await.is_err() {
                        assert!(
                            std::time::Instant::now() < deadline,
                            "accepting never resumed"
                        );
                        progress.send_modify(|(_, failed)| *failed += 1);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    progress.send_modify(|(ok, _)| *ok += 1);
                }
            }
        });
        seen.wait_for(|(ok, _)| *ok >= N / 3).await.unwrap();
        let answered_before = seen.borrow().0;
        tokio::task::block_in_place(|| server.crash());
        seen.wait_for(|(_, failed)| *failed >= 1).await.unwrap();
        tokio::task::block_in_place(|| server.restart());
        feeder.await.unwrap();

        let mut conn = sqlx::PgConnection::connect(&server.url()).await.unwrap();
        let stored: Vec<String> = sqlx::query_scalar("SELECT dedup_key FROM webhook_inbox")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let stored: BTreeSet<String> = stored.into_iter().collect();
        for n in 0..answered_before {
            let key = peddler_numbered(n).0.dedup_key().to_string();
            assert!(
                stored.contains(&key),
                "{key} answered Ok before the crash, then lost"
            );
        }
        let missing: Vec<String> = (0..N)
            .map(|n| peddler_numbered(n).0.dedup_key().to_string())
            .filter(|key| !stored.contains(key))
            .collect();
        assert!(
            missing.is_empty(),
            "answered Ok, not stored: {missing:?} (answered before the crash: {answered_before})"
        );
        assert_eq!(stored.len(), N, "every delivery stored once in the end");

        // Processed: every item completed in the database (a handler run that the crash caught
        // before its completion was written runs again, so the handler may have run more often:
        // counting its runs would say nothing).
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let completed = inbox.stats().await.map(|s| s.completed).unwrap_or(0);
            if completed == N as u64 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not all processed: {completed}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(handled.load(Ordering::SeqCst) >= N as u64);
        stop.send(()).unwrap();
        // Whether the worker saw an error depends on where the crash caught it (its pool may
        // just wait out the restart), and a completion the crash caught after it was written
        // is not in the worker's count: the database's count above is what counts.
        let report = worker.await.unwrap();
        assert!(report.completed <= N as u64, "{report:?}");
    });
}

/// 31.2: isendu's handshake (its answer is the secret key) is never stored, also when the inbox
/// is called directly, as a receiver on another framework does after `receive`: `accept`
/// answers `NotStored` (every time, a retry too), nothing is pending, no worker sees it, and
/// neither the key id nor the secret is anywhere in the database, while a genuine delivery
/// accepted beside it is.
async fn a_handshake_is_never_stored_whoever_calls_the_inbox(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let config = config();
    let calls = calls();
    let handshake = calls
        .iter()
        .find(|c| c.name == "isendu/verification")
        .unwrap();
    let delivery = receive(&config, handshake);
    assert!(delivery.reply().holds_secret());
    for _ in 0..2 {
        assert_eq!(
            inbox.accept(&delivery, &raw(handshake)).await.unwrap(),
            Acceptance::NotStored
        );
    }
    let peddler = calls
        .iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap();
    let genuine = receive(&config, peddler);
    let Acceptance::Accepted(id) = inbox.accept(&genuine, &raw(peddler)).await.unwrap() else {
        panic!("{} not accepted", genuine.dedup_key())
    };
    let stats = inbox.stats().await.unwrap();
    assert_eq!((stats.pending, stats.claimed), (1, 0));
    let items = inbox.claim(10, MINUTE).await.unwrap();
    let claimed: Vec<_> = items.iter().map(|i| i.id).collect();
    assert_eq!(claimed, [id], "only the genuine delivery reaches a worker");

    let dump = store.dump().await;
    let holds = |needle: &str| dump.windows(needle.len()).any(|w| w == needle.as_bytes());
    // The dump does read what is stored: the genuine delivery's key is in it.
    let key = genuine.dedup_key().to_string();
    assert!(holds(&key), "{key} not found: the dump reads nothing");
    for secret in [ISENDU_KEY_ID, ISENDU_SECRET] {
        assert!(!holds(secret), "{secret} stored");
    }
}

#[path = "budgets.rs"]
mod budgets;

/// Issue 31, item 5 (`docs/security.md`, "Numbers"): two Peddler deliveries whose ids differ
/// beyond 64 bits (`18446744073709551616`, `…617`) are two items, not one and a duplicate: the
/// dedup key is built from the digits as sent.
async fn ids_beyond_64_bits_are_two_deliveries_not_a_duplicate(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let config = config();
    let template = calls()
        .into_iter()
        .find(|c| c.name == "peddler/out_for_delivery")
        .unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&template.body).unwrap();
    let id_in_fixture = sent["id"].to_string();
    let mut ids = Vec::new();
    for id in ["18446744073709551616", "18446744073709551617"] {
        let mut call = template.clone();
        let body = String::from_utf8(call.body).unwrap().replacen(
            &format!(r#""id": {id_in_fixture}"#),
            &format!(r#""id": {id}"#),
            1,
        );
        assert!(body.contains(id), "the fixture's id was replaced");
        call.body = body.into_bytes();
        let delivery = receive(&config, &call);
        assert!(delivery.dedup_key().to_string().contains(id));
        match inbox.accept(&delivery, &raw(&call)).await.unwrap() {
            Acceptance::Accepted(item) => ids.push(item),
            other => panic!("{id}: {other:?}"),
        }
    }
    assert_eq!(inbox.stats().await.unwrap().pending, 2);
    let items = inbox.claim(10, MINUTE).await.unwrap();
    let mut keys: Vec<String> = items
        .iter()
        .map(|i| i.delivery.dedup_key().to_string())
        .collect();
    keys.sort();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].contains("18446744073709551616"), "{keys:?}");
    assert!(keys[1].contains("18446744073709551617"), "{keys:?}");
}

on_both!(ids_beyond_64_bits_are_two_deliveries_not_a_duplicate);

#[path = "console.rs"]
mod console;

#[path = "retry_hints.rs"]
mod retry_hints;

#[path = "wake.rs"]
mod wake;

#[path = "drain.rs"]
mod drain;
