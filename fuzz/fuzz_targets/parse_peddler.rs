//! Any bytes: `peddler::parse` returns, never panics; what parses round-trips, and receiving it
//! builds its dedup key.
#![no_main]

use delivery_webhooks::{Request, peddler};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(update) = peddler::parse(body) {
        let bytes = serde_json::to_vec(&update).expect("a parsed update serializes");
        let again = peddler::parse(&bytes).expect("a serialized update parses");
        assert_eq!(again, update);
        let verifier = peddler::Verifier::new("t").expect("a valid token");
        let headers = [("x-webhook-shared-token", "t")];
        let delivery = verifier.receive(&Request::new(&headers, body)).expect("parsed above");
        assert!(delivery.dedup_key().as_str().starts_with("peddler:"));
    }
});
