//! Xoxoday: every fixture's fields, the round trip, the 20-digit id, the source allowlist
//! behind and without proxies, the optional API key, and negative cases.
#![cfg(feature = "xoxoday")]

use std::collections::HashMap;
use std::net::IpAddr;

use delivery_webhooks::Request;
use delivery_webhooks::xoxoday::{
    self, DeliveryStatus, DeliveryUpdate, IpNet, ProxyHeader, Verifier,
};
use delivery_webhooks::{Error, PayloadError, Timestamp};
use time::macros::{datetime, offset};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../fixtures/xoxoday/", $name, ".json")).as_slice()
    };
}

const XOXODAY: &str = "52.76.120.90";
const KEY: &str = "Xoxo4Webhooks2024key";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A date-time sent without zone, with this wall-clock value.
#[track_caller]
fn assert_naive(t: Timestamp, want: time::PrimitiveDateTime) {
    assert_eq!(
        (t.date_time(), t.offset(), t.is_date_only()),
        (want, None, false),
        "{t}"
    );
}

fn roundtrip(update: &DeliveryUpdate) {
    let bytes = serde_json::to_vec(update).unwrap();
    let again = xoxoday::parse(&bytes).unwrap();
    assert_eq!(&again, update, "{}", String::from_utf8_lossy(&bytes));
}

fn payload_error(err: Error) -> PayloadError {
    match err {
        Error::Payload(p) => p,
        other => panic!("expected a payload error, got {other:?}"),
    }
}

const NO_HEADERS: [(&str, &str); 0] = [];

// ----- fixtures --------------------------------------------------------------------------

#[test]
fn delivered() {
    let u = xoxoday::parse(fixture!("delivered")).unwrap();
    assert_eq!(u.id.get(), 10_000_000_000_000_000_001);
    assert_eq!(u.data.order_id, 10_254_678_901);
    assert_eq!(u.data.po_number.as_deref(), Some("PO-2019-7781"));
    assert_naive(u.data.order_date, datetime!(2019-12-27 16:41:33));
    assert_eq!(u.data.delivery_status, DeliveryStatus::Delivered);
    assert_naive(u.created_at, datetime!(2019-12-27 16:45:02));
    roundtrip(&u);
}

#[test]
fn canceled_as_in_the_doc_sample() {
    let u = xoxoday::parse(fixture!("canceled")).unwrap();
    assert_eq!(u.id.get(), 10_000_000_000_000_000_002);
    assert_eq!(u.data.order_id, 10_254_678_902);
    assert_eq!(u.data.po_number.as_deref(), Some("PO-2019-7782"));
    assert_naive(u.data.order_date, datetime!(2019-12-27 16:41:33));
    assert_eq!(u.data.delivery_status, DeliveryStatus::Canceled);
    assert_naive(u.created_at, datetime!(2019-12-28 09:03:17));
    roundtrip(&u);
}

#[test]
fn case_variants_and_empty_po_numbers() {
    let cap = xoxoday::parse(fixture!("delivered_capitalized")).unwrap();
    assert_eq!(cap.id.get(), 10_000_000_000_000_000_003);
    assert_eq!(cap.data.order_id, 10_254_678_903);
    assert_eq!(cap.data.delivery_status, DeliveryStatus::Delivered);
    assert_eq!(cap.data.po_number, None); // null
    assert_naive(cap.data.order_date, datetime!(2020-01-02 08:00:00));
    assert_naive(cap.created_at, datetime!(2020-01-02 08:00:41));
    roundtrip(&cap);

    let lower = xoxoday::parse(fixture!("canceled_lowercase")).unwrap();
    assert_eq!(lower.id.get(), 10_000_000_000_000_000_004);
    assert_eq!(lower.data.order_id, 10_254_678_904);
    assert_eq!(lower.data.delivery_status, DeliveryStatus::Canceled);
    assert_eq!(lower.data.po_number, None); // ""
    assert_naive(lower.data.order_date, datetime!(2020-01-03 10:15:00));
    assert_naive(lower.created_at, datetime!(2020-01-03 10:20:00));
    roundtrip(&lower);

    let british = xoxoday::parse(fixture!("canceled_british")).unwrap();
    assert_eq!(british.id.get(), 10_000_000_000_000_000_005);
    assert_eq!(british.data.order_id, 10_254_678_905);
    assert_eq!(british.data.delivery_status, DeliveryStatus::Canceled);
    assert_eq!(british.data.po_number.as_deref(), Some("PO-UK-0005"));
    assert_naive(british.data.order_date, datetime!(2020-01-04 11:00:00));
    assert_naive(british.created_at, datetime!(2020-01-04 11:30:00));
    roundtrip(&british);
}

#[test]
fn pending_without_po_number() {
    let u = xoxoday::parse(fixture!("pending")).unwrap();
    assert_eq!(u.id.get(), 10_000_000_000_000_000_006);
    assert_eq!(u.data.order_id, 10_254_678_906);
    assert_eq!(u.data.po_number, None); // absent
    assert_eq!(u.data.delivery_status, DeliveryStatus::Pending);
    assert_naive(u.data.order_date, datetime!(2020-01-05 12:00:00));
    assert_naive(u.created_at, datetime!(2020-01-05 12:00:05));
    roundtrip(&u);
}

#[test]
fn string_ids_and_numeric_po_number() {
    let u = xoxoday::parse(fixture!("string_ids")).unwrap();
    assert_eq!(u.id.get(), 98_765_432_109_876_543_210);
    assert_eq!(u.data.order_id, 10_254_678_907);
    assert_eq!(u.data.po_number.as_deref(), Some("4500012345"));
    assert_eq!(u.data.delivery_status, DeliveryStatus::Delivered);
    assert_naive(u.data.order_date, datetime!(2020-01-06 13:00:00));
    assert_naive(u.created_at, datetime!(2020-01-06 13:00:09));
    roundtrip(&u);
    // Written back as numbers.
    let json: serde_json::Value = serde_json::to_value(&u.data).unwrap();
    assert_eq!(json["orderId"], serde_json::json!(10_254_678_907_u64));
    let text = serde_json::to_string(&u).unwrap();
    assert!(text.starts_with(r#"{"id":98765432109876543210,"#), "{text}");
}

#[test]
fn twenty_digit_ids_beyond_u64_are_exact() {
    let u = xoxoday::parse(fixture!("twenty_digit_id")).unwrap();
    assert_eq!(u.id.get(), 99_999_999_999_999_999_999);
    assert!(u.id.get() > u128::from(u64::MAX));
    assert_eq!(u.id.to_string(), "99999999999999999999");
    assert_eq!(u.data.order_id, 99_999_999_999);
    assert_eq!(u.data.po_number.as_deref(), Some("PO-MAX"));
    assert_eq!(u.data.delivery_status, DeliveryStatus::Delivered);
    assert_naive(u.data.order_date, datetime!(2020-01-07 14:00:00));
    assert_naive(u.created_at, datetime!(2020-01-07 14:00:01));
    roundtrip(&u);

    // u64::MAX + 1, and the neighbours that an f64 would merge with it.
    let body = |id: &str| {
        format!(
            r#"{{"id":{id},"data":{{"orderId":1,"orderDate":"2020-01-01 00:00:00","deliveryStatus":"delivered"}},"createdAt":"2020-01-01 00:00:00"}}"#
        )
    };
    for (text, value) in [
        ("18446744073709551616", 18_446_744_073_709_551_616_u128),
        ("18446744073709551617", 18_446_744_073_709_551_617),
        ("18446744073709551615", u128::from(u64::MAX)),
        ("\"18446744073709551617\"", 18_446_744_073_709_551_617),
        ("\" 99999999999999999999 \"", 99_999_999_999_999_999_999),
        ("0", 0),
    ] {
        let u = xoxoday::parse(body(text).as_bytes()).unwrap();
        assert_eq!(u.id.get(), value, "{text}");
        roundtrip(&u);
    }
    // Other serde_json entry points read it exactly too.
    let b = body("99999999999999999999");
    let from_reader: DeliveryUpdate = serde_json::from_reader(b.as_bytes()).unwrap();
    let from_str: DeliveryUpdate = serde_json::from_str(&b).unwrap();
    assert_eq!(from_reader.id.get(), 99_999_999_999_999_999_999);
    assert_eq!(from_str, from_reader);
    let from_value: DeliveryUpdate =
        serde_json::from_value(serde_json::from_str(&body("\"99999999999999999999\"")).unwrap())
            .unwrap();
    assert_eq!(from_value, from_reader);

    for bad in [
        "-1",
        "1.5",
        "1e20",
        "\"\"",
        "\"12a\"",
        "null",
        "true",
        "[1]",
        "340282366920938463463374607431768211456",
    ] {
        let err = payload_error(xoxoday::parse(body(bad).as_bytes()).unwrap_err());
        assert_eq!(err.path(), "id", "{bad}: {err}");
    }
}

#[test]
fn rfc3339_dates_keep_their_offset() {
    let u = xoxoday::parse(fixture!("rfc3339_dates")).unwrap();
    assert_eq!(u.id.get(), 18_446_744_073_709_551_616);
    assert_eq!(u.data.order_id, 10_254_678_909);
    assert_eq!(u.data.po_number.as_deref(), Some("PO-2020-0009"));
    assert_eq!(u.data.delivery_status, DeliveryStatus::Delivered);
    assert_eq!(
        u.data.order_date.to_offset_date_time(),
        Some(datetime!(2020-01-08 15:30:00 +05:30))
    );
    assert_eq!(u.data.order_date.offset(), Some(offset!(+05:30)));
    assert_eq!(
        u.data.order_date.date_time(),
        datetime!(2020-01-08 15:30:00)
    );
    assert_eq!(
        u.created_at.to_offset_date_time(),
        Some(datetime!(2020-01-08 10:00:30.25 UTC))
    );
    // Written back exactly as sent (three fraction digits).
    assert_eq!(u.created_at.to_string(), "2020-01-08T10:00:30.250Z");
    roundtrip(&u);
    // (`to_value` cannot hold this id beyond u64: see `WebhookId`; the data alone can.)
    let json: serde_json::Value = serde_json::to_value(&u.data).unwrap();
    assert_eq!(json["orderDate"], "2020-01-08T15:30:00+05:30");
    let text = serde_json::to_string(&u).unwrap();
    assert!(
        text.contains(r#""createdAt":"2020-01-08T10:00:30.250Z""#),
        "{text}"
    );
}

#[test]
fn unknown_status_and_fields_are_kept_or_ignored() {
    let u = xoxoday::parse(fixture!("unknown_status")).unwrap();
    assert_eq!(u.id.get(), 10_000_000_000_000_000_010);
    assert_eq!(u.data.order_id, 10_254_678_910);
    assert_eq!(u.data.po_number.as_deref(), Some("PO-2020-0010"));
    assert_eq!(
        u.data.delivery_status,
        DeliveryStatus::Other("Returned".into())
    );
    assert!(u.data.delivery_status.is_other());
    assert_naive(u.data.order_date, datetime!(2020-01-09 16:00:00));
    assert_naive(u.created_at, datetime!(2020-01-09 16:00:00));
    roundtrip(&u);
    let json: serde_json::Value = serde_json::to_value(&u).unwrap();
    assert_eq!(json["data"]["deliveryStatus"], "Returned");
}

#[test]
fn serialized_shape_is_the_wire_format() {
    let u = xoxoday::parse(fixture!("canceled_lowercase")).unwrap();
    let json: serde_json::Value = serde_json::to_value(&u).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": 10_000_000_000_000_000_004_u64,
            "data": {
                "orderId": 10_254_678_904_u64,
                "poNumber": null,
                "orderDate": "2020-01-03 10:15:00",
                "deliveryStatus": "canceled"
            },
            "createdAt": "2020-01-03 10:20:00"
        })
    );
}

// ----- payload errors --------------------------------------------------------------------

#[test]
fn non_json_and_wrong_shapes_name_the_path() {
    for body in [&b""[..], b"{", b"not json", b"[]", b"null"] {
        let err = xoxoday::parse(body).unwrap_err();
        assert_eq!(err.status_code(), 400);
        assert_eq!(payload_error(err).path(), ".");
    }
    // The doc's sample, literally: single quotes are not JSON.
    let sample = b"{\n'id': orderID<Number(20)>,\n'data': {}\n}";
    assert_eq!(
        payload_error(xoxoday::parse(sample).unwrap_err()).path(),
        "."
    );

    let good: serde_json::Value = serde_json::from_slice(fixture!("delivered")).unwrap();
    let with = |path: &[&str], value: serde_json::Value| {
        let mut v = good.clone();
        let mut slot = &mut v;
        for key in path {
            slot = &mut slot[*key];
        }
        *slot = value;
        serde_json::to_vec(&v).unwrap()
    };
    for (path, value, expected) in [
        (
            &["data", "orderId"][..],
            serde_json::json!("12x"),
            "data.orderId",
        ),
        (&["data", "orderId"], serde_json::json!(-1), "data.orderId"),
        (
            &["data", "orderId"],
            serde_json::json!(null),
            "data.orderId",
        ),
        (
            &["data", "orderDate"],
            serde_json::json!("27/12/2019"),
            "data.orderDate",
        ),
        (
            &["data", "orderDate"],
            serde_json::json!(1577465493),
            "data.orderDate",
        ),
        (
            &["data", "deliveryStatus"],
            serde_json::json!(1),
            "data.deliveryStatus",
        ),
        (
            &["data", "poNumber"],
            serde_json::json!({"a": 1}),
            "data.poNumber",
        ),
        (
            &["createdAt"],
            serde_json::json!("2019-12-27 25:00:00"),
            "createdAt",
        ),
        (&["data"], serde_json::json!("x"), "data"),
    ] {
        let err = payload_error(xoxoday::parse(&with(path, value.clone())).unwrap_err());
        assert_eq!(err.path(), expected, "{value}: {err}");
    }
}

#[test]
fn missing_required_fields_are_named() {
    for (body, field) in [
        (
            r#"{"data":{"orderId":1,"orderDate":"2020-01-01 00:00:00","deliveryStatus":"delivered"},"createdAt":"2020-01-01 00:00:00"}"#,
            "`id`",
        ),
        (r#"{"id":1,"createdAt":"2020-01-01 00:00:00"}"#, "`data`"),
        (
            r#"{"id":1,"data":{"orderId":1,"orderDate":"2020-01-01 00:00:00","deliveryStatus":"delivered"}}"#,
            "`createdAt`",
        ),
        (
            r#"{"id":1,"data":{"orderDate":"2020-01-01 00:00:00","deliveryStatus":"delivered"},"createdAt":"2020-01-01 00:00:00"}"#,
            "`orderId`",
        ),
        (
            r#"{"id":1,"data":{"orderId":1,"orderDate":"2020-01-01 00:00:00"},"createdAt":"2020-01-01 00:00:00"}"#,
            "`deliveryStatus`",
        ),
    ] {
        let err = payload_error(xoxoday::parse(body.as_bytes()).unwrap_err());
        assert!(err.message().contains(field), "{field}: {err}");
    }
}

// ----- source allowlist --------------------------------------------------------------------

#[test]
fn default_allows_the_documented_address_only() {
    let v = Verifier::without_api_key();
    assert_eq!(
        verified(&v, &Request::new(&NO_HEADERS, b"").peer(ip(XOXODAY))).unwrap(),
        ip(XOXODAY)
    );
    // A dual-stack socket reports IPv4 peers as mapped IPv6.
    assert_eq!(
        verified(
            &v,
            &Request::new(&NO_HEADERS, b"").peer(ip("::ffff:52.76.120.90"))
        )
        .unwrap(),
        ip(XOXODAY)
    );
    for other in [
        "52.76.120.91",
        "52.74.39.101",
        "52.221.42.47",
        "46.137.196.217",
        "127.0.0.1",
        "::1",
        "::52.76.120.90",
        "2001:db8::1",
    ] {
        let err = verified(&v, &Request::new(&NO_HEADERS, b"").peer(ip(other))).unwrap_err();
        assert!(
            matches!(err, Error::UntrustedSource { addr } if addr == ip(other).to_canonical()),
            "{other}: {err:?}"
        );
        assert_eq!(err.status_code(), 403);
        assert!(err.is_authentication_failure());
    }
    for other in xoxoday::OTHER_PRODUCTION_IPS {
        assert!(verified(&v, &Request::new(&NO_HEADERS, b"").peer(other)).is_err());
    }
    assert_eq!(
        Verifier::without_api_key()
            .verify_client(&Request::new(&NO_HEADERS, b"").peer(xoxoday::CALLBACK_IP))
            .unwrap(),
        ip(XOXODAY)
    );
}

#[test]
fn forged_forwarding_headers_from_an_untrusted_peer_get_nothing() {
    let attacker = ip("203.0.113.66");
    let forged = [
        ("X-Forwarded-For", XOXODAY),
        ("Forwarded", "for=52.76.120.90"),
        ("X-Real-IP", XOXODAY),
    ];
    for v in [
        Verifier::without_api_key(),
        Verifier::without_api_key()
            .trusted_proxies(["10.0.0.0/8"])
            .unwrap(),
    ] {
        let err = verified(&v, &Request::new(&forged, b"").peer(attacker)).unwrap_err();
        assert!(matches!(err, Error::UntrustedSource { addr } if addr == attacker));
    }
    // Xoxoday itself may send such headers: they are ignored, not refused.
    assert_eq!(
        Verifier::without_api_key()
            .verify_client(&Request::new(&[("X-Forwarded-For", "garbage")], b"").peer(ip(XOXODAY)))
            .unwrap(),
        ip(XOXODAY)
    );
}

#[test]
fn configured_allowlists_with_ranges_and_ipv6() {
    let v = Verifier::without_api_key()
        .allowlist(["52.76.120.0/24", "2001:db8:abcd::/48", "198.51.100.7"])
        .unwrap();
    for ok in [
        "52.76.120.0",
        "52.76.120.255",
        "::ffff:52.76.120.1",
        "2001:db8:abcd::1",
        "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff",
        "198.51.100.7",
    ] {
        assert_eq!(
            verified(&v, &Request::new(&NO_HEADERS, b"").peer(ip(ok))).unwrap(),
            ip(ok).to_canonical(),
            "{ok}"
        );
    }
    for bad in [
        "52.76.121.0",
        "2001:db8:abce::1",
        "198.51.100.8",
        "10.0.0.1",
    ] {
        assert!(matches!(
            verified(&v, &Request::new(&NO_HEADERS, b"").peer(ip(bad))),
            Err(Error::UntrustedSource { .. })
        ));
    }
    // `allow` adds to the default.
    let more = Verifier::without_api_key()
        .allow(xoxoday::OTHER_PRODUCTION_IPS[0])
        .unwrap()
        .allow("2001:db8::/32".parse::<IpNet>().unwrap())
        .unwrap();
    verified(&more, &Request::new(&NO_HEADERS, b"").peer(ip(XOXODAY))).unwrap();
    verified(
        &more,
        &Request::new(&NO_HEADERS, b"").peer(ip("52.74.39.101")),
    )
    .unwrap();
    verified(
        &more,
        &Request::new(&NO_HEADERS, b"").peer(ip("2001:db8::9")),
    )
    .unwrap();
    // Everything: /0 in both families (then rely on the API key), asked for by name.
    assert!(
        Verifier::without_api_key()
            .allowlist(["0.0.0.0/0", "::/0"])
            .is_err()
    );
    let any = Verifier::without_api_key()
        .allow_broad_ranges()
        .allowlist(["0.0.0.0/0", "::/0"])
        .unwrap();
    verified(&any, &Request::new(&NO_HEADERS, b"").peer(ip("1.2.3.4"))).unwrap();
    verified(
        &any,
        &Request::new(&NO_HEADERS, b"").peer(ip("2001:db8::1")),
    )
    .unwrap();
    // /32 and /128 are single hosts.
    let hosts = Verifier::without_api_key()
        .allowlist(["52.76.120.90/32", "2001:db8::5/128"])
        .unwrap();
    verified(&hosts, &Request::new(&NO_HEADERS, b"").peer(ip(XOXODAY))).unwrap();
    verified(
        &hosts,
        &Request::new(&NO_HEADERS, b"").peer(ip("2001:db8::5")),
    )
    .unwrap();
    assert!(
        verified(
            &hosts,
            &Request::new(&NO_HEADERS, b"").peer(ip("2001:db8::4"))
        )
        .is_err()
    );
}

#[test]
fn invalid_networks_are_refused_at_construction() {
    for bad in [
        "52.76.120.90/33",
        "52.76.120.90/24",
        "52.76.120",
        "xoxoday.com",
        "::/129",
        "2001:db8::1/64",
        "10.0.0.0/-1",
        "",
    ] {
        let err = Verifier::without_api_key().allowlist([bad]).unwrap_err();
        assert_eq!(err.entry(), Some(bad));
        assert!(err.to_string().starts_with("invalid ip network"), "{err}");
        assert!(
            Verifier::without_api_key()
                .trusted_proxies(["10.0.0.0/8", bad])
                .is_err()
        );
    }
    let empty = Verifier::without_api_key()
        .allowlist(Vec::<String>::new())
        .unwrap_err();
    assert!(empty.reason().contains("empty allowlist"));
    // An empty list of proxies is fine: it trusts none.
    let v = Verifier::without_api_key()
        .trusted_proxies(Vec::<&str>::new())
        .unwrap();
    assert!(
        verified(
            &v,
            &Request::new(&[("x-forwarded-for", XOXODAY)], b"").peer(ip("10.0.0.1"))
        )
        .is_err()
    );
}

// ----- behind proxies ----------------------------------------------------------------------

fn keyed_behind_proxy<const N: usize>(keys: [&str; N]) -> Verifier {
    Verifier::with_secrets(keys)
        .unwrap()
        .trusted_proxies(["10.0.0.0/8", "fd00::/8", "192.0.2.1"])
        .unwrap()
}

fn behind_proxy() -> Verifier {
    Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8", "fd00::/8", "192.0.2.1"])
        .unwrap()
}

#[test]
fn client_from_x_forwarded_for_via_trusted_proxy() {
    let v = behind_proxy();
    let cases: [(&str, &str, Result<&str, ()>); 9] = [
        ("10.0.0.1", "52.76.120.90", Ok(XOXODAY)),
        ("10.0.0.1", "52.76.120.90, 10.0.0.7", Ok(XOXODAY)),
        ("10.0.0.1", "6.6.6.6, 52.76.120.90", Ok(XOXODAY)),
        // A forged hop on the left and the real client appended by the proxy.
        ("10.0.0.1", "52.76.120.90, 203.0.113.66", Err(())),
        ("::ffff:10.0.0.1", "::ffff:52.76.120.90", Ok(XOXODAY)),
        ("fd00::1", "52.76.120.90, fd00::2", Ok(XOXODAY)),
        ("192.0.2.1", "[::ffff:52.76.120.90]:443", Ok(XOXODAY)),
        // Everything trusted: the leftmost hop is the client, here a proxy: not allowed.
        ("10.0.0.1", "10.0.0.9, 10.0.0.8", Err(())),
        ("192.0.2.2", "52.76.120.90", Err(())),
    ];
    for (peer, xff, expected) in cases {
        let headers = [("X-Forwarded-For", xff)];
        match expected {
            Ok(client) => assert_eq!(
                verified(&v, &Request::new(&headers, b"").peer(ip(peer))).unwrap(),
                ip(client),
                "{xff}"
            ),
            Err(()) => {
                let err = verified(&v, &Request::new(&headers, b"").peer(ip(peer))).unwrap_err();
                assert_eq!(err.status_code(), 403, "{peer} {xff}: {err:?}");
            }
        }
    }
    // A trusted proxy without forwarding headers is the client (and it is not allowed).
    let err = verified(&v, &Request::new(&NO_HEADERS, b"").peer(ip("10.0.0.1"))).unwrap_err();
    assert!(matches!(err, Error::UntrustedSource { addr } if addr == ip("10.0.0.1")));
    assert_eq!(
        v.client_addr(&Request::new(&NO_HEADERS, b"").peer(ip("10.0.0.1")))
            .unwrap(),
        ip("10.0.0.1")
    );
}

#[test]
fn several_x_forwarded_for_lines_are_concatenated() {
    let v = behind_proxy();
    // Vec, HashMap with differently cased keys, and the order of lines counts.
    let lines = vec![
        ("X-Forwarded-For".to_string(), "52.76.120.90".to_string()),
        ("x-forwarded-for".to_string(), "10.0.0.5".to_string()),
    ];
    assert_eq!(
        verified(&v, &Request::new(&lines, b"").peer(ip("10.0.0.1"))).unwrap(),
        ip(XOXODAY)
    );
    let appended = [
        ("x-forwarded-for", XOXODAY),
        ("x-forwarded-for", "203.0.113.66"),
    ];
    assert!(matches!(
        verified(&v, &Request::new(&appended, b"").peer(ip("10.0.0.1"))),
        Err(Error::UntrustedSource { addr }) if addr == ip("203.0.113.66")
    ));
    let mut map = HashMap::new();
    map.insert("X-Forwarded-For", XOXODAY);
    verified(&v, &Request::new(&map, b"").peer(ip("10.0.0.1"))).unwrap();
}

#[test]
fn client_from_rfc7239_forwarded() {
    let v = behind_proxy();
    for value in [
        "for=52.76.120.90",
        "for=\"52.76.120.90:61234\";proto=https;by=10.0.0.1",
        "for=\"[::ffff:52.76.120.90]\"",
        "for=203.0.113.66, for=52.76.120.90, for=10.0.0.3",
        "for=unknown, for=52.76.120.90",
    ] {
        assert_eq!(
            verified(
                &v,
                &Request::new(&[("Forwarded", value)], b"").peer(ip("10.0.0.1"))
            )
            .unwrap(),
            ip(XOXODAY),
            "{value}"
        );
    }
    let ipv6 = Verifier::without_api_key()
        .allowlist(["2001:db8:cafe::17"])
        .unwrap()
        .trusted_proxies(["fd00::/8"])
        .unwrap();
    assert_eq!(
        verified(
            &ipv6,
            &Request::new(&[("Forwarded", "for=\"[2001:db8:cafe::17]:4711\"")], b"")
                .peer(ip("fd00::1"))
        )
        .unwrap(),
        ip("2001:db8:cafe::17")
    );
}

#[test]
fn malformed_forwarding_headers_from_a_trusted_proxy_are_400() {
    let v = behind_proxy();
    for (name, value) in [
        ("x-forwarded-for", "52.76.120.90, not-an-ip"),
        ("x-forwarded-for", "52.76.120.90,"),
        ("x-forwarded-for", "unknown"),
        ("x-forwarded-for", "52.76.120.90:99999"),
        ("x-forwarded-for", "52.76.120.90\u{7f}"),
        ("forwarded", "for=\"52.76.120.90"),
        ("forwarded", "for"),
        ("forwarded", "for=_obfuscated"),
        ("forwarded", "proto=https"),
        ("forwarded", "for=52.76.120.90;for=52.76.120.90"),
    ] {
        let err = verified(
            &v,
            &Request::new(&[(name, value)], b"").peer(ip("10.0.0.1")),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader { name: n, .. } if *n == name),
            "{name}: {value:?}: {err:?}"
        );
        assert_eq!(err.status_code(), 400);
        // The reason never repeats the value (short ones like `for` occur in any message).
        assert!(value.len() < 8 || !err.to_string().contains(value), "{err}");
    }
}

#[test]
fn both_headers_must_agree_unless_one_is_chosen() {
    let forged = [
        ("Forwarded", "for=52.76.120.90"),
        ("X-Forwarded-For", "203.0.113.66"),
    ];
    let err = behind_proxy()
        .verify(&Request::new(&forged, b"").peer(ip("10.0.0.1")))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHeader {
                name: "forwarded",
                ..
            }
        ),
        "{err:?}"
    );
    let xff_only = behind_proxy().proxy_header(ProxyHeader::XForwardedFor);
    assert!(matches!(
        verified(&xff_only, &Request::new(&forged, b"").peer(ip("10.0.0.1"))),
        Err(Error::UntrustedSource { addr }) if addr == ip("203.0.113.66")
    ));
    let fwd_only = behind_proxy().proxy_header(ProxyHeader::Forwarded);
    let real = [
        ("Forwarded", "for=203.0.113.66"),
        ("X-Forwarded-For", XOXODAY),
    ];
    assert!(matches!(
        verified(&fwd_only, &Request::new(&real, b"").peer(ip("10.0.0.1"))),
        Err(Error::UntrustedSource { .. })
    ));
    let agree = [
        ("Forwarded", "for=52.76.120.90"),
        ("X-Forwarded-For", XOXODAY),
    ];
    behind_proxy()
        .verify(&Request::new(&agree, b"").peer(ip("10.0.0.1")))
        .unwrap();
}

// ----- API key -----------------------------------------------------------------------------

#[test]
fn api_key_is_required_when_configured() {
    let v = Verifier::new(KEY).unwrap();
    verified(
        &v,
        &Request::new(&[("X-API-Key", KEY)], b"").peer(ip(XOXODAY)),
    )
    .unwrap();
    verified(
        &v,
        &Request::new(&[("x-api-key", KEY), ("x-api-key", KEY)], b"").peer(ip(XOXODAY)),
    )
    .unwrap();

    let missing = verified(&v, &Request::new(&NO_HEADERS, b"").peer(ip(XOXODAY))).unwrap_err();
    assert!(matches!(
        missing,
        Error::MissingHeader { name: "x-api-key" }
    ));
    assert_eq!(missing.status_code(), 401);
    let empty = verified(
        &v,
        &Request::new(&[("x-api-key", "")], b"").peer(ip(XOXODAY)),
    )
    .unwrap_err();
    assert!(matches!(empty, Error::MissingHeader { .. }));
    for wrong in [
        "Xoxo4Webhooks2024ke",
        "Xoxo4Webhooks2024keyy",
        "xoxo4webhooks2024key",
    ] {
        let err = verified(
            &v,
            &Request::new(&[("x-api-key", wrong)], b"").peer(ip(XOXODAY)),
        )
        .unwrap_err();
        assert!(matches!(err, Error::TokenMismatch), "{wrong}");
        assert_eq!(err.status_code(), 401);
    }
    let conflict = verified(
        &v,
        &Request::new(&[("x-api-key", KEY), ("x-api-key", "other")], b"").peer(ip(XOXODAY)),
    )
    .unwrap_err();
    assert!(matches!(
        conflict,
        Error::ConflictingHeader { name: "x-api-key" }
    ));
    // The key does not replace the source check.
    let err = verified(
        &v,
        &Request::new(&[("x-api-key", KEY)], b"").peer(ip("203.0.113.66")),
    )
    .unwrap_err();
    assert!(matches!(err, Error::UntrustedSource { .. }));
}

#[test]
fn several_api_keys_for_rotation_and_empty_keys_refused() {
    let v = Verifier::with_secrets(["OldKey1234567", KEY]).unwrap();
    verified(
        &v,
        &Request::new(&[("x-api-key", "OldKey1234567")], b"").peer(ip(XOXODAY)),
    )
    .unwrap();
    verified(
        &v,
        &Request::new(&[("x-api-key", KEY)], b"").peer(ip(XOXODAY)),
    )
    .unwrap();
    assert!(
        verified(
            &v,
            &Request::new(&[("x-api-key", "NewKey1234567")], b"").peer(ip(XOXODAY))
        )
        .is_err()
    );
    assert!(
        matches!(Verifier::new(""), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
    assert!(matches!(
        Verifier::with_secrets(["ok-key-123456", ""]),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
    assert!(matches!(
        Verifier::with_secrets(Vec::<String>::new()),
        Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
    ));
}

#[test]
fn debug_shows_addresses_but_never_keys() {
    let v = keyed_behind_proxy([KEY, "SecondKey12345"]);
    let debug = format!("{v:?}");
    assert!(debug.contains("52.76.120.90/32"), "{debug}");
    assert!(debug.contains("10.0.0.0/8"), "{debug}");
    assert!(debug.contains("2 redacted"), "{debug}");
    assert!(
        !debug.contains(KEY) && !debug.contains("SecondKey"),
        "{debug}"
    );
    let err = verified(
        &v,
        &Request::new(&[("x-api-key", "guess")], b"").peer(ip(XOXODAY)),
    )
    .unwrap_err();
    assert!(!err.to_string().contains("guess") && !err.to_string().contains(KEY));
}

// ----- receive -----------------------------------------------------------------------------

#[test]
fn receive_checks_then_parses() {
    let v = keyed_behind_proxy([KEY]);
    let headers = [("x-forwarded-for", XOXODAY), ("x-api-key", KEY)];
    let u = v
        .receive(&Request::new(&headers, fixture!("delivered")).peer(ip("10.0.0.1")))
        .unwrap();
    assert_eq!(u.payload.data.delivery_status, DeliveryStatus::Delivered);
    assert_eq!(u.dedup_key().as_str(), "xoxoday:10000000000000000001");

    // Order of checks: size, source, key, body.
    let small = keyed_behind_proxy([KEY]).body_limit(16);
    let err = small
        .receive(&Request::new(&NO_HEADERS, fixture!("delivered")).peer(ip("203.0.113.66")))
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 16, .. }));
    assert_eq!(err.status_code(), 413);
    let err = v
        .receive(&Request::new(&headers, b"not json").peer(ip("203.0.113.66")))
        .unwrap_err();
    assert_eq!(err.status_code(), 403);
    let err = v
        .receive(&Request::new(&NO_HEADERS, b"not json").peer(ip(XOXODAY)))
        .unwrap_err();
    assert_eq!(err.status_code(), 401);
    let err = v
        .receive(&Request::new(&[("x-api-key", KEY)], b"not json").peer(ip(XOXODAY)))
        .unwrap_err();
    assert_eq!(err.status_code(), 400);
    let body = fixture!("canceled");
    let exact = Verifier::without_api_key().body_limit(body.len());
    exact
        .receive(&Request::new(&NO_HEADERS, body).peer(ip(XOXODAY)))
        .unwrap();
    assert!(
        Verifier::without_api_key()
            .body_limit(body.len() - 1)
            .receive(&Request::new(&NO_HEADERS, body).peer(ip(XOXODAY)))
            .is_err()
    );
}

#[test]
fn every_fixture_goes_through_receive() {
    let v = Verifier::without_api_key();
    for body in [
        fixture!("delivered"),
        fixture!("canceled"),
        fixture!("delivered_capitalized"),
        fixture!("canceled_lowercase"),
        fixture!("canceled_british"),
        fixture!("pending"),
        fixture!("string_ids"),
        fixture!("twenty_digit_id"),
        fixture!("rfc3339_dates"),
        fixture!("unknown_status"),
    ] {
        let u = v
            .receive(&Request::new(&NO_HEADERS, body).peer(ip(XOXODAY)))
            .unwrap();
        assert_eq!(u.payload, xoxoday::parse(body).unwrap());
        assert_eq!(u.dedup_key().as_str(), format!("xoxoday:{}", u.payload.id));
    }
}

/// The old `verify` returned the client address the decision was made on: the contract's
/// `verify` returns `()`, and `client_addr` gives the address.
fn verified(v: &Verifier, request: &Request<'_>) -> Result<IpAddr, Error> {
    v.verify(request)?;
    v.client_addr(request)
}

trait VerifyClient {
    fn verify_client(&self, request: &Request<'_>) -> Result<IpAddr, Error>;
}

impl VerifyClient for Verifier {
    fn verify_client(&self, request: &Request<'_>) -> Result<IpAddr, Error> {
        verified(self, request)
    }
}

// ----- round two of the security review -------------------------------------------------------

/// A header source that cannot vouch for line order (a map) never decides from two lines of a
/// forwarding header; an ordered one (a `Vec`) reads them in order.
#[test]
fn unordered_header_sources_never_decide_from_several_lines() {
    use std::collections::{BTreeMap, HashMap};
    let v = Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8"])
        .unwrap();
    let proxy = ip("10.1.2.3");
    // The client's own line, then the proxy's: the right end (6.6.6.6) decides.
    let ordered = vec![
        ("x-forwarded-for", "52.76.120.90"),
        ("X-Forwarded-For", "6.6.6.6"),
    ];
    let err = v
        .verify(&Request::new(&ordered, b"{}").peer(proxy))
        .unwrap_err();
    assert!(matches!(err, Error::UntrustedSource { .. }), "{err:?}");
    let tree: BTreeMap<&str, &str> = ordered.iter().copied().collect();
    let map: HashMap<&str, &str> = ordered.iter().copied().collect();
    for _ in 0..32 {
        for err in [
            v.verify(&Request::new(&tree, b"{}").peer(proxy))
                .unwrap_err(),
            v.verify(&Request::new(&map, b"{}").peer(proxy))
                .unwrap_err(),
        ] {
            assert!(
                matches!(
                    err,
                    Error::InvalidHeader {
                        name: "x-forwarded-for",
                        ..
                    }
                ),
                "{err:?}"
            );
            assert_eq!(err.status_code(), 400);
        }
    }
    // One line from a map is fine: there is no order to get wrong.
    let one: HashMap<&str, &str> = [("X-Forwarded-For", "52.76.120.90")].into_iter().collect();
    v.verify(&Request::new(&one, b"{}").peer(proxy)).unwrap();
    let fwd: BTreeMap<&str, &str> = [
        ("forwarded", "for=52.76.120.90"),
        ("Forwarded", "for=6.6.6.6"),
    ]
    .into_iter()
    .collect();
    let err = v
        .verify(&Request::new(&fwd, b"{}").peer(proxy))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHeader {
                name: "forwarded",
                ..
            }
        ),
        "{err:?}"
    );
}

/// Ranges that cover the internet are refused unless asked for by name, and no proxy range may
/// hold an allowed source.
#[test]
fn broad_and_overlapping_ranges_are_refused() {
    for broad in [
        "0.0.0.0/0",
        "::/0",
        "::/8",
        "::ffff:0:0/96",
        "1.0.0.0/7",
        "2000::/3",
        // Broader than a /16 (IPv4) or a /32 (IPv6) of public space: a cloud provider's /9 holds
        // other tenants.
        "52.0.0.0/9",
        "203.0.0.0/15",
        "11.0.0.0/8",
        "2600:1f00::/24",
        "2001:db8::/31",
    ] {
        assert!(
            Verifier::without_api_key()
                .trusted_proxies([broad])
                .is_err(),
            "{broad}"
        );
        assert!(
            Verifier::without_api_key().allowlist([broad]).is_err(),
            "{broad}"
        );
        Verifier::without_api_key()
            .allow_broad_ranges()
            .trusted_proxies(["10.0.0.0/8"])
            .unwrap();
    }
    assert!(
        Verifier::without_api_key()
            .allow("0.0.0.0/0".parse::<IpNet>().unwrap())
            .is_err()
    );
    // A /16 or /32 of public space, and wide private ranges, are accepted.
    Verifier::without_api_key()
        .trusted_proxies([
            "203.0.0.0/16",
            "2001:db8::/32",
            "10.0.0.0/8",
            "172.16.0.0/12",
        ])
        .unwrap();
    Verifier::without_api_key()
        .trusted_proxies(["fd00::/8", "fe80::/10", "100.64.0.0/10", "127.0.0.0/8"])
        .unwrap();
    Verifier::without_api_key()
        .allowlist(["52.76.0.0/16", "2600:1f00::/32"])
        .unwrap();
    // A private range widened past its bounds is public space again.
    for broad in ["10.0.0.0/7", "172.0.0.0/11", "fc00::/6"] {
        let err = Verifier::without_api_key()
            .trusted_proxies([broad])
            .unwrap_err();
        assert!(
            err.to_string().contains("large part of the internet"),
            "{err}"
        );
        Verifier::without_api_key()
            .allow_broad_ranges()
            .trusted_proxies([broad])
            .unwrap();
    }
    // Asked for by name: accepted (the API key remains).
    let open = Verifier::new("Key4Xoxoday2024")
        .unwrap()
        .allow_broad_ranges()
        .allowlist(["0.0.0.0/0"])
        .unwrap();
    let key = [("x-api-key", "Key4Xoxoday2024")];
    open.verify(&Request::new(&key, b"{}").peer(ip("203.0.113.9")))
        .unwrap();
    // The opt-in covers `allow` too, and never an overlap of proxies and sources.
    Verifier::without_api_key()
        .allow_broad_ranges()
        .allow("0.0.0.0/0".parse::<IpNet>().unwrap())
        .unwrap();
    let err = Verifier::without_api_key()
        .allow_broad_ranges()
        .trusted_proxies(["0.0.0.0/0"])
        .unwrap_err();
    assert!(err.to_string().contains("overlaps"), "{err}");
    // A proxy range holding Xoxoday's address, in either order of configuration.
    let err = Verifier::without_api_key()
        .trusted_proxies(["52.76.120.0/24"])
        .unwrap_err();
    assert!(err.to_string().contains("overlaps"), "{err}");
    let proxied = Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8"])
        .unwrap();
    assert!(proxied.clone().allowlist(["10.9.9.9"]).is_err());
    assert!(proxied.allow(ip("10.9.9.9")).is_err());
    // Private and documentation ranges are fine.
    Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"])
        .unwrap();
}

/// A key configured with surrounding whitespace can never match a (trimmed) header: refused.
#[test]
fn keys_with_surrounding_whitespace_are_refused() {
    let err = Verifier::new(" Key4Xoxoday2024\n").unwrap_err();
    assert!(
        matches!(
            err.kind(),
            delivery_webhooks::ConfigErrorKind::InvalidSecret
        ),
        "{err:?}"
    );
    assert_eq!(Error::from(err.clone()).status_code(), 500);
    assert!(
        matches!(Verifier::new(" \t "), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret)
    );
}
