//! Shared constant-time primitives: HMAC-SHA256 signatures in base64, shared tokens, and tokens
//! carried in the URL a receiver registers.
//!
//! Nothing on a verify path allocates: signatures are decoded into a stack buffer, tokens are
//! hashed as they are read. Secrets are never kept in the clear longer than construction: HMAC
//! keys are kept as the keyed HMAC state, tokens as their SHA-256 digest, and `Debug` prints
//! neither.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use crate::error::Error;

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
    /// Refuses an empty list and any empty secret.
    pub(crate) fn new<I, S>(secrets: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut keys = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.is_empty() {
                return Err(Error::EmptySecret);
            }
            keys.push(keyed(secret));
        }
        if keys.is_empty() {
            return Err(Error::EmptySecret);
        }
        Ok(Self { keys })
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

    /// The base64 (standard, padded) signature of `body` under the first key.
    pub(crate) fn sign_base64(&self, body: &[u8]) -> String {
        let mut mac = self.keys[0].clone();
        mac.update(body);
        STANDARD_PADDED.encode(mac.finalize().into_bytes())
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

/// A set of shared secrets compared in constant time: tokens, API keys, key ids.
///
/// Each is kept as its SHA-256 digest, so comparing takes the same time whatever the length of
/// the presented value, and a long-lived process does not keep the token in the clear.
#[derive(Clone)]
pub(crate) struct TokenSet {
    digests: Vec<[u8; 32]>,
}

impl TokenSet {
    /// Refuses an empty list and any empty token.
    pub(crate) fn new<I, S>(tokens: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut digests = Vec::new();
        for token in tokens {
            let token = token.as_ref();
            if token.is_empty() {
                return Err(Error::EmptySecret);
            }
            digests.push(Sha256::digest(token).into());
        }
        if digests.is_empty() {
            return Err(Error::EmptySecret);
        }
        Ok(Self { digests })
    }

    /// Whether `presented` equals one of the tokens; constant time in every token.
    pub(crate) fn matches(&self, presented: &[u8]) -> bool {
        self.matches_digest(&Sha256::digest(presented).into())
    }

    /// Whether a digest computed by the caller (e.g. of a value decoded on the fly) matches.
    pub(crate) fn matches_digest(&self, digest: &[u8; 32]) -> bool {
        // No early exit: every configured token is compared.
        let hit = self
            .digests
            .iter()
            .fold(Choice::from(0), |acc, d| acc | d.ct_eq(digest));
        hit.into()
    }
}

impl Drop for TokenSet {
    fn drop(&mut self) {
        // A digest lets anyone holding it test guesses offline; wipe it with the set.
        self.digests.zeroize();
    }
}

// The `Drop` above wipes every digest: `TokenSet`, and every type holding one (`UrlToken`, the
// verifiers), can be required to be `ZeroizeOnDrop`.
impl zeroize::ZeroizeOnDrop for TokenSet {}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} redacted token(s)]", self.digests.len())
    }
}

/// Where a [`UrlToken`] sits in the URL the receiver registered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    /// A query parameter of this name: `https://me.example/hooks/isendu?token=SECRET`.
    Query(String),
    /// A path segment: `https://me.example/hooks/SECRET/isendu`.
    PathSegment,
}

/// A secret token that the receiver embeds in the webhook URL it registers with a provider that
/// signs nothing (isendu, Skladon).
///
/// Providers without a signature can still be authenticated by the URL: register
/// `https://you.example/hooks/skladon?token=<long random value>` (or put the value in a path
/// segment), keep the value secret, and check every request's URL. Comparison is constant time;
/// the value is percent-decoded before it is compared; several values may be valid at once so
/// that a new URL can be registered before the old one is retired.
///
/// ```
/// use delivery_webhooks::UrlToken;
///
/// let check = UrlToken::query("token", "s3cr3t-8f2a9c")?;
/// check.verify("/hooks/isendu?token=s3cr3t-8f2a9c")?;
/// check.verify("https://you.example/hooks/isendu?a=1&token=s3cr3t%2D8f2a9c")?;
/// assert_eq!(check.verify("/hooks/isendu?token=guess").unwrap_err().status_code(), 401);
///
/// let in_path = UrlToken::path_segment("s3cr3t-8f2a9c")?;
/// in_path.verify("/hooks/s3cr3t-8f2a9c/skladon/orders/123")?;
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
#[derive(Clone)]
pub struct UrlToken {
    tokens: TokenSet,
    placement: Placement,
}

// The tokens are wiped on drop (the placement, a parameter name, is no secret).
impl zeroize::ZeroizeOnDrop for UrlToken {}

impl UrlToken {
    /// The token is the value of query parameter `name`.
    ///
    /// # Errors
    /// [`Error::EmptySecret`] if `token` or `name` is empty.
    pub fn query(name: impl Into<String>, token: impl AsRef<[u8]>) -> Result<Self, Error> {
        Self::query_with_tokens(name, [token])
    }

    /// Like [`query`](UrlToken::query), with several tokens valid at once (rotation).
    ///
    /// # Errors
    /// [`Error::EmptySecret`] if `name`, the list or any token is empty.
    pub fn query_with_tokens<I, S>(name: impl Into<String>, tokens: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let name = name.into();
        if name.is_empty() {
            return Err(Error::EmptySecret);
        }
        Ok(Self {
            tokens: TokenSet::new(tokens)?,
            placement: Placement::Query(name),
        })
    }

    /// The token is one of the URL's path segments.
    ///
    /// # Errors
    /// [`Error::EmptySecret`] if `token` is empty.
    pub fn path_segment(token: impl AsRef<[u8]>) -> Result<Self, Error> {
        Self::path_segment_with_tokens([token])
    }

    /// Like [`path_segment`](UrlToken::path_segment), with several tokens valid at once.
    ///
    /// # Errors
    /// [`Error::EmptySecret`] if the list or any token is empty.
    pub fn path_segment_with_tokens<I, S>(tokens: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            tokens: TokenSet::new(tokens)?,
            placement: Placement::PathSegment,
        })
    }

    /// Checks the URL of a request: an absolute URL or the request target (`/path?query`), as
    /// your framework gives it.
    ///
    /// # Errors
    /// [`Error::TokenMismatch`] when no token is found or it matches none of the configured ones;
    /// a query parameter present several times must carry a valid token every time.
    pub fn verify(&self, url: &str) -> Result<(), Error> {
        let target = crate::url::split(url);
        let found = match &self.placement {
            Placement::Query(name) => {
                let mut seen = false;
                let mut all = true;
                for (k, v) in target.query.into_iter().flat_map(crate::url::query_pairs) {
                    if k == name {
                        seen = true;
                        all &= self.matches_encoded(v, true);
                    }
                }
                seen && all
            }
            Placement::PathSegment => {
                // Every segment is compared, so the position of the token does not show in timing.
                crate::url::segments(target.path)
                    .fold(false, |hit, seg| hit | self.matches_encoded(seg, false))
            }
        };
        if found {
            Ok(())
        } else {
            Err(Error::TokenMismatch)
        }
    }

    /// Checks a token your framework has already extracted (a path parameter, say), as given.
    ///
    /// # Errors
    /// [`Error::TokenMismatch`] when it matches none of the configured tokens.
    pub fn verify_value(&self, presented: &str) -> Result<(), Error> {
        if self.tokens.matches(presented.as_bytes()) {
            Ok(())
        } else {
            Err(Error::TokenMismatch)
        }
    }

    fn matches_encoded(&self, raw: &str, plus_is_space: bool) -> bool {
        let mut hasher = Sha256::new();
        if !crate::url::decode_each(raw, plus_is_space, |chunk| hasher.update(chunk)) {
            return false;
        }
        self.tokens.matches_digest(&hasher.finalize().into())
    }
}

impl fmt::Debug for UrlToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlToken")
            .field("placement", &self.placement)
            .field("tokens", &self.tokens)
            .finish()
    }
}

// ===== Source addresses: IP networks, allowlists and proxy-aware client addresses ==========
//
// For providers that sign nothing and are authenticated by where they call from (Xoxoday). The
// provider modules keep their own addresses and policy; what is here is reusable: CIDR parsing
// and matching, IPv4-mapped IPv6 normalisation, and reading the client address through trusted
// reverse proxies from `X-Forwarded-For` or RFC 7239 `Forwarded`. Nothing here allocates on the
// verify path: header lines are read in place, one hop at a time.

#[cfg_attr(not(feature = "xoxoday"), allow(unused_imports))]
pub(crate) use source::{FORWARDED, X_FORWARDED_FOR, any_contains, client_addr, parse_nets};
#[cfg_attr(not(feature = "xoxoday"), allow(unused_imports))]
pub use source::{InvalidIpNet, IpNet, ProxyHeader};

/// Source-address primitives (see the section comment above). A module of its own so that a
/// build without the providers that use it stays free of dead-code warnings.
#[cfg_attr(not(feature = "xoxoday"), allow(dead_code))]
mod source;

#[cfg(test)]
mod tests {
    use super::*;

    // Known answer, computed outside the crate:
    // printf %s 'hello' | openssl dgst -sha256 -hmac 'key' -binary | base64
    const KAT_SIG: &str = "kwezuRXvtRcf8U2MtV+8x5jGwO8UVtZt7RpqpyOli3s=";

    #[test]
    fn sign_known_answer() {
        assert_eq!(sign_base64(b"key", b"hello"), KAT_SIG);
        let keys = HmacKeys::new(["key"]).unwrap();
        assert_eq!(keys.sign_base64(b"hello"), KAT_SIG);
    }

    #[test]
    fn verify_accepts_padding_variants_and_url_safe() {
        let keys = HmacKeys::new(["other", "key"]).unwrap();
        keys.verify_base64("x", KAT_SIG, b"hello").unwrap();
        keys.verify_base64("x", KAT_SIG.trim_end_matches('='), b"hello")
            .unwrap();
        let url_safe = KAT_SIG.replace('+', "-").replace('/', "_");
        keys.verify_base64("x", &url_safe, b"hello").unwrap();
        keys.verify_base64("x", &format!("  {KAT_SIG}\t"), b"hello")
            .unwrap();
    }

    #[test]
    fn verify_rejects() {
        let keys = HmacKeys::new(["key"]).unwrap();
        assert!(matches!(
            keys.verify_base64("x", KAT_SIG, b"hellO"),
            Err(Error::SignatureMismatch)
        ));
        assert!(matches!(
            keys.verify_base64("x", "not base64!!", b"hello"),
            Err(Error::InvalidHeader { name: "x", .. })
        ));
        assert!(keys.verify_base64("x", &KAT_SIG[..20], b"hello").is_err());
        assert!(keys.verify_base64("x", &"A".repeat(400), b"hello").is_err());
        assert!(matches!(HmacKeys::new([""]), Err(Error::EmptySecret)));
        assert!(matches!(
            HmacKeys::new(Vec::<String>::new()),
            Err(Error::EmptySecret)
        ));
    }

    #[test]
    fn tokens_compare_whole_values() {
        let t = TokenSet::new(["alpha", "beta"]).unwrap();
        assert!(t.matches(b"alpha") && t.matches(b"beta"));
        assert!(!t.matches(b"alph") && !t.matches(b"alphaa") && !t.matches(b""));
        assert!(matches!(TokenSet::new(["a", ""]), Err(Error::EmptySecret)));
        assert_eq!(format!("{t:?}"), "[2 redacted token(s)]");
    }

    #[test]
    fn url_token_query_and_path() {
        let q = UrlToken::query_with_tokens("token", ["new", "old"]).unwrap();
        q.verify("/h?token=old").unwrap();
        q.verify("https://x.example/h?x=1&token=new#frag").unwrap();
        assert!(q.verify("/h").is_err());
        assert!(q.verify("/h?token=").is_err());
        assert!(q.verify("/h?token=new&token=evil").is_err());
        assert!(q.verify("/h?tok=new").is_err());
        assert!(q.verify("/h/new").is_err());
        let p = UrlToken::path_segment("a b").unwrap();
        p.verify("/hooks/a%20b/x").unwrap();
        assert!(p.verify("/hooks/a%2/x").is_err());
        assert!(p.verify("/hooks?token=a%20b").is_err());
        p.verify_value("a b").unwrap();
        assert!(!format!("{p:?}").contains("a b"));
        assert!(matches!(UrlToken::query("", "x"), Err(Error::EmptySecret)));
    }
}
