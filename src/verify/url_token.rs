//! [`UrlToken`]: a secret carried in the URL a receiver registers with a provider that signs
//! nothing.

use std::fmt;

use sha2::{Digest, Sha256};

use super::token::TokenSet;
use crate::error::{ConfigError, Error};

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
/// segment), keep the value secret, and check every request's URL. The receiver's operator
/// chooses the value, so it must be at least [`UrlToken::MIN_LEN`] (16) bytes: a shorter one
/// is refused at construction. Comparison is constant time;
/// the value is percent-decoded before it is compared; several values may be valid at once so
/// that a new URL can be registered before the old one is retired.
///
/// ```
/// use delivery_webhooks::UrlToken;
///
/// let check = UrlToken::query("token", "s3cr3t-8f2a9c-4e7b1d")?;
/// check.verify("/hooks/isendu?token=s3cr3t-8f2a9c-4e7b1d")?;
/// check.verify("https://you.example/hooks/isendu?a=1&token=s3cr3t%2D8f2a9c%2D4e7b1d")?;
/// assert_eq!(check.verify("/hooks/isendu?token=guess").unwrap_err().status_code(), 401);
/// // Shorter than 16 bytes: refused.
/// assert!(UrlToken::query("token", "s3cr3t-8f2a9c").is_err());
///
/// let in_path = UrlToken::path_segment("s3cr3t-8f2a9c-4e7b1d")?;
/// in_path.verify("/hooks/s3cr3t-8f2a9c-4e7b1d/skladon/orders/123")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct UrlToken {
    tokens: TokenSet,
    placement: Placement,
}

// The tokens are wiped on drop (the placement, a parameter name, is no secret).
impl zeroize::ZeroizeOnDrop for UrlToken {}

impl UrlToken {
    /// The fewest bytes a token may have (16): the receiver's operator chooses it, so it can be
    /// a long random value, and a short one could be guessed.
    pub const MIN_LEN: usize = super::token::MIN_URL_TOKEN_LEN;

    /// The token is the value of query parameter `name`.
    ///
    /// # Errors
    /// [`ConfigError`] ([`EmptySecret`](crate::error::ConfigErrorKind::EmptySecret)) if `token` or
    /// `name` is empty; [`ConfigError`]
    /// ([`InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret)) if `token` is shorter than
    /// [`MIN_LEN`](UrlToken::MIN_LEN) bytes.
    pub fn query(name: impl Into<String>, token: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::query_with_tokens(name, [token])
    }

    /// Like [`query`](UrlToken::query), with several tokens valid at once (rotation).
    ///
    /// # Errors
    /// [`ConfigError`] ([`EmptySecret`](crate::error::ConfigErrorKind::EmptySecret)) if `name`, the
    /// list or any token is empty; [`ConfigError`]
    /// ([`InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret)) if a token is shorter than
    /// [`MIN_LEN`](UrlToken::MIN_LEN) bytes.
    pub fn query_with_tokens<I, S>(name: impl Into<String>, tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let name = name.into();
        if name.is_empty() {
            return Err(ConfigError::empty_secret());
        }
        Ok(Self {
            tokens: TokenSet::for_url(tokens)?,
            placement: Placement::Query(name),
        })
    }

    /// The token is one of the URL's path segments.
    ///
    /// # Errors
    /// [`ConfigError`] ([`EmptySecret`](crate::error::ConfigErrorKind::EmptySecret)) if `token` is
    /// empty; [`ConfigError`] ([`InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret)) if
    /// it is shorter than [`MIN_LEN`](UrlToken::MIN_LEN) bytes.
    pub fn path_segment(token: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::path_segment_with_tokens([token])
    }

    /// Like [`path_segment`](UrlToken::path_segment), with several tokens valid at once.
    ///
    /// # Errors
    /// [`ConfigError`] ([`EmptySecret`](crate::error::ConfigErrorKind::EmptySecret)) if the list or
    /// any token is empty; [`ConfigError`]
    /// ([`InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret)) if a token is shorter than
    /// [`MIN_LEN`](UrlToken::MIN_LEN) bytes.
    pub fn path_segment_with_tokens<I, S>(tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            tokens: TokenSet::for_url(tokens)?,
            placement: Placement::PathSegment,
        })
    }

    /// Checks the URL of a request: an absolute URL or the request target (`/path?query`), as
    /// your framework gives it.
    ///
    /// # Errors
    /// [`Error::UriTooLong`] (414) for a target over 8 KiB or 64 path segments, checked first;
    /// [`Error::TokenMismatch`] when no token is found or it matches none of the configured ones;
    /// a query parameter present several times must carry a valid token every time.
    pub fn verify(&self, url: &str) -> Result<(), Error> {
        crate::url::check_bounds(url)?;
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

    /// Whether one path segment, as it stands in the URL (still percent-encoded), is one of the
    /// tokens: for a receiver that knows where its token stands (Skladon's, after the mount
    /// point). Constant time in every token; allocates nothing.
    #[cfg_attr(not(feature = "skladon"), allow(dead_code))]
    pub(crate) fn matches_segment(&self, raw: &str) -> bool {
        self.matches_encoded(raw, false)
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
