//! [`ConfigBuilder::build`]: every configured provider's verifier, each credential checked under
//! the name of its own variable (current or `_PREVIOUS`).

use super::Config;
use super::builder::{ConfigBuilder, Rotation, Secret};
use crate::error::ConfigError;

impl ConfigBuilder {
    /// Builds every configured provider's verifier.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first unusable setting by its variable: an empty secret, a
    /// `_PREVIOUS` value without its current one, half of an isendu key pair, a URL token
    /// shorter than 16 bytes, Xoxoday settings without Xoxoday enabled, a bad proxy range.
    pub fn build(self) -> Result<Config, ConfigError> {
        // Variables of providers compiled out are checked but not used.
        #[allow(unused_mut, unused_variables)]
        let mut config = Config {
            listen_addr: self.listen_addr,
            health: self.health.clone().unwrap_or_default(),
            ..Config::default()
        };
        for rotation in [
            &self.wakilni,
            &self.peddler,
            &self.xoxoday_api_key,
            &self.isendu_key_id,
            &self.isendu_secret_key,
            &self.isendu_url_token,
            &self.skladon,
        ] {
            check_rotation(rotation)?;
        }
        if cfg!(feature = "skladon") {
            check_url_token_length(&self.skladon)?;
        }
        #[cfg(feature = "wakilni")]
        {
            config.wakilni =
                rotating(&self.wakilni, |v| crate::wakilni::Verifier::with_secrets(v))?;
        }
        #[cfg(feature = "peddler")]
        {
            config.peddler =
                rotating(&self.peddler, |v| crate::peddler::Verifier::with_secrets(v))?;
        }
        self.check_skladon()?;
        #[cfg(feature = "skladon")]
        {
            let tokens = rotating(&self.skladon, |v| crate::skladon::Verifier::with_secrets(v))?;
            let open = || {
                self.skladon_without_url_token
                    .then(crate::skladon::Verifier::without_token)
            };
            config.skladon = tokens.or_else(open).map(|v| match &self.skladon_mount {
                Some(mount) => v.mounted_at(mount.as_str()),
                None => v,
            });
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
        let config = config.body_timeout(self.body_timeout);
        Ok(match self.body_limit {
            Some(bytes) => config.body_limit(bytes),
            None => config,
        })
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
    fn xoxoday(&self) -> Result<Option<crate::xoxoday::Verifier>, ConfigError> {
        self.check_xoxoday()?;
        if !self.xoxoday_enabled {
            return Ok(None);
        }
        let keyed = rotating(&self.xoxoday_api_key, |v| {
            crate::xoxoday::Verifier::with_secrets(v)
        })?;
        let mut verifier = keyed.unwrap_or_else(crate::xoxoday::Verifier::without_api_key);
        // In the order the verifier needs: the opt-in before the ranges it lets through.
        if self.xoxoday_allow_broad_ranges {
            verifier = verifier.allow_broad_ranges();
        }
        if let Some(allowlist) = &self.xoxoday_allowlist {
            verifier = verifier
                .allowlist(allowlist)
                .map_err(|e| e.for_variable("XOXODAY_ALLOWLIST"))?;
        }
        if let Some(proxies) = &self.xoxoday_proxies {
            verifier = verifier
                .trusted_proxies(proxies)
                .map_err(|e| e.for_variable("XOXODAY_TRUSTED_PROXIES"))?;
        }
        if let Some(header) = self.xoxoday_proxy_header {
            verifier = verifier.proxy_header(header);
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
        let set_without = |name| Err(ConfigError::new(name, "set without XOXODAY_ENABLED=1"));
        if let Some((name, _)) = self.xoxoday_api_key.entries().first() {
            return set_without(name);
        }
        for (name, set) in [
            ("XOXODAY_ALLOWLIST", self.xoxoday_allowlist.is_some()),
            ("XOXODAY_TRUSTED_PROXIES", self.xoxoday_proxies.is_some()),
            (
                "XOXODAY_ALLOW_BROAD_RANGES",
                self.xoxoday_allow_broad_ranges,
            ),
            ("XOXODAY_PROXY_HEADER", self.xoxoday_proxy_header.is_some()),
        ] {
            if set {
                return set_without(name);
            }
        }
        Ok(())
    }

    #[cfg(feature = "isendu")]
    fn isendu(&self) -> Result<Option<crate::isendu::Verifier>, ConfigError> {
        let pairs = self.isendu_pairs()?;
        if pairs.is_empty() {
            return Ok(None);
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
                return Err(ConfigError::new(
                    "ISENDU_URL_TOKEN",
                    "required with ISENDU_KEY_ID: without it anyone who learns the key id \
                     obtains the secret key; set ISENDU_WITHOUT_URL_TOKEN=1 to run without one",
                ));
            }
            crate::isendu::Verifier::without_url_token(pairs).map_err(key_error)?
        } else {
            check_url_token_length(&self.isendu_url_token)?;
            let values = tokens.iter().map(|(_, s)| s.as_bytes());
            let token = crate::verify::UrlToken::query_with_tokens("token", values)
                .map_err(|e| e.for_variable("ISENDU_URL_TOKEN"))?;
            crate::isendu::Verifier::with_secrets(pairs, token).map_err(key_error)?
        };
        Ok(Some(verifier))
    }

    #[cfg(not(feature = "isendu"))]
    fn isendu(&self) -> Result<Option<()>, ConfigError> {
        self.isendu_pairs().map(|_| None)
    }

    /// isendu's key pairs, current first: each with both halves or neither; the URL token only
    /// with a pair.
    fn isendu_pairs(&self) -> Result<Vec<(&Secret, &Secret)>, ConfigError> {
        let (ids, keys) = (&self.isendu_key_id, &self.isendu_secret_key);
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
                (Some(_), None) => {
                    return Err(ConfigError::new(
                        key_name,
                        format!(
                            "unset while {id_name} is set: the handshake is answered with the \
                             secret key"
                        ),
                    ));
                }
                (None, Some(_)) => {
                    return Err(ConfigError::new(
                        id_name,
                        format!("unset while {key_name} is set"),
                    ));
                }
                (None, None) => {}
            }
        }
        if pairs.is_empty() {
            if let Some((name, _)) = self.isendu_url_token.entries().first() {
                return Err(ConfigError::new(
                    name,
                    "set without ISENDU_KEY_ID and ISENDU_SECRET_KEY",
                ));
            }
        }
        Ok(pairs)
    }
}

/// A verifier from one credential's values, or `None` when none is set. Each value is given to
/// `build` alone first, so that an error names the variable at fault, then all of them together.
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
    rotation: &Rotation,
    build: impl Fn(Vec<&[u8]>) -> Result<V, ConfigError>,
) -> Result<Option<V>, ConfigError> {
    let entries = rotation.entries();
    if entries.is_empty() {
        return Ok(None);
    }
    for (name, value) in &entries {
        build(vec![value.as_bytes()]).map_err(|e| e.for_variable(name))?;
    }
    let values = entries.iter().map(|(_, s)| s.as_bytes()).collect();
    build(values)
        .map(Some)
        .map_err(|e| e.for_variable(rotation.variable.current))
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
        Some((name, _)) => Err(ConfigError::empty_secret().for_variable(name)),
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
            Err(ConfigError::invalid_secret(crate::verify::SHORT_URL_TOKEN).for_variable(name))
        }
        None => Ok(()),
    }
}
