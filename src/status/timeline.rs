//! [`Timeline`]: the current status of every shipment, folded order-independently.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::StatusUpdate;
use crate::delivery::Provider;

/// The current status of every shipment seen, whatever order the updates arrived in.
///
/// Providers send updates late, out of order and more than once (isendu says its batches are
/// not ordered; Skladon retries for 48 hours; every provider retries). A `Timeline` keeps, per
/// shipment (provider and [`shipment_key`](StatusUpdate::shipment_key)), the greatest update by
/// [`StatusUpdate::recency_cmp`]:
///
/// 1. the later provider time wins (an update without a time is older than any with one);
/// 2. at equal times, the status further along the lifecycle ([`ShipmentStatus::position`]), so a
///    terminal state wins;
/// 3. then the provider's status text, then the whole update's JSON, so that any two distinct
///    updates are ordered the same way on every machine.
///
/// "Keep the greatest of a total order" is what makes the result the same for any arrival
/// order and any number of duplicates, and it means a terminal state is never undone by a late
/// update of an earlier time.
///
/// It serializes (JSON: a list of the current updates, sorted by provider and key) so it can
/// be stored and loaded again; loading folds the list, so a hand-edited list with two updates
/// of one shipment still gives the greatest.
///
/// [`ShipmentStatus::position`]: super::ShipmentStatus::position
///
/// ```
/// use delivery_webhooks::{Provider, RefKind, ShipmentRef, ShipmentStatus, StatusUpdate, Timeline};
/// use time::macros::datetime;
///
/// let update = |status, text: &str, at| {
///     StatusUpdate::new(Provider::Peddler, ShipmentRef::new(RefKind::Shipment, "A1"), status, text)
///         .at(Some(at))
/// };
/// let out = update(ShipmentStatus::OutForDelivery, "OUT_FOR_DELIVERY", datetime!(2024-09-02 10:00 UTC));
/// let done = update(ShipmentStatus::Delivered, "DELIVERED", datetime!(2024-09-02 13:08 UTC));
///
/// let mut a = Timeline::new();
/// assert!(a.apply(&done));
/// assert!(!a.apply(&out)); // late, and older: no change
/// assert!(!a.apply(&done)); // a duplicate: no change
///
/// let b: Timeline = [out, done.clone()].into_iter().collect();
/// assert_eq!(a, b);
/// assert_eq!(a.current(Provider::Peddler, "shipment:A1"), Some(&done));
///
/// let stored = serde_json::to_string(&a).unwrap();
/// assert_eq!(serde_json::from_str::<Timeline>(&stored).unwrap(), a);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    current: BTreeMap<(Provider, String), StatusUpdate>,
}

impl Timeline {
    /// An empty timeline.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds in one update. Returns whether the shipment's current status changed (a
    /// duplicate or an older update changes nothing).
    pub fn apply(&mut self, update: &StatusUpdate) -> bool {
        let key = (update.provider, update.shipment_key());
        match self.current.get_mut(&key) {
            Some(have) => {
                if update.recency_cmp(have) == Ordering::Greater {
                    *have = update.clone();
                    true
                } else {
                    false
                }
            }
            None => {
                self.current.insert(key, update.clone());
                true
            }
        }
    }

    /// Folds in every update. Returns whether any shipment's current status changed.
    pub fn apply_all<'a>(&mut self, updates: impl IntoIterator<Item = &'a StatusUpdate>) -> bool {
        updates
            .into_iter()
            .fold(false, |changed, u| self.apply(u) | changed)
    }

    /// The current status of one shipment: `shipment_key` as given by
    /// [`StatusUpdate::shipment_key`] (`order:123456`).
    #[must_use]
    pub fn current(&self, provider: Provider, shipment_key: &str) -> Option<&StatusUpdate> {
        self.current.get(&(provider, shipment_key.to_owned()))
    }

    /// The current status of every shipment, sorted by provider, then shipment key.
    pub fn iter(&self) -> impl Iterator<Item = &StatusUpdate> {
        self.current.values()
    }

    /// How many shipments it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.current.len()
    }

    /// Whether it holds no shipment.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.current.is_empty()
    }
}

impl<'a> Extend<&'a StatusUpdate> for Timeline {
    fn extend<I: IntoIterator<Item = &'a StatusUpdate>>(&mut self, iter: I) {
        self.apply_all(iter);
    }
}

impl Extend<StatusUpdate> for Timeline {
    fn extend<I: IntoIterator<Item = StatusUpdate>>(&mut self, iter: I) {
        for u in iter {
            self.apply(&u);
        }
    }
}

impl FromIterator<StatusUpdate> for Timeline {
    fn from_iter<I: IntoIterator<Item = StatusUpdate>>(iter: I) -> Self {
        let mut t = Timeline::new();
        t.extend(iter);
        t
    }
}

impl<'a> FromIterator<&'a StatusUpdate> for Timeline {
    fn from_iter<I: IntoIterator<Item = &'a StatusUpdate>>(iter: I) -> Self {
        let mut t = Timeline::new();
        t.extend(iter);
        t
    }
}

impl<'a> IntoIterator for &'a Timeline {
    type Item = &'a StatusUpdate;
    type IntoIter = std::collections::btree_map::Values<'a, (Provider, String), StatusUpdate>;

    fn into_iter(self) -> Self::IntoIter {
        self.current.values()
    }
}

impl Serialize for Timeline {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.current.values())
    }
}

impl<'de> Deserialize<'de> for Timeline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<StatusUpdate>::deserialize(d).map(|v| v.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::status::{RefKind, ShipmentRef, ShipmentStatus};

    fn update(id: &str, status: ShipmentStatus, at: Option<time::OffsetDateTime>) -> StatusUpdate {
        let text = status.as_str().to_owned();
        StatusUpdate::new(
            Provider::Skladon,
            ShipmentRef::new(RefKind::Order, id),
            status,
            text,
        )
        .at(at)
    }

    #[test]
    fn later_time_wins_then_position_then_text() {
        let t0 = datetime!(2024-01-01 10:00 UTC);
        let t1 = datetime!(2024-01-01 11:00 UTC);
        let mut tl = Timeline::new();
        assert!(tl.apply(&update("1", ShipmentStatus::InTransit, Some(t1))));
        assert!(!tl.apply(&update("1", ShipmentStatus::Delivered, Some(t0))));
        assert!(tl.apply(&update("1", ShipmentStatus::Delivered, Some(t1))));
        assert!(!tl.apply(&update("1", ShipmentStatus::Created, None)));
        assert!(!tl.apply(&update("1", ShipmentStatus::Other("zzz".into()), Some(t1))));
        assert_eq!(
            tl.current(Provider::Skladon, "order:1").unwrap().status,
            ShipmentStatus::Delivered
        );
        // Another shipment and another provider are other entries.
        assert!(tl.apply(&update("2", ShipmentStatus::Created, None)));
        assert_eq!(tl.len(), 2);
        assert!(tl.current(Provider::Wakilni, "order:1").is_none());
    }

    #[test]
    fn timeless_updates_rank_by_position() {
        let mut tl = Timeline::new();
        tl.apply(&update("1", ShipmentStatus::Delivered, None));
        assert!(!tl.apply(&update("1", ShipmentStatus::InTransit, None)));
        assert!(tl.apply(&update(
            "1",
            ShipmentStatus::InTransit,
            Some(datetime!(2024-01-01 0:00 UTC))
        )));
    }

    #[test]
    fn times_are_kept_in_utc() {
        let u = update(
            "1",
            ShipmentStatus::Created,
            Some(datetime!(2024-01-01 12:00 +02:00)),
        );
        assert_eq!(u.time, Some(datetime!(2024-01-01 10:00 UTC)));
        assert_eq!(u.time.unwrap().offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn serialized_form_round_trips() {
        let tl: Timeline = [
            update("b", ShipmentStatus::Other("x".into()), None),
            update(
                "a",
                ShipmentStatus::Returning,
                Some(datetime!(2024-01-01 0:00:00.5 UTC)),
            ),
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_string(&tl).unwrap();
        assert!(json.starts_with(r#"[{"provider":"skladon","shipment":{"kind":"order","id":"a"}"#));
        assert!(json.contains(r#""status":{"other":"x"}"#));
        assert_eq!(serde_json::from_str::<Timeline>(&json).unwrap(), tl);
    }
}
