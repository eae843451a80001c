//! [`Config`]: every provider's verifier built from environment variables (or a builder), for a
//! receiver that mounts them all.

use std::net::SocketAddr;

use crate::delivery::Provider;
use crate::error::ConfigError;

mod build;
mod builder;
mod env;

pub use builder::ConfigBuilder;

/// The address a receiver listens on unless `LISTEN_ADDR` says otherwise: `127.0.0.1:3000`.
pub const DEFAULT_LISTEN_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    3000,
));

/// The verifier of each configured provider (`None`: not configured, no route) and the address
/// to listen on: what the framework adapters' ready routers mount.
///
/// Read it from the environment with [`Config::from_env`], build it from values with
/// [`Config::builder`] (one setter per variable, of the same name), or set the fields yourself
/// (`config.wakilni = Some(verifier)`). Everything a provider's `Verifier` can be told in code
/// has its variable: the credentials and their rotation, the body limit and timeout, Xoxoday's
/// sources and proxies, Skladon's mount point, and each explicit opt-out.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `LISTEN_ADDR` | address to listen on (`127.0.0.1:0` picks a free port) | `127.0.0.1:3000` |
/// | `BODY_TIMEOUT_SECS` | how long a body may take to arrive once the request head has passed its check, for every provider (`body_timeout`); then 408 | `30` |
/// | `BODY_LIMIT` | the largest body accepted, in bytes, for every provider (`body_limit`); a larger one is refused with 413 | `16777216` (16 MiB) |
/// | `WAKILNI_WEBHOOK_SECRET` | Wakilni's webhook secret; enables `POST /webhooks/wakilni` | unset: no route |
/// | `WAKILNI_WEBHOOK_SECRET_PREVIOUS` | a second accepted secret, while rotating | unset |
/// | `PEDDLER_WEBHOOK_TOKEN` | Peddler's `x-webhook-shared-token`; enables `POST /webhooks/peddler` | unset: no route |
/// | `PEDDLER_WEBHOOK_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
/// | `XOXODAY_ENABLED` | `1` enables `POST /webhooks/xoxoday`, checked by source address (`52.76.120.90`) | unset: no route |
/// | `XOXODAY_API_KEY` | the `x-api-key` value set in Xoxoday's dashboard, then required | unset: not checked |
/// | `XOXODAY_API_KEY_PREVIOUS` | a second accepted API key, while rotating | unset |
/// | `XOXODAY_ALLOWLIST` | comma-separated addresses or CIDR ranges Xoxoday calls from, replacing the default (`allowlist`) | `52.76.120.90` |
/// | `XOXODAY_ALLOW_BROAD_RANGES` | `1` lets the allowlist and the proxies hold ranges covering a large part of the internet (`allow_broad_ranges`) | unset: refused |
/// | `XOXODAY_TRUSTED_PROXIES` | comma-separated addresses or CIDR ranges of your reverse proxies (`trusted_proxies`) | unset: none |
/// | `XOXODAY_PROXY_HEADER` | the forwarding header your proxies set: `auto`, `x-forwarded-for` or `forwarded` (`proxy_header`) | `auto` |
/// | `ISENDU_KEY_ID`, `ISENDU_SECRET_KEY` | the API integration's key pair; enable `POST /webhooks/isendu` | unset: no route |
/// | `ISENDU_KEY_ID_PREVIOUS`, `ISENDU_SECRET_KEY_PREVIOUS` | a second key pair, both or neither, while rotating: a handshake naming either key id is answered with its own secret key | unset |
/// | `ISENDU_URL_TOKEN` | required in query parameter `token` of isendu's calls (register `.../webhooks/isendu?token=<value>`); at least 16 bytes | required with `ISENDU_KEY_ID` |
/// | `ISENDU_URL_TOKEN_PREVIOUS` | a second accepted URL token, while rotating; at least 16 bytes | unset |
/// | `ISENDU_WITHOUT_URL_TOKEN` | `1` to run isendu without a URL token: anyone who learns the key id can then obtain the secret key | unset: a token is required |
/// | `SKLADON_URL_TOKEN` | the token in every Skladon URL, at least 16 bytes; enables `/webhooks/skladon/<token>/<TYPE>[/<id>]` | unset: no route |
/// | `SKLADON_URL_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
/// | `SKLADON_WITHOUT_URL_TOKEN` | `1` enables Skladon without a token in its URLs (`without_token`): anyone who learns them can call them | unset: a token is required |
/// | `SKLADON_MOUNT` | the full public path Skladon's routes sit under (`mounted_at`), e.g. `/api/webhooks/skladon` when the router is nested under `/api` | `/webhooks/skladon` |
///
/// Every credential rotates the same way: while `NAME_PREVIOUS` is set beside `NAME`, both values
/// are accepted; set `NAME_PREVIOUS` without `NAME` and the error names it. Variables of a
/// provider whose cargo feature is off are checked the same but build nothing. A Peddler token, Xoxoday API
/// key or isendu key id shorter than 16 bytes works, but is flagged in
/// [`health`](Config::health)'s report (and, with feature `tracing`, warned about once).
///
/// ```
/// use delivery_webhooks::Config;
///
/// let vars = [("PEDDLER_WEBHOOK_TOKEN", "pd-token"), ("LISTEN_ADDR", "127.0.0.1:0")];
/// let config = Config::from_vars(|name| {
///     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
/// })?;
/// # #[cfg(feature = "peddler")]
/// assert_eq!(config.providers(), [delivery_webhooks::Provider::Peddler]);
/// assert_eq!(config.listen_addr.port(), 0);
///
/// // An error names the variable, never its value.
/// let err = Config::from_vars(|name| (name == "PEDDLER_WEBHOOK_TOKEN").then(|| " ".to_string()))
///     .unwrap_err();
/// # #[cfg(feature = "peddler")]
/// assert_eq!(err.to_string(), "PEDDLER_WEBHOOK_TOKEN: empty secret");
/// # Ok::<(), delivery_webhooks::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Where to listen.
    pub listen_addr: SocketAddr,
    /// Where the ready receivers record each provider's endpoint health: keep a clone to
    /// serve [`Health::report`](crate::telemetry::Health::report) or to add warning callbacks.
    /// A fresh [`Health`](crate::telemetry::Health) with the documented cut-offs unless set.
    pub health: crate::telemetry::Health,
    /// Wakilni's verifier: mounted at `POST /webhooks/wakilni`.
    #[cfg(feature = "wakilni")]
    pub wakilni: Option<crate::wakilni::Verifier>,
    /// Peddler's verifier: mounted at `POST /webhooks/peddler`.
    #[cfg(feature = "peddler")]
    pub peddler: Option<crate::peddler::Verifier>,
    /// Xoxoday's verifier: mounted at `POST /webhooks/xoxoday`.
    #[cfg(feature = "xoxoday")]
    pub xoxoday: Option<crate::xoxoday::Verifier>,
    /// isendu's verifier: mounted at `POST /webhooks/isendu`.
    #[cfg(feature = "isendu")]
    pub isendu: Option<crate::isendu::Verifier>,
    /// Skladon's verifier: mounted at `GET` and `POST /webhooks/skladon/...`.
    #[cfg(feature = "skladon")]
    pub skladon: Option<crate::skladon::Verifier>,
}

impl Default for Config {
    /// No provider, listening on [`DEFAULT_LISTEN_ADDR`].
    fn default() -> Self {
        Self {
            listen_addr: DEFAULT_LISTEN_ADDR,
            health: crate::telemetry::Health::new(),
            #[cfg(feature = "wakilni")]
            wakilni: None,
            #[cfg(feature = "peddler")]
            peddler: None,
            #[cfg(feature = "xoxoday")]
            xoxoday: None,
            #[cfg(feature = "isendu")]
            isendu: None,
            #[cfg(feature = "skladon")]
            skladon: None,
        }
    }
}

impl Config {
    /// Reads the variables in the table above from the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first unusable variable: an empty secret, a value that is
    /// not UTF-8, a `_PREVIOUS` without its current value, half of isendu's key pair, Xoxoday
    /// settings without `XOXODAY_ENABLED=1`, `SKLADON_MOUNT` without Skladon, a switch other
    /// than `1` or `0`, a bad number, address or range.
    pub fn from_env() -> Result<Self, ConfigError> {
        for name in env::names() {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(ConfigError::new(name, "not valid UTF-8"));
            }
        }
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the same variables through `var` (a map in tests, a secrets store...): `var(name)`
    /// is the value of `name`, `None` when unset.
    ///
    /// # Errors
    /// Those of [`from_env`](Config::from_env).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        env::read(var)?.build()
    }

    /// Sets every configured verifier's body timeout (see
    /// [`Receive::body_timeout`](crate::Receive::body_timeout)).
    #[must_use]
    #[cfg_attr(not(any_provider), allow(unused_mut))]
    pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
        #[cfg(feature = "wakilni")]
        {
            self.wakilni = self.wakilni.map(|v| v.body_timeout(timeout));
        }
        #[cfg(feature = "peddler")]
        {
            self.peddler = self.peddler.map(|v| v.body_timeout(timeout));
        }
        #[cfg(feature = "xoxoday")]
        {
            self.xoxoday = self.xoxoday.map(|v| v.body_timeout(timeout));
        }
        #[cfg(feature = "isendu")]
        {
            self.isendu = self.isendu.map(|v| v.body_timeout(timeout));
        }
        #[cfg(feature = "skladon")]
        {
            self.skladon = self.skladon.map(|v| v.body_timeout(timeout));
        }
        let _ = timeout;
        self
    }

    /// Sets every configured verifier's largest accepted body, in bytes (each verifier's
    /// `body_limit`; [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT) unless set).
    #[must_use]
    #[cfg_attr(not(any_provider), allow(unused_mut))]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        #[cfg(feature = "wakilni")]
        {
            self.wakilni = self.wakilni.map(|v| v.body_limit(bytes));
        }
        #[cfg(feature = "peddler")]
        {
            self.peddler = self.peddler.map(|v| v.body_limit(bytes));
        }
        #[cfg(feature = "xoxoday")]
        {
            self.xoxoday = self.xoxoday.map(|v| v.body_limit(bytes));
        }
        #[cfg(feature = "isendu")]
        {
            self.isendu = self.isendu.map(|v| v.body_limit(bytes));
        }
        #[cfg(feature = "skladon")]
        {
            self.skladon = self.skladon.map(|v| v.body_limit(bytes));
        }
        let _ = bytes;
        self
    }

    /// A builder taking the same settings as values.
    ///
    /// ```
    /// use delivery_webhooks::Config;
    ///
    /// let config = Config::builder()
    ///     .wakilni_secret("wk-new")
    ///     .wakilni_previous_secret("wk-old")
    ///     .skladon_token("sk-token-5f1c9a7e2b")
    ///     .build()?;
    /// # #[cfg(all(feature = "wakilni", feature = "skladon"))]
    /// assert_eq!(config.providers().len(), 2);
    /// # Ok::<(), delivery_webhooks::ConfigError>(())
    /// ```
    #[must_use]
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The providers configured, in [`Provider::ALL`]'s order.
    #[must_use]
    pub fn providers(&self) -> Vec<Provider> {
        #[allow(unused_mut)]
        let mut providers = Vec::new();
        #[cfg(feature = "wakilni")]
        if self.wakilni.is_some() {
            providers.push(Provider::Wakilni);
        }
        #[cfg(feature = "peddler")]
        if self.peddler.is_some() {
            providers.push(Provider::Peddler);
        }
        #[cfg(feature = "xoxoday")]
        if self.xoxoday.is_some() {
            providers.push(Provider::Xoxoday);
        }
        #[cfg(feature = "isendu")]
        if self.isendu.is_some() {
            providers.push(Provider::Isendu);
        }
        #[cfg(feature = "skladon")]
        if self.skladon.is_some() {
            providers.push(Provider::Skladon);
        }
        providers
    }
}

#[cfg(test)]
mod tests;
