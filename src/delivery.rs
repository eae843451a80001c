//! The receiver contract: [`Provider`], the [`Receive`] trait, the one [`Delivery`] type, its
//! [`DedupKey`]; the [`Reply`] to send is in [`reply`](crate::reply).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::reply::Reply;
use crate::request::Request;
use crate::request_headers::RequestHeaders;

/// The five providers this crate receives webhooks from.
///
/// ```
/// use delivery_webhooks::Provider;
///
/// assert_eq!(Provider::Xoxoday.as_str(), "xoxoday");
/// assert_eq!("isendu".parse::<Provider>(), Ok(Provider::Isendu));
/// assert_eq!(Provider::ALL.len(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// Wakilni: order events signed with HMAC-SHA256.
    Wakilni,
    /// Peddler: shipment status updates with a shared token.
    Peddler,
    /// Xoxoday (Plum Pro): reward delivery status, checked by source address.
    Xoxoday,
    /// isendu: a key-id handshake, then batches of orders and trackings.
    Isendu,
    /// Skladon: fulfilment entities, GET or POST, with a token in the URL.
    Skladon,
}

impl Provider {
    /// Every provider, in the order above.
    pub const ALL: [Provider; 5] = [
        Provider::Wakilni,
        Provider::Peddler,
        Provider::Xoxoday,
        Provider::Isendu,
        Provider::Skladon,
    ];

    /// The provider's name in lowercase: also its cargo feature, its route segment
    /// (`/webhooks/<name>`) and the namespace of its [`DedupKey`]s.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Wakilni => "wakilni",
            Provider::Peddler => "peddler",
            Provider::Xoxoday => "xoxoday",
            Provider::Isendu => "isendu",
            Provider::Skladon => "skladon",
        }
    }

    /// The route the framework adapters' ready routers mount the provider at, and the test kit
    /// sends to by default: `/webhooks/<name>` (Skladon's calls continue below it with
    /// `/<token>/<TYPE>[/<id>]`). The one place this path is written.
    ///
    /// ```
    /// use delivery_webhooks::Provider;
    ///
    /// assert_eq!(Provider::Peddler.route(), "/webhooks/peddler");
    /// ```
    #[must_use]
    pub const fn route(self) -> &'static str {
        match self {
            Provider::Wakilni => "/webhooks/wakilni",
            Provider::Peddler => "/webhooks/peddler",
            Provider::Xoxoday => "/webhooks/xoxoday",
            Provider::Isendu => "/webhooks/isendu",
            Provider::Skladon => "/webhooks/skladon",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Provider`] from a name that is none of the five.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProvider;

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown provider: expected wakilni, peddler, xoxoday, isendu or skladon")
    }
}

impl std::error::Error for UnknownProvider {}

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// Reads a provider's name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownProvider)
    }
}

impl Serialize for Provider {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Provider {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// A provider's check and parser behind one interface: implemented by every provider's
/// `Verifier`, so that generic code (a framework adapter, a queue, a router) is written once.
///
/// ```
/// # #[cfg(all(feature = "wakilni", feature = "peddler"))] {
/// use delivery_webhooks::{Receive, Request, peddler, wakilni};
///
/// /// One handler for any provider: the status to answer and, on success, the dedup key.
/// fn handle<R: Receive>(receiver: &R, request: &Request<'_>) -> (u16, Option<String>) {
///     match receiver.receive(request) {
///         Ok(delivery) => (delivery.reply.status_code(), Some(delivery.dedup_key().to_string())),
///         Err(err) => (err.status_code(), None),
///     }
/// }
///
/// let body = br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13",
///   "data":{"order_id":1,"waybill":"W1","created_at":"2024-11-14 14:39:10"}}"#;
/// let signature = wakilni::sign("wk-secret", body);
/// let headers = [("x-webhook-signature", signature.as_str())];
/// let request = Request::new(&headers, body);
///
/// let wakilni = wakilni::Verifier::new("wk-secret")?;
/// assert_eq!(handle(&wakilni, &request), (200, Some("wakilni:e1".to_string())));
/// // The same request at Peddler's verifier: no shared token, so 401.
/// let peddler = peddler::Verifier::new("pd-token")?;
/// assert_eq!(handle(&peddler, &request), (401, None));
/// # }
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub trait Receive {
    /// The typed payload the provider sends.
    type Payload;

    /// Which provider this is.
    fn provider(&self) -> Provider;

    /// The largest body accepted, in bytes: a framework adapter stops reading the body there.
    fn body_limit(&self) -> usize;

    /// How long a framework adapter waits for the whole body once the head has passed
    /// [`verify_head`](Receive::verify_head); a body still arriving then is refused with
    /// [`Error::BodyTimeout`](crate::Error::BodyTimeout) (408).
    fn body_timeout(&self) -> std::time::Duration;

    /// Checks what the request head alone can prove (a header token, a URL token, the peer
    /// address, an API key, the presence of a signature), before the body is read: a framework
    /// adapter runs it first, so that a sender without a credential never makes the receiver
    /// buffer a body. `head` is the request without its body (any body given is not looked
    /// at). [`receive`](Receive::receive) and [`verify`](Receive::verify) check the head again,
    /// so code that skips this check is no less safe, only less frugal.
    ///
    /// # Errors
    /// The provider's [`Error`](crate::Error) for an unauthenticated or misaddressed request:
    /// 401, 403, 404, 405 or 414.
    fn verify_head(&self, head: &Request<'_>) -> Result<()>;

    /// Checks authenticity only (body size first, then the provider's credential).
    ///
    /// # Errors
    /// The provider's [`Error`](crate::Error) for an oversized, unauthenticated or misaddressed
    /// request.
    fn verify(&self, request: &Request<'_>) -> Result<()>;

    /// Checks authenticity, then parses: the one entry point a receiver needs.
    ///
    /// # Errors
    /// Those of [`verify`](Receive::verify), then [`Error::Payload`](crate::Error::Payload)
    /// naming the JSON path of a malformed body.
    fn receive(&self, request: &Request<'_>) -> Result<Delivery<Self::Payload>>;
}

/// Implements [`Receive`] for a provider's `Verifier` by its inherent `verify` and `receive`
/// and its `body_limit` field: the one shape every provider shares, written once.
#[cfg_attr(not(any_provider), allow(unused_macros))]
macro_rules! receive_by_inherent_methods {
    ($verifier:ty, $provider:expr, $payload:ty) => {
        impl $crate::delivery::Receive for $verifier {
            type Payload = $payload;

            fn provider(&self) -> $crate::delivery::Provider {
                $provider
            }

            fn body_limit(&self) -> usize {
                self.body_limit
            }

            fn body_timeout(&self) -> std::time::Duration {
                self.body_timeout
            }

            fn verify_head(
                &self,
                head: &$crate::request::Request<'_>,
            ) -> $crate::error::Result<()> {
                <$verifier>::verify_head(self, head)
            }

            fn verify(&self, request: &$crate::request::Request<'_>) -> $crate::error::Result<()> {
                <$verifier>::verify(self, request)
            }

            fn receive(
                &self,
                request: &$crate::request::Request<'_>,
            ) -> $crate::error::Result<$crate::delivery::Delivery<$payload>> {
                <$verifier>::receive(self, request)
            }
        }
    };
}

#[cfg_attr(not(any_provider), allow(unused_imports))]
pub(crate) use receive_by_inherent_methods;

impl<R: Receive + ?Sized> Receive for &R {
    type Payload = R::Payload;
    fn provider(&self) -> Provider {
        (**self).provider()
    }
    fn body_limit(&self) -> usize {
        (**self).body_limit()
    }
    fn body_timeout(&self) -> std::time::Duration {
        (**self).body_timeout()
    }
    fn verify_head(&self, head: &Request<'_>) -> Result<()> {
        (**self).verify_head(head)
    }
    fn verify(&self, request: &Request<'_>) -> Result<()> {
        (**self).verify(request)
    }
    fn receive(&self, request: &Request<'_>) -> Result<Delivery<Self::Payload>> {
        (**self).receive(request)
    }
}

impl<R: Receive + ?Sized> Receive for std::sync::Arc<R> {
    type Payload = R::Payload;
    fn provider(&self) -> Provider {
        (**self).provider()
    }
    fn body_limit(&self) -> usize {
        (**self).body_limit()
    }
    fn body_timeout(&self) -> std::time::Duration {
        (**self).body_timeout()
    }
    fn verify_head(&self, head: &Request<'_>) -> Result<()> {
        (**self).verify_head(head)
    }
    fn verify(&self, request: &Request<'_>) -> Result<()> {
        (**self).verify(request)
    }
    fn receive(&self, request: &Request<'_>) -> Result<Delivery<Self::Payload>> {
        (**self).receive(request)
    }
}

/// A verified, parsed webhook delivery: the one delivery type of every provider.
///
/// Answer with [`reply`](Delivery::reply) (an empty 200, or isendu's handshake answer), store
/// or process [`payload`](Delivery::payload), and deduplicate retries on
/// [`dedup_key`](Delivery::dedup_key).
///
/// Two deliveries are equal when their provider, key, payload, reply and attempt are: the
/// request's [`headers`](Delivery::headers) are context, not part of the delivery.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery<P> {
    /// Who sent it.
    pub provider: Provider,
    /// Read with [`dedup_key()`](Delivery::dedup_key): the one key to deduplicate on.
    pub(crate) dedup_key: DedupKey,
    /// The typed payload; it serializes back to the provider's wire format.
    pub payload: P,
    /// What to answer.
    pub reply: Reply,
    /// The attempt number, where the provider sends one (Wakilni's `x-attempt-number`; 1 for
    /// the first attempt).
    pub attempt: Option<u32>,
    /// Read with [`headers()`](Delivery::headers); filled by the adapters and the inbox.
    pub(crate) headers: RequestHeaders,
}

impl<P: PartialEq> PartialEq for Delivery<P> {
    fn eq(&self, other: &Self) -> bool {
        (
            self.provider,
            &self.dedup_key,
            &self.payload,
            &self.reply,
            self.attempt,
        ) == (
            other.provider,
            &other.dedup_key,
            &other.payload,
            &other.reply,
            other.attempt,
        )
    }
}

impl<P: Eq> Eq for Delivery<P> {}

impl<P> Delivery<P> {
    /// A delivery with an empty 200 reply and no attempt number: for tests of your own code,
    /// and for deliveries rebuilt from storage.
    #[must_use]
    pub fn new(provider: Provider, dedup_key: DedupKey, payload: P) -> Self {
        Self {
            provider,
            dedup_key,
            payload,
            reply: Reply::ok(),
            attempt: None,
            headers: RequestHeaders::default(),
        }
    }

    /// The headers of the request it came in, credentials masked: Wakilni's
    /// `x-webhook-delivery-id`, say, or any header a provider adds. Filled in router mode (the
    /// framework adapters) and inbox mode (each item); empty for a delivery from
    /// [`Receive::receive`] called directly. See [`RequestHeaders`].
    #[must_use]
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }

    /// The key to deduplicate on: the same for every retry of this delivery, distinct across
    /// providers, prefixed with the provider (`wakilni:<event_id>`, `skladon:<TYPE>:..`). The
    /// one key a user should deduplicate on; [`AnyDelivery::dedup_key`](crate::AnyDelivery::dedup_key)
    /// gives the same.
    #[must_use]
    pub fn dedup_key(&self) -> &DedupKey {
        &self.dedup_key
    }

    /// Sets the attempt number.
    #[must_use]
    pub fn with_attempt(mut self, attempt: Option<u32>) -> Self {
        self.attempt = attempt;
        self
    }

    /// The same delivery with its payload transformed (e.g. to your own type).
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Delivery<Q> {
        Delivery {
            provider: self.provider,
            dedup_key: self.dedup_key,
            payload: f(self.payload),
            reply: self.reply,
            attempt: self.attempt,
            headers: self.headers,
        }
    }

    /// The payload alone.
    pub fn into_payload(self) -> P {
        self.payload
    }
}

/// The key that identifies a delivery across its retries, namespaced by provider:
/// `wakilni:<event_id>`, `xoxoday:<id>`, `isendu:sha256:<digest of the body>`...
///
/// Two deliveries with equal keys are the same event sent again; keys of different providers
/// never collide. Where the provider sends no id (isendu), the key is the SHA-256 of the exact
/// body bytes, so a byte-identical retry has the same key.
///
/// ```
/// use delivery_webhooks::{DedupKey, Provider};
///
/// let key = DedupKey::new(Provider::Wakilni, "e2986cd1");
/// assert_eq!(key.to_string(), "wakilni:e2986cd1");
/// assert_eq!((key.provider(), key.id()), (Provider::Wakilni, "e2986cd1"));
/// assert_eq!(key, "wakilni:e2986cd1".parse()?);
/// assert_ne!(DedupKey::of_body(Provider::Isendu, b"{}"), DedupKey::of_body(Provider::Isendu, b"{ }"));
/// # Ok::<(), delivery_webhooks::UnknownProvider>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupKey {
    provider: Provider,
    /// `<provider>:<id>`, kept whole so that `Display` and `as_str` cost nothing.
    key: String,
}

impl DedupKey {
    /// The key of `id` at `provider`.
    #[must_use]
    pub fn new(provider: Provider, id: impl fmt::Display) -> Self {
        use fmt::Write as _;
        let mut key = String::with_capacity(provider.as_str().len() + 40);
        key.push_str(provider.as_str());
        key.push(':');
        // Writing to a String cannot fail.
        let _ = write!(key, "{id}");
        Self { provider, key }
    }

    /// The key of a body that carries no id: `sha256:` and the hex SHA-256 of the exact bytes.
    #[must_use]
    pub fn of_body(provider: Provider, body: &[u8]) -> Self {
        Self::new(
            provider,
            format_args!("sha256:{}", Hex(&Sha256::digest(body))),
        )
    }

    /// The provider namespace.
    #[must_use]
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The key without its provider prefix.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.key[self.provider.as_str().len() + 1..]
    }

    /// The whole key, `<provider>:<id>`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.key
    }
}

/// Lowercase hex of a byte string.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

impl fmt::Debug for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DedupKey").field(&self.key).finish()
    }
}

impl AsRef<str> for DedupKey {
    fn as_ref(&self) -> &str {
        &self.key
    }
}

impl FromStr for DedupKey {
    type Err = UnknownProvider;

    /// Reads a key back from its text, `<provider>:<id>`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (provider, id) = s.split_once(':').ok_or(UnknownProvider)?;
        let provider: Provider = provider.parse()?;
        Ok(Self::new(provider, id))
    }
}

impl Serialize for DedupKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key)
    }
}

impl<'de> Deserialize<'de> for DedupKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_and_stable() {
        let a = DedupKey::new(Provider::Peddler, 42);
        assert_eq!(a.as_str(), "peddler:42");
        assert_eq!(a.id(), "42");
        assert_ne!(a, DedupKey::new(Provider::Wakilni, 42));
        let body = DedupKey::of_body(Provider::Isendu, b"{}");
        assert_eq!(
            body.as_str(),
            "isendu:sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(body.id().len(), 7 + 64);
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(serde_json::from_str::<DedupKey>(&json).unwrap(), body);
        assert!("nobody:1".parse::<DedupKey>().is_err());
        assert!("wakilni".parse::<DedupKey>().is_err());
    }

    #[test]
    fn providers_round_trip_their_names() {
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>(), Ok(p));
            assert_eq!(p.to_string().to_uppercase().parse::<Provider>(), Ok(p));
        }
        assert_eq!("".parse::<Provider>(), Err(UnknownProvider));
    }

    #[test]
    fn secret_replies_are_redacted() {
        let r = Reply::secret_json(br#"{"response":"sk_live"}"#.to_vec());
        assert!(!format!("{r:?}").contains("sk_live"));
        assert_eq!(r.content_type(), Some("application/json"));
        assert_eq!(Reply::ok().body(), b"");
        assert!(format!("{:?}", Reply::ok()).contains("200"));
    }
}
