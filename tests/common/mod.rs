//! Shared by the cross-provider tests: every provider's parser and fixtures.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::Path;

use delivery_webhooks::Error;

/// A provider's parser reduced to "parse, then serialize back to the provider's JSON".
///
/// The result is the serialized bytes rather than a `serde_json::Value`: a `Value` number holds
/// at most 64 bits, and Xoxoday ids go up to `u128` (`to_value` refuses them), so bytes are the
/// only honest common form. A round trip holds when parsing these bytes gives the same bytes.
pub type Parse = fn(&[u8]) -> Result<Vec<u8>, Error>;

/// Serializes a parsed value; serializing a parsed payload never fails.
fn bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("a parsed payload serializes")
}

/// Every enabled provider's name and parser. Skladon appears once per way in: recognised by its
/// keys (`parse_any`) and as each entity kind.
#[allow(unused_mut)] // mutated once per enabled provider, never without one
pub fn providers() -> Vec<(&'static str, Parse)> {
    let mut out: Vec<(&'static str, Parse)> = Vec::new();
    #[cfg(feature = "wakilni")]
    out.push(("wakilni", |b| {
        delivery_webhooks::wakilni::parse(b).map(|e| bytes(&e))
    }));
    #[cfg(feature = "peddler")]
    out.push(("peddler", |b| {
        delivery_webhooks::peddler::parse(b).map(|e| bytes(&e))
    }));
    #[cfg(feature = "xoxoday")]
    out.push(("xoxoday", |b| {
        delivery_webhooks::xoxoday::parse(b).map(|e| bytes(&e))
    }));
    #[cfg(feature = "isendu")]
    out.push(("isendu", |b| {
        delivery_webhooks::isendu::parse(b).map(|e| bytes(&e))
    }));
    #[cfg(feature = "skladon")]
    {
        use delivery_webhooks::skladon::EntityKind;
        out.push(("skladon", |b| parse_any(b).map(|e| bytes(&e))));
        out.push(("skladon/order", |b| {
            parse_kind(EntityKind::Order, b).map(|e| bytes(&e))
        }));
        out.push(("skladon/product", |b| {
            parse_kind(EntityKind::Product, b).map(|e| bytes(&e))
        }));
        out.push(("skladon/receiving", |b| {
            parse_kind(EntityKind::Receiving, b).map(|e| bytes(&e))
        }));
        out.push(("skladon/return", |b| {
            parse_kind(EntityKind::Return, b).map(|e| bytes(&e))
        }));
        out.push(("skladon/stock_movement", |b| {
            parse_kind(EntityKind::StockMovement, b).map(|e| bytes(&e))
        }));
    }
    out
}

/// The bodies in `fixtures/<provider>/`, sorted by file name.
pub fn fixtures(provider: &str) -> Vec<Vec<u8>> {
    // `skladon/order` and the like read Skladon's fixtures too (those of another kind fail to
    // parse, which the mutation tests also want).
    let provider = provider.split('/').next().unwrap_or(provider);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Every fixture of every provider, with its parser.
pub fn corpus() -> Vec<(&'static str, Parse, Vec<u8>)> {
    providers()
        .into_iter()
        .flat_map(|(name, parse)| {
            fixtures(name)
                .into_iter()
                .map(move |body| (name, parse, body))
        })
        .collect()
}

/// Asserts that a parse error is a payload error naming a path and what was wrong.
pub fn check_error(err: &Error) {
    match err {
        Error::Payload(p) => {
            assert!(!p.path().is_empty(), "error without a path: {p}");
            assert!(!p.message().is_empty(), "error without a message: {p}");
        }
        other => panic!("parse returned a non-payload error: {other:?}"),
    }
}

/// A property test's case count: `default`, or `PROPTEST_CASES` when set, so that one run with a
/// large count (`PROPTEST_CASES=20000 cargo test`) shakes out every strategy, including those
/// that set their own count.
#[allow(dead_code)] // not every test file runs property tests
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `skladon::parse` (the one public entry) for an entity of `kind`: with the first webhook type
/// of that kind.
#[cfg(feature = "skladon")]
pub fn parse_kind(
    kind: delivery_webhooks::skladon::EntityKind,
    body: &[u8],
) -> Result<delivery_webhooks::skladon::Entity, Error> {
    use delivery_webhooks::skladon::{self, WebhookType};
    let webhook_type = WebhookType::ALL
        .iter()
        .find(|t| t.entity() == Some(kind))
        .expect("every entity kind has a webhook type");
    skladon::parse(webhook_type, body)
}

/// `skladon::parse` for a webhook type this crate does not know: the entity recognised by its
/// keys.
#[cfg(feature = "skladon")]
pub fn parse_any(body: &[u8]) -> Result<delivery_webhooks::skladon::Entity, Error> {
    use delivery_webhooks::skladon::{self, WebhookType};
    skladon::parse(&WebhookType::from("A_TYPE_NOT_KNOWN_HERE"), body)
}
