//! `delivery-webhooks`: try the crate on a webhook body without writing code.
//!
//! - `parse`: print the typed payload (pretty JSON in the provider's own wire format) and a one-line
//!   summary;
//! - `verify`: run the provider's authenticity check on a body and its headers;
//! - `sign`: compute the signature header for a body, to send signed fixtures to your own receiver.
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
mod wakilni;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use common::{Body, Failure, Header, SecretArgs};

const EXIT_CODES: &str = "\
Exit codes:
  0  ok: parsed, verified or signed
  1  rejected or malformed: the check failed, or the body is not what the provider sends
  2  usage or configuration error: bad arguments, unreadable file, missing or empty secret

Secrets are read with --secret-env VAR or --secret-file PATH, never from the command line,
and are never printed.";

/// Receive-side tooling for delivery provider webhooks: parse, verify and sign bodies.
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

Examples:
  delivery-webhooks parse wakilni fixtures/wakilni/order_assigned.json
  cat body.json | delivery-webhooks parse wakilni -")]
    Parse(ParseArgs),

    /// Run the provider's authenticity check on a body and its headers.
    #[command(after_help = "\
Prints `verified` and exits 0 when the check holds; otherwise prints the reason on stderr
(with the HTTP status a receiver answers) and exits 1. Headers are given as they arrive,
one --header per header, names in any case.

Example:
  export WAKILNI_WEBHOOK_SECRET='your-secret'
  delivery-webhooks verify wakilni body.json --secret-env WAKILNI_WEBHOOK_SECRET \\
      --header 'X-Webhook-Signature: JRJMEm8SY17oEfxD6CFarg1QgmQMf8zLmI6c4eL2Mu4='")]
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
}

/// Providers whose bodies `parse` and `verify` handle.
#[derive(Clone, Copy, ValueEnum)]
enum Provider {
    /// Wakilni: `x-webhook-signature`, base64 HMAC-SHA256 of the body.
    Wakilni,
}

/// Providers that sign their bodies, for `sign`.
#[derive(Clone, Copy, ValueEnum)]
enum SigningProvider {
    /// Wakilni: prints the `x-webhook-signature` value.
    Wakilni,
}

#[derive(Args)]
struct ParseArgs {
    /// The provider that sent the body.
    provider: Provider,
    #[command(flatten)]
    body: Body,
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

/// Dispatches to the provider's module. Each provider reads the body itself (`Body::read`), so
/// one whose check needs only headers does not wait on standard input.
fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Parse(args) => match args.provider {
            Provider::Wakilni => wakilni::parse(&args.body),
        },
        Command::Verify(args) => {
            let headers: Vec<(String, String)> = args
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect();
            match args.provider {
                Provider::Wakilni => wakilni::verify(&args.secret, &headers, &args.body),
            }
        }
        Command::Sign(args) => match args.provider {
            SigningProvider::Wakilni => wakilni::sign(&args.secret, &args.body),
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
