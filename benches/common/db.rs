//! The database under the console, for what the library does not do: the bulk copies, the
//! plans, and picking values to search for.
#![allow(dead_code)] // each user takes its own subset

use std::time::SystemTime;

use delivery_webhooks::inbox::ItemId;

use crate::plans;

/// Which database, for the SQL the fill and the plans need.
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    pub async fn run(&self, sql: &str, binds: &[i64]) -> u64 {
        match self {
            Raw::Sqlite(pool) => {
                let sql = sql.replace("$1", "?1").replace("$2", "?2");
                let mut q = sqlx::query(&sql);
                for b in binds {
                    q = q.bind(*b);
                }
                q.execute(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}: {sql}"))
                    .rows_affected()
            }
            Raw::Postgres(pool) => {
                let mut q = sqlx::query(sql);
                for b in binds {
                    q = q.bind(*b);
                }
                q.execute(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}: {sql}"))
                    .rows_affected()
            }
        }
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// The plan of `sql` with the values the timed call bound (its first parameters: the
    /// console's statements of one call take the same leading ones).
    pub async fn plan(&self, sql: &str, params: &[P]) -> Vec<String> {
        use sqlx::Row as _;
        let params = &params[..plans::parameters(sql).min(params.len())];
        match self {
            Raw::Sqlite(pool) => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let mut q = sqlx::query(&explain);
                for p in params {
                    q = match p {
                        P::I(i) => q.bind(*i),
                        P::T(t) => q.bind(t.clone()),
                        P::N => q.bind(None::<String>),
                    };
                }
                let rows = q
                    .fetch_all(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}: {sql}"));
                // (id, parent, notused, detail): indent each line under its parent.
                let mut depth: Vec<(i64, usize)> = Vec::new();
                rows.iter()
                    .map(|r| {
                        assert!(r.len() == 4, "{} columns for {explain}", r.len());
                        let (id, parent): (i64, i64) = (r.get(0), r.get(1));
                        let d = depth
                            .iter()
                            .find(|(i, _)| *i == parent)
                            .map_or(0, |(_, d)| d + 1);
                        depth.push((id, d));
                        format!("{}{}", "  ".repeat(d), r.get::<String, _>(3))
                    })
                    .collect()
            }
            Raw::Postgres(pool) => {
                let explain = format!("EXPLAIN {sql}");
                let mut q = sqlx::query(&explain);
                for p in params {
                    q = match p {
                        P::I(i) => q.bind(*i),
                        P::T(t) => q.bind(t.clone()),
                        P::N => q.bind(None::<String>),
                    };
                }
                let rows = q
                    .fetch_all(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}: {sql}"));
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
        }
    }
}

/// A value bound to a statement whose plan is shown.
#[derive(Clone, Debug)]
pub enum P {
    I(i64),
    T(String),
    /// NULL (as text: PostgreSQL casts it to the array a batch statement takes).
    N,
}

pub fn t(s: impl Into<String>) -> P {
    P::T(s.into())
}

/// The keyset a cursor holds: `(received_at, id)`.
pub fn keyset(cursor: &str) -> (i64, i64) {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.strip_prefix("c1.").unwrap())
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (at, id) = raw.split_once('.').unwrap();
    (at.parse().unwrap(), id.parse().unwrap())
}

pub fn ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub async fn begin(raw: &Raw) {
    raw.run("BEGIN", &[]).await;
}

pub async fn commit(raw: &Raw) {
    raw.run("COMMIT", &[]).await;
}

pub async fn payload_of(raw: &Raw, table: &str, id: ItemId) -> Vec<u8> {
    let sql = format!("SELECT payload FROM {table} WHERE id = {}", id.0);
    match raw {
        Raw::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        Raw::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
    }
}

pub async fn text_of(raw: &Raw, sql: &str) -> String {
    match raw {
        Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

pub async fn waybill_of(raw: &Raw, table: &str, id: i64) -> String {
    text_of(
        raw,
        &format!("SELECT value FROM {table}_ref WHERE item_id = {id} AND kind = 'waybill'"),
    )
    .await
}

pub async fn key_of(raw: &Raw, table: &str, id: i64) -> String {
    text_of(
        raw,
        &format!("SELECT dedup_key FROM {table} WHERE id = {id}"),
    )
    .await
}

pub async fn received_of(raw: &Raw, table: &str, id: i64) -> i64 {
    raw.scalar(&format!("SELECT received_at FROM {table} WHERE id = {id}"))
        .await
}
