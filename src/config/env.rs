//! The environment variables of [`Config::from_env`](super::Config::from_env), read into a
//! [`ConfigBuilder`]: one variable per builder setter, with the same checks.

use zeroize::Zeroizing;

use crate::error::ConfigError;

use super::builder::{CREDENTIALS, ConfigBuilder, Rotation};

/// The variables that are not credentials.
const SETTINGS: [&str; 11] = [
    "LISTEN_ADDR",
    "BODY_TIMEOUT_SECS",
    "BODY_LIMIT",
    "XOXODAY_ENABLED",
    "XOXODAY_ALLOWLIST",
    "XOXODAY_ALLOW_BROAD_RANGES",
    "XOXODAY_TRUSTED_PROXIES",
    "XOXODAY_PROXY_HEADER",
    "ISENDU_WITHOUT_URL_TOKEN",
    "SKLADON_WITHOUT_URL_TOKEN",
    "SKLADON_MOUNT",
];

/// Every variable [`read`] looks at: the settings, then each credential and its `_PREVIOUS`.
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    SETTINGS.into_iter().chain(
        CREDENTIALS
            .into_iter()
            .flat_map(|variable| [variable.current, variable.previous]),
    )
}

/// Reads every variable through `var` (`None`: unset) into a builder; its `build` checks them.
pub(super) fn read(var: impl Fn(&str) -> Option<String>) -> Result<ConfigBuilder, ConfigError> {
    let get = |name: &str| var(name).map(Zeroizing::new);
    let rotation = |empty: &Rotation| Rotation {
        current: get(empty.variable.current),
        previous: get(empty.variable.previous),
        ..empty.clone()
    };
    let mut builder = ConfigBuilder::default();
    builder.wakilni = rotation(&builder.wakilni);
    builder.peddler = rotation(&builder.peddler);
    builder.skladon = rotation(&builder.skladon);
    builder.xoxoday_api_key = rotation(&builder.xoxoday_api_key);
    builder.isendu_key_id = rotation(&builder.isendu_key_id);
    builder.isendu_secret_key = rotation(&builder.isendu_secret_key);
    builder.isendu_url_token = rotation(&builder.isendu_url_token);
    builder.xoxoday_enabled = flag(&get, "XOXODAY_ENABLED")?;
    builder.xoxoday_proxies = get("XOXODAY_TRUSTED_PROXIES").map(|list| list_of(&list));
    builder.xoxoday_allowlist = get("XOXODAY_ALLOWLIST").map(|list| list_of(&list));
    builder.xoxoday_allow_broad_ranges = flag(&get, "XOXODAY_ALLOW_BROAD_RANGES")?;
    if let Some(header) = get("XOXODAY_PROXY_HEADER") {
        use crate::verify::ProxyHeader;
        builder.xoxoday_proxy_header = Some(match header.trim().to_ascii_lowercase().as_str() {
            "auto" => ProxyHeader::Auto,
            "x-forwarded-for" => ProxyHeader::XForwardedFor,
            "forwarded" => ProxyHeader::Forwarded,
            _ => {
                return Err(ConfigError::new(
                    "XOXODAY_PROXY_HEADER",
                    "expected auto, x-forwarded-for or forwarded",
                ));
            }
        });
    }
    builder.isendu_without_url_token = flag(&get, "ISENDU_WITHOUT_URL_TOKEN")?;
    builder.skladon_without_url_token = flag(&get, "SKLADON_WITHOUT_URL_TOKEN")?;
    builder.skladon_mount = get("SKLADON_MOUNT").map(|mount| mount.trim().to_owned());
    if let Some(bytes) = get("BODY_LIMIT") {
        let bytes: usize = bytes
            .trim()
            .parse()
            .ok()
            .filter(|&b| b > 0)
            .ok_or_else(|| {
                ConfigError::new("BODY_LIMIT", "expected a whole number of bytes above 0")
            })?;
        builder.body_limit = Some(bytes);
    }
    if let Some(addr) = get("LISTEN_ADDR") {
        builder.listen_addr = addr.trim().parse().map_err(|_| {
            ConfigError::new(
                "LISTEN_ADDR",
                "expected an ip address and port, such as 127.0.0.1:3000",
            )
        })?;
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
    Ok(builder)
}

/// A `1`/`0` switch, unset meaning `0`.
fn flag(
    get: &impl Fn(&str) -> Option<Zeroizing<String>>,
    name: &'static str,
) -> Result<bool, ConfigError> {
    match get(name).as_deref().map(|v| v.trim()) {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(ConfigError::new(name, "expected 1 or 0")),
    }
}

/// A comma-separated list, entries trimmed, empty entries dropped.
fn list_of(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}
