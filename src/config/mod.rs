//! [`Config`]: every provider's verifier built from environment variables (or a builder), for a
//! receiver that mounts them all.

use std::net::SocketAddr;

use crate::delivery::Provider;

#[macro_use]
mod variables;
mod body;
mod build;
mod builder;
mod env;
mod errors;
mod listen;

pub use builder::ConfigBuilder;
pub use errors::ConfigErrors;
pub use listen::ListenAddr;
pub use variables::EnvVariable;

/// The address a receiver listens on unless `DELIVERY_WEBHOOKS_LISTEN` or `PORT` says
/// otherwise: `127.0.0.1:3000`.
pub const DEFAULT_LISTEN_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    3000,
));

/// The verifier of each configured provider (`None`: not configured, no route), the address
/// to listen on and the inbox's database: what the framework adapters' ready routers mount, and
/// what a service needs to start.
///
/// Read it from the environment with [`Config::from_env`], build it from values with
/// [`Config::builder`] (one setter per variable, of the same name), or set the fields yourself
/// (`config.wakilni = Some(verifier)`). Everything a provider's `Verifier` can be told in code
/// has its variable: the credentials and their rotation, the body limit and timeout, Xoxoday's
/// sources and proxies, where isendu's URL token stands, Skladon's mount point, and each
/// explicit opt-out. One exception: the body limit and timeout are set for every provider at
/// once; a value for one provider alone is set in code
/// (`config.wakilni = config.wakilni.map(|v| v.body_limit(bytes))`).
///
/// The crate's own settings share the prefix `DELIVERY_WEBHOOKS_`, so that they do not clash
/// with a service's variables; `PORT` is read as the platforms that set it mean it. The same
/// table is [`Config::VARIABLES`], for a command that lists them.
///
#[doc = with_variables!(markdown_table)]
///
/// Every credential rotates the same way: while `NAME_PREVIOUS` is set beside `NAME`, both values
/// are accepted; set `NAME_PREVIOUS` without `NAME` and the error names it. Variables of a
/// provider whose cargo feature is off are checked the same but build nothing (when nothing
/// else is configured, the error names its feature). A Peddler token,
/// Xoxoday API key or isendu key id shorter than 16 bytes works, but is flagged in
/// [`health`](Config::health)'s report (and, with feature `tracing`, warned about once).
///
/// Every problem is reported at once ([`ConfigErrors`]), each by its variable, never its
/// value: a configuration with no provider (which would answer every request 404), a name of
/// 0.2 replaced in 0.3 (`LISTEN_ADDR`, `BODY_LIMIT`, `BODY_TIMEOUT_SECS`, refused unless its
/// replacement is set too, as a service's own variable may share the old name), and a name
/// under a provider's or the crate's prefix that is likely a misspelling of one above
/// (`WAKILNI_SECRET`: did you mean `WAKILNI_WEBHOOK_SECRET`?).
///
/// ```
/// use delivery_webhooks::Config;
///
/// # #[cfg(feature = "peddler")] {
/// let vars = [
///     ("PEDDLER_WEBHOOK_TOKEN", "pd-token"),
///     ("DELIVERY_WEBHOOKS_LISTEN", "localhost:0"),
/// ];
/// let config = Config::from_pairs(vars)?;
/// assert_eq!(config.providers(), [delivery_webhooks::Provider::Peddler]);
/// assert_eq!((config.listen_addr.host(), config.listen_addr.port()), ("localhost", 0));
/// # }
///
/// // An error names every variable at fault, never its value.
/// let err = Config::from_pairs([("PEDDLER_WEBHOOK_TOKEN", " "), ("WAKILNI_SECRET", "wk")])
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "PEDDLER_WEBHOOK_TOKEN: empty secret\n\
///      WAKILNI_SECRET: not a variable delivery-webhooks reads: did you mean \
///      WAKILNI_WEBHOOK_SECRET?"
/// );
/// # Ok::<(), delivery_webhooks::ConfigErrors>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where to listen.
    pub listen_addr: ListenAddr,
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
    /// `DELIVERY_WEBHOOKS_BODY_BUDGET`: the bytes of request bodies the framework adapters
    /// hold at once across every request of the process. The ready routers built from this
    /// configuration set the process-wide budget to it, unless it was set before (the first
    /// value set holds: one budget per process, shared by every router and extractor). `None`
    /// leaves the budget as it stands: [`DEFAULT_BODY_BUDGET`](crate::DEFAULT_BODY_BUDGET)
    /// (64 MiB) unless set in code. See `docs/security.md`, "Body limits per provider".
    pub body_budget: Option<usize>,
    /// `DELIVERY_WEBHOOKS_DATABASE_URL`, wiped on drop and never shown: it may hold a password.
    database_url: Option<builder::Secret>,
    /// `DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL`, wiped on drop and never shown.
    database_listen_url: Option<builder::Secret>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Config");
        s.field("listen_addr", &self.listen_addr)
            .field("health", &self.health);
        #[cfg(feature = "wakilni")]
        s.field("wakilni", &self.wakilni);
        #[cfg(feature = "peddler")]
        s.field("peddler", &self.peddler);
        #[cfg(feature = "xoxoday")]
        s.field("xoxoday", &self.xoxoday);
        #[cfg(feature = "isendu")]
        s.field("isendu", &self.isendu);
        #[cfg(feature = "skladon")]
        s.field("skladon", &self.skladon);
        s.field("body_budget", &self.body_budget);
        s.field(
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

impl Default for Config {
    /// No provider, listening on [`DEFAULT_LISTEN_ADDR`].
    fn default() -> Self {
        Self {
            listen_addr: DEFAULT_LISTEN_ADDR.into(),
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
            body_budget: None,
            database_url: None,
            database_listen_url: None,
        }
    }
}

impl Config {
    /// Every variable [`from_env`](Config::from_env) reads, in the order of the table above.
    pub const VARIABLES: &'static [EnvVariable] = variables::VARIABLES;

    /// Reads the variables in the table above from the process environment.
    ///
    /// # Errors
    /// [`ConfigErrors`] naming every unusable variable: an empty secret, a value that is not
    /// UTF-8, a `_PREVIOUS` without its current value, half of isendu's key pair, Xoxoday
    /// settings without `XOXODAY_ENABLED=1`, `SKLADON_MOUNT` without Skladon, a switch other
    /// than `1` or `0`, a bad number, address, range or database URL; a configuration with no
    /// provider; a name of 0.2 without its replacement; a likely misspelling.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        let mut names = Vec::new();
        let mut not_unicode = Vec::new();
        for (name, value) in std::env::vars_os() {
            // A name that is not UTF-8 is none of ours, nor close to one.
            let Ok(name) = name.into_string() else {
                continue;
            };
            if value.to_str().is_none() && variables::is_known(&name) {
                not_unicode.push(crate::error::ConfigError::new(
                    name.clone(),
                    "not valid UTF-8",
                ));
            }
            names.push(name);
        }
        let var = |name: &str| std::env::var(name).ok().map(zeroize::Zeroizing::new);
        let mut builder = env::read(var, Some(&names));
        builder.read_problems.extend(not_unicode);
        builder.build()
    }

    /// Reads the same variables from `(name, value)` pairs (a test's environment, a parsed
    /// `.env` file...), with the same checks as [`from_env`](Config::from_env), the hints at
    /// misspelled names included.
    ///
    /// # Errors
    /// Those of [`from_env`](Config::from_env).
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self, ConfigErrors>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let pairs: Vec<(String, builder::Secret)> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), builder::secret(v)))
            .collect();
        let names: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        let var = |name: &str| {
            // The last value of a name wins, as in a shell.
            let found = pairs.iter().rev().find(|(k, _)| k == name);
            found.map(|(_, v)| v.clone())
        };
        env::read(var, Some(&names)).build()
    }

    /// Reads the same variables through `var` (a secrets store...): `var(name)` is the value of
    /// `name`, `None` when unset. `var` is asked about known names only, so misspellings go
    /// unnoticed: prefer [`from_pairs`](Config::from_pairs) when the names can be listed.
    ///
    /// # Errors
    /// Those of [`from_env`](Config::from_env), but for misspellings.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigErrors> {
        env::read(|name| var(name).map(zeroize::Zeroizing::new), None).build()
    }

    /// `DELIVERY_WEBHOOKS_DATABASE_URL`, the inbox's database: a SQLite file path, or a
    /// PostgreSQL URL when it starts `postgres://` or `postgresql://` (either scheme, any case).
    /// The crate opens nothing itself: hand it to the inbox you open. Never shown in `Debug`
    /// or an error, as it may hold a password.
    ///
    /// ```
    /// use delivery_webhooks::Config;
    ///
    /// # #[cfg(feature = "wakilni")] {
    /// let config = Config::builder()
    ///     .wakilni_secret("wk")
    ///     .database_url("postgres://inbox:pa55@db.internal/inbox")
    ///     .build()?;
    /// assert_eq!(config.database_url(), Some("postgres://inbox:pa55@db.internal/inbox"));
    /// assert!(!format!("{config:?}").contains("pa55"));
    /// # }
    /// # Ok::<(), delivery_webhooks::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_ref().map(|url| url.as_str())
    }

    /// `DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL`: where a PostgreSQL inbox's `LISTEN` session
    /// connects when [`database_url`](Config::database_url) goes through a pooler in
    /// transaction mode (PgBouncer), where a `LISTEN` does not last: the server itself or a
    /// session-mode pool. Hand it to
    /// `inbox::InboxOptions::listen_url` (features `inbox-*`).
    /// Never shown in `Debug` or an error.
    #[must_use]
    pub fn database_listen_url(&self) -> Option<&str> {
        self.database_listen_url.as_ref().map(|url| url.as_str())
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
    /// `body_limit`; its own `DEFAULT_BODY_LIMIT` unless set).
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

    /// Sets `provider`'s verifier's body limit and timeout, where given (the per-provider
    /// variables, over the crate-wide ones).
    #[cfg_attr(not(any_provider), allow(unused_mut, unused_variables, unused_macros))]
    fn provider_body(
        mut self,
        provider: crate::delivery::Provider,
        limit: Option<usize>,
        timeout: Option<std::time::Duration>,
    ) -> Self {
        macro_rules! apply {
            ($field:ident) => {{
                if let Some(bytes) = limit {
                    self.$field = self.$field.map(|v| v.body_limit(bytes));
                }
                if let Some(after) = timeout {
                    self.$field = self.$field.map(|v| v.body_timeout(after));
                }
            }};
        }
        match provider {
            #[cfg(feature = "wakilni")]
            crate::delivery::Provider::Wakilni => apply!(wakilni),
            #[cfg(feature = "peddler")]
            crate::delivery::Provider::Peddler => apply!(peddler),
            #[cfg(feature = "xoxoday")]
            crate::delivery::Provider::Xoxoday => apply!(xoxoday),
            #[cfg(feature = "isendu")]
            crate::delivery::Provider::Isendu => apply!(isendu),
            #[cfg(feature = "skladon")]
            crate::delivery::Provider::Skladon => apply!(skladon),
            #[allow(unreachable_patterns)]
            _ => {}
        }
        self
    }

    /// A builder taking the same settings as values.
    ///
    /// ```
    /// use delivery_webhooks::Config;
    ///
    /// # #[cfg(all(feature = "wakilni", feature = "skladon"))] {
    /// let config = Config::builder()
    ///     .wakilni_secret("wk-new")
    ///     .wakilni_previous_secret("wk-old")
    ///     .skladon_token("sk-token-5f1c9a7e2b")
    ///     .build()?;
    /// assert_eq!(config.providers().len(), 2);
    /// # }
    /// # Ok::<(), delivery_webhooks::ConfigErrors>(())
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
