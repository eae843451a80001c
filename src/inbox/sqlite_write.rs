//! The SQLite inbox's batch writes: a group commit of accepts, and a batch of completions, each
//! in one `BEGIN IMMEDIATE` transaction of as few statements as SQLite allows: every statement
//! is a round trip to the connection's thread, which costs more than its rows.

use std::collections::HashMap;

use sqlx::{Pool, Sqlite};

use super::batch::{Written, acceptances};
use super::sql::{SQLITE_INSERT_ROW, Statements};
use super::{Entry, InboxError};

/// Records per multi-row insert: 13 parameters each, far below SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 128;

/// One group commit: every record in one write transaction.
pub(crate) async fn write(pool: &Pool<Sqlite>, sql: &Statements, entries: Vec<Entry>) -> Written {
    let written = insert(pool, sql, &entries).await;
    (entries, written)
}

async fn insert(
    pool: &Pool<Sqlite>,
    sql: &Statements,
    entries: &[Entry],
) -> Result<Vec<super::Acceptance>, InboxError> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(crate::inbox::database)?;
    let mut inserted = HashMap::with_capacity(entries.len());
    // A batch in as few statements as SQLite's parameter limit allows: each statement is a
    // round trip to the connection's thread, which costs more than the row.
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let row = SQLITE_INSERT_ROW.replace("{now}", sql.now);
        let statement = format!(
            "{}{} ON CONFLICT DO NOTHING RETURNING id, dedup_key",
            sql.insert,
            vec![row.as_str(); chunk.len()].join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&statement);
        for e in chunk {
            let r = &e.record;
            query = query
                .bind(r.provider)
                .bind(&e.key)
                .bind(e.full_key.as_deref())
                .bind(i64::from(e.announce))
                .bind(r.received_at)
                .bind(r.delivery_attempt)
                .bind(r.context.as_deref())
                .bind(&r.method)
                .bind(&r.uri)
                .bind(r.peer.as_deref())
                .bind(&r.headers)
                .bind(&r.body)
                .bind(&r.payload);
        }
        let rows = query
            .fetch_all(&mut *tx)
            .await
            .map_err(crate::inbox::database)?;
        for (id, key) in rows {
            inserted.insert(key, id);
        }
    }
    // The references of the first record of each new key (a repeat in the batch is a duplicate).
    let mut taken = std::collections::HashSet::with_capacity(inserted.len());
    let mut references: Vec<(i64, &str, &String)> = Vec::new();
    for e in entries {
        if let Some(id) = inserted.get(&e.key).filter(|_| taken.insert(&e.key)) {
            references.extend(e.references.iter().map(|(kind, value)| (*id, *kind, value)));
        }
    }
    // The new items' references: one statement for the batch. (No history row: the item's
    // `received_at` is its first.)
    if !references.is_empty() {
        sqlx::query(&sql.trail.references_batch)
            .bind(json(&references)?)
            .execute(&mut *tx)
            .await
            .map_err(crate::inbox::database)?;
    }
    tx.commit().await.map_err(crate::inbox::database)?;
    Ok(acceptances(entries, inserted))
}

/// `rows` as the JSON array the batch statements read with `json_each` (a tuple is an array).
fn json<T: serde::Serialize>(rows: &T) -> Result<String, InboxError> {
    serde_json::to_string(rows).map_err(|err| InboxError::Database(std::sync::Arc::new(err)))
}

/// Completes `claims` in one write transaction (one commit): the fenced update, then the
/// attempt and history rows of what it completed. Returns the `(id, token)` pairs completed.
pub(crate) async fn complete(
    pool: &Pool<Sqlite>,
    sql: &Statements,
    claims: &[super::Claim],
) -> Result<Vec<(i64, i64)>, InboxError> {
    use sqlx::Row as _;
    let pairs = json(
        &claims
            .iter()
            .map(|c| (c.id().0, c.token()))
            .collect::<Vec<_>>(),
    )?;
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(crate::inbox::database)?;
    let rows = sqlx::query(&sql.complete_batch)
        .bind(pairs)
        .fetch_all(&mut *tx)
        .await
        .map_err(crate::inbox::database)?;
    let mut done = Vec::with_capacity(rows.len());
    let mut attempts = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get(0).map_err(crate::inbox::database)?;
        done.push((id, row.try_get(1).map_err(crate::inbox::database)?));
        attempts.push((
            id,
            row.try_get::<i64, _>(2).map_err(crate::inbox::database)?,
        ));
    }
    if !attempts.is_empty() {
        let attempts = json(&attempts)?;
        for statement in &sql.trail.completed {
            sqlx::query(statement)
                .bind(&attempts)
                .execute(&mut *tx)
                .await
                .map_err(crate::inbox::database)?;
        }
    }
    tx.commit().await.map_err(crate::inbox::database)?;
    Ok(done)
}
