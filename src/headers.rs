//! [`Headers`]: read request headers from whatever your web framework hands you.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use crate::error::Error;

/// ASCII case-insensitive access to a request's headers.
///
/// Implemented for slices, arrays and `Vec`s of `(name, value)` pairs, for `HashMap` and
/// `BTreeMap` (names and values anything `AsRef<str>`), and, with the `http` feature, for
/// `http::HeaderMap`. Implement [`for_each_value`](Headers::for_each_value) for your own type;
/// [`get`](Headers::get) is provided.
///
/// ```
/// use delivery_webhooks::Headers;
///
/// let headers = [("X-Webhook-Topic", "Order Created"), ("Content-Type", "application/json")];
/// assert_eq!(Headers::get(&headers, "x-webhook-topic")?, Some("Order Created"));
/// assert_eq!(Headers::get(&headers, "x-missing")?, None);
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub trait Headers {
    /// Calls `found` with every value stored under `name`, compared ASCII case-insensitively.
    ///
    /// `name` is always given in lowercase by this crate.
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8]));

    /// The value of header `name`, trimmed of surrounding whitespace.
    ///
    /// - `Ok(None)` when the header is absent;
    /// - [`Error::ConflictingHeader`] when it is present more than once with different values
    ///   (the same value repeated is accepted);
    /// - [`Error::InvalidHeader`] when the value is not visible ASCII text.
    ///
    /// Allocates nothing.
    fn get(&self, name: &'static str) -> Result<Option<&str>, Error> {
        let mut first: Option<&[u8]> = None;
        let mut conflict = false;
        self.for_each_value(name, &mut |value| {
            let value = value.trim_ascii();
            match first {
                None => first = Some(value),
                Some(seen) if seen != value => conflict = true,
                Some(_) => {}
            }
        });
        if conflict {
            return Err(Error::ConflictingHeader { name });
        }
        match first {
            None => Ok(None),
            Some(value) => {
                // Visible ASCII plus inner spaces and tabs, as HTTP field values should be.
                if is_field_text(value) {
                    // Checked above: ASCII is UTF-8.
                    Ok(std::str::from_utf8(value).ok())
                } else {
                    Err(Error::InvalidHeader {
                        name,
                        reason: "not visible ascii text",
                    })
                }
            }
        }
    }

    /// Whether the values of one header name come back in the order the request carried them
    /// (also across names that differ only in case).
    ///
    /// Only forwarding headers (`X-Forwarded-For`, `Forwarded`) care: several lines of them are
    /// one list in order, and the client is judged from its right end. A source that cannot
    /// vouch for the order (a `HashMap` or `BTreeMap`, whose differently-cased keys come back in
    /// map order) may never decide from more than one line: such a request is refused (400)
    /// rather than judged on an order an attacker could influence. Slices, arrays, `Vec`s and
    /// `http::HeaderMap` keep the order; the default for your own type is `false`, the safe
    /// answer — override it only if your type keeps the lines in arrival order.
    fn keeps_line_order(&self) -> bool {
        false
    }

    /// Like [`get`](Headers::get), but a missing or empty header is [`Error::MissingHeader`].
    fn require(&self, name: &'static str) -> Result<&str, Error> {
        match self.get(name)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::MissingHeader { name }),
        }
    }
}

/// Whether `value` is visible ASCII, spaces and tabs. Written without an early exit so that the
/// compiler checks many bytes per instruction: a signature is read on every request.
fn is_field_text(value: &[u8]) -> bool {
    value.iter().fold(true, |ok, &b| {
        ok & (b == b'\t' || b.wrapping_sub(b' ') <= b'~' - b' ')
    })
}

impl<H: Headers + ?Sized> Headers for &H {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        (**self).for_each_value(name, found);
    }
    fn keeps_line_order(&self) -> bool {
        (**self).keeps_line_order()
    }
}

fn pairs<'a, K, V>(
    entries: impl IntoIterator<Item = (&'a K, &'a V)>,
    name: &str,
    found: &mut dyn FnMut(&'a [u8]),
) where
    K: AsRef<str> + 'a + ?Sized,
    V: AsRef<str> + 'a + ?Sized,
{
    for (k, v) in entries {
        if k.as_ref().eq_ignore_ascii_case(name) {
            found(v.as_ref().as_bytes());
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for [(K, V)] {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        pairs(self.iter().map(|(k, v)| (k, v)), name, found);
    }
    fn keeps_line_order(&self) -> bool {
        true
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> Headers for [(K, V); N] {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        self.as_slice().for_each_value(name, found);
    }
    fn keeps_line_order(&self) -> bool {
        true
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for Vec<(K, V)> {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        self.as_slice().for_each_value(name, found);
    }
    fn keeps_line_order(&self) -> bool {
        true
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S: BuildHasher> Headers for HashMap<K, V, S> {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        // Keys differing only in case are distinct map entries but the same header.
        pairs(self.iter(), name, found);
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for BTreeMap<K, V> {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        pairs(self.iter(), name, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_trims() {
        let h = vec![("X-Webhook-Signature".to_string(), "  abc= ".to_string())];
        assert_eq!(h.get("x-webhook-signature").unwrap(), Some("abc="));
    }

    #[test]
    fn duplicates_equal_are_fine_and_different_conflict() {
        let same = [("x-a", "1"), ("X-A", "1")];
        assert_eq!(Headers::get(&same, "x-a").unwrap(), Some("1"));
        let diff = [("x-a", "1"), ("X-A", "2")];
        assert!(matches!(
            Headers::get(&diff, "x-a"),
            Err(Error::ConflictingHeader { name: "x-a" })
        ));
    }

    #[test]
    fn hashmap_keys_differing_in_case_are_one_header() {
        let mut m = HashMap::new();
        m.insert("X-Token", "a");
        m.insert("x-token", "b");
        assert!(matches!(
            Headers::get(&m, "x-token"),
            Err(Error::ConflictingHeader { .. })
        ));
        let mut b = BTreeMap::new();
        b.insert("X-Token".to_string(), "a".to_string());
        assert_eq!(Headers::get(&b, "x-token").unwrap(), Some("a"));
    }

    #[test]
    fn control_characters_and_missing_are_errors() {
        let h = [("x-a", "a\u{1}b"), ("x-b", "é")];
        assert!(matches!(
            Headers::get(&h, "x-a"),
            Err(Error::InvalidHeader { .. })
        ));
        assert!(matches!(
            Headers::get(&h, "x-b"),
            Err(Error::InvalidHeader { .. })
        ));
        let empty = [("x-a", "  ")];
        assert!(matches!(
            empty.require("x-a"),
            Err(Error::MissingHeader { name: "x-a" })
        ));
    }
}
