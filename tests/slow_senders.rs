//! Slow senders over real loopback TCP, against both frameworks' ready receivers: 500
//! connections that declare a 16 MiB body, send 1 KiB of it and never the rest.
//!
//! - Without a valid head credential, each is answered 401 at once (its body is never read),
//!   and the receiver's resident memory does not grow with their number.
//! - With a valid one, each is held only until the body timeout, then answered 408.
//!
//! The process's resident set (`VmRSS`, `VmHWM` in `/proc/self/status`) is read before and
//! after; the numbers are printed (`docs/security.md` records a run) and bounded generously:
//! what is asserted is that 500 connections cost megabytes, not the 8 GiB their declared
//! bodies add up to. One test in this binary, so that no other test's memory is counted.
//!
//! Peddler's limit is raised to 16 MiB here (its default is 64 KiB), and the process's body
//! budget to twice the 8 GiB these connections declare (its main room, 7/8, holds them all), so
//! that every one of them is let in and what is measured is what a declared but unsent body
//! costs: the budget's own bound is `tests/forged_bodies.rs`'s.
#![cfg(all(
    target_os = "linux",
    feature = "axum",
    feature = "actix",
    feature = "peddler"
))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use delivery_webhooks::Config;

mod servers;

const TOKEN: &str = "slow-senders-peddler-token";
const CONNECTIONS: usize = 500;
const BODY_TIMEOUT: Duration = Duration::from_secs(2);
/// Resident memory 500 held connections may add, far below the 8 GiB they declare.
const BOUND: u64 = 64 << 20;

/// The body limit of these receivers, the size every connection declares.
const DECLARED: usize = 16 * 1024 * 1024;

fn config() -> Config {
    Config::builder()
        .peddler_token(TOKEN)
        .body_limit(DECLARED)
        .body_timeout(BODY_TIMEOUT)
        .build()
        .unwrap()
}

/// A value of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib * 1024
}

fn start_axum() -> (SocketAddr, tokio::runtime::Runtime) {
    servers::start_axum(config, 1)
}

fn start_actix() -> SocketAddr {
    servers::start_actix(config, 1)
}

/// Opens a connection, sends the head declaring 16 MiB and 1 KiB of the body.
fn slow_sender(addr: SocketAddr, token: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /webhooks/peddler HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Webhook-Shared-Token: {token}\r\nContent-Length: {DECLARED}\r\n\r\n"
    )
    .unwrap();
    // The server may answer and close before taking these bytes: that is what is tested.
    let _ = stream.write_all(&[b' '; 1024]);
    stream
}

/// The status line of the answer (a reset after it arrived ends the reading).
fn status_line(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if !answer.is_empty() => {
                eprintln!("after the answer: {e}");
                break;
            }
            Err(e) => panic!("no answer: {e}"),
        }
    }
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn measure(framework: &str, addr: SocketAddr) {
    // Warm up: the first connections allocate the server's pools.
    for _ in 0..10 {
        let mut s = slow_sender(addr, "guess-guess-guess");
        assert!(status_line(&mut s).starts_with("HTTP/1.1 401"));
    }
    let before = status_kib("VmRSS");
    let mut held = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let mut stream = slow_sender(addr, "guess-guess-guess");
        let status = status_line(&mut stream);
        assert!(status.starts_with("HTTP/1.1 401"), "{framework}: {status}");
        held.push(stream);
    }
    let refused = status_kib("VmRSS").saturating_sub(before);
    drop(held);

    // Resets the peak to the current resident set (Linux 4.0 and later), so that the peak
    // below is this phase's alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before_hwm = status_kib("VmRSS");
    let mut stalled: Vec<TcpStream> = (0..CONNECTIONS).map(|_| slow_sender(addr, TOKEN)).collect();
    for stream in &mut stalled {
        let status = status_line(stream);
        assert!(status.starts_with("HTTP/1.1 408"), "{framework}: {status}");
    }
    let peak = status_kib("VmHWM").saturating_sub(before_hwm);
    eprintln!(
        "{framework}: {CONNECTIONS} refused slow senders held open: +{} KiB resident; \
         {CONNECTIONS} authenticated slow senders until the body timeout: peak +{} KiB",
        refused / 1024,
        peak / 1024
    );
    assert!(refused < BOUND, "{framework}: +{refused} bytes");
    assert!(peak < BOUND, "{framework}: peak +{peak} bytes");
}

#[test]
fn slow_senders_cost_megabytes_not_their_declared_bodies() {
    // Room for every declared body (see the module's documentation): twice their sum, since an
    // eighth of the budget is kept for small bodies (`BodyBudget::small_lane`).
    delivery_webhooks::axum::BodyBudget::set_global(delivery_webhooks::axum::BodyBudget::new(
        2 * CONNECTIONS * DECLARED,
        Duration::from_secs(1),
    ))
    .unwrap();
    let (axum, _runtime) = start_axum();
    measure("axum", axum);
    measure("actix", start_actix());
}
