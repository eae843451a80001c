//! A plain binary for instruction counts under valgrind, where criterion's own machinery would
//! drown the parse: it parses one provider's fixtures (or a large body) `N` times, with the crate
//! or into `serde_json::Value`, and nothing else.
//!
//! ```sh
//! cargo bench --bench instructions --no-run
//! valgrind --tool=callgrind --dump-instr=no target/release/deps/instructions-<hash> isendu crate 1000
//! valgrind --tool=callgrind --dump-instr=no target/release/deps/instructions-<hash> isendu value 1000
//! ```
//!
//! The first argument is a provider (its fixtures, each parsed `N` times) or `isendu_batch` /
//! `skladon_receiving` (a 1,000-entry body), or `provider/fixture` for one fixture; the second `crate` or `value`; the third `N`.
//! The ratio of the two totals is the instruction-count form of the `parse` benchmark's ratio.

use std::hint::black_box;

use delivery_webhooks::{isendu, peddler, skladon, wakilni, xoxoday};

mod common;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [what, how, n] = args.as_slice() else {
        eprintln!(
            "usage: instructions <provider|isendu_batch|skladon_receiving> <crate|value> <N>"
        );
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let bodies: Vec<(String, Vec<u8>)> = match what.as_str() {
        "isendu_batch" => vec![("batch".into(), common::isendu_batch(1_000))],
        "skladon_receiving" => vec![("receiving".into(), common::skladon_receiving(1_000))],
        spec if spec.starts_with("hostile/") => {
            // `hostile/<shape>`: one body of that shape (`common::hostile`), of `HOSTILE_BYTES`
            // bytes (1 MiB unless set: CI counts smaller bodies, the ratios per byte alike).
            let shape = &spec["hostile/".len()..];
            let size = std::env::var("HOSTILE_BYTES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1 << 20);
            let (_, provider, body) = common::hostile(size)
                .into_iter()
                .find(|(name, _, _)| *name == shape)
                .unwrap_or_else(|| panic!("no hostile shape {shape}"));
            vec![(provider.to_owned(), body)]
        }
        spec => {
            // `provider` or `provider/fixture`.
            let (provider, only) = spec.split_once('/').unwrap_or((spec, ""));
            let mut bodies = common::fixtures(provider);
            // Entities only: an unknown Skladon type's body is kept raw, not parsed as one.
            bodies.retain(|(name, _)| {
                (only.is_empty() || name == only) && !name.starts_with("unknown")
            });
            bodies
        }
    };
    let hostile = what.starts_with("hostile/");
    let what = what.split('/').next().unwrap_or_default();
    let value = match how.as_str() {
        "crate" => false,
        "value" => true,
        other => panic!("`crate` or `value`, not {other}"),
    };
    for _ in 0..n {
        for (name, body) in &bodies {
            let body = black_box(body.as_slice());
            if value {
                black_box(serde_json::from_slice::<serde_json::Value>(body).unwrap());
                continue;
            }
            if hostile {
                // Accepted or refused, the work is what is counted.
                black_box(hostile_parse(name, body));
                continue;
            }
            match what {
                "wakilni" => drop(black_box(wakilni::parse(body).unwrap())),
                "peddler" => drop(black_box(peddler::parse(body).unwrap())),
                "xoxoday" => drop(black_box(xoxoday::parse(body).unwrap())),
                "isendu" | "isendu_batch" => drop(black_box(isendu::parse(body).unwrap())),
                "skladon" => drop(black_box(
                    skladon::parse(&common::skladon_type(name), body).unwrap(),
                )),
                "skladon_receiving" => drop(black_box(
                    skladon::parse(&skladon::WebhookType::UpdateReceivingStatus, body).unwrap(),
                )),
                other => panic!("no provider {other}"),
            }
        }
    }
}

/// Parses a hostile body as `provider` (or as a Skladon webhook type); whether it is accepted.
fn hostile_parse(provider: &str, body: &[u8]) -> bool {
    match provider {
        "wakilni" => wakilni::parse(body).is_ok(),
        "peddler" => peddler::parse(body).is_ok(),
        "xoxoday" => xoxoday::parse(body).is_ok(),
        "isendu" => isendu::parse(body).is_ok(),
        "value" => serde_json::from_slice::<serde_json::Value>(body).is_ok(),
        kind => skladon::parse(&skladon::WebhookType::from(kind), body).is_ok(),
    }
}
