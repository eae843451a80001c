//! [`Wakeup`]: how an idle [`Worker`](super::Worker) learns at once that an item became due,
//! instead of at its next look ([`idle`](super::Worker::idle), 200 ms).
//!
//! An inbox rings it when a batch of accepts stored a new item, and when an item is replayed or
//! released. Within one process that is all (SQLite, and PostgreSQL where the receiver and the
//! worker share the inbox). Across processes, PostgreSQL carries it: the same statements run
//! `pg_notify` in their transaction (delivered at commit), and the first worker of a process
//! starts one `LISTEN` session that rings the process's `Wakeup`. A notification can be lost
//! (the listening session dropped, another process on SQLite): the worker's periodic look is
//! the fallback that guarantees progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

/// The signal an inbox rings when an item became due (feature `inbox`). Cheap to clone; all
/// clones share the signal.
#[derive(Clone, Debug, Default)]
pub struct Wakeup {
    inner: Arc<Rung>,
}

#[derive(Debug, Default)]
struct Rung {
    /// How many times it rang: a waiter compares it with what it saw before it looked.
    times: AtomicU64,
    notify: Notify,
}

impl Wakeup {
    /// Rings: every waiter wakes, and one that looked before the ring does not wait.
    pub fn ring(&self) {
        self.inner.times.fetch_add(1, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// What to hand [`rung_since`](Self::rung_since): read it before looking for work.
    #[must_use]
    pub fn seen(&self) -> u64 {
        self.inner.times.load(Ordering::SeqCst)
    }

    /// Completes once it has rung since [`seen`](Self::seen) gave `seen` (at once if it has).
    /// No ring between the look and the wait is lost.
    pub async fn rung_since(&self, seen: u64) {
        let notified = self.inner.notify.notified();
        let mut notified = std::pin::pin!(notified);
        // Registered before the check: a ring after it wakes this waiter.
        notified.as_mut().enable();
        if self.seen() != seen {
            return;
        }
        notified.await;
    }
}

#[cfg(test)]
mod tests {
    use super::Wakeup;

    #[tokio::test]
    async fn a_ring_between_the_look_and_the_wait_is_not_lost() {
        let wake = Wakeup::default();
        let seen = wake.seen();
        // Rung after the look, before the wait: the wait ends at once.
        wake.ring();
        wake.rung_since(seen).await;
        // Not rung since: the wait lasts until a ring from another task.
        let seen = wake.seen();
        let waiting = tokio::spawn({
            let wake = wake.clone();
            async move { wake.rung_since(seen).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        wake.ring();
        waiting.await.unwrap();
    }
}
