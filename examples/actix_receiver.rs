//! A webhook receiver in actix-web 4 for every provider configured in the environment, built
//! on the crate's `actix` adapter: one route per provider under `/webhooks/<provider>`, genuine
//! deliveries logged with their typed payload, refusals answered with a problem+json body.
//!
//! ```sh
//! WAKILNI_WEBHOOK_SECRET='your-secret' cargo run --example actix_receiver --features actix
//! ```
//!
//! Settings are `delivery_webhooks::Config`'s variables (README: "Receiving webhooks in your
//! framework"). The first line printed is `listening on http://ADDR`, the port actually bound.

use std::process::ExitCode;

use actix_web::{App, HttpServer};
use delivery_webhooks::isendu::Message;
use delivery_webhooks::{AnyDelivery, Config};

/// Logs a delivery. A real receiver stores it here, keyed by `dedup_key` to drop retries, and
/// returns `Err` if it could not: the router then answers 500 and the provider retries.
async fn handle(delivery: AnyDelivery) {
    let key = delivery.dedup_key().clone();
    let what = match &delivery {
        AnyDelivery::Wakilni(d) => format!(
            "{} for order {:?} (attempt {})",
            d.payload.event_name(),
            d.payload.data.order_id(),
            d.attempt.unwrap_or(1)
        ),
        AnyDelivery::Peddler(d) => format!("shipment {} is {}", d.payload.id, d.payload.status),
        AnyDelivery::Xoxoday(d) => format!(
            "order {} is {}",
            d.payload.data.order_id, d.payload.data.delivery_status
        ),
        AnyDelivery::Isendu(d) => match &d.payload {
            Message::Update(u) => {
                format!("{} orders, {} trackings", u.order.len(), u.tracking.len())
            }
            _ => "handshake answered".to_owned(),
        },
        AnyDelivery::Skladon(d) => format!(
            "{} for entity {}",
            d.payload.webhook_type(),
            d.payload.entity_id().as_deref().unwrap_or("(unknown)")
        ),
        _ => "a delivery".to_owned(),
    };
    println!("{key}: {what}");
}

#[actix_web::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Refuses a configuration with no provider, listing every problem at once.
    let config = Config::from_env()?;
    let providers = config.providers();
    let listen_addr = config.listen_addr.clone();
    let server = HttpServer::new(move || {
        App::new().service(delivery_webhooks::actix::router(config.clone(), handle))
    })
    .bind(listen_addr)?;
    println!("listening on http://{}", server.addrs()[0]);
    for provider in providers {
        println!("  /webhooks/{provider}");
    }
    server.run().await?;
    Ok(())
}
