//! Extraction: the [`Webhook`] extractor, [`receive`], [`Headers`] for actix's header map, and the request view the verifier sees (head first, then the body under its limit and time).

use crate::adapters::budget::BodyBudget;
use crate::adapters::{
    Collected, OFF_WORKER_MIN, check_declared, collect_declared, governing_length, within,
};
use crate::delivery::{Delivery, Receive};
use crate::error::Error;
use crate::headers::Headers;
use crate::request::Request;
use crate::telemetry::{self, Observer};
use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, web};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

/// Extracts a verified, parsed [`Delivery`] of `R`'s provider, or answers the [`Error`] with a
/// problem body.
///
/// The verifier comes from the app data as `web::Data<R>` (a missing one is a 500). It reads
/// the body, so it must be the handler's last extractor. A body of 64 KiB or more is verified
/// and parsed off the worker ([`web::block`]), which is why `R` is `Send + Sync`.
#[derive(Debug)]
pub struct Webhook<R: Receive>(pub Delivery<R::Payload>);

impl<R> FromRequest for Webhook<R>
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send,
{
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let payload = payload.take();
        Box::pin(async move {
            let Some(receiver) = request.app_data::<web::Data<R>>() else {
                return Err(actix_web::error::ErrorInternalServerError(
                    "no verifier registered for this route (web::Data<R>)",
                ));
            };
            let receiver = web::Data::clone(receiver).into_inner();
            let mut observer = Observer::new(receiver.provider(), None);
            let received = telemetry::instrument(observer.span(), async move {
                let received = read(&receiver, &request, payload, &mut observer).await;
                observer.conclude(received)
            });
            Ok(Webhook(received.await?))
        })
    }
}

/// Reads `payload` up to `receiver`'s limit, then verifies and parses the call: what
/// [`Webhook`] does, for a handler that holds its verifier otherwise. The verifier is borrowed,
/// so the parse runs on this worker whatever the body's size; [`Webhook`], [`route`](super::route)
/// and the ready routers, which share theirs, parse a body of 64 KiB or more off the worker.
///
/// # Errors
/// [`Error::BodyTooLarge`] as soon as the body passes the limit, [`Error::Busy`] when the
/// [`BodyBudget`] stays full, [`Error::IncompleteBody`] when it cannot be read, then those of [`Receive::receive`].
///
/// With feature `tracing`, the call runs in a `webhook_delivery` span; with `metrics`, it is
/// counted (see [`telemetry`](crate::telemetry)). Endpoint health is recorded by [`router`](super::router)
/// and [`route_with_health`](super::route_with_health) only, which know the handler's outcome.
pub async fn receive<R: Receive + ?Sized>(
    receiver: &R,
    request: &HttpRequest,
    payload: Payload,
) -> Result<Delivery<R::Payload>, Error> {
    let mut observer = Observer::new(receiver.provider(), None);
    telemetry::instrument(observer.span(), async move {
        let received = async {
            let body = read_head_and_body(receiver, request, payload, &mut observer).await?;
            let delivery = observer.receive(receiver, &view(request, body.as_slice()))?;
            Ok(with_headers(delivery, request))
        };
        let received = received.await;
        observer.conclude(received)
    })
    .await
}

/// Reads the body under the limit, then verifies and parses through `observer` (off the
/// worker from [`OFF_WORKER_MIN`] bytes on); the delivery carries the request's headers,
/// credentials masked.
pub(super) async fn read<R>(
    receiver: &Arc<R>,
    request: &HttpRequest,
    payload: Payload,
    observer: &mut Observer,
) -> Result<Delivery<R::Payload>, Error>
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send,
{
    let (delivery, _body) = read_with_body(receiver, request, payload, observer).await?;
    Ok(with_headers(delivery, request))
}

/// `delivery` with `request`'s headers, credentials masked.
fn with_headers<P>(mut delivery: Delivery<P>, request: &HttpRequest) -> Delivery<P> {
    delivery.headers = crate::credentials::masked(
        request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    );
    delivery
}

/// [`read`], keeping the body read (inbox mode stores it).
pub(super) async fn read_with_body<R>(
    receiver: &Arc<R>,
    request: &HttpRequest,
    payload: Payload,
    observer: &mut Observer,
) -> Result<(Delivery<R::Payload>, Collected<Bytes>), Error>
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send,
{
    let body = read_head_and_body(&**receiver, request, payload, observer).await?;
    if body.as_slice().len() < OFF_WORKER_MIN {
        let delivery = observer.receive(&**receiver, &view(request, body.as_slice()))?;
        return Ok((delivery, body));
    }
    off_worker(receiver, request, body, observer).await
}

/// Checks the head, then reads the body: a declared size over the limit, then the head, so
/// that a sender without a credential is answered before one body byte is read.
async fn read_head_and_body<R: Receive + ?Sized>(
    receiver: &R,
    request: &HttpRequest,
    payload: Payload,
    observer: &mut Observer,
) -> Result<Collected<Bytes>, Error> {
    let declared = check_declared(content_length(request), receiver.body_limit())?;
    observer
        .verify_head(receiver, &view(request, &[]))
        .map_err(explain)?;
    read_body(receiver, declared, payload).await
}

/// Verifies and parses a large body on actix's blocking pool ([`web::block`]), so that the
/// other requests of this worker go on meanwhile: actix's workers are current-thread
/// runtimes, where `block_in_place` (axum's way) cannot hand the worker's tasks over. The
/// closure must own what it reads: the request's method, target, peer and headers (a clone
/// of actix's header map, whose values share their bytes) and the body, moved in and handed
/// back, not copied. A panic in the verifier is caught inside ([`Error::Internal`], 500); the
/// pool refusing the job (the server shutting down) is answered the same.
async fn off_worker<R>(
    receiver: &Arc<R>,
    request: &HttpRequest,
    body: Collected<Bytes>,
    observer: &mut Observer,
) -> Result<(Delivery<R::Payload>, Collected<Bytes>), Error>
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send,
{
    let detached = Detached {
        method: request.method().clone(),
        target: target(request).to_owned(),
        peer: request.peer_addr().map(|peer| peer.ip()),
        headers: request.headers().clone(),
        body,
    };
    let (receiver, parser) = (Arc::clone(receiver), observer.parser());
    let (parsed, body) = web::block(move || {
        let parsed = parser.parse_elsewhere(&*receiver, &detached.view());
        (parsed, detached.body)
    })
    .await
    .map_err(|_| Error::Internal)?;
    Ok((observer.record(parsed)?, body))
}

/// What the verifier sees of a request, owned, for a parse on another thread.
struct Detached {
    method: actix_web::http::Method,
    target: String,
    peer: Option<IpAddr>,
    headers: HeaderMap,
    body: Collected<Bytes>,
}

impl Detached {
    /// The same view as [`view`] gives of the request.
    fn view(&self) -> Request<'_> {
        let call = Request::new(&self.headers, self.body.as_slice())
            .method(self.method.as_str())
            .uri(&self.target);
        match self.peer {
            Some(peer) => call.peer(peer),
            None => call,
        }
    }
}

/// The body of a request whose declared length ([`check_declared`]) is `declared`, read under
/// `receiver`'s limit and within its time.
pub(super) async fn read_body<R: Receive + ?Sized>(
    receiver: &R,
    declared: Option<u64>,
    payload: Payload,
) -> Result<Collected<Bytes>, Error> {
    let collected = collect_declared(
        payload,
        declared,
        receiver.body_limit(),
        BodyBudget::global(),
    );
    within(collected, receiver.body_timeout()).await
}

/// Says why the peer address is missing, where a verifier needed it (Xoxoday's source check):
/// actix gives none for a request that came over a Unix socket.
pub(super) fn explain(err: Error) -> Error {
    match err {
        Error::MissingRequestPart { part: Error::PEER } => Error::MissingRequestPart {
            part: "peer address: actix gave none (a Unix socket listener?); \
                   serve the scope from a TCP listener",
        },
        other => other,
    }
}

/// The `Content-Length` header's value, if sent and not overridden by `Transfer-Encoding`
/// ([`governing_length`]).
pub(super) fn content_length(request: &HttpRequest) -> Option<&[u8]> {
    let headers = request.headers();
    governing_length(
        headers
            .get(header::CONTENT_LENGTH)
            .map(HeaderValue::as_bytes),
        headers
            .get(header::TRANSFER_ENCODING)
            .map(HeaderValue::as_bytes),
    )
}

/// The path and query as the client sent them.
pub(super) fn target(request: &HttpRequest) -> &str {
    let uri = request.uri();
    uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
}

/// What the verifier sees of `request` and its body.
pub(super) fn view<'a>(request: &'a HttpRequest, body: &'a [u8]) -> Request<'a> {
    let call = Request::new(request.headers(), body)
        .method(request.method().as_str())
        .uri(target(request));
    match request.peer_addr() {
        Some(peer) => call.peer(peer.ip()),
        None => call,
    }
}

impl Headers for HeaderMap {
    /// actix-web's header map (not `http::HeaderMap`), names stored in lowercase.
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        for value in self.get_all(name) {
            found(value.as_bytes());
        }
    }
    fn keeps_line_order(&self) -> bool {
        // actix keeps every value of a name in one list, in arrival order.
        true
    }
}
