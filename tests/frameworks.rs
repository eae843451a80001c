//! End to end over real loopback TCP: the ready axum `Router` and actix `Scope`, served on
//! 127.0.0.1 (port 0), receive every provider's fixtures from a real HTTP client (ureq) or, for
//! oversized bodies, from a raw socket that never sends the whole body. Genuine → 200 (isendu's
//! handshake → its JSON answer), forged → 401, wrong source → 403, malformed → 400 with a
//! problem body naming the JSON path, oversized → 413; Skladon by GET and POST. Each genuine
//! delivery's `AnyDelivery` is checked as the handler received it, through a channel.
//!
//! Also: both adapters compile against a test-only `Receive` implementation, so nothing in them
//! is provider-specific.
#![cfg(all(
    feature = "axum",
    feature = "actix",
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use delivery_webhooks::isendu::Message;
use delivery_webhooks::skladon::Entity;
use delivery_webhooks::{AnyDelivery, Config, wakilni};

const WAKILNI_SECRET: &str = "fw-wakilni-secret";
const PEDDLER_TOKEN: &str = "fw-peddler-token";
const XOXODAY_KEY: &str = "fwXoxodayApiKey1";
const ISENDU_KEY_ID: &str = "ak_3f1c2a9e5b7d4e8a";
const ISENDU_SECRET: &str = "fw-isendu-secret";
const ISENDU_URL_TOKEN: &str = "fw-isendu-url-token";
const SKLADON_TOKEN: &str = "fw-skladon-token";
/// The body limit of every verifier in these tests.
const LIMIT: usize = 64 * 1024;
/// How long a body may take to arrive in these tests (a genuine one takes microseconds over
/// loopback; a stalled one is cut off after this).
const BODY_TIMEOUT: Duration = Duration::from_secs(2);

fn config() -> Config {
    let vars = [
        ("DELIVERY_WEBHOOKS_LISTEN", "127.0.0.1:0"),
        ("WAKILNI_WEBHOOK_SECRET", WAKILNI_SECRET),
        ("PEDDLER_WEBHOOK_TOKEN", PEDDLER_TOKEN),
        ("XOXODAY_ENABLED", "1"),
        ("XOXODAY_API_KEY", XOXODAY_KEY),
        // The test client is on loopback: it plays the proxy in front of Xoxoday.
        ("XOXODAY_TRUSTED_PROXIES", "127.0.0.1, ::1"),
        ("ISENDU_KEY_ID", ISENDU_KEY_ID),
        ("ISENDU_SECRET_KEY", ISENDU_SECRET),
        ("ISENDU_URL_TOKEN", ISENDU_URL_TOKEN),
        ("SKLADON_URL_TOKEN", SKLADON_TOKEN),
    ];
    let mut config = Config::from_vars(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap();
    config.wakilni = config.wakilni.map(|v| v.body_limit(LIMIT));
    config.peddler = config.peddler.map(|v| v.body_limit(LIMIT));
    config.xoxoday = config.xoxoday.map(|v| v.body_limit(LIMIT));
    config.isendu = config.isendu.map(|v| v.body_limit(LIMIT));
    config.skladon = config.skladon.map(|v| v.body_limit(LIMIT));
    config.body_timeout(BODY_TIMEOUT)
}

#[derive(Clone, Copy, Debug)]
enum Framework {
    Axum,
    Actix,
}

/// A running receiver and the deliveries its handler got.
struct Server {
    addr: SocketAddr,
    deliveries: mpsc::Receiver<AnyDelivery>,
    _runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    fn start(framework: Framework) -> Self {
        let (tx, deliveries) = mpsc::channel::<AnyDelivery>();
        let handler = move |delivery: AnyDelivery| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(delivery);
            }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let config = config();
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
                Server {
                    addr,
                    deliveries,
                    _runtime: Some(runtime),
                }
            }
            Framework::Actix => {
                std::thread::spawn(move || {
                    actix_web::rt::System::new().block_on(async move {
                        actix_web::HttpServer::new(move || {
                            actix_web::App::new().service(delivery_webhooks::actix::router(
                                config.clone(),
                                handler.clone(),
                            ))
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
                    deliveries,
                    _runtime: None,
                }
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The delivery the handler received for the last genuine call.
    fn delivered(&self) -> AnyDelivery {
        self.deliveries
            .recv_timeout(Duration::from_secs(5))
            .expect("the handler received the delivery")
    }

    fn assert_nothing_delivered(&self) {
        assert!(self.deliveries.try_recv().is_err());
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    /// The problem body of a refusal, checked for its shape and its status.
    fn problem(&self) -> serde_json::Value {
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        let json: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        assert_eq!(json["status"], self.status);
        assert_eq!(json["type"], "about:blank");
        assert!(
            json["title"].is_string() && json["detail"].is_string(),
            "{json}"
        );
        json
    }
}

fn call(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let agent = agent();
    let mut response = if method == "GET" {
        let mut request = agent.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.call().unwrap()
    } else {
        let mut request = agent.post(url).header("Content-Type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send(body).unwrap()
    };
    let content_type = response
        .headers()
        .get("content-type")
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    Answer {
        status: response.status().as_u16(),
        content_type,
        body: response.body_mut().read_to_string().unwrap(),
    }
}

fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    call("POST", url, headers, body)
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path),
    )
    .unwrap()
}

/// Sends request headers declaring `declared` bytes (or chunked when `None`), then `sent` bytes
/// of body, and reads the answer without ever sending the rest: an answer proves the server did
/// not wait for the whole body.
fn oversized(
    addr: SocketAddr,
    path: &str,
    headers: &str,
    declared: Option<usize>,
    sent: usize,
) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let framing = match declared {
        Some(len) => format!("Content-Length: {len}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".to_owned(),
    };
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{headers}{framing}\r\n"
    )
    .unwrap();
    let chunk = vec![b' '; sent];
    // The server may answer 413 and close while the body is still being written: the write then
    // fails with a broken pipe or a reset. That is the behaviour under test, so the body is
    // written as far as the server lets it, and the answer is read all the same.
    let written = match declared {
        Some(_) => stream.write_all(&chunk),
        None => (|| {
            // Two chunks, together over the limit, and no final chunk.
            for half in chunk.chunks(sent / 2 + 1) {
                write!(stream, "{:x}\r\n", half.len())?;
                stream.write_all(half)?;
                stream.write_all(b"\r\n")?;
            }
            Ok(())
        })(),
    }
    .and_then(|()| stream.flush());
    if let Err(e) = &written {
        assert!(closed_by_peer(e), "writing the body failed otherwise: {e}");
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Read the status line and headers; the server may or may not close afterwards. A reset
    // after the answer arrived (the server closed with unread body bytes) ends the reading.
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if closed_by_peer(&e) && !answer.is_empty() => break,
            Err(e) => panic!("no answer before the body was complete: {e}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether an I/O error means the server closed the connection (what it may do once it has
/// refused a body it will not read).
fn closed_by_peer(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::BrokenPipe | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
    )
}

fn both(test: impl Fn(&Server)) {
    for framework in [Framework::Axum, Framework::Actix] {
        let server = Server::start(framework);
        eprintln!("{framework:?}");
        test(&server);
    }
}

/// A request without a valid head credential is answered at once, its body never read: the
/// client declares a large body, sends ten bytes of it and waits. Before the head was checked
/// first, the server waited for the rest of the body, and this read timed out.
#[test]
fn a_request_without_a_valid_head_credential_is_answered_before_its_body() {
    let skladon = |tail: &str| format!("/webhooks/skladon/{tail}");
    let cases: Vec<(String, String, &str)> = vec![
        ("/webhooks/wakilni".into(), String::new(), "401"),
        ("/webhooks/peddler".into(), String::new(), "401"),
        (
            "/webhooks/peddler".into(),
            "X-Webhook-Shared-Token: guess\r\n".into(),
            "401",
        ),
        // From loopback without a forwarding header: the client is the proxy itself.
        (
            "/webhooks/xoxoday".into(),
            format!("X-Api-Key: {XOXODAY_KEY}\r\n"),
            "403",
        ),
        (
            "/webhooks/xoxoday".into(),
            "X-Forwarded-For: 52.76.120.90\r\nX-Api-Key: wrongXoxodayKey1\r\n".into(),
            "401",
        ),
        ("/webhooks/isendu?token=guess".into(), String::new(), "401"),
        ("/webhooks/isendu".into(), String::new(), "401"),
        (
            skladon("guess-guess-guess/CREATE_ORDER"),
            String::new(),
            "401",
        ),
        (skladon(&format!("{SKLADON_TOKEN}/")), String::new(), "404"),
    ];
    both(|server| {
        for (path, headers, status) in &cases {
            let head = oversized(server.addr, path, headers, Some(LIMIT / 2), 10);
            assert!(
                head.starts_with(&format!("HTTP/1.1 {status}")),
                "{path}: {head}"
            );
        }
        server.assert_nothing_delivered();
    });
}

/// Mounted without `ConnectInfo`, the router cannot give Xoxoday's check the peer address: the
/// first request's answer says which call to add, instead of a bare 500.
#[test]
fn a_router_served_without_connect_info_names_the_call_to_add() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let app = delivery_webhooks::axum::router(config(), |_: AnyDelivery| async {});
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        // The mistake: `app` instead of `app.into_make_service_with_connect_info::<SocketAddr>()`.
        axum::serve(listener, app).await
    });
    let answer = post(
        &format!("http://{addr}/webhooks/xoxoday"),
        &[
            ("X-Forwarded-For", "52.76.120.90"),
            ("X-Api-Key", XOXODAY_KEY),
        ],
        &fixture("xoxoday/delivered.json"),
    );
    assert_eq!(answer.status, 500);
    let detail = answer.problem()["detail"].as_str().unwrap().to_owned();
    assert!(
        detail.contains("into_make_service_with_connect_info::<std::net::SocketAddr>()"),
        "{detail}"
    );
}

/// A body that stops arriving is cut off after the body timeout (408), once the head has
/// passed; the handler never sees it.
#[test]
fn a_stalled_body_is_cut_off_after_the_body_timeout() {
    both(|server| {
        let headers = format!("X-Webhook-Shared-Token: {PEDDLER_TOKEN}\r\n");
        let started = std::time::Instant::now();
        let head = oversized(server.addr, "/webhooks/peddler", &headers, Some(1000), 10);
        assert!(head.starts_with("HTTP/1.1 408"), "{head}");
        // Not before the timeout: the server waited for the body that far.
        assert!(started.elapsed() >= BODY_TIMEOUT, "{:?}", started.elapsed());
        server.assert_nothing_delivered();
    });
}

#[test]
fn wakilni_end_to_end() {
    both(|server| {
        let url = server.url("/webhooks/wakilni");
        let body = fixture("wakilni/order_created.json");
        let signature = wakilni::sign(WAKILNI_SECRET, &body);
        let genuine = post(
            &url,
            &[
                ("X-Webhook-Signature", &signature),
                ("X-Attempt-Number", "3"),
                ("X-Webhook-Delivery-Id", "dl-7f3a"),
            ],
            &body,
        );
        assert_eq!((genuine.status, genuine.body.as_str()), (200, ""));
        let AnyDelivery::Wakilni(d) = server.delivered() else {
            panic!("not wakilni")
        };
        // The handler reaches what the provider sent beside the body, never a credential.
        assert_eq!(d.headers().get("x-webhook-delivery-id"), Some("dl-7f3a"));
        assert_eq!(d.headers().get("x-webhook-signature"), Some("[redacted]"));
        let typed = wakilni::DeliveryHeaders::from_headers(d.headers()).unwrap();
        assert_eq!(typed.delivery_id.as_deref(), Some("dl-7f3a"));
        assert!(
            d.headers().iter().all(|(_, value)| value != signature),
            "{:?}",
            d.headers()
        );
        assert_eq!(
            d.dedup_key().as_str(),
            "wakilni:e2986cd1-1e85-4ef1-a85a-89488dd27b92"
        );
        assert_eq!(
            (d.payload.data.order_id(), d.attempt),
            (Some(123456), Some(3))
        );

        let forged = post(
            &url,
            &[("X-Webhook-Signature", &wakilni::sign("guess", &body))],
            &body,
        );
        assert_eq!(forged.status, 401);
        assert_eq!(forged.problem()["detail"], "signature mismatch");
        let unsigned = post(&url, &[], &body);
        assert_eq!(unsigned.status, 401);
        assert!(
            unsigned.problem()["detail"]
                .as_str()
                .unwrap()
                .contains("x-webhook-signature")
        );

        let malformed = String::from_utf8(body.clone())
            .unwrap()
            .replace("123456,", "{},");
        let signature = wakilni::sign(WAKILNI_SECRET, malformed.as_bytes());
        let answer = post(
            &url,
            &[("X-Webhook-Signature", &signature)],
            malformed.as_bytes(),
        );
        assert_eq!(answer.status, 400);
        let problem = answer.problem();
        assert_eq!(problem["json_path"], "data.order_id");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("data.order_id"),
            "{problem}"
        );

        let head = oversized(
            server.addr,
            "/webhooks/wakilni",
            "X-Webhook-Signature: x\r\n",
            Some(100 * LIMIT),
            1000,
        );
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("application/problem+json"),
            "{head}"
        );
        // Chunked, so no size is declared: the head is checked first (a signature is there),
        // then the body is read until it passes the limit.
        let head = oversized(
            server.addr,
            "/webhooks/wakilni",
            "X-Webhook-Signature: x\r\n",
            None,
            LIMIT + 2,
        );
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        // Without a signature, the same is refused before its body is read.
        let head = oversized(server.addr, "/webhooks/wakilni", "", None, LIMIT + 2);
        assert!(head.starts_with("HTTP/1.1 401"), "{head}");

        assert_eq!(call("GET", &url, &[], b"").status, 405);
        server.assert_nothing_delivered();
    });
}

#[test]
fn peddler_end_to_end() {
    both(|server| {
        let url = server.url("/webhooks/peddler");
        let body = fixture("peddler/delivered_in_mailbox.json");
        let genuine = post(&url, &[("X-Webhook-Shared-Token", PEDDLER_TOKEN)], &body);
        assert_eq!(genuine.status, 200);
        let AnyDelivery::Peddler(d) = server.delivered() else {
            panic!("not peddler")
        };
        assert_eq!(d.payload.id, "Zr8Tq1WbN5mKcX0vHs2Le");
        assert_eq!(
            d.dedup_key().provider(),
            delivery_webhooks::Provider::Peddler
        );

        let forged = post(&url, &[("X-Webhook-Shared-Token", "guess")], &body);
        assert_eq!(
            (forged.status, forged.problem()["detail"].as_str()),
            (401, Some("token mismatch"))
        );

        let malformed = String::from_utf8(body)
            .unwrap()
            .replace("\"ts\": \"2024-03-05T08:47:00Z\"", "\"ts\": [1]");
        let answer = post(
            &url,
            &[("X-Webhook-Shared-Token", PEDDLER_TOKEN)],
            malformed.as_bytes(),
        );
        assert_eq!(answer.status, 400);
        assert_eq!(answer.problem()["json_path"], "ts");

        let head = oversized(server.addr, "/webhooks/peddler", "", Some(LIMIT + 1), 10);
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        server.assert_nothing_delivered();
    });
}

#[test]
fn xoxoday_end_to_end() {
    both(|server| {
        let url = server.url("/webhooks/xoxoday");
        let body = fixture("xoxoday/delivered.json");
        let from_xoxoday = [
            ("X-Forwarded-For", "52.76.120.90"),
            ("X-Api-Key", XOXODAY_KEY),
        ];
        assert_eq!(post(&url, &from_xoxoday, &body).status, 200);
        let AnyDelivery::Xoxoday(d) = server.delivered() else {
            panic!("not xoxoday")
        };
        assert_eq!(d.payload.data.order_id, 10254678901);
        assert_eq!(d.dedup_key().as_str(), "xoxoday:10000000000000000001");

        let elsewhere = post(
            &url,
            &[
                ("X-Forwarded-For", "203.0.113.9"),
                ("X-Api-Key", XOXODAY_KEY),
            ],
            &body,
        );
        assert_eq!(elsewhere.status, 403);
        // The client address is for the logs, not for the sender (it could be an internal one).
        assert_eq!(
            elsewhere.problem()["detail"].as_str(),
            Some("untrusted source address")
        );
        assert!(
            !elsewhere.body.contains("203.0.113.9"),
            "{}",
            elsewhere.body
        );
        // The loopback proxy itself is not Xoxoday.
        assert_eq!(post(&url, &[("X-Api-Key", XOXODAY_KEY)], &body).status, 403);
        let no_key = post(&url, &[("X-Forwarded-For", "52.76.120.90")], &body);
        assert_eq!(no_key.status, 401);
        no_key.problem();

        let malformed = String::from_utf8(body)
            .unwrap()
            .replace("10254678901", "\"not a number\"");
        let answer = post(&url, &from_xoxoday, malformed.as_bytes());
        assert_eq!(answer.status, 400);
        assert_eq!(answer.problem()["json_path"], "data.orderId");

        let head = oversized(
            server.addr,
            "/webhooks/xoxoday",
            "X-Forwarded-For: 52.76.120.90\r\n",
            Some(LIMIT * 4),
            100,
        );
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        server.assert_nothing_delivered();
    });
}

#[test]
fn isendu_end_to_end() {
    both(|server| {
        let url = server.url(&format!("/webhooks/isendu?token={ISENDU_URL_TOKEN}"));
        let handshake = post(&url, &[], &fixture("isendu/verification.json"));
        assert_eq!(handshake.status, 200);
        assert_eq!(handshake.content_type, "application/json");
        let answer: serde_json::Value = serde_json::from_str(&handshake.body).unwrap();
        assert_eq!(answer, serde_json::json!({ "response": ISENDU_SECRET }));
        let AnyDelivery::Isendu(d) = server.delivered() else {
            panic!("not isendu")
        };
        assert!(matches!(d.payload, Message::Verification(_)));

        let batch = post(&url, &[], &fixture("isendu/update_batch.json"));
        assert_eq!((batch.status, batch.body.as_str()), (200, ""));
        let AnyDelivery::Isendu(d) = server.delivered() else {
            panic!("not isendu")
        };
        let Message::Update(update) = &d.payload else {
            panic!("not an update")
        };
        assert_eq!(
            update.order[0].uuid,
            "o-11111111-1111-4111-8111-111111111111"
        );
        assert!(d.dedup_key().as_str().starts_with("isendu:sha256:"));

        let forged = server.url("/webhooks/isendu?token=guess");
        let refused = post(&forged, &[], &fixture("isendu/verification.json"));
        assert_eq!(refused.status, 401);
        assert!(!refused.body.contains(ISENDU_SECRET));
        let other_key = post(&url, &[], br#"{"keyId":"ak_someone_else"}"#);
        assert_eq!(other_key.status, 401);
        assert!(!other_key.body.contains(ISENDU_SECRET));

        let answer = post(&url, &[], br#"{"order":[],"tracking":[{"uuid":[]}]}"#);
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(answer.problem()["json_path"], "tracking[0].uuid");

        let path = format!("/webhooks/isendu?token={ISENDU_URL_TOKEN}");
        let head = oversized(server.addr, &path, "", None, LIMIT * 2);
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        server.assert_nothing_delivered();
    });
}

#[test]
fn skladon_end_to_end() {
    both(|server| {
        let post_url = server.url(&format!(
            "/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_RECEIVING_STATUS"
        ));
        let body = fixture("skladon/receiving.json");
        assert_eq!(post(&post_url, &[], &body).status, 200);
        let AnyDelivery::Skladon(d) = server.delivered() else {
            panic!("not skladon")
        };
        let Some(Entity::Receiving(r)) = d.payload.entity() else {
            panic!("not a receiving: {:?}", d.payload)
        };
        assert_eq!(r.eshop_receiving_id, "ESHOP_RECIVING_ID_123");

        let get_url = server.url(&format!(
            "/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_ORDER_STATUS/12345"
        ));
        assert_eq!(call("GET", &get_url, &[], b"").status, 200);
        let AnyDelivery::Skladon(d) = server.delivered() else {
            panic!("not skladon")
        };
        assert_eq!(d.payload.entity_id().as_deref(), Some("12345"));
        assert_eq!(
            d.dedup_key().as_str(),
            "skladon:UPDATE_ORDER_STATUS:12345:get"
        );

        let forged = server.url("/webhooks/skladon/guess/UPDATE_RECEIVING_STATUS");
        let refused = post(&forged, &[], &body);
        assert_eq!(refused.status, 401);
        refused.problem();
        let forged_get = server.url("/webhooks/skladon/guess/UPDATE_ORDER_STATUS/12345");
        assert_eq!(call("GET", &forged_get, &[], b"").status, 401);
        let no_id = server.url(&format!(
            "/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_ORDER_STATUS/"
        ));
        assert_eq!(call("GET", &no_id, &[], b"").status, 404);

        let malformed = String::from_utf8(body)
            .unwrap()
            .replace("\"ESHOP_RECIVING_ID_123\"", "[]");
        let answer = post(&post_url, &[], malformed.as_bytes());
        assert_eq!(answer.status, 400);
        assert_eq!(answer.problem()["json_path"], "eshopReceivingId");

        let path = format!("/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_RECEIVING_STATUS");
        let head = oversized(server.addr, &path, "", Some(usize::MAX / 2), 10);
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        server.assert_nothing_delivered();
    });
}

#[test]
fn unconfigured_routes_are_not_found() {
    both(|server| {
        assert_eq!(
            post(&server.url("/webhooks/nobody"), &[], b"{}").status,
            404
        );
    });
}

/// Nothing in the adapters is provider-specific: a `Receive` implemented here, for a provider
/// of this test's own, goes through both extractors, both `receive` functions and the generic
/// routes.
mod generic {
    use std::sync::Arc;

    use delivery_webhooks::{DedupKey, Delivery, Error, Provider, Receive, Request};

    /// Accepts a body equal to `"ok"`, with `x-test: yes`.
    struct Echo;

    impl Receive for Echo {
        type Payload = String;
        fn provider(&self) -> Provider {
            Provider::Peddler
        }
        fn body_limit(&self) -> usize {
            16
        }
        fn body_timeout(&self) -> std::time::Duration {
            delivery_webhooks::DEFAULT_BODY_TIMEOUT
        }
        fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
            match head.headers.get("x-test")? {
                Some("yes") => Ok(()),
                _ => Err(Error::TokenMismatch),
            }
        }
        fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
            self.verify_head(request)
        }
        fn receive(&self, request: &Request<'_>) -> Result<Delivery<String>, Error> {
            self.verify(request)?;
            let text = String::from_utf8_lossy(request.body).into_owned();
            Ok(Delivery::new(
                Provider::Peddler,
                DedupKey::new(Provider::Peddler, &text),
                text,
            ))
        }
    }

    fn axum_app<R>(receiver: R) -> axum::Router
    where
        R: Receive + Send + Sync + 'static,
        R::Payload: Send + std::fmt::Debug + 'static,
    {
        let receiver = Arc::new(receiver);
        async fn extract<R: Receive + Send + Sync + 'static>(
            delivery_webhooks::axum::Webhook(d): delivery_webhooks::axum::Webhook<R>,
        ) -> delivery_webhooks::Reply
        where
            R::Payload: Send,
        {
            d.reply
        }
        axum::Router::new()
            .route(
                "/extract",
                axum::routing::post(extract::<R>).with_state(Arc::clone(&receiver)),
            )
            .route(
                "/route",
                delivery_webhooks::axum::route(receiver, |d: Delivery<R::Payload>| async move {
                    println!("{:?}", d.payload);
                    Ok::<(), String>(())
                }),
            )
    }

    fn actix_app<R>(receiver: R) -> actix_web::Resource
    where
        R: Receive + 'static,
        R::Payload: std::fmt::Debug,
    {
        // The same shape as axum's: the route, mounted at a path of the app's own.
        actix_web::web::resource("/route").route(delivery_webhooks::actix::route(
            receiver,
            |d: Delivery<R::Payload>| async move {
                println!("{:?}", d.payload);
            },
        ))
    }

    #[tokio::test]
    async fn axum_takes_any_receive() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, axum_app(Echo)).await });
        let status = |path: &'static str, header: Option<&'static str>, body: &'static str| {
            tokio::task::spawn_blocking(move || {
                let agent = super::agent();
                let mut request = agent.post(format!("http://{addr}{path}"));
                if let Some(value) = header {
                    request = request.header("x-test", value);
                }
                request.send(body).unwrap().status().as_u16()
            })
        };
        assert_eq!(status("/route", Some("yes"), "ok").await.unwrap(), 200);
        assert_eq!(status("/extract", Some("yes"), "ok").await.unwrap(), 200);
        assert_eq!(status("/route", None, "ok").await.unwrap(), 401);
        let big = status("/extract", Some("yes"), "more than sixteen bytes");
        assert_eq!(big.await.unwrap(), 413);
    }

    /// Accepts any body with `x-test: yes`; a body of 64 KiB or more (parsed off the worker)
    /// says so on `started`, then holds its parse until `release` (or a minute), and marks
    /// `done` when it returns.
    struct Gate {
        started: std::sync::Mutex<std::sync::mpsc::Sender<()>>,
        release: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
        done: Arc<std::sync::atomic::AtomicBool>,
    }

    impl Receive for Gate {
        type Payload = usize;
        fn provider(&self) -> Provider {
            Provider::Peddler
        }
        fn body_limit(&self) -> usize {
            1 << 20
        }
        fn body_timeout(&self) -> std::time::Duration {
            delivery_webhooks::DEFAULT_BODY_TIMEOUT
        }
        fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
            Echo.verify_head(head)
        }
        fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
            self.verify_head(request)
        }
        fn receive(&self, request: &Request<'_>) -> Result<Delivery<usize>, Error> {
            self.verify(request)?;
            let len = request.body.len();
            if len >= 64 * 1024 {
                self.started.lock().unwrap().send(()).unwrap();
                let released = self
                    .release
                    .lock()
                    .unwrap()
                    .recv_timeout(std::time::Duration::from_secs(60));
                self.done.store(true, std::sync::atomic::Ordering::SeqCst);
                released.map_err(|_| Error::TokenMismatch)?;
            }
            Ok(Delivery::new(
                Provider::Peddler,
                DedupKey::new(Provider::Peddler, len.to_string()),
                len,
            ))
        }
    }

    /// Issue 33, finding 5: on a runtime of one worker thread, a small request is answered
    /// while a large body's parse is provably still running (held until the small answer is
    /// in). Parsed on the worker, the small request would wait for the parse, which waits for
    /// the small answer: the small request times out, or is answered only after `done`.
    #[test]
    fn a_large_parse_does_not_stall_a_small_request_on_one_worker() {
        let (started, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release) = std::sync::mpsc::channel();
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let gate = Gate {
            started: std::sync::Mutex::new(started),
            release: std::sync::Mutex::new(release),
            done: Arc::clone(&done),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route(
            "/route",
            delivery_webhooks::axum::route(gate, |_: Delivery<usize>| async {
                Ok::<(), String>(())
            }),
        );
        runtime.spawn(async move { axum::serve(listener, app).await });
        let post = move |body: Vec<u8>| {
            super::agent()
                .post(format!("http://{addr}/route"))
                .header("x-test", "yes")
                .send(&body[..])
                .unwrap()
                .status()
                .as_u16()
        };
        let big = std::thread::spawn(move || post(vec![b' '; 128 * 1024]));
        started_rx.recv().unwrap();
        assert_eq!(post(b"ok".to_vec()), 200);
        assert!(
            !done.load(std::sync::atomic::Ordering::SeqCst),
            "the small request waited for the large parse"
        );
        release_tx.send(()).unwrap();
        assert_eq!(big.join().unwrap(), 200);
        assert!(done.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[actix_web::test]
    async fn actix_takes_any_receive() {
        use actix_web::test;
        let app = test::init_service(actix_web::App::new().service(actix_app(Echo))).await;
        let ok = test::TestRequest::post()
            .uri("/route")
            .insert_header(("x-test", "yes"))
            .set_payload("ok")
            .to_request();
        assert_eq!(test::call_service(&app, ok).await.status().as_u16(), 200);
        let forged = test::TestRequest::post()
            .uri("/route")
            .set_payload("ok")
            .to_request();
        assert_eq!(
            test::call_service(&app, forged).await.status().as_u16(),
            401
        );
        let big = test::TestRequest::post()
            .uri("/route")
            .insert_header(("x-test", "yes"))
            .set_payload("more than sixteen bytes")
            .to_request();
        assert_eq!(test::call_service(&app, big).await.status().as_u16(), 413);
    }
}
