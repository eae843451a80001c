//! Peddler: every fixture's fields, every status and reason, the round trip, the shared token
//! and negative cases.
#![cfg(feature = "peddler")]

use delivery_webhooks::Request;
use delivery_webhooks::peddler::{
    self, CodeMeaning, DateValue, FailureReason, NeighbourDelivery, ShipmentUpdate, Status,
    Verifier,
};
use delivery_webhooks::{Error, Headers, RawJson, Timestamp};
use serde_json::json;
use time::macros::{date, datetime};

/// Unmodelled JSON as a `serde_json::Value`, to compare with `json!`.
fn value(raw: &RawJson) -> serde_json::Value {
    raw.to_value().unwrap()
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../fixtures/peddler/", $name, ".json")).as_slice()
    };
}

const TOKEN: &str = "pdlr-shared-token-3f9a7c";

fn with_token(token: &str) -> Vec<(String, String)> {
    vec![("X-Webhook-Shared-Token".into(), token.into())]
}

fn payload_error(err: Error) -> delivery_webhooks::PayloadError {
    match err {
        Error::Payload(p) => p,
        other => panic!("expected a payload error, got {other:?}"),
    }
}

/// The key a user deduplicates on: the delivery's, when `update` is received.
fn dedup_key(update: &ShipmentUpdate) -> String {
    let body = serde_json::to_vec(update).unwrap();
    let delivery = Verifier::new(TOKEN)
        .unwrap()
        .receive(&Request::new(&with_token(TOKEN), &body))
        .unwrap();
    delivery.dedup_key().as_str().to_owned()
}

fn roundtrip(update: &ShipmentUpdate) {
    let bytes = serde_json::to_vec(update).unwrap();
    let again = peddler::parse(&bytes).unwrap();
    assert_eq!(&again, update, "{}", String::from_utf8_lossy(&bytes));
}

fn as_value(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

// ----- the documented bodies ------------------------------------------------------------------

#[test]
fn doc_failed_attempt() {
    let u = peddler::parse(fixture!("failed_attempt")).unwrap();
    assert_eq!(u.id, "fx6_ZSWp0RDc24csBqOj9");
    assert_eq!(
        u.carrier_tracking_number.as_deref(),
        Some("P199684830307745678")
    );
    assert_eq!(u.meta_data.as_deref(), Some("78420240902-2"));
    assert_eq!(u.status, Status::FailedAttempt);
    assert_eq!(u.location, None);
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-09-02 13:08:06.574 UTC))
    );
    assert_eq!(
        u.tracking_url.as_deref(),
        Some("https://t.pdlr.nl/P199684830307745678/")
    );
    assert_eq!(u.code, 601);
    assert_eq!(
        u.failed_status,
        Some(FailureReason::CustomerNotPresentNoNeighbours)
    );
    assert_eq!(
        u.code_meaning(),
        Some(CodeMeaning::FailedAttempt(
            FailureReason::CustomerNotPresentNoNeighbours
        ))
    );
    assert_eq!(
        u.failure_reason(),
        Some(FailureReason::CustomerNotPresentNoNeighbours)
    );
    let d = u.details.as_ref().unwrap();
    assert_eq!(d.lang.len(), 2);
    let en = d.text("en").unwrap();
    assert_eq!(en.headline.as_deref(), Some("Delivery attempt failed"));
    assert_eq!(
        en.description.as_deref(),
        Some("Delivery attempt failed at destination")
    );
    let nl = d.text("nl").unwrap();
    assert_eq!(nl.headline.as_deref(), Some("Afleverpoging mislukt"));
    assert_eq!(
        nl.description.as_deref(),
        Some("Afleverpoging mislukt op bestemming")
    );
    assert_eq!(d.courier_name.as_deref(), Some("Peddler"));
    assert_eq!(
        d.reason.as_deref(),
        Some("Customer not answering; no neighbours available")
    );
    assert_eq!(d.estimated_delivery_date, None);
    assert_eq!(d.collection_point, None);
    assert_eq!(
        dedup_key(&u),
        "peddler:fx6_ZSWp0RDc24csBqOj9:FAILED_ATTEMPT:601:2024-09-02T13:08:06.574Z"
    );
    roundtrip(&u);
    // Written back exactly as Peddler wrote it, less the `null` location.
    let mut expected = as_value(fixture!("failed_attempt"));
    expected.as_object_mut().unwrap().remove("location");
    assert_eq!(serde_json::to_value(&u).unwrap(), expected);
}

#[test]
fn doc_out_for_delivery() {
    let u = peddler::parse(fixture!("out_for_delivery")).unwrap();
    assert_eq!(u.id, "PlakFjJkuYatSCXFvDxTs");
    assert_eq!(
        u.carrier_tracking_number.as_deref(),
        Some("P123456789012345678")
    );
    assert_eq!(u.meta_data.as_deref(), Some("SHIP_AMS_002"));
    assert_eq!(u.status, Status::OutForDelivery);
    assert!(u.status.carries_location());
    let loc = u.location.unwrap();
    assert_eq!(loc.lat, 52.3409992);
    assert_eq!(loc.lng, 4.8236365);
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2023-06-14 10:54:55.896 UTC))
    );
    assert_eq!(u.code, 410);
    assert_eq!(
        u.code_meaning(),
        Some(CodeMeaning::Status(Status::OutForDelivery))
    );
    assert_eq!(u.failed_status, None);
    assert_eq!(u.failure_reason(), None);
    assert_eq!(u.details, None);
    roundtrip(&u);
    // Byte-for-byte the same JSON value, camelCase keys and all.
    assert_eq!(
        serde_json::to_value(&u).unwrap(),
        as_value(fixture!("out_for_delivery"))
    );
}

#[test]
fn doc_schema_as_a_real_body() {
    let u = peddler::parse(fixture!("schema_example")).unwrap();
    assert_eq!(u.id, "Qm3kT8vLx2NpR7sWcY4dZ");
    assert_eq!(
        u.carrier_tracking_number.as_deref(),
        Some("P204812345678901234")
    );
    assert_eq!(u.meta_data.as_deref(), Some("ORDER-2024-09-03-0117"));
    assert_eq!(u.status, Status::FailedAttempt);
    assert_eq!(u.location, None);
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-09-03 09:15:42.127 UTC))
    );
    assert_eq!(
        u.tracking_url.as_deref(),
        Some("https://t.pdlr.nl/P204812345678901234/")
    );
    assert_eq!(u.code, 603);
    assert_eq!(u.failed_status, Some(FailureReason::IncompleteAddress));
    let d = u.details.as_ref().unwrap();
    assert_eq!(
        d.text("en").unwrap().description.as_deref(),
        Some("The address is incomplete")
    );
    assert_eq!(
        d.text("nl").unwrap().description.as_deref(),
        Some("Het adres is onvolledig")
    );
    assert_eq!(d.courier_name.as_deref(), Some("Peddler"));
    assert_eq!(d.reason.as_deref(), Some("House number missing"));
    roundtrip(&u);
    assert_eq!(
        serde_json::to_value(&u).unwrap(),
        as_value(fixture!("schema_example"))
    );
}

// ----- the other samples ----------------------------------------------------------------------

#[test]
fn delivered_at_neighbours_with_extras() {
    let u = peddler::parse(fixture!("delivered_at_neighbours")).unwrap();
    assert_eq!(u.status, Status::Delivered);
    assert_eq!(u.code, 501);
    assert_eq!(u.code_meaning(), Some(CodeMeaning::DeliveredAtNeighbours));
    let loc = u.location.unwrap();
    assert_eq!((loc.lat, loc.lng), (52.3412877, 4.8229911));
    assert_eq!(u.failed_status, None);
    let d = u.details.as_ref().unwrap();
    assert_eq!(
        d.text("nl").unwrap().headline.as_deref(),
        Some("Afgeleverd bij de buren")
    );
    assert_eq!(
        d.delivery_date,
        Some(DateValue::Timestamp(Timestamp::from(
            datetime!(2023-06-14 11:32:10.204 UTC)
        )))
    );
    assert_eq!(
        d.delivered_at_neighbours,
        Some(NeighbourDelivery::Text("Amstelveenseweg 14-H".into()))
    );
    assert_eq!(
        d.delivered_at_neighbours
            .as_ref()
            .unwrap()
            .delivered_at_neighbours(),
        Some(true)
    );
    assert_eq!(d.courier_comment.as_deref(), Some("Neighbour signed"));
    assert_eq!(
        d.pod_signature_url.as_deref(),
        Some("https://pod.pdlr.nl/P123456789012345678/signature.png")
    );
    roundtrip(&u);
}

#[test]
fn delivered_in_mailbox_without_a_location() {
    let u = peddler::parse(fixture!("delivered_in_mailbox")).unwrap();
    assert_eq!(u.status, Status::Delivered);
    assert!(u.status.carries_location() && u.status.is_final());
    assert_eq!(u.code, 502);
    assert_eq!(u.code_meaning(), Some(CodeMeaning::DeliveredInMailbox));
    assert_eq!(u.location, None);
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-03-05 08:47:00 UTC))
    );
    let d = u.details.as_ref().unwrap();
    assert_eq!(
        d.text("en").unwrap().headline.as_deref(),
        Some("Delivered in the mailbox")
    );
    assert_eq!(d.text("en").unwrap().description, None);
    assert_eq!(
        d.delivered_at_neighbours,
        Some(NeighbourDelivery::Flag(false))
    );
    assert_eq!(
        d.delivery_date,
        Some(DateValue::Timestamp(Timestamp::from(date!(2024 - 03 - 05))))
    );
    assert_eq!(
        d.delivery_date.as_ref().unwrap().date(),
        Some(date!(2024 - 03 - 05))
    );
    roundtrip(&u);
}

#[test]
fn delivered_at_collection_point_keeps_its_shape() {
    let u = peddler::parse(fixture!("delivered_collection_point")).unwrap();
    assert_eq!(u.status, Status::DeliveredCollectionPoint);
    assert!(!u.status.carries_location());
    assert_eq!(u.code, 550);
    assert_eq!(
        u.code_meaning(),
        Some(CodeMeaning::Status(Status::DeliveredCollectionPoint))
    );
    // The offset as sent; 16:20 at +02:00 is 14:20 UTC.
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-05-21 16:20:11.008 +02:00))
    );
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-05-21 14:20:11.008 UTC))
    );
    assert_eq!(
        dedup_key(&u),
        "peddler:Kd4Pn7Qs2VxB9mTe1Rw6Y:DELIVERED_COLLECTION_POINT:550:2024-05-21T14:20:11.008Z"
    );
    let d = u.details.as_ref().unwrap();
    assert!(d.lang.is_empty());
    assert_eq!(
        d.collection_point.as_ref().map(value),
        Some(json!({
            "name": "Primera Rembrandtplein",
            "address": "Rembrandtplein 10, 1017 CV Amsterdam",
            "openingHours": ["09:00-18:00"]
        }))
    );
    roundtrip(&u);
    assert_eq!(
        serde_json::to_value(&u).unwrap()["ts"],
        "2024-05-21T16:20:11.008+02:00"
    );
}

#[test]
fn shipment_in_warehouse_with_estimate() {
    let u = peddler::parse(fixture!("shipment_in_warehouse")).unwrap();
    assert_eq!(u.status, Status::ShipmentInWarehouse);
    assert_eq!(u.code, 210);
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-09-01 22:03:15.5 UTC))
    );
    // `""` is no reason.
    assert_eq!(u.failed_status, None);
    let d = u.details.as_ref().unwrap();
    assert_eq!(
        d.warehouse.as_ref().map(value),
        Some(json!("Amsterdam Westpoort"))
    );
    assert_eq!(
        d.estimated_delivery_date,
        Some(DateValue::Timestamp(Timestamp::from(date!(2024 - 09 - 03))))
    );
    assert_eq!(
        d.text("en").unwrap().headline.as_deref(),
        Some("In our warehouse")
    );
    roundtrip(&u);
}

#[test]
fn quirks_strings_offsets_and_a_third_language() {
    let u = peddler::parse(fixture!("quirk_strings_offsets_languages")).unwrap();
    assert_eq!(u.id, "Qx7Yb3Nc5Vd1Mf9Lg2Hj4");
    // A number where a string is documented is kept as its text.
    assert_eq!(u.meta_data.as_deref(), Some("78420240902"));
    // Lower case status.
    assert_eq!(u.status, Status::OutForDelivery);
    // Numbers as strings.
    assert_eq!(u.code, 410);
    let loc = u.location.unwrap();
    assert_eq!((loc.lat, loc.lng), (52.3702157, 4.8951679));
    // No fractional seconds, explicit offset.
    assert_eq!(
        u.ts.to_offset_date_time(),
        Some(datetime!(2024-09-02 13:08:06 UTC))
    );
    let d = u.details.as_ref().unwrap();
    assert_eq!(
        d.lang.keys().map(String::as_str).collect::<Vec<_>>(),
        ["de", "en", "nl"]
    );
    let de = d.text("de").unwrap();
    assert_eq!(de.headline.as_deref(), Some("In Zustellung"));
    assert_eq!(de.description.as_deref(), Some("Ihr Paket ist unterwegs"));
    assert_eq!(
        d.estimated_delivery_date.as_ref().map(|v| match v {
            DateValue::Other(raw) => value(raw),
            other => panic!("{other:?}"),
        }),
        Some(json!({
            "from": "2024-09-02T17:00:00Z",
            "to": "2024-09-02T19:00:00Z"
        }))
    );
    assert_eq!(d.estimated_delivery_date.as_ref().unwrap().date(), None);
    assert_eq!(
        d.warehouse.as_ref().map(value),
        Some(json!({"id": 3, "name": "Amsterdam Westpoort"}))
    );
    roundtrip(&u);
    // The third language survives the round trip, and numbers go back as numbers.
    let out = serde_json::to_value(&u).unwrap();
    assert_eq!(out["details"]["lang"]["de"]["headline"], "In Zustellung");
    assert_eq!(out["code"], 410);
    assert_eq!(out["location"]["lat"], 52.3702157);
    assert_eq!(out["status"], "OUT_FOR_DELIVERY");
    assert_eq!(out["ts"], "2024-09-02T15:08:06+02:00");
}

#[test]
fn unknown_status_is_kept_with_its_location() {
    let u = peddler::parse(fixture!("unknown_status")).unwrap();
    assert_eq!(u.status, Status::Other("PARCEL_IN_LOCKER".into()));
    assert_eq!(u.status.as_str(), "PARCEL_IN_LOCKER");
    assert_eq!(u.code, 580);
    assert_eq!(u.code_meaning(), None);
    // A location with a status that does not document one is kept.
    let loc = u.location.unwrap();
    assert_eq!((loc.lat, loc.lng), (-33.8688, 151.2093));
    assert_eq!(u.meta_data, None);
    assert_eq!(u.tracking_url, None);
    assert_eq!(u.details, None);
    roundtrip(&u);
    assert_eq!(
        serde_json::to_value(&u).unwrap()["status"],
        "PARCEL_IN_LOCKER"
    );
}

#[test]
fn unknown_failure_reason_is_kept_verbatim() {
    let u = peddler::parse(fixture!("failed_attempt_unknown_reason")).unwrap();
    assert_eq!(u.status, Status::FailedAttempt);
    assert_eq!(u.code, 620);
    assert_eq!(
        u.failed_status,
        Some(FailureReason::Other("CUSTOMER_ON_HOLIDAY".into()))
    );
    assert_eq!(u.code_meaning(), None);
    assert_eq!(
        u.details.as_ref().unwrap().reason.as_deref(),
        Some("Customer on holiday")
    );
    roundtrip(&u);
}

// ----- every status and every reason ----------------------------------------------------------

const STATUSES: [(&str, u32, Status); 17] = [
    ("SHIPMENT_CONFIRMED", 100, Status::ShipmentConfirmed),
    (
        "SHIPMENT_ENROUTE_TO_WAREHOUSE",
        200,
        Status::ShipmentEnrouteToWarehouse,
    ),
    ("SHIPMENT_IN_WAREHOUSE", 210, Status::ShipmentInWarehouse),
    (
        "SHIPMENT_ENROUTE_TO_LOCAL_DEPOT",
        300,
        Status::ShipmentEnrouteToLocalDepot,
    ),
    ("SHIPMENT_IN_LOCAL_DEPOT", 310, Status::ShipmentInLocalDepot),
    ("SHIPMENT_READY", 400, Status::ShipmentReady),
    ("OUT_FOR_DELIVERY", 410, Status::OutForDelivery),
    ("DELIVERED", 500, Status::Delivered),
    ("DELIVERED", 501, Status::Delivered),
    ("DELIVERED", 502, Status::Delivered),
    (
        "DELIVERED_COLLECTION_POINT",
        550,
        Status::DeliveredCollectionPoint,
    ),
    (
        "PICKUP_COLLECTION_POINT",
        570,
        Status::PickupCollectionPoint,
    ),
    ("ON_HOLD", 700, Status::OnHold),
    ("EXCEPTION", 800, Status::Exception),
    ("RETURN_TO_SENDER", 900, Status::ReturnToSender),
    ("CANCELED", 1000, Status::Canceled),
    (
        "SHIPMENT_DETAILS_UPDATED",
        1100,
        Status::ShipmentDetailsUpdated,
    ),
];

const REASONS: [(&str, u32, FailureReason); 20] = [
    (
        "UNKNOWN_FAILURE_REASON",
        600,
        FailureReason::UnknownFailureReason,
    ),
    (
        "CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS",
        601,
        FailureReason::CustomerNotPresentNoNeighbours,
    ),
    (
        "CUSTOMER_WRONG_ADDRESS",
        602,
        FailureReason::CustomerWrongAddress,
    ),
    ("INCOMPLETE_ADDRESS", 603, FailureReason::IncompleteAddress),
    ("ADDRESS_NOT_FOUND", 604, FailureReason::AddressNotFound),
    ("CLOSED_NOT_PRESENT", 605, FailureReason::ClosedNotPresent),
    (
        "PACKAGE_REJECTED_BY_CUSTOMER",
        606,
        FailureReason::PackageRejectedByCustomer,
    ),
    (
        "MISSORTED_TO_VEHICLE",
        607,
        FailureReason::MissortedToVehicle,
    ),
    (
        "CASH_ON_DELIVERY_FAILED",
        608,
        FailureReason::CashOnDeliveryFailed,
    ),
    (
        "CUSTOMER_REQUEST_NEW_DELIVERY_TIME",
        609,
        FailureReason::CustomerRequestNewDeliveryTime,
    ),
    (
        "CUSTOMER_ADDRESS_UPDATED",
        610,
        FailureReason::CustomerAddressUpdated,
    ),
    ("PACKAGE_STOLEN", 611, FailureReason::PackageStolen),
    (
        "PACKAGE_FORWARDED_LOCKERBOX",
        612,
        FailureReason::PackageForwardedLockerbox,
    ),
    ("PACKAGE_OVERSIZED", 613, FailureReason::PackageOversized),
    ("PACKAGE_OVERDUE", 614, FailureReason::PackageOverdue),
    ("PACKAGE_DAMAGED", 615, FailureReason::PackageDamaged),
    ("PACKAGE_LOST", 616, FailureReason::PackageLost),
    (
        "CUSTOMER_WRONG_PHONENUMBER",
        617,
        FailureReason::CustomerWrongPhonenumber,
    ),
    ("DANGEROUS_GOODS_ADR", 618, FailureReason::DangerousGoodsAdr),
    (
        "ALCOHOL_DELIVERY_CUSTOMER_NOT_PRESENT",
        619,
        FailureReason::AlcoholDeliveryCustomerNotPresent,
    ),
];

fn body(status: &str, code: u32, extra: &str) -> String {
    format!(
        r#"{{"id":"S{code}","carrierTrackingNumber":"P{code}","metaData":"m","status":"{status}",
            "ts":"2024-09-02T13:08:06.574Z","trackingUrl":"https://t.pdlr.nl/P{code}/",
            "code":{code}{extra}}}"#
    )
}

#[test]
fn every_status_with_its_code() {
    for (wire, code, status) in STATUSES {
        let extra = if status.carries_location() {
            r#","location":{"lat":52.1,"lng":4.9}"#
        } else {
            r#","location":null"#
        };
        let u = peddler::parse(body(wire, code, extra).as_bytes())
            .unwrap_or_else(|e| panic!("{wire} {code}: {e}"));
        assert_eq!(u.status, status, "{wire}");
        assert_eq!(u.status.as_str(), wire);
        assert_eq!(u.code, code);
        let meaning = u.code_meaning().unwrap();
        assert_eq!(meaning.status(), status, "{code}");
        assert_eq!(meaning.code(), Some(code));
        match code {
            501 => assert_eq!(meaning, CodeMeaning::DeliveredAtNeighbours),
            502 => assert_eq!(meaning, CodeMeaning::DeliveredInMailbox),
            _ => {
                assert_eq!(meaning, CodeMeaning::Status(status.clone()));
                assert_eq!(status.code(), Some(code));
            }
        }
        if status.carries_location() {
            let loc = u.location.unwrap();
            assert_eq!((loc.lat, loc.lng), (52.1, 4.9), "{wire}");
        } else {
            assert_eq!(u.location, None, "{wire}");
        }
        assert_eq!(u.failure_reason(), None);
        assert_eq!(
            dedup_key(&u),
            format!("peddler:S{code}:{wire}:{code}:2024-09-02T13:08:06.574Z")
        );
        roundtrip(&u);
    }
    // Every documented status is covered, FAILED_ATTEMPT below.
    for s in Status::ALL {
        assert!(
            *s == Status::FailedAttempt || STATUSES.iter().any(|(_, _, t)| t == s),
            "{s}"
        );
    }
}

#[test]
fn every_failure_reason_with_its_code() {
    for (wire, code, reason) in REASONS {
        let extra = format!(r#","location":null,"failedStatus":"{wire}""#);
        let u = peddler::parse(body("FAILED_ATTEMPT", code, &extra).as_bytes())
            .unwrap_or_else(|e| panic!("{wire}: {e}"));
        assert_eq!(u.status, Status::FailedAttempt);
        assert_eq!(u.code, code);
        assert_eq!(u.failed_status, Some(reason.clone()), "{wire}");
        assert_eq!(reason.as_str(), wire);
        assert_eq!(reason.code(), Some(code));
        assert_eq!(FailureReason::from_code(code), Some(reason.clone()));
        assert_eq!(
            u.code_meaning(),
            Some(CodeMeaning::FailedAttempt(reason.clone()))
        );
        assert_eq!(u.failure_reason(), Some(reason.clone()));
        roundtrip(&u);
        // Without `failedStatus`, the reason is read from the code.
        let u = peddler::parse(body("FAILED_ATTEMPT", code, "").as_bytes()).unwrap();
        assert_eq!(u.failed_status, None);
        assert_eq!(u.failure_reason(), Some(reason));
    }
    assert_eq!(FailureReason::ALL.len(), REASONS.len());
}

/// An unknown status name with a failure reason's code (600–619) is that failed attempt, reason
/// included: `effective_status` reads the code, `failure_reason` the reason it stands for.
#[test]
fn an_unknown_status_with_a_reason_code_is_that_failed_attempt() {
    for (code, reason) in [
        (605, FailureReason::ClosedNotPresent),
        (602, FailureReason::CustomerWrongAddress),
        (611, FailureReason::PackageStolen),
    ] {
        let u = peddler::parse(body("ATTEMPT_FAILED_V2", code, "").as_bytes()).unwrap();
        assert_eq!(u.status, Status::Other("ATTEMPT_FAILED_V2".into()));
        assert_eq!(u.effective_status(), Some(Status::FailedAttempt), "{code}");
        assert_eq!(u.failure_reason(), Some(reason), "{code}");
    }
    // A code that is no failure reason's gives its status and no reason; an undocumented one
    // gives neither.
    let u = peddler::parse(body("ATTEMPT_FAILED_V2", 501, "").as_bytes()).unwrap();
    assert_eq!(
        (u.effective_status(), u.failure_reason()),
        (Some(Status::Delivered), None)
    );
    let u = peddler::parse(body("ATTEMPT_FAILED_V2", 620, "").as_bytes()).unwrap();
    assert_eq!((u.effective_status(), u.failure_reason()), (None, None));
}

#[test]
fn location_on_delivered_is_optional_for_all_its_codes() {
    for code in [500, 501, 502] {
        for extra in [
            "",
            r#","location":null"#,
            r#","location":{"lat":null,"lng":null}"#,
        ] {
            let u = peddler::parse(body("DELIVERED", code, extra).as_bytes())
                .unwrap_or_else(|e| panic!("{code}{extra}: {e}"));
            assert_eq!(u.location, None, "{code}{extra}");
            assert_eq!(u.status, Status::Delivered);
        }
        let u = peddler::parse(
            body("DELIVERED", code, r#","location":{"lat":-90,"lng":180}"#).as_bytes(),
        )
        .unwrap();
        let loc = u.location.unwrap();
        assert_eq!((loc.lat, loc.lng), (-90.0, 180.0));
    }
}

#[test]
fn statuses_and_reasons_match_loosely() {
    assert_eq!(Status::from("Out For Delivery"), Status::OutForDelivery);
    assert_eq!(Status::from("delivered"), Status::Delivered);
    assert_eq!(Status::from("CANCELLED"), Status::Canceled);
    assert_eq!(
        FailureReason::from("package-stolen"),
        FailureReason::PackageStolen
    );
    assert!(Status::from("DELIVERED_SOMEWHERE").is_other());
}

// ----- deduplication and ordering ---------------------------------------------------------------

#[test]
fn dedup_key_is_stable_and_distinguishes_updates() {
    let a = peddler::parse(fixture!("failed_attempt")).unwrap();
    let again = peddler::parse(&serde_json::to_vec(&a).unwrap()).unwrap();
    assert_eq!(dedup_key(&a), dedup_key(&again));
    let other_code = peddler::parse(body("DELIVERED", 501, "").as_bytes()).unwrap();
    let same_but_502 = peddler::parse(
        body("DELIVERED", 501, "")
            .replace(r#""code":501"#, r#""code":502"#)
            .as_bytes(),
    )
    .unwrap();
    assert_ne!(dedup_key(&other_code), dedup_key(&same_but_502));
    // The same instant with another offset is the same key.
    let offset = peddler::parse(
        body("DELIVERED", 501, "")
            .replace("2024-09-02T13:08:06.574Z", "2024-09-02T15:08:06.574+02:00")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(dedup_key(&offset), dedup_key(&other_code));
    // Separators inside the id cannot make two updates collide.
    let odd =
        peddler::parse(br#"{"id":"a:b%","status":"x:y","code":1,"ts":"2024-01-01T00:00:00Z"}"#)
            .unwrap();
    assert_eq!(
        dedup_key(&odd),
        "peddler:a%3Ab%25:x%3Ay:1:2024-01-01T00:00:00Z"
    );
}

fn update(status: &str, code: u32, ts: &str) -> ShipmentUpdate {
    peddler::parse(
        format!(r#"{{"id":"S1","status":"{status}","code":{code},"ts":"{ts}"}}"#).as_bytes(),
    )
    .unwrap()
}

#[test]
fn a_late_older_update_never_regresses_state() {
    let out = update("OUT_FOR_DELIVERY", 410, "2024-09-02T10:00:00Z");
    let failed = update("FAILED_ATTEMPT", 601, "2024-09-02T10:45:00.5Z");
    let delivered = update("DELIVERED", 500, "2024-09-02T14:00:00+02:00"); // 12:00 UTC
    // Arrival order: delivered, then the older two late.
    let mut stored = delivered.clone();
    for late in [&out, &failed] {
        if late.is_newer_than(&stored) {
            stored = late.clone();
        }
    }
    assert_eq!(stored, delivered);
    assert!(failed.is_newer_than(&out));
    assert!(delivered.is_newer_than(&failed));
    assert!(!out.is_newer_than(&failed));
}

#[test]
fn ties_are_broken_by_journey_order() {
    let ts = "2024-09-02T10:00:00.000Z";
    let out = update("OUT_FOR_DELIVERY", 410, ts);
    let delivered = update("DELIVERED", 501, ts);
    let details = update("SHIPMENT_DETAILS_UPDATED", 1100, ts);
    assert!(delivered.is_newer_than(&out));
    assert!(!out.is_newer_than(&delivered));
    // Details updated moves nothing: it never wins a tie.
    assert!(!details.is_newer_than(&out));
    assert!(out.is_newer_than(&details));
    // A repeat is not newer.
    assert!(!delivered.is_newer_than(&delivered.clone()));
    assert_eq!(delivered.recency_cmp(&delivered), std::cmp::Ordering::Equal);
    // A later details update still is newer.
    let later = update("SHIPMENT_DETAILS_UPDATED", 1100, "2024-09-02T10:00:00.001Z");
    assert!(later.is_newer_than(&delivered));
    // Another shipment is never newer.
    let mut other = later.clone();
    other.id = "S2".into();
    assert!(!other.is_newer_than(&out));
}

// ----- the shared token ------------------------------------------------------------------------

#[test]
fn receive_checks_the_token_then_parses() {
    let v = Verifier::new(TOKEN).unwrap();
    let u = v
        .receive(&Request::new(
            &with_token(TOKEN),
            fixture!("out_for_delivery"),
        ))
        .unwrap();
    assert_eq!(u.payload.id, "PlakFjJkuYatSCXFvDxTs");
    assert_eq!(
        u.dedup_key().as_str(),
        "peddler:PlakFjJkuYatSCXFvDxTs:OUT_FOR_DELIVERY:410:2023-06-14T10:54:55.896Z"
    );
    v.verify(&Request::new(&with_token(TOKEN), b"")).unwrap();
    // Header names in any case, from maps too.
    let mut map = std::collections::HashMap::new();
    map.insert("X-WEBHOOK-SHARED-TOKEN".to_string(), TOKEN.to_string());
    v.verify(&Request::new(&map, b"")).unwrap();
    let tree: std::collections::BTreeMap<_, _> = map.into_iter().collect();
    v.verify(&Request::new(&tree, b"")).unwrap();
    assert_eq!(
        Headers::get(&tree, peddler::TOKEN_HEADER).unwrap(),
        Some(TOKEN)
    );
}

#[test]
fn wrong_token_is_rejected() {
    let v = Verifier::new(TOKEN).unwrap();
    for wrong in [
        "pdlr-shared-token-3f9a7",
        "pdlr-shared-token-3f9a7cc",
        "PDLR-SHARED-TOKEN-3F9A7C",
        "x",
    ] {
        let err = v
            .receive(&Request::new(
                &with_token(wrong),
                fixture!("out_for_delivery"),
            ))
            .unwrap_err();
        assert!(matches!(err, Error::TokenMismatch), "{wrong}: {err:?}");
        assert_eq!(err.status_code(), 401);
    }
    // A valid body is never parsed without the token: a bad body still gives 401.
    let err = v
        .receive(&Request::new(&with_token("x"), b"not json"))
        .unwrap_err();
    assert!(matches!(err, Error::TokenMismatch));
}

#[test]
fn missing_empty_and_conflicting_token_headers() {
    let v = Verifier::new(TOKEN).unwrap();
    let none: [(&str, &str); 0] = [];
    let err = v.verify(&Request::new(&none, b"")).unwrap_err();
    assert!(matches!(
        err,
        Error::MissingHeader {
            name: "x-webhook-shared-token"
        }
    ));
    assert_eq!(err.status_code(), 401);
    for empty in ["", "   "] {
        assert!(matches!(
            v.verify(&Request::new(&with_token(empty), b"")),
            Err(Error::MissingHeader { .. })
        ));
    }
    let twice = [
        ("x-webhook-shared-token", TOKEN),
        ("X-Webhook-Shared-Token", "evil"),
    ];
    let err = v.verify(&Request::new(&twice, b"")).unwrap_err();
    assert!(matches!(
        err,
        Error::ConflictingHeader {
            name: "x-webhook-shared-token"
        }
    ));
    assert_eq!(err.status_code(), 400);
    let same_twice = [
        ("x-webhook-shared-token", TOKEN),
        ("X-Webhook-Shared-Token", TOKEN),
    ];
    v.verify(&Request::new(&same_twice, b"")).unwrap();
    let err = v
        .verify(&Request::new(
            &[("x-webhook-shared-token", "tok\u{e9}n")],
            b"",
        ))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidHeader { .. }), "{err:?}");
}

#[test]
fn rotation_accepts_old_and_new_tokens() {
    let v = Verifier::with_secrets(["new-token-77", TOKEN]).unwrap();
    v.verify(&Request::new(&with_token(TOKEN), b"")).unwrap();
    v.verify(&Request::new(&with_token("new-token-77"), b""))
        .unwrap();
    assert!(matches!(
        v.verify(&Request::new(&with_token("new-token-7"), b"")),
        Err(Error::TokenMismatch)
    ));
}

#[test]
fn empty_tokens_are_refused_and_debug_is_redacted() {
    assert!(
        matches!(Verifier::new(""), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
    assert!(matches!(
        Verifier::with_secrets(["ok", ""]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    assert!(matches!(
        Verifier::with_secrets(Vec::<String>::new()),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    let v = Verifier::with_secrets([TOKEN, "second-token"]).unwrap();
    let debug = format!("{v:?}");
    assert!(
        !debug.contains(TOKEN) && !debug.contains("second"),
        "{debug}"
    );
    assert!(debug.contains("2 redacted"), "{debug}");
}

#[test]
fn body_size_limit_is_checked_first() {
    let v = Verifier::new(TOKEN).unwrap().body_limit(16);
    let err = v
        .receive(&Request::new(
            &with_token(TOKEN),
            fixture!("out_for_delivery"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 16, .. }));
    assert_eq!(err.status_code(), 413);
    let v = Verifier::new(TOKEN).unwrap().body_limit(1 << 20);
    v.receive(&Request::new(
        &with_token(TOKEN),
        fixture!("out_for_delivery"),
    ))
    .unwrap();
}

#[test]
fn error_messages_never_contain_the_token() {
    let v = Verifier::new(TOKEN).unwrap();
    let near = &TOKEN[..TOKEN.len() - 1];
    for err in [
        v.verify(&Request::new(&with_token(near), b"")).unwrap_err(),
        v.verify(&Request::new(
            &[
                ("x-webhook-shared-token", TOKEN),
                ("x-webhook-shared-token", near),
            ],
            b"",
        ))
        .unwrap_err(),
        v.receive(&Request::new(&with_token(TOKEN), b"{}"))
            .unwrap_err(),
    ] {
        assert!(!err.to_string().contains(near), "{err}");
        assert!(!format!("{err:?}").contains(near), "{err:?}");
    }
}

// ----- malformed bodies -----------------------------------------------------------------------

#[test]
fn non_json_bodies() {
    for body in [
        &b""[..],
        b"not json",
        b"[1,2,3]",
        b"null",
        b"\"x\"",
        b"\xff\xfe",
    ] {
        let err = peddler::parse(body).unwrap_err();
        assert_eq!(err.status_code(), 400);
        let p = payload_error(err);
        assert_eq!(p.path(), ".", "{}", String::from_utf8_lossy(body));
    }
    let p = payload_error(peddler::parse(b"{\"id\":").unwrap_err());
    assert_eq!(p.path(), "id");
    assert!(p.message().contains("EOF"), "{p}");
}

#[test]
fn wrong_types_name_the_path() {
    let base = |field: &str, value: &str| {
        // Set the field to `null`, then splice the raw value in: some values are not valid JSON
        // numbers for serde_json to build (`4294967296` is, but the splice keeps them verbatim).
        let mut v = as_value(fixture!("delivered_at_neighbours"));
        v[field] = serde_json::Value::Null;
        v.to_string().replace(
            &format!(r#""{field}":null"#),
            &format!(r#""{field}":{value}"#),
        )
    };
    let cases: [(&str, &str, &str, &str); 14] = [
        ("code", r#""soon""#, "code", "soon"),
        ("code", "-501", "code", "-501"),
        ("code", "501.5", "code", "501.5"),
        ("code", "true", "code", "boolean"),
        ("code", "null", "code", "null"),
        ("code", "4294967296", "code", "4294967296"),
        ("id", r#"{"a":1}"#, "id", "map"),
        ("status", "5", "status", "integer"),
        ("ts", r#""yesterday""#, "ts", "yesterday"),
        (
            "ts",
            r#""2024-09-02T25:08:06Z""#,
            "ts",
            "2024-09-02T25:08:06Z",
        ),
        ("location", r#""Amsterdam""#, "location", "Amsterdam"),
        (
            "location",
            r#"{"lat":95.5,"lng":4.8}"#,
            "location.lat",
            "95.5",
        ),
        (
            "location",
            r#"{"lat":52.3,"lng":-180.01}"#,
            "location.lng",
            "-180.01",
        ),
        (
            "location",
            r#"{"lat":"north","lng":4.8}"#,
            "location.lat",
            "north",
        ),
    ];
    for (field, value, path, found) in cases {
        let body = base(field, value);
        let p = payload_error(peddler::parse(body.as_bytes()).unwrap_err());
        assert_eq!(p.path(), path, "{field}={value}: {p}");
        assert!(p.message().contains(found), "{field}={value}: {p}");
        assert!(p.line() >= 1 && p.column() >= 1);
    }
    // Range errors say which range.
    let p = payload_error(
        peddler::parse(base("location", r#"{"lat":-90.5,"lng":4.8}"#).as_bytes()).unwrap_err(),
    );
    assert!(p.message().contains("latitude between -90 and 90"), "{p}");
    let p = payload_error(
        peddler::parse(base("location", r#"{"lat":"52.1","lng":"200"}"#).as_bytes()).unwrap_err(),
    );
    assert_eq!(p.path(), "location.lng");
    assert!(
        p.message().contains("longitude between -180 and 180"),
        "{p}"
    );
}

#[test]
fn nested_wrong_types_name_the_path() {
    let cases: [(&str, &str); 4] = [
        (r#""details":"x""#, "details"),
        (
            r#""details":{"lang":{"en":{"headline":{"a":1}}}}"#,
            "details.lang.en.headline",
        ),
        (r#""details":{"lang":[1]}"#, "details.lang"),
        (r#""details":{"courierName":[]}"#, "details.courierName"),
    ];
    for (extra, path) in cases {
        let body = format!(
            r#"{{"id":"s","status":"DELIVERED","code":500,"ts":"2024-09-02T13:08:06Z",{extra}}}"#
        );
        let p = payload_error(peddler::parse(body.as_bytes()).unwrap_err());
        assert_eq!(p.path(), path, "{extra}: {p}");
    }
}

#[test]
fn missing_required_fields_name_them() {
    for field in ["id", "status", "code", "ts"] {
        let mut v = as_value(fixture!("out_for_delivery"));
        v.as_object_mut().unwrap().remove(field);
        let p = payload_error(peddler::parse(v.to_string().as_bytes()).unwrap_err());
        assert!(
            p.message().contains(&format!("missing field `{field}`")),
            "{field}: {p}"
        );
    }
    // Half a position is no position.
    let half = body("DELIVERED", 500, r#","location":{"lat":52.1}"#);
    let p = payload_error(peddler::parse(half.as_bytes()).unwrap_err());
    assert_eq!(p.path(), "location");
    assert!(p.message().contains("missing field `lng`"), "{p}");
    let twice = body(
        "DELIVERED",
        500,
        r#","location":{"lat":52.1,"lat":52.2,"lng":4}"#,
    );
    let p = payload_error(peddler::parse(twice.as_bytes()).unwrap_err());
    assert!(p.message().contains("duplicate field `lat`"), "{p}");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let nested = |field: &str| {
        let depth = 100_000;
        let mut body = format!(
            r#"{{"id":"s","status":"DELIVERED","code":500,"ts":"2024-09-02T13:08:06Z","{field}":"#
        );
        body.push_str(&"[".repeat(depth));
        body.push_str(&"]".repeat(depth));
        body.push('}');
        if field.starts_with("details") {
            body.push('}');
        }
        body
    };
    // Kept as sent (a `RawJson`, as everywhere in the crate): skipped without recursing, so
    // accepted with no stack overflow; turning it into a `Value` later is a clean error.
    let u = peddler::parse(nested("details\":{\"warehouse").as_bytes()).unwrap();
    let raw = u.details.as_ref().unwrap().warehouse.as_ref().unwrap();
    assert_eq!(raw.get().len(), 200_000);
    let p = payload_error(raw.to_value().unwrap_err());
    assert!(p.message().contains("recursion limit"), "{p}");
    let u = peddler::parse(nested("details\":{\"collectionPoint").as_bytes()).unwrap();
    let raw = u
        .details
        .as_ref()
        .unwrap()
        .collection_point
        .as_ref()
        .unwrap();
    let p = payload_error(raw.to_value().unwrap_err());
    assert!(p.message().contains("recursion limit"), "{p}");
    // An unknown field is skipped without recursing: accepted, and no stack overflow.
    let u = peddler::parse(nested("someFutureField").as_bytes()).unwrap();
    assert_eq!(u.status, Status::Delivered);
}

/// Header values arrive trimmed, so a token configured with surrounding whitespace could never
/// match: refused at construction, with a reason and without the token.
#[test]
fn tokens_with_surrounding_whitespace_are_refused() {
    for padded in [" pd-token", "pd-token ", "pd-token\n", "\tpd-token"] {
        let err = Verifier::new(padded).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                delivery_webhooks::ConfigErrorKind::InvalidSecret
            ),
            "{padded:?}: {err:?}"
        );
        assert_eq!(Error::from(err.clone()).status_code(), 500);
        assert!(!err.to_string().contains("pd-token"));
    }
    assert!(
        matches!(Verifier::new("   "), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
    assert!(matches!(
        Verifier::with_secrets(["ok-token", " "]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    Verifier::new("inner space token").unwrap();
}
