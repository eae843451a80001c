//! The schema migrations of each dialect, version by version. `{inbox}` is the (quoted,
//! qualified) table name, `{index}` the prefix of index names, `{schema.}` the table's schema
//! and a dot where it has one (an index is named in its table's schema); [`Statements`](super::sql::Statements)
//! fills them in.

/// The newest schema version (see the migrations below and `docs/inbox.md`).
pub(crate) const SCHEMA_VERSION: i64 = 5;

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

/// Version 3, SQLite: what the operator queries read (`docs/inbox.md`, "Schema"). The shipment
/// references of each item (`_ref`), each attempt's outcome (`_attempt`), each change of state
/// (`_history`), the operator verbs (`_audit`); per item the normalized cause of its last
/// failure and whether an operator discarded it (`handled_*`); an index for every filter (the
/// failures' index holds every column the failure groups read, `state` and `handled_at`
/// included, so SQLite reads it alone, without the rows: `docs/performance.md`; the items
/// retrying, those waiting with an error, and the pending ones' due times, for the overview's
/// oldest wait, have one too). The
/// rows of the side tables go with their item (a trigger: SQLite enforces foreign keys only
/// when each connection asks). The existing rows' references, causes and history are filled
/// in by [`backfill_v3`], which re-reads their bodies.
pub(crate) const SQLITE_V3: &str = "
ALTER TABLE {inbox} ADD COLUMN cause TEXT;
ALTER TABLE {inbox} ADD COLUMN handled_at INTEGER;
ALTER TABLE {inbox} ADD COLUMN handled_by TEXT;
ALTER TABLE {inbox} ADD COLUMN handled_reason TEXT;
CREATE INDEX {index}_received ON {inbox} (received_at, id);
CREATE INDEX {index}_provider_received ON {inbox} (provider, received_at, id);
CREATE INDEX {index}_state_received ON {inbox} (state, received_at, id);
CREATE INDEX {index}_dedup ON {inbox} (dedup_key, received_at, id);
CREATE INDEX {index}_cause ON {inbox} (state, handled_at, provider, cause, dead_at)
    WHERE state = 'dead' AND handled_at IS NULL;
CREATE INDEX {index}_retrying ON {inbox} (state, provider)
    WHERE state IN ('pending', 'claimed') AND last_error IS NOT NULL;
CREATE INDEX {index}_pending ON {inbox} (available_at) WHERE state = 'pending';
CREATE TABLE {inbox}_ref (
    item_id INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (item_id, kind, value)
);
CREATE INDEX {index}_ref_value ON {inbox}_ref (value, item_id);
CREATE INDEX {index}_ref_kind_value ON {inbox}_ref (kind, value, item_id);
CREATE TABLE {inbox}_attempt (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    error   TEXT
);
CREATE INDEX {index}_attempt_item ON {inbox}_attempt (item_id, id);
CREATE TABLE {inbox}_history (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL,
    state   TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL
);
CREATE INDEX {index}_history_item ON {inbox}_history (item_id, id);
CREATE TABLE {inbox}_audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    verb   TEXT    NOT NULL,
    target TEXT    NOT NULL,
    actor  TEXT    NOT NULL,
    reason TEXT,
    at     INTEGER NOT NULL,
    count  INTEGER NOT NULL
);
CREATE TRIGGER {index}_forget AFTER DELETE ON {inbox} BEGIN
    DELETE FROM {inbox}_ref WHERE item_id = OLD.id;
    DELETE FROM {inbox}_attempt WHERE item_id = OLD.id;
    DELETE FROM {inbox}_history WHERE item_id = OLD.id;
END;
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

/// Version 3, PostgreSQL: the same as SQLite's version 3 (the failures' index with `id`, for an
/// index-only scan); the side tables' rows go with their item by `ON DELETE CASCADE`.
pub(crate) const POSTGRES_V3: &str = "
ALTER TABLE {inbox}
    ADD COLUMN cause          TEXT,
    ADD COLUMN handled_at     BIGINT,
    ADD COLUMN handled_by     TEXT,
    ADD COLUMN handled_reason TEXT;
CREATE INDEX {index}_received ON {inbox} (received_at, id);
CREATE INDEX {index}_provider_received ON {inbox} (provider, received_at, id);
CREATE INDEX {index}_state_received ON {inbox} (state, received_at, id);
CREATE INDEX {index}_dedup ON {inbox} (dedup_key, received_at, id);
CREATE INDEX {index}_cause ON {inbox} (provider, cause, dead_at, id)
    WHERE state = 'dead' AND handled_at IS NULL;
CREATE INDEX {index}_retrying ON {inbox} (state, provider)
    WHERE state IN ('pending', 'claimed') AND last_error IS NOT NULL;
CREATE INDEX {index}_pending ON {inbox} (available_at) WHERE state = 'pending';
CREATE TABLE {inbox}_ref (
    item_id BIGINT NOT NULL REFERENCES {inbox} (id) ON DELETE CASCADE,
    kind    TEXT   NOT NULL,
    value   TEXT   NOT NULL,
    PRIMARY KEY (item_id, kind, value)
);
CREATE INDEX {index}_ref_value ON {inbox}_ref (value, item_id);
CREATE INDEX {index}_ref_kind_value ON {inbox}_ref (kind, value, item_id);
CREATE TABLE {inbox}_attempt (
    id      BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES {inbox} (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    outcome TEXT   NOT NULL,
    error   TEXT
);
CREATE INDEX {index}_attempt_item ON {inbox}_attempt (item_id, id);
CREATE TABLE {inbox}_history (
    id      BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES {inbox} (id) ON DELETE CASCADE,
    state   TEXT   NOT NULL,
    at      BIGINT NOT NULL,
    actor   TEXT   NOT NULL
);
CREATE INDEX {index}_history_item ON {inbox}_history (item_id, id);
CREATE TABLE {inbox}_audit (
    id     BIGSERIAL PRIMARY KEY,
    verb   TEXT   NOT NULL,
    target TEXT   NOT NULL,
    actor  TEXT   NOT NULL,
    reason TEXT,
    at     BIGINT NOT NULL,
    count  BIGINT NOT NULL
);
";

/// Version 4, SQLite: one index serves both reference searches, by value and by kind and value
/// (a value is shared by a handful of items, so those are sorted, not walked in order); one
/// entry less per reference stored. (The history row the receiver wrote at accept is no longer
/// written: the item's `received_at` says the same, and the reader puts it first.)
pub(crate) const SQLITE_V4: &str = "
DROP INDEX {index}_ref_kind_value;
DROP INDEX {index}_ref_value;
CREATE INDEX {index}_ref_value ON {inbox}_ref (value, kind, item_id);
";

/// Version 4, PostgreSQL: the reference index as SQLite's version 4, and the side tables'
/// foreign keys replaced by one trigger per deleting statement. A foreign key costs a check
/// (a query and a row lock on the item) for every reference, attempt and history row written,
/// and its cascade a query per row deleted; the trigger deletes a statement's side rows in three
/// set-based statements. Every side row is written by a statement that holds its item (the
/// accept's, or a fenced update's), so no check is lost: `tests/inbox.rs`,
/// `deleting_items_deletes_their_references_attempts_and_history`.
pub(crate) const POSTGRES_V4: &str = "
ALTER TABLE {inbox}_ref DROP CONSTRAINT {index}_ref_item_id_fkey;
ALTER TABLE {inbox}_attempt DROP CONSTRAINT {index}_attempt_item_id_fkey;
ALTER TABLE {inbox}_history DROP CONSTRAINT {index}_history_item_id_fkey;
CREATE FUNCTION {inbox}_forget() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM {inbox}_ref WHERE item_id IN (SELECT id FROM gone);
    DELETE FROM {inbox}_attempt WHERE item_id IN (SELECT id FROM gone);
    DELETE FROM {inbox}_history WHERE item_id IN (SELECT id FROM gone);
    RETURN NULL;
END
$body$;
CREATE TRIGGER {index}_forget AFTER DELETE ON {inbox}
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {inbox}_forget();
DROP INDEX {schema.}{index}_ref_kind_value;
DROP INDEX {schema.}{index}_ref_value;
CREATE INDEX {index}_ref_value ON {inbox}_ref (value, kind, item_id);
";

/// Version 5, SQLite: one index less, the copy of another (issue 36). The dedup key's
/// `(dedup_key, received_at, id)` repeated the unique `_key` index of every item not an
/// announcement; the console's search by key reads `_key` and, for Skladon's announcements, the
/// new partial `_announce_key` (as small as they are few), and sorts the handful of rows found.
/// One index entry less per delivery stored. (`_pending`, which `_due` nearly repeats, stays:
/// dropping it is a measurement not made, `docs/performance.md`, "Schema 5".)
pub(crate) const SQLITE_V5: &str = "
DROP INDEX {index}_dedup;
CREATE INDEX {index}_announce_key ON {inbox} (dedup_key) WHERE announce = 1;
";

/// Version 5, PostgreSQL: as SQLite's version 5.
pub(crate) const POSTGRES_V5: &str = "
DROP INDEX {schema.}{index}_dedup;
CREATE INDEX {index}_announce_key ON {inbox} (dedup_key) WHERE announce = 1;
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
