//! The newcomer's receiver, the README's quick start: axum, every provider configured in the
//! environment (here Wakilni and Peddler), each genuine delivery printed.
//!
//! ```sh
//! export WAKILNI_WEBHOOK_SECRET=local-test-secret PEDDLER_WEBHOOK_TOKEN=local-peddler-token
//! cargo run --example newcomer --features axum
//! ```
//!
//! tests/docs.rs checks that the README shows this code, and that it stays at most 15 lines
//! besides its imports.

use std::net::SocketAddr;

use delivery_webhooks::{AnyDelivery, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // WAKILNI_WEBHOOK_SECRET and PEDDLER_WEBHOOK_TOKEN; every setting: Config::VARIABLES.
    let config = Config::from_env()?;
    let listener = tokio::net::TcpListener::bind(config.listen_addr.as_str()).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr} for {:?}", config.providers());
    let app = delivery_webhooks::axum::router(config, |delivery: AnyDelivery| async move {
        println!("{delivery:?}"); // store it here; return Err to answer 500 (the provider retries)
    });
    // The peer address (`ConnectInfo`) is what Xoxoday's source check reads.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).await?;
    Ok(())
}
