//! The operator console as an actix-web `Scope` (feature `console-web`): every request handed
//! to [`ConsoleWeb::handle`] with the peer from `peer_addr`.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::console::web::{ConsoleWeb, MAX_BODY};

/// The console's pages, JSON API and assets as a `Scope` at the console's
/// [`base_path`](ConsoleWeb::base_path) (the root when none is set): register it with
/// `App::service`. Bind the server to 127.0.0.1 with
/// [`ConsoleAuth::LoopbackOnly`](crate::console::web::ConsoleAuth::LoopbackOnly). A body past
/// [`MAX_BODY`] is refused with 413.
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use delivery_webhooks::console::Console;
/// use delivery_webhooks::console::web::ConsoleWeb;
/// use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let inbox = SqliteInbox::open("webhooks.db", InboxOptions::default()).await?;
/// let web = ConsoleWeb::from_env(Console::from(inbox))?.base_path("/console")?;
/// HttpServer::new(move || App::new().service(delivery_webhooks::actix::console_router(web.clone())))
///     .bind(("127.0.0.1", 3001))?
///     .run()
///     .await?;
/// # Ok(()) }
/// ```
pub fn console_router(console: ConsoleWeb) -> actix_web::Scope {
    web::scope(console.base())
        .app_data(web::Data::new(console))
        .app_data(web::PayloadConfig::new(MAX_BODY))
        .default_service(web::to(serve))
}

async fn serve(
    request: HttpRequest,
    body: web::Bytes,
    console: web::Data<ConsoleWeb>,
) -> HttpResponse {
    let mut path = request.match_info().unprocessed().to_owned();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !request.query_string().is_empty() {
        path.push('?');
        path.push_str(request.query_string());
    }
    let mut builder = http::Request::builder()
        .method(
            http::Method::from_bytes(request.method().as_str().as_bytes())
                .unwrap_or(http::Method::GET),
        )
        .uri(path);
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    let response = match builder.body(body.to_vec()) {
        Ok(req) => {
            console
                .handle(req, request.peer_addr().map(|p| p.ip()))
                .await
        }
        Err(_) => console.malformed(),
    };
    let mut out = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(response.status().as_u16())
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (name, value) in response.headers() {
        out.insert_header((name.as_str(), value.as_bytes()));
    }
    out.body(response.into_body())
}
