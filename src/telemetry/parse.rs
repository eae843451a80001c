//! The verifier's parse of a body apart from its record, so that an adapter can run it on
//! another thread; and the catch that turns a panic in a verifier into a 500.

use std::time::Duration;

#[cfg(feature = "tracing")]
use super::SpanHandle;
use super::Stopwatch;
use crate::delivery::{Delivery, Receive};
use crate::error::{Error, Result};
use crate::request::Request;

/// Runs a verifier's check, answering a panic in it with [`Error::Internal`] (500, a problem
/// body that reveals nothing) instead of unwinding into the server's task, where it would
/// close the connection without an answer. The verifier is only read (`&self`), so nothing is
/// left half-changed for the next request.
pub(super) fn unwinding<T>(check: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).unwrap_or(Err(Error::Internal))
}

/// The parse of a request's body apart from its record: `Send`, so that an adapter can run it
/// off the async worker (actix's `web::block`) and hand the [`Parsed`] back to
/// [`Observer::record`].
#[cfg_attr(not(adapter), allow(dead_code))]
pub(crate) struct Parser {
    pub(super) rechecks: bool,
    #[cfg(feature = "tracing")]
    pub(super) span: SpanHandle,
}

/// A [`Parser::parse`]'s result and what the record needs of it.
#[cfg_attr(not(adapter), allow(dead_code))]
pub(crate) struct Parsed<P> {
    pub(super) result: Result<Delivery<P>>,
    pub(super) time: Duration,
    /// A failure other than authentication on a request that verifies: it came from the
    /// provider, so the failure counts towards health.
    pub(super) from_provider: bool,
}

#[cfg_attr(not(adapter), allow(dead_code))]
impl Parser {
    /// [`parse`](Self::parse) on a thread outside the request's task: in its span, as the
    /// verifier's own events would be inline.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn parse_elsewhere<R: Receive + ?Sized>(
        &self,
        receiver: &R,
        request: &Request<'_>,
    ) -> Parsed<R::Payload> {
        #[cfg(feature = "tracing")]
        let _entered = self.span.0.enter();
        self.parse(receiver, request)
    }

    /// `receiver.receive(request)`, timed; a failure other than authentication or a 500 is
    /// verified again when health is recorded (see [`Observer::receive`]).
    pub(crate) fn parse<R: Receive + ?Sized>(
        &self,
        receiver: &R,
        request: &Request<'_>,
    ) -> Parsed<R::Payload> {
        let started = Stopwatch::start();
        let result = unwinding(|| receiver.receive(request));
        let time = started.elapsed();
        let from_provider = match &result {
            Err(err)
                if self.rechecks
                    && err.status_code() != 500
                    && !err.is_authentication_failure() =>
            {
                unwinding(|| receiver.verify(request)).is_ok()
            }
            _ => false,
        };
        Parsed {
            result,
            time,
            from_provider,
        }
    }
}
