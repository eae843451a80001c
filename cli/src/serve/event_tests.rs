use std::time::{Duration, SystemTime};

use delivery_webhooks::skladon::Notification;
use delivery_webhooks::{
    AnyDelivery, DedupKey, Delivery, Provider, Request, isendu, peddler, skladon, wakilni, xoxoday,
};

use super::*;

const SKLADON_TOKEN: &str = "tok-event-5f1c9a7e2b";

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// A Skladon POST of `body` under the first webhook type whose entity it is.
fn skladon_post(body: &[u8]) -> Delivery<Notification> {
    let headers: [(&str, &str); 0] = [];
    let verifier = skladon::Verifier::new(SKLADON_TOKEN).unwrap();
    [
        "UPDATE_ORDER_STATUS",
        "UPDATE_PRODUCT",
        "UPDATE_RECEIVING_STATUS",
        "UPDATE_RETURN_STATUS",
        "CREATE_STOCK_MOVEMENT_ORDER",
        "CREATE_STOCK_MOVEMENT_COMPLETITION",
        "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
        // A type this crate does not know: the body kept as it came.
        "CREATE_PICKING_LIST",
    ]
    .iter()
    .find_map(|kind| {
        let uri = format!("/webhooks/skladon/{SKLADON_TOKEN}/{kind}");
        verifier
            .receive(&Request::new(&headers, body).method("POST").uri(&uri))
            .ok()
    })
    .expect("a Skladon entity of a known kind")
}

/// The delivery of a fixture as its provider's parser reads it.
pub(crate) fn delivery(provider: Provider, body: &[u8]) -> AnyDelivery {
    let key = DedupKey::of_body(provider, body);
    match provider {
        Provider::Wakilni => Delivery::new(provider, key, wakilni::parse(body).unwrap()).into(),
        Provider::Peddler => Delivery::new(provider, key, peddler::parse(body).unwrap()).into(),
        Provider::Xoxoday => Delivery::new(provider, key, xoxoday::parse(body).unwrap()).into(),
        Provider::Isendu => Delivery::new(provider, key, isendu::parse(body).unwrap()).into(),
        Provider::Skladon => skladon_post(body).into(),
    }
}

/// 2026-12-08T15:53:41.123Z.
fn received() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_745_221_123)
}

fn event(provider: Provider, name: &str) -> serde_json::Value {
    let body = std::fs::read(
        fixture_dir()
            .join(provider.as_str())
            .join(format!("{name}.json")),
    )
    .unwrap();
    let event = Event::new(&delivery(provider, &body), received()).unwrap();
    serde_json::from_slice(&event.to_bytes()).unwrap()
}

/// Every fixture of every provider, as (provider, file name, delivery); isendu's handshake is
/// never stored, so never forwarded.
fn every_fixture() -> Vec<(Provider, String, AnyDelivery)> {
    let mut out = Vec::new();
    for provider in Provider::ALL {
        let dir = fixture_dir().join(provider.as_str());
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let body = std::fs::read(&path).unwrap();
            let delivery = delivery(provider, &body);
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push((provider, name, delivery));
        }
    }
    out
}

const SCHEMA_FILE: &str = "../docs/serve/event.v1.schema.json";

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE);
    let generated = schema_json();
    // `DELIVERY_WEBHOOKS_BLESS=1 cargo test -p delivery-webhooks-cli serve::event` rewrites it.
    if std::env::var_os("DELIVERY_WEBHOOKS_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{SCHEMA_FILE} is stale: regenerate it with DELIVERY_WEBHOOKS_BLESS=1"
    );
}

#[test]
fn every_fixture_s_event_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let fixtures = every_fixture();
    assert!(fixtures.len() >= 60, "{}", fixtures.len());
    for (provider, name, delivery) in fixtures {
        let event = Event::new(&delivery, received()).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&event.to_bytes()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{provider}/{name}: {errors:?}");
        assert_eq!(json["provider"], provider.as_str());
        assert_eq!(json["dedup_key"], delivery.dedup_key().to_string());
        assert_eq!(
            json["payload"],
            serde_json::from_slice::<serde_json::Value>(&delivery.payload_json().unwrap()).unwrap()
        );
    }
    // The schema refuses what is not an event.
    let mut wrong = serde_json::from_slice::<serde_json::Value>(
        &Event::new(&every_fixture()[0].2, received())
            .unwrap()
            .to_bytes(),
    )
    .unwrap();
    wrong["version"] = 2.into();
    assert!(!validator.is_valid(&wrong));
    wrong["version"] = 1.into();
    wrong["received_at"] = 5.into();
    assert!(!validator.is_valid(&wrong));
}

#[test]
fn the_event_id_is_header_safe_and_stable_per_stored_delivery() {
    let a = event_id("wakilni:evt-1", received());
    assert_eq!(a, event_id("wakilni:evt-1", received()));
    assert_eq!(a.len(), 4 + 43);
    assert!(a.starts_with("msg_"));
    assert!(
        a[4..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_ne!(a, event_id("wakilni:evt-2", received()));
    assert_ne!(
        a,
        event_id("wakilni:evt-1", received() + Duration::from_millis(1))
    );
    // Whatever bytes a provider put in its id.
    let odd = event_id("skladon:GET:\r\n\u{0}é", received());
    assert!(
        odd[4..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
}

#[test]
fn a_wakilni_event_has_its_values() {
    let e = event(Provider::Wakilni, "order_assigned");
    assert_eq!(e["version"], 1);
    assert_eq!(e["provider"], "wakilni");
    assert_eq!(e["received_at"], "2026-12-08T15:53:41.123Z");
    assert_eq!(
        e["dedup_key"],
        "wakilni:sha256:819fc26715f5191fc75cd0805cb629006f4ca41e69e68929288624d3d595aeaf"
    );
    let update = &e["status_updates"][0];
    assert_eq!(
        (
            update["status"].as_str(),
            update["provider_status"].as_str(),
            update["terminal"].as_bool()
        ),
        (Some("assigned"), Some("Order Assigned"), Some(false))
    );
    assert_eq!(update["time"], "2024-11-14T14:39:10Z");
    assert_eq!(update["shipment"]["key"], "order:123456");
    assert_eq!(update["shipment"]["waybill"], "WK123456");
    assert_eq!(update["location"], serde_json::Value::Null);
    assert_eq!(e["status_updates"].as_array().unwrap().len(), 1);
}

#[test]
fn a_peddler_event_has_its_values() {
    let e = event(Provider::Peddler, "failed_attempt");
    let update = &e["status_updates"][0];
    assert_eq!(update["status"], "failed_attempt");
    assert_eq!(update["provider_status"], "FAILED_ATTEMPT");
    assert_eq!(
        update["failure_reason"],
        "CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS"
    );
    assert_eq!(update["time"], "2024-09-02T13:08:06.574Z");
    assert_eq!(update["shipment"]["id"], "fx6_ZSWp0RDc24csBqOj9");
    assert_eq!(update["shipment"]["kind"], "shipment");
    assert_eq!(
        update["shipment"]["tracking_numbers"][0],
        "P199684830307745678"
    );
    assert_eq!(
        update["shipment"]["external_ids"]["metaData"],
        "78420240902-2"
    );
}

#[test]
fn a_xoxoday_event_has_its_values() {
    let e = event(Provider::Xoxoday, "delivered");
    let update = &e["status_updates"][0];
    assert_eq!(
        (update["status"].as_str(), update["terminal"].as_bool()),
        (Some("delivered"), Some(true))
    );
    assert_eq!(update["shipment"]["key"], "order:10254678901");
    assert_eq!(update["shipment"]["po_number"], "PO-2019-7781");
    assert_eq!(update["time"], "2019-12-27T16:45:02Z");
}

#[test]
fn an_isendu_event_has_its_values() {
    let e = event(Provider::Isendu, "update_doc_sample");
    let updates = e["status_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["status"], "in_transit");
    assert_eq!(updates[0]["provider_status"], "T");
    assert_eq!(updates[0]["location"]["name"], "Milano");
    assert_eq!(
        updates[0]["shipment"]["tracking_numbers"][0],
        "1Z999AA10123456784"
    );
    assert_eq!(updates[1]["status"], "ready_to_ship");
    assert_eq!(
        updates[1]["shipment"]["key"],
        "order:o-5a0b7c1e-2f43-4d8e-9a61-0c3b2d4e5f60"
    );
}

#[test]
fn a_skladon_event_has_its_values() {
    let e = event(Provider::Skladon, "order");
    assert_eq!(
        e["dedup_key"],
        "skladon:UPDATE_ORDER_STATUS:12345:2022-05-23T18:45:02.000Z:inProcess"
    );
    let update = &e["status_updates"][0];
    assert_eq!(
        (
            update["status"].as_str(),
            update["provider_status"].as_str()
        ),
        (Some("created"), Some("inProcess"))
    );
    assert_eq!(
        update["shipment"]["external_ids"]["partnerOrderId"],
        "PARTNER-77"
    );
    assert_eq!(update["shipment"]["tracking_numbers"][0], "012364479");
    assert_eq!(e["payload"]["eshopOrderId"], "12345");
}
