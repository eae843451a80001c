//! The isendu [`Verifier`]: the URL token, and the handshake answered for a configured key id.

use std::fmt;

use zeroize::Zeroizing;

use super::{Message, VerificationRequest, parse};
use crate::delivery::{DedupKey, Delivery, Provider};
use crate::error::{ConfigError, Error};
use crate::reply::Reply;
use crate::request::Request;
use crate::verify::{TokenSet, UrlToken};

/// One API integration: its key id (compared in constant time) and the prepared answer.
#[derive(Clone)]
struct Integration {
    key_id: TokenSet,
    /// Contains the secret key: wiped when dropped.
    response: Zeroizing<String>,
}

// Both fields wipe themselves on drop; this fails to compile if either stops doing so.
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<TokenSet>();
    wiped_on_drop::<Zeroizing<String>>();
};

/// Checks the token in the request URL and answers isendu's handshake.
///
/// Holds the integration's secret key, since the handshake answer must contain it; `Debug`
/// never shows it (nor the key id), and it is revealed only to a handshake naming the right key
/// id on a URL carrying the right token.
///
/// # The handshake window
/// isendu sends the handshake five minutes after the URL is registered (and again whenever the
/// integration is saved) and waits 5 seconds for the answer. The key id alone is no secret worth
/// the name — it appears in isendu's dashboard and in every handshake body — so without a URL
/// token anyone who learns it could ask the receiver for the secret key at any time. That is
/// why [`new`](Verifier::new) and [`with_secrets`](Verifier::with_secrets) take the URL token:
/// register `https://you.example/webhooks/isendu?token=<long random value>`. Only a receiver
/// protected otherwise (a gateway that checks the caller) should use the explicitly named
/// [`without_url_token`](Verifier::without_url_token).
#[derive(Clone)]
pub struct Verifier {
    integrations: Vec<Integration>,
    url_token: Option<UrlToken>,
    body_limit: usize,
    body_timeout: std::time::Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("isendu::Verifier")
            .field(
                "integrations",
                &format_args!("[{} redacted key pair(s)]", self.integrations.len()),
            )
            .field("url_token", &self.url_token)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

impl Verifier {
    /// The largest body this verifier accepts unless told otherwise (`body_limit`): 16 MiB. isendu
    /// batches its events with no documented maximum: a batch of 10,000 trackings of the documented
    /// shape is about 5 MiB, and 16 MiB leaves about three times that. Its head check (the URL
    /// token) runs before the body is read (`docs/security.md`, "Body limits per provider").
    pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

    /// A verifier for one API integration: its key id and secret key, as isendu shows them when
    /// the key pair is generated, and the token every request URL must carry (the handshake
    /// included), e.g. `UrlToken::query("token", value)` for `.../webhooks/isendu?token=value`.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the key id
    /// or the secret key is empty or only whitespace.
    pub fn new(
        key_id: impl AsRef<str>,
        secret_key: impl AsRef<str>,
        url_token: UrlToken,
    ) -> Result<Self, ConfigError> {
        Self::with_secrets([(key_id, secret_key)], url_token)
    }

    /// A verifier for several integrations at once, as `(key id, secret key)` pairs: during a key
    /// rotation, the new pair's handshake is answered with the new secret while the old one still
    /// works. The URL token rotates on its own ([`UrlToken::query_with_tokens`]).
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the list, a
    /// key id or a secret key is empty or only whitespace.
    pub fn with_secrets<I, K, S>(pairs: I, url_token: UrlToken) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, S)>,
        K: AsRef<str>,
        S: AsRef<str>,
    {
        Ok(Self {
            url_token: Some(url_token),
            ..Self::without_url_token(pairs)?
        })
    }

    /// A verifier that checks no URL token: anyone who learns the key id can obtain the secret
    /// key from the handshake, at any time, and post fake updates. Only for receivers protected
    /// otherwise (a gateway that checks the caller).
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the list, a
    /// key id or a secret key is empty or only whitespace.
    pub fn without_url_token<I, K, S>(pairs: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, S)>,
        K: AsRef<str>,
        S: AsRef<str>,
    {
        let mut integrations = Vec::new();
        for (key_id, secret) in pairs {
            let secret = secret.as_ref();
            if crate::verify::is_blank(secret.as_bytes()) {
                return Err(ConfigError::empty_secret());
            }
            // serde_json escapes quotes, backslashes and control characters; a `&str` cannot
            // fail to serialize.
            let quoted = Zeroizing::new(
                serde_json::to_string(secret).map_err(|_| ConfigError::empty_secret())?,
            );
            // Sized up front so that the text is written once, in the buffer that is wiped.
            let mut response = Zeroizing::new(String::with_capacity(quoted.len() + 14));
            response.push_str(r#"{"response":"#);
            response.push_str(&quoted);
            response.push('}');
            integrations.push(Integration {
                key_id: TokenSet::new([key_id.as_ref()])?,
                response,
            });
        }
        if integrations.is_empty() {
            return Err(ConfigError::empty_secret());
        }
        Ok(Self {
            integrations,
            url_token: None,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
        })
    }

    crate::body::limit_builders!();

    /// The handshake answer, `{"response":"<secret key>"}`, JSON-escaped, for a request naming
    /// one of the configured key ids. [`receive`](Verifier::receive) puts it in the delivery's
    /// [`Reply`]; call this directly only outside the contract. The text is wiped on drop.
    ///
    /// # Errors
    /// [`Error::TokenMismatch`] (401) when the key id is not one of the configured ones: the
    /// secret is never sent to a handshake for another integration.
    ///
    /// ```
    /// use delivery_webhooks::isendu::{VerificationRequest, Verifier};
    ///
    /// let verifier = Verifier::without_url_token([("key-7f3a", r#"se"cr\et"#)])?;
    /// let body = verifier.answer(&VerificationRequest::new("key-7f3a"))?;
    /// assert_eq!(body.as_str(), r#"{"response":"se\"cr\\et"}"#);
    /// assert!(verifier.answer(&VerificationRequest::new("key-0000")).is_err());
    /// # Ok::<(), delivery_webhooks::Error>(())
    /// ```
    pub fn answer(&self, request: &VerificationRequest) -> Result<Zeroizing<String>, Error> {
        let presented = request.key_id.as_bytes();
        // Every integration is compared, so timing does not tell which one matched.
        let mut hit = None;
        for integration in &self.integrations {
            if integration.key_id.matches(presented) {
                hit = Some(integration);
            }
        }
        hit.map(|i| i.response.clone()).ok_or(Error::TokenMismatch)
    }

    /// Checks the body size and, if configured, the URL token in the request target. Allocates
    /// nothing.
    ///
    /// # Errors
    /// [`Error::BodyTooLarge`] (413), then those of [`verify_head`](Verifier::verify_head).
    pub fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
        crate::body::check_body_size(request.body, self.body_limit)?;
        self.verify_head(request)
    }

    /// Checks what the request head proves without its body, before a framework adapter reads
    /// the body: the URL token, if configured. (The handshake's key id is in the body:
    /// [`receive`](Verifier::receive) checks it.) Allocates nothing.
    ///
    /// # Errors
    /// [`Error::MissingRequestPart`] (500) when a URL token is configured and the request
    /// carries no target ([`Request::uri`] was not called): the receiver's mistake, never told
    /// apart from a forgery otherwise. [`Error::TokenMismatch`] (401).
    pub fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
        match &self.url_token {
            Some(_) if head.uri.is_empty() => Err(Error::MissingRequestPart {
                part: Error::TARGET,
            }),
            Some(token) => token.verify(head.uri),
            None => Ok(()),
        }
    }

    /// Checks, parses, and answers a handshake: the delivery's [`Reply`] holds
    /// `{"response":"<secret key>"}` for a handshake naming a configured key id (wiped on drop),
    /// an empty 200 for an update. The dedup key is the SHA-256 of the body (`isendu:sha256:…`):
    /// isendu sends no id.
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify) and [`parse`], and [`Error::TokenMismatch`] for a
    /// handshake naming another key id.
    pub fn receive(&self, request: &Request<'_>) -> Result<Delivery<Message>, Error> {
        self.verify(request)?;
        let body = request.body;
        let message = parse(body)?;
        let reply = match &message {
            Message::Verification(handshake) => {
                let mut answer = self.answer(handshake)?;
                // Moves the buffer (no copy left behind): the reply wipes it on drop.
                Reply::secret_json(std::mem::take(&mut *answer).into_bytes())
            }
            Message::Update(_) => Reply::ok(),
        };
        let key = DedupKey::of_body(Provider::Isendu, body);
        let mut delivery = Delivery::new(Provider::Isendu, key, message);
        delivery.reply = reply;
        Ok(delivery)
    }
}

crate::delivery::receive_by_inherent_methods!(Verifier, Provider::Isendu, Message);
