//! An order-independent fold of isendu batches into the latest known state.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{Order, Step, Tracking, Update};
use crate::wire::TimestampOrText;

/// The latest known state of every tracking and order seen in any number of batches, whatever
/// order the batches (and the entries and steps inside them) arrived in.
///
/// isendu batches its events and does not guarantee their order, and a delivery may be retried.
/// `State` is built so that none of that matters: applying the same updates in any order, any
/// number of times, gives an equal state. Each rule below is "keep the greatest by a total
/// order", which is what makes it order-independent:
///
/// - **Tracking fields** (`status`, `delivered`, `error`...) come from the entry whose newest step
///   (by `timestamp`) is the newest. Ties go to the entry with more steps, then to the entry with
///   the greater SHA-256 digest of its JSON serialization: an arbitrary but fixed rule, the same
///   on every machine. An entry without any step timestamp ranks below every entry with one.
/// - **Tracking steps** are the union of the steps of every entry for that tracking: steps with
///   the same `uuid` are one step (the version with the newest `timestamp` wins, then the greater
///   digest); steps without a `uuid` are one step when their serializations are identical. Steps
///   are listed oldest first by `timestamp`, steps without a timestamp first, ties by digest.
/// - **Orders** are snapshots: the entry with the newest `updated` wins as a whole, ties (and
///   entries without `updated`, which rank below all others) by digest.
///
/// ```
/// use delivery_webhooks::isendu::{self, Message, State, TrackingStatus};
///
/// let older = br#"{"tracking":[{"uuid":"t-1","status":"T","steps":[
///   {"uuid":"s1","status":"T","description":"Picked up","datetime":"02/05/2024 08:00",
///    "timestamp":"2024-05-02T08:00:00Z"}]}]}"#;
/// let newer = br#"{"tracking":[{"uuid":"t-1","status":"D","delivered":true,"steps":[
///   {"uuid":"s2","status":"D","description":"Delivered","datetime":"03/05/2024 15:30",
///    "timestamp":"2024-05-03T15:30:00Z"}]}]}"#;
///
/// let updates: Vec<_> = [newer.as_slice(), older]
///     .into_iter()
///     .map(|body| match isendu::parse(body)? {
///         Message::Update(update) => Ok(update),
///         other => panic!("unexpected {other:?}"),
///     })
///     .collect::<Result<_, delivery_webhooks::Error>>()?;
///
/// // Newest batch first, as isendu may deliver them.
/// let state: State = updates.iter().cloned().collect();
/// let t = state.tracking("t-1").unwrap();
/// assert_eq!(t.status, Some(TrackingStatus::Delivered));
/// assert_eq!(t.delivered, Some(true));
/// assert_eq!(t.steps.len(), 2); // both steps, oldest first
/// assert_eq!(t.steps[0].uuid.as_deref(), Some("s1"));
///
/// // The other order, and a duplicate: the same state.
/// let mut again = State::new();
/// for u in updates.iter().rev().chain(&updates) {
///     again.apply(u);
/// }
/// assert_eq!(again, state);
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    trackings: BTreeMap<String, TrackingSlot>,
    orders: BTreeMap<String, OrderSlot>,
}

/// Orders entries: newer first by the timestamp, then the tie-breaks of the rules above.
type Rank = (Option<OffsetDateTime>, usize, [u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq)]
struct TrackingSlot {
    /// The head entry's fields, with `steps` holding the merged steps in order.
    merged: Tracking,
    head: Rank,
    steps: BTreeMap<StepKey, (StepRank, Step)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OrderSlot {
    order: Order,
    rank: Rank,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum StepKey {
    Uuid(String),
    Content([u8; 32]),
}

type StepRank = (Option<OffsetDateTime>, [u8; 32]);

impl State {
    /// An empty state.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds in every tracking and order of a batch. Returns whether anything changed (a
    /// duplicate or an older update changes nothing).
    pub fn apply(&mut self, update: &Update) -> bool {
        let mut changed = false;
        for t in &update.tracking {
            changed |= self.apply_tracking(t);
        }
        for o in &update.order {
            changed |= self.apply_order(o);
        }
        changed
    }

    /// Folds in one tracking entry. Returns whether the state changed.
    pub fn apply_tracking(&mut self, entry: &Tracking) -> bool {
        let rank: Rank = (entry.latest_timestamp(), entry.steps.len(), digest(entry));
        let mut changed = false;
        let slot = match self.trackings.entry(entry.uuid.clone()) {
            Entry::Vacant(v) => {
                changed = true;
                v.insert(TrackingSlot {
                    merged: without_steps(entry),
                    head: rank,
                    steps: BTreeMap::new(),
                })
            }
            Entry::Occupied(o) => {
                let slot = o.into_mut();
                if rank > slot.head {
                    slot.head = rank;
                    let steps = std::mem::take(&mut slot.merged.steps);
                    let fresh = without_steps(entry);
                    changed = fresh != slot.merged;
                    slot.merged = Tracking { steps, ..fresh };
                }
                slot
            }
        };
        let mut steps_changed = false;
        for step in &entry.steps {
            let content = digest(step);
            let key = match &step.uuid {
                Some(uuid) => StepKey::Uuid(uuid.clone()),
                None => StepKey::Content(content),
            };
            let rank: StepRank = (step.instant(), content);
            match slot.steps.get(&key) {
                Some((have, _)) if *have >= rank => {}
                _ => {
                    slot.steps.insert(key, (rank, step.clone()));
                    steps_changed = true;
                }
            }
        }
        if steps_changed {
            let mut ordered: Vec<&(StepRank, Step)> = slot.steps.values().collect();
            ordered.sort_by_key(|a| a.0);
            slot.merged.steps = ordered.into_iter().map(|(_, s)| s.clone()).collect();
        }
        changed | steps_changed
    }

    /// Folds in one order entry. Returns whether the state changed.
    pub fn apply_order(&mut self, entry: &Order) -> bool {
        let updated = entry.updated.as_ref().and_then(TimestampOrText::timestamp);
        let rank: Rank = (updated.map(|t| t.assume_utc()), 0, digest(entry));
        match self.orders.get(&entry.uuid) {
            Some(slot) if slot.rank >= rank => false,
            _ => {
                self.orders.insert(
                    entry.uuid.clone(),
                    OrderSlot {
                        order: entry.clone(),
                        rank,
                    },
                );
                true
            }
        }
    }

    /// The latest known state of a tracking, by its `uuid`.
    #[must_use]
    pub fn tracking(&self, uuid: &str) -> Option<&Tracking> {
        self.trackings.get(uuid).map(|s| &s.merged)
    }

    /// The latest known state of an order, by its `uuid`.
    #[must_use]
    pub fn order(&self, uuid: &str) -> Option<&Order> {
        self.orders.get(uuid).map(|s| &s.order)
    }

    /// Every tracking, by `uuid` in ascending order.
    pub fn trackings(&self) -> impl Iterator<Item = &Tracking> {
        self.trackings.values().map(|s| &s.merged)
    }

    /// Every order, by `uuid` in ascending order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values().map(|s| &s.order)
    }

    /// Whether no tracking and no order has been applied.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.trackings.is_empty() && self.orders.is_empty()
    }
}

impl Extend<Update> for State {
    fn extend<I: IntoIterator<Item = Update>>(&mut self, iter: I) {
        for u in iter {
            self.apply(&u);
        }
    }
}

impl<'a> Extend<&'a Update> for State {
    fn extend<I: IntoIterator<Item = &'a Update>>(&mut self, iter: I) {
        for u in iter {
            self.apply(u);
        }
    }
}

impl FromIterator<Update> for State {
    fn from_iter<I: IntoIterator<Item = Update>>(iter: I) -> Self {
        let mut state = State::new();
        state.extend(iter);
        state
    }
}

impl<'a> FromIterator<&'a Update> for State {
    fn from_iter<I: IntoIterator<Item = &'a Update>>(iter: I) -> Self {
        let mut state = State::new();
        state.extend(iter);
        state
    }
}

fn without_steps(t: &Tracking) -> Tracking {
    Tracking {
        uuid: t.uuid.clone(),
        created: t.created.clone(),
        status: t.status.clone(),
        tracking_number: t.tracking_number.clone(),
        tracking_url: t.tracking_url.clone(),
        delivered: t.delivered,
        shipment_ref: t.shipment_ref.clone(),
        pod: t.pod,
        external: t.external,
        error: t.error.clone(),
        steps: Vec::new(),
    }
}

/// The order [`Tracking::latest_step`] and the fold use between two steps: `timestamp` as an
/// instant (absent or unreadable first, no zone as UTC), then the digest of the serialization.
pub(super) fn step_order(a: &Step, b: &Step) -> Ordering {
    a.instant()
        .cmp(&b.instant())
        .then_with(|| digest(a).cmp(&digest(b)))
}

/// SHA-256 of a value's JSON serialization, written straight into the hasher.
fn digest<T: Serialize>(value: &T) -> [u8; 32] {
    struct Hasher(Sha256);
    impl io::Write for Hasher {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hasher(Sha256::new());
    // Serializing these types cannot fail (string keys, no non-finite floats); should it ever,
    // the partial digest is still a fixed function of the value.
    let _ = serde_json::to_writer(&mut h, value);
    h.0.finalize().into()
}
