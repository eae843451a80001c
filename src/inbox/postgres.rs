//! [`PostgresInbox`]: the shared inbox, for several receiver instances over one database.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres, Row as _};

use super::batch::{Batcher, Limits, Written, acceptances, postgres_record_error, stored_new};
use super::ops::impl_inbox;
use super::pg_migrate::{migrate, probe};
use super::pg_notify::{Announcer, channel, notify};
use super::sql::{Dialect, Statements};
use super::{Entry, InboxError, InboxOptions, Wakeup};

/// How long a pooled connection may sit idle before it is pinged on its next use.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The shared inbox: PostgreSQL, for several receiver instances (processes, machines) over one
/// database.
///
/// Accepts are `INSERT … ON CONFLICT (dedup_key) DO NOTHING`, so two instances that receive the
/// same retry at once store it once; concurrent accepts of one instance go in one statement
/// (group commit). Workers claim with `FOR UPDATE SKIP LOCKED`, so any number of them, in any
/// instance, never get the same item under a live lease. Leases and back-off are computed on
/// the database's clock (`now()`), so the instances' clocks do not matter. A server whose
/// `synchronous_commit` is `off` is refused (a commit would not mean durable).
///
/// The tables live in the schema named by [`InboxOptions::namespace`] (created if missing), or
/// in the connection's `search_path` without one. Migrations run at [`connect`](Self::connect)
/// under an advisory lock, so instances may start together.
///
/// ```no_run
/// # async fn run() -> Result<(), delivery_webhooks::inbox::InboxError> {
/// use delivery_webhooks::inbox::{InboxOptions, PostgresInbox};
///
/// let inbox = PostgresInbox::connect(
///     "postgres://receiver@db.internal/webhooks",
///     InboxOptions::default().namespace("webhooks"),
/// )
/// .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresInbox {
    inner: Arc<Shared>,
}

struct Shared {
    pool: Pool<Postgres>,
    /// The same pool: PostgreSQL readers and writers share connections.
    readers: Pool<Postgres>,
    sql: Arc<Statements>,
    options: InboxOptions,
    batcher: Batcher,
    /// Rung when an item becomes due here, or, once a worker asked for it, when another
    /// process notifies `channel`.
    wake: Wakeup,
    /// The `LISTEN`/`NOTIFY` channel of this inbox (its namespace's).
    channel: String,
    /// Whether the `LISTEN` session was started.
    listening: std::sync::atomic::AtomicBool,
}

impl fmt::Debug for PostgresInbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresInbox")
            .field("namespace", &self.inner.options.namespace)
            .finish_non_exhaustive()
    }
}

impl PostgresInbox {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`) with
    /// a pool of [`InboxOptions::pool_size`] connections, and brings the schema to the current
    /// version.
    ///
    /// # Errors
    /// [`InboxError::Database`] if the server cannot be reached or the schema not migrated,
    /// [`InboxError::SchemaTooNew`] if a newer crate version wrote it,
    /// [`InboxError::AsynchronousCommit`] if the sessions' `synchronous_commit` is `off`
    /// (unless [`InboxOptions::allow_asynchronous_commit`]).
    pub async fn connect(url: &str, options: InboxOptions) -> Result<Self, InboxError> {
        let pool = PgPoolOptions::new()
            .max_connections(options.pool_size)
            .acquire_timeout(options.acquire_timeout)
            // sqlx pings every connection it hands out: a round trip, and as many wake-ups on
            // both sides, for each batch of one statement. Only one idle long enough for the
            // server or a proxy to have dropped it is pinged; a connection lost since its last
            // use fails its statement, as it would between a ping and the statement.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(crate::inbox::database)?;
        let (inbox, version, index) = match &options.namespace {
            Some(ns) => (
                format!("\"{ns}\".webhook_inbox"),
                format!("\"{ns}\".webhook_inbox_schema_version"),
                "webhook_inbox".to_owned(),
            ),
            None => (
                "webhook_inbox".to_owned(),
                "webhook_inbox_schema_version".to_owned(),
                "webhook_inbox".to_owned(),
            ),
        };
        // "Answered 200" means "committed to disk": refuse a server that says otherwise.
        let setting: String = sqlx::query_scalar("SELECT current_setting('synchronous_commit')")
            .fetch_one(&pool)
            .await
            .map_err(crate::inbox::database)?;
        if setting == "off" && !options.allow_asynchronous_commit {
            return Err(InboxError::AsynchronousCommit { setting });
        }
        let sql = Arc::new(Statements::new(Dialect::Postgres, &inbox, &version, &index));
        migrate(&pool, &sql, options.namespace.as_deref()).await?;
        probe(&pool, &sql).await?;
        // Half the pool writes accepts, the rest serves workers.
        let writers = (options.pool_size / 2).max(1) as usize;
        let wake = Wakeup::default();
        let channel = channel(options.namespace.as_deref());
        let batcher = {
            let (pool, sql) = (pool.clone(), Arc::clone(&sql));
            let (wake, channel) = (wake.clone(), channel.clone());
            let announcer = Arc::new(Announcer::default());
            let limits = Limits::new(&options, postgres_record_error, writers);
            Batcher::spawn(limits, move |records| {
                let (pool, sql) = (pool.clone(), Arc::clone(&sql));
                let (wake, channel) = (wake.clone(), channel.clone());
                let announcer = Arc::clone(&announcer);
                async move {
                    let written = write(&pool, &sql, records).await;
                    if stored_new(&written) {
                        wake.ring();
                        announcer.announce(&pool, &channel);
                    }
                    written
                }
            })
        };
        Ok(Self {
            inner: Arc::new(Shared {
                readers: pool.clone(),
                pool,
                sql,
                options,
                batcher,
                wake,
                channel,
                listening: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }
}

impl PostgresInbox {
    /// The process's wake-up; the first call starts the `LISTEN` session that rings it when
    /// another process stores or replays an item.
    fn wake_source(&self) -> Wakeup {
        use std::sync::atomic::Ordering;
        if !self.inner.listening.swap(true, Ordering::SeqCst) {
            tokio::spawn(listen(Arc::downgrade(&self.inner)));
        }
        self.inner.wake.clone()
    }

    /// Notifies the other processes' workers when `tx` commits.
    async fn announce(&self, tx: &mut sqlx::Transaction<'_, Postgres>) -> Result<(), InboxError> {
        notify(tx, &self.inner.channel).await
    }

    /// Completes `claims` in one statement (the fenced update and its attempt and history
    /// rows, one commit). Returns the `(id, token)` pairs completed.
    async fn complete_claims(
        &self,
        claims: &[super::Claim],
    ) -> Result<Vec<(i64, i64)>, InboxError> {
        // Sorted: two batches lock their rows in the same order.
        let mut pairs: Vec<(i64, i64)> = claims.iter().map(|c| (c.id().0, c.token())).collect();
        pairs.sort_unstable();
        let (ids, tokens): (Vec<i64>, Vec<i64>) = pairs.into_iter().unzip();
        let rows = sqlx::query(&self.inner.sql.complete_batch)
            .bind(ids)
            .bind(tokens)
            .fetch_all(&self.inner.pool)
            .await
            .map_err(crate::inbox::database)?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(crate::inbox::database)
    }

    /// Nothing to do: PostgreSQL recycles its write-ahead log and autovacuum reclaims the
    /// purged rows (the SQLite inbox truncates its `-wal` here).
    #[allow(clippy::unused_async)]
    async fn checkpoint(&self) -> Result<(), InboxError> {
        Ok(())
    }
}

/// The process's `LISTEN` session: rings the inbox's [`Wakeup`] at each notification. When the
/// session is lost, sqlx opens a new one at the next receive; this rings once then, since
/// notifications sent meanwhile are gone (the workers' periodic look is what guarantees
/// progress, `docs/inbox.md`, "Wake-up"). It never cancels a receive (a cancelled one could
/// drop a notification already read), so it ends at the first notification after every
/// handle of the inbox is dropped, or when its runtime stops.
async fn listen(shared: std::sync::Weak<Shared>) {
    let mut pause = Duration::from_millis(100);
    loop {
        let mut listener = {
            let Some(inbox) = shared.upgrade() else {
                return;
            };
            // Its own URL when the pool goes through a pooler in transaction mode.
            let connected = match &inbox.options.listen_url {
                Some(url) => sqlx::postgres::PgListener::connect(&url.0).await,
                None => sqlx::postgres::PgListener::connect_with(&inbox.pool).await,
            };
            let listener = match connected {
                Ok(mut listener) => match listener.listen(&inbox.channel).await {
                    Ok(()) => Some(listener),
                    Err(_) => None,
                },
                Err(_) => None,
            };
            let Some(listener) = listener else {
                drop(inbox);
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(10));
                continue;
            };
            // Whatever was stored while no session listened is found at once.
            inbox.wake.ring();
            listener
        };
        pause = Duration::from_millis(100);
        loop {
            let received = listener.try_recv().await;
            let Some(inbox) = shared.upgrade() else {
                return;
            };
            match received {
                // A notification, or the session lost (`None`: the next receive opens a new
                // one): ring either way.
                Ok(_) => inbox.wake.ring(),
                // Could not listen again: a new listener after a pause.
                Err(_) => break,
            }
        }
    }
}

/// One group commit: every record in one `INSERT … SELECT FROM UNNEST(…) ORDER BY key`
/// statement, tried again (up to 5 times) when PostgreSQL cancels it for a deadlock (`40P01`)
/// or a serialization failure (`40001`).
async fn write(pool: &Pool<Postgres>, sql: &Statements, entries: Vec<Entry>) -> Written {
    let mut tries = 0;
    loop {
        tries += 1;
        match insert(pool, sql, &entries).await {
            Err(err) if tries < 5 && retryable(&err) => {
                tokio::time::sleep(Duration::from_millis(5 << tries)).await;
            }
            written => return (entries, written),
        }
    }
}

/// A deadlock or a serialization failure: the statement can simply run again.
fn retryable(err: &InboxError) -> bool {
    crate::inbox::database_code(err).is_some_and(|code| code == "40P01" || code == "40001")
}

async fn insert(
    pool: &Pool<Postgres>,
    sql: &Statements,
    entries: &[Entry],
) -> Result<Vec<super::Acceptance>, InboxError> {
    fn column<T>(entries: &[Entry], f: impl Fn(&Entry) -> T) -> Vec<T> {
        entries.iter().map(f).collect()
    }
    // Each record's references, by its dedup key (a repeat's are its first's).
    let (mut ref_keys, mut kinds, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for e in entries {
        for (kind, value) in &e.references {
            ref_keys.push(e.key.as_str());
            kinds.push(*kind);
            values.push(value.as_str());
        }
    }
    // One statement, so atomic without a transaction (`sql::Statements::insert`).
    let rows = sqlx::query(&sql.insert)
        .bind(column(entries, |e| e.record.provider.to_owned()))
        .bind(column(entries, |e| e.key.clone()))
        .bind(column(entries, |e| e.full_key.clone()))
        .bind(column(entries, |e| i16::from(e.announce)))
        .bind(column(entries, |e| e.record.received_at))
        .bind(column(entries, |e| e.record.delivery_attempt))
        .bind(column(entries, |e| e.record.context.clone()))
        .bind(column(entries, |e| e.record.method.clone()))
        .bind(column(entries, |e| e.record.uri.clone()))
        .bind(column(entries, |e| e.record.peer.clone()))
        .bind(column(entries, |e| e.record.headers.clone()))
        .bind(column(entries, |e| e.record.body.clone()))
        .bind(column(entries, |e| e.record.payload.clone()))
        .bind(&ref_keys)
        .bind(&kinds)
        .bind(&values)
        .fetch_all(pool)
        .await
        .map_err(crate::inbox::database)?;
    let mut inserted = HashMap::with_capacity(rows.len());
    for row in &rows {
        inserted.insert(
            row.try_get::<String, _>(1)
                .map_err(crate::inbox::database)?,
            row.try_get::<i64, _>(0).map_err(crate::inbox::database)?,
        );
    }
    Ok(acceptances(entries, inserted))
}

impl_inbox!(PostgresInbox, sqlx::Postgres);

#[cfg(feature = "console")]
super::query_ops::impl_queries!(PostgresInbox, sqlx::Postgres);
#[cfg(feature = "console")]
super::verbs::impl_verbs!(PostgresInbox, sqlx::Postgres);

#[cfg(all(test, feature = "console"))]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use sqlx::Row as _;

    use super::PostgresInbox;
    use crate::delivery::Provider;
    use crate::inbox::query::{Filter, RefField, Reference};
    use crate::inbox::{InboxOptions, ItemId, ItemState};

    /// With sequential scans priced out (`enable_seqscan = off`), PostgreSQL reaches the
    /// inbox's table and the reference table through an index for every operator filter: a
    /// `Seq Scan` left in the plan would mean no index can serve it. Runs under
    /// `scripts/with-postgres.sh` (skipped without a server, unless required).
    #[test]
    fn console_queries_use_an_index_for_every_filter_on_postgres() {
        let Ok(url) = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("DELIVERY_WEBHOOKS_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1 but no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL"
            );
            eprintln!("SKIPPED: no PostgreSQL (run under scripts/with-postgres.sh)");
            return;
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let ns = format!("t_plan_{}", std::process::id());
            let inbox = PostgresInbox::connect(&url, InboxOptions::default().namespace(ns))
                .await
                .unwrap();
            let at = Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
            for filter in [
                Filter::new().item(ItemId(7)),
                Filter::new().provider(Provider::Skladon),
                Filter::new().state(ItemState::Dead),
                Filter::new().state(ItemState::Dead).handled(false),
                Filter::new().received(at, None),
                Filter::new().dedup_key("peddler:A1"),
                Filter::new().reference(Reference::any("123456")),
                Filter::new().reference(Reference::of(RefField::Waybill, "WK1")),
                Filter::new()
                    .provider(Provider::Skladon)
                    .state(ItemState::Dead)
                    .handled(false)
                    .cause("order #: ERP answered #"),
            ] {
                let (sql, params) =
                    super::super::query_ops::list_sql(super::SUMMARY, &filter, None, 50);
                let sql = inbox.q_sql(&format!("EXPLAIN {sql}"));
                let mut tx = inbox.inner.pool.begin().await.unwrap();
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                let rows = PostgresInbox::q_bind(&sql, &params)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap();
                let plan: Vec<String> = rows.iter().map(|r| r.try_get(0).unwrap()).collect();
                assert!(
                    plan.iter().all(|l| !l.contains("Seq Scan")),
                    "{filter:?}: {plan:#?}"
                );
                tx.rollback().await.unwrap();
            }
            // The overview's statements.
            for statement in super::super::query_ops::overview_all(10_001) {
                let sql = inbox
                    .q_sql(&format!("EXPLAIN {statement}"))
                    .replace("{provider}", "'peddler'");
                let mut tx = inbox.inner.pool.begin().await.unwrap();
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                let plan: Vec<String> = sqlx::query(&sql)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get(0).unwrap())
                    .collect();
                assert!(
                    plan.iter().all(|l| !l.contains("Seq Scan")),
                    "{statement}: {plan:#?}"
                );
                tx.rollback().await.unwrap();
            }
        });
    }
}
