//! [`Answer`]: the one value a handler without a framework adapter answers with, success or
//! failure alike.

use std::fmt;

use zeroize::Zeroize;

use crate::delivery::Delivery;
use crate::error::Error;
use crate::problem::Problem;
use crate::reply::Reply;

/// The whole HTTP answer to a webhook call: status, headers and body, for code without a
/// framework adapter (hyper, a lambda, any other framework). Build it from what
/// [`Receive::receive`](crate::Receive::receive) returned and copy its three parts into your
/// framework's response; with feature `http`, convert it into an `http::Response<Vec<u8>>`.
///
/// | received | status | headers | body |
/// |---|---|---|---|
/// | a delivery | its [`Reply`]'s (200) | `content-type` when the body is not empty; `cache-control: no-store` for a reply holding a secret (isendu's handshake) | the reply's (empty, or isendu's handshake answer) |
/// | an error | [`Error::status_code`] | `content-type: application/problem+json`, `x-content-type-options: nosniff`, `retry-after` when the problem has one | the [`Problem`] as JSON: why, never a secret |
///
/// The framework adapters answer the same. An `Answer` holding a secret wipes its body when
/// dropped, and `Debug` never shows a body.
///
/// ```
/// # #[cfg(feature = "peddler")] {
/// use delivery_webhooks::{Answer, Request, peddler};
///
/// let verifier = peddler::Verifier::new("pd-token")?;
/// let body = br#"{"id":"ORD-1","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
///
/// let headers = [("x-webhook-shared-token", "pd-token")];
/// let answer = Answer::from(verifier.receive(&Request::new(&headers, body)));
/// assert_eq!((answer.status_code(), answer.headers(), answer.body()), (200, &[][..], &b""[..]));
///
/// let forged = [("x-webhook-shared-token", "guess")];
/// let answer = Answer::from(verifier.receive(&Request::new(&forged, body)));
/// assert_eq!(answer.status_code(), 401);
/// assert_eq!(answer.header("content-type"), Some("application/problem+json"));
/// # }
/// # Ok::<(), delivery_webhooks::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    secret: bool,
}

impl Drop for Answer {
    /// Wipes a body that holds a secret (isendu's handshake answer).
    fn drop(&mut self) {
        if self.secret {
            self.body.zeroize();
        }
    }
}

impl Answer {
    /// The answer to a delivery: its reply.
    #[must_use]
    pub fn from_reply(reply: &Reply) -> Self {
        let mut headers = Vec::new();
        if let Some(content_type) = reply.content_type() {
            headers.push(("content-type", content_type.to_owned()));
        }
        if reply.holds_secret() {
            headers.push(("cache-control", "no-store".to_owned()));
        }
        Self {
            status: reply.status_code(),
            headers,
            body: reply.body().to_vec(),
            secret: reply.holds_secret(),
        }
    }

    /// The answer to a refusal: the problem as JSON.
    #[must_use]
    pub fn from_problem(problem: &Problem) -> Self {
        let mut headers = vec![
            ("content-type", Problem::CONTENT_TYPE.to_owned()),
            // The body quotes what the sender sent (a JSON path): never sniffed as markup.
            ("x-content-type-options", "nosniff".to_owned()),
        ];
        if let Some(seconds) = problem.retry_after() {
            headers.push(("retry-after", seconds.to_string()));
        }
        Self {
            status: problem.status_code(),
            headers,
            body: problem.to_json(),
            secret: false,
        }
    }

    /// The answer to an error: [`Problem::from_error`].
    #[must_use]
    pub fn from_error(err: &Error) -> Self {
        Self::from_problem(&Problem::from_error(err))
    }

    /// The HTTP status.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        self.status
    }

    /// The headers to set, names lowercase, in a fixed order.
    #[must_use]
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    /// The value of header `name` (lowercase), if the answer sets it.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body (empty for most deliveries).
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the body holds a secret (and so must not be logged).
    #[must_use]
    pub fn holds_secret(&self) -> bool {
        self.secret
    }

    /// The answer as an `http` response (hyper, tower, lambda runtimes). The body moves into
    /// the response: a secret in it is the response's to keep from logs.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn into_http(mut self) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(std::mem::take(&mut self.body));
        *response.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in &self.headers {
            if let Ok(value) = http::HeaderValue::from_str(value) {
                response
                    .headers_mut()
                    .insert(http::HeaderName::from_static(name), value);
            }
        }
        response
    }
}

impl<P> From<&Result<Delivery<P>, Error>> for Answer {
    fn from(received: &Result<Delivery<P>, Error>) -> Self {
        match received {
            Ok(delivery) => Self::from_reply(&delivery.reply),
            Err(err) => Self::from_error(err),
        }
    }
}

impl<P> From<Result<Delivery<P>, Error>> for Answer {
    fn from(received: Result<Delivery<P>, Error>) -> Self {
        Self::from(&received)
    }
}

impl From<&Error> for Answer {
    fn from(err: &Error) -> Self {
        Self::from_error(err)
    }
}

#[cfg(feature = "http")]
impl From<Answer> for http::Response<Vec<u8>> {
    fn from(answer: Answer) -> Self {
        answer.into_http()
    }
}

impl fmt::Debug for Answer {
    /// The status and headers, the body's length only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}
