//! What the framework adapters share: reading a body under a limit, the answers to a handler
//! that failed and to an inbox that could not store.

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;

use crate::error::Error;

pub(crate) mod budget;

use budget::{BodyBudget, Reservation};

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;

/// The detail of the 500 answered when the handler did not take care of a delivery.
pub(crate) const NOT_HANDLED: &str =
    "the receiver could not process this delivery now; send it again later";

/// Bodies of at least this many bytes are verified and parsed off the async worker threads
/// (axum on a multi-threaded runtime: `tokio::task::block_in_place`; actix, whose workers are
/// current-thread runtimes: `web::block`), so that one large body does not stall the other
/// requests on its worker; smaller ones inline, where handing the worker over would cost more
/// than the parse (issue 33, finding 5; see `docs/security.md`).
pub(crate) const OFF_WORKER_MIN: usize = 64 * 1024;

/// A body read under a limit and within the body budget: the one chunk received, without a
/// copy, or several joined. The bytes it holds stay reserved in the [`BodyBudget`] until it is
/// dropped.
pub(crate) struct Collected<B> {
    chunks: Chunks<B>,
    /// Given back to the budget when the body is dropped, on every path.
    _reservation: Reservation<'static>,
}

enum Chunks<B> {
    Empty,
    One(B),
    Many(Vec<u8>),
}

impl<B: AsRef<[u8]>> Collected<B> {
    /// Takes the body out as an owned buffer for the inbox's row: the joined buffer, or a chunk
    /// the framework lends uniquely, is moved, not copied (`Bytes` into `Vec` reuses a unique
    /// allocation). The reservation stays with `self`, so the bytes stay counted in the budget
    /// until the delivery is stored and `self` is dropped.
    #[cfg(all(feature = "inbox", any_provider))]
    pub(crate) fn take_vec(&mut self) -> Vec<u8>
    where
        B: Into<Vec<u8>>,
    {
        match std::mem::replace(&mut self.chunks, Chunks::Empty) {
            Chunks::Empty => Vec::new(),
            Chunks::One(b) => b.into(),
            Chunks::Many(v) => v,
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match &self.chunks {
            Chunks::Empty => &[],
            Chunks::One(b) => b.as_ref(),
            Chunks::Many(v) => v,
        }
    }
}

/// The length a `Content-Length` header declares, if it is there and readable. ASCII
/// whitespace around the digits is ignored (a header value holds no other kind).
fn declared_length(value: Option<&[u8]>) -> Option<u64> {
    std::str::from_utf8(value?.trim_ascii()).ok()?.parse().ok()
}

/// The `Content-Length` that governs a request's body: none when `Transfer-Encoding` is
/// present, which overrides it (RFC 9112 §6.3: the length is the chunked encoding's, and a
/// `Content-Length` beside it is ignored), so both frameworks answer such a request alike.
pub(crate) fn governing_length<'a>(
    content_length: Option<&'a [u8]>,
    transfer_encoding: Option<&[u8]>,
) -> Option<&'a [u8]> {
    if transfer_encoding.is_some() {
        None
    } else {
        content_length
    }
}

/// Refuses a body whose `Content-Length` declares more than `limit`: the first check of all,
/// before the head's credential (as [`Receive::verify`](crate::Receive::verify) checks the size
/// first), since it costs nothing and needs nothing. Returns the declared length, if readable.
///
/// # Errors
/// [`Error::BodyTooLarge`] (413).
pub(crate) fn check_declared(
    content_length: Option<&[u8]>,
    limit: usize,
) -> Result<Option<u64>, Error> {
    match declared_length(content_length) {
        Some(len) if len > limit as u64 => Err(Error::BodyTooLarge {
            len: usize::try_from(len).unwrap_or(usize::MAX),
            limit,
        }),
        declared => Ok(declared),
    }
}

/// Reads the body chunk by chunk and stops at `limit`: `declared` is what [`check_declared`]
/// returned (a length over the limit was refused there, before anything is read; the adapters
/// check it before the head and pass it on), and a body that grows past the limit is refused
/// as soon as it does, so an oversized body never sits in memory. Its bytes are
/// reserved in `budget` first: the declared length before the first byte is read, else each
/// chunk as it arrives. A declared body is joined in one buffer of its declared size (at most
/// the limit, and held in the budget already), so it is never copied as it grows: growing by
/// doubling held the old and the new buffer at once, half as much again at the peak. Pages
/// of that buffer that no byte reached are never touched, so a sender that declares much and
/// sends little costs what it sent (and, in the budget, what it declared, until the body
/// timeout). A chunked body's buffer grows as bytes arrive. The caller bounds the time it may take
/// ([`Receive::body_timeout`](crate::Receive::body_timeout)).
///
/// # Errors
/// [`Error::BodyTooLarge`] (413), [`Error::Busy`] (503) when the budget stays full,
/// [`Error::IncompleteBody`] (400) when the stream fails.
pub(crate) async fn collect_declared<S, B, E>(
    mut stream: S,
    declared: Option<u64>,
    limit: usize,
    budget: &'static BodyBudget,
) -> Result<Collected<B>, Error>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    let mut reservation = budget.reservation();
    if let Some(declared) = declared {
        // At most the limit, checked above.
        reservation
            .grow_to(usize::try_from(declared).unwrap_or(limit))
            .await?;
    }
    let mut body = Chunks::Empty;
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
        // Nothing more when the declared length was reserved already.
        reservation.grow_to(seen).await?;
        body = match body {
            Chunks::Empty => Chunks::One(chunk),
            Chunks::One(first) => {
                let declared = declared.map_or(seen, |d| usize::try_from(d).unwrap_or(seen));
                let mut joined = Vec::with_capacity(declared.max(seen));
                joined.extend_from_slice(first.as_ref());
                joined.extend_from_slice(bytes);
                Chunks::Many(joined)
            }
            Chunks::Many(mut joined) => {
                joined.extend_from_slice(bytes);
                Chunks::Many(joined)
            }
        };
    }
    Ok(Collected {
        chunks: body,
        _reservation: reservation,
    })
}

/// The detail of the 503 answered when the inbox could not store a delivery.
#[cfg(all(feature = "inbox", any_provider))]
pub(crate) const NOT_STORED: &str =
    "the receiver could not store this delivery now; send it again later";

/// The `Retry-After` of that 503, in seconds.
#[cfg(all(feature = "inbox", any_provider))]
pub(crate) const NOT_STORED_RETRY_AFTER: u32 = 30;

/// `collected` (a body being read) done at its first poll when the body has arrived whole,
/// with no timer armed for it (a clock read and a timer entry per request); otherwise read
/// under the deadline `after` (408).
pub(crate) async fn within<T>(
    collected: impl std::future::Future<Output = Result<T, Error>>,
    after: std::time::Duration,
) -> Result<T, Error> {
    let mut collected = std::pin::pin!(collected);
    let first = poll_fn(|cx| {
        std::task::Poll::Ready(match collected.as_mut().poll(cx) {
            std::task::Poll::Ready(read) => Some(read),
            std::task::Poll::Pending => None,
        })
    })
    .await;
    match first {
        Some(read) => read,
        // Boxed: only a body still arriving pays for the timer's room, not every request's
        // future.
        None => Box::pin(tokio::time::timeout(after, collected))
            .await
            .unwrap_or(Err(Error::BodyTimeout { after })),
    }
}

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
    let accepted = inbox.accept_owned(&delivery, raw()).await;
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
    body: Vec<u8>,
) -> crate::owned::OwnedRequest {
    let mut raw = crate::owned::OwnedRequest::new(method, uri).body(body);
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

    /// [`check_declared`] then [`collect_declared`], as the adapters read a body.
    async fn collect<S, B, E>(
        stream: S,
        content_length: Option<&[u8]>,
        limit: usize,
        budget: &'static BodyBudget,
    ) -> Result<Collected<B>, Error>
    where
        S: Stream<Item = Result<B, E>> + Unpin,
        B: AsRef<[u8]>,
    {
        let declared = check_declared(content_length, limit)?;
        collect_declared(stream, declared, limit, budget).await
    }

    /// A body arriving in the given chunks.
    struct Arriving(std::collections::VecDeque<Result<Vec<u8>, ()>>);

    impl Stream for Arriving {
        type Item = Result<Vec<u8>, ()>;
        fn poll_next(
            mut self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.pop_front())
        }
    }

    fn chunks(sizes: &[usize]) -> Arriving {
        Arriving(sizes.iter().map(|&n| Ok(vec![b' '; n])).collect())
    }

    /// A budget of its own for one test (the process's is shared by every test), never
    /// waiting: room is there at once or the request is refused.
    fn budget(bytes: usize) -> &'static BodyBudget {
        Box::leak(Box::new(BodyBudget::new(bytes, std::time::Duration::ZERO)))
    }

    /// Room enough for every test of sizes and allocations.
    fn roomy() -> &'static BodyBudget {
        budget(64 << 20)
    }

    #[tokio::test]
    async fn a_declared_length_is_joined_in_one_allocation() {
        // Chunked: the buffer grows as bytes arrive.
        let body = collect(chunks(&[10, 10]), None, 32 << 20, roomy())
            .await
            .unwrap();
        let Chunks::Many(joined) = &body.chunks else {
            panic!("two chunks are joined")
        };
        assert_eq!(joined.len(), 20);
        assert!(joined.capacity() < 1024, "{}", joined.capacity());
        // A declared length is allocated whole: one allocation, never copied as it grows.
        let body = collect(chunks(&[10, 10, 80]), Some(b"100"), 1024, roomy())
            .await
            .unwrap();
        let Chunks::Many(joined) = &body.chunks else {
            panic!("three chunks are joined")
        };
        assert_eq!((joined.len(), joined.capacity()), (100, 100));
    }

    /// Issue 33, finding 2: one copy of the body from the socket to the inbox's row. The joined
    /// buffer moves out (same allocation), and the bytes stay counted in the budget until the
    /// body itself is dropped (after the delivery is stored).
    #[cfg(all(feature = "inbox", any_provider))]
    #[tokio::test]
    async fn the_body_moves_to_the_inbox_still_counted_until_dropped() {
        let budget = budget(1000);
        let mut body = collect(chunks(&[10, 10, 80]), Some(b"100"), 1024, budget)
            .await
            .unwrap();
        let at = body.as_slice().as_ptr();
        let taken = body.take_vec();
        assert_eq!(
            (taken.as_ptr(), taken.len()),
            (at, 100),
            "moved, not copied"
        );
        assert_eq!(
            budget.available(),
            900,
            "still reserved while the body lives"
        );
        let raw = raw_delivery("POST", "/webhooks/peddler", None, std::iter::empty(), taken);
        assert_eq!(
            raw.body.as_ptr(),
            at,
            "into the stored request without a copy"
        );
        drop(body);
        assert_eq!(budget.available(), 1000);
    }

    #[tokio::test]
    async fn sizes_are_refused_declared_or_as_they_grow() {
        let Err(err) = collect(chunks(&[1]), Some(b"2048"), 1024, roomy()).await else {
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
        let Err(err) = collect(chunks(&[600, 600]), None, 1024, roomy()).await else {
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

    #[tokio::test]
    async fn the_budget_holds_declared_bodies_whole_and_others_as_they_arrive() {
        let budget = budget(100);
        // Declared: the whole length is held before the first byte is read.
        let first = collect(chunks(&[10]), Some(b"60"), 1024, budget)
            .await
            .unwrap();
        assert_eq!((first.as_slice().len(), budget.available()), (10, 40));
        // No room for another 60: refused, holding nothing.
        let Err(err) = collect(chunks(&[10]), Some(b"60"), 1024, budget).await else {
            panic!("60 bytes fit in the 40 left")
        };
        assert!(matches!(err, Error::Busy { budget: 100, .. }), "{err:?}");
        assert_eq!(err.status_code(), 503);
        let problem = crate::problem::Problem::from_error(&err);
        assert_eq!(
            problem.retry_after(),
            Some(crate::problem::BUSY_RETRY_AFTER)
        );
        assert!(!problem.detail().contains("100"), "{}", problem.detail());
        assert_eq!(budget.available(), 40);
        // Chunked: held chunk by chunk, as much as arrived.
        let second = collect(chunks(&[10, 10, 10]), None, 1024, budget)
            .await
            .unwrap();
        assert_eq!((second.as_slice().len(), budget.available()), (30, 10));
        // A chunk that does not fit: refused, and what it held so far is given back.
        let Err(err) = collect(chunks(&[5, 20]), None, 1024, budget).await else {
            panic!("25 bytes fit in the 10 left")
        };
        assert!(matches!(err, Error::Busy { .. }), "{err:?}");
        assert_eq!(budget.available(), 10);
        // Dropping the bodies gives their bytes back.
        drop(first);
        assert_eq!(budget.available(), 70);
        drop(second);
        assert_eq!(budget.available(), 100);
    }

    #[tokio::test]
    async fn every_early_end_gives_the_reservation_back() {
        let budget = budget(1000);
        // Too large as it grows.
        assert!(
            collect(chunks(&[600, 600]), None, 1024, budget)
                .await
                .is_err()
        );
        assert_eq!(budget.available(), 1000);
        // The connection failed after a chunk (a client that went away).
        let failing = Arriving([Ok(vec![b' '; 300]), Err(())].into_iter().collect());
        let Err(err) = collect(failing, Some(b"500"), 1024, budget).await else {
            panic!("a failed stream is a body")
        };
        assert!(matches!(err, Error::IncompleteBody), "{err:?}");
        assert_eq!(budget.available(), 1000);
        // Cancelled while waiting for bytes (the body timeout drops the future): a stream that
        // never ends, polled once, then dropped.
        let pending = never();
        let mut reading = Box::pin(collect(pending, Some(b"400"), 1024, budget));
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(reading.as_mut().poll(&mut cx).is_pending());
        assert_eq!(budget.available(), 600);
        drop(reading);
        assert_eq!(budget.available(), 1000);
        // A body larger than the whole budget holds all of it, alone.
        let huge = collect(chunks(&[1500]), Some(b"1500"), 2048, budget)
            .await
            .unwrap();
        assert_eq!(budget.available(), 0);
        drop(huge);
        assert_eq!(budget.available(), 1000);
    }

    /// Issue 33, finding 2's flood: a genuine small delivery is not queued behind large bodies
    /// waiting for room (the wait is first come, first served), it takes the small lane.
    #[tokio::test]
    async fn a_small_body_never_waits_behind_a_large_one() {
        let budget: &'static BodyBudget = Box::leak(Box::new(BodyBudget::new(
            16 << 20,
            std::time::Duration::from_secs(3600),
        )));
        assert_eq!(budget.small_lane(), 2 << 20);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        // A 12 MiB body holds most of the main room, its bytes never arriving.
        let mut holder = Box::pin(collect(never(), Some(b"12582912"), 16 << 20, budget));
        assert!(holder.as_mut().poll(&mut cx).is_pending());
        // A 4 MiB body waits for room, holding the 2 MiB left as it waits.
        let mut queued = Box::pin(collect(never(), Some(b"4194304"), 16 << 20, budget));
        assert!(queued.as_mut().poll(&mut cx).is_pending());
        assert_eq!(budget.available(), 2 << 20);
        // A 2 KiB delivery is read at once, in the small lane.
        let mut small = Box::pin(collect(chunks(&[2048]), Some(b"2048"), 64 << 10, budget));
        let std::task::Poll::Ready(Ok(body)) = small.as_mut().poll(&mut cx) else {
            panic!("a small body waited behind a large one")
        };
        assert_eq!(body.as_slice().len(), 2048);
        assert_eq!(budget.available(), (2 << 20) - 2048);
        drop(body);
        // The holder goes: the queued body gets its room, the rest is free again.
        drop(holder);
        assert!(queued.as_mut().poll(&mut cx).is_pending());
        assert_eq!(budget.available(), (16 << 20) - (4 << 20));
        drop(queued);
        assert_eq!(budget.available(), 16 << 20);
    }

    #[tokio::test]
    async fn the_small_lane_holds_only_small_bodies() {
        let budget = budget(1 << 20);
        assert_eq!(budget.small_lane(), 128 << 10);
        // A body of unknown length grown past `SMALL_BODY` moves to the main room whole.
        let grown = collect(chunks(&[60 << 10, 10 << 10]), None, 1 << 20, budget)
            .await
            .unwrap();
        assert_eq!(budget.available(), (1 << 20) - (70 << 10));
        drop(grown);
        // The main room held whole by one body: small bodies fill the lane, the next is busy.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut holder = Box::pin(collect(never(), Some(b"917504"), 1 << 20, budget));
        assert!(holder.as_mut().poll(&mut cx).is_pending());
        let one = collect(chunks(&[64 << 10]), Some(b"65536"), 64 << 10, budget)
            .await
            .unwrap();
        let two = collect(chunks(&[64 << 10]), Some(b"65536"), 64 << 10, budget)
            .await
            .unwrap();
        assert_eq!(budget.available(), 0);
        let Err(err) = collect(chunks(&[10]), Some(b"10"), 64 << 10, budget).await else {
            panic!("a full lane and a full room have no room")
        };
        assert!(matches!(err, Error::Busy { .. }), "{err:?}");
        // A large body never takes the lane's room: one larger than the main room holds all
        // of it, and the lane's free bytes stay free.
        drop(holder);
        drop(one);
        let large = collect(chunks(&[10]), Some(b"983040"), 1 << 20, budget)
            .await
            .unwrap();
        assert_eq!(budget.available(), 64 << 10);
        drop(large);
        drop(two);
        assert_eq!(budget.available(), 1 << 20);
    }

    /// A body stream whose bytes never come.
    fn never() -> impl Stream<Item = Result<Vec<u8>, ()>> + Unpin {
        struct Never;
        impl Stream for Never {
            type Item = Result<Vec<u8>, ()>;
            fn poll_next(
                self: Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                std::task::Poll::Pending
            }
        }
        Never
    }
}
