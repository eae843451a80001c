//! The operator console over HTTP (feature `console-web`): server-rendered pages and a JSON
//! API over [`Console`], framework-neutral. [`ConsoleWeb::handle`] takes an
//! `http::Request<Vec<u8>>` and answers an `http::Response<Vec<u8>>`; the axum and actix-web
//! adapters mount it (`axum::console_router`, `actix::console_router`). Routes, authentication, the CSRF rule
//! and the headers: `docs/console.md`, "HTTP".

mod api;
mod auth;
mod csrf;
mod pages;
mod params;
mod render;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

use http::{HeaderValue, Method, Response, StatusCode, header};

use super::{Console, ConsoleError};
use crate::telemetry::Health;

pub use auth::{
    AuthError, ConsoleAuth, Credentials, LOOPBACK_ONLY_VAR, PASSWORD_PREVIOUS_VAR, PASSWORD_VAR,
    TOKEN_PREVIOUS_VAR, TOKEN_VAR, USER_VAR,
};
pub use csrf::TOKEN_LIFETIME;
pub use params::DEFAULT_LIMIT;

use params::{BadParam, Params};

/// The largest request body the console reads (a form or a JSON filter); the mounts refuse
/// a larger one with 413.
pub const MAX_BODY: usize = 64 * 1024;

/// The `Content-Security-Policy` of every answer: nothing but the console's own stylesheet and
/// script, no framing, forms posting to the console only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     script-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The console over HTTP: a [`Console`], how its users authenticate, where it is mounted and,
/// optionally, the receivers' [`Health`] for the overview. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ConsoleWeb {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    console: Console,
    auth: ConsoleAuth,
    base: String,
    health: Option<Health>,
    key: csrf::CsrfKey,
}

/// Why a [`ConsoleWeb`] could not be built.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleWebError {
    /// No usable authentication mode.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The system's random source failed (the CSRF key).
    #[error("console: no random key for CSRF tokens: {0}")]
    Random(String),
    /// A base path that is not `/` followed by plain segments.
    #[error(
        "console: base path {0:?}: expected `/` or a path such as `/console` (letters, digits, \
         `-`, `_`, `.`, `/`; no trailing `/`)"
    )]
    BasePath(String),
}

impl ConsoleWeb {
    /// The console of `console`, authenticated by `auth`, mounted at `/` (see
    /// [`base_path`](Self::base_path)). A fresh random key signs its CSRF tokens: a token is
    /// accepted by the process that issued it.
    ///
    /// # Errors
    /// [`ConsoleWebError::Random`] when the system has no random source.
    pub fn new(console: Console, auth: ConsoleAuth) -> Result<Self, ConsoleWebError> {
        let key = csrf::CsrfKey::random().map_err(|e| ConsoleWebError::Random(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                console,
                auth,
                base: String::new(),
                health: None,
                key,
            }),
        })
    }

    /// The console with the authentication the environment names ([`ConsoleAuth::from_env`]).
    ///
    /// # Errors
    /// [`ConsoleWebError::Auth`] naming the variables when none is set.
    pub fn from_env(console: Console) -> Result<Self, ConsoleWebError> {
        Self::new(console, ConsoleAuth::from_env()?)
    }

    /// Where the console is mounted (`/console` when nested under it): every link and
    /// redirect starts with it. Requests reach [`handle`](Self::handle) with the path below it.
    ///
    /// # Errors
    /// [`ConsoleWebError::BasePath`] for anything but `/` and plain segments.
    pub fn base_path(mut self, base: &str) -> Result<Self, ConsoleWebError> {
        let plain = base.starts_with('/')
            && !base.contains("//")
            && base
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
        if !plain || (base.len() > 1 && base.ends_with('/')) {
            return Err(ConsoleWebError::BasePath(base.to_owned()));
        }
        Arc::make_mut(&mut self.inner).base = base.trim_end_matches('/').to_owned();
        Ok(self)
    }

    /// Shows `health`'s report on the overview (the one the receivers record into:
    /// [`Config::health`](crate::config::Config)).
    #[must_use]
    pub fn health(mut self, health: Health) -> Self {
        Arc::make_mut(&mut self.inner).health = Some(health);
        self
    }

    /// Where the console is mounted, `""` for the root.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// Answers one request. Its path is below the mount (`/items/42`, whatever the base
    /// path); `peer` is the client's address (required by [`ConsoleAuth::LoopbackOnly`]). The
    /// body is at most [`MAX_BODY`] bytes: the caller refuses larger ones. Every answer carries
    /// the security headers.
    pub async fn handle(
        &self,
        request: http::Request<Vec<u8>>,
        peer: Option<IpAddr>,
    ) -> Response<Vec<u8>> {
        let mut response = self.route(request, peer).await;
        secure(response.headers_mut());
        response
    }

    async fn route(
        &self,
        request: http::Request<Vec<u8>>,
        peer: Option<IpAddr>,
    ) -> Response<Vec<u8>> {
        let headers = request.headers();
        let authorization = headers
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        let actor = match self.inner.auth.check(authorization, peer) {
            Ok(actor) => actor,
            Err(status) => {
                let detail = if status == 403 {
                    "this console serves loopback peers only"
                } else {
                    "authentication required"
                };
                let mut response = problem(status, detail, None);
                if let (401, Some(challenge)) = (status, self.inner.auth.challenge()) {
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static(challenge),
                    );
                }
                return response;
            }
        };
        let path = request.uri().path().trim_end_matches('/').to_owned();
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        let query = match Params::parse(request.uri().query().unwrap_or("").as_bytes()) {
            Ok(q) => q,
            Err(e) => return bad_request(&e),
        };
        let ctx = render::Ctx {
            base: self.inner.base.clone(),
            csrf: self.inner.key.issue(SystemTime::now()),
        };
        let method = request.method().clone();
        match (method, path.as_str()) {
            (Method::GET | Method::HEAD, "/assets/console.css") => asset(
                "text/css; charset=utf-8",
                include_str!("assets/console.css"),
            ),
            (Method::GET | Method::HEAD, "/assets/console.js") => asset(
                "text/javascript; charset=utf-8",
                include_str!("assets/console.js"),
            ),
            (Method::GET | Method::HEAD, p) if p.starts_with("/api/") => {
                api::get(self, &p[4..], &query).await
            }
            (Method::GET | Method::HEAD, p) => pages::get(self, &ctx, p, &query).await,
            (Method::POST, p) => {
                let api = p.starts_with("/api/");
                let verb = if api { &p[4..] } else { p };
                if !matches!(verb, "/replay" | "/discard" | "/expunge") {
                    return not_found_or_405(p);
                }
                // A bearer token is never sent by a browser on its own: a script holding it
                // needs no CSRF token. Every other POST (any form; the API under basic or
                // loopback-only, whose credential a browser sends by itself) needs both checks,
                // the origin before the body is read.
                let bearer_api = api && matches!(self.inner.auth, ConsoleAuth::Bearer(_));
                let h = request.headers();
                let get = |n: &str| h.get(n).map(HeaderValue::as_bytes);
                if !bearer_api
                    && !csrf::same_origin(get("origin"), get("sec-fetch-site"), get("host"))
                {
                    return problem(403, "cross-origin request refused", None);
                }
                let form = match body_params(&request) {
                    Ok(f) => f,
                    Err(e) => return bad_request(&e),
                };
                if !bearer_api {
                    let token = form
                        .get("csrf")
                        .or_else(|| h.get("x-csrf-token").and_then(|v| v.to_str().ok()));
                    if !token.is_some_and(|t| self.inner.key.verify(t, SystemTime::now())) {
                        return problem(
                            403,
                            "missing or expired CSRF token: reload the page",
                            None,
                        );
                    }
                }
                api::verb(self, &ctx, &verb[1..], &form, &actor, api).await
            }
            (_, p) => not_found_or_405(p),
        }
    }

    /// The answer to a body past [`MAX_BODY`]: 413, for a mount of your own that stops
    /// reading there.
    #[must_use]
    pub fn too_large(&self) -> Response<Vec<u8>> {
        let mut response = problem(413, "the body is larger than the console accepts", None);
        secure(response.headers_mut());
        response
    }

    /// The answer to a request a mount could not turn into an `http::Request`: 400.
    #[must_use]
    pub fn malformed(&self) -> Response<Vec<u8>> {
        let mut response = problem(400, "malformed request", None);
        secure(response.headers_mut());
        response
    }

    pub(crate) fn console(&self) -> &Console {
        &self.inner.console
    }

    pub(crate) fn health_report(&self) -> Option<crate::telemetry::HealthReport> {
        self.inner.health.as_ref().map(Health::report)
    }

    /// A fresh CSRF token (for `GET /api/csrf`).
    pub(crate) fn csrf_token(&self) -> String {
        self.inner.key.issue(SystemTime::now())
    }
}

/// The parameters of a POST: a JSON object, or form fields.
fn body_params(request: &http::Request<Vec<u8>>) -> Result<Params, BadParam> {
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if json {
        Params::from_json(request.body())
    } else {
        Params::parse(request.body())
    }
}

fn not_found_or_405(path: &str) -> Response<Vec<u8>> {
    let known = matches!(
        path,
        "/" | "/items" | "/story" | "/failures" | "/audit" | "/replay" | "/discard" | "/expunge"
    ) || path.starts_with("/api/")
        || path.starts_with("/items/");
    if known {
        problem(405, "method not allowed", None)
    } else {
        problem(404, "no such page", None)
    }
}

/// The headers every answer carries.
fn secure(headers: &mut http::HeaderMap) {
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

fn respond(status: u16, content_type: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn asset(content_type: &'static str, text: &'static str) -> Response<Vec<u8>> {
    respond(200, content_type, text.as_bytes().to_vec())
}

/// An `application/problem+json` answer ([`Problem`](crate::problem::Problem)'s shape), with
/// the offending `parameter` when there is one.
pub(crate) fn problem(status: u16, detail: &str, parameter: Option<&str>) -> Response<Vec<u8>> {
    let problem = crate::problem::Problem::new(status, detail);
    let mut value: serde_json::Value =
        serde_json::from_slice(&problem.to_json()).unwrap_or_default();
    if let (Some(name), Some(object)) = (parameter, value.as_object_mut()) {
        object.insert("parameter".into(), name.into());
    }
    respond(
        status,
        crate::problem::Problem::CONTENT_TYPE,
        serde_json::to_vec(&value).unwrap_or_default(),
    )
}

pub(crate) fn bad_request(e: &BadParam) -> Response<Vec<u8>> {
    problem(400, &format!("{}: {}", e.name, e.detail), Some(&e.name))
}

/// A console error as an answer: a bad cursor or an empty argument is the caller's (400),
/// the inbox's failure is ours (500, without its detail).
pub(crate) fn console_error(e: &ConsoleError) -> Response<Vec<u8>> {
    match e {
        ConsoleError::Cursor => problem(
            400,
            "cursor: not a cursor this console gave out",
            Some("cursor"),
        ),
        ConsoleError::Empty(what) => {
            let name = match *what {
                "reference value" => "ref",
                other => other,
            };
            problem(400, &format!("{name}: must not be empty"), Some(name))
        }
        _ => {
            // The detail (a database message) stays in the log, not in the answer.
            #[cfg(feature = "tracing")]
            tracing::error!(error = %e, "console: the inbox failed");
            problem(500, "the inbox failed", None)
        }
    }
}

#[cfg(all(test, feature = "inbox-sqlite"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn base_paths_are_plain_paths() {
        let dir =
            std::env::temp_dir().join(format!("delivery-webhooks-base-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let inbox = crate::inbox::SqliteInbox::open(dir.join("inbox.db"), Default::default())
            .await
            .unwrap();
        let web = ConsoleWeb::new(Console::from(inbox), ConsoleAuth::LoopbackOnly).unwrap();
        for good in ["/", "/console", "/ops/console-1"] {
            assert!(web.clone().base_path(good).is_ok(), "{good}");
        }
        assert_eq!(web.clone().base_path("/").unwrap().base(), "");
        for bad in [
            "",
            "console",
            "/console/",
            "//evil.example",
            "/a\"b",
            "/c?x=1",
            "/d e",
        ] {
            assert!(
                matches!(
                    web.clone().base_path(bad),
                    Err(ConsoleWebError::BasePath(_))
                ),
                "{bad}"
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
