//! What the framework adapters share: reading a body under a limit, the answers to a handler
//! that failed and to an inbox that could not store.

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;

use crate::error::Error;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;

/// The detail of the 500 answered when the handler did not take care of a delivery.
pub(crate) const NOT_HANDLED: &str =
    "the receiver could not process this delivery now; send it again later";

/// Bodies of at least this many bytes are verified and parsed off the async worker threads
/// (axum on a multi-threaded runtime: `tokio::task::block_in_place`), so that one large body does
/// not stall the other requests on its worker; smaller ones inline, where handing the worker
/// over would cost more than the parse (issue 33, finding 5; see `docs/security.md`).
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) const OFF_WORKER_MIN: usize = 64 * 1024;

/// A body read under a limit: the one chunk received, without a copy, or several joined.
pub(crate) enum Collected<B> {
    Empty,
    One(B),
    Many(Vec<u8>),
}

impl<B: AsRef<[u8]>> Collected<B> {
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Collected::Empty => &[],
            Collected::One(b) => b.as_ref(),
            Collected::Many(v) => v,
        }
    }
}

/// The most a body buffer reserves up front, whatever `Content-Length` declares: a sender that
/// claims 16 MiB and sends ten bytes holds ten bytes and this, not 16 MiB. Beyond it the buffer
/// grows as bytes arrive.
const FIRST_ALLOCATION: usize = 64 * 1024;

/// The length a `Content-Length` header declares, if it is there and readable.
fn declared_length(value: Option<&[u8]>) -> Option<u64> {
    std::str::from_utf8(value?).ok()?.trim().parse().ok()
}

/// Refuses a body whose `Content-Length` declares more than `limit`: the first check of all,
/// before the head's credential (as [`Receive::verify`](crate::Receive::verify) checks the size
/// first), since it costs nothing and needs nothing.
///
/// # Errors
/// [`Error::BodyTooLarge`] (413).
pub(crate) fn check_declared(content_length: Option<&[u8]>, limit: usize) -> Result<(), Error> {
    match declared_length(content_length) {
        Some(len) if len > limit as u64 => Err(Error::BodyTooLarge {
            len: usize::try_from(len).unwrap_or(usize::MAX),
            limit,
        }),
        _ => Ok(()),
    }
}

/// Reads the body chunk by chunk and stops at `limit`: a length its `Content-Length` header
/// (`content_length`) declares over the limit is refused before anything is read, a body that
/// grows past it as soon as it does, so an oversized body never sits in memory. The buffer
/// grows as bytes arrive (at most [`FIRST_ALLOCATION`] reserved ahead of them). The caller bounds
/// the time it may take ([`Receive::body_timeout`](crate::Receive::body_timeout)).
///
/// # Errors
/// [`Error::BodyTooLarge`] (413), [`Error::IncompleteBody`] (400) when the stream fails.
pub(crate) async fn collect<S, B, E>(
    mut stream: S,
    content_length: Option<&[u8]>,
    limit: usize,
) -> Result<Collected<B>, Error>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    check_declared(content_length, limit)?;
    let declared = declared_length(content_length);
    let mut body = Collected::Empty;
    let mut seen = 0usize;
    while let Some(chunk) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        let chunk = chunk.map_err(|_| Error::IncompleteBody)?;
        let bytes = chunk.as_ref();
        if bytes.is_empty() {
            continue;
        }
        seen = seen.saturating_add(bytes.len());
        if seen > limit {
            return Err(Error::BodyTooLarge { len: seen, limit });
        }
        body = match body {
            Collected::Empty => Collected::One(chunk),
            Collected::One(first) => {
                let declared = declared.map_or(seen, |d| usize::try_from(d).unwrap_or(seen));
                let mut joined = Vec::with_capacity(declared.min(FIRST_ALLOCATION).max(seen));
                joined.extend_from_slice(first.as_ref());
                joined.extend_from_slice(bytes);
                Collected::Many(joined)
            }
            Collected::Many(mut joined) => {
                joined.extend_from_slice(bytes);
                Collected::Many(joined)
            }
        };
    }
    Ok(body)
}

/// The detail of the 503 answered when the inbox could not store a delivery.
#[cfg(all(feature = "inbox", any_provider))]
pub(crate) const NOT_STORED: &str =
    "the receiver could not store this delivery now; send it again later";

/// The `Retry-After` of that 503, in seconds.
#[cfg(all(feature = "inbox", any_provider))]
pub(crate) const NOT_STORED_RETRY_AFTER: u32 = 30;

/// Inbox mode, after verification: the delivery is handed to `inbox` (stored, found to be a
/// duplicate, or, for a reply that holds a secret such as isendu's handshake, not stored by the
/// inbox's own rule) and then answered with its reply. `Err` is the 503 (with `Retry-After`) to
/// answer when the inbox failed, so that the provider sends the delivery again; the cause is
/// reported to telemetry (an `error` event, `rejected_total{reason="store"}`).
#[cfg(all(feature = "inbox", any_provider))]
pub(crate) async fn store<I: crate::inbox::Inbox + ?Sized>(
    inbox: &I,
    delivery: crate::any::AnyDelivery,
    raw: impl FnOnce() -> crate::owned::OwnedRequest,
) -> Result<crate::reply::Reply, crate::problem::Problem> {
    use crate::inbox::Acceptance;
    let reply = delivery.reply().clone();
    let provider = delivery.provider();
    let started = std::time::Instant::now();
    let accepted = inbox.accept(&delivery, &raw()).await;
    // Nothing was written: not an accept to time.
    if let Ok(Acceptance::NotStored) = accepted {
        return Ok(reply);
    }
    crate::telemetry::record_accept_time(provider, started.elapsed());
    match accepted {
        Ok(Acceptance::Duplicate) => {
            crate::telemetry::record_duplicate(provider);
            Ok(reply)
        }
        Ok(_) => Ok(reply),
        Err(err) => {
            crate::telemetry::record_store_failure(provider, &err);
            Err(crate::problem::Problem::new(503, NOT_STORED)
                .with_retry_after(NOT_STORED_RETRY_AFTER))
        }
    }
}

/// The request as the inbox stores it.
#[cfg(all(feature = "inbox", any_provider))]
pub(crate) fn raw_delivery<'h>(
    method: &str,
    uri: &str,
    peer: Option<std::net::IpAddr>,
    headers: impl Iterator<Item = (&'h str, &'h [u8])>,
    body: &[u8],
) -> crate::owned::OwnedRequest {
    let mut raw = crate::owned::OwnedRequest::new(method, uri).body(body.to_vec());
    raw.peer = peer;
    raw.headers = headers
        .map(|(name, value)| {
            (
                name.to_ascii_lowercase(),
                String::from_utf8_lossy(value).into_owned(),
            )
        })
        .collect();
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body arriving in the given chunks.
    struct Chunks(std::collections::VecDeque<Vec<u8>>);

    impl Stream for Chunks {
        type Item = Result<Vec<u8>, std::convert::Infallible>;
        fn poll_next(
            mut self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.pop_front().map(Ok))
        }
    }

    fn chunks(sizes: &[usize]) -> Chunks {
        Chunks(sizes.iter().map(|&n| vec![b' '; n]).collect())
    }

    #[tokio::test]
    async fn a_declared_length_reserves_at_most_the_first_allocation() {
        // 16 MiB declared, 20 bytes sent: the buffer holds the 20 bytes and what is reserved
        // ahead of them, never the declared size.
        let declared = (16 * 1024 * 1024).to_string();
        let body = collect(chunks(&[10, 10]), Some(declared.as_bytes()), 32 << 20)
            .await
            .unwrap();
        let Collected::Many(joined) = &body else {
            panic!("two chunks are joined")
        };
        assert_eq!(joined.len(), 20);
        assert!(
            joined.capacity() <= FIRST_ALLOCATION,
            "{}",
            joined.capacity()
        );
        // A small declared length is reserved whole: one allocation for the whole body.
        let body = collect(chunks(&[10, 10, 80]), Some(b"100"), 1024)
            .await
            .unwrap();
        let Collected::Many(joined) = &body else {
            panic!("three chunks are joined")
        };
        assert_eq!((joined.len(), joined.capacity()), (100, 100));
    }

    #[tokio::test]
    async fn sizes_are_refused_declared_or_as_they_grow() {
        let Err(err) = collect(chunks(&[1]), Some(b"2048"), 1024).await else {
            panic!("a declared 2048 bytes passes a limit of 1024")
        };
        assert!(matches!(
            err,
            Error::BodyTooLarge {
                len: 2048,
                limit: 1024
            }
        ));
        assert!(check_declared(Some(b"2048"), 1024).is_err());
        assert!(check_declared(Some(b"1024"), 1024).is_ok());
        assert!(check_declared(Some(b"junk"), 1024).is_ok());
        let Err(err) = collect(chunks(&[600, 600]), None, 1024).await else {
            panic!("1200 bytes pass a limit of 1024")
        };
        assert!(matches!(
            err,
            Error::BodyTooLarge {
                len: 1200,
                limit: 1024
            }
        ));
    }
}
