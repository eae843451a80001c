//! The operations endpoints, on their own listen address: `/healthz` (the process answers),
//! `/readyz` (the inbox's database answers and its schema is in place) and `/metrics`
//! (Prometheus text, fed by the library's feature `metrics`).

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use delivery_webhooks::inbox::Inbox;
use metrics_exporter_prometheus::PrometheusHandle;

/// How long `/readyz` waits for the database before answering 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The router of the operations endpoints over `inbox`.
pub fn router<I>(inbox: I, metrics: PrometheusHandle) -> Router
where
    I: Inbox + Clone + 'static,
{
    Router::new()
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
