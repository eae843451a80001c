//! The body budget over real loopback TCP, on both frameworks' ready receivers: while one
//! sender holds the whole budget, another is answered 503 with `Retry-After` after the wait;
//! once the first sender goes away, its reservation is given back and the other is served.
//!
//! The process's budget is set to Wakilni's default limit (64 KiB, one body) with the default
//! wait (1 s); one test in this binary, since the budget is the process's.
#![cfg(all(feature = "axum", feature = "actix", feature = "wakilni"))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use delivery_webhooks::Config;
use delivery_webhooks::axum::BodyBudget;

mod servers;

const LIMIT: usize = 64 * 1024;
/// Attempts before giving up on a state the server reaches in milliseconds.
const ATTEMPTS: usize = 30;

fn config() -> Config {
    Config::builder()
        .wakilni_secret("budget-wakilni-secret")
        .build()
        .unwrap()
}

fn start_axum() -> (SocketAddr, tokio::runtime::Runtime) {
    servers::start_axum(config, 1)
}

fn start_actix() -> SocketAddr {
    servers::start_actix(config, 1)
}

/// A forged Wakilni head declaring `len` bytes, and `sent` bytes of the body.
fn forged(addr: SocketAddr, len: usize, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /webhooks/wakilni HTTP/1.1\r\nHost: {addr}\r\nX-Webhook-Signature: AAAA\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let _ = stream.write_all(&vec![b' '; sent]);
    stream
}

/// The whole answer, as text.
fn answer(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

/// A small forged delivery, sent whole, until its answer starts with `status`.
fn until(addr: SocketAddr, framework: &str, status: &str) -> String {
    for _ in 0..ATTEMPTS {
        let text = answer(&mut forged(addr, 100, 100));
        if text.starts_with(status) {
            return text;
        }
    }
    panic!("{framework}: never answered {status}");
}

fn check(framework: &str, addr: SocketAddr) {
    // The holder declares a whole budget's worth and sends ten bytes of it: its reservation is
    // made before its body is read, and lasts until it goes away (or its body timeout, 30 s).
    let holder = forged(addr, LIMIT, 10);
    // Until the holder's reservation is made, a small forgery is read and refused (401); then
    // it waits 1 s and is answered 503.
    let busy = until(addr, framework, "HTTP/1.1 503");
    let lower = busy.to_ascii_lowercase();
    assert!(
        lower.contains("\r\nretry-after: 5\r\n"),
        "{framework}: {busy}"
    );
    assert!(
        lower.contains("x-content-type-options: nosniff"),
        "{framework}"
    );
    assert!(
        busy.contains(r#""detail":"the receiver is busy; send again later""#),
        "{framework}: {busy}"
    );
    assert!(!busy.contains("65536"), "{framework}: {busy}");
    // The holder goes away: its reservation is given back, and forgeries are read again.
    drop(holder);
    until(addr, framework, "HTTP/1.1 401");
    assert_eq!(BodyBudget::global().available(), LIMIT, "{framework}");
}

#[test]
fn a_full_budget_answers_503_until_a_holder_goes_away() {
    BodyBudget::set_global(BodyBudget::new(LIMIT, Duration::from_secs(1))).unwrap();
    let (axum, _runtime) = start_axum();
    check("axum", axum);
    check("actix", start_actix());
}
