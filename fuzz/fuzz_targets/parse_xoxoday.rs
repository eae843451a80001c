//! Any bytes: `xoxoday::parse` returns, never panics; what parses round-trips (through
//! `to_vec`, which writes ids beyond `u64` in full).
#![no_main]

use delivery_webhooks::xoxoday;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(update) = xoxoday::parse(body) {
        let bytes = serde_json::to_vec(&update).expect("a parsed update serializes");
        let again = xoxoday::parse(&bytes).expect("a serialized update parses");
        assert_eq!(again, update);
    }
});
