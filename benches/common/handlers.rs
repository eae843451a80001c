//! The two reference handlers the adapter benches compare `delivery_webhooks::axum` with.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use delivery_webhooks::{Request, wakilni};

/// The bare handler: takes the headers and the body, answers 200 without checking anything.
pub async fn bare(headers: HeaderMap, body: Bytes) -> StatusCode {
    std::hint::black_box((&headers, &body));
    StatusCode::OK
}

/// The least any receiver must do: the bare handler plus the crate's `receive` (verify, parse).
pub async fn by_hand(
    State(verifier): State<Arc<wakilni::Verifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match verifier.receive(&Request::new(&headers, &body)) {
        Ok(delivery) => {
            std::hint::black_box(delivery);
            StatusCode::OK
        }
        Err(_) => StatusCode::UNAUTHORIZED,
    }
}
