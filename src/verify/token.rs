//! Shared tokens, API keys and key ids: kept as SHA-256 digests, compared in constant time.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use crate::error::ConfigError;

/// The fewest bytes a URL token may have: the receiver's operator chooses it, so it can be long.
pub(crate) const MIN_URL_TOKEN_LEN: usize = 16;

/// Why a short URL token is refused.
pub(crate) const SHORT_URL_TOKEN: &str =
    "a url token must be at least 16 bytes: choose a long random value";

/// Whether a credential is shorter than [`MIN_URL_TOKEN_LEN`] bytes: refused for a URL token,
/// warned about at start-up for one the provider issues (Peddler's token, isendu's key id,
/// Xoxoday's API key).
pub(crate) fn is_short(token: &[u8]) -> bool {
    token.len() < MIN_URL_TOKEN_LEN
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
    /// Refuses an empty list and any empty or whitespace-only token.
    pub(crate) fn new<I, S>(tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            digests: super::each_secret(tokens, |token| Sha256::digest(token).into())?,
        })
    }

    #[cfg_attr(not(any(feature = "peddler", feature = "xoxoday")), allow(dead_code))]
    /// Like [`new`](TokenSet::new), for tokens sent in a header: header values arrive trimmed,
    /// so a token with surrounding whitespace could never match and is refused as configured.
    #[cfg_attr(not(any(feature = "peddler", feature = "xoxoday")), allow(dead_code))]
    pub(crate) fn for_header<I, S>(tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let tokens: Vec<S> = tokens.into_iter().collect();
        for token in &tokens {
            let token = token.as_ref();
            if !token.trim_ascii().is_empty() && token.trim_ascii().len() != token.len() {
                return Err(ConfigError::invalid_secret(
                    "surrounding whitespace: header values arrive trimmed, so it could never match",
                ));
            }
        }
        Self::new(tokens)
    }

    /// Like [`new`](TokenSet::new), for tokens the receiver's operator chooses and puts in a URL
    /// (isendu's URL token, Skladon's path token): one shorter than [`MIN_URL_TOKEN_LEN`] bytes
    /// could be guessed, and is refused with [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret).
    pub(crate) fn for_url<I, S>(tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let tokens: Vec<S> = tokens.into_iter().collect();
        let set = Self::new(&tokens)?;
        if tokens.iter().any(|t| is_short(t.as_ref())) {
            return Err(ConfigError::invalid_secret(SHORT_URL_TOKEN));
        }
        Ok(set)
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
