//! `delivery-webhooks`: try the crate on a webhook body without writing code.
//!
//! - `parse`: print the typed payload (pretty JSON in the provider's own wire format) and a one-line
//!   summary;
//! - `verify`: run the provider's authenticity check on a body and its headers;
//! - `sign`: compute the signature header for a body, to send signed fixtures to your own receiver;
//! - `answer`: print isendu's handshake answer.
//!
//! Secrets are read from an environment variable or a file, never from the command line (which
//! other users of the machine can see, and shells keep in their history), and never printed.
//!
//! Exit codes: 0 ok, 1 rejected or malformed, 2 usage or configuration error.
//!
//! Layout: this file holds the command line (clap) and the dispatch; `common.rs` the pieces every
//! provider shares (body input, headers, secrets, exit codes); one module per provider does the
//! work with that provider's API.

mod common;
mod isendu;
mod peddler;
mod skladon;
mod wakilni;
mod xoxoday;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use common::{Body, Failure, Header, SecretArgs};
use delivery_webhooks::skladon::WebhookType;

const EXIT_CODES: &str = "\
Exit codes:
  0  ok: parsed, verified, signed or answered
  1  rejected or malformed: the check failed, or the body is not what the provider sends
  2  usage or configuration error: bad arguments, unreadable file, missing or empty secret

Secrets are read with --secret-env VAR or --secret-file PATH, never from the command line,
and are never printed.";

/// Receive-side tooling for delivery provider webhooks: parse, verify and sign bodies, and answer
/// isendu's handshake.
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
one --header per header, names in any case.

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
  export WAKILNI_WEBHOOK_SECRET='your-secret'
  delivery-webhooks verify wakilni body.json --secret-env WAKILNI_WEBHOOK_SECRET \\
      --header 'X-Webhook-Signature: JRJMEm8SY17oEfxD6CFarg1QgmQMf8zLmI6c4eL2Mu4='
  delivery-webhooks verify peddler --secret-env PEDDLER_WEBHOOK_TOKEN \\
      --header 'X-Webhook-Shared-Token: your-token'
  delivery-webhooks verify xoxoday --peer 10.0.0.5 --trusted-proxy 10.0.0.0/8 \\
      --header 'X-Forwarded-For: 52.76.120.90'
  delivery-webhooks verify skladon --secret-env SKLADON_URL_TOKEN \\
      --url '/webhooks/skladon/your-token/UPDATE_ORDER_STATUS'")]
    Verify(VerifyArgs),

    /// Print the signature header value for a body, to send signed test deliveries.
    #[command(after_help = "\
Prints only the value; send it with the exact same bytes (curl --data-binary, not --data).

Example:
  export WAKILNI_WEBHOOK_SECRET='your-secret'
  body=fixtures/wakilni/order_created.json
  sig=$(delivery-webhooks sign wakilni \"$body\" --secret-env WAKILNI_WEBHOOK_SECRET)
  curl -i http://127.0.0.1:3000/webhooks/wakilni -H 'Content-Type: application/json' \\
      -H \"X-Webhook-Signature: $sig\" --data-binary @\"$body\"")]
    Sign(SignArgs),

    /// Print the answer to isendu's verification handshake: `{"response":"<secret key>"}`.
    #[command(after_help = "\
isendu sends {\"keyId\": \"<API key id>\"} once a webhook URL is registered and expects this body
back (status 200, within 5 seconds). With a FILE (or `-`), the body must be that handshake and
name --key-id, or nothing is printed and the exit code is 1; without one, the answer for
--key-id is printed, to compare with what your receiver sends. The secret key comes from
--secret-env or --secret-file; the answer contains it, so print it only where it is safe.

Example:
  export ISENDU_SECRET_KEY='sk_live_0123456789'
  echo '{\"keyId\":\"key-7f3a\"}' | delivery-webhooks answer isendu --key-id key-7f3a - \\
      --secret-env ISENDU_SECRET_KEY")]
    Answer(AnswerArgs),
}

/// Providers whose bodies `parse` and `verify` handle.
#[derive(Clone, Copy, ValueEnum)]
enum Provider {
    /// Wakilni: `x-webhook-signature`, base64 HMAC-SHA256 of the body.
    Wakilni,
    /// Peddler: `x-webhook-shared-token`, a token agreed with Peddler.
    Peddler,
    /// Xoxoday (Plum Pro): the source address (52.76.120.90) and an optional `x-api-key`.
    Xoxoday,
    /// isendu: a handshake, then updates; an optional token in the URL.
    Isendu,
    /// Skladon: one URL per webhook type (`--type`), a token in the URL.
    Skladon,
}

/// Providers that sign their bodies, for `sign`.
#[derive(Clone, Copy, ValueEnum)]
enum SigningProvider {
    /// Wakilni: prints the `x-webhook-signature` value.
    Wakilni,
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
    /// A request header as `Name: value`; repeat for each header.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = common::parse_header)]
    headers: Vec<Header>,
    /// Xoxoday only: the TCP peer address of the request.
    #[arg(long, value_name = "IP")]
    peer: Option<IpAddr>,
    /// Xoxoday only: a reverse proxy whose forwarding header is believed (address or CIDR);
    /// repeat for each.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<String>,
    /// isendu and Skladon only: the URL the request came in on (request target or full URL).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Args)]
struct SignArgs {
    /// The provider whose signature to compute.
    provider: SigningProvider,
    #[command(flatten)]
    body: Body,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Args)]
struct AnswerArgs {
    /// The provider whose handshake to answer.
    provider: AnsweringProvider,
    /// The API key id of the integration, as isendu shows it.
    #[arg(long, value_name = "ID")]
    key_id: String,
    /// The handshake body: a file, or `-` for standard input. Without it, the answer for
    /// --key-id is printed and standard input is not read.
    #[arg(value_name = "FILE")]
    body: Option<PathBuf>,
    #[command(flatten)]
    secret: SecretArgs,
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
            let headers: Vec<(String, String)> = args
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect();
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
                    isendu::verify(&args.secret, args.url.as_deref())
                }
                Provider::Skladon => {
                    not_xoxoday("skladon")?;
                    skladon::verify(&args.secret, args.url.as_deref())
                }
            }
        }
        Command::Sign(args) => match args.provider {
            SigningProvider::Wakilni => wakilni::sign(&args.secret, &args.body),
        },
        Command::Answer(args) => match args.provider {
            AnsweringProvider::Isendu => {
                isendu::answer(&args.secret, &args.key_id, args.body.map(Body::from_file))
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
