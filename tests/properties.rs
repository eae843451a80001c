//! Property tests: no input makes a parser panic, every error names a path, generated payloads
//! round-trip, and signatures hold exactly for the right secret and bytes.
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
#![cfg(any(
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

mod common;

use common::{check_error, corpus, providers};
use delivery_webhooks::{Error, Request};
use proptest::prelude::*;
use serde_json::Value;
#[cfg(any(feature = "peddler", feature = "xoxoday", feature = "skladon"))]
use shaped::{round_trip, shaped_like};

/// Every location in a JSON document: object keys and array indexes from the root.
fn locations(value: &Value, here: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let mut p = here.clone();
                p.push(Value::String(k.clone()));
                out.push(p.clone());
                locations(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = here.clone();
                p.push(Value::from(i));
                out.push(p.clone());
                locations(v, p, out);
            }
        }
        _ => {}
    }
}

/// Applies `edit` to the value at `path`, or removes it when `edit` is `None`.
fn mutate(root: &mut Value, path: &[Value], edit: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for step in parents {
        node = match step {
            Value::String(k) => &mut node[k.as_str()],
            Value::Number(i) => &mut node[i.as_u64().unwrap() as usize],
            _ => unreachable!(),
        };
    }
    match (node, last, edit) {
        (Value::Object(map), Value::String(k), None) => {
            map.remove(k);
        }
        (Value::Object(map), Value::String(k), Some(v)) => {
            map.insert(k.clone(), v);
        }
        (Value::Array(items), Value::Number(i), None) => {
            items.remove(i.as_u64().unwrap() as usize);
        }
        (Value::Array(items), Value::Number(i), Some(v)) => {
            items[i.as_u64().unwrap() as usize] = v;
        }
        _ => {}
    }
}

fn any_json_scalar_or_container() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        Just(Value::Array(vec![])),
        Just(serde_json::json!({"unexpected": [1, "two", null]})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for (_, parse) in providers() {
            if let Err(err) = parse(&bytes) {
                check_error(&err);
            }
        }
    }

    #[test]
    fn flipped_bytes_never_panic(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let corpus = corpus();
        let (_, parse, body) = &corpus[pick.index(corpus.len())];
        let mut body = body.clone();
        let i = at.index(body.len());
        body[i] = byte;
        if let Err(err) = parse(&body) {
            check_error(&err);
        }
    }

    #[test]
    fn removed_or_retyped_fields_never_panic(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        replacement in proptest::option::of(any_json_scalar_or_container()),
    ) {
        let corpus = corpus();
        let (name, parse, body) = &corpus[pick.index(corpus.len())];
        let mut doc: Value = serde_json::from_slice(body).unwrap();
        let mut paths = Vec::new();
        locations(&doc, Vec::new(), &mut paths);
        prop_assume!(!paths.is_empty());
        let path = &paths[at.index(paths.len())];
        mutate(&mut doc, path, replacement);
        let bytes = serde_json::to_vec(&doc).unwrap();
        match parse(&bytes) {
            // Whatever parses must round-trip.
            Ok(out) => {
                let again = parse(&out);
                prop_assert!(
                    again.as_ref().is_ok_and(|a| *a == out),
                    "{} {:?}: {:?}\n{}",
                    name,
                    path,
                    again.map(String::from_utf8),
                    String::from_utf8_lossy(&out)
                );
            }
            Err(err) => check_error(&err),
        }
    }
}

#[cfg(feature = "wakilni")]
mod wakilni {
    use super::*;
    use delivery_webhooks::wakilni;

    /// Secrets the verifier accepts: not empty, not only whitespace (Unicode whitespace for
    /// text). The refusal of the others is asserted in `blank_secrets_are_refused`.
    fn secret(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), len).prop_filter("blank secrets are refused", |s| {
            match std::str::from_utf8(s) {
                Ok(text) => !text.trim().is_empty(),
                Err(_) => !s.trim_ascii().is_empty(),
            }
        })
    }

    #[test]
    fn blank_secrets_are_refused() {
        for blank in ["", " ", "\t\r\n", "\u{3000}", "\u{a0} "] {
            assert!(
                matches!(wakilni::Verifier::new(blank), Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret),
                "{blank:?}"
            );
        }
    }

    fn datetime() -> impl Strategy<Value = String> {
        (
            2000u32..2100,
            1u32..=12,
            1u32..=28,
            0u32..24,
            0u32..60,
            0u32..60,
        )
            .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
    }

    fn status() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(wakilni::Status::ALL.to_vec()).prop_map(|s| s.to_string()),
            "[A-Za-z ]{1,20}",
        ]
    }

    fn event() -> impl Strategy<Value = Value> {
        let names: Vec<String> = wakilni::EventType::ALL
            .iter()
            .map(ToString::to_string)
            .collect();
        (
            prop_oneof![3 => prop::sample::select(names), 1 => "[A-Z][a-z]{2,10} [A-Z][a-z]{2,10}"],
            "[0-9a-f-]{1,36}",
            datetime(),
            any::<u64>(),
            "[A-Za-z0-9]{1,12}",
            datetime(),
            (any::<u32>(), status(), proptest::option::of((any::<u32>(), status()))),
            proptest::option::of(".{0,16}"),
            proptest::option::of("\\+961[0-9]{8}"),
        )
            .prop_map(|(event, id, ts, order_id, waybill, at, (code, new, prev), name, phone)| {
                let mut data = serde_json::json!({"order_id": order_id, "waybill": waybill});
                let d = data.as_object_mut().unwrap();
                match wakilni::EventType::from(event.as_str()) {
                    wakilni::EventType::OrderCreated => {
                        d.insert("created_at".into(), at.into());
                    }
                    wakilni::EventType::OrderAssigned => {
                        d.insert("updated_at".into(), at.into());
                        d.insert("driver_name".into(), name.into());
                        d.insert("driver_phone".into(), phone.into());
                    }
                    wakilni::EventType::OrderReadyForSelfPickup => {
                        d.insert("location".into(), serde_json::json!([{"office_name": name, "phone_number": phone}]));
                    }
                    wakilni::EventType::Other(_) => {
                        d.insert("anything".into(), serde_json::json!({"nested": [name, phone]}));
                    }
                    _ => {
                        d.insert("updated_at".into(), at.into());
                        d.insert("new_status_code".into(), code.into());
                        d.insert("new_status".into(), new.into());
                        if let Some((pc, ps)) = prev {
                            d.insert("previous_status_code".into(), pc.to_string().into());
                            d.insert("previous_status".into(), ps.into());
                        }
                    }
                }
                serde_json::json!({"event_id": id, "event": event, "timestamp": ts, "data": data})
            })
    }

    proptest! {
        #[test]
        fn generated_events_round_trip(doc in event()) {
            let event = wakilni::parse(&serde_json::to_vec(&doc).unwrap()).unwrap();
            let again = wakilni::parse(&serde_json::to_vec(&event).unwrap()).unwrap();
            prop_assert_eq!(again, event);
        }

        #[test]
        fn sign_then_verify(secret in secret(1..64), body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let v = wakilni::Verifier::new(&secret).unwrap();
            let sig = wakilni::sign(&secret, &body);
            prop_assert!(v.verify(&Request::new(&&[("x-webhook-signature", sig.as_str())], &body)).is_ok());
        }

        #[test]
        fn any_flipped_bit_is_rejected(
            secret in secret(1..64),
            body in proptest::collection::vec(any::<u8>(), 1..256),
            bit in any::<prop::sample::Index>(),
            in_signature in any::<bool>(),
        ) {
            use base64::Engine as _;
            let engine = base64::engine::general_purpose::STANDARD;
            let v = wakilni::Verifier::new(&secret).unwrap();
            let mut raw = engine.decode(wakilni::sign(&secret, &body)).unwrap();
            let mut body = body;
            if in_signature {
                let i = bit.index(raw.len() * 8);
                raw[i / 8] ^= 1 << (i % 8);
            } else {
                let i = bit.index(body.len() * 8);
                body[i / 8] ^= 1 << (i % 8);
            }
            let sig = engine.encode(&raw);
            prop_assert!(matches!(v.verify(&Request::new(&&[("x-webhook-signature", sig.as_str())], &body)), Err(Error::SignatureMismatch)));
        }

        #[test]
        fn a_signature_for_one_secret_fails_under_another(
            a in proptest::collection::vec(any::<u8>(), 1..48),
            b in secret(1..48),
            body in proptest::collection::vec(any::<u8>(), 0..128),
        ) {
            prop_assume!(a != b);
            let sig = wakilni::sign(&a, &body);
            let v = wakilni::Verifier::new(&b).unwrap();
            prop_assert!(v.verify(&Request::new(&&[("x-webhook-signature", sig.as_str())], &body)).is_err());
        }
    }
}

/// Payloads generated in the shape of the fixtures: every leaf value replaced by a random one of
/// the same kind (numbers by numbers, digit strings by digit strings, free text by any text,
/// arrays shortened or lengthened), dates and enum-like values kept or replaced by unknown ones.
/// Each generated payload must parse and then round-trip to an equal typed value.
#[cfg(any(feature = "peddler", feature = "xoxoday", feature = "skladon"))]
mod shaped {
    use super::*;
    use proptest::strategy::{BoxedStrategy, Union};
    use std::fmt::Debug;

    /// Whether a string is a date or time, which the providers parse strictly: kept as is.
    fn is_date(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
    }

    fn is_decimal(s: &str) -> bool {
        !s.is_empty()
            && s.contains('.')
            && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && s.parse::<f64>().is_ok()
    }

    /// Keys whose values the providers read as enums: a random value would still parse (kept
    /// verbatim as unknown), but the known value must stay common enough to reach its variant.
    fn enum_like(key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        k.contains("status") || k.contains("type") || k == "event" || k.contains("state")
    }

    fn leaf(key: &str, v: &Value) -> BoxedStrategy<Value> {
        match v {
            Value::Null => Just(Value::Null).boxed(),
            Value::Array(items) if items.is_empty() => Just(v.clone()).boxed(),
            Value::Bool(_) => any::<bool>().prop_map(Value::Bool).boxed(),
            // Small numbers stay small (priorities, counts), big ones may be anything.
            Value::Number(n) if n.as_u64().is_some_and(|n| n < 256) => {
                any::<u8>().prop_map(Value::from).boxed()
            }
            Value::Number(n) if n.is_u64() => any::<u32>().prop_map(Value::from).boxed(),
            Value::Number(n) if n.is_i64() => any::<i32>().prop_map(Value::from).boxed(),
            // An integer beyond `u64` (a Xoxoday id) reads into a `Value` as a float.
            Value::Number(n) if n.as_f64().is_some_and(|f| f >= 1e19 && f.fract() == 0.0) => {
                any::<u64>().prop_map(Value::from).boxed()
            }
            Value::Number(n) => {
                // Coordinates and amounts: scaled within their original magnitude.
                let f = n.as_f64().unwrap_or(0.0);
                (0.0..1.0f64).prop_map(move |k| Value::from(f * k)).boxed()
            }
            // Dates are parsed strictly; an empty string often means "none" (and a random one
            // in its place would be a malformed date).
            Value::String(s) if s.is_empty() || is_date(s) => Just(v.clone()).boxed(),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                any::<u32>()
                    .prop_map(|n| Value::String(n.to_string()))
                    .boxed()
            }
            Value::String(s) if is_decimal(s) => {
                // Coordinates and amounts in strings: scaled within their magnitude too.
                let f = s.parse::<f64>().unwrap_or(0.0);
                (0.0..1.0f64)
                    .prop_map(move |k| Value::String(format!("{:.2}", f * k)))
                    .boxed()
            }
            Value::String(s) if enum_like(key) => {
                prop_oneof![3 => Just(s.clone()), 1 => "[A-Za-z_ ]{1,16}"]
                    .prop_map(Value::String)
                    .boxed()
            }
            Value::String(_) => "\\PC{0,16}".prop_map(Value::String).boxed(),
            _ => shaped(key, v),
        }
    }

    fn shaped(key: &str, v: &Value) -> BoxedStrategy<Value> {
        match v {
            Value::Array(items) if !items.is_empty() => {
                let elems: Vec<_> = items.iter().map(|i| leaf(key, i)).collect();
                let first = leaf(key, &items[0]);
                // The elements, then: all of them, one less, or one more.
                (elems, 0..3u8, first)
                    .prop_map(|(mut items, how, extra)| {
                        match how {
                            0 => {}
                            1 => {
                                items.pop();
                            }
                            _ => items.push(extra),
                        }
                        Value::Array(items)
                    })
                    .boxed()
            }
            Value::Object(map) => {
                let fields: Vec<_> = map
                    .iter()
                    .map(|(k, v)| {
                        let k = k.clone();
                        leaf(&k, v).prop_map(move |v| (k.clone(), v))
                    })
                    .collect();
                fields
                    .prop_map(|kv| Value::Object(kv.into_iter().collect()))
                    .boxed()
            }
            other => leaf(key, other),
        }
    }

    /// Documents in the shape of one of `templates`.
    pub(super) fn shaped_like(templates: &[Vec<u8>]) -> impl Strategy<Value = Value> {
        Union::new(
            templates
                .iter()
                .map(|t| shaped("", &serde_json::from_slice(t).unwrap())),
        )
    }

    /// `doc` parses, and serializing then parsing gives an equal value.
    pub(super) fn round_trip<T: serde::Serialize + PartialEq + Debug>(
        parse: impl Fn(&[u8]) -> Result<T, Error>,
        doc: &Value,
    ) -> Result<(), TestCaseError> {
        let bytes = serde_json::to_vec(doc).unwrap();
        let parsed = parse(&bytes);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed.err(), doc);
        let parsed = parsed.unwrap();
        let again = parse(&serde_json::to_vec(&parsed).unwrap());
        prop_assert_eq!(again.ok(), Some(parsed));
        Ok(())
    }
}

/// `token` with one bit flipped (the result read as UTF-8, lossily: still a different string).
#[allow(dead_code)] // not every feature set has a token
fn flip(token: &str, bit: prop::sample::Index) -> String {
    let mut raw = token.as_bytes().to_vec();
    let i = bit.index(raw.len() * 8);
    raw[i / 8] ^= 1 << (i % 8);
    String::from_utf8_lossy(&raw).into_owned()
}

#[cfg(feature = "peddler")]
mod peddler {
    use super::*;
    use delivery_webhooks::peddler;

    /// Visible ASCII, as a header value can carry.
    const TOKEN: &str = "[!-~]{1,48}";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(common::cases(128)))]

        #[test]
        fn generated_updates_round_trip(doc in shaped_like(&common::fixtures("peddler"))) {
            round_trip(peddler::parse, &doc)?;
        }

        #[test]
        fn the_right_token_passes_and_any_flipped_bit_fails(token in TOKEN, bit in any::<prop::sample::Index>()) {
            let v = peddler::Verifier::new(&token).unwrap();
            prop_assert!(v.verify(&Request::new(&&[(peddler::TOKEN_HEADER, token.as_str())], b"")).is_ok());
            let flipped = flip(&token, bit);
            prop_assert!(v.verify(&Request::new(&&[(peddler::TOKEN_HEADER, flipped.as_str())], b"")).is_err(), "{:?}", flipped);
        }

        #[test]
        fn one_token_fails_under_another(a in TOKEN, b in TOKEN) {
            prop_assume!(a != b);
            let v = peddler::Verifier::new(&b).unwrap();
            prop_assert!(matches!(v.verify(&Request::new(&&[(peddler::TOKEN_HEADER, a.as_str())], b"")), Err(Error::TokenMismatch)));
        }
    }
}

#[cfg(feature = "xoxoday")]
mod xoxoday {
    use super::*;
    use delivery_webhooks::xoxoday::{self, CALLBACK_IP};

    const KEY: &str = "[A-Za-z0-9]{13,60}";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(common::cases(128)))]

        #[test]
        fn generated_updates_round_trip(doc in shaped_like(&common::fixtures("xoxoday"))) {
            round_trip(xoxoday::parse, &doc)?;
        }

        #[test]
        fn ids_up_to_u128_round_trip(id in any::<u128>(), quoted in any::<bool>()) {
            let id = if quoted { format!("\"{id}\"") } else { id.to_string() };
            let body = format!(
                r#"{{"id":{id},"data":{{"orderId":1,"orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"}},"createdAt":"2019-12-27 16:45:02"}}"#
            );
            let update = xoxoday::parse(body.as_bytes()).unwrap();
            prop_assert_eq!(update.id.get().to_string(), id.trim_matches('"'));
            let again = xoxoday::parse(&serde_json::to_vec(&update).unwrap()).unwrap();
            prop_assert_eq!(again, update);
        }

        #[test]
        fn the_right_key_passes_and_any_flipped_bit_fails(key in KEY, bit in any::<prop::sample::Index>()) {
            let v = xoxoday::Verifier::new(&key).unwrap();
            prop_assert!(v.verify(&Request::new(&&[(xoxoday::API_KEY_HEADER, key.as_str())], b"").peer(CALLBACK_IP)).is_ok());
            let flipped = flip(&key, bit);
            prop_assert!(v.verify(&Request::new(&&[(xoxoday::API_KEY_HEADER, flipped.as_str())], b"").peer(CALLBACK_IP)).is_err(), "{:?}", flipped);
        }

        #[test]
        fn one_key_fails_under_another(a in KEY, b in KEY) {
            prop_assume!(a != b);
            let v = xoxoday::Verifier::new(&b).unwrap();
            prop_assert!(matches!(v.verify(&Request::new(&&[(xoxoday::API_KEY_HEADER, a.as_str())], b"").peer(CALLBACK_IP)), Err(Error::TokenMismatch)));
        }
    }
}

#[cfg(feature = "isendu")]
mod isendu {
    //! Generated update batches round-trip in `tests/isendu.rs`
    //! (`property::generated_updates_round_trip`), next to the fold properties (any permutation,
    //! duplicates or batching of the same updates gives the same state). Here: the key id.
    use super::*;
    use delivery_webhooks::isendu::{self, VerificationRequest};

    /// Key ids and secret keys the verifier accepts: any printable text that is not blank (a
    /// blank one is refused at construction, see `blank_credentials_are_refused`).
    fn credential() -> impl Strategy<Value = String> {
        "\\PC{1,40}".prop_filter("blank credentials are refused", |s| !s.trim().is_empty())
    }

    #[test]
    fn blank_credentials_are_refused() {
        for blank in ["", " ", "\t", "\u{3000}"] {
            assert!(matches!(
                isendu::Verifier::without_url_token([(blank, "secret")]),
                Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
            ));
            assert!(matches!(
                isendu::Verifier::without_url_token([("key", blank)]),
                Err(e) if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret
            ));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(common::cases(128)))]

        #[test]
        fn the_right_key_id_is_answered_and_any_flipped_bit_is_not(
            key_id in credential(),
            secret in credential(),
            bit in any::<prop::sample::Index>(),
        ) {
            let v = isendu::Verifier::without_url_token([(&key_id, &secret)]).unwrap();
            let answer = v.answer(&VerificationRequest::new(key_id.clone())).unwrap();
            let parsed: Value = serde_json::from_str(&answer).unwrap();
            prop_assert_eq!(&parsed["response"], &Value::String(secret));
            let flipped = flip(&key_id, bit);
            prop_assert!(matches!(v.answer(&VerificationRequest::new(flipped)), Err(Error::TokenMismatch)));
        }

        #[test]
        fn one_key_id_is_not_answered_under_another(a in "\\PC{1,40}", b in credential()) {
            prop_assume!(a != b);
            let v = isendu::Verifier::without_url_token([(&b, "secret")]).unwrap();
            prop_assert!(matches!(v.answer(&VerificationRequest::new(a)), Err(Error::TokenMismatch)));
        }

        #[test]
        fn generated_messages_parse_from_their_serialization(key_id in "\\PC{1,40}") {
            let msg = isendu::Message::Verification(VerificationRequest::new(key_id));
            let bytes = serde_json::to_vec(&msg).unwrap();
            prop_assert_eq!(isendu::parse(&bytes).unwrap(), msg);
        }
    }
}

#[cfg(feature = "skladon")]
mod skladon {
    use super::*;
    use delivery_webhooks::skladon::EntityKind;

    /// Skladon's fixtures of one entity kind.
    fn fixtures_of(kind: EntityKind) -> Vec<Vec<u8>> {
        common::fixtures("skladon")
            .into_iter()
            .filter(|f| crate::common::parse_any(f).is_ok_and(|e| e.kind() == kind))
            .collect()
    }

    fn check(kind: EntityKind, doc: &Value) -> Result<(), TestCaseError> {
        round_trip(|b| crate::common::parse_kind(kind, b), doc)?;
        // Recognised by its keys as the same kind, too.
        let bytes = serde_json::to_vec(doc).unwrap();
        prop_assert_eq!(
            crate::common::parse_any(&bytes).map(|e| e.kind()).ok(),
            Some(kind)
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(common::cases(64)))]

        #[test]
        fn generated_orders_round_trip(doc in shaped_like(&fixtures_of(EntityKind::Order))) {
            check(EntityKind::Order, &doc)?;
        }

        #[test]
        fn generated_products_round_trip(doc in shaped_like(&fixtures_of(EntityKind::Product))) {
            check(EntityKind::Product, &doc)?;
        }

        #[test]
        fn generated_receivings_round_trip(doc in shaped_like(&fixtures_of(EntityKind::Receiving))) {
            check(EntityKind::Receiving, &doc)?;
        }

        #[test]
        fn generated_returns_round_trip(doc in shaped_like(&fixtures_of(EntityKind::Return))) {
            check(EntityKind::Return, &doc)?;
        }

        #[test]
        fn generated_stock_movements_round_trip(doc in shaped_like(&fixtures_of(EntityKind::StockMovement))) {
            check(EntityKind::StockMovement, &doc)?;
        }
    }
}

/// Tokens in the URL: isendu and Skladon (and any receiver) authenticate by them.
mod url_token {
    use super::*;
    use delivery_webhooks::UrlToken;

    /// Unreserved characters: the token needs no percent-encoding in a URL.
    const TOKEN: &str = "[A-Za-z0-9._~-]{16,48}";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(common::cases(128)))]

        #[test]
        fn query_token_right_passes_flipped_fails(token in TOKEN, bit in any::<prop::sample::Index>()) {
            let check = UrlToken::query("token", &token).unwrap();
            let right = format!("/hooks/x?a=1&token={token}");
            prop_assert!(check.verify(&right).is_ok());
            let wrong = format!("/hooks/x?a=1&token={}", flip(&token, bit));
            prop_assert!(check.verify(&wrong).is_err(), "{:?}", wrong);
        }

        #[test]
        fn path_token_right_passes_flipped_fails(token in TOKEN, bit in any::<prop::sample::Index>()) {
            let check = UrlToken::path_segment(&token).unwrap();
            let right = format!("https://me.example/hooks/{token}/skladon/42");
            prop_assert!(check.verify(&right).is_ok());
            let wrong = format!("https://me.example/hooks/{}/skladon/42", flip(&token, bit));
            prop_assert!(check.verify(&wrong).is_err(), "{:?}", wrong);
        }

        #[test]
        fn one_url_token_fails_under_another(a in TOKEN, b in TOKEN) {
            prop_assume!(a != b);
            let q = UrlToken::query("token", &b).unwrap();
            let url = format!("/h?token={a}");
            prop_assert!(matches!(q.verify(&url), Err(Error::TokenMismatch)));
            let p = UrlToken::path_segment(&b).unwrap();
            // The other segments hold `%20`, which no generated token contains once decoded, so
            // only the token's own segment can match.
            let url = format!("/h%20/{a}/x%20");
            prop_assert!(matches!(p.verify(&url), Err(Error::TokenMismatch)));
        }
    }
}
