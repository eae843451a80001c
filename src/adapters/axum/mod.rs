//! axum 0.8: the [`Webhook`] extractor for any [`Receive`](crate::delivery::Receive), answers for [`Error`](crate::error::Error) and
//! [`Reply`](crate::reply::Reply), and a ready [`router`] for every configured provider.
//!
//! # A ready receiver
//! [`router`] mounts every provider of a [`Config`](crate::config::Config) under `/webhooks/<provider>` and calls one
//! handler with each [`AnyDelivery`](crate::any::AnyDelivery). It answers isendu's handshake, reads Skladon's token, type
//! and id from the path, refuses what does not verify with a problem body (RFC 9457), and stops
//! reading a body at the verifier's [`body_limit`](crate::delivery::Receive::body_limit) (413).
//!
//! ```no_run
//! use std::net::{IpAddr, SocketAddr};
//! use delivery_webhooks::{AnyDelivery, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let listener = tokio::net::TcpListener::bind(config.listen_addr.as_str()).await?;
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
//! - first the head: a `Content-Length` over [`Receive::body_limit`](crate::delivery::Receive::body_limit) is refused (413), then
//!   [`Receive::verify_head`](crate::delivery::Receive::verify_head) checks what the head proves (a header or URL token, the source
//!   address), so a sender without a credential is answered before its body is read;
//! - then the body as received, read up to [`Receive::body_limit`](crate::delivery::Receive::body_limit) (413 as soon as it passes)
//!   within [`Receive::body_timeout`](crate::delivery::Receive::body_timeout) (408). axum's `DefaultBodyLimit` does not apply: the
//!   limit is the verifier's (16 MiB unless set with `body_limit`). The timeout needs tokio's
//!   time driver (on with `#[tokio::main]`).
//! - the peer address from `ConnectInfo<SocketAddr>`, when the app is served with
//!   `into_make_service_with_connect_info::<SocketAddr>()`; without it Xoxoday answers 500.
//! - the path and query as the client sent them (axum's `OriginalUri`, also inside
//!   `Router::nest`): Skladon's mount point is the full public path. Nesting [`router`] under
//!   `/api` means `skladon::Verifier::mounted_at("/api/webhooks/skladon")`.

/// Invokes the local `$mount!` once per enabled provider with its route and methods: the one
/// list of routes both ready routers mount. Skladon's verifier reads token, type and id from the
/// path under its route itself.
macro_rules! mount_every_provider {
    ($mount:ident, $router:ident) => {
        #[cfg(feature = "wakilni")]
        $mount!(
            $router,
            wakilni,
            $crate::delivery::Provider::Wakilni.route(),
            MethodFilter::POST
        );
        #[cfg(feature = "peddler")]
        $mount!(
            $router,
            peddler,
            $crate::delivery::Provider::Peddler.route(),
            MethodFilter::POST
        );
        #[cfg(feature = "xoxoday")]
        $mount!(
            $router,
            xoxoday,
            $crate::delivery::Provider::Xoxoday.route(),
            MethodFilter::POST
        );
        #[cfg(feature = "isendu")]
        $mount!(
            $router,
            isendu,
            $crate::delivery::Provider::Isendu.route(),
            MethodFilter::POST
        );
        #[cfg(feature = "skladon")]
        $mount!(
            $router,
            skladon,
            &format!("{}/{{*rest}}", $crate::delivery::Provider::Skladon.route()),
            MethodFilter::GET.or(MethodFilter::POST)
        );
    };
}

#[cfg(feature = "console-web")]
mod console;
mod extract;
#[cfg(all(feature = "inbox", any_provider))]
mod inbox;
mod respond;
mod route;

pub use crate::adapters::budget::{BodyBudget, SMALL_BODY};
#[cfg(feature = "console-web")]
#[cfg_attr(docsrs, doc(cfg(feature = "console-web")))]
pub use console::console_router;
pub use extract::{Webhook, receive};
#[cfg(all(feature = "inbox", any_provider))]
pub use inbox::inbox_router;
pub use route::{route, route_with_health, router};
