//! Skladon: every webhook type, every fixture's fields, every enum, the GET URL cases, the
//! URL token, the round trip and negative cases.
#![cfg(feature = "skladon")]

mod common;

use delivery_webhooks::skladon::{
    self, Action, BatteryType, DeliveryType, Entity, EntityKind, ExpMethod, HandlingUnits,
    Incoterms, LineState, Notification, Order, OrderStatus, OrderType, Product, ProductType,
    Receiving, ReceivingStatus, ReceivingType, Resolution, Return, ReturnReason, StockMovement,
    StockMovementType, Urgency, Verifier, WebhookType, entity_id_from_url,
};
use delivery_webhooks::{Error, Provider, RawJson, Request, Timestamp, TimestampOrText, UrlToken};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::{date, datetime};

/// The instant of an optional time that was sent with a zone.
fn at(t: &Option<TimestampOrText>) -> Option<OffsetDateTime> {
    t.as_ref()?.timestamp()?.to_offset_date_time()
}

/// An optional date or time, read.
fn ts(t: &Option<TimestampOrText>) -> Option<Timestamp> {
    t.as_ref()?.timestamp()
}

/// Unmodelled JSON as a `serde_json::Value`, to compare with `json!`.
fn value(raw: &Option<RawJson>) -> Option<serde_json::Value> {
    raw.as_ref().map(|r| r.to_value().unwrap())
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../fixtures/skladon/", $name, ".json")).as_slice()
    };
}

const TOKEN: &str = "tok-5f1c9a7e2b4d8e";

fn payload_error(err: Error) -> delivery_webhooks::PayloadError {
    match err {
        Error::Payload(p) => p,
        other => panic!("expected a payload error, got {other:?}"),
    }
}

/// parse -> to_vec -> parse gives an equal value, for the typed and the fallback parser.
fn roundtrip(t: &WebhookType, entity: &Entity) {
    let bytes = serde_json::to_vec(entity).unwrap();
    let again = skladon::parse(t, &bytes).unwrap();
    assert_eq!(&again, entity, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(&crate::common::parse_any(&bytes).unwrap(), entity);
}

/// The key a user deduplicates on: the delivery's, when `entity` is POSTed for `t`.
fn dedup_key(t: &WebhookType, entity: &Entity) -> String {
    let url = format!("https://me.example/webhooks/skladon/{TOKEN}/{}", t.as_str());
    let body = serde_json::to_vec(entity).unwrap();
    let delivery = path_verifier().receive(&post(&url, &body)).unwrap();
    delivery.dedup_key().as_str().to_owned()
}

fn order(body: &[u8]) -> Order {
    match skladon::parse(&WebhookType::UpdateOrder, body).unwrap() {
        Entity::Order(o) => o,
        other => panic!("{other:?}"),
    }
}

fn product(body: &[u8]) -> Product {
    match skladon::parse(&WebhookType::CreateProduct, body).unwrap() {
        Entity::Product(p) => p,
        other => panic!("{other:?}"),
    }
}

fn receiving(body: &[u8]) -> Receiving {
    match skladon::parse(&WebhookType::UpdateReceivingStatus, body).unwrap() {
        Entity::Receiving(r) => r,
        other => panic!("{other:?}"),
    }
}

fn a_return(body: &[u8]) -> Return {
    match skladon::parse(&WebhookType::UpdateReturnStatus, body).unwrap() {
        Entity::Return(r) => r,
        other => panic!("{other:?}"),
    }
}

fn movement(body: &[u8]) -> StockMovement {
    match skladon::parse(&WebhookType::CreateStockMovementStockCorrection, body).unwrap() {
        Entity::StockMovement(m) => m,
        other => panic!("{other:?}"),
    }
}

// ----- webhook types ----------------------------------------------------------------------

#[test]
fn every_webhook_type_name_entity_and_action() {
    use Action::{Create as C, StatusUpdate as S, Update as U};
    use EntityKind::{Order as O, Product as P, Receiving as R, Return as Rt, StockMovement as M};
    let all: [(&str, WebhookType, EntityKind, Action); 18] = [
        ("CREATE_ORDER", WebhookType::CreateOrder, O, C),
        ("UPDATE_ORDER", WebhookType::UpdateOrder, O, U),
        ("UPDATE_ORDER_STATUS", WebhookType::UpdateOrderStatus, O, S),
        ("CREATE_PRODUCT", WebhookType::CreateProduct, P, C),
        ("UPDATE_PRODUCT", WebhookType::UpdateProduct, P, U),
        ("CREATE_RECEIVING", WebhookType::CreateReceiving, R, C),
        ("UPDATE_RECEIVING", WebhookType::UpdateReceiving, R, U),
        (
            "UPDATE_RECEIVING_STATUS",
            WebhookType::UpdateReceivingStatus,
            R,
            S,
        ),
        ("CREATE_RETURN", WebhookType::CreateReturn, Rt, C),
        ("UPDATE_RETURN", WebhookType::UpdateReturn, Rt, U),
        (
            "UPDATE_RETURN_STATUS",
            WebhookType::UpdateReturnStatus,
            Rt,
            S,
        ),
        (
            "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
            WebhookType::CreateStockMovementStockCorrection,
            M,
            C,
        ),
        (
            "CREATE_STOCK_MOVEMENT_COMPLETITION",
            WebhookType::CreateStockMovementCompletition,
            M,
            C,
        ),
        (
            "CREATE_STOCK_MOVEMENT_ORDER",
            WebhookType::CreateStockMovementOrder,
            M,
            C,
        ),
        (
            "CREATE_STOCK_MOVEMENT_RETURN",
            WebhookType::CreateStockMovementReturn,
            M,
            C,
        ),
        (
            "CREATE_STOCK_MOVEMENT_RECEIVING",
            WebhookType::CreateStockMovementReceiving,
            M,
            C,
        ),
        (
            "CREATE_STOCK_MOVEMENT_QUALITY_HOLD",
            WebhookType::CreateStockMovementQualityHold,
            M,
            C,
        ),
        (
            "CREATE_STOCK_MOVEMENT_QUALITY_RELEASE",
            WebhookType::CreateStockMovementQualityRelease,
            M,
            C,
        ),
    ];
    assert_eq!(WebhookType::ALL.len(), all.len());
    for (i, (name, t, entity, action)) in all.iter().enumerate() {
        assert_eq!(&WebhookType::ALL[i], t, "documented order");
        assert_eq!(name.parse::<WebhookType>().unwrap(), *t);
        assert_eq!(WebhookType::from(*name), *t);
        assert_eq!(t.as_str(), *name);
        assert_eq!(t.to_string(), *name);
        assert_eq!(t.documented_str(), Some(*name));
        assert!(!t.is_other());
        assert_eq!(t.entity(), Some(*entity), "{name}");
        assert_eq!(t.action(), Some(*action), "{name}");
        assert_eq!(serde_json::to_value(t).unwrap(), json!(name));
        assert_eq!(
            serde_json::from_value::<WebhookType>(json!(name)).unwrap(),
            *t
        );
    }
}

#[test]
fn unknown_and_miscased_types_are_kept_verbatim() {
    for name in ["DELETE_ORDER", "create_order", "Create_Order", ""] {
        let t: WebhookType = name.parse().unwrap();
        assert_eq!(t, WebhookType::Other(name.to_owned()));
        assert!(t.is_other());
        assert_eq!(t.as_str(), name);
        assert_eq!(t.to_string(), name);
        assert_eq!(t.entity(), None);
        assert_eq!(t.action(), None);
        assert_eq!(t.stock_movement_type(), None);
    }
}

#[test]
fn stock_movement_types_of_webhook_types() {
    let cases = [
        (
            WebhookType::CreateStockMovementStockCorrection,
            Some(StockMovementType::StockCorrection),
        ),
        (
            WebhookType::CreateStockMovementCompletition,
            Some(StockMovementType::Completition),
        ),
        (
            WebhookType::CreateStockMovementOrder,
            Some(StockMovementType::Order),
        ),
        (
            WebhookType::CreateStockMovementReturn,
            Some(StockMovementType::Return),
        ),
        (
            WebhookType::CreateStockMovementReceiving,
            Some(StockMovementType::Receiving),
        ),
        (WebhookType::CreateStockMovementQualityHold, None),
        (WebhookType::CreateStockMovementQualityRelease, None),
        (WebhookType::CreateOrder, None),
    ];
    for (t, expected) in cases {
        assert_eq!(t.stock_movement_type(), expected, "{t}");
    }
    let kinds: Vec<_> = EntityKind::ALL.iter().map(EntityKind::as_str).collect();
    assert_eq!(
        kinds,
        ["order", "product", "receiving", "return", "stock_movement"]
    );
    assert_eq!(EntityKind::StockMovement.to_string(), "stock_movement");
}

// ----- the doc's receiving example ----------------------------------------------------------

#[test]
fn doc_receiving_example_every_field() {
    let r = receiving(fixture!("receiving"));
    assert_eq!(r.eshop_receiving_id, "ESHOP_RECIVING_ID_123");
    assert_eq!(r.carrier_info, None);
    assert_eq!(r.delivery_note_number, None);
    assert_eq!(r.delivery_type, None);
    assert_eq!(r.description.as_deref(), Some("Example description"));
    assert_eq!(r.driver_company, None);
    assert_eq!(r.driver_dispatcher_contact, None);
    assert_eq!(r.driver_name, None);
    assert_eq!(r.driver_phone, None);
    assert_eq!(r.driver_trailer_license_plate, None);
    assert_eq!(r.duty, Some(false));
    assert_eq!(
        at(&r.estimated_delivery),
        Some(datetime!(2024-06-13 00:00 UTC))
    );
    assert_eq!(
        ts(&r.estimated_delivery).unwrap().date(),
        date!(2024 - 06 - 13)
    );
    assert_eq!(r.handling_units, Some(HandlingUnits::BoxLoose));
    assert_eq!(value(&r.packagings), Some(json!([])));
    assert_eq!(r.status, Some(ReceivingStatus::Received));
    assert_eq!(r.supplier.as_deref(), Some("AMAZON"));
    assert_eq!(r.tracking_number, None);
    assert_eq!(r.units_amount, Some(1));
    assert_eq!(r.urgent, None);
    // Fields the example does not send.
    assert_eq!(r.eshop_note, None);
    assert_eq!(r.priority, None);
    assert_eq!(r.real_delivery, None);
    assert_eq!(r.receiving_type, None);

    assert_eq!(r.products.len(), 3);
    let lines: Vec<_> = r
        .products
        .iter()
        .map(|p| {
            (
                p.sku.as_str(),
                p.quantity,
                p.lot.as_deref(),
                p.received,
                p.expiration_date.clone(),
                p.product_price.clone(),
                p.line_state.clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "TEST_SKU_1",
                Some(6),
                None,
                None,
                None,
                None,
                Some(LineState::D)
            ),
            (
                "TEST_SKU_2",
                Some(1),
                None,
                None,
                None,
                None,
                Some(LineState::D)
            ),
            (
                "TEST_SKU_3",
                Some(2),
                None,
                Some(2),
                None,
                None,
                Some(LineState::E)
            ),
        ]
    );

    let entity = Entity::Receiving(r);
    assert_eq!(entity.kind(), EntityKind::Receiving);
    assert_eq!(entity.id(), "ESHOP_RECIVING_ID_123");
    roundtrip(&WebhookType::UpdateReceivingStatus, &entity);
    // Written back in Skladon's own time format.
    let json = serde_json::to_value(&entity).unwrap();
    assert_eq!(json["estimatedDelivery"], "2024-06-13T00:00:00.000Z");
    assert_eq!(json["products"][2]["received"], 2);
    assert_eq!(json["packagings"], json!([]));
    assert_eq!(
        crate::common::parse_any(fixture!("receiving")).unwrap(),
        entity,
        "recognised without the type"
    );
}

#[test]
fn receiving_with_api_dates_and_every_field() {
    let r = receiving(fixture!("receiving_api_dates"));
    assert_eq!(r.eshop_receiving_id, "ESHOP_RECEIVING_ID_456");
    assert_eq!(r.description.as_deref(), Some("Spring restock"));
    assert_eq!(r.tracking_number.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(r.supplier.as_deref(), Some("ACME"));
    assert_eq!(
        ts(&r.estimated_delivery),
        Some(Timestamp::from(date!(2025 - 09 - 15)))
    );
    assert_eq!(r.handling_units, Some(HandlingUnits::BoxLoose));
    assert_eq!(value(&r.carrier_info), Some(json!("DHL Freight, gate 3")));
    assert_eq!(r.delivery_note_number.as_deref(), Some("DN-2025-0915"));
    assert_eq!(r.delivery_type, Some(DeliveryType::Container));
    assert_eq!(r.urgent, Some(Urgency::RecievedWithoutAsn));
    assert_eq!(r.duty, Some(true));
    assert_eq!(r.units_amount, Some(3), "from a numeric string");
    assert_eq!(r.driver_company.as_deref(), Some("Trans s.r.o."));
    assert_eq!(r.driver_trailer_license_plate.as_deref(), Some("1AB 2345"));
    assert_eq!(r.driver_name.as_deref(), Some("Karel Dvořák"));
    assert_eq!(r.driver_phone.as_deref(), Some("+420601002003"));
    assert_eq!(
        r.driver_dispatcher_contact.as_deref(),
        Some("dispatch@trans.example")
    );
    assert_eq!(r.eshop_note.as_deref(), Some("Call before unloading"));
    assert_eq!(r.priority, Some(1));
    assert_eq!(r.container_number.as_deref(), Some("MSCU1234565"));
    assert_eq!(r.announced_pallets_count, Some(4));
    assert_eq!(r.receiving_type, Some(ReceivingType::PieceMix));
    assert_eq!(r.incoterms, Some(Incoterms::Fob));
    assert_eq!(
        at(&r.real_delivery),
        Some(datetime!(2025-09-15 08:03:20.770 UTC))
    );
    assert_eq!(r.delivered_pallets_count, Some(4));
    assert_eq!(r.delivered_cartons_count, Some(37));
    assert_eq!(r.returned_eur_pallets_count, Some(2));
    assert_eq!(r.delivered_standard_pallets_count, Some(1));
    assert_eq!(r.returned_standard_pallets_count, Some(0));
    assert_eq!(at(&r.unloaded_at), Some(datetime!(2025-09-15 09:10 UTC)));
    assert_eq!(
        at(&r.confirmed_at),
        Some(datetime!(2025-09-15 11:30:45.5 UTC))
    );
    assert_eq!(r.status, Some(ReceivingStatus::Awaiting));
    assert_eq!(
        value(&r.packagings),
        Some(json!([{"type": "pallet", "count": 4}]))
    );

    let [a, b] = r.products.as_slice() else {
        panic!("{:?}", r.products)
    };
    assert_eq!(a.sku, "TEST_SKU_1");
    assert_eq!(a.quantity, Some(120));
    assert_eq!(a.lot.as_deref(), Some("LOT-2025-09"));
    assert_eq!(a.received, Some(118));
    assert_eq!(
        ts(&a.expiration_date),
        Some(Timestamp::from(date!(2026 - 03 - 31)))
    );
    assert_eq!(
        a.product_price
            .as_ref()
            .map(|n| (n.as_str(), n.was_string(), n.to_f64())),
        Some(("4.75", false, Some(4.75)))
    );
    assert_eq!(a.line_state, Some(LineState::E));
    assert_eq!(b.sku, "TEST_SKU_4");
    assert_eq!(b.quantity, Some(10));
    assert_eq!(b.lot, None);
    assert_eq!(b.received, None);
    assert_eq!(
        at(&b.expiration_date),
        Some(datetime!(2026-04-30 00:00 UTC))
    );
    assert_eq!(
        b.product_price
            .as_ref()
            .map(|n| (n.as_str(), n.was_string())),
        Some(("12", true))
    );
    assert_eq!(b.line_state, Some(LineState::Other("X".into())));

    let entity = Entity::Receiving(r);
    roundtrip(&WebhookType::CreateReceiving, &entity);
    // Each date is written back in the form it came in.
    let json = serde_json::to_value(&entity).unwrap();
    assert_eq!(json["estimatedDelivery"], "2025-09-15");
    assert_eq!(json["products"][0]["expirationDate"], "2026-03-31");
    assert_eq!(
        json["products"][1]["expirationDate"],
        "2026-04-30T00:00:00.000Z"
    );
    assert_eq!(json["realDelivery"], "2025-09-15T08:03:20.770Z");
    assert_eq!(json["urgent"], "recievedWithoutAsn");
    assert_eq!(json["unitsAmount"], 3);
}

// ----- orders -------------------------------------------------------------------------------

#[test]
fn order_every_field() {
    let o = order(fixture!("order"));
    assert_eq!(o.id, Some(1));
    assert_eq!(o.status, Some(OrderStatus::InProcess));
    assert_eq!(at(&o.timestamp), Some(datetime!(2022-05-23 18:43:10 UTC)));
    assert_eq!(at(&o.updated_at), Some(datetime!(2022-05-23 18:45:02 UTC)));
    assert_eq!(o.delivered_at, None);
    assert_eq!(o.canceled_at, None);
    assert_eq!(o.tracking_numbers, ["012364479"]);
    assert_eq!(o.eshop_order_id, "12345");
    assert_eq!(o.invoice_number.as_deref(), Some("4790712402150"));
    assert_eq!(o.order_type, Some(OrderType::B2c));
    assert_eq!(at(&o.invoice_date), Some(datetime!(2022-05-23 00:00 UTC)));
    assert_eq!(
        at(&o.required_expedition_date),
        Some(datetime!(2022-05-24 12:00 UTC))
    );
    assert_eq!(o.partner_order_id.as_deref(), Some("PARTNER-77"));

    let r = &o.recipient;
    assert_eq!(r.name.as_deref(), Some("Jan Novák"));
    assert_eq!(r.attention_name.as_deref(), Some("Jana Nováková"));
    assert_eq!(r.email.as_deref(), Some("jan.novak@example.cz"));
    assert_eq!(r.phone.as_deref(), Some("735001002"));
    assert_eq!(r.company_name.as_deref(), Some("Novák s.r.o."));
    assert_eq!(r.company_id.as_deref(), Some("12345678"));
    assert_eq!(r.tax_id.as_deref(), Some("CZ12345678"));
    assert_eq!(r.street.as_deref(), Some("Komenského 172"));
    assert_eq!(r.address_additional_info.as_deref(), Some("2nd floor"));
    assert_eq!(r.city.as_deref(), Some("Praha"));
    assert_eq!(r.state.as_deref(), Some("CZ"));
    assert_eq!(r.province_code.as_deref(), Some("PR"));
    assert_eq!(r.post_code.as_deref(), Some("70316"));
    assert_eq!(r.gln.as_deref(), Some("01234563987"));

    let b = &o.billing;
    assert_eq!(b.name.as_deref(), Some("Petr Svoboda"));
    assert_eq!(b.attention_name.as_deref(), Some("Accounts"));
    assert_eq!(b.email.as_deref(), Some("billing@example.cz"));
    assert_eq!(b.phone.as_deref(), Some("735001003"));
    assert_eq!(b.company_name.as_deref(), Some("Svoboda a.s."));
    assert_eq!(b.company_id.as_deref(), Some("87654321"));
    assert_eq!(b.tax_id.as_deref(), Some("CZ87654321"));
    assert_eq!(b.street.as_deref(), Some("Dlouhá 5"));
    assert_eq!(b.address_additional_info.as_deref(), Some("PO box 12"));
    assert_eq!(b.city.as_deref(), Some("Brno"));
    assert_eq!(b.state.as_deref(), Some("CZ"));
    assert_eq!(b.province_code.as_deref(), Some("JM"));
    assert_eq!(b.post_code.as_deref(), Some("60200"));
    assert_eq!(b.gln.as_deref(), Some("9874563210123"));
    assert!(o.extra.is_empty(), "{:?}", o.extra);

    let entity = Entity::Order(o);
    assert_eq!(entity.id(), "12345");
    roundtrip(&WebhookType::CreateOrder, &entity);
    // Written back byte-for-byte equivalent JSON (nulls are left out).
    let written = serde_json::to_value(&entity).unwrap();
    let mut original: serde_json::Value = serde_json::from_slice(fixture!("order")).unwrap();
    original
        .as_object_mut()
        .unwrap()
        .retain(|_, v| !v.is_null());
    assert_eq!(written, original);
}

#[test]
fn order_unknown_values_nulls_numbers_and_extra_fields() {
    let o = order(fixture!("order_unknown_values"));
    assert_eq!(o.id, Some(42), "from a numeric string");
    assert_eq!(o.status, Some(OrderStatus::Other("teleported".into())));
    assert_eq!(o.status.as_ref().unwrap().as_str(), "teleported");
    assert_eq!(at(&o.timestamp), Some(datetime!(2022-05-23 18:43:10 UTC)));
    assert_eq!(o.updated_at, None);
    assert_eq!(o.delivered_at, None, "empty string");
    assert_eq!(
        at(&o.canceled_at),
        Some(datetime!(2022-05-25 08:00:00.123 UTC))
    );
    assert!(o.tracking_numbers.is_empty());
    assert_eq!(o.eshop_order_id, "98765", "from a number");
    assert_eq!(o.invoice_number.as_deref(), Some("4790712402151"));
    assert_eq!(o.order_type, Some(OrderType::Other("c2c".into())));
    assert_eq!(o.invoice_date, None);
    assert_eq!(o.partner_order_id, None);
    assert_eq!(o.recipient.name.as_deref(), Some("Jan Novák"));
    assert_eq!(o.recipient.phone, None);
    assert!(o.billing.is_empty());
    assert_eq!(o.extra.len(), 2);
    assert_eq!(o.extra["shipper"].to_value().unwrap(), "PPL");
    assert_eq!(
        o.extra["cod"].to_value().unwrap(),
        json!({"amount": 199.9, "currency": "CZK"})
    );

    let t = WebhookType::UpdateOrderStatus;
    let entity = Entity::Order(o);
    roundtrip(&t, &entity);
    let json = serde_json::to_value(&entity).unwrap();
    assert_eq!(json["shipper"], "PPL");
    assert_eq!(json["id"], 42);
    assert_eq!(json["canceledAt"], "2022-05-25T08:00:00.123Z");
    // No updatedAt: the key carries a content fingerprint.
    let key = dedup_key(&t, &entity);
    assert!(
        key.starts_with("skladon:UPDATE_ORDER_STATUS:98765:teleported:~"),
        "{key}"
    );
    assert_eq!(
        key.len(),
        "skladon:UPDATE_ORDER_STATUS:98765:teleported:~".len() + 16
    );
}

#[test]
fn every_order_status_and_type() {
    let statuses = [
        ("inProcess", OrderStatus::InProcess),
        ("lost", OrderStatus::Lost),
        ("received", OrderStatus::Received),
        ("processing", OrderStatus::Processing),
        ("processed", OrderStatus::Processed),
        ("onTheWay", OrderStatus::OnTheWay),
        ("delivered", OrderStatus::Delivered),
        ("returnedBack", OrderStatus::ReturnedBack),
        ("canceled", OrderStatus::Canceled),
        ("returningBack", OrderStatus::ReturningBack),
        ("onResend", OrderStatus::OnResend),
        ("refundInProcess", OrderStatus::RefundInProcess),
        ("receivedBack", OrderStatus::ReceivedBack),
        ("partlyReceivedBack", OrderStatus::PartlyReceivedBack),
        ("preReceived", OrderStatus::PreReceived),
        ("incorrect", OrderStatus::Incorrect),
        ("suspended", OrderStatus::Suspended),
        ("waitingForPayment", OrderStatus::WaitingForPayment),
        ("productsNotAvailable", OrderStatus::ProductsNotAvailable),
        ("packed", OrderStatus::Packed),
        ("waitingForCarrier", OrderStatus::WaitingForCarrier),
    ];
    assert_eq!(OrderStatus::ALL.len(), statuses.len());
    for (wire, status) in statuses {
        let body = format!(r#"{{"eshopOrderId":"1","status":"{wire}","orderType":"b2b"}}"#);
        let o = order(body.as_bytes());
        assert_eq!(o.status.as_ref(), Some(&status));
        assert_eq!(status.as_str(), wire);
        assert_eq!(o.order_type, Some(OrderType::B2b));
        roundtrip(&WebhookType::UpdateOrderStatus, &Entity::Order(o));
    }
    assert_eq!(OrderType::ALL, [OrderType::B2c, OrderType::B2b]);
}

// ----- products -----------------------------------------------------------------------------

#[test]
fn product_every_field() {
    let p = product(fixture!("product"));
    assert_eq!(p.id, Some(501));
    assert_eq!(p.sku, "TEST_SKU_1");
    assert_eq!(p.name.as_deref(), Some("Ceramic mug 300 ml"));
    assert_eq!(p.description.as_deref(), Some("White ceramic mug"));
    assert_eq!(
        p.price.as_ref().map(|n| (n.as_str(), n.to_f64())),
        Some(("199.9", Some(199.9)))
    );
    assert_eq!(p.hs_code.as_deref(), Some("69120083"));
    assert_eq!(p.upc.as_deref(), Some("036000291452"));
    assert_eq!(p.ean.as_deref(), Some("08594001234567"));
    assert_eq!(
        p.guid.as_deref(),
        Some("6f1c2b7e-3a1d-4c55-9a0e-2c1d9b7f0e11")
    );
    assert_eq!(p.rop.as_ref().map(|n| n.as_str()), Some("20"));
    assert_eq!(p.mpn.as_deref(), Some("MUG-300-W"));
    assert_eq!(p.isbn, None);
    assert_eq!(p.note.as_deref(), Some("Fragile"));
    assert_eq!(p.origin_country.as_deref(), Some("CZ"));
    assert_eq!(p.custom_field1.as_deref(), Some("collection:spring"));
    assert_eq!(p.custom_field2.as_deref(), Some(""));
    assert_eq!(p.custom_field3, None);
    assert_eq!(p.age_check, Some(false));
    assert_eq!(p.active, Some(true));
    assert_eq!(p.scan_serial_number, Some(false));
    assert_eq!(p.battery_type, Some(BatteryType::No));
    assert_eq!(p.exp_method, Some(ExpMethod::Fefo));
    assert_eq!(p.product_type, Some(ProductType::FinalProduct));

    let t = WebhookType::UpdateProduct;
    let entity = Entity::Product(p);
    assert_eq!(entity.id(), "TEST_SKU_1");
    roundtrip(&t, &entity);
    let json = serde_json::to_value(&entity).unwrap();
    assert_eq!(json["customField1"], "collection:spring");
    assert_eq!(json["hsCode"], "69120083");
    assert_eq!(json["price"], 199.9);
    assert_eq!(json["expMethod"], "FEFO");
    assert!(json.get("isbn").is_none());
}

#[test]
fn product_unknown_values_and_string_numbers() {
    let p = product(fixture!("product_unknown_values"));
    assert_eq!(p.sku, "8594001234567", "from a number");
    assert_eq!(p.id, None);
    assert_eq!(p.name, None);
    // Kept exact: "12.50" keeps its digits and is written back as the string it came as.
    assert_eq!(
        p.price.as_ref().map(|n| (n.to_string(), n.was_string())),
        Some(("12.50".to_owned(), true))
    );
    assert_eq!(p.rop, None);
    assert_eq!(p.battery_type, Some(BatteryType::Other("lithium".into())));
    assert_eq!(p.exp_method, Some(ExpMethod::Other("LIFO".into())));
    assert_eq!(p.product_type, Some(ProductType::Other("giftCard".into())));
    assert_eq!(p.age_check, None);
    let entity = Entity::Product(p);
    roundtrip(&WebhookType::CreateProduct, &entity);
    assert_eq!(serde_json::to_value(&entity).unwrap()["price"], "12.50");
}

#[test]
fn every_product_enum_value() {
    let types = [
        ("pack", ProductType::Pack),
        ("packagingMaterial", ProductType::PackagingMaterial),
        ("semiProduct", ProductType::SemiProduct),
        ("finalProduct", ProductType::FinalProduct),
        ("promoMaterial", ProductType::PromoMaterial),
        ("virtual", ProductType::Virtual),
        ("serviceProduct", ProductType::ServiceProduct),
    ];
    assert_eq!(ProductType::ALL.len(), types.len());
    let batteries = [
        ("no", BatteryType::No),
        ("device", BatteryType::Device),
        ("package", BatteryType::Package),
    ];
    assert_eq!(BatteryType::ALL.len(), batteries.len());
    let methods = [("FIFO", ExpMethod::Fifo), ("FEFO", ExpMethod::Fefo)];
    assert_eq!(ExpMethod::ALL.len(), methods.len());
    for (i, (pt, ptv)) in types.iter().enumerate() {
        let (bt, btv) = &batteries[i % batteries.len()];
        let (em, emv) = &methods[i % methods.len()];
        let body = format!(
            r#"{{"sku":"S","productType":"{pt}","batteryType":"{bt}","expMethod":"{em}"}}"#
        );
        let p = product(body.as_bytes());
        assert_eq!(p.product_type.as_ref(), Some(ptv));
        assert_eq!(p.battery_type.as_ref(), Some(btv));
        assert_eq!(p.exp_method.as_ref(), Some(emv));
        roundtrip(&WebhookType::CreateProduct, &Entity::Product(p));
    }
    // Exact matching: case differs, so kept verbatim.
    assert_eq!(ExpMethod::from("fifo"), ExpMethod::Other("fifo".into()));
}

// ----- receiving enums ----------------------------------------------------------------------

#[test]
fn every_receiving_enum_value() {
    let deliveries = [
        ("courier", DeliveryType::Courier),
        ("transportCompany", DeliveryType::TransportCompany),
        ("truckingCompany", DeliveryType::TruckingCompany),
        ("container", DeliveryType::Container),
    ];
    assert_eq!(DeliveryType::ALL.len(), deliveries.len());
    let urgencies = [
        ("ok", Urgency::Ok),
        ("afterUrgent", Urgency::AfterUrgent),
        ("recievedWithoutAsn", Urgency::RecievedWithoutAsn),
    ];
    assert_eq!(Urgency::ALL.len(), urgencies.len());
    for (i, (d, dv)) in deliveries.iter().enumerate() {
        let (u, uv) = &urgencies[i % urgencies.len()];
        let body = format!(r#"{{"eshopReceivingId":"R","deliveryType":"{d}","urgent":"{u}"}}"#);
        let r = receiving(body.as_bytes());
        assert_eq!(r.delivery_type.as_ref(), Some(dv));
        assert_eq!(r.urgent.as_ref(), Some(uv));
        assert!(r.products.is_empty());
        roundtrip(&WebhookType::UpdateReceiving, &Entity::Receiving(r));
    }
    // The correct spelling reads as Skladon's misspelled value, written back misspelled.
    assert_eq!(
        Urgency::from("receivedWithoutAsn"),
        Urgency::RecievedWithoutAsn
    );
    assert_eq!(Urgency::RecievedWithoutAsn.as_str(), "recievedWithoutAsn");
    assert_eq!(Urgency::from("late"), Urgency::Other("late".into()));

    assert_eq!(
        ReceivingStatus::ALL,
        [ReceivingStatus::Awaiting, ReceivingStatus::Received]
    );
    assert_eq!(ReceivingStatus::from("awaiting"), ReceivingStatus::Awaiting);
    assert_eq!(
        ReceivingStatus::from("inProgress"),
        ReceivingStatus::Other("inProgress".into())
    );
    assert_eq!(ReceivingType::from("piece_mix"), ReceivingType::PieceMix);
    assert_eq!(
        ReceivingType::from("pallet_single"),
        ReceivingType::Other("pallet_single".into())
    );
    assert_eq!(HandlingUnits::from("box_loose"), HandlingUnits::BoxLoose);
    assert_eq!(
        HandlingUnits::from("pallet"),
        HandlingUnits::Other("pallet".into())
    );
    assert_eq!(Incoterms::ALL.len(), 11);
    for i in Incoterms::ALL {
        assert_eq!(&Incoterms::from(i.as_str()), i);
        assert_eq!(i.as_str().len(), 3);
    }
    assert_eq!(Incoterms::from("DAT"), Incoterms::Other("DAT".into()));
    assert_eq!(LineState::ALL, [LineState::D, LineState::E]);
    assert_eq!(LineState::from("d"), LineState::Other("d".into()));
}

// ----- returns ------------------------------------------------------------------------------

#[test]
fn return_every_field() {
    let r = a_return(fixture!("return"));
    assert_eq!(r.eshop_return_id, "RET-2024-0042");
    assert_eq!(r.eshop_order_id.as_deref(), Some("12345"));
    assert_eq!(r.note.as_deref(), Some("Customer wants a bigger size"));
    assert_eq!(r.eshop_note.as_deref(), Some("Priority customer"));
    assert_eq!(r.description.as_deref(), Some("Return of 2 items"));
    assert_eq!(r.shipper.as_deref(), Some("PPL"));
    assert_eq!(r.tracking_number.as_deref(), Some("40012345678"));
    assert_eq!(
        r.shipper_service_code.as_deref(),
        Some("PPL_PARCEL_CZ_PRIVATE")
    );
    assert_eq!(r.order_type, Some(OrderType::B2c));
    assert_eq!(r.canceled_at, None);
    assert_eq!(at(&r.confirmed_at), Some(datetime!(2024-06-20 10:15 UTC)));
    assert_eq!(at(&r.received_at), Some(datetime!(2024-06-19 14:02:31 UTC)));
    assert_eq!(r.rma.as_deref(), Some("RMA-7781"));
    assert_eq!(r.status.as_deref(), Some("received"));

    let [a, b] = r.returned_order_products.as_slice() else {
        panic!("{:?}", r.returned_order_products)
    };
    assert_eq!(a.sku, "TEST_SKU_1");
    assert_eq!(a.quantity, Some(2));
    assert_eq!(a.received, Some(2));
    assert_eq!(a.return_reason, Some(ReturnReason::Exchange));
    assert_eq!(a.resolution, Some(Resolution::ReturnToInventory));
    assert_eq!(a.line_state, Some(LineState::E));
    assert_eq!(b.sku, "TEST_SKU_2");
    assert_eq!(b.quantity, Some(1));
    assert_eq!(b.received, Some(0));
    assert_eq!(b.return_reason, Some(ReturnReason::Other("damaged".into())));
    assert_eq!(b.resolution, Some(Resolution::Other("dispose".into())));
    assert_eq!(b.line_state, Some(LineState::D));

    let [f] = r.files.as_slice() else {
        panic!("{:?}", r.files)
    };
    assert_eq!(f.data.as_deref(), Some("aGVsbG8="));
    assert_eq!(f.r#type.as_deref(), Some("photo"));
    assert_eq!(f.file_name.as_deref(), Some("damage.jpg"));
    assert_eq!(f.file_type.as_deref(), Some("image/jpeg"));
    assert_eq!(f.file_size, Some(5));
    assert_eq!(f.id.as_deref(), Some("9001"), "a number read as its digits");

    let t = WebhookType::UpdateReturnStatus;
    let entity = Entity::Return(r);
    assert_eq!(entity.id(), "RET-2024-0042");
    roundtrip(&t, &entity);
    let json = serde_json::to_value(&entity).unwrap();
    assert_eq!(json["returnedOrderProducts"][0]["returnReason"], "exchange");
    assert_eq!(json["files"][0]["fileName"], "damage.jpg");
    assert_eq!(json["files"][0]["type"], "photo");
    assert_eq!(json["confirmedAt"], "2024-06-20T10:15:00.000Z");
    let key = dedup_key(&t, &entity);
    assert!(
        key.starts_with("skladon:UPDATE_RETURN_STATUS:RET-2024-0042:received:~"),
        "{key}"
    );
}

#[test]
fn return_with_null_lists_and_minimal_fields() {
    let r = a_return(
        br#"{"eshopReturnId":"R1","returnedOrderProducts":null,"files":null,"status":null}"#,
    );
    assert_eq!(r.eshop_return_id, "R1");
    assert!(r.returned_order_products.is_empty() && r.files.is_empty());
    assert_eq!(r.status, None);
    roundtrip(&WebhookType::CreateReturn, &Entity::Return(r));
}

// ----- stock movements ----------------------------------------------------------------------

#[test]
fn stock_movement_every_field() {
    let m = movement(fixture!("stock_movement"));
    assert_eq!(m.id, 778899);
    assert_eq!(m.count, -3);
    assert_eq!(m.sku, "TEST_SKU_1");
    assert_eq!(m.lot.as_deref(), Some("LOT-2025-09"));
    assert_eq!(m.r#type, StockMovementType::StockCorrection);
    assert_eq!(at(&m.created_at), Some(datetime!(2024-06-13 09:12:44 UTC)));
    assert_eq!(at(&m.updated_at), Some(datetime!(2024-06-13 09:12:44 UTC)));
    assert_eq!(
        ts(&m.expiration_date),
        Some(Timestamp::from(date!(2026 - 03 - 31)))
    );
    let t = WebhookType::CreateStockMovementStockCorrection;
    let entity = Entity::StockMovement(m);
    assert_eq!(entity.id(), "778899");
    roundtrip(&t, &entity);
    assert_eq!(
        dedup_key(&t, &entity),
        "skladon:CREATE_STOCK_MOVEMENT_STOCK_CORRECTION:778899:2024-06-13T09:12:44.000Z"
    );
    let json = serde_json::to_value(&entity).unwrap();
    assert_eq!(json["count"], -3);
    assert_eq!(json["type"], "stock_correction");
    assert_eq!(json["expirationDate"], "2026-03-31");
}

#[test]
fn stock_movement_completition_with_string_numbers() {
    let m = movement(fixture!("stock_movement_completition"));
    assert_eq!(m.id, 778900);
    assert_eq!(m.count, 12);
    assert_eq!(m.sku, "SET_SKU_1");
    assert_eq!(m.lot, None);
    assert_eq!(m.r#type, StockMovementType::Completition);
    assert_eq!(m.r#type.as_str(), "completition");
    assert_eq!(at(&m.created_at), Some(datetime!(2024-06-14 07:00 UTC)));
    assert_eq!(m.updated_at, None);
    assert_eq!(
        at(&m.expiration_date),
        Some(datetime!(2026-01-31 00:00 UTC))
    );
    let t = WebhookType::CreateStockMovementCompletition;
    assert_eq!(t.stock_movement_type().as_ref(), Some(&m.r#type));
    let entity = Entity::StockMovement(m);
    roundtrip(&t, &entity);
    assert_eq!(
        dedup_key(&t, &entity),
        "skladon:CREATE_STOCK_MOVEMENT_COMPLETITION:778900"
    );
}

#[test]
fn stock_movement_unknown_type_and_offset() {
    let m = movement(fixture!("stock_movement_unknown_type"));
    assert_eq!(m.id, 778901);
    assert_eq!(m.count, 5);
    assert_eq!(m.sku, "TEST_SKU_3");
    assert_eq!(m.lot, None);
    assert_eq!(m.r#type, StockMovementType::Other("quality_hold".into()));
    assert_eq!(at(&m.created_at), Some(datetime!(2024-06-15 16:20 +02:00)));
    assert_eq!(m.expiration_date, None);
    let entity = Entity::StockMovement(m);
    roundtrip(&WebhookType::CreateStockMovementQualityHold, &entity);
    // The offset is kept, not converted, and the text is written back as it came.
    assert_eq!(
        serde_json::to_value(&entity).unwrap()["createdAt"],
        "2024-06-15T16:20:00.000+02:00"
    );
}

#[test]
fn every_stock_movement_type() {
    let all = [
        ("stock_correction", StockMovementType::StockCorrection),
        ("order", StockMovementType::Order),
        ("return", StockMovementType::Return),
        ("receiving", StockMovementType::Receiving),
        ("completition", StockMovementType::Completition),
        ("order_surplus", StockMovementType::OrderSurplus),
        ("order_confirmed", StockMovementType::OrderConfirmed),
        ("return_confirmed", StockMovementType::ReturnConfirmed),
        ("receiving_confirmed", StockMovementType::ReceivingConfirmed),
    ];
    assert_eq!(StockMovementType::ALL.len(), all.len());
    for (wire, kind) in all {
        let body = format!(r#"{{"id":1,"count":0,"sku":"S","type":"{wire}"}}"#);
        let m = movement(body.as_bytes());
        assert_eq!(m.r#type, kind);
        assert_eq!(kind.as_str(), wire);
        roundtrip(
            &WebhookType::CreateStockMovementOrder,
            &Entity::StockMovement(m),
        );
    }
    assert_eq!(
        StockMovementType::from("completion"),
        StockMovementType::Completition
    );
}

// ----- parse dispatch and the fallback ------------------------------------------------------

#[test]
fn parse_dispatches_on_the_type() {
    // The same body read as each kind the types name: a receiving body is not an order.
    let err = skladon::parse(&WebhookType::CreateOrder, fixture!("receiving")).unwrap_err();
    assert!(
        payload_error(err)
            .message()
            .contains("missing field `eshopOrderId`")
    );
    let err = skladon::parse(&WebhookType::CreateReturn, fixture!("order")).unwrap_err();
    assert!(
        payload_error(err)
            .message()
            .contains("missing field `eshopReturnId`")
    );
    for t in WebhookType::ALL {
        let body: &[u8] = match t.entity().unwrap() {
            EntityKind::Order => fixture!("order"),
            EntityKind::Product => fixture!("product"),
            EntityKind::Receiving => fixture!("receiving"),
            EntityKind::Return => fixture!("return"),
            EntityKind::StockMovement => fixture!("stock_movement"),
            other => panic!("{other:?}"),
        };
        let entity = skladon::parse(t, body).unwrap();
        assert_eq!(Some(entity.kind()), t.entity(), "{t}");
    }
}

#[test]
fn parse_recognises_the_entity_of_an_unknown_type_by_its_keys() {
    let t = WebhookType::from("DELETE_ORDER");
    assert_eq!(t.entity(), None);
    // The one entry: an unknown type's entity is recognised by its keys.
    let entity = skladon::parse(&t, fixture!("order")).unwrap();
    assert_eq!(entity.kind(), EntityKind::Order);
    assert_eq!(
        entity,
        skladon::parse(&WebhookType::UpdateOrder, fixture!("order")).unwrap()
    );
    // A body that is no known entity is still refused, naming the keys looked for.
    let err = skladon::parse(&t, br#"{"pickingListId":"PL-1"}"#).unwrap_err();
    assert_eq!(err.status_code(), 400);
    let p = payload_error(err);
    assert!(
        p.message().contains("not a recognisable skladon entity"),
        "{p}"
    );
    assert_eq!(p.path(), ".");
}

#[test]
fn parse_any_recognises_every_fixture() {
    let cases: [(&[u8], EntityKind); 10] = [
        (fixture!("order"), EntityKind::Order),
        (fixture!("order_unknown_values"), EntityKind::Order),
        (fixture!("product"), EntityKind::Product),
        (fixture!("product_unknown_values"), EntityKind::Product),
        (fixture!("receiving"), EntityKind::Receiving),
        (fixture!("receiving_api_dates"), EntityKind::Receiving),
        (fixture!("return"), EntityKind::Return),
        (fixture!("stock_movement"), EntityKind::StockMovement),
        (
            fixture!("stock_movement_completition"),
            EntityKind::StockMovement,
        ),
        (
            fixture!("stock_movement_unknown_type"),
            EntityKind::StockMovement,
        ),
    ];
    for (body, kind) in cases {
        let any = crate::common::parse_any(body).unwrap();
        assert_eq!(any.kind(), kind);
        let typed = crate::common::parse_kind(kind, body).unwrap();
        assert_eq!(any, typed);
    }
    // Key rules, including the overlaps.
    let rules: [(&[u8], EntityKind); 6] = [
        (
            br#"{"returnedOrderProducts":[],"eshopReturnId":"R"}"#,
            EntityKind::Return,
        ),
        (
            br#"{"eshopOrderId":"1","eshopReturnId":"R","status":"x"}"#,
            EntityKind::Return,
        ),
        (br#"{"sku":"S","name":"N"}"#, EntityKind::Product),
        (br#"{"sku":"S","productType":"pack"}"#, EntityKind::Product),
        (
            br#"{"sku":"S","count":1,"type":"order","id":1}"#,
            EntityKind::StockMovement,
        ),
        (br#"{"eshopOrderId":"1"}"#, EntityKind::Order),
    ];
    for (body, kind) in rules {
        assert_eq!(
            crate::common::parse_any(body).unwrap().kind(),
            kind,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn parse_any_refusals() {
    let p = payload_error(crate::common::parse_any(br#"{"sku":"S"}"#).unwrap_err());
    assert!(
        p.message().contains("not a recognisable skladon entity"),
        "{p}"
    );
    for body in [&b"[]"[..], b"null", b"not json", b""] {
        let p = payload_error(crate::common::parse_any(body).unwrap_err());
        assert_eq!(p.path(), ".", "{}", String::from_utf8_lossy(body));
    }
    // Recognised, but invalid as that entity: the path is named.
    let p = payload_error(
        crate::common::parse_any(
            br#"{"eshopReceivingId":"R","products":[{"sku":"S","quantity":"x"}]}"#,
        )
        .unwrap_err(),
    );
    assert_eq!(p.path(), "products[0].quantity");
}

// ----- GET webhooks -------------------------------------------------------------------------

#[test]
fn get_url_doc_example_and_variants() {
    let ok = [
        // The doc's example.
        (
            "https://app.myclientapp/api/orders/changes/",
            "https://app.myclientapp/api/orders/changes/123456",
            "123456",
        ),
        // Registered without the trailing slash.
        (
            "https://app.myclientapp/api/orders/changes",
            "https://app.myclientapp/api/orders/changes/123456",
            "123456",
        ),
        // Origin-form request target, as frameworks give it.
        (
            "https://app.myclientapp/api/orders/changes/",
            "/api/orders/changes/123456",
            "123456",
        ),
        // Both origin-form.
        (
            "/api/orders/changes",
            "/api/orders/changes/123456",
            "123456",
        ),
        // Scheme and host compared ignoring case.
        (
            "HTTPS://App.MyClientApp/api/orders/changes/",
            "https://app.myclientapp/api/orders/changes/123456",
            "123456",
        ),
        // Query strings on either side are ignored.
        (
            "https://app.myclientapp/api/orders/changes/?token=abc",
            "https://app.myclientapp/api/orders/changes/123456?token=abc",
            "123456",
        ),
        (
            "/api/orders/changes/",
            "/api/orders/changes/123456?retry=3#frag",
            "123456",
        ),
        // Percent-encoded ids are decoded.
        (
            "/api/orders/changes/",
            "/api/orders/changes/ORD%2D7",
            "ORD-7",
        ),
        (
            "/api/orders/changes/",
            "/api/orders/changes/a%20b+c",
            "a b+c",
        ),
        ("/api/orders/changes/", "/api/orders/changes/%C4%8Dr", "čr"),
        // One trailing slash after the id.
        (
            "/api/orders/changes/",
            "/api/orders/changes/123456/",
            "123456",
        ),
        // Registered at the root.
        ("https://hooks.example/", "https://hooks.example/77", "77"),
        ("https://hooks.example", "/77", "77"),
    ];
    for (registered, requested, id) in ok {
        let got = entity_id_from_url(registered, requested)
            .unwrap_or_else(|e| panic!("{registered} {requested}: {e}"));
        assert_eq!(got.as_str(), id, "{registered} {requested}");
        assert_eq!(got.to_string(), id);
    }
}

#[test]
fn get_url_refusals() {
    let bad = [
        // Control characters: no identifier holds them.
        ("/o/", "/o/a%0D%0Ab", "control character"),
        ("/o/", "/o/a%00", "control character"),
        ("/o/", "/o/a%7F", "control character"),
        ("/o/", "/o/%1B%5B31m", "control character"),
        ("/o/", "/o/%FF", "percent-encoding"),
        // Not under the registered path.
        ("/api/orders/changes/", "/api/orders/other/1", "not under"),
        (
            "/api/orders/changes/",
            "/api/orders/changes123456",
            "not under",
        ),
        ("/api/orders/changes/", "/API/orders/changes/1", "not under"),
        ("/api/orders/changes/", "/api/orders", "not under"),
        // Another origin.
        (
            "https://app.myclientapp/api/orders/changes/",
            "https://evil.example/api/orders/changes/1",
            "another origin",
        ),
        (
            "https://app.myclientapp/api/orders/changes/",
            "http://app.myclientapp/api/orders/changes/1",
            "another origin",
        ),
        // No id.
        (
            "/api/orders/changes/",
            "/api/orders/changes/",
            "no entity id",
        ),
        (
            "/api/orders/changes/",
            "/api/orders/changes",
            "no entity id",
        ),
        (
            "/api/orders/changes/",
            "/api/orders/changes//",
            "no entity id",
        ),
        (
            "/api/orders/changes/",
            "/api/orders/changes/?id=1",
            "no entity id",
        ),
        // More than one extra segment.
        (
            "/api/orders/changes/",
            "/api/orders/changes/1/2",
            "more than one",
        ),
        (
            "/api/orders/changes/",
            "/api/orders/changes/1//",
            "more than one",
        ),
        // Malformed escapes.
        (
            "/api/orders/changes/",
            "/api/orders/changes/12%2",
            "percent",
        ),
        ("/api/orders/changes/", "/api/orders/changes/%zz", "percent"),
        ("/api/orders/changes/", "/api/orders/changes/%ff", "percent"),
    ];
    for (registered, requested, reason) in bad {
        let err = entity_id_from_url(registered, requested).unwrap_err();
        assert_eq!(err.status_code(), 404, "{requested}");
        let Error::InvalidUrl { reason: got } = &err else {
            panic!("{err:?}")
        };
        assert!(got.contains(reason), "{requested}: {got}");
    }
}

// ----- the receiver: token, webhook type and GET id in the path -----------------------------

const NO_HEADERS: [(&str, &str); 0] = [];

fn path_verifier() -> Verifier {
    Verifier::new(TOKEN).unwrap()
}

fn post<'a>(uri: &'a str, body: &'a [u8]) -> Request<'a> {
    Request::new(&NO_HEADERS, body).uri(uri)
}

fn get(uri: &str) -> Request<'_> {
    Request::new(&NO_HEADERS, b"").method("GET").uri(uri)
}

#[test]
fn post_reads_type_from_the_path_and_dedups_on_the_entity() {
    let v = path_verifier();
    let url = format!("https://me.example/webhooks/skladon/{TOKEN}/UPDATE_RECEIVING_STATUS");
    let d = v.receive(&post(&url, fixture!("receiving"))).unwrap();
    assert_eq!(d.provider, Provider::Skladon);
    let Notification::Entity {
        webhook_type,
        entity,
    } = &d.payload
    else {
        panic!("{:?}", d.payload)
    };
    assert_eq!(webhook_type, &WebhookType::UpdateReceivingStatus);
    assert_eq!(entity.id(), "ESHOP_RECIVING_ID_123");
    assert!(
        d.dedup_key()
            .as_str()
            .starts_with("skladon:UPDATE_RECEIVING_STATUS:ESHOP_RECIVING_ID_123:received:~"),
        "{}",
        d.dedup_key()
    );
    // A retry of the same body gives the same key (with or without a trailing slash);
    // another change of the entity does not.
    let again = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/UPDATE_RECEIVING_STATUS/"),
            fixture!("receiving"),
        ))
        .unwrap();
    assert_eq!(again.dedup_key(), d.dedup_key());
    let changed = String::from_utf8(fixture!("receiving").to_vec())
        .unwrap()
        .replace("\"received\":2", "\"received\":1");
    let other = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/UPDATE_RECEIVING_STATUS"),
            changed.as_bytes(),
        ))
        .unwrap();
    assert_ne!(other.dedup_key(), d.dedup_key());

    // Rotation, and another mount point.
    let q = Verifier::with_secrets(["new-token-5f1c9a7e", TOKEN])
        .unwrap()
        .mounted_at("/hooks/skladon/");
    let d = q
        .receive(&post(
            &format!("/hooks/skladon/{TOKEN}/CREATE_ORDER"),
            fixture!("order"),
        ))
        .unwrap();
    assert_eq!(
        d.dedup_key().as_str(),
        "skladon:CREATE_ORDER:12345:2022-05-23T18:45:02.000Z:inProcess"
    );
    q.receive(&post(
        "/hooks/skladon/new-token-5f1c9a7e/CREATE_ORDER",
        fixture!("order"),
    ))
    .unwrap();
    // An unknown type: the entity is recognised by its keys rather than refused.
    let d = q
        .receive(&post(
            "/hooks/skladon/new-token-5f1c9a7e/CREATE_PALLET",
            fixture!("order"),
        ))
        .unwrap();
    assert_eq!(d.payload.webhook_type().as_str(), "CREATE_PALLET");
    assert!(matches!(d.payload.entity(), Some(Entity::Order(_))));
}

#[test]
fn post_without_or_with_a_wrong_token_is_refused() {
    let v = path_verifier();
    for url in [
        "/webhooks/skladon/CREATE_RECEIVING",
        "/webhooks/skladon/tok-5f1c9a7e2c/CREATE_RECEIVING",
        "/webhooks/skladon/CREATE_RECEIVING?token=tok-5f1c9a7e2b4d8e",
        "/webhooks/skladon/",
        "/webhooks/skladon/x/tok-5f1c9a7e2b4d8e/CREATE_RECEIVING",
    ] {
        let err = v.receive(&post(url, fixture!("receiving"))).unwrap_err();
        assert!(matches!(err, Error::TokenMismatch), "{url}: {err:?}");
        assert_eq!(err.status_code(), 401);
        assert!(!err.to_string().contains(TOKEN));
    }
    // Outside the mount point: 404, whatever the token. (No target at all is the receiver's
    // mistake, not the sender's: see tests/contract.rs.)
    for url in [
        "/hooks/tok-5f1c9a7e2b4d8e/CREATE_RECEIVING",
        "/webhooks/skladonx/tok-5f1c9a7e2b4d8e/A",
    ] {
        let err = v.receive(&post(url, fixture!("receiving"))).unwrap_err();
        assert_eq!(err.status_code(), 404, "{url}: {err:?}");
    }
    // The token is checked before the body is parsed.
    let err = v
        .receive(&post("/webhooks/skladon/guess/CREATE_ORDER", b"not json"))
        .unwrap_err();
    assert!(matches!(err, Error::TokenMismatch));
    // Neither GET nor POST: 405.
    let err = v
        .receive(&post(&format!("/webhooks/skladon/{TOKEN}/CREATE_ORDER"), b"{}").method("PUT"))
        .unwrap_err();
    assert_eq!(err.status_code(), 405);
}

#[test]
fn get_reads_the_entity_id_from_the_path() {
    let v = path_verifier();
    let d = v
        .receive(&get(&format!(
            "https://me.example/webhooks/skladon/{TOKEN}/UPDATE_ORDER_STATUS/123456"
        )))
        .unwrap();
    let Notification::EntityId { webhook_type, id } = &d.payload else {
        panic!("{:?}", d.payload)
    };
    assert_eq!(webhook_type, &WebhookType::UpdateOrderStatus);
    assert_eq!(id.as_str(), "123456");
    assert_eq!(d.payload.entity_id().as_deref(), Some("123456"));
    assert_eq!(
        d.dedup_key().as_str(),
        "skladon:UPDATE_ORDER_STATUS:123456:get"
    );
    assert_eq!(serde_json::to_string(&d.payload).unwrap(), "\"123456\"");
    // Percent-decoded, one trailing slash allowed.
    let d = v
        .receive(&get(&format!(
            "/webhooks/skladon/{TOKEN}/UPDATE_ORDER_STATUS/ORD%207/"
        )))
        .unwrap();
    assert_eq!(d.payload.entity_id().as_deref(), Some("ORD 7"));
    // Wrong token: 401 before any path comparison.
    let err = v
        .receive(&get(
            "/webhooks/skladon/tok-guess/UPDATE_ORDER_STATUS/123456",
        ))
        .unwrap_err();
    assert!(matches!(err, Error::TokenMismatch));
    // Right token, wrong shape or an id holding a control character: 404.
    for tail in [
        "UPDATE_ORDER_STATUS/1/2",
        "UPDATE_ORDER_STATUS/",
        "UPDATE_ORDER_STATUS",
        "UPDATE_ORDER_STATUS/a%0D%0Ab",
        "UPDATE_ORDER_STATUS/a%00",
        "UPDATE_ORDER_STATUS/a%7F",
        "UPDATE_ORDER_STATUS/a%2",
        "UPDATE_ORDER_STATUS/%C3%28",
    ] {
        let err = v
            .receive(&get(&format!("/webhooks/skladon/{TOKEN}/{tail}")))
            .unwrap_err();
        assert_eq!(err.status_code(), 404, "{tail}: {err:?}");
    }
}

#[test]
fn get_ids_with_slashes_and_other_text_are_read_as_sent() {
    // E-shop order and receiving numbers such as `2024/0012` are common; Skladon sends them
    // percent-encoded. The decoded id is untrusted text, never refused for what it holds.
    let v = path_verifier();
    for (segment, id) in [
        ("2024%2F0012", "2024/0012"),
        ("..%2F..%2Fadmin%3Fx=1", "../../admin?x=1"),
        ("%2E%2E", ".."),
        ("..", ".."),
        ("a%23b", "a#b"),
        ("R%C3%9C-7%20%2F%20B", "R\u{dc}-7 / B"),
    ] {
        let d = v
            .receive(&get(&format!(
                "/webhooks/skladon/{TOKEN}/UPDATE_ORDER_STATUS/{segment}"
            )))
            .unwrap_or_else(|e| panic!("{segment}: {e}"));
        let Notification::EntityId { id: got, .. } = &d.payload else {
            panic!("{:?}", d.payload)
        };
        assert_eq!(got.as_str(), id);
        assert_eq!(
            d.dedup_key().as_str(),
            format!("skladon:UPDATE_ORDER_STATUS:{id}:get")
        );
        // Escaped again as one segment for Skladon's API: the `/` cannot split the path.
        assert!(
            !got.to_path_segment().contains('/'),
            "{}",
            got.to_path_segment()
        );
        assert_eq!(
            entity_id_from_url("/o/", &format!("/o/{}", got.to_path_segment()))
                .unwrap()
                .as_str(),
            id
        );
    }
    let slashed = skladon::EntityId::new("2024/0012").unwrap();
    assert_eq!(slashed.to_path_segment(), "2024%2F0012");
}

#[test]
fn an_unknown_type_with_an_unknown_entity_is_kept() {
    let v = path_verifier();
    let body = fixture!("unknown_type_unknown_entity");
    let d = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_PICKING_LIST"),
            body,
        ))
        .unwrap();
    let Notification::Unknown {
        webhook_type,
        body: raw,
    } = &d.payload
    else {
        panic!("{:?}", d.payload)
    };
    assert_eq!(
        webhook_type,
        &WebhookType::Other("CREATE_PICKING_LIST".into())
    );
    assert_eq!(webhook_type.as_str(), "CREATE_PICKING_LIST");
    let value = raw.to_value().unwrap();
    assert_eq!(value["pickingListId"], "PL-2024-0042");
    assert_eq!(value["lines"][1]["sku"], "TEST_SKU_2");
    assert_eq!(d.payload.entity(), None);
    assert_eq!(d.payload.entity_id(), None);
    assert!(
        d.dedup_key()
            .as_str()
            .starts_with("skladon:CREATE_PICKING_LIST:~"),
        "{}",
        d.dedup_key()
    );
    // A retry (the same bytes) has the same key; another body another.
    let again = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_PICKING_LIST"),
            body,
        ))
        .unwrap();
    assert_eq!(again.dedup_key(), d.dedup_key());
    let other = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_PICKING_LIST"),
            br#"{"pickingListId":"PL-2024-0043"}"#,
        ))
        .unwrap();
    assert_ne!(other.dedup_key(), d.dedup_key());
    // Written back exactly as sent.
    assert_eq!(
        serde_json::to_vec(&d.payload).unwrap(),
        raw.get().as_bytes()
    );
    // An unknown type whose body is a known entity is still recognised by its keys.
    let d = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_PICKING_LIST"),
            fixture!("receiving"),
        ))
        .unwrap();
    assert!(matches!(d.payload.entity(), Some(Entity::Receiving(_))));
    // Recognised by its keys but not that entity: kept too, not refused.
    let d = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_PICKING_LIST"),
            br#"{"eshopOrderId":{"nested":true}}"#,
        ))
        .unwrap();
    assert!(matches!(d.payload, Notification::Unknown { .. }));
    // Only a body that is not a JSON object is a 400.
    for body in [
        &b"[1,2]"[..],
        b"\"text\"",
        b"42",
        b"null",
        b"{not json",
        b"",
    ] {
        let err = v
            .receive(&post(
                &format!("/webhooks/skladon/{TOKEN}/CREATE_PICKING_LIST"),
                body,
            ))
            .unwrap_err();
        assert_eq!(err.status_code(), 400, "{}", String::from_utf8_lossy(body));
    }
    // A known type still requires its entity.
    let err = v
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_ORDER"),
            body,
        ))
        .unwrap_err();
    assert_eq!(err.status_code(), 400);
}

#[test]
fn without_token_body_limit_and_redacted_debug() {
    let open = Verifier::without_token().mounted_at("/");
    let d = open
        .receive(&post("/CREATE_PRODUCT", fixture!("product")))
        .unwrap();
    assert!(matches!(d.payload.entity(), Some(Entity::Product(_))));
    assert_eq!(
        open.receive(&get("/UPDATE_PRODUCT/SKU-1"))
            .unwrap()
            .payload
            .entity_id()
            .as_deref(),
        Some("SKU-1")
    );

    let small = path_verifier().body_limit(64);
    let err = small
        .receive(&post(
            &format!("/webhooks/skladon/{TOKEN}/CREATE_RECEIVING"),
            fixture!("receiving"),
        ))
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 64, .. }),
        "{err:?}"
    );
    assert_eq!(err.status_code(), 413);
    // The size is checked first, even without a token.
    assert!(matches!(
        small.verify(&post("/no-token", fixture!("receiving"))),
        Err(Error::BodyTooLarge { .. })
    ));

    let debug = format!("{:?}", path_verifier());
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("redacted"), "{debug}");
    assert!(
        matches!(Verifier::new(""), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
    assert!(
        matches!(Verifier::new(" \t"), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
    assert!(matches!(
        UrlToken::path_segment(""),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
}

// ----- malformed bodies ---------------------------------------------------------------------

#[test]
fn non_json_and_non_object_bodies() {
    for t in [
        WebhookType::CreateOrder,
        WebhookType::CreateProduct,
        WebhookType::CreateReceiving,
        WebhookType::CreateReturn,
        WebhookType::CreateStockMovementOrder,
    ] {
        for body in [
            &b""[..],
            b"not json",
            b"[1,2]",
            b"null",
            b"\xff\xfe",
            b"{\"sku\":",
        ] {
            let err = skladon::parse(&t, body).unwrap_err();
            assert_eq!(err.status_code(), 400, "{t}");
            let _ = payload_error(err);
        }
    }
}

#[test]
fn wrong_types_name_the_path() {
    let cases: [(WebhookType, &str, &str, &str); 10] = [
        (
            WebhookType::CreateOrder,
            r#"{"eshopOrderId":"1","timestamp":{"a":1}}"#,
            "timestamp",
            "map",
        ),
        (
            WebhookType::CreateOrder,
            r#"{"eshopOrderId":"1","id":-4}"#,
            "id",
            "-4",
        ),
        (
            WebhookType::CreateOrder,
            r#"{"eshopOrderId":{"a":1}}"#,
            "eshopOrderId",
            "map",
        ),
        (
            WebhookType::CreateOrder,
            r#"{"eshopOrderId":"1","trackingNumbers":"0123"}"#,
            "trackingNumbers",
            "sequence",
        ),
        (
            WebhookType::CreateOrder,
            r#"{"eshopOrderId":"1","recipientName":true}"#,
            "recipientName",
            "boolean",
        ),
        (
            WebhookType::CreateProduct,
            r#"{"sku":"S","price":"12,50"}"#,
            "price",
            "12,50",
        ),
        (
            WebhookType::CreateReceiving,
            r#"{"eshopReceivingId":"R","estimatedDelivery":["2024-06-13"]}"#,
            "estimatedDelivery",
            "sequence",
        ),
        (
            WebhookType::CreateReceiving,
            r#"{"eshopReceivingId":"R","products":[{"sku":"S","expirationDate":true}]}"#,
            "products[0].expirationDate",
            "boolean",
        ),
        (
            WebhookType::CreateStockMovementOrder,
            r#"{"id":1,"count":1.5,"sku":"S","type":"order"}"#,
            "count",
            "1.5",
        ),
        (
            WebhookType::CreateReturn,
            r#"{"eshopReturnId":"R","files":[{"fileSize":"big"}]}"#,
            "files[0].fileSize",
            "big",
        ),
    ];
    for (t, body, path, found) in cases {
        let p = payload_error(skladon::parse(&t, body.as_bytes()).unwrap_err());
        assert_eq!(p.path(), path, "{body}: {p}");
        assert!(p.message().contains(found), "{body}: {p}");
    }
}

#[test]
fn missing_and_duplicate_identifiers() {
    let cases: [(WebhookType, &str, &str); 8] = [
        (
            WebhookType::CreateOrder,
            r#"{"status":"lost"}"#,
            "eshopOrderId",
        ),
        (WebhookType::CreateProduct, r#"{"name":"N"}"#, "sku"),
        (
            WebhookType::CreateReceiving,
            r#"{"status":"received"}"#,
            "eshopReceivingId",
        ),
        (
            WebhookType::CreateReturn,
            r#"{"eshopOrderId":"1"}"#,
            "eshopReturnId",
        ),
        (
            WebhookType::CreateStockMovementOrder,
            r#"{"count":1,"sku":"S","type":"order"}"#,
            "id",
        ),
        (
            WebhookType::CreateStockMovementOrder,
            r#"{"id":1,"sku":"S","type":"order"}"#,
            "count",
        ),
        (
            WebhookType::CreateStockMovementOrder,
            r#"{"id":1,"count":1,"sku":"S"}"#,
            "type",
        ),
        (
            WebhookType::CreateReceiving,
            r#"{"eshopReceivingId":"R","products":[{"quantity":1}]}"#,
            "sku",
        ),
    ];
    for (t, body, field) in cases {
        let p = payload_error(skladon::parse(&t, body.as_bytes()).unwrap_err());
        assert!(
            p.message().contains(&format!("missing field `{field}`")),
            "{body}: {p}"
        );
    }
    for body in [
        &br#"{"eshopOrderId":"1","eshopOrderId":"2"}"#[..],
        br#"{"eshopOrderId":"1","id":1,"id":2}"#,
    ] {
        let p = payload_error(skladon::parse(&WebhookType::CreateOrder, body).unwrap_err());
        assert!(p.message().contains("duplicate field"), "{p}");
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let depth = 100_000;
    let mut body = String::from(r#"{"eshopOrderId":"1","extraField":"#);
    body.push_str(&"[".repeat(depth));
    body.push_str(&"]".repeat(depth));
    body.push('}');
    // An extra field is kept as raw text (`RawJson`, as everywhere in the crate): skipped
    // without recursing, so accepted with no stack overflow; a `Value` of it is a clean error.
    for entity in [
        skladon::parse(&WebhookType::CreateOrder, body.as_bytes()).unwrap(),
        crate::common::parse_any(body.as_bytes()).unwrap(),
    ] {
        let Entity::Order(o) = entity else {
            panic!("not an order")
        };
        assert_eq!(o.extra["extraField"].get().len(), 2 * depth);
        let p = payload_error(o.extra["extraField"].to_value().unwrap_err());
        assert!(p.message().contains("recursion limit"), "{p}");
    }
}
