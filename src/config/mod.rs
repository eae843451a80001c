//! [`Config`]: every provider's verifier built from environment variables (or a builder), for a
//! receiver that mounts them all.

use std::fmt;
use std::net::SocketAddr;

use zeroize::Zeroizing;

use crate::delivery::Provider;

mod builder;

pub use builder::ConfigBuilder;
use builder::{PREVIOUS, rotation};

/// The address a receiver listens on unless `LISTEN_ADDR` says otherwise: `127.0.0.1:3000`.
pub const DEFAULT_LISTEN_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    3000,
));

/// The variables [`Config::from_env`] reads, besides the `_PREVIOUS` ones.
const VARIABLES: [&str; 14] = [
    "LISTEN_ADDR",
    "BODY_TIMEOUT_SECS",
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
/// | `ISENDU_URL_TOKEN` | required in query parameter `token` of isendu's calls (register `.../webhooks/isendu?token=<value>`); at least 16 bytes | required with `ISENDU_KEY_ID` |
/// | `ISENDU_WITHOUT_URL_TOKEN` | `1` to run isendu without a URL token: anyone who learns the key id can then obtain the secret key | unset: a token is required |
/// | `SKLADON_URL_TOKEN` | the token in every Skladon URL, at least 16 bytes; enables `/webhooks/skladon/<token>/<TYPE>[/<id>]` | unset: no route |
/// | `SKLADON_URL_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
///
/// Variables of a provider whose cargo feature is off are ignored. A Peddler token, Xoxoday API
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
        if let Some(secs) = get("BODY_TIMEOUT_SECS") {
            let secs: u64 = secs.trim().parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                ConfigError::new(
                    "BODY_TIMEOUT_SECS",
                    "expected a whole number of seconds above 0",
                )
            })?;
            builder.body_timeout = std::time::Duration::from_secs(secs);
        }
        builder.build()
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

    #[cfg(all_providers)]
    #[test]
    fn previous_without_current_is_refused() {
        let err = from(&[("SKLADON_URL_TOKEN_PREVIOUS", "old-token-value")]).unwrap_err();
        assert_eq!(err.variable(), "SKLADON_URL_TOKEN_PREVIOUS");
        assert!(!err.to_string().contains("old-token-value"), "{err}");
    }

    #[cfg(all_providers)]
    #[test]
    fn short_url_tokens_are_refused_naming_the_variable() {
        let isendu = [
            ("ISENDU_KEY_ID", "key-7f3a"),
            ("ISENDU_SECRET_KEY", "sk-live-1"),
        ];
        let cases: [(Vec<(&str, &str)>, &str); 3] = [
            (
                vec![("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b")],
                "SKLADON_URL_TOKEN",
            ),
            (
                vec![
                    ("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b4d"),
                    ("SKLADON_URL_TOKEN_PREVIOUS", "old-5f1c9a7e"),
                ],
                "SKLADON_URL_TOKEN_PREVIOUS",
            ),
            (
                [isendu.as_slice(), &[("ISENDU_URL_TOKEN", "u9X2-random")]].concat(),
                "ISENDU_URL_TOKEN",
            ),
        ];
        for (vars, variable) in cases {
            let err = from(&vars).unwrap_err();
            assert_eq!(err.variable(), variable);
            assert_eq!(
                err.reason(),
                "invalid secret: a url token must be at least 16 bytes: choose a long random value"
            );
            assert!(!err.to_string().contains("5f1c9a7e"), "{err}");
            assert!(!err.to_string().contains("u9X2"), "{err}");
        }
        // 16 bytes are enough.
        from(&[("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b4d")]).unwrap();
    }

    #[cfg(all_providers)]
    #[test]
    fn short_provider_credentials_work_and_are_flagged() {
        let config = from(&[
            ("PEDDLER_WEBHOOK_TOKEN", "pd-token"),
            ("XOXODAY_ENABLED", "1"),
            ("XOXODAY_API_KEY", "Key4Xoxoday"),
            ("ISENDU_KEY_ID", "key-7f3a"),
            ("ISENDU_SECRET_KEY", "sk-live-1"),
            ("ISENDU_URL_TOKEN", "u9X2-long-random-value"),
            ("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b4d"),
            ("WAKILNI_WEBHOOK_SECRET", "wk"),
        ])
        .unwrap();
        let flagged = |p| config.health.provider(p).short_credential;
        assert!(flagged(Provider::Peddler) && flagged(Provider::Xoxoday));
        assert!(flagged(Provider::Isendu));
        assert!(!flagged(Provider::Skladon) && !flagged(Provider::Wakilni));
        let long = from(&[("PEDDLER_WEBHOOK_TOKEN", "pd-token-5f1c9a7e2b")]).unwrap();
        assert!(long.health.report().providers.is_empty());
    }

    #[test]
    fn bad_listen_addr_names_the_variable_only() {
        let err = from(&[("LISTEN_ADDR", "nowhere-at-all")]).unwrap_err();
        assert_eq!(err.variable(), "LISTEN_ADDR");
        assert!(!err.to_string().contains("nowhere-at-all"));
    }

    #[cfg(all_providers)]
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
            ("ISENDU_URL_TOKEN", "is-token-5f1c9a7e2b"),
            ("SKLADON_URL_TOKEN", "sk-1-5f1c9a7e2b4d"),
            ("SKLADON_URL_TOKEN_PREVIOUS", "sk-0-5f1c9a7e2b4d"),
            ("LISTEN_ADDR", "[::1]:8080"),
        ])
        .unwrap();
        assert_eq!(config.providers(), Provider::ALL.to_vec());
        assert_eq!(config.listen_addr, "[::1]:8080".parse().unwrap());
        #[cfg(feature = "wakilni")]
        {
            use crate::request::Request;
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
            "is-token-5f1c9a7e2b",
            "sk-1-5f1c9a7e2b4d",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[cfg(all_providers)]
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
