//! Property tests: no input makes a parser panic, every error names a path, generated payloads
//! round-trip, and signatures hold exactly for the right secret and bytes.

mod common;

use common::{check_error, corpus, providers};
use delivery_webhooks::Error;
use proptest::prelude::*;
use serde_json::Value;

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
            Ok(value) => {
                let again = parse(&serde_json::to_vec(&value).unwrap());
                prop_assert_eq!(again.ok(), Some(value), "{} {:?}", name, path);
            }
            Err(err) => check_error(&err),
        }
    }
}

#[cfg(feature = "wakilni")]
mod wakilni {
    use super::*;
    use delivery_webhooks::wakilni;

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
        fn sign_then_verify(secret in proptest::collection::vec(any::<u8>(), 1..64), body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let v = wakilni::Verifier::new(&secret).unwrap();
            let sig = wakilni::sign(&secret, &body);
            prop_assert!(v.verify(&[("x-webhook-signature", sig.as_str())], &body).is_ok());
        }

        #[test]
        fn any_flipped_bit_is_rejected(
            secret in proptest::collection::vec(any::<u8>(), 1..64),
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
            prop_assert!(matches!(v.verify(&[("x-webhook-signature", sig.as_str())], &body), Err(Error::SignatureMismatch)));
        }

        #[test]
        fn a_signature_for_one_secret_fails_under_another(
            a in proptest::collection::vec(any::<u8>(), 1..48),
            b in proptest::collection::vec(any::<u8>(), 1..48),
            body in proptest::collection::vec(any::<u8>(), 0..128),
        ) {
            prop_assume!(a != b);
            let sig = wakilni::sign(&a, &body);
            let v = wakilni::Verifier::new(&b).unwrap();
            prop_assert!(v.verify(&[("x-webhook-signature", sig.as_str())], &body).is_err());
        }
    }
}
