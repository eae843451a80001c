//! Just enough URL handling for webhook receivers: split a request target into path and query,
//! walk segments and parameters, percent-decode. No allocation unless decoding changes the text.

use std::borrow::Cow;

/// The parts of a request target. Accepts an absolute URL (`https://host/a/b?x=1#f`), an
/// origin-form target (`/a/b?x=1`) or a bare path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    /// `scheme://authority`, empty for origin-form targets.
    pub(crate) origin: &'a str,
    /// The path, starting with `/` unless empty.
    pub(crate) path: &'a str,
    /// The query without the `?`, if there was one.
    pub(crate) query: Option<&'a str>,
}

/// The longest request target a check reads, in bytes: far above any URL a provider is given
/// to call (a host, a short path, one token), far below what would cost anything to walk.
pub(crate) const MAX_URL_LEN: usize = 8 * 1024;

/// The most path segments a check walks (a URL token is compared with every one of them).
pub(crate) const MAX_SEGMENTS: usize = 64;

/// Refuses a request target over [`MAX_URL_LEN`] bytes or [`MAX_SEGMENTS`] path segments, before
/// any other work: hashing every segment of a 400 KiB URL cost 27 ms per request.
pub(crate) fn check_bounds(url: &str) -> Result<(), crate::error::Error> {
    if url.len() > MAX_URL_LEN {
        return Err(crate::error::Error::UriTooLong {
            reason: "longer than 8 KiB",
        });
    }
    if split(url).path.bytes().filter(|&b| b == b'/').count() > MAX_SEGMENTS {
        return Err(crate::error::Error::UriTooLong {
            reason: "more than 64 path segments",
        });
    }
    Ok(())
}

/// Percent-encodes `s` as one URL component: every byte but ASCII letters, digits and `-._~`.
#[cfg_attr(
    not(any(feature = "skladon", all(feature = "testing", feature = "isendu"))),
    allow(dead_code)
)]
pub(crate) fn encode_component(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(crate) fn split(url: &str) -> Target<'_> {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    // `scheme://` only counts before the first `/` or `?`: a `://` inside a path or a query is
    // data, not the end of an origin.
    let scheme_end = url
        .find("://")
        .filter(|&i| !url[..i].contains(['/', '?']) && !url[..i].is_empty());
    let (origin, rest) = match scheme_end {
        Some(i) => {
            let after = &url[i + 3..];
            let end = after.find(['/', '?']).map_or(url.len(), |j| i + 3 + j);
            (&url[..end], &url[end..])
        }
        None => ("", url),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    Target {
        origin,
        path,
        query,
    }
}

/// What replaces a masked path segment or query value in [`Redacted`].
pub(crate) const MASK: &str = "[redacted]";

/// Segments of this length or more are masked wherever they stand: the shortest URL token an
/// operator may choose, so a token mounted at the root is masked too.
const LONG_SEGMENT: usize = 16;

/// A request target as it may be shown or stored: with everything that may be a credential
/// masked, the same way for every provider.
///
/// Which segment of a path is a token depends on the provider and on where the receiver is
/// mounted (Skladon's token follows the mount point, isendu's may be a path segment), so
/// masking is by position, from the parsed target, after no decoding: the path's first two
/// non-empty segments are kept when shorter than 16 bytes (`/webhooks/skladon`), every other
/// segment and every query value (a bare query item whole) becomes `[redacted]`; the origin,
/// which may carry `user:password@`, and the fragment are left out.
pub(crate) struct Redacted<'a>(pub(crate) &'a str);

impl std::fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let target = split(self.0);
        let mut kept = 0;
        for (i, segment) in target.path.split('/').enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            if segment.is_empty() {
                continue;
            }
            kept += 1;
            f.write_str(if kept <= 2 && segment.len() < LONG_SEGMENT {
                segment
            } else {
                MASK
            })?;
        }
        if let Some(query) = target.query {
            f.write_str("?")?;
            for (i, item) in query.split('&').enumerate() {
                if i > 0 {
                    f.write_str("&")?;
                }
                match item.split_once('=') {
                    Some((name, _)) if name.len() < LONG_SEGMENT => write!(f, "{name}={MASK}")?,
                    _ if item.is_empty() => {}
                    _ => f.write_str(MASK)?,
                }
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// The non-empty segments of a path.
pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// The `(name, value)` pairs of a query string, still percent-encoded.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Feeds the percent-decoded bytes of `s` to `out`. `plus_is_space` for query components.
/// Returns `false` for a malformed escape (`%` not followed by two hex digits).
pub(crate) fn decode_each(s: &str, plus_is_space: bool, mut out: impl FnMut(&[u8])) -> bool {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let (Some(h), Some(l)) = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                ) else {
                    return false;
                };
                out(&bytes[start..i]);
                out(&[h << 4 | l]);
                i += 3;
                start = i;
            }
            b'+' if plus_is_space => {
                out(&bytes[start..i]);
                out(b" ");
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out(&bytes[start..]);
    true
}

/// Percent-decodes `s`; `None` for a malformed escape or a result that is not UTF-8.
#[cfg_attr(not(feature = "skladon"), allow(dead_code))]
pub(crate) fn decode(s: &str, plus_is_space: bool) -> Option<Cow<'_, str>> {
    if !s.bytes().any(|b| b == b'%' || (plus_is_space && b == b'+')) {
        return Some(Cow::Borrowed(s));
    }
    let mut buf = Vec::with_capacity(s.len());
    if !decode_each(s, plus_is_space, |chunk| buf.extend_from_slice(chunk)) {
        return None;
    }
    String::from_utf8(buf).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_targets_keep_no_credential() {
        let cases = [
            (
                "/webhooks/skladon/tok-5f1c9a7e2b0d4e61/UPDATE_ORDER_STATUS/12",
                "/webhooks/skladon/[redacted]/[redacted]/[redacted]",
            ),
            // Encoded forms are masked by position all the same.
            (
                "/webhooks/skladon/tok%2D5f1c/%55PDATE_ORDER/a%20b",
                "/webhooks/skladon/[redacted]/[redacted]/[redacted]",
            ),
            (
                "/webhooks/isendu?token=s3cr%65t&x",
                "/webhooks/isendu?token=[redacted]&[redacted]",
            ),
            ("/webhooks/isendu/t0k3n", "/webhooks/isendu/[redacted]"),
            // Mounted at the root: a token-sized first segment is masked too.
            (
                "/0123456789abcdef0123/CREATE_ORDER",
                "/[redacted]/CREATE_ORDER",
            ),
            (
                "https://user:pass@h.example/webhooks/skladon/tok/T?k=v#frag",
                "/webhooks/skladon/[redacted]/[redacted]?k=[redacted]",
            ),
            (
                "/webhooks/skladon/tok/T/",
                "/webhooks/skladon/[redacted]/[redacted]/",
            ),
            ("", ""),
            ("/?", "/?"),
        ];
        for (target, shown) in cases {
            assert_eq!(Redacted(target).to_string(), shown, "{target}");
        }
    }

    #[test]
    fn splits_absolute_and_origin_form() {
        let t = split("https://app.example/api/orders/changes/123?x=1#frag");
        assert_eq!(t.origin, "https://app.example");
        assert_eq!(t.path, "/api/orders/changes/123");
        assert_eq!(t.query, Some("x=1"));
        let t = split("/hooks/abc");
        assert_eq!((t.origin, t.path, t.query), ("", "/hooks/abc", None));
        let t = split("https://host?q=1");
        assert_eq!(
            (t.origin, t.path, t.query),
            ("https://host", "", Some("q=1"))
        );
    }

    #[test]
    fn origin_only_before_the_path() {
        let t = split("/hooks/a?next=https://evil.example/x");
        assert_eq!(
            (t.origin, t.path, t.query),
            ("", "/hooks/a", Some("next=https://evil.example/x"))
        );
        let t = split("/a/https://b/c");
        assert_eq!((t.origin, t.path), ("", "/a/https://b/c"));
        let t = split("://x/y");
        assert_eq!((t.origin, t.path), ("", "://x/y"));
    }

    #[test]
    fn bounds() {
        assert!(check_bounds(&format!("/{}", "a".repeat(MAX_URL_LEN))).is_err());
        assert!(check_bounds(&"/a".repeat(MAX_SEGMENTS + 1)).is_err());
        check_bounds(&"/a".repeat(MAX_SEGMENTS)).unwrap();
        let err = check_bounds(&"/a".repeat(100_000)).unwrap_err();
        assert_eq!(err.status_code(), 414);
    }

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(decode("a%20b+c", true).unwrap(), "a b c");
        assert_eq!(decode("a%20b+c", false).unwrap(), "a b+c");
        assert!(decode("bad%2", false).is_none());
        assert!(decode("bad%zz", false).is_none());
        assert!(decode("%ff", false).is_none());
        assert!(matches!(
            decode("plain", true),
            Some(Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn query_pairs_and_segments() {
        let pairs: Vec<_> = query_pairs("a=1&&b&c=x=y").collect();
        assert_eq!(pairs, [("a", "1"), ("b", ""), ("c", "x=y")]);
        let segs: Vec<_> = segments("//a/b//c/").collect();
        assert_eq!(segs, ["a", "b", "c"]);
    }
}
