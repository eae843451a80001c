//! JSON Schemas (draft 2020-12) of every payload type, with [schemars](https://docs.rs/schemars).
//!
//! Every payload type implements `schemars::JsonSchema`; [`for_provider`] gives the root schema
//! of a provider's webhook body. The schemas describe what the crate's parser **accepts**, which
//! is more lenient than what providers document: numbers may come as strings of digits, dates in
//! any ISO 8601 form (written as strings), unknown enum values are allowed (as strings) and
//! unknown fields are allowed. A body the parser reads validates; the schemas are for
//! documentation, code generation and checking fixtures, not a substitute for the parser.
//!
//! ```
//! # #[cfg(feature = "xoxoday")] {
//! use delivery_webhooks::{Provider, schema};
//!
//! let schema = schema::for_provider(Provider::Xoxoday);
//! let json = serde_json::to_value(&schema)?;
//! assert_eq!(json["$schema"], "https://json-schema.org/draft/2020-12/schema");
//! assert_eq!(json["title"], "DeliveryUpdate");
//! # }
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_with::schemars_1::JsonSchemaAs;

use crate::wire::{
    Bool, Decimal, Int, OptDecimal, OptTimestamp, RawJson, Text, Timestamp, TimestampOrText, Uint,
};
use crate::{DedupKey, Provider};

/// The root schema of `provider`'s webhook body: Wakilni's `Event`, Peddler's `ShipmentUpdate`,
/// Xoxoday's `DeliveryUpdate`, isendu's `Message` (handshake or update), Skladon's `Entity` (any
/// of its five entities; see [`for_skladon_type`] for one type's).
///
/// # Panics
/// When `provider`'s cargo feature is off (its payload types are not compiled in).
#[must_use]
pub fn for_provider(provider: Provider) -> Schema {
    match provider {
        #[cfg(feature = "wakilni")]
        Provider::Wakilni => root::<crate::wakilni::Event>(),
        #[cfg(feature = "peddler")]
        Provider::Peddler => root::<crate::peddler::ShipmentUpdate>(),
        #[cfg(feature = "xoxoday")]
        Provider::Xoxoday => root::<crate::xoxoday::DeliveryUpdate>(),
        #[cfg(feature = "isendu")]
        Provider::Isendu => root::<crate::isendu::Message>(),
        #[cfg(feature = "skladon")]
        Provider::Skladon => root::<crate::skladon::Entity>(),
        #[allow(unreachable_patterns)]
        other => panic!("the `{other}` feature is off: no schema for its payloads"),
    }
}

/// The root schema of the entity a Skladon webhook type posts (an order for `UPDATE_ORDER`...);
/// for a type this crate does not know, any JSON object (the receiver recognises a known entity
/// by its keys and keeps any other object as [`Notification::Unknown`](crate::skladon::Notification::Unknown)).
#[cfg(feature = "skladon")]
#[cfg_attr(docsrs, doc(cfg(feature = "skladon")))]
#[must_use]
pub fn for_skladon_type(webhook_type: &crate::skladon::WebhookType) -> Option<Schema> {
    use crate::skladon::{self, EntityKind};
    let Some(kind) = webhook_type.entity() else {
        let mut schema = json_schema!({
            "type": "object",
            "description": "The body of a Skladon webhook type this crate does not know: a known \
                entity (recognised by its keys) or any other object, kept as sent"
        });
        schema.insert(
            "$schema".to_owned(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        return Some(schema);
    };
    Some(match kind {
        EntityKind::Order => root::<skladon::Order>(),
        EntityKind::Product => root::<skladon::Product>(),
        EntityKind::Receiving => root::<skladon::Receiving>(),
        EntityKind::Return => root::<skladon::Return>(),
        _ => root::<skladon::StockMovement>(),
    })
}

/// A draft 2020-12 root schema for `T`.
#[must_use]
pub fn root<T: JsonSchema>() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// `{"anyOf": [schema, {"type": "null"}]}`.
#[cfg_attr(not(any(feature = "isendu", feature = "skladon")), allow(dead_code))]
pub(crate) fn nullable(schema: Schema) -> Schema {
    json_schema!({"anyOf": [schema, {"type": "null"}]})
}

macro_rules! string_like {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

string_like!(Timestamp, "Timestamp", {
    "type": "string",
    "description": "An ISO 8601 / RFC 3339 date or date-time: `2024-11-14 14:39:13`, `2024-11-14T14:39:13.5+03:00`, `2024-11-14`..."
});
string_like!(TimestampOrText, "TimestampOrText", {
    "type": "string",
    "description": "An ISO 8601 date or date-time; text in no date form is kept as sent"
});
string_like!(Decimal, "Decimal", {
    "type": ["number", "string"],
    "description": "A decimal number, or its text (kept exactly)"
});
string_like!(DedupKey, "DedupKey", {
    "type": "string",
    "pattern": "^(wakilni|peddler|xoxoday|isendu|skladon):",
    "description": "`<provider>:<id>`"
});

impl JsonSchema for RawJson {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "RawJson".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"description": "Any JSON value, kept as sent"})
    }
}

/// A list read under the parse's memory budget: on the wire, a plain JSON array.
impl<T, U: JsonSchemaAs<T>> JsonSchemaAs<Vec<T>> for crate::wire::List<U> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("List_of_{}", U::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let items = g.subschema_for::<serde_with::Schema<T, U>>();
        json_schema!({"type": "array", "items": items})
    }
}

/// A box read under the parse's memory budget: on the wire, the value itself.
impl<T: JsonSchema> JsonSchemaAs<Box<T>> for crate::wire::Boxed {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        g.subschema_for::<T>()
    }
}

/// The wire adapters: each describes what its reader accepts.
macro_rules! adapter {
    ($adapter:ty => $($target:ty),+ ; $name:literal, $schema:tt) => {
        $(impl JsonSchemaAs<$target> for $adapter {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        })+
    };
}

adapter!(Uint => u8, u16, u32, u64; "Uint", {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": "^\\s*[0-9]+\\s*$"}
    ],
    "description": "A non-negative integer, or a string of digits"
});
adapter!(Int => i64; "Int", {
    "anyOf": [
        {"type": "integer"},
        {"type": "string", "pattern": "^\\s*[-+]?[0-9]+\\s*$"}
    ],
    "description": "An integer, or a string of digits"
});
adapter!(Text => String; "Text", {
    "type": ["string", "number"],
    "description": "Text; a number is read as its text"
});
adapter!(Bool => bool; "Bool", {
    "anyOf": [
        {"type": "boolean"},
        {"enum": [0, 1]},
        {"type": "string", "pattern": "^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$"}
    ],
    "description": "A boolean, `\"true\"`/`\"false\"` in any case, or 0/1"
});
adapter!(OptDecimal => Option<Decimal>; "OptionalDecimal", {
    "type": ["number", "string", "null"],
    "description": "A decimal number, or its text; null or absent for none"
});
adapter!(OptTimestamp => Option<TimestampOrText>; "OptionalTimestamp", {
    "type": ["string", "null"],
    "description": "An ISO 8601 date or date-time (text in no date form is kept); null or absent for none"
});

/// The schema of a `wire_enum!`: the documented values, or any other string (kept verbatim).
#[cfg_attr(not(any_provider), allow(dead_code))]
pub(crate) fn wire_enum(name: &str, known: &[&str]) -> Schema {
    json_schema!({
        "anyOf": [
            {"enum": known},
            {"type": "string"}
        ],
        "description": format!("{name}: one of the documented values, or any other string (kept verbatim)")
    })
}

#[cfg(feature = "xoxoday")]
impl JsonSchema for crate::xoxoday::WebhookId {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "WebhookId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^\\s*[0-9]{1,39}\\s*$"}
            ],
            "description": "The webhook id: up to 20 digits (read up to 39), a number or a string of digits"
        })
    }
}

#[cfg(feature = "peddler")]
mod peddler {
    use super::*;
    use crate::peddler::{DateValue, Location, NeighbourDelivery};

    impl JsonSchema for Location {
        fn schema_name() -> Cow<'static, str> {
            "Location".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "object",
                "properties": {
                    "lat": {"type": ["number", "string"], "description": "Latitude, -90 to 90"},
                    "lng": {"type": ["number", "string"], "description": "Longitude, -180 to 180"}
                },
                "required": ["lat", "lng"]
            })
        }
    }

    impl JsonSchema for DateValue {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            "DateValue".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({"description": "An ISO 8601 date or date-time string; any other value is kept as sent"})
        }
    }

    impl JsonSchema for NeighbourDelivery {
        fn inline_schema() -> bool {
            true
        }
        fn schema_name() -> Cow<'static, str> {
            "NeighbourDelivery".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({"description": "A flag (boolean or \"true\"/\"false\"), a text, or any other value kept as sent"})
        }
    }
}
