//! [`Request`]: the one view of an incoming webhook call that every provider's check reads.

use std::fmt;
use std::net::IpAddr;

use crate::headers::Headers;

/// What a provider's check may need from an incoming call: the method, the request target
/// (path and query), the TCP peer address, the headers and the raw body bytes.
///
/// Every [`Receive`](crate::Receive) implementation takes the same `Request`, so a handler, a
/// framework adapter or a queue is written once for all five providers. Each provider reads
/// only what it needs:
///
/// | provider | reads |
/// |---|---|
/// | Wakilni | headers (`x-webhook-signature`, `x-attempt-number`), body |
/// | Peddler | headers (`x-webhook-shared-token`), body |
/// | Xoxoday | peer address, headers (`x-api-key`, forwarding headers from trusted proxies), body |
/// | isendu | path and query (the URL token), body |
/// | Skladon | method, path (token, webhook type and GET entity id), body |
///
/// Build it from the raw parts with [`Request::new`] and the setters, or with feature `http`
/// from `http::request::Parts` with [`Request::from_http`]. Nothing is copied: a `Request`
/// borrows what it is given.
///
/// ```
/// use delivery_webhooks::Request;
///
/// let headers = [("x-webhook-shared-token", "s3cret")];
/// let request = Request::new(&headers, b"{}")
///     .method("POST")
///     .uri("/webhooks/peddler")
///     .peer("203.0.113.7".parse::<std::net::IpAddr>()?);
/// assert_eq!(request.method, "POST");
/// assert_eq!(request.path(), "/webhooks/peddler");
/// assert_eq!(request.body, b"{}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Each part is read by its field and set by the setter of the same name (`request.method` and
/// `.method("GET")`): one name per part.
#[doc = ""]
#[cfg_attr(not(feature = "http"), doc = "[`Request::from_http`]: crate#features")]
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Request<'a> {
    /// The HTTP method (`POST` unless set), compared ASCII case-insensitively.
    pub method: &'a str,
    /// The request target as set with [`uri`](Request::uri): the path and query as received,
    /// or an absolute URL; empty when not set. [`path`](Request::path) is its path alone.
    pub uri: &'a str,
    /// The TCP peer address, if set.
    pub peer: Option<IpAddr>,
    /// The headers.
    pub headers: &'a dyn Headers,
    /// The raw body bytes.
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    /// A `POST` with these headers and body, no request target and no peer address.
    ///
    /// `headers` is anything implementing [`Headers`]: a slice or `Vec` of pairs, a map, or
    /// `http::HeaderMap` with feature `http`. `body` must be the exact bytes received.
    #[must_use]
    pub fn new(headers: &'a dyn Headers, body: &'a [u8]) -> Self {
        Self {
            method: "POST",
            uri: "",
            peer: None,
            headers,
            body,
        }
    }

    /// Sets the HTTP method (`POST` by default). Compared ASCII case-insensitively.
    #[must_use]
    pub fn method(mut self, method: &'a str) -> Self {
        self.method = method;
        self
    }

    /// Sets the request target: the path and query as received (`/webhooks/isendu?token=...`),
    /// or an absolute URL. isendu reads its URL token here, Skladon its token, webhook type and
    /// entity id: without it they answer
    /// [`Error::MissingRequestPart`](crate::Error::MissingRequestPart) (500), not a 401.
    #[must_use]
    pub fn uri(mut self, uri: &'a str) -> Self {
        self.uri = uri;
        self
    }

    /// Sets the TCP peer address: the remote end of the connection as the server sees it
    /// (axum's `ConnectInfo`, actix's `peer_addr`), never a header value. Xoxoday's source
    /// check reads it: without it, it answers
    /// [`Error::MissingRequestPart`](crate::Error::MissingRequestPart) (500).
    #[must_use]
    pub fn peer(mut self, peer: impl Into<IpAddr>) -> Self {
        self.peer = Some(peer.into());
        self
    }

    /// The path of the request target, without scheme, host, query or fragment.
    #[must_use]
    pub fn path(&self) -> &'a str {
        crate::url::split(self.uri).path
    }

    /// The request target as it may be logged or stored: a Skladon path token or an isendu
    /// URL token must never be, and a `Request` cannot know which segment is one (that depends
    /// on the provider and where it is mounted). So the origin and fragment are left out, the
    /// path's first two segments are kept when shorter than 16 bytes, and every other segment
    /// and every query value is `[redacted]`.
    ///
    /// ```
    /// use delivery_webhooks::Request;
    ///
    /// let none: [(&str, &str); 0] = [];
    /// let request = Request::new(&none, b"").uri("/webhooks/skladon/tok-5f1c9a7e2b0d/CREATE_ORDER");
    /// assert_eq!(request.redacted_target(), "/webhooks/skladon/[redacted]/[redacted]");
    /// let request = Request::new(&none, b"").uri("/webhooks/isendu?token=t0k3n");
    /// assert_eq!(request.redacted_target(), "/webhooks/isendu?token=[redacted]");
    /// ```
    #[must_use]
    pub fn redacted_target(&self) -> String {
        crate::url::Redacted(self.uri).to_string()
    }
}

#[cfg(feature = "http")]
impl<'a> Request<'a> {
    /// A request from `http`'s parts (as axum, hyper, tower and most Rust servers give them) and
    /// the body bytes read from it: method, path and query, and headers are taken from `parts`.
    /// Set the peer address with [`peer`](Request::peer) where the provider needs it (Xoxoday):
    /// `http` does not carry it.
    ///
    /// ```
    /// use delivery_webhooks::Request;
    ///
    /// let (parts, body) = http::Request::post("/webhooks/isendu?token=t0k")
    ///     .header("content-type", "application/json")
    ///     .body(b"{}".to_vec())?
    ///     .into_parts();
    /// let request = Request::from_http(&parts, &body);
    /// assert_eq!(request.uri, "/webhooks/isendu?token=t0k");
    /// assert_eq!(request.method, "POST");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn from_http(parts: &'a http::request::Parts, body: &'a [u8]) -> Self {
        let uri = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), http::uri::PathAndQuery::as_str);
        Self::new(&parts.headers, body)
            .method(parts.method.as_str())
            .uri(uri)
    }
}

impl fmt::Debug for Request<'_> {
    /// Shows the method, the request target with every place a credential may stand masked
    /// (see [`redacted_target`](Request::redacted_target)), the peer and the body's length;
    /// never header values or the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("target", &crate::url::Redacted(self.uri))
            .field("peer", &self.peer)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_setters() {
        let headers: [(&str, &str); 0] = [];
        let r = Request::new(&headers, b"x");
        assert_eq!((r.method, r.uri, r.peer), ("POST", "", None));
        let r = r.method("GET").uri("https://h.example/a/b?token=zz#f");
        assert_eq!(r.path(), "/a/b");
        let shown = format!("{r:?}");
        assert!(shown.contains("/a/b") && !shown.contains("zz"), "{shown}");
        let r = r.uri("/webhooks/skladon/s3cr3t-t0k3n/%55PDATE_ORDER/1?token=q7");
        let shown = format!("{r:?}");
        assert!(
            shown.contains("/webhooks/skladon/[redacted]")
                && !shown.contains("s3cr3t")
                && !shown.contains("q7"),
            "{shown}"
        );
    }
}
