//! isendu: `parse`, `verify` (the token in the registered URL) and `answer` (the handshake).

use delivery_webhooks::UrlToken;
use delivery_webhooks::isendu::{self, Message, VerificationRequest};

use crate::common::{self, Body, Failure, SecretArgs};

const NAME: &str = "isendu";
const URL_TOKEN: &str = "isendu needs the url token";
const SECRET_KEY: &str = "isendu needs the integration's secret key";

/// The query parameter the token sits in, as the receiver examples register it
/// (`https://you.example/webhooks/isendu?token=...`).
pub const TOKEN_PARAM: &str = "token";

/// `parse isendu`: the handshake or the batch as pretty JSON on stdout, a summary on stderr.
pub fn parse(body: &Body) -> Result<(), Failure> {
    let message = isendu::parse(&body.read()?).map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_json(&message)?;
    common::note(&format!("{NAME}: {}", summary(&message)));
    Ok(())
}

/// `verify isendu --url URL`: isendu signs nothing, so the check is the token in the URL the
/// request came in on (query parameter `token`). The body is not read.
pub fn verify(secret: &SecretArgs, url: Option<&str>) -> Result<(), Failure> {
    let Some(url) = url else {
        return Err(Failure::Usage(
            "isendu is checked by the token in its url: pass --url URL (the request target or full url)"
                .into(),
        ));
    };
    let secret = secret.require(URL_TOKEN)?;
    let token =
        UrlToken::query(TOKEN_PARAM, secret.bytes()).map_err(|e| Failure::from_config(NAME, &e))?;
    token
        .verify(url)
        .map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_line("verified")
}

/// `answer isendu --key-id ID [FILE|-]`: the handshake answer `{"response":"<secret key>"}`.
///
/// With a body, it must be a handshake naming `key_id` (otherwise nothing is revealed, exit 1);
/// without one, the answer for `key_id` is printed, to check what a receiver should send.
pub fn answer(secret: &SecretArgs, key_id: &str, body: Option<Body>) -> Result<(), Failure> {
    let secret = secret.require(SECRET_KEY)?;
    let secret_key = std::str::from_utf8(secret.bytes())
        .map_err(|_| Failure::Usage(format!("{SECRET_KEY}: the secret given is not UTF-8")))?;
    let verifier =
        isendu::Verifier::without_url_token([(key_id, secret_key)]).map_err(|e| match e {
            e if e.kind() == delivery_webhooks::ConfigErrorKind::EmptySecret => {
                Failure::Usage(format!("{NAME}: --key-id is empty"))
            }
            e => Failure::from_config(NAME, &e),
        })?;
    let request = if let Some(body) = body {
        match isendu::parse(&body.read()?).map_err(|e| Failure::from_error(NAME, &e))? {
            Message::Verification(request) => request,
            _ => {
                return Err(Failure::Rejected(format!(
                    "{NAME}: not a verification request: an update is answered with an empty 200"
                )));
            }
        }
    } else {
        VerificationRequest::new(key_id)
    };
    let response = verifier
        .answer(&request)
        .map_err(|e| Failure::from_error(NAME, &e))?;
    common::print_line(response.as_str())
}

/// `verification request for key id key-7f3a`, or `update: 2 orders (o-1 ...), 1 tracking`.
fn summary(message: &Message) -> String {
    match message {
        Message::Verification(request) => {
            format!("verification request for key id {}", request.key_id)
        }
        Message::Update(update) => {
            let plural = |n: usize, one: &str, many: &str| {
                format!("{n} {}", if n == 1 { one } else { many })
            };
            let mut line = format!(
                "update: {}, {}",
                plural(update.order.len(), "order", "orders"),
                plural(update.tracking.len(), "tracking", "trackings")
            );
            let delivered = update
                .tracking
                .iter()
                .filter(|t| t.delivered == Some(true))
                .count();
            if delivered > 0 {
                line.push_str(&format!(", {delivered} delivered"));
            }
            line
        }
        _ => "a message kind this tool does not know".to_owned(),
    }
}
