//! The environment variables of [`Config::from_env`](super::Config::from_env), read into a
//! [`ConfigBuilder`]: one variable per builder setter, with the same checks. Every problem is
//! kept, not only the first, for [`build`](ConfigBuilder::build) to report with its own.

use zeroize::Zeroizing;

use crate::error::ConfigError;

use super::builder::{ConfigBuilder, Rotation, UrlTokenIn};
use super::listen::ListenAddr;
use super::variables;

/// A variable's value, wiped on drop (it may be a secret).
type Value = Zeroizing<String>;

/// Reads every variable through `var` (`None`: unset) into a builder holding the problems
/// found. `present`, when the caller can list the environment's names, lets names that are
/// likely misspellings of a variable be reported.
pub(super) fn read(
    var: impl Fn(&str) -> Option<Value>,
    present: Option<&[String]>,
) -> ConfigBuilder {
    let mut problems = Vec::new();
    let mut builder = ConfigBuilder::default();
    let rotation = |empty: &Rotation| Rotation {
        current: var(empty.variable.current),
        previous: var(empty.variable.previous),
        ..empty.clone()
    };
    builder.wakilni = rotation(&builder.wakilni);
    builder.peddler = rotation(&builder.peddler);
    builder.skladon = rotation(&builder.skladon);
    builder.xoxoday_api_key = rotation(&builder.xoxoday_api_key);
    builder.isendu_key_id = rotation(&builder.isendu_key_id);
    builder.isendu_secret_key = rotation(&builder.isendu_secret_key);
    builder.isendu_url_token = rotation(&builder.isendu_url_token);
    let mut flag = |name: &'static str| match var(name).as_deref().map(|v| v.trim()) {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => {
            problems.push(ConfigError::new(name, "expected 1 or 0"));
            false
        }
    };
    builder.xoxoday_enabled = flag("XOXODAY_ENABLED");
    builder.xoxoday_allow_broad_ranges = flag("XOXODAY_ALLOW_BROAD_RANGES");
    builder.isendu_without_url_token = flag("ISENDU_WITHOUT_URL_TOKEN");
    builder.skladon_without_url_token = flag("SKLADON_WITHOUT_URL_TOKEN");
    builder.xoxoday_proxies = var("XOXODAY_TRUSTED_PROXIES").map(|list| list_of(&list));
    builder.xoxoday_allowlist = var("XOXODAY_ALLOWLIST").map(|list| list_of(&list));
    if let Some(header) = var("XOXODAY_PROXY_HEADER") {
        use crate::verify::ProxyHeader;
        builder.xoxoday_proxy_header = match header.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(ProxyHeader::Auto),
            "x-forwarded-for" => Some(ProxyHeader::XForwardedFor),
            "forwarded" => Some(ProxyHeader::Forwarded),
            _ => {
                problems.push(ConfigError::new(
                    "XOXODAY_PROXY_HEADER",
                    "expected auto, x-forwarded-for or forwarded",
                ));
                None
            }
        };
    }
    if let Some(place) = var("ISENDU_URL_TOKEN_IN") {
        match place.trim().to_ascii_lowercase().as_str() {
            "query" => builder.isendu_url_token_in = Some(UrlTokenIn::Query),
            "path" => builder.isendu_url_token_in = Some(UrlTokenIn::Path),
            _ => problems.push(ConfigError::new(
                "ISENDU_URL_TOKEN_IN",
                "expected query or path",
            )),
        }
    }
    builder.isendu_url_token_param = var("ISENDU_URL_TOKEN_PARAM").map(|p| p.trim().to_owned());
    builder.skladon_mount = var("SKLADON_MOUNT").map(|mount| mount.trim().to_owned());
    read_crate_settings(&var, &mut builder, &mut problems);
    for (old, new) in variables::RENAMED {
        // Beside its replacement, the old name is the service's own variable: left alone.
        if var(old).is_some() && var(new).is_none() {
            problems.push(ConfigError::new(
                old,
                format!("renamed {new} in delivery-webhooks 0.3: set {new} instead"),
            ));
        }
    }
    for name in present.unwrap_or_default() {
        if let Some(meant) = variables::likely_meant(name) {
            problems.push(ConfigError::new(
                name.clone(),
                format!("not a variable delivery-webhooks reads: did you mean {meant}?"),
            ));
        }
    }
    builder.read_problems = problems;
    builder
}

/// The crate-wide settings: where to listen, the body limit and timeout, the database.
fn read_crate_settings(
    var: &impl Fn(&str) -> Option<Value>,
    builder: &mut ConfigBuilder,
    problems: &mut Vec<ConfigError>,
) {
    let mut whole = |name: &'static str, what: &'static str, above_zero: bool| {
        var(name).and_then(|text| {
            let number = text.trim().parse::<u64>().ok();
            match number.filter(|&n| n > 0 || !above_zero) {
                Some(n) => Some(n),
                None => {
                    problems.push(ConfigError::new(name, what));
                    None
                }
            }
        })
    };
    builder.body_limit = whole(
        "DELIVERY_WEBHOOKS_BODY_LIMIT",
        "expected a whole number of bytes above 0",
        true,
    )
    .and_then(|n| usize::try_from(n).ok());
    if let Some(secs) = whole(
        "DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS",
        "expected a whole number of seconds above 0",
        true,
    ) {
        builder.body_timeout = std::time::Duration::from_secs(secs);
    }
    builder.body_budget = whole(
        "DELIVERY_WEBHOOKS_BODY_BUDGET",
        "expected a whole number of bytes above 0",
        true,
    )
    .and_then(|n| usize::try_from(n).ok());
    for (slot, (_, limit, timeout)) in builder
        .provider_body
        .iter_mut()
        .zip(variables::PROVIDER_BODY)
    {
        slot.0 = whole(limit, "expected a whole number of bytes above 0", true)
            .and_then(|n| usize::try_from(n).ok());
        slot.1 = whole(timeout, "expected a whole number of seconds above 0", true)
            .map(std::time::Duration::from_secs);
    }
    if let Some(addr) = var("DELIVERY_WEBHOOKS_LISTEN") {
        match addr.parse::<ListenAddr>() {
            Ok(addr) => builder.listen_addr = addr,
            Err(e) => problems.push(e.for_variable("DELIVERY_WEBHOOKS_LISTEN")),
        }
    } else if let Some(port) = var("PORT") {
        match port.trim().parse::<u16>() {
            Ok(port) => builder.listen_addr = ListenAddr::any_interface(port),
            Err(_) => problems.push(ConfigError::new("PORT", "expected a port, 0 to 65535")),
        }
    }
    builder.database_url = var("DELIVERY_WEBHOOKS_DATABASE_URL");
    builder.database_listen_url = var("DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL");
}

/// A comma-separated list, entries trimmed, empty entries dropped.
fn list_of(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}
