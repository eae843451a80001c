//! Typed parsing against parsing the same bytes into `serde_json::Value`, per fixture.
//!
//! `cargo bench --bench parse`; ratios are reported in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn fixtures(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn bench_provider<T>(
    c: &mut Criterion,
    provider: &str,
    parse: impl Fn(&[u8]) -> Result<T, delivery_webhooks::Error>,
) {
    let mut group = c.benchmark_group(format!("parse/{provider}"));
    for (name, body) in fixtures(provider) {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("baseline_value", &name),
            &body,
            |b, body| {
                b.iter(|| {
                    black_box(serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap())
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("crate_parse", &name), &body, |b, body| {
            b.iter(|| black_box(parse(black_box(body)).unwrap()))
        });
    }
    group.finish();
}

fn wakilni(c: &mut Criterion) {
    bench_provider(c, "wakilni", delivery_webhooks::wakilni::parse);
}

criterion_group!(benches, wakilni);
criterion_main!(benches);
