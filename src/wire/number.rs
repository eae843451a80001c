//! Lenient scalars as `serde_with` adapters: integers that also arrive as strings of digits,
//! and strings that also arrive as numbers. Providers send both forms for the same field.
//!
//! Use them as `#[serde_as(as = "Uint")]`, or `Option<Uint>` for an optional field (`null` and
//! absent are `None`). They are the only scalar visitors in the crate.

use std::fmt;

use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use serde_with::{DeserializeAs, SerializeAs};

/// An unsigned integer from a JSON number or a string of ASCII digits.
///
/// Generic over the target type (`u16`, `u32`, `u64`); an out-of-range value is an error that
/// says so. `123.0` is read as `123`, `1.5` is refused. Written back as a number.
pub(crate) struct Uint;

/// A signed integer from a JSON number or a string of an optional `-` and digits (a stock
/// movement's count goes below zero). Written back as a number.
pub(crate) struct Int;

/// A string that may also arrive as a number (`"waybill": 123`): kept as its text, written
/// back as a string.
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

struct UintVisitor;

impl Visitor<'_> for UintVisitor {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or a string of digits")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        // `123.0` is an integer written loosely; `1.5` is not.
        if v.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&v) {
            Ok(v as u64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        let digits = trim(v);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits
                .parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

impl<'de, T: TryFrom<u64>> DeserializeAs<'de, T> for Uint {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let v = d.deserialize_any(UintVisitor)?;
        T::try_from(v).map_err(|_| {
            de::Error::invalid_value(de::Unexpected::Unsigned(v), &"an integer in range")
        })
    }
}

impl<T: Copy + Into<u64>> SerializeAs<T> for Uint {
    fn serialize_as<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64((*v).into())
    }
}

struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string of digits")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // `3.0` is an integer written loosely; `1.5` is not.
        if v.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v) {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let t = trim(v);
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            t.parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
}

impl<'de> DeserializeAs<'de, i64> for Int {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

impl SerializeAs<i64> for Int {
    fn serialize_as<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*v)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
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
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

impl<'de> DeserializeAs<'de, String> for Text {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_any(TextVisitor)
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
