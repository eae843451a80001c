//! What schema v3 keeps beside each item for the operator (`docs/inbox.md`, "Schema"): its
//! shipment references, read from the delivery at accept time; the normalized cause of a
//! failure; and the version-3 backfill (the statements that write them are `sql::Trail`).
#![cfg_attr(
    not(any(feature = "inbox-sqlite", feature = "inbox-postgres")),
    allow(dead_code)
)]

use crate::any::AnyDelivery;
use crate::delivery::Provider;
use crate::status::{RefKind, ShipmentRef};

/// The longest reference value stored (bytes): a longer one (or one holding a control
/// character) is not indexed, so that no value can make an index entry too large for
/// PostgreSQL or hold a NUL byte its `TEXT` refuses.
pub(crate) const MAX_REFERENCE: usize = 256;

/// The references of a delivery, as `(kind, value)` pairs without repeats: every
/// [`ShipmentRef`] of its status updates. The kinds are the names of
/// `console::RefField` (`docs/inbox.md`, "Schema").
pub(crate) fn references(delivery: &AnyDelivery) -> Vec<(&'static str, String)> {
    let mut refs = Vec::new();
    for update in delivery.status_updates() {
        shipment_references(update.provider, &update.shipment, &mut refs);
    }
    refs.sort();
    refs.dedup();
    refs
}

/// The references one [`ShipmentRef`] holds, appended to `refs`.
pub(crate) fn shipment_references(
    provider: Provider,
    shipment: &ShipmentRef,
    refs: &mut Vec<(&'static str, String)>,
) {
    let id_kind = match shipment.kind {
        // Skladon's orders are the e-shop's: their id is the e-shop order id.
        RefKind::Order if provider == Provider::Skladon => "eshop_order_id",
        RefKind::Order => "order_id",
        RefKind::Shipment => "shipment_id",
        RefKind::Receiving => "receiving_id",
        RefKind::Return => "return_id",
        #[allow(unreachable_patterns)]
        _ => "external_id",
    };
    let mut push = |kind: &'static str, value: &str| {
        if !value.is_empty() && value.len() <= MAX_REFERENCE && !value.chars().any(char::is_control)
        {
            refs.push((kind, value.to_owned()));
        }
    };
    push(id_kind, &shipment.id);
    if let Some(order) = &shipment.order_id {
        push("order_id", order);
    }
    if let Some(waybill) = &shipment.waybill {
        push("waybill", waybill);
    }
    for tracking in &shipment.tracking_numbers {
        push("tracking_number", tracking);
    }
    if let Some(po) = &shipment.po_number {
        push("po_number", po);
    }
    for value in shipment.external_ids.values() {
        push("external_id", value);
    }
}

/// The longest cause kept (characters).
const MAX_CAUSE: usize = 300;

/// A failure's cause: its error text with every word that holds a digit (a number, an id, a
/// UUID, a duration like `30s`) replaced by `#`, so that forty dead letters of one bug are one
/// group. Whitespace runs become one space; at most 300 characters.
pub(crate) fn cause(error: &str) -> String {
    let mut out = String::with_capacity(error.len().min(MAX_CAUSE));
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.chars().any(|c| c.is_ascii_digit()) {
            out.push('#');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in error.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out.trim().chars().take(MAX_CAUSE).collect()
}

/// Inside a backend's migration transaction `$tx`, after migrating from version `$current`:
/// when that was below 3, fills in the references, causes, last attempt and state of every
/// existing item by re-reading its stored body (an item this build cannot rebuild keeps no
/// references). Before version 3 only the last error was kept, so each item gets at most one
/// attempt row, and one history row (`actor` `migration`) for the state it is in.
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
macro_rules! backfill_v3 {
    ($tx:expr, $sql:expr, $current:expr) => {{
        use sqlx::Row as _;
        use $crate::inbox::database;
        if $current < 3 {
            let trail = &$sql.trail;
            let mut after = 0_i64;
            loop {
                let rows = sqlx::query(&trail.backfill)
                    .bind(after)
                    .fetch_all(&mut *$tx)
                    .await
                    .map_err(database)?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let (stored, _) = $crate::inbox::sql::read_row(row).map_err(database)?;
                    let state: String = row.try_get(14).map_err(database)?;
                    let error: Option<String> = row.try_get(15).map_err(database)?;
                    let at: i64 = row.try_get(16).map_err(database)?;
                    let (id, attempts) = (stored.id, stored.attempts);
                    after = id;
                    if let Ok(item) = stored.into_item() {
                        for (kind, value) in $crate::inbox::trail::references(&item.delivery) {
                            sqlx::query(&trail.reference)
                                .bind(id)
                                .bind(kind)
                                .bind(value)
                                .execute(&mut *$tx)
                                .await
                                .map_err(database)?;
                        }
                    }
                    let outcome = match (state.as_str(), &error) {
                        ("completed", _) => Some("completed"),
                        ("dead", _) => Some("dead"),
                        (_, Some(_)) => Some("failed"),
                        _ => None,
                    };
                    if let Some(outcome) = outcome.filter(|_| attempts > 0) {
                        sqlx::query(&trail.attempt)
                            .bind(id)
                            .bind(attempts)
                            .bind(outcome)
                            .bind(error.as_deref())
                            .bind(Some(at))
                            .execute(&mut *$tx)
                            .await
                            .map_err(database)?;
                    }
                    if let Some(error) = &error {
                        sqlx::query(&trail.cause)
                            .bind(id)
                            .bind($crate::inbox::trail::cause(error))
                            .execute(&mut *$tx)
                            .await
                            .map_err(database)?;
                    }
                    sqlx::query(&trail.history)
                        .bind(id)
                        .bind(&state)
                        .bind("migration")
                        .bind(Some(at))
                        .execute(&mut *$tx)
                        .await
                        .map_err(database)?;
                }
            }
        }
    }};
}

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
pub(crate) use backfill_v3;

#[cfg(test)]
mod tests {
    use super::cause;

    #[test]
    fn causes_lose_numbers_ids_and_uuids() {
        let a = cause("handler: HTTP 503 from https://erp.example/orders/4711 after 30s");
        let b = cause("handler: HTTP 503 from https://erp.example/orders/4712 after 31s");
        assert_eq!(
            a,
            "handler: HTTP # from https://erp.example/orders/# after #"
        );
        assert_eq!(a, b);
        assert_eq!(
            cause("no order e2986cd1-1e85-4ef1-a85a-89488dd27b92  in\tERP"),
            "no order # in ERP"
        );
        assert_eq!(cause("timeout"), "timeout");
        assert_eq!(cause(&"x ".repeat(400)).chars().count(), 300);
    }
}
