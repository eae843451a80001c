//! [`Timestamp`]: the one date / date-time type of every provider, reading every ISO 8601 /
//! RFC 3339 form senders use and writing each back in the form it came in.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Longer input is refused before any work: no date-time form needs more.
const MAX_LEN: usize = 64;

/// A date or a date-time as a provider sent it, in any of the ISO 8601 / RFC 3339 forms
/// senders use, remembering that form so it is written back the same way.
///
/// Read forms (surrounding whitespace ignored):
/// - a plain date, `2024-11-14`;
/// - a date-time with `T`, `t` or a space between date and time: `2024-11-14T14:39:13`,
///   `2024-11-14 14:39`;
/// - optional fractional seconds of any length (`.5`, `.123`, `.123456789`; digits beyond
///   nanoseconds are dropped);
/// - an optional zone: `Z` (or `z`), `+03:00`, `+0300`, `+03`, or none at all.
///
/// Where a provider documents a date and sends a date-time, or the reverse, both are read:
/// [`date`](Timestamp::date) always gives the calendar date, [`time`](Timestamp::time) and
/// [`offset`](Timestamp::offset) say what was sent. A value without a zone keeps none: the
/// crate does not guess one; [`assume_offset`](Timestamp::assume_offset) and
/// [`assume_utc`](Timestamp::assume_utc) apply the one you know.
///
/// Serializing writes the same text form (separator, number of fraction digits, zone style),
/// so `parse → to_vec → parse` gives an equal value. Equality compares the value *and* that
/// form: to compare instants, compare [`assume_utc`](Timestamp::assume_utc) (or
/// [`to_offset_date_time`](Timestamp::to_offset_date_time)) results.
///
/// `Copy`, and reading one allocates nothing.
///
/// ```
/// use delivery_webhooks::Timestamp;
/// use time::macros::{date, offset, time};
///
/// let t: Timestamp = "2024-11-14T14:39:13.123+0300".parse()?;
/// assert_eq!(t.date(), date!(2024 - 11 - 14));
/// assert_eq!(t.time(), Some(time!(14:39:13.123)));
/// assert_eq!(t.offset(), Some(offset!(+3)));
/// assert_eq!(t.to_string(), "2024-11-14T14:39:13.123+0300");
///
/// let naive: Timestamp = "2024-11-14 14:39:13".parse()?;
/// assert_eq!(naive.offset(), None);
/// assert_eq!(naive.assume_utc().hour(), 14);
///
/// let day: Timestamp = "2025-05-25".parse()?;
/// assert!(day.is_date_only());
/// assert_eq!(day.time(), None);
/// # Ok::<(), delivery_webhooks::InvalidTimestamp>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    date: Date,
    /// `None` for a plain date.
    time: Option<Time>,
    /// `None` when no zone was sent (always for a plain date).
    offset: Option<UtcOffset>,
    layout: Layout,
}

/// How a date-time was written, so it can be written again the same way.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Layout {
    /// `T`, `t` or a space.
    separator: u8,
    /// Whether the seconds were written (`HH:MM:SS` rather than `HH:MM`).
    seconds: bool,
    /// Fraction digits written, 0 for none.
    fraction: u8,
    zone: Zone,
    /// `-00:00` and its kin: an offset of zero written with a minus sign.
    minus_zero: bool,
}

/// How the zone was written.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Zone {
    None,
    Z,
    LowerZ,
    /// `±HH:MM`.
    Colon,
    /// `±HHMM`.
    Compact,
    /// `±HH`.
    Hours,
}

impl Layout {
    const DATE_TIME: Layout = Layout {
        separator: b'T',
        seconds: true,
        fraction: 0,
        zone: Zone::None,
        minus_zero: false,
    };
}

impl Timestamp {
    /// Reads any of the forms listed on the type; `None` if the text is none of them.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        parse_bytes(text.as_bytes())
    }

    /// The calendar date, as sent (in the sender's own offset, if any).
    #[must_use]
    pub fn date(&self) -> Date {
        self.date
    }

    /// The wall-clock time as sent; `None` for a plain date.
    #[must_use]
    pub fn time(&self) -> Option<Time> {
        self.time
    }

    /// The offset as sent; `None` when no zone was sent (and for a plain date).
    #[must_use]
    pub fn offset(&self) -> Option<UtcOffset> {
        self.offset
    }

    /// Whether a plain date (`YYYY-MM-DD`) was sent.
    #[must_use]
    pub fn is_date_only(&self) -> bool {
        self.time.is_none()
    }

    /// The wall-clock date and time as sent (midnight for a plain date).
    #[must_use]
    pub fn date_time(&self) -> PrimitiveDateTime {
        PrimitiveDateTime::new(self.date, self.time.unwrap_or(Time::MIDNIGHT))
    }

    /// The instant, when the sender gave a zone; `None` otherwise (no zone is guessed).
    #[must_use]
    pub fn to_offset_date_time(&self) -> Option<OffsetDateTime> {
        self.offset.map(|o| self.date_time().assume_offset(o))
    }

    /// The instant, taking `offset` when the sender gave none (a plain date is midnight).
    #[must_use]
    pub fn assume_offset(&self, offset: UtcOffset) -> OffsetDateTime {
        self.date_time()
            .assume_offset(self.offset.unwrap_or(offset))
    }

    /// The instant, taking UTC when the sender gave no zone (as where a provider documents its
    /// times as UTC).
    #[must_use]
    pub fn assume_utc(&self) -> OffsetDateTime {
        self.assume_offset(UtcOffset::UTC)
    }
}

/// `YYYY-MM-DD` exactly (ten bytes).
pub(crate) fn parse_date(b: &[u8]) -> Option<Date> {
    let b: &[u8; 10] = b.try_into().ok()?;
    // `YYYY-MM-` as one word: the two dashes and six digits checked at once.
    let d = digits_around(word(b, 0), b'-', 4, 7)?;
    let year = pair(d, 0) * 100 + pair(d, 2);
    let month = Month::try_from(pair(d, 5) as u8).ok()?;
    Date::from_calendar_date(year as i32, month, two(b[8], b[9])? as u8).ok()
}

/// Eight bytes of `b` from `at` as one little-endian word (`b` holds them: callers check).
#[inline]
fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Reads eight bytes (`w`, little-endian) that are ASCII digits except for `sep` at byte
/// positions `i` and `j`: the value of each byte (the separators' as 0) as the bytes of a word,
/// or `None` if any byte is not what it should be. One test for all eight bytes instead of one
/// per pair, as most timestamps are `YYYY-MM-DD` and `HH:MM:SS`.
#[inline(always)]
fn digits_around(w: u64, sep: u8, i: u32, j: u32) -> Option<u64> {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let seps = (0xFFu64 << (8 * i)) | (0xFFu64 << (8 * j));
    if w & seps != (u64::from(sep) << (8 * i)) | (u64::from(sep) << (8 * j)) {
        return None;
    }
    // The separators read as `0`; then a byte is a digit when its high half is 3 both as it is
    // and after adding 6 (0x30..=0x39 and nothing else; no byte carries into the next, as every
    // byte is 0x30..=0x3F once the first test holds).
    let w = (w & !seps) | (ZEROS & seps);
    if w & HIGH != ZEROS || w.wrapping_add(0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    Some(w - ZEROS)
}

/// The value of the two digits at byte positions `at` and `at + 1` of `d` (from
/// [`digits_around`]).
#[inline(always)]
fn pair(d: u64, at: u32) -> u32 {
    let byte = |k: u32| ((d >> (8 * k)) & 0xFF) as u32;
    byte(at) * 10 + byte(at + 1)
}

/// The value of two ASCII digits, `None` if either is not one.
#[inline]
fn two(tens: u8, units: u8) -> Option<u32> {
    let (t, u) = (tens.wrapping_sub(b'0'), units.wrapping_sub(b'0'));
    (t < 10 && u < 10).then(|| u32::from(t) * 10 + u32::from(u))
}

/// Powers of ten, to scale a fraction of `n` digits to nanoseconds.
const SCALE: [u32; 10] = [
    1_000_000_000,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// Hand-written, byte by byte: it runs for every timestamp of every body, and a fixed set of
/// layouts is read much faster this way than through a general format description.
fn parse_bytes(b: &[u8]) -> Option<Timestamp> {
    let b = b.trim_ascii();
    if b.len() < 10 || b.len() > MAX_LEN {
        return None;
    }
    let date = parse_date(&b[..10])?;
    let Some((&separator, rest)) = b[10..].split_first() else {
        return Some(Timestamp::from(date));
    };
    if !matches!(separator, b'T' | b't' | b' ') || rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let mut layout = Layout {
        separator,
        seconds: false,
        ..Layout::DATE_TIME
    };
    let (hour, minute, second);
    let mut rest = if rest.len() >= 8 && rest[5] == b':' {
        // `HH:MM:SS`, the usual form, in one word.
        let d = digits_around(word(rest, 0), b':', 2, 5)?;
        (hour, minute, second) = (pair(d, 0), pair(d, 3), pair(d, 6));
        layout.seconds = true;
        &rest[8..]
    } else {
        (hour, minute, second) = (two(rest[0], rest[1])?, two(rest[3], rest[4])?, 0);
        &rest[5..]
    };
    let mut nanos = 0;
    if layout.seconds {
        if let Some(frac) = rest.strip_prefix(b".") {
            // One pass: count the digits, keeping the value of the first nine.
            let (mut len, mut value) = (0, 0u32);
            for &d in frac {
                if !d.is_ascii_digit() {
                    break;
                }
                if len < 9 {
                    value = value * 10 + u32::from(d - b'0');
                }
                len += 1;
            }
            if len == 0 {
                return None;
            }
            let kept = len.min(9);
            nanos = value * SCALE[kept];
            layout.fraction = kept as u8;
            rest = &frac[len..];
        }
    }
    let time = Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos).ok()?;
    let offset = match rest {
        [] => None,
        [b'Z'] => {
            layout.zone = Zone::Z;
            Some(UtcOffset::UTC)
        }
        [b'z'] => {
            layout.zone = Zone::LowerZ;
            Some(UtcOffset::UTC)
        }
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m, style) = match zone {
                [h0, h1] => (two(*h0, *h1)?, 0, Zone::Hours),
                [h0, h1, b':', m0, m1] => (two(*h0, *h1)?, two(*m0, *m1)?, Zone::Colon),
                [h0, h1, m0, m1] => (two(*h0, *h1)?, two(*m0, *m1)?, Zone::Compact),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            layout.zone = style;
            layout.minus_zero = *sign == b'-' && h == 0 && m == 0;
            let sign = if *sign == b'-' { -1 } else { 1 };
            Some(UtcOffset::from_hms(sign * h as i8, sign * m as i8, 0).ok()?)
        }
        _ => return None,
    };
    Some(Timestamp {
        date,
        time: Some(time),
        offset,
        layout,
    })
}

impl From<Date> for Timestamp {
    /// A plain date, written `YYYY-MM-DD`.
    fn from(date: Date) -> Self {
        Timestamp {
            date,
            time: None,
            offset: None,
            layout: Layout::DATE_TIME,
        }
    }
}

impl From<PrimitiveDateTime> for Timestamp {
    /// A date-time without zone, written `YYYY-MM-DDTHH:MM:SS[.fraction]`.
    fn from(t: PrimitiveDateTime) -> Self {
        Timestamp {
            date: t.date(),
            time: Some(t.time()),
            offset: None,
            layout: Layout {
                fraction: fraction_digits(t.nanosecond()),
                ..Layout::DATE_TIME
            },
        }
    }
}

impl From<OffsetDateTime> for Timestamp {
    /// A date-time in its offset, written RFC 3339 (`Z` for UTC, else `±HH:MM`; an offset's
    /// seconds, which RFC 3339 cannot write, are dropped from the text).
    fn from(t: OffsetDateTime) -> Self {
        let zone = if t.offset().is_utc() {
            Zone::Z
        } else {
            Zone::Colon
        };
        Timestamp {
            date: t.date(),
            time: Some(t.time()),
            offset: Some(t.offset()),
            layout: Layout {
                fraction: fraction_digits(t.nanosecond()),
                zone,
                ..Layout::DATE_TIME
            },
        }
    }
}

/// The fewest digits that write `nanos` exactly.
fn fraction_digits(nanos: u32) -> u8 {
    if nanos == 0 {
        return 0;
    }
    let mut digits = 9;
    let mut n = nanos;
    while n % 10 == 0 {
        n /= 10;
        digits -= 1;
    }
    digits
}

impl fmt::Display for Timestamp {
    /// The text form it was read in (for a constructed value, RFC 3339 or `YYYY-MM-DD`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.date.to_calendar_date();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}-{:02}-{day:02}", u8::from(month))?;
        } else {
            write!(f, "{year:+05}-{:02}-{day:02}", u8::from(month))?;
        }
        let Some(time) = self.time else {
            return Ok(());
        };
        let l = self.layout;
        f.write_char(char::from(l.separator))?;
        write!(f, "{:02}:{:02}", time.hour(), time.minute())?;
        if l.seconds {
            write!(f, ":{:02}", time.second())?;
        }
        if l.fraction > 0 {
            let width = usize::from(l.fraction);
            let value = time.nanosecond() / 10u32.pow(9 - u32::from(l.fraction));
            write!(f, ".{value:0width$}")?;
        }
        let Some(offset) = self.offset else {
            return Ok(());
        };
        let (h, m, _) = offset.as_hms();
        let sign = if offset.is_negative() || l.minus_zero {
            '-'
        } else {
            '+'
        };
        let (h, m) = (h.unsigned_abs(), m.unsigned_abs());
        match l.zone {
            Zone::None => Ok(()),
            Zone::Z => f.write_char('Z'),
            Zone::LowerZ => f.write_char('z'),
            Zone::Colon => write!(f, "{sign}{h:02}:{m:02}"),
            Zone::Compact => write!(f, "{sign}{h:02}{m:02}"),
            Zone::Hours => write!(f, "{sign}{h:02}"),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

/// The error of [`Timestamp`]'s `FromStr`: the text is no ISO 8601 date or date-time form
/// this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an ISO 8601 date or date-time")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(s: &str) -> Result<Self, InvalidTimestamp> {
        Timestamp::parse(s).ok_or(InvalidTimestamp)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // serde_json writes `collect_str` straight into its output: no allocation.
        s.collect_str(self)
    }
}

const EXPECTED: &str = "an ISO 8601 date or date-time such as `2024-11-14T14:39:13Z`";

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Timestamp::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// A required timestamp: text that is no date form is an error naming the field.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{OptTimestamp, TimestampOrText};
    use time::macros::{date, datetime, offset, time};

    fn read(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap_or_else(|| panic!("{s} should read"))
    }

    /// Every accepted form: the parts read, and the text written back identical.
    #[test]
    fn every_form_reads_and_writes_back() {
        let d = date!(2024 - 11 - 14);
        let cases: &[(&str, Option<Time>, Option<UtcOffset>)] = &[
            ("2024-11-14", None, None),
            ("2024-11-14T14:39:13", Some(time!(14:39:13)), None),
            ("2024-11-14 14:39:13", Some(time!(14:39:13)), None),
            (
                "2024-11-14t14:39:13z",
                Some(time!(14:39:13)),
                Some(offset!(UTC)),
            ),
            ("2024-11-14T14:39", Some(time!(14:39)), None),
            (
                "2024-11-14 14:39+02:00",
                Some(time!(14:39)),
                Some(offset!(+2)),
            ),
            (
                "2024-11-14T14:39:13Z",
                Some(time!(14:39:13)),
                Some(offset!(UTC)),
            ),
            (
                "2024-11-14T14:39:13.1Z",
                Some(time!(14:39:13.1)),
                Some(offset!(UTC)),
            ),
            (
                "2024-11-14T14:39:13.000Z",
                Some(time!(14:39:13)),
                Some(offset!(UTC)),
            ),
            (
                "2024-11-14T14:39:13.123+03:00",
                Some(time!(14:39:13.123)),
                Some(offset!(+3)),
            ),
            (
                "2024-11-14T14:39:13.123456-05:30",
                Some(time!(14:39:13.123456)),
                Some(offset!(-5:30)),
            ),
            (
                "2024-11-14T14:39:13.123456789+0000",
                Some(time!(14:39:13.123456789)),
                Some(offset!(UTC)),
            ),
            (
                "2024-11-14 14:39:13+0530",
                Some(time!(14:39:13)),
                Some(offset!(+5:30)),
            ),
            (
                "2024-11-14T14:39:13+03",
                Some(time!(14:39:13)),
                Some(offset!(+3)),
            ),
            (
                "2024-11-14T14:39:13-00:00",
                Some(time!(14:39:13)),
                Some(offset!(UTC)),
            ),
            ("2024-11-14 14:39:13.5", Some(time!(14:39:13.5)), None),
            (
                "2024-11-14T23:59:59+23:59",
                Some(time!(23:59:59)),
                Some(offset!(+23:59)),
            ),
        ];
        for &(text, time, offset) in cases {
            let t = read(text);
            assert_eq!(
                (t.date(), t.time(), t.offset()),
                (d, time, offset),
                "{text}"
            );
            assert_eq!(t.to_string(), text, "{text}");
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(
                serde_json::from_str::<Timestamp>(&json).unwrap(),
                t,
                "{text}"
            );
        }
    }

    #[test]
    fn instants_and_assumptions() {
        let t = read("2024-11-14T14:39:13.123+03:00");
        assert_eq!(
            t.to_offset_date_time(),
            Some(datetime!(2024-11-14 14:39:13.123 +3))
        );
        assert_eq!(t.assume_utc(), datetime!(2024-11-14 11:39:13.123 UTC));
        let naive = read("2024-11-14 14:39:13");
        assert_eq!(naive.to_offset_date_time(), None);
        assert_eq!(
            naive.assume_offset(offset!(+1)),
            datetime!(2024-11-14 14:39:13 +1)
        );
        let day = read("2024-11-14");
        assert!(day.is_date_only());
        assert_eq!(day.assume_utc(), datetime!(2024-11-14 0:00 UTC));
        assert_eq!(day.date_time(), datetime!(2024-11-14 0:00));
        // Same instant, different text: not equal, same `assume_utc`.
        let a = read("2024-11-14T11:39:13Z");
        let b = read("2024-11-14T14:39:13+03:00");
        assert_ne!(a, b);
        assert_eq!(a.assume_utc(), b.assume_utc());
    }

    #[test]
    fn overlong_fraction_is_truncated_to_nanoseconds() {
        let t = read("2024-11-14T14:39:13.1234567891234Z");
        assert_eq!(t.time(), Some(time!(14:39:13.123456789)));
        assert_eq!(t.to_string(), "2024-11-14T14:39:13.123456789Z");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(read(" 2024-11-14 14:39:13 "), read("2024-11-14 14:39:13"));
    }

    #[test]
    fn constructed_values_write_rfc3339() {
        assert_eq!(
            Timestamp::from(datetime!(2024-09-02 13:08:06.574 UTC)).to_string(),
            "2024-09-02T13:08:06.574Z"
        );
        assert_eq!(
            Timestamp::from(datetime!(2024-09-02 13:08:06 -2:30)).to_string(),
            "2024-09-02T13:08:06-02:30"
        );
        assert_eq!(
            Timestamp::from(datetime!(2024-09-02 13:08:06.5)).to_string(),
            "2024-09-02T13:08:06.5"
        );
        assert_eq!(
            Timestamp::from(date!(2024 - 09 - 02)).to_string(),
            "2024-09-02"
        );
        let t = Timestamp::from(datetime!(2024-09-02 13:08:06.000_000_001 +5:45));
        assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
    }

    const BAD: &[&str] = &[
        "2024-13-01",
        "2024-02-30",
        "2024-11-14 24:00:00",
        "2024-11-14T14:60:00",
        "2024-11-14T14:39:60Z",
        "2024-11-14T14:39:13+24:00",
        "2024-11-14T14:39:13+05:60",
        "2024-11-14T14:39:13.Z",
        "2024-11-14T14:39:13ZZ",
        "2024-11-14T14:39:13+5",
        "2024-11-14T14:39:13 Z",
        "2024-11-14X14:39:13",
        "2024-1:-14",
        "2024-11-1:",
        "20/4-11-14",
        "2024-11-14T14:3?:13Z",
        "2024-11-14T14:39:1;Z",
        "2024-11-14T14-39-13",
        "2024-11-14T\u{7f}4:39:13",
        "2024-11-14T14",
        "2024-11-1",
        "+024-11-14",
        "é024-11-14T14:39:13",
        "garbage",
        "",
        "1731595153",
    ];

    #[test]
    fn malformed_required_values_are_errors() {
        let overlong = format!("2024-11-14T14:39:13.{}Z", "1".repeat(100));
        for bad in BAD.iter().copied().chain([overlong.as_str()]) {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
            assert_eq!(bad.parse::<Timestamp>(), Err(InvalidTimestamp), "{bad}");
            let json = serde_json::to_string(bad).unwrap();
            let err = serde_json::from_str::<Timestamp>(&json).unwrap_err();
            assert!(err.to_string().contains("ISO 8601"), "{bad}: {err}");
        }
        assert!(serde_json::from_str::<Timestamp>("1731595153").is_err());
        assert!(serde_json::from_str::<Timestamp>("null").is_err());
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    struct Opt {
        #[serde_as(as = "OptTimestamp")]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimestampOrText>,
    }

    #[test]
    fn malformed_optional_values_are_kept_as_text() {
        for bad in BAD.iter().copied().filter(|b| !b.trim().is_empty()) {
            let json = format!(r#"{{"at":{}}}"#, serde_json::to_string(bad).unwrap());
            let v: Opt = serde_json::from_str(&json).unwrap();
            assert_eq!(
                v.at,
                Some(TimestampOrText::Unreadable(bad.to_owned())),
                "{bad}"
            );
            assert_eq!(serde_json::to_string(&v).unwrap(), json);
        }
        let v: Opt = serde_json::from_str(r#"{"at":1731595153}"#).unwrap();
        assert_eq!(
            v.at.as_ref().and_then(|t| t.unreadable()),
            Some("1731595153")
        );
        for none in [r#"{}"#, r#"{"at":null}"#, r#"{"at":""}"#, r#"{"at":"  "}"#] {
            assert_eq!(
                serde_json::from_str::<Opt>(none).unwrap().at,
                None,
                "{none}"
            );
        }
        let v: Opt = serde_json::from_str(r#"{"at":"2024-11-14 14:39:13+0300"}"#).unwrap();
        assert_eq!(
            v.at.and_then(|t| t.timestamp()).and_then(|t| t.offset()),
            Some(offset!(+3))
        );
        assert!(serde_json::from_str::<Opt>(r#"{"at":{}}"#).is_err());
        let err = serde_json::from_str::<Opt>(r#"{"at": true}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: boolean `true`, expected a date or date-time as a string at line 1 \
             column 12"
        );
        assert!(serde_json::from_str::<Opt>(r#"{"at":nul}"#).is_err());
        let dup = serde_json::from_str::<Opt>(r#"{"at":null,"at":"2024-11-14"}"#).unwrap_err();
        assert!(dup.to_string().contains("duplicate field `at`"), "{dup}");
    }
}
