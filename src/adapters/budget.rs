//! [`BodyBudget`]: the bytes of request bodies the framework adapters hold at once, across every
//! request of the process, so that many senders together cannot make the receiver hold more
//! than that, whatever each one's limit admits.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::body::{DEFAULT_BODY_BUDGET, DEFAULT_BODY_BUDGET_WAIT};
use crate::error::Error;

/// The bytes of request bodies the framework adapters hold at once, and how long a request
/// waits for room before it is answered 503 ([`Error::Busy`], with `Retry-After`).
///
/// A body declared by `Content-Length` is reserved whole before its first byte is read; a body
/// of unknown length (chunked) is reserved chunk by chunk as it arrives. The reservation is
/// released when the body is dropped: after the delivery is parsed (or stored, in inbox mode),
/// and on every early end (a refusal, the body timeout, a closed connection, a panic).
///
/// One budget serves the whole process, every router and extractor of both frameworks:
/// [`DEFAULT_BODY_BUDGET`](crate::DEFAULT_BODY_BUDGET) (64 MiB) unless
/// [`set_global`](Self::set_global) or a ready router built from a
/// [`Config`](crate::config::Config) with `body_budget` set it first. A body larger than the
/// whole budget may still be read, alone: it waits until the budget is empty and holds all of it.
///
/// ```
/// use std::time::Duration;
/// # #[cfg(feature = "axum")]
/// use delivery_webhooks::axum::BodyBudget;
/// # #[cfg(all(feature = "actix", not(feature = "axum")))]
/// # use delivery_webhooks::actix::BodyBudget;
///
/// // At start-up, before the first request.
/// BodyBudget::set_global(BodyBudget::new(32 << 20, Duration::from_millis(500))).unwrap();
/// assert_eq!(BodyBudget::global().bytes(), 32 << 20);
/// ```
#[derive(Debug)]
pub struct BodyBudget {
    room: Semaphore,
    bytes: usize,
    wait: Duration,
}

static GLOBAL: OnceLock<BodyBudget> = OnceLock::new();

impl BodyBudget {
    /// A budget of `bytes` (at least 1, at most `Semaphore::MAX_PERMITS`, about 2^61), where a
    /// request waits up to `wait` for room.
    #[must_use]
    pub fn new(bytes: usize, wait: Duration) -> Self {
        let bytes = bytes.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            room: Semaphore::new(bytes),
            bytes,
            wait,
        }
    }

    /// Makes `budget` the process's, before any request used it.
    ///
    /// # Errors
    /// `budget` back when the process's budget was already set or used (the first one holds).
    pub fn set_global(budget: BodyBudget) -> Result<(), BodyBudget> {
        GLOBAL.set(budget)
    }

    /// The process's budget: the one set first, else
    /// [`DEFAULT_BODY_BUDGET`](crate::DEFAULT_BODY_BUDGET) bytes with a wait of
    /// [`DEFAULT_BODY_BUDGET_WAIT`](crate::DEFAULT_BODY_BUDGET_WAIT).
    pub fn global() -> &'static BodyBudget {
        GLOBAL.get_or_init(|| BodyBudget::new(DEFAULT_BODY_BUDGET, DEFAULT_BODY_BUDGET_WAIT))
    }

    /// Sets the process's budget to `bytes` (with the default wait) where a ready router's
    /// `Config::body_budget` asks for it; a budget set before holds.
    pub(crate) fn configure(bytes: Option<usize>) {
        if let Some(bytes) = bytes {
            let _ = Self::set_global(Self::new(bytes, DEFAULT_BODY_BUDGET_WAIT));
        }
    }

    /// Its size in bytes.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// How long a request waits for room.
    #[must_use]
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// The bytes free now.
    #[must_use]
    pub fn available(&self) -> usize {
        self.room.available_permits()
    }

    /// An empty reservation on this budget.
    pub(crate) fn reservation(&self) -> Reservation<'_> {
        Reservation {
            budget: self,
            held: 0,
        }
    }
}

/// Bytes held from a [`BodyBudget`] for one body, given back on drop.
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    budget: &'a BodyBudget,
    held: usize,
}

impl Reservation<'_> {
    /// Holds `total` bytes in all (nothing more when it holds that many already), waiting up to
    /// the budget's wait for room. A total over the whole budget holds the whole budget.
    ///
    /// # Errors
    /// [`Error::Busy`] when no room was made in time; what was held before stays held.
    pub(crate) async fn grow_to(&mut self, total: usize) -> Result<(), Error> {
        let total = total.min(self.budget.bytes);
        if total <= self.held {
            return Ok(());
        }
        let more = total - self.held;
        // Permits are counted in `u32`: a larger step waits in several.
        let mut left = more;
        while left > 0 {
            let step = left.min(u32::MAX as usize);
            let wanted = u32::try_from(step).unwrap_or(u32::MAX);
            let acquired =
                tokio::time::timeout(self.budget.wait, self.budget.room.acquire_many(wanted)).await;
            match acquired {
                Ok(Ok(permit)) => {
                    // Owned by this reservation from here: given back in `drop`.
                    permit.forget();
                    self.held += step;
                    left -= step;
                }
                // Timed out (or closed, which this crate never does).
                _ => {
                    return Err(Error::Busy {
                        budget: self.budget.bytes,
                        waited: self.budget.wait,
                    });
                }
            }
        }
        Ok(())
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.held > 0 {
            self.budget.room.add_permits(self.held);
        }
    }
}
