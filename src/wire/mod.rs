//! The one wire codec every provider uses: the `parse` entry (with JSON-path errors), and the
//! serde building blocks for the providers' loose wire formats, as `serde_with` adapters.
//!
//! - [`number`]: integers and strings that also arrive as the other kind;
//! - [`datetime`]: [`Timestamp`], every ISO 8601 / RFC 3339 form, written back as it came;
//! - [`optional`]: [`TimestampOrText`], an optional timestamp kept as text when unreadable;
//! - [`decimal`]: [`Decimal`], exact decimal text;
//! - [`raw`]: [`RawJson`], the one form of JSON this crate does not model;
//! - [`enums`]: `wire_enum!`, string enums that keep unknown values.
//!
//! Optional fields use serde's `Option` (through `Option<Adapter>` with `serde_as`), so `null`
//! and absent mean `None` everywhere; duplicate keys are refused by serde's derive, and by the
//! hand-written visitors through [`Seen`].

// Each provider uses a subset of the codec: with only some provider features on, the rest is
// legitimately unused.
#![cfg_attr(not(all_providers), allow(dead_code, unused_imports))]

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use std::fmt;

use crate::error::{Error, PayloadError};

pub(crate) mod budget;
pub(crate) mod datetime;
pub(crate) mod decimal;
pub(crate) mod enums;
pub(crate) mod exact;
pub(crate) mod number;
pub(crate) mod optional;
pub(crate) mod raw;
#[cfg(feature = "schema")]
pub(crate) mod schema;
pub(crate) mod unique;

pub(crate) use budget::{Boxed, List};
pub use datetime::{InvalidTimestamp, Timestamp};
pub use decimal::Decimal;
pub(crate) use decimal::OptDecimal;
pub(crate) use number::{Bool, Int, Text, Uint};
pub(crate) use optional::OptTimestamp;
pub use optional::TimestampOrText;
pub use raw::RawJson;

/// Parses `body` as `T`.
///
/// The success path validates the body as UTF-8 once, in one pass, and parses it as a `&str`:
/// serde_json then skips the UTF-8 check it would otherwise run on every string and key, which
/// is a sizeable share of parsing a webhook body. A body that is not UTF-8 goes through
/// `serde_json::from_slice` unchanged, so what is accepted and refused is exactly the same.
///
/// Only when parsing fails is the body parsed a second time with path tracking, so that the error
/// can name the JSON path (`data.order_id`) without every successful parse paying for it.
///
/// Numbers are read exactly: a parse that met a number serde_json hands over as an `f64` is run
/// again reading every number from its digits ([`exact`]).
///
/// Each parse has a memory [`budget`] proportional to the body's size: a body whose parsed form
/// would hold more is refused.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let text = std::str::from_utf8(body);
    let read = || match text {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    let scope = budget::Scope::new(body.len());
    let numbers = exact::FastNumbers::begin();
    let mut parsed: Result<T, _> = read();
    let lossy = numbers.lossy();
    drop(numbers);
    drop(scope);
    if lossy {
        // A number came as an `f64` and may have been rounded: read again, every number from
        // its digits (`exact`).
        drop(parsed);
        let _scope = budget::Scope::new(body.len());
        parsed = read();
    }
    parsed.map_err(|fast| Error::Payload(locate::<T>(body, fast)))
}

/// A type read by a hand-written visitor that can fill a value in place. [`parse`] moves the
/// parsed value out through each of serde_json's layers and its own, a copy of the whole value
/// at each (several hundred bytes for a Skladon order, a tenth of the parse of a small body);
/// [`parse_in_place`] writes the fields where the value already is.
pub(crate) trait FillIn: DeserializeOwned {
    /// The value before any field is read: what [`fill`](FillIn::fill) starts from.
    fn unset() -> Self;
    /// Reads into `place`, an [`unset`](FillIn::unset) value, exactly what `deserialize` would
    /// return (which is `unset`, then `fill`).
    fn fill<'de, D: Deserializer<'de>>(place: &mut Self, d: D) -> Result<(), D::Error>;
}

/// [`FillIn::fill`] as a seed, for serde_json's deserializer.
struct Fill<'a, T>(&'a mut T);

impl<'de, T: FillIn> de::DeserializeSeed<'de> for Fill<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        T::fill(self.0, d)
    }
}

/// [`parse`], filling `place` (an [`unset`](FillIn::unset) value) instead of returning a new
/// value: the same checks, budget, exact numbers and errors, without moving the value.
pub(crate) fn parse_in_place<T: FillIn>(body: &[u8], place: &mut T) -> Result<(), Error> {
    use de::DeserializeSeed;
    let text = std::str::from_utf8(body);
    // What `serde_json::from_str` / `from_slice` do, with a seed.
    let read = |place: &mut T| match text {
        Ok(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            Fill(place).deserialize(&mut de).and_then(|()| de.end())
        }
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(body);
            Fill(place).deserialize(&mut de).and_then(|()| de.end())
        }
    };
    let scope = budget::Scope::new(body.len());
    let numbers = exact::FastNumbers::begin();
    let mut parsed = read(place);
    let lossy = numbers.lossy();
    drop(numbers);
    drop(scope);
    if lossy {
        // As in `parse`: read again, every number from its digits.
        *place = T::unset();
        let _scope = budget::Scope::new(body.len());
        parsed = read(place);
    }
    parsed.map_err(|fast| Error::Payload(locate::<T>(body, fast)))
}

/// Re-runs a failed parse with path tracking and builds the error.
#[cold]
fn locate<T: DeserializeOwned>(body: &[u8], fast: serde_json::Error) -> PayloadError {
    let _budget = budget::Scope::new(body.len());
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, err) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            (path, tracked.into_inner())
        }
        // Cannot happen for a deterministic Deserialize; keep the first error if it does.
        Ok(_) => (".".to_owned(), fast),
    };
    let path = if path.is_empty() || path == "?" {
        ".".to_owned()
    } else {
        path
    };
    payload_error(path, &err)
}

/// Turns a serde_json error into a [`PayloadError`] at `path`.
pub(crate) fn payload_error(path: String, err: &serde_json::Error) -> PayloadError {
    let mut message = err.to_string();
    // A key repeated inside a value kept raw: the error's path goes down to that key.
    let mut path = path;
    if let Some((head, inner)) =
        unique::split(message.strip_suffix(&position(err)).unwrap_or(&message))
    {
        path = unique::join(&path, inner);
        message = format!("{head}{}", position(err));
    }
    // serde_json appends " at line L column C"; the error keeps those as fields instead.
    let suffix = position(err);
    if !suffix.is_empty() && message.ends_with(&suffix) {
        message.truncate(message.len() - suffix.len());
    }
    PayloadError::new(path, err.line(), err.column(), message)
}

/// serde_json's " at line L column C" suffix of `err`'s message (empty when it has none).
fn position(err: &serde_json::Error) -> String {
    if err.line() > 0 {
        format!(" at line {} column {}", err.line(), err.column())
    } else {
        String::new()
    }
}

/// Refuses a repeated key in a hand-written struct visitor, as serde's derive does: each known
/// field has a bit, and a second sighting is `duplicate field `x``.
#[derive(Default)]
pub(crate) struct Seen(u64);

impl Seen {
    /// Marks field `index` (below 64) as seen; an error naming `name` if it was already.
    pub(crate) fn once<E: de::Error>(&mut self, index: usize, name: &'static str) -> Result<(), E> {
        let bit = 1u64 << index;
        if self.0 & bit != 0 {
            return Err(E::duplicate_field(name));
        }
        self.0 |= bit;
        Ok(())
    }

    /// Whether field `index` was seen.
    pub(crate) fn contains(&self, index: usize) -> bool {
        self.0 & (1u64 << index) != 0
    }
}

/// The error for a repeated key that is not a known field (an `extra` map's key).
pub(crate) fn duplicate_key<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("duplicate field `{name}`"))
}

/// A map key, borrowed from the body when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use std::borrow::Cow;
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads one value through a `serde_with` adapter, for hand-written visitors:
/// `map.next_value::<As<Option<Text>, _>>()?.0` reads like a `#[serde_as]` field.
pub(crate) type As<U, T> = serde_with::de::DeserializeAsWrap<T, U>;

/// An optional string that borrows from the body when it can.
pub(crate) fn borrowed_str_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::borrow::Cow<'de, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);
    Ok(Option::<Wrap<'de>>::deserialize(d)?.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_drops_position_suffix() {
        let err = parse::<u64>(b"\"x\"").unwrap_err();
        let Error::Payload(p) = err else {
            panic!("{err:?}")
        };
        assert_eq!(p.path(), ".");
        assert_eq!((p.line(), p.column()), (1, 3));
        assert!(!p.message().contains("line"), "{}", p.message());
    }

    #[test]
    fn seen_refuses_the_second_sighting() {
        let mut seen = Seen::default();
        assert!(seen.once::<serde_json::Error>(3, "x").is_ok());
        assert!(seen.once::<serde_json::Error>(4, "y").is_ok());
        let err = seen.once::<serde_json::Error>(3, "x").unwrap_err();
        assert_eq!(err.to_string(), "duplicate field `x`");
    }
}
