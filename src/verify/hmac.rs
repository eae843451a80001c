//! HMAC-SHA256 signatures in base64: several keys at once, nothing allocated on the verify path,
//! keys kept as the keyed state and wiped on drop.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{ConfigError, Error};

type HmacSha256 = Hmac<Sha256>;

const DECODE: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(false);
/// Standard alphabet, padding optional.
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, DECODE);
/// URL-safe alphabet, padding optional.
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, DECODE);

/// One or more HMAC-SHA256 keys, all valid at once (for rotation).
#[derive(Clone)]
pub(crate) struct HmacKeys {
    // The keyed state (inner and outer pads already absorbed): cloning it per request is a copy,
    // and saves two compression rounds over hashing the key again.
    keys: Vec<HmacSha256>,
}

impl HmacKeys {
    /// Refuses an empty list and any empty or whitespace-only secret.
    pub(crate) fn new<I, S>(secrets: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            keys: super::each_secret(secrets, keyed)?,
        })
    }

    /// Checks a base64 signature (standard or URL-safe alphabet, padding optional, surrounding
    /// whitespace ignored) of `body` against every key.
    pub(crate) fn verify_base64(
        &self,
        header: &'static str,
        signature: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        let mut buf = [0u8; 64];
        let len = decode_base64(signature.trim(), &mut buf).ok_or(Error::InvalidHeader {
            name: header,
            reason: "not a base64 signature",
        })?;
        let tag = &buf[..len];
        let mut ok = false;
        for key in &self.keys {
            let mut mac = key.clone();
            mac.update(body);
            // verify_slice is constant time and also refuses a tag of the wrong length.
            ok |= mac.verify_slice(tag).is_ok();
        }
        if ok {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        }
    }
}

impl fmt::Debug for HmacKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} redacted hmac key(s)]", self.keys.len())
    }
}

// The keyed HMAC state is as good as the key for forging signatures: it must be wiped when
// dropped. `Hmac<Sha256>` holds the key only as two SHA-256 cores (inner and outer pad absorbed),
// and with sha2's `zeroize` feature those cores wipe themselves on drop. This fails to compile if
// that ever stops being true.
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<<Sha256 as hmac::digest::block_api::CoreProxy>::Core>();
};

fn keyed(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    <HmacSha256 as KeyInit>::new_from_slice(secret).expect("hmac accepts keys of any length")
}

const STANDARD_PADDED: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, base64::engine::general_purpose::PAD);

/// HMAC-SHA256 of `body` under `secret`, as standard padded base64.
pub(crate) fn sign_base64(secret: &[u8], body: &[u8]) -> String {
    let mut mac = keyed(secret);
    mac.update(body);
    STANDARD_PADDED.encode(mac.finalize().into_bytes())
}

/// Decodes standard or URL-safe base64 into `buf`; `None` if it is neither or too long.
fn decode_base64(s: &str, buf: &mut [u8]) -> Option<usize> {
    // Four characters make three bytes; anything longer than fits cannot be a valid tag anyway.
    if s.is_empty() || s.len() / 4 * 3 > buf.len() {
        return None;
    }
    let engine = if s.bytes().any(|b| b == b'-' || b == b'_') {
        &URL_SAFE
    } else {
        &STANDARD
    };
    engine.decode_slice(s, buf).ok()
}
