//! Inbox mode: each verified delivery is stored before it is answered.

use super::extract::{peer, read_with_body, target};
use crate::any::AnyDelivery;
use crate::config::Config;
use crate::delivery::{Delivery, Receive};
use crate::telemetry::{self, Health, Observer};
use ::axum::Router;
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodFilter, on};
use std::sync::Arc;

/// Verifies a call (its head before its body), then accepts it into `inbox` (see
/// [`inbox_router`]), observed as in [`router`](super::router): the same span, counts and health record.
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
        // The head before the body, as every mode reads a call.
        let received = read_with_body(receiver, &parts, body, &mut observer).await;
        let (delivery, body): (AnyDelivery, _) = match received {
            Ok((delivery, body)) => (delivery.into(), body),
            Err(err) => {
                observer.rejected(&err);
                return err.into_response();
            }
        };
        telemetry::inspect(&delivery);
        let mut body = body;
        let raw = || {
            crate::adapters::raw_delivery(
                parts.method.as_str(),
                target(&parts),
                peer(&parts),
                parts
                    .headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
                body.take_vec(),
            )
        };
        match crate::adapters::store(inbox, delivery, raw).await {
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

/// The ready receiver in inbox mode: the routes of [`router`](super::router), but each verified delivery is
/// accepted into `inbox` (stored durably, or recognised as a duplicate by its dedup key) and
/// answered at once with its reply (an empty 200, also for a duplicate), without waiting for
/// any processing. Process the inbox with a [`Worker`](crate::inbox::Worker).
///
/// isendu's handshake is answered synchronously and not stored. If the inbox cannot store a
/// delivery, the answer is `503` with `Retry-After` and a problem body, so that the provider
/// sends it again.
///
/// ```no_run
/// # #[cfg(feature = "inbox-sqlite")]
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::net::SocketAddr;
/// use delivery_webhooks::Config;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
///
/// let config = Config::from_env()?;
/// let listener = tokio::net::TcpListener::bind(config.listen_addr.as_str()).await?;
/// let inbox = SqliteInbox::open(
///     config.database_url().unwrap_or("webhooks.db"),
///     InboxOptions::default(),
/// ).await?;
/// let app = delivery_webhooks::axum::inbox_router(config, inbox);
/// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(all(feature = "axum", feature = "inbox"))))]
pub fn inbox_router<I>(config: Config, inbox: I) -> Router
where
    I: crate::inbox::Inbox + Clone + 'static,
{
    crate::adapters::budget::BodyBudget::configure(config.body_budget);
    #[allow(unused_macros)]
    macro_rules! mount {
        ($router:ident, $field:ident, $path:expr, $methods:expr) => {
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
