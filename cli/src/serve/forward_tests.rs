//! The HTTP sink over real loopback HTTP, against a small axum server: what it sends verifies
//! with the `standardwebhooks` crate (an independent implementation), and each answer class
//! leaves the inbox item in its documented state.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, StatusCode};
use delivery_webhooks::inbox::{
    Acceptance, Inbox, InboxOptions, Item, ItemState, SqliteInbox, Worker,
};
use delivery_webhooks::{OwnedRequest, Provider};

use super::super::event::Event;
use super::super::event::tests::delivery;
use super::super::sign::{Signer, parse_secret};
use super::*;

const CURRENT: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ROTATED: &str = "whsec_bm90LXRoZS1zYW1lLWtleS0yNC1ieXRlcy1sb25n";

/// What the downstream saw.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

/// One request's headers and body.
type Request = (HeaderMap, Vec<u8>);

/// A downstream answering every request with `status`, `retry_after` and `answer`.
async fn downstream(
    status: u16,
    retry_after: Option<&'static str>,
    answer: &'static str,
) -> (reqwest::Url, Seen) {
    let seen = Seen::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let record = record.clone();
            async move {
                record.0.lock().unwrap().push((headers, body.to_vec()));
                let mut response = axum::response::Response::new(axum::body::Body::from(answer));
                *response.status_mut() = StatusCode::from_u16(status).unwrap();
                if let Some(after) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", after.parse().unwrap());
                }
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hooks").parse().unwrap(), seen)
}

fn fixture(provider: Provider, name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures")
            .join(provider.as_str())
            .join(format!("{name}.json")),
    )
    .unwrap()
}

fn an_event() -> Event {
    let body = fixture(Provider::Peddler, "out_for_delivery");
    Event::new(&delivery(Provider::Peddler, &body), SystemTime::now()).unwrap()
}

fn sink(url: reqwest::Url, secrets: &[&str]) -> HttpSink {
    let keys: Vec<Vec<u8>> = secrets.iter().map(|s| parse_secret(s).unwrap()).collect();
    HttpSink::new(url, Signer::new(keys), Duration::from_secs(10)).unwrap()
}

/// `standardwebhooks`' own check of what the downstream received, under `secret`.
fn verifies(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(body, headers)
        .is_ok()
}

#[tokio::test]
async fn a_forwarded_event_verifies_with_standardwebhooks_under_each_secret() {
    let (url, seen) = downstream(204, None, "").await;
    let event = an_event();
    // Rotating: signed with the new secret and the old one.
    sink(url, &[ROTATED, CURRENT])
        .forward(&event)
        .await
        .unwrap();
    let (headers, body) = seen.0.lock().unwrap()[0].clone();
    assert_eq!(body, event.to_bytes());
    assert_eq!(headers["webhook-id"], event.id.as_str());
    assert_eq!(headers["content-type"], "application/json");
    let signature = headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signature.split(' ').count(), 2, "{signature}");
    assert!(verifies(CURRENT, &headers, &body));
    assert!(verifies(ROTATED, &headers, &body));
    assert!(!verifies(
        "whsec_c29tZS1vdGhlci1rZXktdGhhdC1pcy0yNC1ieXRlcw==",
        &headers,
        &body
    ));
    // One byte changed: refused.
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'1').unwrap();
    tampered[at] = b'2';
    assert!(!verifies(CURRENT, &headers, &tampered));
    // The event is what was signed.
    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(sent["provider"], "peddler");
    assert_eq!(sent["version"], 1);
}

/// An inbox in a fresh SQLite file holding one peddler delivery, its id.
async fn inbox_with_one(test: &str) -> (SqliteInbox, delivery_webhooks::inbox::ItemId) {
    let dir = std::env::temp_dir().join(format!("dw-serve-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let inbox = SqliteInbox::open(
        dir.join("inbox.db"),
        InboxOptions::default()
            .backoff(Duration::from_secs(1), Duration::from_secs(1))
            .jitter(false),
    )
    .await
    .unwrap();
    let body = fixture(Provider::Peddler, "out_for_delivery");
    let raw = OwnedRequest::new("POST", "/webhooks/peddler").body(body.clone());
    let Acceptance::Accepted(id) = inbox
        .accept(&delivery(Provider::Peddler, &body), &raw)
        .await
        .unwrap()
    else {
        panic!("not accepted")
    };
    (inbox, id)
}

/// Runs one worker over `inbox` forwarding to `sink` until the item has had one attempt.
async fn one_attempt(inbox: &SqliteInbox, id: delivery_webhooks::inbox::ItemId, sink: HttpSink) {
    let sink = Arc::new(sink);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(inbox.clone())
            .idle(Duration::from_millis(10))
            .run(
                move |item: Item| {
                    let sink = Arc::clone(&sink);
                    async move {
                        let event = Event::new(&item.delivery, item.received_at).unwrap();
                        sink.forward(&event).await
                    }
                },
                async {
                    let _ = stopped.await;
                },
            ),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let info = inbox.item(id).await.unwrap().unwrap();
        if info.attempts == 1 && info.state != ItemState::Claimed {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{info:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();
    worker.await.unwrap();
}

#[tokio::test]
async fn a_2xx_answer_completes_the_item() {
    let (inbox, id) = inbox_with_one("ok").await;
    let (url, seen) = downstream(200, None, "thanks").await;
    one_attempt(&inbox, id, sink(url, &[CURRENT])).await;
    let info = inbox.item(id).await.unwrap().unwrap();
    assert_eq!((info.state, info.attempts), (ItemState::Completed, 1));
    assert_eq!(seen.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_4xx_answer_makes_the_item_dead_after_one_attempt_with_the_answer_kept() {
    let (inbox, id) = inbox_with_one("refused").await;
    let (url, _) = downstream(422, Some("5"), r#"{"error":"unknown shipment"}"#).await;
    one_attempt(&inbox, id, sink(url, &[CURRENT])).await;
    let info = inbox.item(id).await.unwrap().unwrap();
    assert_eq!((info.state, info.attempts), (ItemState::Dead, 1));
    assert_eq!(
        info.last_error.as_deref(),
        Some(r#"downstream answered 422 Unprocessable Entity: {"error":"unknown shipment"}"#)
    );
}

#[tokio::test]
async fn a_long_refusal_keeps_its_first_bytes_only() {
    let (inbox, id) = inbox_with_one("long").await;
    let long: &'static str = Box::leak("x".repeat(10_000).into_boxed_str());
    let (url, _) = downstream(400, None, long).await;
    one_attempt(&inbox, id, sink(url, &[CURRENT])).await;
    let error = inbox.item(id).await.unwrap().unwrap().last_error.unwrap();
    assert_eq!(
        error,
        format!(
            "downstream answered 400 Bad Request: {}…",
            "x".repeat(ANSWER_KEPT)
        )
    );
}

#[tokio::test]
async fn a_503_429_or_408_is_retried_no_sooner_than_retry_after() {
    for (status, retry_after, wait) in [
        (503, Some("120"), 120),
        (429, Some("3600"), 3600),
        (408, None, 1),
        (500, None, 1),
    ] {
        let (inbox, id) = inbox_with_one(&format!("retry-{status}")).await;
        let (url, _) = downstream(status, retry_after, "busy").await;
        let before = SystemTime::now() - Duration::from_millis(1);
        one_attempt(&inbox, id, sink(url, &[CURRENT])).await;
        let info = inbox.item(id).await.unwrap().unwrap();
        assert_eq!(
            (info.state, info.attempts),
            (ItemState::Pending, 1),
            "{status}"
        );
        assert!(
            info.due_at >= before + Duration::from_secs(wait),
            "{status}: due {:?}",
            info.due_at
        );
        assert!(info.due_at <= SystemTime::now() + Duration::from_secs(wait + 60));
        assert!(
            info.last_error
                .as_deref()
                .unwrap()
                .starts_with(&format!("downstream answered {status}")),
            "{info:?}"
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_retried() {
    let (inbox, id) = inbox_with_one("closed").await;
    // A port bound then closed: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hooks").parse().unwrap();
    one_attempt(&inbox, id, sink(url, &[CURRENT])).await;
    let info = inbox.item(id).await.unwrap().unwrap();
    assert_eq!((info.state, info.attempts), (ItemState::Pending, 1));
    assert!(
        info.last_error
            .as_deref()
            .unwrap()
            .starts_with("downstream could not connect"),
        "{info:?}"
    );
}
