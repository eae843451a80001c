//! Xoxoday's requests: a `POST` from `52.76.120.90`, directly or through your proxy.

use std::net::IpAddr;

use crate::owned::OwnedRequest;
use crate::xoxoday::{API_KEY_HEADER, CALLBACK_IP, DeliveryUpdate, X_FORWARDED_FOR_HEADER};

/// The path [`Builder`] posts to unless told otherwise, where the crate's routers mount Xoxoday.
pub const DEFAULT_PATH: &str = crate::delivery::Provider::Xoxoday.route();

/// A delivery of `body` (sent as is) from Xoxoday's address, with `api_key` in `x-api-key`
/// (the shape of every provider's builder: the credential, then what the call carries). For a
/// receiver built `without_api_key`, drop it with [`Builder::without_api_key`].
#[must_use]
pub fn request(api_key: impl Into<String>, body: impl Into<Vec<u8>>) -> Builder {
    Builder {
        body: body.into(),
        url: DEFAULT_PATH.to_owned(),
        api_key: Some(api_key.into()),
        client: CALLBACK_IP,
        proxy: None,
    }
}

/// A delivery of `update`, serialized in Xoxoday's wire format, with `api_key`.
///
/// # Panics
/// Never: serializing a `DeliveryUpdate` cannot fail.
#[must_use]
pub fn update(api_key: impl Into<String>, update: &DeliveryUpdate) -> Builder {
    request(
        api_key,
        serde_json::to_vec(update).expect("a xoxoday update serializes"),
    )
}

/// Builds Xoxoday's request; see [`request`].
#[derive(Clone)]
pub struct Builder {
    body: Vec<u8>,
    url: String,
    api_key: Option<String>,
    client: IpAddr,
    proxy: Option<IpAddr>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("xoxoday::Builder")
            .field("client", &self.client)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Where to post: a path (`/webhooks/xoxoday` by default) or an absolute URL.
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// No `x-api-key`: for a receiver built `without_api_key`, or to test a missing key.
    #[must_use]
    pub fn without_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// The `x-api-key` value set in Xoxoday's dashboard.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The client address Xoxoday calls from (`52.76.120.90` by default): change it to test
    /// that other sources are refused.
    #[must_use]
    pub fn from_addr(mut self, client: IpAddr) -> Self {
        self.client = client;
        self
    }

    /// Arrives through your reverse proxy at `proxy`: the peer is the proxy, and the client
    /// address travels in `X-Forwarded-For`, as a proxy appends it.
    #[must_use]
    pub fn via_proxy(mut self, proxy: IpAddr) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The request: `POST`, `Content-Type: application/json`, `x-api-key` when set, and the
    /// peer address (the client's, or the proxy's with `X-Forwarded-For: <client>`).
    #[must_use]
    pub fn build(&self) -> OwnedRequest {
        let mut r = OwnedRequest::post_json(&self.url, self.body.clone());
        if let Some(key) = &self.api_key {
            r = r.header(API_KEY_HEADER, key);
        }
        match self.proxy {
            Some(proxy) => r
                .header(X_FORWARDED_FOR_HEADER, self.client.to_string())
                .peer(proxy),
            None => r.peer(self.client),
        }
    }
}
