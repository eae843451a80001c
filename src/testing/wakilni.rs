//! Wakilni's requests: a signed `POST` with its delivery headers.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::delivery::Hex;
use crate::owned::OwnedRequest;
use crate::wakilni::{
    ATTEMPT_HEADER, DELIVERY_ID_HEADER, Event, SIGNATURE_HEADER, SOURCE_HEADER, TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
};

/// The `x-webhook-source` Wakilni documents.
pub const SOURCE: &str = "https://api.wakilni.com";

/// The path [`Builder`] posts to unless told otherwise, where the crate's routers mount Wakilni.
pub const DEFAULT_PATH: &str = crate::delivery::Provider::Wakilni.route();

/// A delivery of `body` (sent as is) signed with `secret`.
///
/// `x-webhook-topic` is the body's `event` (left out when the body has none);
/// `x-webhook-delivery-id` is derived from the body, so every attempt of one delivery carries the
/// same one.
#[must_use]
pub fn request(secret: impl AsRef<[u8]>, body: impl Into<Vec<u8>>) -> Builder {
    let body = body.into();
    #[derive(Deserialize)]
    struct Envelope {
        event: Option<String>,
    }
    let topic = serde_json::from_slice::<Envelope>(&body)
        .ok()
        .and_then(|e| e.event);
    let digest = Sha256::digest(&body);
    Builder {
        signature: crate::wakilni::sign(secret, &body),
        body,
        url: DEFAULT_PATH.to_owned(),
        topic,
        attempt: 1,
        webhook_id: "wh-test".to_owned(),
        delivery_id: format!("dlv-{}", Hex(&digest[..8])),
    }
}

/// A delivery of `event`, serialized in Wakilni's wire format and signed with `secret`.
///
/// # Panics
/// Never for an `Event` the crate built or parsed: serializing one cannot fail.
#[must_use]
pub fn event(secret: impl AsRef<[u8]>, event: &Event) -> Builder {
    let body = serde_json::to_vec(event).expect("a wakilni event serializes");
    request(secret, body)
}

/// Builds Wakilni's request; see [`request`].
#[derive(Clone)]
pub struct Builder {
    body: Vec<u8>,
    signature: String,
    url: String,
    topic: Option<String>,
    attempt: u32,
    webhook_id: String,
    delivery_id: String,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("wakilni::Builder")
            .field("topic", &self.topic)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Where to post: a path (`/webhooks/wakilni` by default) or an absolute URL.
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// `x-attempt-number` (1 by default; Wakilni counts from 1).
    #[must_use]
    pub fn attempt(mut self, attempt: u32) -> Self {
        self.attempt = attempt;
        self
    }

    /// `x-webhook-id`, the subscription (`wh-test` by default).
    #[must_use]
    pub fn webhook_id(mut self, id: impl Into<String>) -> Self {
        self.webhook_id = id.into();
        self
    }

    /// `x-webhook-delivery-id` (by default `dlv-` and a digest of the body).
    #[must_use]
    pub fn delivery_id(mut self, id: impl Into<String>) -> Self {
        self.delivery_id = id.into();
        self
    }

    /// `x-webhook-topic`, replacing the body's `event`; `None` leaves the header out.
    #[must_use]
    pub fn topic(mut self, topic: Option<String>) -> Self {
        self.topic = topic;
        self
    }

    /// The request: `POST`, `Content-Type: application/json`, the signature and the delivery
    /// headers.
    #[must_use]
    pub fn build(&self) -> OwnedRequest {
        let mut r = OwnedRequest::post_json(&self.url, self.body.clone())
            .header(SIGNATURE_HEADER, &self.signature)
            .header(ATTEMPT_HEADER, self.attempt.to_string())
            .header(SOURCE_HEADER, SOURCE)
            .header(WEBHOOK_ID_HEADER, &self.webhook_id)
            .header(DELIVERY_ID_HEADER, &self.delivery_id);
        if let Some(topic) = &self.topic {
            r = r.header(TOPIC_HEADER, topic);
        }
        r
    }
}
