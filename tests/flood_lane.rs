//! A genuine small delivery is served while large bodies of another provider fill the body
//! budget and wait for more (issue 33, finding 2: Wakilni accepts went from 3 ms to 1.9 s
//! median while Peddler bodies of 16 MiB flooded the receiver). The budget's wait is first come,
//! first served: without the small lane, the Wakilni body queued behind a waiting 16 MiB body
//! and was answered 503 after the wait.
//!
//! Over real loopback TCP, on both frameworks' ready receivers, with the default budget
//! (64 MiB: 56 MiB of main room, 8 MiB of small lane). Four Peddler senders hold a genuine
//! token and declare 16 MiB each, sending nothing: three hold 48 MiB, the fourth waits for room
//! holding the last 8 MiB of the main room. Then a genuine Wakilni delivery is answered 200.
//! Nothing depends on timing: the test waits until the budget shows the fourth sender waiting
//! (the main room empty) before it sends, and the senders hold their room for the 30 s body
//! timeout, far longer than the test. One test in this binary: the budget is the process's.
#![cfg(all(
    feature = "axum",
    feature = "actix",
    feature = "wakilni",
    feature = "peddler"
))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use delivery_webhooks::axum::BodyBudget;
use delivery_webhooks::{Config, DEFAULT_BODY_BUDGET, Provider, wakilni};

mod servers;

const SECRET: &str = "flood-lane-wakilni-secret";
const TOKEN: &str = "flood-lane-peddler-token";
const LARGE: usize = 16 << 20;

fn config() -> Config {
    Config::builder()
        .wakilni_secret(SECRET)
        .peddler_token(TOKEN)
        .provider_body_limit(Provider::Peddler, LARGE)
        .build()
        .unwrap()
}

fn start_axum() -> (SocketAddr, tokio::runtime::Runtime) {
    servers::start_axum(config, 2)
}

fn start_actix() -> SocketAddr {
    servers::start_actix(config, 2)
}

/// A Peddler head with the genuine token, declaring 16 MiB, and no body yet.
fn large_sender(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /webhooks/peddler HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Webhook-Shared-Token: {TOKEN}\r\nContent-Length: {LARGE}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

/// A genuine Wakilni event, signed, and the whole answer.
fn genuine(addr: SocketAddr) -> String {
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/wakilni/order_assigned.json"),
    )
    .unwrap();
    let signature = wakilni::sign(SECRET, &body);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /webhooks/wakilni HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Webhook-Signature: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

/// Waits until the budget has `bytes` free (the server reaches it in milliseconds; the bound
/// only stops a broken build from hanging).
fn until_available(bytes: usize, framework: &str) {
    for _ in 0..3000 {
        if BodyBudget::global().available() == bytes {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!(
        "{framework}: the budget never had {bytes} bytes free (has {})",
        BodyBudget::global().available()
    );
}

fn check(framework: &str, addr: SocketAddr) {
    let budget = BodyBudget::global();
    assert_eq!(budget.bytes(), DEFAULT_BODY_BUDGET);
    let lane = budget.small_lane();
    assert_eq!(lane, DEFAULT_BODY_BUDGET / 8);
    // Three hold 48 MiB of the 56 MiB main room; the fourth waits, holding the last 8 MiB.
    let senders: Vec<TcpStream> = (0..4).map(|_| large_sender(addr)).collect();
    until_available(lane, framework);
    let answer = genuine(addr);
    assert!(answer.starts_with("HTTP/1.1 200"), "{framework}: {answer}");
    // The lane's bytes come back once the delivery is handled.
    until_available(lane, framework);
    drop(senders);
    until_available(DEFAULT_BODY_BUDGET, framework);
}

#[test]
fn a_small_delivery_is_served_while_large_bodies_wait_for_room() {
    let (axum, _runtime) = start_axum();
    check("axum", axum);
    check("actix", start_actix());
}
