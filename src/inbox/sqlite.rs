//! [`SqliteInbox`]: the embedded inbox, one SQLite file in WAL mode.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

use super::batch::{Batcher, Limits, sqlite_record_error, stored_new};
use super::ops::impl_inbox;
use super::sql::{Dialect, Statements};
use super::{InboxError, InboxOptions, Wakeup};

/// The most bytes SQLite's `-wal` file keeps once checkpointed (`journal_size_limit`): 16 MiB,
/// a lone 16 MiB delivery (a batch is 1 MiB by default, `max_batch_bytes`), so the usual write
/// reuses the file.
pub(crate) const JOURNAL_SIZE_LIMIT: u64 = 16 << 20;

/// The embedded inbox: one SQLite file (WAL, `synchronous = FULL`), no server to run. The
/// default for a single receiver instance.
///
/// One writer connection does every write; concurrent accepts are written together in one
/// `BEGIN IMMEDIATE` transaction (group commit), so a burst costs one fsync, not one each.
/// Reads (`item`, `stats`, `depth`) use up to 4 read-only connections of their own, which in
/// WAL mode never wait for the writer.
/// Several processes may open the same file (writes wait for each other, up to 30 s), but for
/// several instances on several machines use `PostgresInbox`.
///
/// Cloning is cheap and shares the connection. Open it inside a tokio runtime: its writer task
/// runs there.
///
/// ```no_run
/// # async fn run() -> Result<(), delivery_webhooks::inbox::InboxError> {
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
///
/// let inbox = SqliteInbox::open("/var/lib/receiver/webhooks.db", InboxOptions::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteInbox {
    inner: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    pool: Pool<Sqlite>,
    /// Read-only connections (WAL: readers never wait for the writer).
    readers: Pool<Sqlite>,
    sql: Arc<Statements>,
    options: InboxOptions,
    batcher: Batcher,
    /// Rung when an item becomes due: the process's idle workers start at once.
    wake: Wakeup,
}

impl fmt::Debug for SqliteInbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteInbox")
            .field("path", &self.inner.path)
            .field("namespace", &self.inner.options.namespace)
            .finish_non_exhaustive()
    }
}

impl SqliteInbox {
    /// Opens (creating if missing) the inbox in the SQLite file at `path`, and brings its
    /// schema to the current version.
    ///
    /// # Errors
    /// [`InboxError::Database`] if the file cannot be opened or migrated,
    /// [`InboxError::SchemaTooNew`] if a newer crate version wrote it.
    pub async fn open(path: impl AsRef<Path>, options: InboxOptions) -> Result<Self, InboxError> {
        let path = path.as_ref().to_path_buf();
        create_private(&path)?;
        let connect = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Durable once committed: an accepted delivery survives a power loss.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            // Once a checkpoint has copied the -wal back, the next write truncates it to this:
            // without a limit it keeps the size of its largest moment (67.6 MB after one claim).
            .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string());
        let prefix = options
            .namespace
            .as_ref()
            .map_or_else(String::new, |ns| format!("{ns}_"));
        let inbox = format!("{prefix}webhook_inbox");
        let version = format!("{prefix}webhook_inbox_schema_version");
        let sql = Arc::new(Statements::new(Dialect::Sqlite, &inbox, &version, &inbox));
        // Two instances opening one file at once race for the switch to WAL and for the
        // migration's write lock; a step SQLite refuses as busy without waiting is tried again,
        // for as long as the busy timeout would have waited.
        let mut waited = Duration::ZERO;
        let pool = loop {
            match open_and_migrate(&connect, &sql).await {
                Err(err) if is_busy(&err) && waited < Duration::from_secs(30) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    waited += Duration::from_millis(50);
                }
                opened => break opened.map_err(|err| unwritable(&path, err))?,
            }
        };
        // Opened after the migration: the tables exist.
        let readers = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(connect.read_only(true).create_if_missing(false))
            .await
            .map_err(crate::inbox::database)?;
        let wake = Wakeup::default();
        let batcher = {
            let (pool, sql, wake) = (pool.clone(), Arc::clone(&sql), wake.clone());
            let limits = Limits::new(&options, sqlite_record_error, 1);
            Batcher::spawn(limits, move |records| {
                let (pool, sql, wake) = (pool.clone(), Arc::clone(&sql), wake.clone());
                async move {
                    let written = super::sqlite_write::write(&pool, &sql, records).await;
                    if stored_new(&written) {
                        wake.ring();
                    }
                    written
                }
            })
        };
        Ok(Self {
            inner: Arc::new(Shared {
                path,
                pool,
                readers,
                sql,
                options,
                batcher,
                wake,
            }),
        })
    }

    /// The file this inbox lives in.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

/// Creates the database file, if missing, readable and writable by its owner only (0600): it
/// holds personal data (names, addresses, phone numbers). Created before SQLite opens it,
/// because SQLite creates a file with the default mode (0644 under the usual umask) and gives
/// its `-wal` and `-shm` files the main file's permissions. An existing file keeps its mode
/// (the operator's choice).
fn create_private(path: &Path) -> Result<(), InboxError> {
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    match create.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(InboxError::NotWritable {
            location: path.display().to_string(),
            reason: err.to_string(),
        }),
    }
}

impl SqliteInbox {
    /// The process's wake-up: SQLite has no notifications between processes, so another
    /// process's accept is found at the worker's next look.
    fn wake_source(&self) -> Wakeup {
        self.inner.wake.clone()
    }

    /// Nothing to announce beyond this process (rung after the commit).
    #[allow(clippy::unused_async)]
    async fn announce(&self, _: &mut sqlx::Transaction<'_, Sqlite>) -> Result<(), InboxError> {
        Ok(())
    }

    /// Completes `claims` in one write transaction (one commit); returns the `(id, token)`
    /// pairs completed (`sqlite_write::complete`).
    async fn complete_claims(
        &self,
        claims: &[super::Claim],
    ) -> Result<Vec<(i64, i64)>, InboxError> {
        super::sqlite_write::complete(&self.inner.pool, &self.inner.sql, claims).await
    }

    /// Copies the `-wal` back into the database and truncates it to nothing
    /// (`wal_checkpoint(TRUNCATE)`), from [`Inbox::retain`](super::Inbox::retain): after a purge,
    /// the file would otherwise keep its largest size. A reader still in a transaction keeps
    /// the frames it reads: then the checkpoint does what it can, and the next one the rest.
    async fn checkpoint(&self) -> Result<(), InboxError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.inner.pool)
            .await
            .map_err(crate::inbox::database)?;
        Ok(())
    }
}

/// The writer's pool, its schema brought up to date.
async fn open_and_migrate(
    connect: &SqliteConnectOptions,
    sql: &Statements,
) -> Result<Pool<Sqlite>, InboxError> {
    let pool = SqlitePoolOptions::new()
        // A ping is a round trip to the connection's thread and tells nothing about a file.
        .test_before_acquire(false)
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(connect.clone())
        .await
        .map_err(crate::inbox::database)?;
    migrate(&pool, sql).await?;
    probe(&pool, sql).await?;
    Ok(pool)
}

/// Checks that the inbox can write: inserts a row in a transaction that is rolled back. SQLite
/// opens a file it may not write read-only without a word (and migrating an up-to-date schema
/// writes nothing), so without this an inbox on a read-only file, directory or mount would
/// start and then answer every delivery 503.
async fn probe(pool: &Pool<Sqlite>, sql: &Statements) -> Result<(), InboxError> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(crate::inbox::database)?;
    sqlx::query(&sql.probe)
        .bind(Vec::<u8>::new())
        .execute(&mut *tx)
        .await
        .map_err(crate::inbox::database)?;
    tx.rollback().await.map_err(crate::inbox::database)
}

/// A failure to open `path` for writing as [`InboxError::NotWritable`], with the path: SQLite's
/// `READONLY` and `CANTOPEN` (primary or extended), and `PERM`. Other errors (busy, a newer
/// schema) stay as they are.
fn unwritable(path: &Path, err: InboxError) -> InboxError {
    let code = crate::inbox::database_code(&err).and_then(|code| code.parse::<u32>().ok());
    if code.is_some_and(|code| matches!(code & 0xff, 3 | 8 | 14)) {
        InboxError::NotWritable {
            location: path.display().to_string(),
            reason: err.to_string(),
        }
    } else {
        err
    }
}

/// Whether SQLite said `BUSY` or `LOCKED` (primary or extended code): another connection holds
/// what this one needs, and asking again later succeeds.
fn is_busy(err: &InboxError) -> bool {
    crate::inbox::database_code(err)
        .and_then(|code| code.parse::<u32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Brings the schema up to [`SCHEMA_VERSION`](super::schema::SCHEMA_VERSION), one version per step, in one transaction.
async fn migrate(pool: &Pool<Sqlite>, sql: &Statements) -> Result<(), InboxError> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(crate::inbox::database)?;
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        sql.version_table
    ))
    .execute(&mut *tx)
    .await
    .map_err(crate::inbox::database)?;
    let current: i64 = sqlx::query_scalar(&format!(
        "SELECT COALESCE(MAX(version), 0) FROM {}",
        sql.version_table
    ))
    .fetch_one(&mut *tx)
    .await
    .map_err(crate::inbox::database)?;
    let record = format!(
        "INSERT INTO {} (version, applied_at) VALUES (?1, ?2)",
        sql.version_table
    );
    super::schema::apply_migrations!(tx, sql, current, record);
    super::trail::backfill_v3!(tx, sql, current);
    tx.commit().await.map_err(crate::inbox::database)?;
    Ok(())
}

impl_inbox!(SqliteInbox, sqlx::Sqlite);

#[cfg(feature = "console")]
super::query_ops::impl_queries!(SqliteInbox, sqlx::Sqlite);
#[cfg(feature = "console")]
super::verbs::impl_verbs!(SqliteInbox, sqlx::Sqlite);

#[cfg(all(test, feature = "console"))]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use sqlx::Row as _;

    use super::SqliteInbox;
    use crate::delivery::Provider;
    use crate::inbox::query::{Filter, RefField, Reference};
    use crate::inbox::{InboxOptions, ItemId, ItemState};

    /// Every operator filter reads the inbox's table through an index (`SEARCH`), never a
    /// scan; without a filter, the list walks the `(received_at, id)` index.
    #[test]
    fn console_queries_use_an_index_for_every_filter() {
        let dir = std::env::temp_dir().join(format!(
            "delivery-webhooks-plan-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let inbox = SqliteInbox::open(dir.join("inbox.db"), InboxOptions::default())
                .await
                .unwrap();
            let at = Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
            let plan = |filter: Filter, after: Option<(i64, i64)>| {
                let inbox = inbox.clone();
                async move {
                    let (sql, params) =
                        super::super::query_ops::list_sql(super::SUMMARY, &filter, after, 50);
                    let sql = inbox.q_sql(&format!("EXPLAIN QUERY PLAN {sql}"));
                    let rows = SqliteInbox::q_bind(&sql, &params)
                        .fetch_all(&inbox.inner.readers)
                        .await
                        .unwrap();
                    rows.iter()
                        .map(|r| r.try_get::<String, _>(3).unwrap())
                        .collect::<Vec<_>>()
                }
            };
            let all = plan(Filter::new(), None).await;
            assert_eq!(
                all,
                ["SCAN webhook_inbox USING INDEX webhook_inbox_received"]
            );
            for filter in [
                Filter::new().item(ItemId(7)),
                Filter::new().provider(Provider::Skladon),
                Filter::new().state(ItemState::Dead),
                Filter::new().state(ItemState::Dead).handled(false),
                Filter::new().received(at, None),
                Filter::new().received(None, at),
                Filter::new().dedup_key("peddler:A1"),
                Filter::new().reference(Reference::any("123456")),
                Filter::new().reference(Reference::of(RefField::Waybill, "WK1")),
                Filter::new()
                    .provider(Provider::Skladon)
                    .state(ItemState::Dead)
                    .handled(false)
                    .cause("order #: ERP answered #"),
                Filter::new()
                    .provider(Provider::Skladon)
                    .state(ItemState::Dead)
                    .received(at, None),
            ] {
                for after in [None, Some((1_700_000_000_000, 99))] {
                    let lines = plan(filter.clone(), after).await;
                    let table: Vec<&String> = lines
                        .iter()
                        .filter(|l| l.contains("webhook_inbox ") || l.ends_with("webhook_inbox"))
                        .collect();
                    assert!(
                        !table.is_empty() && table.iter().all(|l| l.starts_with("SEARCH")),
                        "{filter:?} {after:?}: {lines:?}"
                    );
                    let refs: Vec<&String> = lines
                        .iter()
                        .filter(|l| l.contains("webhook_inbox_ref "))
                        .collect();
                    assert!(
                        refs.iter().all(|l| l.starts_with("SEARCH")),
                        "{filter:?}: {lines:?}"
                    );
                }
            }
            // The overview's statements: each over an index, none reads the whole table.
            for statement in super::super::query_ops::overview_all(10_001) {
                let sql = inbox
                    .q_sql(&format!("EXPLAIN QUERY PLAN {statement}"))
                    .replace("{provider}", "'peddler'");
                let lines: Vec<String> = sqlx::query(&sql)
                    .fetch_all(&inbox.inner.readers)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String, _>(3).unwrap())
                    .collect();
                let table: Vec<&String> = lines
                    .iter()
                    .filter(|l| l.contains("webhook_inbox ") || l.ends_with("webhook_inbox"))
                    .collect();
                assert!(
                    !table.is_empty() && table.iter().all(|l| l.starts_with("SEARCH")),
                    "{statement}: {lines:?}"
                );
            }
        });
        let _ = std::fs::remove_dir_all(dir);
    }
}
