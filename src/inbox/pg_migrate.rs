//! Opening a PostgreSQL inbox: its schema brought up to date under an advisory lock, and a check
//! that it can write.

use sqlx::{Pool, Postgres};

use super::InboxError;
use super::sql::Statements;

/// Brings the schema up to [`SCHEMA_VERSION`](super::schema::SCHEMA_VERSION) in one transaction, under an advisory lock so that
/// instances starting together migrate one at a time.
pub(super) async fn migrate(
    pool: &Pool<Postgres>,
    sql: &Statements,
    namespace: Option<&str>,
) -> Result<(), InboxError> {
    let mut tx = pool.begin().await.map_err(crate::inbox::database)?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(format!(
            "delivery-webhooks inbox {}",
            namespace.unwrap_or("")
        ))
        .execute(&mut *tx)
        .await
        .map_err(crate::inbox::database)?;
    if let Some(ns) = namespace {
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{ns}\""))
            .execute(&mut *tx)
            .await
            .map_err(crate::inbox::database)?;
    }
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {} (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        sql.version_table
    ))
    .execute(&mut *tx)
    .await
    .map_err(crate::inbox::database)?;
    let current: i64 = sqlx::query_scalar(&format!(
        "SELECT COALESCE(MAX(version), 0)::BIGINT FROM {}",
        sql.version_table
    ))
    .fetch_one(&mut *tx)
    .await
    .map_err(crate::inbox::database)?;
    let record = format!(
        "INSERT INTO {} (version, applied_at) VALUES ($1, $2)",
        sql.version_table
    );
    super::schema::apply_migrations!(tx, sql, current, record);
    super::trail::backfill_v3!(tx, sql, current);
    tx.commit().await.map_err(crate::inbox::database)?;
    Ok(())
}

/// Checks that the inbox can insert (a role without `INSERT`, a read-only replica or
/// `default_transaction_read_only`): one row in a transaction rolled back. The error names the
/// table, never the URL (it may hold a password).
pub(super) async fn probe(pool: &Pool<Postgres>, sql: &Statements) -> Result<(), InboxError> {
    let mut tx = pool.begin().await.map_err(crate::inbox::database)?;
    let inserted = sqlx::query(&sql.probe)
        .bind(Vec::<u8>::new())
        .execute(&mut *tx)
        .await;
    if let Err(err) = inserted {
        return Err(InboxError::NotWritable {
            location: sql.inbox.clone(),
            reason: err.to_string(),
        });
    }
    tx.rollback().await.map_err(crate::inbox::database)
}
