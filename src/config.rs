//! [`Config`]: every provider's verifier built from environment variables (or a builder), for a
//! receiver that mounts them all.

use std::fmt;
use std::net::SocketAddr;

use zeroize::Zeroizing;

use crate::Provider;

/// The address a receiver listens on unless `LISTEN_ADDR` says otherwise: `127.0.0.1:3000`.
pub const DEFAULT_LISTEN_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    3000,
));

/// The variables [`Config::from_env`] reads, besides the `_PREVIOUS` ones.
const VARIABLES: [&str; 13] = [
    "LISTEN_ADDR",
    "WAKILNI_WEBHOOK_SECRET",
    "WAKILNI_WEBHOOK_SECRET_PREVIOUS",
    "PEDDLER_WEBHOOK_TOKEN",
    "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
    "XOXODAY_ENABLED",
    "XOXODAY_API_KEY",
    "XOXODAY_TRUSTED_PROXIES",
    "ISENDU_KEY_ID",
    "ISENDU_SECRET_KEY",
    "ISENDU_URL_TOKEN",
    "ISENDU_WITHOUT_URL_TOKEN",
    "SKLADON_URL_TOKEN",
];

/// The verifier of each configured provider (`None`: not configured, no route) and the address
/// to listen on: what the framework adapters' ready routers mount.
///
/// Read it from the environment with [`Config::from_env`], build it from values with
/// [`Config::builder`], or set the fields yourself (`config.wakilni = Some(verifier)`) for
/// anything the variables do not cover, such as
/// [`skladon::Verifier::mounted_at`](crate::skladon::Verifier::mounted_at).
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `LISTEN_ADDR` | address to listen on (`127.0.0.1:0` picks a free port) | `127.0.0.1:3000` |
/// | `WAKILNI_WEBHOOK_SECRET` | Wakilni's webhook secret; enables `POST /webhooks/wakilni` | unset: no route |
/// | `WAKILNI_WEBHOOK_SECRET_PREVIOUS` | a second accepted secret, while rotating | unset |
/// | `PEDDLER_WEBHOOK_TOKEN` | Peddler's `x-webhook-shared-token`; enables `POST /webhooks/peddler` | unset: no route |
/// | `PEDDLER_WEBHOOK_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
/// | `XOXODAY_ENABLED` | `1` enables `POST /webhooks/xoxoday`, checked by source address (`52.76.120.90`) | unset: no route |
/// | `XOXODAY_API_KEY` | the `x-api-key` value set in Xoxoday's dashboard, then required | unset: not checked |
/// | `XOXODAY_TRUSTED_PROXIES` | comma-separated addresses or CIDR ranges of your reverse proxies | unset: none |
/// | `ISENDU_KEY_ID`, `ISENDU_SECRET_KEY` | the API integration's key pair; enable `POST /webhooks/isendu` | unset: no route |
/// | `ISENDU_URL_TOKEN` | required in query parameter `token` of isendu's calls (register `.../webhooks/isendu?token=<value>`) | required with `ISENDU_KEY_ID` |
/// | `ISENDU_WITHOUT_URL_TOKEN` | `1` to run isendu without a URL token: anyone who learns the key id can then obtain the secret key | unset: a token is required |
/// | `SKLADON_URL_TOKEN` | the token in every Skladon URL; enables `/webhooks/skladon/<token>/<TYPE>[/<id>]` | unset: no route |
/// | `SKLADON_URL_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
///
/// Variables of a provider whose cargo feature is off are ignored.
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

/// A setting that cannot be used: names the variable and what is wrong, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    variable: &'static str,
    reason: String,
}

impl ConfigError {
    fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        Self {
            variable,
            reason: reason.into(),
        }
    }

    /// The environment variable at fault, e.g. `WAKILNI_WEBHOOK_SECRET`.
    #[must_use]
    pub fn variable(&self) -> &'static str {
        self.variable
    }

    /// What is wrong with it (never its value).
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.reason)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the variables in the table above from the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first unusable variable: an empty secret, a value that is
    /// not UTF-8, a `_PREVIOUS` without its current value, half of isendu's key pair, Xoxoday
    /// settings without `XOXODAY_ENABLED=1`, a bad address.
    pub fn from_env() -> Result<Self, ConfigError> {
        for name in VARIABLES.into_iter().chain(PREVIOUS) {
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
        let get = |name: &str| var(name).map(Zeroizing::new);
        let mut builder = Config::builder();
        builder.wakilni = rotation(&get, "WAKILNI_WEBHOOK_SECRET")?;
        builder.peddler = rotation(&get, "PEDDLER_WEBHOOK_TOKEN")?;
        builder.skladon = rotation(&get, "SKLADON_URL_TOKEN")?;
        builder.xoxoday_enabled = match get("XOXODAY_ENABLED").as_deref().map(String::as_str) {
            None | Some("0") => false,
            Some("1") => true,
            Some(_) => return Err(ConfigError::new("XOXODAY_ENABLED", "expected 1 or 0")),
        };
        builder.xoxoday_api_key = get("XOXODAY_API_KEY");
        builder.xoxoday_proxies = get("XOXODAY_TRUSTED_PROXIES").map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect()
        });
        builder.isendu_key_id = get("ISENDU_KEY_ID");
        builder.isendu_secret_key = get("ISENDU_SECRET_KEY");
        builder.isendu_url_token = get("ISENDU_URL_TOKEN");
        builder.isendu_without_url_token =
            get("ISENDU_WITHOUT_URL_TOKEN").is_some_and(|v| v.trim() == "1");
        if let Some(addr) = get("LISTEN_ADDR") {
            let addr = addr.trim().parse().map_err(|_| {
                ConfigError::new(
                    "LISTEN_ADDR",
                    "expected an ip address and port, such as 127.0.0.1:3000",
                )
            })?;
            builder.listen_addr = addr;
        }
        builder.build()
    }

    /// A builder taking the same settings as values.
    ///
    /// ```
    /// use delivery_webhooks::Config;
    ///
    /// let config = Config::builder()
    ///     .wakilni_secret("wk-new")
    ///     .wakilni_previous_secret("wk-old")
    ///     .skladon_token("sk-token")
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

/// The `_PREVIOUS` variables, read with their current value.
const PREVIOUS: [&str; 3] = [
    "WAKILNI_WEBHOOK_SECRET_PREVIOUS",
    "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
    "SKLADON_URL_TOKEN_PREVIOUS",
];

type Secret = Zeroizing<String>;

/// `NAME` and, while rotating, `NAME_PREVIOUS`.
fn rotation(
    get: &impl Fn(&str) -> Option<Secret>,
    name: &'static str,
) -> Result<Vec<(&'static str, Secret)>, ConfigError> {
    let previous_name = PREVIOUS
        .into_iter()
        .find(|p| p.strip_suffix("_PREVIOUS") == Some(name))
        .unwrap_or(name);
    match (get(name), get(previous_name)) {
        (None, None) => Ok(Vec::new()),
        (None, Some(_)) => Err(ConfigError::new(
            previous_name,
            format!("set without {name}"),
        )),
        (Some(current), previous) => Ok(std::iter::once((name, current))
            .chain(previous.map(|p| (previous_name, p)))
            .collect()),
    }
}

/// Builds a [`Config`] from secrets and settings given as values; see [`Config::builder`].
///
/// Each setting corresponds to one environment variable of [`Config::from_env`], whose name the
/// errors of [`build`](ConfigBuilder::build) use. `Debug` shows no secret.
#[derive(Clone)]
pub struct ConfigBuilder {
    listen_addr: SocketAddr,
    wakilni: Vec<(&'static str, Secret)>,
    peddler: Vec<(&'static str, Secret)>,
    skladon: Vec<(&'static str, Secret)>,
    xoxoday_enabled: bool,
    xoxoday_api_key: Option<Secret>,
    xoxoday_proxies: Option<Vec<String>>,
    isendu_key_id: Option<Secret>,
    isendu_secret_key: Option<Secret>,
    isendu_url_token: Option<Secret>,
    isendu_without_url_token: bool,
    health: Option<crate::telemetry::Health>,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            listen_addr: DEFAULT_LISTEN_ADDR,
            wakilni: Vec::new(),
            peddler: Vec::new(),
            skladon: Vec::new(),
            xoxoday_enabled: false,
            xoxoday_api_key: None,
            xoxoday_proxies: None,
            isendu_key_id: None,
            isendu_secret_key: None,
            isendu_url_token: None,
            isendu_without_url_token: false,
            health: None,
        }
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names =
            |list: &[(&'static str, Secret)]| list.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        f.debug_struct("ConfigBuilder")
            .field("listen_addr", &self.listen_addr)
            .field("wakilni", &names(&self.wakilni))
            .field("peddler", &names(&self.peddler))
            .field("skladon", &names(&self.skladon))
            .field("xoxoday_enabled", &self.xoxoday_enabled)
            .field(
                "xoxoday_api_key",
                &self.xoxoday_api_key.as_ref().map(|_| "[redacted]"),
            )
            .field("xoxoday_proxies", &self.xoxoday_proxies)
            .field(
                "isendu_key_id",
                &self.isendu_key_id.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "isendu_secret_key",
                &self.isendu_secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "isendu_url_token",
                &self.isendu_url_token.as_ref().map(|_| "[redacted]"),
            )
            .field("isendu_without_url_token", &self.isendu_without_url_token)
            .field("health", &self.health)
            .finish()
    }
}

fn secret(value: impl Into<String>) -> Secret {
    Zeroizing::new(value.into())
}

/// Sets the current or previous value of a rotation list, current first.
fn set_rotation(
    list: &mut Vec<(&'static str, Secret)>,
    current: &'static str,
    name: &'static str,
    value: Secret,
) {
    list.retain(|(n, _)| *n != name);
    if name == current {
        list.insert(0, (name, value));
    } else {
        list.push((name, value));
    }
}

impl ConfigBuilder {
    /// The [`Health`](crate::telemetry::Health) the ready receivers record into: one with
    /// your own cut-offs or warning callbacks, or one shared with another receiver.
    ///
    /// ```
    /// use delivery_webhooks::{Config, Provider};
    /// use delivery_webhooks::telemetry::Health;
    ///
    /// let health = Health::new()
    ///     .cutoff(Provider::Wakilni, 4)
    ///     .on_warning(|w| eprintln!("{} is at risk: {}", w.provider, w.last_error));
    /// let config = Config::builder().health(health.clone()).wakilni_secret("wk").build()?;
    /// config.health.record_failure(Provider::Wakilni, "malformed payload");
    /// assert_eq!(health.provider(Provider::Wakilni).consecutive_failures, 1);
    /// # Ok::<(), delivery_webhooks::ConfigError>(())
    /// ```
    #[must_use]
    pub fn health(mut self, health: crate::telemetry::Health) -> Self {
        self.health = Some(health);
        self
    }

    /// `LISTEN_ADDR`.
    #[must_use]
    pub fn listen_addr(mut self, addr: SocketAddr) -> Self {
        self.listen_addr = addr;
        self
    }

    /// `WAKILNI_WEBHOOK_SECRET`: enables Wakilni.
    #[must_use]
    pub fn wakilni_secret(mut self, value: impl Into<String>) -> Self {
        let name = "WAKILNI_WEBHOOK_SECRET";
        set_rotation(&mut self.wakilni, name, name, secret(value));
        self
    }

    /// `WAKILNI_WEBHOOK_SECRET_PREVIOUS`: a second accepted secret, while rotating.
    #[must_use]
    pub fn wakilni_previous_secret(mut self, value: impl Into<String>) -> Self {
        let name = "WAKILNI_WEBHOOK_SECRET_PREVIOUS";
        set_rotation(
            &mut self.wakilni,
            "WAKILNI_WEBHOOK_SECRET",
            name,
            secret(value),
        );
        self
    }

    /// `PEDDLER_WEBHOOK_TOKEN`: enables Peddler.
    #[must_use]
    pub fn peddler_token(mut self, value: impl Into<String>) -> Self {
        let name = "PEDDLER_WEBHOOK_TOKEN";
        set_rotation(&mut self.peddler, name, name, secret(value));
        self
    }

    /// `PEDDLER_WEBHOOK_TOKEN_PREVIOUS`: a second accepted token, while rotating.
    #[must_use]
    pub fn peddler_previous_token(mut self, value: impl Into<String>) -> Self {
        let name = "PEDDLER_WEBHOOK_TOKEN_PREVIOUS";
        set_rotation(
            &mut self.peddler,
            "PEDDLER_WEBHOOK_TOKEN",
            name,
            secret(value),
        );
        self
    }

    /// `XOXODAY_ENABLED=1`: enables Xoxoday, checked by source address.
    #[must_use]
    pub fn xoxoday_enabled(mut self, enabled: bool) -> Self {
        self.xoxoday_enabled = enabled;
        self
    }

    /// `XOXODAY_API_KEY`: the `x-api-key` value set in Xoxoday's dashboard, then required.
    #[must_use]
    pub fn xoxoday_api_key(mut self, value: impl Into<String>) -> Self {
        self.xoxoday_api_key = Some(secret(value));
        self
    }

    /// `XOXODAY_TRUSTED_PROXIES`: the addresses or CIDR ranges of your reverse proxies.
    #[must_use]
    pub fn xoxoday_trusted_proxies<I, S>(mut self, entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.xoxoday_proxies = Some(entries.into_iter().map(Into::into).collect());
        self
    }

    /// `ISENDU_KEY_ID` and `ISENDU_SECRET_KEY`: enables isendu and answers its handshake.
    #[must_use]
    pub fn isendu_key(mut self, key_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.isendu_key_id = Some(secret(key_id));
        self.isendu_secret_key = Some(secret(secret_key));
        self
    }

    /// `ISENDU_URL_TOKEN`: required in query parameter `token` of isendu's calls.
    #[must_use]
    pub fn isendu_url_token(mut self, value: impl Into<String>) -> Self {
        self.isendu_url_token = Some(secret(value));
        self
    }

    /// `ISENDU_WITHOUT_URL_TOKEN=1`: runs isendu without a URL token. Anyone who learns the key
    /// id can then obtain the secret key from the handshake: only behind a gateway that checks
    /// the caller.
    #[must_use]
    pub fn isendu_without_url_token(mut self) -> Self {
        self.isendu_without_url_token = true;
        self
    }

    /// `SKLADON_URL_TOKEN`: enables Skladon.
    #[must_use]
    pub fn skladon_token(mut self, value: impl Into<String>) -> Self {
        let name = "SKLADON_URL_TOKEN";
        set_rotation(&mut self.skladon, name, name, secret(value));
        self
    }

    /// `SKLADON_URL_TOKEN_PREVIOUS`: a second accepted token, while rotating.
    #[must_use]
    pub fn skladon_previous_token(mut self, value: impl Into<String>) -> Self {
        let name = "SKLADON_URL_TOKEN_PREVIOUS";
        set_rotation(&mut self.skladon, "SKLADON_URL_TOKEN", name, secret(value));
        self
    }

    /// Builds every configured provider's verifier.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first unusable setting by its variable.
    pub fn build(self) -> Result<Config, ConfigError> {
        // Variables of providers compiled out are read but not used.
        #[allow(unused_mut, unused_variables)]
        let mut config = Config {
            listen_addr: self.listen_addr,
            health: self.health.clone().unwrap_or_default(),
            ..Config::default()
        };
        let check_pairing =
            |current: &'static str, list: &[(&'static str, Secret)]| match list.first() {
                Some((name, _)) if *name != current => {
                    Err(ConfigError::new(name, format!("set without {current}")))
                }
                _ => Ok(()),
            };
        check_pairing("WAKILNI_WEBHOOK_SECRET", &self.wakilni)?;
        check_pairing("PEDDLER_WEBHOOK_TOKEN", &self.peddler)?;
        check_pairing("SKLADON_URL_TOKEN", &self.skladon)?;
        check_each(&self.wakilni)?;
        check_each(&self.peddler)?;
        check_each(&self.skladon)?;
        #[cfg(feature = "wakilni")]
        if !self.wakilni.is_empty() {
            let secrets = self.wakilni.iter().map(|(_, s)| s.as_bytes());
            config.wakilni = Some(
                crate::wakilni::Verifier::with_secrets(secrets)
                    .map_err(|e| ConfigError::new("WAKILNI_WEBHOOK_SECRET", e.to_string()))?,
            );
        }
        #[cfg(feature = "peddler")]
        if !self.peddler.is_empty() {
            let tokens = self.peddler.iter().map(|(_, s)| s.as_bytes());
            config.peddler = Some(
                crate::peddler::Verifier::with_secrets(tokens)
                    .map_err(|e| ConfigError::new("PEDDLER_WEBHOOK_TOKEN", e.to_string()))?,
            );
        }
        #[cfg(feature = "skladon")]
        if !self.skladon.is_empty() {
            let tokens = self.skladon.iter().map(|(_, s)| s.as_bytes());
            config.skladon = Some(
                crate::skladon::Verifier::with_secrets(tokens)
                    .map_err(|e| ConfigError::new("SKLADON_URL_TOKEN", e.to_string()))?,
            );
        }
        let xoxoday = self.xoxoday()?;
        let isendu = self.isendu()?;
        #[cfg(feature = "xoxoday")]
        {
            config.xoxoday = xoxoday;
        }
        #[cfg(feature = "isendu")]
        {
            config.isendu = isendu;
        }
        #[cfg(not(feature = "xoxoday"))]
        let _ = xoxoday;
        #[cfg(not(feature = "isendu"))]
        let _ = isendu;
        Ok(config)
    }

    #[cfg(feature = "xoxoday")]
    fn xoxoday(&self) -> Result<Option<crate::xoxoday::Verifier>, ConfigError> {
        self.check_xoxoday()?;
        if !self.xoxoday_enabled {
            return Ok(None);
        }
        let mut verifier = match &self.xoxoday_api_key {
            Some(key) => crate::xoxoday::Verifier::new(key.as_bytes())
                .map_err(|e| ConfigError::new("XOXODAY_API_KEY", e.to_string()))?,
            None => crate::xoxoday::Verifier::without_api_key(),
        };
        if let Some(proxies) = &self.xoxoday_proxies {
            verifier = verifier.trusted_proxies(proxies).map_err(|e| {
                // The entry is an address, not a secret, but errors never quote values.
                ConfigError::new(
                    "XOXODAY_TRUSTED_PROXIES",
                    format!("an entry is {}", e.reason()),
                )
            })?;
        }
        Ok(Some(verifier))
    }

    #[cfg(not(feature = "xoxoday"))]
    fn xoxoday(&self) -> Result<Option<()>, ConfigError> {
        self.check_xoxoday().map(|()| None)
    }

    /// Xoxoday settings while Xoxoday stays off are a mistake worth reporting.
    fn check_xoxoday(&self) -> Result<(), ConfigError> {
        if self.xoxoday_enabled {
            return Ok(());
        }
        if self.xoxoday_api_key.is_some() {
            return Err(ConfigError::new(
                "XOXODAY_API_KEY",
                "set without XOXODAY_ENABLED=1",
            ));
        }
        if self.xoxoday_proxies.is_some() {
            return Err(ConfigError::new(
                "XOXODAY_TRUSTED_PROXIES",
                "set without XOXODAY_ENABLED=1",
            ));
        }
        Ok(())
    }

    #[cfg(feature = "isendu")]
    fn isendu(&self) -> Result<Option<crate::isendu::Verifier>, ConfigError> {
        let Some((key_id, secret_key)) = self.isendu_pair()? else {
            return Ok(None);
        };
        let pair = [(key_id.as_str(), secret_key.as_str())];
        let key_error = |e: crate::Error| {
            let name = if key_id.trim().is_empty() {
                "ISENDU_KEY_ID"
            } else {
                "ISENDU_SECRET_KEY"
            };
            ConfigError::new(name, e.to_string())
        };
        // The key pair is checked first, so that its own error is the one reported.
        let unprotected = crate::isendu::Verifier::without_url_token(pair).map_err(key_error)?;
        let verifier = match &self.isendu_url_token {
            Some(token) => {
                let token = crate::UrlToken::query("token", token.as_bytes())
                    .map_err(|e| ConfigError::new("ISENDU_URL_TOKEN", e.to_string()))?;
                crate::isendu::Verifier::with_secrets(pair, token).map_err(key_error)?
            }
            None if self.isendu_without_url_token => unprotected,
            None => {
                return Err(ConfigError::new(
                    "ISENDU_URL_TOKEN",
                    "required with ISENDU_KEY_ID: without it anyone who learns the key id \
                     obtains the secret key; set ISENDU_WITHOUT_URL_TOKEN=1 to run without one",
                ));
            }
        };
        Ok(Some(verifier))
    }

    #[cfg(not(feature = "isendu"))]
    fn isendu(&self) -> Result<Option<()>, ConfigError> {
        self.isendu_pair().map(|_| None)
    }

    /// isendu's key id and secret key, both or neither; the URL token only with them.
    fn isendu_pair(&self) -> Result<Option<(&Secret, &Secret)>, ConfigError> {
        match (&self.isendu_key_id, &self.isendu_secret_key) {
            (Some(id), Some(key)) => Ok(Some((id, key))),
            (Some(_), None) => Err(ConfigError::new(
                "ISENDU_SECRET_KEY",
                "unset while ISENDU_KEY_ID is set: the handshake is answered with the secret key",
            )),
            (None, Some(_)) => Err(ConfigError::new(
                "ISENDU_KEY_ID",
                "unset while ISENDU_SECRET_KEY is set",
            )),
            (None, None) if self.isendu_url_token.is_some() => Err(ConfigError::new(
                "ISENDU_URL_TOKEN",
                "set without ISENDU_KEY_ID and ISENDU_SECRET_KEY",
            )),
            (None, None) => Ok(None),
        }
    }
}

/// Refuses an empty or blank value, naming its own variable (current or `_PREVIOUS`).
fn check_each(list: &[(&'static str, Secret)]) -> Result<(), ConfigError> {
    match list.iter().find(|(_, s)| s.trim().is_empty()) {
        Some((name, _)) => Err(ConfigError::new(
            name,
            crate::Error::EmptySecret.to_string(),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn nothing_set_is_no_provider_on_the_default_address() {
        let config = from(&[]).unwrap();
        assert!(config.providers().is_empty());
        assert_eq!(config.listen_addr, DEFAULT_LISTEN_ADDR);
    }

    #[cfg(all(
        feature = "wakilni",
        feature = "peddler",
        feature = "xoxoday",
        feature = "isendu",
        feature = "skladon"
    ))]
    #[test]
    fn previous_without_current_is_refused() {
        let err = from(&[("SKLADON_URL_TOKEN_PREVIOUS", "old-token-value")]).unwrap_err();
        assert_eq!(err.variable(), "SKLADON_URL_TOKEN_PREVIOUS");
        assert!(!err.to_string().contains("old-token-value"), "{err}");
    }

    #[test]
    fn bad_listen_addr_names_the_variable_only() {
        let err = from(&[("LISTEN_ADDR", "nowhere-at-all")]).unwrap_err();
        assert_eq!(err.variable(), "LISTEN_ADDR");
        assert!(!err.to_string().contains("nowhere-at-all"));
    }

    #[cfg(all(
        feature = "wakilni",
        feature = "peddler",
        feature = "xoxoday",
        feature = "isendu",
        feature = "skladon"
    ))]
    #[test]
    fn every_provider_with_rotation_from_the_variables() {
        let config = from(&[
            ("WAKILNI_WEBHOOK_SECRET", "wk-1"),
            ("WAKILNI_WEBHOOK_SECRET_PREVIOUS", "wk-0"),
            ("PEDDLER_WEBHOOK_TOKEN", "pd-1"),
            ("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "pd-0"),
            ("XOXODAY_ENABLED", "1"),
            ("XOXODAY_API_KEY", "xo-key"),
            ("XOXODAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1,"),
            ("ISENDU_KEY_ID", "ak_1"),
            ("ISENDU_SECRET_KEY", "is-secret"),
            ("ISENDU_URL_TOKEN", "is-token"),
            ("SKLADON_URL_TOKEN", "sk-1"),
            ("SKLADON_URL_TOKEN_PREVIOUS", "sk-0"),
            ("LISTEN_ADDR", "[::1]:8080"),
        ])
        .unwrap();
        assert_eq!(config.providers(), Provider::ALL.to_vec());
        assert_eq!(config.listen_addr, "[::1]:8080".parse().unwrap());
        #[cfg(feature = "wakilni")]
        {
            use crate::Request;
            let wakilni = config.wakilni.as_ref().unwrap();
            for secret in ["wk-1", "wk-0"] {
                let signature = crate::wakilni::sign(secret, b"{}");
                let headers = [("x-webhook-signature", signature.as_str())];
                assert!(wakilni.verify(&Request::new(&headers, b"{}")).is_ok());
            }
        }
        let shown = format!("{config:?}");
        for secret in [
            "wk-1",
            "wk-0",
            "pd-1",
            "xo-key",
            "is-secret",
            "is-token",
            "sk-1",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[cfg(all(
        feature = "wakilni",
        feature = "peddler",
        feature = "xoxoday",
        feature = "isendu",
        feature = "skladon"
    ))]
    #[test]
    fn errors_name_the_variable_and_never_show_the_value() {
        /// The variables set, the variable the error must name, the value it must not show.
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case<'_>] = &[
            (
                &[("WAKILNI_WEBHOOK_SECRET", "   ")],
                "WAKILNI_WEBHOOK_SECRET",
                "   ",
            ),
            (
                &[
                    ("WAKILNI_WEBHOOK_SECRET", "wk-value-1"),
                    ("WAKILNI_WEBHOOK_SECRET_PREVIOUS", ""),
                ],
                "WAKILNI_WEBHOOK_SECRET_PREVIOUS",
                "wk-value-1",
            ),
            (
                &[("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "pd-value-2")],
                "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
                "pd-value-2",
            ),
            (
                &[("XOXODAY_ENABLED", "yes-value-3")],
                "XOXODAY_ENABLED",
                "yes-value-3",
            ),
            (
                &[("XOXODAY_API_KEY", "xo-value-4")],
                "XOXODAY_API_KEY",
                "xo-value-4",
            ),
            (
                &[
                    ("XOXODAY_ENABLED", "1"),
                    ("XOXODAY_TRUSTED_PROXIES", "10.0.0.1, proxy-value-5"),
                ],
                "XOXODAY_TRUSTED_PROXIES",
                "proxy-value-5",
            ),
            (
                &[("ISENDU_KEY_ID", "id-value-6")],
                "ISENDU_SECRET_KEY",
                "id-value-6",
            ),
            (
                &[("ISENDU_SECRET_KEY", "sk-value-7")],
                "ISENDU_KEY_ID",
                "sk-value-7",
            ),
            (
                &[("ISENDU_KEY_ID", "ak_1"), ("ISENDU_SECRET_KEY", "\t ")],
                "ISENDU_SECRET_KEY",
                "\t ",
            ),
            (
                &[
                    ("ISENDU_KEY_ID", "ak_1"),
                    ("ISENDU_SECRET_KEY", "sk-value-10"),
                ],
                "ISENDU_URL_TOKEN",
                "sk-value-10",
            ),
            (
                &[("ISENDU_URL_TOKEN", "tok-value-8")],
                "ISENDU_URL_TOKEN",
                "tok-value-8",
            ),
            (&[("SKLADON_URL_TOKEN", "")], "SKLADON_URL_TOKEN", "\u{0}"),
            (
                &[("LISTEN_ADDR", "addr-value-9")],
                "LISTEN_ADDR",
                "addr-value-9",
            ),
        ];
        for (vars, variable, value) in cases {
            let err = from(vars).unwrap_err();
            assert_eq!(err.variable(), *variable, "{vars:?}: {err}");
            assert!(err.to_string().starts_with(variable), "{err}");
            if !value.trim().is_empty() {
                assert!(!err.to_string().contains(value), "{value} in {err}");
                assert!(!format!("{err:?}").contains(value), "{value} in {err:?}");
            }
        }
    }

    #[test]
    fn builder_debug_shows_no_secret() {
        let b = Config::builder()
            .wakilni_secret("wk-hidden-1")
            .isendu_key("id-hidden-2", "sk-hidden-3")
            .xoxoday_api_key("xo-hidden-4");
        let shown = format!("{b:?}");
        assert!(!shown.contains("hidden"), "{shown}");
    }
}
