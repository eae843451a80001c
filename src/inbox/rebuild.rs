//! What a row holds, and how a stored delivery becomes an [`AnyDelivery`] again: the provider's
//! own parser over the stored body (for Skladon, with the webhook type stored beside it).

use super::{InboxError, Item, ItemId, from_ms, now_ms};
#[allow(unused_imports)]
use crate::any::AnyDelivery;
#[allow(unused_imports)]
use crate::delivery::{DedupKey, Delivery, Provider};
use crate::owned::OwnedRequest;

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
    /// JSON array of `[name, value]` pairs: the allowlisted headers only (`headers.rs`).
    pub(crate) headers: String,
    pub(crate) body: Vec<u8>,
    /// The typed payload's wire form ([`AnyDelivery::payload_json`]); empty when it is the body.
    pub(crate) payload: Vec<u8>,
    pub(crate) received_at: i64,
}

impl Record {
    /// The row for `delivery`; the request's body moves into it (one copy of the body from the
    /// socket to the row: the adapters hand theirs over).
    pub(crate) fn new(delivery: &AnyDelivery, mut raw: OwnedRequest) -> Result<Self, InboxError> {
        let body = std::mem::take(&mut raw.body);
        let payload = delivery
            .payload_json()
            .map_err(|e| InboxError::Encode(e.to_string()))?;
        let context = context(delivery);
        let headers = super::headers::stored(delivery.provider(), &raw.headers);
        Ok(Self {
            provider: delivery.provider().as_str(),
            dedup_key: delivery.dedup_key().as_str().to_owned(),
            delivery_attempt: delivery.attempt().map(i64::from),
            uri: crate::url::Redacted(&raw.uri).to_string(),
            context,
            method: raw.method.clone(),
            peer: raw.peer.map(|p| p.to_string()),
            headers: serde_json::to_string(&headers)
                .map_err(|e| InboxError::Encode(e.to_string()))?,
            // The body itself (a Skladon body of an unknown type is kept as it came): stored
            // once, the payload column empty.
            payload: if payload == body { Vec::new() } else { payload },
            body,
            received_at: now_ms(),
        })
    }
}

/// What the body alone does not say, stored beside it: for Skladon, the method, webhook type and
/// GET id the URL named (read again by the same function that typed the call on receipt).
#[allow(unused_variables, irrefutable_let_patterns)]
fn context(delivery: &AnyDelivery) -> Option<String> {
    #[cfg(feature = "skladon")]
    if let AnyDelivery::Skladon(d) = delivery {
        return Some(d.payload.context());
    }
    None
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
        let mut delivery = rebuild(provider, key, attempt, self.context.as_deref(), &self.body)?;
        let headers: Vec<(String, String)> = serde_json::from_str(&self.headers)
            .map_err(|e| format!("malformed stored headers: {e}"))?;
        // The handler reads them as in router mode (stored masked already; masked again in case
        // an older row holds a credential the list names now).
        delivery.set_headers(crate::credentials::masked(
            headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
        ));
        Ok(Item {
            id: ItemId(self.id),
            // The fencing token is the claim's: set by `claim`, which read it beside the row.
            claim: super::Claim::new(ItemId(self.id), 0, self.attempts),
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            received_at: from_ms(self.received_at),
            delivery,
            raw: OwnedRequest {
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
    let failed = |e: crate::error::Error| format!("the stored body no longer parses: {e}");
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
            let context = context.ok_or("a Skladon item without its webhook type")?;
            let payload = crate::skladon::Notification::from_context(context, body)?;
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

#[cfg(all(test, feature = "skladon"))]
mod tests {
    use super::*;
    use crate::request::Request;
    use crate::skladon::Verifier;

    const TOKEN: &str = "abcdef0123456789";

    /// Stored URIs keep no token, whatever its encoding or the type's; the stored context reads
    /// back the same call.
    #[test]
    fn stored_skladon_calls_lose_their_token_and_read_back_equal() {
        let verifier = Verifier::new(TOKEN).unwrap();
        let none: [(&str, &str); 0] = [];
        let entity = br#"{"eshopReceivingId":"R-1","status":"received"}"#;
        for (method, uri, body) in [
            (
                "GET",
                "/webhooks/skladon/abcdef0123456789/UPDATE_ORDER_STATUS/2024%2F0012",
                &b""[..],
            ),
            (
                "GET",
                "/webhooks/skladon/abcdef%30123456789/NEW%20TYPE/a%20b",
                &b""[..],
            ),
            (
                "POST",
                "/webhooks/skladon/abcdef0123456789/%55PDATE_RECEIVING_STATUS",
                &entity[..],
            ),
            (
                "POST",
                "/webhooks/skladon/abcdef0123456789/SOMETHING_NEW",
                br#"{"x":1}"#,
            ),
        ] {
            let request = Request::new(&none, body).method(method).uri(uri);
            let delivery: AnyDelivery = verifier.receive(&request).unwrap().into();
            let raw = OwnedRequest::new(method, uri).body(body.to_vec());
            let record = Record::new(&delivery, raw).unwrap();
            assert!(!record.uri.contains("abcdef"), "{uri} -> {}", record.uri);
            let key: DedupKey = record.dedup_key.parse().unwrap();
            let again = rebuild(
                Provider::Skladon,
                key,
                None,
                record.context.as_deref(),
                &record.body,
            )
            .unwrap();
            assert_eq!(again, delivery, "{uri}");
        }
    }

    /// Issue 33, finding 2: the request's body moves into the row (one copy of the body from
    /// the socket to the row, not three).
    #[test]
    fn the_body_moves_into_the_row() {
        let verifier = Verifier::new(TOKEN).unwrap();
        let none: [(&str, &str); 0] = [];
        let uri = "/webhooks/skladon/abcdef0123456789/UPDATE_RECEIVING_STATUS";
        let body = br#"{"eshopReceivingId":"R-1","status":"received"}"#;
        let request = Request::new(&none, body).method("POST").uri(uri);
        let delivery: AnyDelivery = verifier.receive(&request).unwrap().into();
        let raw = OwnedRequest::new("POST", uri).body(body.to_vec());
        let at = raw.body.as_ptr();
        let record = Record::new(&delivery, raw).unwrap();
        assert_eq!((record.body.as_ptr(), &record.body[..]), (at, &body[..]));
    }
}
