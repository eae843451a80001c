//! Numbers read exactly: two different numbers a provider sends never become one.
//!
//! serde_json (without its `arbitrary_precision` feature, which would change `serde_json` for
//! every crate in a build) hands a number with a fraction or an exponent, or an integer beyond
//! 64 bits, to a visitor as an `f64`, which rounds. The lenient scalars ([`Text`](super::Text),
//! [`Uint`](super::Uint), [`Int`](super::Int), optional timestamps) therefore read a number from
//! its raw text, the digits as sent ([`integer`] here).
//!
//! Reading every scalar's raw text costs 9-18% more instructions per parse (measured with
//! `benches/instructions.rs`), for numbers that are almost never sent. So [`crate::wire::parse`]
//! first parses in *fast* mode ([`FastNumbers`]): the scalars take serde_json's values as
//! before, where an integer that fits 64 bits is exact, and a visitor handed an `f64` only marks
//! the parse as lossy. A lossy parse is discarded and run again in exact mode. Outside `parse`
//! (a user deserializing a payload type with serde directly) the mode is exact.

use std::cell::Cell;

use serde::de;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every number from its raw text.
    Exact,
    /// serde_json's values; nothing lossy seen yet.
    Fast,
    /// serde_json's values, and one was an `f64`: the result must be discarded.
    Lossy,
}

thread_local! {
    /// The mode of the parse under way on this thread.
    static MODE: Cell<Mode> = const { Cell::new(Mode::Exact) };
}

/// Fast mode for as long as it lives; the previous mode is restored on drop.
pub(crate) struct FastNumbers(Mode);

impl FastNumbers {
    /// Enters fast mode.
    pub(crate) fn begin() -> Self {
        FastNumbers(MODE.replace(Mode::Fast))
    }

    /// Whether a scalar was handed an `f64` since [`begin`](Self::begin): the parse's result
    /// may have rounded a number and must be run again in exact mode.
    pub(crate) fn lossy(&self) -> bool {
        MODE.get() == Mode::Lossy
    }
}

impl Drop for FastNumbers {
    fn drop(&mut self) {
        MODE.set(self.0);
    }
}

/// Whether the scalars may take serde_json's values (fast mode).
#[inline]
pub(crate) fn fast() -> bool {
    MODE.get() != Mode::Exact
}

/// Records that a scalar was handed an `f64` in fast mode.
#[cold]
pub(crate) fn lossy() {
    MODE.set(Mode::Lossy);
}

/// The exact integer a number's or a string's text stands for, or why it stands for none.
///
/// A JSON number is read from its digits, never through `f64`: `123`, `123.0`, `1.23e2` and `-0`
/// are integers; `1.5`, `123456.00000000000001` and `1e-3` are not; a value beyond `u64` is out of
/// range, whatever its form. A string (`quoted`, trimmed by the caller) holds an optional `-`
/// and ASCII digits only.
/// Returns the sign and the magnitude.
pub(crate) fn integer(text: &str, quoted: bool) -> Result<(bool, u64), NotInteger> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let b = digits.as_bytes();
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len == 0 {
        return Err(NotInteger::NotNumber);
    }
    if int_len == b.len() && int_len <= 19 {
        // Digits only, as most ids and counts are: nineteen digits always fit a `u64`, and
        // leading zeros add nothing, so the plain fold is the exact value.
        let value = b.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
        return Ok((negative, value));
    }
    let (int, mut rest) = b.split_at(int_len);
    let mut frac: &[u8] = &[];
    let mut exp: i64 = 0;
    if !quoted {
        if let Some(after) = rest.strip_prefix(b".") {
            let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
            (frac, rest) = after.split_at(n);
        }
        if let Some(after) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
            let (sign, after) = match after.first() {
                Some(b'-') => (-1, &after[1..]),
                Some(b'+') => (1, &after[1..]),
                _ => (1, after),
            };
            let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
            // Saturates: an exponent beyond a billion says "out of range" (or zero) either way.
            let magnitude = after[..n].iter().fold(0i64, |acc, d| {
                (acc * 10 + i64::from(d - b'0')).min(1_000_000_000)
            });
            exp = sign * magnitude;
            rest = &after[n..];
        }
    }
    if !rest.is_empty() {
        return Err(NotInteger::NotNumber);
    }
    // The significant digits, read without allocating: leading zeros skipped, zeros held back
    // until a later digit shows they are not trailing (trailing zeros move into the exponent).
    let mut value: u64 = 0;
    let mut held: i64 = 0;
    for &d in int.iter().chain(frac.iter()) {
        if d == b'0' {
            if value != 0 {
                held += 1;
            }
            continue;
        }
        for _ in 0..held {
            value = value.checked_mul(10).ok_or(NotInteger::OutOfRange)?;
        }
        held = 0;
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(NotInteger::OutOfRange)?;
    }
    if value == 0 {
        return Ok((negative, 0));
    }
    let scale = exp - i64::try_from(frac.len()).unwrap_or(i64::MAX) + held;
    if scale < 0 {
        return Err(NotInteger::Fraction);
    }
    for _ in 0..scale.min(20) {
        value = value.checked_mul(10).ok_or(NotInteger::OutOfRange)?;
    }
    Ok((negative, value))
}

/// Why a text is not an integer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotInteger {
    /// Not a number at all.
    NotNumber,
    /// A number with a fractional part (`1.5`).
    Fraction,
    /// An integer beyond what the field holds.
    OutOfRange,
}

/// The error for a value a lenient integer cannot hold exactly, quoting at most the start of the
/// sender's text (which may be megabytes of digits).
pub(crate) fn not_integer<E: de::Error>(
    text: &str,
    quoted: bool,
    why: &NotInteger,
    expected: &str,
) -> E {
    let shown: String = text.chars().take(48).collect();
    let more = if shown.len() < text.len() { "..." } else { "" };
    let q = if quoted { "\"" } else { "" };
    let why = match why {
        NotInteger::NotNumber => "",
        NotInteger::Fraction => " (it has a fractional part)",
        NotInteger::OutOfRange => " (out of range)",
    };
    E::custom(format_args!(
        "invalid value: {q}{shown}{more}{q}{why}, expected {expected}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (&'static str, bool, Result<(bool, u64), NotInteger>);

    /// Digits only up to nineteen take the short path; the results are those of the long one.
    #[test]
    fn plain_digits_read_the_same_on_both_paths() {
        let cases: &[Case] = &[
            ("0", true, Ok((false, 0))),
            ("-0", true, Ok((true, 0))),
            ("007", true, Ok((false, 7))),
            (
                "9999999999999999999",
                true,
                Ok((false, 9_999_999_999_999_999_999)),
            ),
            (
                "9999999999999999999",
                false,
                Ok((false, 9_999_999_999_999_999_999)),
            ),
            ("18446744073709551615", true, Ok((false, u64::MAX))),
            ("18446744073709551616", false, Err(NotInteger::OutOfRange)),
            ("0000000000000000000000123", true, Ok((false, 123))),
            ("12a", true, Err(NotInteger::NotNumber)),
            ("1.0", true, Err(NotInteger::NotNumber)),
            ("1.0", false, Ok((false, 1))),
        ];
        for (text, quoted, expected) in cases {
            assert_eq!(&integer(text, *quoted), expected, "{text} {quoted}");
        }
    }
}
