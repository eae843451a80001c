//! Inbox mode: each verified delivery is stored before it is answered.

use super::extract::{read_with_body, target};
use super::respond::{problem_response, reply_response};
use crate::any::AnyDelivery;
use crate::config::Config;
use crate::delivery::{Delivery, Receive};
use crate::problem::Problem;
use crate::telemetry::{self, Health, Observer};
use actix_web::{HttpRequest, HttpResponse, web};

/// Verifies a call (its head before its body), then accepts it into `inbox` (see
/// [`inbox_router`]), observed as in [`router`](super::router): the same span, counts and health record.
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
        // The head before the body, as every mode reads a call.
        let received = read_with_body(receiver, request, payload.into_inner(), &mut observer).await;
        let (delivery, body): (AnyDelivery, _) = match received {
            Ok((delivery, body)) => (delivery.into(), body),
            Err(err) => {
                observer.rejected(&err);
                return problem_response(&Problem::from_error(&err));
            }
        };
        telemetry::inspect(&delivery);
        let mut body = body;
        let raw = || {
            crate::adapters::raw_delivery(
                request.method().as_str(),
                target(request),
                request.peer_addr().map(|peer| peer.ip()),
                request
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
                body.take_vec(),
            )
        };
        match crate::adapters::store(inbox, delivery, raw).await {
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

/// The ready receiver in inbox mode: the routes of [`router`](super::router), but each verified delivery is
/// accepted into `inbox` (stored durably, or recognised as a duplicate by its dedup key) and
/// answered at once with its reply (an empty 200, also for a duplicate), without waiting for
/// any processing. Process the inbox with a [`Worker`](crate::inbox::Worker).
///
/// isendu's handshake is answered synchronously and not stored; if the inbox cannot store a
/// delivery, the answer is `503` with `Retry-After` and a problem body, so that the provider
/// sends it again.
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
/// let addr = config.listen_addr.clone();
/// let inbox = SqliteInbox::open(
///     config.database_url().unwrap_or("webhooks.db"),
///     InboxOptions::default(),
/// ).await?;
/// HttpServer::new(move || {
///     App::new().service(delivery_webhooks::actix::inbox_router(config.clone(), inbox.clone()))
/// })
/// .bind(addr)?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(all(feature = "actix", feature = "inbox"))))]
#[must_use]
pub fn inbox_router<I>(config: Config, inbox: I) -> actix_web::Scope
where
    I: crate::inbox::Inbox + Clone + 'static,
{
    crate::adapters::budget::BodyBudget::configure(config.body_budget);
    #[allow(unused_macros)]
    macro_rules! mount {
        ($scope:ident, $field:ident, $path:expr, $get_too:expr) => {
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
    let mut scope = web::scope("");
    mount_every_provider!(mount, scope);
    let _ = (&inbox, &config.listen_addr);
    scope
}
