//! The test kit: every provider's builder gives a request its own `Verifier` accepts (as the
//! crate's `Request` and as a genuine `http::Request`), with the payload it was built from; a
//! tampered one is refused; payload constructors give values that round-trip.

mod common;

use std::net::IpAddr;

use delivery_webhooks::OwnedRequest;
use delivery_webhooks::testing;
use delivery_webhooks::{
    AnyDelivery, Config, Provider, RawJson, Receive, Request, Timestamp, UrlToken, isendu, peddler,
    skladon, wakilni, xoxoday,
};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The `http::Request` view gives the same `Request` as the builder's own view.
fn via_http<R: Receive>(verifier: &R, sent: &OwnedRequest) -> delivery_webhooks::Result<()> {
    let (parts, body) = sent.to_http().into_parts();
    let mut request = Request::from_http(&parts, &body);
    if let Some(peer) = sent.peer {
        request = request.peer(peer);
    }
    verifier.receive(&request).map(|_| ())
}

#[test]
fn wakilni_builder_signs_and_sets_delivery_headers() {
    let event = wakilni::Event::new(
        "e-42",
        ts("2024-11-14 14:39:13"),
        wakilni::EventData::OrderConfirmed(wakilni::StatusChange::new(
            42,
            "WK-42",
            2,
            wakilni::Status::Confirmed,
            ts("2024-11-14 14:39:10"),
        )),
    );
    let sent = testing::wakilni::event("wk-secret", &event)
        .attempt(3)
        .webhook_id("wh-9")
        .build();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.uri, "/webhooks/wakilni");
    assert_eq!(sent.header_value("content-type"), Some("application/json"));
    assert_eq!(
        sent.header_value("x-webhook-topic"),
        Some("Order Confirmed")
    );
    assert_eq!(
        sent.header_value("x-webhook-source"),
        Some("https://api.wakilni.com")
    );
    assert_eq!(sent.header_value("x-webhook-id"), Some("wh-9"));
    assert!(
        sent.header_value("x-webhook-delivery-id")
            .unwrap()
            .starts_with("dlv-")
    );

    let verifier = wakilni::Verifier::new("wk-secret").unwrap();
    let delivery = verifier.receive(&sent.request()).unwrap();
    assert_eq!(delivery.payload, event);
    assert_eq!(delivery.attempt, Some(3));
    assert_eq!(delivery.dedup_key().as_str(), "wakilni:e-42");
    via_http(&verifier, &sent).unwrap();
    let headers =
        wakilni::DeliveryHeaders::from_headers(&sent.to_http().headers().clone()).unwrap();
    assert_eq!(headers.webhook_id.as_deref(), Some("wh-9"));

    // The same delivery signed with another secret, or with its body changed: 401.
    let wrong = testing::wakilni::event("other", &event).build();
    assert_eq!(
        verifier
            .receive(&wrong.request())
            .unwrap_err()
            .status_code(),
        401
    );
    let tampered = sent.clone().body(br#"{"event_id":"e-43"}"#.to_vec());
    assert_eq!(
        verifier
            .receive(&tampered.request())
            .unwrap_err()
            .status_code(),
        401
    );
}

#[test]
fn wakilni_fixture_bodies_are_sent_as_is_with_their_topic() {
    let body = fixture("wakilni/order_ready_for_self_pickup_list.json");
    let sent = testing::wakilni::request("s", body.clone()).build();
    assert_eq!(sent.body, body.as_slice());
    assert_eq!(
        sent.header_value("x-webhook-topic"),
        Some("Order Ready for Self-Pickup")
    );
    let delivery = wakilni::Verifier::new("s")
        .unwrap()
        .receive(&sent.request())
        .unwrap();
    assert!(matches!(
        delivery.payload.data,
        wakilni::EventData::OrderReadyForSelfPickup(_)
    ));
}

#[test]
fn peddler_builder_sets_the_shared_token() {
    let mut update = peddler::ShipmentUpdate::new(
        "fx6",
        peddler::Status::Delivered,
        ts("2024-09-02T13:08:06.574Z"),
        501,
    );
    update.location = peddler::Location::new(52.34, 4.82);
    update.carrier_tracking_number = Some("P1996".into());
    let sent = testing::peddler::update("pd-token", &update).build();
    assert_eq!(
        sent.header_value("x-webhook-shared-token"),
        Some("pd-token")
    );
    let verifier = peddler::Verifier::new("pd-token").unwrap();
    let delivery = verifier.receive(&sent.request()).unwrap();
    assert_eq!(delivery.payload, update);
    assert_eq!(
        delivery.payload.code_meaning(),
        Some(peddler::CodeMeaning::DeliveredAtNeighbours)
    );
    via_http(&verifier, &sent).unwrap();
    let wrong = testing::peddler::update("guess", &update).build();
    assert_eq!(
        verifier
            .receive(&wrong.request())
            .unwrap_err()
            .status_code(),
        401
    );
}

#[test]
fn xoxoday_builder_comes_from_the_callback_address_directly_or_through_a_proxy() {
    let mut data = xoxoday::DeliveryData::new(
        10254678,
        ts("2019-12-27 16:41:33"),
        xoxoday::DeliveryStatus::Delivered,
    );
    data.po_number = Some("PO-7781".into());
    let update = xoxoday::DeliveryUpdate::new(
        12_345_678_901_234_567_890_u128,
        data,
        ts("2019-12-27 16:45:02"),
    );

    let direct = testing::xoxoday::update("Key4Xoxoday2024", &update).build();
    assert_eq!(direct.peer, Some(xoxoday::CALLBACK_IP));
    let verifier = xoxoday::Verifier::new("Key4Xoxoday2024").unwrap();
    assert_eq!(verifier.receive(&direct.request()).unwrap().payload, update);
    via_http(&verifier, &direct).unwrap();

    let proxy: IpAddr = "10.1.2.3".parse().unwrap();
    let proxied = testing::xoxoday::update("Key4Xoxoday2024", &update)
        .via_proxy(proxy)
        .build();
    assert_eq!(proxied.peer, Some(proxy));
    assert_eq!(
        proxied.header_value("x-forwarded-for"),
        Some("52.76.120.90")
    );
    let behind = verifier.clone().trusted_proxies(["10.0.0.0/8"]).unwrap();
    let delivery = behind.receive(&proxied.request()).unwrap();
    assert_eq!(
        delivery.dedup_key().as_str(),
        "xoxoday:12345678901234567890"
    );
    // Without trusting the proxy, or from another client, or without the key: refused.
    assert_eq!(
        verifier
            .receive(&proxied.request())
            .unwrap_err()
            .status_code(),
        403
    );
    let elsewhere = testing::xoxoday::update("Key4Xoxoday2024", &update)
        .from_addr("203.0.113.9".parse().unwrap())
        .build();
    assert_eq!(
        verifier
            .receive(&elsewhere.request())
            .unwrap_err()
            .status_code(),
        403
    );
    let keyless = testing::xoxoday::update("Key4Xoxoday2024", &update)
        .without_api_key()
        .build();
    assert_eq!(
        verifier
            .receive(&keyless.request())
            .unwrap_err()
            .status_code(),
        401
    );
}

#[test]
fn isendu_builder_makes_the_handshake_and_updates_with_the_url_token() {
    let url_token = UrlToken::query("token", "u9X2 long/random").unwrap();
    let verifier = isendu::Verifier::new("key-7f3a", "sk_live_0123456789", url_token).unwrap();
    let handshake = testing::isendu::handshake("u9X2 long/random", "key-7f3a").build();
    assert_eq!(handshake.uri, "/webhooks/isendu?token=u9X2%20long%2Frandom");
    assert_eq!(handshake.body, br#"{"keyId":"key-7f3a"}"#);
    let answered = verifier.receive(&handshake.request()).unwrap();
    assert_eq!(
        answered.reply.body(),
        br#"{"response":"sk_live_0123456789"}"#
    );

    let mut tracking = isendu::Tracking::new("t-1");
    tracking.delivered = Some(true);
    tracking.steps.push(isendu::Step::default());
    let mut order = isendu::Order::new("o-1");
    order.status = Some(isendu::OrderStatus::Delivered);
    let message = isendu::Message::Update(isendu::Update::new(vec![order], vec![tracking]));
    let sent = testing::isendu::message("u9X2 long/random", &message)
        .url("http://127.0.0.1:9/hooks/isendu?v=2")
        .build();
    assert_eq!(
        sent.uri,
        "http://127.0.0.1:9/hooks/isendu?v=2&token=u9X2%20long%2Frandom"
    );
    let delivery = verifier.receive(&sent.request()).unwrap();
    assert_eq!(delivery.payload, message);
    via_http(&verifier, &sent).unwrap();

    let forged = testing::isendu::message("guess", &message).build();
    assert_eq!(
        verifier
            .receive(&forged.request())
            .unwrap_err()
            .status_code(),
        401
    );
}

#[test]
fn skladon_builder_posts_entities_and_gets_ids_under_the_mount() {
    let verifier = skladon::Verifier::new("sk-token-5f1c9a7e2b").unwrap();
    let mut movement = skladon::StockMovement::new(
        778899,
        -3,
        "TEST_SKU_1",
        skladon::StockMovementType::StockCorrection,
    );
    movement.lot = Some("LOT-1".into());
    let entity = skladon::Entity::StockMovement(movement);
    let kind = skladon::WebhookType::CreateStockMovementStockCorrection;
    let sent = testing::skladon::entity("sk-token-5f1c9a7e2b", kind.clone(), &entity).build();
    assert_eq!(
        sent.uri,
        "/webhooks/skladon/sk-token-5f1c9a7e2b/CREATE_STOCK_MOVEMENT_STOCK_CORRECTION"
    );
    let delivery = verifier.receive(&sent.request()).unwrap();
    assert_eq!(
        delivery.payload,
        skladon::Notification::Entity {
            webhook_type: kind,
            entity: Box::new(entity)
        }
    );
    via_http(&verifier, &sent).unwrap();

    let get = testing::skladon::get(
        "sk-token-5f1c9a7e2b",
        skladon::WebhookType::UpdateOrderStatus,
        "ORD 7",
    )
    .url("http://127.0.0.1:9/api/skladon/")
    .build();
    assert_eq!(get.method, "GET");
    assert_eq!(
        get.uri,
        "http://127.0.0.1:9/api/skladon/sk-token-5f1c9a7e2b/UPDATE_ORDER_STATUS/ORD%207"
    );
    assert!(get.body.is_empty() && get.header_value("content-type").is_none());
    let mounted = verifier.clone().mounted_at("/api/skladon");
    let delivery = mounted.receive(&get.request()).unwrap();
    assert_eq!(
        delivery.payload,
        skladon::Notification::EntityId {
            webhook_type: skladon::WebhookType::UpdateOrderStatus,
            id: skladon::EntityId::new("ORD 7").unwrap(),
        }
    );

    let wrong = testing::skladon::get("guess", skladon::WebhookType::UpdateOrder, "1").build();
    assert_eq!(
        verifier
            .receive(&wrong.request())
            .unwrap_err()
            .status_code(),
        401
    );
    let open = testing::skladon::post(
        "x",
        skladon::WebhookType::CreateProduct,
        fixture("skladon/product.json"),
    )
    .without_token()
    .build();
    assert!(
        skladon::Verifier::without_token()
            .receive(&open.request())
            .is_ok()
    );
}

#[test]
fn builders_match_the_ready_config_routes() {
    // The default paths are where `Config`'s routers mount each provider.
    let config = Config::builder()
        .peddler_token("pd")
        .skladon_token("sk-token-5f1c9a7e2b")
        .build()
        .unwrap();
    assert_eq!(config.providers(), [Provider::Peddler, Provider::Skladon]);
    assert_eq!(testing::peddler::DEFAULT_PATH, "/webhooks/peddler");
    let sent = testing::skladon::post(
        "sk-token-5f1c9a7e2b",
        skladon::WebhookType::CreateOrder,
        fixture("skladon/order.json"),
    )
    .build();
    let delivery = config
        .skladon
        .as_ref()
        .unwrap()
        .receive(&sent.request())
        .unwrap();
    let any = AnyDelivery::from(delivery);
    assert_eq!(any.provider(), Provider::Skladon);
}

#[test]
fn payload_constructors_round_trip_through_the_parsers() {
    let created = wakilni::Event::new(
        "e1",
        ts("2024-11-14 14:39:13"),
        wakilni::EventData::OrderCreated(wakilni::OrderCreated::new(7, "W7", ts("2024-11-14"))),
    );
    let mut assigned = wakilni::OrderAssigned::new(7, "W7", ts("2024-11-14T10:00:00+02:00"));
    assigned.driver_name = Some("Ali".into());
    let mut pickup = wakilni::ReadyForSelfPickup::new(7, "W7");
    let mut office = wakilni::PickupOffice::default();
    office.office_name = Some("Wakilni Dekwaneh".into());
    pickup.location = Some(office.into());
    let unknown = wakilni::EventData::Unknown {
        event: "Order Returned".into(),
        data: RawJson::new(r#"{"order_id":7}"#).unwrap(),
    };
    for data in [
        wakilni::EventData::OrderAssigned(assigned),
        wakilni::EventData::OrderReadyForSelfPickup(pickup),
        unknown,
    ] {
        let event = wakilni::Event::new("e2", ts("2024-11-14 14:39:13"), data);
        let again = wakilni::parse(&serde_json::to_vec(&event).unwrap()).unwrap();
        assert_eq!(again, event);
    }
    assert_eq!(
        wakilni::parse(&serde_json::to_vec(&created).unwrap()).unwrap(),
        created
    );

    let mut order = skladon::Order::new("ESHOP-1");
    order.status = Some(skladon::OrderStatus::Delivered);
    order.recipient.name = Some("Jana".into());
    order.tracking_numbers.push("TN1".into());
    let mut receiving = skladon::Receiving::new("R-1");
    receiving
        .products
        .push(skladon::ReceivingProduct::new("SKU-1"));
    let mut ret = skladon::Return::new("RET-1");
    ret.returned_order_products
        .push(skladon::ReturnedOrderProduct::new("SKU-2"));
    ret.files.push(skladon::ReturnFile::default());
    for (kind, entity) in [
        (skladon::EntityKind::Order, skladon::Entity::Order(order)),
        (
            skladon::EntityKind::Product,
            skladon::Entity::Product(skladon::Product::new("SKU-3")),
        ),
        (
            skladon::EntityKind::Receiving,
            skladon::Entity::Receiving(receiving),
        ),
        (skladon::EntityKind::Return, skladon::Entity::Return(ret)),
    ] {
        let again = crate::common::parse_kind(kind, &serde_json::to_vec(&entity).unwrap()).unwrap();
        assert_eq!(again, entity);
    }
    // An id is untrusted text: anything but control characters.
    assert_eq!(
        skladon::EntityId::new("2024/0012").unwrap().as_str(),
        "2024/0012"
    );
    assert!(skladon::EntityId::new("a\nb").is_err());
}
