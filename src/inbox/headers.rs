//! Which request headers the inbox stores: an allowlist, per provider, of what its verifier
//! reads (named by the providers' own constants) and what an operator reading an item needs,
//! each value bounded. Nothing else is stored: not junk (a Skladon GET with 370 KB of headers
//! stored them all), not a proxy's copy of the URL (`X-Forwarded-Uri`, `X-Original-URL`,
//! `Referer`: they carry Skladon's path token and isendu's `?token=`), not a custom header of
//! the receiver's own infrastructure (`x-auth-token`).

use std::borrow::Cow;

use crate::delivery::Provider;

/// Stored for every provider: what an operator reads first.
const COMMON: &[&str] = &["content-type", "user-agent"];

/// What each provider's verifier reads: enough to run `receive` over the stored request again
/// (credential values aside: [`crate::credentials`]).
fn read_by(provider: Provider) -> &'static [&'static str] {
    match provider {
        #[cfg(feature = "wakilni")]
        Provider::Wakilni => &[
            crate::wakilni::SIGNATURE_HEADER,
            crate::wakilni::ATTEMPT_HEADER,
            crate::wakilni::SOURCE_HEADER,
            crate::wakilni::TOPIC_HEADER,
            crate::wakilni::WEBHOOK_ID_HEADER,
            crate::wakilni::DELIVERY_ID_HEADER,
        ],
        #[cfg(feature = "peddler")]
        Provider::Peddler => &[crate::peddler::TOKEN_HEADER],
        #[cfg(feature = "xoxoday")]
        Provider::Xoxoday => &[
            crate::xoxoday::API_KEY_HEADER,
            crate::xoxoday::X_FORWARDED_FOR_HEADER,
            crate::xoxoday::FORWARDED_HEADER,
        ],
        // isendu and Skladon read no header: the token is in the URL (stored redacted).
        _ => &[],
    }
}

/// What a credential header's value is stored as: the handler's mask, so that a claimed item's
/// `delivery.headers()` reads as router mode's (the one list: [`crate::credentials`]).
const REDACTED: &str = crate::request_headers::RequestHeaders::REDACTED;

/// The longest header value stored (bytes); a longer one is cut at a character boundary. A
/// signature, an attempt number, a forwarded chain fit many times over.
pub(crate) const MAX_HEADER_VALUE: usize = 1024;

/// The most header lines stored for one delivery (a header repeated 10,000 times is stored 16
/// times): with [`MAX_HEADER_VALUE`], at most about 17 KiB of headers per item.
pub(crate) const MAX_HEADERS: usize = 16;

/// The headers of `headers` the inbox stores for a delivery of `provider`, in order: names
/// (lower case, as the adapters give them; compared without case) on the allowlist only,
/// credentials redacted, each value at most [`MAX_HEADER_VALUE`] bytes, at most
/// [`MAX_HEADERS`] of them.
pub(crate) fn stored(
    provider: Provider,
    headers: &[(String, String)],
) -> Vec<(&str, Cow<'_, str>)> {
    let allowed = |name: &str| {
        COMMON
            .iter()
            .chain(read_by(provider))
            .any(|a| name.eq_ignore_ascii_case(a))
    };
    headers
        .iter()
        .filter(|(name, _)| allowed(name))
        .take(MAX_HEADERS)
        .map(|(name, value)| {
            let value = if crate::credentials::is_credential(name) {
                Cow::Borrowed(REDACTED)
            } else {
                Cow::Borrowed(cut(value, MAX_HEADER_VALUE))
            };
            (name.as_str(), value)
        })
        .collect()
}

/// `value`'s longest prefix of at most `max` bytes that ends at a character boundary.
fn cut(value: &str, max: usize) -> &str {
    if value.len() <= max {
        return value;
    }
    let mut end = max;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_cut_at_a_character_boundary() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "abc");
        // "é" is two bytes: cutting inside it keeps neither.
        assert_eq!(cut("aé", 2), "a");
    }

    #[cfg(all(feature = "wakilni", feature = "skladon"))]
    #[test]
    fn only_listed_headers_are_kept_bounded() {
        let headers: Vec<(String, String)> = [
            ("x-webhook-signature", "ab".repeat(32)),
            ("X-Forwarded-Uri", "/webhooks/skladon/secret-token/X".into()),
            ("referer", "https://x.example/?token=secret".into()),
            ("x-auth-token", "secret".into()),
            ("user-agent", "u".repeat(5000)),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
        let kept = stored(Provider::Wakilni, &headers);
        let names: Vec<&str> = kept.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["x-webhook-signature", "user-agent"]);
        assert_eq!(kept[1].1.len(), MAX_HEADER_VALUE);
        // Skladon reads no header: only the common ones.
        let kept = stored(Provider::Skladon, &headers);
        assert_eq!(kept.len(), 1);
        let many = vec![("x-attempt-number".to_owned(), "1".to_owned()); 10_000];
        assert_eq!(stored(Provider::Wakilni, &many).len(), MAX_HEADERS);
    }
}
