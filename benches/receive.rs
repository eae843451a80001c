//! End to end: each provider's `receive` (check, then parse) on a documented body, beside the
//! same bytes parsed into `serde_json::Value` for scale.
//!
//! `cargo bench --bench receive`; the table is in docs/performance.md.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{Criterion, criterion_group, criterion_main};
use delivery_webhooks::{Request, UrlToken, isendu, peddler, skladon, wakilni, xoxoday};

mod common;

fn fixture(provider: &str, name: &str) -> Vec<u8> {
    common::fixtures(provider)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no fixture {provider}/{name}"))
        .1
}

fn bench(c: &mut Criterion, provider: &str, body: &[u8], receive: impl Fn(&[u8])) {
    let mut g = c.benchmark_group(format!("receive/{provider}"));
    g.bench_function("baseline_value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap()))
    });
    g.bench_function("crate_receive", |b| b.iter(|| receive(black_box(body))));
    g.finish();
}

fn receive(c: &mut Criterion) {
    let body = fixture("wakilni", "order_assigned");
    let verifier = wakilni::Verifier::new("secret").unwrap();
    let sig = wakilni::sign("secret", &body);
    let headers = [
        ("x-webhook-signature", sig.as_str()),
        ("x-webhook-topic", "Order Assigned"),
    ];
    bench(c, "wakilni", &body, |b| {
        black_box(verifier.receive(&Request::new(&headers, b)).unwrap());
    });

    let body = fixture("peddler", "failed_attempt");
    let verifier = peddler::Verifier::new("token").unwrap();
    let headers = [("x-webhook-shared-token", "token")];
    bench(c, "peddler", &body, |b| {
        black_box(verifier.receive(&Request::new(&headers, b)).unwrap());
    });

    let body = fixture("xoxoday", "delivered");
    let verifier = xoxoday::Verifier::without_api_key();
    let peer = IpAddr::V4(Ipv4Addr::new(52, 76, 120, 90));
    let headers: [(&str, &str); 0] = [];
    bench(c, "xoxoday", &body, |b| {
        black_box(
            verifier
                .receive(&Request::new(&headers, b).peer(peer))
                .unwrap(),
        );
    });

    let body = fixture("isendu", "update_batch");
    let verifier = isendu::Verifier::new(
        "key-id",
        "secret",
        UrlToken::query("token", "url-secret-5f1c9a7e").unwrap(),
    )
    .unwrap();
    let no_headers: [(&str, &str); 0] = [];
    bench(c, "isendu", &body, |b| {
        let request =
            Request::new(&no_headers, b).uri("/webhooks/isendu?token=url-secret-5f1c9a7e");
        black_box(verifier.receive(&request).unwrap());
    });

    let body = fixture("skladon", "receiving");
    let verifier = skladon::Verifier::new("url-secret-5f1c9a7e").unwrap();
    bench(c, "skladon", &body, |b| {
        let request = Request::new(&no_headers, b)
            .uri("/webhooks/skladon/url-secret-5f1c9a7e/UPDATE_RECEIVING");
        black_box(verifier.receive(&request).unwrap());
    });
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = receive
}
criterion_main!(benches);
