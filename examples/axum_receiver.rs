//! A webhook receiver in axum 0.8: one route per provider, each checking the delivery with the
//! crate and answering `Error::status_code()` on failure, 200 on success.
//!
//! Run it (from the repository root):
//!
//! ```sh
//! WAKILNI_WEBHOOK_SECRET='your-secret' cargo run --example axum_receiver --features http
//! PEDDLER_WEBHOOK_TOKEN='your-token' XOXODAY_ENABLED=1 cargo run --example axum_receiver --features http
//! ```
//!
//! Settings, all from environment variables:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `LISTEN_ADDR` | address to listen on (`127.0.0.1:0` picks a free port) | `127.0.0.1:3000` |
//! | `WAKILNI_WEBHOOK_SECRET` | Wakilni's webhook secret; enables `POST /webhooks/wakilni` | unset: route off |
//! | `WAKILNI_WEBHOOK_SECRET_PREVIOUS` | a second accepted secret, while rotating | unset |
//! | `PEDDLER_WEBHOOK_TOKEN` | Peddler's `x-webhook-shared-token`; enables `POST /webhooks/peddler` | unset: route off |
//! | `PEDDLER_WEBHOOK_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
//! | `XOXODAY_ENABLED` | `1` enables `POST /webhooks/xoxoday` (Xoxoday is checked by source address, `52.76.120.90`) | unset: route off |
//! | `XOXODAY_API_KEY` | the `x-api-key` value set in Xoxoday's dashboard, then required | unset: no key checked |
//! | `XOXODAY_TRUSTED_PROXIES` | comma-separated addresses or CIDR ranges of your reverse proxies, whose `X-Forwarded-For`/`Forwarded` is believed | unset: none |
//! | `ISENDU_KEY_ID` | the API integration's key id; with `ISENDU_SECRET_KEY`, enables `POST /webhooks/isendu` | unset: route off |
//! | `ISENDU_SECRET_KEY` | the integration's secret key, sent back to isendu's handshake | unset: route off |
//! | `ISENDU_URL_TOKEN` | required in query parameter `token`: register `https://you.example/webhooks/isendu?token=<value>` | unset: no token checked |
//! | `SKLADON_URL_TOKEN` | the token in every Skladon URL; enables the two Skladon routes below | unset: routes off |
//! | `SKLADON_URL_TOKEN_PREVIOUS` | a second accepted token, while rotating | unset |
//!
//! A provider that is not configured has no route (404): configure only the providers you use.
//! The first line printed on stdout is `listening on http://ADDR`, with the port actually bound.
//!
//! Skladon's calls carry no webhook type and no credential, so each URL you register with
//! Skladon names both: one URL per webhook type, with the token as a path segment and the type
//! as its wire name (`UPDATE_ORDER_STATUS`, ...):
//! - POST webhooks: register `https://you.example/webhooks/skladon/<token>/<TYPE>`;
//! - GET webhooks: register `https://you.example/webhooks/skladon/<token>/<TYPE>/`: Skladon
//!   appends the entity id, and the handler reads it with `skladon::Verifier::receive_get`.
//!
//! Xoxoday's check is the source address: behind a reverse proxy, list the proxy in
//! `XOXODAY_TRUSTED_PROXIES`, or every delivery is refused as coming from the proxy (403).
//!
//! What a handler must do, whatever the framework:
//! - take the body as raw bytes (`Bytes`): parsing and re-serializing JSON would change the bytes
//!   and break the signature;
//! - hand the crate the headers (`http::HeaderMap` implements `Headers` with the `http` feature),
//!   for providers that check the source address the peer address (`ConnectInfo`), and for
//!   those with a token in the URL the request target (`OriginalUri`);
//! - answer 2xx only once the delivery is verified and parsed: providers retry on failures, and
//!   deduplicating on `dedup_key()` makes retries harmless.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use delivery_webhooks::skladon::{self, WebhookType};
use delivery_webhooks::{Error, UrlToken, isendu, peddler, wakilni, xoxoday};
use tokio::net::TcpListener;

/// The address listened on when `LISTEN_ADDR` is not set.
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

/// What the receiver needs: one verifier per enabled provider.
#[derive(Debug, Default)]
pub struct Config {
    /// Enables `POST /webhooks/wakilni`.
    pub wakilni: Option<wakilni::Verifier>,
    /// Enables `POST /webhooks/peddler`.
    pub peddler: Option<peddler::Verifier>,
    /// Enables `POST /webhooks/xoxoday`.
    pub xoxoday: Option<xoxoday::Verifier>,
    /// Enables `POST /webhooks/isendu`.
    pub isendu: Option<isendu::Verifier>,
    /// Enables `POST /webhooks/skladon/{token}/{type}` and
    /// `GET /webhooks/skladon/{token}/{type}/{id}`.
    pub skladon: Option<skladon::Verifier>,
}

/// A secret and, while rotating, the previous one: `NAME` and `NAME_PREVIOUS`.
fn with_previous(var: &impl Fn(&str) -> Option<String>, name: &str) -> Option<Vec<String>> {
    let current = var(name)?;
    let previous = var(&format!("{name}_PREVIOUS"));
    Some(std::iter::once(current).chain(previous).collect())
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
        let peddler = match with_previous(&var, "PEDDLER_WEBHOOK_TOKEN") {
            None => None,
            Some(tokens) => Some(
                peddler::Verifier::with_tokens(tokens)
                    .map_err(|e| format!("PEDDLER_WEBHOOK_TOKEN(_PREVIOUS): {e}"))?,
            ),
        };
        Ok(Self {
            wakilni,
            peddler,
            xoxoday: xoxoday_from_vars(&var)?,
            isendu: isendu_from_vars(&var)?,
            skladon: match with_previous(&var, "SKLADON_URL_TOKEN") {
                None => None,
                Some(tokens) => Some(skladon::Verifier::new(
                    UrlToken::path_segment_with_tokens(tokens)
                        .map_err(|e| format!("SKLADON_URL_TOKEN(_PREVIOUS): {e}"))?,
                )),
            },
        })
    }

    /// The routes this configuration enables, with their method, for the start-up message.
    pub fn routes(&self) -> Vec<&'static str> {
        let mut routes = Vec::new();
        if self.wakilni.is_some() {
            routes.push("POST /webhooks/wakilni");
        }
        if self.peddler.is_some() {
            routes.push("POST /webhooks/peddler");
        }
        if self.xoxoday.is_some() {
            routes.push("POST /webhooks/xoxoday");
        }
        if self.isendu.is_some() {
            routes.push("POST /webhooks/isendu");
        }
        if self.skladon.is_some() {
            routes.push("POST /webhooks/skladon/{token}/{type}");
            routes.push("GET /webhooks/skladon/{token}/{type}/{id}");
        }
        routes
    }
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

/// The request target as the client sent it (`/webhooks/isendu?token=...`), for URL tokens.
fn target(uri: &axum::http::Uri) -> &str {
    uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
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
    if let Some(verifier) = config.peddler {
        router = router.route(
            "/webhooks/peddler",
            post(peddler_hook).with_state(Arc::new(verifier)),
        );
    }
    if let Some(verifier) = config.xoxoday {
        router = router.route(
            "/webhooks/xoxoday",
            post(xoxoday_hook).with_state(Arc::new(verifier)),
        );
    }
    if let Some(verifier) = config.isendu {
        router = router.route(
            "/webhooks/isendu",
            post(isendu_hook).with_state(Arc::new(verifier)),
        );
    }
    if let Some(verifier) = config.skladon {
        let verifier = Arc::new(verifier);
        router = router
            .route(
                "/webhooks/skladon/{token}/{type}",
                post(skladon_post_hook).with_state(Arc::clone(&verifier)),
            )
            .route(
                "/webhooks/skladon/{token}/{type}/{id}",
                get(skladon_get_hook).with_state(verifier),
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

async fn peddler_hook(
    State(verifier): State<Arc<peddler::Verifier>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match verifier.receive(&headers, &body) {
        Ok(update) => {
            // Peddler does not promise order: store only if `is_newer_than` the stored update.
            println!(
                "peddler: {} (code {}) for shipment {} (key {}) from {peer}",
                update.status,
                update.code,
                update.id,
                update.dedup_key(),
            );
            StatusCode::OK
        }
        Err(err) => refuse("peddler", peer, &err),
    }
}

async fn xoxoday_hook(
    State(verifier): State<Arc<xoxoday::Verifier>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // The TCP peer, never a header: behind a trusted proxy the crate reads the forwarded address.
    match verifier.receive(peer.ip(), &headers, &body) {
        Ok(update) => {
            println!(
                "xoxoday: order {} {} (webhook {}) from {peer}",
                update.data.order_id,
                update.data.delivery_status,
                update.dedup_key(),
            );
            StatusCode::OK
        }
        Err(err) => refuse("xoxoday", peer, &err),
    }
}

async fn isendu_hook(
    State(verifier): State<Arc<isendu::Verifier>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    match verifier.handle(target(&uri), &body) {
        Ok(isendu::Delivery::Verification { request, response }) => {
            // isendu waits 5 seconds for this answer: send it right away.
            println!(
                "isendu: answered the handshake for key id {} from {peer}",
                request.key_id
            );
            (
                [(header::CONTENT_TYPE, isendu::RESPONSE_CONTENT_TYPE)],
                response,
            )
                .into_response()
        }
        Ok(isendu::Delivery::Update(update)) => {
            // Batches come out of order: fold them into an `isendu::State`.
            println!(
                "isendu: {} order(s), {} tracking(s) from {peer}",
                update.order.len(),
                update.tracking.len()
            );
            StatusCode::OK.into_response()
        }
        // `Delivery` is non-exhaustive: a kind this receiver does not know is still accepted.
        Ok(_) => StatusCode::OK.into_response(),
        Err(err) => refuse("isendu", peer, &err).into_response(),
    }
}

/// The webhook type named in the URL, after the token check: an unknown type is a URL nobody
/// registered (404).
fn skladon_type(
    verifier: &skladon::Verifier,
    uri: &axum::http::Uri,
    raw_type: &str,
    peer: SocketAddr,
) -> Result<WebhookType, StatusCode> {
    // The token first, so that a caller without it learns nothing, not even which types exist.
    verifier
        .verify(uri.path(), &[])
        .map_err(|err| refuse("skladon", peer, &err))?;
    let webhook_type = WebhookType::from(raw_type);
    if webhook_type.is_other() {
        eprintln!("skladon: refused a delivery from {peer}: unknown webhook type -> 404");
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(webhook_type)
}

async fn skladon_post_hook(
    State(verifier): State<Arc<skladon::Verifier>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    OriginalUri(uri): OriginalUri,
    Path((_token, raw_type)): Path<(String, String)>,
    body: Bytes,
) -> StatusCode {
    let webhook_type = match skladon_type(&verifier, &uri, &raw_type, peer) {
        Ok(webhook_type) => webhook_type,
        Err(status) => return status,
    };
    match verifier.receive(uri.path(), &webhook_type, &body) {
        Ok(delivery) => {
            // Skladon retries failures for 48 hours: deduplicate on `dedup_key()`.
            println!(
                "skladon: {} {} {} (key {}) from {peer}",
                delivery.webhook_type,
                delivery.entity.kind(),
                delivery.entity.id(),
                delivery.dedup_key(),
            );
            StatusCode::OK
        }
        Err(err) => refuse("skladon", peer, &err),
    }
}

async fn skladon_get_hook(
    State(verifier): State<Arc<skladon::Verifier>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    OriginalUri(uri): OriginalUri,
    Path((_token, raw_type, _id)): Path<(String, String, String)>,
) -> StatusCode {
    let webhook_type = match skladon_type(&verifier, &uri, &raw_type, peer) {
        Ok(webhook_type) => webhook_type,
        Err(status) => return status,
    };
    // The URL registered for this type is the requested one without the appended id.
    let path = uri.path();
    let registered = path.rsplit_once('/').map_or(path, |(base, _)| base);
    match verifier.receive_get(registered, path) {
        Ok(id) => {
            // A real receiver now fetches the entity from Skladon's API by this id.
            let kind = webhook_type.entity().map_or("entity", |k| k.as_str());
            println!("skladon: {webhook_type} for {kind} {id} from {peer}");
            StatusCode::OK
        }
        Err(err) => refuse("skladon", peer, &err),
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
        eprintln!(
            "error: no provider configured: set WAKILNI_WEBHOOK_SECRET, PEDDLER_WEBHOOK_TOKEN, \
             XOXODAY_ENABLED=1, ISENDU_KEY_ID and ISENDU_SECRET_KEY, or SKLADON_URL_TOKEN"
        );
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
        println!("  {route}");
    }
    match serve(listener, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
