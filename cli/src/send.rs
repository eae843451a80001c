//! `send`: deliver a body to a running receiver exactly as the provider would, retrying as the
//! provider documents; and `sign` for the providers whose credential is a header or a URL.
//!
//! The requests come from the crate's `testing` builders, so what `send` puts on the wire is
//! what the builders give users' own tests. HTTP goes through ureq (blocking, HTTP/1.1, no TLS:
//! the tool talks to local receivers).

use std::net::IpAddr;
use std::time::Duration;

use delivery_webhooks::OwnedRequest;
use delivery_webhooks::skladon::WebhookType;
use delivery_webhooks::testing;
use delivery_webhooks::xoxoday::CALLBACK_IP;

use crate::Provider;
use crate::common::{self, Body, Failure, SecretArgs};

/// What `send` needs beyond the provider, the body and the URL.
pub struct Options<'a> {
    /// `--to`: the receiver's URL (Skladon: its mount URL; isendu: the URL without its token).
    pub to: &'a str,
    /// `--retries`: how many retries to allow after a non-2xx answer, within the provider's limit.
    pub retries: u32,
    /// `--retry-delay`: the wait before the first retry (Skladon doubles it each time).
    pub retry_delay: Duration,
    /// `--secret-env` / `--secret-file`.
    pub secret: &'a SecretArgs,
    /// Xoxoday: the client address put in `X-Forwarded-For`.
    pub forwarded_for: Option<IpAddr>,
    /// isendu: send the handshake for this key id instead of a body.
    pub key_id: Option<&'a str>,
    /// Skladon: the webhook type.
    pub webhook_type: Option<&'a WebhookType>,
    /// Skladon: a GET for this entity id instead of a POST.
    pub id: Option<&'a str>,
    /// Wakilni: `x-webhook-id`.
    pub webhook_id: Option<&'a str>,
    /// `--allow-insecure-http`: send to a host other than loopback, in clear text.
    pub allow_insecure_http: bool,
}

/// The most attempts each provider makes, as documented; `None` where no limit is documented.
///
/// - Xoxoday: "an attempt ... thrice, after which the webhook URL will be disabled": 3.
/// - Skladon: "up to a maximum of 20 retries" over 48 hours: 21 attempts.
/// - Peddler: only older doc versions give a number, "up to 3 attempts".
/// - Wakilni, isendu: not documented (Wakilni numbers its attempts in `x-attempt-number`).
pub fn attempt_limit(provider: Provider) -> Option<u32> {
    match provider {
        Provider::Xoxoday | Provider::Peddler => Some(3),
        Provider::Skladon => Some(21),
        Provider::Wakilni | Provider::Isendu => None,
    }
}

/// The wait before retry `n` (1 for the first retry): Skladon's intervals grow exponentially
/// (doubling from `base`); the others' are not documented, so `base` each time.
pub fn retry_delay(provider: Provider, base: Duration, n: u32) -> Duration {
    match provider {
        Provider::Skladon => base.saturating_mul(1 << n.saturating_sub(1).min(20)),
        _ => base,
    }
}

/// clap value parser for `--retry-delay`: `0`, `250ms`, `2s`, `1m`.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let value: u64 = digits
        .parse()
        .map_err(|_| "expected a duration such as 0, 250ms, 2s or 1m".to_string())?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" | "" => Ok(Duration::from_secs(value)),
        "m" => Ok(Duration::from_secs(value.saturating_mul(60))),
        _ => Err(format!("unknown unit `{unit}`: use ms, s or m")),
    }
}

/// The first request and, for Wakilni, how to number the next attempts.
struct Delivery {
    /// Builds attempt `n` (from 1).
    build: Box<dyn Fn(u32) -> OwnedRequest>,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

fn refuse(given: bool, option: &str, provider: &str) -> Result<(), Failure> {
    crate::refuse_option(given, option, provider)
}

fn secret_text(secret: &SecretArgs, what: &str, required: bool) -> Result<Option<String>, Failure> {
    let secret = if required {
        Some(secret.require(what)?)
    } else {
        secret.optional(what)?
    };
    secret
        .map(|s| {
            String::from_utf8(s.bytes().to_vec())
                .map_err(|_| usage(format!("{what}: the secret is not UTF-8")))
        })
        .transpose()
}

/// The request for each provider, checking which options apply.
fn delivery(provider: Provider, body: &Body, o: &Options<'_>) -> Result<Delivery, Failure> {
    let name = crate::send_name(provider);
    if provider != Provider::Xoxoday {
        refuse(o.forwarded_for.is_some(), "--forwarded-for", name)?;
    }
    if provider != Provider::Isendu {
        refuse(o.key_id.is_some(), "--key-id", name)?;
    }
    if provider != Provider::Skladon {
        refuse(o.webhook_type.is_some(), "--type", name)?;
        refuse(o.id.is_some(), "--id", name)?;
    }
    if provider != Provider::Wakilni {
        refuse(o.webhook_id.is_some(), "--webhook-id", name)?;
    }
    let to = o.to.to_owned();
    Ok(match provider {
        Provider::Wakilni => {
            let secret = o.secret.require("wakilni needs the webhook secret")?;
            let mut builder = testing::wakilni::request(secret.bytes(), body.read()?).url(to);
            if let Some(id) = o.webhook_id {
                builder = builder.webhook_id(id);
            }
            Delivery {
                build: Box::new(move |n| builder.clone().attempt(n).build()),
            }
        }
        Provider::Peddler => {
            let token = secret_text(o.secret, "peddler needs the shared token", true)?;
            let request = testing::peddler::request(token.unwrap_or_default(), body.read()?)
                .url(to)
                .build();
            Delivery {
                build: Box::new(move |_| request.clone()),
            }
        }
        Provider::Xoxoday => {
            let mut builder = testing::xoxoday::request("", body.read()?)
                .without_api_key()
                .url(to)
                .from_addr(o.forwarded_for.unwrap_or(CALLBACK_IP))
                // The tool is the proxy: the receiver must trust the address it connects from.
                .via_proxy(IpAddr::from([127, 0, 0, 1]));
            if let Some(key) = secret_text(o.secret, "xoxoday's api key", false)? {
                builder = builder.api_key(key);
            }
            let request = builder.build();
            Delivery {
                build: Box::new(move |_| request.clone()),
            }
        }
        Provider::Isendu => {
            let mut builder = match o.key_id {
                Some(key_id) => {
                    refuse(body.is_given(), "a FILE", "isendu --key-id (the handshake)")?;
                    testing::isendu::handshake("", key_id)
                }
                None => testing::isendu::request("", body.read()?),
            }
            .without_url_token()
            .url(to);
            if let Some(token) = secret_text(o.secret, "isendu's url token", false)? {
                builder = builder.url_token(token);
            }
            let request = builder.build();
            Delivery {
                build: Box::new(move |_| request.clone()),
            }
        }
        Provider::Skladon => {
            let Some(webhook_type) = o.webhook_type.cloned() else {
                return Err(usage(
                    "skladon: pass --type SKLADON_TYPE, the webhook type the URL is registered for",
                ));
            };
            let token = secret_text(o.secret, "skladon's url token", false)?;
            let builder = match o.id {
                Some(id) => {
                    refuse(body.is_given(), "a FILE", "skladon --id (a GET)")?;
                    testing::skladon::get(token.clone().unwrap_or_default(), webhook_type, id)
                }
                None => testing::skladon::post(
                    token.clone().unwrap_or_default(),
                    webhook_type,
                    body.read()?,
                ),
            }
            .url(to);
            let builder = if token.is_some() {
                builder
            } else {
                builder.without_token()
            };
            let request = builder.build();
            Delivery {
                build: Box::new(move |_| request.clone()),
            }
        }
    })
}

/// One answer: status, reason and body.
struct Answer {
    status: u16,
    reason: String,
    body: Vec<u8>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .accept("")
        .user_agent(concat!("delivery-webhooks/", env!("CARGO_PKG_VERSION")))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

fn send_once(agent: &ureq::Agent, request: &OwnedRequest) -> Result<Answer, String> {
    let http = request.to_http();
    let result = if request.body.is_empty() && request.method == "GET" {
        let (parts, _) = http.into_parts();
        agent.run(ureq::http::Request::from_parts(parts, ()))
    } else {
        agent.run(http)
    };
    let mut response = result.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(16 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    Ok(Answer {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_owned(),
        body,
    })
}

/// The host of an `http://` URL, without the brackets of an IPv6 literal; `None` when the URL
/// cannot be parsed or names no host.
fn host_of(to: &str) -> Option<String> {
    let uri: ureq::http::Uri = to.parse().ok()?;
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some(host.to_owned())
}

/// Whether `host` is this machine's loopback without asking DNS: an address in 127.0.0.0/8 or
/// ::1 (also as IPv4-mapped IPv6), or the name `localhost` (any case), which the hosts file
/// answers (RFC 6761 6.3 keeps it from DNS). Not `localhost.`: a fully qualified name, which
/// the hosts file's `localhost` entry does not match, so the resolver asks the DNS server,
/// which may answer anything. Nor `*.localhost`, for the same reason.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Refuses a `--to` whose host is not loopback unless `--allow-insecure-http` is given: the
/// tool has no TLS, and `send` puts the real credential (signature key's output, token, API key)
/// on the wire in clear text.
fn check_target(to: &str, allow_insecure_http: bool) -> Result<(), Failure> {
    if !to.starts_with("http://") {
        return Err(usage(
            "--to must be an http:// URL (the tool sends to local receivers and has no TLS)",
        ));
    }
    let Some(host) = host_of(to) else {
        return Err(usage("--to is not a valid http:// URL with a host"));
    };
    if is_loopback(&host) {
        return Ok(());
    }
    if !allow_insecure_http {
        return Err(usage(format!(
            "--to: {host} is not a loopback address (127.0.0.0/8, ::1, localhost without a \
             trailing dot), and http:// would send the credential across the network in clear text; pass \
             --allow-insecure-http if you mean it"
        )));
    }
    common::note(&format!(
        "warning: sending the credential to {host} in clear text (--allow-insecure-http)"
    ));
    Ok(())
}

/// `send PROVIDER FILE --to URL`: sends, retries on non-2xx as the provider does, prints the
/// last answer's status line and body on stdout and one line per attempt on stderr.
pub fn send(provider: Provider, body: &Body, o: &Options<'_>) -> Result<(), Failure> {
    let name = crate::send_name(provider);
    check_target(o.to, o.allow_insecure_http)?;
    let delivery = delivery(provider, body, o)?;
    let wanted = o.retries.saturating_add(1);
    let attempts = attempt_limit(provider).map_or(wanted, |limit| wanted.min(limit));
    if attempts < wanted {
        common::note(&format!(
            "{name}: the provider makes at most {attempts} attempts: --retries {} is capped",
            o.retries
        ));
    }
    let agent = agent();
    let mut last = Err(String::new());
    for n in 1..=attempts {
        if n > 1 {
            std::thread::sleep(retry_delay(provider, o.retry_delay, n - 1));
        }
        let request = (delivery.build)(n);
        last = send_once(&agent, &request);
        match &last {
            Ok(answer) => {
                common::note(&format!(
                    "{name}: attempt {n}/{attempts}: {} {}",
                    answer.status, answer.reason
                ));
                if (200..300).contains(&answer.status) {
                    break;
                }
            }
            Err(e) => common::note(&format!(
                "{name}: attempt {n}/{attempts}: not delivered: {e}"
            )),
        }
    }
    match last {
        Ok(answer) => {
            common::print_line(format!("{} {}", answer.status, answer.reason).trim_end())?;
            // The receiver's body as text, control characters escaped by `print_line`.
            if !answer.body.is_empty() {
                common::print_line(&String::from_utf8_lossy(&answer.body))?;
            }
            if (200..300).contains(&answer.status) {
                Ok(())
            } else {
                Err(Failure::Rejected(format!(
                    "{name}: the receiver answered {} (not 2xx)",
                    answer.status
                )))
            }
        }
        Err(e) => Err(usage(format!("{name}: cannot send to {}: {e}", o.to))),
    }
}

/// `sign PROVIDER`: what carries the credential, for providers other than Wakilni (whose
/// signature `wakilni::sign` prints): the header line(s) or the URL to call.
pub fn sign(
    provider: Provider,
    secret: &SecretArgs,
    to: Option<&str>,
    webhook_type: Option<&WebhookType>,
    id: Option<&str>,
) -> Result<(), Failure> {
    let name = crate::send_name(provider);
    let need_to = || {
        to.map(str::to_owned)
            .ok_or_else(|| usage(format!("{name}: pass --to URL, the URL to register")))
    };
    let request = match provider {
        Provider::Peddler => {
            let token = secret_text(secret, "peddler needs the shared token", true)?;
            testing::peddler::request(token.unwrap_or_default(), Vec::new()).build()
        }
        Provider::Xoxoday => {
            let key = secret_text(secret, "xoxoday needs the api key", true)?;
            let request = testing::xoxoday::request(key.unwrap_or_default(), Vec::new())
                .via_proxy(IpAddr::from([127, 0, 0, 1]))
                .build();
            for name in ["x-api-key", "x-forwarded-for"] {
                if let Some(value) = request.header_value(name) {
                    common::print_line(&format!("{name}: {value}"))?;
                }
            }
            return Ok(());
        }
        Provider::Isendu => {
            let token = secret_text(secret, "isendu needs the url token", true)?;
            let url = testing::isendu::request(token.unwrap_or_default(), Vec::new())
                .url(need_to()?)
                .target();
            return common::print_line(&url);
        }
        Provider::Skladon => {
            let token = secret_text(secret, "skladon needs the url token", true)?;
            let Some(webhook_type) = webhook_type.cloned() else {
                return Err(usage("skladon: pass --type SKLADON_TYPE"));
            };
            let token = token.unwrap_or_default();
            let builder = match id {
                Some(id) => testing::skladon::get(token, webhook_type, id),
                None => testing::skladon::post(token, webhook_type, Vec::new()),
            };
            return common::print_line(&builder.url(need_to()?).target());
        }
        Provider::Wakilni => unreachable!("wakilni's signature is computed over the body"),
    };
    for (name, value) in request.headers {
        if !name.eq_ignore_ascii_case("content-type") {
            common::print_line(&format!("{name}: {value}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_delays() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("soon").is_err() && parse_duration("3h").is_err());
        let base = Duration::from_millis(10);
        assert_eq!(retry_delay(Provider::Skladon, base, 1), base);
        assert_eq!(retry_delay(Provider::Skladon, base, 4), base * 8);
        assert_eq!(retry_delay(Provider::Xoxoday, base, 4), base);
        assert_eq!(attempt_limit(Provider::Xoxoday), Some(3));
        assert_eq!(attempt_limit(Provider::Skladon), Some(21));
    }

    #[test]
    fn only_loopback_targets_go_out_without_the_flag() {
        for to in [
            "http://127.0.0.1:3000/webhooks/peddler",
            "http://127.8.9.10/x",
            "http://localhost:3000/x",
            "http://[::1]:3000/x",
            "http://[::ffff:127.0.0.1]/x",
            "http://user@127.0.0.1/x",
        ] {
            assert!(check_target(to, false).is_ok(), "{to}");
        }
        for to in [
            "http://192.0.2.7:3000/x",
            "http://0.0.0.0:3000/x",
            "http://[2001:db8::1]/x",
            "http://receiver.example/x",
            "http://localhost.example/x",
            "http://localhost./x",
            "http://LOCALHOST./x",
            "http://a.localhost/x",
            "http://127.0.0.1.example/x",
            "http://localhost@192.0.2.7/x",
        ] {
            let Err(Failure::Usage(message)) = check_target(to, false) else {
                panic!("{to} accepted");
            };
            assert!(message.contains("--allow-insecure-http"), "{message}");
            assert!(check_target(to, true).is_ok(), "{to}");
        }
        for to in ["https://127.0.0.1/x", "http://", "http:///x"] {
            assert!(check_target(to, true).is_err(), "{to}");
        }
    }
}
