//! Routing: a resource for one [`Receive`], the ready scope for every configured provider, and its inbox mode.

use super::extract::read;
use super::respond::{problem_response, reply_response};
use crate::adapters::NOT_HANDLED;
use crate::any::AnyDelivery;
use crate::config::Config;
use crate::delivery::{Delivery, Receive};
use crate::outcome::HandlerOutcome;
use crate::problem::Problem;
use crate::telemetry::{self, Health, Observer, Stopwatch};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Resource, web};
use std::future::Future;
/// The raw request and its body stream, for a handler that reads the body itself.
struct Raw(HttpRequest, Payload);

impl FromRequest for Raw {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Raw(request.clone(), payload.take())))
    }
}

/// A `POST` route for any [`Receive`]: verifies and parses each call with
/// [`Webhook`](super::Webhook), calls `handler` with the [`Delivery`], and answers its
/// [`Reply`](crate::reply::Reply) (500 when the handler says it did not take care of it, see
/// [`HandlerOutcome`]). The same shape as axum's [`route`][axum-route]: mount it at a path of
/// your own.
///
/// Each call runs in a `webhook_delivery` span (feature `tracing`) and is counted (feature
/// `metrics`); to record endpoint health too, use [`route_with_health`].
///
/// ```no_run
/// use actix_web::{App, web};
/// use delivery_webhooks::{Delivery, wakilni};
///
/// # fn app() -> Result<(), delivery_webhooks::Error> {
/// let verifier = wakilni::Verifier::new("wk-secret")?;
/// let app = App::new().service(web::resource("/hooks/wakilni").route(
///     delivery_webhooks::actix::route(verifier, |d: Delivery<wakilni::Event>| async move {
///         println!("{}", d.payload.event_name())
///     }),
/// ));
/// # let _ = app; Ok(()) }
/// ```
#[doc = ""]
#[cfg_attr(feature = "axum", doc = "[axum-route]: crate::axum::route")]
#[cfg_attr(not(feature = "axum"), doc = "[axum-route]: crate#features")]
pub fn route<R, H, Fut>(receiver: R, handler: H) -> actix_web::Route
where
    R: Receive + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: HandlerOutcome,
{
    web::post().to(call(receiver, handler, None))
}

/// [`route`], recording each delivery's outcome into `health` too (see
/// [`Health`](crate::telemetry::Health) for what counts as a failure).
///
/// ```no_run
/// use actix_web::{App, web};
/// use delivery_webhooks::telemetry::Health;
/// use delivery_webhooks::{Delivery, wakilni};
///
/// # fn app() -> Result<(), delivery_webhooks::Error> {
/// let health = Health::new();
/// let verifier = wakilni::Verifier::new("wk-secret")?;
/// let handler = |d: Delivery<wakilni::Event>| async move { println!("{}", d.dedup_key()) };
/// let app = App::new().service(web::resource("/hooks/wakilni").route(
///     delivery_webhooks::actix::route_with_health(verifier, handler, health.clone()),
/// ));
/// # let _ = app; Ok(()) }
/// ```
pub fn route_with_health<R, H, Fut>(receiver: R, handler: H, health: Health) -> actix_web::Route
where
    R: Receive + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: HandlerOutcome,
{
    health.watch(receiver.provider());
    web::post().to(call(receiver, handler, Some(health)))
}

/// The handler of a route: reads, verifies and parses a call, hands the delivery to `handler`
/// and answers. One for every method a resource takes.
fn call<R, H, Fut>(
    receiver: R,
    handler: H,
    health: Option<Health>,
) -> impl Fn(Raw) -> std::pin::Pin<Box<dyn Future<Output = HttpResponse>>> + Clone + 'static
where
    R: Receive + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: HandlerOutcome,
{
    let receiver = web::Data::new(receiver);
    move |Raw(request, payload): Raw| {
        let handler = handler.clone();
        let receiver = receiver.clone();
        let mut observer = Observer::new(receiver.provider(), health.clone());
        Box::pin(telemetry::instrument(observer.span(), async move {
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
            let outcome = handling.await.into_outcome();
            if observer.handled(reply.status_code(), outcome, &started) {
                reply_response(&reply)
            } else {
                problem_response(&Problem::new(500, NOT_HANDLED))
            }
        }))
    }
}

/// A resource at `path` taking `POST` (and `GET` too, for Skladon) through [`call`].
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
    Fut::Output: HandlerOutcome,
{
    let call = call(receiver, handler, health);
    let mut resource = web::resource(path).route(web::post().to(call.clone()));
    if get_too {
        resource = resource.route(web::get().to(call));
    }
    resource
}

/// The ready receiver (the same name and shape as axum's [`router`][axum-router]): an
/// actix `Scope` with every provider configured in
/// `config` at `/webhooks/<provider>`, each delivery handed to `handler` as an
/// [`AnyDelivery`] and answered with its [`Reply`](crate::reply::Reply).
///
/// The routes are those of axum's [`router`][axum-router]: `POST` for Wakilni, Peddler,
/// Xoxoday and isendu (whose handshake is answered from the reply), `GET` and `POST
/// /webhooks/skladon/<token>/<TYPE>[/<id>]` for Skladon. A provider that is not configured has
/// no route (404); another method is 405. `handler` returns `()` or a `Result` (see
/// [`HandlerOutcome`]). Build the scope inside `HttpServer::new`'s factory: `Config` is `Clone`, and
/// its clones share one [`Config::health`], where every delivery's outcome is recorded. With
/// feature `tracing` each delivery runs in a `webhook_delivery` span, and with `metrics` it is
/// counted, unknown events and statuses included (see [`telemetry`](crate::telemetry)).
#[doc = ""]
#[cfg_attr(feature = "axum", doc = "[axum-router]: crate::axum::router")]
#[cfg_attr(not(feature = "axum"), doc = "[axum-router]: crate#features")]
#[must_use]
pub fn router<H, Fut>(config: Config, handler: H) -> actix_web::Scope
where
    H: Fn(AnyDelivery) -> Fut + Clone + 'static,
    Fut: Future + 'static,
    Fut::Output: HandlerOutcome,
{
    crate::adapters::budget::BodyBudget::configure(config.body_budget);
    // Each provider's `Delivery<P>` is converted into `AnyDelivery` before the handler.
    #[allow(unused_macros)]
    macro_rules! mount {
        ($scope:ident, $field:ident, $path:expr, $get_too:expr) => {
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
    let mut scope = web::scope("");
    mount_every_provider!(mount, scope);
    let _ = (&handler, &config.listen_addr);
    scope
}
