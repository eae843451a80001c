//! What a row holds, and how a stored delivery becomes an [`AnyDelivery`] again: the provider's
//! own parser over the stored body (for Skladon, with the webhook type stored beside it).

use super::{InboxError, Item, ItemId, RawDelivery, from_ms, now_ms};
#[allow(unused_imports)]
use crate::{AnyDelivery, DedupKey, Delivery, Provider};

/// Headers whose values are credentials: stored as `[redacted]`.
const CREDENTIAL_HEADERS: [&str; 5] = [
    "x-webhook-shared-token",
    "x-api-key",
    "authorization",
    "proxy-authorization",
    "cookie",
];

const REDACTED: &str = "[redacted]";

/// One delivery as [`Inbox::accept`](super::Inbox::accept) writes it.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) provider: &'static str,
    pub(crate) dedup_key: String,
    pub(crate) delivery_attempt: Option<i64>,
    /// What the body alone does not say: Skladon's `POST <TYPE>` or `GET <TYPE> <id>`.
    pub(crate) context: Option<String>,
    pub(crate) method: String,
    pub(crate) uri: String,
    pub(crate) peer: Option<String>,
    /// JSON array of `[name, value]` pairs.
    pub(crate) headers: String,
    pub(crate) body: Vec<u8>,
    /// The typed payload's wire form ([`AnyDelivery::payload_json`]).
    pub(crate) payload: Vec<u8>,
    pub(crate) received_at: i64,
}

impl Record {
    pub(crate) fn new(delivery: &AnyDelivery, raw: &RawDelivery) -> Result<Self, InboxError> {
        let payload = delivery
            .payload_json()
            .map_err(|e| InboxError::Encode(e.to_string()))?;
        let context = context(delivery);
        let headers: Vec<(&str, &str)> = raw
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = CREDENTIAL_HEADERS
                    .iter()
                    .any(|c| name.eq_ignore_ascii_case(c));
                (
                    name.as_str(),
                    if secret { REDACTED } else { value.as_str() },
                )
            })
            .collect();
        Ok(Self {
            provider: delivery.provider().as_str(),
            dedup_key: delivery.dedup_key().as_str().to_owned(),
            delivery_attempt: delivery.attempt().map(i64::from),
            uri: redact_uri(delivery.provider(), &raw.uri, context.as_deref()),
            context,
            method: raw.method.clone(),
            peer: raw.peer.map(|p| p.to_string()),
            headers: serde_json::to_string(&headers)
                .map_err(|e| InboxError::Encode(e.to_string()))?,
            body: raw.body.clone(),
            payload,
            received_at: now_ms(),
        })
    }
}

#[allow(unused_variables)]
fn context(delivery: &AnyDelivery) -> Option<String> {
    #[cfg(feature = "skladon")]
    if let AnyDelivery::Skladon(d) = delivery {
        use crate::skladon::Notification;
        return Some(match &d.payload {
            Notification::EntityId { webhook_type, id } => {
                format!("GET {webhook_type} {}", id.as_str())
            }
            other => format!("POST {}", other.webhook_type()),
        });
    }
    None
}

/// The URI without its credential: isendu's query values, Skladon's token (the segment before
/// the webhook type).
fn redact_uri(provider: Provider, uri: &str, context: Option<&str>) -> String {
    match provider {
        Provider::Isendu => match uri.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((key, _)) => format!("{key}={REDACTED}"),
                        None => pair.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => uri.to_owned(),
        },
        Provider::Skladon => {
            let webhook_type = context
                .and_then(|c| c.split(' ').nth(1))
                .unwrap_or_default();
            let (path, query) = uri
                .split_once('?')
                .map_or((uri, None), |(p, q)| (p, Some(q)));
            let mut segments: Vec<&str> = path.split('/').collect();
            if let Some(at) = segments.iter().position(|s| *s == webhook_type) {
                if at > 0 {
                    segments[at - 1] = REDACTED;
                }
            }
            let path = segments.join("/");
            match query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            }
        }
        _ => uri.to_owned(),
    }
}

/// One claimed row as read back.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) id: i64,
    pub(crate) attempts: i64,
    pub(crate) provider: String,
    pub(crate) dedup_key: String,
    pub(crate) delivery_attempt: Option<i64>,
    pub(crate) context: Option<String>,
    pub(crate) method: String,
    pub(crate) uri: String,
    pub(crate) peer: Option<String>,
    pub(crate) headers: String,
    pub(crate) body: Vec<u8>,
    pub(crate) received_at: i64,
}

impl Row {
    /// The item, or why it cannot be rebuilt (it then goes to the dead letters).
    pub(crate) fn into_item(self) -> Result<Item, String> {
        let provider: Provider = self
            .provider
            .parse()
            .map_err(|_| format!("unknown provider {:?}", self.provider))?;
        let key: DedupKey = self
            .dedup_key
            .parse()
            .map_err(|_| format!("malformed dedup key {:?}", self.dedup_key))?;
        let attempt = self.delivery_attempt.and_then(|a| u32::try_from(a).ok());
        let delivery = rebuild(provider, key, attempt, self.context.as_deref(), &self.body)?;
        let headers: Vec<(String, String)> = serde_json::from_str(&self.headers)
            .map_err(|e| format!("malformed stored headers: {e}"))?;
        Ok(Item {
            id: ItemId(self.id),
            // The fencing token is the claim's: set by `claim`, which read it beside the row.
            claim: super::Claim::new(ItemId(self.id), 0, self.attempts),
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            received_at: from_ms(self.received_at),
            delivery,
            raw: RawDelivery {
                method: self.method,
                uri: self.uri,
                peer: self.peer.and_then(|p| p.parse().ok()),
                headers,
                body: self.body,
            },
        })
    }
}

/// Parses a stored body again with the provider's own parser.
#[allow(
    unused_variables,
    unused_macros,
    unreachable_code,
    unreachable_patterns,
    clippy::needless_pass_by_value
)]
fn rebuild(
    provider: Provider,
    key: DedupKey,
    attempt: Option<u32>,
    context: Option<&str>,
    body: &[u8],
) -> Result<AnyDelivery, String> {
    let failed = |e: crate::Error| format!("the stored body no longer parses: {e}");
    macro_rules! parsed {
        ($module:ident) => {
            Delivery::new(provider, key, crate::$module::parse(body).map_err(failed)?)
                .with_attempt(attempt)
                .into()
        };
    }
    Ok(match provider {
        #[cfg(feature = "wakilni")]
        Provider::Wakilni => parsed!(wakilni),
        #[cfg(feature = "peddler")]
        Provider::Peddler => parsed!(peddler),
        #[cfg(feature = "xoxoday")]
        Provider::Xoxoday => parsed!(xoxoday),
        #[cfg(feature = "isendu")]
        Provider::Isendu => parsed!(isendu),
        #[cfg(feature = "skladon")]
        Provider::Skladon => {
            use crate::skladon::{EntityId, Notification, WebhookType, parse};
            let context = context.ok_or("a Skladon item without its webhook type")?;
            let mut parts = context.splitn(3, ' ');
            let (method, webhook_type) = (parts.next(), parts.next());
            let webhook_type = WebhookType::from(webhook_type.unwrap_or_default());
            let payload = match (method, parts.next()) {
                (Some("GET"), Some(id)) => Notification::EntityId {
                    webhook_type,
                    id: EntityId::from_decoded(id.to_owned()),
                },
                _ => Notification::Entity {
                    entity: Box::new(parse(&webhook_type, body).map_err(failed)?),
                    webhook_type,
                },
            };
            Delivery::new(provider, key, payload)
                .with_attempt(attempt)
                .into()
        }
        other => {
            return Err(format!(
                "{other} support is not compiled in (cargo feature)"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_lose_their_tokens() {
        assert_eq!(
            redact_uri(Provider::Isendu, "/webhooks/isendu?token=abc&x", None),
            "/webhooks/isendu?token=[redacted]&x"
        );
        assert_eq!(
            redact_uri(
                Provider::Skladon,
                "/webhooks/skladon/tok/UPDATE_ORDER_STATUS/12",
                Some("GET UPDATE_ORDER_STATUS 12")
            ),
            "/webhooks/skladon/[redacted]/UPDATE_ORDER_STATUS/12"
        );
        assert_eq!(redact_uri(Provider::Wakilni, "/w?a=1", None), "/w?a=1");
    }
}
