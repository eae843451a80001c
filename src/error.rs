//! The crate's two error types: [`Error`], what can go wrong while receiving a webhook, and
//! [`ConfigError`], a setting a verifier or [`Config`](crate::config::Config) cannot use.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

/// Everything that can go wrong while receiving a webhook.
///
/// One type for every provider, so a handler maps any failure to an HTTP answer in one line with
/// [`Error::status_code`]. The enum is `#[non_exhaustive]` because providers change: a new
/// authentication scheme or a new failure mode must be addable without breaking your `match`.
///
/// Messages are short, lowercase and never contain a secret, a token or a signature value, so an
/// error can be logged as it is.
///
/// ```
/// # #[cfg(feature = "wakilni")] {
/// use delivery_webhooks::{wakilni, Error};
///
/// let err = wakilni::parse(b"{not json").unwrap_err();
/// assert_eq!(err.status_code(), 400);
/// assert!(matches!(err, Error::Payload(_)));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A header the check needs was not sent (or was sent empty).
    #[error("missing header `{name}`")]
    MissingHeader {
        /// The header's name, lowercase.
        name: &'static str,
    },
    /// A security header was sent more than once with different values.
    ///
    /// Which one is genuine cannot be decided, so the delivery is refused.
    #[error("header `{name}` sent more than once with different values")]
    ConflictingHeader {
        /// The header's name, lowercase.
        name: &'static str,
    },
    /// A header was present but its value could not be read.
    #[error("invalid header `{name}`: {reason}")]
    InvalidHeader {
        /// The header's name, lowercase.
        name: &'static str,
        /// What was wrong with the value (never the value itself).
        reason: &'static str,
    },
    /// The body's signature does not match any configured secret.
    #[error("signature mismatch")]
    SignatureMismatch,
    /// The shared token, API key or URL token does not match any configured one.
    #[error("token mismatch")]
    TokenMismatch,
    /// The request did not come from an allowed source address.
    #[error("untrusted source address {addr}")]
    UntrustedSource {
        /// The client address the decision was made on.
        addr: IpAddr,
    },
    /// The body is larger than the configured limit.
    #[error("body of {len} bytes exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The body's length in bytes.
        len: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The body could not be read to its end: the sender closed the connection or sent a
    /// malformed chunked encoding. Raised by the framework adapters, which read the body.
    #[error("the request body could not be read to its end")]
    IncompleteBody,
    /// The body did not arrive in time ([`Receive::body_timeout`](crate::Receive::body_timeout)):
    /// a sender holding the connection open with a trickle of bytes. Raised by the framework
    /// adapters, once the request head has passed its check.
    #[error("the request body did not arrive within {} ms", after.as_millis())]
    BodyTimeout {
        /// How long the adapter waited.
        after: std::time::Duration,
    },
    /// The receiver already holds as many request bodies as its budget allows
    /// ([`DEFAULT_BODY_BUDGET`](crate::DEFAULT_BODY_BUDGET), 64 MiB, across every request), and
    /// none finished within the wait: answered 503 with `Retry-After`, so that the sender
    /// retries. Raised by the framework adapters, once the request head has passed its check.
    #[error("the receiver's body budget of {budget} bytes stayed full for {} ms", waited.as_millis())]
    Busy {
        /// The budget, in bytes.
        budget: usize,
        /// How long the request waited for room.
        waited: std::time::Duration,
    },
    /// A verifier could not be built: never returned while receiving (constructors and
    /// [`Config`](crate::config::Config) return the [`ConfigError`] itself). The variant exists so
    /// that `?` works in one function that builds a verifier and receives with it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request target is longer, or has more path segments, than a check reads: refused
    /// before any work, so a hostile URL costs nothing.
    #[error("uri too long: {reason}")]
    UriTooLong {
        /// Which bound was passed.
        reason: &'static str,
    },
    /// A URL did not have the expected shape (see the provider's docs).
    #[error("invalid url: {reason}")]
    InvalidUrl {
        /// What was wrong.
        reason: &'static str,
    },
    /// The body is not the JSON the provider documents.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The provider never calls with this HTTP method (Skladon uses GET and POST, the others
    /// POST).
    #[error("method {method} not allowed")]
    MethodNotAllowed {
        /// The allowed method(s), e.g. `POST` or `GET or POST`.
        method: &'static str,
    },
    /// The receiver did not give the check something it needs: the peer address for
    /// Xoxoday's source check ([`Request::peer`](crate::Request::peer)), the request target for
    /// isendu's URL token and Skladon's path ([`Request::uri`](crate::Request::uri)). The
    /// message names the setter to call.
    ///
    /// A bug in the integration, not in the request, so it answers 500, not 401: a 401 would
    /// blame the sender and read exactly like a forgery, and a provider that is refused retries
    /// and then disables the endpoint while the receiver's operator looks for an attacker. A
    /// sender cannot cause it (an HTTP request always has a target, and the server, not a
    /// header, gives the peer), and the message says nothing about any credential.
    #[error(
        "the receiver did not provide the request's {part}{}",
        how_to_pass(part)
    )]
    MissingRequestPart {
        /// What is missing: [`PEER`](Error::PEER), [`TARGET`](Error::TARGET), or the same with
        /// a framework adapter's explanation after a colon.
        part: &'static str,
    },
}

/// The setter that passes a [`Error::MissingRequestPart`]'s part, for its message.
fn how_to_pass(part: &str) -> &'static str {
    match part {
        Error::PEER => ": pass the TCP peer address with `Request::peer(addr)`",
        Error::TARGET => {
            ": pass the path and query as received with `Request::uri(target)` \
             (`Request::from_http` sets it)"
        }
        // A framework adapter's part carries its own explanation.
        _ => "",
    }
}

impl Error {
    /// [`MissingRequestPart`](Error::MissingRequestPart)'s part for a missing peer address.
    pub const PEER: &'static str = "peer address";
    /// [`MissingRequestPart`](Error::MissingRequestPart)'s part for a missing request target.
    pub const TARGET: &'static str = "request target";

    /// The HTTP status a webhook handler should answer with.
    ///
    /// | error | status |
    /// |---|---|
    /// | [`MissingHeader`](Error::MissingHeader), [`SignatureMismatch`](Error::SignatureMismatch), [`TokenMismatch`](Error::TokenMismatch) | 401 |
    /// | [`UntrustedSource`](Error::UntrustedSource) | 403 |
    /// | [`BodyTimeout`](Error::BodyTimeout) | 408 |
    /// | [`BodyTooLarge`](Error::BodyTooLarge) | 413 |
    /// | [`InvalidUrl`](Error::InvalidUrl) | 404 |
    /// | [`MethodNotAllowed`](Error::MethodNotAllowed) | 405 |
    /// | [`UriTooLong`](Error::UriTooLong) | 414 |
    /// | [`Busy`](Error::Busy) | 503 (with `Retry-After` in the adapters' answer) |
    /// | [`Config`](Error::Config), [`MissingRequestPart`](Error::MissingRequestPart) | 500 (a configuration or integration error on the receiver's side) |
    /// | everything else | 400 |
    ///
    /// Headers are only required where they carry a credential, so a missing header means an
    /// unauthenticated request: 401.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Error::MissingHeader { .. } | Error::SignatureMismatch | Error::TokenMismatch => 401,
            Error::UntrustedSource { .. } => 403,
            Error::BodyTimeout { .. } => 408,
            Error::BodyTooLarge { .. } => 413,
            Error::InvalidUrl { .. } => 404,
            Error::MethodNotAllowed { .. } => 405,
            Error::UriTooLong { .. } => 414,
            Error::Busy { .. } => 503,
            Error::Config(_) | Error::MissingRequestPart { .. } => 500,
            Error::ConflictingHeader { .. }
            | Error::InvalidHeader { .. }
            | Error::Payload(_)
            | Error::IncompleteBody => 400,
        }
    }

    /// [`status_code`](Error::status_code) as an `http::StatusCode`.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http_status(&self) -> http::StatusCode {
        match self.status_code() {
            401 => http::StatusCode::UNAUTHORIZED,
            403 => http::StatusCode::FORBIDDEN,
            404 => http::StatusCode::NOT_FOUND,
            405 => http::StatusCode::METHOD_NOT_ALLOWED,
            408 => http::StatusCode::REQUEST_TIMEOUT,
            413 => http::StatusCode::PAYLOAD_TOO_LARGE,
            414 => http::StatusCode::URI_TOO_LONG,
            500 => http::StatusCode::INTERNAL_SERVER_ERROR,
            503 => http::StatusCode::SERVICE_UNAVAILABLE,
            _ => http::StatusCode::BAD_REQUEST,
        }
    }

    /// A short, stable label for the kind of failure, the same across providers and releases:
    /// the `reason` label of the crate's metrics and tracing fields (see `docs/operations.md`).
    ///
    /// | label | errors |
    /// |---|---|
    /// | `signature` | [`SignatureMismatch`](Error::SignatureMismatch) |
    /// | `token` | [`TokenMismatch`](Error::TokenMismatch) |
    /// | `missing_header` | [`MissingHeader`](Error::MissingHeader) |
    /// | `header` | [`ConflictingHeader`](Error::ConflictingHeader), [`InvalidHeader`](Error::InvalidHeader) |
    /// | `source` | [`UntrustedSource`](Error::UntrustedSource) |
    /// | `payload` | [`Payload`](Error::Payload) |
    /// | `incomplete_body` | [`IncompleteBody`](Error::IncompleteBody) |
    /// | `body_timeout` | [`BodyTimeout`](Error::BodyTimeout) |
    /// | `too_large` | [`BodyTooLarge`](Error::BodyTooLarge) |
    /// | `not_found` | [`InvalidUrl`](Error::InvalidUrl) |
    /// | `method` | [`MethodNotAllowed`](Error::MethodNotAllowed) |
    /// | `uri_too_long` | [`UriTooLong`](Error::UriTooLong) |
    /// | `busy` | [`Busy`](Error::Busy) |
    /// | `config` | [`Config`](Error::Config), [`MissingRequestPart`](Error::MissingRequestPart) |
    ///
    /// ```
    /// use delivery_webhooks::Error;
    ///
    /// assert_eq!(Error::SignatureMismatch.reason(), "signature");
    /// assert_eq!(Error::MethodNotAllowed { method: "POST" }.reason(), "method");
    /// ```
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Error::SignatureMismatch => "signature",
            Error::TokenMismatch => "token",
            Error::MissingHeader { .. } => "missing_header",
            Error::ConflictingHeader { .. } | Error::InvalidHeader { .. } => "header",
            Error::UntrustedSource { .. } => "source",
            Error::Payload(_) => "payload",
            Error::IncompleteBody => "incomplete_body",
            Error::BodyTimeout { .. } => "body_timeout",
            Error::BodyTooLarge { .. } => "too_large",
            Error::InvalidUrl { .. } => "not_found",
            Error::MethodNotAllowed { .. } => "method",
            Error::UriTooLong { .. } => "uri_too_long",
            Error::Busy { .. } => "busy",
            Error::Config(_) | Error::MissingRequestPart { .. } => "config",
        }
    }

    /// Whether this error means the request failed authentication (as opposed to being
    /// authentic but malformed). Useful to decide what to log and alert on.
    #[must_use]
    pub fn is_authentication_failure(&self) -> bool {
        matches!(self.status_code(), 401 | 403)
    }
}

/// A setting that cannot be used: the one error of every constructor (each provider's
/// `Verifier::new`, `with_secrets`, Xoxoday's `allowlist` and `trusted_proxies`, [`UrlToken`],
/// [`IpNet`]) and of [`Config`](crate::config::Config).
///
/// It says what is wrong ([`kind`](ConfigError::kind), [`reason`](ConfigError::reason)) and,
/// when the setting came from [`Config`](crate::config::Config), which environment variable it
/// was ([`variable`](ConfigError::variable)). It never holds a secret; an error from `Config`
/// quotes no value at all, and one from a constructor quotes only a refused network entry (an
/// address is no secret: [`entry`](ConfigError::entry)).
///
/// [`UrlToken`]: crate::verify::UrlToken
///
/// ```
/// use delivery_webhooks::{ConfigError, ConfigErrorKind, UrlToken};
///
/// let err: ConfigError = UrlToken::query("token", "short").unwrap_err();
/// assert_eq!(err.kind(), ConfigErrorKind::InvalidSecret);
/// assert_eq!(err.variable(), None);
/// assert!(!err.to_string().contains("short"));
/// ```
#[doc = ""]
#[cfg_attr(feature = "xoxoday", doc = "[`IpNet`]: crate::xoxoday::IpNet")]
#[cfg_attr(not(feature = "xoxoday"), doc = "[`IpNet`]: crate#features")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    variable: Option<Cow<'static, str>>,
    entry: Option<String>,
    reason: Cow<'static, str>,
}

/// What kind of setting a [`ConfigError`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// A secret, token or key that is empty or only whitespace, or an empty list of them: it
    /// would let anyone in, or lock everyone out.
    EmptySecret,
    /// A secret that cannot work as given: a header token with surrounding whitespace (header
    /// values arrive trimmed), a URL token shorter than 16 bytes.
    InvalidSecret,
    /// An address or CIDR range that is not one, or that is refused: bits set after the prefix,
    /// a range covering a large part of the internet, a proxy overlapping an allowed source, an
    /// empty allowlist.
    InvalidNetwork,
    /// Any other setting: a number, an address to listen on, a switch, a variable set without
    /// the one it goes with.
    InvalidSetting,
}

impl ConfigError {
    pub(crate) fn empty_secret() -> Self {
        Self::of(ConfigErrorKind::EmptySecret, "empty secret")
    }

    pub(crate) fn invalid_secret(reason: &'static str) -> Self {
        Self::of(ConfigErrorKind::InvalidSecret, reason)
    }

    pub(crate) fn invalid_network(entry: impl Into<String>, reason: &'static str) -> Self {
        Self {
            entry: Some(entry.into()),
            ..Self::of(ConfigErrorKind::InvalidNetwork, reason)
        }
    }

    /// A list of networks refused as a whole (an empty allowlist): no entry to name.
    #[cfg_attr(not(feature = "xoxoday"), allow(dead_code))]
    pub(crate) fn invalid_networks(reason: &'static str) -> Self {
        Self::of(ConfigErrorKind::InvalidNetwork, reason)
    }

    /// A setting of `variable` that cannot be used, for `reason` (never its value).
    pub(crate) fn new(
        variable: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::of(ConfigErrorKind::InvalidSetting, reason).for_variable(variable)
    }

    /// A problem of a configuration as a whole, about no one variable.
    pub(crate) fn whole(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::of(ConfigErrorKind::InvalidSetting, reason)
    }

    fn of(kind: ConfigErrorKind, reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            variable: None,
            entry: None,
            reason: reason.into(),
        }
    }

    /// The same error about `entry` as the user wrote it.
    pub(crate) fn with_entry(mut self, entry: &str) -> Self {
        self.entry = Some(entry.to_owned());
        self
    }

    /// The same error, about the environment variable `variable`: it then quotes no value, not
    /// even a network entry.
    pub(crate) fn for_variable(mut self, variable: impl Into<Cow<'static, str>>) -> Self {
        self.variable = Some(variable.into());
        self.entry = None;
        self
    }

    /// What kind of setting is refused.
    #[must_use]
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    /// The environment variable at fault, e.g. `WAKILNI_WEBHOOK_SECRET`, when the setting came
    /// from [`Config`](crate::config::Config) (a name found in the environment, for a likely
    /// misspelling); `None` from a constructor, and for a problem of the configuration as a
    /// whole (no provider configured).
    #[must_use]
    pub fn variable(&self) -> Option<&str> {
        self.variable.as_deref()
    }

    /// What is wrong (never the value), e.g. `empty secret` or `not an ip address`.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The network entry refused, as given, from a constructor ([`ConfigErrorKind::InvalidNetwork`]
    /// only: an address is no secret).
    #[must_use]
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(variable) = &self.variable {
            write!(f, "{variable}: ")?;
        }
        match (self.kind, &self.entry) {
            (ConfigErrorKind::InvalidSecret, _) => write!(f, "invalid secret: {}", self.reason),
            (ConfigErrorKind::InvalidNetwork, Some(entry)) => {
                write!(f, "invalid ip network `{entry}`: {}", self.reason)
            }
            (ConfigErrorKind::InvalidNetwork, None) => {
                write!(f, "invalid ip network: {}", self.reason)
            }
            _ => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A body that is not the JSON a provider documents: where, and what was wrong.
///
/// The path uses dots and brackets (`data.order_id`, `tracking[2].steps[0].timestamp`); it is `.`
/// when the problem is with the document as a whole (not JSON at all, empty, truncated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    path: String,
    line: usize,
    column: usize,
    message: String,
}

impl PayloadError {
    /// The JSON path of the offending value, e.g. `data.order_id`, or `.` for the whole document.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line of the body where parsing stopped (0 when not known).
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column of the body where parsing stopped (0 when not known).
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was wrong, e.g. `invalid type: string "x", expected an order id`.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn new(path: String, line: usize, column: usize, message: String) -> Self {
        Self {
            path: bounded(path),
            line,
            column,
            message: bounded(message),
        }
    }
}

/// The most bytes of a path or message an error keeps.
const MAX_ERROR_TEXT: usize = 512;

/// Messages quote the sender's values (`invalid value: string "..."`) and paths name its keys,
/// both of any size: an error keeps their start only, so that logging it stays cheap.
fn bounded(mut text: String) -> String {
    if text.len() > MAX_ERROR_TEXT {
        let mut end = MAX_ERROR_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("... (truncated)");
    }
    text
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed payload at `{}`: {}", self.path, self.message)?;
        if self.line > 0 {
            write!(f, " (line {}, column {})", self.line, self.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for PayloadError {}

/// The crate's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
