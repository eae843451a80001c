//! The [`Inbox`](super::Inbox) methods both backends share word for word: each is one
//! statement from [`Statements`](super::sql::Statements), over the backend's pool. `accept`
//! (group commit) and the migrations are each backend's own.

/// Implements `Inbox` for `$ty`, whose `inner` has `pool` (writes), `readers` (reads: `item`,
/// `stats`, `depth`, replay's look), `sql`, `options` and `batcher`, and which has an
/// `async fn checkpoint(&self)` (its upkeep after `retain`).
macro_rules! impl_inbox {
    ($ty:ty, $db:ty) => {
        impl $ty {
            /// Fails a claim with `error` (the dead letters after `max_attempts`; at once with
            /// `dead_now`; due no sooner than `at_least` from now), checking its fencing token.
            async fn fail_claim(
                &self,
                claim: $crate::inbox::Claim,
                error: &str,
                dead_now: bool,
                at_least: std::time::Duration,
            ) -> Result<$crate::inbox::Failure, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::{Failure, InboxError, ItemState, duration_ms, from_ms};
                let inner = &*self.inner;
                let dead_after = if dead_now {
                    0
                } else {
                    i64::from(inner.options.max_attempts)
                };
                let delay = inner
                    .options
                    .retry_delay(
                        claim.attempt(),
                        u64::try_from(claim.id().0).unwrap_or_default(),
                    )
                    .max(at_least.min($crate::outcome::MAX_RETRY_AFTER));
                // The outcome, the attempt and the change of state: one transaction.
                let mut tx = inner.pool.begin().await.map_err($crate::inbox::database)?;
                let row = sqlx::query(&inner.sql.fail)
                    .bind(claim.id().0)
                    .bind(claim.token())
                    .bind(dead_after)
                    .bind(duration_ms(delay))
                    .bind(error)
                    .bind($crate::inbox::trail::cause(error))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err($crate::inbox::database)?;
                let Some(row) = row else {
                    return Err(InboxError::LeaseLost {
                        id: claim.id(),
                        token: claim.token(),
                    });
                };
                let state: String = row.try_get(0).map_err($crate::inbox::database)?;
                let dead = state == ItemState::Dead.as_str();
                let outcome = if dead { "dead" } else { "failed" };
                self.record_attempt(&mut tx, claim, outcome, Some(error), &state)
                    .await?;
                tx.commit().await.map_err($crate::inbox::database)?;
                Ok(if dead {
                    Failure::Dead
                } else {
                    Failure::RetryAt(from_ms(row.try_get(1).map_err($crate::inbox::database)?))
                })
            }

            /// Records one attempt of `claim` (its `outcome` and `error`) and the state it
            /// left the item in (`actor` `worker`), inside `tx`.
            async fn record_attempt<'c>(
                &self,
                tx: &mut sqlx::Transaction<'c, $db>,
                claim: $crate::inbox::Claim,
                outcome: &str,
                error: Option<&str>,
                state: &str,
            ) -> Result<(), $crate::inbox::InboxError> {
                let trail = &self.inner.sql.trail;
                sqlx::query(&trail.attempt)
                    .bind(claim.id().0)
                    .bind(i64::from(claim.attempt()))
                    .bind(outcome)
                    .bind(error)
                    .bind(None::<i64>)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::inbox::database)?;
                sqlx::query(&trail.history)
                    .bind(claim.id().0)
                    .bind(state)
                    .bind("worker")
                    .bind(None::<i64>)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::inbox::database)?;
                Ok(())
            }

            /// Runs a purge statement (`sql.purge` or `sql.purge_dead`) for every provider, in
            /// batches, until nothing older than `older_than` and outside the provider's dedup
            /// window is left. Each batch is sized to hold the writer about
            /// `PURGE_STATEMENT_TARGET` (`next_purge_rows`), and after each full batch it waits
            /// as long as the batch took: the writer (SQLite's one, PostgreSQL's pool and disk)
            /// is free for accepts at least half the time, and never held long, so a backlog of
            /// a million rows does not hold up the receiver (`docs/performance.md`, "The inbox
            /// at ten million items").
            async fn purge_where(
                &self,
                statement: &str,
                older_than: std::time::Duration,
            ) -> Result<u64, $crate::inbox::InboxError> {
                use $crate::inbox::{dedup_window, duration_ms};
                let batch = self.inner.options.purge_batch;
                let mut rows = batch;
                let mut deleted = 0;
                for provider in $crate::delivery::Provider::ALL {
                    loop {
                        let started = std::time::Instant::now();
                        let done = sqlx::query(statement)
                            .bind(duration_ms(older_than))
                            .bind(provider.as_str())
                            .bind(duration_ms(dedup_window(provider)))
                            .bind(i64::try_from(rows).unwrap_or(i64::MAX))
                            .execute(&self.inner.pool)
                            .await
                            .map_err($crate::inbox::database)?;
                        deleted += done.rows_affected();
                        if done.rows_affected() < rows as u64 {
                            break;
                        }
                        let took = started.elapsed();
                        rows = $crate::inbox::options::next_purge_rows(rows, took, batch);
                        tokio::time::sleep(took).await;
                    }
                }
                Ok(deleted)
            }

            /// Sends item `id` round again if it is dead or completed (and no announcement of
            /// its entity waits), recording the change of state by `actor`: whether it did.
            async fn replay_row(
                &self,
                id: $crate::inbox::ItemId,
                actor: &str,
            ) -> Result<bool, $crate::inbox::InboxError> {
                let inner = &*self.inner;
                let mut tx = inner.pool.begin().await.map_err($crate::inbox::database)?;
                let done = sqlx::query(&inner.sql.replay)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::inbox::database)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                sqlx::query(&inner.sql.trail.history)
                    .bind(id.0)
                    .bind("pending")
                    .bind(actor)
                    .bind(None::<i64>)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::inbox::database)?;
                self.announce(&mut tx).await?;
                tx.commit().await.map_err($crate::inbox::database)?;
                inner.wake.ring();
                Ok(true)
            }

            /// [`Inbox::replay`], the change of state recorded as made by `actor`.
            #[cfg_attr(not(feature = "console"), allow(dead_code))]
            pub(crate) async fn replay_as(
                &self,
                id: $crate::inbox::ItemId,
                actor: &str,
            ) -> Result<$crate::inbox::Replay, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                use $crate::inbox::{ItemState, Replay};
                let inner = &*self.inner;
                let Some(row) = sqlx::query(&inner.sql.row)
                    .bind(id.0)
                    .fetch_optional(&inner.readers)
                    .await
                    .map_err($crate::inbox::database)?
                else {
                    return Ok(Replay::NotFound);
                };
                let state: String = row.try_get(14).map_err($crate::inbox::database)?;
                match ItemState::parse(&state) {
                    Some(state @ (ItemState::Pending | ItemState::Claimed)) => {
                        return Ok(Replay::NotFinished(state));
                    }
                    _ => {}
                }
                let (stored, _) =
                    $crate::inbox::sql::read_row(&row).map_err($crate::inbox::database)?;
                if let Some(reason) = stored.into_item().err() {
                    return Ok(Replay::Unreadable(reason));
                }
                let done = self.replay_row(id, actor).await?;
                Ok(if done {
                    Replay::Queued
                } else {
                    // Not pending, not claimed, readable: what stops it is a waiting
                    // announcement of the same entity (or a concurrent replay did it first).
                    let announce: i64 = row.try_get(15).map_err($crate::inbox::database)?;
                    if announce == 1 {
                        Replay::Coalesced
                    } else {
                        Replay::NotFinished(ItemState::Pending)
                    }
                })
            }

            /// `Ok` if a fenced write changed its row, [`LeaseLost`] if not.
            fn fenced(
                claim: $crate::inbox::Claim,
                rows_affected: u64,
            ) -> Result<(), $crate::inbox::InboxError> {
                if rows_affected == 0 {
                    Err($crate::inbox::InboxError::LeaseLost {
                        id: claim.id(),
                        token: claim.token(),
                    })
                } else {
                    Ok(())
                }
            }
        }

        impl $crate::inbox::Inbox for $ty {
            async fn accept(
                &self,
                delivery: &$crate::any::AnyDelivery,
                raw: &$crate::owned::OwnedRequest,
            ) -> Result<$crate::inbox::Acceptance, $crate::inbox::InboxError> {
                // Checked before the copy: a handshake costs nothing.
                if delivery.reply().holds_secret() {
                    return Ok($crate::inbox::Acceptance::NotStored);
                }
                self.accept_owned(delivery, raw.clone()).await
            }

            async fn accept_owned(
                &self,
                delivery: &$crate::any::AnyDelivery,
                raw: $crate::owned::OwnedRequest,
            ) -> Result<$crate::inbox::Acceptance, $crate::inbox::InboxError> {
                // The rule lives here, not in the adapters, so that it holds for every caller.
                if delivery.reply().holds_secret() {
                    return Ok($crate::inbox::Acceptance::NotStored);
                }
                let mut record = $crate::inbox::Record::new(delivery, raw)?;
                record.received_at = record
                    .received_at
                    .saturating_add(self.inner.options.clock_skew_ms);
                let entry = $crate::inbox::Entry::new(record, delivery);
                self.inner.batcher.accept(entry).await
            }

            async fn claim(
                &self,
                n: usize,
                lease: std::time::Duration,
            ) -> Result<Vec<$crate::inbox::Item>, $crate::inbox::InboxError> {
                use $crate::inbox::{Claim, ItemId, duration_ms};
                let inner = &*self.inner;
                if n == 0 {
                    return Ok(Vec::new());
                }
                let rows = sqlx::query(&inner.sql.claim)
                    .bind(duration_ms(lease))
                    .bind(i64::try_from(n).unwrap_or(i64::MAX))
                    .fetch_all(&inner.pool)
                    .await
                    .map_err($crate::inbox::database)?;
                let mut items = Vec::with_capacity(rows.len());
                for row in &rows {
                    let (row, token) =
                        $crate::inbox::sql::read_row(row).map_err($crate::inbox::database)?;
                    let claim = Claim::new(ItemId(row.id), token, row.attempts);
                    if row.attempts > i64::from(inner.options.max_attempts) {
                        let reason = format!(
                            "claimed {} times without an outcome (the worker crashed or \
                             outlived its lease each time)",
                            row.attempts - 1
                        );
                        // Another claim may have taken it meanwhile: then it is not ours to bury.
                        match self
                            .fail_claim(claim, &reason, true, std::time::Duration::ZERO)
                            .await
                        {
                            Ok(_) | Err($crate::inbox::InboxError::LeaseLost { .. }) => {}
                            Err(err) => return Err(err),
                        }
                        continue;
                    }
                    match row.into_item() {
                        Ok(mut item) => {
                            item.claim = claim;
                            items.push(item);
                        }
                        Err(reason) => {
                            // Another build (older or newer) may read it: back off like any
                            // failure, and bury it only after the whole horizon.
                            let reason = format!("cannot rebuild the stored delivery: {reason}");
                            match self
                                .fail_claim(claim, &reason, false, std::time::Duration::ZERO)
                                .await
                            {
                                Ok(_) | Err($crate::inbox::InboxError::LeaseLost { .. }) => {}
                                Err(err) => return Err(err),
                            }
                        }
                    }
                }
                items.sort_by_key(|item| item.id);
                Ok(items)
            }

            async fn extend(
                &self,
                claim: $crate::inbox::Claim,
                lease: std::time::Duration,
            ) -> Result<(), $crate::inbox::InboxError> {
                let done = sqlx::query(&self.inner.sql.extend)
                    .bind(claim.id().0)
                    .bind(claim.token())
                    .bind($crate::inbox::duration_ms(lease))
                    .execute(&self.inner.pool)
                    .await
                    .map_err($crate::inbox::database)?;
                Self::fenced(claim, done.rows_affected())
            }

            async fn complete(
                &self,
                claim: $crate::inbox::Claim,
            ) -> Result<(), $crate::inbox::InboxError> {
                let mut tx = self
                    .inner
                    .pool
                    .begin()
                    .await
                    .map_err($crate::inbox::database)?;
                let done = sqlx::query(&self.inner.sql.complete)
                    .bind(claim.id().0)
                    .bind(claim.token())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::inbox::database)?;
                Self::fenced(claim, done.rows_affected())?;
                self.record_attempt(&mut tx, claim, "completed", None, "completed")
                    .await?;
                tx.commit().await.map_err($crate::inbox::database)
            }

            async fn complete_batch(
                &self,
                claims: &[$crate::inbox::Claim],
            ) -> Result<Vec<Result<(), $crate::inbox::InboxError>>, $crate::inbox::InboxError> {
                if claims.is_empty() {
                    return Ok(Vec::new());
                }
                // The backend's one transaction: the (id, token) pairs it completed.
                let done: std::collections::HashSet<(i64, i64)> =
                    self.complete_claims(claims).await?.into_iter().collect();
                Ok(claims
                    .iter()
                    .map(|claim| {
                        let held = done.contains(&(claim.id().0, claim.token()));
                        Self::fenced(*claim, u64::from(held))
                    })
                    .collect())
            }

            async fn fail(
                &self,
                claim: $crate::inbox::Claim,
                error: &str,
            ) -> Result<$crate::inbox::Failure, $crate::inbox::InboxError> {
                self.fail_claim(claim, error, false, std::time::Duration::ZERO)
                    .await
            }

            async fn fail_with(
                &self,
                claim: $crate::inbox::Claim,
                error: &str,
                retry: $crate::outcome::Retry,
            ) -> Result<$crate::inbox::Failure, $crate::inbox::InboxError> {
                use $crate::outcome::Retry;
                match retry {
                    Retry::Never => {
                        self.fail_claim(claim, error, true, std::time::Duration::ZERO)
                            .await
                    }
                    Retry::After(wait) => self.fail_claim(claim, error, false, wait).await,
                    _ => {
                        self.fail_claim(claim, error, false, std::time::Duration::ZERO)
                            .await
                    }
                }
            }

            async fn release(
                &self,
                claim: $crate::inbox::Claim,
            ) -> Result<(), $crate::inbox::InboxError> {
                let done = sqlx::query(&self.inner.sql.release)
                    .bind(claim.id().0)
                    .bind(claim.token())
                    .execute(&self.inner.pool)
                    .await
                    .map_err($crate::inbox::database)?;
                self.inner.wake.ring();
                Self::fenced(claim, done.rows_affected())
            }

            async fn replay(
                &self,
                id: $crate::inbox::ItemId,
            ) -> Result<$crate::inbox::Replay, $crate::inbox::InboxError> {
                self.replay_as(id, "replay").await
            }

            async fn purge(
                &self,
                older_than: std::time::Duration,
            ) -> Result<u64, $crate::inbox::InboxError> {
                self.purge_where(&self.inner.sql.purge, older_than).await
            }

            async fn retain(&self) -> Result<u64, $crate::inbox::InboxError> {
                let options = &self.inner.options;
                let completed = self
                    .purge_where(&self.inner.sql.purge, options.keep_completed)
                    .await?;
                let dead = self
                    .purge_where(&self.inner.sql.purge_dead, options.keep_dead)
                    .await?;
                // The backend's own upkeep (SQLite: truncate the -wal).
                self.checkpoint().await?;
                Ok(completed + dead)
            }

            async fn item(
                &self,
                id: $crate::inbox::ItemId,
            ) -> Result<Option<$crate::inbox::ItemInfo>, $crate::inbox::InboxError> {
                let row = sqlx::query(&self.inner.sql.item)
                    .bind(id.0)
                    .fetch_optional(&self.inner.readers)
                    .await
                    .map_err($crate::inbox::database)?;
                row.as_ref()
                    .map($crate::inbox::sql::read_info)
                    .transpose()
                    .map_err($crate::inbox::database)
            }

            async fn depth(&self) -> Result<$crate::inbox::Depth, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                let rows = sqlx::query(&self.inner.sql.depth)
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err($crate::inbox::database)?;
                let mut depth = $crate::inbox::Depth::default();
                for row in &rows {
                    let state: String = row.try_get(0).map_err($crate::inbox::database)?;
                    let count =
                        u64::try_from(row.try_get::<i64, _>(1).map_err($crate::inbox::database)?)
                            .unwrap_or(0);
                    match state.as_str() {
                        "pending" => depth.pending = count,
                        "claimed" => depth.claimed = count,
                        _ => depth.dead = count,
                    }
                }
                Ok(depth)
            }

            async fn stats(&self) -> Result<$crate::inbox::Stats, $crate::inbox::InboxError> {
                use sqlx::Row as _;
                let rows = sqlx::query(&self.inner.sql.stats)
                    .fetch_all(&self.inner.readers)
                    .await
                    .map_err($crate::inbox::database)?;
                let mut stats = $crate::inbox::Stats::default();
                for row in &rows {
                    let state: String = row.try_get(0).map_err($crate::inbox::database)?;
                    let count: i64 = row.try_get(1).map_err($crate::inbox::database)?;
                    stats.add(&state, count);
                }
                Ok(stats)
            }

            fn wakeup(&self) -> Option<$crate::inbox::Wakeup> {
                Some(self.wake_source())
            }
        }
    };
}

pub(crate) use impl_inbox;
