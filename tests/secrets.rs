//! Secrets never leak into text: for every verifier, its `Debug` (plain and pretty) and every
//! error it produces (`Display` and `Debug`) contain neither the secret nor the digest the
//! verifier keeps of it. (That the secret-bearing types wipe their memory on drop is checked at
//! compile time in `src/verify.rs` and `src/isendu/mod.rs`: they must be `ZeroizeOnDrop`.)
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

use std::fmt::Debug;
use std::net::IpAddr;

#[allow(unused_imports)]
use delivery_webhooks::Request;
use delivery_webhooks::{Error, UrlToken};
use sha2::{Digest, Sha256};

/// Distinctive, so that any leak is found; URL- and header-safe, so that it can be presented.
const SECRET: &str = "S3cr3tV4lu3-d0-n0t-l0g-7f3a9c";

/// Every way the secret could show up in text: as is, its SHA-256 in hex, and the digest's
/// bytes as `Debug` prints a byte array.
fn forms(secret: &str) -> Vec<String> {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let bytes = format!("{:?}", &digest[..8]);
    vec![
        secret.to_owned(),
        hex.clone(),
        hex.to_uppercase(),
        bytes.trim_end_matches(']').to_owned(),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for form in forms(SECRET) {
        assert!(
            !text.contains(&form),
            "{what} reveals the secret ({form}): {text}"
        );
    }
}

fn assert_debug_clean(what: &str, value: &impl Debug) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

fn assert_error_clean<E: std::error::Error>(what: &str, err: &E) {
    assert_clean(what, &err.to_string());
    assert_debug_clean(what, err);
}

/// Presented values close to the secret, so that an error echoing its input would show it.
fn near_misses() -> Vec<String> {
    vec![
        format!("{SECRET}x"),
        format!("x{SECRET}"),
        SECRET.to_uppercase(),
        format!("{SECRET}\u{0}"),
        format!("{SECRET}\r\nX-Injected: 1"),
        format!("{SECRET}é"),
    ]
}

#[test]
fn url_token_debug_and_errors() {
    let q = UrlToken::query("token", SECRET).unwrap();
    let p = UrlToken::path_segment_with_tokens([SECRET, "other-token-5f1c9a"]).unwrap();
    assert_debug_clean("UrlToken::query", &q);
    assert_debug_clean("UrlToken::path_segment", &p);
    for presented in near_misses() {
        for url in [format!("/h?token={presented}"), format!("/h/{presented}/x")] {
            if let Err(e) = q.verify(&url) {
                assert_error_clean("UrlToken::verify (query)", &e);
            }
            if let Err(e) = p.verify(&url) {
                assert_error_clean("UrlToken::verify (path)", &e);
            }
        }
        assert_error_clean(
            "UrlToken::verify_value",
            &q.verify_value(&presented).unwrap_err(),
        );
    }
}

#[cfg(any(feature = "isendu", feature = "skladon"))]
const NO_HEADERS: [(&str, &str); 0] = [];

#[cfg(feature = "wakilni")]
#[test]
fn wakilni() {
    use delivery_webhooks::wakilni::{self, Verifier};
    let v = Verifier::with_secrets([SECRET, "older-secret"]).unwrap();
    assert_debug_clean("wakilni::Verifier", &v);
    let body = br#"{"event_id":"e1"}"#;
    let good = wakilni::sign(SECRET, body);
    for sig in near_misses().iter().chain([&good]) {
        let headers = [("x-webhook-signature", sig.as_str())];
        if let Err(e) = v.receive(&Request::new(&headers, body)) {
            assert_error_clean("wakilni::Verifier::receive", &e);
        }
    }
    assert_error_clean("wakilni::Verifier::new", &Verifier::new("").unwrap_err());
}

#[cfg(feature = "peddler")]
#[test]
fn peddler() {
    use delivery_webhooks::peddler::{TOKEN_HEADER, Verifier};
    let v = Verifier::with_secrets([SECRET, "other-token-5f1c9a"]).unwrap();
    assert_debug_clean("peddler::Verifier", &v);
    for presented in near_misses() {
        let headers = [(TOKEN_HEADER, presented.as_str())];
        let e = v.verify(&Request::new(&headers, b"{}")).unwrap_err();
        assert_error_clean("peddler::Verifier::verify", &e);
    }
    // Sent twice, differently: the conflict is reported without either value.
    let twice = [(TOKEN_HEADER, SECRET), (TOKEN_HEADER, "x")];
    let e = v.verify(&Request::new(&twice, b"{}")).unwrap_err();
    assert_error_clean("peddler::Verifier::verify (conflict)", &e);
    let right = [(TOKEN_HEADER, SECRET)];
    let e = v
        .receive(&Request::new(&right, SECRET.as_bytes()))
        .unwrap_err();
    assert_error_clean("peddler::Verifier::receive (body)", &e);
}

#[cfg(feature = "xoxoday")]
#[test]
fn xoxoday() {
    use delivery_webhooks::xoxoday::{API_KEY_HEADER, CALLBACK_IP, Verifier};
    let v = Verifier::with_secrets([SECRET, "other-key"]).unwrap();
    assert_debug_clean("xoxoday::Verifier", &v);
    for presented in near_misses() {
        let headers = [(API_KEY_HEADER, presented.as_str())];
        let e = v
            .verify(&Request::new(&headers, b"{}").peer(CALLBACK_IP))
            .unwrap_err();
        assert_error_clean("xoxoday::Verifier::verify", &e);
    }
    let stranger: IpAddr = "203.0.113.9".parse().unwrap();
    let right = [(API_KEY_HEADER, SECRET)];
    let e = v
        .verify(&Request::new(&right, b"{}").peer(stranger))
        .unwrap_err();
    assert_error_clean("xoxoday::Verifier::verify (source)", &e);
    let twice = [(API_KEY_HEADER, SECRET), (API_KEY_HEADER, "x")];
    let e = v
        .verify(&Request::new(&twice, b"{}").peer(CALLBACK_IP))
        .unwrap_err();
    assert_error_clean("xoxoday::Verifier::verify (conflict)", &e);
    // Without a peer address: a 500 that names what is missing, nothing else.
    let e = v.verify(&Request::new(&right, b"{}")).unwrap_err();
    assert_eq!(e.status_code(), 500);
    assert_error_clean("xoxoday::Verifier::verify (no peer)", &e);
}

#[cfg(feature = "isendu")]
#[test]
fn isendu() {
    use delivery_webhooks::isendu::{self, VerificationRequest, Verifier};
    let v = Verifier::with_secrets(
        [("key-1", SECRET), ("key-2", "another-secret")],
        UrlToken::query("t", "url-token-5f1c9a7e").unwrap(),
    )
    .unwrap();
    assert_debug_clean("isendu::Verifier", &v);
    // The handshake answer is the one place the secret goes, and only for the right key id.
    let answer = v.answer(&VerificationRequest::new("key-1")).unwrap();
    assert!(answer.contains(SECRET));
    for key_id in near_misses()
        .iter()
        .map(String::as_str)
        .chain(["key-3", "", SECRET])
    {
        let e = v.answer(&VerificationRequest::new(key_id)).unwrap_err();
        assert_error_clean("isendu::Verifier::answer", &e);
    }
    // A received handshake is answered through its Reply; no Debug shows the answer.
    let handshake = br#"{"keyId":"key-1"}"#;
    let delivery = v
        .receive(&Request::new(&NO_HEADERS, handshake).uri("/h?t=url-token-5f1c9a7e"))
        .unwrap();
    assert_eq!(delivery.reply.body(), answer.as_bytes());
    assert_debug_clean("isendu Delivery", &delivery);
    assert_debug_clean("isendu Reply", &delivery.reply);
    let any: delivery_webhooks::AnyDelivery = delivery.into();
    assert_debug_clean("AnyDelivery", &any);
    for (url, body) in [
        ("/h?t=wrong", &br#"{"keyId":"key-1"}"#[..]),
        ("/h?t=url-token-5f1c9a7e", br#"{"keyId":"key-9"}"#),
        ("/h?t=url-token-5f1c9a7e", SECRET.as_bytes()),
    ] {
        let e = v
            .receive(&Request::new(&NO_HEADERS, body).uri(url))
            .unwrap_err();
        assert_error_clean("isendu::Verifier::receive", &e);
    }
    // The key id unlocks the answer too: no `Debug` of the handshake shows it.
    let request = VerificationRequest::new(SECRET);
    assert_debug_clean("VerificationRequest", &request);
    assert_debug_clean("isendu::Message", &isendu::Message::Verification(request));
    let v = Verifier::without_url_token([(SECRET, "isendu-secret")]).unwrap();
    let handshake = format!(r#"{{"keyId":"{SECRET}"}}"#);
    let delivery = v
        .receive(&Request::new(&NO_HEADERS, handshake.as_bytes()))
        .unwrap();
    assert_debug_clean("isendu handshake Delivery", &delivery);
    assert_debug_clean("isendu handshake payload", &delivery.payload);
    let _ = isendu::parse(b"{}");
    assert_error_clean(
        "isendu::Verifier::new",
        &Verifier::without_url_token([("key", "")]).unwrap_err(),
    );
}

#[cfg(feature = "skladon")]
#[test]
fn skladon() {
    use delivery_webhooks::skladon::Verifier;
    let v = Verifier::new(SECRET).unwrap();
    assert_debug_clean("skladon::Verifier", &v);
    for presented in near_misses() {
        let url = format!("/webhooks/skladon/{presented}/UPDATE_ORDER_STATUS");
        let post = Request::new(&NO_HEADERS, b"{}").uri(&url);
        let e = v.receive(&post).unwrap_err();
        assert_error_clean("skladon::Verifier::receive (POST)", &e);
        let get_url = format!("{url}/1");
        let e = v
            .receive(&Request::new(&NO_HEADERS, b"").method("GET").uri(&get_url))
            .unwrap_err();
        assert_error_clean("skladon::Verifier::receive (GET)", &e);
    }
    // The right token, then a path or body that is wrong: the error names neither the token...
    let bad_id = format!("/webhooks/skladon/{SECRET}/UPDATE_ORDER_STATUS/a%00b");
    let e = v
        .receive(&Request::new(&NO_HEADERS, b"").method("GET").uri(&bad_id))
        .unwrap_err();
    assert_error_clean("skladon::Verifier::receive (GET id)", &e);
    let post = format!("/webhooks/skladon/{SECRET}/UPDATE_ORDER_STATUS");
    let e = v
        .receive(&Request::new(&NO_HEADERS, b"[1]").uri(&post))
        .unwrap_err();
    assert_error_clean("skladon::Verifier::receive (body)", &e);
}

/// URL credentials (Skladon's path token, isendu's query or path token) never reach text: not
/// the `Debug` of the request views, not an error, not a delivery, whatever the URL's encoding.
#[cfg(all(feature = "skladon", feature = "isendu"))]
#[test]
fn url_credentials_are_never_printed() {
    use delivery_webhooks::{AnyDelivery, isendu, skladon};
    let sk = skladon::Verifier::new(SECRET).unwrap();
    let is = isendu::Verifier::new(
        "key-1",
        "isendu-secret",
        UrlToken::query("token", SECRET).unwrap(),
    )
    .unwrap();
    let entity = br#"{"eshopReceivingId":"R-1","status":"received"}"#;
    let calls: Vec<(&str, String, &[u8])> = vec![
        (
            "GET",
            format!("/webhooks/skladon/{SECRET}/UPDATE_ORDER_STATUS/2024%2F0012"),
            b"",
        ),
        (
            "GET",
            format!("/webhooks/skladon/{SECRET}/NEW%20TYPE/a%20b"),
            b"",
        ),
        (
            "POST",
            format!("/webhooks/skladon/{SECRET}/%55PDATE_RECEIVING_STATUS"),
            entity,
        ),
        (
            "POST",
            format!("/webhooks/skladon/{SECRET}/SOMETHING_NEW"),
            br#"{"x":1}"#,
        ),
        (
            "POST",
            format!("https://me.example/webhooks/skladon/{SECRET}/CREATE_ORDER?x=1"),
            b"[1]",
        ),
        (
            "GET",
            format!("/webhooks/skladon/{SECRET}/UPDATE_ORDER_STATUS/a%00"),
            b"",
        ),
        (
            "POST",
            format!("/webhooks/isendu?token={SECRET}"),
            br#"{"order":[],"tracking":[]}"#,
        ),
        ("POST", format!("/webhooks/isendu?a=1&token={SECRET}"), b"{"),
    ];
    for (method, uri, body) in &calls {
        let request = Request::new(&NO_HEADERS, body).method(method).uri(uri);
        assert_debug_clean(&format!("Request {uri}"), &request);
        assert_clean("Request::redacted_target", &request.redacted_target());
        let result: Result<AnyDelivery, Error> = if uri.contains("isendu") {
            is.receive(&request).map(Into::into)
        } else {
            sk.receive(&request).map(Into::into)
        };
        match result {
            Ok(delivery) => assert_debug_clean(&format!("delivery {uri}"), &delivery),
            Err(e) => assert_error_clean(&format!("error {uri}"), &e),
        }
        let raw = delivery_webhooks::OwnedRequest::new(*method, uri.clone())
            .body(body.to_vec())
            .header("x-webhook-shared-token", SECRET);
        assert_debug_clean(&format!("OwnedRequest {uri}"), &raw);
    }
    #[cfg(feature = "testing")]
    {
        use delivery_webhooks::testing;
        let builder = testing::skladon::get(SECRET, skladon::WebhookType::UpdateOrderStatus, "1");
        assert_debug_clean("skladon::Builder", &builder);
        assert_debug_clean("OwnedRequest (skladon)", &builder.build());
        let builder = testing::isendu::request(SECRET, b"{}".to_vec())
            .url(format!("/webhooks/isendu/{SECRET}"));
        assert_debug_clean("isendu::Builder", &builder);
        assert_debug_clean("OwnedRequest (isendu)", &builder.build());
    }
}
