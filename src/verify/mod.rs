//! Shared constant-time primitives: HMAC-SHA256 signatures in base64 ([`hmac`]), shared tokens
//! ([`token`]), tokens carried in the URL a receiver registers ([`url_token`]) and source
//! addresses ([`source`]).
//!
//! Nothing on a verify path allocates: signatures are decoded into a stack buffer, tokens are
//! hashed as they are read. Secrets are never kept in the clear longer than construction: HMAC
//! keys are kept as the keyed HMAC state, tokens as their SHA-256 digest, and `Debug` prints
//! neither.

// Each primitive serves some providers only: a build without them must not warn.
#[cfg_attr(not(feature = "wakilni"), allow(dead_code, unused_imports))]
mod hmac;
mod token;
mod url_token;

#[cfg_attr(not(feature = "wakilni"), allow(unused_imports))]
pub(crate) use hmac::{HmacKeys, sign_base64};
#[cfg_attr(
    not(any(feature = "peddler", feature = "xoxoday", feature = "isendu")),
    allow(unused_imports)
)]
pub(crate) use token::TokenSet;
#[cfg_attr(
    not(any(
        feature = "peddler",
        feature = "xoxoday",
        feature = "isendu",
        feature = "skladon"
    )),
    allow(unused_imports)
)]
pub(crate) use token::{SHORT_URL_TOKEN, is_short};
pub use url_token::UrlToken;

#[cfg_attr(not(feature = "xoxoday"), allow(unused_imports))]
pub(crate) use source::{FORWARDED, X_FORWARDED_FOR, any_contains, client_addr, parse_nets};
#[cfg_attr(not(feature = "xoxoday"), allow(unused_imports))]
pub use source::{IpNet, ProxyHeader};

/// Whether a secret is empty or only whitespace: refused at construction, since it would let
/// anyone in (or lock everyone out). Text is trimmed of Unicode whitespace (an ideographic
/// space is as blank as an ASCII one); other bytes of ASCII whitespace.
pub(crate) fn is_blank(secret: &[u8]) -> bool {
    match std::str::from_utf8(secret) {
        Ok(text) => text.trim().is_empty(),
        Err(_) => secret.trim_ascii().is_empty(),
    }
}

/// Keeps each secret of a list as `keep` makes it, refusing an empty list and any blank secret
/// (a [`ConfigError`](crate::error::ConfigError) of kind `EmptySecret`): the one check every
/// list of credentials passes (HMAC secrets, tokens, API keys, key ids).
pub(crate) fn each_secret<I, S, T>(
    secrets: I,
    mut keep: impl FnMut(&[u8]) -> T,
) -> Result<Vec<T>, crate::error::ConfigError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut kept = Vec::new();
    for secret in secrets {
        let secret = secret.as_ref();
        if is_blank(secret) {
            return Err(crate::error::ConfigError::empty_secret());
        }
        kept.push(keep(secret));
    }
    if kept.is_empty() {
        return Err(crate::error::ConfigError::empty_secret());
    }
    Ok(kept)
}

/// Source-address primitives, used by Xoxoday. A module of its own so that a build without the
/// providers that use it stays free of dead-code warnings.
#[cfg_attr(not(feature = "xoxoday"), allow(dead_code))]
mod source;

#[cfg(test)]
mod tests {
    use super::hmac::sign_base64;
    use super::*;
    use crate::error::Error;

    // Known answer, computed outside the crate:
    // printf %s 'hello' | openssl dgst -sha256 -hmac 'key' -binary | base64
    const KAT_SIG: &str = "kwezuRXvtRcf8U2MtV+8x5jGwO8UVtZt7RpqpyOli3s=";

    #[test]
    fn sign_known_answer() {
        assert_eq!(sign_base64(b"key", b"hello"), KAT_SIG);
        // The keys verify what the free function signs.
        let keys = HmacKeys::new(["key"]).unwrap();
        keys.verify_base64("x", &sign_base64(b"key", b"hello"), b"hello")
            .unwrap();
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
        assert!(
            matches!(HmacKeys::new([""]), Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret)
        );
        assert!(matches!(
            HmacKeys::new(Vec::<String>::new()),
            Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret
        ));
    }

    #[test]
    fn tokens_compare_whole_values() {
        let t = TokenSet::new(["alpha", "beta"]).unwrap();
        assert!(t.matches(b"alpha") && t.matches(b"beta"));
        assert!(!t.matches(b"alph") && !t.matches(b"alphaa") && !t.matches(b""));
        assert!(
            matches!(TokenSet::new(["a", ""]), Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret)
        );
        assert_eq!(format!("{t:?}"), "[2 redacted token(s)]");
        assert!(
            matches!(TokenSet::new([" \t"]), Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret)
        );
        assert!(matches!(
            TokenSet::for_header(["ok", " padded "]),
            Err(e) if e.kind() == crate::error::ConfigErrorKind::InvalidSecret
        ));
        assert!(matches!(
            TokenSet::for_header([" "]),
            Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret
        ));
        TokenSet::for_header(["inner space ok"]).unwrap();
    }

    #[test]
    fn url_token_query_and_path() {
        const NEW: &str = "new-token-5f1c9a7e";
        const OLD: &str = "old-token-5f1c9a7e";
        let q = UrlToken::query_with_tokens("token", [NEW, OLD]).unwrap();
        q.verify(&format!("/h?token={OLD}")).unwrap();
        q.verify(&format!("https://x.example/h?x=1&token={NEW}#frag"))
            .unwrap();
        assert!(q.verify("/h").is_err());
        assert!(q.verify("/h?token=").is_err());
        assert!(q.verify(&format!("/h?token={NEW}&token=evil")).is_err());
        assert!(q.verify(&format!("/h?tok={NEW}")).is_err());
        assert!(q.verify(&format!("/h/{NEW}")).is_err());
        let p = UrlToken::path_segment("a b-token-5f1c9a7e").unwrap();
        p.verify("/hooks/a%20b-token-5f1c9a7e/x").unwrap();
        assert!(p.verify("/hooks/a%2-token-5f1c9a7e/x").is_err());
        assert!(p.verify("/hooks?token=a%20b-token-5f1c9a7e").is_err());
        p.verify_value("a b-token-5f1c9a7e").unwrap();
        assert!(!format!("{p:?}").contains("a b"));
        assert!(
            matches!(UrlToken::query("", "x"), Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret)
        );
    }

    #[test]
    fn url_tokens_shorter_than_16_bytes_are_refused() {
        let short = "tok-5f1c9a7e2b"; // 14 bytes
        for err in [
            UrlToken::query("token", short).unwrap_err(),
            UrlToken::path_segment(short).unwrap_err(),
            UrlToken::query_with_tokens("token", ["a-long-enough-token", short]).unwrap_err(),
            UrlToken::path_segment_with_tokens([short]).unwrap_err(),
        ] {
            assert!(
                matches!(err.kind(), crate::error::ConfigErrorKind::InvalidSecret),
                "{err:?}"
            );
            assert!(err.to_string().contains("at least 16 bytes"), "{err}");
            assert!(!err.to_string().contains(short), "{err}");
        }
        // Blank is still reported as empty; 16 bytes is enough.
        assert!(matches!(
            UrlToken::query("token", " "),
            Err(e) if e.kind() == crate::error::ConfigErrorKind::EmptySecret
        ));
        UrlToken::query("token", "0123456789abcdef").unwrap();
        UrlToken::path_segment("0123456789abcdef").unwrap();
        // Header-carried credentials the provider issues keep working at any length.
        TokenSet::for_header(["pd-token"]).unwrap();
    }
}
