//! The constant-time probe: runs one credential check many times on one presented value, so
//! that `valgrind --tool=callgrind` can count the instructions it takes. Run by
//! `benches/constant_time/run.sh`, which compares the counts of values that differ from the
//! secret at their first byte and at their last byte: a comparison that stops at the first
//! differing byte shows up as a different count; a constant-time one gives the same count.
//!
//! Usage: `probe <check> <variant> <rounds>` where `variant` is `head` (wrong first byte), `tail`
//! (wrong last byte) or `good`: names of one length, so that reading them costs the same. Every variant is built before the loop, so that the setup
//! costs the same whichever runs.

use std::hint::black_box;

use delivery_webhooks::{Request, UrlToken, isendu, peddler, skladon, wakilni, xoxoday};

const SECRET: &str = "s3cr3t-Token-0123456789-abcdefghijklmnop";

/// The secret with one byte changed at `at`.
fn changed(at: usize) -> String {
    let mut bytes = SECRET.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    String::from_utf8(bytes).expect("ascii")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (check, variant, rounds) = match args.as_slice() {
        [_, check, variant, rounds] => (
            check.as_str(),
            variant.as_str(),
            rounds.parse::<usize>().unwrap_or(0),
        ),
        _ => {
            eprintln!(
                "usage: probe <wakilni|peddler|xoxoday|isendu-key-id|isendu-url|skladon> <head|tail|good> <rounds>"
            );
            std::process::exit(2);
        }
    };
    let run = |check: &mut dyn FnMut() -> bool| {
        let mut ok = true;
        for _ in 0..rounds {
            ok &= black_box(check());
        }
        ok
    };
    let values = [changed(0), changed(SECRET.len() - 1), SECRET.to_owned()];
    let presented = match variant {
        "head" => &values[0],
        "tail" => &values[1],
        "good" => &values[2],
        other => {
            eprintln!("unknown variant {other}");
            std::process::exit(2);
        }
    };
    let body =
        br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{}}"#;
    let ok = match check {
        "wakilni" => {
            let v = wakilni::Verifier::new("wk-secret").expect("secret");
            // A signature of the right length: the real one, or one with a byte changed.
            let real = wakilni::sign("wk-secret", body);
            let mut sig = real.into_bytes();
            match variant {
                "head" => sig[0] = if sig[0] == b'A' { b'B' } else { b'A' },
                "tail" => {
                    // The last base64 character before the padding.
                    let at = sig.iter().rposition(|&b| b != b'=').expect("base64");
                    sig[at] = if sig[at] == b'A' { b'E' } else { b'A' };
                }
                _ => {}
            }
            let sig = String::from_utf8(sig).expect("base64");
            let headers = [("x-webhook-signature", sig.as_str())];
            run(&mut || v.verify(&Request::new(&headers, body)).is_ok())
        }
        "peddler" => {
            let v = peddler::Verifier::new(SECRET).expect("secret");
            let headers = [("x-webhook-shared-token", presented.as_str())];
            run(&mut || v.verify(&Request::new(&headers, body)).is_ok())
        }
        "xoxoday" => {
            let v = xoxoday::Verifier::new(SECRET).expect("secret");
            let headers = [("x-api-key", presented.as_str())];
            let peer = xoxoday::CALLBACK_IP;
            run(&mut || v.verify(&Request::new(&headers, body).peer(peer)).is_ok())
        }
        "isendu-key-id" => {
            let v = isendu::Verifier::without_url_token([(SECRET, "isendu-secret-key")])
                .expect("secret");
            let handshake = isendu::VerificationRequest::new(presented.as_str());
            run(&mut || v.answer(&handshake).is_ok())
        }
        "isendu-url" => {
            let token = UrlToken::query("token", SECRET).expect("secret");
            let v = isendu::Verifier::new("key-id", "isendu-secret-key", token).expect("secret");
            let uri = format!("/webhooks/isendu?token={presented}");
            let none: [(&str, &str); 0] = [];
            run(&mut || v.verify(&Request::new(&none, b"{}").uri(&uri)).is_ok())
        }
        "skladon" => {
            let v = skladon::Verifier::new(SECRET).expect("secret");
            let uri = format!("/webhooks/skladon/{presented}/UPDATE_ORDER_STATUS");
            let none: [(&str, &str); 0] = [];
            run(&mut || v.verify(&Request::new(&none, b"{}").uri(&uri)).is_ok())
        }
        other => {
            eprintln!("unknown check {other}");
            std::process::exit(2);
        }
    };
    // The outcome is printed so that the check cannot be optimised away, and so that the script
    // can tell a mistake in the probe (a `right` value refused) from a timing difference.
    println!("{check} {variant} accepted={ok}");
}
