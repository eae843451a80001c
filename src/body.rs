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
