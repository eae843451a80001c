//! Xoxoday: `parse` and `verify` (source address, behind trusted proxies, and `x-api-key` when
//! a secret is given, as a receiver built with `xoxoday::Verifier::new` checks it).

use std::net::IpAddr;

use delivery_webhooks::Request;
use delivery_webhooks::xoxoday::{self, DeliveryUpdate};

use crate::common::{self, Body, Failure, SecretArgs};

const NAME: &str = "xoxoday";
const SECRET: &str = "xoxoday's api key";

/// `parse xoxoday`: the update as pretty JSON on stdout, a summary on stderr.
pub fn parse(body: &Body) -> Result<(), Failure> {
    let update = xoxoday::parse(&body.read()?).map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_json(&update)?;
    common::note(&format!("{NAME}: {}", summary(&update)));
    Ok(())
}

/// `verify xoxoday`: checks the client address (`--peer`, or behind a `--trusted-proxy` the
/// address it forwarded) against Xoxoday's documented address and, when a secret is given, the
/// `x-api-key` header. Only the connection and the headers count: the body is not read.
pub fn verify(
    secret: &SecretArgs,
    headers: &[(String, String)],
    peer: Option<IpAddr>,
    trusted_proxies: &[String],
) -> Result<(), Failure> {
    let Some(peer) = peer else {
        return Err(Failure::Usage(
            "xoxoday is checked by source address: pass --peer IP (the TCP peer of the request)"
                .into(),
        ));
    };
    let verifier = match secret.optional(SECRET)? {
        Some(key) => {
            xoxoday::Verifier::new(key.bytes()).map_err(|e| Failure::from_config(NAME, &e))?
        }
        None => xoxoday::Verifier::without_api_key(),
    }
    .trusted_proxies(trusted_proxies)
    .map_err(|e| Failure::Usage(format!("--trusted-proxy: {e}")))?;
    let request = Request::new(&headers, &[]).peer(peer);
    verifier
        .verify(&request)
        .map_err(|e| Failure::from_error(NAME, &e))?;
    let client = verifier
        .client_addr(&request)
        .map_err(|e| Failure::from_error(NAME, &e))?;
    if client != peer {
        common::note(&format!(
            "{NAME}: client {client}, forwarded by trusted proxy {peer}"
        ));
    }
    common::print_line("verified")
}

/// `delivered, order 10254678, po PO-7781, webhook 12345678901234567890`.
fn summary(update: &DeliveryUpdate) -> String {
    let data = &update.data;
    let mut line = format!("{}, order {}", data.delivery_status, data.order_id);
    if let Some(po) = &data.po_number {
        line.push_str(&format!(", po {po}"));
    }
    line.push_str(&format!(", webhook {}", update.id.get()));
    if data.delivery_status.is_other() {
        line.push_str(", unknown status, kept as sent");
    }
    line
}
