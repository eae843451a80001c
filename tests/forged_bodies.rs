//! Forged Wakilni deliveries over real loopback TCP, against both frameworks' ready receivers
//! (`docs/security.md`, "Review round four", finding 1). Wakilni's head check can only see that
//! a signature header is there, so `X-Webhook-Signature: AAAA` passes it and the body is read
//! before the HMAC refuses it: what 200 such senders at once can make the receiver hold is
//! what its body limit and the body budget allow.
//!
//! 1. At Wakilni's default limit (64 KiB): 200 connections each send the largest body the
//!    limit admits but its last byte, so that 200 bodies are held at once, then the last
//!    bytes; every one is answered 401. Asserted: the peak adds at most 64 MiB.
//! 2. At the limit of round four's report (16 MiB, `WAKILNI_BODY_LIMIT=16777216`): 200
//!    connections each send 16 MiB minus one byte. The body budget (64 MiB) holds four such
//!    bodies at once; the others wait, then are answered 503 or 401. Asserted: the peak adds at
//!    most the budget and 512 KiB per connection for what the frameworks buffer of a body
//!    nobody reads yet (actix reads up to 128 KiB ahead into its read buffer and 32 KiB into
//!    the payload; the report measured 3,828 MiB on axum, 4,838 MiB on actix).
//!
//! The peak is the process's `VmHWM` (`/proc/self/status`), reset before each run
//! (`/proc/self/clear_refs`), less its `VmRSS` before: client and server together, since both
//! run here (the client's bodies are one shared buffer, allocated before). Nothing depends on
//! timing: the bounds hold whatever order the requests are served in. One test in this binary,
//! so that no other test's memory is counted; the numbers are printed, and `docs/security.md`
//! records a run.
#![cfg(all(
    target_os = "linux",
    feature = "axum",
    feature = "actix",
    feature = "wakilni"
))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use delivery_webhooks::{AnyDelivery, Config, Provider};

const SECRET: &str = "forged-bodies-wakilni-secret";
const CONNECTIONS: usize = 200;
const MIB: u64 = 1 << 20;

fn config(limit: Option<usize>) -> Config {
    let builder = Config::builder().wakilni_secret(SECRET);
    match limit {
        Some(bytes) => builder.provider_body_limit(Provider::Wakilni, bytes),
        None => builder,
    }
    .build()
    .unwrap()
}

/// A value of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`).
fn status_bytes(field: &str) -> u64 {
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

/// Resets `VmHWM` to the current resident set (Linux 4.0 and later).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting VmHWM");
}

#[derive(Clone, Copy, Debug)]
enum Framework {
    Axum,
    Actix,
}

/// Serves the ready receiver for `config` on loopback; the runtime (axum) or thread (actix)
/// lives until the test ends.
fn start(framework: Framework, config: Config) -> (SocketAddr, Option<tokio::runtime::Runtime>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handler = |_: AnyDelivery| async {};
    match framework {
        Framework::Axum => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            listener.set_nonblocking(true).unwrap();
            let app = delivery_webhooks::axum::router(config, handler);
            runtime.spawn(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .await
            });
            (addr, Some(runtime))
        }
        Framework::Actix => {
            std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    actix_web::HttpServer::new(move || {
                        actix_web::App::new()
                            .service(delivery_webhooks::actix::router(config.clone(), handler))
                    })
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .unwrap()
                    .run()
                    .await
                })
            });
            (addr, None)
        }
    }
}

/// Opens a connection and sends a forged Wakilni head declaring `len` bytes.
fn forged_head(addr: SocketAddr, len: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "POST /webhooks/wakilni HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Webhook-Signature: AAAA\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

/// The status of the answer on `stream`, or `None` when the connection was reset before one
/// arrived (a server that refused before reading the body may close with bytes unread).
fn status(stream: &mut TcpStream) -> Option<u16> {
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
}

/// Run 1: 200 bodies of `limit` bytes held at once, then completed; all answered 401.
fn at_the_default_limit(framework: Framework, body: &'static [u8]) -> u64 {
    let limit = delivery_webhooks::wakilni::Verifier::DEFAULT_BODY_LIMIT;
    let (addr, _runtime) = start(framework, config(None));
    // Warm up: the first connections allocate the server's pools.
    for _ in 0..10 {
        let mut s = forged_head(addr, limit);
        s.write_all(&body[..limit]).unwrap();
        assert_eq!(status(&mut s), Some(401), "{framework:?}");
    }
    reset_peak();
    let before = status_bytes("VmRSS");
    let mut held: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|_| {
            let mut s = forged_head(addr, limit);
            s.write_all(&body[..limit - 1]).unwrap();
            s
        })
        .collect();
    for s in &mut held {
        s.write_all(&body[..1]).unwrap();
    }
    for s in &mut held {
        assert_eq!(status(s), Some(401), "{framework:?}");
    }
    let peak = status_bytes("VmHWM").saturating_sub(before);
    eprintln!(
        "{framework:?}: {CONNECTIONS} forged bodies of {limit} bytes held at once: peak +{:.1} MiB",
        peak as f64 / MIB as f64
    );
    peak
}

/// Run 2: 200 bodies of 16 MiB minus one byte under a 16 MiB limit; the budget decides how many
/// are held at once. Returns the peak and the answers counted (401, 503, none).
fn at_sixteen_mebibytes(framework: Framework, body: &'static [u8]) -> (u64, [usize; 3]) {
    let len = body.len();
    let (addr, _runtime) = start(framework, config(Some(16 << 20)));
    reset_peak();
    let before = status_bytes("VmRSS");
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            std::thread::spawn(move || {
                let mut s = forged_head(addr, len);
                // Refused early (503), the server may close while this is written.
                let _ = s.write_all(body);
                status(&mut s)
            })
        })
        .collect();
    let mut counted = [0usize; 3];
    for sender in senders {
        match sender.join().unwrap() {
            Some(401) => counted[0] += 1,
            Some(503) => counted[1] += 1,
            None => counted[2] += 1,
            Some(other) => panic!("{framework:?}: answered {other}"),
        }
    }
    let peak = status_bytes("VmHWM").saturating_sub(before);
    eprintln!(
        "{framework:?}: {CONNECTIONS} forged bodies of {len} bytes: peak +{:.1} MiB; \
         401: {}, 503: {}, reset before an answer: {}",
        peak as f64 / MIB as f64,
        counted[0],
        counted[1],
        counted[2]
    );
    (peak, counted)
}

#[test]
fn two_hundred_forged_bodies_cost_at_most_the_budget() {
    // The client's bodies: one buffer, touched before anything is measured.
    let body: &'static [u8] = Box::leak(vec![b' '; (16 << 20) - 1].into_boxed_slice());
    let budget = delivery_webhooks::DEFAULT_BODY_BUDGET as u64;
    for framework in [Framework::Axum, Framework::Actix] {
        let peak = at_the_default_limit(framework, body);
        assert!(
            peak <= 64 * MIB,
            "{framework:?}: +{} MiB at the default limit",
            peak / MIB
        );
    }
    for framework in [Framework::Axum, Framework::Actix] {
        let (peak, counted) = at_sixteen_mebibytes(framework, body);
        assert_eq!(counted.iter().sum::<usize>(), CONNECTIONS);
        assert!(
            peak <= budget + CONNECTIONS as u64 * 512 * 1024,
            "{framework:?}: +{} MiB at 16 MiB bodies",
            peak / MIB
        );
    }
}
