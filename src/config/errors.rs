//! [`ConfigErrors`]: every problem of a configuration at once.

use std::fmt;

use crate::error::ConfigError;

/// Everything wrong with a configuration, found in one pass: each missing or unusable variable
/// with what is wrong with it, never its value, so that a receiver refusing to start is fixed in
/// one go rather than one variable per restart.
///
/// `Display` writes one problem per line, `VARIABLE: what is wrong` (a problem of the whole,
/// such as no provider at all, without a variable). Never empty. `Debug` writes the same lines:
/// a `main` returning `Result<(), Box<dyn Error>>` prints its error's `Debug`, and a receiver
/// started without its variables should say what to set, not show a struct.
///
/// ```
/// use delivery_webhooks::Config;
///
/// let vars = [
///     ("WAKILNI_WEBHOOK_SECRET", " "),
///     ("DELIVERY_WEBHOOKS_BODY_LIMIT", "16MiB"),
///     ("XOXODAY_ENABLED", "yes"),
/// ];
/// let err = Config::from_pairs(vars).unwrap_err();
/// let named: Vec<_> = err.problems().map(|(variable, _)| variable.unwrap()).collect();
/// assert_eq!(
///     named,
///     ["DELIVERY_WEBHOOKS_BODY_LIMIT", "WAKILNI_WEBHOOK_SECRET", "XOXODAY_ENABLED"]
/// );
/// assert_eq!(
///     err.to_string(),
///     "DELIVERY_WEBHOOKS_BODY_LIMIT: expected a whole number of bytes above 0\n\
///      WAKILNI_WEBHOOK_SECRET: empty secret\n\
///      XOXODAY_ENABLED: expected 1 or 0"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// The errors gathered, `None` when there are none.
    pub(super) fn from_vec(mut errors: Vec<ConfigError>) -> Option<Self> {
        // One problem once, by variable name (problems of the whole last), whatever order they were
        // found in: the message is the same on every run.
        errors.sort_by(|a, b| {
            let key = |e: &ConfigError| (e.variable().is_none(), e.variable().map(str::to_owned));
            key(a).cmp(&key(b))
        });
        errors.dedup();
        (!errors.is_empty()).then_some(Self { errors })
    }

    /// Each problem as (the variable, what is wrong): the variable is `None` for a problem of the
    /// configuration as a whole (no provider configured).
    pub fn problems(&self) -> impl ExactSizeIterator<Item = (Option<&str>, &str)> {
        self.errors.iter().map(|e| (e.variable(), e.reason()))
    }

    /// Each problem as a [`ConfigError`], with its [`kind`](ConfigError::kind).
    #[must_use]
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// How many problems there are (at least one).
    #[must_use]
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always `false`: an error has at least one problem.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        Self {
            errors: vec![error],
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ConfigErrors {}
