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

/// A receiving, an advance shipping notice of goods coming into the warehouse
/// (`CREATE_RECEIVING`, `UPDATE_RECEIVING`, `UPDATE_RECEIVING_STATUS`).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// One line of a [`Receiving`].
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// A customer return (`CREATE_RETURN`, `UPDATE_RETURN`, `UPDATE_RETURN_STATUS`).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// One returned line of a [`Return`].
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// A file attached to a [`Return`] (a photo, a form).
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
