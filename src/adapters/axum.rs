//! axum 0.8: the [`Webhook`] extractor for any [`Receive`], answers for [`Error`] and
//! [`Reply`], and a ready [`router`] for every configured provider.
//!
//! # A ready receiver
//! [`router`] mounts every provider of a [`Config`] under `/webhooks/<provider>` and calls one
//! handler with each [`AnyDelivery`]. It answers isendu's handshake, reads Skladon's token, type
//! and id from the path, refuses what does not verify with a problem body (RFC 9457), and stops
//! reading a body at the verifier's [`body_limit`](Receive::body_limit) (413).
//!
//! ```no_run
//! use std::net::{IpAddr, SocketAddr};
//! use delivery_webhooks::{AnyDelivery, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
//! let app = delivery_webhooks::axum::router(config, |delivery: AnyDelivery| async move {
//!     println!("{}: {}", delivery.provider(), delivery.dedup_key());
//! });
//! // The peer address is read from `ConnectInfo`: Xoxoday's source check needs it.
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(()) }
//! ```
//!
//! # One provider in your own route
//! [`Webhook<R>`] takes its verifier from the state through `FromRef`, as `Arc<R>`:
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, extract::FromRef, routing::post};
//! use delivery_webhooks::axum::Webhook;
//! use delivery_webhooks::{Reply, peddler, wakilni};
//!
//! // `#[derive(FromRef)]` writes these impls, with axum's `macros` feature.
//! #[derive(Clone)]
//! struct AppState {
//!     wakilni: Arc<wakilni::Verifier>,
//!     peddler: Arc<peddler::Verifier>,
//! }
//! impl FromRef<AppState> for Arc<wakilni::Verifier> {
//!     fn from_ref(state: &AppState) -> Self {
//!         Arc::clone(&state.wakilni)
//!     }
//! }
//! impl FromRef<AppState> for Arc<peddler::Verifier> {
//!     fn from_ref(state: &AppState) -> Self {
//!         Arc::clone(&state.peddler)
//!     }
//! }
//!
//! async fn wakilni_hook(Webhook(delivery): Webhook<wakilni::Verifier>) -> Reply {
//!     println!("{} ({})", delivery.payload.event_name(), delivery.dedup_key());
//!     delivery.reply
//! }
//!
//! async fn peddler_hook(Webhook(delivery): Webhook<peddler::Verifier>) -> Reply {
//!     println!("{} is {}", delivery.payload.id, delivery.payload.status);
//!     delivery.reply
//! }
//!
//! # fn app() -> Result<Router, delivery_webhooks::Error> {
//! let state = AppState {
//!     wakilni: Arc::new(wakilni::Verifier::new("wk-secret")?),
//!     peddler: Arc::new(peddler::Verifier::new("pd-token")?),
//! };
//! let app: Router = Router::new()
//!     .route("/webhooks/wakilni", post(wakilni_hook))
//!     .route("/webhooks/peddler", post(peddler_hook))
//!     .with_state(state);
//! # Ok(app) }
//! ```
//!
//! # The request the verifier sees
//! - first the head: a `Content-Length` over [`Receive::body_limit`] is refused (413), then
//!   [`Receive::verify_head`] checks what the head proves (a header or URL token, the source
//!   address), so a sender without a credential is answered before its body is read;
//! - then the body as received, read up to [`Receive::body_limit`] (413 as soon as it passes)
//!   within [`Receive::body_timeout`] (408). axum's `DefaultBodyLimit` does not apply: the
//!   limit is the verifier's (16 MiB unless set with `max_body_size`). The timeout needs tokio's
//!   time driver (on with `#[tokio::main]`).
//! - the peer address from `ConnectInfo<SocketAddr>`, when the app is served with
//!   `into_make_service_with_connect_info::<SocketAddr>()`; without it Xoxoday answers 500.
//! - the path and query as the client sent them (axum's `OriginalUri`, also inside
//!   `Router::nest`): Skladon's mount point is the full public path. Nesting [`router`] under
//!   `/api` means `skladon::Verifier::mounted_at("/api/webhooks/skladon")`.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use ::axum::Router;
use ::axum::body::{Body, Bytes};
use ::axum::extract::{ConnectInfo, FromRef, FromRequest, OriginalUri, State};
use ::axum::http::request::Parts;
use ::axum::http::{HeaderValue, StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodFilter, MethodRouter, on};

use super::{Collected, Handled, NOT_HANDLED, check_declared, collect};
use crate::any::AnyDelivery;
use crate::config::Config;
use crate::delivery::{Delivery, Receive, Reply};
use crate::error::Error;
use crate::problem::Problem;
use crate::request::Request;
use crate::telemetry::{self, Health, Observer, Stopwatch};

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
/// [`Error::BodyTooLarge`] as soon as the body passes the limit, [`Error::IncompleteBody`] when
/// it cannot be read, then those of [`Receive::receive`].
///
/// With feature `tracing`, the call runs in a `webhook_delivery` span; with `metrics`, it is
/// counted (see [`telemetry`](crate::telemetry)). Endpoint health is recorded by
/// [`route_with_health`] and [`router`] only, which know the handler's outcome.
pub async fn receive<R: Receive + ?Sized>(
    receiver: &R,
    request: ::axum::extract::Request,
) -> Result<Delivery<R::Payload>, Error> {
    let mut observer = Observer::new(receiver.provider(), None);
    let (parts, body) = request.into_parts();
    telemetry::instrument(observer.span(), async move {
        let received = read(receiver, &parts, body, &mut observer).await;
        observer.conclude(received)
    })
    .await
}

/// Reads the body under the limit, then verifies and parses through `observer`.
///
/// Takes the request split: a future keeps every argument for its whole life, and a request
/// held whole beside its parts would grow each request's boxed future past the allocator's
/// fast sizes.
async fn read<R: Receive + ?Sized>(
    receiver: &R,
    parts: &Parts,
    body: Body,
    observer: &mut Observer,
) -> Result<Delivery<R::Payload>, Error> {
    // A declared size over the limit, then the head: a sender without a credential is
    // answered before one body byte is read.
    check_declared(content_length(parts), receiver.body_limit())?;
    observer
        .verify_head(receiver, &view(parts, &[]))
        .map_err(explain)?;
    let body = read_body(receiver, parts, body).await?;
    observer.receive(receiver, &view(parts, body.as_slice()))
}

/// The body of a split request, read under `receiver`'s limit and within its time.
async fn read_body<R: Receive + ?Sized>(
    receiver: &R,
    parts: &Parts,
    body: Body,
) -> Result<Collected<Bytes>, Error> {
    let after = receiver.body_timeout();
    let collected = collect(
        body.into_data_stream(),
        content_length(parts),
        receiver.body_limit(),
    );
    tokio::time::timeout(after, collected)
        .await
        .unwrap_or(Err(Error::BodyTimeout { after }))
}

/// Names the call that gives the peer address, where a verifier needed it (Xoxoday's source
/// check) and axum had none: the integration mistake every request would otherwise answer 500
/// for without saying how to fix it. The problem detail and the `delivery rejected` log line
/// carry it from the first request on.
fn explain(err: Error) -> Error {
    match err {
        Error::MissingRequestPart {
            part: "peer address",
        } => Error::MissingRequestPart {
            part: "peer address: serve the app with \
                   `into_make_service_with_connect_info::<std::net::SocketAddr>()`",
        },
        other => other,
    }
}

/// The `Content-Length` header's value, if sent.
fn content_length(parts: &Parts) -> Option<&[u8]> {
    parts
        .headers
        .get(header::CONTENT_LENGTH)
        .map(HeaderValue::as_bytes)
}

/// The path and query as the client sent them (axum's `OriginalUri`, also inside `nest`).
fn target(parts: &Parts) -> &str {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
}

/// The peer's address, from `ConnectInfo`.
fn peer(parts: &Parts) -> Option<IpAddr> {
    let ConnectInfo(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(peer.ip())
}

/// What the verifier sees of a split request and its body.
fn view<'a>(parts: &'a Parts, body: &'a [u8]) -> Request<'a> {
    let request = Request::from_http(parts, body).uri(target(parts));
    match peer(parts) {
        Some(peer) => request.peer(peer),
        None => request,
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for Problem {
    /// The problem's status with its JSON body, `application/problem+json`.
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.to_json()));
        *response.status_mut() = status(self.status_code());
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(Problem::CONTENT_TYPE),
        );
        response
    }
}

impl IntoResponse for Error {
    /// [`Error::status_code`] with a [`Problem`] body saying why (never a secret).
    fn into_response(self) -> Response {
        Problem::from_error(&self).into_response()
    }
}

impl IntoResponse for Reply {
    /// The reply's status, content type and body. A reply holding a secret (isendu's handshake
    /// answer) is also marked `Cache-Control: no-store`.
    fn into_response(self) -> Response {
        // The common empty answer without a boxed body.
        let body = match self.body() {
            [] => Body::empty(),
            body => Body::from(body.to_vec()),
        };
        let mut response = Response::new(body);
        *response.status_mut() = status(self.status_code());
        if let Some(content_type) = self.content_type() {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        if self.holds_secret() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        response
    }
}

/// A `POST` route for any [`Receive`]: verifies and parses each call with [`Webhook`], calls
/// `handler` with the [`Delivery`], and answers its [`Reply`] (500 when the handler says it
/// did not take care of it, see [`Handled`]).
///
/// Each call runs in a `webhook_delivery` span (feature `tracing`) and is counted (feature
/// `metrics`); to record endpoint health too, use [`route_with_health`].
///
/// ```no_run
/// use std::sync::Arc;
/// use delivery_webhooks::{Delivery, wakilni};
///
/// # fn app() -> Result<axum::Router, delivery_webhooks::Error> {
/// let verifier = Arc::new(wakilni::Verifier::new("wk-secret")?);
/// let app = axum::Router::new().route(
///     "/hooks/wakilni",
///     delivery_webhooks::axum::route(verifier, |d: Delivery<wakilni::Event>| async move {
///         println!("{}", d.payload.event_name());
///     }),
/// );
/// # Ok(app) }
/// ```
pub fn route<R, H, Fut>(receiver: Arc<R>, handler: H) -> MethodRouter
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Handled,
{
    route_on(MethodFilter::POST, receiver, handler, None)
}

/// [`route`], recording each delivery's outcome into `health` too (see
/// [`Health`](crate::telemetry::Health) for what counts as a failure).
///
/// ```no_run
/// use std::sync::Arc;
/// use delivery_webhooks::telemetry::Health;
/// use delivery_webhooks::{Delivery, wakilni};
///
/// # fn app() -> Result<axum::Router, delivery_webhooks::Error> {
/// let health = Health::new();
/// let verifier = Arc::new(wakilni::Verifier::new("wk-secret")?);
/// let handler = |d: Delivery<wakilni::Event>| async move { println!("{}", d.dedup_key()) };
/// let report = health.clone();
/// let app = axum::Router::new()
///     .route("/hooks/wakilni", delivery_webhooks::axum::route_with_health(verifier, handler, health))
///     .route("/hooks/health", axum::routing::get(move || {
///         let report = report.report();
///         async move { serde_json::to_string(&report).unwrap_or_default() }
///     }));
/// # Ok(app) }
/// ```
pub fn route_with_health<R, H, Fut>(receiver: Arc<R>, handler: H, health: Health) -> MethodRouter
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Handled,
{
    health.watch(receiver.provider());
    route_on(MethodFilter::POST, receiver, handler, Some(health))
}

fn route_on<R, H, Fut>(
    methods: MethodFilter,
    receiver: Arc<R>,
    handler: H,
    health: Option<Health>,
) -> MethodRouter
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Handled,
{
    let call = move |State(receiver): State<Arc<R>>, request: ::axum::extract::Request| {
        let handler = handler.clone();
        let mut observer = Observer::new(receiver.provider(), health.clone());
        let (parts, body) = request.into_parts();
        telemetry::instrument(observer.span(), async move {
            // The delivery lives in this block only, so that the future does not keep a copy
            // of it beside the handler's while the handler runs.
            let (reply, handling) = match read(&*receiver, &parts, body, &mut observer).await {
                // Cloned so that the handler still sees the whole delivery; both copies wipe a
                // secret.
                Ok(delivery) => (delivery.reply.clone(), handler(delivery)),
                Err(err) => {
                    observer.rejected(&err);
                    return err.into_response();
                }
            };
            drop(parts);
            let started = Stopwatch::start();
            let handled = handling.await.is_handled();
            if observer.handled(reply.status_code(), handled, &started) {
                reply.into_response()
            } else {
                Problem::new(500, NOT_HANDLED).into_response()
            }
        })
    };
    on(methods, call).with_state(receiver)
}

/// Invokes the local `$mount!` once per enabled provider with its route and methods: the one
/// list of routes both ready routers mount. Skladon's verifier reads token, type and id from the
/// path under its route itself.
macro_rules! mount_every_provider {
    ($mount:ident, $router:ident) => {
        #[cfg(feature = "wakilni")]
        $mount!($router, wakilni, "/webhooks/wakilni", MethodFilter::POST);
        #[cfg(feature = "peddler")]
        $mount!($router, peddler, "/webhooks/peddler", MethodFilter::POST);
        #[cfg(feature = "xoxoday")]
        $mount!($router, xoxoday, "/webhooks/xoxoday", MethodFilter::POST);
        #[cfg(feature = "isendu")]
        $mount!($router, isendu, "/webhooks/isendu", MethodFilter::POST);
        #[cfg(feature = "skladon")]
        $mount!(
            $router,
            skladon,
            "/webhooks/skladon/{*rest}",
            MethodFilter::GET.or(MethodFilter::POST)
        );
    };
}

/// Verifies a call (its head before its body), then accepts it into `inbox` (see
/// [`inbox_router`]), observed as in [`router`]: the same span, counts and health record.
#[cfg(feature = "inbox")]
async fn accept_call<R, I>(
    receiver: &R,
    inbox: &I,
    health: Option<Health>,
    request: ::axum::extract::Request,
) -> Response
where
    R: Receive + ?Sized,
    Delivery<R::Payload>: Into<AnyDelivery>,
    I: crate::inbox::Inbox + ?Sized,
{
    let mut observer = Observer::new(receiver.provider(), health);
    let (parts, body) = request.into_parts();
    telemetry::instrument(observer.span(), async move {
        // The head first: a sender without a credential is answered before one body byte is
        // read. The request views are not `Send`: each ends with its statement.
        let head = check_declared(content_length(&parts), receiver.body_limit())
            .and_then(|()| observer.verify_head(receiver, &view(&parts, &[])))
            .map_err(explain);
        let body = match head {
            Ok(()) => read_body(receiver, &parts, body).await,
            Err(err) => Err(err),
        };
        let received = body.and_then(|body| {
            let delivery = observer.receive(receiver, &view(&parts, body.as_slice()))?;
            Ok((delivery, body))
        });
        let (delivery, body): (AnyDelivery, _) = match received {
            Ok((delivery, body)) => (delivery.into(), body),
            Err(err) => {
                observer.rejected(&err);
                return err.into_response();
            }
        };
        telemetry::inspect(&delivery);
        let raw = || {
            super::raw_delivery(
                parts.method.as_str(),
                target(&parts),
                peer(&parts),
                parts
                    .headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
                body.as_slice(),
            )
        };
        match super::store(inbox, delivery, raw).await {
            Ok(reply) => {
                observer.accepted(reply.status_code());
                reply.into_response()
            }
            Err(problem) => {
                observer.not_stored();
                problem.into_response()
            }
        }
    })
    .await
}

/// [`accept_call`] over owned parts: the future a route returns.
#[cfg(feature = "inbox")]
async fn accept_owned<R, I>(
    receiver: Arc<R>,
    inbox: I,
    health: Health,
    request: ::axum::extract::Request,
) -> Response
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send,
    Delivery<R::Payload>: Into<AnyDelivery>,
    I: crate::inbox::Inbox + 'static,
{
    accept_call(&*receiver, &inbox, Some(health), request).await
}

/// The ready receiver in inbox mode: the routes of [`router`], but each verified delivery is
/// accepted into `inbox` (stored durably, or recognised as a duplicate by its dedup key) and
/// answered at once with its reply (an empty 200, also for a duplicate), without waiting for
/// any processing. Process the inbox with a [`Worker`](crate::inbox::Worker).
///
/// isendu's handshake is answered synchronously and not stored. If the inbox cannot store a
/// delivery, the answer is `500` with a problem body, so that the provider sends it again.
///
/// ```no_run
/// # #[cfg(feature = "inbox-sqlite")]
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::net::SocketAddr;
/// use delivery_webhooks::Config;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
///
/// let config = Config::from_env()?;
/// let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
/// let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
/// let app = delivery_webhooks::axum::inbox_router(config, inbox);
/// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "inbox")]
#[cfg_attr(docsrs, doc(cfg(all(feature = "axum", feature = "inbox"))))]
pub fn inbox_router<I>(config: Config, inbox: I) -> Router
where
    I: crate::inbox::Inbox + Clone + 'static,
{
    #[allow(unused_macros)]
    macro_rules! mount {
        ($router:ident, $field:ident, $path:literal, $methods:expr) => {
            if let Some(verifier) = config.$field {
                config.health.watch(verifier.provider());
                let verifier = Arc::new(verifier);
                let inbox = inbox.clone();
                let health = config.health.clone();
                $router = $router.route(
                    $path,
                    on($methods, move |request: ::axum::extract::Request| {
                        accept_owned(
                            Arc::clone(&verifier),
                            inbox.clone(),
                            health.clone(),
                            request,
                        )
                    }),
                );
            }
        };
    }
    #[allow(unused_mut)]
    let mut router = Router::new();
    mount_every_provider!(mount, router);
    let _ = (&inbox, &config.listen_addr);
    router
}

/// The ready receiver: every provider configured in `config` under `/webhooks/<provider>`,
/// each delivery handed to `handler` as an [`AnyDelivery`], answered with its [`Reply`].
///
/// | route | provider |
/// |---|---|
/// | `POST /webhooks/wakilni` | Wakilni |
/// | `POST /webhooks/peddler` | Peddler |
/// | `POST /webhooks/xoxoday` | Xoxoday |
/// | `POST /webhooks/isendu` | isendu (the handshake is answered from the reply) |
/// | `POST /webhooks/skladon/<token>/<TYPE>`, `GET /webhooks/skladon/<token>/<TYPE>/<id>` | Skladon |
///
/// A provider that is not configured has no route (404); another method is 405. Serve the
/// router with `into_make_service_with_connect_info::<SocketAddr>()` for Xoxoday's source
/// check. `handler` returns `()` or a `Result` (see [`Handled`]).
///
/// Every delivery's outcome is recorded into [`Config::health`] (keep a clone to serve its
/// report); with feature `tracing` each runs in a `webhook_delivery` span, and with `metrics`
/// it is counted, unknown events and statuses included (see [`telemetry`](crate::telemetry)).
pub fn router<H, Fut>(config: Config, handler: H) -> Router
where
    H: Fn(AnyDelivery) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Handled,
{
    // Each provider's `Delivery<P>` is converted into `AnyDelivery` before the handler.
    #[allow(unused_macros)]
    macro_rules! mount {
        ($router:ident, $field:ident, $path:literal, $methods:expr) => {
            if let Some(verifier) = config.$field {
                let handler = handler.clone();
                config.health.watch(verifier.provider());
                let on_delivery = move |delivery| {
                    let delivery = AnyDelivery::from(delivery);
                    telemetry::inspect(&delivery);
                    handler(delivery)
                };
                let health = Some(config.health.clone());
                $router = $router.route(
                    $path,
                    route_on($methods, Arc::new(verifier), on_delivery, health),
                );
            }
        };
    }
    #[allow(unused_mut)]
    let mut router = Router::new();
    mount_every_provider!(mount, router);
    let _ = (&handler, &config.listen_addr);
    router
}
