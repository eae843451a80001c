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

use crate::delivery::{DedupKey, Provider};

/// The root schema of `provider`'s webhook body: Wakilni's `Event`, Peddler's `ShipmentUpdate`,
/// Xoxoday's `DeliveryUpdate`, isendu's `Message` (handshake or update), Skladon's `Entity` (any
/// of its five entities; see [`for_skladon_type`] for one type's).
///
/// # Panics
/// When `provider`'s cargo feature is off (its payload types are not compiled in).
#[doc = ""]
#[cfg_attr(not(feature = "skladon"), doc = "[`for_skladon_type`]: crate#features")]
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

impl JsonSchema for DedupKey {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "DedupKey".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^(wakilni|peddler|xoxoday|isendu|skladon):",
            "description": "`<provider>:<id>`"
        })
    }
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
