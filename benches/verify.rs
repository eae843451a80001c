//! Verification cost against the floor it cannot beat: HMAC-SHA256 of the same bytes computed
//! directly with `hmac` and `sha2`, in the same benchmark group and run.
//!
//! `cargo bench --bench verify`; ratios are reported in docs/performance.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

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
    let verifier = delivery_webhooks::wakilni::Verifier::new(SECRET).unwrap();
    let mut group = c.benchmark_group("verify/wakilni");
    for len in [300usize, 4 << 10, 40 << 10, 64 << 10, 1 << 20] {
        let body = body(len);
        let sig = delivery_webhooks::wakilni::sign(SECRET, &body);
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
                    .verify(black_box(&headers), black_box(body))
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, wakilni_signature);
criterion_main!(benches);
