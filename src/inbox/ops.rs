//! The [`Inbox`](super::Inbox) methods both backends share word for word: each is one
//! statement (or two, for `fail`) from [`Statements`](super::sql::Statements), over the
//! backend's pool. `accept` (group commit) and the migrations are each backend's own.

/// Implements `Inbox` for `$ty`, whose `inner` has `pool`, `sql`, `options` and `batcher`.
macro_rules! impl_inbox {
    ($ty:ty) => {
        impl $crate::inbox::Inbox for $ty {
            async fn accept(
                &self,
                delivery: &$crate::any::AnyDelivery,
                raw: &$crate::inbox::RawDelivery,
            ) -> Result<$crate::inbox::Acceptance, $crate::inbox::InboxError> {
                let record = $crate::inbox::Record::new(delivery, raw)?;
                self.inner.batcher.accept(record).await
            }

            async fn claim(
                &self,
                n: usize,
                lease: std::time::Duration,
            ) -> Result<Vec<$crate::inbox::Item>, $crate::inbox::InboxError> {
                use $crate::inbox::{duration_ms, now_ms};
                let inner = &*self.inner;
                if n == 0 {
                    return Ok(Vec::new());
                }
                let now = now_ms();
                let rows = sqlx::query(&inner.sql.claim)
                    .bind(now.saturating_add(duration_ms(lease)))
                    .bind(now)
                    .bind(i64::try_from(n).unwrap_or(i64::MAX))
                    .fetch_all(&inner.pool)
                    .await?;
                let mut items = Vec::with_capacity(rows.len());
                for row in &rows {
                    let row = $crate::inbox::sql::read_row(row)?;
                    let id = row.id;
                    let outcome = if row.attempts > i64::from(inner.options.max_attempts) {
                        Err(format!(
                            "claimed {} times without an outcome (the worker crashed or \
                             outlived its lease each time)",
                            row.attempts - 1
                        ))
                    } else {
                        row.into_item()
                    };
                    match outcome {
                        Ok(item) => items.push(item),
                        Err(reason) => {
                            sqlx::query(&inner.sql.bury)
                                .bind(id)
                                .bind(reason)
                                .execute(&inner.pool)
                                .await?;
                        }
                    }
                }
                items.sort_by_key(|item| item.id);
                Ok(items)
            }

            async fn complete(
                &self,
                id: $crate::inbox::ItemId,
            ) -> Result<(), $crate::inbox::InboxError> {
                sqlx::query(&self.inner.sql.complete)
                    .bind(id.0)
                    .bind($crate::inbox::now_ms())
                    .execute(&self.inner.pool)
                    .await?;
                Ok(())
            }

            async fn fail(
                &self,
                id: $crate::inbox::ItemId,
                error: &str,
            ) -> Result<$crate::inbox::Failure, $crate::inbox::InboxError> {
                use $crate::inbox::{Failure, ItemState, duration_ms, from_ms, now_ms};
                let inner = &*self.inner;
                let attempts: Option<i64> = sqlx::query_scalar(&inner.sql.attempts)
                    .bind(id.0)
                    .fetch_optional(&inner.pool)
                    .await?;
                let Some(attempts) = attempts else {
                    return Ok(Failure::NotClaimed);
                };
                let (state, at, failure) = if attempts >= i64::from(inner.options.max_attempts) {
                    (ItemState::Dead, now_ms(), Failure::Dead)
                } else {
                    let delay = inner
                        .options
                        .retry_delay(u32::try_from(attempts).unwrap_or(u32::MAX));
                    let at = now_ms().saturating_add(duration_ms(delay));
                    (ItemState::Pending, at, Failure::RetryAt(from_ms(at)))
                };
                let done = sqlx::query(&inner.sql.fail)
                    .bind(id.0)
                    .bind(state.as_str())
                    .bind(at)
                    .bind(error)
                    .bind(attempts)
                    .execute(&inner.pool)
                    .await?;
                Ok(if done.rows_affected() == 0 {
                    Failure::NotClaimed
                } else {
                    failure
                })
            }

            async fn replay(
                &self,
                id: $crate::inbox::ItemId,
            ) -> Result<bool, $crate::inbox::InboxError> {
                let done = sqlx::query(&self.inner.sql.replay)
                    .bind(id.0)
                    .bind($crate::inbox::now_ms())
                    .execute(&self.inner.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn purge(
                &self,
                older_than: std::time::Duration,
            ) -> Result<u64, $crate::inbox::InboxError> {
                use $crate::inbox::{dedup_window, duration_ms, now_ms};
                let now = now_ms();
                let mut deleted = 0;
                for provider in $crate::delivery::Provider::ALL {
                    let done = sqlx::query(&self.inner.sql.purge)
                        .bind(now.saturating_sub(duration_ms(older_than)))
                        .bind(provider.as_str())
                        .bind(now.saturating_sub(duration_ms(dedup_window(provider))))
                        .execute(&self.inner.pool)
                        .await?;
                    deleted += done.rows_affected();
                }
                Ok(deleted)
            }

            async fn item(
                &self,
                id: $crate::inbox::ItemId,
            ) -> Result<Option<$crate::inbox::ItemInfo>, $crate::inbox::InboxError> {
                let row = sqlx::query(&self.inner.sql.item)
                    .bind(id.0)
                    .fetch_optional(&self.inner.pool)
                    .await?;
                Ok(row
                    .as_ref()
                    .map($crate::inbox::sql::read_info)
                    .transpose()?)
            }

            async fn stats(&self) -> Result<$crate::inbox::Stats, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                let rows = sqlx::query(&self.inner.sql.stats)
                    .fetch_all(&self.inner.pool)
                    .await?;
                let mut stats = $crate::inbox::Stats::default();
                for row in &rows {
                    let state: String = row.try_get(0)?;
                    let count: i64 = row.try_get(1)?;
                    stats.add(&state, count);
                }
                Ok(stats)
            }
        }
    };
}

pub(crate) use impl_inbox;
