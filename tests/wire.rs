//! The wire codec across providers: every date form per provider (fixtures named after the
//! quirk) with its parsed parts and a round trip that writes each date back byte for byte;
//! optional timestamps in no date form kept as text; duplicate keys refused everywhere.
// Some helpers serve only some providers: a build with fewer of them leaves them unused.
#![cfg_attr(
    not(all(
        feature = "wakilni",
        feature = "peddler",
        feature = "xoxoday",
        feature = "isendu",
        feature = "skladon"
    )),
    allow(dead_code, unused_imports, unused_variables)
)]

mod common;

use std::fmt::Debug;

use delivery_webhooks::{Error, Timestamp, TimestampOrText};
use serde::Serialize;
use time::macros::{date, offset, time};
use time::{Date, Time, UtcOffset};

/// `parse → to_vec → parse` gives an equal value, and the date at each JSON pointer is written
/// back as the same text it was sent as.
#[track_caller]
fn round_trip<T: Serialize + PartialEq + Debug>(
    body: &[u8],
    parse: impl Fn(&[u8]) -> Result<T, Error>,
    dates: &[&str],
) -> T {
    let first = parse(body).unwrap();
    let bytes = serde_json::to_vec(&first).unwrap();
    let again = parse(&bytes).unwrap();
    assert_eq!(again, first, "{}", String::from_utf8_lossy(&bytes));
    let sent: serde_json::Value = serde_json::from_slice(body).unwrap();
    let written: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    for pointer in dates {
        let want = sent
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer} not sent"));
        assert!(want.is_string(), "{pointer}");
        assert_eq!(written.pointer(pointer), Some(want), "{pointer}");
    }
    first
}

/// The parts of a timestamp: date, time, offset.
fn parts(t: Timestamp) -> (Date, Option<Time>, Option<UtcOffset>) {
    (t.date(), t.time(), t.offset())
}

/// The parts of an optional timestamp that must have been read.
#[cfg_attr(not(any(feature = "isendu", feature = "skladon")), allow(dead_code))]
fn read(t: &Option<TimestampOrText>) -> (Date, Option<Time>, Option<UtcOffset>) {
    parts(
        t.as_ref()
            .and_then(TimestampOrText::timestamp)
            .expect("a readable timestamp"),
    )
}

/// The error message and JSON path of a payload error.
fn refused(err: Error) -> (String, String) {
    match err {
        Error::Payload(p) => (p.message().to_owned(), p.path().to_owned()),
        other => panic!("expected a payload error, got {other:?}"),
    }
}

/// A duplicate key is named in the message; the path is the object holding it (the error is
/// raised when the second key is met, before its value is read).
#[track_caller]
fn assert_duplicate(err: Error, field: &str, path: &str) {
    let (message, at) = refused(err);
    assert!(
        message.contains(&format!("duplicate field `{field}`")),
        "{message}"
    );
    assert_eq!(at, path, "{message}");
}

#[cfg(feature = "wakilni")]
mod wakilni {
    use super::*;
    use delivery_webhooks::wakilni::{self, EventData};

    #[test]
    fn fraction_and_offset() {
        let body = include_bytes!("../fixtures/wakilni/quirk_timestamp_fraction_offset.json");
        let e = round_trip(body, wakilni::parse, &["/timestamp", "/data/created_at"]);
        assert_eq!(
            parts(e.timestamp),
            (
                date!(2024 - 11 - 14),
                Some(time!(14:39:13.123)),
                Some(offset!(+3))
            )
        );
        let EventData::OrderCreated(d) = &e.data else {
            panic!("{:?}", e.data)
        };
        assert_eq!(
            parts(d.created_at),
            (
                date!(2024 - 11 - 14),
                Some(time!(11:39:10.5)),
                Some(offset!(UTC))
            )
        );
        assert_eq!(
            e.timestamp.assume_utc(),
            time::macros::datetime!(2024-11-14 11:39:13.123 UTC)
        );
    }

    #[test]
    fn compact_offset_and_lowercase() {
        let body = include_bytes!("../fixtures/wakilni/quirk_timestamp_compact_offset.json");
        let e = round_trip(body, wakilni::parse, &["/timestamp", "/data/updated_at"]);
        assert_eq!(
            parts(e.timestamp),
            (
                date!(2024 - 11 - 14),
                Some(time!(14:39:13)),
                Some(offset!(+3))
            )
        );
        let EventData::OrderAssigned(d) = &e.data else {
            panic!("{:?}", e.data)
        };
        assert_eq!(
            parts(d.updated_at),
            (
                date!(2024 - 11 - 14),
                Some(time!(14:39:10.123456789)),
                Some(offset!(UTC))
            )
        );
    }

    #[test]
    fn minutes_only_and_plain_date() {
        let body = include_bytes!("../fixtures/wakilni/quirk_timestamp_plain_date.json");
        let e = round_trip(body, wakilni::parse, &["/timestamp", "/data/updated_at"]);
        assert_eq!(
            parts(e.timestamp),
            (date!(2024 - 11 - 14), Some(time!(14:39)), None)
        );
        let c = e.data.status_change().unwrap();
        assert_eq!(parts(c.updated_at), (date!(2024 - 11 - 14), None, None));
        assert!(c.updated_at.is_date_only());
    }

    #[test]
    fn required_timestamps_stay_strict() {
        for bad in [
            "2024-13-01",
            "2024-02-30 10:00:00",
            "2024-11-14 24:00:00",
            "soon",
        ] {
            let body = format!(
                r#"{{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13",
                "data":{{"order_id":1,"waybill":"W","created_at":"{bad}"}}}}"#
            );
            let (message, path) = refused(wakilni::parse(body.as_bytes()).unwrap_err());
            assert_eq!(path, "data.created_at", "{bad}");
            assert!(message.contains(bad), "{message}");
        }
    }

    #[test]
    fn duplicate_keys() {
        let body = br#"{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13","timestamp":"2024-11-14 14:39:13","data":{}}"#;
        assert_duplicate(wakilni::parse(body).unwrap_err(), "timestamp", ".");
        let body = br#"{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13",
            "data":{"order_id":1,"waybill":"W","created_at":"2024-11-14","created_at":"2024-11-14"}}"#;
        assert_duplicate(wakilni::parse(body).unwrap_err(), "created_at", "data");
    }
}

#[cfg(feature = "peddler")]
mod peddler {
    use super::*;
    use delivery_webhooks::Request;
    use delivery_webhooks::peddler::{self, DateValue};

    /// The key a user deduplicates on, for `body` as received.
    fn dedup_key(body: &[u8]) -> String {
        let headers = [("x-webhook-shared-token", "t")];
        let verifier = peddler::Verifier::new("t").unwrap();
        let delivery = verifier.receive(&Request::new(&headers, body)).unwrap();
        delivery.dedup_key().as_str().to_owned()
    }

    #[test]
    fn compact_offset_minutes_and_hours_offset() {
        let body = include_bytes!("../fixtures/peddler/quirk_ts_compact_offset.json");
        let u = round_trip(
            body,
            peddler::parse,
            &[
                "/ts",
                "/details/deliveryDate",
                "/details/estimatedDeliveryDate",
            ],
        );
        assert_eq!(
            parts(u.ts),
            (
                date!(2024 - 09 - 02),
                Some(time!(15:08:06.5)),
                Some(offset!(+2))
            )
        );
        let d = u.details.as_ref().unwrap();
        let date_value = |v: &Option<DateValue>| parts(v.as_ref().unwrap().timestamp().unwrap());
        assert_eq!(
            date_value(&d.delivery_date),
            (date!(2024 - 09 - 02), Some(time!(15:08)), None)
        );
        assert_eq!(
            date_value(&d.estimated_delivery_date),
            (date!(2024 - 09 - 02), Some(time!(17:00)), Some(offset!(+2)))
        );
        assert_eq!(
            dedup_key(body),
            "peddler:Tz4Kc8Wm2Qp6Rb1Xn5Jv7:DELIVERED:500:2024-09-02T13:08:06.5Z"
        );
    }

    #[test]
    fn ts_without_zone_counts_as_utc() {
        let body = include_bytes!("../fixtures/peddler/quirk_ts_without_zone.json");
        let u = round_trip(
            body,
            peddler::parse,
            &["/ts", "/details/estimatedDeliveryDate"],
        );
        assert_eq!(
            parts(u.ts),
            (date!(2024 - 09 - 02), Some(time!(13:08:06)), None)
        );
        assert_eq!(
            dedup_key(body),
            "peddler:Uy5Ld9Xn3Rq7Sc2Yo6Kw8:OUT_FOR_DELIVERY:410:2024-09-02T13:08:06Z"
        );
        let d = u.details.as_ref().unwrap();
        assert_eq!(
            parts(
                d.estimated_delivery_date
                    .as_ref()
                    .unwrap()
                    .timestamp()
                    .unwrap()
            ),
            (
                date!(2024 - 09 - 03),
                Some(time!(17:00:00.25)),
                Some(offset!(UTC))
            )
        );
    }

    #[test]
    fn duplicate_keys() {
        let body = br#"{"id":"s","status":"DELIVERED","code":500,"ts":"2024-09-02T13:08:06Z","ts":"2024-09-02T13:08:06Z"}"#;
        assert_duplicate(peddler::parse(body).unwrap_err(), "ts", ".");
        let body = br#"{"id":"s","status":"DELIVERED","code":500,"ts":"2024-09-02T13:08:06Z","trackingUrl":null,"trackingUrl":"u"}"#;
        assert_duplicate(peddler::parse(body).unwrap_err(), "trackingUrl", ".");
    }
}

#[cfg(feature = "xoxoday")]
mod xoxoday {
    use super::*;
    use delivery_webhooks::xoxoday;

    #[test]
    fn fraction_and_compact_offset() {
        let body = include_bytes!("../fixtures/xoxoday/quirk_dates_fraction_compact_offset.json");
        let u = round_trip(body, xoxoday::parse, &["/data/orderDate", "/createdAt"]);
        assert_eq!(
            parts(u.data.order_date),
            (
                date!(2020 - 01 - 10),
                Some(time!(16:00:00.123)),
                Some(offset!(+5:30))
            )
        );
        assert_eq!(
            parts(u.created_at),
            (
                date!(2020 - 01 - 10),
                Some(time!(10:30:00.123456)),
                Some(offset!(UTC))
            )
        );
    }

    #[test]
    fn plain_date_and_hours_offset() {
        let body = include_bytes!("../fixtures/xoxoday/quirk_dates_plain_and_hours_offset.json");
        let u = round_trip(body, xoxoday::parse, &["/data/orderDate", "/createdAt"]);
        assert_eq!(
            parts(u.data.order_date),
            (date!(2020 - 01 - 11), None, None)
        );
        assert_eq!(
            parts(u.created_at),
            (date!(2020 - 01 - 11), Some(time!(09:15)), Some(offset!(+5)))
        );
    }

    #[test]
    fn duplicate_keys() {
        let body = br#"{"id":1,"data":{"orderId":1,"orderDate":"2020-01-11","deliveryStatus":"delivered"},"createdAt":"2020-01-11","createdAt":"2020-01-11"}"#;
        assert_duplicate(xoxoday::parse(body).unwrap_err(), "createdAt", ".");
        let body = br#"{"id":1,"data":{"orderId":1,"poNumber":null,"poNumber":"P","orderDate":"2020-01-11","deliveryStatus":"delivered"},"createdAt":"2020-01-11"}"#;
        assert_duplicate(xoxoday::parse(body).unwrap_err(), "poNumber", "data");
    }
}

#[cfg(feature = "isendu")]
mod isendu {
    use super::*;
    use delivery_webhooks::isendu::{self, Message, Update};
    use time::macros::datetime;

    fn update(body: &[u8]) -> Update {
        match isendu::parse(body).unwrap() {
            Message::Update(u) => u,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn step_offset_without_colon() {
        let body = include_bytes!("../fixtures/isendu/quirk_step_offset_without_colon.json");
        round_trip(
            body,
            isendu::parse,
            &[
                "/order/0/updated",
                "/order/0/created",
                "/order/0/storeCreationDate",
                "/tracking/0/created",
                "/tracking/0/steps/0/timestamp",
                "/tracking/0/steps/1/timestamp",
            ],
        );
        let u = update(body);
        let o = &u.order[0];
        assert_eq!(
            read(&o.updated),
            (date!(2024 - 05 - 03), Some(time!(16:05)), None)
        );
        assert_eq!(read(&o.created), (date!(2024 - 05 - 01), None, None));
        assert_eq!(
            read(&o.store_creation_date),
            (
                date!(2024 - 05 - 01),
                Some(time!(07:59:12.5)),
                Some(offset!(+2))
            )
        );
        let t = &u.tracking[0];
        assert_eq!(
            read(&t.created),
            (
                date!(2024 - 05 - 01),
                Some(time!(08:10)),
                Some(offset!(UTC))
            )
        );
        assert_eq!(
            read(&t.steps[0].timestamp),
            (
                date!(2024 - 05 - 02),
                Some(time!(09:42)),
                Some(offset!(UTC))
            )
        );
        assert_eq!(t.steps[0].instant(), Some(datetime!(2024-05-02 09:42 UTC)));
        assert_eq!(
            t.steps[1].instant(),
            Some(datetime!(2024-05-02 09:15:30.123456 UTC))
        );
        assert_eq!(t.latest_step().and_then(|s| s.uuid.as_deref()), Some("s-1"));
    }

    #[test]
    fn unreadable_step_timestamp_is_kept_and_does_not_fail_the_batch() {
        let body = include_bytes!("../fixtures/isendu/quirk_step_timestamp_unreadable.json");
        round_trip(body, isendu::parse, &["/tracking/0/steps/0/timestamp"]);
        let u = update(body);
        let steps = &u.tracking[0].steps;
        assert_eq!(
            steps[0].timestamp,
            Some(TimestampOrText::Unreadable("02/05/2024 11:42".into()))
        );
        assert_eq!(steps[0].instant(), None);
        // An unreadable timestamp counts as the oldest.
        assert_eq!(
            u.tracking[0].latest_step().and_then(|s| s.uuid.as_deref()),
            Some("s-2")
        );
    }

    #[test]
    fn key_id_must_be_a_string() {
        let (message, path) = refused(isendu::parse(br#"{"keyId": 123}"#).unwrap_err());
        assert_eq!(path, "keyId");
        assert!(message.contains("invalid type: integer `123`"), "{message}");
    }

    #[test]
    fn duplicate_keys() {
        let body = br#"{"tracking":[{"uuid":"t","steps":[{"timestamp":null,"timestamp":"2024-05-02T09:42:00Z"}]}]}"#;
        assert_duplicate(
            isendu::parse(body).unwrap_err(),
            "timestamp",
            "tracking[0].steps[0]",
        );
        let body = br#"{"order":[{"uuid":"o","updated":"2024-05-02","updated":"2024-05-03"}]}"#;
        assert_duplicate(isendu::parse(body).unwrap_err(), "updated", "order[0]");
        let body = br#"{"order":[{"uuid":"o","shopNote":null,"shopNote":"x"}]}"#;
        assert_duplicate(isendu::parse(body).unwrap_err(), "shopNote", "order[0]");
    }
}

#[cfg(feature = "skladon")]
mod skladon {
    use super::*;
    use delivery_webhooks::Request;
    use delivery_webhooks::skladon::{self, Entity, Order, WebhookType};

    fn parse(body: &[u8]) -> Result<Entity, Error> {
        skladon::parse(&WebhookType::UpdateOrder, body)
    }

    /// The key a user deduplicates on, for `body` received as an `UPDATE_ORDER` call.
    fn dedup_key(body: &[u8]) -> String {
        let verifier = skladon::Verifier::new("tok-5f1c9a7e2b4d8e").unwrap();
        let headers: [(&str, &str); 0] = [];
        let request =
            Request::new(&headers, body).uri("/webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_ORDER");
        let delivery = verifier.receive(&request).unwrap();
        delivery.dedup_key().as_str().to_owned()
    }

    fn order(body: &[u8]) -> Order {
        match parse(body).unwrap() {
            Entity::Order(o) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_dates() {
        let body = include_bytes!("../fixtures/skladon/order_plain_dates.json");
        round_trip(
            body,
            parse,
            &["/timestamp", "/invoiceDate", "/requiredExpeditionDate"],
        );
        let o = order(body);
        assert_eq!(read(&o.invoice_date), (date!(2022 - 05 - 23), None, None));
        assert_eq!(
            read(&o.required_expedition_date),
            (date!(2022 - 05 - 24), None, None)
        );
        assert_eq!(
            read(&o.timestamp),
            (
                date!(2022 - 05 - 23),
                Some(time!(18:43:10)),
                Some(offset!(UTC))
            )
        );
    }

    #[test]
    fn times_without_zone() {
        let body = include_bytes!("../fixtures/skladon/order_times_without_zone.json");
        let dates = [
            "/timestamp",
            "/updatedAt",
            "/deliveredAt",
            "/invoiceDate",
            "/requiredExpeditionDate",
        ];
        round_trip(body, parse, &dates);
        let o = order(body);
        assert_eq!(
            read(&o.timestamp),
            (date!(2022 - 05 - 23), Some(time!(18:43:10)), None)
        );
        assert_eq!(
            read(&o.updated_at),
            (date!(2022 - 05 - 23), Some(time!(18:45:02.5)), None)
        );
        assert_eq!(
            read(&o.delivered_at),
            (date!(2022 - 05 - 24), Some(time!(10:00)), Some(offset!(+2)))
        );
        assert_eq!(
            read(&o.invoice_date),
            (date!(2022 - 05 - 23), Some(time!(00:00)), None)
        );
        assert_eq!(
            read(&o.required_expedition_date),
            (date!(2022 - 05 - 24), Some(time!(12:00)), None)
        );
        // The dedup key carries `updatedAt` as sent.
        assert_eq!(
            dedup_key(body),
            "skladon:UPDATE_ORDER:12347:2022-05-23T18:45:02.5:delivered"
        );
    }

    #[test]
    fn unreadable_optional_dates_are_kept_as_text() {
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "2024-11-14 24:00:00",
            "23.05.2022",
            "x".repeat(100).as_str(),
        ] {
            let body = format!(r#"{{"eshopOrderId":"1","invoiceDate":"{bad}"}}"#);
            let o = order(body.as_bytes());
            assert_eq!(
                o.invoice_date,
                Some(TimestampOrText::Unreadable(bad.to_owned()))
            );
            round_trip(body.as_bytes(), parse, &["/invoiceDate"]);
        }
    }

    #[test]
    fn duplicate_keys_in_orders() {
        let cases = [
            (
                r#"{"eshopOrderId":"1","status":"delivered","status":"canceled"}"#,
                "status",
            ),
            (
                r#"{"eshopOrderId":"1","invoiceDate":null,"invoiceDate":"2022-05-23"}"#,
                "invoiceDate",
            ),
            (r#"{"eshopOrderId":"1","eshopOrderId":"2"}"#, "eshopOrderId"),
            (
                r#"{"eshopOrderId":"1","recipientName":"a","recipientName":"b"}"#,
                "recipientName",
            ),
            (
                r#"{"eshopOrderId":"1","billingCity":null,"billingCity":"b"}"#,
                "billingCity",
            ),
            (
                r#"{"eshopOrderId":"1","shipper":"PPL","shipper":"DPD"}"#,
                "shipper",
            ),
        ];
        for (body, field) in cases {
            assert_duplicate(parse(body.as_bytes()).unwrap_err(), field, ".");
            assert_duplicate(
                crate::common::parse_any(body.as_bytes()).unwrap_err(),
                field,
                ".",
            );
        }
        // The same keys once each are fine.
        let o = order(br#"{"eshopOrderId":"1","status":"delivered","recipientName":"a","billingName":"b","shipper":"PPL"}"#);
        assert_eq!(o.extra["shipper"].get(), r#""PPL""#);
    }
}

/// Decimals and Peddler's extras read their value's raw text through serde_json's raw-value
/// protocol, borrowed from the body when it can be: every way of deserializing must still read
/// them (a string, bytes, a reader, a `serde_json::Value`) and the first three alike, and an error in the text must name
/// the field, not the protocol's private key.
mod raw_text {
    use delivery_webhooks::Decimal;

    fn every_way<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(json: &str) -> T {
        let from_str: T = serde_json::from_str(json).unwrap();
        let from_slice: T = serde_json::from_slice(json.as_bytes()).unwrap();
        let from_reader: T = serde_json::from_reader(json.as_bytes()).unwrap();
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        // A `Value` has normalized the text already (`12.50` is `12.5`): read, not compared.
        let _: T = serde_json::from_value(value).unwrap();
        assert_eq!(from_slice, from_str, "{json}");
        assert_eq!(from_reader, from_str, "{json}");
        from_str
    }

    #[test]
    fn decimals_every_way() {
        let d: Decimal = every_way("12.50");
        assert_eq!((d.as_str(), d.was_string()), ("12.50", false));
        let d: Decimal = every_way(r#"" 0012.50""#);
        assert_eq!((d.as_str(), d.was_string()), (" 0012.50", true));
        let d: Decimal = every_way(r#""\u0031.5""#);
        assert_eq!((d.as_str(), d.was_string()), ("1.5", true));
        assert!(serde_json::from_str::<Decimal>(r#""""#).is_err());
        assert!(serde_json::from_reader::<_, Decimal>(&b"[1]"[..]).is_err());
        let err = serde_json::from_str::<Decimal>(r#""1,5""#).unwrap_err();
        assert!(err.to_string().contains("a decimal number"), "{err}");
    }

    #[cfg(feature = "isendu")]
    #[test]
    fn decimal_errors_name_the_field() {
        use delivery_webhooks::isendu;
        let body = br#"{"order":[{"uuid":"o-1","total":"","items":[{"price":"1,5"}]}]}"#;
        let Err(delivery_webhooks::Error::Payload(err)) = isendu::parse(body) else {
            panic!("accepted")
        };
        assert_eq!(err.path(), "order[0].items[0].price", "{}", err.message());
        assert!(err.message().contains("1,5"), "{}", err.message());
    }

    #[cfg(feature = "peddler")]
    #[test]
    fn peddler_extras_every_way() {
        use delivery_webhooks::peddler::{DateValue, NeighbourDelivery};
        let d: DateValue = every_way(r#""2024-09-03""#);
        assert!(d.timestamp().is_some());
        let d: DateValue = every_way(r#"{"from": "09:00",  "to": 1.50}"#);
        let DateValue::Other(raw) = d else { panic!() };
        assert_eq!(raw.get(), r#"{"from": "09:00",  "to": 1.50}"#);
        let d: DateValue = every_way(r#""2024-09-0\u0033""#);
        assert!(d.timestamp().is_none(), "escaped text is kept as sent");
        let n: NeighbourDelivery = every_way(r#""14-H""#);
        assert_eq!(n, NeighbourDelivery::Text("14-H".into()));
        let n: NeighbourDelivery = every_way(" true");
        assert_eq!(n, NeighbourDelivery::Flag(true));
        let n: NeighbourDelivery = every_way(r#"{"house": "14-H"}"#);
        assert_eq!(n.delivered_at_neighbours(), Some(true));
    }
}
