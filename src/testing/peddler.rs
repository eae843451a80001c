//! Peddler's requests: a `POST` with the shared token.

use crate::owned::OwnedRequest;
use crate::peddler::{ShipmentUpdate, TOKEN_HEADER};

/// The path [`Builder`] posts to unless told otherwise, where the crate's routers mount Peddler.
pub const DEFAULT_PATH: &str = crate::delivery::Provider::Peddler.route();

/// A delivery of `body` (sent as is) with `token` in `x-webhook-shared-token`.
#[must_use]
pub fn request(token: impl Into<String>, body: impl Into<Vec<u8>>) -> Builder {
    Builder {
        token: token.into(),
        body: body.into(),
        url: DEFAULT_PATH.to_owned(),
    }
}

/// A delivery of `update`, serialized in Peddler's wire format.
///
/// # Panics
/// Never for an update with finite coordinates: serializing one cannot fail.
#[must_use]
pub fn update(token: impl Into<String>, update: &ShipmentUpdate) -> Builder {
    request(
        token,
        serde_json::to_vec(update).expect("a peddler update serializes"),
    )
}

/// Builds Peddler's request; see [`request`].
#[derive(Clone)]
pub struct Builder {
    token: String,
    body: Vec<u8>,
    url: String,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("peddler::Builder")
            .field("url", &crate::url::split(&self.url).path)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Where to post: a path (`/webhooks/peddler` by default) or an absolute URL (Peddler calls
    /// the `webhookUri` set on the shipment).
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// The request: `POST`, `Content-Type: application/json`, `x-webhook-shared-token`.
    #[must_use]
    pub fn build(&self) -> OwnedRequest {
        OwnedRequest::post_json(&self.url, self.body.clone()).header(TOKEN_HEADER, &self.token)
    }
}
