//! The operator console as an axum `Router` (feature `console-web`): every request handed to
//! [`ConsoleWeb::handle`] with the peer from `ConnectInfo`.

use std::net::SocketAddr;

use ::axum::Router;
use ::axum::body::Body;
use ::axum::extract::{ConnectInfo, Request};
use ::axum::response::Response;
use ::axum::routing::any;

use crate::console::web::{ConsoleWeb, MAX_BODY};

/// The console's pages, JSON API and assets as a `Router`: merge it, or nest it under the
/// console's [`base_path`](ConsoleWeb::base_path) (`Router::new().nest("/console",
/// console_router(web))`). Serve the app with `into_make_service_with_connect_info::<SocketAddr>()`:
/// [`ConsoleAuth::LoopbackOnly`](crate::console::web::ConsoleAuth::LoopbackOnly) refuses a
/// request whose peer it cannot see. A body past [`MAX_BODY`] is refused with 413.
///
/// ```no_run
/// use std::net::SocketAddr;
/// use delivery_webhooks::console::Console;
/// use delivery_webhooks::console::web::ConsoleWeb;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
/// let web = ConsoleWeb::from_env(Console::from(inbox))?.base_path("/console")?;
/// let app = axum::Router::new().nest("/console", delivery_webhooks::axum::console_router(web));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
/// # Ok(()) }
/// ```
pub fn console_router(web: ConsoleWeb) -> Router {
    let root = web.clone();
    Router::new()
        .route(
            "/",
            any(move |request: Request| serve(root.clone(), request)),
        )
        .route(
            "/{*rest}",
            any(move |request: Request| serve(web.clone(), request)),
        )
}

async fn serve(web: ConsoleWeb, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let (parts, body) = request.into_parts();
    let response = match ::axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            web.handle(http::Request::from_parts(parts, bytes.to_vec()), peer)
                .await
        }
        Err(_) => web.too_large(),
    };
    response.map(Body::from)
}
