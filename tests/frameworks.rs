//! End to end: the axum receiver example, served on 127.0.0.1 (port 0), gets every fixture of
//! every provider over real TCP from a real HTTP client. Genuine deliveries (signed, right
//! token, allowed source through a trusted proxy) get 200; tampered, unsigned and wrong-secret
//! or wrong-token ones 401; forged sources 403; malformed bodies 400.
//!
//! The example's source is compiled into this test (`#[path]` below) rather than run as a
//! separate process: `cargo test --test receiver_e2e` does not build examples, so a spawned
//! binary could be missing or stale, while this way the test always exercises the example's
//! current `Config`, `app` and `serve`, the exact code `main` runs after reading the
//! environment.
#![cfg(all(
    feature = "http",
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

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

/// POSTs `body` and returns the status, the content type and the body of the answer.
fn post_full(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Option<String>, String) {
    let mut request = agent.post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.send(body).unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), content_type, text)
}

fn get_status(agent: &ureq::Agent, url: &str) -> u16 {
    agent.get(url).call().unwrap().status().as_u16()
}

/// A copy of `body` with its first digit changed: authentic-looking but not what was sent.
fn tamper(body: &[u8]) -> Vec<u8> {
    let mut tampered = body.to_vec();
    let digit = tampered.iter().position(u8::is_ascii_digit).unwrap();
    tampered[digit] = if tampered[digit] == b'9' {
        b'0'
    } else {
        tampered[digit] + 1
    };
    tampered
}

fn wakilni_fixtures() -> Vec<(String, Vec<u8>)> {
    fixtures("wakilni")
}

fn fixtures(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
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
        let tampered = tamper(body);
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
    assert_eq!(config.routes(), ["POST /webhooks/wakilni"]);
    // The secret stays out of logs: the configuration's Debug does not show it.
    assert!(!format!("{config:?}").contains(SECRET));
}

// ----- Peddler: the shared token header ---------------------------------------------------------

const PEDDLER_TOKEN: &str = "e2e-peddler-token";

#[test]
fn peddler_fixtures_over_http() {
    let server = Server::start(&[
        ("PEDDLER_WEBHOOK_TOKEN", PEDDLER_TOKEN),
        ("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "e2e-peddler-old"),
    ]);
    let url = format!("{}/webhooks/peddler", server.base);
    let agent = client();
    let fixtures = fixtures("peddler");
    assert!(fixtures.len() >= 10, "{} fixtures", fixtures.len());

    for (name, body) in &fixtures {
        let genuine = [("X-Webhook-Shared-Token", PEDDLER_TOKEN)];
        assert_eq!(post(&agent, &url, &genuine, body), 200, "{name}: genuine");
        let old = [("x-webhook-shared-token", "e2e-peddler-old")];
        assert_eq!(post(&agent, &url, &old, body), 200, "{name}: previous");
        let wrong = [("X-Webhook-Shared-Token", "guess")];
        assert_eq!(post(&agent, &url, &wrong, body), 401, "{name}: wrong");
        assert_eq!(post(&agent, &url, &[], body), 401, "{name}: missing");
    }

    // The right token on a body that is not a Peddler update: 400.
    let genuine = [("X-Webhook-Shared-Token", PEDDLER_TOKEN)];
    let malformed =
        br#"{"id":"s1","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":"soon"}"#;
    assert_eq!(post(&agent, &url, &genuine, malformed), 400);
    assert_eq!(post(&agent, &url, &genuine, b"{not json"), 400);
    // Two different tokens: which one counts cannot be told.
    let both = [
        ("X-Webhook-Shared-Token", PEDDLER_TOKEN),
        ("X-Webhook-Shared-Token", "guess"),
    ];
    assert_eq!(post(&agent, &url, &both, &fixtures[0].1), 400);
    server.stop();
}

// ----- Xoxoday: the source address, behind a trusted proxy ---------------------------------------

const XOXODAY_KEY: &str = "Key4Xoxoday2024e2e";

#[test]
fn xoxoday_fixtures_over_http() {
    // The test client connects from 127.0.0.1: that is the "proxy" here, reporting Xoxoday's
    // address in X-Forwarded-For.
    let server = Server::start(&[
        ("XOXODAY_ENABLED", "1"),
        ("XOXODAY_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1/32"),
        ("XOXODAY_API_KEY", XOXODAY_KEY),
    ]);
    let url = format!("{}/webhooks/xoxoday", server.base);
    let agent = client();
    let fixtures = fixtures("xoxoday");
    assert!(fixtures.len() >= 10, "{} fixtures", fixtures.len());

    for (name, body) in &fixtures {
        let genuine = [
            ("X-Forwarded-For", "52.76.120.90"),
            ("x-api-key", XOXODAY_KEY),
        ];
        assert_eq!(post(&agent, &url, &genuine, body), 200, "{name}: genuine");
        let rfc7239 = [
            ("Forwarded", "for=52.76.120.90;proto=https"),
            ("x-api-key", XOXODAY_KEY),
        ];
        assert_eq!(post(&agent, &url, &rfc7239, body), 200, "{name}: Forwarded");

        let elsewhere = [
            ("X-Forwarded-For", "203.0.113.9"),
            ("x-api-key", XOXODAY_KEY),
        ];
        assert_eq!(post(&agent, &url, &elsewhere, body), 403, "{name}: source");
        // A client prepending Xoxoday's address: the proxy appends the real one, which counts.
        let prepended = [
            ("X-Forwarded-For", "52.76.120.90, 203.0.113.9"),
            ("x-api-key", XOXODAY_KEY),
        ];
        assert_eq!(
            post(&agent, &url, &prepended, body),
            403,
            "{name}: prepended"
        );
        let unforwarded = [("x-api-key", XOXODAY_KEY)];
        assert_eq!(
            post(&agent, &url, &unforwarded, body),
            403,
            "{name}: proxy itself"
        );

        let wrong_key = [
            ("X-Forwarded-For", "52.76.120.90"),
            ("x-api-key", "not-the-key-0000"),
        ];
        assert_eq!(
            post(&agent, &url, &wrong_key, body),
            401,
            "{name}: wrong key"
        );
        let no_key = [("X-Forwarded-For", "52.76.120.90")];
        assert_eq!(post(&agent, &url, &no_key, body), 401, "{name}: no key");
    }

    let genuine = [
        ("X-Forwarded-For", "52.76.120.90"),
        ("x-api-key", XOXODAY_KEY),
    ];
    let malformed = br#"{"id":1,"data":{"orderId":"abc","orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"},"createdAt":"2019-12-27 16:45:02"}"#;
    assert_eq!(post(&agent, &url, &genuine, malformed), 400);
    let garbled = [
        ("X-Forwarded-For", "52.76.120.90, not-an-address"),
        ("x-api-key", XOXODAY_KEY),
    ];
    assert_eq!(post(&agent, &url, &garbled, &fixtures[0].1), 400);
    server.stop();
}

#[test]
fn xoxoday_forged_forwarding_without_a_trusted_proxy_over_http() {
    // No proxy trusted: a forwarding header is anybody's claim and is ignored, so the request
    // is judged on its real source, 127.0.0.1.
    let server = Server::start(&[("XOXODAY_ENABLED", "1")]);
    let url = format!("{}/webhooks/xoxoday", server.base);
    let agent = client();
    for (name, body) in &fixtures("xoxoday") {
        let forged = [("X-Forwarded-For", "52.76.120.90")];
        assert_eq!(post(&agent, &url, &forged, body), 403, "{name}: forged");
        let forged = [("Forwarded", "for=52.76.120.90")];
        assert_eq!(post(&agent, &url, &forged, body), 403, "{name}: forged");
        assert_eq!(post(&agent, &url, &[], body), 403, "{name}: direct");
    }
    server.stop();
}

// ----- isendu: the handshake, then updates, with a token in the URL -----------------------------

const ISENDU_KEY_ID: &str = "ak_3f1c2a9e5b7d4e8a";
const ISENDU_SECRET: &str = "sk_e2e_\"quoted\"_secret";
const ISENDU_URL_TOKEN: &str = "e2e-isendu-url-token-5b7d";

#[test]
fn isendu_fixtures_over_http() {
    let server = Server::start(&[
        ("ISENDU_KEY_ID", ISENDU_KEY_ID),
        ("ISENDU_SECRET_KEY", ISENDU_SECRET),
        ("ISENDU_URL_TOKEN", ISENDU_URL_TOKEN),
    ]);
    let url = format!("{}/webhooks/isendu?token={ISENDU_URL_TOKEN}", server.base);
    let agent = client();
    let fixtures = fixtures("isendu");
    assert!(fixtures.len() >= 5, "{} fixtures", fixtures.len());

    let mut handshakes = 0;
    for (name, body) in &fixtures {
        let (status, content_type, answer) = post_full(&agent, &url, &[], body);
        assert_eq!(status, 200, "{name}");
        if name == "verification" {
            // Exactly the body isendu expects, JSON-escaped, as JSON.
            assert_eq!(answer, r#"{"response":"sk_e2e_\"quoted\"_secret"}"#);
            assert_eq!(content_type.as_deref(), Some("application/json"));
            handshakes += 1;
        } else {
            assert_eq!(
                answer, "",
                "{name}: an update is answered with an empty 200"
            );
        }

        // Without the URL token, or with another one: 401, before the body is looked at.
        let wrong = format!("{}/webhooks/isendu?token=guess", server.base);
        assert_eq!(
            post_full(&agent, &wrong, &[], body).0,
            401,
            "{name}: wrong token"
        );
        let bare = format!("{}/webhooks/isendu", server.base);
        let (status, _, answer) = post_full(&agent, &bare, &[], body);
        assert_eq!(status, 401, "{name}: no token");
        assert!(!answer.contains("sk_e2e"), "{name}: {answer}");
    }
    assert_eq!(handshakes, 1);

    // A handshake for another integration: the secret is not revealed.
    let (status, _, answer) = post_full(&agent, &url, &[], br#"{"keyId":"ak_someone_else"}"#);
    assert_eq!(status, 401);
    assert!(!answer.contains("sk_e2e"), "{answer}");

    // Neither shape, or a malformed entry: 400.
    assert_eq!(post_full(&agent, &url, &[], b"{}").0, 400);
    assert_eq!(
        post_full(&agent, &url, &[], br#"{"tracking":[{"status":"D"}]}"#).0,
        400
    );
    server.stop();
}

// ----- Skladon: one URL per webhook type, the token a path segment ------------------------------

const SKLADON_TOKEN: &str = "e2e-skladon-token-9c2f";

/// The webhook type each fixture is registered for in these tests.
const SKLADON_TYPES: &[(&str, &str)] = &[
    ("order", "UPDATE_ORDER_STATUS"),
    ("order_unknown_values", "UPDATE_ORDER"),
    ("product", "CREATE_PRODUCT"),
    ("product_unknown_values", "UPDATE_PRODUCT"),
    ("receiving", "UPDATE_RECEIVING_STATUS"),
    ("receiving_api_dates", "CREATE_RECEIVING"),
    ("return", "UPDATE_RETURN_STATUS"),
    ("stock_movement", "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION"),
    (
        "stock_movement_completition",
        "CREATE_STOCK_MOVEMENT_COMPLETITION",
    ),
    (
        "stock_movement_unknown_type",
        "CREATE_STOCK_MOVEMENT_QUALITY_HOLD",
    ),
];

#[test]
fn skladon_fixtures_over_http() {
    let server = Server::start(&[("SKLADON_URL_TOKEN", SKLADON_TOKEN)]);
    let base = format!("{}/webhooks/skladon", server.base);
    let agent = client();
    let fixtures = fixtures("skladon");
    assert_eq!(
        fixtures.len(),
        SKLADON_TYPES.len(),
        "a fixture without a type here"
    );

    for (name, body) in &fixtures {
        let webhook_type = SKLADON_TYPES
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no type for {name}"))
            .1;
        let url = format!("{base}/{SKLADON_TOKEN}/{webhook_type}");
        assert_eq!(post(&agent, &url, &[], body), 200, "{name}: genuine");
        let wrong = format!("{base}/guess/{webhook_type}");
        assert_eq!(post(&agent, &wrong, &[], body), 401, "{name}: wrong token");
        // The same body under a type whose entity it lacks the required fields of: 400.
        let other = if webhook_type.starts_with("CREATE_STOCK_MOVEMENT") {
            "CREATE_ORDER"
        } else {
            "CREATE_STOCK_MOVEMENT_ORDER"
        };
        let url = format!("{base}/{SKLADON_TOKEN}/{other}");
        assert_eq!(post(&agent, &url, &[], body), 400, "{name}: as {other}");
    }

    // GET webhooks: the entity id appended to the registered URL.
    let get = format!("{base}/{SKLADON_TOKEN}/UPDATE_ORDER_STATUS/123456");
    assert_eq!(get_status(&agent, &get), 200);
    let get = format!("{base}/{SKLADON_TOKEN}/UPDATE_RECEIVING_STATUS/ESHOP%2F7");
    assert_eq!(get_status(&agent, &get), 200);
    let get = format!("{base}/guess/UPDATE_ORDER_STATUS/123456");
    assert_eq!(get_status(&agent, &get), 401);

    // A type nobody registers: 404, but only once the token is right.
    let unknown = format!("{base}/{SKLADON_TOKEN}/DELETE_ORDER");
    assert_eq!(post(&agent, &unknown, &[], b"{}"), 404);
    assert_eq!(get_status(&agent, &format!("{unknown}/1")), 404);
    let unknown = format!("{base}/guess/DELETE_ORDER");
    assert_eq!(post(&agent, &unknown, &[], b"{}"), 401);

    // Malformed bodies: 400.
    let url = format!("{base}/{SKLADON_TOKEN}/CREATE_ORDER");
    assert_eq!(post(&agent, &url, &[], b"{not json"), 400);
    assert_eq!(post(&agent, &url, &[], br#"{"status":"new"}"#), 400);
    assert_eq!(post(&agent, &url, &[], br#"["12345"]"#), 400);
    server.stop();
}

#[test]
fn provider_configuration_from_variables() {
    let config = |vars: &[(&str, &str)]| {
        receiver::Config::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    };
    let all = config(&[
        ("WAKILNI_WEBHOOK_SECRET", SECRET),
        ("PEDDLER_WEBHOOK_TOKEN", PEDDLER_TOKEN),
        ("XOXODAY_ENABLED", "1"),
        ("XOXODAY_API_KEY", XOXODAY_KEY),
        ("ISENDU_KEY_ID", ISENDU_KEY_ID),
        ("ISENDU_SECRET_KEY", ISENDU_SECRET),
        ("ISENDU_URL_TOKEN", ISENDU_URL_TOKEN),
        ("SKLADON_URL_TOKEN", SKLADON_TOKEN),
    ])
    .unwrap();
    assert_eq!(
        all.routes(),
        [
            "POST /webhooks/wakilni",
            "POST /webhooks/peddler",
            "POST /webhooks/xoxoday",
            "POST /webhooks/isendu",
            "POST /webhooks/skladon/{token}/{type}",
            "GET /webhooks/skladon/{token}/{type}/{id}",
        ]
    );
    let debug = format!("{all:?}");
    for secret in [
        SECRET,
        PEDDLER_TOKEN,
        XOXODAY_KEY,
        ISENDU_SECRET,
        ISENDU_URL_TOKEN,
        SKLADON_TOKEN,
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }

    let errors: [(&[(&str, &str)], &str); 7] = [
        (
            &[("PEDDLER_WEBHOOK_TOKEN", "")],
            "PEDDLER_WEBHOOK_TOKEN(_PREVIOUS): empty secret",
        ),
        (
            &[("XOXODAY_ENABLED", "yes")],
            "XOXODAY_ENABLED: expected 1 or 0",
        ),
        (
            &[("XOXODAY_API_KEY", XOXODAY_KEY)],
            "XOXODAY_API_KEY or XOXODAY_TRUSTED_PROXIES is set: set XOXODAY_ENABLED=1 too",
        ),
        (
            &[
                ("XOXODAY_ENABLED", "1"),
                ("XOXODAY_TRUSTED_PROXIES", "10.0.0.0/33"),
            ],
            "XOXODAY_TRUSTED_PROXIES: ",
        ),
        (
            &[("ISENDU_KEY_ID", ISENDU_KEY_ID)],
            "isendu needs both ISENDU_KEY_ID and ISENDU_SECRET_KEY",
        ),
        (
            &[("ISENDU_URL_TOKEN", ISENDU_URL_TOKEN)],
            "isendu needs both ISENDU_KEY_ID and ISENDU_SECRET_KEY",
        ),
        (
            &[("SKLADON_URL_TOKEN", "")],
            "SKLADON_URL_TOKEN(_PREVIOUS): empty secret",
        ),
    ];
    for (vars, expected) in errors {
        let err = config(vars).unwrap_err();
        assert!(err.starts_with(expected), "{vars:?}: {err}");
    }
    assert!(
        config(&[("XOXODAY_ENABLED", "0")])
            .unwrap()
            .routes()
            .is_empty()
    );
}
