//! Peddler: `parse` and `verify` (the `x-webhook-shared-token` header).

use delivery_webhooks::Request;
use delivery_webhooks::peddler::{self, ShipmentUpdate};

use crate::common::{self, Body, Failure, SecretArgs};

const NAME: &str = "peddler";
const SECRET: &str = "peddler needs the shared token";

/// `parse peddler`: the update as pretty JSON on stdout, a summary on stderr.
pub fn parse(body: &Body) -> Result<(), Failure> {
    let update = peddler::parse(&body.read()?).map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_json(&update)?;
    common::note(&format!("{NAME}: {}", summary(&update)));
    Ok(())
}

/// `verify peddler`: checks `x-webhook-shared-token`. The token covers no part of the body, so
/// the body is not read (nor waited for on standard input).
pub fn verify(secret: &SecretArgs, headers: &[(String, String)]) -> Result<(), Failure> {
    let secret = secret.require(SECRET)?;
    let verifier =
        peddler::Verifier::new(secret.bytes()).map_err(|e| Failure::from_config(NAME, &e))?;
    verifier
        .verify(&Request::new(&headers, &[]))
        .map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_line("verified")
}

/// `FAILED_ATTEMPT, shipment fx6_ZSWp0RDc24csBqOj9, tracking P199684830307745678, code 601,
/// reason CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS`.
fn summary(update: &ShipmentUpdate) -> String {
    let mut line = format!("{}, shipment {}", update.status, update.id);
    if let Some(tracking) = &update.carrier_tracking_number {
        line.push_str(&format!(", tracking {tracking}"));
    }
    line.push_str(&format!(", code {}", update.code));
    if let Some(reason) = update.failure_reason() {
        line.push_str(&format!(", reason {reason}"));
    }
    if update.status.is_other() {
        line.push_str(", unknown status, kept as sent");
    }
    line
}
