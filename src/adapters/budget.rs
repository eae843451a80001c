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
    /// Every body's room, the small lane's aside.
    room: Semaphore,
    /// The small lane: only bodies of at most [`SMALL_BODY`] bytes.
    small: Semaphore,
    bytes: usize,
    wait: Duration,
}

/// The largest body that the [`BodyBudget`]'s small lane serves: Wakilni's default body limit,
/// and many times what any provider's single event weighs.
pub const SMALL_BODY: usize = 64 * 1024;

/// The smallest budget that keeps a small lane (an eighth of it).
const SMALL_LANE_FROM: usize = 16 * SMALL_BODY;

static GLOBAL: OnceLock<BodyBudget> = OnceLock::new();

impl BodyBudget {
    /// A budget of `bytes` (at least 1, at most `Semaphore::MAX_PERMITS`, about 2^61), where a
    /// request waits up to `wait` for room.
    #[must_use]
    pub fn new(bytes: usize, wait: Duration) -> Self {
        let bytes = bytes.clamp(1, Semaphore::MAX_PERMITS);
        let small = lane_for(bytes);
        Self {
            room: Semaphore::new(bytes - small),
            small: Semaphore::new(small),
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
        self.room.available_permits() + self.small.available_permits()
    }

    /// The bytes kept for small bodies (at most [`SMALL_BODY`] each): an eighth of a budget of
    /// at least 1 MiB, else none.
    #[must_use]
    pub fn small_lane(&self) -> usize {
        lane_for(self.bytes)
    }

    /// The bytes of the budget outside the small lane.
    fn room_bytes(&self) -> usize {
        self.bytes - lane_for(self.bytes)
    }

    /// An empty reservation on this budget.
    pub(crate) fn reservation(&self) -> Reservation<'_> {
        Reservation {
            budget: self,
            held: 0,
            small: 0,
        }
    }
}

/// The small lane of a budget of `bytes`.
fn lane_for(bytes: usize) -> usize {
    if bytes >= SMALL_LANE_FROM {
        bytes / 8
    } else {
        0
    }
}

/// Bytes held from a [`BodyBudget`] for one body, given back on drop.
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    budget: &'a BodyBudget,
    /// Held in the budget's main room.
    held: usize,
    /// Held in its small lane (never both: a body moves out of the lane whole).
    small: usize,
}

impl Reservation<'_> {
    /// Holds `total` bytes in all (nothing more when it holds that many already), waiting up to
    /// the budget's wait for room. A total over the budget's main room holds all of it.
    ///
    /// # Errors
    /// [`Error::Busy`] when no room was made in time; what was held before stays held.
    pub(crate) async fn grow_to(&mut self, total: usize) -> Result<(), Error> {
        let budget = self.budget;
        if total <= self.held + self.small {
            return Ok(());
        }
        let lane = budget.small_lane();
        if self.held == 0 && total <= SMALL_BODY.min(lane) {
            let more = total - self.small;
            // `more` is at most 64 KiB.
            let wanted = u32::try_from(more).unwrap_or(u32::MAX);
            // The lane first, then the main room if it has room now (queueing there would put
            // this small body behind every large one waiting), else wait in the lane.
            if let Ok(permit) = budget.small.try_acquire_many(wanted) {
                permit.forget();
                self.small += more;
                return Ok(());
            }
            if self.small == 0 {
                if let Ok(permit) = budget.room.try_acquire_many(wanted) {
                    permit.forget();
                    self.held = more;
                    return Ok(());
                }
            }
            // Boxed, as below: waiting is rare, and the wait's timer and semaphore entry would
            // otherwise sit in every request's future, which the framework boxes (a few hundred
            // bytes, past the allocator's small sizes).
            Box::pin(acquire(&budget.small, more, budget)).await?;
            self.small += more;
            return Ok(());
        }
        // Too large for the lane (or grown out of it): the main room holds the whole body, and
        // the lane's bytes go back once it does.
        let total = total.min(budget.room_bytes());
        if total > self.held {
            Box::pin(acquire(&budget.room, total - self.held, budget)).await?;
            self.held = total;
        }
        if self.small > 0 {
            budget.small.add_permits(self.small);
            self.small = 0;
        }
        Ok(())
    }
}

/// Takes `bytes` permits of `room` for good (the caller gives them back), waiting up to the
/// budget's wait; a failure keeps none.
async fn acquire(room: &Semaphore, bytes: usize, budget: &BodyBudget) -> Result<(), Error> {
    // Permits are counted in `u32`: a larger step waits in several.
    let mut left = bytes;
    while left > 0 {
        let step = left.min(u32::MAX as usize);
        let wanted = u32::try_from(step).unwrap_or(u32::MAX);
        match tokio::time::timeout(budget.wait, room.acquire_many(wanted)).await {
            Ok(Ok(permit)) => {
                permit.forget();
                left -= step;
            }
            // Timed out (or closed, which this crate never does).
            _ => {
                room.add_permits(bytes - left);
                return Err(Error::Busy {
                    budget: budget.bytes,
                    waited: budget.wait,
                });
            }
        }
    }
    Ok(())
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.held > 0 {
            self.budget.room.add_permits(self.held);
        }
        if self.small > 0 {
            self.budget.small.add_permits(self.small);
        }
    }
}
