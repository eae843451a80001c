//! The statements both backends run, written once with `$n` parameters and the table names
//! filled in per inbox; the schema migrations of each dialect.

use super::Row;

/// The backends' SQL dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    #[cfg_attr(not(feature = "inbox-sqlite"), allow(dead_code))]
    Sqlite,
    #[cfg_attr(not(feature = "inbox-postgres"), allow(dead_code))]
    Postgres,
}

/// The newest schema version (see the migrations below and `docs/inbox.md`).
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// Version 1, SQLite.
const SQLITE_V1: &str = "
CREATE TABLE {inbox} (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    provider         TEXT    NOT NULL,
    dedup_key        TEXT    NOT NULL UNIQUE,
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    available_at     INTEGER NOT NULL,
    received_at      INTEGER NOT NULL,
    completed_at     INTEGER,
    last_error       TEXT,
    delivery_attempt INTEGER,
    context          TEXT,
    method           TEXT    NOT NULL,
    uri              TEXT    NOT NULL,
    peer             TEXT,
    headers          TEXT    NOT NULL,
    body             BLOB    NOT NULL,
    payload          BLOB    NOT NULL
);
CREATE INDEX {inbox}_due ON {inbox} (available_at, id) WHERE state IN ('pending', 'claimed');
CREATE INDEX {inbox}_completed ON {inbox} (completed_at) WHERE state = 'completed';
";

/// Version 1, PostgreSQL.
const POSTGRES_V1: &str = "
CREATE TABLE {inbox} (
    id               BIGSERIAL PRIMARY KEY,
    provider         TEXT   NOT NULL,
    dedup_key        TEXT   NOT NULL UNIQUE,
    state            TEXT   NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    available_at     BIGINT NOT NULL,
    received_at      BIGINT NOT NULL,
    completed_at     BIGINT,
    last_error       TEXT,
    delivery_attempt BIGINT,
    context          TEXT,
    method           TEXT   NOT NULL,
    uri              TEXT   NOT NULL,
    peer             TEXT,
    headers          TEXT   NOT NULL,
    body             BYTEA  NOT NULL,
    payload          BYTEA  NOT NULL
);
CREATE INDEX {index}_due ON {inbox} (available_at, id) WHERE state IN ('pending', 'claimed');
CREATE INDEX {index}_completed ON {inbox} (completed_at) WHERE state = 'completed';
";

/// Every statement of one inbox, its table names filled in.
#[derive(Debug)]
pub(crate) struct Statements {
    pub(crate) version_table: String,
    pub(crate) migrations: Vec<(i64, String)>,
    pub(crate) insert: String,
    pub(crate) claim: String,
    pub(crate) bury: String,
    pub(crate) attempts: String,
    pub(crate) fail: String,
    pub(crate) complete: String,
    pub(crate) replay: String,
    pub(crate) purge: String,
    pub(crate) item: String,
    pub(crate) stats: String,
}

const COLUMNS: &str = "id, attempts, provider, dedup_key, delivery_attempt, context, method, uri, peer, headers, body, received_at";

impl Statements {
    /// `inbox` and `version` are the (quoted, qualified) table names; `index` the prefix of index names.
    pub(crate) fn new(dialect: Dialect, inbox: &str, version: &str, index: &str) -> Self {
        let fill = |sql: &str| {
            let sql = sql
                .replace("{inbox}", inbox)
                .replace("{index}", index)
                .replace("{columns}", COLUMNS);
            match dialect {
                // `?NNN` is SQLite's numbered parameter.
                Dialect::Sqlite => sql.replace('$', "?"),
                Dialect::Postgres => sql,
            }
        };
        let (v1, skip_locked, insert) = match dialect {
            Dialect::Sqlite => (
                SQLITE_V1,
                "",
                "INSERT INTO {inbox} (provider, dedup_key, available_at, received_at, \
                 delivery_attempt, context, method, uri, peer, headers, body, payload) \
                 VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            ),
            Dialect::Postgres => (
                POSTGRES_V1,
                " FOR UPDATE SKIP LOCKED",
                "INSERT INTO {inbox} (provider, dedup_key, available_at, received_at, \
                 delivery_attempt, context, method, uri, peer, headers, body, payload) \
                 SELECT p, k, r, r, a, c, m, u, pe, h, b, pl FROM UNNEST($1::text[], $2::text[], \
                 $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], \
                 $9::text[], $10::bytea[], $11::bytea[]) AS t(p, k, r, a, c, m, u, pe, h, b, pl) \
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key",
            ),
        };
        Self {
            version_table: version.to_owned(),
            migrations: vec![(1, fill(v1))],
            insert: fill(insert),
            claim: fill(&format!(
                "UPDATE {{inbox}} SET state = 'claimed', attempts = attempts + 1, available_at = $1 \
                 WHERE id IN (SELECT id FROM {{inbox}} WHERE state IN ('pending', 'claimed') \
                 AND available_at <= $2 ORDER BY available_at, id LIMIT $3{skip_locked}) \
                 RETURNING {{columns}}"
            )),
            bury: fill(
                "UPDATE {inbox} SET state = 'dead', last_error = $2 WHERE id = $1 AND state = 'claimed'",
            ),
            attempts: fill("SELECT attempts FROM {inbox} WHERE id = $1 AND state = 'claimed'"),
            fail: fill(
                "UPDATE {inbox} SET state = $2, available_at = $3, last_error = $4 \
                 WHERE id = $1 AND state = 'claimed' AND attempts = $5",
            ),
            complete: fill(
                "UPDATE {inbox} SET state = 'completed', completed_at = $2, last_error = NULL \
                 WHERE id = $1 AND state = 'claimed'",
            ),
            replay: fill(
                "UPDATE {inbox} SET state = 'pending', attempts = 0, available_at = $2, \
                 last_error = NULL, completed_at = NULL WHERE id = $1 AND state IN ('dead', 'completed')",
            ),
            purge: fill(
                "DELETE FROM {inbox} WHERE state = 'completed' AND completed_at < $1 \
                 AND provider = $2 AND received_at < $3",
            ),
            item: fill(
                "SELECT id, dedup_key, state, attempts, last_error FROM {inbox} WHERE id = $1",
            ),
            stats: fill("SELECT state, COUNT(*) FROM {inbox} GROUP BY state"),
        }
    }
}

/// Reads a claimed row ([`COLUMNS`], in order) from either backend.
pub(crate) fn read_row<R>(row: &R) -> Result<Row, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Row {
        id: row.try_get(0)?,
        attempts: row.try_get(1)?,
        provider: row.try_get(2)?,
        dedup_key: row.try_get(3)?,
        delivery_attempt: row.try_get(4)?,
        context: row.try_get(5)?,
        method: row.try_get(6)?,
        uri: row.try_get(7)?,
        peer: row.try_get(8)?,
        headers: row.try_get(9)?,
        body: row.try_get(10)?,
        received_at: row.try_get(11)?,
    })
}

/// Reads an [`ItemInfo`](super::ItemInfo) row (`id, dedup_key, state, attempts, last_error`).
pub(crate) fn read_info<R>(row: &R) -> Result<super::ItemInfo, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get(2)?;
    let attempts: i64 = row.try_get(3)?;
    Ok(super::ItemInfo {
        id: super::ItemId(row.try_get(0)?),
        dedup_key: row.try_get(1)?,
        state: super::ItemState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown inbox state {state:?}").into()))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error: row.try_get(4)?,
    })
}
