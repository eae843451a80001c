//! Lenient scalars as `serde_with` adapters: integers that also arrive as strings of digits,
//! and strings that also arrive as numbers. Providers send both forms for the same field.
//!
//! Use them as `#[serde_as(as = "Uint")]`, or `Option<Uint>` for an optional field (`null` and
//! absent are `None`). They are the only scalar visitors in the crate.

use std::borrow::Cow;
use std::fmt;

use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use serde_with::{DeserializeAs, SerializeAs};

use super::exact::{self, NotInteger};
use super::raw::Scalar;

/// An unsigned integer from a JSON number or a string of ASCII digits.
///
/// Generic over the target type (`u16`, `u32`, `u64`). Read from the digits as sent, never
/// through `f64`: a value the field cannot hold exactly is an error that says why, never rounded
/// (`123.0` and `1.23e2` are `123`; `1.5` and `18446744073709551616` are refused). Written back
/// as a number.
pub(crate) struct Uint;

/// A signed integer from a JSON number or a string of an optional `-` and digits (a stock
/// movement's count goes below zero). Written back as a number.
pub(crate) struct Int;

/// A string that may also arrive as a number (`"waybill": 123`): kept as its text (a number's
/// digits exactly as sent, `1.50` stays `1.50`), written back as a string.
pub(crate) struct Text;

/// A boolean: `true`/`false`, and also the strings `"true"`/`"false"` (any ASCII case,
/// surrounding spaces ignored) and the numbers `1`/`0`, which stores commonly send. Any other
/// value (isendu's sample even sends the placeholder `"boolean"`) is an error naming the field:
/// guessing a delivery flag would be worse than refusing. Written back as a JSON boolean.
pub(crate) struct Bool;

/// `str::trim`, without its Unicode scan for the usual text that starts and ends with a
/// visible ASCII character (what it trims, any Unicode whitespace, is unchanged).
#[inline]
pub(crate) fn trim(v: &str) -> &str {
    match (v.as_bytes().first(), v.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => v,
        _ => v.trim(),
    }
}

struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean (or \"true\"/\"false\")")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Err(E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        let t = trim(v);
        if t.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if t.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

impl<'de> DeserializeAs<'de, bool> for Bool {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

impl SerializeAs<bool> for Bool {
    fn serialize_as<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*v)
    }
}

/// serde_json's values in fast mode (see [`exact`](super::exact)): exact except an `f64`,
/// which marks the parse lossy and gives a placeholder the re-run replaces.
struct FastInteger;

impl Visitor<'_> for FastInteger {
    type Value = (bool, u64);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string of digits")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok((false, v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok((v < 0, v.unsigned_abs()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        exact::lossy();
        Ok((false, 0))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        const EXPECTED: &str = "an integer or a string of digits";
        exact::integer(trim(v), true).map_err(|why| exact::not_integer(v, true, &why, EXPECTED))
    }
}

/// A lenient integer: its sign and magnitude, and what an error about it quotes.
struct Read<'de> {
    negative: bool,
    magnitude: u64,
    /// The text as sent and whether it was a string; `None` for serde_json's own integer
    /// (fast mode), which prints as it was sent.
    sent: Option<(Cow<'de, str>, bool)>,
}

impl Read<'_> {
    fn out_of_range<E: de::Error>(&self, expected: &str) -> E {
        match &self.sent {
            Some((text, quoted)) => {
                exact::not_integer(text, *quoted, &NotInteger::OutOfRange, expected)
            }
            None => {
                let sign = if self.negative { "-" } else { "" };
                let text = format!("{sign}{}", self.magnitude);
                exact::not_integer(&text, false, &NotInteger::OutOfRange, expected)
            }
        }
    }
}

#[inline]
fn read_integer<'de, D: Deserializer<'de>>(d: D, expected: &str) -> Result<Read<'de>, D::Error> {
    if exact::fast() {
        let (negative, magnitude) = d.deserialize_any(FastInteger)?;
        return Ok(Read {
            negative,
            magnitude,
            sent: None,
        });
    }
    read_exact_integer(d, expected)
}

/// Exact mode, out of the fast path's way.
#[cold]
#[inline(never)]
fn read_exact_integer<'de, D: Deserializer<'de>>(
    d: D,
    expected: &str,
) -> Result<Read<'de>, D::Error> {
    let (text, quoted) = match Scalar::read(d)? {
        Scalar::Number(text) => (text, false),
        Scalar::Str(text) => (text, true),
        Scalar::Null => return Err(de::Error::invalid_type(de::Unexpected::Unit, &expected)),
        Scalar::Other(kind) => return Err(de::Error::invalid_type(kind.unexpected(), &expected)),
    };
    let digits = if quoted { trim(&text) } else { &text };
    match exact::integer(digits, quoted) {
        Ok((negative, magnitude)) => Ok(Read {
            negative,
            magnitude,
            sent: Some((text, quoted)),
        }),
        Err(why) => Err(exact::not_integer(&text, quoted, &why, expected)),
    }
}

impl<'de, T: TryFrom<u64>> DeserializeAs<'de, T> for Uint {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        const EXPECTED: &str = "a non-negative integer or a string of digits";
        let read = read_integer(d, EXPECTED)?;
        if read.negative && read.magnitude != 0 {
            return Err(read.out_of_range(EXPECTED));
        }
        T::try_from(read.magnitude).map_err(|_| read.out_of_range(EXPECTED))
    }
}

impl<T: Copy + Into<u64>> SerializeAs<T> for Uint {
    fn serialize_as<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64((*v).into())
    }
}

impl<'de> DeserializeAs<'de, i64> for Int {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        const EXPECTED: &str = "an integer or a string of digits";
        let read = read_integer(d, EXPECTED)?;
        let value = if read.negative {
            0i64.checked_sub_unsigned(read.magnitude)
        } else {
            i64::try_from(read.magnitude).ok()
        };
        value.ok_or_else(|| read.out_of_range(EXPECTED))
    }
}

impl SerializeAs<i64> for Int {
    fn serialize_as<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*v)
    }
}

/// [`Text`] in fast mode.
struct FastText;

impl Visitor<'_> for FastText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<String, E> {
        exact::lossy();
        Ok(String::new())
    }
}

impl<'de> DeserializeAs<'de, String> for Text {
    #[inline]
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        if exact::fast() {
            d.deserialize_any(FastText)
        } else {
            exact_text(d)
        }
    }
}

/// [`Text`] in exact mode, out of the fast path's way.
#[cold]
#[inline(never)]
fn exact_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    const EXPECTED: &str = "a string or a number";
    match Scalar::read(d)? {
        // A number's digits exactly as sent: `18446744073709551617` and `…616` stay two
        // values, and so do the dedup keys built from them.
        Scalar::Str(text) | Scalar::Number(text) => Ok(text.into_owned()),
        Scalar::Null => Err(de::Error::invalid_type(de::Unexpected::Unit, &EXPECTED)),
        Scalar::Other(kind) => Err(de::Error::invalid_type(kind.unexpected(), &EXPECTED)),
    }
}

impl SerializeAs<String> for Text {
    fn serialize_as<S: Serializer>(v: &String, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[serde_with::serde_as]
    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        #[serde_as(as = "Option<Uint>")]
        #[serde(default)]
        n: Option<u16>,
        #[serde_as(as = "Option<Int>")]
        #[serde(default)]
        i: Option<i64>,
        #[serde_as(as = "Option<Text>")]
        #[serde(default)]
        s: Option<String>,
    }

    fn t(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn trim_is_str_trim() {
        for v in [
            "",
            " ",
            "12",
            " 12 ",
            "\u{a0}12\u{2003}",
            "é",
            "x\u{a0}",
            "\t1",
            "a b",
        ] {
            assert_eq!(trim(v), v.trim(), "{v:?}");
        }
        let v = t(r#"{"n":"\u00a012\u2003"}"#).unwrap();
        assert_eq!(v.n, Some(12), "Unicode spaces are still trimmed");
    }

    #[test]
    fn numbers_and_strings_either_way() {
        let v = t(r#"{"n":" 12 ","i":"-3","s":42}"#).unwrap();
        assert_eq!((v.n, v.i, v.s.as_deref()), (Some(12), Some(-3), Some("42")));
        let v = t(r#"{"n":12.0,"i":null}"#).unwrap();
        assert_eq!((v.n, v.i, v.s), (Some(12), None, None));
        assert!(t(r#"{"n":70000}"#).is_err());
        assert!(t(r#"{"n":"1.5"}"#).is_err());
        assert!(t(r#"{"n":-1}"#).is_err());
        assert!(t(r#"{"i":"--1"}"#).is_err());
        assert!(t(r#"{"s":{}}"#).is_err());
        assert!(
            t(r#"{"n":1,"n":2}"#)
                .unwrap_err()
                .to_string()
                .contains("duplicate field `n`")
        );
    }
}
