//! actix-web 4: the [`Webhook`] extractor for any [`Receive`], `ResponseError` for [`Error`],
//! `Responder` for [`Reply`], and a ready [`scope`] for every configured provider.
//!
//! # A ready receiver
//! [`scope`] mounts every provider of a [`Config`] under `/webhooks/<provider>` and calls one
//! handler with each [`AnyDelivery`], answering isendu's handshake, reading Skladon's token,
//! type and id from the path, refusing what does not verify with a problem body (RFC 9457), and
//! reading a body only up to the verifier's [`body_limit`](Receive::body_limit) (413).
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use delivery_webhooks::{AnyDelivery, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let addr = config.listen_addr;
//! HttpServer::new(move || {
//!     let handler = |delivery: AnyDelivery| async move {
//!         println!("{}: {}", delivery.provider(), delivery.dedup_key());
//!     };
//!     App::new().service(delivery_webhooks::actix::scope(config.clone(), handler))
//! })
//! .bind(addr)?
//! .run()
//! .await?;
//! # Ok(()) }
//! ```
//!
//! # One provider in your own route
//! [`Webhook<R>`] takes its verifier from the app data as `web::Data<R>`:
//!
//! ```no_run
//! use actix_web::{App, web};
//! use delivery_webhooks::actix::Webhook;
//! use delivery_webhooks::{Reply, wakilni};
//!
//! async fn wakilni_hook(Webhook(delivery): Webhook<wakilni::Verifier>) -> Reply {
//!     println!("{} ({})", delivery.payload.event_name(), delivery.dedup_key());
//!     delivery.reply
//! }
//!
//! # fn app() -> Result<(), delivery_webhooks::Error> {
//! let verifier = web::Data::new(wakilni::Verifier::new("wk-secret")?);
//! let app = App::new()
//!     .app_data(verifier)
//!     .route("/webhooks/wakilni", web::post().to(wakilni_hook));
//! # let _ = app; Ok(()) }
//! ```
//!
//! # The request the verifier sees
//! First the head: a `Content-Length` over [`Receive::body_limit`] is refused (413), then
//! [`Receive::verify_head`] checks what the head proves (a header or URL token, the source
//! address), so a sender without a credential is answered before its body is read. Then the
//! body as received, read up to [`Receive::body_limit`] within [`Receive::body_timeout`] (408;
//! actix's `PayloadConfig` does not apply); the headers
//! (actix's `HeaderMap` implements [`Headers`](crate::Headers) with this feature); the TCP peer
//! address (`HttpRequest::peer_addr`); and the full path and query as sent, so Skladon's mount
//! point is the full public path: a [`scope`] inside `web::scope("/api")` means
//! `skladon::Verifier::mounted_at("/api/webhooks/skladon")`.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Resource, Responder, ResponseError, web};

use super::{Collected, Handled, NOT_HANDLED, check_declared, collect};
use crate::any::AnyDelivery;
use crate::config::Config;
use crate::delivery::{Delivery, Receive, Reply};
use crate::error::Error;
use crate::headers::Headers;
use crate::problem::Problem;
use crate::request::Request;
use crate::telemetry::{self, Health, Observer, Stopwatch};

/// Extracts a verified, parsed [`Delivery`] of `R`'s provider, or answers the [`Error`] with a
/// problem body.
///
/// The verifier comes from the app data as `web::Data<R>` (a missing one is a 500). It reads
/// the body, so it must be the handler's last extractor.
#[derive(Debug)]
pub struct Webhook<R: Receive>(pub Delivery<R::Payload>);

impl<R> FromRequest for Webhook<R>
where
    R: Receive + 'static,
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
            Ok(Webhook(
                receive(receiver.get_ref(), &request, payload).await?,
            ))
        })
    }
}

/// Reads `payload` up to `receiver`'s limit, then verifies and parses the call: what
/// [`Webhook`] does, for a handler that holds its verifier otherwise.
///
/// # Errors
/// [`Error::BodyTooLarge`] as soon as the body passes the limit, [`Error::IncompleteBody`] when
/// it cannot be read, then those of [`Receive::receive`].
///
/// With feature `tracing`, the call runs in a `webhook_delivery` span; with `metrics`, it is
/// counted (see [`telemetry`](crate::telemetry)). Endpoint health is recorded by [`scope`]
/// and [`resource_with_health`] only, which know the handler's outcome.
pub async fn receive<R: Receive + ?Sized>(
    receiver: &R,
    request: &HttpRequest,
    payload: Payload,
) -> Result<Delivery<R::Payload>, Error> {
    let mut observer = Observer::new(receiver.provider(), None);
    telemetry::instrument(observer.span(), async move {
        let received = read(receiver, request, payload, &mut observer).await;
        observer.conclude(received)
    })
    .await
}

/// Reads the body under the limit, then verifies and parses through `observer`.
async fn read<R: Receive + ?Sized>(
    receiver: &R,
    request: &HttpRequest,
    payload: Payload,
    observer: &mut Observer,
) -> Result<Delivery<R::Payload>, Error> {
    // A declared size over the limit, then the head: a sender without a credential is
    // answered before one body byte is read.
    check_declared(content_length(request), receiver.body_limit())?;
    observer
        .verify_head(receiver, &view(request, &[]))
        .map_err(explain)?;
    let body = read_body(receiver, request, payload).await?;
    observer.receive(receiver, &view(request, body.as_slice()))
}

/// The body of `request`, read under `receiver`'s limit and within its time.
async fn read_body<R: Receive + ?Sized>(
    receiver: &R,
    request: &HttpRequest,
    payload: Payload,
) -> Result<Collected<Bytes>, Error> {
    let after = receiver.body_timeout();
    let collected = collect(payload, content_length(request), receiver.body_limit());
    actix_web::rt::time::timeout(after, collected)
        .await
        .unwrap_or(Err(Error::BodyTimeout { after }))
}

/// Says why the peer address is missing, where a verifier needed it (Xoxoday's source check):
/// actix gives none for a request that came over a Unix socket.
fn explain(err: Error) -> Error {
    match err {
        Error::MissingRequestPart {
            part: "peer address",
        } => Error::MissingRequestPart {
            part: "peer address: actix gave none (a Unix socket listener?); \
                   serve the scope from a TCP listener",
        },
        other => other,
    }
}

/// The `Content-Length` header's value, if sent.
fn content_length(request: &HttpRequest) -> Option<&[u8]> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .map(HeaderValue::as_bytes)
}

/// The path and query as the client sent them.
fn target(request: &HttpRequest) -> &str {
    let uri = request.uri();
    uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
}

/// What the verifier sees of `request` and its body.
fn view<'a>(request: &'a HttpRequest, body: &'a [u8]) -> Request<'a> {
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

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn problem_response(problem: &Problem) -> HttpResponse {
    HttpResponse::build(status(problem.status_code()))
        .content_type(Problem::CONTENT_TYPE)
        .body(problem.to_json())
}

impl ResponseError for Error {
    /// [`Error::status_code`].
    fn status_code(&self) -> StatusCode {
        status(Error::status_code(self))
    }

    /// A [`Problem`] body saying why (never a secret).
    fn error_response(&self) -> HttpResponse<BoxBody> {
        problem_response(&Problem::from_error(self))
    }
}

impl Responder for Problem {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse<BoxBody> {
        problem_response(&self)
    }
}

impl Responder for Reply {
    type Body = BoxBody;

    /// The reply's status, content type and body. A reply holding a secret (isendu's handshake
    /// answer) is also marked `Cache-Control: no-store`.
    fn respond_to(self, _: &HttpRequest) -> HttpResponse<BoxBody> {
        reply_response(&self)
    }
}

fn reply_response(reply: &Reply) -> HttpResponse {
    let mut response = HttpResponse::build(status(reply.status_code()));
    if let Some(content_type) = reply.content_type() {
        response.content_type(content_type);
    }
    if reply.holds_secret() {
        response.insert_header((header::CACHE_CONTROL, "no-store"));
    }
    response.body(reply.body().to_vec())
}

/// The raw request and its body stream, for a handler that reads the body itself.
struct Raw(HttpRequest, Payload);

impl FromRequest for Raw {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Raw(request.clone(), payload.take())))
    }
}

/// A resource at `path` for any [`Receive`], accepting `POST`: verifies and parses each call
/// with [`Webhook`], calls `handler` with the [`Delivery`], and answers its [`Reply`] (500
/// when the handler says it did not take care of it, see [`Handled`]).
///
/// Each call runs in a `webhook_delivery` span (feature `tracing`) and is counted (feature
/// `metrics`); to record endpoint health too, use [`resource_with_health`].
///
/// ```no_run
/// use actix_web::App;
/// use delivery_webhooks::{Delivery, wakilni};
///
/// # fn app() -> Result<(), delivery_webhooks::Error> {
/// let verifier = wakilni::Verifier::new("wk-secret")?;
/// let app = App::new().service(delivery_webhooks::actix::resource(
///     "/hooks/wakilni",
///     verifier,
///     |d: Delivery<wakilni::Event>| async move { println!("{}", d.payload.event_name()) },
/// ));
/// # let _ = app; Ok(()) }
/// ```
pub fn resource<R, H, Fut>(path: &str, receiver: R, handler: H) -> Resource
where
    R: Receive + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: Handled,
{
    resource_on(path, false, receiver, handler, None)
}

/// [`resource`], recording each delivery's outcome into `health` too (see
/// [`Health`](crate::telemetry::Health) for what counts as a failure).
///
/// ```no_run
/// use actix_web::App;
/// use delivery_webhooks::telemetry::Health;
/// use delivery_webhooks::{Delivery, wakilni};
///
/// # fn app() -> Result<(), delivery_webhooks::Error> {
/// let health = Health::new();
/// let verifier = wakilni::Verifier::new("wk-secret")?;
/// let handler = |d: Delivery<wakilni::Event>| async move { println!("{}", d.dedup_key()) };
/// let app = App::new().service(delivery_webhooks::actix::resource_with_health(
///     "/hooks/wakilni",
///     verifier,
///     handler,
///     health.clone(),
/// ));
/// # let _ = app; Ok(()) }
/// ```
pub fn resource_with_health<R, H, Fut>(
    path: &str,
    receiver: R,
    handler: H,
    health: Health,
) -> Resource
where
    R: Receive + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: Handled,
{
    health.watch(receiver.provider());
    resource_on(path, false, receiver, handler, Some(health))
}

fn resource_on<R, H, Fut>(
    path: &str,
    get_too: bool,
    receiver: R,
    handler: H,
    health: Option<Health>,
) -> Resource
where
    R: Receive + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: Handled,
{
    let receiver = web::Data::new(receiver);
    let call = move |Raw(request, payload): Raw| {
        let handler = handler.clone();
        let receiver = receiver.clone();
        let mut observer = Observer::new(receiver.provider(), health.clone());
        telemetry::instrument(observer.span(), async move {
            let received = read(receiver.get_ref(), &request, payload, &mut observer).await;
            // The delivery lives in this match only, so that the future does not keep a copy
            // of it beside the handler's while the handler runs.
            let (reply, handling) = match received {
                // Cloned so that the handler still sees the whole delivery; both copies wipe a
                // secret.
                Ok(delivery) => (delivery.reply.clone(), handler(delivery)),
                Err(err) => {
                    observer.rejected(&err);
                    return problem_response(&Problem::from_error(&err));
                }
            };
            let started = Stopwatch::start();
            let handled = handling.await.is_handled();
            if observer.handled(reply.status_code(), handled, &started) {
                reply_response(&reply)
            } else {
                problem_response(&Problem::new(500, NOT_HANDLED))
            }
        })
    };
    let mut resource = web::resource(path).route(web::post().to(call.clone()));
    if get_too {
        resource = resource.route(web::get().to(call));
    }
    resource
}

/// Verifies a call (its head before its body), then accepts it into `inbox` (see
/// [`inbox_scope`]), observed as in [`scope`]: the same span, counts and health record.
#[cfg(feature = "inbox")]
async fn accept_call<R, I>(
    receiver: &R,
    inbox: &I,
    health: Health,
    request: &HttpRequest,
    payload: web::Payload,
) -> HttpResponse
where
    R: Receive + ?Sized,
    Delivery<R::Payload>: Into<AnyDelivery>,
    I: crate::inbox::Inbox + ?Sized,
{
    let mut observer = Observer::new(receiver.provider(), Some(health));
    telemetry::instrument(observer.span(), async move {
        // The head first: a sender without a credential is answered before one body byte is
        // read.
        let head = check_declared(content_length(request), receiver.body_limit())
            .and_then(|()| observer.verify_head(receiver, &view(request, &[])))
            .map_err(explain);
        let body = match head {
            Ok(()) => read_body(receiver, request, payload.into_inner()).await,
            Err(err) => Err(err),
        };
        let received = body.and_then(|body| {
            let delivery = observer.receive(receiver, &view(request, body.as_slice()))?;
            Ok((delivery, body))
        });
        let (delivery, body): (AnyDelivery, _) = match received {
            Ok((delivery, body)) => (delivery.into(), body),
            Err(err) => {
                observer.rejected(&err);
                return problem_response(&Problem::from_error(&err));
            }
        };
        telemetry::inspect(&delivery);
        let raw = || {
            super::raw_delivery(
                request.method().as_str(),
                target(request),
                request.peer_addr().map(|peer| peer.ip()),
                request
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
                body.as_slice(),
            )
        };
        match super::store(inbox, delivery, raw).await {
            Ok(reply) => {
                observer.accepted(reply.status_code());
                reply_response(&reply)
            }
            Err(problem) => {
                observer.not_stored();
                problem_response(&problem)
            }
        }
    })
    .await
}

/// Invokes the local `$mount!` once per enabled provider with its path under `/webhooks` and
/// whether GET is routed too: the one list of routes both ready scopes mount. Skladon's verifier
/// reads token, type and id from the path under its route itself.
macro_rules! mount_every_provider {
    ($mount:ident, $scope:ident) => {
        #[cfg(feature = "wakilni")]
        $mount!($scope, wakilni, "/wakilni", false);
        #[cfg(feature = "peddler")]
        $mount!($scope, peddler, "/peddler", false);
        #[cfg(feature = "xoxoday")]
        $mount!($scope, xoxoday, "/xoxoday", false);
        #[cfg(feature = "isendu")]
        $mount!($scope, isendu, "/isendu", false);
        #[cfg(feature = "skladon")]
        $mount!($scope, skladon, "/skladon/{rest:.*}", true);
    };
}

/// The ready receiver in inbox mode: the routes of [`scope`], but each verified delivery is
/// accepted into `inbox` (stored durably, or recognised as a duplicate by its dedup key) and
/// answered at once with its reply (an empty 200, also for a duplicate), without waiting for
/// any processing. Process the inbox with a [`Worker`](crate::inbox::Worker).
///
/// isendu's handshake is answered synchronously and not stored; if the inbox cannot store a
/// delivery, the answer is `500` with a problem body, so that the provider sends it again.
/// Open the inbox once, before `HttpServer::new`, on a tokio runtime that outlives the
/// server (its writer task runs there), and clone it into the factory.
///
/// ```no_run
/// # #[cfg(feature = "inbox-sqlite")]
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use actix_web::{App, HttpServer};
/// use delivery_webhooks::Config;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
///
/// let config = Config::from_env()?;
/// let addr = config.listen_addr;
/// let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
/// HttpServer::new(move || {
///     App::new().service(delivery_webhooks::actix::inbox_scope(config.clone(), inbox.clone()))
/// })
/// .bind(addr)?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "inbox")]
#[cfg_attr(docsrs, doc(cfg(all(feature = "actix", feature = "inbox"))))]
#[must_use]
pub fn inbox_scope<I>(config: Config, inbox: I) -> actix_web::Scope
where
    I: crate::inbox::Inbox + Clone + 'static,
{
    #[allow(unused_macros)]
    macro_rules! mount {
        ($scope:ident, $field:ident, $path:literal, $get_too:expr) => {
            if let Some(verifier) = config.$field {
                config.health.watch(verifier.provider());
                let verifier = std::rc::Rc::new(verifier);
                let inbox = inbox.clone();
                let health = config.health.clone();
                let call = move |request: HttpRequest, payload: web::Payload| {
                    let (verifier, inbox) = (std::rc::Rc::clone(&verifier), inbox.clone());
                    let health = health.clone();
                    async move { accept_call(&*verifier, &inbox, health, &request, payload).await }
                };
                let mut resource = web::resource($path).route(web::post().to(call.clone()));
                if $get_too {
                    resource = resource.route(web::get().to(call));
                }
                $scope = $scope.service(resource);
            }
        };
    }
    #[allow(unused_mut)]
    let mut scope = web::scope("/webhooks");
    mount_every_provider!(mount, scope);
    let _ = (&inbox, &config.listen_addr);
    scope
}

/// The ready receiver: a `web::scope("/webhooks")` with every provider configured in
/// `config` at `/webhooks/<provider>`, each delivery handed to `handler` as an
/// [`AnyDelivery`] and answered with its [`Reply`].
///
/// The routes are those of axum's [`router`](crate::axum::router): `POST` for Wakilni, Peddler,
/// Xoxoday and isendu (whose handshake is answered from the reply), `GET` and `POST
/// /webhooks/skladon/<token>/<TYPE>[/<id>]` for Skladon. A provider that is not configured has
/// no route (404); another method is 405. `handler` returns `()` or a `Result` (see
/// [`Handled`]). Build the scope inside `HttpServer::new`'s factory: `Config` is `Clone`, and
/// its clones share one [`Config::health`], where every delivery's outcome is recorded. With
/// feature `tracing` each delivery runs in a `webhook_delivery` span, and with `metrics` it is
/// counted, unknown events and statuses included (see [`telemetry`](crate::telemetry)).
#[must_use]
pub fn scope<H, Fut>(config: Config, handler: H) -> actix_web::Scope
where
    H: Fn(AnyDelivery) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: Handled,
{
    // Each provider's `Delivery<P>` is converted into `AnyDelivery` before the handler.
    #[allow(unused_macros)]
    macro_rules! mount {
        ($scope:ident, $field:ident, $path:literal, $get_too:expr) => {
            if let Some(verifier) = config.$field {
                let handler = handler.clone();
                config.health.watch(verifier.provider());
                let on_delivery = move |delivery| {
                    let delivery = AnyDelivery::from(delivery);
                    telemetry::inspect(&delivery);
                    handler(delivery)
                };
                let health = Some(config.health.clone());
                $scope =
                    $scope.service(resource_on($path, $get_too, verifier, on_delivery, health));
            }
        };
    }
    #[allow(unused_mut)]
    let mut scope = web::scope("/webhooks");
    mount_every_provider!(mount, scope);
    let _ = (&handler, &config.listen_addr);
    scope
}
