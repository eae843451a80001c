//! Allocations counted, not timed (`allocation-counter` installs a counting global allocator,
//! per thread, so tests running in parallel do not disturb each other):
//! - verifying performs no allocation at all, for every provider's check;
//! - parsing leaves behind exactly the allocations of its result (as many as a deep copy of the
//!   result makes: its owned strings and collections), and makes at most `SCRATCH` temporary
//!   ones: serde_json's scratch buffer, used once per parse for strings with escapes and for
//!   skipping nested values of unknown fields.
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

#[allow(unused_imports)]
use delivery_webhooks::Request;
#[cfg(feature = "xoxoday")]
use std::net::{IpAddr, Ipv4Addr};

/// Runs `f`; returns its result, the allocations made, and those still alive at the end.
fn count<T>(f: impl FnOnce() -> T) -> (T, u64, i64) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (
        out.expect("closure ran"),
        info.count_total,
        info.count_current,
    )
}

/// serde_json's scratch buffer: allocated at most once per parse, and grown at most once for the
/// fixtures' short escaped strings.
const SCRATCH: u64 = 2;

#[test]
fn the_counter_is_active() {
    // A zero-allocation assertion must not pass because nothing is counted.
    let (_, made, alive) = count(|| std::hint::black_box(String::from("x")));
    assert_eq!((made, alive), (1, 1));
}

/// Checks the parse budget of every fixture of `provider`; `extra` are temporaries the provider
/// documents (see the call).
fn parse_budget<T: Clone>(provider: &str, extra: u64, parse: impl Fn(&str, &[u8]) -> T) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let body = std::fs::read(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (result, made, alive) = count(|| parse(&name, &body));
        let (_, copy, _) = count(|| result.clone());
        assert_eq!(
            alive, copy as i64,
            "{provider}/{name}: the result keeps {alive} allocations, a copy {copy}"
        );
        assert!(
            made <= copy + SCRATCH + extra,
            "{provider}/{name}: parse made {made} allocations for a result of {copy}"
        );
    }
}

#[cfg(feature = "wakilni")]
#[test]
fn wakilni() {
    use delivery_webhooks::wakilni;
    parse_budget("wakilni", 0, |_, b| wakilni::parse(b).unwrap());
    // Exactly the result's strings: event_id and waybill, statuses known.
    let body = include_bytes!("../fixtures/wakilni/order_confirmed.json");
    assert_eq!(count(|| wakilni::parse(body).unwrap()).1, 2);

    let verifier = wakilni::Verifier::with_secrets(["old", "new"]).unwrap();
    let body = include_bytes!("../fixtures/wakilni/order_assigned.json");
    let sig = wakilni::sign("new", body);
    let headers = [
        ("content-type", "application/json"),
        ("x-webhook-signature", sig.as_str()),
    ];
    let owned: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let request = Request::new(&headers, body);
    assert_eq!(count(|| verifier.verify(&request).unwrap()).1, 0);
    assert_eq!(
        count(|| verifier.verify(&Request::new(&owned, body)).unwrap()).1,
        0
    );
    // A rejection does not allocate either.
    let tampered = Request::new(&headers, b"{}");
    assert_eq!(count(|| verifier.verify(&tampered).unwrap_err()).1, 0);
}

#[cfg(feature = "peddler")]
#[test]
fn peddler() {
    use delivery_webhooks::peddler;
    parse_budget("peddler", 0, |_, b| peddler::parse(b).unwrap());
    let verifier = peddler::Verifier::with_secrets(["old-token", "new-token"]).unwrap();
    let headers = [
        ("content-type", "application/json"),
        ("X-Webhook-Shared-Token", "new-token"),
    ];
    let body = include_bytes!("../fixtures/peddler/failed_attempt.json");
    let genuine = Request::new(&headers, body);
    assert_eq!(count(|| verifier.verify(&genuine).unwrap()).1, 0);
    let guess = [("x-webhook-shared-token", "guess")];
    let forged = Request::new(&guess, body);
    assert_eq!(count(|| verifier.verify(&forged).unwrap_err()).1, 0);
}

#[cfg(feature = "xoxoday")]
#[test]
fn xoxoday() {
    use delivery_webhooks::xoxoday;
    // +1: the webhook id is read from its raw JSON text (the only exact way to read a 20-digit
    // integer that may also come as a string), a buffer dropped once the digits are read.
    parse_budget("xoxoday", 1, |_, b| xoxoday::parse(b).unwrap());
    let xoxoday_ip = IpAddr::V4(Ipv4Addr::new(52, 76, 120, 90));
    let proxy = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));
    let direct =
        xoxoday::Verifier::with_secrets(["k3yForXoxoday2024", "0ldKeyForXoxoday"]).unwrap();
    let key = [("x-api-key", "k3yForXoxoday2024")];
    let body = include_bytes!("../fixtures/xoxoday/delivered.json");
    let genuine = Request::new(&key, body).peer(xoxoday_ip);
    assert_eq!(count(|| direct.verify(&genuine).unwrap()).1, 0);
    let elsewhere = Request::new(&key, body).peer(proxy);
    assert_eq!(count(|| direct.verify(&elsewhere).unwrap_err()).1, 0);
    let proxied = xoxoday::Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8"])
        .unwrap();
    let xff = [("X-Forwarded-For", "203.0.113.9, 52.76.120.90, 10.0.0.3")];
    let forwarded_xff = Request::new(&xff, body).peer(proxy);
    assert_eq!(count(|| proxied.verify(&forwarded_xff).unwrap()).1, 0);
    let forwarded = [(
        "Forwarded",
        "for=52.76.120.90;proto=https, for=\"[2001:db8::1]:443\"",
    )];
    let proxied = xoxoday::Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8", "2001:db8::/32"])
        .unwrap();
    let request = Request::new(&forwarded, body).peer(proxy);
    assert_eq!(count(|| proxied.verify(&request).unwrap()).1, 0);
}

#[cfg(feature = "isendu")]
#[test]
fn isendu() {
    use delivery_webhooks::{UrlToken, isendu};
    // Decimals and dates are read from the body's text: nothing beyond the result's strings,
    // an empty decimal string (`"total": ""`, read as absent) included.
    parse_budget("isendu", 0, |_, b| isendu::parse(b).unwrap());
    let verifier = isendu::Verifier::new(
        "key-id",
        "secret",
        UrlToken::query("token", "url-secret-5f1c9a7e").unwrap(),
    )
    .unwrap();
    let body = include_bytes!("../fixtures/isendu/update_batch.json");
    let none: [(&str, &str); 0] = [];
    let genuine = Request::new(&none, body).uri("/hooks/isendu?token=url-secret-5f1c9a7e");
    assert_eq!(count(|| verifier.verify(&genuine).unwrap()).1, 0);
    let forged = Request::new(&none, body).uri("/hooks/isendu?token=guess");
    assert_eq!(count(|| verifier.verify(&forged).unwrap_err()).1, 0);
}

#[cfg(feature = "skladon")]
#[test]
fn skladon() {
    use delivery_webhooks::skladon;
    use skladon::{EntityKind, WebhookType};
    // The one entry, `skladon::parse`, with a webhook type of the fixture's kind (built before
    // counting: the type is the caller's, not the parser's).
    let type_of = |name: &str| {
        let kind = match name.split('_').next().unwrap() {
            "order" => EntityKind::Order,
            "product" => EntityKind::Product,
            "receiving" => EntityKind::Receiving,
            "return" => EntityKind::Return,
            _ => EntityKind::StockMovement,
        };
        WebhookType::ALL
            .iter()
            .find(|t| t.entity() == Some(kind))
            .unwrap()
    };
    // An unknown type's unknown entity is kept as its raw text: one allocation.
    let unknown = |name: &str, b: &[u8]| {
        name.starts_with("unknown")
            .then(|| serde_json::from_slice::<delivery_webhooks::RawJson>(b).unwrap())
    };
    parse_budget("skladon", 0, |name, b| match unknown(name, b) {
        Some(raw) => Err(raw),
        None => Ok(skladon::parse(type_of(name), b).unwrap()),
    });
    // For a type this crate does not know, the entity is recognised by its keys: the fallback
    // skips every value once to find them, serde_json's scratch again.
    let unknown_type = WebhookType::from("A_TYPE_NOT_KNOWN_HERE");
    parse_budget("skladon", 0, |name, b| match unknown(name, b) {
        Some(raw) => Err(raw),
        None => Ok(skladon::parse(&unknown_type, b).unwrap()),
    });
    let verifier = skladon::Verifier::new("seg-secret-5f1c9a7e").unwrap();
    let body = include_bytes!("../fixtures/skladon/receiving.json");
    let none: [(&str, &str); 0] = [];
    let genuine = Request::new(&none, body)
        .uri("/webhooks/skladon/seg-secret-5f1c9a7e/UPDATE_RECEIVING_STATUS");
    assert_eq!(count(|| verifier.verify(&genuine).unwrap()).1, 0);
    let forged = Request::new(&none, body).uri("/webhooks/skladon/guess/UPDATE_RECEIVING_STATUS");
    assert_eq!(count(|| verifier.verify(&forged).unwrap_err()).1, 0);
}
