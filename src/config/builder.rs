//! [`ConfigBuilder`]: a [`Config`](super::Config) from values, one setter per environment
//! variable.

use std::fmt;

use zeroize::Zeroizing;

use super::DEFAULT_LISTEN_ADDR;
use super::listen::ListenAddr;
use crate::error::ConfigError;

pub(super) type Secret = Zeroizing<String>;

pub(super) fn secret(value: impl Into<String>) -> Secret {
    Zeroizing::new(value.into())
}

/// The two environment variables of one credential: its current value and, while rotating, the
/// previous one, still accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Variable {
    pub(super) current: &'static str,
    pub(super) previous: &'static str,
}

/// A credential's [`Variable`]: its name, and the same name ending `_PREVIOUS`.
macro_rules! variable {
    ($current:literal) => {
        Variable {
            current: $current,
            previous: concat!($current, "_PREVIOUS"),
        }
    };
}

pub(super) const WAKILNI_SECRET: Variable = variable!("WAKILNI_WEBHOOK_SECRET");
pub(super) const PEDDLER_TOKEN: Variable = variable!("PEDDLER_WEBHOOK_TOKEN");
pub(super) const XOXODAY_API_KEY: Variable = variable!("XOXODAY_API_KEY");
pub(super) const ISENDU_KEY_ID: Variable = variable!("ISENDU_KEY_ID");
pub(super) const ISENDU_SECRET_KEY: Variable = variable!("ISENDU_SECRET_KEY");
pub(super) const ISENDU_URL_TOKEN: Variable = variable!("ISENDU_URL_TOKEN");
pub(super) const SKLADON_URL_TOKEN: Variable = variable!("SKLADON_URL_TOKEN");

/// Every credential, each of which rotates the same way.
#[cfg(test)]
pub(super) const CREDENTIALS: [Variable; 7] = [
    WAKILNI_SECRET,
    PEDDLER_TOKEN,
    XOXODAY_API_KEY,
    ISENDU_KEY_ID,
    ISENDU_SECRET_KEY,
    ISENDU_URL_TOKEN,
    SKLADON_URL_TOKEN,
];

/// Where isendu's URL token stands (`ISENDU_URL_TOKEN_IN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UrlTokenIn {
    /// A query parameter: `ISENDU_URL_TOKEN_PARAM`, `token` by default.
    Query,
    /// Any path segment.
    Path,
}

/// One credential's values: the current one and, while rotating, the previous one.
#[derive(Clone)]
pub(super) struct Rotation {
    pub(super) variable: Variable,
    pub(super) current: Option<Secret>,
    pub(super) previous: Option<Secret>,
}

impl Rotation {
    pub(super) const fn new(variable: Variable) -> Self {
        Self {
            variable,
            current: None,
            previous: None,
        }
    }

    /// The values set, current first, each with its variable's name.
    pub(super) fn entries(&self) -> Vec<(&'static str, &Secret)> {
        let current = self.current.as_ref().map(|s| (self.variable.current, s));
        let previous = self.previous.as_ref().map(|s| (self.variable.previous, s));
        current.into_iter().chain(previous).collect()
    }

    /// The names of the variables set, for `Debug`.
    fn names(&self) -> Vec<&'static str> {
        self.entries().into_iter().map(|(name, _)| name).collect()
    }
}

/// Builds a [`Config`](super::Config) from secrets and settings given as values; see
/// [`Config::builder`](super::Config::builder).
///
/// Each setting corresponds to one environment variable of
/// [`Config::from_env`](super::Config::from_env), whose name the errors of
/// [`build`](ConfigBuilder::build) use. Every credential rotates the same way: its
/// `*_previous_*` setter (`_PREVIOUS` variable) sets a second value, accepted beside the current
/// one until you drop it. `Debug` shows no secret.
#[derive(Clone)]
pub struct ConfigBuilder {
    pub(super) listen_addr: ListenAddr,
    pub(super) wakilni: Rotation,
    pub(super) peddler: Rotation,
    pub(super) skladon: Rotation,
    pub(super) xoxoday_enabled: bool,
    pub(super) xoxoday_api_key: Rotation,
    pub(super) xoxoday_proxies: Option<Vec<String>>,
    pub(super) xoxoday_allowlist: Option<Vec<String>>,
    pub(super) xoxoday_allow_broad_ranges: bool,
    pub(super) xoxoday_proxy_header: Option<crate::verify::ProxyHeader>,
    pub(super) isendu_key_id: Rotation,
    pub(super) isendu_secret_key: Rotation,
    pub(super) isendu_url_token: Rotation,
    pub(super) isendu_url_token_in: Option<UrlTokenIn>,
    pub(super) isendu_url_token_param: Option<String>,
    pub(super) isendu_without_url_token: bool,
    pub(super) skladon_without_url_token: bool,
    pub(super) skladon_mount: Option<String>,
    pub(super) health: Option<crate::telemetry::Health>,
    pub(super) body_timeout: std::time::Duration,
    pub(super) body_limit: Option<usize>,
    /// Each provider's own limit and timeout, in the order of `Provider::ALL`, over the two above.
    pub(super) provider_body: [(Option<usize>, Option<std::time::Duration>); 5],
    pub(super) body_budget: Option<usize>,
    pub(super) database_url: Option<Secret>,
    pub(super) database_listen_url: Option<Secret>,
    /// The problems found reading the environment, reported by `build` with its own.
    pub(super) read_problems: Vec<ConfigError>,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            listen_addr: DEFAULT_LISTEN_ADDR.into(),
            wakilni: Rotation::new(WAKILNI_SECRET),
            peddler: Rotation::new(PEDDLER_TOKEN),
            skladon: Rotation::new(SKLADON_URL_TOKEN),
            xoxoday_enabled: false,
            xoxoday_api_key: Rotation::new(XOXODAY_API_KEY),
            xoxoday_proxies: None,
            xoxoday_allowlist: None,
            xoxoday_allow_broad_ranges: false,
            xoxoday_proxy_header: None,
            isendu_key_id: Rotation::new(ISENDU_KEY_ID),
            isendu_secret_key: Rotation::new(ISENDU_SECRET_KEY),
            isendu_url_token: Rotation::new(ISENDU_URL_TOKEN),
            isendu_url_token_in: None,
            isendu_url_token_param: None,
            isendu_without_url_token: false,
            skladon_without_url_token: false,
            skladon_mount: None,
            health: None,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
            body_limit: None,
            provider_body: [(None, None); 5],
            body_budget: None,
            database_url: None,
            database_listen_url: None,
            read_problems: Vec::new(),
        }
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials show as the names of the variables set, never a value.
        f.debug_struct("ConfigBuilder")
            .field("listen_addr", &self.listen_addr)
            .field("wakilni", &self.wakilni.names())
            .field("peddler", &self.peddler.names())
            .field("skladon", &self.skladon.names())
            .field("xoxoday_enabled", &self.xoxoday_enabled)
            .field("xoxoday_api_key", &self.xoxoday_api_key.names())
            .field("xoxoday_proxies", &self.xoxoday_proxies)
            .field("xoxoday_allowlist", &self.xoxoday_allowlist)
            .field(
                "xoxoday_allow_broad_ranges",
                &self.xoxoday_allow_broad_ranges,
            )
            .field("xoxoday_proxy_header", &self.xoxoday_proxy_header)
            .field("isendu_key_id", &self.isendu_key_id.names())
            .field("isendu_secret_key", &self.isendu_secret_key.names())
            .field("isendu_url_token", &self.isendu_url_token.names())
            .field("isendu_url_token_in", &self.isendu_url_token_in)
            .field("isendu_url_token_param", &self.isendu_url_token_param)
            .field("isendu_without_url_token", &self.isendu_without_url_token)
            .field("skladon_without_url_token", &self.skladon_without_url_token)
            .field("skladon_mount", &self.skladon_mount)
            .field("health", &self.health)
            .field("body_timeout", &self.body_timeout)
            .field("body_limit", &self.body_limit)
            .field("provider_body", &self.provider_body)
            .field("body_budget", &self.body_budget)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "database_listen_url",
                &self.database_listen_url.as_ref().map(|_| "<redacted>"),
            )
            .finish()
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
    /// # #[cfg(feature = "wakilni")] {
    /// let health = Health::new()
    ///     .cutoff(Provider::Wakilni, 4)
    ///     .on_warning(|w| eprintln!("{} is at risk: {}", w.provider, w.last_error));
    /// let config = Config::builder().health(health.clone()).wakilni_secret("wk").build()?;
    /// config.health.record_failure(Provider::Wakilni, "malformed payload");
    /// assert_eq!(health.provider(Provider::Wakilni).consecutive_failures, 1);
    /// # }
    /// # Ok::<(), delivery_webhooks::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn health(mut self, health: crate::telemetry::Health) -> Self {
        self.health = Some(health);
        self
    }

    /// `DELIVERY_WEBHOOKS_LISTEN`: a [`ListenAddr`](super::ListenAddr), or a `SocketAddr`.
    #[must_use]
    pub fn listen_addr(mut self, addr: impl Into<ListenAddr>) -> Self {
        self.listen_addr = addr.into();
        self
    }

    /// `DELIVERY_WEBHOOKS_DATABASE_URL`: the inbox's database, a SQLite file path or a
    /// `postgres://` URL, for your code to open
    /// ([`Config::database_url`](super::Config::database_url)). Never shown.
    #[must_use]
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(secret(url));
        self
    }

    /// `DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL`: where a PostgreSQL inbox's `LISTEN` session
    /// connects when the database URL goes through a pooler in transaction mode
    /// ([`Config::database_listen_url`](super::Config::database_listen_url)). Never shown.
    #[must_use]
    pub fn database_listen_url(mut self, url: impl Into<String>) -> Self {
        self.database_listen_url = Some(secret(url));
        self
    }

    /// `WAKILNI_WEBHOOK_SECRET`: enables Wakilni.
    #[must_use]
    pub fn wakilni_secret(mut self, value: impl Into<String>) -> Self {
        self.wakilni.current = Some(secret(value));
        self
    }

    /// `WAKILNI_WEBHOOK_SECRET_PREVIOUS`: a second accepted secret, while rotating.
    #[must_use]
    pub fn wakilni_previous_secret(mut self, value: impl Into<String>) -> Self {
        self.wakilni.previous = Some(secret(value));
        self
    }

    /// `PEDDLER_WEBHOOK_TOKEN`: enables Peddler.
    #[must_use]
    pub fn peddler_token(mut self, value: impl Into<String>) -> Self {
        self.peddler.current = Some(secret(value));
        self
    }

    /// `PEDDLER_WEBHOOK_TOKEN_PREVIOUS`: a second accepted token, while rotating.
    #[must_use]
    pub fn peddler_previous_token(mut self, value: impl Into<String>) -> Self {
        self.peddler.previous = Some(secret(value));
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
        self.xoxoday_api_key.current = Some(secret(value));
        self
    }

    /// `XOXODAY_API_KEY_PREVIOUS`: a second accepted API key, while rotating (configure the new
    /// key, then change it in Xoxoday's dashboard, then drop the old one).
    #[must_use]
    pub fn xoxoday_previous_api_key(mut self, value: impl Into<String>) -> Self {
        self.xoxoday_api_key.previous = Some(secret(value));
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

    /// `XOXODAY_ALLOWLIST`: replaces the allowed source addresses or CIDR ranges
    /// (`52.76.120.90` only by default): [`xoxoday::Verifier::allowlist`][allowlist].
    #[doc = ""]
    #[cfg_attr(
        feature = "xoxoday",
        doc = "[allowlist]: crate::xoxoday::Verifier::allowlist"
    )]
    #[cfg_attr(not(feature = "xoxoday"), doc = "[allowlist]: crate#features")]
    #[must_use]
    pub fn xoxoday_allowlist<I, S>(mut self, entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.xoxoday_allowlist = Some(entries.into_iter().map(Into::into).collect());
        self
    }

    /// `XOXODAY_ALLOW_BROAD_RANGES=1`: lets the allowlist and the trusted proxies hold ranges
    /// covering a large part of the internet:
    /// [`xoxoday::Verifier::allow_broad_ranges`][allow_broad_ranges].
    #[doc = ""]
    #[cfg_attr(
        feature = "xoxoday",
        doc = "[allow_broad_ranges]: crate::xoxoday::Verifier::allow_broad_ranges"
    )]
    #[cfg_attr(not(feature = "xoxoday"), doc = "[allow_broad_ranges]: crate#features")]
    #[must_use]
    pub fn xoxoday_allow_broad_ranges(mut self) -> Self {
        self.xoxoday_allow_broad_ranges = true;
        self
    }

    /// `XOXODAY_PROXY_HEADER` (`auto`, `x-forwarded-for` or `forwarded`): which forwarding
    /// header the trusted proxies set:
    /// [`xoxoday::Verifier::proxy_header`](crate::xoxoday::Verifier::proxy_header).
    #[cfg(feature = "xoxoday")]
    #[must_use]
    pub fn xoxoday_proxy_header(mut self, header: crate::verify::ProxyHeader) -> Self {
        self.xoxoday_proxy_header = Some(header);
        self
    }

    /// `ISENDU_KEY_ID` and `ISENDU_SECRET_KEY`: enables isendu and answers its handshake.
    #[must_use]
    pub fn isendu_key(mut self, key_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        self.isendu_key_id.current = Some(secret(key_id));
        self.isendu_secret_key.current = Some(secret(secret_key));
        self
    }

    /// `ISENDU_KEY_ID_PREVIOUS` and `ISENDU_SECRET_KEY_PREVIOUS`: a second key pair, while
    /// rotating; a handshake naming either key id is answered with that pair's secret key.
    #[must_use]
    pub fn isendu_previous_key(
        mut self,
        key_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.isendu_key_id.previous = Some(secret(key_id));
        self.isendu_secret_key.previous = Some(secret(secret_key));
        self
    }

    /// `ISENDU_URL_TOKEN`: required in isendu's calls' URLs, in query parameter `token` unless
    /// [`isendu_url_token_param`](Self::isendu_url_token_param) or
    /// [`isendu_url_token_in_path`](Self::isendu_url_token_in_path) says otherwise.
    #[must_use]
    pub fn isendu_url_token(mut self, value: impl Into<String>) -> Self {
        self.isendu_url_token.current = Some(secret(value));
        self
    }

    /// `ISENDU_URL_TOKEN_PREVIOUS`: a second accepted URL token, while rotating (register the
    /// URL with the new token, then drop the old one).
    #[must_use]
    pub fn isendu_previous_url_token(mut self, value: impl Into<String>) -> Self {
        self.isendu_url_token.previous = Some(secret(value));
        self
    }

    /// `ISENDU_URL_TOKEN_PARAM`: the query parameter holding isendu's URL token (`token` by
    /// default): [`UrlToken::query`](crate::verify::UrlToken::query)'s name.
    #[must_use]
    pub fn isendu_url_token_param(mut self, name: impl Into<String>) -> Self {
        self.isendu_url_token_param = Some(name.into());
        self
    }

    /// `ISENDU_URL_TOKEN_IN=path`: isendu's URL token is one of the URL's path segments
    /// ([`UrlToken::path_segment`](crate::verify::UrlToken::path_segment)), e.g.
    /// `.../webhooks/isendu/<token>` in a route of your own (the ready routers mount
    /// `/webhooks/isendu` alone) or a prefix the router is nested under.
    #[must_use]
    pub fn isendu_url_token_in_path(mut self) -> Self {
        self.isendu_url_token_in = Some(UrlTokenIn::Path);
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
        self.skladon.current = Some(secret(value));
        self
    }

    /// `SKLADON_URL_TOKEN_PREVIOUS`: a second accepted token, while rotating.
    #[must_use]
    pub fn skladon_previous_token(mut self, value: impl Into<String>) -> Self {
        self.skladon.previous = Some(secret(value));
        self
    }

    /// `SKLADON_WITHOUT_URL_TOKEN=1`: enables Skladon without a token in its URLs
    /// ([`skladon::Verifier::without_token`][without_token]): anyone
    /// who learns them can call them, so only behind a gateway that checks the caller. Ignored
    /// when a token is set.
    #[doc = ""]
    #[cfg_attr(
        feature = "skladon",
        doc = "[without_token]: crate::skladon::Verifier::without_token"
    )]
    #[cfg_attr(not(feature = "skladon"), doc = "[without_token]: crate#features")]
    #[must_use]
    pub fn skladon_without_url_token(mut self) -> Self {
        self.skladon_without_url_token = true;
        self
    }

    /// `SKLADON_MOUNT`: the full public path Skladon's routes sit under
    /// ([`skladon::Verifier::mounted_at`][mounted_at];
    /// `/webhooks/skladon` by default), e.g. `/api/webhooks/skladon` when the ready router is
    /// nested under `/api`.
    #[doc = ""]
    #[cfg_attr(
        feature = "skladon",
        doc = "[mounted_at]: crate::skladon::Verifier::mounted_at"
    )]
    #[cfg_attr(not(feature = "skladon"), doc = "[mounted_at]: crate#features")]
    #[must_use]
    pub fn skladon_mounted_at(mut self, path: impl Into<String>) -> Self {
        self.skladon_mount = Some(path.into());
        self
    }
}
