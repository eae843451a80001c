//! The Wakilni event envelope and the data of each of its 13 events.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::wire::{self, As, RawJson, Timestamp, enums::wire_enum};

wire_enum! {
    /// The 13 documented Wakilni events. Names match ignoring case and separators.
    pub enum EventType matching eq_loose {
        /// An order was created.
        OrderCreated = "Order Created",
        /// An order was confirmed.
        OrderConfirmed = "Order Confirmed",
        /// An order was declined.
        OrderDeclined = "Order Declined",
        /// A driver was assigned.
        OrderAssigned = "Order Assigned",
        /// An order was processed.
        OrderProcessed = "Order Processed",
        /// An order was canceled.
        OrderCanceled = "Order Canceled" | "Order Cancelled",
        /// An order was postponed.
        OrderPostponed = "Order Postponed",
        /// An order was completed.
        OrderCompleted = "Order Completed",
        /// A completed order was rejected.
        OrderCompletedRejected = "Order Completed Rejected",
        /// An order was closed as failed.
        OrderClosedFailed = "Order Closed Failed",
        /// A cancelation was requested.
        OrderPendingCancelation = "Order Pending Cancelation" | "Order Pending Cancellation",
        /// An order failed.
        OrderFailed = "Order Failed",
        /// An order waits at a Wakilni office for the customer.
        OrderReadyForSelfPickup = "Order Ready for Self-Pickup",
    }
}

impl EventType {
    /// Whether `data` is this event (an unknown name compares with the unknown event's name,
    /// loosely).
    pub(super) fn matches_event(&self, data: &EventData) -> bool {
        match (self, data) {
            (EventType::Other(a), EventData::Unknown { event, .. }) => {
                crate::wire::enums::eq_loose(a, event)
            }
            (t, d) => *t == d.event_type(),
        }
    }
}

wire_enum! {
    /// An order status name as Wakilni sends it in `new_status`/`previous_status`.
    ///
    /// Names match ignoring case and `_`/`-`/space, since the API page writes `CLOSED_FAILED`
    /// where webhooks write `Closed Failed`. Unknown names are kept in `Other`.
    pub enum Status matching eq_loose {
        /// Pending (API code 1).
        Pending = "Pending",
        /// Confirmed (API code 2).
        Confirmed = "Confirmed",
        /// Processing (API code 3).
        Processing = "Processing",
        /// Success (API code 4).
        Success = "Success",
        /// Rejected (listed with code 4 on the API page).
        Rejected = "Rejected",
        /// Failed (API code 5).
        Failed = "Failed",
        /// Declined (API code 6).
        Declined = "Declined",
        /// Canceled (API code 7).
        Canceled = "Canceled" | "Cancelled",
        /// Closed failed (API code 8).
        ClosedFailed = "Closed Failed",
        /// Postponed (API code 9).
        Postponed = "Postponed",
        /// Pending cancellation (API code 10).
        PendingCancellation = "Pending Cancellation" | "Pending Cancelation",
    }
}

/// One Wakilni webhook: the envelope and its event data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// `event_id`: a UUID, the same on every retry of this event.
    pub event_id: String,
    /// `timestamp`: when the event was emitted (no timezone is documented).
    pub timestamp: Timestamp,
    /// `event` and `data`, typed.
    pub data: EventData,
}

impl Event {
    /// An event: its id, when it was emitted and its data (whose variant names the event).
    #[must_use]
    pub fn new(event_id: impl Into<String>, timestamp: Timestamp, data: EventData) -> Self {
        Self {
            event_id: event_id.into(),
            timestamp,
            data,
        }
    }
}

impl Event {
    /// The key to deduplicate on: `event_id`.
    #[must_use]
    pub fn dedup_key(&self) -> &str {
        &self.event_id
    }

    /// The event's name as it goes on the wire (`Order Created`, or an unknown name verbatim).
    #[must_use]
    pub fn event_name(&self) -> &str {
        self.data.event_name()
    }
}

/// The event, with the data each kind carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventData {
    /// `Order Created`.
    OrderCreated(OrderCreated),
    /// `Order Confirmed`.
    OrderConfirmed(StatusChange),
    /// `Order Declined`.
    OrderDeclined(StatusChange),
    /// `Order Assigned`: a driver was assigned.
    OrderAssigned(OrderAssigned),
    /// `Order Processed`.
    OrderProcessed(StatusChange),
    /// `Order Canceled`.
    OrderCanceled(StatusChange),
    /// `Order Postponed`.
    OrderPostponed(StatusChange),
    /// `Order Completed`.
    OrderCompleted(StatusChange),
    /// `Order Completed Rejected`.
    OrderCompletedRejected(StatusChange),
    /// `Order Closed Failed`.
    OrderClosedFailed(StatusChange),
    /// `Order Pending Cancelation`.
    OrderPendingCancelation(StatusChange),
    /// `Order Failed`.
    OrderFailed(StatusChange),
    /// `Order Ready for Self-Pickup`: the order waits at a Wakilni office.
    OrderReadyForSelfPickup(ReadyForSelfPickup),
    /// An event this crate does not know yet, kept as sent.
    Unknown {
        /// The `event` name, verbatim.
        event: String,
        /// The `data`, as the raw JSON text sent (`null` when absent).
        data: RawJson,
    },
}

impl EventData {
    /// The event type; [`EventType::Other`] for an unknown event.
    #[must_use]
    pub fn event_type(&self) -> EventType {
        match self {
            EventData::OrderCreated(_) => EventType::OrderCreated,
            EventData::OrderConfirmed(_) => EventType::OrderConfirmed,
            EventData::OrderDeclined(_) => EventType::OrderDeclined,
            EventData::OrderAssigned(_) => EventType::OrderAssigned,
            EventData::OrderProcessed(_) => EventType::OrderProcessed,
            EventData::OrderCanceled(_) => EventType::OrderCanceled,
            EventData::OrderPostponed(_) => EventType::OrderPostponed,
            EventData::OrderCompleted(_) => EventType::OrderCompleted,
            EventData::OrderCompletedRejected(_) => EventType::OrderCompletedRejected,
            EventData::OrderClosedFailed(_) => EventType::OrderClosedFailed,
            EventData::OrderPendingCancelation(_) => EventType::OrderPendingCancelation,
            EventData::OrderFailed(_) => EventType::OrderFailed,
            EventData::OrderReadyForSelfPickup(_) => EventType::OrderReadyForSelfPickup,
            EventData::Unknown { event, .. } => EventType::Other(event.clone()),
        }
    }

    /// The event's wire name, without allocating.
    #[must_use]
    pub fn event_name(&self) -> &str {
        match self {
            EventData::Unknown { event, .. } => event,
            known => known.event_type().documented_str().unwrap_or_default(),
        }
    }

    /// The order id, for every known event (an unknown event's `data.order_id` if it is a
    /// non-negative integer).
    #[must_use]
    pub fn order_id(&self) -> Option<u64> {
        match self {
            EventData::OrderCreated(d) => Some(d.order_id),
            EventData::OrderAssigned(d) => Some(d.order_id),
            EventData::OrderReadyForSelfPickup(d) => Some(d.order_id),
            EventData::Unknown { data, .. } => {
                #[serde_with::serde_as]
                #[derive(Deserialize)]
                struct OrderId {
                    #[serde_as(as = "Option<wire::Uint>")]
                    #[serde(default)]
                    order_id: Option<u64>,
                }
                data.parse::<OrderId>().ok().and_then(|d| d.order_id)
            }
            other => other.status_change().map(|c| c.order_id),
        }
    }

    /// The status change, for the ten status-change events.
    #[must_use]
    pub fn status_change(&self) -> Option<&StatusChange> {
        match self {
            EventData::OrderConfirmed(c)
            | EventData::OrderDeclined(c)
            | EventData::OrderProcessed(c)
            | EventData::OrderCanceled(c)
            | EventData::OrderPostponed(c)
            | EventData::OrderCompleted(c)
            | EventData::OrderCompletedRejected(c)
            | EventData::OrderClosedFailed(c)
            | EventData::OrderPendingCancelation(c)
            | EventData::OrderFailed(c) => Some(c),
            _ => None,
        }
    }
}

/// `Order Created` data.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OrderCreated {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `created_at`.
    pub created_at: Timestamp,
}

impl OrderCreated {
    /// `Order Created` data with its three fields: for tests of your own code.
    #[must_use]
    pub fn new(order_id: u64, waybill: impl Into<String>, created_at: Timestamp) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            created_at,
        }
    }
}

/// `Order Assigned` data: the driver now in charge.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OrderAssigned {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `driver_name`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_name: Option<String>,
    /// `driver_phone`, e.g. `+96170123456`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_phone: Option<String>,
    /// `updated_at`.
    pub updated_at: Timestamp,
}

impl OrderAssigned {
    /// `Order Assigned` data without a driver (set [`driver_name`](Self::driver_name) and [`driver_phone`](Self::driver_phone) as needed).
    #[must_use]
    pub fn new(order_id: u64, waybill: impl Into<String>, updated_at: Timestamp) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            driver_name: None,
            driver_phone: None,
            updated_at,
        }
    }
}

/// `Order Ready for Self-Pickup` data: where the customer collects the order.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ReadyForSelfPickup {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `location`: the pickup office. Read from an object or a list holding one object; written
    /// as an object.
    #[serde(default, deserialize_with = "one_office")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "one_office_schema"))]
    pub location: Option<PickupOffice>,
}

impl ReadyForSelfPickup {
    /// `Order Ready for Self-Pickup` data without an office (set [`location`](Self::location) as needed).
    #[must_use]
    pub fn new(order_id: u64, waybill: impl Into<String>) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            location: None,
        }
    }
}

/// The Wakilni office holding an order for self-pickup.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct PickupOffice {
    /// `office_name`, e.g. `Wakilni Dekwaneh`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub office_name: Option<String>,
    /// `phone_number`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// What [`one_office`] reads.
#[cfg(feature = "schema")]
fn one_office_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let office = g.subschema_for::<PickupOffice>();
    schemars::json_schema!({
        "anyOf": [office, {"type": "array", "maxItems": 1, "items": office}, {"type": "null"}]
    })
}

/// `location` as an object, a list of at most one object, or `null`.
fn one_office<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PickupOffice>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<PickupOffice>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a pickup office object, or a list holding one")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            PickupOffice::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<PickupOffice>()?;
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_length(
                    2,
                    &"a list holding one pickup office",
                ));
            }
            Ok(first)
        }
    }
    d.deserialize_any(V)
}

/// The data of the ten status-change events (`Order Confirmed`, `Order Failed`, ...).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct StatusChange {
    /// `order_id`.
    #[serde_as(as = "wire::Uint")]
    pub order_id: u64,
    /// `waybill`.
    #[serde_as(as = "wire::Text")]
    pub waybill: String,
    /// `new_status_code`, as sent. Do not infer the status from it: Wakilni's pages disagree.
    #[serde_as(as = "wire::Uint")]
    pub new_status_code: u32,
    /// `new_status`.
    pub new_status: Status,
    /// `previous_status_code`, as sent.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub previous_status_code: Option<u32>,
    /// `previous_status`.
    #[serde(default)]
    pub previous_status: Option<Status>,
    /// `updated_at`.
    pub updated_at: Timestamp,
}

impl StatusChange {
    /// Status-change data with its required fields, no previous status.
    #[must_use]
    pub fn new(
        order_id: u64,
        waybill: impl Into<String>,
        new_status_code: u32,
        new_status: Status,
        updated_at: Timestamp,
    ) -> Self {
        Self {
            order_id,
            waybill: waybill.into(),
            new_status_code,
            new_status,
            previous_status_code: None,
            previous_status: None,
            updated_at,
        }
    }
}

// ----- the envelope: hand-written so that `data` is parsed straight into its type ------------

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    EventId,
    Event,
    Timestamp,
    Data,
    #[serde(other)]
    Other,
}

/// Deserializes `data` for an event type (an unknown one's name moves into the result).
struct DataSeed(EventType);

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = EventData;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<EventData, D::Error> {
        Ok(match self.0 {
            EventType::OrderCreated => EventData::OrderCreated(Deserialize::deserialize(d)?),
            EventType::OrderAssigned => EventData::OrderAssigned(Deserialize::deserialize(d)?),
            EventType::OrderReadyForSelfPickup => {
                EventData::OrderReadyForSelfPickup(Deserialize::deserialize(d)?)
            }
            EventType::OrderConfirmed => EventData::OrderConfirmed(Deserialize::deserialize(d)?),
            EventType::OrderDeclined => EventData::OrderDeclined(Deserialize::deserialize(d)?),
            EventType::OrderProcessed => EventData::OrderProcessed(Deserialize::deserialize(d)?),
            EventType::OrderCanceled => EventData::OrderCanceled(Deserialize::deserialize(d)?),
            EventType::OrderPostponed => EventData::OrderPostponed(Deserialize::deserialize(d)?),
            EventType::OrderCompleted => EventData::OrderCompleted(Deserialize::deserialize(d)?),
            EventType::OrderCompletedRejected => {
                EventData::OrderCompletedRejected(Deserialize::deserialize(d)?)
            }
            EventType::OrderClosedFailed => {
                EventData::OrderClosedFailed(Deserialize::deserialize(d)?)
            }
            EventType::OrderPendingCancelation => {
                EventData::OrderPendingCancelation(Deserialize::deserialize(d)?)
            }
            EventType::OrderFailed => EventData::OrderFailed(Deserialize::deserialize(d)?),
            EventType::Other(name) => EventData::Unknown {
                event: name,
                data: Deserialize::deserialize(d)?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(
            "Event",
            &["event_id", "event", "timestamp", "data"],
            EventVisitor,
        )
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Wakilni webhook object {event_id, event, timestamp, data}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let mut event_id = None;
        // `event` moves into `data` once both are read; `event_seen` still catches a repeat.
        let mut event: Option<EventType> = None;
        let mut event_seen = false;
        let mut timestamp = None;
        let mut data = None;
        // `data` before `event` (never seen from Wakilni, but legal JSON) is buffered.
        let mut early_data: Option<serde_json::Value> = None;
        while let Some(field) = map.next_key()? {
            match field {
                Field::EventId => set(
                    &mut event_id,
                    "event_id",
                    map.next_value::<As<wire::Text, String>>()?.into_inner(),
                )?,
                Field::Event => {
                    if event_seen {
                        return Err(de::Error::duplicate_field("event"));
                    }
                    event_seen = true;
                    event = Some(map.next_value()?);
                }
                Field::Timestamp => set(&mut timestamp, "timestamp", map.next_value()?)?,
                Field::Data => {
                    if data.is_some() || early_data.is_some() {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    match event.take() {
                        Some(kind) => data = Some(map.next_value_seed(DataSeed(kind))?),
                        None => early_data = Some(map.next_value()?),
                    }
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let data = match (data, event, early_data) {
            (Some(data), _, _) => data,
            (None, None, _) => return Err(de::Error::missing_field("event")),
            (None, Some(EventType::Other(name)), Some(raw)) => EventData::Unknown {
                event: name,
                data: RawJson::from_value(&raw).map_err(de::Error::custom)?,
            },
            (None, Some(event), Some(raw)) => {
                // Parsed from the buffer, outside the outer path tracking: track it here.
                let mut track = serde_path_to_error::Track::new();
                DataSeed(event)
                    .deserialize(serde_path_to_error::Deserializer::new(raw, &mut track))
                    .map_err(|e| {
                        de::Error::custom(format_args!("invalid `data.{}`: {e}", track.path()))
                    })?
            }
            (None, Some(EventType::Other(name)), None) => EventData::Unknown {
                event: name,
                data: RawJson::from_value(&serde_json::Value::Null).map_err(de::Error::custom)?,
            },
            (None, Some(_), None) => return Err(de::Error::missing_field("data")),
        };
        Ok(Event {
            event_id: event_id.ok_or_else(|| de::Error::missing_field("event_id"))?,
            timestamp: timestamp.ok_or_else(|| de::Error::missing_field("timestamp"))?,
            data,
        })
    }
}

fn set<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Event", 4)?;
        st.serialize_field("event_id", &self.event_id)?;
        st.serialize_field("event", self.event_name())?;
        st.serialize_field("timestamp", &self.timestamp)?;
        st.serialize_field("data", &self.data)?;
        st.end()
    }
}

impl Serialize for EventData {
    /// Serializes the `data` object alone (the envelope is written by [`Event`]).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EventData::OrderCreated(d) => d.serialize(s),
            EventData::OrderAssigned(d) => d.serialize(s),
            EventData::OrderReadyForSelfPickup(d) => d.serialize(s),
            EventData::Unknown { data, .. } => data.serialize(s),
            change => match change.status_change() {
                Some(c) => c.serialize(s),
                None => s.serialize_unit(),
            },
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for EventData {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EventData".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The `data` of an event: its shape depends on `event`; an unknown event's data is any JSON",
            "anyOf": [
                g.subschema_for::<OrderCreated>(),
                g.subschema_for::<OrderAssigned>(),
                g.subschema_for::<ReadyForSelfPickup>(),
                g.subschema_for::<StatusChange>(),
                g.subschema_for::<RawJson>()
            ]
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Event {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Event".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use serde_with::Schema as As;
        // `data` is typed by `event`: one `if`/`then` per documented spelling of each event (the
        // parser also matches other cases and separators, whose data the schema leaves open).
        let mut rules = Vec::new();
        let created = g.subschema_for::<OrderCreated>();
        let assigned = g.subschema_for::<OrderAssigned>();
        let pickup = g.subschema_for::<ReadyForSelfPickup>();
        let change = g.subschema_for::<StatusChange>();
        for event in EventType::ALL {
            let data = match event {
                EventType::OrderCreated => &created,
                EventType::OrderAssigned => &assigned,
                EventType::OrderReadyForSelfPickup => &pickup,
                _ => &change,
            };
            let names: Vec<&str> = match event {
                EventType::OrderCanceled => vec!["Order Canceled", "Order Cancelled"],
                EventType::OrderPendingCancelation => {
                    vec!["Order Pending Cancelation", "Order Pending Cancellation"]
                }
                other => vec![other.as_str()],
            };
            rules.push(serde_json::json!({
                "if": {"properties": {"event": {"enum": names}}, "required": ["event"]},
                "then": {"properties": {"data": data}, "required": ["data"]}
            }));
        }
        schemars::json_schema!({
            "type": "object",
            "description": "A Wakilni webhook: the envelope and the event's data",
            "properties": {
                "event_id": g.subschema_for::<As<String, wire::Text>>(),
                "event": g.subschema_for::<EventType>(),
                "timestamp": g.subschema_for::<Timestamp>(),
                "data": g.subschema_for::<EventData>()
            },
            "required": ["event_id", "event", "timestamp"],
            "allOf": rules
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_its_name() {
        assert_eq!(EventType::ALL.len(), 13);
        for t in EventType::ALL {
            assert_eq!(&EventType::from(t.as_str()), t);
            assert_eq!(
                &EventType::from(t.as_str().to_uppercase().replace(' ', "_").as_str()),
                t
            );
        }
        assert_eq!(Status::ALL.len(), 11);
    }
}
