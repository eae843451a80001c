//! Each provider's vocabulary mapped onto [`ShipmentStatus`](super::ShipmentStatus), and
//! [`StatusSource`](super::StatusSource) for each payload: one file per provider, compiled with
//! its feature.
//!
//! `docs/status-mapping.md` is the same table with the reasons for each row; keep the two in
//! step. Every time a status update carries is read in the provider's file, in UTC. Naive
//! provider times (Wakilni, Xoxoday), which document no zone, are taken as UTC.

#[cfg(any(feature = "isendu", feature = "skladon"))]
use time::OffsetDateTime;

#[cfg_attr(
    not(any(feature = "peddler", feature = "isendu", feature = "skladon")),
    allow(unused_imports)
)]
use crate::status::ShipmentRef;

#[cfg(feature = "isendu")]
mod isendu;
#[cfg(feature = "peddler")]
mod peddler;
#[cfg(feature = "skladon")]
mod skladon;
#[cfg(feature = "wakilni")]
mod wakilni;
#[cfg(feature = "xoxoday")]
mod xoxoday;

/// An optional timestamp as an instant in UTC (no zone read as UTC); `None` if unreadable.
#[cfg(any(feature = "isendu", feature = "skladon"))]
pub(super) fn utc(t: &Option<crate::wire::TimestampOrText>) -> Option<OffsetDateTime> {
    t.as_ref()
        .and_then(crate::wire::TimestampOrText::timestamp)
        .map(|t| t.assume_utc())
}

/// `Some` of a non-blank string.
#[cfg_attr(not(any_provider), allow(dead_code))]
pub(super) fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Adds `value` under `name` to the references' `external_ids`, if it is there and not blank.
#[cfg_attr(
    not(any(feature = "peddler", feature = "isendu", feature = "skladon")),
    allow(dead_code)
)]
pub(super) fn external(r: &mut ShipmentRef, name: &str, value: Option<impl ToString>) {
    if let Some(v) = text(value.map(|v| v.to_string()).as_deref()) {
        r.external_ids.insert(name.to_owned(), v);
    }
}
