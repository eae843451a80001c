//! Hostile input: every provider's parser gives a clear error or a correct result, never a panic,
//! for bodies built to hurt. (Cost linear in size is measured by `benches/`, not timed here.)

mod common;

use common::{check_error, providers};
use delivery_webhooks::{Error, Headers};

/// Parses `body` with every provider, asserting no panic and a well-formed error if any.
fn each_provider(body: &[u8]) -> Vec<(&'static str, Result<serde_json::Value, Error>)> {
    providers()
        .into_iter()
        .map(|(name, parse)| {
            let result = parse(body);
            if let Err(err) = &result {
                check_error(err);
            }
            (name, result)
        })
        .collect()
}

#[test]
fn ten_thousand_levels_of_nesting() {
    for open in ["[", "{\"a\":"] {
        let close = if open == "[" { "]" } else { "}" };
        let body = format!("{}1{}", open.repeat(10_000), close.repeat(10_000));
        for (name, result) in each_provider(body.as_bytes()) {
            // A clear error: the recursion limit, or (where the nesting sits in an ignored field,
            // which serde_json skips without recursing) the fields that are then missing.
            let Err(Error::Payload(p)) = result else {
                panic!("{name}: accepted")
            };
            assert!(
                ["recursion limit", "invalid type", "missing field"]
                    .iter()
                    .any(|m| p.message().contains(m)),
                "{name}: {p}"
            );
        }
    }
}

#[test]
fn invalid_utf8_inside_a_string() {
    let body = b"{\"event_id\":\"\xff\xfe\",\"event\":\"x\"}";
    for (name, result) in each_provider(body) {
        let Err(Error::Payload(p)) = result else {
            panic!("{name}: accepted")
        };
        assert!(
            ["unicode", "UTF-8", "invalid type"]
                .iter()
                .any(|m| p.message().contains(m)),
            "{name}: {p}"
        );
    }
}

#[test]
fn numbers_with_four_hundred_digits() {
    let big = "9".repeat(400);
    let body = format!("{{\"id\":{big},\"order_id\":{big},\"code\":{big}}}");
    for (name, result) in each_provider(body.as_bytes()) {
        assert!(result.is_err(), "{name}: accepted a 400-digit id");
    }
}

#[test]
fn non_json_and_nan_like_values() {
    for body in [
        &b"NaN"[..],
        b"Infinity",
        b"-Infinity",
        b"{\"a\":NaN}",
        b"\"NaN\"",
        b"",
        b" ",
        b"\0",
    ] {
        for (name, result) in each_provider(body) {
            assert!(result.is_err(), "{name}: accepted {body:?}");
        }
    }
}

#[test]
fn headers_with_control_characters_and_non_ascii() {
    for value in [
        "abc\u{0}def",
        "abc\r\ndef",
        "abc\u{7f}",
        "sïgnature",
        "\u{1b}[31m",
    ] {
        let headers = [
            ("x-webhook-signature", value),
            ("x-webhook-shared-token", value),
            ("x-api-key", value),
        ];
        for name in ["x-webhook-signature", "x-webhook-shared-token", "x-api-key"] {
            assert!(
                matches!(
                    Headers::get(&headers, name),
                    Err(Error::InvalidHeader { .. })
                ),
                "{name} accepted {value:?}"
            );
        }
    }
}

#[cfg(feature = "wakilni")]
mod wakilni {
    use super::*;
    use delivery_webhooks::wakilni;

    fn created(extra: &str) -> String {
        format!(
            r#"{{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13",{extra}"data":{{"order_id":1,"waybill":"W","created_at":"2024-11-14 14:39:10"}}}}"#
        )
    }

    #[test]
    fn a_ten_mebibyte_body_is_verified_and_parsed() {
        let pad = "x".repeat(10 << 20);
        let body = created(&format!(r#""padding":"{pad}","#));
        let sig = wakilni::sign("s", body.as_bytes());
        let delivery = wakilni::Verifier::new("s")
            .unwrap()
            .receive(&[("x-webhook-signature", sig.as_str())], body.as_bytes())
            .unwrap();
        assert_eq!(delivery.event.data.order_id(), Some(1));
        // The same body over a smaller limit is refused before any work.
        let err = wakilni::Verifier::new("s")
            .unwrap()
            .max_body_size(1 << 20)
            .receive(&[("x-webhook-signature", sig.as_str())], body.as_bytes())
            .unwrap_err();
        assert!(matches!(
            err,
            Error::BodyTooLarge {
                limit: 1_048_576,
                ..
            }
        ));
    }

    #[test]
    fn a_hundred_thousand_element_array_in_an_unknown_field() {
        let items = vec!["1"; 100_000].join(",");
        let body = created(&format!(r#""extra":[{items}],"#));
        let event = wakilni::parse(body.as_bytes()).unwrap();
        assert_eq!(event.data.order_id(), Some(1));
        // ... and in an unknown event's data, which is kept.
        let body = format!(
            r#"{{"event_id":"e1","event":"Bulk","timestamp":"2024-11-14 14:39:13","data":[{items}]}}"#
        );
        let wakilni::EventData::Unknown { data, .. } =
            wakilni::parse(body.as_bytes()).unwrap().data
        else {
            panic!()
        };
        assert_eq!(data.as_array().map(Vec::len), Some(100_000));
    }

    #[test]
    fn duplicate_keys_are_refused_where_they_matter() {
        let body = r#"{"event_id":"e1","event_id":"e2","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":1,"waybill":"W","created_at":"2024-11-14 14:39:10"}}"#;
        let Err(Error::Payload(p)) = wakilni::parse(body.as_bytes()) else {
            panic!()
        };
        assert!(p.message().contains("duplicate field `event_id`"), "{p}");
        let body = r#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":1,"order_id":2,"waybill":"W","created_at":"2024-11-14 14:39:10"}}"#;
        let Err(Error::Payload(p)) = wakilni::parse(body.as_bytes()) else {
            panic!()
        };
        assert!(p.message().contains("duplicate field `order_id`"), "{p}");
        assert_eq!(p.path(), "data");
    }

    #[test]
    fn nan_like_strings_as_ids() {
        for id in ["NaN", "Infinity", "1e3", "0x10", " ", "١٢٣"] {
            let body = format!(
                r#"{{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{{"order_id":"{id}","waybill":"W","created_at":"2024-11-14 14:39:10"}}}}"#
            );
            let Err(Error::Payload(p)) = wakilni::parse(body.as_bytes()) else {
                panic!("{id} accepted")
            };
            assert_eq!(p.path(), "data.order_id", "{id}");
        }
    }
}
