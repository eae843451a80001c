//! The same webhook receiver as `axum_receiver`, in actix-web 4: nothing in the crate is tied to
//! one framework. One route per provider; `Error::status_code()` on failure, 200 on success.
//!
//! Run it (from the repository root):
//!
//! ```sh
//! WAKILNI_WEBHOOK_SECRET='your-secret' cargo run --example actix_receiver
//! PEDDLER_WEBHOOK_TOKEN='your-token' SKLADON_URL_TOKEN='long-random-token' cargo run --example actix_receiver
//! ```
//!
//! Settings, all from environment variables, with the same names and meanings as in the axum
//! example (see its table for details):
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `LISTEN_ADDR` | address to listen on (`127.0.0.1:0` picks a free port) | `127.0.0.1:3000` |
//! | `WAKILNI_WEBHOOK_SECRET` (+ `_PREVIOUS`) | Wakilni's webhook secret; enables `POST /webhooks/wakilni` | unset: route off |
//! | `PEDDLER_WEBHOOK_TOKEN` (+ `_PREVIOUS`) | Peddler's shared token; enables `POST /webhooks/peddler` | unset: route off |
//! | `XOXODAY_ENABLED` | `1` enables `POST /webhooks/xoxoday` (checked by source address) | unset: route off |
//! | `XOXODAY_API_KEY` | the `x-api-key` set in Xoxoday's dashboard, then required | unset |
//! | `XOXODAY_TRUSTED_PROXIES` | comma-separated addresses or CIDR ranges of your reverse proxies | unset: none |
//! | `ISENDU_KEY_ID`, `ISENDU_SECRET_KEY` | the API integration's key pair; enable `POST /webhooks/isendu` | unset: route off |
//! | `ISENDU_URL_TOKEN` | required in query parameter `token` of isendu's URL | unset: not checked |
//! | `SKLADON_URL_TOKEN` (+ `_PREVIOUS`) | the path-segment token of every Skladon URL; enables `POST /webhooks/skladon/{token}/{type}` and `GET /webhooks/skladon/{token}/{type}/{id}` | unset: routes off |
//!
//! actix-web 4 uses `http` 0.2 types, so the crate's `http` feature (http 1.x) does not apply:
//! [`ActixHeaders`] below adapts actix's `HeaderMap` to `delivery_webhooks::Headers` in a few
//! lines, which is all any framework needs.

use std::net::SocketAddr;

use actix_web::http::header::{self, HeaderMap};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use delivery_webhooks::skladon::{self, WebhookType};
use delivery_webhooks::{Error, Headers, UrlToken, isendu, peddler, wakilni, xoxoday};

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
    let peer = peer_of(&req);
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

fn peer_of(req: &HttpRequest) -> String {
    req.peer_addr().map_or_else(
        || "an unknown address".to_owned(),
        |addr: SocketAddr| addr.to_string(),
    )
}

async fn peddler_hook(
    verifier: web::Data<peddler::Verifier>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let peer = peer_of(&req);
    match verifier.receive(&ActixHeaders(req.headers()), &body) {
        Ok(update) => {
            // Peddler does not promise order: store only if `is_newer_than` the stored update.
            println!(
                "peddler: {} (code {}) for shipment {} (key {}) from {peer}",
                update.status,
                update.code,
                update.id,
                update.dedup_key(),
            );
            HttpResponse::Ok().finish()
        }
        Err(err) => refuse("peddler", &peer, &err),
    }
}

async fn xoxoday_hook(
    verifier: web::Data<xoxoday::Verifier>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    // Xoxoday is authenticated by where the request comes from: without a peer address there
    // is nothing to judge it on.
    let Some(peer) = req.peer_addr() else {
        eprintln!("xoxoday: refused a delivery from an unknown address -> 403 Forbidden");
        return HttpResponse::Forbidden().finish();
    };
    match verifier.receive(peer.ip(), &ActixHeaders(req.headers()), &body) {
        Ok(update) => {
            println!(
                "xoxoday: order {} {} (webhook {}) from {peer}",
                update.data.order_id,
                update.data.delivery_status,
                update.dedup_key(),
            );
            HttpResponse::Ok().finish()
        }
        Err(err) => refuse("xoxoday", &peer.to_string(), &err),
    }
}

async fn isendu_hook(
    verifier: web::Data<isendu::Verifier>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let peer = peer_of(&req);
    let uri = req.uri();
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    match verifier.handle(target, &body) {
        Ok(isendu::Delivery::Verification { request, response }) => {
            // isendu waits 5 seconds for this answer: send it right away.
            println!(
                "isendu: answered the handshake for key id {} from {peer}",
                request.key_id
            );
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, isendu::RESPONSE_CONTENT_TYPE))
                .body(response)
        }
        Ok(isendu::Delivery::Update(update)) => {
            // Batches come out of order: fold them into an `isendu::State`.
            println!(
                "isendu: {} order(s), {} tracking(s) from {peer}",
                update.order.len(),
                update.tracking.len()
            );
            HttpResponse::Ok().finish()
        }
        // `Delivery` is non-exhaustive: a kind this receiver does not know is still accepted.
        Ok(_) => HttpResponse::Ok().finish(),
        Err(err) => refuse("isendu", &peer, &err),
    }
}

/// The webhook type named in the URL, after the token check: an unknown type is a URL nobody
/// registered (404).
fn skladon_type(
    verifier: &skladon::Verifier,
    req: &HttpRequest,
    peer: &str,
) -> Result<WebhookType, HttpResponse> {
    // The token first, so that a caller without it learns nothing, not even which types exist.
    verifier
        .verify(req.uri().path(), &[])
        .map_err(|err| refuse("skladon", peer, &err))?;
    let webhook_type = WebhookType::from(req.match_info().get("type").unwrap_or_default());
    if webhook_type.is_other() {
        eprintln!("skladon: refused a delivery from {peer}: unknown webhook type -> 404");
        return Err(HttpResponse::NotFound().finish());
    }
    Ok(webhook_type)
}

async fn skladon_post_hook(
    verifier: web::Data<skladon::Verifier>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let peer = peer_of(&req);
    let webhook_type = match skladon_type(&verifier, &req, &peer) {
        Ok(webhook_type) => webhook_type,
        Err(response) => return response,
    };
    match verifier.receive(req.uri().path(), &webhook_type, &body) {
        Ok(delivery) => {
            // Skladon retries failures for 48 hours: deduplicate on `dedup_key()`.
            println!(
                "skladon: {} {} {} (key {}) from {peer}",
                delivery.webhook_type,
                delivery.entity.kind(),
                delivery.entity.id(),
                delivery.dedup_key(),
            );
            HttpResponse::Ok().finish()
        }
        Err(err) => refuse("skladon", &peer, &err),
    }
}

async fn skladon_get_hook(
    verifier: web::Data<skladon::Verifier>,
    req: HttpRequest,
) -> HttpResponse {
    let peer = peer_of(&req);
    let webhook_type = match skladon_type(&verifier, &req, &peer) {
        Ok(webhook_type) => webhook_type,
        Err(response) => return response,
    };
    // The URL registered for this type is the requested one without the appended id.
    let path = req.uri().path();
    let registered = path.rsplit_once('/').map_or(path, |(base, _)| base);
    match verifier.receive_get(registered, path) {
        Ok(id) => {
            // A real receiver now fetches the entity from Skladon's API by this id.
            let kind = webhook_type.entity().map_or("entity", |k| k.as_str());
            println!("skladon: {webhook_type} for {kind} {id} from {peer}");
            HttpResponse::Ok().finish()
        }
        Err(err) => refuse("skladon", &peer, &err),
    }
}

/// A secret and, while rotating, the previous one: `NAME` and `NAME_PREVIOUS`.
fn with_previous(var: &impl Fn(&str) -> Option<String>, name: &str) -> Option<Vec<String>> {
    let current = var(name)?;
    let previous = var(&format!("{name}_PREVIOUS"));
    Some(std::iter::once(current).chain(previous).collect())
}

/// Exits with code 2 on a configuration error, naming the variable.
fn or_exit<T>(result: Result<T, String>) -> T {
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        std::process::exit(2)
    })
}

/// `XOXODAY_ENABLED=1`, with `XOXODAY_API_KEY` and `XOXODAY_TRUSTED_PROXIES` optional.
fn xoxoday_from_vars(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<xoxoday::Verifier>, String> {
    let (api_key, proxies) = (var("XOXODAY_API_KEY"), var("XOXODAY_TRUSTED_PROXIES"));
    match var("XOXODAY_ENABLED").as_deref() {
        Some("1") => {}
        None | Some("0") => {
            // Settings for a provider that stays off are a mistake worth reporting.
            return match (api_key, proxies) {
                (None, None) => Ok(None),
                _ => Err(
                    "XOXODAY_API_KEY or XOXODAY_TRUSTED_PROXIES is set: set XOXODAY_ENABLED=1 too"
                        .to_owned(),
                ),
            };
        }
        Some(_) => return Err("XOXODAY_ENABLED: expected 1 or 0".to_owned()),
    }
    let mut verifier = xoxoday::Verifier::default();
    if let Some(proxies) = proxies {
        let entries = proxies.split(',').map(str::trim).filter(|e| !e.is_empty());
        verifier = verifier
            .trusted_proxies(entries)
            .map_err(|e| format!("XOXODAY_TRUSTED_PROXIES: {e}"))?;
    }
    if let Some(key) = api_key {
        verifier = verifier
            .api_key(key)
            .map_err(|e| format!("XOXODAY_API_KEY: {e}"))?;
    }
    Ok(Some(verifier))
}

/// `ISENDU_KEY_ID` and `ISENDU_SECRET_KEY` together, `ISENDU_URL_TOKEN` optional.
fn isendu_from_vars(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<Option<isendu::Verifier>, String> {
    let url_token = var("ISENDU_URL_TOKEN");
    let verifier = match (var("ISENDU_KEY_ID"), var("ISENDU_SECRET_KEY")) {
        (Some(key_id), Some(secret_key)) => isendu::Verifier::new(key_id, secret_key)
            .map_err(|e| format!("ISENDU_KEY_ID/ISENDU_SECRET_KEY: {e}"))?,
        (None, None) if url_token.is_none() => return Ok(None),
        _ => {
            return Err(
                "isendu needs both ISENDU_KEY_ID and ISENDU_SECRET_KEY (the handshake is answered with the secret key)"
                    .to_owned(),
            );
        }
    };
    Ok(Some(match url_token {
        None => verifier,
        Some(token) => verifier.with_url_token(
            UrlToken::query("token", token).map_err(|e| format!("ISENDU_URL_TOKEN: {e}"))?,
        ),
    }))
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
    let peddler = with_previous(&var, "PEDDLER_WEBHOOK_TOKEN").map(|tokens| {
        web::Data::new(or_exit(
            peddler::Verifier::with_tokens(tokens)
                .map_err(|e| format!("PEDDLER_WEBHOOK_TOKEN(_PREVIOUS): {e}")),
        ))
    });
    let xoxoday = or_exit(xoxoday_from_vars(&var)).map(web::Data::new);
    let isendu = or_exit(isendu_from_vars(&var)).map(web::Data::new);
    let skladon = with_previous(&var, "SKLADON_URL_TOKEN").map(|tokens| {
        web::Data::new(skladon::Verifier::new(or_exit(
            UrlToken::path_segment_with_tokens(tokens)
                .map_err(|e| format!("SKLADON_URL_TOKEN(_PREVIOUS): {e}")),
        )))
    });
    let mut routes = Vec::new();
    for (enabled, route) in [
        (wakilni.is_some(), "POST /webhooks/wakilni"),
        (peddler.is_some(), "POST /webhooks/peddler"),
        (xoxoday.is_some(), "POST /webhooks/xoxoday"),
        (isendu.is_some(), "POST /webhooks/isendu"),
        (skladon.is_some(), "POST /webhooks/skladon/{token}/{type}"),
        (
            skladon.is_some(),
            "GET /webhooks/skladon/{token}/{type}/{id}",
        ),
    ] {
        if enabled {
            routes.push(route);
        }
    }
    if routes.is_empty() {
        eprintln!(
            "error: no provider configured: set WAKILNI_WEBHOOK_SECRET, PEDDLER_WEBHOOK_TOKEN, \
             XOXODAY_ENABLED=1, ISENDU_KEY_ID and ISENDU_SECRET_KEY, or SKLADON_URL_TOKEN"
        );
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
        if let Some(verifier) = &peddler {
            app = app.service(
                web::resource("/webhooks/peddler")
                    .app_data(verifier.clone())
                    .route(web::post().to(peddler_hook)),
            );
        }
        if let Some(verifier) = &xoxoday {
            app = app.service(
                web::resource("/webhooks/xoxoday")
                    .app_data(verifier.clone())
                    .route(web::post().to(xoxoday_hook)),
            );
        }
        if let Some(verifier) = &isendu {
            app = app.service(
                web::resource("/webhooks/isendu")
                    .app_data(verifier.clone())
                    .route(web::post().to(isendu_hook)),
            );
        }
        if let Some(verifier) = &skladon {
            app = app
                .service(
                    web::resource("/webhooks/skladon/{token}/{type}")
                        .app_data(verifier.clone())
                        .route(web::post().to(skladon_post_hook)),
                )
                .service(
                    web::resource("/webhooks/skladon/{token}/{type}/{id}")
                        .app_data(verifier.clone())
                        .route(web::get().to(skladon_get_hook)),
                );
        }
        app
    })
    .bind(&addr)?;
    for bound in server.addrs() {
        println!("listening on http://{bound}");
    }
    for route in &routes {
        println!("  {route}");
    }
    server.run().await
}
