//! Extraction: the [`Webhook`] extractor, [`receive`], and the request view the verifier sees (head first, then the body under its limit and time).

use crate::adapters::budget::BodyBudget;
use crate::adapters::{Collected, check_declared, collect_declared, governing_length, within};
use crate::delivery::{Delivery, Receive};
use crate::error::Error;
use crate::request::Request;
use crate::telemetry::{self, Observer};
use ::axum::body::{Body, Bytes};
use ::axum::extract::{ConnectInfo, FromRef, FromRequest, OriginalUri};
use ::axum::http::request::Parts;
use ::axum::http::{HeaderValue, header};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Extracts a verified, parsed [`Delivery`] of `R`'s provider, or answers the [`Error`] with a
/// problem body.
///
/// The verifier comes from the router's state as `Arc<R>` through `FromRef`: a state that is
/// `Arc<wakilni::Verifier>` itself, or an app state with an `Arc<R>` field and
/// `#[derive(FromRef)]`. It must be the handler's last extractor, since it reads the body.
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub struct Webhook<R: Receive>(pub Delivery<R::Payload>);

impl<S, R> FromRequest<S> for Webhook<R>
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send,
    Arc<R>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(request: ::axum::extract::Request, state: &S) -> Result<Self, Error> {
        let receiver = Arc::<R>::from_ref(state);
        receive(&*receiver, request).await.map(Webhook)
    }
}

/// Reads `request`'s body up to `receiver`'s limit, then verifies and parses it: what
/// [`Webhook`] does, for a handler that holds its verifier otherwise.
///
/// # Errors
/// [`Error::BodyTooLarge`] as soon as the body passes the limit, [`Error::Busy`] when the
/// [`BodyBudget`] stays full, [`Error::IncompleteBody`] when it cannot be read, then those of [`Receive::receive`].
///
/// With feature `tracing`, the call runs in a `webhook_delivery` span; with `metrics`, it is
/// counted (see [`telemetry`](crate::telemetry)). Endpoint health is recorded by
/// [`route_with_health`](super::route_with_health) and [`router`](super::router) only, which know the handler's outcome.
pub async fn receive<R: Receive + ?Sized>(
    receiver: &R,
    request: ::axum::extract::Request,
) -> Result<Delivery<R::Payload>, Error> {
    let mut observer = Observer::new(receiver.provider(), None);
    let (parts, body) = request.into_parts();
    telemetry::instrument(observer.span(), async move {
        let received = read(receiver, &parts, body, &mut observer).await;
        observer.conclude(received.map(|delivery| with_headers(delivery, parts)))
    })
    .await
}

/// Reads the body under the limit, then verifies and parses through `observer`. The caller,
/// which owns the request's parts, moves their headers into the delivery ([`with_headers`]).
///
/// Takes the request split: a future keeps every argument for its whole life, and a request
/// held whole beside its parts would grow each request's boxed future past the allocator's
/// fast sizes.
pub(super) async fn read<R: Receive + ?Sized>(
    receiver: &R,
    parts: &Parts,
    body: Body,
    observer: &mut Observer,
) -> Result<Delivery<R::Payload>, Error> {
    let (delivery, _body) = read_with_body(receiver, parts, body, observer).await?;
    Ok(delivery)
}

/// `delivery` with the request's headers, moved out of `parts` (not copied), credentials
/// masked as they are read.
pub(super) fn with_headers<P>(mut delivery: Delivery<P>, parts: Parts) -> Delivery<P> {
    delivery.headers = crate::credentials::masked_http(parts.headers);
    delivery
}

/// [`read`], keeping the body read (inbox mode stores it).
pub(super) async fn read_with_body<R: Receive + ?Sized>(
    receiver: &R,
    parts: &Parts,
    body: Body,
    observer: &mut Observer,
) -> Result<(Delivery<R::Payload>, Collected<Bytes>), Error> {
    // A declared size over the limit, then the head: a sender without a credential is
    // answered before one body byte is read. (The request views are not `Send`: each ends
    // with its statement.)
    let declared = check_declared(content_length(parts), receiver.body_limit())?;
    // The target and the peer, looked up once for both views.
    let (uri, peer) = (target(parts), peer(parts));
    observer
        .verify_head(receiver, &view(parts, uri, peer, &[]))
        .map_err(explain)?;
    let body = read_body(receiver, declared, body).await?;
    let delivery = off_worker(body.as_slice().len(), || {
        observer.receive(receiver, &view(parts, uri, peer, body.as_slice()))
    })?;
    Ok((delivery, body))
}

/// Runs `parse` (the verification and parse of a body of `len` bytes) where it does not stall
/// other requests: from [`OFF_WORKER_MIN`](crate::adapters::OFF_WORKER_MIN) bytes on, on a
/// multi-threaded runtime, through `block_in_place`, which hands this worker's other tasks to
/// another thread for as long as the parse runs; below it, or on a current-thread runtime
/// (where nothing can take the tasks over), inline. `block_in_place` rather than
/// `spawn_blocking`: the parse borrows the verifier and the request, so every mode (the
/// public `receive` over a borrowed verifier too) is covered without a copy. A panic in the
/// verifier is caught inside the parse, as inline: answered 500 ([`Error::Internal`]).
fn off_worker<T>(len: usize, parse: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    let threaded =
        || Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if len >= crate::adapters::OFF_WORKER_MIN && threaded() {
        tokio::task::block_in_place(parse)
    } else {
        parse()
    }
}

/// The body of a split request whose declared length ([`check_declared`]) is `declared`, read
/// under `receiver`'s limit and within its time.
pub(super) async fn read_body<R: Receive + ?Sized>(
    receiver: &R,
    declared: Option<u64>,
    body: Body,
) -> Result<Collected<Bytes>, Error> {
    let collected = collect_declared(
        body.into_data_stream(),
        declared,
        receiver.body_limit(),
        BodyBudget::global(),
    );
    within(collected, receiver.body_timeout()).await
}

/// Names the call that gives the peer address, where a verifier needed it (Xoxoday's source
/// check) and axum had none: the integration mistake every request would otherwise answer 500
/// for without saying how to fix it. The problem detail and the `delivery rejected` log line
/// carry it from the first request on.
pub(super) fn explain(err: Error) -> Error {
    match err {
        Error::MissingRequestPart { part: Error::PEER } => Error::MissingRequestPart {
            part: "peer address: serve the app with \
                   `into_make_service_with_connect_info::<std::net::SocketAddr>()`",
        },
        other => other,
    }
}

/// The `Content-Length` header's value, if sent and not overridden by `Transfer-Encoding`
/// ([`governing_length`]).
pub(super) fn content_length(parts: &Parts) -> Option<&[u8]> {
    let headers = &parts.headers;
    governing_length(
        headers
            .get(header::CONTENT_LENGTH)
            .map(HeaderValue::as_bytes),
        headers
            .get(header::TRANSFER_ENCODING)
            .map(HeaderValue::as_bytes),
    )
}

/// The path and query as the client sent them (axum's `OriginalUri`, also inside `nest`).
pub(super) fn target(parts: &Parts) -> &str {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
}

/// The peer's address, from `ConnectInfo`.
pub(super) fn peer(parts: &Parts) -> Option<IpAddr> {
    let ConnectInfo(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(peer.ip())
}

/// What the verifier sees of a split request and its body, given the request's [`target`] and
/// [`peer`] (looked up once for the head's view and the body's).
fn view<'a>(parts: &'a Parts, uri: &'a str, peer: Option<IpAddr>, body: &'a [u8]) -> Request<'a> {
    let request = Request::from_http(parts, body).uri(uri);
    match peer {
        Some(peer) => request.peer(peer),
        None => request,
    }
}
