//! Any bytes: `isendu::parse` returns, never panics; what parses round-trips, and folding it
//! into a `State` never panics.
#![no_main]

use delivery_webhooks::isendu;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(message) = isendu::parse(body) {
        let bytes = serde_json::to_vec(&message).expect("a parsed message serializes");
        let again = isendu::parse(&bytes).expect("a serialized message parses");
        assert_eq!(again, message);
        if let isendu::Message::Update(update) = &message {
            let mut state = isendu::State::new();
            state.apply(update);
        }
    }
});
