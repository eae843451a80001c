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

/// The hostile shapes whose parse costs the most work per byte, per provider (issue 33,
/// finding 5): `(name, provider or Skladon webhook type, body of about `size` bytes)`.
/// `{i}` in an element is replaced by a counter, so map keys stay distinct.
pub fn hostile(size: usize) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let peddler = r#"{"id":"s","status":"DELIVERED","code":500,"ts":"2024-09-02T13:08:06Z","details":{"lang":{"#;
    let xoxoday = String::from_utf8(
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/xoxoday/delivered.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let open = xoxoday.find('{').unwrap() + 1;
    let xoxoday_head = format!(r#"{}"extra":{{"#, &xoxoday[..open]);
    let xoxoday_tail = format!("}},{}", &xoxoday[open..]);
    let shapes: [(&str, &str, &str, &str, &str); 17] = [
        (
            "peddler_empty_langs",
            "peddler",
            peddler,
            r#""{i}":{}"#,
            "}}}",
        ),
        (
            "peddler_null_langs",
            "peddler",
            peddler,
            r#""{i}":null"#,
            "}}}",
        ),
        (
            "peddler_half_langs",
            "peddler",
            peddler,
            r#""{i}":{"headline":""}"#,
            "}}}",
        ),
        (
            "isendu_empty_orders",
            "isendu",
            r#"{"order":["#,
            r#"{"uuid":""}"#,
            "]}",
        ),
        (
            "isendu_empty_trackings",
            "isendu",
            r#"{"tracking":["#,
            r#"{"uuid":""}"#,
            "]}",
        ),
        (
            "isendu_empty_steps",
            "isendu",
            r#"{"tracking":[{"uuid":"t","steps":["#,
            "{}",
            "]}]}",
        ),
        (
            "isendu_empty_items",
            "isendu",
            r#"{"order":[{"uuid":"o","items":["#,
            "{}",
            "]}]}",
        ),
        (
            "isendu_order_extras",
            "isendu",
            r#"{"order":[{"uuid":"o","#,
            r#""{i}":0"#,
            "}]}",
        ),
        (
            "isendu_order_nested_extras",
            "isendu",
            r#"{"order":[{"uuid":"o","x":{"#,
            r#""{i}":{}"#,
            "}}]}",
        ),
        (
            "skladon_empty_files",
            "UPDATE_RETURN",
            r#"{"eshopReturnId":"R","files":["#,
            "{}",
            "]}",
        ),
        (
            "skladon_empty_lines",
            "UPDATE_RECEIVING_STATUS",
            r#"{"eshopReceivingId":"R","products":["#,
            r#"{"sku":""}"#,
            "]}",
        ),
        (
            "skladon_order_extras",
            "UPDATE_ORDER",
            r#"{"eshopOrderId":"1","#,
            r#""{i}":0"#,
            "}",
        ),
        (
            "skladon_tracking_numbers",
            "UPDATE_ORDER",
            r#"{"eshopOrderId":"1","trackingNumbers":["#,
            r#""""#,
            "]}",
        ),
        (
            "wakilni_unknown_object",
            "wakilni",
            r#"{"event_id":"e1","event":"Order Returned","timestamp":"2024-11-14 14:39:13","data":{"#,
            r#""{i}":{}"#,
            "}}",
        ),
        (
            "wakilni_known_extra",
            "wakilni",
            r#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":1,"waybill":"W","created_at":"2024-11-14 14:39:10","extra":{"#,
            r#""{i}":{}"#,
            "}}}",
        ),
        (
            "xoxoday_extra_object",
            "xoxoday",
            &xoxoday_head,
            r#""{i}":{}"#,
            &xoxoday_tail,
        ),
        ("value_empty_arrays", "value", "[", "[]", "]"),
    ];
    shapes
        .iter()
        .map(|&(name, provider, prefix, element, suffix)| {
            let mut body = String::with_capacity(size + 64);
            body.push_str(prefix);
            let mut i = 0u64;
            while body.len() < size {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&element.replace("{i}", &format!("{i:x}")));
                i += 1;
            }
            body.push_str(suffix);
            (name, provider, body.into_bytes())
        })
        .collect()
}
