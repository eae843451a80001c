//! Skladon: `parse --type` and `verify --url` (the token in the registered URL).

use delivery_webhooks::Request;
use delivery_webhooks::skladon::{self, Entity, WebhookType};

use crate::common::{self, Body, Failure, SecretArgs};

const NAME: &str = "skladon";
const SECRET: &str = "skladon needs the url token";

/// clap value parser for `--type`: one of Skladon's 18 webhook types, spelled exactly.
///
/// An unknown type is a usage error rather than `WebhookType::Other`: the body carries no type,
/// so without a known one the tool could not tell which entity to parse.
pub fn parse_type(raw: &str) -> Result<WebhookType, String> {
    let Ok(webhook_type) = raw.parse::<WebhookType>();
    if webhook_type.is_other() {
        let known: Vec<&str> = WebhookType::ALL.iter().map(WebhookType::as_str).collect();
        return Err(format!(
            "unknown skladon webhook type; one of: {}",
            known.join(", ")
        ));
    }
    Ok(webhook_type)
}

/// `parse skladon --type TYPE`: the entity as pretty JSON on stdout, a summary on stderr.
pub fn parse(body: &Body, webhook_type: &WebhookType) -> Result<(), Failure> {
    let entity =
        skladon::parse(webhook_type, &body.read()?).map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_json(&entity)?;
    eprintln!("{NAME}: {}", summary(webhook_type, &entity));
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
        skladon::Verifier::new(secret.bytes()).map_err(|e| Failure::from_error(NAME, &e))?;
    let no_headers: [(&str, &str); 0] = [];
    verifier
        .verify(&Request::new(&no_headers, &[]).uri(url))
        .map_err(|e| Failure::from_error(NAME, &e))?;
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
