//! What every provider's commands share: reading the body, `--header` values, secrets, output and
//! the mapping of outcomes to exit codes.

use std::fmt;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::Args;
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use delivery_webhooks::{ConfigError, ConfigErrorKind, Error};
use serde::Serialize;

use crate::terminal;

/// Said in place of an argument an error does not repeat: an option that carries a credential,
/// or says where to read one, may have been given the credential itself by mistake
/// (`--secret-env "$TOKEN"`), and an error message ends up in terminals, logs and CI output.
pub const NOT_SHOWN: &str = "not shown here: it may be the credential itself";

/// Why a command did not succeed; decides the exit code.
pub enum Failure {
    /// Exit 1: the check failed or the body is malformed. The message goes to stderr as is.
    Rejected(String),
    /// Exit 2: the command could not run as asked (arguments, files, configuration).
    Usage(String),
}

impl Failure {
    /// Prints the message on stderr and gives the exit code.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Rejected(message) => {
                note(&message);
                ExitCode::from(1)
            }
            Failure::Usage(message) => {
                note(&format!("error: {message}"));
                ExitCode::from(2)
            }
        }
    }

    /// A verifier that cannot be built, prefixed with the provider's name: an empty or unusable
    /// secret (a URL token shorter than 16 bytes) is the caller's configuration, not the
    /// delivery's fault: usage (2).
    pub fn from_config(provider: &str, err: &ConfigError) -> Self {
        match err.kind() {
            ConfigErrorKind::EmptySecret => {
                Failure::Usage(format!("{provider}: the secret is empty"))
            }
            _ => Failure::Usage(format!("{provider}: {err}")),
        }
    }

    /// A crate error from a provider's check or parse, prefixed with the provider's name.
    pub fn from_error(provider: &str, err: &Error) -> Self {
        match err {
            Error::Config(config) => Failure::from_config(provider, config),
            Error::Payload(_) => Failure::Rejected(format!("{provider}: {err}")),
            _ => Failure::Rejected(format!(
                "{provider}: rejected: {err} (a receiver answers {})",
                err.status_code()
            )),
        }
    }
}

/// The `[FILE|-]` argument: where the body comes from.
#[derive(Args)]
pub struct Body {
    /// The body: a file, or `-` (or nothing) for standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

impl Body {
    /// A body read from `file` (`-` for standard input), for commands where giving no FILE
    /// means no body at all rather than standard input (`answer isendu`).
    pub fn from_file(file: PathBuf) -> Self {
        Self { file: Some(file) }
    }

    /// Whether a FILE (or `-`) was given.
    pub fn is_given(&self) -> bool {
        self.file.is_some()
    }

    /// Reads the body from the file, or from standard input for `-` or no file.
    pub fn read(&self) -> Result<Vec<u8>, Failure> {
        match self.file.as_deref() {
            Some(path) if path != Path::new("-") => std::fs::read(path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display()))),
            _ => {
                claim_stdin("the body")?;
                let mut stdin = io::stdin().lock();
                // Waiting silently on a terminal looks like a hang: say what is expected instead.
                if stdin.is_terminal() {
                    return Err(Failure::Usage(
                        "no FILE given and standard input is a terminal: pass a file, or pipe the body in"
                            .into(),
                    ));
                }
                let mut body = Vec::new();
                stdin
                    .read_to_end(&mut body)
                    .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
                Ok(body)
            }
        }
    }
}

/// Which input took standard input, which can be read only once.
static STDIN_TAKEN_BY: OnceLock<String> = OnceLock::new();

/// Takes standard input for `what` (`the body`, `--url`...), or says which input already took it.
fn claim_stdin(what: &str) -> Result<(), Failure> {
    if STDIN_TAKEN_BY.set(what.to_owned()).is_ok() {
        return Ok(());
    }
    let first = STDIN_TAKEN_BY.get().map_or("another input", String::as_str);
    Err(Failure::Usage(format!(
        "{what} and {first} both ask for standard input (`-`), which can be read only once: \
         give one of them from a file or the environment"
    )))
}

/// Reads all of standard input for `what`.
fn read_stdin(what: &str) -> Result<Vec<u8>, Failure> {
    claim_stdin(what)?;
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("{what}: cannot read standard input: {e}")))?;
    Ok(bytes)
}

/// Removes one trailing newline (`\n` or `\r\n`): files written by editors and `echo` end with
/// one that is not part of the value.
fn strip_newline(bytes: &mut Vec<u8>) {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
}

/// A command-line value that may carry a credential (`--url`, `--key-id`, a `--header` value):
/// given as is, or read from elsewhere so that it stays out of `ps` and the shell's history.
///
/// `env:VAR` reads environment variable VAR, `@PATH` the file PATH, `-` standard input (one
/// trailing newline removed from a file or standard input); `@@...` is a literal value
/// starting with `@`. Anything else is the value itself.
#[derive(Clone, Debug)]
pub enum Sourced {
    /// The value, as given on the command line.
    Literal(String),
    /// `env:VAR`.
    Env(String),
    /// `@PATH`.
    File(PathBuf),
    /// `-`.
    Stdin,
}

/// clap value parser for a [`Sourced`] value.
pub fn parse_sourced(raw: &str) -> Result<Sourced, String> {
    if raw == "-" {
        return Ok(Sourced::Stdin);
    }
    if let Some(rest) = raw.strip_prefix("@@") {
        return Ok(Sourced::Literal(format!("@{rest}")));
    }
    if let Some(path) = raw.strip_prefix('@') {
        if path.is_empty() {
            return Err("`@` needs a file: @PATH".into());
        }
        return Ok(Sourced::File(PathBuf::from(path)));
    }
    if let Some(var) = raw.strip_prefix("env:") {
        let mut chars = var.chars();
        let valid = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err("`env:` needs a variable name: env:VAR".into());
        }
        return Ok(Sourced::Env(var.to_owned()));
    }
    Ok(Sourced::Literal(raw.to_owned()))
}

impl Sourced {
    /// The value; `what` names the option in errors (`--url`). An unset variable, an unreadable
    /// file or a value that is not UTF-8 is a usage error (exit 2) that shows neither the value
    /// nor the variable's name or the path ([`NOT_SHOWN`]).
    pub fn resolve(&self, what: &str) -> Result<String, Failure> {
        let bytes = match self {
            Sourced::Literal(value) => return Ok(value.clone()),
            Sourced::Env(var) => match std::env::var_os(var) {
                Some(value) => value.into_encoded_bytes(),
                None => {
                    return Err(Failure::Usage(format!(
                        "{what}: the name after env: is not a set environment variable; give \
                         the variable's NAME, e.g. env:WEBHOOK_TOKEN (the name given is \
                         {NOT_SHOWN})"
                    )));
                }
            },
            Sourced::File(path) => {
                let mut bytes = std::fs::read(path).map_err(|e| {
                    Failure::Usage(format!(
                        "{what}: cannot read the file given as @PATH ({e}; the path is {NOT_SHOWN})"
                    ))
                })?;
                strip_newline(&mut bytes);
                bytes
            }
            Sourced::Stdin => {
                let mut bytes = read_stdin(what)?;
                strip_newline(&mut bytes);
                bytes
            }
        };
        String::from_utf8(bytes)
            .map_err(|_| Failure::Usage(format!("{what}: the value read is not UTF-8")))
    }
}

/// A clap value parser whose error never shows the value (clap's own says `invalid value
/// '<the value>'`), for options whose value may be a credential (`--header`, `--url`,
/// `--key-id`): `quiet(parse_header)`.
#[derive(Clone)]
pub struct Quiet<T>(fn(&str) -> Result<T, String>);

/// Wraps a value parser so that its errors do not repeat the value ([`Quiet`]).
pub fn quiet<T>(parse: fn(&str) -> Result<T, String>) -> Quiet<T> {
    Quiet(parse)
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Quiet<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let option = arg.map_or_else(|| "a value".to_owned(), ToString::to_string);
        let fail = |kind, reason: &str| {
            clap::Error::raw(
                kind,
                format!("invalid value for {option} (the value is {NOT_SHOWN}): {reason}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| fail(ErrorKind::InvalidUtf8, "not UTF-8"))?;
        (self.0)(text).map_err(|reason| fail(ErrorKind::ValueValidation, &reason))
    }
}

/// One `--header 'Name: value'`; the value may be read from elsewhere ([`Sourced`]).
#[derive(Clone, Debug)]
pub struct Header {
    /// The name, as given.
    pub name: String,
    /// The value, trimmed of surrounding whitespace, or where to read it.
    pub value: Sourced,
}

/// The request headers: each `--header`, then the lines of `--header-file` (a file, or `-` for
/// standard input): `Name: value` each, blank lines and lines starting with `#` skipped,
/// values taken as written.
pub fn resolve_headers(
    headers: &[Header],
    header_file: Option<&Path>,
) -> Result<Vec<(String, String)>, Failure> {
    let mut resolved = Vec::new();
    for header in headers {
        let what = format!("--header {}", header.name);
        resolved.push((header.name.clone(), header.value.resolve(&what)?));
    }
    let Some(path) = header_file else {
        return Ok(resolved);
    };
    // The path is not repeated in errors, as for every option that says where a credential is.
    let bytes = if path == Path::new("-") {
        read_stdin("--header-file")?
    } else {
        std::fs::read(path).map_err(|e| {
            Failure::Usage(format!(
                "--header-file: cannot read the file ({e}; the path is {NOT_SHOWN})"
            ))
        })?
    };
    let text =
        String::from_utf8(bytes).map_err(|_| Failure::Usage("--header-file: not UTF-8".into()))?;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let header = split_header(line)
            .map_err(|e| Failure::Usage(format!("--header-file: line {}: {e}", n + 1)))?;
        resolved.push(header);
    }
    Ok(resolved)
}

/// clap value parser for `--header`: `Name: value`, the name a non-empty HTTP token; the value
/// may be `env:VAR`, `@PATH` or `-` ([`Sourced`]).
pub fn parse_header(raw: &str) -> Result<Header, String> {
    let (name, value) = split_header(raw)?;
    Ok(Header {
        name,
        value: parse_sourced(&value)?,
    })
}

/// `Name: value` into the name and the trimmed value, the name a non-empty HTTP token.
fn split_header(raw: &str) -> Result<(String, String), String> {
    let Some((name, value)) = raw.split_once(':') else {
        return Err("expected `Name: value`".into());
    };
    let name = name.trim();
    let is_token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        return Err("missing the header name before `:`".into());
    }
    // Not echoed: a token given where `Name: value` was expected may hold a `:`.
    if !name.chars().all(is_token) {
        return Err(
            "the part before `:` is not a header name (letters, digits and !#$%&'*+-.^_`|~)".into(),
        );
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// Where a secret comes from: never the command line itself.
#[derive(Args)]
pub struct SecretArgs {
    /// Read the secret from the environment variable VAR: its NAME, not its value.
    // Hyphen values are taken so that a secret starting with `-`, given here by mistake, gets
    // this tool's error (which does not repeat it) rather than clap's "unexpected argument".
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "secret_file",
        allow_hyphen_values = true
    )]
    secret_env: Option<String>,
    /// Read the secret from the file PATH, or `-` for standard input (one trailing newline is
    /// removed).
    #[arg(long, value_name = "PATH", allow_hyphen_values = true)]
    secret_file: Option<PathBuf>,
}

/// A secret's bytes, wiped from memory when dropped (the whole buffer, spare capacity included).
/// `Debug` does not show them.
pub struct Secret(zeroize::Zeroizing<Vec<u8>>);

impl Secret {
    /// The bytes, to hand to a verifier.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl SecretArgs {
    /// The secret, required: `what` names it in the error (`wakilni needs the webhook secret`).
    ///
    /// Missing configuration, an unset variable, an unreadable file or an empty secret are usage
    /// errors (exit 2); none of the messages contains the secret, nor the argument of
    /// `--secret-env` or `--secret-file`, which may be the secret given by mistake ([`NOT_SHOWN`]).
    pub fn require(&self, what: &str) -> Result<Secret, Failure> {
        self.optional(what)?.ok_or_else(|| {
            Failure::Usage(format!(
                "{what}: pass --secret-env VAR or --secret-file PATH"
            ))
        })
    }

    /// The secret if one is configured (for `verify xoxoday` and `send`, whose credential may be
    /// left out to mirror a receiver that opted out of it); `None` when neither
    /// option is given. The same errors as [`require`](SecretArgs::require) otherwise.
    pub fn optional(&self, what: &str) -> Result<Option<Secret>, Failure> {
        let bytes = match (&self.secret_env, &self.secret_file) {
            (Some(var), _) => match std::env::var_os(var) {
                // The process environment keeps its own copy; this one is wiped on drop.
                Some(value) => value.into_encoded_bytes(),
                // Also for a value that is no variable name at all (`var_os` gives `None`).
                None => {
                    return Err(Failure::Usage(format!(
                        "{what}: the value of --secret-env is not the name of a set environment \
                         variable; pass the variable's NAME, e.g. --secret-env \
                         WAKILNI_WEBHOOK_SECRET (the value given is {NOT_SHOWN})"
                    )));
                }
            },
            (None, Some(path)) => {
                let mut bytes = if path == Path::new("-") {
                    read_stdin("--secret-file")?
                } else {
                    std::fs::read(path).map_err(|e| {
                        Failure::Usage(format!(
                            "{what}: cannot read the file given to --secret-file ({e}; the path \
                             is {NOT_SHOWN})"
                        ))
                    })?
                };
                strip_newline(&mut bytes);
                bytes
            }
            (None, None) => return Ok(None),
        };
        if bytes.is_empty() {
            return Err(Failure::Usage(format!("{what}: the secret given is empty")));
        }
        Ok(Some(Secret(zeroize::Zeroizing::new(bytes))))
    }
}

/// Writes one line on stdout, its control characters escaped ([`terminal::escape`]). A closed
/// stdout (`| head`) is reported instead of panicking.
pub fn print_line(line: &str) -> Result<(), Failure> {
    write_stdout(&terminal::escape(line))
}

/// Writes `text`, already made safe, and a newline on stdout.
fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Usage(format!("cannot write to standard output: {e}")))
}

/// Writes one line on stderr (a summary, a progress line, an error), its control characters
/// escaped ([`terminal::escape`]): it may quote the payload or the receiver's answer.
pub fn note(line: &str) {
    eprintln!("{}", terminal::escape(line));
}

/// Writes `value` as pretty JSON on stdout, followed by a newline: C1 controls and
/// bidirectional formatting characters as JSON escapes (`\u009b`, [`terminal::escape_json`]),
/// so that the output is still JSON (a Rust escape, `\u{9b}`, inside a string is not).
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Rejected(format!("cannot serialize the payload: {e}")))?;
    write_stdout(&terminal::escape_json(&json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_arguments_split_at_the_first_colon_and_trim() {
        let literal = |raw: &str| match parse_header(raw).unwrap() {
            Header {
                name,
                value: Sourced::Literal(value),
            } => (name, value),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            literal("X-Webhook-Signature:  ab:c= "),
            ("X-Webhook-Signature".into(), "ab:c=".into())
        );
        assert_eq!(literal("x-empty:"), ("x-empty".into(), "".into()));
        assert_eq!(literal("x-at: @@home"), ("x-at".into(), "@home".into()));
    }

    #[test]
    fn header_arguments_need_a_name_and_a_colon() {
        assert_eq!(
            parse_header("no colon").unwrap_err(),
            "expected `Name: value`"
        );
        assert_eq!(
            parse_header(" : v").unwrap_err(),
            "missing the header name before `:`"
        );
        assert_eq!(
            parse_header("two words: v").unwrap_err(),
            "the part before `:` is not a header name (letters, digits and !#$%&'*+-.^_`|~)"
        );
    }

    #[test]
    fn values_come_from_the_environment_a_file_or_standard_input() {
        assert!(matches!(parse_sourced("env:MY_VAR_1"), Ok(Sourced::Env(v)) if v == "MY_VAR_1"));
        assert!(
            matches!(parse_sourced("@/tmp/x"), Ok(Sourced::File(p)) if p == Path::new("/tmp/x"))
        );
        assert!(matches!(parse_sourced("-"), Ok(Sourced::Stdin)));
        assert!(matches!(parse_sourced("/a/b?c=1"), Ok(Sourced::Literal(v)) if v == "/a/b?c=1"));
        assert_eq!(parse_sourced("@").unwrap_err(), "`@` needs a file: @PATH");
        for bad in ["env:", "env:1X", "env:A-B"] {
            assert_eq!(
                parse_sourced(bad).unwrap_err(),
                "`env:` needs a variable name: env:VAR"
            );
        }
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret(zeroize::Zeroizing::new(b"hunter2".to_vec()))),
            "Secret(<redacted>)"
        );
    }
}
