//! Standard Webhooks signing (<https://www.standardwebhooks.com>): the three headers every
//! forwarded request carries, so that the receiving app verifies it with the Standard Webhooks
//! library of its own language.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of a Standard Webhooks secret: `whsec_` then the key in base64.
pub const PREFIX: &str = "whsec_";

/// The signing keys: the current one first, then those still accepted while rotating. Each
/// request carries one signature per key, so an app that knows either verifies it.
#[derive(Clone)]
pub struct Signer {
    keys: Vec<HmacSha256>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({} keys, not shown)", self.keys.len())
    }
}

/// What is wrong with a secret (never the secret).
pub fn parse_secret(secret: &str) -> Result<Vec<u8>, &'static str> {
    let secret = secret.trim();
    let Some(encoded) = secret.strip_prefix(PREFIX) else {
        return Err("expected a Standard Webhooks secret: whsec_ then base64");
    };
    let key = STANDARD
        .decode(encoded)
        .map_err(|_| "the part after whsec_ is not base64")?;
    if key.len() < 24 {
        return Err("the key is shorter than 24 bytes (Standard Webhooks asks for 24 to 64)");
    }
    if key.len() > 64 {
        return Err("the key is longer than 64 bytes (Standard Webhooks asks for 24 to 64)");
    }
    Ok(key)
}

impl Signer {
    /// Keys from raw key bytes, the current one first.
    pub fn new<K: AsRef<[u8]>>(keys: impl IntoIterator<Item = K>) -> Self {
        Self {
            keys: keys
                .into_iter()
                .map(|k| {
                    <HmacSha256 as hmac::KeyInit>::new_from_slice(k.as_ref())
                        .expect("hmac accepts keys of any length")
                })
                .collect(),
        }
    }

    /// The `webhook-signature` value for `body` sent as `id` at `timestamp` (Unix seconds):
    /// `v1,<base64>` per key, space-separated.
    pub fn signature(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut out = String::new();
        for key in &self.keys {
            let mut mac = key.clone();
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("v1,");
            out.push_str(&STANDARD.encode(mac.finalize().into_bytes()));
        }
        out
    }

    /// The three headers: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub fn headers(&self, id: &str, timestamp: u64, body: &[u8]) -> [(&'static str, String); 3] {
        [
            ("webhook-id", id.to_owned()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", self.signature(id, timestamp, body)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_checked_without_showing_them() {
        assert_eq!(
            parse_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err("expected a Standard Webhooks secret: whsec_ then base64")
        );
        assert_eq!(
            parse_secret("whsec_not base64!"),
            Err("the part after whsec_ is not base64")
        );
        assert_eq!(
            parse_secret("whsec_c2hvcnQ="),
            Err("the key is shorter than 24 bytes (Standard Webhooks asks for 24 to 64)")
        );
        assert_eq!(
            parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap()
                .len(),
            24
        );
    }

    /// The example of the Standard Webhooks specification's test vectors.
    #[test]
    fn the_specification_s_example_signs_the_same() {
        let key = parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signer = Signer::new([key]);
        assert_eq!(
            signer.signature(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let debug = format!("{signer:?}");
        assert_eq!(debug, "Signer(1 keys, not shown)");
    }
}
