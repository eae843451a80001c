//! The statements both backends run, written once with `$n` parameters and the table names
//! filled in per inbox. Every time a lease, a back-off or a retention limit is measured against
//! is read from the database's clock (`{now}`), never the instance's: instances with skewed
//! clocks share one notion of "now".

use super::Row;
use super::schema::{
    POSTGRES_V1, POSTGRES_V2, POSTGRES_V3, POSTGRES_V4, POSTGRES_V5, SQLITE_V1, SQLITE_V2,
    SQLITE_V3, SQLITE_V4, SQLITE_V5,
};

/// The backends' SQL dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    #[cfg_attr(not(feature = "inbox-sqlite"), allow(dead_code))]
    Sqlite,
    #[cfg_attr(not(feature = "inbox-postgres"), allow(dead_code))]
    Postgres,
}

/// Every statement of one inbox, its table names filled in.
#[derive(Debug)]
pub(crate) struct Statements {
    /// Whose SQL.
    #[cfg_attr(not(feature = "console"), allow(dead_code))]
    pub(crate) dialect: Dialect,
    /// The database's clock, in ms since the epoch.
    #[cfg_attr(not(feature = "console"), allow(dead_code))]
    pub(crate) now: &'static str,
    /// The inbox's table (quoted, qualified), as PostgreSQL's errors name it.
    #[cfg_attr(
        not(any(feature = "inbox-postgres", feature = "console")),
        allow(dead_code)
    )]
    pub(crate) inbox: String,
    pub(crate) version_table: String,
    pub(crate) migrations: Vec<(i64, String)>,
    /// PostgreSQL: the insert of a whole batch (`UNNEST`); SQLite: the head of a multi-row
    /// insert ([`SQLITE_INSERT_ROW`]).
    pub(crate) insert: String,
    /// The start-up check that the inbox can write: one row, in a transaction rolled back.
    pub(crate) probe: String,
    pub(crate) claim: String,
    pub(crate) extend: String,
    pub(crate) complete: String,
    /// Completes a batch of claims, each fenced by its own token, and returns `id, fence,
    /// attempts` of those it completed. PostgreSQL: `$1` ids and `$2` tokens as arrays, the
    /// attempt and history rows written by the same statement. SQLite (no writable CTE): `$1`
    /// a JSON array of `[id, token]` pairs; [`Trail::completed`] writes the rest.
    pub(crate) complete_batch: String,
    pub(crate) fail: String,
    pub(crate) release: String,
    pub(crate) row: String,
    pub(crate) replay: String,
    pub(crate) purge: String,
    pub(crate) purge_dead: String,
    pub(crate) depth: String,
    pub(crate) item: String,
    pub(crate) stats: String,
    /// What the operator reads: references, attempts, history, audit.
    pub(crate) trail: Trail,
}

/// The statements that write what the operator reads, one inbox's tables filled in.
#[derive(Debug)]
pub(crate) struct Trail {
    /// `(item_id, kind, value)`.
    pub(crate) reference: String,
    /// `(item_id, attempt, outcome, error, at or NULL for now)`.
    pub(crate) attempt: String,
    /// `(item_id, state, actor, at or NULL for now)`.
    pub(crate) history: String,
    /// `(verb, target, actor, reason, count)`.
    #[cfg_attr(not(feature = "console"), allow(dead_code))]
    pub(crate) audit: String,
    /// Sets `cause` (`$2`) of item `$1`.
    pub(crate) cause: String,
    /// The rows after id `$1` (500), for the version-3 backfill: `{columns}, state,
    /// last_error, the time of its last change`.
    pub(crate) backfill: String,
    /// SQLite: the attempt and history rows of a completed batch, `$1` a JSON array of
    /// `[id, attempt]` pairs.
    #[cfg_attr(not(feature = "inbox-sqlite"), allow(dead_code))]
    pub(crate) completed: [String; 2],
    /// SQLite: the references of a whole batch, in one statement, read from one JSON array of
    /// `[id, kind, value]` (`$1`): SQLite has no arrays, and each statement is a round trip to
    /// the connection's thread. (PostgreSQL's batch insert writes them itself.)
    #[cfg_attr(not(feature = "inbox-sqlite"), allow(dead_code))]
    pub(crate) references_batch: String,
}

impl Trail {
    /// The statements, through the dialect's `fill`.
    pub(crate) fn new(fill: &dyn Fn(&str) -> String) -> Self {
        // `WHERE true`: SQLite's grammar needs it between a SELECT and its ON CONFLICT.
        // `->>` rather than `json_extract(v, '$[0]')`: `fill` makes every `$` a `?`.
        // (Filled for both dialects, run by SQLite only.)
        let references_batch = "INSERT INTO {inbox}_ref (item_id, kind, value) \
             SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each($1) \
             WHERE true ON CONFLICT DO NOTHING";
        Self {
            reference: fill(
                "INSERT INTO {inbox}_ref (item_id, kind, value) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            ),
            attempt: fill(
                "INSERT INTO {inbox}_attempt (item_id, attempt, outcome, error, at) \
                 VALUES ($1, $2, $3, $4, COALESCE($5, {now}))",
            ),
            history: fill(
                "INSERT INTO {inbox}_history (item_id, state, actor, at) \
                 VALUES ($1, $2, $3, COALESCE($4, {now}))",
            ),
            audit: fill(
                "INSERT INTO {inbox}_audit (verb, target, actor, reason, count, at) \
                 VALUES ($1, $2, $3, $4, $5, {now})",
            ),
            cause: fill("UPDATE {inbox} SET cause = $2 WHERE id = $1"),
            backfill: fill(
                "SELECT {columns}, state, last_error, COALESCE(dead_at, completed_at, received_at) \
                 FROM {inbox} WHERE id > $1 ORDER BY id LIMIT 500",
            ),
            completed: [
                fill(
                    "INSERT INTO {inbox}_attempt (item_id, attempt, outcome, error, at) \
                     SELECT value ->> 0, value ->> 1, 'completed', NULL, {now} FROM json_each($1)",
                ),
                fill(
                    "INSERT INTO {inbox}_history (item_id, state, actor, at) \
                     SELECT value ->> 0, 'completed', 'worker', {now} FROM json_each($1)",
                ),
            ],
            references_batch: fill(references_batch),
        }
    }
}

/// One record's values in SQLite's multi-row insert (after [`Statements::insert`]), its
/// thirteen parameters bound in order; `{now}` is filled in by [`Statements::new`]'s caller.
#[cfg(feature = "inbox-sqlite")]
pub(crate) const SQLITE_INSERT_ROW: &str = "(?, ?, ?, ?, {now}, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// The columns [`read_row`] reads, in order.
pub(crate) const COLUMNS: [&str; 14] = [
    "id",
    "attempts",
    "provider",
    "dedup_key",
    "delivery_attempt",
    "context",
    "method",
    "uri",
    "peer",
    "headers",
    "body",
    "received_at",
    "fence",
    "full_key",
];

impl Statements {
    /// `inbox` and `version` are the (quoted, qualified) table names; `index` the prefix of index names.
    pub(crate) fn new(dialect: Dialect, inbox: &str, version: &str, index: &str) -> Self {
        let now = match dialect {
            Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Dialect::Postgres => "(EXTRACT(EPOCH FROM now()) * 1000)::BIGINT",
        };
        let columns = |prefix: &str| {
            COLUMNS
                .iter()
                .map(|c| format!("{prefix}{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // `"ns".webhook_inbox` with index prefix `webhook_inbox`: `"ns".`.
        let schema = inbox.strip_suffix(index).unwrap_or("");
        let fill = |sql: &str| {
            let sql = sql
                .replace("{schema.}", schema)
                .replace("{inbox}", inbox)
                .replace("{index}", index)
                .replace("{now}", now)
                .replace("{columns}", &columns(""))
                .replace("{t.columns}", &columns("t."));
            match dialect {
                // `?NNN` is SQLite's numbered parameter.
                Dialect::Sqlite => sql.replace('$', "?"),
                Dialect::Postgres => sql,
            }
        };
        let (migrations, insert, claim, complete_batch) = match dialect {
            Dialect::Sqlite => (
                [SQLITE_V1, SQLITE_V2, SQLITE_V3, SQLITE_V4, SQLITE_V5],
                // The head of a multi-row insert: `sqlite::insert` appends one
                // `SQLITE_INSERT_ROW` per record and `ON CONFLICT DO NOTHING RETURNING id, dedup_key`.
                "INSERT INTO {inbox} (provider, dedup_key, full_key, announce, available_at, \
                 received_at, delivery_attempt, context, method, uri, peer, headers, body, payload) \
                 VALUES ",
                // One writer at a time: the subquery is evaluated once, under the write lock.
                "UPDATE {inbox} SET state = 'claimed', attempts = attempts + 1, fence = fence + 1, \
                 available_at = {now} + $1 \
                 WHERE id IN (SELECT id FROM {inbox} WHERE state IN ('pending', 'claimed') \
                 AND available_at <= {now} ORDER BY available_at, id LIMIT $2) \
                 RETURNING {columns}",
                // Looked up by id, one row per pair: never a scan, whatever the table's size.
                "UPDATE {inbox} SET state = 'completed', completed_at = {now}, last_error = NULL \
                 FROM (SELECT value ->> 0 AS id, value ->> 1 AS fence FROM json_each($1)) AS v \
                 WHERE {inbox}.id = v.id AND {inbox}.state = 'claimed' AND {inbox}.fence = v.fence \
                 RETURNING id, fence, attempts",
            ),
            Dialect::Postgres => (
                [
                    POSTGRES_V1,
                    POSTGRES_V2,
                    POSTGRES_V3,
                    POSTGRES_V4,
                    POSTGRES_V5,
                ],
                // One statement for the whole batch, so one round trip and no explicit
                // transaction: the items and their references (by dedup key: `$14` keys,
                // `$15` kinds, `$16` values; new items only, so no conflict to check). No
                // history row: the item's `received_at` is its first. The workers' NOTIFY is
                // sent after, on its own (`pg_notify::Announcer`).
                // Sorted by key: two batches sharing keys lock them in the same order.
                "WITH ins AS (INSERT INTO {inbox} (provider, dedup_key, full_key, announce, available_at, \
                 received_at, delivery_attempt, context, method, uri, peer, headers, body, payload) \
                 SELECT p, k, fk, an, {now}, r, a, c, m, u, pe, h, b, pl FROM UNNEST($1::text[], \
                 $2::text[], $3::bytea[], $4::smallint[], $5::bigint[], $6::bigint[], $7::text[], \
                 $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::bytea[]) \
                 AS v(p, k, fk, an, r, a, c, m, u, pe, h, b, pl) ORDER BY k \
                 ON CONFLICT DO NOTHING RETURNING id, dedup_key), \
                 refs AS (INSERT INTO {inbox}_ref (item_id, kind, value) \
                 SELECT DISTINCT ins.id, r.kind, r.value FROM ins \
                 JOIN UNNEST($14::text[], $15::text[], $16::text[]) AS r(k, kind, value) \
                 ON r.k = ins.dedup_key) \
                 SELECT id, dedup_key FROM ins",
                // Materialised: the LIMIT applies once, whatever plan the UPDATE gets (an
                // `IN (subquery)` planned as a nested loop may claim more than `n` rows).
                "WITH due AS MATERIALIZED (SELECT id FROM {inbox} \
                 WHERE state IN ('pending', 'claimed') AND available_at <= {now} \
                 ORDER BY available_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) \
                 UPDATE {inbox} AS t SET state = 'claimed', attempts = t.attempts + 1, \
                 fence = t.fence + 1, available_at = {now} + $1 \
                 FROM due WHERE t.id = due.id RETURNING {t.columns}",
                // One statement: the fenced update, and the attempt and history rows of what
                // it completed (a writable CTE sees the update's rows, not the table's).
                "WITH v AS (SELECT * FROM UNNEST($1::bigint[], $2::bigint[]) AS v(id, fence)), \
                 done AS (UPDATE {inbox} AS t SET state = 'completed', completed_at = {now}, \
                 last_error = NULL FROM v \
                 WHERE t.id = v.id AND t.state = 'claimed' AND t.fence = v.fence \
                 RETURNING t.id, t.fence, t.attempts), \
                 a AS (INSERT INTO {inbox}_attempt (item_id, attempt, outcome, error, at) \
                 SELECT id, attempts, 'completed', NULL, {now} FROM done), \
                 h AS (INSERT INTO {inbox}_history (item_id, state, actor, at) \
                 SELECT id, 'completed', 'worker', {now} FROM done) \
                 SELECT id, fence, attempts FROM done",
            ),
        };
        // Every write after a claim holds the claim's fencing token: a worker whose lease ran
        // out and whose item another worker claimed again writes nothing.
        let fenced = "WHERE id = $1 AND state = 'claimed' AND fence = $2";
        Self {
            dialect,
            now,
            inbox: inbox.to_owned(),
            version_table: version.to_owned(),
            migrations: migrations
                .iter()
                .zip(1..)
                .map(|(sql, version)| (version, fill(sql)))
                .collect(),
            insert: fill(insert),
            probe: fill(
                "INSERT INTO {inbox} (provider, dedup_key, available_at, received_at, method, uri, \
                 headers, body, payload) \
                 VALUES ('probe', 'probe:writable', 0, 0, 'GET', '/', '[]', $1, $1)",
            ),
            claim: fill(claim),
            extend: fill(&format!(
                "UPDATE {{inbox}} SET available_at = {{now}} + $3 {fenced}"
            )),
            complete: fill(&format!(
                "UPDATE {{inbox}} SET state = 'completed', completed_at = {{now}}, \
                 last_error = NULL {fenced}"
            )),
            // `$3`: the attempts after which the item is dead; `$4`: the back-off in ms.
            fail: fill(&format!(
                "UPDATE {{inbox}} SET \
                 state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'pending' END, \
                 dead_at = CASE WHEN attempts >= $3 THEN {{now}} END, \
                 available_at = {{now}} + $4, last_error = $5, cause = $6 {fenced} \
                 RETURNING state, available_at"
            )),
            complete_batch: fill(complete_batch),
            release: fill(&format!(
                "UPDATE {{inbox}} SET state = 'pending', attempts = attempts - 1, \
                 available_at = {{now}} {fenced}"
            )),
            row: fill(
                "SELECT {columns}, state, CAST(announce AS BIGINT) FROM {inbox} WHERE id = $1",
            ),
            // A GET announcement is not replayed while another of the same entity is waiting:
            // that one will fetch the entity anyway.
            replay: fill(
                "UPDATE {inbox} AS t SET state = 'pending', attempts = 0, available_at = {now}, \
                 last_error = NULL, completed_at = NULL, dead_at = NULL \
                 WHERE t.id = $1 AND t.state IN ('dead', 'completed') AND NOT (t.announce = 1 \
                 AND EXISTS (SELECT 1 FROM {inbox} AS o WHERE o.dedup_key = t.dedup_key \
                 AND o.announce = 1 AND o.state IN ('pending', 'claimed')))",
            ),
            // In batches of `$4` rows: a purge never holds a long lock.
            purge: fill(
                "DELETE FROM {inbox} WHERE id IN (SELECT id FROM {inbox} \
                 WHERE state = 'completed' AND completed_at < {now} - $1 \
                 AND provider = $2 AND received_at < {now} - $3 LIMIT $4)",
            ),
            purge_dead: fill(
                "DELETE FROM {inbox} WHERE id IN (SELECT id FROM {inbox} \
                 WHERE state = 'dead' AND dead_at < {now} - $1 \
                 AND provider = $2 AND received_at < {now} - $3 LIMIT $4)",
            ),
            // Over the partial indexes only: cheap however many completed items are kept.
            depth: fill(
                "SELECT 'pending', COUNT(*) FROM {inbox} WHERE state IN ('pending', 'claimed') \
                 AND state = 'pending' UNION ALL \
                 SELECT 'claimed', COUNT(*) FROM {inbox} WHERE state IN ('pending', 'claimed') \
                 AND state = 'claimed' UNION ALL \
                 SELECT 'dead', COUNT(*) FROM {inbox} WHERE state = 'dead'",
            ),
            item: fill(
                "SELECT id, dedup_key, state, attempts, last_error, available_at, full_key \
                 FROM {inbox} WHERE id = $1",
            ),
            stats: fill("SELECT state, COUNT(*) FROM {inbox} GROUP BY state"),
            trail: Trail::new(&fill),
        }
    }
}

/// The dedup key a row stands for: the whole key where a digest of it is stored.
fn whole_key(stored: String, full: Option<Vec<u8>>) -> String {
    match full {
        Some(bytes) => String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        None => stored,
    }
}

/// Reads a claimed row ([`COLUMNS`], in order) from either backend, with its fencing token.
pub(crate) fn read_row<R>(row: &R) -> Result<(Row, i64), sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let stored: String = row.try_get(3)?;
    Ok((
        Row {
            id: row.try_get(0)?,
            attempts: row.try_get(1)?,
            provider: row.try_get(2)?,
            dedup_key: whole_key(stored, row.try_get(13)?),
            delivery_attempt: row.try_get(4)?,
            context: row.try_get(5)?,
            method: row.try_get(6)?,
            uri: row.try_get(7)?,
            peer: row.try_get(8)?,
            headers: row.try_get(9)?,
            body: row.try_get(10)?,
            received_at: row.try_get(11)?,
        },
        row.try_get(12)?,
    ))
}

/// Reads an [`ItemInfo`](super::ItemInfo) row
/// (`id, dedup_key, state, attempts, last_error, available_at, full_key`).
pub(crate) fn read_info<R>(row: &R) -> Result<super::ItemInfo, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get(2)?;
    let attempts: i64 = row.try_get(3)?;
    Ok(super::ItemInfo {
        id: super::ItemId(row.try_get(0)?),
        dedup_key: whole_key(row.try_get(1)?, row.try_get(6)?),
        state: super::ItemState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown inbox state {state:?}").into()))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error: row.try_get(4)?,
        due_at: super::from_ms(row.try_get(5)?),
    })
}
