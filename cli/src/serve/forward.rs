//! The HTTP sink: each event POSTed to the downstream URL, signed per Standard Webhooks, its
//! answer turned into what the inbox does next (docs/serve.md, "Retries").

use std::time::{Duration, SystemTime};

use delivery_webhooks::{HandlerError, HandlerResult};

use super::event::Event;
use super::sign::Signer;

/// How many bytes of a refusing answer are kept in the item's history.
pub const ANSWER_KEPT: usize = 256;

/// Forwards events to one URL.
#[derive(Debug, Clone)]
pub struct HttpSink {
    client: reqwest::Client,
    url: reqwest::Url,
    signer: Signer,
}

impl HttpSink {
    /// A sink POSTing to `url`, each request cut off after `timeout`. Redirects are not
    /// followed: a signed event goes where it was configured to, nowhere else.
    pub fn new(url: reqwest::Url, signer: Signer, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("delivery-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the HTTP client cannot start: {e}"))?;
        Ok(Self {
            client,
            url,
            signer,
        })
    }

    /// Sends `event`: `Ok` on 2xx; otherwise an error saying whether and when to retry.
    pub async fn forward(&self, event: &Event) -> HandlerResult {
        let body = event.to_bytes();
        let timestamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut request = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json");
        for (name, value) in self.signer.headers(&event.id, timestamp, &body) {
            request = request.header(name, value);
        }
        let response = match request.body(body).send().await {
            Ok(response) => response,
            Err(err) => return Err(HandlerError::msg(transport_error(&err))),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let answer = first_bytes(response).await;
        let message = format!("downstream answered {status}: {answer}");
        Err(classify(status.as_u16(), message, retry_after))
    }
}

/// What a non-2xx status means for the item: 4xx but 408 and 429 is dead after this attempt
/// (retrying the same event cannot cure it); 408, 429, 5xx and anything else is retried, no
/// sooner than `Retry-After` when given.
pub fn classify(status: u16, message: String, retry_after: Option<Duration>) -> HandlerError {
    match status {
        408 | 429 => retry(message, retry_after),
        400..=499 => HandlerError::permanent(message),
        _ => retry(message, retry_after),
    }
}

fn retry(message: String, retry_after: Option<Duration>) -> HandlerError {
    match retry_after {
        Some(wait) => HandlerError::retry_after(message, wait),
        None => HandlerError::msg(message),
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110, 10.2.3), from `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The first [`ANSWER_KEPT`] bytes of the answer's body, as text with control characters
/// escaped, `…` when there was more; never more than that is read.
async fn first_bytes(mut response: reqwest::Response) -> String {
    let mut kept = Vec::new();
    let mut more = false;
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = ANSWER_KEPT - kept.len();
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() > room {
            more = true;
            break;
        }
    }
    let mut text: String = String::from_utf8_lossy(&kept)
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if more {
        text.push('…');
    }
    if text.is_empty() {
        text.push_str("(no body)");
    }
    text
}

/// A transport failure, without the URL (it may carry a credential in its query).
fn transport_error(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(err);
    let mut detail = String::new();
    while let Some(err) = source {
        detail = err.to_string();
        source = err.source();
    }
    if detail.is_empty() {
        format!("downstream {what}")
    } else {
        format!("downstream {what}: {detail}")
    }
}

#[cfg(test)]
#[path = "forward_tests.rs"]
mod loopback;

#[cfg(test)]
mod tests {
    use delivery_webhooks::Retry;

    use super::*;

    #[test]
    fn each_status_class_has_its_retry() {
        let of = |status, after| classify(status, format!("{status}"), after).retry();
        assert_eq!(of(400, None), Retry::Never);
        assert_eq!(of(404, Some(Duration::from_secs(9))), Retry::Never);
        assert_eq!(of(422, None), Retry::Never);
        assert_eq!(of(408, None), Retry::Backoff);
        assert_eq!(
            of(429, Some(Duration::from_secs(30))),
            Retry::After(Duration::from_secs(30))
        );
        assert_eq!(of(500, None), Retry::Backoff);
        assert_eq!(
            of(503, Some(Duration::from_secs(120))),
            Retry::After(Duration::from_secs(120))
        );
        assert_eq!(of(302, None), Retry::Backoff);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        // RFC 9110's example date, 60 s after `now`.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
