//! Wakilni: every fixture's fields, the round trip, known-answer signatures and negative cases.
#![cfg(feature = "wakilni")]

use delivery_webhooks::wakilni::{self, DeliveryHeaders, EventData, EventType, Status, Verifier};
use delivery_webhooks::{Error, Headers};
use delivery_webhooks::{Provider, Request};
use time::macros::datetime;

/// A date-time sent without zone, with this wall-clock value.
#[track_caller]
fn assert_naive(t: delivery_webhooks::Timestamp, want: time::PrimitiveDateTime) {
    assert_eq!(
        (t.date_time(), t.offset(), t.is_date_only()),
        (want, None, false),
        "{t}"
    );
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../fixtures/wakilni/", $name, ".json")).as_slice()
    };
}

const SECRET: &str = "whsec-wakilni-test";
const DOC_EVENT_ID: &str = "e2986cd1-1e85-4ef1-a85a-89488dd27b92";

// Known answers computed outside the crate:
//   openssl dgst -sha256 -hmac 'whsec-wakilni-test' -binary < fixtures/wakilni/order_created.json | base64
const ORDER_CREATED_SIG: &str = "JRJMEm8SY17oEfxD6CFarg1QgmQMf8zLmI6c4eL2Mu4=";
const ORDER_ASSIGNED_SIG: &str = "wmDHkuiancUCbZVfA/NHHKVW04pAkPcR4hmIF/LBtPk=";

fn signed(sig: &str) -> Vec<(String, String)> {
    vec![("X-Webhook-Signature".into(), sig.into())]
}

fn payload_error(err: Error) -> delivery_webhooks::PayloadError {
    match err {
        Error::Payload(p) => p,
        other => panic!("expected a payload error, got {other:?}"),
    }
}

fn roundtrip(event: &wakilni::Event) {
    let bytes = serde_json::to_vec(event).unwrap();
    let again = wakilni::parse(&bytes).unwrap();
    assert_eq!(&again, event, "{}", String::from_utf8_lossy(&bytes));
}

// ----- fixtures --------------------------------------------------------------------------

#[test]
fn order_created() {
    let event = wakilni::parse(fixture!("order_created")).unwrap();
    assert_eq!(event.event_id, DOC_EVENT_ID);
    assert_naive(event.timestamp, datetime!(2024-11-14 14:39:13));
    assert_eq!(event.event_name(), "Order Created");
    let EventData::OrderCreated(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(d.order_id, 123456);
    assert_eq!(d.waybill, "WK123456");
    assert_naive(d.created_at, datetime!(2024-11-14 14:39:10));
    roundtrip(&event);
}

#[test]
fn order_assigned() {
    let event = wakilni::parse(fixture!("order_assigned")).unwrap();
    let EventData::OrderAssigned(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(d.order_id, 123456);
    assert_eq!(d.waybill, "WK123456");
    assert_eq!(d.driver_name.as_deref(), Some("Ali Haddad"));
    assert_eq!(d.driver_phone.as_deref(), Some("+96170123456"));
    assert_naive(d.updated_at, datetime!(2024-11-14 14:39:10));
    assert_eq!(event.data.event_type(), EventType::OrderAssigned);
    roundtrip(&event);
}

#[test]
fn self_pickup_as_object_and_as_list() {
    let object = wakilni::parse(fixture!("order_ready_for_self_pickup")).unwrap();
    let list = wakilni::parse(fixture!("order_ready_for_self_pickup_list")).unwrap();
    for event in [&object, &list] {
        let EventData::OrderReadyForSelfPickup(d) = &event.data else {
            panic!("{:?}", event.data)
        };
        assert_eq!(d.order_id, 123456);
        let office = d.office().unwrap();
        assert_eq!(office.office_name.as_deref(), Some("Wakilni Dekwaneh"));
        assert_eq!(office.phone_number.as_deref(), Some("+96101123456"));
        assert_eq!(d.location.as_ref().unwrap().offices(), vec![office.clone()]);
        roundtrip(event);
    }
    // Each is written back in the shape it came in.
    let json: serde_json::Value = serde_json::to_value(&object).unwrap();
    assert!(json["data"]["location"].is_object());
    let json: serde_json::Value = serde_json::to_value(&list).unwrap();
    assert!(json["data"]["location"].is_array());
}

#[test]
fn self_pickup_with_two_offices_keeps_both_and_the_first_typed() {
    let event = wakilni::parse(fixture!("order_ready_for_self_pickup_two_offices")).unwrap();
    assert_eq!(event.event_id, "5b0c1f7e-8a43-4d2e-9f61-0c7d2e9a4b15");
    let EventData::OrderReadyForSelfPickup(d) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!((d.order_id, d.waybill.as_str()), (123457, "WK123457"));
    let location = d.location.as_ref().unwrap();
    assert_eq!(
        location.office().unwrap().office_name.as_deref(),
        Some("Wakilni Dekwaneh")
    );
    let offices = location.offices();
    assert_eq!(offices.len(), 2);
    assert_eq!(offices[1].office_name.as_deref(), Some("Wakilni Hamra"));
    assert_eq!(offices[1].phone_number.as_deref(), Some("+96101654321"));
    // The field the crate does not model is still there, in the raw value.
    let raw = location.raw().to_value().unwrap();
    assert_eq!(raw[1]["opening_hours"], "09:00-18:00");
    roundtrip(&event);
    let json: serde_json::Value = serde_json::to_value(&event).unwrap();
    assert_eq!(json["data"]["location"].as_array().unwrap().len(), 2);
    // And it is received: signed, it is a 200, not a 400.
    let body = fixture!("order_ready_for_self_pickup_two_offices");
    let signature = wakilni::sign(SECRET, body);
    let d = Verifier::new(SECRET)
        .unwrap()
        .receive(&Request::new(
            &[("x-webhook-signature", signature.as_str())],
            body,
        ))
        .unwrap();
    assert_eq!(d.payload, event);
}

#[test]
fn self_pickup_location_edge_cases() {
    let with = |loc: &str| {
        format!(
            r#"{{"event_id":"x","event":"Order Ready for Self-Pickup","timestamp":"2024-11-14 14:39:13",
               "data":{{"order_id":1,"waybill":"W","location":{loc}}}}}"#
        )
    };
    let pickup = |loc: &str| {
        let event = wakilni::parse(with(loc).as_bytes()).unwrap();
        roundtrip(&event);
        let EventData::OrderReadyForSelfPickup(d) = event.data else {
            panic!()
        };
        d
    };
    assert_eq!(pickup("null").location, None);
    // An empty list: no office, the list kept.
    let empty = pickup("[]");
    let location = empty.location.as_ref().unwrap();
    assert_eq!((location.office(), location.offices()), (None, vec![]));
    assert_eq!(location.raw().get(), "[]");
    // Shapes nobody documented are kept, never refused.
    for (loc, first) in [
        (r#""Dekwaneh office""#, None),
        (r#"[null,{"office_name":"b"}]"#, None),
        (r#"[{"office_name":"a"},"b",7]"#, Some("a")),
        (r#"{"office_name":{"en":"a"}}"#, None),
    ] {
        let d = pickup(loc);
        let location = d.location.as_ref().unwrap();
        assert_eq!(location.raw().get(), loc);
        assert_eq!(
            d.office().and_then(|o| o.office_name.as_deref()),
            first,
            "{loc}"
        );
    }
    assert_eq!(
        pickup(r#"[null,{"office_name":"b"}]"#)
            .location
            .unwrap()
            .offices()
            .len(),
        1
    );
    // Built in code from an office: written as an object.
    let mut office = wakilni::PickupOffice::default();
    office.office_name = Some("Wakilni Hamra".into());
    let location = wakilni::PickupLocation::from(office.clone());
    assert_eq!(location.raw().get(), r#"{"office_name":"Wakilni Hamra"}"#);
    assert_eq!(location.office(), Some(&office));
}

#[test]
fn every_status_change_event() {
    // (body, event, new code, new status, previous code, previous status)
    type Case = (&'static [u8], EventType, u32, Status, u32, Status);
    let cases: [Case; 10] = [
        (
            fixture!("order_confirmed"),
            EventType::OrderConfirmed,
            7,
            Status::Confirmed,
            1,
            Status::Pending,
        ),
        (
            fixture!("order_declined"),
            EventType::OrderDeclined,
            6,
            Status::Declined,
            1,
            Status::Pending,
        ),
        (
            fixture!("order_processed"),
            EventType::OrderProcessed,
            3,
            Status::Processing,
            2,
            Status::Confirmed,
        ),
        (
            fixture!("order_canceled"),
            EventType::OrderCanceled,
            7,
            Status::Canceled,
            2,
            Status::Confirmed,
        ),
        (
            fixture!("order_postponed"),
            EventType::OrderPostponed,
            9,
            Status::Postponed,
            3,
            Status::Processing,
        ),
        (
            fixture!("order_completed"),
            EventType::OrderCompleted,
            4,
            Status::Success,
            3,
            Status::Processing,
        ),
        (
            fixture!("order_completed_rejected"),
            EventType::OrderCompletedRejected,
            4,
            Status::Rejected,
            3,
            Status::Processing,
        ),
        (
            fixture!("order_closed_failed"),
            EventType::OrderClosedFailed,
            8,
            Status::ClosedFailed,
            5,
            Status::Failed,
        ),
        (
            fixture!("order_pending_cancelation"),
            EventType::OrderPendingCancelation,
            10,
            Status::PendingCancellation,
            3,
            Status::Processing,
        ),
        (
            fixture!("order_failed"),
            EventType::OrderFailed,
            5,
            Status::Failed,
            3,
            Status::Processing,
        ),
    ];
    for (body, kind, new_code, new_status, prev_code, prev_status) in cases {
        let event = wakilni::parse(body).unwrap();
        assert_eq!(event.data.event_type(), kind);
        assert_eq!(event.event_name(), kind.as_str());
        let c = event
            .data
            .status_change()
            .unwrap_or_else(|| panic!("{kind}: not a status change"));
        assert_eq!(c.order_id, 123456);
        assert_eq!(c.waybill, "WK123456");
        assert_eq!(c.new_status_code, new_code, "{kind}");
        assert_eq!(c.new_status, new_status, "{kind}");
        assert_eq!(c.previous_status_code, Some(prev_code), "{kind}");
        assert_eq!(c.previous_status.as_ref(), Some(&prev_status), "{kind}");
        assert_naive(c.updated_at, datetime!(2024-11-14 14:39:10));
        assert_eq!(event.data.order_id(), Some(123456));
        roundtrip(&event);
    }
}

#[test]
fn quirks_string_ids_api_status_names_null_and_extra_fields() {
    let created = wakilni::parse(fixture!("quirk_string_order_id")).unwrap();
    assert_eq!(created.data.order_id(), Some(123456));
    // Written back as a number.
    assert_eq!(
        serde_json::to_value(&created).unwrap()["data"]["order_id"],
        123456
    );

    let event = wakilni::parse(fixture!("quirk_api_status_names")).unwrap();
    let c = event.data.status_change().unwrap();
    assert_eq!(c.new_status_code, 8);
    assert_eq!(c.new_status, Status::ClosedFailed);
    assert_eq!(c.previous_status_code, None);
    assert_eq!(c.previous_status, Some(Status::Failed));
    roundtrip(&event);
}

#[test]
fn unknown_event_is_kept_with_its_data() {
    let event = wakilni::parse(fixture!("unknown_event")).unwrap();
    let EventData::Unknown { event: name, data } = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(name, "Order Returned");
    assert_eq!(
        data.to_value().unwrap()["return_reason"],
        "customer refused"
    );
    // Kept verbatim, as sent.
    assert!(
        data.get()
            .contains(r#""return_reason": "customer refused""#),
        "{data}"
    );
    assert_eq!(event.data.order_id(), Some(123456));
    assert_eq!(
        event.data.event_type(),
        EventType::Other("Order Returned".into())
    );
    assert_eq!(event.event_name(), "Order Returned");
    roundtrip(&event);
}

#[test]
fn unknown_status_is_kept_verbatim() {
    let body = br#"{"event_id":"x","event":"Order Failed","timestamp":"2024-11-14 14:39:13",
        "data":{"order_id":1,"waybill":"W","new_status_code":42,"new_status":"Lost In Space","updated_at":"2024-11-14 14:39:10"}}"#;
    let event = wakilni::parse(body).unwrap();
    let c = event.data.status_change().unwrap();
    assert_eq!(c.new_status, Status::Other("Lost In Space".into()));
    assert_eq!(c.new_status.as_str(), "Lost In Space");
    assert_eq!(c.previous_status, None);
    roundtrip(&event);
}

#[test]
fn data_before_event_is_accepted() {
    let body = br#"{"data":{"order_id":9,"waybill":"W9","created_at":"2024-11-14 14:39:10"},
        "timestamp":"2024-11-14 14:39:13","event":"Order Created","event_id":"x"}"#;
    let event = wakilni::parse(body).unwrap();
    assert_eq!(event.data.order_id(), Some(9));
    let bad = br#"{"data":{"order_id":"nine","waybill":"W9","created_at":"2024-11-14 14:39:10"},
        "timestamp":"2024-11-14 14:39:13","event":"Order Created","event_id":"x"}"#;
    let err = payload_error(wakilni::parse(bad).unwrap_err());
    assert!(err.message().contains("invalid `data.order_id`"), "{err}");
}

// ----- signatures ---------------------------------------------------------------------------

#[test]
fn known_answer_signatures() {
    assert_eq!(
        wakilni::sign(SECRET, fixture!("order_created")),
        ORDER_CREATED_SIG
    );
    assert_eq!(
        wakilni::sign(SECRET, fixture!("order_assigned")),
        ORDER_ASSIGNED_SIG
    );
    let v = Verifier::new(SECRET).unwrap();
    v.verify(&Request::new(
        &signed(ORDER_CREATED_SIG),
        fixture!("order_created"),
    ))
    .unwrap();
    v.verify(&Request::new(
        &signed(ORDER_ASSIGNED_SIG),
        fixture!("order_assigned"),
    ))
    .unwrap();
}

#[test]
fn receive_gives_typed_headers_and_event() {
    let v = Verifier::new(SECRET).unwrap();
    let headers = vec![
        ("x-webhook-signature", ORDER_ASSIGNED_SIG),
        ("x-attempt-number", "2"),
        ("x-webhook-source", "https://api.wakilni.com"),
        ("x-webhook-topic", "Order Assigned"),
        ("x-webhook-id", "wh_17"),
        ("x-webhook-delivery-id", "dl_9001"),
        ("content-type", "application/json"),
    ];
    let d = v
        .receive(&Request::new(&headers, fixture!("order_assigned")))
        .unwrap();
    assert_eq!(d.provider, Provider::Wakilni);
    assert_eq!(d.attempt, Some(2));
    assert_eq!(d.dedup_key().as_str(), format!("wakilni:{DOC_EVENT_ID}"));
    assert_eq!(d.dedup_key().id(), DOC_EVENT_ID);
    assert_eq!((d.reply.status_code(), d.reply.body()), (200, &b""[..]));
    assert!(matches!(d.payload.data, EventData::OrderAssigned(_)));
    let h = DeliveryHeaders::from_headers(&headers).unwrap();
    assert_eq!(h.signature, ORDER_ASSIGNED_SIG);
    assert_eq!(h.attempt_number, Some(2));
    assert_eq!(h.source.as_deref(), Some("https://api.wakilni.com"));
    assert_eq!(h.topic, Some(EventType::OrderAssigned));
    assert_eq!(h.webhook_id.as_deref(), Some("wh_17"));
    assert_eq!(h.delivery_id.as_deref(), Some("dl_9001"));
}

#[test]
fn receive_with_only_the_signature_header() {
    let v = Verifier::new(SECRET).unwrap();
    let d = v
        .receive(&Request::new(
            &signed(ORDER_CREATED_SIG),
            fixture!("order_created"),
        ))
        .unwrap();
    assert_eq!(d.attempt, None);
    let h = DeliveryHeaders::from_headers(&signed(ORDER_CREATED_SIG)).unwrap();
    assert_eq!(h.topic, None);
}

#[test]
fn the_attempt_number_is_informative_and_never_refuses_a_delivery() {
    let v = Verifier::new(SECRET).unwrap();
    let body = fixture!("order_created");
    let attempt = |values: &[&str]| {
        let mut headers = vec![("x-webhook-signature", ORDER_CREATED_SIG)];
        headers.extend(values.iter().map(|v| ("x-attempt-number", *v)));
        let d = v.receive(&Request::new(&headers, body)).unwrap();
        let h = DeliveryHeaders::from_headers(&headers).unwrap();
        assert_eq!(h.attempt_number, d.attempt, "{values:?}");
        d.attempt
    };
    // Twice with different values (a proxy appending its own copy): the first readable.
    assert_eq!(attempt(&["3", "1"]), Some(3));
    assert_eq!(attempt(&["3, 1"]), Some(3));
    // Unreadable: skipped, or none at all.
    assert_eq!(attempt(&["three", "4"]), Some(4));
    assert_eq!(attempt(&["-1"]), None);
    assert_eq!(attempt(&["99999999999"]), None);
    assert_eq!(attempt(&["\u{e9}t\u{e9}"]), None);
    assert_eq!(attempt(&[""]), None);
    assert_eq!(attempt(&[" 2 "]), Some(2));
    // Only the signature decides: a wrong one is still refused, whatever the attempt says.
    let headers = [
        ("x-webhook-signature", ORDER_ASSIGNED_SIG),
        ("x-attempt-number", "1"),
    ];
    assert!(matches!(
        v.receive(&Request::new(&headers, body)),
        Err(Error::SignatureMismatch)
    ));
}

#[test]
fn receive_rejects_a_topic_that_disagrees_with_the_body() {
    let v = Verifier::new(SECRET).unwrap();
    let headers = [
        ("x-webhook-signature", ORDER_CREATED_SIG),
        ("x-webhook-topic", "Order Canceled"),
    ];
    let err = v
        .receive(&Request::new(&headers, fixture!("order_created")))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHeader {
                name: "x-webhook-topic",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.status_code(), 400);
    // The same topic spelled as the API page would is accepted.
    let headers = [
        ("x-webhook-signature", ORDER_CREATED_SIG),
        ("x-webhook-topic", "ORDER_CREATED"),
    ];
    v.receive(&Request::new(&headers, fixture!("order_created")))
        .unwrap();
}

#[test]
fn rotation_accepts_old_and_new_secrets() {
    let v = Verifier::with_secrets(["new-secret", SECRET]).unwrap();
    v.verify(&Request::new(
        &signed(ORDER_CREATED_SIG),
        fixture!("order_created"),
    ))
    .unwrap();
    let fresh = wakilni::sign("new-secret", fixture!("order_created"));
    v.verify(&Request::new(&signed(&fresh), fixture!("order_created")))
        .unwrap();
    // printf %s hello | openssl dgst -sha256 -hmac new-secret -binary | base64
    assert_eq!(
        wakilni::sign("new-secret", b"hello"),
        "GBgHTPLL83wM935axaL96lKQ83eOKKUG2/MArxCp3Mc="
    );
}

#[test]
fn signature_encodings_accepted() {
    let v = Verifier::new(SECRET).unwrap();
    let body = fixture!("order_created");
    for sig in [
        ORDER_CREATED_SIG.to_string(),
        ORDER_CREATED_SIG.trim_end_matches('=').to_string(),
        ORDER_CREATED_SIG.replace('+', "-").replace('/', "_"),
        format!(" {ORDER_CREATED_SIG} "),
    ] {
        v.verify(&Request::new(&signed(&sig), body))
            .unwrap_or_else(|e| panic!("{sig}: {e}"));
    }
}

#[test]
fn tampered_body_is_rejected() {
    let v = Verifier::new(SECRET).unwrap();
    let mut body = fixture!("order_created").to_vec();
    let at = body.iter().position(|&b| b == b'4').unwrap();
    body[at] = b'5';
    let err = v
        .receive(&Request::new(&signed(ORDER_CREATED_SIG), &body))
        .unwrap_err();
    assert!(matches!(err, Error::SignatureMismatch));
    assert_eq!(err.status_code(), 401);
}

#[test]
fn flipped_bit_in_signature_is_rejected() {
    use base64::Engine as _;
    let v = Verifier::new(SECRET).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(ORDER_CREATED_SIG)
        .unwrap();
    for bit in [0, 7, 100, 255] {
        let mut flipped = raw.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let sig = base64::engine::general_purpose::STANDARD.encode(&flipped);
        assert!(matches!(
            v.verify(&Request::new(&signed(&sig), fixture!("order_created"))),
            Err(Error::SignatureMismatch)
        ));
    }
}

#[test]
fn truncated_wrong_secret_and_non_base64_signatures() {
    let v = Verifier::new(SECRET).unwrap();
    let body = fixture!("order_created");
    // 40 characters decode to 30 bytes: well-formed base64, but too short a tag.
    assert!(matches!(
        v.verify(&Request::new(&signed(&ORDER_CREATED_SIG[..40]), body)),
        Err(Error::SignatureMismatch)
    ));
    assert!(
        v.verify(&Request::new(&signed(&ORDER_CREATED_SIG[..41]), body))
            .is_err()
    );
    let wrong = Verifier::new("another-secret").unwrap();
    assert!(matches!(
        wrong.verify(&Request::new(&signed(ORDER_CREATED_SIG), body)),
        Err(Error::SignatureMismatch)
    ));
    let err = v
        .verify(&Request::new(&signed("%%%not-base64%%%"), body))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHeader {
                name: "x-webhook-signature",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid header `x-webhook-signature`: not a base64 signature"
    );
}

#[test]
fn missing_empty_and_conflicting_signature_headers() {
    let v = Verifier::new(SECRET).unwrap();
    let body = fixture!("order_created");
    let none: [(&str, &str); 0] = [];
    let err = v.verify(&Request::new(&none, body)).unwrap_err();
    assert!(matches!(
        err,
        Error::MissingHeader {
            name: "x-webhook-signature"
        }
    ));
    assert_eq!(err.status_code(), 401);
    assert!(matches!(
        v.verify(&Request::new(&signed(""), body)),
        Err(Error::MissingHeader { .. })
    ));
    let twice = [
        ("x-webhook-signature", ORDER_CREATED_SIG),
        ("X-Webhook-Signature", ORDER_ASSIGNED_SIG),
    ];
    let err = v.verify(&Request::new(&twice, body)).unwrap_err();
    assert!(matches!(
        err,
        Error::ConflictingHeader {
            name: "x-webhook-signature"
        }
    ));
    assert_eq!(err.status_code(), 400);
    let same_twice = [
        ("x-webhook-signature", ORDER_CREATED_SIG),
        ("X-Webhook-Signature", ORDER_CREATED_SIG),
    ];
    v.verify(&Request::new(&same_twice, body)).unwrap();
}

#[test]
fn empty_secrets_are_refused_and_debug_is_redacted() {
    assert!(
        matches!(Verifier::new(""), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
    assert!(matches!(
        Verifier::with_secrets(["ok", ""]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    assert!(matches!(
        Verifier::with_secrets(Vec::<&str>::new()),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    let v = Verifier::with_secrets([SECRET, "second-secret"]).unwrap();
    let debug = format!("{v:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains("second"),
        "{debug}"
    );
    assert!(debug.contains("2 redacted"), "{debug}");
}

#[test]
fn body_size_limit() {
    let v = Verifier::new(SECRET).unwrap().body_limit(16);
    let err = v
        .verify(&Request::new(
            &signed(ORDER_CREATED_SIG),
            fixture!("order_created"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 16, .. }));
    assert_eq!(err.status_code(), 413);
}

#[test]
fn headers_from_a_hashmap_and_btreemap() {
    let v = Verifier::new(SECRET).unwrap();
    let mut map = std::collections::HashMap::new();
    map.insert(
        "X-WEBHOOK-SIGNATURE".to_string(),
        ORDER_CREATED_SIG.to_string(),
    );
    v.verify(&Request::new(&map, fixture!("order_created")))
        .unwrap();
    let tree: std::collections::BTreeMap<_, _> = map.into_iter().collect();
    v.verify(&Request::new(&tree, fixture!("order_created")))
        .unwrap();
    assert_eq!(
        Headers::get(&tree, "x-webhook-signature").unwrap(),
        Some(ORDER_CREATED_SIG)
    );
}

// ----- malformed bodies -------------------------------------------------------------------

#[test]
fn non_json_bodies() {
    for body in [&b""[..], b"not json", b"[1,2,3]", b"null", b"\xff\xfe"] {
        let err = wakilni::parse(body).unwrap_err();
        assert_eq!(err.status_code(), 400);
        let p = payload_error(err);
        assert_eq!(p.path(), ".", "{}", String::from_utf8_lossy(body));
    }
    // Truncated: the path says where the document stopped.
    let p = payload_error(wakilni::parse(b"{\"event_id\":").unwrap_err());
    assert_eq!(p.path(), "event_id");
    assert!(p.message().contains("EOF"), "{p}");
}

#[test]
fn wrong_types_name_the_path() {
    let cases: [(&str, &str, &str); 6] = [
        (r#""order_id":"12a""#, "data.order_id", "12a"),
        (r#""order_id":-4"#, "data.order_id", "-4"),
        (r#""order_id":true"#, "data.order_id", "boolean"),
        (r#""order_id":1.5"#, "data.order_id", "1.5"),
        (
            r#""order_id":1,"waybill":"W","created_at":"yesterday""#,
            "data.created_at",
            "yesterday",
        ),
        (
            r#""order_id":1,"waybill":{"a":1},"created_at":"2024-11-14 14:39:10""#,
            "data.waybill",
            "map",
        ),
    ];
    for (fields, path, found) in cases {
        let fields = if fields.contains("waybill") {
            fields.to_string()
        } else {
            format!(r#"{fields},"waybill":"W","created_at":"2024-11-14 14:39:10""#)
        };
        let body = format!(
            r#"{{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13",
                "data":{{{fields}}}}}"#
        );
        let p = payload_error(wakilni::parse(body.as_bytes()).unwrap_err());
        assert_eq!(p.path(), path, "{fields}: {p}");
        assert!(p.message().contains(found), "{fields}: {p}");
        assert!(p.line() >= 1 && p.column() >= 1);
    }
}

#[test]
fn missing_required_fields_name_them() {
    let body = br#"{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"waybill":"W","created_at":"2024-11-14 14:39:10"}}"#;
    let p = payload_error(wakilni::parse(body).unwrap_err());
    assert!(p.message().contains("missing field `order_id`"), "{p}");
    assert_eq!(p.path(), "data");
    let body = br#"{"event_id":"x","timestamp":"2024-11-14 14:39:13","data":{}}"#;
    let p = payload_error(wakilni::parse(body).unwrap_err());
    assert!(p.message().contains("missing field `event`"), "{p}");
    let body = br#"{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13"}"#;
    assert!(
        payload_error(wakilni::parse(body).unwrap_err())
            .message()
            .contains("`data`")
    );
    let body = br#"{"event_id":"x","event":"Order Created","event":"Order Failed","timestamp":"2024-11-14 14:39:13","data":{}}"#;
    assert!(
        payload_error(wakilni::parse(body).unwrap_err())
            .message()
            .contains("duplicate field `event`")
    );
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    // Where a typed value belongs: refused at once, naming the field.
    let body = format!(
        r#"{{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{{"order_id":{nested}}}}}"#
    );
    let p = payload_error(wakilni::parse(body.as_bytes()).unwrap_err());
    assert!(p.message().contains("invalid type: sequence"), "{p}");
    assert_eq!(p.path(), "data.order_id");
    // In an ignored unknown field of a known event: skipped without recursion.
    let body = format!(
        r#"{{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13","extra":{nested},"data":{{"order_id":1,"waybill":"W","created_at":"2024-11-14 14:39:10"}}}}"#
    );
    assert_eq!(
        wakilni::parse(body.as_bytes()).unwrap().data.order_id(),
        Some(1)
    );
    // In an unknown event's data, which is kept as raw text: accepted (skipped without
    // recursion), and turning it into a `Value` later is a clean error too.
    let body = format!(
        r#"{{"event_id":"x","event":"Order Returned","timestamp":"2024-11-14 14:39:13","data":{nested}}}"#
    );
    let event = wakilni::parse(body.as_bytes()).unwrap();
    let EventData::Unknown { data, .. } = &event.data else {
        panic!("not unknown")
    };
    assert_eq!(data.get().len(), 2 * depth);
    let p = payload_error(data.to_value().unwrap_err());
    assert!(p.message().contains("recursion limit"), "{p}");
}

#[test]
fn error_messages_never_contain_the_secret() {
    let v = Verifier::new(SECRET).unwrap();
    for err in [
        v.verify(&Request::new(&signed("AAAA"), b"{}")).unwrap_err(),
        v.verify(&Request::new(&signed("@@"), b"{}")).unwrap_err(),
        v.receive(&Request::new(&signed(&wakilni::sign(SECRET, b"{}")), b"{}"))
            .unwrap_err(),
    ] {
        assert!(!err.to_string().contains(SECRET));
        assert!(!format!("{err:?}").contains(SECRET));
    }
}
