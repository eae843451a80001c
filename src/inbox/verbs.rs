//! The operator verbs of both backends (feature `console`): replay, discard and expunge, each
//! counted and recorded in the audit table. Written once like `query_ops.rs`, whose statement
//! helpers (`q_sql`, `q_bind`) they use.

/// Implements the operator verbs for `$ty` (database `$db`); `impl_queries!` first.
macro_rules! impl_verbs {
    ($ty:ty, $db:ty) => {
        impl $ty {
            /// Records one verb in the audit table, in `tx`.
            async fn q_record(
                tx: &mut sqlx::Transaction<'_, $db>,
                sql: &str,
                verb: &str,
                target: &str,
                actor: &str,
                reason: Option<&str>,
                count: u64,
            ) -> Result<(), $crate::inbox::InboxError> {
                sqlx::query(sql)
                    .bind(verb)
                    .bind(target)
                    .bind(actor)
                    .bind(reason)
                    .bind(i64::try_from(count).unwrap_or(i64::MAX))
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::inbox::database)?;
                Ok(())
            }

            /// Replays every dead or completed item `filter` selects, one at a time (as
            /// [`Inbox::replay`](crate::inbox::Inbox::replay): an unreadable item or an
            /// announcement whose entity waits is left alone), as `actor`; recorded in the
            /// audit. How many were queued.
            pub(crate) async fn v_replay(
                &self,
                filter: &$crate::inbox::query::Filter,
                actor: &str,
                reason: Option<&str>,
            ) -> Result<u64, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::query::{Param, where_clause};
                use $crate::inbox::{ItemId, Replay, database};
                let mut queued = 0;
                let mut after = 0_i64;
                loop {
                    let mut params = Vec::new();
                    let mut sql = format!(
                        "SELECT id FROM {{inbox}} WHERE {} AND state IN ('dead', 'completed')",
                        where_clause(filter, "{inbox}", &mut params)
                    );
                    params.push(Param::Int(after));
                    sql.push_str(&format!(" AND id > ${} ORDER BY id LIMIT 500", params.len()));
                    let sql = self.q_sql(&sql);
                    let rows = Self::q_bind(&sql, &params)
                        .fetch_all(&self.inner.pool)
                        .await
                        .map_err(database)?;
                    if rows.is_empty() {
                        break;
                    }
                    for row in &rows {
                        after = row.try_get(0).map_err(database)?;
                        if self.replay_as(ItemId(after), actor).await? == Replay::Queued {
                            queued += 1;
                        }
                    }
                }
                let mut tx = self.inner.pool.begin().await.map_err(database)?;
                Self::q_record(
                    &mut tx,
                    &self.inner.sql.trail.audit,
                    "replay",
                    &filter.to_string(),
                    actor,
                    reason,
                    queued,
                )
                .await?;
                tx.commit().await.map_err(database)?;
                Ok(queued)
            }

            /// Marks every dead item `filter` selects that is not yet discarded as handled by
            /// `actor` for `reason`: it leaves the failure groups, and stays until retention
            /// deletes it. One transaction with its history and audit rows. How many.
            pub(crate) async fn v_discard(
                &self,
                filter: &$crate::inbox::query::Filter,
                actor: &str,
                reason: &str,
            ) -> Result<u64, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::query::{Param, where_clause};
                use $crate::inbox::database;
                let mut params = Vec::new();
                let clause = where_clause(filter, "{inbox}", &mut params);
                params.push(Param::Text(actor.to_owned()));
                params.push(Param::Text(reason.to_owned()));
                let (by, why) = (params.len() - 1, params.len());
                let sql = self.q_sql(&format!(
                    "UPDATE {{inbox}} SET handled_at = {{now}}, handled_by = ${by}, \
                     handled_reason = ${why} WHERE id IN (SELECT id FROM {{inbox}} WHERE {clause} \
                     AND state = 'dead' AND handled_at IS NULL) RETURNING id"
                ));
                let mut tx = self.inner.pool.begin().await.map_err(database)?;
                let rows = Self::q_bind(&sql, &params)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(database)?;
                for row in &rows {
                    sqlx::query(&self.inner.sql.trail.history)
                        .bind(row.try_get::<i64, _>(0).map_err(database)?)
                        .bind("handled")
                        .bind(actor)
                        .bind(None::<i64>)
                        .execute(&mut *tx)
                        .await
                        .map_err(database)?;
                }
                let count = rows.len() as u64;
                Self::q_record(
                    &mut tx,
                    &self.inner.sql.trail.audit,
                    "discard",
                    &filter.to_string(),
                    actor,
                    Some(reason),
                    count,
                )
                .await?;
                tx.commit().await.map_err(database)?;
                Ok(count)
            }

            /// Deletes every item carrying `reference`, whatever its state, with its
            /// references, attempts and history (the tables' cascade); the audit row names
            /// the reference's kind only. One transaction. How many items.
            pub(crate) async fn v_expunge(
                &self,
                reference: &$crate::inbox::query::Reference,
                actor: &str,
                reason: Option<&str>,
            ) -> Result<u64, $crate::inbox::InboxError> {
                use $crate::inbox::database;
                use $crate::inbox::query::{Filter, where_clause};
                let mut params = Vec::new();
                let filter = Filter::new().reference(reference.clone());
                let sql = self.q_sql(&format!(
                    "DELETE FROM {{inbox}} WHERE {}",
                    where_clause(&filter, "{inbox}", &mut params)
                ));
                let sqlite = self.inner.sql.dialect == $crate::inbox::sql::Dialect::Sqlite;
                if sqlite {
                    // The writer's one connection: the deleted rows are overwritten with
                    // zeros, not left in free pages.
                    sqlx::query("PRAGMA secure_delete = ON")
                        .execute(&self.inner.pool)
                        .await
                        .map_err(database)?;
                }
                let mut tx = self.inner.pool.begin().await.map_err(database)?;
                let done = Self::q_bind(&sql, &params)
                    .execute(&mut *tx)
                    .await
                    .map_err(database)?;
                let target = format!(
                    "{} (value not kept)",
                    reference
                        .field
                        .map_or("reference", $crate::inbox::query::RefField::as_str)
                );
                Self::q_record(
                    &mut tx,
                    &self.inner.sql.trail.audit,
                    "expunge",
                    &target,
                    actor,
                    reason,
                    done.rows_affected(),
                )
                .await?;
                tx.commit().await.map_err(database)?;
                if sqlite {
                    // And the -wal's copies of the old pages are dropped (a reader still in a
                    // transaction keeps them until the next checkpoint).
                    sqlx::raw_sql("PRAGMA secure_delete = OFF; PRAGMA wal_checkpoint(TRUNCATE)")
                        .execute(&self.inner.pool)
                        .await
                        .map_err(database)?;
                }
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_verbs;
