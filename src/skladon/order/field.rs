//! How each typed field of an [`Order`](super::Order) is read, written and described, one
//! impl per wire shape.

use serde::Serialize;
use serde::de::{self, MapAccess};
use serde::ser::SerializeMap;

use crate::wire::{self, As, OptTimestamp, TimestampOrText};

/// One optional text field, read as the derived structs read it.
type OptText = As<Option<wire::Text>, Option<String>>;
/// One optional timestamp field, read as the derived structs read it.
type OptTime = As<OptTimestamp, Option<TimestampOrText>>;

/// How one typed order field is read, written and described: one impl per wire shape, so the
/// `order!` table names each field, its Rust type and its wire name once, and reading,
/// writing, the duplicate check and the schema all follow from it.
pub(super) trait Field {
    /// The Rust type of the field; its default is "unset".
    type Value: Default;
    /// Whether an order without the field is refused.
    const REQUIRED: bool = false;
    /// Reads the field's value (principle 3: `null` and absent are alike).
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error>;
    /// Writes the field under `name`, unless it is unset.
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error>;
    /// The field's JSON schema.
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value;
}

/// Writes `v` under `name` when it is set.
fn write_some<M: SerializeMap, T: Serialize>(
    m: &mut M,
    name: &str,
    v: Option<&T>,
) -> Result<(), M::Error> {
    v.map_or(Ok(()), |v| m.serialize_entry(name, v))
}

/// An optional unsigned integer (also read from a string of digits).
pub(super) struct Uint;
/// Text that must be present.
pub(super) struct RequiredText;
/// Optional text (also read from a number).
pub(super) struct Text;
/// An optional time or date, kept as it came.
pub(super) struct Time;
/// A list of text; `null` reads as empty, and empty is left out when written.
pub(super) struct TextList;
/// An optional enum of this crate (its own `Unknown` keeps values it does not know).
pub(super) struct Enum<T>(std::marker::PhantomData<T>);

impl Field for Uint {
    type Value = Option<u64>;
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error> {
        Ok(map.next_value::<As<Option<wire::Uint>, _>>()?.into_inner())
    }
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error> {
        write_some(m, name, v.as_ref())
    }
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
        g.subschema_for::<serde_with::Schema<Option<u64>, Option<wire::Uint>>>()
            .to_value()
    }
}

impl Field for RequiredText {
    type Value = String;
    const REQUIRED: bool = true;
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error> {
        Ok(map.next_value::<As<wire::Text, String>>()?.into_inner())
    }
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error> {
        m.serialize_entry(name, v)
    }
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
        g.subschema_for::<serde_with::Schema<String, wire::Text>>()
            .to_value()
    }
}

impl Field for Text {
    type Value = Option<String>;
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error> {
        Ok(map.next_value::<OptText>()?.into_inner())
    }
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error> {
        write_some(m, name, v.as_ref())
    }
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
        g.subschema_for::<serde_with::Schema<Option<String>, Option<wire::Text>>>()
            .to_value()
    }
}

impl Field for Time {
    type Value = Option<TimestampOrText>;
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error> {
        Ok(map.next_value::<OptTime>()?.into_inner())
    }
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error> {
        write_some(m, name, v.as_ref())
    }
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
        g.subschema_for::<serde_with::Schema<Option<TimestampOrText>, OptTimestamp>>()
            .to_value()
    }
}

impl Field for TextList {
    type Value = Vec<String>;
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error> {
        type Wire = serde_with::DefaultOnNull<wire::List<wire::Text>>;
        Ok(map.next_value::<As<Wire, _>>()?.into_inner())
    }
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error> {
        write_some(m, name, Some(v).filter(|v| !v.is_empty()))
    }
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
        crate::wire::schema::nullable(
            g.subschema_for::<serde_with::Schema<Vec<String>, Vec<wire::Text>>>(),
        )
        .to_value()
    }
}

/// A type with a JSON schema when the `schema` feature is on, and any type when it is off, so
/// [`Enum`] has one impl whatever the features.
#[cfg(feature = "schema")]
pub(super) trait Described: schemars::JsonSchema {}
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> Described for T {}
/// A type with a JSON schema when the `schema` feature is on, and any type when it is off, so
/// [`Enum`] has one impl whatever the features.
#[cfg(not(feature = "schema"))]
pub(super) trait Described {}
#[cfg(not(feature = "schema"))]
impl<T> Described for T {}

impl<T: de::DeserializeOwned + Serialize + Described> Field for Enum<T> {
    type Value = Option<T>;
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self::Value, A::Error> {
        map.next_value()
    }
    fn write<M: SerializeMap>(m: &mut M, name: &str, v: &Self::Value) -> Result<(), M::Error> {
        write_some(m, name, v.as_ref())
    }
    #[cfg(feature = "schema")]
    fn schema(g: &mut schemars::SchemaGenerator) -> serde_json::Value {
        g.subschema_for::<Option<T>>().to_value()
    }
}
