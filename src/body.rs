//! The body size limit every `Verifier` checks before anything else, and the time a framework
//! adapter gives a body to arrive.

use crate::error::{Error, Result};

/// The largest of the providers' default body limits: 16 MiB (isendu's and Skladon's).
///
/// Each `Verifier` has its own default, sized from what its provider sends
/// (`wakilni::Verifier::DEFAULT_BODY_LIMIT` and the others: 64 KiB for Wakilni, Peddler and
/// Xoxoday, whose deliveries are a few KiB; 16 MiB for isendu batches and Skladon returns with
/// files inline). Parsing any body costs at most 16 times its size plus 4 MiB of heap (260 MiB
/// at this limit; a genuine batch about twice its size): see `docs/security.md`. Configure your
/// web framework's own body limit too: a verifier's check runs only once the body has been read.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// How long a framework adapter waits for a whole body unless told otherwise: 30 s.
///
/// The head of a request is checked before its body is read (see
/// [`Receive::verify_head`](crate::delivery::Receive::verify_head)), so only a sender that
/// passed it can hold a connection open while its body trickles in, and only this long: a body
/// still arriving is refused (408). A genuine delivery of the largest size (16 MiB) arrives in a
/// fraction of this over any link a provider uses.
pub const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The bytes of request bodies the framework adapters hold at once across every request of
/// the process, unless set otherwise: 64 MiB.
///
/// A request that would pass it waits up to [`DEFAULT_BODY_BUDGET_WAIT`] for others to finish,
/// then is answered 503 with `Retry-After`
/// ([`Error::Busy`](crate::error::Error::Busy)). 64 MiB holds four bodies at the largest
/// default limit (16 MiB) at once, or a thousand Wakilni events at theirs (64 KiB).
pub const DEFAULT_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// How long a request waits for room in the body budget before it is answered 503: 1 s.
pub const DEFAULT_BODY_BUDGET_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Refuses a body longer than `limit` with [`Error::BodyTooLarge`].
#[cfg_attr(not(any_provider), allow(dead_code))]
pub(crate) fn check_body_size(body: &[u8], limit: usize) -> Result<()> {
    if body.len() > limit {
        Err(Error::BodyTooLarge {
            len: body.len(),
            limit,
        })
    } else {
        Ok(())
    }
}

/// Writes, inside a provider's `impl Verifier`, the two builders every verifier shares over its
/// `body_limit` and `body_timeout` fields: written once, documented once.
#[cfg_attr(not(any_provider), allow(unused_macros))]
macro_rules! limit_builders {
    () => {
        /// Sets the largest body accepted, in bytes (this verifier's
        /// [`DEFAULT_BODY_LIMIT`](Self::DEFAULT_BODY_LIMIT) by default): a larger
        /// one is refused with [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) (413) before
        /// any other work, and a framework adapter stops reading there. The same name as the
        /// getter, [`Receive::body_limit`](crate::Receive::body_limit).
        #[must_use]
        pub fn body_limit(mut self, bytes: usize) -> Self {
            self.body_limit = bytes;
            self
        }

        /// Sets how long a framework adapter waits for the whole body once the request head
        /// has been checked ([`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT), 30 s, by
        /// default); a body still arriving then is refused with
        /// [`Error::BodyTimeout`](crate::Error::BodyTimeout) (408).
        #[must_use]
        pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.body_timeout = timeout;
            self
        }
    };
}

#[cfg_attr(not(any_provider), allow(unused_imports))]
pub(crate) use limit_builders;
