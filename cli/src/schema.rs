//! `schema`: the JSON Schema of a provider's payloads.

use delivery_webhooks::schema;
use delivery_webhooks::skladon::WebhookType;

use crate::Provider;
use crate::common::{self, Failure};

/// `schema PROVIDER [--type T]`: the schema as pretty JSON on stdout.
pub fn print(provider: Provider, webhook_type: Option<&WebhookType>) -> Result<(), Failure> {
    let schema = match (provider, webhook_type) {
        (Provider::Skladon, Some(t)) => schema::for_skladon_type(t)
            .ok_or_else(|| Failure::Usage(format!("skladon: no entity is known for {t}")))?,
        (p, _) => schema::for_provider(match p {
            Provider::Wakilni => delivery_webhooks::Provider::Wakilni,
            Provider::Peddler => delivery_webhooks::Provider::Peddler,
            Provider::Xoxoday => delivery_webhooks::Provider::Xoxoday,
            Provider::Isendu => delivery_webhooks::Provider::Isendu,
            Provider::Skladon => delivery_webhooks::Provider::Skladon,
        }),
    };
    common::print_json(&schema)
}
