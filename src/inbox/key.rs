//! What is stored for a delivery beyond its [`Record`]: the dedup key in a form every database
//! can index (bounded length, no NUL byte), and whether the delivery is an announcement that
//! coalesces only while it waits (a Skladon GET).
#![cfg_attr(
    not(any(feature = "inbox-sqlite", feature = "inbox-postgres")),
    allow(dead_code)
)]

use sha2::{Digest, Sha256};

use super::Record;
use crate::any::AnyDelivery;

/// The longest dedup key stored as it is (bytes). A longer one is stored as a digest: an index
/// entry past PostgreSQL's btree row limit (about 2.7 KB) fails the statement holding it.
pub const MAX_STORED_KEY: usize = 256;

/// What marks a stored key as a digest. A key that holds it is digested too, so that no key
/// can be sent that equals another key's digest form.
const MARKER: &str = "~sha256:";

/// How much of a digested key is kept readable in front of its digest (bytes, at most).
const READABLE_PREFIX: usize = 64;

/// One delivery as the batch writer stores it.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) record: Record,
    /// Whose budget it takes while it waits for the writer.
    pub(crate) provider: crate::delivery::Provider,
    /// The `dedup_key` column: the key itself, or its digest form.
    pub(crate) key: String,
    /// The whole key when `key` is its digest (bytes: it may hold what a `TEXT` column cannot).
    pub(crate) full_key: Option<Vec<u8>>,
    /// A Skladon GET: deduplicated only against announcements still waiting or running.
    pub(crate) announce: bool,
    /// Its shipment references, `(kind, value)` (`trail.rs`).
    pub(crate) references: Vec<(&'static str, String)>,
}

impl Entry {
    pub(crate) fn new(record: Record, delivery: &AnyDelivery) -> Self {
        let (key, full_key) = stored_key(&record.dedup_key);
        Self {
            record,
            provider: delivery.provider(),
            key,
            full_key,
            announce: is_announcement(delivery),
            references: super::trail::references(delivery),
        }
    }

    /// Roughly how many bytes this entry sends to the database.
    pub(crate) fn bytes(&self) -> usize {
        let r = &self.record;
        r.body.len()
            + r.payload.len()
            + r.headers.len()
            + r.uri.len()
            + r.method.len()
            + r.context.as_ref().map_or(0, String::len)
            + self.key.len()
            + self.full_key.as_ref().map_or(0, Vec::len)
            + self
                .references
                .iter()
                .map(|(_, v)| v.len() + 16)
                .sum::<usize>()
            + 64
    }
}

/// The `dedup_key` column for `key`, and the whole key when that is a digest: a key longer than
/// [`MAX_STORED_KEY`], or holding a control character or the digest marker, becomes
/// `<readable prefix>~sha256:<hex SHA-256 of the key>`. Stable (the same key, the same digest)
/// and unique (SHA-256).
pub(crate) fn stored_key(key: &str) -> (String, Option<Vec<u8>>) {
    if key.len() <= MAX_STORED_KEY && !key.contains(MARKER) && !key.chars().any(char::is_control) {
        return (key.to_owned(), None);
    }
    let mut prefix = String::with_capacity(READABLE_PREFIX + MARKER.len() + 64);
    for c in key.chars().filter(|c| !c.is_control()) {
        if prefix.len() + c.len_utf8() > READABLE_PREFIX {
            break;
        }
        prefix.push(c);
    }
    let prefix = prefix.replace(MARKER, "~");
    let digest = crate::delivery::Hex(&Sha256::digest(key.as_bytes())).to_string();
    (
        format!("{prefix}{MARKER}{digest}"),
        Some(key.as_bytes().to_vec()),
    )
}

#[allow(unused_variables)]
fn is_announcement(delivery: &AnyDelivery) -> bool {
    #[cfg(feature = "skladon")]
    return matches!(
        delivery,
        AnyDelivery::Skladon(d) if matches!(d.payload, crate::skladon::Notification::EntityId { .. })
    );
    #[cfg(not(feature = "skladon"))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_stored_as_they_are() {
        assert_eq!(stored_key("peddler:A1"), ("peddler:A1".to_owned(), None));
        let edge = format!("peddler:{}", "x".repeat(MAX_STORED_KEY - 8));
        assert_eq!(stored_key(&edge).0, edge);
    }

    #[test]
    fn long_keys_become_a_stable_unique_digest_with_a_readable_prefix() {
        let long = format!("peddler:{}", "x".repeat(5000));
        let other = format!("peddler:{}y", "x".repeat(4999));
        let (a, full) = stored_key(&long);
        assert!(a.len() <= READABLE_PREFIX + MARKER.len() + 64, "{a}");
        assert!(a.starts_with("peddler:xxx"), "{a}");
        assert_eq!(full.as_deref(), Some(long.as_bytes()));
        assert_eq!(stored_key(&long).0, a, "stable");
        assert_ne!(stored_key(&other).0, a, "unique");
    }

    #[test]
    fn nul_bytes_and_the_marker_never_reach_the_column() {
        let (nul, full) = stored_key("skladon:A\0B:1");
        assert!(!nul.contains('\0'), "{nul:?}");
        assert_eq!(full.as_deref(), Some("skladon:A\0B:1".as_bytes()));
        // A key crafted to look like another key's digest is digested again.
        let long = format!("peddler:{}", "x".repeat(5000));
        let (digest, _) = stored_key(&long);
        let (again, full) = stored_key(&digest);
        assert_ne!(again, digest);
        assert!(full.is_some());
    }
}
