//! A Skladon stock movement (`CREATE_STOCK_MOVEMENT_*`).

use serde::{Deserialize, Serialize};

use crate::wire::{self, TimestampOrText};

use super::enums::*;

/// A stock movement (the six `CREATE_STOCK_MOVEMENT_*` types).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StockMovement {
    /// `id`: Skladon's id of the movement. Required.
    #[serde_as(as = "wire::Uint")]
    pub id: u64,
    /// `count`: the change in stock, negative when stock goes out. Required.
    #[serde_as(as = "wire::Int")]
    pub count: i64,
    /// `sku`. Required.
    #[serde_as(as = "wire::Text")]
    pub sku: String,
    /// `lot`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub lot: Option<String>,
    /// `type`. Required.
    pub r#type: StockMovementType,
    /// `createdAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub created_at: Option<TimestampOrText>,
    /// `updatedAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub updated_at: Option<TimestampOrText>,
    /// `expirationDate`: a plain date or a time.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub expiration_date: Option<TimestampOrText>,
}

impl StockMovement {
    /// A stock movement with its four required fields, no lot and no dates.
    #[must_use]
    pub fn new(id: u64, count: i64, sku: impl Into<String>, r#type: StockMovementType) -> Self {
        Self {
            id,
            count,
            sku: sku.into(),
            lot: None,
            r#type,
            created_at: None,
            updated_at: None,
            expiration_date: None,
        }
    }
}
