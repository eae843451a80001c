//! Plain `#[derive(Deserialize)]` models of the same fields the crate reads, for the `parse`
//! benchmark's `plain_derive` baseline: what a receiver writing serde by hand would parse into,
//! without the crate's lenient codec (`wire/`). Timestamps stay text, numbers take their
//! documented type, enums stay strings; a body these refuse (a string where a number is
//! documented, a list where an object is) is left out of the comparison.
#![allow(dead_code)] // the fields are written by serde and never read: parsing is the point

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Wakilni's envelope: `data` with every field of every documented event, each optional.
#[derive(Deserialize)]
pub struct WakilniEvent {
    pub event_id: String,
    pub event: String,
    pub timestamp: String,
    pub data: WakilniData,
}

#[derive(Deserialize)]
pub struct WakilniData {
    pub order_id: u64,
    pub waybill: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub driver_name: Option<String>,
    pub driver_phone: Option<String>,
    pub new_status_code: Option<u32>,
    pub new_status: Option<String>,
    pub previous_status_code: Option<u32>,
    pub previous_status: Option<String>,
    pub location: Option<WakilniOffice>,
}

#[derive(Deserialize)]
pub struct WakilniOffice {
    pub office_name: Option<String>,
    pub phone_number: Option<String>,
}

/// Peddler's shipment update.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeddlerUpdate {
    pub id: String,
    pub carrier_tracking_number: Option<String>,
    pub meta_data: Option<String>,
    pub status: String,
    pub location: Option<PeddlerLocation>,
    pub ts: String,
    pub tracking_url: Option<String>,
    pub code: u32,
    pub failed_status: Option<String>,
    pub details: Option<PeddlerDetails>,
}

#[derive(Deserialize)]
pub struct PeddlerLocation {
    pub lat: f64,
    pub lng: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeddlerDetails {
    #[serde(default)]
    pub lang: BTreeMap<String, PeddlerText>,
    pub courier_name: Option<String>,
    pub reason: Option<String>,
    pub estimated_delivery_date: Option<String>,
    pub delivery_date: Option<String>,
    pub courier_comment: Option<String>,
    pub delivered_at_neighbours: Option<String>,
    pub pod_signature_url: Option<String>,
    pub collection_point: Option<Box<RawValue>>,
    pub warehouse: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
pub struct PeddlerText {
    pub headline: Option<String>,
    pub description: Option<String>,
}

/// Xoxoday's delivery webhook.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XoxodayWebhook {
    pub id: u64,
    pub data: XoxodayData,
    pub created_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XoxodayData {
    pub order_id: u64,
    pub po_number: Option<String>,
    pub order_date: String,
    pub delivery_status: String,
}
