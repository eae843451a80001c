//! [`Reply`]: what to answer the provider.

use std::fmt;

use zeroize::Zeroize;

/// What to answer the provider: a status, a content type and a body.
///
/// An empty `200 OK` for every delivery but isendu's handshake, whose answer is
/// `{"response":"<secret key>"}`: that body is wiped from memory when the `Reply` is dropped and
/// never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    secret: bool,
}

impl Drop for Reply {
    /// Wipes a body that holds a secret; the empty body of every other reply has nothing to
    /// wipe, and skipping it keeps the common answer free of work.
    fn drop(&mut self) {
        if self.secret {
            self.body.zeroize();
        }
    }
}

impl Reply {
    /// An empty `200 OK`.
    #[must_use]
    pub fn ok() -> Self {
        Self {
            status: 200,
            content_type: None,
            body: Vec::new(),
            secret: false,
        }
    }

    /// A `200 OK` with a JSON body that holds a secret (isendu's handshake answer).
    #[cfg_attr(not(feature = "isendu"), allow(dead_code))]
    pub(crate) fn secret_json(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            content_type: Some("application/json"),
            body,
            secret: true,
        }
    }

    /// The HTTP status to answer with.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        self.status
    }

    /// The content type of the body, `None` for an empty body.
    #[must_use]
    pub fn content_type(&self) -> Option<&'static str> {
        self.content_type
    }

    /// The body to send (empty for most deliveries).
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the body holds a secret (and so must not be logged).
    #[must_use]
    pub fn holds_secret(&self) -> bool {
        self.secret
    }
}

impl Default for Reply {
    fn default() -> Self {
        Self::ok()
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Reply");
        d.field("status", &self.status)
            .field("content_type", &self.content_type);
        if self.secret {
            d.field("body", &"[redacted]");
        } else {
            d.field("body", &String::from_utf8_lossy(&self.body));
        }
        d.finish()
    }
}
