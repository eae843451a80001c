//! The status model: every fixture of every provider mapped to its expected `ShipmentStatus` and
//! references, and the `Timeline` fold's order independence, as properties.
#![cfg(all(
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

mod common;

use delivery_webhooks::{
    AnyDelivery, DedupKey, Delivery, Provider, Request, ShipmentStatus, StatusSource, StatusUpdate,
    Timeline, isendu, peddler, skladon, wakilni, xoxoday,
};
use proptest::prelude::*;
use time::macros::datetime;

// ----- getting updates out of fixtures, through the contract API ----------------------------

fn fixture(provider: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/fixtures/{provider}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn any_delivery(provider: Provider, body: &[u8]) -> AnyDelivery {
    let key = DedupKey::of_body(provider, body);
    match provider {
        Provider::Wakilni => Delivery::new(provider, key, wakilni::parse(body).unwrap()).into(),
        Provider::Peddler => Delivery::new(provider, key, peddler::parse(body).unwrap()).into(),
        Provider::Xoxoday => Delivery::new(provider, key, xoxoday::parse(body).unwrap()).into(),
        Provider::Isendu => Delivery::new(provider, key, isendu::parse(body).unwrap()).into(),
        Provider::Skladon => skladon_post("UPDATE_ORDER_STATUS", body).into(),
    }
}

const TOKEN: &str = "tok-status-1-5f1c9a";

fn skladon_post(webhook_type: &str, body: &[u8]) -> Delivery<skladon::Notification> {
    let uri = format!("/webhooks/skladon/{TOKEN}/{webhook_type}");
    let headers: [(&str, &str); 0] = [];
    skladon::Verifier::new(TOKEN)
        .unwrap()
        .receive(&Request::new(&headers, body).method("POST").uri(&uri))
        .unwrap_or_else(|e| panic!("{webhook_type}: {e}"))
}

fn updates(provider: Provider, name: &str) -> Vec<StatusUpdate> {
    let body = fixture(provider.as_str(), name);
    let delivery = any_delivery(provider, &body);
    let updates = delivery.status_updates();
    // Every update names its provider, and the typed delivery gives the same list.
    assert!(updates.iter().all(|u| u.provider == provider));
    updates
}

/// The one update a fixture gives.
fn one(provider: Provider, name: &str) -> StatusUpdate {
    let mut u = updates(provider, name);
    assert_eq!(u.len(), 1, "{provider}/{name}: {u:#?}");
    u.remove(0)
}

fn other(s: &str) -> ShipmentStatus {
    ShipmentStatus::Other(s.to_owned())
}

// ----- Wakilni --------------------------------------------------------------------------------

#[test]
fn wakilni_fixtures() {
    use ShipmentStatus::*;
    let table: &[(&str, ShipmentStatus, &str)] = &[
        ("order_assigned", Assigned, "Order Assigned"),
        ("order_canceled", Canceled, "Order Canceled"),
        ("order_closed_failed", Failed, "Order Closed Failed"),
        ("order_completed", Delivered, "Order Completed"),
        (
            "order_completed_rejected",
            Failed,
            "Order Completed Rejected",
        ),
        ("order_confirmed", Confirmed, "Order Confirmed"),
        ("order_created", Created, "Order Created"),
        ("order_declined", Canceled, "Order Declined"),
        ("order_failed", FailedAttempt, "Order Failed"),
        (
            "order_pending_cancelation",
            OnHold,
            "Order Pending Cancelation",
        ),
        ("order_postponed", OnHold, "Order Postponed"),
        ("order_processed", InTransit, "Order Processed"),
        (
            "order_ready_for_self_pickup",
            ReadyForPickup,
            "Order Ready for Self-Pickup",
        ),
        (
            "order_ready_for_self_pickup_list",
            ReadyForPickup,
            "Order Ready for Self-Pickup",
        ),
        ("quirk_api_status_names", Failed, "Order Closed Failed"),
        ("quirk_string_order_id", Created, "Order Created"),
        ("unknown_event", other("Order Returned"), "Order Returned"),
    ];
    assert_eq!(table.len(), 17, "every Wakilni fixture");
    for (name, status, text) in table {
        let u = one(Provider::Wakilni, name);
        assert_eq!(
            (&u.status, u.provider_status.as_str()),
            (status, *text),
            "{name}"
        );
        assert_eq!(u.shipment_key(), "order:123456", "{name}");
        assert_eq!(u.shipment.order_id.as_deref(), Some("123456"));
        assert_eq!(u.shipment.waybill.as_deref(), Some("WK123456"), "{name}");
        // The data's own time where it has one, else the envelope's; naive, taken as UTC.
        let expected = if name.starts_with("order_ready") || *name == "unknown_event" {
            datetime!(2024-11-14 14:39:13 UTC)
        } else {
            datetime!(2024-11-14 14:39:10 UTC)
        };
        assert_eq!(u.time, Some(expected), "{name}");
        assert_eq!(u.failure_reason, None);
        if name.starts_with("order_ready") {
            let loc = u.location.as_ref().unwrap();
            assert_eq!(loc.name.as_deref(), Some("Wakilni Dekwaneh"));
        } else {
            assert_eq!(u.location, None, "{name}");
        }
    }
}

#[test]
fn wakilni_unknown_event_without_a_readable_order_id_gives_nothing() {
    let body = fixture("regressions", "wakilni_unknown_event_long_float");
    let event = wakilni::parse(&body).unwrap();
    let d = Delivery::new(
        Provider::Wakilni,
        DedupKey::new(Provider::Wakilni, "x"),
        event,
    );
    assert!(d.status_updates().is_empty());
}

// ----- Peddler --------------------------------------------------------------------------------

#[test]
fn peddler_fixtures() {
    use ShipmentStatus::*;
    // name, status, provider status, shipment id, tracking number, metaData, failure reason
    type Row<'a> = (
        &'a str,
        ShipmentStatus,
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
    );
    let table: &[Row] = &[
        (
            "delivered_at_neighbours",
            Delivered,
            "DELIVERED",
            "PlakFjJkuYatSCXFvDxTs",
            "P123456789012345678",
            Some("SHIP_AMS_002"),
            None,
        ),
        (
            "delivered_collection_point",
            ReadyForPickup,
            "DELIVERED_COLLECTION_POINT",
            "Kd4Pn7Qs2VxB9mTe1Rw6Y",
            "P555000111222333444",
            Some("CP-ORDER-31"),
            None,
        ),
        (
            "delivered_in_mailbox",
            Delivered,
            "DELIVERED",
            "Zr8Tq1WbN5mKcX0vHs2Le",
            "P998877665544332211",
            Some("MBX-7781"),
            None,
        ),
        (
            "failed_attempt",
            FailedAttempt,
            "FAILED_ATTEMPT",
            "fx6_ZSWp0RDc24csBqOj9",
            "P199684830307745678",
            Some("78420240902-2"),
            Some("CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS"),
        ),
        (
            "failed_attempt_unknown_reason",
            FailedAttempt,
            "FAILED_ATTEMPT",
            "Fa1LuReR3aS0nXyZ8bCdE",
            "P321321321321321321",
            Some("HOLIDAY-1"),
            Some("CUSTOMER_ON_HOLIDAY"),
        ),
        (
            "out_for_delivery",
            OutForDelivery,
            "OUT_FOR_DELIVERY",
            "PlakFjJkuYatSCXFvDxTs",
            "P123456789012345678",
            Some("SHIP_AMS_002"),
            None,
        ),
        (
            "quirk_strings_offsets_languages",
            OutForDelivery,
            "OUT_FOR_DELIVERY",
            "Qx7Yb3Nc5Vd1Mf9Lg2Hj4",
            "P777888999000111222",
            Some("78420240902"),
            None,
        ),
        (
            "schema_example",
            FailedAttempt,
            "FAILED_ATTEMPT",
            "Qm3kT8vLx2NpR7sWcY4dZ",
            "P204812345678901234",
            Some("ORDER-2024-09-03-0117"),
            Some("INCOMPLETE_ADDRESS"),
        ),
        (
            "shipment_in_warehouse",
            InTransit,
            "SHIPMENT_IN_WAREHOUSE",
            "Wh2Lc9Xp4Rt7Nb1Mz8Qs3",
            "P111222333444555666",
            Some("WH-ORDER-9"),
            None,
        ),
        (
            "unknown_status",
            other("PARCEL_IN_LOCKER"),
            "PARCEL_IN_LOCKER",
            "Un1Kn0wNsT4tUsXyZ9aBc",
            "P123123123123123123",
            None,
            None,
        ),
    ];
    assert_eq!(table.len(), 10, "every Peddler fixture");
    for (name, status, text, id, tracking, meta, reason) in table {
        let u = one(Provider::Peddler, name);
        assert_eq!(
            (&u.status, u.provider_status.as_str()),
            (status, *text),
            "{name}"
        );
        assert_eq!(u.shipment_key(), format!("shipment:{id}"));
        assert_eq!(u.shipment.tracking_numbers, [*tracking]);
        assert_eq!(
            u.shipment.external_ids.get("metaData").map(String::as_str),
            *meta,
            "{name}"
        );
        assert_eq!(u.failure_reason.as_deref(), *reason, "{name}");
        assert!(u.time.is_some());
    }
    // Times in UTC; GPS and named places kept.
    let u = one(Provider::Peddler, "quirk_strings_offsets_languages");
    assert_eq!(u.time, Some(datetime!(2024-09-02 13:08:06 UTC)));
    let loc = u.location.unwrap();
    assert_eq!((loc.lat, loc.lng), (Some(52.3702157), Some(4.8951679)));
    let u = one(Provider::Peddler, "delivered_collection_point");
    assert_eq!(
        u.location.unwrap().name.as_deref(),
        Some("Primera Rembrandtplein")
    );
    let u = one(Provider::Peddler, "shipment_in_warehouse");
    assert_eq!(
        u.location.unwrap().name.as_deref(),
        Some("Amsterdam Westpoort")
    );
    assert_eq!(one(Provider::Peddler, "failed_attempt").location, None);
}

#[test]
fn peddler_details_updated_gives_nothing_and_unknown_names_fall_back_to_the_code() {
    let parse = |status: &str, code: u32| {
        let body = format!(
            r#"{{"id":"S","status":"{status}","code":{code},"ts":"2024-09-02T10:00:00Z"}}"#
        );
        let d = Delivery::new(
            Provider::Peddler,
            DedupKey::new(Provider::Peddler, 1),
            peddler::parse(body.as_bytes()).unwrap(),
        );
        d.status_updates()
    };
    assert!(parse("SHIPMENT_DETAILS_UPDATED", 1100).is_empty());
    assert!(parse("DETAILS_CHANGED", 1100).is_empty());
    let u = &parse("PARCEL_OUT", 410)[0];
    assert_eq!(
        (&u.status, u.provider_status.as_str()),
        (&ShipmentStatus::OutForDelivery, "PARCEL_OUT")
    );
    // Every documented status has a row.
    for s in peddler::Status::ALL {
        let mapped = ShipmentStatus::from(s);
        assert_eq!(
            mapped.is_other(),
            *s == peddler::Status::ShipmentDetailsUpdated,
            "{s}"
        );
    }
}

/// A status name the crate does not know is read from its documented code, and the code's whole
/// row applies (docs/status-mapping.md, Peddler): for 600–619 `failure_reason` is the reason the
/// code stands for, unless `failedStatus` says otherwise; other codes bring their status and no
/// reason; an undocumented code leaves the name verbatim.
#[test]
fn peddler_a_code_that_decides_the_status_brings_its_whole_row() {
    use ShipmentStatus::*;
    let update = |status: &str, code: u32, extra: &str| {
        let body = format!(
            r#"{{"id":"S","status":"{status}","code":{code},"ts":"2024-09-02T10:00:00Z"{extra}}}"#
        );
        let d = Delivery::new(
            Provider::Peddler,
            DedupKey::new(Provider::Peddler, 1),
            peddler::parse(body.as_bytes()).unwrap(),
        );
        let mut updates = d.status_updates();
        assert_eq!(updates.len(), 1, "{status} {code}");
        updates.remove(0)
    };
    // (status name as sent, code, the row's status, the row's failure_reason)
    let rows: &[(&str, u32, ShipmentStatus, Option<&str>)] = &[
        (
            "ATTEMPT_FAILED_V2",
            605,
            FailedAttempt,
            Some("CLOSED_NOT_PRESENT"),
        ),
        (
            "ATTEMPT_FAILED_V2",
            600,
            FailedAttempt,
            Some("UNKNOWN_FAILURE_REASON"),
        ),
        (
            "PARCEL_OUT",
            601,
            FailedAttempt,
            Some("CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS"),
        ),
        (
            "ATTEMPT_FAILED_V2",
            616,
            FailedAttempt,
            Some("PACKAGE_LOST"),
        ),
        (
            "ATTEMPT_FAILED_V2",
            619,
            FailedAttempt,
            Some("ALCOHOL_DELIVERY_CUSTOMER_NOT_PRESENT"),
        ),
        ("PARCEL_OUT", 410, OutForDelivery, None),
        ("IN_THE_MAILBOX", 502, Delivered, None),
        ("AT_COLLECTION_POINT", 550, ReadyForPickup, None),
        ("RETURNED_V2", 900, Returned, None),
        (
            "PARCEL_IN_LOCKER",
            580,
            Other("PARCEL_IN_LOCKER".into()),
            None,
        ),
        (
            "ATTEMPT_FAILED_V2",
            620,
            Other("ATTEMPT_FAILED_V2".into()),
            None,
        ),
    ];
    for (name, code, status, reason) in rows {
        let u = update(name, *code, "");
        assert_eq!(
            (
                &u.status,
                u.failure_reason.as_deref(),
                u.provider_status.as_str()
            ),
            (status, *reason, *name),
            "{name} {code}"
        );
    }
    // `failedStatus` wins over the code's reason, as for FAILED_ATTEMPT itself.
    let u = update(
        "ATTEMPT_FAILED_V2",
        605,
        r#","failedStatus":"CUSTOMER_ON_HOLIDAY""#,
    );
    assert_eq!(
        (&u.status, u.failure_reason.as_deref()),
        (&FailedAttempt, Some("CUSTOMER_ON_HOLIDAY"))
    );
    // The known name decides, not the code: a FAILED_ATTEMPT row, and a DELIVERED one whose
    // code is a failure reason's still has no reason.
    let u = update("FAILED_ATTEMPT", 605, "");
    assert_eq!(
        (&u.status, u.failure_reason.as_deref()),
        (&FailedAttempt, Some("CLOSED_NOT_PRESENT"))
    );
    let u = update("DELIVERED", 605, "");
    assert_eq!((&u.status, u.failure_reason.as_deref()), (&Delivered, None));
}

// ----- Xoxoday --------------------------------------------------------------------------------

#[test]
fn xoxoday_fixtures() {
    use ShipmentStatus::*;
    let table: &[(&str, ShipmentStatus, &str, &str, Option<&str>)] = &[
        (
            "canceled",
            Canceled,
            "canceled",
            "10254678902",
            Some("PO-2019-7782"),
        ),
        (
            "canceled_british",
            Canceled,
            "canceled",
            "10254678905",
            Some("PO-UK-0005"),
        ),
        (
            "canceled_lowercase",
            Canceled,
            "canceled",
            "10254678904",
            None,
        ),
        (
            "delivered",
            Delivered,
            "delivered",
            "10254678901",
            Some("PO-2019-7781"),
        ),
        (
            "delivered_capitalized",
            Delivered,
            "delivered",
            "10254678903",
            None,
        ),
        ("pending", Created, "pending", "10254678906", None),
        (
            "rfc3339_dates",
            Delivered,
            "delivered",
            "10254678909",
            Some("PO-2020-0009"),
        ),
        (
            "string_ids",
            Delivered,
            "delivered",
            "10254678907",
            Some("4500012345"),
        ),
        (
            "twenty_digit_id",
            Delivered,
            "delivered",
            "99999999999",
            Some("PO-MAX"),
        ),
        (
            "unknown_status",
            other("Returned"),
            "Returned",
            "10254678910",
            Some("PO-2020-0010"),
        ),
    ];
    assert_eq!(table.len(), 10, "every Xoxoday fixture");
    for (name, status, text, order, po) in table {
        let u = one(Provider::Xoxoday, name);
        assert_eq!(
            (&u.status, u.provider_status.as_str()),
            (status, *text),
            "{name}"
        );
        assert_eq!(u.shipment_key(), format!("order:{order}"));
        assert_eq!(u.shipment.order_id.as_deref(), Some(*order));
        assert_eq!(u.shipment.po_number.as_deref(), *po, "{name}");
    }
    assert_eq!(
        one(Provider::Xoxoday, "delivered").time,
        Some(datetime!(2019-12-27 16:45:02 UTC))
    );
    assert_eq!(
        one(Provider::Xoxoday, "rfc3339_dates").time,
        Some(datetime!(2020-01-08 10:00:30.25 UTC))
    );
}

// ----- isendu ---------------------------------------------------------------------------------

#[test]
fn isendu_fixtures() {
    use ShipmentStatus::*;
    // Handshake and empty batch: nothing.
    assert!(updates(Provider::Isendu, "verification").is_empty());
    assert!(updates(Provider::Isendu, "update_empty").is_empty());

    let doc = updates(Provider::Isendu, "update_doc_sample");
    let keys: Vec<_> = doc
        .iter()
        .map(|u| (u.shipment_key(), u.status.clone()))
        .collect();
    assert_eq!(
        keys,
        [
            (
                "shipment:8d2f6e4a-1b3c-4d5e-8f70-9a1b2c3d4e5f".to_owned(),
                InTransit
            ),
            (
                "order:o-5a0b7c1e-2f43-4d8e-9a61-0c3b2d4e5f60".to_owned(),
                ReadyToShip
            ),
        ]
    );
    let t = &doc[0];
    assert_eq!(t.provider_status, "T");
    assert_eq!(t.time, Some(datetime!(2024-05-02 09:42 UTC)));
    assert_eq!(t.location.as_ref().unwrap().name.as_deref(), Some("Milano"));
    assert_eq!(t.shipment.tracking_numbers, ["1Z999AA10123456784"]);
    assert_eq!(
        t.failure_reason, None,
        "an empty error message is no reason"
    );
    assert_eq!(doc[1].time, Some(datetime!(2024-05-02 09:30 UTC)));

    let batch = updates(Provider::Isendu, "update_batch");
    let got: Vec<_> = batch
        .iter()
        .map(|u| {
            (
                u.shipment_key(),
                u.status.clone(),
                u.provider_status.clone(),
            )
        })
        .collect();
    let expect = [
        ("shipment:t-aaaa0001", Delivered, "D"),
        ("shipment:t-bbbb0002", Exception, "E"),
        ("shipment:t-cccc0003", ReadyToShip, "P"),
        (
            "order:o-11111111-1111-4111-8111-111111111111",
            Delivered,
            "delivered",
        ),
        (
            "order:o-22222222-2222-4222-8222-222222222222",
            Exception,
            "error",
        ),
        (
            "order:o-33333333-3333-4333-8333-333333333333",
            Processing,
            "partially_fulfilled",
        ),
    ]
    .map(|(k, s, t)| (k.to_owned(), s, t.to_owned()));
    assert_eq!(got, expect);
    let delivered = &batch[0];
    assert_eq!(
        delivered.time,
        Some(datetime!(2024-05-03 16:04 UTC)),
        "the newest step"
    );
    assert_eq!(
        delivered.location.as_ref().unwrap().name.as_deref(),
        Some("Milano")
    );
    assert_eq!(batch[2].time, None, "a tracking without steps has no time");
    let order = &batch[3];
    assert_eq!(order.shipment.order_id.as_deref(), Some("#1042"));
    assert_eq!(order.shipment.tracking_numbers, ["1Z999AA10123456784"]);
    assert_eq!(
        order
            .shipment
            .external_ids
            .get("storeInternalOrderId")
            .map(String::as_str),
        Some("5531240961")
    );

    let quirks = updates(Provider::Isendu, "quirk_loose_values");
    let got: Vec<_> = quirks
        .iter()
        .map(|u| (u.shipment_key(), u.status.clone(), u.time))
        .collect();
    assert_eq!(
        got,
        [
            (
                "shipment:4711".to_owned(),
                Delivered,
                Some(datetime!(2024-05-02 09:30 UTC))
            ),
            (
                "order:o-44444444-4444-4444-8444-444444444444".to_owned(),
                InTransit,
                None
            ),
            (
                "order:o-55555555-5555-4555-8555-555555555555".to_owned(),
                other("on_hold"),
                Some(datetime!(2024-05-04 0:00 UTC))
            ),
        ]
    );
}

// ----- Skladon --------------------------------------------------------------------------------

#[test]
fn skladon_fixtures() {
    use ShipmentStatus::*;
    let check = |webhook_type: &str, name: &str| {
        skladon_post(webhook_type, &fixture("skladon", name)).status_updates()
    };
    // Entities without a shipment status: nothing.
    for (t, name) in [
        ("CREATE_PRODUCT", "product"),
        ("UPDATE_PRODUCT", "product_unknown_values"),
        ("CREATE_STOCK_MOVEMENT_STOCK_CORRECTION", "stock_movement"),
        (
            "CREATE_STOCK_MOVEMENT_COMPLETITION",
            "stock_movement_completition",
        ),
        (
            "CREATE_STOCK_MOVEMENT_QUALITY_HOLD",
            "stock_movement_unknown_type",
        ),
    ] {
        assert!(check(t, name).is_empty(), "{name}");
    }
    // name, webhook type, key, status, provider status, time
    let table = [
        (
            "order",
            "UPDATE_ORDER_STATUS",
            "order:12345",
            Created,
            "inProcess",
            Some(datetime!(2022-05-23 18:45:02 UTC)),
        ),
        (
            "order_unknown_values",
            "UPDATE_ORDER",
            "order:98765",
            other("teleported"),
            "teleported",
            Some(datetime!(2022-05-25 08:00:00.123 UTC)),
        ),
        (
            "receiving",
            "UPDATE_RECEIVING_STATUS",
            "receiving:ESHOP_RECIVING_ID_123",
            Delivered,
            "received",
            None,
        ),
        (
            "receiving_api_dates",
            "CREATE_RECEIVING",
            "receiving:ESHOP_RECEIVING_ID_456",
            Created,
            "awaiting",
            Some(datetime!(2025-09-15 11:30:45.5 UTC)),
        ),
        (
            "return",
            "UPDATE_RETURN_STATUS",
            "return:RET-2024-0042",
            Returned,
            "received",
            Some(datetime!(2024-06-20 10:15 UTC)),
        ),
    ];
    for (name, t, key, status, text, time) in table {
        let u = check(t, name);
        assert_eq!(u.len(), 1, "{name}");
        let u = &u[0];
        assert_eq!(u.provider, Provider::Skladon);
        assert_eq!(
            (
                u.shipment_key().as_str(),
                &u.status,
                u.provider_status.as_str()
            ),
            (key, &status, text),
            "{name}"
        );
        assert_eq!(u.time, time, "{name}");
    }
    let order = &check("CREATE_ORDER", "order")[0];
    assert_eq!(order.shipment.order_id.as_deref(), Some("12345"));
    assert_eq!(order.shipment.tracking_numbers, ["012364479"]);
    assert_eq!(
        order
            .shipment
            .external_ids
            .get("partnerOrderId")
            .map(String::as_str),
        Some("PARTNER-77")
    );
    assert_eq!(
        order.shipment.external_ids.get("id").map(String::as_str),
        Some("1")
    );
    let ret = &check("UPDATE_RETURN", "return")[0];
    assert_eq!(ret.shipment.order_id.as_deref(), Some("12345"));
    assert_eq!(ret.shipment.tracking_numbers, ["40012345678"]);
    assert_eq!(
        ret.shipment.external_ids.get("rma").map(String::as_str),
        Some("RMA-7781")
    );

    // A GET call carries only an id: nothing.
    let headers: [(&str, &str); 0] = [];
    let uri = format!("/webhooks/skladon/{TOKEN}/UPDATE_ORDER_STATUS/12345");
    let get = skladon::Verifier::new(TOKEN)
        .unwrap()
        .receive(&Request::new(&headers, b"").method("GET").uri(&uri))
        .unwrap();
    assert!(get.status_updates().is_empty());
    assert!(AnyDelivery::from(get).status_updates().is_empty());
}

#[test]
fn every_documented_value_has_a_row() {
    // Only values without lifecycle meaning map to `Other`.
    let others = |v: Vec<ShipmentStatus>| {
        v.into_iter()
            .filter(ShipmentStatus::is_other)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        others(
            wakilni::EventType::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        )
        .is_empty()
    );
    assert!(
        others(
            wakilni::Status::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        )
        .is_empty()
    );
    assert!(
        others(
            xoxoday::DeliveryStatus::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        )
        .is_empty()
    );
    assert_eq!(
        others(
            isendu::TrackingStatus::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        ),
        ["U"]
    );
    assert_eq!(
        others(
            isendu::OrderStatus::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        ),
        ["refunded", "externally_handled"]
    );
    assert_eq!(
        others(
            skladon::OrderStatus::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        ),
        ["refundInProcess"]
    );
    assert!(
        others(
            skladon::ReceivingStatus::ALL
                .iter()
                .map(ShipmentStatus::from)
                .collect()
        )
        .is_empty()
    );
    // Unknown values are kept verbatim.
    assert_eq!(
        ShipmentStatus::from(&wakilni::EventType::from("Order Teleported")),
        other("Order Teleported")
    );
    assert_eq!(
        ShipmentStatus::from(&skladon::OrderStatus::from("teleported")),
        other("teleported")
    );
    // Wakilni's event names and status names agree.
    use wakilni::{EventType as E, Status as W};
    for (e, w) in [
        (E::OrderConfirmed, W::Confirmed),
        (E::OrderDeclined, W::Declined),
        (E::OrderProcessed, W::Processing),
        (E::OrderCanceled, W::Canceled),
        (E::OrderPostponed, W::Postponed),
        (E::OrderCompleted, W::Success),
        (E::OrderCompletedRejected, W::Rejected),
        (E::OrderClosedFailed, W::ClosedFailed),
        (E::OrderPendingCancelation, W::PendingCancellation),
        (E::OrderFailed, W::Failed),
        (E::OrderCreated, W::Pending),
    ] {
        assert_eq!(
            ShipmentStatus::from(&e),
            ShipmentStatus::from(&w),
            "{e} / {w}"
        );
    }
    // Positions are distinct and terminal states come last.
    let positions: std::collections::BTreeSet<u8> = ShipmentStatus::ALL
        .iter()
        .map(ShipmentStatus::position)
        .collect();
    assert_eq!(positions.len(), ShipmentStatus::ALL.len());
    let first_terminal = ShipmentStatus::ALL
        .iter()
        .position(ShipmentStatus::is_terminal)
        .unwrap();
    assert!(
        ShipmentStatus::ALL[first_terminal..]
            .iter()
            .all(ShipmentStatus::is_terminal)
    );
}

// ----- the fold: properties -------------------------------------------------------------------

/// A few minutes, so that equal times (ties) are common; `None` where the provider may omit it.
fn minute() -> impl Strategy<Value = u8> {
    0u8..4
}

fn wakilni_body((event, order, min): (usize, u8, u8)) -> Vec<u8> {
    const EVENTS: [(&str, &str); 14] = [
        ("Order Created", ""),
        ("Order Confirmed", "Confirmed"),
        ("Order Declined", "Declined"),
        ("Order Assigned", ""),
        ("Order Processed", "Processing"),
        ("Order Canceled", "Canceled"),
        ("Order Postponed", "Postponed"),
        ("Order Completed", "Success"),
        ("Order Completed Rejected", "Rejected"),
        ("Order Closed Failed", "Closed Failed"),
        ("Order Pending Cancelation", "Pending Cancellation"),
        ("Order Failed", "Failed"),
        ("Order Ready for Self-Pickup", ""),
        ("Order Returned", ""),
    ];
    let (name, status) = EVENTS[event % EVENTS.len()];
    let at = format!("2024-11-14 14:0{min}:00");
    let data = match name {
        "Order Created" => {
            format!(r#"{{"order_id":{order},"waybill":"W{order}","created_at":"{at}"}}"#)
        }
        "Order Assigned" => {
            format!(r#"{{"order_id":{order},"waybill":"W{order}","updated_at":"{at}"}}"#)
        }
        "Order Ready for Self-Pickup" | "Order Returned" => {
            format!(r#"{{"order_id":{order},"waybill":"W{order}"}}"#)
        }
        _ => format!(
            r#"{{"order_id":{order},"waybill":"W{order}","new_status_code":1,"new_status":"{status}","updated_at":"{at}"}}"#
        ),
    };
    format!(r#"{{"event_id":"e","event":"{name}","timestamp":"{at}","data":{data}}}"#).into_bytes()
}

fn peddler_body((status, id, min): (usize, u8, u8)) -> Vec<u8> {
    const STATUSES: [(&str, u32); 18] = [
        ("SHIPMENT_CONFIRMED", 100),
        ("SHIPMENT_ENROUTE_TO_WAREHOUSE", 200),
        ("SHIPMENT_IN_WAREHOUSE", 210),
        ("SHIPMENT_ENROUTE_TO_LOCAL_DEPOT", 300),
        ("SHIPMENT_IN_LOCAL_DEPOT", 310),
        ("SHIPMENT_READY", 400),
        ("OUT_FOR_DELIVERY", 410),
        ("DELIVERED", 500),
        ("DELIVERED", 501),
        ("DELIVERED_COLLECTION_POINT", 550),
        ("PICKUP_COLLECTION_POINT", 570),
        ("FAILED_ATTEMPT", 601),
        ("FAILED_ATTEMPT", 606),
        ("ON_HOLD", 700),
        ("EXCEPTION", 800),
        ("RETURN_TO_SENDER", 900),
        ("CANCELED", 1000),
        ("PARCEL_IN_LOCKER", 580),
    ];
    let (status, code) = STATUSES[status % STATUSES.len()];
    format!(r#"{{"id":"S{id}","status":"{status}","code":{code},"ts":"2024-09-02T10:0{min}:00Z","location":{{"lat":52.1,"lng":4.{code}}}}}"#).into_bytes()
}

fn xoxoday_body((status, order, min): (usize, u8, u8)) -> Vec<u8> {
    const STATUSES: [&str; 5] = ["delivered", "Canceled", "pending", "Returned", "Delivered"];
    let status = STATUSES[status % STATUSES.len()];
    format!(r#"{{"id":1,"data":{{"orderId":{order},"orderDate":"2020-01-01 00:00:00","deliveryStatus":"{status}"}},"createdAt":"2020-01-01 10:0{min}:00"}}"#).into_bytes()
}

fn isendu_body((status, uuid, min): (usize, u8, u8)) -> Vec<u8> {
    const LETTERS: [&str; 8] = ["P", "T", "D", "F", "E", "R", "U", "x"];
    const ORDERS: [&str; 6] = [
        "pending",
        "fulfilled",
        "in_transit",
        "delivered",
        "cancelled",
        "refunded",
    ];
    let letter = LETTERS[status % LETTERS.len()];
    let order = ORDERS[status % ORDERS.len()];
    // Minute 3 stands for "no time sent".
    let ts = if min == 3 {
        "null".to_owned()
    } else {
        format!(r#""2024-05-02T10:0{min}:00Z""#)
    };
    format!(
        r#"{{"tracking":[{{"uuid":"t{uuid}","status":"{letter}","steps":[{{"uuid":"s{status}","status":"{letter}","description":"d","datetime":"x","timestamp":{ts},"location":"L{status}"}}]}}],
            "order":[{{"uuid":"o{uuid}","status":"{order}","updated":{ts}}}]}}"#
    )
    .into_bytes()
}

fn skladon_body((status, order, min): (usize, u8, u8)) -> (&'static str, Vec<u8>) {
    const STATUSES: [&str; 22] = [
        "inProcess",
        "lost",
        "received",
        "processing",
        "processed",
        "onTheWay",
        "delivered",
        "returnedBack",
        "canceled",
        "returningBack",
        "onResend",
        "refundInProcess",
        "receivedBack",
        "partlyReceivedBack",
        "preReceived",
        "incorrect",
        "suspended",
        "waitingForPayment",
        "productsNotAvailable",
        "packed",
        "waitingForCarrier",
        "teleported",
    ];
    let s = STATUSES[status % STATUSES.len()];
    let updated = if min == 3 {
        "null".to_owned()
    } else {
        format!(r#""2022-05-23T18:4{min}:00.000Z""#)
    };
    // Every third update is a return of the same id, which is another shipment.
    if status % 3 == 0 {
        let rs = ["received", "canceled", "awaiting"][status % 9 / 3];
        let body =
            format!(r#"{{"eshopReturnId":"{order}","status":"{rs}","receivedAt":{updated}}}"#);
        ("UPDATE_RETURN_STATUS", body.into_bytes())
    } else {
        let body = format!(r#"{{"eshopOrderId":"{order}","status":"{s}","updatedAt":{updated}}}"#);
        ("UPDATE_ORDER_STATUS", body.into_bytes())
    }
}

/// The updates of a generated sequence of one provider's deliveries.
fn provider_updates(provider: Provider, seeds: &[(usize, u8, u8)]) -> Vec<StatusUpdate> {
    seeds
        .iter()
        .flat_map(|&seed| {
            let delivery: AnyDelivery = match provider {
                Provider::Skladon => {
                    let (t, body) = skladon_body(seed);
                    skladon_post(t, &body).into()
                }
                Provider::Wakilni => any_delivery(provider, &wakilni_body(seed)),
                Provider::Peddler => any_delivery(provider, &peddler_body(seed)),
                Provider::Xoxoday => any_delivery(provider, &xoxoday_body(seed)),
                Provider::Isendu => any_delivery(provider, &isendu_body(seed)),
            };
            delivery.status_updates()
        })
        .collect()
}

fn seeds() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((0usize..64, 0u8..2, minute()), 1..12)
}

/// Any permutation of the sequence, with copies of some of its updates inserted anywhere.
fn shuffled_with_duplicates(
    updates: Vec<StatusUpdate>,
) -> impl Strategy<Value = (Vec<StatusUpdate>, Vec<StatusUpdate>)> {
    let n = updates.len();
    let dups = prop::collection::vec((0..n.max(1), 0..=n * 2), 0..=n * 2);
    (Just(updates.clone()).prop_shuffle(), dups).prop_map(move |(mut shuffled, dups)| {
        for (which, at) in dups {
            if let Some(u) = updates.get(which).cloned() {
                let at = at.min(shuffled.len());
                shuffled.insert(at, u);
            }
        }
        (updates.clone(), shuffled)
    })
}

fn fold(updates: &[StatusUpdate]) -> Timeline {
    let mut t = Timeline::new();
    t.apply_all(updates);
    t
}

fn check_fold(original: &[StatusUpdate], arrived: &[StatusUpdate]) -> Result<(), TestCaseError> {
    let a = fold(original);
    let b = fold(arrived);
    prop_assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    prop_assert_eq!(&a, &b);
    // Stored and loaded, it is the same timeline.
    let loaded: Timeline = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
    prop_assert_eq!(&loaded, &b);
    // Applying anything again changes nothing.
    let mut again = b.clone();
    prop_assert!(!again.apply_all(arrived));
    // A terminal state is not undone by any update of an earlier or equal time, nor by one
    // without a time.
    for current in b.iter().filter(|u| u.status.is_terminal()) {
        for late in arrived.iter().filter(|u| {
            (u.provider, u.shipment_key()) == (current.provider, current.shipment_key())
                && u.time <= current.time
        }) {
            let mut t = b.clone();
            t.apply(late);
            prop_assert_eq!(
                t.current(current.provider, &current.shipment_key()),
                Some(current)
            );
        }
    }
    Ok(())
}

macro_rules! fold_property {
    ($name:ident, $provider:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(common::cases(64)))]
            #[test]
            fn $name((original, arrived) in seeds()
                .prop_map(|s| provider_updates($provider, &s))
                .prop_flat_map(shuffled_with_duplicates))
            {
                check_fold(&original, &arrived)?;
            }
        }
    };
}

fold_property!(wakilni_fold_is_order_independent, Provider::Wakilni);
fold_property!(peddler_fold_is_order_independent, Provider::Peddler);
fold_property!(xoxoday_fold_is_order_independent, Provider::Xoxoday);
fold_property!(isendu_fold_is_order_independent, Provider::Isendu);
fold_property!(skladon_fold_is_order_independent, Provider::Skladon);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(64)))]
    /// All five providers' updates in one timeline, in any order: the same as folding each
    /// provider alone.
    #[test]
    fn providers_do_not_mix(seeds in seeds(), order in Just(Provider::ALL.to_vec()).prop_shuffle()) {
        let mut all = Vec::new();
        for p in &order {
            all.extend(provider_updates(*p, &seeds));
        }
        let together = fold(&all);
        for p in Provider::ALL {
            let alone = fold(&provider_updates(p, &seeds));
            let mine: Vec<_> = together.iter().filter(|u| u.provider == p).cloned().collect();
            prop_assert_eq!(mine, alone.iter().cloned().collect::<Vec<_>>());
        }
    }

    /// A terminal update that is the newest wins whatever arrives after it.
    #[test]
    fn terminal_is_not_undone_by_late_earlier_updates(seeds in seeds(), late in any::<bool>()) {
        let mut updates = provider_updates(Provider::Peddler, &seeds);
        let mut delivered = peddler::parse(br#"{"id":"S0","status":"DELIVERED","code":500,"ts":"2024-09-02T10:03:00Z"}"#).unwrap().status_updates();
        let done = delivered.remove(0);
        if late { updates.insert(0, done.clone()) } else { updates.push(done.clone()) }
        let t = fold(&updates);
        let now = t.current(Provider::Peddler, "shipment:S0").unwrap();
        // Nothing generated is later than minute 3; at minute 3 a terminal state wins ties
        // unless another terminal one outranks it.
        prop_assert!(now.status.is_terminal(), "{:?}", now);
        prop_assert_eq!(now.time, done.time);
    }
}
