//! Skladon's requests: `POST <mount>/<token>/<TYPE>` with the entity, or
//! `GET <mount>/<token>/<TYPE>/<id>`.

use super::join_path;
use crate::owned::OwnedRequest;
use crate::skladon::{DEFAULT_MOUNT, Entity, WebhookType};

/// A `POST` of `body` (sent as is) for `webhook_type`, to `<mount>/<token>/<TYPE>`.
#[must_use]
pub fn post(
    token: impl Into<String>,
    webhook_type: WebhookType,
    body: impl Into<Vec<u8>>,
) -> Builder {
    Builder {
        token: Some(token.into()),
        webhook_type,
        body: Some(body.into()),
        id: None,
        mount: DEFAULT_MOUNT.to_owned(),
    }
}

/// A `POST` of `entity` in Skladon's wire format.
///
/// # Panics
/// Never: serializing an `Entity` cannot fail.
#[must_use]
pub fn entity(token: impl Into<String>, webhook_type: WebhookType, entity: &Entity) -> Builder {
    post(
        token,
        webhook_type,
        serde_json::to_vec(entity).expect("a skladon entity serializes"),
    )
}

/// A `GET` for `webhook_type` with the entity id appended: `<mount>/<token>/<TYPE>/<id>`.
#[must_use]
pub fn get(token: impl Into<String>, webhook_type: WebhookType, id: impl Into<String>) -> Builder {
    Builder {
        token: Some(token.into()),
        webhook_type,
        body: None,
        id: Some(id.into()),
        mount: DEFAULT_MOUNT.to_owned(),
    }
}

/// Builds Skladon's request; see [`post`] and [`get`].
#[derive(Clone)]
pub struct Builder {
    token: Option<String>,
    webhook_type: WebhookType,
    body: Option<Vec<u8>>,
    id: Option<String>,
    mount: String,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("skladon::Builder")
            .field("webhook_type", &self.webhook_type)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Where the receiver is mounted: a path (`/webhooks/skladon` by default) or an absolute
    /// URL; the token, type and id are appended.
    #[must_use]
    pub fn url(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into();
        self
    }

    /// No token segment, for a receiver built with `Verifier::without_token`.
    #[must_use]
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// The URL Skladon calls: `<mount>/<token>/<TYPE>`, and `/<id>` for a `GET`; each segment
    /// percent-encoded.
    #[must_use]
    pub fn target(&self) -> String {
        let mut url = self.mount.clone();
        if let Some(token) = &self.token {
            url = join_path(&url, &crate::url::encode_component(token));
        }
        url = join_path(
            &url,
            &crate::url::encode_component(self.webhook_type.as_str()),
        );
        if let Some(id) = &self.id {
            url = join_path(&url, &crate::url::encode_component(id));
        }
        url
    }

    /// The request: a `POST` with `Content-Type: application/json` and the body, or a `GET`
    /// with neither.
    #[must_use]
    pub fn build(&self) -> OwnedRequest {
        match &self.body {
            Some(body) => OwnedRequest::post_json(self.target(), body.clone()),
            None => OwnedRequest::new("GET", self.target()),
        }
    }
}
