//! [`RequestHeaders`]: the headers of the request a delivery came in, for the handler, with
//! every credential masked.

use std::fmt;

/// The headers of the request a [`Delivery`](crate::Delivery) came in, as the handler may read
/// them: every header the provider sent, including those a provider adds later (Wakilni's
/// `x-webhook-id`, `x-webhook-delivery-id`, `x-webhook-source`), names lowercase, in the order
/// received. A credential's value (a signature, a shared token, an API key, `authorization`,
/// `cookie`) reads [`REDACTED`](RequestHeaders::REDACTED): the handler can see that it was
/// sent, never what it was.
///
/// The framework adapters fill it (router mode, the `Webhook` extractor) and the inbox gives it
/// back with each item (inbox mode), so a handler reads `delivery.headers()` the same way in
/// both. A delivery from [`Receive::receive`](crate::Receive::receive) called directly has none:
/// that code holds the request itself.
///
/// `Debug` shows the names only.
#[derive(Clone, Default)]
pub struct RequestHeaders {
    pairs: Vec<(String, String)>,
}

impl RequestHeaders {
    /// The value standing in for a credential.
    pub const REDACTED: &'static str = "[redacted]";

    /// Headers from `(name, value)` pairs, the value of each name `is_credential` names replaced
    /// by [`REDACTED`](RequestHeaders::REDACTED) before it is copied. A value that is not UTF-8
    /// is kept lossily.
    pub(crate) fn masked<'h>(
        headers: impl Iterator<Item = (&'h str, &'h [u8])>,
        is_credential: impl Fn(&str) -> bool,
    ) -> Self {
        let pairs = headers
            .map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let value = if is_credential(&name) {
                    Self::REDACTED.to_owned()
                } else {
                    String::from_utf8_lossy(value).into_owned()
                };
                (name, value)
            })
            .collect();
        Self { pairs }
    }

    /// The first value of header `name` (any case), if it was sent.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (any case), in the order received.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header as `(name, value)`, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// How many header lines there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none (a delivery not received through an adapter or the inbox).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.pairs.iter().map(|(n, _)| n))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_before_they_are_copied() {
        let sent: [(&str, &[u8]); 4] = [
            ("X-Webhook-Delivery-Id", b"d-1"),
            ("x-webhook-signature", b"c2lnbmF0dXJl"),
            ("x-note", b"a"),
            ("X-Note", b"\xffb"),
        ];
        let headers = RequestHeaders::masked(sent.into_iter(), |n| n == "x-webhook-signature");
        assert_eq!(headers.get("x-webhook-delivery-id"), Some("d-1"));
        assert_eq!(headers.get("X-WEBHOOK-SIGNATURE"), Some("[redacted]"));
        assert_eq!(
            headers.get_all("x-note").collect::<Vec<_>>(),
            ["a", "\u{fffd}b"]
        );
        assert_eq!(headers.get("absent"), None);
        assert_eq!(headers.len(), 4);
        let shown = format!("{headers:?}");
        assert!(!shown.contains("d-1") && !shown.contains("c2ln"), "{shown}");
    }
}
