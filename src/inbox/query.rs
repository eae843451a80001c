//! What the operator queries return, and the one `WHERE` clause every filter becomes
//! (feature `console`; the public API over it is `console::Console`). Every filter is on an
//! indexed column (`docs/inbox.md`, "Schema"); no query reads a body to search.

use std::fmt;
use std::time::SystemTime;

use super::{ItemId, ItemState, to_ms};
use crate::delivery::Provider;

/// A kind of shipment reference the inbox indexes (`docs/inbox.md`, "Schema").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RefField {
    /// An order id (Wakilni `order_id`, Xoxoday `orderId`, isendu `storeOrderId`, Skladon's).
    OrderId,
    /// A Skladon order's `eshopOrderId`.
    EshopOrderId,
    /// A parcel's id at its provider (Peddler `id`, isendu `uuid`).
    ShipmentId,
    /// A Skladon receiving's id.
    ReceivingId,
    /// A Skladon return's id.
    ReturnId,
    /// A waybill (Wakilni).
    Waybill,
    /// A carrier tracking number.
    TrackingNumber,
    /// A purchase order number (Xoxoday `poNumber`).
    PoNumber,
    /// Another id the provider sends (`metaData`, `partnerOrderId`, …).
    ExternalId,
}

impl RefField {
    /// Every kind.
    pub const ALL: [RefField; 9] = [
        RefField::OrderId,
        RefField::EshopOrderId,
        RefField::ShipmentId,
        RefField::ReceivingId,
        RefField::ReturnId,
        RefField::Waybill,
        RefField::TrackingNumber,
        RefField::PoNumber,
        RefField::ExternalId,
    ];

    /// The name stored in the `kind` column: `order_id`, `tracking_number`, …
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RefField::OrderId => "order_id",
            RefField::EshopOrderId => "eshop_order_id",
            RefField::ShipmentId => "shipment_id",
            RefField::ReceivingId => "receiving_id",
            RefField::ReturnId => "return_id",
            RefField::Waybill => "waybill",
            RefField::TrackingNumber => "tracking_number",
            RefField::PoNumber => "po_number",
            RefField::ExternalId => "external_id",
        }
    }

    /// The kind named `name` ([`as_str`](RefField::as_str)), if any.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl fmt::Display for RefField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A shipment reference to look for: a value, of one kind or of any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The kind, or `None` for a value of any kind (an order id that is also a tracking number
    /// at another provider is found either way).
    pub field: Option<RefField>,
    /// The value, exactly as the provider sent it.
    pub value: String,
}

impl Reference {
    /// A value of any kind.
    #[must_use]
    pub fn any(value: impl Into<String>) -> Self {
        Self {
            field: None,
            value: value.into(),
        }
    }

    /// A value of one kind.
    #[must_use]
    pub fn of(field: RefField, value: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            value: value.into(),
        }
    }
}

/// Which items a query or a verb is about: every filter set must hold (none set: every item).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Filter {
    /// One item.
    pub id: Option<ItemId>,
    /// From this provider.
    pub provider: Option<Provider>,
    /// In this state (pending, in progress = claimed, done = completed, dead).
    pub state: Option<ItemState>,
    /// Received at or after.
    pub received_from: Option<SystemTime>,
    /// Received before.
    pub received_before: Option<SystemTime>,
    /// With this dedup key (as stored: a key past 256 bytes is stored as its digest form).
    pub dedup_key: Option<String>,
    /// Carrying this shipment reference.
    pub reference: Option<Reference>,
    /// Discarded by an operator (`true`), or not (`false`): with `state(Dead)`, the dead
    /// letters still to look at are `handled(false)`.
    pub handled: Option<bool>,
    /// Dead with this normalized cause (a [`FailureGroup`]'s `cause`): with `provider`,
    /// `state(Dead)` and `handled(false)`, one line of the failures, over its partial index.
    pub cause: Option<String>,
}

impl Filter {
    /// Every item.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Only item `id`.
    #[must_use]
    pub fn item(mut self, id: ItemId) -> Self {
        self.id = Some(id);
        self
    }
    /// Only `provider`'s.
    #[must_use]
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = Some(provider);
        self
    }
    /// Only those in `state`.
    #[must_use]
    pub fn state(mut self, state: ItemState) -> Self {
        self.state = Some(state);
        self
    }
    /// Only those received at or after `from` and before `before` (either may be open).
    #[must_use]
    pub fn received(mut self, from: Option<SystemTime>, before: Option<SystemTime>) -> Self {
        self.received_from = from;
        self.received_before = before;
        self
    }
    /// Only the one(s) with this dedup key.
    #[must_use]
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }
    /// Only those carrying `reference`.
    #[must_use]
    pub fn reference(mut self, reference: Reference) -> Self {
        self.reference = Some(reference);
        self
    }
    /// Only those an operator discarded (`true`), or only the others (`false`).
    #[must_use]
    pub fn handled(mut self, handled: bool) -> Self {
        self.handled = Some(handled);
        self
    }
    /// Only those whose normalized cause is `cause` ([`FailureGroup::cause`]).
    #[must_use]
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }
}

/// The filter as the audit records it: `provider=skladon state=dead received_from=<ms>`, or
/// `all`.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(id) = self.id {
            parts.push(format!("id={}", id.0));
        }
        if let Some(p) = self.provider {
            parts.push(format!("provider={p}"));
        }
        if let Some(s) = self.state {
            parts.push(format!("state={}", s.as_str()));
        }
        if let Some(t) = self.received_from {
            parts.push(format!("received_from={}", to_ms(t)));
        }
        if let Some(t) = self.received_before {
            parts.push(format!("received_before={}", to_ms(t)));
        }
        if let Some(k) = &self.dedup_key {
            parts.push(format!("dedup_key={k:?}"));
        }
        if let Some(r) = &self.reference {
            let field = r.field.map_or("reference", RefField::as_str);
            parts.push(format!("{field}={:?}", r.value));
        }
        if let Some(h) = self.handled {
            parts.push(format!("handled={h}"));
        }
        if let Some(c) = &self.cause {
            parts.push(format!("cause={c:?}"));
        }
        if parts.is_empty() {
            f.write_str("all")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

/// One item in a list: its bookkeeping, not its body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemSummary {
    /// The item.
    pub id: ItemId,
    /// Who sent it (the stored name: a provider this build does not know stays readable).
    pub provider: String,
    /// Its dedup key as stored.
    pub dedup_key: String,
    /// Where it is.
    pub state: ItemState,
    /// How many times a worker claimed it.
    pub attempts: u32,
    /// When it was accepted.
    pub received_at: SystemTime,
    /// The error of its last failed attempt.
    pub last_error: Option<String>,
    /// Whether an operator discarded it (a dead item marked handled).
    pub handled: bool,
}

/// One attempt of an item: a claim that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// Which attempt (1 for the first claim).
    pub attempt: u32,
    /// When it ended (the database's clock).
    pub at: SystemTime,
    /// `completed`, `failed` (to be retried) or `dead`.
    pub outcome: String,
    /// The handler's error.
    pub error: Option<String>,
}

/// One change of an item's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StateChange {
    /// The state it went to: `pending`, `completed`, `dead`, or `handled` (discarded).
    pub state: String,
    /// When (the database's clock).
    pub at: SystemTime,
    /// Who: `receiver`, `worker`, `replay`, `migration`, or the operator named by a verb.
    pub actor: String,
}

/// An operator's discarding of a dead item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Handled {
    /// When.
    pub at: SystemTime,
    /// Who.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// One item in full.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemRecord {
    /// Its bookkeeping.
    pub summary: ItemSummary,
    /// The request method.
    pub method: String,
    /// The request URI, tokens redacted.
    pub uri: String,
    /// The sender's address, where known.
    pub peer: Option<String>,
    /// The headers kept, credentials masked (`docs/inbox.md`, "No credentials at rest").
    pub headers: Vec<(String, String)>,
    /// The body exactly as received.
    pub body: Vec<u8>,
    /// Its shipment references, sorted.
    pub references: Vec<(RefField, String)>,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// Every change of state, oldest first.
    pub history: Vec<StateChange>,
    /// Whether and how an operator discarded it.
    pub handled: Option<Handled>,
}

/// The dead items of one cause: one bug, however many items it killed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureGroup {
    /// Whose items.
    pub provider: String,
    /// The normalized error (`docs/inbox.md`, "Schema": `cause`).
    pub cause: String,
    /// How many dead items, not discarded.
    pub count: u64,
    /// When the first of them died.
    pub first_seen: SystemTime,
    /// When the last of them died.
    pub last_seen: SystemTime,
    /// The newest of them, to look at.
    pub latest: ItemId,
}

/// One operator verb as the audit table records it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEntry {
    /// `replay`, `discard` or `expunge`.
    pub verb: String,
    /// What it was applied to: the filter ([`Filter`]'s `Display`), or for an expunge the
    /// reference kind only (the value is what was to be forgotten).
    pub target: String,
    /// Who.
    pub actor: String,
    /// Why, when given.
    pub reason: Option<String>,
    /// When (the database's clock).
    pub at: SystemTime,
    /// How many items it touched.
    pub count: u64,
}

/// A value bound to a built statement.
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Int(i64),
    Text(String),
}

/// The `WHERE` clause (without the keyword; `1 = 1` for none) of `filter` over the inbox's
/// table, its parameters appended to `params` as `$n`. Each condition is on an indexed column;
/// the dedup key through the `_key` and `_announce_key` indexes; the reference through the
/// reference table's `(value, kind, item_id)` index.
#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
pub(crate) fn where_clause(filter: &Filter, inbox: &str, params: &mut Vec<Param>) -> String {
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut push = |sql: &str, param: Param, params: &mut Vec<Param>| {
        params.push(param);
        conditions.push(sql.replace("$?", &format!("${}", params.len())));
    };
    if let Some(id) = filter.id {
        push("id = $?", Param::Int(id.0), params);
    }
    if let Some(p) = filter.provider {
        push("provider = $?", Param::Text(p.as_str().to_owned()), params);
    }
    if let Some(s) = filter.state {
        push("state = $?", Param::Text(s.as_str().to_owned()), params);
    }
    if let Some(t) = filter.received_from {
        push("received_at >= $?", Param::Int(to_ms(t)), params);
    }
    if let Some(t) = filter.received_before {
        push("received_at < $?", Param::Int(to_ms(t)), params);
    }
    if let Some(c) = &filter.cause {
        push("cause = $?", Param::Text(c.clone()), params);
    }
    if let Some(k) = &filter.dedup_key {
        // Through the unique `_key` index (every item but an announcement) and the partial
        // `_announce_key` (Skladon's announcements): each the index its condition names.
        params.push(Param::Text(k.clone()));
        params.push(Param::Text(k.clone()));
        let (a, b) = (params.len() - 1, params.len());
        conditions.push(format!(
            "id IN (SELECT id FROM {inbox} WHERE dedup_key = ${a} AND announce = 0 \
             UNION ALL SELECT id FROM {inbox} WHERE dedup_key = ${b} AND announce = 1)"
        ));
    }
    match filter.handled {
        Some(true) => conditions.push("handled_at IS NOT NULL".to_owned()),
        Some(false) => conditions.push("handled_at IS NULL".to_owned()),
        None => {}
    }
    if let Some(r) = &filter.reference {
        let mut sub = format!("id IN (SELECT item_id FROM {inbox}_ref WHERE ");
        if let Some(field) = r.field {
            params.push(Param::Text(field.as_str().to_owned()));
            sub.push_str(&format!("kind = ${} AND ", params.len()));
        }
        params.push(Param::Text(r.value.clone()));
        sub.push_str(&format!("value = ${})", params.len()));
        conditions.push(sub);
    }
    conditions.join(" AND ")
}
