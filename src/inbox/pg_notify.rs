//! PostgreSQL's wake-up across processes, the sending side: the inbox's `NOTIFY` channel, the
//! announcement after accepts are stored, and the notification inside a transaction (replay).
//! The listening side is `postgres::listen`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Pool, Postgres};

use super::InboxError;

/// The `LISTEN`/`NOTIFY` channel of the inbox in `namespace`: an identifier of at most 63
/// bytes (a long namespace is cut; two namespaces sharing a channel only wake each other's
/// workers for nothing).
pub(super) fn channel(namespace: Option<&str>) -> String {
    let mut channel = format!("delivery_webhooks_{}", namespace.unwrap_or("inbox"));
    channel.truncate(63);
    channel
}

/// Tells the other processes' workers that accepts were stored: a `NOTIFY` of its own, after the
/// batches committed, one at a time. Not in the batch's statement: a transaction that notifies
/// takes one lock for the whole database at its commit (PostgreSQL's notification queue), so a
/// `pg_notify` in every batch made the batches of every receiver commit one after another
/// (measured: `docs/inbox.md`, "Beyond one machine"). Batches stored while a `NOTIFY` is on its
/// way share the next one. Best effort, as every notification: the workers' periodic look
/// guarantees progress.
#[derive(Debug, Default)]
pub(super) struct Announcer {
    /// A batch was stored since the last `NOTIFY` was sent.
    due: AtomicBool,
    /// A task is sending.
    sending: AtomicBool,
}

impl Announcer {
    /// Called after a batch committed: sends a `NOTIFY` on `channel` unless one sending now
    /// will see `due` and send again.
    pub(super) fn announce(self: &Arc<Self>, pool: &Pool<Postgres>, channel: &str) {
        self.due.store(true, Ordering::SeqCst);
        if self.sending.swap(true, Ordering::SeqCst) {
            return;
        }
        let (this, pool, channel) = (Arc::clone(self), pool.clone(), channel.to_owned());
        tokio::spawn(async move {
            loop {
                this.due.store(false, Ordering::SeqCst);
                // Not sent: a listener finds the items at its next look.
                let _ = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(&channel)
                    .execute(&pool)
                    .await;
                this.sending.store(false, Ordering::SeqCst);
                // A batch stored after `due` was cleared, whose caller saw this task sending.
                if !this.due.load(Ordering::SeqCst) || this.sending.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
        });
    }
}

pub(super) async fn notify(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    channel: &str,
) -> Result<(), InboxError> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(channel)
        .execute(&mut **tx)
        .await
        .map_err(crate::inbox::database)?;
    Ok(())
}
