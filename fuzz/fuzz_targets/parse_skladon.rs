//! Any bytes: `skladon::parse_any` and `skladon::parse_kind` (kind picked by the first byte)
//! return, never panic; what parses round-trips as the same kind.
#![no_main]

use delivery_webhooks::skladon::{self, EntityKind, WebhookType};
use libfuzzer_sys::fuzz_target;

fn round_trip(entity: &skladon::Entity) {
    let bytes = serde_json::to_vec(entity).expect("a parsed entity serializes");
    let again = skladon::parse_kind(entity.kind(), &bytes).expect("a serialized entity parses");
    assert_eq!(&again, entity);
    for t in WebhookType::ALL {
        let _ = entity.dedup_key(t);
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&pick, body)) = input.split_first() else {
        return;
    };
    if let Ok(entity) = skladon::parse_any(body) {
        round_trip(&entity);
    }
    let kind = EntityKind::ALL[usize::from(pick) % EntityKind::ALL.len()];
    if let Ok(entity) = skladon::parse_kind(kind, body) {
        assert_eq!(entity.kind(), kind);
        round_trip(&entity);
    }
});
