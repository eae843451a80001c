//! Round four's fidelity promises, each tested from the doc that makes it:
//! - `docs/security.md`, "Repeated keys": a key repeated in any object, at any depth, is refused
//!   with a 400 naming its JSON path, raw JSON values and unknown Skladon bodies included;
//! - `docs/security.md`, "Numbers": a number read as text keeps the digits that were sent, an
//!   integer field takes only a value it holds exactly, and a dedup key built from a number uses
//!   the digits as sent.

use delivery_webhooks::skladon::{self, Entity, WebhookType};
use delivery_webhooks::testing;
use delivery_webhooks::{Error, isendu, peddler, wakilni};

fn fixture(path: &str) -> String {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// `text` with `from` replaced once (and present).
fn with(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the fixture");
    text.replacen(from, to, 1)
}

/// The payload error's path and message.
fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> (String, String) {
    match result {
        Err(Error::Payload(p)) => {
            assert_eq!(Error::Payload(p.clone()).status_code(), 400);
            (p.path().to_owned(), p.message().to_owned())
        }
        other => panic!("expected a payload error, got {other:?}"),
    }
}

// ---- Repeated keys ----------------------------------------------------------------------

#[test]
fn peddler_collection_point_with_a_repeated_name_is_refused_at_its_path() {
    let body = with(
        &fixture("peddler/delivered_collection_point.json"),
        r#""name": "Primera Rembrandtplein","#,
        r#""name": "Punt A", "name": "Punt B","#,
    );
    let (path, message) = refused(peddler::parse(body.as_bytes()));
    assert_eq!(path, "details.collectionPoint.name");
    assert_eq!(message, "duplicate field `name`");
    // And through the verifier: a 400 for the delivery, not a 200 with "Punt B".
    let verifier = peddler::Verifier::new("peddler-shared-token").unwrap();
    let request = testing::peddler::request("peddler-shared-token", body.as_bytes().to_vec());
    let err = verifier.receive(&request.build().request()).unwrap_err();
    assert_eq!(err.status_code(), 400);
}

#[test]
fn peddler_warehouse_and_languages_refuse_repeats() {
    let base = fixture("peddler/delivered_collection_point.json");
    let body = with(
        &base,
        r#""collectionPoint": {"#,
        r#""warehouse": {"dock": {"door": 1, "door": 2}}, "collectionPoint": {"#,
    );
    let (path, message) = refused(peddler::parse(body.as_bytes()));
    assert_eq!(path, "details.warehouse.dock.door");
    assert_eq!(message, "duplicate field `door`");
    // A language sent as `null` and then again: still sent twice.
    let body = with(
        &base,
        r#""courierName": "Peddler","#,
        r#""courierName": "Peddler", "lang": {"nl": null, "nl": {"headline": "Bezorgd"}},"#,
    );
    let (path, message) = refused(peddler::parse(body.as_bytes()));
    assert_eq!(path, "details.lang");
    assert_eq!(message, "duplicate field `nl`");
}

#[test]
fn wakilni_self_pickup_office_name_repeated_is_refused() {
    let body = with(
        &fixture("wakilni/order_ready_for_self_pickup.json"),
        r#""office_name": "Wakilni Dekwaneh","#,
        r#""office_name": "Wakilni Dekwaneh", "office_name": "Wakilni Hamra","#,
    );
    let (path, message) = refused(wakilni::parse(body.as_bytes()));
    assert_eq!(path, "data.location.office_name");
    assert_eq!(message, "duplicate field `office_name`");
    // Inside a list of offices, the index is named.
    let body = with(
        &fixture("wakilni/order_ready_for_self_pickup.json"),
        r#""location": {"#,
        r#""location": [{"office_name": "A"}, {"office_name": "B", "office_name": "C"}], "x": {"#,
    );
    let (path, _) = refused(wakilni::parse(body.as_bytes()));
    assert_eq!(path, "data.location[1].office_name");
}

#[test]
fn isendu_parcels_and_order_extras_refuse_repeats() {
    let order = r#"{"uuid":"o-1","status":"fulfilled","shippingInformation":{"parcels":[{"weight":1,"weight":2}]}}"#;
    let body = format!(r#"{{"order":[{order}]}}"#);
    let (path, message) = refused(isendu::parse(body.as_bytes()));
    assert_eq!(path, "order[0].shippingInformation.parcels[0].weight");
    assert_eq!(message, "duplicate field `weight`");
    // A value of the order's `extra` map (a field the crate does not model).
    let body = r#"{"order":[{"uuid":"o-1","customField":{"a":{"b":1,"b":1}}}]}"#;
    let (path, message) = refused(isendu::parse(body.as_bytes()));
    assert_eq!(path, "order[0].customField.a.b");
    assert_eq!(message, "duplicate field `b`");
}

#[test]
fn skladon_carrier_info_extras_and_unknown_bodies_refuse_repeats() {
    let body = with(
        &fixture("skladon/receiving.json"),
        r#""carrierInfo":null"#,
        r#""carrierInfo":{"name":"DHL","name":"PPL"}"#,
    );
    let (path, message) = refused(skladon::parse(
        &WebhookType::from("UPDATE_RECEIVING"),
        body.as_bytes(),
    ));
    assert_eq!(path, "carrierInfo.name");
    assert_eq!(message, "duplicate field `name`");
    // The value of an order's extra field.
    let body = with(
        &fixture("skladon/order.json"),
        "{",
        r#"{"loyalty": {"tier": "gold", "tier": "silver"},"#,
    );
    let (path, _) = refused(skladon::parse(
        &WebhookType::from("CREATE_ORDER"),
        body.as_bytes(),
    ));
    assert_eq!(path, "loyalty.tier");
    // The body of a type the crate does not know, kept raw.
    let unknown = WebhookType::from("CREATE_WAREHOUSE_ZONE");
    let (path, message) = refused(skladon::Notification::read(
        unknown.clone(),
        None,
        br#"{"zone":{"code":"A1","code":"A2"}}"#,
    ));
    assert_eq!(path, "zone.code");
    assert_eq!(message, "duplicate field `code`");
    // Without the repeat, the same body is kept.
    let ok = skladon::Notification::read(unknown, None, br#"{"zone":{"code":"A1"}}"#).unwrap();
    assert!(matches!(ok, skladon::Notification::Unknown { .. }));
}

#[test]
fn raw_json_built_in_code_refuses_repeats_too() {
    let err = delivery_webhooks::RawJson::new(r#"{"a":[{"b":1,"b":2}]}"#).unwrap_err();
    let (path, message) = refused::<()>(Err(err));
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("a[0].b", "duplicate field `b`")
    );
    assert!(delivery_webhooks::RawJson::new(r#"{"a":[{"b":1},{"b":2}]}"#).is_ok());
}

// ---- Numbers ----------------------------------------------------------------------------

fn peddler_with_id(id: &str) -> String {
    with(
        &fixture("peddler/out_for_delivery.json"),
        &format!(r#""id": {}"#, peddler_id_in_fixture()),
        &format!(r#""id": {id}"#),
    )
}

fn peddler_id_in_fixture() -> String {
    let v: serde_json::Value =
        serde_json::from_str(&fixture("peddler/out_for_delivery.json")).unwrap();
    v["id"].to_string()
}

#[test]
fn peddler_ids_beyond_64_bits_stay_two_ids_and_two_dedup_keys() {
    let verifier = peddler::Verifier::new("peddler-shared-token").unwrap();
    let mut keys = Vec::new();
    for id in ["18446744073709551616", "18446744073709551617"] {
        let body = peddler_with_id(id);
        let update = peddler::parse(body.as_bytes()).unwrap();
        assert_eq!(update.id, id, "the digits as sent");
        let request = testing::peddler::request("peddler-shared-token", body.into_bytes());
        let delivery = verifier.receive(&request.build().request()).unwrap();
        assert!(delivery.dedup_key().to_string().contains(id));
        keys.push(delivery.dedup_key().clone());
    }
    assert_ne!(keys[0], keys[1], "two deliveries, two keys");
    // Decimals and exponents are kept as written, not as an f64 prints them.
    for id in [
        "9007199254740993.0",
        "1.50",
        "1e3",
        "-0",
        "123456.00000000000001",
    ] {
        let update = peddler::parse(peddler_with_id(id).as_bytes()).unwrap();
        assert_eq!(update.id, id);
    }
}

#[test]
fn skladon_sku_keeps_its_digits() {
    let body = with(
        &fixture("skladon/product_unknown_values.json"),
        "8594001234567",
        "18446744073709551617",
    );
    let Entity::Product(product) =
        skladon::parse(&WebhookType::from("CREATE_PRODUCT"), body.as_bytes()).unwrap()
    else {
        panic!("a product")
    };
    assert_eq!(product.sku, "18446744073709551617");
}

fn wakilni_order_id(id: &str) -> Result<u64, Error> {
    let body = with(
        &fixture("wakilni/order_ready_for_self_pickup.json"),
        r#""order_id": 123456"#,
        &format!(r#""order_id": {id}"#),
    );
    wakilni::parse(body.as_bytes()).map(|event| match event.data {
        wakilni::EventData::OrderReadyForSelfPickup(d) => d.order_id,
        other => panic!("{other:?}"),
    })
}

#[test]
fn an_integer_field_takes_only_what_it_holds_exactly() {
    for (sent, read) in [
        ("9007199254740992", 9_007_199_254_740_992),
        ("9007199254740993", 9_007_199_254_740_993),
        ("9007199254740993.0", 9_007_199_254_740_993),
        ("9007199254740991", 9_007_199_254_740_991),
        ("18446744073709551615", u64::MAX),
        ("18446744073709551615.000", u64::MAX),
        ("1.23456e5", 123_456),
        ("123456e0", 123_456),
        ("12345600e-2", 123_456),
        ("-0", 0),
        ("0e99999999999", 0),
        (r#""9007199254740993""#, 9_007_199_254_740_993),
    ] {
        assert_eq!(wakilni_order_id(sent).unwrap(), read, "{sent}");
    }
    for (sent, why) in [
        ("123456.00000000000001", "fractional part"),
        ("123456.5", "fractional part"),
        ("1e-3", "fractional part"),
        ("18446744073709551616", "out of range"),
        ("18446744073709551617", "out of range"),
        ("1.8446744073709551616e19", "out of range"),
        ("1e400", "out of range"),
        ("-1", "out of range"),
        ("-9007199254740993.0", "out of range"),
    ] {
        let (path, message) = refused(wakilni_order_id(sent));
        assert_eq!(path, "data.order_id", "{sent}");
        assert!(
            message.contains(why) && message.contains(sent),
            "{sent}: {message}"
        );
    }
    // A sender's text is quoted only by its start.
    let long = format!("1{}.5", "0".repeat(10_000));
    let (_, message) = refused(wakilni_order_id(&long));
    assert!(message.len() < 200, "{message}");
}

#[test]
fn a_signed_integer_field_at_its_edges() {
    let count = |sent: &str| {
        let body = with(
            &fixture("skladon/stock_movement.json"),
            r#""count": -3"#,
            &format!(r#""count": {sent}"#),
        );
        skladon::parse(
            &WebhookType::from("CREATE_STOCK_MOVEMENT_STOCK_CORRECTION"),
            body.as_bytes(),
        )
        .map(|e| match e {
            Entity::StockMovement(m) => m.count,
            other => panic!("{other:?}"),
        })
    };
    assert_eq!(count("-9223372036854775808").unwrap(), i64::MIN);
    assert_eq!(count("9223372036854775807").unwrap(), i64::MAX);
    assert_eq!(count("-3.0").unwrap(), -3);
    assert_eq!(count("-0").unwrap(), 0);
    assert_eq!(count("-2.5e1").unwrap(), -25);
    for sent in ["-9223372036854775809", "9223372036854775808", "-3.5"] {
        let (path, _) = refused(count(sent));
        assert_eq!(path, "count", "{sent}");
    }
}
