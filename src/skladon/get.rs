//! GET webhooks: Skladon calls the registered URL with the entity id appended.

use std::fmt;

use crate::error::Error;
use crate::url;

/// The id Skladon appended to a GET webhook URL, percent-decoded: an `eshopOrderId` for order
/// types, an `eshopReceivingId` for receivings, and so on. Fetch the entity with it from
/// Skladon's API, putting it in that URL with [`to_path_segment`](EntityId::to_path_segment).
///
/// # Untrusted data
/// The id is whatever the caller put in the URL: e-shop order and receiving numbers such as
/// `2024/0012` are common (Skladon sends them percent-encoded, `2024%2F0012`), so a decoded id
/// may hold `/`, `?`, `#`, `..`, spaces or any other text. Only what no identifier holds is
/// refused where the id is read: control characters (C0, NUL included, and DEL), a malformed
/// escape and invalid UTF-8. **Never use it as a file path, and never build a URL from it
/// unescaped**: [`to_path_segment`](EntityId::to_path_segment) escapes it as one path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(String);

impl EntityId {
    /// An id as Skladon would append it (decoded text), for tests and tooling.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for an id the receiver refuses: empty, or holding a control
    /// character (C0, NUL included, or DEL).
    ///
    /// ```
    /// use delivery_webhooks::skladon::EntityId;
    ///
    /// assert_eq!(EntityId::new("ORD 7+1")?.to_path_segment(), "ORD%207%2B1");
    /// assert_eq!(EntityId::new("2024/0012")?.to_path_segment(), "2024%2F0012");
    /// assert!(EntityId::new("a\u{0}b").is_err());
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        let id = id.into();
        Self::from_segment(&url::encode_component(&id))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned `String`.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl EntityId {
    /// An id already decoded and checked (one read back from the inbox).
    #[cfg(feature = "inbox")]
    pub(crate) fn from_decoded(id: String) -> Self {
        Self(id)
    }

    /// Reads one path segment: percent-decodes it and refuses unsafe ids (see the type's docs).
    pub(crate) fn from_segment(raw: &str) -> Result<Self, Error> {
        let decoded = url::decode(raw, false)
            .ok_or_else(|| invalid("malformed percent-encoding in the entity id"))?;
        if decoded.is_empty() {
            return Err(invalid("no entity id after the registered url"));
        }
        // C0 (NUL included) and DEL: no identifier holds them, and they are what breaks logs,
        // headers and terminals. Anything else is an id Skladon may really send.
        if decoded.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err(invalid("the entity id contains a control character"));
        }
        Ok(EntityId(decoded.into_owned()))
    }

    /// The id percent-encoded as one URL path segment: every byte but ASCII letters, digits and
    /// `-._~` is escaped, so the id can be appended to an API URL as it is.
    ///
    /// ```
    /// use delivery_webhooks::skladon::entity_id_from_url;
    ///
    /// let id = entity_id_from_url("/orders/", "/orders/ORD%207%2B1")?;
    /// assert_eq!(id.as_str(), "ORD 7+1");
    /// assert_eq!(id.to_path_segment(), "ORD%207%2B1");
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    #[must_use]
    pub fn to_path_segment(&self) -> String {
        url::encode_component(&self.0)
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EntityId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidUrl { reason }
}

/// The entity id of a GET webhook call: `requested` is `registered` with one more path segment.
///
/// Skladon calls the URL you registered with the entity id appended: register
/// `https://app.example/api/orders/changes/` and a change of order `123456` arrives as
/// `GET https://app.example/api/orders/changes/123456`.
///
/// - `registered` may end with a slash or not (`.../changes` and `.../changes/` are the same);
/// - either URL may be absolute or just the request target (`/api/orders/changes/123456`,
///   as most frameworks give it); when both are absolute their scheme and host are compared,
///   ignoring ASCII case;
/// - query strings on either side are ignored here (check a token in them with
///   the [`Verifier`](super::Verifier), which reads the token from the path);
/// - the id is percent-decoded (`ORD%207` is `ORD 7`, `2024%2F0012` is `2024/0012`); one
///   trailing slash after it is allowed; an id holding a control character is refused.
///
/// Paths are compared exactly (case-sensitive, not decoded). When the registered URL holds a
/// secret token, receive through the [`Verifier`](super::Verifier) instead, which checks the
/// token in constant time first. The id is untrusted data (see [`EntityId`]).
///
/// # Errors
/// [`Error::InvalidUrl`] (HTTP 404) when `requested` is not under `registered` (another path or
/// origin), has no id, has more than one segment after it, has a malformed percent escape, or
/// an id holding a control character.
///
/// ```
/// use delivery_webhooks::skladon::entity_id_from_url;
///
/// let registered = "https://app.myclientapp/api/orders/changes/";
/// let id = entity_id_from_url(registered, "https://app.myclientapp/api/orders/changes/123456")?;
/// assert_eq!(id.as_str(), "123456");
/// let id = entity_id_from_url(registered, "/api/orders/changes/ORD%207?x=1")?;
/// assert_eq!(id.as_str(), "ORD 7");
/// let id = entity_id_from_url(registered, "/api/orders/changes/2024%2F0012")?;
/// assert_eq!(id.as_str(), "2024/0012");
/// assert_eq!(entity_id_from_url(registered, "/api/orders/changes/a%00b").unwrap_err().status_code(), 404);
/// assert_eq!(entity_id_from_url(registered, "/api/orders/other/1").unwrap_err().status_code(), 404);
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub fn entity_id_from_url(registered: &str, requested: &str) -> Result<EntityId, Error> {
    let reg = url::split(registered);
    let req = url::split(requested);
    if !reg.origin.is_empty()
        && !req.origin.is_empty()
        && !reg.origin.eq_ignore_ascii_case(req.origin)
    {
        return Err(invalid("not under the registered url (another origin)"));
    }
    let base = reg.path.trim_end_matches('/');
    let rest = req
        .path
        .strip_prefix(base)
        .ok_or_else(|| invalid("not under the registered url"))?;
    // `base` ends where a segment ends: `/changes` does not cover `/changes123`.
    let rest = match rest.strip_prefix('/') {
        Some(rest) => rest,
        None if rest.is_empty() => return Err(invalid("no entity id after the registered url")),
        None => return Err(invalid("not under the registered url")),
    };
    let id = rest.strip_suffix('/').unwrap_or(rest);
    if id.is_empty() {
        return Err(invalid("no entity id after the registered url"));
    }
    if id.contains('/') {
        return Err(invalid(
            "more than one path segment after the registered url",
        ));
    }
    EntityId::from_segment(id)
}
