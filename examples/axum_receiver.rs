//! A webhook receiver in axum 0.8: one route per provider, each checking the delivery with the
//! crate and answering `Error::status_code()` on failure, 200 on success.
//!
//! Run it (from the repository root):
//!
//! ```sh
//! WAKILNI_WEBHOOK_SECRET='your-secret' cargo run --example axum_receiver --features http
//! ```
//!
//! Settings, all from environment variables:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `LISTEN_ADDR` | address to listen on (`127.0.0.1:0` picks a free port) | `127.0.0.1:3000` |
//! | `WAKILNI_WEBHOOK_SECRET` | Wakilni's webhook secret; enables `POST /webhooks/wakilni` | unset: route off |
//! | `WAKILNI_WEBHOOK_SECRET_PREVIOUS` | a second accepted secret, while rotating | unset |
//!
//! A provider whose secret is not set has no route (404): configure only the providers you use.
//! The first line printed on stdout is `listening on http://ADDR`, with the port actually bound.
//!
//! What a handler must do, whatever the framework:
//! - take the body as raw bytes (`Bytes`): parsing and re-serializing JSON would change the bytes
//!   and break the signature;
//! - hand the crate the headers (`http::HeaderMap` implements `Headers` with the `http` feature)
//!   and, for providers that check the source address, the peer address (`ConnectInfo`);
//! - answer 2xx only once the delivery is verified and parsed: providers retry on failures, and
//!   deduplicating on `dedup_key()` makes retries harmless.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use delivery_webhooks::{Error, wakilni};
use tokio::net::TcpListener;

/// The address listened on when `LISTEN_ADDR` is not set.
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

/// What the receiver needs: one verifier per enabled provider.
#[derive(Debug, Default)]
pub struct Config {
    /// Enables `POST /webhooks/wakilni`.
    pub wakilni: Option<wakilni::Verifier>,
}

impl Config {
    /// Reads the provider settings through `var` (`std::env::var(..).ok()` in `main`, a map in
    /// tests).
    ///
    /// # Errors
    /// A message naming the variable when a value is unusable (an empty secret, say).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let wakilni = match var("WAKILNI_WEBHOOK_SECRET") {
            None => None,
            Some(secret) => {
                let secrets = std::iter::once(secret).chain(var("WAKILNI_WEBHOOK_SECRET_PREVIOUS"));
                Some(
                    wakilni::Verifier::with_secrets(secrets)
                        .map_err(|e| format!("WAKILNI_WEBHOOK_SECRET(_PREVIOUS): {e}"))?,
                )
            }
        };
        Ok(Self { wakilni })
    }

    /// The routes this configuration enables, for the start-up message.
    pub fn routes(&self) -> Vec<&'static str> {
        let mut routes = Vec::new();
        if self.wakilni.is_some() {
            routes.push("/webhooks/wakilni");
        }
        routes
    }
}

/// The router: one route per configured provider.
///
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()` (see [`serve`]): the
/// handlers read the peer address.
pub fn app(config: Config) -> Router {
    let mut router = Router::new();
    if let Some(verifier) = config.wakilni {
        router = router.route(
            "/webhooks/wakilni",
            post(wakilni_hook).with_state(Arc::new(verifier)),
        );
    }
    // axum refuses bodies over 2 MB by default; let the crate's own limit (16 MiB) decide.
    router.layer(DefaultBodyLimit::max(
        delivery_webhooks::DEFAULT_MAX_BODY_SIZE,
    ))
}

/// Serves [`app`] on `listener` until the process ends.
///
/// # Errors
/// The server's I/O error.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// The answer for a failed delivery, logged with the reason (never a secret: see `Error`).
fn refuse(provider: &str, peer: SocketAddr, err: &Error) -> StatusCode {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    eprintln!("{provider}: refused a delivery from {peer}: {err} -> {status}");
    status
}

async fn wakilni_hook(
    State(verifier): State<Arc<wakilni::Verifier>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match verifier.receive(&headers, &body) {
        Ok(delivery) => {
            // A real receiver stores the event here, keyed by `dedup_key()` to drop retries.
            let event = &delivery.event;
            println!(
                "wakilni: {} for order {} (event {}, attempt {}) from {peer}",
                event.event_name(),
                event
                    .data
                    .order_id()
                    .map_or("-".into(), |id| id.to_string()),
                delivery.dedup_key(),
                delivery.headers.attempt_number.unwrap_or(1),
            );
            StatusCode::OK
        }
        Err(err) => refuse("wakilni", peer, &err),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let var = |name: &str| std::env::var(name).ok();
    let config = match Config::from_vars(var) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    if config.routes().is_empty() {
        eprintln!("error: no provider configured: set WAKILNI_WEBHOOK_SECRET");
        return std::process::ExitCode::from(2);
    }
    let addr = var("LISTEN_ADDR").unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned());
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        Ok(bound) => println!("listening on http://{bound}"),
        Err(_) => println!("listening on http://{addr}"),
    }
    for route in config.routes() {
        println!("  POST {route}");
    }
    match serve(listener, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
