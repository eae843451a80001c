//! Any bytes: `peddler::parse` returns, never panics; what parses round-trips.
#![no_main]

use delivery_webhooks::peddler;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(update) = peddler::parse(body) {
        let bytes = serde_json::to_vec(&update).expect("a parsed update serializes");
        let again = peddler::parse(&bytes).expect("a serialized update parses");
        assert_eq!(again, update);
        let _ = update.dedup_key();
    }
});
