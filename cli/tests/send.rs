//! `delivery-webhooks send` on loopback: against the crate's own axum router (genuine deliveries
//! accepted, tampered ones refused) and against a raw TCP recorder (the exact request on the
//! wire, and each provider's retry behaviour).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use delivery_webhooks::{AnyDelivery, Config, wakilni};

const WAKILNI: &str = "wk-secret-send";
const PEDDLER: &str = "pd-token-send";
const XOXODAY: &str = "Key4Xoxoday2024send";
const ISENDU_TOKEN: &str = "u9X2-long-random";
const ISENDU_KEY_ID: &str = "key-7f3a";
const ISENDU_SECRET: &str = "sk_live_0123456789";
const SKLADON: &str = "sk-token-send-5f1c";

fn fixture(path: &str) -> String {
    // The repository root, where `fixtures/` lives (this crate is `cli/` in the workspace).
    format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs the CLI with `SECRET` set to `secret`.
fn cli(secret: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_delivery-webhooks"))
        .args(args)
        .env("SECRET", secret)
        .output()
        .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The crate's axum router with every provider configured, on 127.0.0.1:0.
struct Receiver {
    addr: SocketAddr,
    deliveries: mpsc::Receiver<AnyDelivery>,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    fn start() -> Self {
        let config = Config::builder()
            .wakilni_secret(WAKILNI)
            .peddler_token(PEDDLER)
            .xoxoday_enabled(true)
            .xoxoday_api_key(XOXODAY)
            .xoxoday_trusted_proxies(["127.0.0.1"])
            .isendu_key(ISENDU_KEY_ID, ISENDU_SECRET)
            .isendu_url_token(ISENDU_TOKEN)
            .skladon_token(SKLADON)
            .build()
            .unwrap();
        let (tx, deliveries) = mpsc::channel();
        let handler = move |delivery: AnyDelivery| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(delivery);
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = delivery_webhooks::axum::router(config, handler);
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Receiver {
            addr,
            deliveries,
            _runtime: runtime,
        }
    }

    fn url(&self, provider: &str) -> String {
        format!("http://{}/webhooks/{provider}", self.addr)
    }

    fn delivered(&self) -> AnyDelivery {
        self.deliveries
            .recv_timeout(Duration::from_secs(5))
            .expect("a delivery reached the handler")
    }
}

#[test]
fn genuine_deliveries_of_every_provider_are_accepted_and_tampered_ones_refused() {
    let r = Receiver::start();
    let ok = |out: &Output| {
        assert_eq!(
            code(out),
            0,
            "{}{}",
            stdout(out),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout(out).starts_with("200 OK"), "{}", stdout(out));
    };
    let refused = |out: &Output, status: &str| {
        assert_eq!(code(out), 1, "{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout(out).starts_with(status), "{}", stdout(out));
    };
    let to = |p: &str| r.url(p);

    // Wakilni: signed with the secret; with another secret, 401.
    let body = fixture("wakilni/order_assigned.json");
    let args = [
        "send",
        "wakilni",
        &body,
        "--to",
        &to("wakilni"),
        "--secret-env",
        "SECRET",
    ];
    ok(&cli(WAKILNI, &args));
    assert_eq!(r.delivered().dedup_key().provider().as_str(), "wakilni");
    refused(&cli("not-the-secret", &args), "401");

    // Peddler: the shared token.
    let body = fixture("peddler/failed_attempt.json");
    let args = [
        "send",
        "peddler",
        &body,
        "--to",
        &to("peddler"),
        "--secret-env",
        "SECRET",
    ];
    ok(&cli(PEDDLER, &args));
    assert_eq!(r.delivered().dedup_key().provider().as_str(), "peddler");
    refused(&cli("guess", &args), "401");

    // Xoxoday: through the tool as a trusted proxy, from 52.76.120.90, with the api key.
    let body = fixture("xoxoday/delivered.json");
    let args = [
        "send",
        "xoxoday",
        &body,
        "--to",
        &to("xoxoday"),
        "--secret-env",
        "SECRET",
    ];
    ok(&cli(XOXODAY, &args));
    assert_eq!(
        r.delivered().dedup_key().as_str(),
        "xoxoday:10000000000000000001"
    );
    refused(&cli("WrongKey2024xx", &args), "401");
    let mut elsewhere = args.to_vec();
    elsewhere.extend(["--forwarded-for", "203.0.113.9"]);
    refused(&cli(XOXODAY, &elsewhere), "403");

    // isendu: the handshake gets its JSON answer; a batch is accepted; a wrong token is 401.
    let out = cli(
        ISENDU_TOKEN,
        &[
            "send",
            "isendu",
            "--key-id",
            ISENDU_KEY_ID,
            "--to",
            &to("isendu"),
            "--secret-env",
            "SECRET",
        ],
    );
    ok(&out);
    assert!(
        stdout(&out).contains(r#"{"response":"sk_live_0123456789"}"#),
        "{}",
        stdout(&out)
    );
    r.delivered();
    let body = fixture("isendu/update_batch.json");
    let args = [
        "send",
        "isendu",
        &body,
        "--to",
        &to("isendu"),
        "--secret-env",
        "SECRET",
    ];
    ok(&cli(ISENDU_TOKEN, &args));
    assert_eq!(r.delivered().dedup_key().provider().as_str(), "isendu");
    refused(&cli("guess", &args), "401");

    // Skladon: POST of an entity and GET of an id, under the token; a wrong token is 401.
    let body = fixture("skladon/order.json");
    let post = [
        "send",
        "skladon",
        &body,
        "--type",
        "UPDATE_ORDER_STATUS",
        "--to",
        &to("skladon"),
        "--secret-env",
        "SECRET",
    ];
    ok(&cli(SKLADON, &post));
    assert_eq!(r.delivered().dedup_key().provider().as_str(), "skladon");
    let get = [
        "send",
        "skladon",
        "--type",
        "UPDATE_ORDER",
        "--id",
        "ORD 7",
        "--to",
        &to("skladon"),
        "--secret-env",
        "SECRET",
    ];
    ok(&cli(SKLADON, &get));
    assert!(
        r.delivered()
            .dedup_key()
            .as_str()
            .ends_with("UPDATE_ORDER:ORD 7:get")
    );
    refused(&cli("guess", &post), "401");
}

/// One recorded request: the head (request line and headers) and the body.
#[derive(Debug)]
struct Recorded {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = values.next().map(|(_, v)| v.as_str());
        assert!(values.next().is_none(), "{name} sent twice");
        first
    }
}

/// A raw TCP listener that records every request and answers `status` with an empty body.
fn recorder(status: u16) -> (String, mpsc::Receiver<Recorded>) {
    recorder_answering(status, b"")
}

/// [`recorder`], answering `body`.
fn recorder_answering(status: u16, answer: &'static [u8]) -> (String, mpsc::Receiver<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            let head_end = loop {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8(data[..head_end].to_vec()).unwrap();
            let mut lines = head.split("\r\n");
            let line = lines.next().unwrap().to_owned();
            let headers: Vec<(String, String)> = lines
                .map(|l| {
                    let (n, v) = l.split_once(':').unwrap();
                    (n.to_owned(), v.trim().to_owned())
                })
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = data[head_end + 4..].to_vec();
            while body.len() < len {
                let n = stream.read(&mut buf).unwrap();
                body.extend_from_slice(&buf[..n]);
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Recorded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(answer);
            let _ = tx.send(Recorded {
                line,
                headers,
                body,
            });
        }
    });
    (base, rx)
}

fn drain(rx: &mpsc::Receiver<Recorded>) -> Vec<Recorded> {
    let mut all = Vec::new();
    while let Ok(r) = rx.recv_timeout(Duration::from_millis(300)) {
        all.push(r);
    }
    all
}

#[test]
fn wakilni_on_the_wire_and_its_attempt_numbers() {
    let (base, rx) = recorder(500);
    let path = fixture("wakilni/order_completed.json");
    let body = std::fs::read(&path).unwrap();
    let to = format!("{base}/hooks/wakilni");
    let out = cli(
        WAKILNI,
        &[
            "send",
            "wakilni",
            &path,
            "--to",
            &to,
            "--secret-env",
            "SECRET",
            "--retries",
            "2",
            "--retry-delay",
            "0",
            "--webhook-id",
            "wh-77",
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("500"));
    let sent = drain(&rx);
    assert_eq!(sent.len(), 3);
    let signature = wakilni::sign(WAKILNI, &body);
    for (i, r) in sent.iter().enumerate() {
        assert_eq!(r.line, "POST /hooks/wakilni HTTP/1.1");
        assert_eq!(r.body, body, "the body is sent byte for byte");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-webhook-signature"), Some(signature.as_str()));
        assert_eq!(r.header("x-webhook-topic"), Some("Order Completed"));
        assert_eq!(
            r.header("x-webhook-source"),
            Some("https://api.wakilni.com")
        );
        assert_eq!(r.header("x-webhook-id"), Some("wh-77"));
        assert_eq!(
            r.header("x-webhook-delivery-id"),
            sent[0].header("x-webhook-delivery-id")
        );
        assert_eq!(
            r.header("x-attempt-number"),
            Some((i + 1).to_string().as_str())
        );
    }
}

#[test]
fn xoxoday_stops_after_three_attempts_with_its_headers() {
    let (base, rx) = recorder(500);
    let path = fixture("xoxoday/canceled.json");
    let out = cli(
        XOXODAY,
        &[
            "send",
            "xoxoday",
            &path,
            "--to",
            &format!("{base}/x"),
            "--secret-env",
            "SECRET",
            "--retries",
            "10",
            "--retry-delay",
            "0",
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 3 attempts"));
    let sent = drain(&rx);
    assert_eq!(sent.len(), 3, "Xoxoday makes exactly three attempts");
    for r in &sent {
        assert_eq!(r.line, "POST /x HTTP/1.1");
        assert_eq!(r.body, std::fs::read(&path).unwrap());
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-api-key"), Some(XOXODAY));
        assert_eq!(r.header("x-forwarded-for"), Some("52.76.120.90"));
    }
}

/// `send` puts the real credential on the wire in clear text: a host other than loopback is
/// refused (exit 2, before any connection) unless `--allow-insecure-http` is given.
#[test]
fn non_loopback_http_targets_need_the_explicit_flag() {
    let path = fixture("peddler/delivered_in_mailbox.json");
    let send = |to: &str, extra: &[&str]| {
        let mut args = vec![
            "send",
            "peddler",
            &path,
            "--to",
            to,
            "--secret-env",
            "SECRET",
        ];
        args.extend_from_slice(extra);
        cli(PEDDLER, &args)
    };
    // `localhost.` is a fully qualified DNS name: the hosts file's `localhost` does not answer
    // it, so a DNS server would resolve it and could route the credential anywhere.
    for to in [
        "http://192.0.2.7:3000/webhooks/peddler",
        "http://receiver.example/webhooks/peddler",
        "http://[2001:db8::1]:3000/webhooks/peddler",
        "http://localhost.:3000/webhooks/peddler",
        "http://LOCALHOST./webhooks/peddler",
        "http://a.localhost:3000/webhooks/peddler",
    ] {
        let out = send(to, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{to}: {err}");
        assert!(err.contains("is not a loopback address"), "{err}");
        assert!(err.contains("--allow-insecure-http"), "{err}");
        assert!(!err.contains(PEDDLER), "{err}");
        assert!(stdout(&out).is_empty());
    }

    // Loopback: sent without the flag.
    let (base, rx) = recorder(204);
    let out = send(&format!("{base}/p"), &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(drain(&rx).len(), 1);

    // 0.0.0.0 is not loopback, though Linux connects it to this machine: refused without the
    // flag (nothing arrives), sent with it, with a warning.
    #[cfg(target_os = "linux")]
    {
        let unspecified = base.replace("127.0.0.1", "0.0.0.0");
        let out = send(&format!("{unspecified}/p"), &[]);
        assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
        assert!(drain(&rx).is_empty());
        let out = send(&format!("{unspecified}/p"), &["--allow-insecure-http"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 0, "{err}");
        assert!(
            err.contains("warning: sending the credential to 0.0.0.0 in clear text"),
            "{err}"
        );
        let sent = drain(&rx);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].header("x-webhook-shared-token"), Some(PEDDLER));
    }
}

/// The receiver's answer is untrusted text: its control characters reach the terminal escaped
/// (an escape sequence cannot recolour or clear it, a carriage return cannot overwrite the
/// line), its newlines kept.
#[test]
fn the_receivers_answer_is_printed_with_control_characters_escaped() {
    let (base, rx) = recorder_answering(
        500,
        b"\x1b[31mfailed\x1b[0m\r200 OK\n{\"ok\":\x1b]0;title\x07}",
    );
    let path = fixture("peddler/delivered_in_mailbox.json");
    let out = cli(
        PEDDLER,
        &[
            "send",
            "peddler",
            &path,
            "--to",
            &format!("{base}/p"),
            "--secret-env",
            "SECRET",
        ],
    );
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(drain(&rx).len(), 1);
    assert_eq!(
        stdout(&out),
        "500 Internal Server Error\n\\u{1b}[31mfailed\\u{1b}[0m\\u{d}200 OK\n{\"ok\":\\u{1b}]0;title\\u{7}}\n"
    );
    for output in [&out.stdout, &out.stderr] {
        assert!(!output.contains(&0x1b) && !output.contains(&b'\r') && !output.contains(&7));
    }
}

#[test]
fn a_2xx_stops_the_retries() {
    let (base, rx) = recorder(204);
    let path = fixture("peddler/delivered_in_mailbox.json");
    let out = cli(
        PEDDLER,
        &[
            "send",
            "peddler",
            &path,
            "--to",
            &format!("{base}/p?shipment=1"),
            "--secret-env",
            "SECRET",
            "--retries",
            "2",
            "--retry-delay",
            "0",
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let sent = drain(&rx);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].line, "POST /p?shipment=1 HTTP/1.1");
    assert_eq!(sent[0].header("x-webhook-shared-token"), Some(PEDDLER));
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
}

#[test]
fn skladon_paths_methods_and_growing_intervals() {
    let (base, rx) = recorder(503);
    let mount = format!("{base}/api/skladon/");
    let started = std::time::Instant::now();
    let out = cli(
        "tok en",
        &[
            "send",
            "skladon",
            "--type",
            "UPDATE_ORDER_STATUS",
            "--id",
            "ORD/7",
            "--to",
            &mount,
            "--secret-env",
            "SECRET",
            "--retries",
            "3",
            "--retry-delay",
            "20ms",
        ],
    );
    // The id with a `/` is sent encoded, as one segment.
    assert_eq!(code(&out), 1);
    let sent = drain(&rx);
    assert_eq!(sent.len(), 4);
    // 20 + 40 + 80 ms of doubling intervals.
    assert!(started.elapsed() >= Duration::from_millis(140));
    for r in &sent {
        assert_eq!(
            r.line,
            "GET /api/skladon/tok%20en/UPDATE_ORDER_STATUS/ORD%2F7 HTTP/1.1"
        );
        assert!(r.body.is_empty() && r.header("content-type").is_none());
    }

    let (base, rx) = recorder(200);
    let path = fixture("skladon/stock_movement.json");
    let out = cli(
        SKLADON,
        &[
            "send",
            "skladon",
            &path,
            "--type",
            "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
            "--to",
            &format!("{base}/webhooks/skladon"),
            "--secret-env",
            "SECRET",
        ],
    );
    assert_eq!(code(&out), 0);
    let sent = drain(&rx);
    assert_eq!(
        sent[0].line,
        format!("POST /webhooks/skladon/{SKLADON}/CREATE_STOCK_MOVEMENT_STOCK_CORRECTION HTTP/1.1")
    );
    assert_eq!(sent[0].body, std::fs::read(&path).unwrap());
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
}

#[test]
fn isendu_handshake_on_the_wire() {
    let (base, rx) = recorder(200);
    let out = cli(
        "t 1",
        &[
            "send",
            "isendu",
            "--key-id",
            "key-1",
            "--to",
            &format!("{base}/hooks/isendu"),
            "--secret-env",
            "SECRET",
        ],
    );
    assert_eq!(code(&out), 0);
    let sent = drain(&rx);
    assert_eq!(sent[0].line, "POST /hooks/isendu?token=t%201 HTTP/1.1");
    assert_eq!(sent[0].body, br#"{"keyId":"key-1"}"#);
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
}

#[test]
fn sign_prints_each_providers_credential_and_usage_errors_exit_2() {
    let out = cli(PEDDLER, &["sign", "peddler", "--secret-env", "SECRET"]);
    assert_eq!(stdout(&out), format!("x-webhook-shared-token: {PEDDLER}\n"));
    let out = cli(XOXODAY, &["sign", "xoxoday", "--secret-env", "SECRET"]);
    assert_eq!(
        stdout(&out),
        format!("x-api-key: {XOXODAY}\nx-forwarded-for: 52.76.120.90\n")
    );
    let out = cli(
        "t/1",
        &[
            "sign",
            "isendu",
            "--to",
            "https://you.example/hooks",
            "--secret-env",
            "SECRET",
        ],
    );
    assert_eq!(stdout(&out), "https://you.example/hooks?token=t%2F1\n");
    let out = cli(
        SKLADON,
        &[
            "sign",
            "skladon",
            "--to",
            "https://you.example/webhooks/skladon",
            "--type",
            "UPDATE_ORDER",
            "--secret-env",
            "SECRET",
        ],
    );
    assert_eq!(
        stdout(&out),
        format!("https://you.example/webhooks/skladon/{SKLADON}/UPDATE_ORDER\n")
    );

    // Options for another provider, no secret, an https URL: usage (2).
    let body = fixture("peddler/failed_attempt.json");
    assert_eq!(
        code(&cli(
            PEDDLER,
            &[
                "send",
                "peddler",
                &body,
                "--to",
                "http://127.0.0.1:9/",
                "--secret-env",
                "SECRET",
                "--type",
                "UPDATE_ORDER"
            ]
        )),
        2
    );
    assert_eq!(
        code(&cli(
            PEDDLER,
            &["send", "peddler", &body, "--to", "http://127.0.0.1:9/"]
        )),
        2
    );
    assert_eq!(
        code(&cli(
            PEDDLER,
            &[
                "send",
                "peddler",
                &body,
                "--to",
                "https://x.example/",
                "--secret-env",
                "SECRET"
            ]
        )),
        2
    );
}

#[test]
fn schema_prints_a_provider_schema() {
    let out = cli("", &["schema", "peddler"]);
    assert_eq!(code(&out), 0);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "ShipmentUpdate");
    let out = cli("", &["schema", "skladon", "--type", "CREATE_PRODUCT"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Product");
    assert_eq!(
        code(&cli("", &["schema", "wakilni", "--type", "CREATE_PRODUCT"])),
        2
    );
}
