//! Routing: a route for one [`Receive`], the ready router for every configured provider, and its inbox mode.

use super::extract::{read, with_headers};
use crate::adapters::NOT_HANDLED;
use crate::any::AnyDelivery;
use crate::config::Config;
use crate::delivery::{Delivery, Receive};
use crate::outcome::HandlerOutcome;
use crate::problem::Problem;
use crate::telemetry::{self, Health, Observer, Stopwatch};
use ::axum::Router;
use ::axum::extract::State;
use ::axum::response::IntoResponse;
use ::axum::routing::{MethodFilter, MethodRouter, on};
use std::future::Future;
use std::sync::Arc;
/// A `POST` route for any [`Receive`]: verifies and parses each call with [`Webhook`](super::Webhook), calls
/// `handler` with the [`Delivery`], and answers its [`Reply`](crate::reply::Reply) (500 when the handler says it
/// did not take care of it, see [`HandlerOutcome`]).
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
pub fn route<R, H, Fut>(receiver: R, handler: H) -> MethodRouter
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutcome,
{
    route_on(MethodFilter::POST, Arc::new(receiver), handler, None)
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
pub fn route_with_health<R, H, Fut>(receiver: R, handler: H, health: Health) -> MethodRouter
where
    R: Receive + Send + Sync + 'static,
    R::Payload: Send + 'static,
    H: Fn(Delivery<R::Payload>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutcome,
{
    health.watch(receiver.provider());
    route_on(
        MethodFilter::POST,
        Arc::new(receiver),
        handler,
        Some(health),
    )
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
    Fut::Output: HandlerOutcome,
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
                Ok(delivery) => {
                    let delivery = with_headers(delivery, parts);
                    (delivery.reply.clone(), handler(delivery))
                }
                Err(err) => {
                    observer.rejected(&err);
                    return err.into_response();
                }
            };
            let started = Stopwatch::start();
            let outcome = handling.await.into_outcome();
            if observer.handled(reply.status_code(), outcome, &started) {
                reply.into_response()
            } else {
                Problem::new(500, NOT_HANDLED).into_response()
            }
        })
    };
    on(methods, call).with_state(receiver)
}

/// The ready receiver: every provider configured in `config` under `/webhooks/<provider>`,
/// each delivery handed to `handler` as an [`AnyDelivery`], answered with its [`Reply`](crate::reply::Reply).
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
/// check. `handler` returns `()` or a `Result` (see [`HandlerOutcome`]).
///
/// Every delivery's outcome is recorded into [`Config::health`] (keep a clone to serve its
/// report); with feature `tracing` each runs in a `webhook_delivery` span, and with `metrics`
/// it is counted, unknown events and statuses included (see [`telemetry`](crate::telemetry)).
pub fn router<H, Fut>(config: Config, handler: H) -> Router
where
    H: Fn(AnyDelivery) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutcome,
{
    crate::adapters::budget::BodyBudget::configure(config.body_budget);
    // Each provider's `Delivery<P>` is converted into `AnyDelivery` before the handler.
    #[allow(unused_macros)]
    macro_rules! mount {
        ($router:ident, $field:ident, $path:expr, $methods:expr) => {
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
