//! The filter options, read into the library's `Filter` (`docs/console.md`, "Library API"), and
//! the times printed.

use std::time::{Duration, SystemTime};

use clap::Args;
use delivery_webhooks::Provider;
use delivery_webhooks::inbox::ItemId;
use delivery_webhooks::inbox::ItemState;
use delivery_webhooks::inbox::query::{Filter, RefField, Reference};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Which items: every option given must hold.
#[derive(Args, Default)]
pub struct FilterArgs {
    /// Only this provider's: wakilni, peddler, xoxoday, isendu, skladon.
    #[arg(long, value_name = "PROVIDER", value_parser = parse_provider)]
    provider: Option<Provider>,
    /// Only items in this state: pending, in-progress, done, dead (or claimed, completed).
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    state: Option<ItemState>,
    /// Only items received at or after: RFC 3339, or an age (30m, 2h, 7d).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    since: Option<SystemTime>,
    /// Only items received before: RFC 3339, or an age (30m, 2h, 7d).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<SystemTime>,
    /// Only the item with this dedup key, as stored (`wakilni:<event_id>`).
    #[arg(long, value_name = "KEY")]
    dedup_key: Option<String>,
    /// Only items carrying this shipment reference (an order id, a waybill, a tracking number…).
    #[arg(long = "ref", value_name = "VALUE")]
    reference: Option<String>,
    /// With --ref: of this kind only (order_id, waybill, tracking_number…).
    #[arg(long, value_name = "KIND", requires = "reference", value_parser = parse_ref_kind)]
    ref_kind: Option<RefField>,
    /// Only items an operator discarded.
    #[arg(long, conflicts_with = "unhandled")]
    handled: bool,
    /// Only items no operator discarded.
    #[arg(long)]
    unhandled: bool,
}

impl FilterArgs {
    /// The library's filter, item `id` too when given.
    pub fn filter(&self, id: Option<i64>) -> Filter {
        let mut filter = Filter::new();
        if let Some(id) = id {
            filter = filter.item(ItemId(id));
        }
        if let Some(p) = self.provider {
            filter = filter.provider(p);
        }
        if let Some(s) = self.state {
            filter = filter.state(s);
        }
        if self.since.is_some() || self.until.is_some() {
            filter = filter.received(self.since, self.until);
        }
        if let Some(k) = &self.dedup_key {
            filter = filter.dedup_key(k.clone());
        }
        if let Some(value) = &self.reference {
            filter = filter.reference(reference(self.ref_kind, value));
        }
        if self.handled || self.unhandled {
            filter = filter.handled(self.handled);
        }
        filter
    }

    /// The state asked for, if any.
    pub fn state(&self) -> Option<ItemState> {
        self.state
    }
}

/// A value of `kind`, or of any kind.
pub fn reference(kind: Option<RefField>, value: &str) -> Reference {
    match kind {
        Some(kind) => Reference::of(kind, value),
        None => Reference::any(value),
    }
}

fn parse_provider(raw: &str) -> Result<Provider, String> {
    raw.parse()
        .map_err(|_| "expected wakilni, peddler, xoxoday, isendu or skladon".to_owned())
}

/// The operator's names and the library's (`ItemState::as_str`).
pub fn parse_state(raw: &str) -> Result<ItemState, String> {
    match raw.to_ascii_lowercase().as_str() {
        "pending" => Ok(ItemState::Pending),
        "in-progress" | "claimed" => Ok(ItemState::Claimed),
        "done" | "completed" => Ok(ItemState::Completed),
        "dead" => Ok(ItemState::Dead),
        _ => Err("expected pending, in-progress, done or dead (or claimed, completed)".into()),
    }
}

pub fn parse_ref_kind(raw: &str) -> Result<RefField, String> {
    RefField::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = RefField::ALL.iter().map(|f| f.as_str()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// RFC 3339, or an age before now: `90s`, `30m`, `2h`, `7d`, `2w`.
pub fn parse_time(raw: &str) -> Result<SystemTime, String> {
    const EXPECTED: &str =
        "expected an RFC 3339 time (2024-11-14T09:00:00Z) or an age (30m, 2h, 7d)";
    if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(at.into());
    }
    let unit_at = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(unit_at);
    let n: u64 = digits.parse().map_err(|_| EXPECTED.to_owned())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(EXPECTED.into()),
    };
    n.checked_mul(seconds)
        .and_then(|s| SystemTime::now().checked_sub(Duration::from_secs(s)))
        .ok_or_else(|| "that age reaches before 1970".to_owned())
}

/// `2024-11-14T09:00:00.123Z`: RFC 3339 in UTC.
pub fn rfc3339(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "(time out of range)".into())
}

/// `2024-11-14 09:00:00`: to the second, UTC, for tables.
pub fn short(at: SystemTime) -> String {
    let t = OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_an_age() {
        let at = parse_time("2024-11-14T09:00:00Z").unwrap();
        assert_eq!(rfc3339(at), "2024-11-14T09:00:00Z");
        assert_eq!(short(at), "2024-11-14 09:00:00");
        let two_hours = parse_time("2h").unwrap();
        let age = SystemTime::now().duration_since(two_hours).unwrap();
        assert!(age >= Duration::from_secs(7200) && age < Duration::from_secs(7300));
        for bad in ["", "2", "h", "2y", "-2h", "2024-11-14", "1e9h"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert!(parse_time("99999999999999999w").is_err());
    }

    #[test]
    fn states_take_both_names() {
        assert_eq!(parse_state("in-progress"), Ok(ItemState::Claimed));
        assert_eq!(parse_state("claimed"), Ok(ItemState::Claimed));
        assert_eq!(parse_state("done"), Ok(ItemState::Completed));
        assert_eq!(parse_state("Dead"), Ok(ItemState::Dead));
        assert!(parse_state("failed").is_err());
        assert_eq!(parse_ref_kind("waybill"), Ok(RefField::Waybill));
        assert!(
            parse_ref_kind("awb")
                .unwrap_err()
                .contains("tracking_number")
        );
    }

    #[test]
    fn options_become_the_library_filter() {
        let args = FilterArgs {
            provider: Some(Provider::Skladon),
            state: Some(ItemState::Dead),
            reference: Some("WK1".into()),
            ref_kind: Some(RefField::Waybill),
            unhandled: true,
            ..FilterArgs::default()
        };
        assert_eq!(
            args.filter(Some(7)).to_string(),
            "id=7 provider=skladon state=dead waybill=\"WK1\" handled=false"
        );
        assert_eq!(FilterArgs::default().filter(None).to_string(), "all");
    }
}
