//! Typed parsing against parsing the same bytes into `serde_json::Value`, for every provider's
//! fixtures, and for large bodies at two sizes ten times apart (to show linear cost); and, side
//! by side in one group per provider (`parse_plain/<provider>`), against a plain
//! `#[derive(Deserialize)]` of the same fields without the lenient codec (`benches/common/plain.rs`).
//!
//! `cargo bench --bench parse`; `cargo bench --bench parse -- parse_plain` for the plain-derive
//! groups alone; the tables and ratios are in docs/performance.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use delivery_webhooks::{Error, isendu, peddler, skladon, wakilni, xoxoday};

mod common;
#[path = "common/plain.rs"]
mod plain;

/// Benchmarks `parse` and the `Value` baseline over `bodies` in one group.
fn compare<T>(
    c: &mut Criterion,
    group: &str,
    bodies: &[(String, Vec<u8>)],
    parse: impl Fn(&str, &[u8]) -> Result<T, Error>,
) {
    let mut g = c.benchmark_group(group);
    for (name, body) in bodies {
        parse(name, body).unwrap_or_else(|e| panic!("{group}/{name}: {e}"));
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_with_input(BenchmarkId::new("baseline_value", name), body, |b, body| {
            b.iter(|| {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap())
            })
        });
        g.bench_with_input(BenchmarkId::new("crate_parse", name), body, |b, body| {
            b.iter(|| black_box(parse(name, black_box(body)).unwrap()))
        });
    }
    g.finish();
}

fn fixtures(c: &mut Criterion) {
    compare(c, "parse/wakilni", &common::fixtures("wakilni"), |_, b| {
        wakilni::parse(b)
    });
    compare(c, "parse/peddler", &common::fixtures("peddler"), |_, b| {
        peddler::parse(b)
    });
    compare(c, "parse/xoxoday", &common::fixtures("xoxoday"), |_, b| {
        xoxoday::parse(b)
    });
    compare(c, "parse/isendu", &common::fixtures("isendu"), |_, b| {
        isendu::parse(b)
    });
    // The entities; an unknown type's body, kept as raw JSON, is not an entity parse.
    let entities: Vec<_> = common::fixtures("skladon")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("unknown"))
        .collect();
    compare(c, "parse/skladon", &entities, |name, b| {
        skladon::parse(&common::skladon_type(name), b)
    });
}

/// The crate's parse against a plain derive of the same fields (`plain::*`), on every fixture
/// the plain model reads (the lenient ones, a string id or an object-or-list location, it
/// refuses: those are what the codec is for).
fn against_plain<T, P: serde::de::DeserializeOwned>(
    c: &mut Criterion,
    provider: &str,
    parse: impl Fn(&[u8]) -> Result<T, Error>,
) {
    let mut g = c.benchmark_group(format!("parse_plain/{provider}"));
    for (name, body) in common::fixtures(provider) {
        parse(&body).unwrap_or_else(|e| panic!("{provider}/{name}: {e}"));
        if serde_json::from_slice::<P>(&body).is_err() {
            eprintln!("parse_plain/{provider}/{name}: the plain model refuses it, left out");
            continue;
        }
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_with_input(BenchmarkId::new("plain_derive", &name), &body, |b, body| {
            b.iter(|| black_box(serde_json::from_slice::<P>(black_box(body)).unwrap()))
        });
        g.bench_with_input(BenchmarkId::new("crate_parse", &name), &body, |b, body| {
            b.iter(|| black_box(parse(black_box(body)).unwrap()))
        });
    }
    g.finish();
}

fn plain(c: &mut Criterion) {
    against_plain::<_, plain::WakilniEvent>(c, "wakilni", wakilni::parse);
    against_plain::<_, plain::PeddlerUpdate>(c, "peddler", peddler::parse);
    against_plain::<_, plain::XoxodayWebhook>(c, "xoxoday", xoxoday::parse);
}

/// Large bodies at sizes ten times apart: within one memory regime (100 → 1,000 trackings, both
/// in cache; 10,000 → 100,000, both not) and across it (1,000 → 10,000).
fn large(c: &mut Criterion) {
    let batches: Vec<_> = [100, 1_000, 10_000, 100_000]
        .iter()
        .map(|&n| (format!("tracking_{n}"), common::isendu_batch(n)))
        .collect();
    compare(c, "parse_large/isendu", &batches, |_, b| isendu::parse(b));
    let receivings: Vec<_> = [500, 5_000]
        .iter()
        .map(|&n| (format!("lines_{n}"), common::skladon_receiving(n)))
        .collect();
    compare(c, "parse_large/skladon", &receivings, |_, b| {
        skladon::parse(&skladon::WebhookType::UpdateReceivingStatus, b)
    });
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = fixtures, plain
}
// A 100,000-tracking batch (53 MB) takes half a second: ten samples are enough.
criterion_group! {
    name = large_bodies;
    config = common::config().sample_size(10).measurement_time(std::time::Duration::from_secs(6));
    targets = large
}
criterion_main!(benches, large_bodies);
