//! A test kit: requests exactly as each provider sends them, for your own tests.
//!
//! Each provider module has a builder that makes the call the provider would make — method,
//! request target, content type, credential and delivery headers — and gives a [`TestRequest`].
//! From it take a genuine `http::Request<Vec<u8>>` ([`TestRequest::to_http`]) to drive your
//! router (`tower::ServiceExt::oneshot`, actix's `test::TestRequest`...), or the crate's
//! [`Request`] view ([`TestRequest::request`]) to call a `Verifier` directly. The
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

use std::fmt;
use std::net::IpAddr;

use crate::request::Request;

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

/// One request as a provider sends it: method, request target, headers, body and the TCP peer
/// address the receiver would see. Built by the provider builders; the setters change any part
/// of it, to tamper with a genuine request in a test.
///
/// `Debug` shows the method and the path, never header values, the query or the body: they
/// carry credentials.
///
/// Each part is read by its field and set by the setter of the same name (`request.method` and
/// `.method("GET")`), as on the crate's [`Request`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestRequest {
    /// The HTTP method.
    pub method: String,
    /// The request target as built: a path and query, or the absolute URL given to the builder.
    pub uri: String,
    /// The headers, in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The TCP peer address, if set.
    pub peer: Option<IpAddr>,
}

impl TestRequest {
    /// A request with this method and target, no header, no body and no peer address.
    #[must_use]
    pub fn new(method: impl Into<String>, uri: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            uri: uri.into(),
            headers: Vec::new(),
            body: Vec::new(),
            peer: None,
        }
    }

    /// A `POST` of a JSON body (`Content-Type: application/json`) to `uri`.
    #[must_use]
    pub fn post_json(uri: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self::new("POST", uri)
            .header("content-type", JSON)
            .body(body)
    }

    /// Sets a header, replacing any value it had (names compare ignoring ASCII case).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// Removes a header (ignoring ASCII case).
    #[must_use]
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    /// Replaces the body (headers computed from the old body, such as a signature, are kept:
    /// that is how a tampered body is made).
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Replaces the method.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Replaces the request target: a path and query, or an absolute `http://` URL.
    #[must_use]
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = uri.into();
        self
    }

    /// Sets the TCP peer address the receiver sees.
    #[must_use]
    pub fn peer(mut self, peer: impl Into<IpAddr>) -> Self {
        self.peer = Some(peer.into());
        self
    }

    /// The value of a header (ignoring ASCII case).
    #[must_use]
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The crate's view of this request, with the peer address: what a framework adapter hands
    /// to a `Verifier`. The request target is as built (an absolute URL works: verifiers read
    /// its path and query).
    #[must_use]
    pub fn request(&self) -> Request<'_> {
        let request = Request::new(&self.headers, &self.body)
            .method(&self.method)
            .uri(&self.uri);
        match self.peer {
            Some(peer) => request.peer(peer),
            None => request,
        }
    }

    /// A genuine `http::Request`. The peer address is not part of an HTTP request: it is added
    /// as an extension of type [`std::net::SocketAddr`] (port 0) when set, where servers put
    /// connection info.
    ///
    /// # Panics
    /// If a setter was given a method, target or header that is not valid HTTP (the builders
    /// never produce one).
    #[must_use]
    pub fn to_http(&self) -> http::Request<Vec<u8>> {
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.uri.as_str());
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(peer) = self.peer {
            builder = builder.extension(std::net::SocketAddr::new(peer, 0));
        }
        builder
            .body(self.body.clone())
            .expect("a TestRequest holds a valid method, target and headers")
    }

    /// [`to_http`](TestRequest::to_http), consuming the request.
    #[must_use]
    pub fn into_http(self) -> http::Request<Vec<u8>> {
        self.to_http()
    }
}

impl fmt::Debug for TestRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestRequest")
            .field("method", &self.method)
            .field("target", &crate::url::Redacted(&self.uri))
            .field("peer", &self.peer)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

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

    #[test]
    fn headers_replace_ignoring_case_and_debug_hides_secrets() {
        let r = TestRequest::post_json("/hook?token=zz", b"{}".to_vec())
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
