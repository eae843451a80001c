//! A tour of the crate on the shipped fixtures: every provider's bodies are sent through one
//! generic function over the receiver contract (`Receive`), authenticated the way that provider
//! does it, parsed into typed payloads and summarised; then forged or tampered deliveries are
//! shown being rejected, with the reason and the HTTP status a handler would answer.
//!
//! Run it from the repository root: `cargo run --example tour`.

use std::net::IpAddr;
use std::path::Path;

use delivery_webhooks::{
    AnyDelivery, Delivery, Receive, Request, UrlToken, isendu, peddler, skladon, wakilni, xoxoday,
};

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

/// What the provider puts around a body: headers, the request target and the peer address.
struct Sent {
    headers: Vec<(String, String)>,
    uri: String,
    peer: IpAddr,
}

/// Receives one request through any provider's verifier: the one generic path every receiver
/// (and this crate's adapters) takes.
fn receive<R: Receive>(
    receiver: &R,
    sent: &Sent,
    body: &[u8],
) -> Result<AnyDelivery, delivery_webhooks::Error>
where
    Delivery<R::Payload>: Into<AnyDelivery>,
{
    let request = Request::new(&sent.headers, body)
        .uri(&sent.uri)
        .peer(sent.peer);
    receiver.receive(&request).map(Into::into)
}

/// One line per delivery, whatever the provider.
fn summary(delivery: &AnyDelivery) -> String {
    match delivery {
        AnyDelivery::Wakilni(d) => format!(
            "{}, order {:?}",
            d.payload.event_name(),
            d.payload.data.order_id()
        ),
        AnyDelivery::Peddler(d) => format!(
            "{} code {}, shipment {}",
            d.payload.status, d.payload.code, d.payload.id
        ),
        AnyDelivery::Xoxoday(d) => format!(
            "{}, order {}",
            d.payload.data.delivery_status, d.payload.data.order_id
        ),
        AnyDelivery::Isendu(d) => match &d.payload {
            isendu::Message::Update(u) => format!(
                "batch: {} order(s), {} tracking(s)",
                u.order.len(),
                u.tracking.len()
            ),
            _ => format!(
                "handshake, answered with {} bytes (redacted)",
                d.reply.body().len()
            ),
        },
        AnyDelivery::Skladon(d) => {
            format!("{} {}", d.payload.webhook_type(), d.payload.entity_id())
        }
        other => format!("{other:?}"),
    }
}

fn tour<R: Receive>(title: &str, receiver: &R, dir: &str, send: impl Fn(&str, &[u8]) -> Sent)
where
    Delivery<R::Payload>: Into<AnyDelivery>,
{
    println!("\n== {title} ==");
    for (name, body) in fixtures(dir) {
        match receive(receiver, &send(&name, &body), &body) {
            Ok(d) => println!(
                "  ok  {name:<40} {:<56} {}",
                d.dedup_key()
                    .to_string()
                    .chars()
                    .take(56)
                    .collect::<String>(),
                summary(&d)
            ),
            Err(err) => println!("  REJECTED {name:<35} -> {} ({err})", err.status_code()),
        }
    }
}

fn rejected<R: Receive>(what: &str, receiver: &R, sent: Sent, body: &[u8]) {
    match receiver.receive(
        &Request::new(&sent.headers, body)
            .uri(&sent.uri)
            .peer(sent.peer),
    ) {
        Err(err) => println!("  REJECTED {what:<44} -> {} ({err})", err.status_code()),
        Ok(_) => panic!("{what} was accepted"),
    }
}

fn sent(headers: &[(&str, &str)], uri: &str, peer: &str) -> Sent {
    Sent {
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        uri: uri.to_owned(),
        peer: peer.parse().expect("an ip address"),
    }
}

/// The Skladon webhook type a fixture was sent for (the body carries none: it is in the URL).
fn skladon_type(name: &str) -> &'static str {
    match name.split('_').next().unwrap_or_default() {
        _ if name.contains("completition") => "CREATE_STOCK_MOVEMENT_COMPLETITION",
        "order" => "UPDATE_ORDER",
        "product" => "UPDATE_PRODUCT",
        "receiving" => "UPDATE_RECEIVING",
        "return" => "UPDATE_RETURN",
        _ => "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("delivery-webhooks tour: every shipped fixture, authenticated and parsed.");
    let anywhere = "203.0.113.9";

    let wakilni = wakilni::Verifier::new("tour-secret")?;
    tour(
        "Wakilni: x-webhook-signature, base64 HMAC-SHA256 of the raw body",
        &wakilni,
        "wakilni",
        |_, body| {
            sent(
                &[
                    ("x-webhook-signature", &wakilni::sign("tour-secret", body)),
                    ("x-attempt-number", "1"),
                ],
                "/webhooks/wakilni",
                anywhere,
            )
        },
    );
    let (_, body) = &fixtures("wakilni")[0];
    let sig = wakilni::sign("tour-secret", body);
    rejected(
        "a Wakilni body changed after signing",
        &wakilni,
        sent(&[("x-webhook-signature", &sig)], "/", anywhere),
        b"{}",
    );
    rejected(
        "a Wakilni body without a signature",
        &wakilni,
        sent(&[], "/", anywhere),
        body,
    );

    let peddler = peddler::Verifier::new("tour-token")?;
    tour(
        "Peddler: x-webhook-shared-token",
        &peddler,
        "peddler",
        |_, _| {
            sent(
                &[("x-webhook-shared-token", "tour-token")],
                "/webhooks/peddler",
                anywhere,
            )
        },
    );
    rejected(
        "a Peddler update with a guessed token",
        &peddler,
        sent(&[("x-webhook-shared-token", "guess")], "/", anywhere),
        b"{}",
    );

    let xoxoday = xoxoday::Verifier::new("TourKey2024xyz")?.trusted_proxies(["10.0.0.0/8"])?;
    tour(
        "Xoxoday: source address 52.76.120.90 behind a trusted proxy, and x-api-key",
        &xoxoday,
        "xoxoday",
        |_, _| {
            sent(
                &[
                    ("x-api-key", "TourKey2024xyz"),
                    ("x-forwarded-for", "52.76.120.90"),
                ],
                "/webhooks/xoxoday",
                "10.0.0.7",
            )
        },
    );
    rejected(
        "a Xoxoday update from elsewhere",
        &xoxoday,
        sent(&[("x-api-key", "TourKey2024xyz")], "/", anywhere),
        b"{}",
    );

    let isendu = isendu::Verifier::new(
        "ak_3f1c2a9e5b7d4e8a",
        "tour-secret-key",
        UrlToken::query("token", "tour-url-token")?,
    )?;
    tour(
        "isendu: key-id handshake, then batches checked by a token in the URL",
        &isendu,
        "isendu",
        |_, _| sent(&[], "/webhooks/isendu?token=tour-url-token", anywhere),
    );
    rejected(
        "an isendu batch with a wrong URL token",
        &isendu,
        sent(&[], "/webhooks/isendu?token=guess", anywhere),
        b"{}",
    );

    let skladon = skladon::Verifier::new("tour-url-token")?;
    tour(
        "Skladon: the token, the webhook type and GET ids in the path",
        &skladon,
        "skladon",
        |name, _| {
            sent(
                &[],
                &format!("/webhooks/skladon/tour-url-token/{}", skladon_type(name)),
                anywhere,
            )
        },
    );
    let get = skladon.receive(
        &Request::new(&[("user-agent", "skladon")], b"")
            .method("GET")
            .uri("/webhooks/skladon/tour-url-token/UPDATE_ORDER_STATUS/123456"),
    )?;
    println!(
        "  ok  {:<40} {:<56} {}",
        "GET .../UPDATE_ORDER_STATUS/123456",
        get.dedup_key.as_str(),
        get.payload.entity_id()
    );
    rejected(
        "a Skladon call with a wrong token",
        &skladon,
        sent(&[], "/webhooks/skladon/guess/UPDATE_ORDER", anywhere),
        b"{}",
    );

    println!("\nAll fixtures verified and parsed; every forged or tampered delivery was rejected.");
    Ok(())
}
