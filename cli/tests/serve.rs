//! `delivery-webhooks serve` as a real process: deliveries sent with the test kit's `send` (every
//! shipped fixture of the five providers, twice) reach a downstream test server once each, signed (checked with `standardwebhooks`); forged and
//! duplicate ones are not forwarded; the operations endpoints answer; no secret reaches the
//! logs; SIGTERM stops it with exit 0 and nothing lost.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};

const BIN: &str = env!("CARGO_BIN_EXE_delivery-webhooks");
const WAKILNI: &str = "wk-secret-serve-4a7c";
const PEDDLER: &str = "pd-token-serve-9e2b";
const SKLADON: &str = "sk-token-serve-5f1c9a";
const XOXODAY: &str = "xoServeApiKey3b8d";
/// The key id `fixtures/isendu/verification.json` names.
const ISENDU_KEY_ID: &str = "ak_3f1c2a9e5b7d4e8a";
const ISENDU_SECRET: &str = "is-secret-serve-8c4e1d";
const ISENDU_TOKEN: &str = "is-url-token-serve-2a6f";
const FORWARD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const CONSOLE: &str = "console-token-serve-7d1e2f";
/// The key inside `FORWARD`, which must not be logged either.
const FORWARD_KEY: &str = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn fixture(path: &str) -> String {
    format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dw-serve-e2e-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The requests a downstream received: headers and body.
type Recorded = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A downstream test server: records each request; answers `status` while `failing` holds,
/// 200 after.
struct Downstream {
    addr: SocketAddr,
    seen: Recorded,
    failing: Arc<Mutex<Option<u16>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Downstream {
    fn start(failing: Option<u16>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let seen: Recorded = Arc::default();
        let failing = Arc::new(Mutex::new(failing));
        let (record, fail) = (Arc::clone(&seen), Arc::clone(&failing));
        let app = axum::Router::new().route(
            "/events",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (record, fail) = (Arc::clone(&record), Arc::clone(&fail));
                async move {
                    let status = *fail.lock().unwrap();
                    if let Some(status) = status {
                        return StatusCode::from_u16(status).unwrap();
                    }
                    record.lock().unwrap().push((headers, body.to_vec()));
                    StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            addr,
            seen,
            failing,
            _runtime: runtime,
        }
    }

    fn events(&self) -> Vec<serde_json::Value> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(headers, body)| {
                standardwebhooks::Webhook::new(FORWARD)
                    .unwrap()
                    .verify(body, headers)
                    .expect("signed per Standard Webhooks");
                serde_json::from_slice(body).unwrap()
            })
            .collect()
    }

    /// Waits (up to 90 s: past a claim's 30 s lease, then fails) until `n` events arrived.
    fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let events = self.events();
            if events.len() >= n {
                return events;
            }
            assert!(Instant::now() < deadline, "{} of {n} events", events.len());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A running `serve`, its addresses read from its summary, its stderr kept.
struct Serve {
    child: Child,
    receiver: SocketAddr,
    ops: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Serve {
    fn start(dir: &std::path::Path, downstream: &Downstream, extra: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--log-format", "json"])
            .env_clear()
            .env("WAKILNI_WEBHOOK_SECRET", WAKILNI)
            .env("PEDDLER_WEBHOOK_TOKEN", PEDDLER)
            .env("SKLADON_URL_TOKEN", SKLADON)
            .env("XOXODAY_ENABLED", "1")
            .env("XOXODAY_API_KEY", XOXODAY)
            // `send` plays the proxy in front of Xoxoday, on loopback.
            .env("XOXODAY_TRUSTED_PROXIES", "127.0.0.1,::1")
            .env("ISENDU_KEY_ID", ISENDU_KEY_ID)
            .env("ISENDU_SECRET_KEY", ISENDU_SECRET)
            .env("ISENDU_URL_TOKEN", ISENDU_TOKEN)
            .env("DELIVERY_WEBHOOKS_LISTEN", "127.0.0.1:0")
            .env("DELIVERY_WEBHOOKS_OPS_LISTEN", "127.0.0.1:0")
            .env(
                "DELIVERY_WEBHOOKS_DATABASE_URL",
                format!("sqlite://{}", dir.join("inbox.db").display()),
            )
            .env(
                "DELIVERY_WEBHOOKS_FORWARD_URL",
                format!("http://{}/events", downstream.addr),
            )
            .env("DELIVERY_WEBHOOKS_FORWARD_SECRET", FORWARD)
            .env("DELIVERY_WEBHOOKS_FORWARD_TIMEOUT_SECS", "5")
            .env("DELIVERY_WEBHOOKS_CONSOLE_TOKEN", CONSOLE)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap());
        let kept = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in lines.lines() {
                let Ok(line) = line else { break };
                for (prefix, which) in [
                    ("  receiving on http://", 0),
                    ("  operations on http://", 1),
                ] {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        let addr = rest.split([' ', ':']).take(2).collect::<Vec<_>>().join(":");
                        let _ = tx.send((which, addr.parse::<SocketAddr>().unwrap()));
                    }
                }
                kept.lock().unwrap().push_str(&line);
                kept.lock().unwrap().push('\n');
            }
        });
        let (mut receiver, mut ops) = (None, None);
        while receiver.is_none() || ops.is_none() {
            let (which, addr) = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no summary: {}", stderr.lock().unwrap()));
            if which == 0 {
                receiver = Some(addr);
            } else {
                ops = Some(addr);
            }
        }
        Self {
            child,
            receiver: receiver.unwrap(),
            ops: ops.unwrap(),
            stderr,
        }
    }

    /// Sends a fixture with the test kit's `send`; its exit code.
    fn send(&self, provider: &str, file: &str, extra: &[&str]) -> i32 {
        self.send_answer(provider, file, extra).0
    }

    /// Sends a fixture with the test kit's `send`; its exit code and what it printed (the
    /// receiver's answer).
    fn send_answer(&self, provider: &str, file: &str, extra: &[&str]) -> (i32, String) {
        let (secret, route) = match provider {
            "wakilni" => (WAKILNI, "/webhooks/wakilni"),
            "peddler" => (PEDDLER, "/webhooks/peddler"),
            "xoxoday" => (XOXODAY, "/webhooks/xoxoday"),
            "isendu" => (ISENDU_TOKEN, "/webhooks/isendu"),
            _ => (SKLADON, "/webhooks/skladon"),
        };
        let out = Command::new(BIN)
            .args(["send", provider, &fixture(file), "--to"])
            .arg(format!("http://{}{route}", self.receiver))
            .args(["--secret-env", "SECRET"])
            .args(extra)
            .env("SECRET", secret)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.get_with(path, None)
    }

    fn get_with(&self, path: &str, bearer: Option<&str>) -> (u16, String) {
        let mut request = ureq::get(&format!("http://{}{path}", self.ops));
        if let Some(token) = bearer {
            request = request.header("authorization", &format!("Bearer {token}"));
        }
        let response = request
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.into_body().read_to_string().unwrap())
    }

    /// SIGTERM, then the exit code (waiting up to 60 s).
    fn terminate(mut self) -> (i32, String) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader thread ends with the pipe.
        std::thread::sleep(Duration::from_millis(100));
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code().unwrap_or(-1), stderr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn deliveries_are_forwarded_once_signed_and_it_stops_cleanly_on_sigterm() {
    let dir = scratch("forward");
    let downstream = Downstream::start(None);
    let serve = Serve::start(&dir, &downstream, &[]);
    assert_eq!(serve.get("/healthz"), (200, "ok\n".to_owned()));
    assert_eq!(serve.get("/readyz"), (200, "ready\n".to_owned()));

    assert_eq!(
        serve.send("peddler", "peddler/out_for_delivery.json", &[]),
        0
    );
    assert_eq!(serve.send("wakilni", "wakilni/order_assigned.json", &[]), 0);
    assert_eq!(
        serve.send(
            "skladon",
            "skladon/order.json",
            &["--type", "UPDATE_ORDER_STATUS"]
        ),
        0
    );
    // A duplicate (the same delivery again) and a forgery (a wrong token) are not forwarded.
    assert_eq!(
        serve.send("peddler", "peddler/out_for_delivery.json", &[]),
        0
    );
    let forged = Command::new(BIN)
        .args([
            "send",
            "peddler",
            &fixture("peddler/failed_attempt.json"),
            "--to",
        ])
        .arg(format!("http://{}/webhooks/peddler", serve.receiver))
        .args(["--secret-env", "SECRET"])
        .env("SECRET", "not-the-token")
        .output()
        .unwrap();
    assert_eq!(forged.status.code(), Some(1));

    let events = downstream.wait_for(3);
    let mut providers: Vec<_> = events
        .iter()
        .map(|e| e["provider"].as_str().unwrap().to_owned())
        .collect();
    providers.sort();
    assert_eq!(providers, ["peddler", "skladon", "wakilni"]);
    let peddler = events.iter().find(|e| e["provider"] == "peddler").unwrap();
    assert_eq!(peddler["status_updates"][0]["status"], "out_for_delivery");

    // Counted: received, and forwarded by the HTTP sink.
    let (status, metrics) = serve.get("/metrics");
    assert_eq!(status, 200);
    let forwarded = metrics
        .lines()
        .find(|l| {
            l.starts_with("delivery_webhooks_forwarded_total{")
                && l.contains("sink=\"http\"")
                && l.contains("outcome=\"done\"")
        })
        .unwrap_or_else(|| panic!("{metrics}"));
    assert!(forwarded.ends_with(" 3"), "{forwarded}");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("delivery_webhooks_received_total{")),
        "{metrics}"
    );

    // The console, on the operations address, with its own authentication.
    assert_eq!(serve.get("/console/api/overview").0, 401);
    let (status, overview) = serve.get_with("/console/api/overview", Some(CONSOLE));
    assert_eq!(status, 200, "{overview}");
    assert!(overview.contains("\"peddler\""), "{overview}");

    let (code, stderr) = serve.terminate();
    assert_eq!(code, 0, "{stderr}");
    // Nothing more arrived: the duplicate was never forwarded.
    assert_eq!(downstream.events().len(), 3);
    // JSON lines, and no credential anywhere in them.
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("\"message\":\"event forwarded\"")),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("\"message\":\"stopped\"")),
        "{stderr}"
    );
    for secret in [
        WAKILNI,
        PEDDLER,
        SKLADON,
        FORWARD,
        FORWARD_KEY,
        "not-the-token",
    ] {
        assert!(!stderr.contains(secret), "{secret} logged:\n{stderr}");
    }
}

#[test]
fn while_the_downstream_fails_nothing_is_lost_across_a_sigterm_and_a_restart() {
    let dir = scratch("outage");
    let downstream = Downstream::start(Some(503));
    // Retries come back within seconds, not minutes.
    let fast = [("DELIVERY_WEBHOOKS_RETRY_BASE_SECS", "1")];
    let serve = Serve::start(&dir, &downstream, &fast);
    for file in [
        "peddler/out_for_delivery.json",
        "peddler/failed_attempt.json",
        "peddler/delivered_in_mailbox.json",
    ] {
        assert_eq!(serve.send("peddler", file, &[]), 0);
    }
    let (code, stderr) = serve.terminate();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(downstream.events().len(), 0);

    // The downstream recovers; a new process over the same inbox forwards all three, once.
    *downstream.failing.lock().unwrap() = None;
    let serve = Serve::start(&dir, &downstream, &fast);
    let events = downstream.wait_for(3);
    assert_eq!(events.len(), 3);
    let (code, _) = serve.terminate();
    assert_eq!(code, 0);
}

#[test]
fn after_kill_9_mid_stream_a_restart_forwards_everything_once() {
    let dir = scratch("kill9");
    let downstream = Downstream::start(Some(503));
    let fast = [("DELIVERY_WEBHOOKS_RETRY_BASE_SECS", "1")];
    let mut serve = Serve::start(&dir, &downstream, &fast);
    let files = [
        "peddler/out_for_delivery.json",
        "peddler/failed_attempt.json",
        "peddler/delivered_in_mailbox.json",
        "peddler/shipment_in_warehouse.json",
    ];
    for file in files {
        assert_eq!(serve.send("peddler", file, &[]), 0);
    }
    // SIGKILL: no shutdown at all, whatever the workers were doing.
    serve.child.kill().unwrap();
    serve.child.wait().unwrap();
    drop(serve);
    *downstream.failing.lock().unwrap() = None;
    let serve = Serve::start(&dir, &downstream, &fast);
    let events = downstream.wait_for(files.len());
    let mut ids: Vec<_> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), files.len());
    let (code, _) = serve.terminate();
    assert_eq!(code, 0);
    assert_eq!(downstream.events().len(), files.len());
}

#[test]
fn it_refuses_to_start_naming_every_problem_at_once() {
    let out = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PEDDLER_WEBHOOK_TOKEN", " ")
        .env("DELIVERY_WEBHOOKS_FORWARD_URL", "ftp://x.example/pa55")
        .env("DELIVERY_WEBHOOKS_FORWARD_SECRET", "pa55-not-whsec")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.ends_with("error: serve cannot start; fix these settings:\n\
         DELIVERY_WEBHOOKS_FORWARD_SECRET: expected a Standard Webhooks secret: whsec_ then base64\n\
         DELIVERY_WEBHOOKS_FORWARD_URL: expected an http:// or https:// URL\n\
         PEDDLER_WEBHOOK_TOKEN: empty secret\n\
         console: no authentication configured: set DELIVERY_WEBHOOKS_CONSOLE_TOKEN (bearer), or \
         DELIVERY_WEBHOOKS_CONSOLE_USER and DELIVERY_WEBHOOKS_CONSOLE_PASSWORD (basic), or \
         DELIVERY_WEBHOOKS_CONSOLE_LOOPBACK_ONLY=1 (loopback only)\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("pa55"), "{stderr}");
}

/// The Skladon webhook type a fixture was sent for (the body carries none): the mapping of
/// the library's `tests/inbox.rs`.
fn skladon_type(file: &str) -> &'static str {
    match file.split('_').next().unwrap_or_default() {
        _ if file.contains("completition") => "CREATE_STOCK_MOVEMENT_COMPLETITION",
        // A type this crate does not know, with an entity it does not know either.
        "unknown" => "CREATE_PICKING_LIST",
        "order" => "UPDATE_ORDER",
        "product" => "UPDATE_PRODUCT",
        "receiving" => "UPDATE_RECEIVING",
        "return" => "UPDATE_RETURN",
        _ => "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
    }
}

/// Every shipped fixture of one provider, `provider/file.json`, sorted.
fn fixtures_of(provider: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(fixture(provider))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("{provider}/{name}"))
        .collect();
    files.sort();
    files
}

impl Serve {
    /// The console's overview (`/console/api/overview`) as JSON.
    fn overview(&self) -> serde_json::Value {
        let (status, body) = self.get_with("/console/api/overview", Some(CONSOLE));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Waits (up to 90 s, then fails) until the inbox holds nothing pending or claimed: every
    /// stored delivery was forwarded (or gave up), and the downstream recorded it before
    /// answering, so what it holds is final.
    fn wait_idle(&self) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let overview = self.overview();
            if overview["depth"]["pending"] == 0 && overview["depth"]["claimed"] == 0 {
                return overview;
            }
            assert!(Instant::now() < deadline, "still busy: {overview}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The dedup keys the library gives the fixtures, received without HTTP under the same
/// credentials as `serve`'s (the isendu handshake is answered, not stored): what `serve` must
/// forward, once each.
fn expected_keys() -> BTreeSet<String> {
    use delivery_webhooks::{AnyDelivery, Config, Request, wakilni};
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
    let mut keys = BTreeSet::new();
    for provider in ["wakilni", "peddler", "xoxoday", "isendu", "skladon"] {
        for file in fixtures_of(provider) {
            let body = std::fs::read(fixture(&file)).unwrap();
            let name = file
                .trim_start_matches(&format!("{provider}/"))
                .trim_end_matches(".json");
            let (headers, uri) = match provider {
                "wakilni" => (
                    vec![(
                        "x-webhook-signature".to_owned(),
                        wakilni::sign(WAKILNI, &body),
                    )],
                    "/webhooks/wakilni".to_owned(),
                ),
                "peddler" => (
                    vec![("x-webhook-shared-token".to_owned(), PEDDLER.to_owned())],
                    "/webhooks/peddler".to_owned(),
                ),
                "xoxoday" => (
                    vec![
                        ("x-api-key".to_owned(), XOXODAY.to_owned()),
                        ("x-forwarded-for".to_owned(), "52.76.120.90".to_owned()),
                    ],
                    "/webhooks/xoxoday".to_owned(),
                ),
                "isendu" => (Vec::new(), format!("/webhooks/isendu?token={ISENDU_TOKEN}")),
                _ => (
                    Vec::new(),
                    format!("/webhooks/skladon/{SKLADON}/{}", skladon_type(name)),
                ),
            };
            let request = Request::new(&headers, &body)
                .method("POST")
                .uri(&uri)
                .peer(std::net::IpAddr::from([127, 0, 0, 1]));
            let delivery: AnyDelivery = match provider {
                "wakilni" => config
                    .wakilni
                    .as_ref()
                    .unwrap()
                    .receive(&request)
                    .map(Into::into),
                "peddler" => config
                    .peddler
                    .as_ref()
                    .unwrap()
                    .receive(&request)
                    .map(Into::into),
                "xoxoday" => config
                    .xoxoday
                    .as_ref()
                    .unwrap()
                    .receive(&request)
                    .map(Into::into),
                "isendu" => config
                    .isendu
                    .as_ref()
                    .unwrap()
                    .receive(&request)
                    .map(Into::into),
                _ => config
                    .skladon
                    .as_ref()
                    .unwrap()
                    .receive(&request)
                    .map(Into::into),
            }
            .unwrap_or_else(|e| panic!("{file}: {e}"));
            if !delivery.reply().holds_secret() {
                keys.insert(delivery.dedup_key().to_string());
            }
        }
    }
    keys
}

/// `inbox stats --json` over the SQLite file `serve` writes.
fn inbox_stats(dir: &std::path::Path) -> serde_json::Value {
    let out = Command::new(BIN)
        .args(["inbox", "stats", "--json", "--database"])
        .arg(dir.join("inbox.db"))
        .env_remove("DELIVERY_WEBHOOKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_shipped_fixture_of_the_five_providers_is_forwarded_once() {
    let dir = scratch("fixtures");
    let downstream = Downstream::start(None);
    let serve = Serve::start(&dir, &downstream, &[]);
    let providers = ["wakilni", "peddler", "xoxoday", "isendu", "skladon"];
    let send_all = || {
        let mut sent = 0;
        for provider in providers {
            for file in fixtures_of(provider) {
                let name = file
                    .trim_start_matches(&format!("{provider}/"))
                    .trim_end_matches(".json");
                let extra: Vec<&str> = if provider == "skladon" {
                    vec!["--type", skladon_type(name)]
                } else {
                    Vec::new()
                };
                let (code, answer) = serve.send_answer(provider, &file, &extra);
                assert_eq!(code, 0, "{file}: {answer}");
                if file == "isendu/verification.json" {
                    // The handshake: answered with the secret key, never stored or forwarded.
                    assert!(answer.contains(ISENDU_SECRET), "{answer}");
                }
                sent += 1;
            }
        }
        sent
    };

    let sent = send_all();
    assert_eq!(sent, 65, "the shipped fixtures changed: update this count");
    let overview = serve.wait_idle();
    assert_eq!(overview["depth"]["dead"], 0, "{overview}");
    let events = downstream.events();
    let stats = inbox_stats(&dir);
    assert_eq!(stats["states"]["pending"], 0, "{stats}");
    assert_eq!(stats["states"]["dead"], 0, "{stats}");
    let stored = stats["states"]["completed"].as_u64().unwrap();
    // One forwarded event per stored delivery; the handshake is the only fixture not stored.
    assert_eq!(u64::try_from(events.len()).unwrap(), stored, "{stats}");
    // Each distinct event exactly once: no dedup key twice, and every key the library gives the
    // fixtures (fixtures of one event in other spellings share a key, so fewer than the files).
    let keys: BTreeSet<String> = events
        .iter()
        .map(|e| e["dedup_key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), events.len(), "a dedup key forwarded twice");
    assert_eq!(keys, expected_keys());
    assert_eq!(
        stored, 48,
        "the shipped fixtures changed: update this count"
    );
    let mut seen: Vec<&str> = events
        .iter()
        .map(|e| e["provider"].as_str().unwrap())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, ["isendu", "peddler", "skladon", "wakilni", "xoxoday"]);

    // Specific values through the whole pipeline: `isendu/update_doc_sample.json`'s tracking.
    let isendu = events
        .iter()
        .filter(|e| e["provider"] == "isendu")
        .flat_map(|e| e["status_updates"].as_array().unwrap())
        .find(|u| u["shipment"]["id"] == "8d2f6e4a-1b3c-4d5e-8f70-9a1b2c3d4e5f")
        .expect("the update of isendu/update_doc_sample.json");
    assert_eq!(isendu["status"], "in_transit", "{isendu}");
    assert_eq!(isendu["provider_status"], "T", "{isendu}");
    assert_eq!(
        isendu["shipment"]["tracking_numbers"],
        serde_json::json!(["1Z999AA10123456784"]),
        "{isendu}"
    );
    assert_eq!(isendu["time"], "2024-05-02T09:42:00Z", "{isendu}");
    assert_eq!(isendu["location"]["name"], "Milano", "{isendu}");

    // Every fixture again: the provider retrying. Nothing new is stored or forwarded.
    assert_eq!(send_all(), sent);
    serve.wait_idle();
    assert_eq!(inbox_stats(&dir)["states"]["completed"], stored);
    let (code, stderr) = serve.terminate();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(downstream.events().len(), events.len());
    for secret in [XOXODAY, ISENDU_SECRET, ISENDU_TOKEN, SKLADON] {
        assert!(!stderr.contains(secret), "{secret} logged:\n{stderr}");
    }
}
