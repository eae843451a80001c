//! [`ConfigBuilder::build`]: every configured provider's verifier, each credential checked under
//! the name of its own variable (current or `_PREVIOUS`). Every problem is gathered, not only the
//! first, so that one error lists them all.

use super::Config;
use super::builder::{ConfigBuilder, Rotation, Secret};
use super::errors::ConfigErrors;
use crate::error::ConfigError;

/// The problems found so far.
type Problems = Vec<ConfigError>;

/// The value of `result`, or `None` with its error kept.
fn keep<T>(problems: &mut Problems, result: Result<T, ConfigError>) -> Option<T> {
    result.map_err(|e| problems.push(e)).ok()
}

impl ConfigBuilder {
    /// Builds every configured provider's verifier.
    ///
    /// # Errors
    /// [`ConfigErrors`] listing every unusable setting, each by its variable: an empty secret, a
    /// `_PREVIOUS` value without its current one, half of an isendu key pair, a URL token
    /// shorter than 16 bytes, Xoxoday settings without Xoxoday enabled, a bad proxy range, a
    /// database URL of another kind; and a configuration with no provider at all, which would
    /// answer every request with 404. From the environment, also those of
    /// [`Config::from_env`].
    pub fn build(mut self) -> Result<Config, ConfigErrors> {
        let mut problems = std::mem::take(&mut self.read_problems);
        let config = self.build_into(&mut problems);
        match ConfigErrors::from_vec(problems) {
            Some(errors) => Err(errors),
            None => Ok(config),
        }
    }

    fn build_into(self, problems: &mut Problems) -> Config {
        // Variables of providers compiled out are checked but not used.
        #[allow(unused_mut, unused_variables)]
        let mut config = Config {
            listen_addr: self.listen_addr.clone(),
            health: self.health.clone().unwrap_or_default(),
            database_url: keep(problems, self.checked_database_url()).flatten(),
            database_listen_url: keep(problems, self.checked_listen_url()).flatten(),
            ..Config::default()
        };
        let mut usable = |rotation: &Rotation| keep(problems, check_rotation(rotation)).is_some();
        let wakilni = usable(&self.wakilni);
        let peddler = usable(&self.peddler);
        let xoxoday_key = usable(&self.xoxoday_api_key);
        let isendu = [
            &self.isendu_key_id,
            &self.isendu_secret_key,
            &self.isendu_url_token,
        ]
        .map(&mut usable)
        .iter()
        .all(|ok| *ok);
        let mut skladon = usable(&self.skladon);
        if cfg!(feature = "skladon") && skladon {
            skladon = keep(problems, check_url_token_length(&self.skladon)).is_some();
        }
        #[cfg(feature = "wakilni")]
        if wakilni {
            config.wakilni = rotating(problems, &self.wakilni, |v| {
                crate::wakilni::Verifier::with_secrets(v)
            });
        }
        #[cfg(feature = "peddler")]
        if peddler {
            config.peddler = rotating(problems, &self.peddler, |v| {
                crate::peddler::Verifier::with_secrets(v)
            });
        }
        keep(problems, self.check_skladon());
        #[cfg(feature = "skladon")]
        if skladon {
            let tokens = rotating(problems, &self.skladon, |v| {
                crate::skladon::Verifier::with_secrets(v)
            });
            let open = || {
                self.skladon_without_url_token
                    .then(crate::skladon::Verifier::without_token)
            };
            config.skladon = tokens.or_else(open).map(|v| match &self.skladon_mount {
                Some(mount) => v.mounted_at(mount.as_str()),
                None => v,
            });
        }
        let xoxoday = self.xoxoday(problems, xoxoday_key);
        let isendu = if isendu { self.isendu(problems) } else { None };
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
        let _ = (wakilni, peddler, skladon);
        if config.providers().is_empty() && !problems.iter().any(names_a_provider_variable) {
            problems.push(self.nothing_configured());
        }
        // Precedence: a provider's own variable, then the crate-wide one, then the verifier's
        // default.
        let mut config = config.body_timeout(self.body_timeout);
        if let Some(bytes) = self.body_limit {
            config = config.body_limit(bytes);
        }
        for (provider, (limit, timeout)) in crate::delivery::Provider::ALL
            .into_iter()
            .zip(self.provider_body)
        {
            config = config.provider_body(provider, limit, timeout);
        }
        config.body_budget = self.body_budget;
        config
    }

    /// The problem of a configuration that mounts nothing: every request would be a 404. A
    /// provider configured but compiled out is named, with its cargo feature.
    fn nothing_configured(&self) -> ConfigError {
        let configured = [
            ("wakilni", self.wakilni.current.is_some()),
            ("peddler", self.peddler.current.is_some()),
            ("xoxoday", self.xoxoday_enabled),
            ("isendu", self.isendu_key_id.current.is_some()),
            (
                "skladon",
                self.skladon.current.is_some() || self.skladon_without_url_token,
            ),
        ];
        let compiled_out: Vec<&str> = configured
            .iter()
            .filter(|(_, set)| *set)
            .map(|(feature, _)| *feature)
            .collect();
        let mut reason = format!(
            "no provider configured: every request would be answered 404; set {}",
            super::variables::ENABLING
        );
        if !compiled_out.is_empty() {
            reason.push_str(&format!(
                " (configured, but built without its cargo feature: {})",
                compiled_out.join(", ")
            ));
        }
        ConfigError::whole(reason)
    }

    /// `DELIVERY_WEBHOOKS_DATABASE_URL`: a SQLite path or a PostgreSQL URL, never another scheme
    /// (`mysql://`, or `sqlite://`, which SQLite would take for a directory).
    fn checked_database_url(&self) -> Result<Option<Secret>, ConfigError> {
        const NAME: &str = "DELIVERY_WEBHOOKS_DATABASE_URL";
        let Some(url) = &self.database_url else {
            return Ok(None);
        };
        let trimmed = url.trim();
        if trimmed.is_empty() {
            return Err(ConfigError::new(NAME, "empty"));
        }
        if trimmed.contains("://") && !is_postgres_url(trimmed) {
            return Err(ConfigError::new(
                NAME,
                "expected a SQLite file path, or a postgres:// or postgresql:// URL",
            ));
        }
        Ok(Some(super::builder::secret(trimmed)))
    }

    /// `DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL`: a PostgreSQL URL (only PostgreSQL listens).
    fn checked_listen_url(&self) -> Result<Option<Secret>, ConfigError> {
        const NAME: &str = "DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL";
        let Some(url) = &self.database_listen_url else {
            return Ok(None);
        };
        let trimmed = url.trim();
        if !is_postgres_url(trimmed) {
            return Err(ConfigError::new(
                NAME,
                "expected a postgres:// or postgresql:// URL",
            ));
        }
        Ok(Some(super::builder::secret(trimmed)))
    }

    /// `SKLADON_MOUNT` without Skladon is a mistake worth reporting.
    fn check_skladon(&self) -> Result<(), ConfigError> {
        if self.skladon_mount.is_some()
            && self.skladon.current.is_none()
            && !self.skladon_without_url_token
        {
            return Err(ConfigError::new(
                "SKLADON_MOUNT",
                "set without SKLADON_URL_TOKEN or SKLADON_WITHOUT_URL_TOKEN=1",
            ));
        }
        Ok(())
    }

    /// Credentials the provider issues or an account already uses (Peddler's token, Xoxoday's
    /// API key, isendu's key id, current or previous) keep working whatever their length: one
    /// shorter than 16 bytes is flagged in the health report, with a warning naming its variable.
    fn flag_short_credentials(&self, health: &crate::telemetry::Health) {
        use crate::delivery::Provider;
        let short = |rotation: &Rotation| {
            rotation
                .entries()
                .into_iter()
                .filter(|(_, s)| crate::verify::is_short(s.as_bytes()))
                .map(|(name, _)| name)
                .collect::<Vec<_>>()
        };
        let mut flagged: Vec<(Provider, &str)> = Vec::new();
        if cfg!(feature = "peddler") {
            flagged.extend(
                short(&self.peddler)
                    .into_iter()
                    .map(|n| (Provider::Peddler, n)),
            );
        }
        if cfg!(feature = "xoxoday") && self.xoxoday_enabled {
            let keys = short(&self.xoxoday_api_key);
            flagged.extend(keys.into_iter().map(|n| (Provider::Xoxoday, n)));
        }
        if cfg!(feature = "isendu") {
            let ids = short(&self.isendu_key_id);
            flagged.extend(ids.into_iter().map(|n| (Provider::Isendu, n)));
        }
        for (provider, setting) in flagged {
            health.flag_short_credential(provider, setting);
        }
    }

    #[cfg(feature = "xoxoday")]
    fn xoxoday(&self, problems: &mut Problems, key_ok: bool) -> Option<crate::xoxoday::Verifier> {
        if !self.check_xoxoday(problems) || !key_ok {
            return None;
        }
        let keyed = rotating(problems, &self.xoxoday_api_key, |v| {
            crate::xoxoday::Verifier::with_secrets(v)
        });
        if keyed.is_none() && self.xoxoday_api_key.current.is_some() {
            return None;
        }
        let mut verifier = keyed.unwrap_or_else(crate::xoxoday::Verifier::without_api_key);
        // In the order the verifier needs: the opt-in before the ranges it lets through.
        if self.xoxoday_allow_broad_ranges {
            verifier = verifier.allow_broad_ranges();
        }
        let mut usable = true;
        if let Some(allowlist) = &self.xoxoday_allowlist {
            let allowed = verifier.clone().allowlist(allowlist);
            match keep(
                problems,
                allowed.map_err(|e| e.for_variable("XOXODAY_ALLOWLIST")),
            ) {
                Some(v) => verifier = v,
                None => usable = false,
            }
        }
        if let Some(proxies) = &self.xoxoday_proxies {
            let trusted = verifier.clone().trusted_proxies(proxies);
            match keep(
                problems,
                trusted.map_err(|e| e.for_variable("XOXODAY_TRUSTED_PROXIES")),
            ) {
                Some(v) => verifier = v,
                None => usable = false,
            }
        }
        if let Some(header) = self.xoxoday_proxy_header {
            verifier = verifier.proxy_header(header);
        }
        usable.then_some(verifier)
    }

    #[cfg(not(feature = "xoxoday"))]
    fn xoxoday(&self, problems: &mut Problems, _key_ok: bool) -> Option<()> {
        self.check_xoxoday(problems);
        None
    }

    /// Whether Xoxoday is enabled; its settings while it stays off are a mistake worth
    /// reporting, each by name.
    fn check_xoxoday(&self, problems: &mut Problems) -> bool {
        if self.xoxoday_enabled {
            return true;
        }
        let mut set = self
            .xoxoday_api_key
            .entries()
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>();
        for (name, is_set) in [
            ("XOXODAY_ALLOWLIST", self.xoxoday_allowlist.is_some()),
            ("XOXODAY_TRUSTED_PROXIES", self.xoxoday_proxies.is_some()),
            (
                "XOXODAY_ALLOW_BROAD_RANGES",
                self.xoxoday_allow_broad_ranges,
            ),
            ("XOXODAY_PROXY_HEADER", self.xoxoday_proxy_header.is_some()),
        ] {
            if is_set {
                set.push(name);
            }
        }
        problems.extend(
            set.into_iter()
                .map(|name| ConfigError::new(name, "set without XOXODAY_ENABLED=1")),
        );
        false
    }

    #[cfg(feature = "isendu")]
    fn isendu(&self, problems: &mut Problems) -> Option<crate::isendu::Verifier> {
        let placement = self.isendu_placement(problems);
        let pairs = self.isendu_pairs(problems)?;
        if pairs.is_empty() {
            return None;
        }
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(id, key)| (id.as_str(), key.as_str()))
            .collect();
        // Each value was checked alone, under its own name: what is left is the list as a whole.
        let key_error = |e: ConfigError| e.for_variable(super::builder::ISENDU_KEY_ID.current);
        let tokens = self.isendu_url_token.entries();
        let verifier = if tokens.is_empty() {
            if !self.isendu_without_url_token {
                problems.push(ConfigError::new(
                    "ISENDU_URL_TOKEN",
                    "required with ISENDU_KEY_ID: without it anyone who learns the key id \
                     obtains the secret key; set ISENDU_WITHOUT_URL_TOKEN=1 to run without one",
                ));
                return None;
            }
            crate::isendu::Verifier::without_url_token(pairs).map_err(key_error)
        } else {
            keep(problems, check_url_token_length(&self.isendu_url_token))?;
            let values = tokens.iter().map(|(_, s)| s.as_bytes());
            let token = match placement? {
                Some(param) => crate::verify::UrlToken::query_with_tokens(param, values),
                None => crate::verify::UrlToken::path_segment_with_tokens(values),
            };
            let token = keep(
                problems,
                token.map_err(|e| e.for_variable("ISENDU_URL_TOKEN")),
            )?;
            crate::isendu::Verifier::with_secrets(pairs, token).map_err(key_error)
        };
        keep(problems, verifier)
    }

    #[cfg(not(feature = "isendu"))]
    fn isendu(&self, problems: &mut Problems) -> Option<()> {
        self.isendu_placement(problems);
        self.isendu_pairs(problems)?;
        None
    }

    /// Where isendu's URL token stands: `Some(Some(param))` in a query parameter,
    /// `Some(None)` in the path; `None` when its variables are unusable (each reported).
    fn isendu_placement(&self, problems: &mut Problems) -> Option<Option<&str>> {
        use super::builder::UrlTokenIn;
        let before = problems.len();
        let token_set = self.isendu_url_token.current.is_some();
        for (name, set) in [
            ("ISENDU_URL_TOKEN_IN", self.isendu_url_token_in.is_some()),
            (
                "ISENDU_URL_TOKEN_PARAM",
                self.isendu_url_token_param.is_some(),
            ),
        ] {
            if set && !token_set {
                problems.push(ConfigError::new(name, "set without ISENDU_URL_TOKEN"));
            }
        }
        let param = self.isendu_url_token_param.as_deref();
        if self.isendu_url_token_in == Some(UrlTokenIn::Path) && param.is_some() {
            problems.push(ConfigError::new(
                "ISENDU_URL_TOKEN_PARAM",
                "set with ISENDU_URL_TOKEN_IN=path: a token in the path has no parameter name",
            ));
        }
        if let Some(param) = param {
            // Characters that end a parameter's name or the query, or that no one types.
            let bad = |c: char| "&=#?+%".contains(c) || c.is_whitespace() || c.is_control();
            if param.is_empty() || param.contains(bad) {
                problems.push(ConfigError::new(
                    "ISENDU_URL_TOKEN_PARAM",
                    "expected a query parameter name, without spaces or any of & = # ? + %",
                ));
            }
        }
        (problems.len() == before).then(|| match self.isendu_url_token_in {
            Some(UrlTokenIn::Path) => None,
            _ => Some(param.unwrap_or("token")),
        })
    }

    /// isendu's key pairs, current first: each with both halves or neither; the URL token only
    /// with a pair. `None` when a half is missing (each reported).
    fn isendu_pairs(&self, problems: &mut Problems) -> Option<Vec<(&Secret, &Secret)>> {
        let (ids, keys) = (&self.isendu_key_id, &self.isendu_secret_key);
        let before = problems.len();
        let mut pairs = Vec::new();
        let slots = [
            (
                &ids.current,
                &keys.current,
                ids.variable.current,
                keys.variable.current,
            ),
            (
                &ids.previous,
                &keys.previous,
                ids.variable.previous,
                keys.variable.previous,
            ),
        ];
        for (id, key, id_name, key_name) in slots {
            match (id, key) {
                (Some(id), Some(key)) => pairs.push((id, key)),
                (Some(_), None) => problems.push(ConfigError::new(
                    key_name,
                    format!(
                        "unset while {id_name} is set: the handshake is answered with the \
                         secret key"
                    ),
                )),
                (None, Some(_)) => problems.push(ConfigError::new(
                    id_name,
                    format!("unset while {key_name} is set"),
                )),
                (None, None) => {}
            }
        }
        if pairs.is_empty() && problems.len() == before {
            if let Some((name, _)) = self.isendu_url_token.entries().first() {
                problems.push(ConfigError::new(
                    *name,
                    "set without ISENDU_KEY_ID and ISENDU_SECRET_KEY",
                ));
            }
        }
        (problems.len() == before).then_some(pairs)
    }
}

/// A problem naming a provider's variable: the configuration is not empty, only wrong.
fn names_a_provider_variable(problem: &ConfigError) -> bool {
    problem
        .variable()
        .is_some_and(super::variables::is_provider_variable)
}

/// A verifier from one credential's values, or `None` when none is set or one is refused. Each
/// value is given to `build` alone first, so that an error names the variable at fault, then all
/// of them together.
#[cfg_attr(
    not(any(
        feature = "wakilni",
        feature = "peddler",
        feature = "xoxoday",
        feature = "skladon"
    )),
    allow(dead_code)
)]
fn rotating<V>(
    problems: &mut Problems,
    rotation: &Rotation,
    build: impl Fn(Vec<&[u8]>) -> Result<V, ConfigError>,
) -> Option<V> {
    let entries = rotation.entries();
    if entries.is_empty() {
        return None;
    }
    let before = problems.len();
    for (name, value) in &entries {
        keep(
            problems,
            build(vec![value.as_bytes()]).map_err(|e| e.for_variable(*name)),
        );
    }
    if problems.len() > before {
        return None;
    }
    let values = entries.iter().map(|(_, s)| s.as_bytes()).collect();
    keep(
        problems,
        build(values).map_err(|e| e.for_variable(rotation.variable.current)),
    )
}

/// Refuses a `_PREVIOUS` value without its current one, and an empty or blank value, naming its
/// own variable.
fn check_rotation(rotation: &Rotation) -> Result<(), ConfigError> {
    let variable = rotation.variable;
    if rotation.current.is_none() && rotation.previous.is_some() {
        return Err(ConfigError::new(
            variable.previous,
            format!("set without {}", variable.current),
        ));
    }
    match rotation.entries().iter().find(|(_, s)| s.trim().is_empty()) {
        Some((name, _)) => Err(ConfigError::empty_secret().for_variable(*name)),
        None => Ok(()),
    }
}

/// Refuses a URL token shorter than 16 bytes, naming its own variable (current or `_PREVIOUS`):
/// the receiver's operator chooses it, so it can be long.
fn check_url_token_length(rotation: &Rotation) -> Result<(), ConfigError> {
    let entries = rotation.entries();
    match entries
        .iter()
        .find(|(_, s)| crate::verify::is_short(s.as_bytes()))
    {
        Some((name, _)) => {
            Err(ConfigError::invalid_secret(crate::verify::SHORT_URL_TOKEN).for_variable(*name))
        }
        None => Ok(()),
    }
}

/// Whether `url` starts `postgres://` or `postgresql://` (any case).
fn is_postgres_url(url: &str) -> bool {
    ["postgres://", "postgresql://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}
