//! Inputs shared by the benchmarks: the shipped fixtures, and large bodies built from them.
#![allow(dead_code)] // each bench uses its own subset

use std::path::Path;
use std::time::Duration;

use criterion::Criterion;
use serde_json::{Value, json};

/// Short warm-up and measurement: every benchmark here runs in microseconds, and the crate's
/// timing is compared with a baseline measured the same way in the same group.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_millis(1800))
        .sample_size(60)
}

/// The bodies in `fixtures/<provider>/`, sorted by name.
pub fn fixtures(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn fixture_value(provider: &str, name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider)
        .join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// An isendu batch of `n` tracking entries (the rich fixture's entries, with distinct uuids).
pub fn isendu_batch(n: usize) -> Vec<u8> {
    let batch = fixture_value("isendu", "update_batch");
    let templates = batch["tracking"].as_array().unwrap();
    let tracking: Vec<Value> = (0..n)
        .map(|i| {
            let mut t = templates[i % templates.len()].clone();
            t["uuid"] = json!(format!("t-{i:08}"));
            t["trackingNumber"] = json!(format!("1Z{i:016}"));
            t
        })
        .collect();
    serde_json::to_vec(&json!({ "order": [], "tracking": tracking })).unwrap()
}

/// A Skladon receiving (the doc's example) with `n` product lines.
pub fn skladon_receiving(n: usize) -> Vec<u8> {
    let mut receiving = fixture_value("skladon", "receiving");
    let templates = receiving["products"].as_array().unwrap().clone();
    receiving["products"] = (0..n)
        .map(|i| {
            let mut line = templates[i % templates.len()].clone();
            line["sku"] = json!(format!("SKU-{i:06}"));
            line
        })
        .collect();
    serde_json::to_vec(&receiving).unwrap()
}

/// A Skladon webhook type whose entity is the one a fixture holds, from its file name.
pub fn skladon_type(name: &str) -> delivery_webhooks::skladon::WebhookType {
    use delivery_webhooks::skladon::WebhookType;
    match name.split('_').next().unwrap() {
        "order" => WebhookType::UpdateOrder,
        "product" => WebhookType::UpdateProduct,
        "receiving" => WebhookType::UpdateReceivingStatus,
        "return" => WebhookType::UpdateReturn,
        "stock" => WebhookType::CreateStockMovementStockCorrection,
        other => panic!("no entity kind for fixture {other}"),
    }
}
