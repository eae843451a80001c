//! Reading the console's query strings and forms: every bad value is a 400 naming the
//! parameter, never a 500.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::delivery::Provider;
use crate::inbox::ItemState;
use crate::inbox::query::{Filter, RefField, Reference};

use super::super::MAX_PAGE;

/// The rows of a page when the query names no `limit`.
pub const DEFAULT_LIMIT: u32 = 50;

/// A parameter the console cannot take: answered 400 naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadParam {
    pub(crate) name: String,
    pub(crate) detail: String,
}

pub(crate) fn bad(name: &str, detail: impl Into<String>) -> BadParam {
    BadParam {
        name: name.to_owned(),
        detail: detail.into(),
    }
}

/// The decoded `name=value` pairs of a query string or an
/// `application/x-www-form-urlencoded` body, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `raw` (`+` is a space, `%XX` a byte; each name and value UTF-8).
    pub(crate) fn parse(raw: &[u8]) -> Result<Self, BadParam> {
        let mut pairs = Vec::new();
        for part in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            let name = decode(name).ok_or_else(|| bad("query", "a name is not UTF-8"))?;
            let value = decode(value).ok_or_else(|| bad(&name, "not UTF-8"))?;
            pairs.push((name, value));
        }
        Ok(Self(pairs))
    }

    /// From a JSON object of strings, numbers and booleans.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, BadParam> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| bad("body", format!("not JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| bad("body", "expected a JSON object"))?;
        let mut pairs = Vec::new();
        for (name, value) in object {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => return Err(bad(name, "expected a string, a number or a boolean")),
            };
            pairs.push((name.clone(), text));
        }
        Ok(Self(pairs))
    }

    /// The first value of `name` that is not blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every pair, for links that keep the filter.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// `limit`: 1 to [`MAX_PAGE`], [`DEFAULT_LIMIT`] when absent.
    pub(crate) fn limit(&self) -> Result<u32, BadParam> {
        match self.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| bad("limit", format!("expected a number from 1 to {MAX_PAGE}"))),
        }
    }

    /// The reference of `ref` (and `ref_kind`), if any.
    pub(crate) fn reference(&self) -> Result<Option<Reference>, BadParam> {
        let kind = match self.get("ref_kind") {
            None | Some("any") => None,
            Some(k) => Some(RefField::parse(k).ok_or_else(|| {
                bad(
                    "ref_kind",
                    format!("unknown reference kind; expected one of {}", kinds()),
                )
            })?),
        };
        Ok(self.get("ref").map(|value| match kind {
            Some(kind) => Reference::of(kind, value),
            None => Reference::any(value),
        }))
    }

    /// The [`Filter`] these parameters name: `id`, `provider`, `state`, `from`, `before`,
    /// `dedup_key`, `ref` with `ref_kind`, `handled`, `cause`.
    pub(crate) fn filter(&self) -> Result<Filter, BadParam> {
        let mut filter = Filter::new();
        if let Some(id) = self.get("id") {
            filter = filter.item(item_id("id", id)?);
        }
        if let Some(p) = self.get("provider") {
            let provider = p.parse::<Provider>().map_err(|_| {
                bad(
                    "provider",
                    format!("unknown provider; expected one of {}", providers()),
                )
            })?;
            filter = filter.provider(provider);
        }
        if let Some(s) = self.get("state") {
            let state = ItemState::parse(s).ok_or_else(|| {
                bad(
                    "state",
                    "unknown state; expected pending, claimed, completed or dead",
                )
            })?;
            filter = filter.state(state);
        }
        let from = self.get("from").map(|t| time("from", t)).transpose()?;
        let before = self.get("before").map(|t| time("before", t)).transpose()?;
        if from.is_some() || before.is_some() {
            filter = filter.received(from, before);
        }
        if let Some(k) = self.get("dedup_key") {
            filter = filter.dedup_key(k);
        }
        if let Some(r) = self.reference()? {
            filter = filter.reference(r);
        }
        match self.get("handled") {
            None => {}
            Some("true" | "1" | "yes") => filter = filter.handled(true),
            Some("false" | "0" | "no") => filter = filter.handled(false),
            Some(_) => return Err(bad("handled", "expected true or false")),
        }
        if let Some(c) = self.get("cause") {
            filter = filter.cause(c);
        }
        Ok(filter)
    }
}

/// An item id: a positive integer.
pub(crate) fn item_id(name: &str, raw: &str) -> Result<crate::inbox::ItemId, BadParam> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(crate::inbox::ItemId)
        .ok_or_else(|| bad(name, "expected a positive whole number"))
}

/// A time: RFC 3339 (`2026-12-07T14:30:00Z`), or a date and time without a zone as a
/// browser's `datetime-local` input sends it (`2026-12-07T14:30`, taken as UTC), or a date.
fn time(name: &str, raw: &str) -> Result<SystemTime, BadParam> {
    let local_minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let date = format_description!("[year]-[month]-[day]");
    let parsed = OffsetDateTime::parse(raw, &Rfc3339)
        .ok()
        .or_else(|| {
            time::PrimitiveDateTime::parse(raw, local_seconds)
                .or_else(|_| time::PrimitiveDateTime::parse(raw, local_minutes))
                .ok()
                .map(time::PrimitiveDateTime::assume_utc)
        })
        .or_else(|| {
            time::Date::parse(raw, date)
                .ok()
                .map(|d| d.midnight().assume_utc())
        })
        .ok_or_else(|| {
            bad(
                name,
                "expected a time such as 2026-12-07T14:30:00Z, 2026-12-07T14:30 (UTC) or 2026-12-07",
            )
        })?;
    Ok(parsed.into())
}

fn kinds() -> String {
    let mut names = vec!["any"];
    names.extend(RefField::ALL.iter().map(|f| f.as_str()));
    names.join(", ")
}

fn providers() -> String {
    Provider::ALL
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(raw[i + 1]), hex(raw[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(u8::try_from(h * 16 + l).ok()?);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_from_queries_and_bad_values_named() {
        let p = Params::parse(b"provider=skladon&state=dead&from=2026-12-07T14%3A30&ref=WK+1&ref_kind=waybill&limit=20&dedup_key=").unwrap();
        let f = p.filter().unwrap();
        assert_eq!(f.provider, Some(Provider::Skladon));
        assert_eq!(f.state, Some(ItemState::Dead));
        assert_eq!(f.dedup_key, None);
        assert_eq!(f.reference, Some(Reference::of(RefField::Waybill, "WK 1")));
        let from: OffsetDateTime = f.received_from.unwrap().into();
        assert_eq!(from.unix_timestamp(), 1_796_653_800);
        assert_eq!(p.limit(), Ok(20));
        for (query, name) in [
            ("state=lost", "state"),
            ("provider=fedex", "provider"),
            ("from=yesterday", "from"),
            ("before=2026-13-01", "before"),
            ("id=abc", "id"),
            ("ref=1&ref_kind=zip", "ref_kind"),
            ("handled=maybe", "handled"),
        ] {
            let err = Params::parse(query.as_bytes())
                .unwrap()
                .filter()
                .unwrap_err();
            assert_eq!(err.name, name, "{query}");
        }
        for limit in ["limit=0", "limit=1001", "limit=-1", "limit=x"] {
            assert_eq!(
                Params::parse(limit.as_bytes())
                    .unwrap()
                    .limit()
                    .unwrap_err()
                    .name,
                "limit"
            );
        }
        assert_eq!(Params::parse(b"limit=%FF").unwrap_err().name, "limit");
        assert_eq!(Params::parse(b"a=100%").unwrap().get("a"), Some("100%"));
    }

    #[test]
    fn json_bodies_read_as_the_same_parameters() {
        let p = Params::from_json(br#"{"provider":"peddler","id":7,"handled":false,"x":null}"#)
            .unwrap();
        assert_eq!(p.get("id"), Some("7"));
        assert_eq!(p.filter().unwrap().handled, Some(false));
        assert_eq!(Params::from_json(b"[1]").unwrap_err().name, "body");
        assert_eq!(Params::from_json(br#"{"id":[1]}"#).unwrap_err().name, "id");
    }
}
