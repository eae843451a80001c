//! The console's defence against cross-site requests: every state-changing request is a POST
//! that must come from the console's own origin AND carry a token the console issued
//! (`docs/console.md`, "HTTP"). The token is stateless: an issue time and its HMAC-SHA256
//! under a random key of this process, valid [`TOKEN_LIFETIME`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// How long a token is accepted after the page holding it was served.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// What the MAC covers besides the time, so that the key signs nothing else.
const DOMAIN: &[u8] = b"delivery-webhooks console csrf v1";

/// The per-process key tokens are signed with.
#[derive(Clone)]
pub(crate) struct CsrfKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey([redacted])")
    }
}

impl CsrfKey {
    /// A fresh random key.
    ///
    /// # Errors
    /// The system's random source failed.
    pub(crate) fn random() -> Result<Self, getrandom::Error> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut())?;
        Ok(Self(key))
    }

    fn mac(&self, issued: u64) -> [u8; 32] {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.0.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(DOMAIN);
        mac.update(&issued.to_be_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A token issued `now`.
    pub(crate) fn issue(&self, now: SystemTime) -> String {
        let issued = secs(now);
        let mut raw = issued.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.mac(issued));
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Whether `token` was issued by this key within [`TOKEN_LIFETIME`] before `now` (and not
    /// after it, but for a minute of clock step).
    pub(crate) fn verify(&self, token: &str, now: SystemTime) -> bool {
        let Ok(raw) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        if raw.len() != 40 {
            return false;
        }
        let mut time = [0u8; 8];
        time.copy_from_slice(&raw[..8]);
        let issued = u64::from_be_bytes(time);
        let genuine: bool = self.mac(issued).ct_eq(&raw[8..]).into();
        let now = secs(now);
        genuine && issued <= now + 60 && now.saturating_sub(issued) <= TOKEN_LIFETIME.as_secs()
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Whether a request comes from the page of the same origin: its `Origin` names the
/// request's `Host` (any scheme: the console may sit behind a proxy ending TLS), or, without
/// `Origin`, `Sec-Fetch-Site` says `same-origin`. Without either: refused.
pub(crate) fn same_origin(
    origin: Option<&[u8]>,
    sec_fetch_site: Option<&[u8]>,
    host: Option<&[u8]>,
) -> bool {
    if let Some(origin) = origin {
        let Some(host) = host else { return false };
        let authority = origin
            .strip_prefix(b"https://")
            .or_else(|| origin.strip_prefix(b"http://"));
        return authority.is_some_and(|a| !a.is_empty() && a.eq_ignore_ascii_case(host));
    }
    sec_fetch_site == Some(b"same-origin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_within_their_lifetime_under_their_key_only() {
        let key = CsrfKey::random().unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let token = key.issue(now);
        assert!(key.verify(&token, now));
        assert!(key.verify(&token, now + TOKEN_LIFETIME));
        assert!(!key.verify(&token, now + TOKEN_LIFETIME + Duration::from_secs(1)));
        assert!(!key.verify(&token, now - Duration::from_secs(120)));
        assert!(!CsrfKey::random().unwrap().verify(&token, now));
        let mut forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&token)
            .unwrap();
        forged[7] ^= 1;
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
        assert!(!key.verify(&forged, now));
        for bad in ["", "x", "AAAA"] {
            assert!(!key.verify(bad, now));
        }
        assert_eq!(format!("{key:?}"), "CsrfKey([redacted])");
    }

    #[test]
    fn same_origin_needs_a_matching_origin_or_fetch_site() {
        let host = Some(&b"127.0.0.1:8080"[..]);
        assert!(same_origin(Some(b"http://127.0.0.1:8080"), None, host));
        assert!(same_origin(Some(b"https://127.0.0.1:8080"), None, host));
        assert!(!same_origin(
            Some(b"http://evil.example"),
            Some(b"same-origin"),
            host
        ));
        assert!(!same_origin(Some(b"null"), None, host));
        assert!(!same_origin(Some(b"http://127.0.0.1:8080"), None, None));
        assert!(same_origin(None, Some(b"same-origin"), host));
        assert!(!same_origin(None, Some(b"cross-site"), host));
        assert!(!same_origin(None, None, host));
    }
}
