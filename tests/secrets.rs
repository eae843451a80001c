//! Secrets never leak into text: for every verifier, its `Debug` (plain and pretty) and every
//! error it produces (`Display` and `Debug`) contain neither the secret nor the digest the
//! verifier keeps of it. (That the secret-bearing types wipe their memory on drop is checked at
//! compile time in `src/verify.rs` and `src/isendu/mod.rs`: they must be `ZeroizeOnDrop`.)

use std::fmt::Debug;
use std::net::IpAddr;

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

fn assert_error_clean(what: &str, err: &Error) {
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
    let p = UrlToken::path_segment_with_tokens([SECRET, "other-token"]).unwrap();
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

#[cfg(feature = "wakilni")]
#[test]
fn wakilni() {
    use delivery_webhooks::wakilni::{self, Verifier};
    let v = Verifier::with_secrets([SECRET, "older-secret"]).unwrap();
    assert_debug_clean("wakilni::Verifier", &v);
    let body = br#"{"event_id":"e1"}"#;
    let good = wakilni::sign(SECRET, body);
    for sig in near_misses().iter().chain([&good]) {
        if let Err(e) = v.receive(&[("x-webhook-signature", sig.as_str())], body) {
            assert_error_clean("wakilni::Verifier::receive", &e);
        }
    }
    assert_error_clean("wakilni::Verifier::new", &Verifier::new("").unwrap_err());
}

#[cfg(feature = "peddler")]
#[test]
fn peddler() {
    use delivery_webhooks::peddler::{TOKEN_HEADER, Verifier};
    let v = Verifier::with_tokens([SECRET, "other-token"]).unwrap();
    assert_debug_clean("peddler::Verifier", &v);
    for presented in near_misses() {
        let e = v.verify(&[(TOKEN_HEADER, presented.as_str())]).unwrap_err();
        assert_error_clean("peddler::Verifier::verify", &e);
    }
    // Sent twice, differently: the conflict is reported without either value.
    let e = v
        .verify(&[(TOKEN_HEADER, SECRET), (TOKEN_HEADER, "x")])
        .unwrap_err();
    assert_error_clean("peddler::Verifier::verify (conflict)", &e);
    let e = v
        .receive(&[(TOKEN_HEADER, SECRET)], SECRET.as_bytes())
        .unwrap_err();
    assert_error_clean("peddler::Verifier::receive (body)", &e);
}

#[cfg(feature = "xoxoday")]
#[test]
fn xoxoday() {
    use delivery_webhooks::xoxoday::{API_KEY_HEADER, CALLBACK_IP, Verifier};
    let v = Verifier::new().api_keys([SECRET, "other-key"]).unwrap();
    assert_debug_clean("xoxoday::Verifier", &v);
    for presented in near_misses() {
        let e = v
            .verify(CALLBACK_IP, &[(API_KEY_HEADER, presented.as_str())])
            .unwrap_err();
        assert_error_clean("xoxoday::Verifier::verify", &e);
    }
    let stranger: IpAddr = "203.0.113.9".parse().unwrap();
    let e = v.verify(stranger, &[(API_KEY_HEADER, SECRET)]).unwrap_err();
    assert_error_clean("xoxoday::Verifier::verify (source)", &e);
    let e = v
        .verify(
            CALLBACK_IP,
            &[(API_KEY_HEADER, SECRET), (API_KEY_HEADER, "x")],
        )
        .unwrap_err();
    assert_error_clean("xoxoday::Verifier::verify (conflict)", &e);
}

#[cfg(feature = "isendu")]
#[test]
fn isendu() {
    use delivery_webhooks::isendu::{self, VerificationRequest, Verifier};
    let v = Verifier::with_keys([("key-1", SECRET), ("key-2", "another-secret")])
        .unwrap()
        .with_url_token(UrlToken::query("t", "url-token").unwrap());
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
    // A handled handshake is answered; its Debug never shows the answer.
    let delivery = v.handle("/h?t=url-token", br#"{"keyId":"key-1"}"#).unwrap();
    assert_eq!(delivery.response_body(), answer);
    assert_debug_clean("isendu::Delivery", &delivery);
    for (url, body) in [
        ("/h?t=wrong", &br#"{"keyId":"key-1"}"#[..]),
        ("/h?t=url-token", br#"{"keyId":"key-9"}"#),
        ("/h?t=url-token", SECRET.as_bytes()),
    ] {
        let e = v.handle(url, body).unwrap_err();
        assert_error_clean("isendu::Verifier::handle", &e);
    }
    let _ = isendu::parse(b"{}");
    assert_error_clean(
        "isendu::Verifier::new",
        &Verifier::new("key", "").unwrap_err(),
    );
}

#[cfg(feature = "skladon")]
#[test]
fn skladon() {
    use delivery_webhooks::skladon::{Verifier, WebhookType};
    let v = Verifier::new(UrlToken::path_segment(SECRET).unwrap());
    assert_debug_clean("skladon::Verifier", &v);
    for presented in near_misses() {
        let url = format!("/hooks/{presented}/orders/1");
        let e = v
            .receive(&url, &WebhookType::UpdateOrderStatus, b"{}")
            .unwrap_err();
        assert_error_clean("skladon::Verifier::receive", &e);
        let e = v.receive_get("/hooks/x/orders/", &url).unwrap_err();
        assert_error_clean("skladon::Verifier::receive_get", &e);
    }
    // The right token, then a body or URL that is wrong: the error names neither the token...
    let registered = format!("/hooks/{SECRET}/orders/");
    let e = v
        .receive_get(&registered, &format!("/hooks/{SECRET}/other/1"))
        .unwrap_err();
    assert_error_clean("skladon::Verifier::receive_get (path)", &e);
    let e = v
        .receive(
            &format!("/hooks/{SECRET}/orders"),
            &WebhookType::UpdateOrderStatus,
            b"[1]",
        )
        .unwrap_err();
    assert_error_clean("skladon::Verifier::receive (body)", &e);
}
