//! JSON Schemas of the Skladon types whose wire form is written by hand.

use super::{Entity, EntityId, Notification, Order, Product, Receiving, Return, StockMovement};

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Entity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Entity".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The entity a Skladon POST webhook carries; which one is told by the URL's webhook type",
            "anyOf": [
                g.subschema_for::<Order>(),
                g.subschema_for::<Product>(),
                g.subschema_for::<Receiving>(),
                g.subschema_for::<Return>(),
                g.subschema_for::<StockMovement>()
            ]
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for EntityId {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EntityId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
            "description": "The entity id a GET webhook appends to the URL (decoded): untrusted text, any but control characters"
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Notification {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Notification".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A Skladon call as serialized: the POSTed entity, a GET call's entity id, or the body of an unknown type (any object)",
            "anyOf": [g.subschema_for::<Entity>(), g.subschema_for::<EntityId>(), {"type": "object"}]
        })
    }
}
