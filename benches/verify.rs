//! Verification cost. Wakilni's signature check is measured against the floor it cannot beat,
//! HMAC-SHA256 of the same bytes computed directly with `hmac` and `sha2`, in the same group and
//! run, at sizes from 300 B to 1 MiB (pairs ten times apart show linear cost). Peddler's token
//! check and Xoxoday's source check are measured against the plain comparison they replace.
//!
//! `cargo bench --bench verify`; the tables and ratios are in docs/performance.md.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use delivery_webhooks::{Request, peddler, wakilni, xoxoday};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

mod common;

const SECRET: &str = "bench-secret-0123456789abcdef";

/// A Wakilni-shaped body of exactly `len` bytes (padded inside a string field).
fn body(len: usize) -> Vec<u8> {
    let head = br#"{"event_id":"e2986cd1-1e85-4ef1-a85a-89488dd27b92","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":123456,"waybill":"WK123456","created_at":"2024-11-14 14:39:10","note":""#;
    let tail = br#""}}"#;
    let mut out = head.to_vec();
    out.resize(len.saturating_sub(tail.len()).max(head.len()), b'x');
    out.extend_from_slice(tail);
    out
}

fn wakilni_signature(c: &mut Criterion) {
    let verifier = wakilni::Verifier::new(SECRET).unwrap();
    let mut group = c.benchmark_group("verify/wakilni");
    for len in [
        300usize,
        3_000,
        4 << 10,
        40 << 10,
        64 << 10,
        640 << 10,
        1 << 20,
    ] {
        let body = body(len);
        let sig = wakilni::sign(SECRET, &body);
        let headers = [
            ("content-type", "application/json"),
            ("x-webhook-topic", "Order Created"),
            ("x-webhook-signature", sig.as_str()),
        ];
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::new("baseline_hmac", len), &body, |b, body| {
            b.iter(|| {
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(black_box(body));
                black_box(mac.finalize().into_bytes())
            })
        });
        group.bench_with_input(BenchmarkId::new("crate_verify", len), &body, |b, body| {
            b.iter(|| {
                verifier
                    .verify(&Request::new(black_box(&headers), black_box(body)))
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn peddler_token(c: &mut Criterion) {
    let token = "pdlr-shared-token-6f1e9a2c47b3";
    let verifier = peddler::Verifier::with_secrets([token, "pdlr-previous-token-0b8d"]).unwrap();
    let headers = [
        ("content-type", "application/json"),
        ("x-webhook-shared-token", token),
    ];
    let mut group = c.benchmark_group("verify/peddler");
    group.bench_function("baseline_eq", |b| {
        b.iter(|| {
            let presented = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-webhook-shared-token"))
                .unwrap()
                .1;
            assert!(black_box(presented) == black_box(token));
        })
    });
    group.bench_function("crate_verify", |b| {
        b.iter(|| {
            verifier
                .verify(&Request::new(black_box(&headers), b"{}"))
                .unwrap()
        })
    });
    group.finish();
}

fn xoxoday_source(c: &mut Criterion) {
    let allowed = IpAddr::V4(Ipv4Addr::new(52, 76, 120, 90));
    let proxy = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));
    let direct = xoxoday::Verifier::without_api_key();
    let behind_proxy = xoxoday::Verifier::without_api_key()
        .trusted_proxies(["10.0.0.0/8"])
        .unwrap();
    let no_headers: [(&str, &str); 0] = [];
    let forwarded = [("x-forwarded-for", "52.76.120.90, 10.0.0.3")];
    let mut group = c.benchmark_group("verify/xoxoday");
    group.bench_function("baseline_eq", |b| {
        b.iter(|| assert!(black_box(allowed) == black_box(allowed)))
    });
    group.bench_function(BenchmarkId::new("crate_verify", "direct"), |b| {
        b.iter(|| {
            direct
                .verify(&Request::new(black_box(&no_headers), b"{}").peer(black_box(allowed)))
                .unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("crate_verify", "x_forwarded_for"), |b| {
        b.iter(|| {
            behind_proxy
                .verify(&Request::new(black_box(&forwarded), b"{}").peer(black_box(proxy)))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = wakilni_signature, peddler_token, xoxoday_source
}
criterion_main!(benches);
