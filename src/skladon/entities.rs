//! The five entities Skladon sends (orders, products, receivings, returns, stock movements) and
//! their enums. Field names are the snake_case of Skladon's camelCase wire names.

use serde::{Deserialize, Serialize};

use crate::wire::{self, Decimal, RawJson, TimestampOrText};

pub use super::enums::*;
pub use super::order::{Contact, Order};

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
    /// `name`. Written even when `null`: with `sku` it is what [`parse_any`](super::parse_any)
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

/// A receiving, an advance shipping notice of goods coming into the warehouse
/// (`CREATE_RECEIVING`, `UPDATE_RECEIVING`, `UPDATE_RECEIVING_STATUS`).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Receiving {
    /// `eshopReceivingId`: your id of the receiving. Required.
    #[serde_as(as = "wire::Text")]
    pub eshop_receiving_id: String,
    /// `carrierInfo`: its shape is not published (a string in the API example, `null` in the
    /// webhook example), so it is kept as raw JSON.
    #[serde(default)]
    pub carrier_info: Option<RawJson>,
    /// `deliveryNoteNumber`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub delivery_note_number: Option<String>,
    /// `deliveryType`.
    #[serde(default)]
    pub delivery_type: Option<DeliveryType>,
    /// `description`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub description: Option<String>,
    /// `driverCompany`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_company: Option<String>,
    /// `driverDispatcherContact`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_dispatcher_contact: Option<String>,
    /// `driverName`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_name: Option<String>,
    /// `driverPhone`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_phone: Option<String>,
    /// `driverTrailerLicensePlate`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub driver_trailer_license_plate: Option<String>,
    /// `duty`: whether the goods are subject to customs duty.
    #[serde(default)]
    pub duty: Option<bool>,
    /// `estimatedDelivery`: a plain date in the API, a midnight time in the webhook example.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub estimated_delivery: Option<TimestampOrText>,
    /// `handlingUnits`.
    #[serde(default)]
    pub handling_units: Option<HandlingUnits>,
    /// `packagings`: its shape is not published (an empty list in the example), so it is kept
    /// as raw JSON.
    #[serde(default)]
    pub packagings: Option<RawJson>,
    /// `products`: the announced lines (`null` reads as empty).
    #[serde_as(as = "serde_with::DefaultOnNull<wire::List>")]
    #[serde(default)]
    pub products: Vec<ReceivingProduct>,
    /// `status`.
    #[serde(default)]
    pub status: Option<ReceivingStatus>,
    /// `supplier`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub supplier: Option<String>,
    /// `trackingNumber`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// `unitsAmount`: how many handling units arrive.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub units_amount: Option<u64>,
    /// `urgent`.
    #[serde(default)]
    pub urgent: Option<Urgency>,
    /// `eshopNote`: a note from the e-shop, not shown to the customer.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub eshop_note: Option<String>,
    /// `priority`: 0 normal, 1 high.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub priority: Option<u8>,
    /// `containerNumber`, for container transport.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub container_number: Option<String>,
    /// `announcedPalletsCount`.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub announced_pallets_count: Option<u64>,
    /// `deliveredPalletsCount`.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub delivered_pallets_count: Option<u64>,
    /// `deliveredCartonsCount`.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub delivered_cartons_count: Option<u64>,
    /// `deliveredStandardPalletsCount`.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub delivered_standard_pallets_count: Option<u64>,
    /// `returnedEurPalletsCount`.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub returned_eur_pallets_count: Option<u64>,
    /// `returnedStandardPalletsCount`.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub returned_standard_pallets_count: Option<u64>,
    /// `realDelivery`: when the goods actually arrived.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub real_delivery: Option<TimestampOrText>,
    /// `unloadedAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub unloaded_at: Option<TimestampOrText>,
    /// `confirmedAt`.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub confirmed_at: Option<TimestampOrText>,
    /// `receivingType`.
    #[serde(default)]
    pub receiving_type: Option<ReceivingType>,
    /// `incoterms`.
    #[serde(default)]
    pub incoterms: Option<Incoterms>,
}

impl Receiving {
    /// A receiving with its `eshopReceivingId` and nothing else.
    #[must_use]
    pub fn new(eshop_receiving_id: impl Into<String>) -> Self {
        Self {
            eshop_receiving_id: eshop_receiving_id.into(),
            carrier_info: None,
            delivery_note_number: None,
            delivery_type: None,
            description: None,
            driver_company: None,
            driver_dispatcher_contact: None,
            driver_name: None,
            driver_phone: None,
            driver_trailer_license_plate: None,
            duty: None,
            estimated_delivery: None,
            handling_units: None,
            packagings: None,
            products: Vec::new(),
            status: None,
            supplier: None,
            tracking_number: None,
            units_amount: None,
            urgent: None,
            eshop_note: None,
            priority: None,
            container_number: None,
            announced_pallets_count: None,
            delivered_pallets_count: None,
            delivered_cartons_count: None,
            delivered_standard_pallets_count: None,
            returned_eur_pallets_count: None,
            returned_standard_pallets_count: None,
            real_delivery: None,
            unloaded_at: None,
            confirmed_at: None,
            receiving_type: None,
            incoterms: None,
        }
    }
}

/// One line of a [`Receiving`].
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceivingProduct {
    /// `sku`. Required.
    #[serde_as(as = "wire::Text")]
    pub sku: String,
    /// `quantity`: announced.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub quantity: Option<u64>,
    /// `lot`.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub lot: Option<String>,
    /// `received`: counted in the warehouse, `None` until then.
    #[serde_as(as = "Option<wire::Uint>")]
    #[serde(default)]
    pub received: Option<u64>,
    /// `expirationDate`: a plain date or a time.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub expiration_date: Option<TimestampOrText>,
    /// `productPrice`, exact.
    #[serde_as(as = "wire::OptDecimal")]
    #[serde(default)]
    pub product_price: Option<Decimal>,
    /// `lineState`.
    #[serde(default)]
    pub line_state: Option<LineState>,
}

impl ReceivingProduct {
    /// A receiving line with its `sku` and nothing else.
    #[must_use]
    pub fn new(sku: impl Into<String>) -> Self {
        Self {
            sku: sku.into(),
            quantity: None,
            lot: None,
            received: None,
            expiration_date: None,
            product_price: None,
            line_state: None,
        }
    }
}

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
