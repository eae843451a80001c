//! End to end: the axum receiver example, served on 127.0.0.1 (port 0), gets every fixture over
//! real TCP from a real HTTP client. Genuine deliveries get 200; tampered, unsigned and
//! wrong-secret ones 401; malformed ones 400.
//!
//! The example's source is compiled into this test (`#[path]` below) rather than run as a
//! separate process: `cargo test --test receiver_e2e` does not build examples, so a spawned
//! binary could be missing or stale, while this way the test always exercises the example's
//! current `Config`, `app` and `serve`, the exact code `main` runs after reading the
//! environment.
#![cfg(all(feature = "http", feature = "wakilni"))]

use std::path::Path;
use std::time::Duration;

use delivery_webhooks::wakilni;

// The example's `main` is not called here; everything it serves is.
#[allow(dead_code)]
#[path = "../examples/axum_receiver.rs"]
mod receiver;

const SECRET: &str = "e2e-current-secret";
const PREVIOUS_SECRET: &str = "e2e-previous-secret";

/// The receiver, running on a private runtime for the duration of one test.
struct Server {
    runtime: tokio::runtime::Runtime,
    base: String,
}

impl Server {
    fn start(vars: &[(&str, &str)]) -> Self {
        let config = receiver::Config::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(receiver::serve(listener, config));
        Server {
            runtime,
            base: format!("http://{addr}"),
        }
    }

    fn stop(self) {
        self.runtime.shutdown_timeout(Duration::from_secs(1));
    }
}

fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        // Loopback only: never go through a proxy from the environment.
        .proxy(None)
        // 4xx answers are what is being tested, not errors.
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// POSTs `body` with `headers` and returns the status.
fn post(agent: &ureq::Agent, url: &str, headers: &[(&str, &str)], body: &[u8]) -> u16 {
    let mut request = agent.post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send(body).unwrap().status().as_u16()
}

fn wakilni_fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wakilni");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(path).unwrap())
        })
        .collect()
}

fn wakilni_server() -> Server {
    Server::start(&[
        ("WAKILNI_WEBHOOK_SECRET", SECRET),
        ("WAKILNI_WEBHOOK_SECRET_PREVIOUS", PREVIOUS_SECRET),
    ])
}

#[test]
fn wakilni_fixtures_over_http() {
    let server = wakilni_server();
    let url = format!("{}/webhooks/wakilni", server.base);
    let agent = client();
    let fixtures = wakilni_fixtures();
    assert!(fixtures.len() >= 17, "{} fixtures", fixtures.len());

    for (name, body) in &fixtures {
        let signature = wakilni::sign(SECRET, body);
        let genuine = [
            ("X-Webhook-Signature", signature.as_str()),
            ("X-Attempt-Number", "1"),
            ("X-Webhook-Source", "https://api.wakilni.com"),
        ];
        assert_eq!(post(&agent, &url, &genuine, body), 200, "{name}: genuine");

        // One byte changed after signing.
        let mut tampered = body.clone();
        let digit = tampered.iter().position(u8::is_ascii_digit).unwrap();
        tampered[digit] = if tampered[digit] == b'9' {
            b'0'
        } else {
            tampered[digit] + 1
        };
        assert_eq!(
            post(&agent, &url, &genuine, &tampered),
            401,
            "{name}: tampered"
        );

        assert_eq!(post(&agent, &url, &[], body), 401, "{name}: unsigned");

        let forged = wakilni::sign("not-the-secret", body);
        let wrong = [("X-Webhook-Signature", forged.as_str())];
        assert_eq!(
            post(&agent, &url, &wrong, body),
            401,
            "{name}: wrong secret"
        );
    }
    server.stop();
}

#[test]
fn wakilni_rotation_malformed_and_routing_over_http() {
    let server = wakilni_server();
    let url = format!("{}/webhooks/wakilni", server.base);
    let agent = client();
    let (_, body) = &wakilni_fixtures()[0];

    // The previous secret is still accepted during a rotation.
    let old = wakilni::sign(PREVIOUS_SECRET, body);
    assert_eq!(
        post(&agent, &url, &[("X-Webhook-Signature", &old)], body),
        200
    );

    // Authentic but malformed: 400, so the sender sees its own mistake.
    let malformed = br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":"abc"}}"#;
    let signature = wakilni::sign(SECRET, malformed);
    assert_eq!(
        post(
            &agent,
            &url,
            &[("X-Webhook-Signature", &signature)],
            malformed
        ),
        400
    );
    let not_json = b"{not json";
    let signature = wakilni::sign(SECRET, not_json);
    assert_eq!(
        post(
            &agent,
            &url,
            &[("X-Webhook-Signature", &signature)],
            not_json
        ),
        400
    );

    // A topic header naming another event than the signed body: refused.
    let signature = wakilni::sign(SECRET, body);
    let headers = [
        ("X-Webhook-Signature", signature.as_str()),
        ("X-Webhook-Topic", "Order Failed"),
    ];
    assert_eq!(post(&agent, &url, &headers, body), 400);

    // Two different signatures: which is genuine cannot be told.
    let forged = wakilni::sign("not-the-secret", body);
    let headers = [
        ("X-Webhook-Signature", signature.as_str()),
        ("X-Webhook-Signature", forged.as_str()),
    ];
    assert_eq!(post(&agent, &url, &headers, body), 400);

    // Only POST, and only configured providers, are routed.
    let get = agent.get(&url).call().unwrap().status().as_u16();
    assert_eq!(get, 405);
    let other = format!("{}/webhooks/acme", server.base);
    assert_eq!(post(&agent, &other, &[], body), 404);
    server.stop();
}

#[test]
fn receiver_configuration_from_variables() {
    let none = receiver::Config::from_vars(|_| None).unwrap();
    assert!(none.routes().is_empty());

    let empty =
        receiver::Config::from_vars(|name| (name == "WAKILNI_WEBHOOK_SECRET").then(String::new));
    assert_eq!(
        empty.unwrap_err(),
        "WAKILNI_WEBHOOK_SECRET(_PREVIOUS): empty secret"
    );

    let config = receiver::Config::from_vars(|name| {
        (name == "WAKILNI_WEBHOOK_SECRET").then(|| SECRET.to_owned())
    })
    .unwrap();
    assert_eq!(config.routes(), ["/webhooks/wakilni"]);
    // The secret stays out of logs: the configuration's Debug does not show it.
    assert!(!format!("{config:?}").contains(SECRET));
}
