//! isendu's requests: the verification handshake or an update, to the registered URL.

use crate::isendu::{Message, VerificationRequest};
use crate::owned::OwnedRequest;

/// The path [`Builder`] posts to unless told otherwise, where the crate's routers mount isendu.
pub const DEFAULT_PATH: &str = crate::delivery::Provider::Isendu.route();

/// The query parameter the crate's [`Config`](crate::Config) reads isendu's URL token from.
pub const TOKEN_PARAM: &str = "token";

/// The handshake isendu sends once a URL is registered, `{"keyId":"<key_id>"}`, to the URL
/// carrying `url_token`.
///
/// # Panics
/// Never: serializing a string cannot fail.
#[must_use]
pub fn handshake(url_token: impl Into<String>, key_id: impl Into<String>) -> Builder {
    let body =
        serde_json::to_vec(&VerificationRequest::new(key_id)).expect("a handshake serializes");
    request(url_token, body)
}

/// A call with `body` (sent as is), an update batch or a handshake written by hand, to the URL
/// carrying `url_token` in query parameter [`TOKEN_PARAM`] (the shape of every provider's
/// builder: the credential, then what the call carries). For a receiver built
/// `without_url_token`, drop it with [`Builder::without_url_token`].
#[must_use]
pub fn request(url_token: impl Into<String>, body: impl Into<Vec<u8>>) -> Builder {
    Builder {
        body: body.into(),
        url: DEFAULT_PATH.to_owned(),
        token: Some(url_token.into()),
    }
}

/// A call with `message` in isendu's wire format, to the URL carrying `url_token`.
///
/// # Panics
/// Never: serializing a `Message` cannot fail.
#[must_use]
pub fn message(url_token: impl Into<String>, message: &Message) -> Builder {
    request(
        url_token,
        serde_json::to_vec(message).expect("an isendu message serializes"),
    )
}

/// Builds isendu's request; see [`request`].
#[derive(Clone)]
pub struct Builder {
    body: Vec<u8>,
    url: String,
    token: Option<String>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("isendu::Builder")
            .field("url", &crate::url::Redacted(&self.url))
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// The registered URL without its token: a path (`/webhooks/isendu` by default) or an
    /// absolute URL.
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// No URL token: for a receiver built `without_url_token`, or to test a missing one.
    #[must_use]
    pub fn without_url_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// The URL token, added as query parameter `token` (percent-encoded).
    #[must_use]
    pub fn url_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The URL isendu calls: [`url`](Builder::url) with `token=<token>` added to its query.
    #[must_use]
    pub fn target(&self) -> String {
        match &self.token {
            Some(token) => {
                let sep = if self.url.contains('?') { '&' } else { '?' };
                format!(
                    "{}{sep}{TOKEN_PARAM}={}",
                    self.url,
                    crate::url::encode_component(token)
                )
            }
            None => self.url.clone(),
        }
    }

    /// The request: `POST`, `Content-Type: application/json`, to [`target`](Builder::target).
    #[must_use]
    pub fn build(&self) -> OwnedRequest {
        OwnedRequest::post_json(self.target(), self.body.clone())
    }
}
