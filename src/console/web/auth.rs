//! Who may use the console: a bearer token, a basic login, or only the machine itself. The
//! console refuses to start without one of them (`docs/console.md`, "HTTP").

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// The console's environment variables (also in [`Config::VARIABLES`](crate::config::Config::VARIABLES)).
pub const TOKEN_VAR: &str = "DELIVERY_WEBHOOKS_CONSOLE_TOKEN";
/// The second accepted bearer token, while rotating.
pub const TOKEN_PREVIOUS_VAR: &str = "DELIVERY_WEBHOOKS_CONSOLE_TOKEN_PREVIOUS";
/// The basic login's user name.
pub const USER_VAR: &str = "DELIVERY_WEBHOOKS_CONSOLE_USER";
/// The basic login's password.
pub const PASSWORD_VAR: &str = "DELIVERY_WEBHOOKS_CONSOLE_PASSWORD";
/// A second accepted password for the same user, while rotating.
pub const PASSWORD_PREVIOUS_VAR: &str = "DELIVERY_WEBHOOKS_CONSOLE_PASSWORD_PREVIOUS";
/// `1`: no credential, but only a peer on the loopback interface is served.
pub const LOOPBACK_ONLY_VAR: &str = "DELIVERY_WEBHOOKS_CONSOLE_LOOPBACK_ONLY";

/// How the console authenticates its users. One is required: there is no open console.
#[derive(Clone)]
#[non_exhaustive]
pub enum ConsoleAuth {
    /// `Authorization: Bearer <token>`, any of the accepted tokens (current and previous).
    /// For scripts and for a proxy that adds the header; a browser cannot send it by itself.
    Bearer(Credentials),
    /// `Authorization: Basic`, the user and any of the accepted passwords: what a browser asks
    /// for itself (answered 401 with `WWW-Authenticate: Basic`).
    Basic(Credentials),
    /// No credential: every peer that is not on the loopback interface (127.0.0.0/8, `::1`) is
    /// refused with 403. Bind the listener to 127.0.0.1 and reach it through an SSH tunnel.
    LoopbackOnly,
}

/// The accepted secrets of [`ConsoleAuth::Bearer`] or [`ConsoleAuth::Basic`]: zeroed when
/// dropped, never shown by `Debug`.
#[derive(Clone)]
pub struct Credentials {
    user: Option<Zeroizing<String>>,
    secrets: Vec<Zeroizing<String>>,
}

/// Why the console's authentication could not be set up. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No mode is configured.
    #[error(
        "console: no authentication configured: set {TOKEN_VAR} (bearer), or {USER_VAR} and \
         {PASSWORD_VAR} (basic), or {LOOPBACK_ONLY_VAR}=1 (loopback only)"
    )]
    Missing,
    /// A credential is empty or blank.
    #[error("console: {0} is empty or blank")]
    Blank(&'static str),
    /// A user name holding a `:`, which basic authentication cannot carry.
    #[error("console: {USER_VAR} must not contain ':'")]
    ColonInUser,
    /// A variable with a value it cannot take.
    #[error("console: {name}: expected {expected}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// More than one mode is configured: which one is meant is not guessed.
    #[error("console: more than one authentication mode configured ({0})")]
    Ambiguous(String),
}

fn secret(value: impl Into<String>, what: &'static str) -> Result<Zeroizing<String>, AuthError> {
    let value = Zeroizing::new(value.into());
    if value.trim().is_empty() {
        return Err(AuthError::Blank(what));
    }
    Ok(value)
}

impl ConsoleAuth {
    /// Bearer tokens: `current`, and `previous` while rotating. Each must not be blank.
    ///
    /// # Errors
    /// [`AuthError::Blank`].
    pub fn bearer(current: impl Into<String>, previous: Option<String>) -> Result<Self, AuthError> {
        let mut secrets = vec![secret(current, "token")?];
        if let Some(previous) = previous {
            secrets.push(secret(previous, "previous token")?);
        }
        Ok(Self::Bearer(Credentials {
            user: None,
            secrets,
        }))
    }

    /// A basic login: `user`, with `password`, and `previous` while rotating.
    ///
    /// # Errors
    /// [`AuthError::Blank`]; [`AuthError::ColonInUser`].
    pub fn basic(
        user: impl Into<String>,
        password: impl Into<String>,
        previous: Option<String>,
    ) -> Result<Self, AuthError> {
        let user = secret(user, "user")?;
        if user.contains(':') {
            return Err(AuthError::ColonInUser);
        }
        let mut secrets = vec![secret(password, "password")?];
        if let Some(previous) = previous {
            secrets.push(secret(previous, "previous password")?);
        }
        Ok(Self::Basic(Credentials {
            user: Some(user),
            secrets,
        }))
    }

    /// The mode the environment names: [`TOKEN_VAR`] (with [`TOKEN_PREVIOUS_VAR`]),
    /// [`USER_VAR`] and [`PASSWORD_VAR`] (with [`PASSWORD_PREVIOUS_VAR`]), or
    /// [`LOOPBACK_ONLY_VAR`]`=1`: exactly one.
    ///
    /// # Errors
    /// [`AuthError::Missing`] naming the variables when none is set; the others when one is
    /// wrong.
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any source of variables.
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, AuthError> {
        let token = var(TOKEN_VAR);
        let user = var(USER_VAR);
        let password = var(PASSWORD_VAR);
        let loopback = match var(LOOPBACK_ONLY_VAR).as_deref().map(str::trim) {
            None | Some("" | "0") => false,
            Some("1") => true,
            Some(_) => {
                return Err(AuthError::Invalid {
                    name: LOOPBACK_ONLY_VAR,
                    expected: "1 or 0",
                });
            }
        };
        let set: Vec<&str> = [
            (token.is_some(), TOKEN_VAR),
            (user.is_some() || password.is_some(), USER_VAR),
            (loopback, LOOPBACK_ONLY_VAR),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if set.len() > 1 {
            return Err(AuthError::Ambiguous(set.join(", ")));
        }
        if let Some(token) = token {
            return Self::bearer(token, var(TOKEN_PREVIOUS_VAR));
        }
        match (user, password) {
            (Some(user), Some(password)) => {
                return Self::basic(user, password, var(PASSWORD_PREVIOUS_VAR));
            }
            (Some(_), None) => return Err(AuthError::Blank("password")),
            (None, Some(_)) => return Err(AuthError::Blank("user")),
            (None, None) => {}
        }
        if loopback {
            Ok(Self::LoopbackOnly)
        } else {
            Err(AuthError::Missing)
        }
    }

    /// Who made the request, for the audit: the basic user, `bearer` or `loopback`; or why
    /// not (`Err` holds the status: 401 or 403).
    pub(crate) fn check(
        &self,
        authorization: Option<&[u8]>,
        peer: Option<IpAddr>,
    ) -> Result<String, u16> {
        match self {
            Self::LoopbackOnly => match peer {
                Some(ip) if is_loopback(ip) => Ok("loopback".to_owned()),
                _ => Err(403),
            },
            Self::Bearer(c) => {
                let given = authorization
                    .and_then(|a| strip_scheme(a, b"bearer "))
                    .ok_or(401u16)?;
                c.accepts(given).then(|| "bearer".to_owned()).ok_or(401)
            }
            Self::Basic(c) => {
                let encoded = authorization
                    .and_then(|a| strip_scheme(a, b"basic "))
                    .ok_or(401u16)?;
                let decoded = Zeroizing::new(
                    base64::engine::general_purpose::STANDARD
                        .decode(encoded.trim_ascii())
                        .map_err(|_| 401u16)?,
                );
                let colon = decoded.iter().position(|b| *b == b':').ok_or(401u16)?;
                let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
                let expected = c.user.as_ref().map_or(&b""[..], |u| u.as_bytes());
                let user_ok = user.ct_eq(expected);
                if bool::from(user_ok) & c.accepts(password) {
                    Ok(String::from_utf8_lossy(user).into_owned())
                } else {
                    Err(401)
                }
            }
        }
    }

    /// The `WWW-Authenticate` of a 401 in this mode.
    pub(crate) fn challenge(&self) -> Option<&'static str> {
        match self {
            Self::Bearer(_) => Some("Bearer realm=\"delivery-webhooks console\""),
            Self::Basic(_) => Some("Basic realm=\"delivery-webhooks console\", charset=\"UTF-8\""),
            Self::LoopbackOnly => None,
        }
    }
}

impl Credentials {
    /// Whether `given` is one of the secrets: every one compared, in constant time.
    fn accepts(&self, given: &[u8]) -> bool {
        let mut any = subtle::Choice::from(0);
        for s in &self.secrets {
            any |= s.as_bytes().ct_eq(given);
        }
        any.into()
    }
}

/// The rest of an `Authorization` value after `scheme` (lowercase, with its space), any case.
fn strip_scheme<'a>(value: &'a [u8], scheme: &[u8]) -> Option<&'a [u8]> {
    (value.len() > scheme.len() && value[..scheme.len()].eq_ignore_ascii_case(scheme))
        .then(|| value[scheme.len()..].trim_ascii())
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

impl fmt::Debug for ConsoleAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bearer(c) => f.debug_tuple("Bearer").field(c).finish(),
            Self::Basic(c) => f.debug_tuple("Basic").field(c).finish(),
            Self::LoopbackOnly => f.write_str("LoopbackOnly"),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user.as_ref().map(|_| "[redacted]"))
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> Vec<u8> {
        let raw = format!("{user}:{password}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
        .into_bytes()
    }

    #[test]
    fn bearer_and_basic_accept_current_and_previous_only() {
        let auth = ConsoleAuth::bearer("tok-current-123", Some("tok-previous-456".into())).unwrap();
        assert_eq!(
            auth.check(Some(b"Bearer tok-current-123"), None),
            Ok("bearer".into())
        );
        assert_eq!(
            auth.check(Some(b"bearer tok-previous-456"), None),
            Ok("bearer".into())
        );
        assert_eq!(auth.check(Some(b"Bearer tok-current-12"), None), Err(401));
        assert_eq!(auth.check(None, None), Err(401));
        let auth = ConsoleAuth::basic("ops", "pw-current", Some("pw-old".into())).unwrap();
        assert_eq!(
            auth.check(Some(&basic("ops", "pw-current")), None),
            Ok("ops".into())
        );
        assert_eq!(
            auth.check(Some(&basic("ops", "pw-old")), None),
            Ok("ops".into())
        );
        assert_eq!(
            auth.check(Some(&basic("eve", "pw-current")), None),
            Err(401)
        );
        assert_eq!(auth.check(Some(b"Basic !!"), None), Err(401));
        let loopback = ConsoleAuth::LoopbackOnly;
        assert_eq!(
            loopback.check(None, Some("127.0.0.1".parse().unwrap())),
            Ok("loopback".into())
        );
        assert_eq!(
            loopback.check(None, Some("::ffff:127.0.0.1".parse().unwrap())),
            Ok("loopback".into())
        );
        assert_eq!(
            loopback.check(None, Some("10.0.0.1".parse().unwrap())),
            Err(403)
        );
        assert_eq!(loopback.check(None, None), Err(403));
    }

    #[test]
    fn from_vars_needs_exactly_one_mode_and_never_shows_a_secret() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let missing = ConsoleAuth::from_vars(vars(&[])).unwrap_err();
        assert_eq!(missing, AuthError::Missing);
        let message = missing.to_string();
        for name in [TOKEN_VAR, USER_VAR, PASSWORD_VAR, LOOPBACK_ONLY_VAR] {
            assert!(message.contains(name), "{message}");
        }
        assert_eq!(
            ConsoleAuth::from_vars(vars(&[(TOKEN_VAR, "  ")])).unwrap_err(),
            AuthError::Blank("token")
        );
        assert_eq!(
            ConsoleAuth::from_vars(vars(&[(USER_VAR, "ops")])).unwrap_err(),
            AuthError::Blank("password")
        );
        assert!(matches!(
            ConsoleAuth::from_vars(vars(&[(TOKEN_VAR, "t1"), (LOOPBACK_ONLY_VAR, "1")])),
            Err(AuthError::Ambiguous(_))
        ));
        assert!(matches!(
            ConsoleAuth::from_vars(vars(&[(LOOPBACK_ONLY_VAR, "1")])),
            Ok(ConsoleAuth::LoopbackOnly)
        ));
        let auth = ConsoleAuth::from_vars(vars(&[
            (USER_VAR, "ops"),
            (PASSWORD_VAR, "hunter2-secret"),
            (PASSWORD_PREVIOUS_VAR, "old-secret"),
        ]))
        .unwrap();
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("old-secret") && !shown.contains("ops"),
            "{shown}"
        );
        assert_eq!(
            auth.check(Some(&basic("ops", "old-secret")), None),
            Ok("ops".into())
        );
    }
}
