//! `delivery-webhooks`: try the crate on a webhook body without writing code.
//!
//! - `parse`: print the typed payload (pretty JSON in the provider's own wire format) and a one-line
//!   summary;
//! - `verify`: run the provider's authenticity check on a body and its headers;
//! - `sign`: compute the signature header for a body (Wakilni), or the header lines or URL that
//!   carry the credential (the others);
//! - `answer`: print isendu's handshake answer;
//! - `send`: deliver a body to a running receiver exactly as the provider would, with its retries;
//! - `schema`: print the JSON Schema of a provider's payloads;
//! - `inbox`: the operator's console over a receiver's inbox (`inbox/`): list, show, story,
//!   replay, discard, expunge, stats.
//!
//! Secrets are read from an environment variable or a file, never from the command line (which
//! other users of the machine can see, and shells keep in their history). Only `sign` and
//! `answer` print one, as that is their output; an error never does, nor does it repeat the
//! argument of an option that carries or points to a credential (`common::NOT_SHOWN`). Text
//! from outside (payloads, a receiver's answer) is printed with its control characters escaped
//! (`terminal.rs`).
//!
//! Exit codes: 0 ok, 1 rejected or malformed (`inbox`: failed), 2 usage or configuration error.
//!
//! Layout: this file holds the command line (clap) and the dispatch; `common.rs` the pieces every
//! provider shares (body input, headers, secrets, exit codes); one module per provider does the
//! work with that provider's API.

mod common;
mod inbox;
mod isendu;
mod peddler;
mod schema;
mod send;
mod serve;
mod skladon;
mod terminal;
mod wakilni;
mod xoxoday;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use common::{Body, Failure, Header, SecretArgs, Sourced};
use delivery_webhooks::skladon::WebhookType;

const EXIT_CODES: &str = "\
Exit codes:
  0  ok: parsed, verified, signed or answered; `send`: the receiver answered 2xx
  1  rejected or malformed: the check failed, or the body is not what the provider sends;
     `send`: the receiver's last answer was not 2xx; `inbox`: the database failed, no such
     item, or the question was answered no
  2  usage or configuration error: bad arguments, unreadable file, missing or empty secret;
     `inbox`: no such database file, a bulk verb without --yes and no terminal to ask on

Secrets are read with --secret-env VAR or --secret-file PATH (`-`: standard input), never
from the command line. `sign` and `answer` print a credential: that is their output. Nothing
else does: an error repeats neither a secret nor the argument of an option that carries or
points to one (--secret-env, --secret-file, --header, --header-file, --url, --key-id), as that
argument may be the secret given by mistake. Other values that carry a credential (--header
values, --url, --key-id) are best kept off the command line too, where `ps` and the shell's
history show them: give env:VAR (an environment variable), @PATH (a file; one trailing newline
removed) or - (standard input) instead of the value, and --header-file PATH (or -) for header
lines. A literal value starting with @ is written @@. To put a secret in the environment
without writing it on a command line: read -rs WAKILNI_WEBHOOK_SECRET; export
WAKILNI_WEBHOOK_SECRET (typed, not shown).

Text from the payload or the receiver is printed with control characters (escape sequences,
carriage returns) written as \\u{1b}, \\u{d}: a body cannot rewrite the terminal.";

/// Receive-side tooling for delivery provider webhooks: parse, verify and sign bodies, answer
/// isendu's handshake, send test deliveries to a receiver and print payload schemas.
#[derive(Parser)]
#[command(name = "delivery-webhooks", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse a webhook body: typed payload as pretty JSON on stdout, a summary on stderr.
    #[command(after_help = "\
Prints the payload in the provider's own wire format (what the crate would serialize it back
to), so fields the crate does not know are dropped and spellings are normalized. A malformed
body is reported with the JSON path, line and column of the problem, and exit code 1.

Skladon's body carries no webhook type: give the type its URL was registered for with --type
(required for skladon, refused for the others).

Examples:
  delivery-webhooks parse wakilni fixtures/wakilni/order_assigned.json
  cat body.json | delivery-webhooks parse peddler -
  delivery-webhooks parse skladon --type UPDATE_ORDER_STATUS fixtures/skladon/order.json")]
    Parse(ParseArgs),

    /// Run the provider's authenticity check on a body and its headers.
    #[command(after_help = "\
Prints `verified` and exits 0 when the check holds; otherwise prints the reason on stderr
(with the HTTP status a receiver answers) and exits 1. Headers are given as they arrive,
one --header per header or one `Name: value` line each in --header-file, names in any case.
A credential is read from elsewhere with env:VAR, @PATH or - (standard input) in place of a
--header value or of --url, so that it stays off the command line.

What each provider checks, and what it needs:
  wakilni  x-webhook-signature over the body; the secret; reads the body
  peddler  x-webhook-shared-token; the token as secret; the body is not read
  xoxoday  the source address: --peer IP, and behind --trusted-proxy CIDR the
           X-Forwarded-For/Forwarded header; x-api-key if a secret is given
  isendu   the token in query parameter `token` of --url; the token as secret
  skladon  the token as a path segment of --url; the token as secret
--peer and --trusted-proxy are refused for other providers than xoxoday, --url for other
providers than isendu and skladon. isendu's handshake is checked by `answer isendu`.

Examples:
  delivery-webhooks verify wakilni body.json --secret-file wakilni-secret.txt \\
      --header-file captured-headers.txt
  delivery-webhooks verify peddler --secret-env PEDDLER_WEBHOOK_TOKEN \\
      --header 'X-Webhook-Shared-Token: env:PEDDLER_WEBHOOK_TOKEN'
  delivery-webhooks verify xoxoday --peer 10.0.0.5 --trusted-proxy 10.0.0.0/8 \\
      --header 'X-Forwarded-For: 52.76.120.90' --header 'X-Api-Key: @api-key.txt'
  delivery-webhooks verify skladon --secret-env SKLADON_URL_TOKEN --url @request-url.txt")]
    Verify(VerifyArgs),

    /// Print what carries a provider's credential: Wakilni's signature of a body, the others'
    /// header lines or URL.
    #[command(after_help = "\
wakilni  prints only the x-webhook-signature value for the body; send it with the exact same
         bytes (curl --data-binary, not --data)
peddler  prints `x-webhook-shared-token: <token>`, the token itself
xoxoday  prints `x-api-key: <key>` and `x-forwarded-for: 52.76.120.90` (the address your
         trusted proxy must report)
isendu   prints the URL to register: --to with `token=<token>` in its query
skladon  prints the URL to register for --type: --to/<token>/<TYPE> (append /<id> for GET)

Printing the credential is what `sign` is for (with `answer`, the only command that prints a
secret): send its output to a file, a pipe or a variable, not to a shared screen or a log.

Example:
  read -rs WAKILNI_WEBHOOK_SECRET; export WAKILNI_WEBHOOK_SECRET   # typed, not shown
  body=fixtures/wakilni/order_created.json
  sig=$(delivery-webhooks sign wakilni \"$body\" --secret-env WAKILNI_WEBHOOK_SECRET)
  curl -i http://127.0.0.1:3000/webhooks/wakilni -H 'Content-Type: application/json' \\
      -H \"X-Webhook-Signature: $sig\" --data-binary @\"$body\"
  delivery-webhooks sign skladon --secret-env SKLADON_URL_TOKEN \\
      --to https://you.example/webhooks/skladon --type UPDATE_ORDER_STATUS")]
    Sign(SignArgs),

    /// Print the answer to isendu's verification handshake: `{"response":"<secret key>"}`.
    #[command(after_help = "\
isendu sends {\"keyId\": \"<API key id>\"} once a webhook URL is registered and expects this body
back (status 200, within 5 seconds). With a FILE (or `-`), the body must be that handshake and
name --key-id, or nothing is printed and the exit code is 1; without one, the answer for
--key-id is printed, to compare with what your receiver sends. The secret key comes from
--secret-env or --secret-file; the answer contains it, so print it only where it is safe.

--key-id takes env:VAR, @PATH or - (standard input) in place of the id.

Example (the key id and the secret key each in a file, as isendu showed them):
  delivery-webhooks answer isendu --key-id @isendu-key-id.txt handshake.json \\
      --secret-file isendu-secret-key.txt")]
    Answer(AnswerArgs),

    /// Send a body to a running receiver exactly as the provider would, and print its answer.
    #[command(after_help = "\
Sends what the provider sends: method, path, content type and credential, with the provider's
delivery headers. Prints each attempt's status on stderr, and the last answer's status line
and body on stdout. Exit 0 when the receiver answered 2xx, 1 otherwise.

--to must be http:// (the tool has no TLS) on a loopback host: an address in 127.0.0.0/8, ::1,
or the name `localhost` (not `localhost.`, a DNS name that the hosts file does not answer and
so a DNS server resolves). The request carries the real credential, so another host is refused
unless you pass --allow-insecure-http.

wakilni  POST, x-webhook-signature (the secret), x-webhook-topic (the body's event),
         x-webhook-id, x-webhook-delivery-id, x-webhook-source, x-attempt-number 1, 2, 3...
peddler  POST, x-webhook-shared-token (the secret)
xoxoday  POST through the tool as a proxy: X-Forwarded-For 52.76.120.90 (or --forwarded-for),
         x-api-key when a secret is given. The receiver must trust 127.0.0.1 as a proxy
         (XOXODAY_TRUSTED_PROXIES=127.0.0.1).
isendu   POST of FILE, or of the handshake {\"keyId\": ...} with --key-id; the url token (the
         secret) in query parameter `token`: a receiver built with isendu::Verifier::new
         requires it; without a secret none is sent (a receiver that opted out with
         Verifier::without_url_token)
skladon  POST of FILE to --to/<token>/<TYPE>, or with --id a GET of --to/<token>/<TYPE>/<id>;
         the token is the secret, if given

--retries N retries a non-2xx answer up to N times, as the provider does: Xoxoday and Peddler
make at most 3 attempts, Skladon at most 21 with doubling intervals; Wakilni numbers each
attempt. --retry-delay sets the first interval (default 1s; Skladon's real ones span 48 hours).

isendu's --key-id takes env:VAR, @PATH or - (standard input) in place of the id.

Examples:
  read -rs WAKILNI_WEBHOOK_SECRET; export WAKILNI_WEBHOOK_SECRET   # typed, not shown
  delivery-webhooks send wakilni fixtures/wakilni/order_created.json \\
      --to http://127.0.0.1:3000/webhooks/wakilni --secret-env WAKILNI_WEBHOOK_SECRET
  delivery-webhooks send skladon fixtures/skladon/order.json --type UPDATE_ORDER_STATUS \\
      --to http://127.0.0.1:3000/webhooks/skladon --secret-env SKLADON_URL_TOKEN
  delivery-webhooks send isendu --key-id env:ISENDU_KEY_ID \\
      --to http://127.0.0.1:3000/webhooks/isendu --secret-env ISENDU_URL_TOKEN")]
    Send(SendArgs),

    /// Print the JSON Schema (draft 2020-12) of a provider's payloads.
    #[command(after_help = "\
The schema describes what the crate's parser accepts, which is more lenient than what the
provider documents: numbers may come as strings of digits, dates in any ISO 8601 form, and
unknown enum values are kept. Skladon: every entity, or with --type the entity of that type.

Example:
  delivery-webhooks schema xoxoday > xoxoday.schema.json")]
    Schema(SchemaArgs),

    /// Look into a receiver's inbox and act on it: list, show, story, replay, discard,
    /// expunge, stats.
    #[command(after_help = inbox::HELP)]
    Inbox(inbox::InboxArgs),

    /// Run the whole receiver: verify, store, normalize and forward each delivery, signed per
    /// Standard Webhooks (docs/serve.md).
    #[command(after_help = serve::HELP)]
    Serve(serve::ServeArgs),
}

/// Providers whose bodies `parse` and `verify` handle.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
enum Provider {
    /// Wakilni: `x-webhook-signature`, base64 HMAC-SHA256 of the body.
    Wakilni,
    /// Peddler: `x-webhook-shared-token`, a token agreed with Peddler.
    Peddler,
    /// Xoxoday (Plum Pro): the source address (52.76.120.90) and an `x-api-key` (the library
    /// requires one unless the receiver opts out with `Verifier::without_api_key`).
    Xoxoday,
    /// isendu: a handshake, then updates; a token in the URL (the library requires one unless
    /// the receiver opts out with `Verifier::without_url_token`).
    Isendu,
    /// Skladon: one URL per webhook type (`--type`), a token in the URL.
    Skladon,
}

/// Providers with a handshake to answer, for `answer`.
#[derive(Clone, Copy, ValueEnum)]
enum AnsweringProvider {
    /// isendu: prints `{"response":"<secret key>"}` for the right key id.
    Isendu,
}

#[derive(Args)]
struct ParseArgs {
    /// The provider that sent the body.
    provider: Provider,
    #[command(flatten)]
    body: Body,
    /// Skladon only: the webhook type the URL was registered for, e.g. UPDATE_ORDER_STATUS.
    #[arg(long = "type", value_name = "SKLADON_TYPE", value_parser = skladon::parse_type)]
    webhook_type: Option<WebhookType>,
}

#[derive(Args)]
struct VerifyArgs {
    /// The provider that sent the request.
    provider: Provider,
    #[command(flatten)]
    body: Body,
    /// A request header as `Name: value`; repeat for each header. The value may be env:VAR,
    /// @PATH or - (standard input), to keep a credential off the command line.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = common::quiet(common::parse_header))]
    headers: Vec<Header>,
    /// Request headers from a file (or `-` for standard input): one `Name: value` per line,
    /// blank lines and lines starting with # skipped.
    #[arg(long, value_name = "PATH")]
    header_file: Option<PathBuf>,
    /// Xoxoday only: the TCP peer address of the request.
    #[arg(long, value_name = "IP")]
    peer: Option<IpAddr>,
    /// Xoxoday only: a reverse proxy whose forwarding header is believed (address or CIDR);
    /// repeat for each.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<String>,
    /// isendu and Skladon only: the URL the request came in on (request target or full URL);
    /// env:VAR, @PATH or - (standard input) to read it from there.
    #[arg(long, value_name = "URL", value_parser = common::quiet(common::parse_sourced))]
    url: Option<Sourced>,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Args)]
struct SignArgs {
    /// The provider whose credential to print.
    provider: Provider,
    #[command(flatten)]
    body: Body,
    /// isendu and Skladon: the URL to register, without the token.
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// Skladon only: the webhook type.
    #[arg(long = "type", value_name = "SKLADON_TYPE", value_parser = skladon::parse_type)]
    webhook_type: Option<WebhookType>,
    /// Skladon only: an entity id, for the URL of a GET call.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Args)]
struct SendArgs {
    /// The provider to send as.
    provider: Provider,
    #[command(flatten)]
    body: Body,
    /// The receiver's URL (http://); for Skladon its mount URL, for isendu without the token.
    #[arg(long, value_name = "URL")]
    to: String,
    /// Retry a non-2xx answer up to N times, within the provider's documented limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    retries: u32,
    /// The wait before the first retry (Skladon doubles it each time): 0, 250ms, 2s, 1m.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = send::parse_duration)]
    retry_delay: Duration,
    /// Wakilni only: the `x-webhook-id` (the subscription).
    #[arg(long, value_name = "ID")]
    webhook_id: Option<String>,
    /// Xoxoday only: the client address in `X-Forwarded-For` (default 52.76.120.90).
    #[arg(long, value_name = "IP")]
    forwarded_for: Option<IpAddr>,
    /// isendu only: send the verification handshake for this key id (no FILE); env:VAR, @PATH
    /// or - (standard input) to read it from there.
    #[arg(long, value_name = "ID", value_parser = common::quiet(common::parse_sourced))]
    key_id: Option<Sourced>,
    /// Skladon only: the webhook type the URL is registered for.
    #[arg(long = "type", value_name = "SKLADON_TYPE", value_parser = skladon::parse_type)]
    webhook_type: Option<WebhookType>,
    /// Skladon only: send a GET for this entity id instead of a POST (no FILE).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Send to a host that is not loopback (127.0.0.0/8, ::1, `localhost` without a trailing
    /// dot): the credential then crosses the network in clear text (the tool has no TLS).
    #[arg(long)]
    allow_insecure_http: bool,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Args)]
struct SchemaArgs {
    /// The provider whose payload schema to print.
    provider: Provider,
    /// Skladon only: the schema of this webhook type's entity.
    #[arg(long = "type", value_name = "SKLADON_TYPE", value_parser = skladon::parse_type)]
    webhook_type: Option<WebhookType>,
}

#[derive(Args)]
struct AnswerArgs {
    /// The provider whose handshake to answer.
    provider: AnsweringProvider,
    /// The API key id of the integration, as isendu shows it; env:VAR, @PATH or - (standard
    /// input) to read it from there.
    #[arg(long, value_name = "ID", value_parser = common::quiet(common::parse_sourced))]
    key_id: Sourced,
    /// The handshake body: a file, or `-` for standard input. Without it, the answer for
    /// --key-id is printed and standard input is not read.
    #[arg(value_name = "FILE")]
    body: Option<PathBuf>,
    #[command(flatten)]
    secret: SecretArgs,
}

/// The provider's name, as on the command line.
fn send_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Wakilni => "wakilni",
        Provider::Peddler => "peddler",
        Provider::Xoxoday => "xoxoday",
        Provider::Isendu => "isendu",
        Provider::Skladon => "skladon",
    }
}

/// Refuses an option given for a provider that does not use it (exit 2): silently ignoring it
/// would let a user believe it was checked.
fn refuse_option(given: bool, option: &str, provider: &str) -> Result<(), Failure> {
    if given {
        Err(Failure::Usage(format!(
            "{option} does not apply to {provider}"
        )))
    } else {
        Ok(())
    }
}

/// Dispatches to the provider's module. Each provider reads the body itself (`Body::read`), so
/// one whose check needs only headers does not wait on standard input.
fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Parse(args) => {
            let webhook_type = args.webhook_type;
            let no_type = |name: &str| refuse_option(webhook_type.is_some(), "--type", name);
            match args.provider {
                Provider::Wakilni => no_type("wakilni").and_then(|()| wakilni::parse(&args.body)),
                Provider::Peddler => no_type("peddler").and_then(|()| peddler::parse(&args.body)),
                Provider::Xoxoday => no_type("xoxoday").and_then(|()| xoxoday::parse(&args.body)),
                Provider::Isendu => no_type("isendu").and_then(|()| isendu::parse(&args.body)),
                Provider::Skladon => match &webhook_type {
                    Some(t) => skladon::parse(&args.body, t),
                    None => Err(Failure::Usage(
                        "skladon bodies carry no type: pass --type SKLADON_TYPE, the webhook type the URL was registered for".into(),
                    )),
                },
            }
        }
        Command::Verify(args) => {
            let headers = common::resolve_headers(&args.headers, args.header_file.as_deref())?;
            let resolve_url = || args.url.as_ref().map(|u| u.resolve("--url")).transpose();
            // Options only some providers use: refused for the others.
            let (peer, proxies, url) = (&args.peer, &args.trusted_proxies, &args.url);
            let not_xoxoday = |name: &str| {
                refuse_option(peer.is_some(), "--peer", name)?;
                refuse_option(!proxies.is_empty(), "--trusted-proxy", name)
            };
            let no_url = |name: &str| refuse_option(url.is_some(), "--url", name);
            match args.provider {
                Provider::Wakilni => {
                    not_xoxoday("wakilni")?;
                    no_url("wakilni")?;
                    wakilni::verify(&args.secret, &headers, &args.body)
                }
                Provider::Peddler => {
                    not_xoxoday("peddler")?;
                    no_url("peddler")?;
                    peddler::verify(&args.secret, &headers)
                }
                Provider::Xoxoday => {
                    no_url("xoxoday")?;
                    xoxoday::verify(&args.secret, &headers, args.peer, &args.trusted_proxies)
                }
                Provider::Isendu => {
                    not_xoxoday("isendu")?;
                    isendu::verify(&args.secret, resolve_url()?.as_deref())
                }
                Provider::Skladon => {
                    not_xoxoday("skladon")?;
                    skladon::verify(&args.secret, resolve_url()?.as_deref())
                }
            }
        }
        Command::Sign(args) => {
            let name = send_name(args.provider);
            if args.provider != Provider::Skladon {
                refuse_option(args.webhook_type.is_some(), "--type", name)?;
                refuse_option(args.id.is_some(), "--id", name)?;
            }
            if !matches!(args.provider, Provider::Isendu | Provider::Skladon) {
                refuse_option(args.to.is_some(), "--to", name)?;
            }
            match args.provider {
                Provider::Wakilni => wakilni::sign(&args.secret, &args.body),
                other => {
                    refuse_option(args.body.is_given(), "a FILE", name)?;
                    send::sign(
                        other,
                        &args.secret,
                        args.to.as_deref(),
                        args.webhook_type.as_ref(),
                        args.id.as_deref(),
                    )
                }
            }
        }
        Command::Send(args) => send::send(
            args.provider,
            &args.body,
            &send::Options {
                key_id: args
                    .key_id
                    .as_ref()
                    .map(|k| k.resolve("--key-id"))
                    .transpose()?
                    .as_deref(),
                to: &args.to,
                retries: args.retries,
                retry_delay: args.retry_delay,
                secret: &args.secret,
                forwarded_for: args.forwarded_for,
                webhook_type: args.webhook_type.as_ref(),
                id: args.id.as_deref(),
                webhook_id: args.webhook_id.as_deref(),
                allow_insecure_http: args.allow_insecure_http,
            },
        ),
        Command::Schema(args) => {
            if args.provider != Provider::Skladon {
                refuse_option(
                    args.webhook_type.is_some(),
                    "--type",
                    send_name(args.provider),
                )?;
            }
            schema::print(args.provider, args.webhook_type.as_ref())
        }
        Command::Inbox(args) => inbox::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Answer(args) => match args.provider {
            AnsweringProvider::Isendu => {
                let key_id = args.key_id.resolve("--key-id")?;
                isendu::answer(&args.secret, &key_id, args.body.map(Body::from_file))
            }
        },
    }
}

fn main() -> ExitCode {
    // clap prints its own usage errors and exits 2 (0 for --help and --version).
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
