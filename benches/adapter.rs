//! The axum adapter's cost per request, side by side in one run on loopback: a signed Wakilni
//! delivery through `delivery_webhooks::axum::router`, against a bare axum handler that takes the
//! same headers and body (`HeaderMap`, `Bytes`) and answers 200 without checking anything.
//!
//! Each server runs on its own one-thread runtime; `wrk` (1 thread, 16 connections) loads them in
//! turn, several rounds, and the ratio of requests per second is printed. Needs `wrk` on `PATH`:
//!
//! ```sh
//! cargo bench --bench adapter --features axum
//! ```
//!
//! Target: the adapter at 0.9x the bare handler's requests per second or better.

use std::net::SocketAddr;
use std::process::Command;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use delivery_webhooks::{AnyDelivery, Config, wakilni};

const SECRET: &str = "bench-wakilni-secret";
const ROUNDS: usize = 3;
const SECONDS: u32 = 4;

fn serve(app: axum::Router) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service).await.unwrap();
        });
    });
    addr
}

async fn bare(headers: HeaderMap, body: Bytes) -> StatusCode {
    std::hint::black_box((&headers, &body));
    StatusCode::OK
}

/// Requests per second that `wrk` measured at `url`.
fn wrk(url: &str, script: &str) -> f64 {
    let out = Command::new("wrk")
        .args(["-t1", "-c16", &format!("-d{SECONDS}s"), "-s", script, url])
        .output()
        .expect("wrk on PATH");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .unwrap_or_else(|| panic!("no result from wrk: {text}"));
    let non2xx = text.lines().find(|l| l.contains("Non-2xx"));
    assert!(non2xx.is_none(), "refused requests: {text}");
    line["Requests/sec:".len()..].trim().parse().unwrap()
}

fn main() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/wakilni/order_confirmed.json"
    ))
    .unwrap();
    let signature = wakilni::sign(SECRET, &body);
    let script = std::env::temp_dir().join(format!("adapter-bench-{}.lua", std::process::id()));
    let quoted = serde_json::to_string(std::str::from_utf8(&body).unwrap()).unwrap();
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = {quoted}\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"X-Webhook-Signature\"] = \"{signature}\"\n"
        ),
    )
    .unwrap();
    let script = script.to_str().unwrap().to_owned();

    let config = Config::builder().wakilni_secret(SECRET).build().unwrap();
    let adapter = serve(delivery_webhooks::axum::router(
        config,
        |d: AnyDelivery| async move {
            std::hint::black_box(d);
        },
    ));
    let bare = serve(axum::Router::new().route("/webhooks/wakilni", axum::routing::post(bare)));
    let (adapter, bare) = (
        format!("http://{adapter}/webhooks/wakilni"),
        format!("http://{bare}/webhooks/wakilni"),
    );
    // Warm up both.
    wrk(&adapter, &script);
    wrk(&bare, &script);
    let (mut through_adapter, mut through_bare) = (0.0, 0.0);
    for round in 1..=ROUNDS {
        let a = wrk(&adapter, &script);
        let b = wrk(&bare, &script);
        println!(
            "round {round}: adapter {a:.0} req/s, bare handler {b:.0} req/s, ratio {:.3}",
            a / b
        );
        through_adapter += a;
        through_bare += b;
    }
    println!(
        "adapter/bare over {ROUNDS} rounds: {:.3} ({} B signed Wakilni body)",
        through_adapter / through_bare,
        body.len()
    );
    let _ = std::fs::remove_file(&script);
}
