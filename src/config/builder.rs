//! [`ConfigBuilder`]: a [`Config`] from values, one setter per environment variable.

use std::fmt;
use std::net::SocketAddr;

use zeroize::Zeroizing;

use super::{Config, ConfigError, DEFAULT_LISTEN_ADDR};

/// The `_PREVIOUS` variables, read with their current value.
pub(super) const PREVIOUS: [&str; 3] = [
    "WAKILNI_WEBHOOK_SECRET_PREVIOUS",
    "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
    "SKLADON_URL_TOKEN_PREVIOUS",
];

pub(super) type Secret = Zeroizing<String>;

/// `NAME` and, while rotating, `NAME_PREVIOUS`.
pub(super) fn rotation(
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
    pub(super) listen_addr: SocketAddr,
    pub(super) wakilni: Vec<(&'static str, Secret)>,
    pub(super) peddler: Vec<(&'static str, Secret)>,
    pub(super) skladon: Vec<(&'static str, Secret)>,
    pub(super) xoxoday_enabled: bool,
    pub(super) xoxoday_api_key: Option<Secret>,
    pub(super) xoxoday_proxies: Option<Vec<String>>,
    pub(super) isendu_key_id: Option<Secret>,
    pub(super) isendu_secret_key: Option<Secret>,
    pub(super) isendu_url_token: Option<Secret>,
    pub(super) isendu_without_url_token: bool,
    pub(super) health: Option<crate::telemetry::Health>,
    pub(super) body_timeout: std::time::Duration,
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
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
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

pub(super) fn secret(value: impl Into<String>) -> Secret {
    Zeroizing::new(value.into())
}

/// Sets the current or previous value of a rotation list, current first.
pub(super) fn set_rotation(
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

    /// `BODY_TIMEOUT_SECS`: how long the framework adapters wait for a whole body once its
    /// head has been checked ([`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT), 30 s, by
    /// default), for every provider.
    #[must_use]
    pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.body_timeout = timeout;
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
        // (Each verifier below gets `body_timeout` once built: see `Config::body_timeout`.)
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
        if cfg!(feature = "skladon") {
            check_url_token_length(&self.skladon)?;
        }
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
        self.flag_short_credentials(&config.health);
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
        Ok(config.body_timeout(self.body_timeout))
    }

    /// Credentials the provider issues or an account already uses (Peddler's token, Xoxoday's
    /// API key, isendu's key id) keep working whatever their length: one shorter than 16 bytes
    /// is flagged in the health report, with a warning naming its variable.
    fn flag_short_credentials(&self, health: &crate::telemetry::Health) {
        use crate::delivery::Provider;
        let short = |s: &Secret| crate::verify::is_short(s.as_bytes());
        let mut flagged: Vec<(Provider, &str)> = Vec::new();
        if cfg!(feature = "peddler") {
            let peddler = self.peddler.iter().filter(|(_, s)| short(s));
            flagged.extend(peddler.map(|(name, _)| (Provider::Peddler, *name)));
        }
        if cfg!(feature = "xoxoday")
            && self.xoxoday_enabled
            && self.xoxoday_api_key.as_ref().is_some_and(short)
        {
            flagged.push((Provider::Xoxoday, "XOXODAY_API_KEY"));
        }
        if cfg!(feature = "isendu") && self.isendu_key_id.as_ref().is_some_and(short) {
            flagged.push((Provider::Isendu, "ISENDU_KEY_ID"));
        }
        for (provider, setting) in flagged {
            health.flag_short_credential(provider, setting);
        }
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
        let key_error = |e: crate::error::Error| {
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
                let token = crate::verify::UrlToken::query("token", token.as_bytes())
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

/// Refuses a URL token shorter than 16 bytes, naming its own variable (current or `_PREVIOUS`):
/// the receiver's operator chooses it, so it can be long.
fn check_url_token_length(list: &[(&'static str, Secret)]) -> Result<(), ConfigError> {
    match list
        .iter()
        .find(|(_, s)| crate::verify::is_short(s.as_bytes()))
    {
        Some((name, _)) => Err(ConfigError::new(
            name,
            crate::error::Error::InvalidSecret {
                reason: crate::verify::SHORT_URL_TOKEN,
            }
            .to_string(),
        )),
        None => Ok(()),
    }
}

/// Refuses an empty or blank value, naming its own variable (current or `_PREVIOUS`).
pub(super) fn check_each(list: &[(&'static str, Secret)]) -> Result<(), ConfigError> {
    match list.iter().find(|(_, s)| s.trim().is_empty()) {
        Some((name, _)) => Err(ConfigError::new(
            name,
            crate::error::Error::EmptySecret.to_string(),
        )),
        None => Ok(()),
    }
}
