//! Any bytes: `wakilni::parse` returns, never panics; what parses round-trips.
#![no_main]

use delivery_webhooks::wakilni;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(event) = wakilni::parse(body) {
        let bytes = serde_json::to_vec(&event).expect("a parsed event serializes");
        let again = wakilni::parse(&bytes).expect("a serialized event parses");
        assert_eq!(again, event);
    }
});
