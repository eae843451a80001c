//! A Skladon product (`CREATE_PRODUCT`, `UPDATE_PRODUCT`).

use serde::{Deserialize, Serialize};

use crate::wire::{self, Decimal};

use super::enums::*;

/// A product (`CREATE_PRODUCT`, `UPDATE_PRODUCT`).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Product {
    /// `id`: Skladon's own id.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub id: Option<u64>,
    /// `sku`: your stock keeping unit, the product's identifier. Required.
    #[serde_as(as = "wire::Text")]
    pub sku: String,
    /// `name`. Written even when `null`: with `sku` it is what [`parse`](super::parse)
    /// recognises a product by when `productType` is absent, so a round trip keeps the kind.
    #[serialize_always]
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub name: Option<String>,
    /// `description`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub description: Option<String>,
    /// `price`, exact (a number or a numeric string on the wire).
    #[serde_as(as = "wire::OptDecimal")]
    #[serde(default)]
    pub price: Option<Decimal>,
    /// `hsCode`: the customs tariff code.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub hs_code: Option<String>,
    /// `upc`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub upc: Option<String>,
    /// `ean`. Kept as text: leading zeros matter.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub ean: Option<String>,
    /// `guid`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub guid: Option<String>,
    /// `rop`: the reorder point.
    #[serde_as(as = "wire::OptDecimal")]
    #[serde(default)]
    pub rop: Option<Decimal>,
    /// `mpn`: the manufacturer part number.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub mpn: Option<String>,
    /// `isbn`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub isbn: Option<String>,
    /// `note`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub note: Option<String>,
    /// `originCountry`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub origin_country: Option<String>,
    /// `customField1`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub custom_field1: Option<String>,
    /// `customField2`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub custom_field2: Option<String>,
    /// `customField3`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub custom_field3: Option<String>,
    /// `ageCheck`: whether the recipient's age must be checked on delivery.
    #[serde(default)]
    pub age_check: Option<bool>,
    /// `active`.
    #[serde(default)]
    pub active: Option<bool>,
    /// `scanSerialNumber`: whether serial numbers are scanned when picking.
    #[serde(default)]
    pub scan_serial_number: Option<bool>,
    /// `batteryType`.
    #[serde(default)]
    pub battery_type: Option<BatteryType>,
    /// `expMethod`.
    #[serde(default)]
    pub exp_method: Option<ExpMethod>,
    /// `productType`.
    #[serde(default)]
    pub product_type: Option<ProductType>,
}

impl Product {
    /// A product with its `sku` and nothing else: set the optional fields as needed.
    #[must_use]
    pub fn new(sku: impl Into<String>) -> Self {
        Self {
            id: None,
            sku: sku.into(),
            name: None,
            description: None,
            price: None,
            hs_code: None,
            upc: None,
            ean: None,
            guid: None,
            rop: None,
            mpn: None,
            isbn: None,
            note: None,
            origin_country: None,
            custom_field1: None,
            custom_field2: None,
            custom_field3: None,
            age_check: None,
            active: None,
            scan_serial_number: None,
            battery_type: None,
            exp_method: None,
            product_type: None,
        }
    }
}
