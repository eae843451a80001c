//! isendu (Store API): a verification handshake, then batches of order and tracking updates.
//!
//! # What isendu sends
//! Two kinds of `POST` to the webhook URL of an API integration:
//! - **The handshake**, five minutes after the URL is registered (and again whenever the
//!   integration is saved): `{"keyId": "<API key id>"}`. The receiver must answer HTTP 200
//!   **within 5 seconds** with the JSON body `{"response":"<API integration secret key>"}`;
//!   anything else and isendu never uses the URL. [`Verifier::receive`] puts that body in the
//!   delivery's [`Reply`](crate::Reply), only for the right key id.
//! - **Updates**: `{"order": [...], "tracking": [...]}` whenever an API-generated order changes or
//!   a shipment gets news. Events are *batched* and *not guaranteed to arrive in order*: fold them
//!   with [`State`], which gives the same result whatever the order and however often a batch
//!   is repeated.
//!
//! [`parse`] tells the two apart by their keys and gives a [`Message`].
//!
//! # How it is authenticated
//! isendu signs nothing and sends no auth header. Two checks remain, both constant time:
//! - the handshake's `keyId` must be your integration's key id, or no secret is revealed
//!   ([`Error::TokenMismatch`], 401);
//! - a secret token in the URL you register, required by [`Verifier::new`]: register
//!   `https://you.example/hooks/isendu?token=<long random value>` (or put the value in a path
//!   segment, `https://you.example/hooks/isendu/<value>`), give the same value as a
//!   [`UrlToken`](crate::UrlToken), and every request whose URL lacks it is refused (401) before its body is
//!   read, the handshake included. Without it, anyone who learns the key id could obtain the
//!   secret key and post fake updates: [`Verifier::without_url_token`] is the explicit opt-out.
//!
//! # Example
//! ```
//! use delivery_webhooks::{Request, UrlToken};
//! use delivery_webhooks::isendu::{Message, Verifier};
//!
//! // At start-up, from your configuration.
//! // Register https://you.example/hooks/isendu?token=u9X2-long-random-value with isendu.
//! let url_token = UrlToken::query("token", "u9X2-long-random-value")?;
//! let verifier = Verifier::new("key-7f3a", "sk_live_0123456789", url_token)?;
//!
//! // In the handler: the request target as your framework gives it, and the raw body.
//! let url = "/hooks/isendu?token=u9X2-long-random-value";
//! let no_headers: [(&str, &str); 0] = [];
//! let handshake = verifier.receive(&Request::new(&no_headers, br#"{"keyId":"key-7f3a"}"#).uri(url))?;
//! // Answer with the reply, right away: 200, application/json, the secret key.
//! assert_eq!(handshake.reply.body(), br#"{"response":"sk_live_0123456789"}"#);
//! assert_eq!(handshake.reply.content_type(), Some("application/json"));
//!
//! let body = br#"{"tracking":[{"uuid":"t-1","status":"D","delivered":true,"steps":[]}]}"#;
//! let delivery = verifier.receive(&Request::new(&no_headers, body).uri(url))?;
//! let Message::Update(update) = &delivery.payload else { unreachable!() };
//! assert_eq!(update.tracking[0].delivered, Some(true));
//! assert_eq!(delivery.reply.body(), b""); // an empty 200
//! assert!(delivery.dedup_key().as_str().starts_with("isendu:sha256:"));
//!
//! // A wrong token in the URL, or a handshake for another key id: 401.
//! let forged = Request::new(&no_headers, body).uri("/hooks/isendu?token=guess");
//! assert_eq!(verifier.receive(&forged).unwrap_err().status_code(), 401);
//! let other = Request::new(&no_headers, br#"{"keyId":"other"}"#).uri(url);
//! assert_eq!(verifier.receive(&other).unwrap_err().status_code(), 401);
//! # Ok::<(), delivery_webhooks::Error>(())
//! ```
//!
//! # Quirks handled
//! - **Batches out of order**: [`State`] folds them order-independently (newest step timestamp
//!   wins, deterministic tie-breaks, duplicates harmless).
//! - **`delivered` written `"boolean"`** in isendu's sample: a placeholder for a real `true` or
//!   `false`. Booleans (`delivered`, `pod`, `external`) are read from JSON booleans, from the
//!   strings `"true"`/`"false"` (any case) and from `1`/`0`; any other value — the placeholder
//!   included — is an error naming the field rather than a guess.
//! - **Amounts and weights** may be numbers or strings: [`Decimal`](crate::Decimal) keeps the exact text, never
//!   rounding through a float, and writes it back the way it came.
//! - **"Other order fields"**: an order may carry any subset of its fields, plus fields this crate
//!   does not model; those are kept in [`Order::extra`] so that nothing is lost.
//! - **Date-times** are documented as RFC 3339 in UTC; they are
//!   [`TimestampOrText`](crate::TimestampOrText)s, so every ISO 8601 form is read (`+0000` as
//!   well as `Z`, no zone at all, a bare date) and written back as it came; a value without zone
//!   is UTC through [`Timestamp::assume_utc`](crate::Timestamp::assume_utc) and
//!   [`Step::instant`]. A timestamp in no date form is kept as its text, never failing the
//!   batch. A step's `datetime` is the courier's own text and is kept as sent.
//! - **`keyId`** of the handshake is an identifier: it must be a JSON string.
//! - **Letters and names**: tracking status letters match ignoring case; order statuses ignoring
//!   case and `_`/`-`/space; unknown values are kept verbatim in `Other`.
//! - `null`, absent and (for lists) empty are all the same: no entries.
//!
//! See `docs/isendu.md` for the handshake step by step and a handler.

mod order;
mod state;
mod tracking;
mod verifier;

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::wire;

pub use order::{Item, Order, OrderStatus, ShippingInformation, TrackingInformation};
pub use state::State;
pub use tracking::{ErrorDetails, Step, Tracking, TrackingStatus};
pub use verifier::Verifier;

/// The content type of the handshake answer.
pub const RESPONSE_CONTENT_TYPE: &str = "application/json";

/// Parses an isendu webhook body: the handshake or a batch of updates.
///
/// A body with `keyId` is the handshake; a body with `order` and/or `tracking` (each may be
/// absent, `null` or empty) is an update. Other keys are ignored.
///
/// # Errors
/// [`Error::Payload`] when the body is not JSON, is neither shape (`{}`, both shapes at once, an
/// array...), or an entry is malformed; the error names the JSON path, e.g. `tracking[0].uuid`.
///
/// ```
/// use delivery_webhooks::isendu::{self, Message};
///
/// let Message::Verification(req) = isendu::parse(br#"{"keyId":"key-7f3a"}"#)? else { panic!() };
/// assert_eq!(req.key_id, "key-7f3a");
///
/// let Message::Update(update) = isendu::parse(br#"{"order":[{"uuid":"o-1"}],"tracking":null}"#)?
/// else { panic!() };
/// assert_eq!(update.order[0].uuid, "o-1");
/// assert!(update.tracking.is_empty());
///
/// let err = isendu::parse(b"{}").unwrap_err();
/// assert!(err.to_string().contains("keyId"));
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub fn parse(body: &[u8]) -> Result<Message, Error> {
    wire::parse(body)
}

/// An isendu webhook body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// The handshake: answer it with [`Verifier::answer`].
    Verification(VerificationRequest),
    /// A batch of order and tracking updates.
    Update(Update),
}

/// The handshake body, `{"keyId": "..."}`.
///
/// The key id is one of the two things that unlock the handshake's answer (the integration's
/// secret key), so it is handled as a secret: `Debug` never shows it and it is wiped on drop.
///
/// ```
/// use delivery_webhooks::isendu::VerificationRequest;
///
/// let request = VerificationRequest::new("key-7f3a");
/// assert_eq!(request.key_id, "key-7f3a");
/// assert_eq!(format!("{request:?}"), "VerificationRequest { key_id: \"[redacted]\" }");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationRequest {
    /// `keyId`: the API key id of the integration whose URL is being verified.
    pub key_id: String,
}

impl fmt::Debug for VerificationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationRequest")
            .field("key_id", &"[redacted]")
            .finish()
    }
}

impl Drop for VerificationRequest {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key_id);
    }
}

impl VerificationRequest {
    /// A request for this key id (for tests and tooling).
    #[must_use]
    pub fn new(key_id: impl Into<String>) -> Self {
        Self {
            key_id: key_id.into(),
        }
    }
}

/// A batch: orders and trackings that changed. Either list may be empty.
///
/// A batch has no id of its own and may repeat or reorder earlier news: fold batches with
/// [`State`] rather than acting on each entry as if it were the latest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Update {
    /// `order`: orders that changed.
    pub order: Vec<Order>,
    /// `tracking`: shipments that got news.
    pub tracking: Vec<Tracking>,
}

impl Update {
    /// A batch of these entries (for tests and tooling).
    #[must_use]
    pub fn new(order: Vec<Order>, tracking: Vec<Tracking>) -> Self {
        Self { order, tracking }
    }

    /// Whether the batch carries no entry at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty() && self.tracking.is_empty()
    }
}

// ----- telling the two shapes apart, from the keys seen ---------------------------------------

const EXPECTED: &str = r#"an isendu webhook body: a verification request {"keyId": ...} or an update {"order": [...], "tracking": [...]}"#;

#[derive(Deserialize)]
#[serde(field_identifier)]
enum MessageKey {
    #[serde(rename = "keyId")]
    KeyId,
    #[serde(rename = "order")]
    Order,
    #[serde(rename = "tracking")]
    Tracking,
    #[serde(other)]
    Other,
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = Message;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
        let mut key_id: Option<String> = None;
        let mut order: Option<Vec<Order>> = None;
        let mut tracking: Option<Vec<Tracking>> = None;
        while let Some(key) = map.next_key()? {
            match key {
                MessageKey::KeyId => {
                    if key_id.is_some() {
                        return Err(de::Error::duplicate_field("keyId"));
                    }
                    // An identifier: a string, exactly; a number is refused, not converted.
                    key_id = Some(map.next_value::<String>()?);
                }
                MessageKey::Order => {
                    if order.is_some() {
                        return Err(de::Error::duplicate_field("order"));
                    }
                    order = Some(
                        map.next_value::<wire::As<Option<wire::List>, Option<Vec<Order>>>>()?
                            .into_inner()
                            .unwrap_or_default(),
                    );
                }
                MessageKey::Tracking => {
                    if tracking.is_some() {
                        return Err(de::Error::duplicate_field("tracking"));
                    }
                    tracking = Some(
                        map.next_value::<wire::As<Option<wire::List>, Option<Vec<Tracking>>>>()?
                            .into_inner()
                            .unwrap_or_default(),
                    );
                }
                MessageKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (key_id, order, tracking) {
            (Some(key_id), None, None) => Ok(Message::Verification(VerificationRequest { key_id })),
            (None, None, None) => Err(de::Error::custom(format_args!(
                "neither `keyId` nor `order`/`tracking` found, expected {EXPECTED}"
            ))),
            (Some(_), _, _) => Err(de::Error::custom(format_args!(
                "both `keyId` and `order`/`tracking` found, expected {EXPECTED}"
            ))),
            (None, order, tracking) => Ok(Message::Update(Update {
                order: order.unwrap_or_default(),
                tracking: tracking.unwrap_or_default(),
            })),
        }
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MessageVisitor)
    }
}

impl<'de> Deserialize<'de> for Update {
    /// Reads a batch as [`parse`] does; a handshake body is an error.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_map(MessageVisitor)? {
            Message::Update(u) => Ok(u),
            Message::Verification(_) => Err(de::Error::custom(
                "found a verification request `{\"keyId\": ...}`, expected an update",
            )),
        }
    }
}

impl Serialize for Update {
    /// Writes `{"order": [...], "tracking": [...]}`, both lists always present.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Update", 2)?;
        st.serialize_field("order", &self.order)?;
        st.serialize_field("tracking", &self.tracking)?;
        st.end()
    }
}

impl Serialize for VerificationRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("VerificationRequest", 1)?;
        st.serialize_field("keyId", &self.key_id)?;
        st.end()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Verification(r) => r.serialize(s),
            Message::Update(u) => u.serialize(s),
        }
    }
}

#[cfg(feature = "schema")]
mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{Message, Order, Tracking, Update, VerificationRequest};

    impl JsonSchema for VerificationRequest {
        fn schema_name() -> Cow<'static, str> {
            "VerificationRequest".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "object",
                "description": "The handshake: the integration's API key id",
                "properties": {"keyId": {"type": "string"}},
                "required": ["keyId"],
                "not": {"anyOf": [{"required": ["order"]}, {"required": ["tracking"]}]}
            })
        }
    }

    impl JsonSchema for Update {
        fn schema_name() -> Cow<'static, str> {
            "Update".into()
        }
        fn json_schema(g: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "object",
                "description": "A batch of order and tracking updates (null, absent and empty lists alike)",
                "properties": {
                    "order": crate::wire::schema::nullable(g.subschema_for::<Vec<Order>>()),
                    "tracking": crate::wire::schema::nullable(g.subschema_for::<Vec<Tracking>>())
                },
                "anyOf": [{"required": ["order"]}, {"required": ["tracking"]}],
                "not": {"required": ["keyId"]}
            })
        }
    }

    impl JsonSchema for Message {
        fn schema_name() -> Cow<'static, str> {
            "Message".into()
        }
        fn json_schema(g: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "An isendu webhook body: the handshake or an update",
                "oneOf": [
                    g.subschema_for::<VerificationRequest>(),
                    g.subschema_for::<Update>()
                ]
            })
        }
    }
}
