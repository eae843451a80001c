//! The body size limit every `Verifier` checks before anything else, and the time a framework
//! adapter gives a body to arrive.

use crate::error::{Error, Result};

/// The largest body a `Verifier` accepts unless told otherwise: 16 MiB.
///
/// The providers publish no maximum: an isendu batch of 10,000 trackings is about 5 MiB, and a
/// Skladon return carries its files' content inline (`files[].data`), so several MiB is genuine;
/// 16 MiB leaves room for about three times that. Parsing any body costs at most 16 times its
/// size plus 4 MiB of heap (260 MiB at this limit; a genuine batch about twice its size): see
/// `docs/security.md`. Configure your web framework's own body limit too: this check runs only
/// once the body has been read.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// How long a framework adapter waits for a whole body unless told otherwise: 30 s.
///
/// The head of a request is checked before its body is read (see
/// [`Receive::verify_head`](crate::delivery::Receive::verify_head)), so only a sender that
/// passed it can hold a connection open while its body trickles in, and only this long: a body
/// still arriving is refused (408). A genuine delivery of the largest size (16 MiB) arrives in a
/// fraction of this over any link a provider uses.
pub const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
        /// Sets the largest body accepted, in bytes
        /// ([`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT), 16 MiB, by default): a larger
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
