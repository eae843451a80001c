//! actix-web 4: the [`Webhook`] extractor for any [`Receive`](crate::delivery::Receive), `ResponseError` for [`Error`](crate::error::Error),
//! `Responder` for [`Reply`](crate::reply::Reply), and a ready [`router`] for every configured provider.
//!
//! # A ready receiver
//! [`router`] mounts every provider of a [`Config`](crate::config::Config) under `/webhooks/<provider>` and calls one
//! handler with each [`AnyDelivery`](crate::any::AnyDelivery), answering isendu's handshake, reading Skladon's token,
//! type and id from the path, refusing what does not verify with a problem body (RFC 9457), and
//! reading a body only up to the verifier's [`body_limit`](crate::delivery::Receive::body_limit) (413).
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use delivery_webhooks::{AnyDelivery, Config};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let addr = config.listen_addr.clone();
//! HttpServer::new(move || {
//!     let handler = |delivery: AnyDelivery| async move {
//!         println!("{}: {}", delivery.provider(), delivery.dedup_key());
//!     };
//!     App::new().service(delivery_webhooks::actix::router(config.clone(), handler))
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
//! First the head: a `Content-Length` over [`Receive::body_limit`](crate::delivery::Receive::body_limit) is refused (413), then
//! [`Receive::verify_head`](crate::delivery::Receive::verify_head) checks what the head proves (a header or URL token, the source
//! address), so a sender without a credential is answered before its body is read. Then the
//! body as received, read up to [`Receive::body_limit`](crate::delivery::Receive::body_limit) within [`Receive::body_timeout`](crate::delivery::Receive::body_timeout) (408;
//! actix's `PayloadConfig` does not apply); the headers
//! (actix's `HeaderMap` implements [`Headers`](crate::Headers) with this feature); the TCP peer
//! address (`HttpRequest::peer_addr`); and the full path and query as sent, so Skladon's mount
//! point is the full public path: a [`router`] inside `web::scope("/api")` means
//! `skladon::Verifier::mounted_at("/api/webhooks/skladon")`.

/// Invokes the local `$mount!` once per enabled provider with its path under `/webhooks` and
/// whether GET is routed too: the one list of routes both ready scopes mount. Skladon's verifier
/// reads token, type and id from the path under its route itself.
macro_rules! mount_every_provider {
    ($mount:ident, $scope:ident) => {
        #[cfg(feature = "wakilni")]
        $mount!(
            $scope,
            wakilni,
            $crate::delivery::Provider::Wakilni.route(),
            false
        );
        #[cfg(feature = "peddler")]
        $mount!(
            $scope,
            peddler,
            $crate::delivery::Provider::Peddler.route(),
            false
        );
        #[cfg(feature = "xoxoday")]
        $mount!(
            $scope,
            xoxoday,
            $crate::delivery::Provider::Xoxoday.route(),
            false
        );
        #[cfg(feature = "isendu")]
        $mount!(
            $scope,
            isendu,
            $crate::delivery::Provider::Isendu.route(),
            false
        );
        #[cfg(feature = "skladon")]
        $mount!(
            $scope,
            skladon,
            &format!(
                "{}/{{rest:.*}}",
                $crate::delivery::Provider::Skladon.route()
            ),
            true
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
