//! Skladon: `parse --type` and `verify --url` (the token in the registered URL).

use delivery_webhooks::Request;
use delivery_webhooks::skladon::{self, Entity, Notification, WebhookType};

use crate::common::{self, Body, Failure, SecretArgs};

const NAME: &str = "skladon";
const SECRET: &str = "skladon needs the url token";

/// clap value parser for `--type`: a webhook type, spelled exactly. A type this crate does not
/// know is read as the receiver reads it (the entity recognised by its keys, or kept as sent),
/// so only an empty or blank one is a usage error.
pub fn parse_type(raw: &str) -> Result<WebhookType, String> {
    if raw.trim().is_empty() {
        let known: Vec<&str> = WebhookType::ALL.iter().map(WebhookType::as_str).collect();
        return Err(format!(
            "an empty skladon webhook type; one of: {}",
            known.join(", ")
        ));
    }
    let Ok(webhook_type) = raw.parse::<WebhookType>();
    Ok(webhook_type)
}

/// `parse skladon --type TYPE`: the entity (or an unknown type's body) as pretty JSON on stdout,
/// a summary on stderr.
pub fn parse(body: &Body, webhook_type: &WebhookType) -> Result<(), Failure> {
    let call = Notification::read(webhook_type.clone(), None, &body.read()?)
        .map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_json(&call)?;
    let line = match call.entity() {
        Some(entity) => summary(webhook_type, entity),
        None => format!("{webhook_type}: an entity this crate does not know, kept as sent"),
    };
    common::note(&format!("{NAME}: {line}"));
    Ok(())
}

/// `verify skladon --url URL`: Skladon signs nothing, so the check is the token in the URL the
/// call came in on, the path segment after the mount point (`/webhooks/skladon/<token>/<TYPE>`).
/// The body is not read.
pub fn verify(secret: &SecretArgs, url: Option<&str>) -> Result<(), Failure> {
    let Some(url) = url else {
        return Err(Failure::Usage(
            "skladon is checked by the token in its url: pass --url URL (the request target or full url)"
                .into(),
        ));
    };
    let secret = secret.require(SECRET)?;
    let verifier =
        skladon::Verifier::new(secret.bytes()).map_err(|e| Failure::from_config(NAME, &e))?;
    let no_headers: [(&str, &str); 0] = [];
    // The url is checked as Skladon calls it: `<TYPE>` by POST, `<TYPE>/<id>` by GET. The token
    // decides first either way, so trying both tells nothing more about it.
    let as_post = verifier.verify(&Request::new(&no_headers, &[]).uri(url));
    let checked = match as_post {
        Err(delivery_webhooks::Error::InvalidUrl { .. }) => {
            verifier.verify(&Request::new(&no_headers, &[]).method("GET").uri(url))
        }
        other => other,
    };
    checked.map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_line("verified")
}

/// `UPDATE_ORDER_STATUS: order 12345, status inProcess`, or for a stock movement
/// `CREATE_STOCK_MOVEMENT_STOCK_CORRECTION: stock_movement 778899, stock_correction, count -3, sku TEST_SKU_1`.
fn summary(webhook_type: &WebhookType, entity: &Entity) -> String {
    let mut line = format!("{webhook_type}: {} {}", entity.kind(), entity.id());
    let detail = match entity {
        Entity::Order(order) => order.status.as_ref().map(|s| format!("status {s}")),
        Entity::Receiving(receiving) => receiving.status.as_ref().map(|s| format!("status {s}")),
        Entity::Return(ret) => ret.status.as_ref().map(|s| format!("status {s}")),
        Entity::StockMovement(movement) => Some(format!(
            "{}, count {}, sku {}",
            movement.r#type, movement.count, movement.sku
        )),
        _ => None,
    };
    if let Some(detail) = detail {
        line.push_str(", ");
        line.push_str(&detail);
    }
    line
}
