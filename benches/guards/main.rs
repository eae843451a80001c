//! The program `benches/guards/*.sh` count instructions of (valgrind's callgrind: counts, not
//! seconds, so the load of the machine does not move them). Not a criterion benchmark.
//!
//! Each measured piece of work runs inside [`segment`]; the scripts run callgrind with
//! `--collect-atstart=no --toggle-collect='*segment*' --dump-after='*segment*'`, so every call
//! of `segment` is one dump holding exactly that call's instructions and nothing of the setup
//! around it (reading fixtures, building requests, printing). Each kind of work runs once before
//! its segments, so one-time costs (lazy statics, first allocations) fall outside them too. Every
//! segment is followed by the name of what it measured, one line on stdout, so the script pairs
//! the dumps (numbered in order) with the lines. An `empty` segment (nothing inside) gives the
//! cost of the call itself, which the scripts subtract.
//!
//! ```text
//! guards parse <provider> <N>        per fixture: empty, crate (N parses), value (N parses),
//!                                    and plain (N parses into `benches/common/plain.rs`'s
//!                                    plain derive, where it has the provider and reads the body)
//! guards adapter <N>                 empty, bare, extractor, by_hand (N requests each)
//! guards verify <N>                  per size: empty, hmac (N), crate (N)
//! ```

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request as HttpRequest, StatusCode};
use axum::routing::post;
use delivery_webhooks::axum::Webhook;
use delivery_webhooks::{Request, isendu, peddler, skladon, wakilni, xoxoday};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tower::ServiceExt;

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/handlers.rs"]
mod handlers;
#[path = "../common/plain.rs"]
mod plain;

/// Runs `work` where callgrind collects (see the module's doc), then names it on stdout.
#[inline(never)]
fn segment(work: &mut dyn FnMut()) {
    // Not a bare call: a function that only jumps on may be folded into another of the same
    // code, and lose its name.
    black_box("segment");
    work();
    black_box("segment");
}

fn measure(name: &str, mut work: impl FnMut()) {
    segment(&mut work);
    println!("{name}");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |s: &str| -> usize { s.parse().expect("N is a number") };
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["parse", provider, count] => parse(provider, n(count)),
        ["adapter", count] => adapter(n(count)),
        ["verify", count] => verify(n(count)),
        _ => {
            eprintln!("usage: guards parse <provider> <N> | adapter <N> | verify <N>");
            std::process::exit(2);
        }
    }
}

/// Every entity fixture of `provider`: the crate's typed parse, and serde_json's `Value` of the
/// same bytes, `n` times each.
fn parse(provider: &str, n: usize) {
    let mut bodies = common::fixtures(provider);
    // A Skladon webhook of an unknown type is kept as raw JSON, not parsed as an entity.
    bodies.retain(|(name, _)| provider != "skladon" || !name.starts_with("unknown"));
    // Skladon's webhook type, read from the fixture's name outside the segments: the name is
    // the bench's, not part of the crate's parse (and nothing is kept allocated for it, which
    // would move the heap both parses allocate from).
    let kind_of = |name: &str| (provider == "skladon").then(|| common::skladon_type(name));
    let typed = |kind: &Option<skladon::WebhookType>, body: &[u8]| match (provider, kind) {
        ("wakilni", _) => drop(black_box(wakilni::parse(body).unwrap())),
        ("peddler", _) => drop(black_box(peddler::parse(body).unwrap())),
        ("xoxoday", _) => drop(black_box(xoxoday::parse(body).unwrap())),
        ("isendu", _) => drop(black_box(isendu::parse(body).unwrap())),
        ("skladon", Some(kind)) => drop(black_box(skladon::parse(kind, body).unwrap())),
        (other, _) => panic!("no provider {other}"),
    };
    let value = |body: &[u8]| {
        black_box(serde_json::from_slice::<serde_json::Value>(body).unwrap());
    };
    // The plain derive of the same fields, where there is one and it reads the body.
    let plain = |body: &[u8]| -> Option<()> {
        fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<()> {
            serde_json::from_slice::<T>(body)
                .ok()
                .map(|t| drop(black_box(t)))
        }
        match provider {
            "wakilni" => read::<plain::WakilniEvent>(body),
            "peddler" => read::<plain::PeddlerUpdate>(body),
            "xoxoday" => read::<plain::XoxodayWebhook>(body),
            _ => None,
        }
    };
    for (name, body) in &bodies {
        typed(&kind_of(name), body);
        value(body);
        plain(body);
    }
    for (name, body) in &bodies {
        let kind = &kind_of(name);
        measure(&format!("{name} empty"), || {});
        measure(&format!("{name} crate"), || {
            for _ in 0..n {
                typed(kind, black_box(body));
            }
        });
        measure(&format!("{name} value"), || {
            for _ in 0..n {
                value(black_box(body));
            }
        });
        if plain(body).is_some() {
            measure(&format!("{name} plain"), || {
                for _ in 0..n {
                    plain(black_box(body));
                }
            });
        }
    }
}

async fn extractor(Webhook(delivery): Webhook<wakilni::Verifier>) -> StatusCode {
    black_box(delivery);
    StatusCode::OK
}

/// A signed Wakilni delivery through axum routers in process (`oneshot`, no sockets): the
/// crate's `Webhook` extractor, a handler taking `HeaderMap` and `Bytes` that calls the same
/// `receive` (verify, then parse) by hand, and that handler without `receive` (bare, for
/// scale). The requests are built outside the segments.
fn adapter(n: usize) {
    const SECRET: &str = "bench-wakilni-secret";
    const PATH: &str = "/webhooks/wakilni";
    let (_, body) = common::fixtures("wakilni")
        .into_iter()
        .find(|(name, _)| name == "order_confirmed")
        .unwrap();
    let body = Bytes::from(body);
    let signature = wakilni::sign(SECRET, &body);
    let verifier = Arc::new(wakilni::Verifier::new(SECRET).unwrap());
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
    let routers = [
        (
            "bare",
            axum::Router::new().route(PATH, post(handlers::bare)),
        ),
        (
            "extractor",
            axum::Router::new()
                .route(PATH, post(extractor))
                .with_state(Arc::clone(&verifier)),
        ),
        (
            "by_hand",
            axum::Router::new()
                .route(PATH, post(handlers::by_hand))
                .with_state(Arc::clone(&verifier)),
        ),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let call = |router: &axum::Router, request: HttpRequest<Body>| {
        let response = runtime.block_on(router.clone().oneshot(request)).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    };
    for (_, router) in &routers {
        call(router, request());
    }
    measure("empty", || {});
    for (name, router) in &routers {
        let mut requests: Vec<_> = (0..n).map(|_| request()).collect();
        measure(name, || {
            for request in requests.drain(..) {
                call(router, request);
            }
        });
    }
}

/// Wakilni's `Verifier::verify` against HMAC-SHA256 of the same bytes with `hmac` and `sha2`,
/// from 4 KiB up.
fn verify(n: usize) {
    const SECRET: &str = "bench-secret-0123456789abcdef";
    let verifier = wakilni::Verifier::new(SECRET).unwrap().body_limit(1 << 20);
    let hmac = |body: &[u8]| {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(black_box(body));
        black_box(mac.finalize().into_bytes());
    };
    for len in [4 << 10, 64 << 10, 1 << 20] {
        let body = vec![b'x'; len];
        let signature = wakilni::sign(SECRET, &body);
        let headers = [
            ("content-type", "application/json"),
            ("x-webhook-signature", signature.as_str()),
        ];
        let check = || {
            verifier
                .verify(&Request::new(black_box(&headers), black_box(&body)))
                .unwrap();
        };
        hmac(&body);
        check();
        measure(&format!("{len} empty"), || {});
        measure(&format!("{len} hmac"), || {
            for _ in 0..n {
                hmac(&body);
            }
        });
        measure(&format!("{len} crate"), || {
            for _ in 0..n {
                check();
            }
        });
    }
}
