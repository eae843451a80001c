//! HTTP edges answered alike by both frameworks' ready receivers, over real loopback TCP with
//! hand-written requests (`docs/security.md`, "Review round four", finding 7):
//!
//! - `Transfer-Encoding` governs the body's length: a `Content-Length` beside it is ignored
//!   (RFC 9112 §6.3), however large;
//! - a chunked body with trailer fields: axum reads it and ignores the trailers; actix-http's
//!   chunked decoder (3.11) does not parse trailers and fails the body, answered 400 as any
//!   body that could not be read (pinned here, so that an actix that accepts them is noticed);
//! - every problem answer carries `X-Content-Type-Options: nosniff`;
//! - a 413 and a 408 say what was refused, never the configured limit or timeout.
#![cfg(all(feature = "axum", feature = "actix", feature = "wakilni"))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use delivery_webhooks::{AnyDelivery, Config, wakilni};

const SECRET: &str = "edges-wakilni-secret";
/// Wakilni's default body limit, which these receivers keep.
const LIMIT: usize = 64 * 1024;
const BODY_TIMEOUT: Duration = Duration::from_secs(2);

fn config() -> Config {
    Config::builder()
        .wakilni_secret(SECRET)
        .body_timeout(BODY_TIMEOUT)
        .build()
        .unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Framework {
    Axum,
    Actix,
}

struct Server {
    addr: SocketAddr,
    _runtime: Option<tokio::runtime::Runtime>,
}

fn start(framework: Framework) -> Server {
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
            let app = delivery_webhooks::axum::router(config(), handler);
            runtime.spawn(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .await
            });
            Server {
                addr,
                _runtime: Some(runtime),
            }
        }
        Framework::Actix => {
            std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    actix_web::HttpServer::new(move || {
                        actix_web::App::new()
                            .service(delivery_webhooks::actix::router(config(), handler))
                    })
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .unwrap()
                    .run()
                    .await
                })
            });
            Server {
                addr,
                _runtime: None,
            }
        }
    }
}

fn both(test: impl Fn(Framework, SocketAddr)) {
    for framework in [Framework::Axum, Framework::Actix] {
        let server = start(framework);
        test(framework, server.addr);
    }
}

/// A genuine Wakilni event and its signature.
fn genuine() -> (Vec<u8>, String) {
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/wakilni/order_assigned.json"),
    )
    .unwrap();
    let signature = wakilni::sign(SECRET, &body);
    (body, signature)
}

/// `body` in two chunks, the last-chunk line, the trailer fields given, and the blank line.
fn chunked(body: &[u8], trailers: &str) -> Vec<u8> {
    let (first, second) = body.split_at(body.len() / 2);
    let mut out = Vec::new();
    for part in [first, second] {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("0\r\n{trailers}\r\n").as_bytes());
    out
}

/// An answer: its status, its header lines (lowercased names) and its body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn detail(&self) -> String {
        let json: serde_json::Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not a problem body ({e}): {:?}", self.body));
        json["detail"].as_str().unwrap().to_owned()
    }
}

/// Sends `head` (request line and header lines, without the blank line) and `body` on a fresh
/// connection that the client closes after, then reads the whole answer.
fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // A server that refuses before the body may close early: what it answered is read anyway.
    let _ = stream.write_all(body);
    read_answer(&mut stream)
}

/// The answer on `stream`, read until the server closes (the requests say `Connection: close`)
/// or, for a refusal that came before the body, a reset after it.
fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if !raw.is_empty() => {
                eprintln!("after the answer: {e}");
                break;
            }
            Err(e) => panic!("no answer: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    // A chunked answer body: the problem answers here are small and sent in one chunk.
    let body = if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body.split("\r\n").nth(1).unwrap_or_default().to_owned()
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// RFC 9112 §6.3: with `Transfer-Encoding`, the chunked encoding gives the length and a
/// `Content-Length` is ignored. actix answered 413 here (the adapter read the `Content-Length`),
/// axum 200.
#[test]
fn transfer_encoding_overrides_a_content_length() {
    let (body, signature) = genuine();
    both(|framework, addr| {
        for declared in [
            u64::MAX.to_string(),
            (LIMIT + 1).to_string(),
            "3".to_owned(),
        ] {
            let answer = exchange(
                addr,
                &format!(
                    "POST /webhooks/wakilni HTTP/1.1\r\nContent-Type: application/json\r\n\
                     X-Webhook-Signature: {signature}\r\nTransfer-Encoding: chunked\r\n\
                     Content-Length: {declared}"
                ),
                &chunked(&body, ""),
            );
            // Servers may refuse the pair outright as a smuggling risk (400); neither
            // framework does, and neither may judge the body by the ignored length.
            assert_eq!(answer.status, 200, "{framework:?}, {declared}: {answer:?}");
        }
    });
}

/// Trailer fields after the last chunk: axum (hyper) reads the chunks and ignores the trailers
/// (200). actix-http's chunked decoder expects the blank line right after the last chunk and
/// fails the payload on a trailer field, before the adapter sees a byte of it: the adapter
/// answers that as any body that could not be read (400). No provider sends trailers.
#[test]
fn chunked_trailers_are_ignored_by_axum_and_refused_by_actix_http() {
    let (body, signature) = genuine();
    both(|framework, addr| {
        let answer = exchange(
            addr,
            &format!(
                "POST /webhooks/wakilni HTTP/1.1\r\nContent-Type: application/json\r\n\
                 X-Webhook-Signature: {signature}\r\nTransfer-Encoding: chunked\r\n\
                 Trailer: X-Checksum"
            ),
            &chunked(&body, "X-Checksum: abc\r\nX-Other: 1\r\n"),
        );
        match framework {
            Framework::Axum => assert_eq!(answer.status, 200, "{answer:?}"),
            Framework::Actix => {
                assert_eq!(answer.status, 400, "{answer:?}");
                assert_eq!(
                    answer.detail(),
                    "the request body could not be read to its end"
                );
            }
        }
        // Without trailers, both read the same chunked body.
        let answer = exchange(
            addr,
            &format!(
                "POST /webhooks/wakilni HTTP/1.1\r\nContent-Type: application/json\r\n\
                 X-Webhook-Signature: {signature}\r\nTransfer-Encoding: chunked"
            ),
            &chunked(&body, ""),
        );
        assert_eq!(answer.status, 200, "{framework:?}: {answer:?}");
    });
}

/// Every problem answer is marked `nosniff`: a forgery (401), a body too large (413), a body
/// that is not JSON (400). (A wrong method is the framework's own empty 405, no problem body.)
#[test]
fn problem_answers_are_marked_nosniff() {
    let (body, signature) = genuine();
    let bad = b"<html>not json</html>";
    let bad_signature = wakilni::sign(SECRET, bad);
    both(|framework, addr| {
        let cases = [
            (
                format!(
                    "POST /webhooks/wakilni HTTP/1.1\r\nX-Webhook-Signature: AAAA\r\n\
                     Content-Length: {}",
                    body.len()
                ),
                body.clone(),
                401,
            ),
            (
                format!(
                    "POST /webhooks/wakilni HTTP/1.1\r\nX-Webhook-Signature: {signature}\r\n\
                     Content-Length: {}",
                    LIMIT + 1
                ),
                Vec::new(),
                413,
            ),
            (
                format!(
                    "POST /webhooks/wakilni HTTP/1.1\r\nX-Webhook-Signature: {bad_signature}\r\n\
                     Content-Length: {}",
                    bad.len()
                ),
                bad.to_vec(),
                400,
            ),
        ];
        for (head, body, status) in cases {
            let answer = exchange(addr, &head, &body);
            assert_eq!(answer.status, status, "{framework:?}: {answer:?}");
            assert_eq!(
                answer.header("x-content-type-options"),
                Some("nosniff"),
                "{framework:?} {status}: {answer:?}"
            );
            assert_eq!(
                answer.header("content-type"),
                Some("application/problem+json"),
                "{framework:?} {status}"
            );
        }
    });
}

/// A 413 and a 408 tell an unauthenticated sender what was refused, not the receiver's
/// settings: neither the limit (65536) nor the timeout (2 s) appears.
#[test]
fn refusals_do_not_state_the_limit_or_the_timeout() {
    both(|framework, addr| {
        // Declared too large.
        let answer = exchange(
            addr,
            &format!(
                "POST /webhooks/wakilni HTTP/1.1\r\nX-Webhook-Signature: AAAA\r\n\
                 Content-Length: {}",
                LIMIT + 1
            ),
            b"",
        );
        assert_eq!(answer.status, 413, "{framework:?}: {answer:?}");
        assert_eq!(
            answer.detail(),
            "the body is larger than this endpoint accepts"
        );
        assert!(!answer.body.contains("65536"), "{}", answer.body);
        // Grown too large, chunked.
        let big = vec![b' '; LIMIT + 10];
        let answer = exchange(
            addr,
            "POST /webhooks/wakilni HTTP/1.1\r\nX-Webhook-Signature: AAAA\r\n\
             Transfer-Encoding: chunked",
            &chunked(&big, ""),
        );
        assert_eq!(answer.status, 413, "{framework:?}: {answer:?}");
        assert!(!answer.body.contains("65536"), "{}", answer.body);
        // Stalled: the head passes (a signature is present), five bytes of ten arrive.
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "POST /webhooks/wakilni HTTP/1.1\r\nHost: {addr}\r\nX-Webhook-Signature: AAAA\r\n\
             Content-Length: 10\r\nConnection: close\r\n\r\n{{\"a\":"
        )
        .unwrap();
        let answer = read_answer(&mut stream);
        assert_eq!(answer.status, 408, "{framework:?}: {answer:?}");
        assert_eq!(answer.detail(), "the body did not arrive in time");
        assert!(
            !answer.body.contains("2000") && !answer.body.contains(" ms"),
            "{}",
            answer.body
        );
    });
}
