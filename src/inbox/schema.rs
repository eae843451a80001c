//! The schema migrations of each dialect, version by version. `{inbox}` is the (quoted,
//! qualified) table name, `{index}` the prefix of index names; [`Statements`](super::sql::Statements)
//! fills them in.

/// The newest schema version (see the migrations below and `docs/inbox.md`).
pub(crate) const SCHEMA_VERSION: i64 = 2;

/// Version 1, SQLite.
pub(crate) const SQLITE_V1: &str = "
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

/// Version 2, SQLite: the fencing token (`fence`), the whole key of a digested one
/// (`full_key`), Skladon GET announcements (`announce`: unique only while pending or claimed),
/// `dead_at`. SQLite cannot drop a `UNIQUE` constraint, so the table is copied into a new one
/// (ids and the id sequence kept).
pub(crate) const SQLITE_V2: &str = "
CREATE TABLE {inbox}_v2 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    provider         TEXT    NOT NULL,
    dedup_key        TEXT    NOT NULL,
    full_key         BLOB,
    announce         INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    fence            INTEGER NOT NULL DEFAULT 0,
    available_at     INTEGER NOT NULL,
    received_at      INTEGER NOT NULL,
    completed_at     INTEGER,
    dead_at          INTEGER,
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
INSERT INTO {inbox}_v2 (id, provider, dedup_key, announce, state, attempts, fence, available_at,
    received_at, completed_at, dead_at, last_error, delivery_attempt, context, method, uri, peer,
    headers, body, payload)
SELECT id, provider, dedup_key,
    CASE WHEN provider = 'skladon' AND context LIKE 'GET %' THEN 1 ELSE 0 END,
    state, attempts, attempts, available_at, received_at, completed_at,
    CASE WHEN state = 'dead' THEN available_at END,
    last_error, delivery_attempt, context, method, uri, peer, headers, body, payload
FROM {inbox};
DELETE FROM sqlite_sequence WHERE name = '{inbox}_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT '{inbox}_v2', seq FROM sqlite_sequence WHERE name = '{inbox}';
DROP TABLE {inbox};
ALTER TABLE {inbox}_v2 RENAME TO {inbox};
CREATE UNIQUE INDEX {inbox}_key ON {inbox} (dedup_key) WHERE announce = 0;
CREATE UNIQUE INDEX {inbox}_open_key ON {inbox} (dedup_key)
    WHERE announce = 1 AND state IN ('pending', 'claimed');
CREATE INDEX {inbox}_due ON {inbox} (available_at, id) WHERE state IN ('pending', 'claimed');
CREATE INDEX {inbox}_completed ON {inbox} (completed_at) WHERE state = 'completed';
CREATE INDEX {inbox}_dead ON {inbox} (dead_at) WHERE state = 'dead';
";

/// Version 1, PostgreSQL.
pub(crate) const POSTGRES_V1: &str = "
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

/// Version 2, PostgreSQL: the same columns as SQLite's version 2, added in place.
pub(crate) const POSTGRES_V2: &str = "
ALTER TABLE {inbox}
    ADD COLUMN full_key BYTEA,
    ADD COLUMN announce SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN fence    BIGINT   NOT NULL DEFAULT 0,
    ADD COLUMN dead_at  BIGINT;
UPDATE {inbox} SET
    announce = CASE WHEN provider = 'skladon' AND context LIKE 'GET %' THEN 1 ELSE 0 END,
    dead_at = CASE WHEN state = 'dead' THEN available_at END
WHERE state = 'dead' OR (provider = 'skladon' AND context LIKE 'GET %');
ALTER TABLE {inbox} DROP CONSTRAINT {index}_dedup_key_key;
CREATE UNIQUE INDEX {index}_key ON {inbox} (dedup_key) WHERE announce = 0;
CREATE UNIQUE INDEX {index}_open_key ON {inbox} (dedup_key)
    WHERE announce = 1 AND state IN ('pending', 'claimed');
CREATE INDEX {index}_dead ON {inbox} (dead_at) WHERE state = 'dead';
";

/// Inside a backend's migration transaction `$tx`, with the schema at version `$current`:
/// refuses a newer schema, then applies every later migration of `$sql` and records its
/// version with `$record` (the backend's `INSERT`, with its own placeholders). The one loop
/// both backends run.
macro_rules! apply_migrations {
    ($tx:expr, $sql:expr, $current:expr, $record:expr) => {{
        use $crate::inbox::schema::SCHEMA_VERSION;
        if $current > SCHEMA_VERSION {
            return Err($crate::inbox::InboxError::SchemaTooNew {
                found: $current,
                known: SCHEMA_VERSION,
            });
        }
        for (version, migration) in $sql.migrations.iter().filter(|(v, _)| *v > $current) {
            sqlx::raw_sql(migration)
                .execute(&mut *$tx)
                .await
                .map_err($crate::inbox::database)?;
            sqlx::query(&$record)
                .bind(version)
                .bind($crate::inbox::now_ms())
                .execute(&mut *$tx)
                .await
                .map_err($crate::inbox::database)?;
        }
    }};
}

pub(crate) use apply_migrations;
