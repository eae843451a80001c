//! The normalized event `serve` forwards: one per delivery, version 1. Its JSON Schema is
//! generated from these types and committed at `docs/serve/event.v1.schema.json` (a test
//! regenerates and compares it).
//!
//! These are the event's own types, not the library's `StatusUpdate` serialized as is: the event
//! is a published contract, versioned on its own, so a change in the library's serialization
//! cannot silently change what downstream apps receive.

use std::collections::BTreeMap;
use std::time::SystemTime;

use base64::Engine as _;
use delivery_webhooks::{AnyDelivery, ShipmentLocation, ShipmentRef, StatusUpdate};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The version this build writes, in every event's `version`.
pub const VERSION: u32 = 1;

/// One delivery from a provider, verified and normalized: what `serve` forwards.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(
    title = "delivery-webhooks event, version 1",
    description = "One verified delivery from a delivery provider, normalized by `delivery-webhooks serve`. See docs/serve.md."
)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Always 1 for this shape; a new major shape gets a new number (and a new schema file).
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The event's id, also its `webhook-id` header and NATS `Nats-Msg-Id`: `msg_` then the
    /// base64url SHA-256 of the dedup key and the time the delivery was received. The same for
    /// every retry and replay of one stored delivery.
    #[schemars(regex(pattern = r"^msg_[A-Za-z0-9_-]{43}$"))]
    pub id: String,
    /// The provider that sent it: `wakilni`, `peddler`, `xoxoday`, `isendu` or `skladon`.
    #[schemars(regex(pattern = r"^(wakilni|peddler|xoxoday|isendu|skladon)$"))]
    pub provider: String,
    /// The delivery's dedup key, namespaced by provider (`wakilni:<event id>`): a provider's
    /// retries of one delivery share it.
    pub dedup_key: String,
    /// When the receiver stored the delivery (RFC 3339, UTC, milliseconds).
    #[schemars(extend("format" = "date-time"))]
    pub received_at: String,
    /// The shipment status changes it reports, in the common model (empty for a delivery that
    /// reports none, such as a Skladon GET announcement).
    pub status_updates: Vec<EventStatus>,
    /// The typed payload in the provider's own wire format: its schema is
    /// `delivery-webhooks schema <provider>`.
    pub payload: serde_json::Value,
}

/// One status change of one shipment.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EventStatus {
    /// The status in the common model (docs/status-mapping.md): `created`, `confirmed`,
    /// `on_hold`, `processing`, `ready_to_ship`, `assigned`, `picked_up`, `in_transit`,
    /// `exception`, `out_for_delivery`, `failed_attempt`, `ready_for_pickup`, `returning`,
    /// `delivered`, `returned`, `failed`, `canceled`; any other value is the provider's own,
    /// verbatim.
    pub status: String,
    /// The provider's own status, event or code name.
    pub provider_status: String,
    /// Whether `status` ends the shipment's journey (delivered, returned, failed, canceled).
    pub terminal: bool,
    /// The shipment it is about.
    pub shipment: EventShipment,
    /// When the change happened by the provider's clock (RFC 3339, UTC); `null` if it sent none.
    #[schemars(extend("format" = "date-time"))]
    pub time: Option<String>,
    /// Where it happened, `null` if the provider does not say.
    pub location: Option<EventLocation>,
    /// Why a delivery attempt failed, as sent; `null` otherwise.
    pub failure_reason: Option<String>,
}

/// The references of a shipment, whichever the provider sends.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EventShipment {
    /// What `id` identifies: `order`, `shipment`, `receiving` or `return`.
    #[schemars(regex(pattern = r"^(order|shipment|receiving|return)$"))]
    pub kind: String,
    /// The provider's own id of it.
    pub id: String,
    /// `<kind>:<id>`: groups the updates of one shipment at one provider.
    pub key: String,
    /// The order id, where sent.
    pub order_id: Option<String>,
    /// The waybill, where sent.
    pub waybill: Option<String>,
    /// Carrier tracking numbers.
    pub tracking_numbers: Vec<String>,
    /// The purchase order number, where sent.
    pub po_number: Option<String>,
    /// Other ids by the provider's field name.
    pub external_ids: BTreeMap<String, String>,
}

/// A place, by name, position or both.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EventLocation {
    /// A place name or address as sent.
    pub name: Option<String>,
    /// Latitude in degrees (WGS 84).
    pub lat: Option<f64>,
    /// Longitude in degrees (WGS 84).
    pub lng: Option<f64>,
}

impl Event {
    /// The event of `delivery`, received (stored) at `received_at`.
    ///
    /// # Errors
    /// Only if the payload holds a value JSON cannot express (never for a parsed body).
    pub fn new(delivery: &AnyDelivery, received_at: SystemTime) -> serde_json::Result<Self> {
        let received = OffsetDateTime::from(received_at);
        let payload = serde_json::from_slice(&delivery.payload_json()?)?;
        Ok(Self {
            version: VERSION,
            id: event_id(delivery.dedup_key().as_ref(), received_at),
            provider: delivery.provider().as_str().to_owned(),
            dedup_key: delivery.dedup_key().to_string(),
            received_at: rfc3339(received),
            status_updates: delivery.status_updates().iter().map(status).collect(),
            payload,
        })
    }

    /// The event as the bytes that are sent and signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Plain data: serializing it cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The event id of a delivery: header-safe (`msg_` and 43 base64url characters, whatever bytes
/// the provider put in its id), the same for every retry of one stored delivery, and distinct
/// for a later delivery under the same dedup key (a Skladon GET announcement of an entity that
/// changed again is a new event, not a duplicate to drop).
pub fn event_id(dedup_key: &str, received_at: SystemTime) -> String {
    let ms = received_at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let digest = Sha256::new()
        .chain_update(dedup_key.as_bytes())
        .chain_update(b"\n")
        .chain_update(ms.to_string().as_bytes())
        .finalize();
    format!(
        "msg_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

/// RFC 3339 in UTC with milliseconds (`2026-12-07T15:53:41.123Z`).
fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let at = at
        .replace_nanosecond(at.millisecond() as u32 * 1_000_000)
        .unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_default()
}

fn status(update: &StatusUpdate) -> EventStatus {
    EventStatus {
        status: update.status.as_str().to_owned(),
        provider_status: update.provider_status.clone(),
        terminal: update.status.is_terminal(),
        shipment: shipment(&update.shipment),
        time: update.time.map(|t| t.format(&Rfc3339).unwrap_or_default()),
        location: update.location.as_ref().map(location),
        failure_reason: update.failure_reason.clone(),
    }
}

fn shipment(r: &ShipmentRef) -> EventShipment {
    EventShipment {
        kind: r.kind.as_str().to_owned(),
        id: r.id.clone(),
        key: r.shipment_key(),
        order_id: r.order_id.clone(),
        waybill: r.waybill.clone(),
        tracking_numbers: r.tracking_numbers.clone(),
        po_number: r.po_number.clone(),
        external_ids: r.external_ids.clone(),
    }
}

fn location(l: &ShipmentLocation) -> EventLocation {
    EventLocation {
        name: l.name.clone(),
        lat: l.lat,
        lng: l.lng,
    }
}

/// The JSON Schema of [`Event`], pretty-printed with a trailing newline: the committed file.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Event);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
#[path = "event_tests.rs"]
pub(crate) mod tests;
