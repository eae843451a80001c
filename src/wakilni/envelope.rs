//! The Wakilni envelope on the wire: hand-written so that `data` is parsed straight into the
//! type its `event` names, and written back the same way.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

#[cfg(feature = "schema")]
use crate::wire::Timestamp;
use crate::wire::{self, As, RawJson};

use super::{Event, EventData, EventType};
#[cfg(feature = "schema")]
use super::{OrderAssigned, OrderCreated, ReadyForSelfPickup, StatusChange};

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
