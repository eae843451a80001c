//! [`OwnedRequest`]: a request owned whole, for the test kit and the inbox.

use std::fmt;
use std::net::IpAddr;

use crate::request::Request;

/// A request owned whole: method, request target, headers, body and the TCP peer address. The
/// one type for a request kept beyond the call: the test kit builds them (a provider's request,
/// signed; the setters tamper with it), the inbox stores them beside each delivery
/// ([`Item::raw`][item-raw], credentials redacted), and [`request`](Self::request)
/// gives the crate's [`Request`] view of one.
///
/// `Debug` shows the method and the path, never header values, the query or the body: they
/// carry credentials.
///
/// Each part is read by its field and set by the setter of the same name (`request.method` and
/// `.method("GET")`), as on the crate's [`Request`].
#[doc = ""]
#[cfg_attr(feature = "inbox", doc = "[item-raw]: crate::inbox::Item::raw")]
#[cfg_attr(not(feature = "inbox"), doc = "[item-raw]: crate#features")]
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OwnedRequest {
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

impl OwnedRequest {
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
            .header("content-type", "application/json")
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

    /// A genuine `http::Request` (feature `http`). The peer address is not part of an HTTP request: it is added
    /// as an extension of type [`std::net::SocketAddr`] (port 0) when set, where servers put
    /// connection info.
    ///
    /// # Panics
    /// If a setter was given a method, target or header that is not valid HTTP (the builders
    /// never produce one).
    #[cfg(feature = "http")]
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
            .expect("a OwnedRequest holds a valid method, target and headers")
    }

    /// [`to_http`](OwnedRequest::to_http), consuming the request.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn into_http(self) -> http::Request<Vec<u8>> {
        self.to_http()
    }
}

impl fmt::Debug for OwnedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedRequest")
            .field("method", &self.method)
            .field("target", &crate::url::Redacted(&self.uri))
            .field("peer", &self.peer)
            .field(
                "header_names",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}
