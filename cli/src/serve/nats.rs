//! The NATS JetStream sink (feature `nats`): each event published on one subject with its id as
//! `Nats-Msg-Id`, so JetStream's duplicate window drops a second publish of the same event (a
//! worker that published, then crashed before recording it). The publish counts only once
//! JetStream acknowledges it; no acknowledgement is retried.

use std::time::Duration;

use async_nats::jetstream::{self, context::Publish};
use delivery_webhooks::{HandlerError, HandlerResult};

use super::event::Event;
use super::settings::Nats;

/// How long a publish waits for JetStream's acknowledgement before it is retried.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// Publishes events to one subject.
pub struct NatsSink {
    jetstream: jetstream::Context,
    subject: String,
}

impl NatsSink {
    /// Connects to the server of `settings`, and creates its stream if named and missing.
    pub async fn connect(settings: &Nats) -> Result<Self, String> {
        // async-nats's errors name the server as given; the URL may carry a credential.
        let client = async_nats::connect(settings.url.as_str())
            .await
            .map_err(|e| format!("DELIVERY_WEBHOOKS_NATS_URL: cannot connect ({})", e.kind()))?;
        let mut jetstream = jetstream::new(client);
        jetstream.set_timeout(ACK_TIMEOUT);
        if let Some(stream) = &settings.stream {
            jetstream
                .get_or_create_stream(jetstream::stream::Config {
                    name: stream.clone(),
                    subjects: vec![settings.subject.clone()],
                    ..Default::default()
                })
                .await
                .map_err(|e| format!("DELIVERY_WEBHOOKS_NATS_STREAM {stream}: {e}"))?;
        }
        Ok(Self {
            jetstream,
            subject: settings.subject.clone(),
        })
    }

    /// Publishes `event` and waits for JetStream's acknowledgement (a duplicate within the
    /// stream's window is acknowledged too, and stored once).
    pub async fn publish(&self, event: &Event) -> HandlerResult {
        let publish = Publish::build()
            .payload(event.to_bytes().into())
            .message_id(&event.id);
        let ack = self
            .jetstream
            .send_publish(self.subject.clone(), publish)
            .await
            .map_err(|e| HandlerError::msg(format!("NATS publish: {e}")))?;
        ack.await
            .map_err(|e| HandlerError::msg(format!("NATS JetStream acknowledgement: {e}")))?;
        Ok(())
    }
}
