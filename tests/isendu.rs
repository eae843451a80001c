//! isendu: every fixture's fields, the handshake, the URL token, the order-independent fold,
//! the round trip and negative cases.
#![cfg(feature = "isendu")]

mod common;

use delivery_webhooks::isendu::{
    self, Message, Order, OrderStatus, State, Step, Tracking, TrackingStatus, Update,
    VerificationRequest, Verifier,
};
use delivery_webhooks::{
    Decimal, DedupKey, Error, Provider, RawJson, Request, Timestamp, TimestampOrText, UrlToken,
};
use time::OffsetDateTime;

const NO_HEADERS: [(&str, &str); 0] = [];
use time::macros::datetime;

/// The instant of an optional isendu time (documented as UTC: no zone reads as UTC).
fn utc(t: &Option<TimestampOrText>) -> Option<OffsetDateTime> {
    Some(t.as_ref()?.timestamp()?.assume_utc())
}

/// An optional time as a payload holds it.
fn stamp(t: OffsetDateTime) -> Option<TimestampOrText> {
    Some(Timestamp::from(t).into())
}

/// Unmodelled JSON as a `serde_json::Value`, to compare with `json!`.
fn value(raw: &RawJson) -> serde_json::Value {
    raw.to_value().unwrap()
}

/// A `serde_json::Value` as unmodelled JSON.
fn raw(v: serde_json::Value) -> RawJson {
    serde_json::from_str(&v.to_string()).unwrap()
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../fixtures/isendu/", $name, ".json")).as_slice()
    };
}

const KEY_ID: &str = "ak_3f1c2a9e5b7d4e8a";
const SECRET: &str = "sk_live_Zx81-secret-key";

fn payload_error(err: Error) -> delivery_webhooks::PayloadError {
    match err {
        Error::Payload(p) => p,
        other => panic!("expected a payload error, got {other:?}"),
    }
}

fn update(body: &[u8]) -> Update {
    match isendu::parse(body).unwrap() {
        Message::Update(u) => u,
        other => panic!("expected an update, got {other:?}"),
    }
}

fn roundtrip(message: &Message) -> Vec<u8> {
    let bytes = serde_json::to_vec(message).unwrap();
    let again = isendu::parse(&bytes).unwrap();
    assert_eq!(&again, message, "{}", String::from_utf8_lossy(&bytes));
    bytes
}

fn dec(text: &str) -> Option<Decimal> {
    Some(Decimal::parse(text).unwrap())
}

// ----- fixtures --------------------------------------------------------------------------

#[test]
fn verification_fixture() {
    let msg = isendu::parse(fixture!("verification")).unwrap();
    let Message::Verification(req) = &msg else {
        panic!("{msg:?}")
    };
    assert_eq!(req.key_id, KEY_ID);
    let bytes = roundtrip(&msg);
    assert_eq!(bytes, br#"{"keyId":"ak_3f1c2a9e5b7d4e8a"}"#);
}

#[test]
fn doc_sample_made_valid() {
    let msg = isendu::parse(fixture!("update_doc_sample")).unwrap();
    let Message::Update(u) = &msg else {
        panic!("{msg:?}")
    };
    assert_eq!(u.order.len(), 1);
    let o = &u.order[0];
    assert_eq!(o.uuid, "o-5a0b7c1e-2f43-4d8e-9a61-0c3b2d4e5f60");
    assert_eq!(o.status, Some(OrderStatus::Fulfilled));
    assert_eq!(utc(&o.updated), Some(datetime!(2024-05-02 09:30:00 UTC)));
    assert!(o.extra.is_empty() && o.items.is_none() && o.total.is_none());

    assert_eq!(u.tracking.len(), 1);
    let t = &u.tracking[0];
    assert_eq!(t.uuid, "8d2f6e4a-1b3c-4d5e-8f70-9a1b2c3d4e5f");
    assert_eq!(t.status, Some(TrackingStatus::InTransit));
    assert_eq!(t.tracking_number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(
        t.tracking_url.as_deref(),
        Some("https://track.example.com/1Z999AA10123456784")
    );
    assert_eq!(t.delivered, Some(false));
    assert_eq!((&t.created, t.shipment_ref.as_deref()), (&None, None));
    assert_eq!((t.pod, t.external, &t.error), (None, None, &None));
    assert_eq!(t.steps.len(), 1);
    let s = &t.steps[0];
    assert_eq!(s.uuid, None);
    assert_eq!(s.datetime.as_deref(), Some("02/05/2024 11:42"));
    assert_eq!(utc(&s.timestamp), Some(datetime!(2024-05-02 09:42:00 UTC)));
    assert_eq!(s.timezone.as_deref(), Some("Europe/Rome"));
    assert_eq!(
        s.description.as_deref(),
        Some("Parcel picked up by the courier")
    );
    assert_eq!(s.location.as_deref(), Some("Milano"));
    assert_eq!(s.status, Some(TrackingStatus::InTransit));
    assert_eq!(s.pod_url, None);
    let e = s.error.as_ref().unwrap();
    assert_eq!(e.code.as_deref(), Some("0"));
    assert_eq!(e.message.as_deref(), Some(""));
    assert_eq!((e.i18n_code.as_deref(), &e.date), (None, &None));
    roundtrip(&msg);
}

#[test]
fn batch_order_with_every_documented_field() {
    let u = update(fixture!("update_batch"));
    assert_eq!(u.order.len(), 3);
    let o = &u.order[0];
    assert_eq!(o.uuid, "o-11111111-1111-4111-8111-111111111111");
    assert_eq!(utc(&o.updated), Some(datetime!(2024-05-03 16:05:00 UTC)));
    assert_eq!(utc(&o.created), Some(datetime!(2024-05-01 08:00:00 UTC)));
    assert_eq!(o.status, Some(OrderStatus::Delivered));
    assert_eq!(o.store_order_id.as_deref(), Some("#1042"));
    assert_eq!(o.store_internal_order_id.as_deref(), Some("5531240961"));
    assert_eq!(
        utc(&o.store_creation_date),
        Some(datetime!(2024-05-01 07:59:12 +02:00))
    );
    let total = o.total.as_ref().unwrap();
    assert_eq!((total.as_str(), total.was_string()), ("59.90", true));
    assert_eq!(total.to_f64(), Some(59.9));
    let subtotal = o.subtotal.as_ref().unwrap();
    assert_eq!((subtotal.as_str(), subtotal.was_string()), ("52.5", false));
    assert_eq!(o.shipping_total.as_ref().unwrap().as_str(), "7.40");
    assert_eq!(o.currency.as_deref(), Some("EUR"));
    assert_eq!(o.shipping_method.as_deref(), Some("Standard"));
    assert_eq!(o.payment_method.as_deref(), Some("paypal"));
    assert_eq!(o.items_count, Some(2));
    assert_eq!(
        o.first_item_image_url.as_deref(),
        Some("https://cdn.example.com/p/mug.jpg")
    );
    let ti = o.tracking_information.as_ref().unwrap();
    assert_eq!(ti.len(), 1);
    assert_eq!(ti[0].number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(
        ti[0].url.as_deref(),
        Some("https://track.example.com/1Z999AA10123456784")
    );
    assert_eq!(ti[0].status, Some(TrackingStatus::Delivered));
    assert_eq!(
        o.customer_note.as_deref(),
        Some("Leave at the door, please \"back\" entrance")
    );
    assert_eq!(o.error, None);
    let si = o.shipping_information.as_ref().unwrap();
    assert_eq!(
        si.parcels.as_ref().map(value),
        Some(serde_json::json!([{"weight": 1.2, "length": 30, "width": 20, "height": 10}]))
    );
    assert_eq!(
        si.shipment_details.as_ref().map(value),
        Some(serde_json::json!({"service": "express", "insured": true}))
    );
    assert_eq!(
        si.additional_services.as_ref().map(value),
        Some(serde_json::json!(["cod"]))
    );
    assert_eq!(
        value(si.addresses.as_ref().unwrap())["to"]["city"],
        serde_json::json!("Milano")
    );
    assert_eq!(si.pudo_id.as_deref(), Some("88123"));
    assert_eq!(
        o.delivery_day_estimate.as_ref().map(value),
        Some(serde_json::json!(2))
    );

    let items = o.items.as_ref().unwrap();
    assert_eq!(items.len(), 2);
    let mug = &items[0];
    assert_eq!(
        mug.uuid.as_deref(),
        Some("i-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
    );
    assert_eq!(mug.quantity, Some(1));
    assert_eq!(mug.name.as_deref(), Some("Ceramic mug"));
    assert_eq!(mug.weight.as_ref().unwrap().as_str(), "0.450");
    assert_eq!(
        mug.image_url.as_deref(),
        Some("https://cdn.example.com/p/mug.jpg")
    );
    assert_eq!(mug.weight_unit.as_deref(), Some("kg"));
    // A JSON number keeps its exact text, trailing zero included.
    assert_eq!(mug.price, dec("12.50"));
    assert_eq!(mug.product_id.as_deref(), Some("734001"));
    assert_eq!(mug.sku.as_deref(), Some("MUG-WHT"));
    assert_eq!(mug.asin.as_deref(), Some("B000000001"));
    let tea = &items[1];
    assert_eq!(tea.quantity, Some(3));
    assert_eq!(tea.weight, dec("0.1"));
    // More digits than an f64 holds: kept digit for digit.
    assert_eq!(
        tea.price.as_ref().unwrap().as_str(),
        "13.3333333333333333333"
    );
    assert_eq!(tea.product_id.as_deref(), Some("TEA-100"));
    assert_eq!(
        (tea.image_url.as_deref(), tea.asin.as_deref()),
        (None, None)
    );

    // Fields isendu sends beyond the documented ones are kept, `null` included.
    assert_eq!(o.extra.len(), 3);
    assert_eq!(
        value(&o.extra["storeName"]),
        serde_json::json!("Bottega Rossi")
    );
    assert_eq!(value(&o.extra["tags"]), serde_json::json!(["vip", "gift"]));
    assert_eq!(value(&o.extra["marketplace"]), serde_json::Value::Null);

    let o2 = &u.order[1];
    assert_eq!(o2.status, Some(OrderStatus::Error));
    let e = o2.error.as_ref().unwrap();
    assert_eq!(e.message.as_deref(), Some("Address could not be validated"));
    assert_eq!(e.code.as_deref(), Some("4012"));
    assert_eq!(e.i18n_code.as_deref(), Some("errors.address.invalid"));
    assert_eq!(utc(&e.date), Some(datetime!(2024-05-02 10:00:00 UTC)));
    assert_eq!(u.order[2].status, Some(OrderStatus::PartiallyFulfilled));
    roundtrip(&Message::Update(u));
}

#[test]
fn batch_trackings_steps_and_errors() {
    let u = update(fixture!("update_batch"));
    assert_eq!(u.tracking.len(), 3);
    let t = &u.tracking[0];
    assert_eq!(t.uuid, "t-aaaa0001");
    assert_eq!(utc(&t.created), Some(datetime!(2024-05-01 08:10:00 UTC)));
    assert_eq!(t.status, Some(TrackingStatus::Delivered));
    assert!(t.status.as_ref().unwrap().is_final());
    assert_eq!(t.tracking_number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(
        t.tracking_url.as_deref(),
        Some("https://track.example.com/1Z999AA10123456784")
    );
    assert_eq!(t.delivered, Some(true));
    assert_eq!(t.shipment_ref.as_deref(), Some("SR-1042-1"));
    assert_eq!((t.pod, t.external), (Some(true), Some(false)));
    assert_eq!(t.error, None);
    // Steps are kept in the order sent (out of order here)...
    let uuids: Vec<_> = t.steps.iter().map(|s| s.uuid.as_deref().unwrap()).collect();
    assert_eq!(uuids, ["s-3", "s-1", "s-2"]);
    // ...and the newest is found by timestamp.
    let latest = t.latest_step().unwrap();
    assert_eq!(latest.uuid.as_deref(), Some("s-3"));
    assert_eq!(
        t.latest_timestamp(),
        Some(datetime!(2024-05-03 16:04:00 UTC))
    );
    assert_eq!(latest.status, Some(TrackingStatus::Delivered));
    assert_eq!(latest.description.as_deref(), Some("Delivered"));
    assert_eq!(latest.datetime.as_deref(), Some("03/05/2024 18:04"));
    assert_eq!(latest.timezone.as_deref(), Some("Europe/Rome"));
    assert_eq!(latest.location.as_deref(), Some("Milano"));
    assert_eq!(
        latest.pod_url.as_deref(),
        Some("https://pod.example.com/s-3.pdf")
    );
    assert_eq!(latest.error, None);
    assert_eq!(t.steps[1].status, Some(TrackingStatus::AwaitingPickup));
    assert_eq!(t.steps[1].location, None);
    assert_eq!(t.steps[2].location.as_deref(), Some("Bologna hub"));
    assert_eq!(t.steps[2].timezone, None);

    let t2 = &u.tracking[1];
    assert_eq!(t2.status, Some(TrackingStatus::Exception));
    assert_eq!((t2.pod, t2.external), (Some(false), Some(true)));
    let e = t2.error.as_ref().unwrap();
    assert_eq!(e.message.as_deref(), Some("Consignee address incomplete"));
    assert_eq!(e.code.as_deref(), Some("ADDR_INCOMPLETE"));
    assert_eq!(
        e.i18n_code.as_deref(),
        Some("tracking.errors.address_incomplete")
    );
    let step = &t2.steps[0];
    assert_eq!(step.datetime.as_deref(), Some("Thu May 02 2024 16:20"));
    assert_eq!(
        utc(&step.timestamp),
        Some(datetime!(2024-05-02 14:20:00 UTC))
    );
    let se = step.error.as_ref().unwrap();
    assert_eq!(se.code.as_deref(), Some("31"));
    assert_eq!(se.i18n_code.as_deref(), Some("courier.errors.31"));
    assert_eq!(se.message.as_deref(), Some("Address incomplete"));

    let t3 = &u.tracking[2];
    assert_eq!(t3.status, Some(TrackingStatus::AwaitingPickup));
    assert!(t3.steps.is_empty() && t3.latest_step().is_none());
}

#[test]
fn loose_values_quirks() {
    let msg = isendu::parse(fixture!("quirk_loose_values")).unwrap();
    let Message::Update(u) = &msg else {
        panic!("{msg:?}")
    };
    let t = &u.tracking[0];
    assert_eq!(t.uuid, "4711");
    // Naive date-times are UTC, as isendu documents its timestamps.
    assert_eq!(utc(&t.created), Some(datetime!(2024-05-02 09:00:00 UTC)));
    assert_eq!(t.status, Some(TrackingStatus::Delivered));
    assert_eq!(t.tracking_number.as_deref(), Some("340434161094042557"));
    assert_eq!(
        (t.delivered, t.pod, t.external),
        (Some(true), Some(false), Some(false))
    );
    let s0 = &t.steps[0];
    assert_eq!(s0.status, Some(TrackingStatus::Other("x".into())));
    assert!(s0.status.as_ref().unwrap().is_other());
    assert_eq!(s0.datetime.as_deref(), Some("20240502"));
    assert_eq!(utc(&s0.timestamp), Some(datetime!(2024-05-02 09:30:00 UTC)));
    let s1 = &t.steps[1];
    assert_eq!((s1.uuid.as_deref(), &s1.timestamp), (None, &None));
    assert_eq!(s1.datetime.as_deref(), Some("yesterday"));
    // Steps without a timestamp count as oldest.
    assert_eq!(t.latest_step().unwrap().uuid.as_deref(), Some("s-1"));

    let o = &u.order[0];
    assert_eq!(o.status, Some(OrderStatus::InTransit));
    let total = o.total.as_ref().unwrap();
    assert_eq!((total.as_str(), total.to_f64()), (" 7 ", Some(7.0)));
    assert_eq!(o.items_count, Some(1));
    assert_eq!(o.updated, None);
    assert_eq!((&o.delivery_day_estimate, &o.items), (&None, &None));
    assert!(o.extra.is_empty());
    let o2 = &u.order[1];
    assert_eq!(o2.status, Some(OrderStatus::Other("on_hold".into())));
    assert_eq!(o2.status.as_ref().unwrap().as_str(), "on_hold");
    assert_eq!(o2.total, None);
    assert_eq!(utc(&o2.updated), Some(datetime!(2024-05-04 00:00:00 UTC)));
    roundtrip(&msg);
}

#[test]
fn empty_batches() {
    let u = update(fixture!("update_empty"));
    assert!(u.is_empty());
    for body in [
        &br#"{"order":null}"#[..],
        br#"{"tracking":[]}"#,
        br#"{"order":[],"tracking":[],"other":1}"#,
    ] {
        assert_eq!(update(body), Update::default());
    }
    let bytes = roundtrip(&Message::Update(u));
    assert_eq!(bytes, br#"{"order":[],"tracking":[]}"#);
}

#[test]
fn serializes_to_the_wire_names_and_exact_amounts() {
    let u = update(fixture!("update_batch"));
    let text = String::from_utf8(serde_json::to_vec(&u).unwrap()).unwrap();
    for needle in [
        r#""trackingNumber":"1Z999AA10123456784""#,
        r#""trackingUrl":"#,
        r#""shipmentRef":"SR-1042-1""#,
        r#""podUrl":"https://pod.example.com/s-3.pdf""#,
        r#""i18nCode":"courier.errors.31""#,
        r##""storeOrderId":"#1042""##,
        r#""storeInternalOrderId":"5531240961""#,
        r#""storeCreationDate":"2024-05-01T07:59:12+02:00""#,
        r#""total":"59.90""#,
        r#""subtotal":52.5"#,
        r#""price":12.50"#,
        r#""price":"13.3333333333333333333""#,
        r#""weight":"0.450""#,
        r#""itemsCount":2"#,
        r#""firstItemImageUrl":"#,
        r#""trackingInformation":[{"number":"1Z999AA10123456784""#,
        r#""shippingInformation":{"#,
        r#""pudoId":"88123""#,
        r#""deliveryDayEstimate":2"#,
        r#""imageUrl":"#,
        r#""weightUnit":"kg""#,
        r#""productId":"734001""#,
        r#""storeName":"Bottega Rossi""#,
        r#""marketplace":null"#,
        r#""status":"partially_fulfilled""#,
        r#""status":"D""#,
        r#""timestamp":"2024-05-03T16:04:00Z""#,
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    // Absent optional fields stay absent.
    assert!(!text.contains("\"error\":null"), "{text}");
}

#[test]
fn order_extra_cannot_shadow_typed_fields() {
    let mut o = Order::new("o-1");
    o.status = Some(OrderStatus::Pending);
    o.extra
        .insert("status".into(), raw(serde_json::json!("cancelled")));
    o.extra.insert("zeta".into(), raw(serde_json::json!(1)));
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"uuid":"o-1","status":"pending","zeta":1})
    );
}

#[test]
fn every_status_value() {
    let letters: Vec<_> = TrackingStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(letters, ["P", "T", "D", "F", "E", "R", "U"]);
    for s in TrackingStatus::ALL {
        assert_eq!(&TrackingStatus::from(s.as_str().to_lowercase().as_str()), s);
    }
    assert_eq!(TrackingStatus::from("F"), TrackingStatus::Failed);
    assert_eq!(TrackingStatus::from("R"), TrackingStatus::Returned);
    assert_eq!(TrackingStatus::from("U"), TrackingStatus::Unknown);
    assert!(!TrackingStatus::Unknown.is_other());
    let names: Vec<_> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "pending",
            "partially_fulfilled",
            "generating_labels",
            "fulfilled",
            "in_transit",
            "delivered",
            "exception",
            "cancelled",
            "refunded",
            "externally_handled",
            "error"
        ]
    );
    assert_eq!(OrderStatus::from("canceled"), OrderStatus::Cancelled);
    assert_eq!(
        OrderStatus::from("Generating-Labels"),
        OrderStatus::GeneratingLabels
    );
    assert_eq!(
        OrderStatus::from("Externally Handled"),
        OrderStatus::ExternallyHandled
    );
}

// ----- the handshake ---------------------------------------------------------------------

#[test]
fn handshake_answer_for_the_right_key_id() {
    let v = Verifier::without_url_token([(KEY_ID, SECRET)]).unwrap();
    let Message::Verification(req) = isendu::parse(fixture!("verification")).unwrap() else {
        panic!()
    };
    assert_eq!(
        v.answer(&req).unwrap().as_str(),
        r#"{"response":"sk_live_Zx81-secret-key"}"#
    );
    let delivery = v
        .receive(&Request::new(&NO_HEADERS, fixture!("verification")).uri("/hooks/isendu"))
        .unwrap();
    assert_eq!(
        delivery.reply.body(),
        br#"{"response":"sk_live_Zx81-secret-key"}"#
    );
    assert_eq!(delivery.reply.content_type(), Some("application/json"));
    assert!(delivery.reply.holds_secret());
    assert_eq!(
        *delivery.dedup_key(),
        DedupKey::of_body(Provider::Isendu, fixture!("verification"))
    );
    let Message::Verification(request) = &delivery.payload else {
        panic!()
    };
    assert_eq!(request.key_id, KEY_ID);
    assert_eq!(isendu::RESPONSE_CONTENT_TYPE, "application/json");
}

#[test]
fn handshake_mismatch_reveals_nothing() {
    let v = Verifier::without_url_token([(KEY_ID, SECRET)]).unwrap();
    for other in [
        "",
        "ak_3f1c2a9e5b7d4e8",
        "ak_3f1c2a9e5b7d4e8a ",
        "AK_3F1C2A9E5B7D4E8A",
        SECRET,
    ] {
        let err = v.answer(&VerificationRequest::new(other)).unwrap_err();
        assert!(matches!(err, Error::TokenMismatch), "{other}");
        assert_eq!(err.status_code(), 401);
        assert!(!err.to_string().contains(SECRET) && !format!("{err:?}").contains(SECRET));
    }
    let err = v
        .receive(&Request::new(&NO_HEADERS, br#"{"keyId":"someone-else"}"#).uri("/h"))
        .unwrap_err();
    assert!(matches!(err, Error::TokenMismatch));
}

#[test]
fn handshake_escapes_the_secret() {
    let cases = [
        (r#"a"b"#, r#"{"response":"a\"b"}"#),
        (r"a\b", r#"{"response":"a\\b"}"#),
        ("päss🔑", "{\"response\":\"päss🔑\"}"),
        ("line\nfeed\ttab", r#"{"response":"line\nfeed\ttab"}"#),
        ("nul\u{0}bell\u{7}", r#"{"response":"nul\u0000bell\u0007"}"#),
        ("</script>", r#"{"response":"</script>"}"#),
    ];
    for (secret, want) in cases {
        let v = Verifier::without_url_token([(KEY_ID, secret)]).unwrap();
        let body = v.answer(&VerificationRequest::new(KEY_ID)).unwrap();
        assert_eq!(body.as_str(), want);
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed, serde_json::json!({ "response": secret }));
    }
}

#[test]
fn handshake_with_several_key_pairs() {
    let v = Verifier::without_url_token([("old-key", "old-secret"), ("new-key", "new-secret")])
        .unwrap();
    assert_eq!(
        v.answer(&VerificationRequest::new("old-key"))
            .unwrap()
            .as_str(),
        r#"{"response":"old-secret"}"#
    );
    assert_eq!(
        v.answer(&VerificationRequest::new("new-key"))
            .unwrap()
            .as_str(),
        r#"{"response":"new-secret"}"#
    );
    assert!(v.answer(&VerificationRequest::new("other")).is_err());
}

#[test]
fn numeric_key_id_is_refused() {
    // An identifier of the wrong JSON kind is an error naming the path, never converted.
    for (body, found) in [
        (&br#"{"keyId":12345}"#[..], "integer `12345`"),
        (br#"{"keyId":1.5}"#, "floating point `1.5`"),
        (br#"{"keyId":true}"#, "boolean `true`"),
        (br#"{"keyId":null}"#, "null"),
        (br#"{"keyId":["k"]}"#, "sequence"),
    ] {
        let p = payload_error(isendu::parse(body).unwrap_err());
        assert_eq!(p.path(), "keyId", "{p}");
        assert!(p.message().contains(found), "{p}");
        assert!(p.message().contains("expected a string"), "{p}");
    }
    let Message::Verification(req) = isendu::parse(br#"{"keyId":"12345"}"#).unwrap() else {
        panic!()
    };
    assert_eq!(req.key_id, "12345");
}

#[test]
fn empty_secrets_are_refused_and_debug_is_redacted() {
    assert!(matches!(
        Verifier::without_url_token([("", SECRET)]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    assert!(matches!(
        Verifier::without_url_token([(KEY_ID, "")]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    assert!(matches!(
        Verifier::without_url_token(Vec::<(&str, &str)>::new()),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    assert!(matches!(
        Verifier::without_url_token([("a", "b"), ("c", "")]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    let v = Verifier::new(
        KEY_ID,
        SECRET,
        UrlToken::query("token", "url-secret-123-5f1c9a").unwrap(),
    )
    .unwrap();
    let debug = format!("{v:?}");
    for hidden in [SECRET, KEY_ID, "url-secret-123-5f1c9a"] {
        assert!(!debug.contains(hidden), "{debug}");
    }
    assert!(debug.contains("1 redacted key pair"), "{debug}");
    let delivery = v
        .receive(
            &Request::new(&NO_HEADERS, fixture!("verification"))
                .uri("/h?token=url-secret-123-5f1c9a"),
        )
        .unwrap();
    // The key id unlocks the answer: the delivered handshake hides it too.
    let debug = format!("{delivery:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains(KEY_ID),
        "{debug}"
    );
    assert!(
        debug.contains("VerificationRequest { key_id: \"[redacted]\" }"),
        "{debug}"
    );
}

// ----- the URL token ---------------------------------------------------------------------

#[test]
fn url_token_in_the_query() {
    let v = Verifier::new(
        KEY_ID,
        SECRET,
        UrlToken::query("token", "u9X2-long-random-value").unwrap(),
    )
    .unwrap();
    let body = fixture!("update_doc_sample");
    for url in [
        "/hooks/isendu?token=u9X2-long-random-value",
        "https://shop.example/hooks/isendu?a=1&token=u9X2%2Dlong-random-value",
    ] {
        let delivery = v
            .receive(&Request::new(&NO_HEADERS, body).uri(url))
            .unwrap();
        assert!(matches!(delivery.payload, Message::Update(_)));
        assert_eq!(
            (delivery.reply.status_code(), delivery.reply.body()),
            (200, &b""[..])
        );
    }
    for url in [
        "/hooks/isendu",
        "/hooks/isendu?token=",
        "/hooks/isendu?token=u9X2-long-random-valu",
        "/hooks/isendu?tok=u9X2-long-random-value",
        "/hooks/u9X2-long-random-value",
        "/hooks/isendu?token=u9X2-long-random-value&token=x",
    ] {
        let err = v
            .receive(&Request::new(&NO_HEADERS, body).uri(url))
            .unwrap_err();
        assert!(matches!(err, Error::TokenMismatch), "{url}");
        assert_eq!(err.status_code(), 401);
        // The handshake is protected too: no secret for a wrong URL.
        assert!(
            v.receive(&Request::new(&NO_HEADERS, fixture!("verification")).uri(url))
                .is_err(),
            "{url}"
        );
    }
    // The token is checked before the body is parsed.
    assert!(matches!(
        v.receive(&Request::new(&NO_HEADERS, b"not json").uri("/hooks/isendu")),
        Err(Error::TokenMismatch)
    ));
}

#[test]
fn url_token_in_a_path_segment() {
    let v = Verifier::new(
        KEY_ID,
        SECRET,
        UrlToken::path_segment("p7-secret-5f1c9a7e").unwrap(),
    )
    .unwrap();
    let body = fixture!("verification");
    v.verify(&Request::new(&NO_HEADERS, body).uri("/hooks/isendu/p7-secret-5f1c9a7e"))
        .unwrap();
    v.verify(
        &Request::new(&NO_HEADERS, body)
            .uri("https://shop.example/hooks/p7-secret-5f1c9a7e/isendu?x=1"),
    )
    .unwrap();
    assert!(
        v.verify(&Request::new(&NO_HEADERS, body).uri("/hooks/isendu?token=p7-secret-5f1c9a7e"))
            .is_err()
    );
    assert!(
        v.verify(&Request::new(&NO_HEADERS, body).uri("/hooks/isendu/p7-secre"))
            .is_err()
    );
}

#[test]
fn without_a_url_token_any_url_is_accepted() {
    let v = Verifier::without_url_token([(KEY_ID, SECRET)]).unwrap();
    v.verify(&Request::new(&NO_HEADERS, fixture!("update_batch")).uri(""))
        .unwrap();
    v.verify(&Request::new(&NO_HEADERS, fixture!("update_batch")).uri("/anything?token=whatever"))
        .unwrap();
}

#[test]
fn body_size_limit() {
    let v = Verifier::without_url_token([(KEY_ID, SECRET)])
        .unwrap()
        .body_limit(16);
    let err = v
        .receive(&Request::new(&NO_HEADERS, fixture!("update_batch")).uri("/h"))
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 16, .. }));
    assert_eq!(err.status_code(), 413);
    // Checked before anything else, even the body's shape.
    assert!(matches!(
        v.receive(&Request::new(&NO_HEADERS, &[b'x'; 17]).uri("/h")),
        Err(Error::BodyTooLarge { .. })
    ));
}

// ----- malformed bodies -------------------------------------------------------------------

#[test]
fn non_json_bodies() {
    for body in [
        &b""[..],
        b"not json",
        b"[1,2,3]",
        b"null",
        b"\"keyId\"",
        b"\xff\xfe",
    ] {
        let err = isendu::parse(body).unwrap_err();
        assert_eq!(err.status_code(), 400);
        let p = payload_error(err);
        assert_eq!(p.path(), ".", "{}", String::from_utf8_lossy(body));
    }
    let p = payload_error(isendu::parse(b"[]").unwrap_err());
    assert!(p.message().contains("verification request"), "{p}");
    let p = payload_error(isendu::parse(b"{\"tracking\":[").unwrap_err());
    assert!(p.message().contains("EOF"), "{p}");
}

#[test]
fn neither_or_both_shapes_say_what_was_expected() {
    for body in [&b"{}"[..], br#"{"foo":1}"#, br#"{"key_id":"x"}"#] {
        let p = payload_error(isendu::parse(body).unwrap_err());
        assert!(p.message().contains("neither `keyId` nor"), "{p}");
        assert!(p.message().contains(r#"{"keyId": ...}"#), "{p}");
        assert!(p.message().contains(r#""tracking": [...]"#), "{p}");
    }
    for body in [
        &br#"{"keyId":"x","order":[]}"#[..],
        br#"{"tracking":null,"keyId":"x"}"#,
    ] {
        let p = payload_error(isendu::parse(body).unwrap_err());
        assert!(p.message().contains("both `keyId` and"), "{p}");
    }
    // `Update` read directly refuses a handshake.
    let err = serde_json::from_slice::<Update>(br#"{"keyId":"x"}"#).unwrap_err();
    assert!(err.to_string().contains("expected an update"), "{err}");
}

#[test]
fn wrong_types_name_the_path() {
    let cases: [(&str, &str, &str); 13] = [
        (r#"{"keyId":null}"#, "keyId", "null"),
        (r#"{"keyId":{"a":1}}"#, "keyId", "map"),
        (r#"{"order":{}}"#, "order", "map"),
        (r#"{"tracking":"all"}"#, "tracking", "all"),
        (
            r#"{"tracking":[{"uuid":"t","delivered":"boolean"}]}"#,
            "tracking[0].delivered",
            "boolean",
        ),
        (
            r#"{"tracking":[{"uuid":"t","pod":2}]}"#,
            "tracking[0].pod",
            "2",
        ),
        (
            r#"{"tracking":[{"uuid":"t"},{"uuid":"u","steps":[{"timestamp":{"at":1}}]}]}"#,
            "tracking[1].steps[0].timestamp",
            "map",
        ),
        (
            r#"{"tracking":[{"uuid":"t","created":[42]}]}"#,
            "tracking[0].created",
            "sequence",
        ),
        (
            r#"{"order":[{"uuid":"o","total":"12,50"}]}"#,
            "order[0].total",
            "12,50",
        ),
        (
            r#"{"order":[{"uuid":"o","total":true}]}"#,
            "order[0].total",
            "boolean",
        ),
        (
            r#"{"order":[{"uuid":"o","itemsCount":-1}]}"#,
            "order[0].itemsCount",
            "-1",
        ),
        (
            r#"{"order":[{"uuid":"o","items":[{"price":"free"}]}]}"#,
            "order[0].items[0].price",
            "free",
        ),
        (r#"{"order":[{"uuid":["o"]}]}"#, "order[0].uuid", "sequence"),
    ];
    for (body, path, found) in cases {
        let p = payload_error(isendu::parse(body.as_bytes()).unwrap_err());
        assert_eq!(p.path(), path, "{body}: {p}");
        assert!(p.message().contains(found), "{body}: {p}");
        assert!(p.line() >= 1 && p.column() >= 1, "{body}: {p}");
    }
}

#[test]
fn missing_and_duplicate_fields_are_named() {
    let p = payload_error(isendu::parse(br#"{"tracking":[{"status":"D"}]}"#).unwrap_err());
    assert!(p.message().contains("missing field `uuid`"), "{p}");
    assert_eq!(p.path(), "tracking[0]");
    let p = payload_error(
        isendu::parse(br#"{"order":[{"uuid":"a"},{"status":"pending"}]}"#).unwrap_err(),
    );
    assert!(p.message().contains("missing field `uuid`"), "{p}");
    assert_eq!(p.path(), "order[1]");
    for (body, field) in [
        (&br#"{"keyId":"a","keyId":"b"}"#[..], "keyId"),
        (br#"{"order":[],"order":[]}"#, "order"),
        (br#"{"order":[{"uuid":"a","uuid":"b"}]}"#, "uuid"),
        (br#"{"order":[{"uuid":"a","tags":1,"tags":2}]}"#, "tags"),
    ] {
        let p = payload_error(isendu::parse(body).unwrap_err());
        assert!(
            p.message().contains(&format!("duplicate field `{field}`")),
            "{p}"
        );
    }
}

#[test]
fn deeply_nested_extra_field_is_kept_not_a_crash() {
    let depth = 100_000;
    let mut body = String::from(r#"{"order":[{"uuid":"o","deep":"#);
    body.push_str(&"[".repeat(depth));
    body.push_str(&"]".repeat(depth));
    body.push_str("}]}");
    // Kept as raw text (`RawJson`, as everywhere in the crate): skipped without recursing, so
    // accepted with no stack overflow; a `Value` of it is a clean error.
    let u = update(body.as_bytes());
    let deep = &u.order[0].extra["deep"];
    assert_eq!(deep.get().len(), 2 * depth);
    let p = payload_error(deep.to_value().unwrap_err());
    assert!(p.message().contains("recursion limit"), "{p}");
}

// ----- the fold ----------------------------------------------------------------------------

fn step(uuid: Option<&str>, status: &str, ts: Option<time::OffsetDateTime>) -> Step {
    let mut s = Step::default();
    s.uuid = uuid.map(str::to_owned);
    s.status = Some(TrackingStatus::from(status));
    s.description = Some(format!("{status} step"));
    s.timestamp = ts.and_then(stamp);
    s
}

fn tracking(uuid: &str, status: &str, steps: Vec<Step>) -> Tracking {
    let mut t = Tracking::new(uuid);
    t.status = Some(TrackingStatus::from(status));
    t.delivered = Some(status == "D");
    t.steps = steps;
    t
}

fn tracking_update(t: Tracking) -> Update {
    Update::new(vec![], vec![t])
}

#[test]
fn fold_keeps_the_newest_step_and_unions_steps() {
    let early = tracking_update(tracking(
        "t1",
        "T",
        vec![step(Some("s1"), "T", Some(datetime!(2024-05-01 08:00 UTC)))],
    ));
    let late = tracking_update(tracking(
        "t1",
        "D",
        vec![step(Some("s2"), "D", Some(datetime!(2024-05-02 08:00 UTC)))],
    ));
    for order in [[&early, &late], [&late, &early]] {
        let state: State = order.into_iter().collect();
        let t = state.tracking("t1").unwrap();
        assert_eq!(t.status, Some(TrackingStatus::Delivered));
        assert_eq!(t.delivered, Some(true));
        let uuids: Vec<_> = t.steps.iter().map(|s| s.uuid.clone().unwrap()).collect();
        assert_eq!(uuids, ["s1", "s2"]);
    }
}

#[test]
fn fold_of_the_batch_fixture_orders_steps_by_time() {
    let state: State = [update(fixture!("update_batch"))].into_iter().collect();
    let t = state.tracking("t-aaaa0001").unwrap();
    let uuids: Vec<_> = t.steps.iter().map(|s| s.uuid.as_deref().unwrap()).collect();
    assert_eq!(uuids, ["s-1", "s-2", "s-3"]);
    assert_eq!(state.trackings().count(), 3);
    assert_eq!(state.orders().count(), 3);
    assert_eq!(
        state
            .order("o-22222222-2222-4222-8222-222222222222")
            .unwrap()
            .status,
        Some(OrderStatus::Error)
    );
    assert!(state.order("o-missing").is_none() && state.tracking("t-missing").is_none());
}

#[test]
fn fold_duplicates_and_stale_updates_change_nothing() {
    let u = update(fixture!("update_batch"));
    let mut state = State::new();
    assert!(state.is_empty());
    assert!(state.apply(&u));
    let once = state.clone();
    assert!(!state.apply(&u));
    assert_eq!(state, once);

    // An older snapshot of an order loses to the newer one, whatever the arrival order.
    let mut old = u.order[0].clone();
    old.updated = stamp(datetime!(2024-05-01 00:00 UTC));
    old.status = Some(OrderStatus::Pending);
    assert!(!state.apply_order(&old));
    assert_eq!(
        state.order(&old.uuid).unwrap().status,
        Some(OrderStatus::Delivered)
    );
    let mut fresh = State::new();
    assert!(fresh.apply_order(&old));
    assert!(fresh.apply(&u));
    assert_eq!(fresh, state);
}

#[test]
fn fold_ties_and_missing_timestamps_are_deterministic() {
    let ts = Some(datetime!(2024-05-02 08:00 UTC));
    // Same newest timestamp, same number of steps, different content.
    let a = tracking_update(tracking("t", "D", vec![step(Some("s"), "D", ts)]));
    let b = tracking_update(tracking("t", "F", vec![step(Some("s"), "F", ts)]));
    let ab: State = [&a, &b].into_iter().collect();
    let ba: State = [&b, &a].into_iter().collect();
    assert_eq!(ab, ba);
    assert_eq!(ab.tracking("t").unwrap().steps.len(), 1);
    // Whichever entry wins, it is the same one in both orders, for the fields and the step.
    let t = ab.tracking("t").unwrap();
    assert_eq!(t.status, ba.tracking("t").unwrap().status);
    assert_eq!(t.steps, ba.tracking("t").unwrap().steps);

    // No timestamps at all: still one answer, and a timestamped entry beats them.
    let c = tracking_update(tracking("t", "P", vec![step(None, "P", None)]));
    let d = tracking_update(tracking("t", "T", vec![step(None, "T", None)]));
    let cd: State = [&c, &d].into_iter().collect();
    let dc: State = [&d, &c].into_iter().collect();
    assert_eq!(cd, dc);
    assert_eq!(cd.tracking("t").unwrap().steps.len(), 2);
    let mut with_a = cd.clone();
    with_a.apply(&a);
    assert_eq!(
        with_a.tracking("t").unwrap().status,
        Some(TrackingStatus::Delivered)
    );
    // Timestamp-less steps are listed first.
    assert_eq!(
        with_a.tracking("t").unwrap().steps[2].uuid.as_deref(),
        Some("s")
    );

    // Orders without `updated` rank below those with one.
    let mut undated = Order::new("o");
    undated.status = Some(OrderStatus::Refunded);
    let mut dated = Order::new("o");
    dated.status = Some(OrderStatus::Pending);
    dated.updated = stamp(datetime!(2024-01-01 00:00 UTC));
    for order in [[&undated, &dated], [&dated, &undated]] {
        let mut s = State::new();
        for o in order {
            s.apply_order(o);
        }
        assert_eq!(s.order("o").unwrap().status, Some(OrderStatus::Pending));
    }
}

mod property {
    use super::*;
    use proptest::prelude::*;

    fn timestamp() -> impl Strategy<Value = Option<time::OffsetDateTime>> {
        // Few distinct values, so that ties and missing timestamps are common.
        prop::option::weighted(0.8, 0..4i64)
            .prop_map(|h| h.map(|h| datetime!(2024-05-01 00:00 UTC) + time::Duration::hours(h)))
    }

    fn status() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["P", "T", "D", "F", "E", "R", "U", "X"])
    }

    fn arb_step() -> impl Strategy<Value = Step> {
        (
            prop::option::of(prop::sample::select(vec!["s1", "s2", "s3"])),
            status(),
            timestamp(),
            prop::option::of("[a-c]{0,2}"),
        )
            .prop_map(|(uuid, st, ts, loc)| {
                let mut s = step(uuid, st, ts);
                s.location = loc;
                s
            })
    }

    fn arb_tracking() -> impl Strategy<Value = Tracking> {
        (
            prop::sample::select(vec!["t1", "t2"]),
            status(),
            prop::collection::vec(arb_step(), 0..4),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(uuid, st, steps, pod)| {
                let mut t = tracking(uuid, st, steps);
                t.pod = pod;
                t
            })
    }

    fn arb_order() -> impl Strategy<Value = Order> {
        (
            prop::sample::select(vec!["o1", "o2"]),
            prop::sample::select(vec!["pending", "fulfilled", "delivered", "on_hold"]),
            timestamp(),
            prop::option::of("[0-9]{1,3}(\\.[0-9]{1,2})?"),
        )
            .prop_map(|(uuid, st, updated, total)| {
                let mut o = Order::new(uuid);
                o.status = Some(OrderStatus::from(st));
                o.updated = updated.and_then(stamp);
                o.total = total.and_then(|t| Decimal::parse(&t));
                o
            })
    }

    fn arb_update() -> impl Strategy<Value = Update> {
        (
            prop::collection::vec(arb_order(), 0..3),
            prop::collection::vec(arb_tracking(), 0..3),
        )
            .prop_map(|(o, t)| Update::new(o, t))
    }

    fn fold<'a>(updates: impl IntoIterator<Item = &'a Update>) -> State {
        updates.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(common::cases(512)))]

        #[test]
        fn any_permutation_gives_the_same_state(
            (updates, shuffled) in prop::collection::vec(arb_update(), 0..6)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            prop_assert_eq!(fold(&updates), fold(&shuffled));
        }

        #[test]
        fn duplicates_are_harmless(
            updates in prop::collection::vec(arb_update(), 0..6),
            repeat in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        ) {
            let mut with_dups = updates.clone();
            for i in repeat {
                if !updates.is_empty() {
                    with_dups.push(i.get(&updates).clone());
                }
            }
            prop_assert_eq!(fold(&updates), fold(&with_dups));
        }

        #[test]
        fn batching_does_not_matter(updates in prop::collection::vec(arb_update(), 0..6)) {
            // The same entries, one per update, in reverse: the same state.
            let mut singles = Vec::new();
            for u in &updates {
                for t in &u.tracking {
                    singles.push(Update::new(vec![], vec![t.clone()]));
                }
                for o in &u.order {
                    singles.push(Update::new(vec![o.clone()], vec![]));
                }
            }
            singles.reverse();
            prop_assert_eq!(fold(&updates), fold(&singles));
        }

        #[test]
        fn generated_updates_round_trip(u in arb_update()) {
            let msg = Message::Update(u);
            let bytes = serde_json::to_vec(&msg).unwrap();
            prop_assert_eq!(isendu::parse(&bytes).unwrap(), msg);
        }
    }
}
