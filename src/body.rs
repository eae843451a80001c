//! The body size limit every `Verifier` checks before anything else.

use crate::error::{Error, Result};

/// The largest body a `Verifier` accepts unless told otherwise: 16 MiB.
///
/// The providers publish no maximum: an isendu batch of 10,000 trackings is about 5 MiB, and a
/// Skladon return carries its files' content inline (`files[].data`), so several MiB is genuine;
/// 16 MiB leaves room for about three times that. Parsing any body costs at most 16 times its
/// size plus 4 MiB of heap (260 MiB at this limit; a genuine batch about twice its size): see
/// `docs/security.md`. Configure your web framework's own body limit too: this check runs only
/// once the body has been read.
pub const DEFAULT_MAX_BODY_SIZE: usize = 16 * 1024 * 1024;

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
