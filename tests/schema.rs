//! Every fixture validates against its provider's JSON Schema, and values the schema must refuse
//! (what the parser refuses for a missing required field) are refused.

use std::path::Path;

use delivery_webhooks::skladon::{self, WebhookType};
use delivery_webhooks::{Provider, schema};
use serde_json::Value;

fn validator(schema: schemars::Schema) -> jsonschema::Validator {
    jsonschema::validator_for(&schema.to_value()).expect("a valid draft 2020-12 schema")
}

fn fixtures(provider: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

fn assert_all_valid(provider: Provider) {
    let v = validator(schema::for_provider(provider));
    // Skladon's provider schema is its entities: an unknown type's unknown body is checked
    // against that type's schema below.
    for (name, body) in fixtures(provider.as_str())
        .into_iter()
        .filter(|(name, _)| !name.starts_with("unknown_type"))
    {
        let errors: Vec<String> = v
            .iter_errors(&body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{provider}/{name}: {errors:#?}");
    }
}

#[test]
fn every_wakilni_fixture_validates() {
    assert_all_valid(Provider::Wakilni);
}

#[test]
fn every_peddler_fixture_validates() {
    assert_all_valid(Provider::Peddler);
}

#[test]
fn every_xoxoday_fixture_validates() {
    assert_all_valid(Provider::Xoxoday);
}

#[test]
fn every_isendu_fixture_validates() {
    assert_all_valid(Provider::Isendu);
}

#[test]
fn every_skladon_fixture_validates_as_an_entity_and_as_its_own_type() {
    assert_all_valid(Provider::Skladon);
    for (name, body) in fixtures("skladon") {
        let kind = match name.split(['_', '.']).next().unwrap() {
            "unknown" => {
                let unknown = WebhookType::Other("CREATE_PICKING_LIST".into());
                assert!(validator(schema::for_skladon_type(&unknown).unwrap()).is_valid(&body));
                assert!(!validator(schema::for_provider(Provider::Skladon)).is_valid(&body));
                continue;
            }
            "order" => WebhookType::UpdateOrder,
            "product" => WebhookType::UpdateProduct,
            "receiving" => WebhookType::UpdateReceiving,
            "return" => WebhookType::UpdateReturn,
            "stock" => WebhookType::CreateStockMovementStockCorrection,
            other => panic!("fixture {name}: unknown entity {other}"),
        };
        let v = validator(schema::for_skladon_type(&kind).unwrap());
        assert!(v.is_valid(&body), "skladon/{name} as {kind}");
        // And the parser agrees with the schema on which entity it is.
        skladon::parse(&kind, &serde_json::to_vec(&body).unwrap()).unwrap();
    }
}

#[test]
fn schemas_refuse_what_the_parser_refuses() {
    let wakilni = validator(schema::for_provider(Provider::Wakilni));
    // A known event whose data lacks `order_id`.
    let bad = serde_json::json!({"event_id": "e", "event": "Order Created",
        "timestamp": "2024-11-14 14:39:13", "data": {"waybill": "W", "created_at": "2024-11-14"}});
    assert!(!wakilni.is_valid(&bad));
    // An unknown event with any data is accepted, as the parser keeps it.
    let unknown = serde_json::json!({"event_id": "e", "event": "Order Returned",
        "timestamp": "2024-11-14", "data": [1, 2]});
    assert!(wakilni.is_valid(&unknown));

    let peddler = validator(schema::for_provider(Provider::Peddler));
    assert!(
        !peddler
            .is_valid(&serde_json::json!({"id": "x", "status": "DELIVERED", "ts": "2024-01-01"}))
    );
    assert!(!peddler.is_valid(
        &serde_json::json!({"id": "x", "status": "DELIVERED", "ts": "2024-01-01", "code": "soon"})
    ));
    assert!(peddler.is_valid(
        &serde_json::json!({"id": 7, "status": "NEW_STATUS", "ts": "2024-01-01", "code": "500"})
    ));

    let xoxoday = validator(schema::for_provider(Provider::Xoxoday));
    assert!(!xoxoday.is_valid(
        &serde_json::json!({"id": 1, "createdAt": "2019-12-27 16:45:02",
        "data": {"orderDate": "2019-12-27", "deliveryStatus": "delivered"}})
    ));

    let isendu = validator(schema::for_provider(Provider::Isendu));
    assert!(isendu.is_valid(&serde_json::json!({"keyId": "k"})));
    assert!(!isendu.is_valid(&serde_json::json!({"keyId": 7})));
    assert!(!isendu.is_valid(&serde_json::json!({"keyId": "k", "order": []})));
    assert!(!isendu.is_valid(&serde_json::json!({"order": [{"status": "pending"}]})));

    let skladon = validator(schema::for_skladon_type(&WebhookType::UpdateOrder).unwrap());
    assert!(!skladon.is_valid(&serde_json::json!({"status": "delivered"})));
}

#[test]
fn every_payload_type_has_a_schema() {
    use delivery_webhooks::{isendu, peddler, wakilni, xoxoday};
    // Each compiles only if the type implements JsonSchema; each root is a valid schema.
    for s in [
        schema::root::<wakilni::Event>(),
        schema::root::<wakilni::EventData>(),
        schema::root::<wakilni::Status>(),
        schema::root::<peddler::ShipmentUpdate>(),
        schema::root::<peddler::Details>(),
        schema::root::<xoxoday::DeliveryData>(),
        schema::root::<isendu::Message>(),
        schema::root::<isendu::Update>(),
        schema::root::<isendu::Order>(),
        schema::root::<isendu::Tracking>(),
        schema::root::<isendu::Step>(),
        schema::root::<skladon::Notification>(),
        schema::root::<skladon::ReturnFile>(),
        schema::root::<delivery_webhooks::DedupKey>(),
    ] {
        validator(s);
    }
}

/// The order's fields are declared once (one table drives reading, writing and the schema):
/// every key the schema names is a key the fixture carries, the parser reads and refuses twice,
/// and every key the order writes back is one the schema names.
#[test]
fn skladon_order_schema_reader_and_writer_name_the_same_fields() {
    let root = schema::root::<skladon::Order>().to_value();
    let properties = root["properties"].as_object().unwrap();
    assert_eq!(
        properties.len(),
        13 + 2 * 14,
        "13 typed fields and two contacts"
    );
    assert_eq!(root["required"], serde_json::json!(["eshopOrderId"]));

    let (_, fixture) = fixtures("skladon")
        .into_iter()
        .find(|(name, _)| name == "order.json")
        .unwrap();
    let fixture = fixture.as_object().unwrap();
    let mut fixture_keys: Vec<&String> = fixture.keys().collect();
    let mut schema_keys: Vec<&String> = properties.keys().collect();
    fixture_keys.sort();
    schema_keys.sort();
    assert_eq!(fixture_keys, schema_keys);

    let order: skladon::Order = serde_json::from_value(Value::Object(fixture.clone())).unwrap();
    assert!(
        order.extra.is_empty(),
        "every fixture key is a modelled field"
    );
    let written = serde_json::to_value(&order).unwrap();
    for key in written.as_object().unwrap().keys() {
        assert!(
            properties.contains_key(key),
            "{key} written but not in the schema"
        );
    }

    for key in properties.keys() {
        let value = fixture[key].to_string();
        let body = if key == "eshopOrderId" {
            format!(r#"{{"eshopOrderId":{value},"eshopOrderId":{value}}}"#)
        } else {
            format!(r#"{{"eshopOrderId":"1","{key}":{value},"{key}":{value}}}"#)
        };
        let err = serde_json::from_str::<skladon::Order>(&body).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("duplicate field `{key}`")),
            "{key}: {err}"
        );
    }
}
