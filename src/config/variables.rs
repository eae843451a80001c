//! The one table of the environment variables [`Config`](super::Config) reads: its rustdoc table,
//! the README's (checked by a test), the list an empty configuration names, and the names a
//! misspelling is matched against all come from the rows below.

/// One environment variable read by [`Config::from_env`](super::Config::from_env), as listed in
/// [`Config`](super::Config)'s documentation: for a command that prints them (`--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvVariable {
    /// Its name, e.g. `WAKILNI_WEBHOOK_SECRET`.
    pub name: &'static str,
    /// What it sets (Markdown: code in backticks).
    pub meaning: &'static str,
    /// What holds when it is unset.
    pub default: &'static str,
}

/// Calls `$then!` with every row: `name, meaning, default;`. Rows are literals so that the
/// rustdoc table can be built with `concat!`.
macro_rules! with_variables {
    ($then:ident) => {
        $then! {
            "DELIVERY_WEBHOOKS_LISTEN", "host and port to listen on: an IP address or a host name, resolved when the listener binds (`localhost:3000`, `0.0.0.0:8080`, `[::]:8080`; port `0` picks a free port)", "`0.0.0.0:$PORT` when `PORT` is set, else `127.0.0.1:3000`";
            "PORT", "the port a platform assigns (Heroku, Cloud Run, Render...): listen on `0.0.0.0:$PORT`; ignored when `DELIVERY_WEBHOOKS_LISTEN` is set", "unset";
            "DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS", "how long a body may take to arrive once the request head has passed its check, for every provider without its own `<PROVIDER>_BODY_TIMEOUT_SECS` (`body_timeout`); then 408", "`30`";
            "DELIVERY_WEBHOOKS_BODY_LIMIT", "the largest body accepted, in bytes, for every provider without its own `<PROVIDER>_BODY_LIMIT` (`body_limit`); a larger one is refused with 413", "each verifier's `DEFAULT_BODY_LIMIT`: 64 KiB for Wakilni, Peddler and Xoxoday, 16 MiB for isendu and Skladon";
            "DELIVERY_WEBHOOKS_BODY_BUDGET", "the bytes of bodies the ready receivers hold at once, across every request and provider (`body_budget`); a request that would pass it waits up to 1 s, then is answered 503 with `Retry-After`", "`67108864` (64 MiB)";
            "DELIVERY_WEBHOOKS_DATABASE_URL", "the inbox's database, for your code to open (`Config::database_url`): a SQLite file path, or a `postgres://` or `postgresql://` URL; never shown, as it may hold a password", "unset";
            "DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL", "PostgreSQL: where the inbox's `LISTEN` session (the workers' wake-up from other processes) connects when `DELIVERY_WEBHOOKS_DATABASE_URL` goes through a pooler in transaction mode, such as PgBouncer's `pool_mode = transaction`, where a `LISTEN` does not last (`Config::database_listen_url`, `InboxOptions::listen_url`): the server itself or a session-mode pool; never shown", "unset: a connection like the pool's";
            "DELIVERY_WEBHOOKS_CONSOLE_TOKEN", "the operator console's bearer token (`console::web::ConsoleAuth::from_env`, feature `console-web`): every request must carry `Authorization: Bearer <value>`; one authentication mode is required (`docs/console.md`, \"HTTP\")", "unset";
            "DELIVERY_WEBHOOKS_CONSOLE_TOKEN_PREVIOUS", "a second accepted console token, while rotating", "unset";
            "DELIVERY_WEBHOOKS_CONSOLE_USER", "the console's basic-authentication user, with `DELIVERY_WEBHOOKS_CONSOLE_PASSWORD`: what a browser asks for", "unset";
            "DELIVERY_WEBHOOKS_CONSOLE_PASSWORD", "the console user's password", "unset";
            "DELIVERY_WEBHOOKS_CONSOLE_PASSWORD_PREVIOUS", "a second accepted console password, while rotating", "unset";
            "DELIVERY_WEBHOOKS_CONSOLE_LOOPBACK_ONLY", "`1` serves the console without a credential, to loopback peers only (bind it to 127.0.0.1)", "unset";
            "WAKILNI_WEBHOOK_SECRET", "Wakilni's webhook secret; enables `POST /webhooks/wakilni`", "unset: no route";
            "WAKILNI_WEBHOOK_SECRET_PREVIOUS", "a second accepted secret, while rotating", "unset";
            "PEDDLER_WEBHOOK_TOKEN", "Peddler's `x-webhook-shared-token`; enables `POST /webhooks/peddler`", "unset: no route";
            "PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "a second accepted token, while rotating", "unset";
            "XOXODAY_ENABLED", "`1` enables `POST /webhooks/xoxoday`, checked by source address (`52.76.120.90`)", "unset: no route";
            "XOXODAY_API_KEY", "the `x-api-key` value set in Xoxoday's dashboard, then required", "unset: not checked";
            "XOXODAY_API_KEY_PREVIOUS", "a second accepted API key, while rotating", "unset";
            "XOXODAY_ALLOWLIST", "comma-separated addresses or CIDR ranges Xoxoday calls from, replacing the default (`allowlist`)", "`52.76.120.90`";
            "XOXODAY_ALLOW_BROAD_RANGES", "`1` lets the allowlist and the proxies hold ranges covering a large part of the internet, such as `0.0.0.0/0` (`allow_broad_ranges`)", "unset: refused";
            "XOXODAY_TRUSTED_PROXIES", "comma-separated addresses or CIDR ranges of your reverse proxies, whose `X-Forwarded-For`/`Forwarded` is believed (`trusted_proxies`)", "unset: none";
            "XOXODAY_PROXY_HEADER", "the forwarding header your proxies set: `auto`, `x-forwarded-for` or `forwarded` (`proxy_header`)", "`auto`";
            "ISENDU_KEY_ID", "the API integration's key id; with `ISENDU_SECRET_KEY`, enables `POST /webhooks/isendu`, which answers the handshake", "unset: no route";
            "ISENDU_SECRET_KEY", "the API integration's secret key, the handshake's answer", "unset: no route";
            "ISENDU_KEY_ID_PREVIOUS", "a second key id, with `ISENDU_SECRET_KEY_PREVIOUS` (both or neither), while rotating: a handshake naming either key id is answered with its own secret key", "unset";
            "ISENDU_SECRET_KEY_PREVIOUS", "the second key id's secret key", "unset";
            "ISENDU_URL_TOKEN", "required in every isendu call's URL (register `.../webhooks/isendu?token=<value>`); at least 16 bytes", "required with `ISENDU_KEY_ID`";
            "ISENDU_URL_TOKEN_PREVIOUS", "a second accepted URL token, while rotating; at least 16 bytes", "unset";
            "ISENDU_URL_TOKEN_IN", "where the URL token stands: `query` (the parameter `ISENDU_URL_TOKEN_PARAM`) or `path` (any path segment, e.g. `.../webhooks/isendu/<value>` in a route of your own: the ready routers mount `/webhooks/isendu` only) (`UrlToken::query`, `UrlToken::path_segment`)", "`query`";
            "ISENDU_URL_TOKEN_PARAM", "the query parameter holding the URL token", "`token`";
            "ISENDU_WITHOUT_URL_TOKEN", "`1` runs isendu without a URL token: anyone who learns the key id can then obtain the secret key", "unset: a token is required";
            "SKLADON_URL_TOKEN", "the token in every Skladon URL, at least 16 bytes; enables `POST /webhooks/skladon/<token>/<TYPE>` and `GET /webhooks/skladon/<token>/<TYPE>/<id>`", "unset: no route";
            "SKLADON_URL_TOKEN_PREVIOUS", "a second accepted token, while rotating", "unset";
            "SKLADON_WITHOUT_URL_TOKEN", "`1` enables Skladon without a token in its URLs (`without_token`): anyone who learns them can call them", "unset: a token is required";
            "WAKILNI_BODY_LIMIT", "the largest Wakilni body accepted, in bytes, over `DELIVERY_WEBHOOKS_BODY_LIMIT`", "`DELIVERY_WEBHOOKS_BODY_LIMIT`, else `65536` (64 KiB)";
            "WAKILNI_BODY_TIMEOUT_SECS", "how long a Wakilni body may take to arrive, over `DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`", "`DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`, else `30`";
            "PEDDLER_BODY_LIMIT", "the largest Peddler body accepted, in bytes, over `DELIVERY_WEBHOOKS_BODY_LIMIT`", "`DELIVERY_WEBHOOKS_BODY_LIMIT`, else `65536` (64 KiB)";
            "PEDDLER_BODY_TIMEOUT_SECS", "how long a Peddler body may take to arrive, over `DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`", "`DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`, else `30`";
            "XOXODAY_BODY_LIMIT", "the largest Xoxoday body accepted, in bytes, over `DELIVERY_WEBHOOKS_BODY_LIMIT`", "`DELIVERY_WEBHOOKS_BODY_LIMIT`, else `65536` (64 KiB)";
            "XOXODAY_BODY_TIMEOUT_SECS", "how long a Xoxoday body may take to arrive, over `DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`", "`DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`, else `30`";
            "ISENDU_BODY_LIMIT", "the largest isendu body accepted, in bytes, over `DELIVERY_WEBHOOKS_BODY_LIMIT`", "`DELIVERY_WEBHOOKS_BODY_LIMIT`, else `16777216` (16 MiB)";
            "ISENDU_BODY_TIMEOUT_SECS", "how long an isendu body may take to arrive, over `DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`", "`DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`, else `30`";
            "SKLADON_BODY_LIMIT", "the largest Skladon body accepted, in bytes, over `DELIVERY_WEBHOOKS_BODY_LIMIT`", "`DELIVERY_WEBHOOKS_BODY_LIMIT`, else `16777216` (16 MiB)";
            "SKLADON_BODY_TIMEOUT_SECS", "how long a Skladon body may take to arrive, over `DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`", "`DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`, else `30`";
            "SKLADON_MOUNT", "the full public path Skladon's routes sit under (`mounted_at`), e.g. `/api/webhooks/skladon` when the router is nested under `/api`", "`/webhooks/skladon`";
        }
    };
}

/// The Markdown table of every variable, for rustdoc and the README.
macro_rules! markdown_table {
    ($($name:literal, $meaning:literal, $default:literal;)*) => {
        concat!(
            "| variable | meaning | default |\n|---|---|---|\n",
            $("| `", $name, "` | ", $meaning, " | ", $default, " |\n",)*
        )
    };
}

macro_rules! rows {
    ($($name:literal, $meaning:literal, $default:literal;)*) => {
        &[$(EnvVariable { name: $name, meaning: $meaning, default: $default },)*]
    };
}

/// Every variable [`Config::from_env`](super::Config::from_env) reads, in the documented order,
/// and the console's (`console::web::ConsoleAuth::from_env` reads those), so that none of them
/// is taken for a misspelling.
pub(super) const VARIABLES: &[EnvVariable] = with_variables!(rows);

/// The Markdown table of `VARIABLES`, as in `Config`'s documentation and the README.
#[cfg(test)]
pub(super) const MARKDOWN_TABLE: &str = with_variables!(markdown_table);

/// Names of 0.2, each with the name that replaced it in 0.3: set alone, it is refused naming
/// its replacement, so that an upgrade does not silently drop a setting.
pub(super) const RENAMED: [(&str, &str); 3] = [
    ("LISTEN_ADDR", "DELIVERY_WEBHOOKS_LISTEN"),
    ("BODY_LIMIT", "DELIVERY_WEBHOOKS_BODY_LIMIT"),
    ("BODY_TIMEOUT_SECS", "DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS"),
];

/// Each provider's own body limit and body timeout variables, over the crate-wide ones.
pub(super) const PROVIDER_BODY: [(crate::delivery::Provider, &str, &str); 5] = [
    (
        crate::delivery::Provider::Wakilni,
        "WAKILNI_BODY_LIMIT",
        "WAKILNI_BODY_TIMEOUT_SECS",
    ),
    (
        crate::delivery::Provider::Peddler,
        "PEDDLER_BODY_LIMIT",
        "PEDDLER_BODY_TIMEOUT_SECS",
    ),
    (
        crate::delivery::Provider::Xoxoday,
        "XOXODAY_BODY_LIMIT",
        "XOXODAY_BODY_TIMEOUT_SECS",
    ),
    (
        crate::delivery::Provider::Isendu,
        "ISENDU_BODY_LIMIT",
        "ISENDU_BODY_TIMEOUT_SECS",
    ),
    (
        crate::delivery::Provider::Skladon,
        "SKLADON_BODY_LIMIT",
        "SKLADON_BODY_TIMEOUT_SECS",
    ),
];

/// The crate's own prefix, and each provider's: a name under one of them that is not in the
/// table may be a misspelling.
const PREFIXES: [&str; 6] = [
    "DELIVERY_WEBHOOKS_",
    "WAKILNI_",
    "PEDDLER_",
    "XOXODAY_",
    "ISENDU_",
    "SKLADON_",
];

/// Whether `name` is one of [`VARIABLES`].
pub(super) fn is_known(name: &str) -> bool {
    VARIABLES.iter().any(|v| v.name == name)
}

/// Whether `name` belongs to a provider (enables or tunes one), as opposed to the crate-wide
/// settings.
pub(super) fn is_provider_variable(name: &str) -> bool {
    is_known(name) && PREFIXES[1..].iter().any(|p| name.starts_with(p))
}

/// The known variable `name` was most likely meant to be, when `name` is not one but shares a
/// prefix with one and is close to it: one or two typing mistakes (`SKLADON_URL_TOKNE`), words
/// left out (`WAKILNI_SECRET` for `WAKILNI_WEBHOOK_SECRET`), or one word added
/// (`DELIVERY_WEBHOOKS_LISTEN_ADDR`). A service's own variable under
/// the same prefix (`SKLADON_API_KEY`) is neither, and is left alone.
pub(super) fn likely_meant(name: &str) -> Option<&'static str> {
    let prefix = PREFIXES.iter().find(|p| name.starts_with(*p))?;
    if is_known(name) || name.len() == prefix.len() {
        return None;
    }
    let words = |n: &str| -> Vec<String> {
        n[prefix.len()..]
            .split('_')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let given = words(name);
    VARIABLES
        .iter()
        .filter(|v| v.name.starts_with(prefix))
        .filter_map(|v| {
            let known = words(v.name);
            // Fewer differences rank first: typing mistakes by their distance, left-out words
            // after them by how many.
            let distance = edit_distance(name, v.name);
            if distance <= 2 {
                return Some((distance, v.name));
            }
            if given.iter().all(|w| known.contains(w)) {
                return Some((2 + known.len() - given.len(), v.name));
            }
            // One word added (`DELIVERY_WEBHOOKS_LISTEN_ADDR`), ranked after words left out.
            let added = given.len() == known.len() + 1 && known.iter().all(|w| given.contains(w));
            added.then_some((VARIABLES.len(), v.name))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, name)| name)
}

/// Levenshtein distance, in bytes (variable names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The variables that configure a provider, one line per provider, for the error of an empty
/// configuration.
pub(super) const ENABLING: &str = "WAKILNI_WEBHOOK_SECRET; PEDDLER_WEBHOOK_TOKEN; \
     XOXODAY_ENABLED=1; ISENDU_KEY_ID with ISENDU_SECRET_KEY and ISENDU_URL_TOKEN; \
     SKLADON_URL_TOKEN or SKLADON_WITHOUT_URL_TOKEN=1";
