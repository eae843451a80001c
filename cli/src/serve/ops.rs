//! The operations endpoints, on their own listen address: `/healthz` (the process answers),
//! `/readyz` (the inbox's database answers and its schema is in place), `/metrics`
//! (Prometheus text, fed by the library's feature `metrics`) and the operator console under
//! `/console` (its own authentication).

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use delivery_webhooks::console::web::ConsoleWeb;
use delivery_webhooks::inbox::Inbox;
use metrics_exporter_prometheus::PrometheusHandle;

/// How long `/readyz` waits for the database before answering 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Where the console is mounted on the operations address.
pub const CONSOLE_PATH: &str = "/console";

/// The router of the operations endpoints over `inbox`, with the console if given (built with
/// [`CONSOLE_PATH`] as its base path).
pub fn router<I>(inbox: I, metrics: PrometheusHandle, console: Option<ConsoleWeb>) -> Router
where
    I: Inbox + Clone + 'static,
{
    let router = match console {
        Some(web) => Router::new().nest(CONSOLE_PATH, delivery_webhooks::axum::console_router(web)),
        None => Router::new(),
    };
    router
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || {
                let inbox = inbox.clone();
                async move { ready(&inbox).await }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        metrics.render(),
                    )
                }
            }),
        )
}

/// 200 when the inbox answers a query over its table (so the database is reachable and the
/// migrations ran: `open` runs them before serving), 503 with the reason otherwise.
async fn ready<I: Inbox>(inbox: &I) -> axum::response::Response {
    match tokio::time::timeout(READY_TIMEOUT, inbox.depth()).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready\n").into_response(),
        // The inbox's errors name no URL or password.
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readyz: the inbox does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {err}\n"),
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: the inbox did not answer within {READY_TIMEOUT:?}\n"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
    use sqlx::Connection as _;

    use super::*;

    async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// `/readyz` answers 503 once the inbox's table is gone (as before the migrations ran), 200
    /// again once it is back; `/healthz` answers 200 throughout.
    #[tokio::test]
    async fn readyz_follows_the_inbox_healthz_does_not() {
        let dir = std::env::temp_dir().join(format!("dw-serve-readyz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("inbox.db");
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let app = router(inbox, recorder.handle(), None);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        assert_eq!(get(addr, "/readyz").await, (200, "ready\n".to_owned()));
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::raw_sql("ALTER TABLE webhook_inbox RENAME TO webhook_inbox_away")
            .execute(&mut conn)
            .await
            .unwrap();
        let (status, body) = get(addr, "/readyz").await;
        assert_eq!(status, 503);
        assert!(
            body.starts_with("not ready: inbox database:") && body.contains("webhook_inbox"),
            "{body}"
        );
        assert_eq!(get(addr, "/healthz").await, (200, "ok\n".to_owned()));
        sqlx::raw_sql("ALTER TABLE webhook_inbox_away RENAME TO webhook_inbox")
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(get(addr, "/readyz").await, (200, "ready\n".to_owned()));
        let (status, metrics) = get(addr, "/metrics").await;
        assert_eq!((status, metrics.as_str()), (200, ""));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
