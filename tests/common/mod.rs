//! Shared by the cross-provider tests: every provider's parser and fixtures.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::Path;

use delivery_webhooks::Error;
use serde_json::Value;

/// A provider's parser reduced to "parse, then serialize back to JSON".
pub type Parse = fn(&[u8]) -> Result<Value, Error>;

/// Every enabled provider's name and parser.
pub fn providers() -> Vec<(&'static str, Parse)> {
    let mut out: Vec<(&'static str, Parse)> = Vec::new();
    #[cfg(feature = "wakilni")]
    out.push(("wakilni", |b| {
        delivery_webhooks::wakilni::parse(b).map(|e| serde_json::to_value(e).unwrap())
    }));
    out
}

/// The bodies in `fixtures/<provider>/`, sorted by file name.
pub fn fixtures(provider: &str) -> Vec<Vec<u8>> {
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
