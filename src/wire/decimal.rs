//! [`Decimal`]: exact decimal text (money, weights), from JSON numbers and numeric strings.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_with::{DeserializeAs, SerializeAs};

use super::raw::raw_text;

/// A decimal amount (money, weight) exactly as the provider sent it: never rounded through a
/// float.
///
/// Providers send amounts as numbers (`12.5`) and as numeric strings (`"12.50"`). Both are accepted; the text is kept digit for digit (trailing
/// zeros included), and whether it came as a JSON string or a JSON number is remembered, so the
/// value is written back exactly as it came. Convert with [`to_f64`](Decimal::to_f64) for display,
/// or parse [`as_str`](Decimal::as_str) with the decimal crate of your choice for arithmetic.
/// A number is written back through `serde_json`'s raw-value support, so its digits survive
/// `serde_json::to_vec`/`to_value`; other serializers see a raw-value wrapper instead.
///
/// A string is accepted when, once trimmed, it is an optional sign, digits with an optional
/// fraction, and an optional exponent (`"12.50"`, `" 7 "`, `"-0.5"`, `"1e3"`); anything else is
/// an error naming the field. An empty string reads as absent.
///
/// ```
/// use delivery_webhooks::Decimal;
///
/// let price = Decimal::parse("19.90").unwrap();
/// assert_eq!(price.as_str(), "19.90");
/// assert_eq!(price.to_f64(), Some(19.9));
/// assert!(Decimal::parse("19,90").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    text: String,
    quoted: bool,
}

impl Decimal {
    /// A decimal from a JSON number's text (`12.50`, `-3`, `1e3`), written back as a JSON
    /// number. `None` if `text` is not a JSON number.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        is_json_number(text).then(|| Self {
            text: text.to_owned(),
            quoted: false,
        })
    }

    /// The text as sent (for a string: its content, untrimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it was sent as a JSON string (`"12.50"`) rather than a number.
    #[must_use]
    pub fn was_string(&self) -> bool {
        self.quoted
    }

    /// The nearest `f64`: for display, not for money arithmetic.
    #[must_use]
    pub fn to_f64(&self) -> Option<f64> {
        self.text.trim().parse().ok()
    }

    /// Reads the raw JSON text of a value: a number, or a string holding one. Allocates only
    /// the value's own text (nothing for an empty string, read as absent).
    fn from_raw<E: de::Error>(raw: Cow<'_, str>) -> Result<Option<Self>, E> {
        const EXPECTED: &str = "a decimal number, or a string holding one";
        if raw.starts_with('"') {
            let text: String = match raw.get(1..raw.len() - 1) {
                // No escapes: the content is the text between the quotes.
                Some(inner) if !inner.contains('\\') => {
                    if inner.is_empty() {
                        return Ok(None);
                    }
                    inner.to_owned()
                }
                _ => serde_json::from_str(&raw).map_err(E::custom)?,
            };
            // The common case first: digits and a point, no spaces, no trimming needed.
            if !is_decimal(&text) {
                if text.trim().is_empty() {
                    return Ok(None);
                }
                if !is_decimal(text.trim()) {
                    return Err(E::invalid_value(de::Unexpected::Str(&text), &EXPECTED));
                }
            }
            Ok(Some(Self { text, quoted: true }))
        } else if is_json_number(&raw) {
            Ok(Some(Self {
                text: raw.into_owned(),
                quoted: false,
            }))
        } else {
            let found = match raw.as_bytes().first() {
                Some(b'{') => de::Unexpected::Map,
                Some(b'[') => de::Unexpected::Seq,
                Some(b't') => de::Unexpected::Bool(true),
                Some(b'f') => de::Unexpected::Bool(false),
                _ => de::Unexpected::Other(&raw),
            };
            Err(E::invalid_type(found, &EXPECTED))
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            return s.serialize_str(&self.text);
        }
        // A JSON number's exact text; `parse` and `from_raw` only admit valid numbers.
        match serde_json::from_str::<&RawValue>(&self.text) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Decimal::from_raw(raw_text(d)?)?
            .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(""), &"a decimal number"))
    }
}

/// `Option<Decimal>` as a `serde_with` adapter: `null`, `""` and absent are `None`.
pub(crate) struct OptDecimal;

impl<'de> DeserializeAs<'de, Option<Decimal>> for OptDecimal {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<Decimal>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number, a string holding one, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Decimal::from_raw(raw_text(d)?)
            }
        }
        d.deserialize_option(V)
    }
}

impl SerializeAs<Option<Decimal>> for OptDecimal {
    fn serialize_as<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// JSON's own number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(&b[i..]),
        _ => return false,
    }
    finish_number(b, i)
}

/// A looser grammar for strings: optional sign, digits (leading zeros allowed), optional
/// fraction, optional exponent.
fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let n = digits(&b[i..]);
    if n == 0 {
        return false;
    }
    i += n;
    finish_number(b, i)
}

fn finish_number(b: &[u8], mut i: usize) -> bool {
    if b.get(i) == Some(&b'.') {
        let n = digits(&b[i + 1..]);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(b.get(i..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_grammars() {
        for ok in ["0", "-0", "12", "12.50", "-3.25", "1e3", "1E-3", "2.5e+10"] {
            assert!(is_json_number(ok), "{ok}");
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "+1", "1,5", "0x10", "1 ", "NaN",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
        for ok in ["007", "+1", "1.0"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "+", "1.", ".5", "1e", "1,5", "abc", "1.2.3", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn kept_as_sent_either_way() {
        let n: Decimal = serde_json::from_str("12.50").unwrap();
        assert_eq!((n.as_str(), n.was_string()), ("12.50", false));
        assert_eq!(serde_json::to_string(&n).unwrap(), "12.50");
        let s: Decimal = serde_json::from_str(r#""0012.50""#).unwrap();
        assert_eq!((s.as_str(), s.was_string()), ("0012.50", true));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""0012.50""#);
        let big: Decimal = serde_json::from_str("123456789012345678901234567890.000001").unwrap();
        assert_eq!(big.as_str(), "123456789012345678901234567890.000001");
        assert!(serde_json::from_str::<Decimal>(r#""12,5""#).is_err());
        assert!(serde_json::from_str::<Decimal>("true").is_err());
    }
}
