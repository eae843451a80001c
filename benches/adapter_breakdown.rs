//! Where a request's time goes inside the axum adapter, without TCP: each router is called
//! in-process (`tower::ServiceExt::oneshot`) with the same signed 355-byte Wakilni delivery,
//! on a one-thread runtime, and the mean time per request printed:
//!
//! - `bare`: a handler taking `HeaderMap` and `Bytes`, answering 200 unchecked (the baseline of
//!   `benches/adapter.rs`);
//! - `by hand`: the bare handler plus `wakilni::Verifier::receive`: the least any receiver does;
//! - `extractor`: a handler taking `Webhook<wakilni::Verifier>`;
//! - `router`: `delivery_webhooks::axum::router` (extractor, health, `AnyDelivery`, handler,
//!   `Reply`);
//! - `receive alone`: `Verifier::receive` on the same headers and body, no framework;
//! - `building the request`: the test's own cost of making each `http::Request`, included in
//!   every router figure above.
//!
//! ```sh
//! cargo bench --bench adapter_breakdown --features axum
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request as HttpRequest, StatusCode};
use axum::routing::post;
use delivery_webhooks::axum::Webhook;
use delivery_webhooks::{AnyDelivery, Config, Receive, Request, wakilni};
use tower::ServiceExt;

#[path = "common/handlers.rs"]
mod handlers;

use handlers::{bare, by_hand};

const SECRET: &str = "bench-wakilni-secret";
const ROUNDS: usize = 3;
const CALLS: u32 = 200_000;
const PATH: &str = "/webhooks/wakilni";

async fn extractor(Webhook(delivery): Webhook<wakilni::Verifier>) -> StatusCode {
    std::hint::black_box(delivery);
    StatusCode::OK
}

/// Mean nanoseconds per call of `f`.
fn per_call(mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..CALLS {
        f();
    }
    started.elapsed().as_nanos() as f64 / f64::from(CALLS)
}

fn main() {
    let body = Bytes::from(
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/wakilni/order_confirmed.json"
        ))
        .unwrap(),
    );
    let signature = wakilni::sign(SECRET, &body);
    let verifier = Arc::new(wakilni::Verifier::new(SECRET).unwrap());
    let config = Config::builder().wakilni_secret(SECRET).build().unwrap();
    let routers = [
        ("bare", axum::Router::new().route(PATH, post(bare))),
        (
            "by hand",
            axum::Router::new()
                .route(PATH, post(by_hand))
                .with_state(Arc::clone(&verifier)),
        ),
        (
            "extractor",
            axum::Router::new()
                .route(PATH, post(extractor))
                .with_state(Arc::clone(&verifier)),
        ),
        (
            "router",
            delivery_webhooks::axum::router(config, |d: AnyDelivery| async move {
                std::hint::black_box(d);
            }),
        ),
    ];
    let request = || {
        let mut request = HttpRequest::post(PATH)
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json")
            .header("content-length", body.len())
            .header("x-webhook-signature", &signature)
            .body(Body::from(body.clone()))
            .unwrap();
        let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let headers = [("x-webhook-signature", signature.as_str())];
    for round in 1..=ROUNDS {
        let mut line = format!("round {round}:");
        for (name, router) in &routers {
            let ns = runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..CALLS {
                    let response = router.clone().oneshot(request()).await.unwrap();
                    assert_eq!(response.status(), StatusCode::OK, "{name}");
                }
                started.elapsed().as_nanos() as f64 / f64::from(CALLS)
            });
            line += &format!(" {name} {ns:.0} ns,");
        }
        let alone = per_call(|| {
            let delivery = verifier.receive(&Request::new(&headers, &body)).unwrap();
            std::hint::black_box(delivery);
        });
        let building = per_call(|| {
            std::hint::black_box(request());
        });
        println!("{line} receive alone {alone:.0} ns, building the request {building:.0} ns");
    }
}
