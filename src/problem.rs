//! [`Problem`]: the `application/problem+json` body (RFC 9457) a receiver answers a refused
//! delivery with, so that a developer testing with `curl` sees why, not only a status code.

use serde::Serialize;

use crate::error::Error;

/// A refusal explained in an `application/problem+json` body (RFC 9457): `type`, `title`,
/// `status` and `detail`, plus `json_path` for a malformed body.
///
/// Built from an [`Error`]: the status is [`Error::status_code`], the detail its `Display`, which
/// never contains a secret, a token or a signature. Exceptions, where the `Display` holds
/// something the sender must not learn (the rule is in `docs/security.md`, "What a sender
/// learns"): the detail of a 403 ([`Error::UntrustedSource`]) leaves out the client address,
/// which behind a proxy that is not configured as trusted would disclose an internal address;
/// those of a 413, 408 and 503 ([`Error::BodyTooLarge`], [`Error::BodyTimeout`],
/// [`Error::Busy`]) leave out the configured limit, timeout and budget. The error's `Display`
/// (and so the adapters' logs and spans) keeps them all. The framework adapters answer with
/// it; use it in your own handler for any other framework.
///
/// ```
/// # #[cfg(feature = "wakilni")] {
/// use delivery_webhooks::{Problem, wakilni};
///
/// let err = wakilni::parse(br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":"x"}}"#)
///     .unwrap_err();
/// let problem = Problem::from_error(&err);
/// assert_eq!(problem.status_code(), 400);
/// let json: serde_json::Value = serde_json::from_slice(&problem.to_json())?;
/// assert_eq!(json["title"], "Bad Request");
/// assert_eq!(json["json_path"], "data.order_id");
/// assert!(json["detail"].as_str().unwrap().contains("data.order_id"));
/// assert_eq!(Problem::CONTENT_TYPE, "application/problem+json");
/// # }
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    json_path: Option<String>,
    /// Seconds the client should wait before trying again (`Retry-After`), not in the body.
    #[serde(skip)]
    retry_after: Option<u32>,
}

impl Problem {
    /// The media type of the body: `application/problem+json`.
    pub const CONTENT_TYPE: &'static str = "application/problem+json";

    /// A problem with this status and detail; the type is `about:blank` and the title the
    /// status's reason phrase, as RFC 9457 asks for problems without a type of their own.
    #[must_use]
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: reason_phrase(status),
            status,
            detail: detail.into(),
            json_path: None,
            retry_after: None,
        }
    }

    /// The same problem, answered with `Retry-After: <seconds>` (the framework adapters set
    /// the header): for a 503 the sender should retry.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The `Retry-After` seconds, if any.
    #[must_use]
    pub fn retry_after(&self) -> Option<u32> {
        self.retry_after
    }

    /// The problem describing `err`: its status, its message, and for a malformed body the
    /// JSON path of the offending value.
    #[must_use]
    pub fn from_error(err: &Error) -> Self {
        let detail = match err {
            // The address stays in the error (logs); the sender is not told what it looked like
            // from here.
            Error::UntrustedSource { .. } => UNTRUSTED_SOURCE.to_owned(),
            // The receiver's settings stay with its operator.
            Error::BodyTooLarge { .. } => TOO_LARGE.to_owned(),
            Error::BodyTimeout { .. } => TOO_SLOW.to_owned(),
            Error::Busy { .. } => BUSY.to_owned(),
            _ => err.to_string(),
        };
        let mut problem = Self::new(err.status_code(), detail);
        if let Error::Busy { .. } = err {
            problem.retry_after = Some(BUSY_RETRY_AFTER);
        }
        if let Error::Payload(payload) = err {
            problem.json_path = Some(payload.path().to_owned());
        }
        problem
    }

    /// The HTTP status.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        self.status
    }

    /// The human-readable explanation.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The body, as JSON bytes.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        // Strings and numbers only: serializing cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The detail of a 403: [`Error::UntrustedSource`]'s message without the address.
const UNTRUSTED_SOURCE: &str = "untrusted source address";

/// The detail of a 413: the body is too large, not what the limit is.
const TOO_LARGE: &str = "the body is larger than this endpoint accepts";

/// The detail of a 408: the body was too slow, not how long it was given.
const TOO_SLOW: &str = "the body did not arrive in time";

/// The detail of the 503 of a full body budget.
const BUSY: &str = "the receiver is busy; send again later";

/// The `Retry-After` of that 503, in seconds: a budget frees up as the bodies being read end,
/// within seconds.
pub(crate) const BUSY_RETRY_AFTER: u32 = 5;

/// The reason phrase of the statuses a receiver answers with.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_of_an_authentication_failure() {
        let p = Problem::from_error(&Error::SignatureMismatch);
        let json: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "about:blank", "title": "Unauthorized", "status": 401,
                "detail": "signature mismatch"})
        );
    }

    #[test]
    fn the_client_address_stays_out_of_the_answer() {
        let err = Error::UntrustedSource {
            addr: "10.20.30.40".parse().unwrap(),
        };
        let p = Problem::from_error(&err);
        assert_eq!(
            (p.status_code(), p.detail()),
            (403, "untrusted source address")
        );
        let body = String::from_utf8(p.to_json()).unwrap();
        assert!(!body.contains("10.20.30.40"), "{body}");
        // The error itself, which the logs show, keeps it.
        assert_eq!(err.to_string(), "untrusted source address 10.20.30.40");
    }

    #[test]
    fn oversized_body_is_content_too_large() {
        let p = Problem::from_error(&Error::BodyTooLarge { len: 10, limit: 5 });
        assert_eq!((p.status_code(), p.title), (413, "Content Too Large"));
    }
}
