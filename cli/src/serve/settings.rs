//! `serve`'s settings: the library's variables (`Config::from_env`'s names) and serve's own,
//! from the environment and optionally a TOML file with the same names. Every problem of both
//! is reported at once.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use delivery_webhooks::console::web::ConsoleAuth;
use delivery_webhooks::{Config, ConfigErrors};
use zeroize::Zeroizing;

use super::sign::{Signer, parse_secret};

/// serve's own variables: (name, meaning, default), as docs/serve.md lists them (a test checks).
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "DELIVERY_WEBHOOKS_FORWARD_URL",
        "where each event is POSTed (`http://` or `https://`)",
        "unset: no HTTP sink",
    ),
    (
        "DELIVERY_WEBHOOKS_FORWARD_SECRET",
        "the Standard Webhooks secret events are signed with (`whsec_` then base64 of 24 to 64 bytes); required with the URL",
        "unset",
    ),
    (
        "DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS",
        "a second secret, while rotating: each request carries one signature per secret",
        "unset",
    ),
    (
        "DELIVERY_WEBHOOKS_FORWARD_TIMEOUT_SECS",
        "how long one forwarding request may take; then it is retried",
        "`30`",
    ),
    (
        "DELIVERY_WEBHOOKS_OPS_LISTEN",
        "host and port of the operations endpoints and the console",
        "`127.0.0.1:9090`",
    ),
    (
        "DELIVERY_WEBHOOKS_WORKERS",
        "how many workers forward at once",
        "`4`",
    ),
    (
        "DELIVERY_WEBHOOKS_RETRY_BASE_SECS",
        "the first back-off after a failed forward, doubling up to 3 days",
        "`60`",
    ),
    (
        "DELIVERY_WEBHOOKS_SHUTDOWN_SECS",
        "how long a shutdown waits for the work in flight",
        "`40`",
    ),
    (
        "DELIVERY_WEBHOOKS_NATS_URL",
        "feature `nats`: the NATS server events are published to (JetStream)",
        "unset: no NATS sink",
    ),
    (
        "DELIVERY_WEBHOOKS_NATS_SUBJECT",
        "feature `nats`: the subject events are published on",
        "`delivery-webhooks.events`",
    ),
    (
        "DELIVERY_WEBHOOKS_NATS_STREAM",
        "feature `nats`: a stream to create over the subject if it does not exist",
        "unset: the stream must exist",
    ),
];

/// The default inbox when `DELIVERY_WEBHOOKS_DATABASE_URL` is unset.
pub const DEFAULT_DATABASE: &str = "delivery-webhooks.db";

/// The HTTP sink's settings.
pub struct Forward {
    /// The downstream URL (never logged whole: it may carry a credential).
    pub url: reqwest::Url,
    /// The signing keys.
    pub signer: Signer,
    /// The timeout of one request.
    pub timeout: Duration,
}

/// The NATS sink's settings (never set in a build without feature `nats`).
#[cfg_attr(not(feature = "nats"), allow(dead_code))]
pub struct Nats {
    /// The server URL (never logged: it may carry a credential).
    pub url: String,
    /// The subject.
    pub subject: String,
    /// A stream to create if missing.
    pub stream: Option<String>,
}

/// Everything `serve` runs with.
pub struct Settings {
    /// The library's configuration: providers, listen address, budgets.
    pub config: Config,
    /// The inbox's database URL.
    pub database: Zeroizing<String>,
    /// The HTTP sink, if any.
    pub forward: Option<Forward>,
    /// The NATS sink, if any.
    pub nats: Option<Nats>,
    /// The operations listen address.
    pub ops_listen: String,
    /// Workers.
    pub workers: usize,
    /// The shutdown bound.
    pub shutdown: Duration,
    /// The inbox's first back-off, when not the library's.
    pub retry_base: Option<Duration>,
    /// How the console on the operations address authenticates (its own variables,
    /// `DELIVERY_WEBHOOKS_CONSOLE_*`; one mode is required).
    pub console_auth: ConsoleAuth,
}

/// Every problem found: the library's (`ConfigErrors`) and serve's own, one per line, sorted by
/// variable; never a value.
#[derive(Default)]
pub struct Problems {
    library: Option<ConfigErrors>,
    own: Vec<(String, String)>,
    /// Problems of the whole, each a sentence naming its variables (the console's).
    whole: Vec<String>,
}

impl Problems {
    fn add(&mut self, name: &str, reason: impl Into<String>) {
        self.own.push((name.to_owned(), reason.into()));
    }

    /// Each problem as (variable, reason); a problem of the whole has no variable.
    pub fn lines(&self) -> Vec<(Option<String>, String)> {
        let mut lines: Vec<_> = self
            .own
            .iter()
            .map(|(n, r)| (Some(n.clone()), r.clone()))
            .collect();
        if let Some(errors) = &self.library {
            lines.extend(
                errors
                    .problems()
                    .map(|(n, r)| (n.map(str::to_owned), r.to_owned())),
            );
        }
        lines.extend(self.whole.iter().map(|w| (None, w.clone())));
        lines.sort_by(|a, b| (a.0.is_none(), &a.0).cmp(&(b.0.is_none(), &b.0)));
        lines
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, reason)) in self.lines().into_iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match name {
                Some(name) => write!(f, "{name}: {reason}")?,
                None => f.write_str(&reason)?,
            }
        }
        Ok(())
    }
}

/// The variables of a TOML file: a flat table of `NAME = value` (strings, integers, booleans
/// as `1`/`0`). Its problems name the file and the key, never a value.
pub fn read_toml(path: &Path) -> Result<BTreeMap<String, Zeroizing<String>>, String> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| format!("--config {}: cannot read it: {e}", path.display()))?,
    );
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        // toml's message quotes the offending line, which may hold a secret: keep its place only.
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                format!(" at line {line}")
            })
            .unwrap_or_default();
        format!("--config {}: not valid TOML{at}", path.display())
    })?;
    let mut vars = BTreeMap::new();
    for (key, value) in table {
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Boolean(b) => if b { "1" } else { "0" }.to_owned(),
            _ => {
                return Err(format!(
                    "--config {}: {key}: expected a string, an integer or a boolean",
                    path.display()
                ));
            }
        };
        vars.insert(key, Zeroizing::new(value));
    }
    Ok(vars)
}

fn own(name: &str) -> bool {
    VARIABLES.iter().any(|(n, _, _)| *n == name)
}

/// The settings from `vars` (the file's, overridden by the environment's).
pub fn settings(vars: &BTreeMap<String, Zeroizing<String>>) -> Result<Settings, Problems> {
    let mut problems = Problems::default();
    let get = |name: &str| vars.get(name).map(|v| v.as_str()).filter(|v| !v.is_empty());
    // The library reads its own names; serve's are left out so that none is taken for a
    // misspelling of one of the library's (`DELIVERY_WEBHOOKS_OPS_LISTEN`, `..._LISTEN`).
    // serve also takes `sqlite://PATH`, as `inbox --database` does; the library, a path.
    let library = Config::from_pairs(vars.iter().filter(|(k, _)| !own(k)).map(|(k, v)| {
        let v = match (k.as_str(), v.get(.."sqlite://".len())) {
            ("DELIVERY_WEBHOOKS_DATABASE_URL", Some(scheme))
                if scheme.eq_ignore_ascii_case("sqlite://") =>
            {
                &v["sqlite://".len()..]
            }
            _ => v.as_str(),
        };
        (k.clone(), v.to_owned())
    }));
    let config = library.map_err(|e| problems.library = Some(e)).ok();

    let secret = |name: &str, problems: &mut Problems| -> Option<Vec<u8>> {
        let value = get(name)?;
        parse_secret(value)
            .map_err(|reason| problems.add(name, reason))
            .ok()
    };
    let number = |name: &str, default: u64, problems: &mut Problems| -> u64 {
        match get(name).map(|v| v.trim().parse::<u64>()) {
            None => default,
            Some(Ok(n)) if n > 0 => n,
            Some(_) => {
                problems.add(name, "expected a whole number above 0");
                default
            }
        }
    };
    let timeout = Duration::from_secs(number(
        "DELIVERY_WEBHOOKS_FORWARD_TIMEOUT_SECS",
        30,
        &mut problems,
    ));
    let workers = number("DELIVERY_WEBHOOKS_WORKERS", 4, &mut problems).min(256) as usize;
    let shutdown =
        Duration::from_secs(number("DELIVERY_WEBHOOKS_SHUTDOWN_SECS", 40, &mut problems));
    let retry_base = get("DELIVERY_WEBHOOKS_RETRY_BASE_SECS").map(|_| {
        Duration::from_secs(number(
            "DELIVERY_WEBHOOKS_RETRY_BASE_SECS",
            60,
            &mut problems,
        ))
    });

    let current = secret("DELIVERY_WEBHOOKS_FORWARD_SECRET", &mut problems);
    let previous = secret("DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS", &mut problems);
    let forward = match get("DELIVERY_WEBHOOKS_FORWARD_URL") {
        None => {
            for name in [
                "DELIVERY_WEBHOOKS_FORWARD_SECRET",
                "DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS",
            ] {
                if get(name).is_some() {
                    problems.add(name, "set without DELIVERY_WEBHOOKS_FORWARD_URL");
                }
            }
            None
        }
        Some(url) => {
            let url = match reqwest::Url::parse(url.trim()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Some(url),
                Ok(_) => {
                    problems.add(
                        "DELIVERY_WEBHOOKS_FORWARD_URL",
                        "expected an http:// or https:// URL",
                    );
                    None
                }
                // The parser's reason says what, never the URL.
                Err(e) => {
                    problems.add("DELIVERY_WEBHOOKS_FORWARD_URL", format!("not a URL: {e}"));
                    None
                }
            };
            if get("DELIVERY_WEBHOOKS_FORWARD_SECRET").is_none() {
                problems.add(
                    "DELIVERY_WEBHOOKS_FORWARD_SECRET",
                    "required with DELIVERY_WEBHOOKS_FORWARD_URL: events are always signed",
                );
            }
            if get("DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS").is_some()
                && get("DELIVERY_WEBHOOKS_FORWARD_SECRET").is_none()
            {
                problems.add(
                    "DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS",
                    "set without DELIVERY_WEBHOOKS_FORWARD_SECRET",
                );
            }
            match (url, current) {
                (Some(url), Some(current)) => Some(Forward {
                    url,
                    signer: Signer::new(std::iter::once(current).chain(previous)),
                    timeout,
                }),
                _ => None,
            }
        }
    };
    let nats = nats(&get, &mut problems);
    if get("DELIVERY_WEBHOOKS_FORWARD_URL").is_none() && get("DELIVERY_WEBHOOKS_NATS_URL").is_none()
    {
        problems.add(
            "DELIVERY_WEBHOOKS_FORWARD_URL",
            "no sink: set it (or DELIVERY_WEBHOOKS_NATS_URL, feature `nats`) so that events go somewhere",
        );
    }
    let ops_listen = get("DELIVERY_WEBHOOKS_OPS_LISTEN")
        .unwrap_or("127.0.0.1:9090")
        .trim()
        .to_owned();
    if ops_listen.parse::<delivery_webhooks::ListenAddr>().is_err() {
        problems.add("DELIVERY_WEBHOOKS_OPS_LISTEN", "expected host:port");
    }
    // The console's own rules (one mode, exactly): its messages name its variables, never a value.
    let console_auth = ConsoleAuth::from_vars(|name| get(name).map(str::to_owned))
        .map_err(|e| problems.whole.push(e.to_string()))
        .ok();
    let database = Zeroizing::new(
        config
            .as_ref()
            .and_then(|c| c.database_url())
            .unwrap_or(DEFAULT_DATABASE)
            .to_owned(),
    );
    let clean = problems.library.is_none() && problems.own.is_empty() && problems.whole.is_empty();
    match (config, console_auth, clean) {
        (Some(config), Some(console_auth), true) => Ok(Settings {
            config,
            database,
            forward,
            nats,
            ops_listen,
            workers,
            shutdown,
            retry_base,
            console_auth,
        }),
        _ => Err(problems),
    }
}

#[cfg(feature = "nats")]
fn nats<'a>(get: &impl Fn(&str) -> Option<&'a str>, _problems: &mut Problems) -> Option<Nats> {
    let url = get("DELIVERY_WEBHOOKS_NATS_URL")?;
    Some(Nats {
        url: url.trim().to_owned(),
        subject: get("DELIVERY_WEBHOOKS_NATS_SUBJECT")
            .unwrap_or("delivery-webhooks.events")
            .trim()
            .to_owned(),
        stream: get("DELIVERY_WEBHOOKS_NATS_STREAM").map(|s| s.trim().to_owned()),
    })
}

#[cfg(not(feature = "nats"))]
fn nats<'a>(get: &impl Fn(&str) -> Option<&'a str>, problems: &mut Problems) -> Option<Nats> {
    for name in [
        "DELIVERY_WEBHOOKS_NATS_URL",
        "DELIVERY_WEBHOOKS_NATS_SUBJECT",
        "DELIVERY_WEBHOOKS_NATS_STREAM",
    ] {
        if get(name).is_some() {
            problems.add(
                name,
                "this build has no NATS sink: build with `--features nats`",
            );
        }
    }
    None
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
