//! The operator queries of both backends (feature `console`; the verbs are in `verbs.rs`),
//! written once over [`Statements`](super::sql::Statements) like `ops.rs`; `console::Console`
//! is their public face.

/// Implements the operator queries for `$ty` (database `$db`), whose `inner` has
/// `pool`, `readers` and `sql`.
macro_rules! impl_queries {
    ($ty:ty, $db:ty) => {
        /// The columns of an [`ItemSummary`](crate::inbox::query::ItemSummary), in order.
        const SUMMARY: &str = "id, provider, dedup_key, state, attempts, received_at, \
             last_error, CAST(CASE WHEN handled_at IS NULL THEN 0 ELSE 1 END AS BIGINT)";

        impl $ty {
            /// `sql` with `{inbox}` filled in and `$n` as the dialect writes parameters.
            fn q_sql(&self, sql: &str) -> String {
                let sql = sql
                    .replace("{inbox}", &self.inner.sql.inbox)
                    .replace("{now}", self.inner.sql.now);
                match self.inner.sql.dialect {
                    $crate::inbox::sql::Dialect::Sqlite => sql.replace('$', "?"),
                    $crate::inbox::sql::Dialect::Postgres => sql,
                }
            }

            /// `sql` (from [`q_sql`](Self::q_sql)) with `params` bound in order.
            fn q_bind<'q>(
                sql: &'q str,
                params: &[$crate::inbox::query::Param],
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                use $crate::inbox::query::Param;
                let mut query = sqlx::query(sql);
                for param in params {
                    query = match param {
                        Param::Int(i) => query.bind(*i),
                        Param::Text(t) => query.bind(t.clone()),
                    };
                }
                query
            }

            /// The items `filter` selects, newest first (by `received_at`, then id), after the
            /// keyset `after` (`(received_at, id)` of the last item of the page before).
            pub(crate) async fn q_list(
                &self,
                filter: &$crate::inbox::query::Filter,
                after: Option<(i64, i64)>,
                limit: u32,
            ) -> Result<Vec<$crate::inbox::query::ItemSummary>, $crate::inbox::InboxError> {
                let (sql, params) = $crate::inbox::query_ops::list_sql(SUMMARY, filter, after, limit);
                let sql = self.q_sql(&sql);
                let rows = Self::q_bind(&sql, &params)
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err($crate::inbox::database)?;
                rows.iter()
                    .map($crate::inbox::query_ops::read_summary)
                    .collect::<Result<_, _>>()
                    .map_err($crate::inbox::database)
            }

            /// One item in full, `None` if there is none.
            pub(crate) async fn q_item(
                &self,
                id: $crate::inbox::ItemId,
            ) -> Result<Option<$crate::inbox::query::ItemRecord>, $crate::inbox::InboxError>
            {
                use sqlx::Row as _;
                use $crate::inbox::database;
                use $crate::inbox::query::{Attempt, Handled, ItemRecord, RefField, StateChange};
                let readers = &self.inner.readers;
                let sql = self.q_sql(&format!(
                    "SELECT {SUMMARY}, method, uri, peer, headers, body, handled_at, handled_by, \
                     handled_reason FROM {{inbox}} WHERE id = $1"
                ));
                let Some(row) = sqlx::query(&sql)
                    .bind(id.0)
                    .fetch_optional(readers)
                    .await
                    .map_err(database)?
                else {
                    return Ok(None);
                };
                let summary = $crate::inbox::query_ops::read_summary(&row).map_err(database)?;
                let headers: String = row.try_get(11).map_err(database)?;
                let headers: Vec<(String, String)> =
                    serde_json::from_str(&headers).unwrap_or_default();
                let handled_at: Option<i64> = row.try_get(13).map_err(database)?;
                let handled = match handled_at {
                    Some(at) => Some(Handled {
                        at: $crate::inbox::from_ms(at),
                        by: row
                            .try_get::<Option<String>, _>(14)
                            .map_err(database)?
                            .unwrap_or_default(),
                        reason: row
                            .try_get::<Option<String>, _>(15)
                            .map_err(database)?
                            .unwrap_or_default(),
                    }),
                    None => None,
                };
                let sql = self.q_sql(
                    "SELECT kind, value FROM {inbox}_ref WHERE item_id = $1 ORDER BY kind, value",
                );
                let mut references = Vec::new();
                for r in sqlx::query(&sql)
                    .bind(id.0)
                    .fetch_all(readers)
                    .await
                    .map_err(database)?
                {
                    let kind: String = r.try_get(0).map_err(database)?;
                    if let Some(field) = RefField::parse(&kind) {
                        references.push((field, r.try_get(1).map_err(database)?));
                    }
                }
                references.sort();
                let sql = self.q_sql(
                    "SELECT attempt, at, outcome, error FROM {inbox}_attempt \
                     WHERE item_id = $1 ORDER BY id",
                );
                let mut attempts = Vec::new();
                for r in sqlx::query(&sql)
                    .bind(id.0)
                    .fetch_all(readers)
                    .await
                    .map_err(database)?
                {
                    attempts.push(Attempt {
                        attempt: u32::try_from(r.try_get::<i64, _>(0).map_err(database)?)
                            .unwrap_or(0),
                        at: $crate::inbox::from_ms(r.try_get(1).map_err(database)?),
                        outcome: r.try_get(2).map_err(database)?,
                        error: r.try_get(3).map_err(database)?,
                    });
                }
                let sql = self.q_sql(
                    "SELECT state, at, actor FROM {inbox}_history WHERE item_id = $1 ORDER BY id",
                );
                // The first change is the receiver's, at `received_at`: since schema 4 it is
                // not stored (one row and two index entries less per accept); a row stored by
                // an older version says the same and is skipped.
                let mut history = vec![StateChange {
                    state: "pending".to_owned(),
                    at: summary.received_at,
                    actor: "receiver".to_owned(),
                }];
                for r in sqlx::query(&sql)
                    .bind(id.0)
                    .fetch_all(readers)
                    .await
                    .map_err(database)?
                {
                    let (state, actor): (String, String) =
                        (r.try_get(0).map_err(database)?, r.try_get(2).map_err(database)?);
                    if history.len() == 1 && state == "pending" && actor == "receiver" {
                        continue;
                    }
                    history.push(StateChange {
                        state,
                        at: $crate::inbox::from_ms(r.try_get(1).map_err(database)?),
                        actor,
                    });
                }
                Ok(Some(ItemRecord {
                    summary,
                    method: row.try_get(8).map_err(database)?,
                    uri: row.try_get(9).map_err(database)?,
                    peer: row.try_get(10).map_err(database)?,
                    headers,
                    body: row.try_get(12).map_err(database)?,
                    references,
                    attempts,
                    history,
                    handled,
                }))
            }

            /// Every item carrying `reference` (at most `limit`, oldest first), each with its
            /// delivery rebuilt from the stored body (or why it cannot be).
            pub(crate) async fn q_deliveries(
                &self,
                reference: &$crate::inbox::query::Reference,
                limit: u32,
            ) -> Result<
                Vec<(
                    $crate::inbox::ItemId,
                    String,
                    std::time::SystemTime,
                    Result<$crate::any::AnyDelivery, String>,
                )>,
                $crate::inbox::InboxError,
            > {
                use $crate::inbox::query::{Filter, Param, where_clause};
                let mut params = Vec::new();
                let filter = Filter::new().reference(reference.clone());
                let mut sql = format!(
                    "SELECT {} FROM {{inbox}} WHERE {}",
                    $crate::inbox::sql::COLUMNS.join(", "),
                    where_clause(&filter, "{inbox}", &mut params)
                );
                params.push(Param::Int(i64::from(limit)));
                sql.push_str(&format!(
                    " ORDER BY received_at, id LIMIT ${}",
                    params.len()
                ));
                let sql = self.q_sql(&sql);
                let rows = Self::q_bind(&sql, &params)
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err($crate::inbox::database)?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    let (stored, _) =
                        $crate::inbox::sql::read_row(row).map_err($crate::inbox::database)?;
                    let (id, provider) = ($crate::inbox::ItemId(stored.id), stored.provider.clone());
                    let at = $crate::inbox::from_ms(stored.received_at);
                    out.push((id, provider, at, stored.into_item().map(|i| i.delivery)));
                }
                Ok(out)
            }

            /// The dead items not discarded, grouped by provider and cause, the largest group
            /// first.
            pub(crate) async fn q_failures(
                &self,
                provider: Option<$crate::delivery::Provider>,
            ) -> Result<Vec<$crate::inbox::query::FailureGroup>, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::{ItemId, database, from_ms};
                let sql = self.q_sql(
                    "SELECT provider, cause, COUNT(*), MIN(dead_at), MAX(dead_at), MAX(id) \
                     FROM {inbox} WHERE state = 'dead' AND handled_at IS NULL \
                     AND ($1 = '' OR provider = $1) \
                     GROUP BY provider, cause ORDER BY COUNT(*) DESC, provider, cause",
                );
                let rows = sqlx::query(&sql)
                    .bind(provider.map_or("", |p| p.as_str()))
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err(database)?;
                let mut groups = Vec::with_capacity(rows.len());
                for row in &rows {
                    groups.push($crate::inbox::query::FailureGroup {
                        provider: row.try_get(0).map_err(database)?,
                        cause: row
                            .try_get::<Option<String>, _>(1)
                            .map_err(database)?
                            .unwrap_or_default(),
                        count: u64::try_from(row.try_get::<i64, _>(2).map_err(database)?)
                            .unwrap_or(0),
                        first_seen: from_ms(
                            row.try_get::<Option<i64>, _>(3)
                                .map_err(database)?
                                .unwrap_or(0),
                        ),
                        last_seen: from_ms(
                            row.try_get::<Option<i64>, _>(4)
                                .map_err(database)?
                                .unwrap_or(0),
                        ),
                        latest: ItemId(row.try_get(5).map_err(database)?),
                    });
                }
                Ok(groups)
            }

            /// Runs one of the overview's statements ([`overview_depth`], [`OVERVIEW_PROVIDERS`],
            /// [`overview_line`]): each row a text and integers (NULL read as `None`). A statement
            /// with a `{provider}` placeholder runs once per name in `providers`, as one
            /// `UNION ALL`: the names are written into it as string literals (stored names, read
            /// back from the inbox or this build's), quoted after `{inbox}` and `{now}` are filled
            /// in, so nothing in a name is read as SQL or as a parameter.
            ///
            /// [`overview_depth`]: crate::inbox::query_ops::overview_depth
            /// [`OVERVIEW_PROVIDERS`]: crate::inbox::query_ops::OVERVIEW_PROVIDERS
            /// [`overview_line`]: crate::inbox::query_ops::overview_line
            pub(crate) async fn q_counts(
                &self,
                sql: &str,
                providers: &[String],
            ) -> Result<Vec<(String, Vec<Option<i64>>)>, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::database;
                let filled = self.q_sql(sql);
                let sql = if filled.contains("{provider}") {
                    if providers.is_empty() {
                        return Ok(Vec::new());
                    }
                    providers
                        .iter()
                        .map(|p| filled.replace("{provider}", &format!("'{}'", p.replace('\'', "''"))))
                        .collect::<Vec<_>>()
                        .join(" UNION ALL ")
                } else {
                    filled
                };
                let rows = sqlx::query(&sql)
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err(database)?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut numbers = Vec::with_capacity(row.len() - 1);
                    for i in 1..row.len() {
                        numbers.push(row.try_get::<Option<i64>, _>(i).map_err(database)?);
                    }
                    out.push((row.try_get(0).map_err(database)?, numbers));
                }
                Ok(out)
            }

            /// The newest `limit` audit rows, newest first.
            pub(crate) async fn q_audit(
                &self,
                limit: u32,
            ) -> Result<Vec<$crate::inbox::query::AuditEntry>, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::database;
                let sql = self.q_sql(
                    "SELECT verb, target, actor, reason, at, count FROM {inbox}_audit \
                     ORDER BY id DESC LIMIT $1",
                );
                let rows = sqlx::query(&sql)
                    .bind(i64::from(limit))
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err(database)?;
                let mut entries = Vec::with_capacity(rows.len());
                for row in &rows {
                    entries.push($crate::inbox::query::AuditEntry {
                        verb: row.try_get(0).map_err(database)?,
                        target: row.try_get(1).map_err(database)?,
                        actor: row.try_get(2).map_err(database)?,
                        reason: row.try_get(3).map_err(database)?,
                        at: $crate::inbox::from_ms(row.try_get(4).map_err(database)?),
                        count: u64::try_from(row.try_get::<i64, _>(5).map_err(database)?)
                            .unwrap_or(0),
                    });
                }
                Ok(entries)
            }
        }
    };
}

pub(crate) use impl_queries;

/// A count of the rows `condition` selects, stopped at `limit` rows: a `LIMIT` under the
/// `COUNT`, so the database reads at most `limit` entries of the index the condition seeks,
/// however many rows match (`console::Console::overview`'s bounded counts).
fn bounded(condition: &str, limit: u64) -> String {
    format!("(SELECT COUNT(*) FROM (SELECT 1 FROM {{inbox}} WHERE {condition} LIMIT {limit}) AS n)")
}

/// Not discarded dead letters: the partial `_cause` index's condition.
const DEAD: &str = "state = 'dead' AND handled_at IS NULL";
/// Waiting or running after a failed attempt: the partial `_retrying` index's condition.
const RETRYING: &str = "state IN ('pending', 'claimed') AND last_error IS NOT NULL";

/// The overview's depth, each count stopped at `limit` rows: rows `pending`, `claimed` and
/// `dead` (every dead letter, discarded or not, as `Inbox::depth` counts them), each read over
/// an index on `state`; and `oldest`, the wait of the due pending item that waited longest
/// (the first entry of the partial `_pending` index; NULL when none waits). `state IN
/// ('pending', 'claimed')` beside `state = …` lets SQLite use the partial `_due` index, whose
/// condition it must find written in the query.
pub(crate) fn overview_depth(limit: u64) -> String {
    format!(
        "SELECT 'pending', {} UNION ALL SELECT 'claimed', {} UNION ALL SELECT 'dead', {} \
         UNION ALL SELECT 'oldest', (SELECT CAST({{now}} - MIN(available_at) AS BIGINT) \
         FROM {{inbox}} WHERE state IN ('pending', 'claimed') AND state = 'pending' \
         AND available_at <= {{now}})",
        bounded(
            "state IN ('pending', 'claimed') AND state = 'pending'",
            limit
        ),
        bounded(
            "state IN ('pending', 'claimed') AND state = 'claimed'",
            limit
        ),
        bounded("state = 'dead'", limit),
    )
}

/// Every provider with dead letters not discarded (one text per row): a skip scan of the
/// `_cause` index, one probe per provider (the next name after the last one found), not a read
/// of their entries. The overview shows these besides the providers this build knows: an item
/// of a provider this build cannot read fails until it is dead, and shows then. (Not the
/// providers of items retrying: on SQLite the same skip scan over the `_retrying` index sorted
/// every entry of a state for each probe.)
pub(crate) const OVERVIEW_PROVIDERS: &str = "WITH RECURSIVE \
    d(provider) AS (SELECT (SELECT provider FROM {inbox} WHERE state = 'dead' \
        AND handled_at IS NULL ORDER BY provider LIMIT 1) \
      UNION ALL SELECT (SELECT provider FROM {inbox} WHERE state = 'dead' \
        AND handled_at IS NULL AND provider > d.provider ORDER BY provider LIMIT 1) \
      FROM d WHERE d.provider IS NOT NULL) \
    SELECT provider FROM d WHERE provider IS NOT NULL";

/// One provider's line of the overview (`{provider}` its name as a string literal), each count
/// stopped at `limit`: its not discarded dead letters (the `_cause` index), their distinct
/// causes, its items retrying (the `_retrying` index), its deliveries received in the last 5
/// minutes and the last hour (the `(provider, received_at, id)` index). The causes are counted
/// by a skip scan of the `_cause` index: one probe per distinct cause (the next cause after the
/// last one found), not a read of every dead letter with a `COUNT(DISTINCT …)`.
pub(crate) fn overview_line(limit: u64) -> String {
    let dead = format!("{DEAD} AND provider = {{provider}}");
    format!(
        "SELECT {{provider}}, {}, \
         (WITH RECURSIVE c(cause, n) AS (\
         SELECT (SELECT cause FROM {{inbox}} WHERE {dead} AND cause IS NOT NULL \
         ORDER BY cause LIMIT 1), 1 \
         UNION ALL SELECT (SELECT cause FROM {{inbox}} WHERE {dead} AND cause > c.cause \
         ORDER BY cause LIMIT 1), c.n + 1 FROM c WHERE c.cause IS NOT NULL AND c.n < {limit}) \
         SELECT CAST(COUNT(cause) AS BIGINT) FROM c), {}, {}, {}",
        bounded(&dead, limit),
        bounded(&format!("{RETRYING} AND provider = {{provider}}"), limit),
        bounded(
            "provider = {provider} AND received_at >= {now} - 300000",
            limit
        ),
        bounded(
            "provider = {provider} AND received_at >= {now} - 3600000",
            limit
        ),
    )
}

/// Every statement of the overview with `limit`, for the plan tests.
#[cfg(test)]
pub(crate) fn overview_all(limit: u64) -> [String; 3] {
    [
        overview_depth(limit),
        OVERVIEW_PROVIDERS.to_owned(),
        overview_line(limit),
    ]
}

/// The list statement (`$n` parameters, `{inbox}` unfilled) selecting `columns` and its
/// parameters: `filter`, after the keyset `after`, newest first, `limit` rows.
pub(crate) fn list_sql(
    columns: &str,
    filter: &super::query::Filter,
    after: Option<(i64, i64)>,
    limit: u32,
) -> (String, Vec<super::query::Param>) {
    use super::query::{Param, where_clause};
    let mut params = Vec::new();
    let mut sql = format!(
        "SELECT {columns} FROM {{inbox}} WHERE {}",
        where_clause(filter, "{inbox}", &mut params)
    );
    if let Some((at, id)) = after {
        params.push(Param::Int(at));
        params.push(Param::Int(id));
        let (a, i) = (params.len() - 1, params.len());
        sql.push_str(&format!(
            // A row comparison, not `received_at < a OR (received_at = a AND id < i)`:
            // PostgreSQL seeks the `(…, received_at, id)` index to it, where the `OR` had it
            // walk every newer entry (a page half-way down a million items took 589 ms).
            " AND (received_at, id) < (${a}, ${i})"
        ));
    }
    params.push(Param::Int(i64::from(limit)));
    sql.push_str(&format!(
        " ORDER BY received_at DESC, id DESC LIMIT ${}",
        params.len()
    ));
    (sql, params)
}

/// Reads an [`ItemSummary`](super::query::ItemSummary) from the first 8 columns
/// (`SUMMARY`).
pub(crate) fn read_summary<R>(row: &R) -> Result<super::query::ItemSummary, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get(3)?;
    Ok(super::query::ItemSummary {
        id: super::ItemId(row.try_get(0)?),
        provider: row.try_get(1)?,
        dedup_key: row.try_get(2)?,
        state: super::ItemState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown inbox state {state:?}").into()))?,
        attempts: u32::try_from(row.try_get::<i64, _>(4)?).unwrap_or(u32::MAX),
        received_at: super::from_ms(row.try_get(5)?),
        last_error: row.try_get::<Option<String>, _>(6)?,
        handled: row.try_get::<i64, _>(7)? != 0,
    })
}
