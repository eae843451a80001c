//! Skladon GET webhook URLs: `entity_id_from_url` over two arbitrary strings never panics, and
//! an id appended (percent-encoded) to a registered URL is recovered exactly.
#![no_main]

use delivery_webhooks::skladon::entity_id_from_url;
use libfuzzer_sys::fuzz_target;

/// Percent-encodes everything but unreserved characters, as a client building the URL would.
fn encode(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fuzz_target!(|input: (String, String, String, Option<String>)| {
    let (registered, requested, id, host) = input;
    let _ = entity_id_from_url(&registered, &requested);

    // The property, over registered URLs an integrator could register: a path (no query or
    // fragment, which would swallow the appended segment; no `://`; no surrounding whitespace),
    // optionally behind `https://<host>`.
    let path = registered;
    if !path.starts_with('/')
        || path.contains(['?', '#'])
        || path.contains("://")
        || path.trim() != path
        || id.is_empty()
    {
        return;
    }
    let registered = match host {
        Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b)) => {
            format!("https://{h}{path}")
        }
        _ => path,
    };
    let requested = format!("{}/{}", registered.trim_end_matches('/'), encode(&id));
    match entity_id_from_url(&registered, &requested) {
        Ok(got) => assert_eq!(got.as_str(), id, "{registered:?} {requested:?}"),
        Err(err) => panic!("{registered:?} + {id:?} refused: {err}"),
    }
    // The request target alone (as most frameworks give it) gives the same id.
    let target = format!("{}/{}", path_of(&registered).trim_end_matches('/'), encode(&id));
    match entity_id_from_url(&registered, &target) {
        Ok(got) => assert_eq!(got.as_str(), id, "{registered:?} {target:?}"),
        Err(err) => panic!("{registered:?} + target {target:?} refused: {err}"),
    }
});

fn path_of(url: &str) -> &str {
    url.strip_prefix("https://")
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}
