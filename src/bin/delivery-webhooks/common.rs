//! What every provider's commands share: reading the body, `--header` values, secrets, output and
//! the mapping of outcomes to exit codes.

use std::fmt;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use delivery_webhooks::Error;
use serde::Serialize;

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
                eprintln!("{message}");
                ExitCode::from(1)
            }
            Failure::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        }
    }

    /// A crate error from a provider's check or parse, prefixed with the provider's name.
    ///
    /// An empty or unusable secret (a URL token shorter than 16 bytes) is the caller's
    /// configuration, not the delivery's fault: usage (2).
    pub fn from_error(provider: &str, err: &Error) -> Self {
        match err {
            Error::EmptySecret => Failure::Usage(format!("{provider}: the secret is empty")),
            Error::InvalidSecret { .. } => Failure::Usage(format!("{provider}: {err}")),
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

/// One `--header 'Name: value'`.
#[derive(Clone, Debug)]
pub struct Header {
    /// The name, as given.
    pub name: String,
    /// The value, trimmed of surrounding whitespace.
    pub value: String,
}

/// clap value parser for `--header`: `Name: value`, the name a non-empty HTTP token.
pub fn parse_header(raw: &str) -> Result<Header, String> {
    let Some((name, value)) = raw.split_once(':') else {
        return Err("expected `Name: value`".into());
    };
    let name = name.trim();
    let is_token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        return Err("missing the header name before `:`".into());
    }
    if !name.chars().all(is_token) {
        return Err(format!("`{name}` is not a header name"));
    }
    Ok(Header {
        name: name.to_owned(),
        value: value.trim().to_owned(),
    })
}

/// Where a secret comes from: never the command line itself.
#[derive(Args)]
pub struct SecretArgs {
    /// Read the secret from the environment variable VAR.
    #[arg(long, value_name = "VAR", conflicts_with = "secret_file")]
    secret_env: Option<String>,
    /// Read the secret from the file PATH (one trailing newline is removed).
    #[arg(long, value_name = "PATH")]
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
    /// errors (exit 2); none of the messages contains the secret.
    pub fn require(&self, what: &str) -> Result<Secret, Failure> {
        self.optional(what)?.ok_or_else(|| {
            Failure::Usage(format!(
                "{what}: pass --secret-env VAR or --secret-file PATH"
            ))
        })
    }

    /// The secret if one is configured (Xoxoday's API key is optional); `None` when neither
    /// option is given. The same errors as [`require`](SecretArgs::require) otherwise.
    pub fn optional(&self, what: &str) -> Result<Option<Secret>, Failure> {
        let bytes = match (&self.secret_env, &self.secret_file) {
            (Some(var), _) => match std::env::var_os(var) {
                // The process environment keeps its own copy; this one is wiped on drop.
                Some(value) => value.into_encoded_bytes(),
                None => {
                    return Err(Failure::Usage(format!(
                        "environment variable {var} (from --secret-env) is not set"
                    )));
                }
            },
            (None, Some(path)) => {
                let mut bytes = std::fs::read(path).map_err(|e| {
                    Failure::Usage(format!("cannot read secret file {}: {e}", path.display()))
                })?;
                // Files written by editors and `echo` end with a newline that is not part of it.
                if bytes.last() == Some(&b'\n') {
                    bytes.pop();
                    if bytes.last() == Some(&b'\r') {
                        bytes.pop();
                    }
                }
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

/// Writes one line on stdout. A closed stdout (`| head`) is reported instead of panicking.
pub fn print_line(line: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Usage(format!("cannot write to standard output: {e}")))
}

/// Writes `value` as pretty JSON on stdout, followed by a newline.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Rejected(format!("cannot serialize the payload: {e}")))?;
    print_line(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_arguments_split_at_the_first_colon_and_trim() {
        let h = parse_header("X-Webhook-Signature:  ab:c= ").unwrap();
        assert_eq!(
            (h.name.as_str(), h.value.as_str()),
            ("X-Webhook-Signature", "ab:c=")
        );
        let h = parse_header("x-empty:").unwrap();
        assert_eq!((h.name.as_str(), h.value.as_str()), ("x-empty", ""));
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
            "`two words` is not a header name"
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret(zeroize::Zeroizing::new(b"hunter2".to_vec()))),
            "Secret(<redacted>)"
        );
    }
}
