//! The JSON Schema (feature `schema`) of what each of the codec's readers accepts, and the
//! helpers the providers' own schemas use. Kept here, below the providers, so that a provider
//! describing its payloads never reaches up into the `schema` layer.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_with::schemars_1::JsonSchemaAs;

use super::{
    Bool, Decimal, Int, OptDecimal, OptTimestamp, RawJson, Text, Timestamp, TimestampOrText, Uint,
};

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
impl<T, U: JsonSchemaAs<T>> JsonSchemaAs<Vec<T>> for super::List<U> {
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
impl<T: JsonSchema> JsonSchemaAs<Box<T>> for super::Boxed {
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
