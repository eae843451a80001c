//! A tour of the crate on the shipped fixtures: each provider's bodies are authenticated the way
//! that provider does it, parsed into typed payloads and summarised; then forged or tampered
//! deliveries are shown being rejected, with the reason and the HTTP status a handler would answer.
//!
//! Run it from the repository root: `cargo run --example tour`.

use std::path::Path;

use delivery_webhooks::wakilni;

fn fixtures(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let body = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, body)
        })
        .collect()
}

fn heading(title: &str) {
    println!("\n== {title} ==");
}

fn rejected(what: &str, err: &delivery_webhooks::Error) {
    println!("  REJECTED {what:<44} -> {} ({err})", err.status_code());
}

fn wakilni_tour() -> Result<(), delivery_webhooks::Error> {
    heading("Wakilni: x-webhook-signature, base64 HMAC-SHA256 of the raw body");
    let secret = "tour-secret";
    let verifier = wakilni::Verifier::new(secret)?;
    for (name, body) in fixtures("wakilni") {
        let signature = wakilni::sign(secret, &body);
        let headers = [
            ("x-webhook-signature", signature.as_str()),
            ("x-attempt-number", "1"),
        ];
        let delivery = verifier.receive(&headers, &body)?;
        let event = &delivery.event;
        let detail = match (&event.data, event.data.status_change()) {
            (_, Some(change)) => format!(
                "status {} -> {}",
                change.previous_status.as_ref().map_or("?", |s| s.as_str()),
                change.new_status
            ),
            (wakilni::EventData::OrderAssigned(a), _) => {
                format!("driver {}", a.driver_name.as_deref().unwrap_or("?"))
            }
            (wakilni::EventData::OrderReadyForSelfPickup(p), _) => format!(
                "at {}",
                p.location
                    .as_ref()
                    .and_then(|l| l.office_name.as_deref())
                    .unwrap_or("?")
            ),
            (wakilni::EventData::OrderCreated(c), _) => format!("waybill {}", c.waybill),
            (wakilni::EventData::Unknown { .. }, _) => {
                "unknown event, kept as raw JSON".to_string()
            }
            _ => String::new(),
        };
        println!(
            "  ok  {name:<38} {:<28} order {:<8} {detail}",
            event.event_name(),
            event
                .data
                .order_id()
                .map_or("-".into(), |id| id.to_string()),
        );
    }

    let (_, body) = &fixtures("wakilni")[0];
    let signature = wakilni::sign(secret, body);
    let mut tampered = body.clone();
    if let Some(digit) = tampered.iter_mut().find(|b| b.is_ascii_digit()) {
        *digit = if *digit == b'9' { b'0' } else { *digit + 1 };
    }
    let headers = [("x-webhook-signature", signature.as_str())];
    if let Err(err) = verifier.receive(&headers, &tampered) {
        rejected("a tampered body (one digit changed)", &err);
    }
    let none: [(&str, &str); 0] = [];
    if let Err(err) = verifier.receive(&none, body) {
        rejected("an unsigned delivery", &err);
    }
    let forged = wakilni::sign("attacker-secret", body);
    if let Err(err) = verifier.receive(&[("x-webhook-signature", forged.as_str())], body) {
        rejected("a body signed with another secret", &err);
    }
    let bad = br#"{"event_id":"x","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":"abc"}}"#;
    let signature = wakilni::sign(secret, bad);
    if let Err(err) = verifier.receive(&[("x-webhook-signature", signature.as_str())], bad) {
        rejected("a genuine but malformed body", &err);
    }
    Ok(())
}

fn main() -> Result<(), delivery_webhooks::Error> {
    println!("delivery-webhooks tour: every shipped fixture, authenticated and parsed.");
    wakilni_tour()?;
    println!("\nAll fixtures verified and parsed; every forged or tampered delivery was rejected.");
    Ok(())
}
