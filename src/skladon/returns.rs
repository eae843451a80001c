//! A Skladon return, its returned lines and its files.

use serde::{Deserialize, Serialize};

use crate::wire::{self, TimestampOrText};

use super::enums::*;

/// A customer return (`CREATE_RETURN`, `UPDATE_RETURN`, `UPDATE_RETURN_STATUS`).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Return {
    /// `eshopReturnId`: your id of the return. Required.
    #[serde_as(as = "wire::Text")]
    pub eshop_return_id: String,
    /// `eshopOrderId`: the order being returned.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub eshop_order_id: Option<String>,
    /// `note`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub note: Option<String>,
    /// `eshopNote`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub eshop_note: Option<String>,
    /// `description`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub description: Option<String>,
    /// `shipper`: the carrier bringing the return.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub shipper: Option<String>,
    /// `trackingNumber`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// `shipperServiceCode`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub shipper_service_code: Option<String>,
    /// `orderType`.
    #[serde(default)]
    pub order_type: Option<OrderType>,
    /// `canceledAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub canceled_at: Option<TimestampOrText>,
    /// `confirmedAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub confirmed_at: Option<TimestampOrText>,
    /// `receivedAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub received_at: Option<TimestampOrText>,
    /// `rma`: the return merchandise authorization number.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub rma: Option<String>,
    /// `status`, verbatim: Skladon does not publish the list of return statuses.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub status: Option<String>,
    /// `returnedOrderProducts` (`null` reads as empty).
    #[serde_as(as = "serde_with::DefaultOnNull<wire::List>")]
    #[serde(default)]
    pub returned_order_products: Vec<ReturnedOrderProduct>,
    /// `files` attached to the return (`null` reads as empty).
    #[serde_as(as = "serde_with::DefaultOnNull<wire::List>")]
    #[serde(default)]
    pub files: Vec<ReturnFile>,
}

impl Return {
    /// A return with its `eshopReturnId` and nothing else.
    #[must_use]
    pub fn new(eshop_return_id: impl Into<String>) -> Self {
        Self {
            eshop_return_id: eshop_return_id.into(),
            eshop_order_id: None,
            note: None,
            eshop_note: None,
            description: None,
            shipper: None,
            tracking_number: None,
            shipper_service_code: None,
            order_type: None,
            canceled_at: None,
            confirmed_at: None,
            received_at: None,
            rma: None,
            status: None,
            returned_order_products: Vec::new(),
            files: Vec::new(),
        }
    }
}

/// One returned line of a [`Return`].
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReturnedOrderProduct {
    /// `sku`. Required.
    #[serde_as(as = "wire::Text")]
    pub sku: String,
    /// `quantity`: announced as returned.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub quantity: Option<u64>,
    /// `received`: counted in the warehouse.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub received: Option<u64>,
    /// `returnReason`.
    #[serde(default)]
    pub return_reason: Option<ReturnReason>,
    /// `resolution`.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// `lineState`.
    #[serde(default)]
    pub line_state: Option<LineState>,
}

impl ReturnedOrderProduct {
    /// A returned line with its `sku` and nothing else.
    #[must_use]
    pub fn new(sku: impl Into<String>) -> Self {
        Self {
            sku: sku.into(),
            quantity: None,
            received: None,
            return_reason: None,
            resolution: None,
            line_state: None,
        }
    }
}

/// A file attached to a [`Return`] (a photo, a form).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReturnFile {
    /// `id`, as text (Skladon does not say whether it is a number or a string; a number is
    /// read as its digits).
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub id: Option<String>,
    /// `data`: the content, as sent (its encoding is not published).
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub data: Option<String>,
    /// `type`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub r#type: Option<String>,
    /// `fileName`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub file_name: Option<String>,
    /// `fileType`, e.g. a MIME type.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub file_type: Option<String>,
    /// `fileSize`, in bytes.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub file_size: Option<u64>,
}
