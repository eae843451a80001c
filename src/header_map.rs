//! [`Headers`] for `http::HeaderMap` (feature `http`), with the header names the providers read
//! prebuilt: http parses a `&str` name on every lookup, a prebuilt `HeaderName` skips that.
//!
//! This module sits above the providers (it names their header constants) so that the core's
//! `headers` module names none; where a trait is implemented does not matter to its users.

use crate::headers::Headers;

impl Headers for http::HeaderMap {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        // HeaderMap stores names in lowercase; `get_all` with a lowercase `&str` is exact. A
        // `&str` is parsed into a header name on every lookup: the names this crate reads are
        // taken prebuilt instead.
        let values = match known_name(name) {
            Some(known) => self.get_all(known),
            None => self.get_all(name),
        };
        for value in values {
            found(value.as_bytes());
        }
    }
    fn keeps_line_order(&self) -> bool {
        true
    }
}

/// The header names this crate reads, as `http` header names built at compile time (from the
/// providers' own constants).
fn known_name(name: &str) -> Option<&'static http::HeaderName> {
    macro_rules! prebuilt {
        ($($(#[$cfg:meta])* $constant:path,)*) => {
            match name {
                $($(#[$cfg])* $constant => {
                    static NAME: http::HeaderName = http::HeaderName::from_static($constant);
                    Some(&NAME)
                })*
                _ => None,
            }
        };
    }
    prebuilt!(
        #[cfg(feature = "wakilni")]
        crate::wakilni::SIGNATURE_HEADER,
        #[cfg(feature = "wakilni")]
        crate::wakilni::ATTEMPT_HEADER,
        #[cfg(feature = "wakilni")]
        crate::wakilni::TOPIC_HEADER,
        #[cfg(feature = "peddler")]
        crate::peddler::TOKEN_HEADER,
        #[cfg(feature = "xoxoday")]
        crate::xoxoday::API_KEY_HEADER,
        #[cfg(feature = "xoxoday")]
        crate::verify::X_FORWARDED_FOR,
        #[cfg(feature = "xoxoday")]
        crate::verify::FORWARDED,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_header_map() {
        let mut m = http::HeaderMap::new();
        m.append("X-Webhook-Id", http::HeaderValue::from_static("7"));
        assert_eq!(Headers::get(&m, "x-webhook-id").unwrap(), Some("7"));
        m.append("x-webhook-id", http::HeaderValue::from_static("8"));
        assert!(Headers::get(&m, "x-webhook-id").is_err());
        m.insert("x-bin", http::HeaderValue::from_bytes(b"\xff").unwrap());
        assert!(Headers::get(&m, "x-bin").is_err());
    }

    /// The names read through a prebuilt `HeaderName` behave as any other.
    #[cfg(feature = "wakilni")]
    #[test]
    fn http_header_map_prebuilt_names() {
        use crate::error::Error;
        use crate::wakilni::{ATTEMPT_HEADER, SIGNATURE_HEADER};
        assert!(super::known_name(SIGNATURE_HEADER).is_some());
        let mut m = http::HeaderMap::new();
        assert_eq!(Headers::get(&m, SIGNATURE_HEADER).unwrap(), None);
        m.append(
            "X-Webhook-Signature",
            http::HeaderValue::from_static(" abc= "),
        );
        assert_eq!(Headers::get(&m, SIGNATURE_HEADER).unwrap(), Some("abc="));
        m.append(
            "x-webhook-signature",
            http::HeaderValue::from_static("xyz="),
        );
        assert!(matches!(
            Headers::get(&m, SIGNATURE_HEADER),
            Err(Error::ConflictingHeader {
                name: SIGNATURE_HEADER
            })
        ));
        m.insert(
            ATTEMPT_HEADER,
            http::HeaderValue::from_bytes(b"2\xff").unwrap(),
        );
        assert!(Headers::get(&m, ATTEMPT_HEADER).is_err());
    }
}
