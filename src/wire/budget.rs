//! The memory budget of one parse: what a body can make the parser hold, whoever sent it.
//!
//! Text is copied at most once (each byte of the body becomes at most one byte of a `String` or
//! of raw JSON), so it costs at most the body's size. What can cost more is *structure*: a
//! three-byte `{}` in a list becomes a whole struct, every key of an `extra` map a map entry.
//! [`crate::wire::parse`] therefore gives each parse a budget of [`PER_BYTE`] bytes of
//! structure per byte of body, plus [`ALLOWANCE`]; lists ([`List`]), boxes ([`Boxed`]) and maps
//! ([`take_entry`]) draw on it as they grow, and a body whose parsed form would need more is
//! refused, naming the JSON path where the budget ran out. Genuine bodies use a fraction of it:
//! see `docs/security.md` and `tests/memory.rs`, which measures the peak.
//!
//! Outside [`crate::wire::parse`] (a user deserializing a payload type with serde directly),
//! no budget is set and nothing is counted.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;

use serde::Serializer;
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde_with::de::DeserializeAsWrap;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

/// Bytes of structure a parse may hold per byte of body.
pub(crate) const PER_BYTE: usize = 14;

/// Bytes of structure any parse may hold whatever the body's size, so that a small body is never
/// refused for the fixed size of its payload type.
pub(crate) const ALLOWANCE: usize = 1024 * 1024;

/// While lists are smaller than this, they double as `Vec` does; beyond it they grow by a
/// quarter, so that the old and the new buffer together (while the elements move) stay close to
/// the list's own size.
const DOUBLING_LIMIT: usize = 64 * 1024;

thread_local! {
    /// Bytes of structure left to the parse under way on this thread; `None` outside one.
    static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The budget of one parse, for as long as it lives; the previous one (of an enclosing parse)
/// is restored on drop.
pub(crate) struct Scope(Option<usize>);

impl Scope {
    /// A budget for parsing a body of `len` bytes.
    pub(crate) fn new(len: usize) -> Self {
        let budget = len.saturating_mul(PER_BYTE).saturating_add(ALLOWANCE);
        Scope(LEFT.replace(Some(budget)))
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        LEFT.set(self.0);
    }
}

/// Draws `bytes` from the budget of the parse under way (if any), or refuses.
pub(crate) fn take<E: de::Error>(bytes: usize) -> Result<(), E> {
    match LEFT.get() {
        None => Ok(()),
        Some(left) if bytes <= left => {
            LEFT.set(Some(left - bytes));
            Ok(())
        }
        Some(_) => Err(E::custom(format_args!(
            "the body would take more than {PER_BYTE} bytes of memory per byte to hold \
             (plus {} MiB); refused",
            ALLOWANCE >> 20
        ))),
    }
}

/// Returns `bytes` to the budget (a list's old buffer, freed once its elements have moved).
fn give(bytes: usize) {
    if let Some(left) = LEFT.get() {
        LEFT.set(Some(left.saturating_add(bytes)));
    }
}

/// Draws the cost of one more entry of a `BTreeMap<K, V>`: the key and value slots, twice over
/// for the room a B-tree node keeps free, and the node's links.
pub(crate) fn take_entry<K, V, E: de::Error>() -> Result<(), E> {
    take(2 * (size_of::<K>() + size_of::<V>()) + 16)
}

/// A JSON array as a `Vec<T>` whose buffer draws on the budget as it grows (a `serde_with`
/// adapter; `Option<List>` for an optional list, `DefaultOnNull<List>` where `null` is empty,
/// `List<U>` to read each element through adapter `U`).
pub(crate) struct List<U = serde_with::Same>(PhantomData<U>);

impl<'de, T, U: DeserializeAs<'de, T>> DeserializeAs<'de, Vec<T>> for List<U> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        struct V<T, U>(PhantomData<(T, U)>);
        impl<'de, T, U: DeserializeAs<'de, T>> Visitor<'de> for V<T, U> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(element) = seq.next_element::<DeserializeAsWrap<T, U>>()? {
                    if out.len() == out.capacity() {
                        grow(&mut out)?;
                    }
                    out.push(element.into_inner());
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V::<T, U>(PhantomData))
    }
}

impl<T, U: SerializeAs<T>> SerializeAs<Vec<T>> for List<U> {
    fn serialize_as<S: Serializer>(v: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(SerializeAsWrap::<T, U>::new))
    }
}

/// Makes room for at least one more element, drawing the new buffer from the budget while the
/// old one is still held.
fn grow<T, E: de::Error>(out: &mut Vec<T>) -> Result<(), E> {
    let size = size_of::<T>().max(1);
    let cap = out.capacity();
    let more = if cap * size < DOUBLING_LIMIT {
        cap.max(4)
    } else {
        (cap / 4).max(1)
    };
    take::<E>((cap + more).saturating_mul(size))?;
    out.reserve_exact(more);
    give(cap * size);
    Ok(())
}

/// A boxed value whose box draws on the budget (`Option<Boxed>` for an optional one).
pub(crate) struct Boxed;

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, Box<T>> for Boxed {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Box<T>, D::Error> {
        take::<D::Error>(size_of::<T>())?;
        T::deserialize(d).map(Box::new)
    }
}

impl<T: serde::Serialize> SerializeAs<Box<T>> for Boxed {
    fn serialize_as<S: Serializer>(v: &Box<T>, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&**v, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[serde_with::serde_as]
    #[derive(serde::Deserialize)]
    struct L(#[serde_as(as = "List")] Vec<u64>);

    #[test]
    fn lists_draw_on_the_budget_only_inside_a_parse() {
        let body = format!("[{}0]", "0,".repeat(200_000));
        // Outside a parse: no budget.
        let free: L = serde_json::from_str(&body).unwrap();
        assert_eq!(free.0.len(), 200_001);
        // Inside: 8 bytes per element from 2 bytes of body fits 14 per byte.
        let parsed: L = crate::wire::parse(body.as_bytes()).unwrap();
        assert_eq!(parsed.0.len(), 200_001);
        assert_eq!(LEFT.get(), None, "the scope is restored");
    }

    /// 128 bytes of structure from a one-byte `0`.
    struct Wide([u64; 16]);

    impl<'de> Deserialize<'de> for Wide {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            u64::deserialize(d).map(|n| Wide([n; 16]))
        }
    }

    #[serde_with::serde_as]
    #[derive(serde::Deserialize)]
    struct W(#[serde_as(as = "List")] Vec<Wide>);

    #[test]
    fn a_list_costlier_than_the_budget_is_refused() {
        let small = format!("[{}0]", "0,".repeat(1_000));
        let parsed: W = crate::wire::parse(small.as_bytes()).unwrap();
        assert_eq!(parsed.0.len(), 1_001);
        assert_eq!(parsed.0[0].0[15], 0);
        // 128 bytes per element from 2 bytes of body: refused once past the allowance.
        let large = format!("[{}0]", "0,".repeat(1_000_000));
        let Err(crate::error::Error::Payload(err)) = crate::wire::parse::<W>(large.as_bytes())
        else {
            panic!("accepted")
        };
        assert!(err.message().contains("refused"), "{}", err.message());
        // The list where the budget ran out.
        assert_eq!(err.path(), ".");
        assert_eq!(LEFT.get(), None);
    }
}
