//! Arbitrary headers and body: the Wakilni verifier never panics, always accepts a correctly
//! signed body, and accepts an unsigned one only if the fuzzer wrote the exact HMAC itself.
#![no_main]

use delivery_webhooks::wakilni;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzz-secret";

/// A signature in the one spelling `sign` produces: standard alphabet, padded, trimmed.
fn normalized(sig: &str) -> String {
    let s = sig.trim().trim_end_matches('=').replace('-', "+").replace('_', "/");
    let pad = (4 - s.len() % 4) % 4;
    s + &"=".repeat(pad)
}

fuzz_target!(|input: (Vec<(String, String)>, Vec<u8>, bool)| {
    let (mut headers, body, sign_it) = input;
    let verifier = wakilni::Verifier::new(SECRET).unwrap();
    if sign_it {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("x-webhook-signature"));
        headers.push(("X-Webhook-Signature".into(), wakilni::sign(SECRET, &body)));
        assert!(verifier.verify(&headers, &body).is_ok());
        let _ = verifier.receive(&headers, &body);
    } else if verifier.verify(&headers, &body).is_ok() {
        let presented = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-webhook-signature"))
            .map(|(_, v)| normalized(v));
        assert_eq!(presented, Some(wakilni::sign(SECRET, &body)), "forged signature accepted");
    }
});
