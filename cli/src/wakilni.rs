//! Wakilni: `parse`, `verify` (x-webhook-signature) and `sign`.

use delivery_webhooks::Request;
use delivery_webhooks::wakilni::{self, Event, EventData};

use crate::common::{self, Body, Failure, SecretArgs};

const NAME: &str = "wakilni";
const SECRET: &str = "wakilni needs the webhook secret";

/// `parse wakilni`: the event as pretty JSON on stdout, a summary on stderr.
pub fn parse(body: &Body) -> Result<(), Failure> {
    let event = wakilni::parse(&body.read()?).map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_json(&event)?;
    common::note(&format!("{NAME}: {}", summary(&event)));
    Ok(())
}

/// `verify wakilni`: checks `x-webhook-signature` over the body.
pub fn verify(
    secret: &SecretArgs,
    headers: &[(String, String)],
    body: &Body,
) -> Result<(), Failure> {
    let secret = secret.require(SECRET)?;
    let body = body.read()?;
    let verifier =
        wakilni::Verifier::new(secret.bytes()).map_err(|e| Failure::from_config(NAME, &e))?;
    verifier
        .verify(&Request::new(&headers, &body))
        .map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_line("verified")
}

/// `sign wakilni`: the `x-webhook-signature` value for the body.
pub fn sign(secret: &SecretArgs, body: &Body) -> Result<(), Failure> {
    let secret = secret.require(SECRET)?;
    common::print_line(&wakilni::sign(secret.bytes(), &body.read()?))
}

/// `Order Assigned, order 123456, driver Ali Haddad`.
fn summary(event: &Event) -> String {
    let mut line = event.event_name().to_owned();
    if let Some(id) = event.data.order_id() {
        line.push_str(&format!(", order {id}"));
    }
    let detail = match &event.data {
        EventData::OrderCreated(created) => Some(format!("waybill {}", created.waybill)),
        EventData::OrderAssigned(assigned) => Some(format!(
            "driver {}",
            assigned.driver_name.as_deref().unwrap_or("(not named)")
        )),
        EventData::OrderReadyForSelfPickup(pickup) => Some(format!(
            "at {}",
            pickup
                .office()
                .and_then(|office| office.office_name.as_deref())
                .unwrap_or("(office not named)")
        )),
        EventData::Unknown { .. } => Some("unknown event, data kept as sent".to_owned()),
        other => other
            .status_change()
            .map(|change| match &change.previous_status {
                Some(previous) => format!("{previous} -> {}", change.new_status),
                None => format!("now {}", change.new_status),
            }),
    };
    if let Some(detail) = detail {
        line.push_str(", ");
        line.push_str(&detail);
    }
    line
}
