//! How a Skladon call is typed: from the webhook type and GET id its URL names, and its body.
//! One decision, made the same way by [`Verifier::receive`](super::Verifier::receive) and by
//! the inbox when it rebuilds a stored delivery, so that what was answered 200 is handed to the
//! handler as the same [`Notification`].

use super::parse::{parse_any, parse_kind};
use super::{EntityId, Notification, WebhookType};
use crate::error::Error;
use crate::wire::{self, RawJson};

impl Notification {
    /// Reads a call from what its URL names and its body, exactly as
    /// [`Verifier::receive`](super::Verifier::receive) does once the token is checked (and as
    /// the inbox does when it reads a stored call again): a GET (`get_id` set) is only its id;
    /// a POST's body is the entity of the webhook type, recognised by its keys for a type this
    /// crate does not know, and kept as raw JSON ([`Notification::Unknown`]) when it is no
    /// known entity. For tools that have the type and body without a request.
    ///
    /// # Errors
    /// [`Error::Payload`] when the body is not the entity of a known type, or, for an unknown
    /// type, not a JSON object.
    ///
    /// ```
    /// use delivery_webhooks::skladon::{Notification, WebhookType};
    ///
    /// let new_type = WebhookType::from("CREATE_PICKING_LIST");
    /// let call = Notification::read(new_type, None, br#"{"pickingListId":"PL-1"}"#)?;
    /// assert!(matches!(call, Notification::Unknown { .. }));
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    pub fn read(
        webhook_type: WebhookType,
        get_id: Option<EntityId>,
        body: &[u8],
    ) -> Result<Self, Error> {
        if let Some(id) = get_id {
            return Ok(Notification::EntityId { webhook_type, id });
        }
        let entity = match webhook_type.entity() {
            Some(kind) => parse_kind(kind, body)?,
            None => match parse_any(body) {
                Ok(entity) => entity,
                // Skladon adds webhook types (its doc page lists 13, its API 18): a new type
                // whose entity is new too is kept, never refused; only a body that is not an
                // object cannot be any Skladon entity.
                // A key repeated in it is refused like anywhere else (the raw value's error).
                Err(_) if is_object(body) => {
                    let body: RawJson = wire::parse(body)?;
                    return Ok(Notification::Unknown { webhook_type, body });
                }
                Err(err) => return Err(err),
            },
        };
        Ok(Notification::Entity {
            webhook_type,
            entity: Box::new(entity),
        })
    }
}

/// Whether the body's JSON value opens as an object (whether it is valid is parsed after).
fn is_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

#[cfg(feature = "inbox")]
mod stored {
    //! What the inbox stores beside a Skladon body: the method, webhook type and GET id the URL
    //! named, as JSON (a type or an id may hold spaces, `%` or any other text).

    use serde::{Deserialize, Serialize};

    use super::{EntityId, Notification, WebhookType};

    #[derive(Serialize, Deserialize)]
    struct Context {
        method: String,
        webhook_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    }

    impl Notification {
        /// The context to store beside the body, from which
        /// [`from_context`](Notification::from_context) reads the call again.
        pub(crate) fn context(&self) -> String {
            let (method, id) = match self {
                Notification::EntityId { id, .. } => ("GET", Some(id.as_str().to_owned())),
                _ => ("POST", None),
            };
            let context = Context {
                method: method.to_owned(),
                webhook_type: self.webhook_type().as_str().to_owned(),
                id,
            };
            // Three strings: serializing cannot fail.
            serde_json::to_string(&context).unwrap_or_default()
        }

        /// Reads a stored call again, exactly as [`Verifier::receive`](super::super::Verifier::receive)
        /// read it. Also reads the form of earlier versions (`GET <TYPE> <id>`, `POST <TYPE>`).
        ///
        /// # Errors
        /// Why the stored delivery cannot be read.
        pub(crate) fn from_context(context: &str, body: &[u8]) -> Result<Self, String> {
            let context = if context.starts_with('{') {
                serde_json::from_str::<Context>(context)
                    .map_err(|e| format!("malformed skladon context: {e}"))?
            } else {
                let mut parts = context.splitn(3, ' ');
                Context {
                    method: parts.next().unwrap_or_default().to_owned(),
                    webhook_type: parts.next().unwrap_or_default().to_owned(),
                    id: parts.next().map(str::to_owned),
                }
            };
            let get_id = match (context.method.as_str(), context.id) {
                ("GET", Some(id)) => Some(EntityId::from_decoded(id)),
                ("GET", None) => return Err("a stored skladon GET without its id".to_owned()),
                _ => None,
            };
            let webhook_type = WebhookType::from(context.webhook_type.as_str());
            Notification::read(webhook_type, get_id, body)
                .map_err(|e| format!("the stored body no longer parses: {e}"))
        }
    }
}
