//! The one rule for what a handler returns, in router mode and in inbox mode:
//! [`HandlerOutcome`], and the `Ok(())`-friendly [`HandlerResult`] / [`HandlerError`].

use std::fmt;
use std::time::Duration;

/// What a handler may return: the handler given to a ready router (axum's and actix's
/// `route` and `router`) and the handler of the inbox's `Worker::run` accept the same shapes.
///
/// - `()`: the delivery is taken care of;
/// - `Result<(), E>` for any `E: Display + 'static`, and so [`HandlerResult`]: `Ok(())` as above; `Err`
///   means it was not. A router then answers `500` with a problem body that does not show `E`
///   (so the provider retries later); the inbox's worker fails the item (back-off, then the dead
///   letters). Either way `E` is logged through the crate's telemetry (an event with the error,
///   feature `tracing`), never sent to the provider.
///
/// A closure cannot name the error type of a bare `Ok(())`: return [`HandlerResult`] from a
/// named function, or write `HandlerResult::Ok(())` in a closure, and `?` converts any
/// `std::error::Error` into [`HandlerError`].
///
/// ```
/// use delivery_webhooks::{HandlerError, HandlerOutcome, HandlerResult};
///
/// async fn store(payload: &[u8]) -> HandlerResult {
///     let text = std::str::from_utf8(payload)?; // any std::error::Error converts
///     if text.is_empty() {
///         return Err(HandlerError::msg("nothing to store"));
///     }
///     Ok(())
/// }
///
/// # block_on(async {
/// assert!(store(b"{}").await.into_outcome().is_ok());
/// let err = store(b"\xff").await.into_outcome().unwrap_err();
/// assert_eq!(err.to_string(), "invalid utf-8 sequence of 1 bytes from index 0");
/// assert_eq!(().into_outcome().is_ok(), true);
/// assert_eq!(Err::<(), _>("disk full").into_outcome().unwrap_err().to_string(), "disk full");
/// # });
/// # fn block_on(f: impl std::future::Future<Output = ()>) {
/// #     let mut f = std::pin::pin!(f);
/// #     let waker = std::task::Waker::noop();
/// #     assert!(f.as_mut().poll(&mut std::task::Context::from_waker(waker)).is_ready());
/// # }
/// ```
pub trait HandlerOutcome {
    /// `Ok` when the delivery was taken care of, the handler's error otherwise.
    ///
    /// # Errors
    /// The handler's own error, as a [`HandlerError`].
    fn into_outcome(self) -> Result<(), HandlerError>;
}

impl HandlerOutcome for () {
    fn into_outcome(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl<E: fmt::Display + 'static> HandlerOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), HandlerError> {
        self.map_err(|err| {
            // A `HandlerError` is kept as it is (its source stays reachable), any other error
            // becomes its message.
            let mut err = Some(err);
            match (&mut err as &mut dyn std::any::Any).downcast_mut::<Option<HandlerError>>() {
                Some(handler_error) => handler_error.take(),
                None => err.map(HandlerError::msg),
            }
            .unwrap_or_else(|| HandlerError::msg("the handler failed"))
        })
    }
}

/// A handler's failure: any `std::error::Error` converts into it with `?`, any other message
/// with [`HandlerError::msg`]. Its `Display` is the error's own.
///
/// It implements `Display` and `Debug` but not `std::error::Error` itself (so that the blanket
/// `From` is possible, as with `anyhow::Error`); [`source`](HandlerError::source) gives the
/// error it was made from.
///
/// It also says what should happen next ([`retry`](HandlerError::retry)): by default the
/// inbox retries with back-off; [`permanent`](HandlerError::permanent) makes the item dead
/// after this attempt, [`retry_after`](HandlerError::retry_after) asks for a minimum wait
/// (a downstream's `Retry-After`). A router answers `500` whichever it is.
pub struct HandlerError {
    error: Box<dyn std::error::Error + Send + Sync + 'static>,
    retry: Retry,
}

/// What a failed handler asks of the inbox: see [`HandlerError::retry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Retry {
    /// Retry after the inbox's back-off, until `max_attempts` (the default).
    #[default]
    Backoff,
    /// Do not retry: the item is dead after this attempt, the error kept in its history (a
    /// downstream that refused the event for good, say a `400`).
    Never,
    /// Retry no sooner than this from now (and no sooner than the back-off), still counted
    /// against `max_attempts`. At most [`MAX_RETRY_AFTER`].
    After(Duration),
}

/// The longest wait [`HandlerError::retry_after`] keeps: one day. A longer one (a downstream's
/// `Retry-After` a year away, by mistake or malice) is cut to it, so an item is never parked
/// beyond the inbox's retry horizon by a single answer.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What a handler returns when it wants `?` and a bare `Ok(())`: see [`HandlerOutcome`].
pub type HandlerResult = Result<(), HandlerError>;

impl HandlerError {
    /// A failure described by `message` alone.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self {
            error: Box::new(Message(message.to_string())),
            retry: Retry::Backoff,
        }
    }

    /// A failure that retrying cannot cure: the inbox makes the item dead after this attempt,
    /// `message` kept as its last error and in its history ([`Retry::Never`]).
    pub fn permanent(message: impl fmt::Display) -> Self {
        Self::msg(message).with_retry(Retry::Never)
    }

    /// A failure to retry no sooner than `wait` from now ([`Retry::After`]; `wait` is cut to
    /// [`MAX_RETRY_AFTER`]). The inbox still applies its back-off if that is longer, and
    /// still counts the attempt against `max_attempts`.
    pub fn retry_after(message: impl fmt::Display, wait: Duration) -> Self {
        Self::msg(message).with_retry(Retry::After(wait))
    }

    /// This error, asking for `retry` instead (a `Retry::After` is cut to [`MAX_RETRY_AFTER`]).
    #[must_use]
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = match retry {
            Retry::After(wait) => Retry::After(wait.min(MAX_RETRY_AFTER)),
            other => other,
        };
        self
    }

    /// What the handler asks of the inbox: [`Retry::Backoff`] unless made with
    /// [`permanent`](HandlerError::permanent), [`retry_after`](HandlerError::retry_after) or
    /// [`with_retry`](HandlerError::with_retry).
    #[must_use]
    pub fn retry(&self) -> Retry {
        self.retry
    }

    /// The error this one was made from (a [`msg`](HandlerError::msg)'s is a plain message).
    #[must_use]
    pub fn source(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.error
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(err: E) -> Self {
        Self {
            error: Box::new(err),
            retry: Retry::Backoff,
        }
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

/// The error behind [`HandlerError::msg`].
#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_gives_its_outcome() {
        assert!(().into_outcome().is_ok());
        assert!(Ok::<(), String>(()).into_outcome().is_ok());
        let err = Err::<(), _>(std::io::Error::other("disk full"))
            .into_outcome()
            .unwrap_err();
        assert_eq!(
            (err.to_string(), format!("{err:?}").contains("disk full")),
            ("disk full".into(), true)
        );
        let converted: HandlerResult = (|| {
            "x".parse::<u8>()?;
            Ok(())
        })();
        let err = converted.into_outcome().unwrap_err();
        assert_eq!(err.to_string(), "invalid digit found in string");
        assert!(
            err.source()
                .downcast_ref::<std::num::ParseIntError>()
                .is_some()
        );
    }

    #[test]
    fn a_handler_error_says_how_to_retry() {
        assert_eq!(HandlerError::msg("x").retry(), Retry::Backoff);
        let permanent = HandlerError::permanent("HTTP 400: bad event");
        assert_eq!(
            (permanent.retry(), permanent.to_string()),
            (Retry::Never, "HTTP 400: bad event".to_owned())
        );
        let later = HandlerError::retry_after("HTTP 429", Duration::from_secs(90));
        assert_eq!(later.retry(), Retry::After(Duration::from_secs(90)));
        let far = HandlerError::retry_after("HTTP 503", Duration::from_secs(10 * 24 * 3600));
        assert_eq!(far.retry(), Retry::After(MAX_RETRY_AFTER));
        // Kept through the handler-outcome conversion.
        let kept = Err::<(), _>(HandlerError::permanent("gone"))
            .into_outcome()
            .unwrap_err();
        assert_eq!(kept.retry(), Retry::Never);
    }
}
