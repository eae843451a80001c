//! The axum adapter's cost per request, side by side in one run on loopback: a signed Wakilni
//! delivery through `delivery_webhooks::axum::router`, against a bare axum handler that takes the
//! same headers and body (`HeaderMap`, `Bytes`) and answers 200 without checking anything, and
//! against that bare handler calling `wakilni::Verifier::receive` itself ("by hand": the least
//! any receiver must do, so the ceiling of any adapter).
//!
//! Each server runs on its own one-thread runtime; `wrk` (1 thread, 16 connections) loads them in
//! turn, several rounds, and the ratios of requests per second are printed. Needs `wrk` on
//! `PATH`. To keep the servers and `wrk` off each other's core, pin them (`WRK_CPU` runs `wrk`
//! under `taskset -c`); `SERVE_ONLY=1` only starts the servers and prints their URLs, for a
//! profiler:
//!
//! ```sh
//! cargo bench --bench adapter --features axum
//! WRK_CPU=1 taskset -c 0 cargo bench --bench adapter --features axum
//! ```
//!
//! Target: the adapter at 0.9x the bare handler's requests per second or better.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use delivery_webhooks::{AnyDelivery, Config, wakilni};

#[path = "common/handlers.rs"]
mod handlers;

use handlers::{bare, by_hand};

const SECRET: &str = "bench-wakilni-secret";
const ROUNDS: usize = 9;
const SECONDS: u32 = 2;

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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Requests per second that `wrk` measured at `url`.
fn wrk(url: &str, script: &str) -> f64 {
    let mut command = match std::env::var("WRK_CPU") {
        Ok(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", &cpu, "wrk"]);
            c
        }
        Err(_) => Command::new("wrk"),
    };
    let out = command
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
    let by_hand = serve(
        axum::Router::new()
            .route("/webhooks/wakilni", axum::routing::post(by_hand))
            .with_state(Arc::new(wakilni::Verifier::new(SECRET).unwrap())),
    );
    let (adapter, bare, by_hand) = (
        format!("http://{adapter}/webhooks/wakilni"),
        format!("http://{bare}/webhooks/wakilni"),
        format!("http://{by_hand}/webhooks/wakilni"),
    );
    if std::env::var("SERVE_ONLY").is_ok() {
        println!("{adapter} {bare} {by_hand} {script}");
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
    // Warm up all three.
    wrk(&adapter, &script);
    wrk(&bare, &script);
    wrk(&by_hand, &script);
    // Short rounds, each server in turn, and the median ratio: this machine changes speed now
    // and then, and a change inside one round spoils only that round.
    let (mut adapter_ratios, mut hand_ratios, mut glue_ratios) = (vec![], vec![], vec![]);
    for round in 1..=ROUNDS {
        let a = wrk(&adapter, &script);
        let b = wrk(&bare, &script);
        let h = wrk(&by_hand, &script);
        println!(
            "round {round}: adapter {a:.0} req/s, bare handler {b:.0} req/s, by hand {h:.0} req/s; \
             adapter/bare {:.3}, by hand/bare {:.3}, adapter/by hand {:.3}",
            a / b,
            h / b,
            a / h
        );
        adapter_ratios.push(a / b);
        hand_ratios.push(h / b);
        glue_ratios.push(a / h);
    }
    println!(
        "median over {ROUNDS} rounds ({} B signed Wakilni body): adapter/bare {:.3}, by hand/bare {:.3}, adapter/by hand {:.3}",
        body.len(),
        median(adapter_ratios),
        median(hand_ratios),
        median(glue_ratios)
    );
    let _ = std::fs::remove_file(&script);
}
