//! A Skladon receiving (goods announced to and received by the warehouse) and its lines.

use serde::{Deserialize, Serialize};

use crate::wire::{self, Decimal, RawJson, TimestampOrText};

use super::enums::*;

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
