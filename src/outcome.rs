//! The one rule for what a handler returns, in router mode and in inbox mode:
//! [`HandlerOutcome`], and the `Ok(())`-friendly [`HandlerResult`] / [`HandlerError`].

use std::fmt;

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
pub struct HandlerError(Box<dyn std::error::Error + Send + Sync + 'static>);

/// What a handler returns when it wants `?` and a bare `Ok(())`: see [`HandlerOutcome`].
pub type HandlerResult = Result<(), HandlerError>;

impl HandlerError {
    /// A failure described by `message` alone.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self(Box::new(Message(message.to_string())))
    }

    /// The error this one was made from (a [`msg`](HandlerError::msg)'s is a plain message).
    #[must_use]
    pub fn source(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(err: E) -> Self {
        Self(Box::new(err))
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
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
}
