//! The same webhook receiver as `axum_receiver`, in actix-web 4: nothing in the crate is tied to
//! one framework. One route per provider; `Error::status_code()` on failure, 200 on success.
//!
//! Run it (from the repository root):
//!
//! ```sh
//! WAKILNI_WEBHOOK_SECRET='your-secret' cargo run --example actix_receiver
//! ```
//!
//! Settings, all from environment variables (the same names as the axum example):
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `LISTEN_ADDR` | address to listen on (`127.0.0.1:0` picks a free port) | `127.0.0.1:3000` |
//! | `WAKILNI_WEBHOOK_SECRET` | Wakilni's webhook secret; enables `POST /webhooks/wakilni` | unset: route off |
//! | `WAKILNI_WEBHOOK_SECRET_PREVIOUS` | a second accepted secret, while rotating | unset |
//!
//! actix-web 4 uses `http` 0.2 types, so the crate's `http` feature (http 1.x) does not apply:
//! [`ActixHeaders`] below adapts actix's `HeaderMap` to `delivery_webhooks::Headers` in a few
//! lines, which is all any framework needs.

use std::net::SocketAddr;

use actix_web::http::header::HeaderMap;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use delivery_webhooks::{Error, Headers, wakilni};

/// The address listened on when `LISTEN_ADDR` is not set.
const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

/// actix's `HeaderMap` seen as `delivery_webhooks::Headers`.
struct ActixHeaders<'h>(&'h HeaderMap);

impl Headers for ActixHeaders<'_> {
    fn for_each_value<'a>(&'a self, name: &str, found: &mut dyn FnMut(&'a [u8])) {
        // actix stores names in lowercase, and the crate always asks in lowercase.
        for value in self.0.get_all(name) {
            found(value.as_bytes());
        }
    }
}

/// The answer for a failed delivery, logged with the reason (never a secret: see `Error`).
fn refuse(provider: &str, peer: &str, err: &Error) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(err.status_code())
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    eprintln!("{provider}: refused a delivery from {peer}: {err} -> {status}");
    HttpResponse::build(status).finish()
}

async fn wakilni_hook(
    verifier: web::Data<wakilni::Verifier>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let peer = req.peer_addr().map_or_else(
        || "an unknown address".to_owned(),
        |addr: SocketAddr| addr.to_string(),
    );
    match verifier.receive(&ActixHeaders(req.headers()), &body) {
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
            HttpResponse::Ok().finish()
        }
        Err(err) => refuse("wakilni", &peer, &err),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let var = |name: &str| std::env::var(name).ok();
    let wakilni = match var("WAKILNI_WEBHOOK_SECRET") {
        None => None,
        Some(secret) => {
            let secrets = std::iter::once(secret).chain(var("WAKILNI_WEBHOOK_SECRET_PREVIOUS"));
            match wakilni::Verifier::with_secrets(secrets) {
                Ok(verifier) => Some(web::Data::new(verifier)),
                Err(e) => {
                    eprintln!("error: WAKILNI_WEBHOOK_SECRET(_PREVIOUS): {e}");
                    std::process::exit(2);
                }
            }
        }
    };
    if wakilni.is_none() {
        eprintln!("error: no provider configured: set WAKILNI_WEBHOOK_SECRET");
        std::process::exit(2);
    }
    let addr = var("LISTEN_ADDR").unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned());

    let server = HttpServer::new(move || {
        let mut app = App::new()
            // `web::Bytes` refuses bodies over 256 kB by default; let the crate's limit decide.
            .app_data(web::PayloadConfig::new(
                delivery_webhooks::DEFAULT_MAX_BODY_SIZE,
            ));
        if let Some(verifier) = &wakilni {
            app = app.service(
                web::resource("/webhooks/wakilni")
                    .app_data(verifier.clone())
                    .route(web::post().to(wakilni_hook)),
            );
        }
        app
    })
    .bind(&addr)?;
    for bound in server.addrs() {
        println!("listening on http://{bound}");
    }
    println!("  POST /webhooks/wakilni");
    server.run().await
}
