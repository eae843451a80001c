//! Receiving Skladon calls: the [`Verifier`] reads the token, the webhook type and a GET call's
//! entity id from the request path under the route it is mounted at, and gives a
//! [`Notification`].

use std::fmt;

use serde::{Serialize, Serializer};

use sha2::{Digest, Sha256};

use super::{Entity, EntityId, WebhookType};
use crate::delivery::{DedupKey, Delivery, Provider};
use crate::error::{ConfigError, Error};
use crate::request::Request;
use crate::verify::UrlToken;
use crate::wire::RawJson;

/// Where the [`Verifier`] expects to be mounted unless told otherwise.
pub const DEFAULT_MOUNT: &str = crate::delivery::Provider::Skladon.route();

/// A checked Skladon call: the changed entity (POST) or its id (GET).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// A POST webhook: the entity, as Skladon's API returns it.
    Entity {
        /// The type the URL was registered for.
        webhook_type: WebhookType,
        /// The entity from the body. Boxed: an order is over a kilobyte inline, and a
        /// notification (inside [`AnyDelivery`](crate::AnyDelivery), every provider's
        /// delivery) is moved through several futures on its way to a handler.
        entity: Box<Entity>,
    },
    /// A GET webhook: only the id; fetch the entity from Skladon's API.
    EntityId {
        /// The type the URL was registered for.
        webhook_type: WebhookType,
        /// The id Skladon appended to the URL, percent-decoded: untrusted text (see
        /// [`EntityId`]).
        id: EntityId,
    },
    /// A POST for a webhook type this crate does not know, whose body is none of the known
    /// entities: Skladon adds types, and a new one is kept rather than refused.
    Unknown {
        /// The type the URL was registered for, verbatim.
        webhook_type: WebhookType,
        /// The body, a JSON object, exactly as sent.
        body: RawJson,
    },
}

impl Notification {
    /// The webhook type the call came in for.
    #[must_use]
    pub fn webhook_type(&self) -> &WebhookType {
        match self {
            Notification::Entity { webhook_type, .. }
            | Notification::EntityId { webhook_type, .. }
            | Notification::Unknown { webhook_type, .. } => webhook_type,
        }
    }

    /// The entity, for a POST webhook.
    #[must_use]
    pub fn entity(&self) -> Option<&Entity> {
        match self {
            Notification::Entity { entity, .. } => Some(entity),
            Notification::EntityId { .. } | Notification::Unknown { .. } => None,
        }
    }

    /// The entity's id: appended to the URL (GET), or read from the entity (POST); `None` for
    /// an [`Unknown`](Notification::Unknown) call, whose entity this crate cannot read.
    #[must_use]
    pub fn entity_id(&self) -> Option<String> {
        match self {
            Notification::Entity { entity, .. } => Some(entity.id()),
            Notification::EntityId { id, .. } => Some(id.as_str().to_owned()),
            Notification::Unknown { .. } => None,
        }
    }

    /// The part of the dedup key after `skladon:` (the key itself is
    /// [`Delivery::dedup_key`](crate::delivery::Delivery::dedup_key)): [`Entity::key_part`] for a
    /// POST; `<TYPE>:<id>:get` for a GET, which carries nothing else; for an unknown call,
    /// `<TYPE>:~` and a 16-hex-digit fingerprint of the body (a retry sends the same bytes).
    /// Two changes of one entity announced by GET share a key: fetch the entity when
    /// processing, so a later change is read even if its announcement was taken for a retry.
    pub(crate) fn key_part(&self) -> String {
        match self {
            Notification::Entity {
                webhook_type,
                entity,
            } => entity.key_part(webhook_type),
            Notification::EntityId { webhook_type, id } => format!("{webhook_type}:{id}:get"),
            Notification::Unknown { webhook_type, body } => {
                let digest = Sha256::digest(body.get().as_bytes());
                let mut key = format!("{webhook_type}:~");
                for b in digest.iter().take(8) {
                    key.push_str(&format!("{b:02x}"));
                }
                key
            }
        }
    }
}

impl Serialize for Notification {
    /// A POST's entity (or unknown body) exactly as Skladon sends it; a GET's id as a JSON
    /// string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Notification::Entity { entity, .. } => entity.serialize(s),
            Notification::EntityId { id, .. } => s.serialize_str(id.as_str()),
            Notification::Unknown { body, .. } => body.serialize(s),
        }
    }
}

/// Checks Skladon calls by the token in their path, and reads the webhook type and entity id
/// from it.
///
/// Skladon signs nothing and names neither the webhook type nor a credential, so the URL you
/// register is both: mount the receiver at a route (`/webhooks/skladon` by default, see
/// [`mounted_at`](Verifier::mounted_at)) and register, per webhook type,
///
/// - for POST: `https://you.example/webhooks/skladon/<token>/<TYPE>`, e.g.
///   `.../<token>/UPDATE_RECEIVING_STATUS`;
/// - for GET: the same with a trailing slash, `.../<token>/UPDATE_ORDER_STATUS/`, to which
///   Skladon appends the entity id.
///
/// The token is compared in constant time (several at once for rotation); `Debug` never shows
/// it.
///
/// ```
/// use delivery_webhooks::Request;
/// use delivery_webhooks::skladon::{self, Entity, Notification, WebhookType};
///
/// let verifier = skladon::Verifier::new("tok-5f1c9a7e2b4d8e")?;
/// let none: [(&str, &str); 0] = [];
///
/// // POST, registered at /webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_RECEIVING_STATUS
/// let body = br#"{"eshopReceivingId":"R-123","status":"received","products":[]}"#;
/// let post = Request::new(&none, body).uri("/webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_RECEIVING_STATUS");
/// let delivery = verifier.receive(&post)?;
/// let Some(Entity::Receiving(r)) = delivery.payload.entity() else { unreachable!() };
/// assert_eq!(delivery.payload.webhook_type(), &WebhookType::UpdateReceivingStatus);
/// assert_eq!(r.eshop_receiving_id, "R-123");
///
/// // GET, registered at /webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_ORDER_STATUS/
/// let get = Request::new(&none, b"").method("GET").uri("/webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_ORDER_STATUS/123456");
/// assert_eq!(verifier.receive(&get)?.payload.entity_id().as_deref(), Some("123456"));
///
/// // Without the token: 401. Outside the mount point or with a missing id: 404.
/// let forged = Request::new(&none, body).uri("/webhooks/skladon/guess/UPDATE_RECEIVING_STATUS");
/// assert_eq!(verifier.receive(&forged).unwrap_err().status_code(), 401);
/// let no_id = Request::new(&none, b"").method("GET").uri("/webhooks/skladon/tok-5f1c9a7e2b4d8e/UPDATE_ORDER_STATUS/");
/// assert_eq!(verifier.receive(&no_id).unwrap_err().status_code(), 404);
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    /// The token in the URL, the same type isendu's URL token is ([`UrlToken`]), checked at
    /// its position after the mount point.
    tokens: Option<UrlToken>,
    /// The mount path, without a trailing slash (empty for the root).
    mount: String,
    body_limit: usize,
    body_timeout: std::time::Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("skladon::Verifier")
            .field("tokens", &self.tokens)
            .field("mount", &self.mount)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

/// A request path taken apart: the token segment (if the verifier has tokens), the webhook
/// type, and a GET call's id.
struct Route<'a> {
    token: Option<&'a str>,
    webhook_type: &'a str,
    id: Option<&'a str>,
}

fn not_found(reason: &'static str) -> Error {
    Error::InvalidUrl { reason }
}

impl Verifier {
    /// The largest body this verifier accepts unless told otherwise (`body_limit`): 16 MiB. A
    /// Skladon return carries its attached files' content inline (`files[].data`), so a return with
    /// a few photos is several MiB; 16 MiB leaves room for about three times that. Its head check
    /// (the path token) runs before the body is read (`docs/security.md`, "Body limits per
    /// provider").
    pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

    /// A verifier requiring `token` as the path segment after the mount point.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if `token` is
    /// empty or only whitespace;
    /// [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret) if it is
    /// shorter than 16 bytes (you choose it: make it long and random).
    pub fn new(token: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::with_secrets([token])
    }

    /// A verifier accepting any of `tokens` (rotation: register the new URLs, then drop the
    /// old token).
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the list or
    /// any token is empty or only whitespace;
    /// [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret) if a token
    /// is shorter than 16 bytes.
    pub fn with_secrets<I, S>(tokens: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            tokens: Some(UrlToken::path_segment_with_tokens(tokens)?),
            ..Self::without_token()
        })
    }

    /// A verifier that checks no token: URLs are `<mount>/<TYPE>[/<id>]`, and anyone who learns
    /// them can call them. Only for receivers protected otherwise (a private network, a gateway
    /// that checks the caller).
    #[must_use]
    pub fn without_token() -> Self {
        Self {
            tokens: None,
            mount: DEFAULT_MOUNT.to_owned(),
            body_limit: Self::DEFAULT_BODY_LIMIT,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
        }
    }

    /// Sets the route the receiver is mounted at ([`DEFAULT_MOUNT`], `/webhooks/skladon`, by
    /// default): the path the request target starts with, before the token. `""` or `"/"` for
    /// the root, when your framework strips the prefix before the handler sees the path.
    #[must_use]
    pub fn mounted_at(mut self, path: impl Into<String>) -> Self {
        let mut mount = path.into();
        while mount.ends_with('/') {
            mount.pop();
        }
        if !mount.is_empty() && !mount.starts_with('/') {
            mount.insert(0, '/');
        }
        self.mount = mount;
        self
    }

    crate::body::limit_builders!();

    /// Takes the path apart: `<mount>/<token>/<TYPE>` for POST, `<mount>/<token>/<TYPE>/<id>`
    /// for GET, one trailing slash allowed; without tokens, no `<token>` segment.
    fn route<'a>(&self, request: &Request<'a>) -> Result<Route<'a>, Error> {
        let is_get = request.method.eq_ignore_ascii_case("GET");
        if !is_get && !request.method.eq_ignore_ascii_case("POST") {
            return Err(Error::MethodNotAllowed {
                method: "GET or POST",
            });
        }
        if request.uri.is_empty() {
            // No HTTP request has an empty target: the receiver never passed it.
            return Err(Error::MissingRequestPart {
                part: Error::TARGET,
            });
        }
        crate::url::check_bounds(request.uri)?;
        let path = request.path();
        let rest = path
            .strip_prefix(self.mount.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .ok_or_else(|| not_found("not under the receiver's mount path"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut segments = rest.split('/');
        let token = match self.tokens {
            Some(_) => Some(segments.next().unwrap_or("")),
            None => None,
        };
        let webhook_type = segments.next().unwrap_or("");
        let id = if is_get { segments.next() } else { None };
        if webhook_type.is_empty() || segments.next().is_some() {
            // Checked after the token below, so a bad shape says nothing about the token.
            return Ok(Route {
                token,
                webhook_type: "",
                id: None,
            });
        }
        Ok(Route {
            token,
            webhook_type,
            id,
        })
    }

    /// Checks the method, the body size, the token in the path and the path's shape. Allocates
    /// nothing.
    ///
    /// # Errors
    /// [`Error::MissingRequestPart`] (500) without a request target ([`Request::uri`] not
    /// called: the receiver's mistake), [`Error::MethodNotAllowed`] (405, neither GET nor
    /// POST), [`Error::BodyTooLarge`] (413),
    /// [`Error::UriTooLong`] (414, over 8 KiB or 64 segments), [`Error::InvalidUrl`] (404, not
    /// under the mount path; after the token: no type, or a GET without an id),
    /// [`Error::TokenMismatch`] (401).
    pub fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
        crate::body::check_body_size(request.body, self.body_limit)?;
        self.verify_head(request)
    }

    /// Checks what the request head proves without its body, before a framework adapter reads
    /// the body: the method, the token in the path (the whole credential), then the path's
    /// shape (a webhook type, and an entity id for GET). Allocates nothing.
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify) but [`Error::BodyTooLarge`].
    pub fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
        self.checked_route(head).map(drop)
    }

    /// The path taken apart, its token checked, then its shape: a type, and an id for GET.
    fn checked_route<'a>(&self, request: &Request<'a>) -> Result<Route<'a>, Error> {
        let route = self.route(request)?;
        self.check_token(&route)?;
        if route.webhook_type.is_empty() {
            return Err(not_found(
                "expected <token>/<TYPE>, and /<id> for GET (the method comes from `Request::method`)",
            ));
        }
        if route.id.is_none() && request.method.eq_ignore_ascii_case("GET") {
            return Err(not_found("no entity id after the webhook type"));
        }
        Ok(route)
    }

    fn check_token(&self, route: &Route<'_>) -> Result<(), Error> {
        let (Some(tokens), Some(presented)) = (&self.tokens, route.token) else {
            return Ok(());
        };
        if tokens.matches_segment(presented) {
            Ok(())
        } else {
            Err(Error::TokenMismatch)
        }
    }

    /// Checks, then reads the call: a POST's body is parsed as the entity of the webhook type
    /// in the path (by its keys, as [`parse`](super::parse) does, for a type this crate
    /// does not know; kept as [`Notification::Unknown`] when it is no known entity); a GET's id
    /// is taken from the path. The dedup key is `skladon:<TYPE>:<entity id>`, then the entity's version
    /// (see [`Delivery::dedup_key`](crate::delivery::Delivery::dedup_key) and `docs/skladon.md`).
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify); [`Error::InvalidUrl`] (404) for a path without a
    /// type, a GET without an id or with one holding a control character (see [`EntityId`]);
    /// then those of [`parse`](super::parse) (for an unknown type, only a body that is not a
    /// JSON object).
    pub fn receive(&self, request: &Request<'_>) -> Result<Delivery<Notification>, Error> {
        crate::body::check_body_size(request.body, self.body_limit)?;
        let route = self.checked_route(request)?;
        let webhook_type = crate::url::decode(route.webhook_type, false)
            .map(|t| WebhookType::from(t.as_ref()))
            .ok_or_else(|| not_found("malformed percent-encoding in the webhook type"))?;
        let get_id = route.id.map(EntityId::from_segment).transpose()?;
        let notification = Notification::read(webhook_type, get_id, request.body)?;
        let key = DedupKey::new(Provider::Skladon, notification.key_part());
        Ok(Delivery::new(Provider::Skladon, key, notification))
    }
}

crate::delivery::receive_by_inherent_methods!(Verifier, Provider::Skladon, Notification);
