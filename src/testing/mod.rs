//! A test kit: requests exactly as each provider sends them, for your own tests.
//!
//! Each provider module has a builder that makes the call the provider would make — method,
//! request target, content type, credential and delivery headers — and gives an [`OwnedRequest`](crate::OwnedRequest).
//! From it take a genuine `http::Request<Vec<u8>>` ([`OwnedRequest::to_http`](crate::OwnedRequest::to_http)) to drive your
//! router (`tower::ServiceExt::oneshot`, actix's `test::OwnedRequest`...), or the crate's
//! [`Request`](crate::Request) view ([`OwnedRequest::request`](crate::OwnedRequest::request)) to call a `Verifier` directly. The
//! `delivery-webhooks send` command sends the same requests over the network.
//!
//! | builder | what it sets |
//! |---|---|
//! | [`wakilni::Builder`] | `x-webhook-signature` over the body, `x-webhook-topic` (the body's `event`), `x-webhook-id`, `x-webhook-delivery-id`, `x-webhook-source`, `x-attempt-number` |
//! | [`peddler::Builder`] | `x-webhook-shared-token` |
//! | [`xoxoday::Builder`] | the peer address (`52.76.120.90`, or your proxy with `X-Forwarded-For`) and `x-api-key` |
//! | [`isendu::Builder`] | the handshake or an update, the URL token in the query |
//! | [`skladon::Builder`] | `POST <mount>/<token>/<TYPE>` with the entity, or `GET <mount>/<token>/<TYPE>/<id>` |
//!
//! To test your business logic without any request at all, build the payloads themselves:
//! every payload type has a `new(...)` constructor with its required fields.
//!
//! ```
//! # #[cfg(feature = "wakilni")] {
//! use delivery_webhooks::testing;
//! use delivery_webhooks::wakilni::Verifier;
//!
//! let body = br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13",
//!   "data":{"order_id":1,"waybill":"W1","created_at":"2024-11-14 14:39:10"}}"#;
//! let sent = testing::wakilni::request("wk-secret", body).attempt(2).build();
//!
//! let delivery = Verifier::new("wk-secret")?.receive(&sent.request())?;
//! assert_eq!((delivery.dedup_key().as_str(), delivery.attempt), ("wakilni:e1", Some(2)));
//!
//! let http = sent.to_http();
//! assert_eq!(http.uri(), "/webhooks/wakilni");
//! assert_eq!(http.headers()["x-webhook-topic"], "Order Created");
//! # }
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```
// A builder's link resolves only with its provider on; with it off, it points to the crate's
// "Features" section (see the same in lib.rs).
#![doc = ""]
#![cfg_attr(not(feature = "wakilni"), doc = "[`wakilni::Builder`]: crate#features")]
#![cfg_attr(not(feature = "peddler"), doc = "[`peddler::Builder`]: crate#features")]
#![cfg_attr(not(feature = "xoxoday"), doc = "[`xoxoday::Builder`]: crate#features")]
#![cfg_attr(not(feature = "isendu"), doc = "[`isendu::Builder`]: crate#features")]
#![cfg_attr(not(feature = "skladon"), doc = "[`skladon::Builder`]: crate#features")]

#[cfg(feature = "isendu")]
#[cfg_attr(docsrs, doc(cfg(feature = "isendu")))]
pub mod isendu;
#[cfg(feature = "peddler")]
#[cfg_attr(docsrs, doc(cfg(feature = "peddler")))]
pub mod peddler;
#[cfg(feature = "skladon")]
#[cfg_attr(docsrs, doc(cfg(feature = "skladon")))]
pub mod skladon;
#[cfg(feature = "wakilni")]
#[cfg_attr(docsrs, doc(cfg(feature = "wakilni")))]
pub mod wakilni;
#[cfg(feature = "xoxoday")]
#[cfg_attr(docsrs, doc(cfg(feature = "xoxoday")))]
pub mod xoxoday;

/// The content type every provider sends its JSON bodies with.
pub const JSON: &str = "application/json";

/// `base` with `segment` appended after exactly one `/` (the query of `base`, if any, kept).
#[cfg_attr(not(feature = "skladon"), allow(dead_code))]
pub(crate) fn join_path(base: &str, segment: &str) -> String {
    let (path, query) = match base.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (base, None),
    };
    let mut out = path.trim_end_matches('/').to_owned();
    out.push('/');
    out.push_str(segment);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::owned::OwnedRequest;

    #[test]
    fn headers_replace_ignoring_case_and_debug_hides_secrets() {
        let r = OwnedRequest::post_json("/hook?token=zz", b"{}".to_vec())
            .header("X-Token", "a")
            .header("x-token", "s3cret");
        assert_eq!(r.header_value("X-TOKEN"), Some("s3cret"));
        assert_eq!(r.headers.len(), 2);
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("zz"),
            "{shown}"
        );
        let http = r.without_header("x-token").to_http();
        assert_eq!(http.headers().len(), 1);
        assert_eq!(http.body(), b"{}");
    }

    #[test]
    fn join_path_keeps_one_slash_and_the_query() {
        assert_eq!(join_path("/a/", "b"), "/a/b");
        assert_eq!(join_path("http://h/a?x=1", "b"), "http://h/a/b?x=1");
    }
}
