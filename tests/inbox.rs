//! The durable inbox against real databases: SQLite in temporary files, PostgreSQL the real
//! server that `scripts/with-postgres.sh` starts (its URL in `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL`;
//! without it the PostgreSQL tests print a notice and pass, unless
//! `DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1`, as in CI, makes its absence a failure).
//!
//! Scenarios: a duplicate storm (every fixture sent three times at once through two receiver
//! instances over real HTTP: each dedup key processed once); a crash (a worker process killed
//! with SIGKILL mid-batch: its items come back after the lease, nothing lost); a restart (the
//! SQLite file and its pending items survive reopening); a failing handler (back-off, dead
//! letter, replay). Every test uses its own file or PostgreSQL schema, so they run in parallel.
#![cfg(all(
    feature = "axum",
    feature = "inbox-sqlite",
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use delivery_webhooks::inbox::{
    Acceptance, Failure, Inbox, InboxOptions, Item, ItemState, Replay, SqliteInbox, Worker,
};
use delivery_webhooks::{AnyDelivery, Config, OwnedRequest, Request, wakilni};

const WAKILNI_SECRET: &str = "inbox-wakilni-secret";
const PEDDLER_TOKEN: &str = "inbox-peddler-token";
const XOXODAY_KEY: &str = "inboxXoxodayKey1";
const ISENDU_KEY_ID: &str = "ak_3f1c2a9e5b7d4e8a";
const ISENDU_SECRET: &str = "inbox-isendu-secret";
const ISENDU_URL_TOKEN: &str = "inbox-isendu-url-token";
const SKLADON_TOKEN: &str = "inbox-skladon-token";

fn config() -> Config {
    Config::builder()
        .wakilni_secret(WAKILNI_SECRET)
        .peddler_token(PEDDLER_TOKEN)
        .xoxoday_enabled(true)
        .xoxoday_api_key(XOXODAY_KEY)
        // The test client is on loopback: it plays the proxy in front of Xoxoday.
        .xoxoday_trusted_proxies(["127.0.0.1", "::1"])
        .isendu_key(ISENDU_KEY_ID, ISENDU_SECRET)
        .isendu_url_token(ISENDU_URL_TOKEN)
        .skladon_token(SKLADON_TOKEN)
        .build()
        .unwrap()
}

/// One call as its provider sends it.
#[derive(Clone, Debug)]
struct Call {
    name: String,
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn fixtures(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = format!("{provider}/{}", p.file_stem().unwrap().to_string_lossy());
            (name, std::fs::read(p).unwrap())
        })
        .collect()
}

/// The Skladon webhook type a fixture was sent for (the body carries none).
fn skladon_type(name: &str) -> &'static str {
    let file = name.trim_start_matches("skladon/");
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

/// Every shipped fixture as its provider sends it, plus one Skladon GET.
fn calls() -> Vec<Call> {
    let owned = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let mut calls = Vec::new();
    let mut push = |name: String, method, path: String, headers, body| {
        calls.push(Call {
            name,
            method,
            path,
            headers,
            body,
        });
    };
    for (name, body) in fixtures("wakilni") {
        let signature = wakilni::sign(WAKILNI_SECRET, &body);
        let headers = owned(&[
            ("x-webhook-signature", &signature),
            ("x-attempt-number", "1"),
        ]);
        push(name, "POST", "/webhooks/wakilni".into(), headers, body);
    }
    for (name, body) in fixtures("peddler") {
        let headers = owned(&[("x-webhook-shared-token", PEDDLER_TOKEN)]);
        push(name, "POST", "/webhooks/peddler".into(), headers, body);
    }
    for (name, body) in fixtures("xoxoday") {
        let headers = owned(&[
            ("x-api-key", XOXODAY_KEY),
            ("x-forwarded-for", "52.76.120.90"),
        ]);
        push(name, "POST", "/webhooks/xoxoday".into(), headers, body);
    }
    for (name, body) in fixtures("isendu") {
        let path = format!("/webhooks/isendu?token={ISENDU_URL_TOKEN}");
        push(name, "POST", path, Vec::new(), body);
    }
    for (name, body) in fixtures("skladon") {
        let path = format!("/webhooks/skladon/{SKLADON_TOKEN}/{}", skladon_type(&name));
        push(name, "POST", path, Vec::new(), body);
    }
    let path = format!("/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_ORDER_STATUS/123456");
    push("skladon GET".into(), "GET", path, Vec::new(), Vec::new());
    calls
}

/// The delivery a call makes, received here without HTTP (to know the expected keys).
fn receive(config: &Config, call: &Call) -> AnyDelivery {
    let request = Request::new(&call.headers, &call.body)
        .method(call.method)
        .uri(&call.path)
        .peer("127.0.0.1".parse::<std::net::IpAddr>().unwrap());
    let provider = call
        .path
        .split('/')
        .nth(2)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let any: Result<AnyDelivery, _> = match provider {
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
    };
    any.unwrap_or_else(|e| panic!("{}: {e}", call.name))
}

fn raw(call: &Call) -> OwnedRequest {
    let mut raw = OwnedRequest::new(call.method, call.path.clone()).body(call.body.clone());
    for (name, value) in &call.headers {
        raw = raw.header(name, value.clone());
    }
    raw
}

/// The dedup keys the calls should leave in the inbox (the isendu handshake is not stored).
fn expected_keys(calls: &[Call]) -> BTreeSet<String> {
    let config = config();
    calls
        .iter()
        .map(|c| receive(&config, c))
        .filter(|d| !d.reply().holds_secret())
        .map(|d| d.dedup_key().to_string())
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A receiver in inbox mode on loopback, with its own runtime (and so its own pool).
struct Receiver {
    addr: SocketAddr,
    /// Where the receiver records each provider's endpoint health.
    health: delivery_webhooks::telemetry::Health,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    fn start<I, F>(open: F) -> (Self, I)
    where
        I: Inbox + Clone + 'static,
        F: std::future::Future<Output = I>,
    {
        let runtime = runtime();
        let inbox = runtime.block_on(open);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let config = config();
        let health = config.health.clone();
        let app = delivery_webhooks::axum::inbox_router(config, inbox.clone());
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        (
            Receiver {
                addr,
                health,
                _runtime: runtime,
            },
            inbox,
        )
    }

    fn send(&self, call: &Call) -> (u16, String) {
        send(self.addr, call)
    }
}

fn send(addr: SocketAddr, call: &Call) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let url = format!("http://{addr}{}", call.path);
    let mut response = if call.method == "GET" {
        let mut request = agent.get(&url);
        for (k, v) in &call.headers {
            request = request.header(k, v);
        }
        request.call().unwrap()
    } else {
        let mut request = agent.post(&url).header("content-type", "application/json");
        for (k, v) in &call.headers {
            request = request.header(k, v);
        }
        request.send(&call.body[..]).unwrap()
    };
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

fn temp_db(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-inbox-{test}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("inbox.db")
}

/// The PostgreSQL URL, or `None` (with a notice) when it is absent and not required.
fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("DELIVERY_WEBHOOKS_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1 but DELIVERY_WEBHOOKS_TEST_POSTGRES_URL is not set"
            );
            eprintln!(
                "SKIPPED {test}: no PostgreSQL (run it under scripts/with-postgres.sh, see README)"
            );
            None
        }
    }
}

/// A schema name of its own for one test run.
fn namespace(test: &str) -> String {
    format!(
        "t_{test}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

/// Runs one worker per inbox until `expected` items are completed (or 60 s pass); returns the
/// dedup keys the handlers saw, in order, and the first inbox's counts — read on the workers'
/// runtime, since a pooled connection opened on a runtime dies with it.
fn drain<I: Inbox + Clone + 'static>(
    inboxes: &[I],
    expected: u64,
) -> (Vec<String>, delivery_webhooks::inbox::Stats) {
    let runtime = runtime();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stats = runtime.block_on(async {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut workers = Vec::new();
        for inbox in inboxes {
            let seen = Arc::clone(&seen);
            let mut stopped = stopped.clone();
            let worker = Worker::new(inbox.clone())
                .batch(8)
                .idle(Duration::from_millis(20));
            workers.push(tokio::spawn(worker.run(
                move |item: Item| {
                    let seen = Arc::clone(&seen);
                    async move {
                        seen.lock()
                            .unwrap()
                            .push(item.delivery.dedup_key().to_string());
                        Ok::<(), String>(())
                    }
                },
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            )));
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while inboxes[0].stats().await.unwrap().completed < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A moment more: a duplicate processed late would show now.
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.send(true).unwrap();
        for w in workers {
            w.await.unwrap();
        }
        inboxes[0].stats().await.unwrap()
    });
    (std::mem::take(&mut *seen.lock().unwrap()), stats)
}

/// Every call three times at once, spread over the receivers; every answer 200; then workers
/// over every inbox: each key processed exactly once.
fn storm<I: Inbox + Clone + 'static>(receivers: &[Receiver], inboxes: &[I]) {
    let calls = calls();
    let expected = expected_keys(&calls);
    for call in &calls {
        std::thread::scope(|s| {
            let answers: Vec<_> = (0..3)
                .map(|copy| {
                    let receiver = &receivers[copy % receivers.len()];
                    s.spawn(move || receiver.send(call))
                })
                .collect();
            for answer in answers {
                let (status, body) = answer.join().unwrap();
                assert_eq!(status, 200, "{}: {body}", call.name);
            }
        });
    }
    let (processed, stats) = drain(inboxes, expected.len() as u64);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for key in &processed {
        *counts.entry(key.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "processed more than once: {twice:?}");
    let got: BTreeSet<String> = processed.into_iter().collect();
    assert_eq!(got, expected);
    assert_eq!(stats.completed, expected.len() as u64);
    assert_eq!((stats.pending, stats.claimed, stats.dead), (0, 0, 0));
}

/// Every shipped fixture, plus the quirks a receiver must never refuse: an attempt number sent
/// twice with different values, Skladon GET ids holding `/` and spaces, a percent-encoded
/// webhook type and one holding a space.
fn quirk_calls() -> Vec<Call> {
    let mut calls = calls();
    // An event of its own: the fixtures share the doc's event id.
    let body = String::from_utf8(
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wakilni/order_confirmed.json"),
        )
        .unwrap(),
    )
    .unwrap()
    .replace(
        "e2986cd1-1e85-4ef1-a85a-89488dd27b92",
        "0d9e4c1a-7b3f-4e21-9a8c-5f6b2d1e0c47",
    )
    .into_bytes();
    let signature = wakilni::sign(WAKILNI_SECRET, &body);
    calls.push(Call {
        name: "wakilni: two attempt numbers".into(),
        method: "POST",
        path: "/webhooks/wakilni".into(),
        headers: vec![
            ("x-webhook-signature".into(), signature),
            ("x-attempt-number".into(), "3".into()),
            ("x-attempt-number".into(), "1".into()),
        ],
        body,
    });
    for tail in [
        "UPDATE_ORDER_STATUS/2024%2F0012",
        "UPDATE_RECEIVING_STATUS/R%20%2F%2017",
        "%55PDATE_ORDER_STATUS/77",
        "NEW%20TYPE/2024%2F0013",
    ] {
        calls.push(Call {
            name: format!("skladon GET {tail}"),
            method: "GET",
            path: format!("/webhooks/skladon/{SKLADON_TOKEN}/{tail}"),
            headers: Vec::new(),
            body: Vec::new(),
        });
    }
    calls
}

/// What `receive` accepted, the inbox hands the handler equal: each call is received, accepted
/// into the inbox, claimed back (rebuilt from the stored row) and compared.
async fn rebuilt_equal<I: Inbox>(inbox: I) {
    let config = config();
    let mut expected = BTreeMap::new();
    for call in quirk_calls() {
        let delivery = receive(&config, &call);
        if delivery.reply().holds_secret() {
            continue; // the isendu handshake is answered, not stored
        }
        // Fixtures that share a dedup key are one item: the first one accepted.
        if let Acceptance::Accepted(_) = inbox.accept(&delivery, &raw(&call)).await.unwrap() {
            expected.insert(delivery.dedup_key().to_string(), (call.name, delivery));
        }
    }
    let items = inbox
        .claim(expected.len() + 1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(items.len(), expected.len());
    let mut compared = BTreeSet::new();
    for item in items {
        let key = item.delivery.dedup_key().to_string();
        let (name, delivery) = expected.remove(&key).unwrap();
        assert_eq!(item.delivery, delivery, "{name}");
        compared.insert(name);
    }
    assert!(expected.is_empty(), "never claimed: {:?}", expected.keys());
    // Every quirk is among what was compared.
    for name in [
        "wakilni: two attempt numbers",
        "skladon GET NEW%20TYPE/2024%2F0013",
    ] {
        assert!(compared.contains(name), "{name} not compared");
    }
}

#[test]
fn what_receive_accepted_the_inbox_rebuilds_equal_on_sqlite() {
    let path = temp_db("rebuild");
    runtime().block_on(async {
        rebuilt_equal(
            SqliteInbox::open(&path, InboxOptions::default())
                .await
                .unwrap(),
        )
        .await;
    });
}

#[test]
fn what_receive_accepted_the_inbox_rebuilds_equal_on_postgres() {
    let Some(url) = postgres_url("what_receive_accepted_the_inbox_rebuilds_equal_on_postgres")
    else {
        return;
    };
    runtime().block_on(async {
        let options = InboxOptions::default().namespace(namespace("rebuild"));
        rebuilt_equal(
            delivery_webhooks::inbox::PostgresInbox::connect(&url, options)
                .await
                .unwrap(),
        )
        .await;
    });
}

/// Inbox mode checks the head before the body, as the router does: a request without a valid
/// credential that declares a body and never sends it is answered 401 at once, and nothing is
/// stored.
#[test]
fn inbox_mode_answers_a_forged_head_before_reading_its_body() {
    use std::io::{Read, Write};
    let path = temp_db("head");
    let (receiver, inbox) = Receiver::start(async {
        SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap()
    });
    for (target, headers) in [
        (
            "/webhooks/peddler",
            "X-Webhook-Shared-Token: guess\r\n".to_owned(),
        ),
        ("/webhooks/wakilni", String::new()),
        ("/webhooks/isendu?token=guess", String::new()),
        (
            "/webhooks/skladon/guess-guess-guess/CREATE_ORDER",
            String::new(),
        ),
    ] {
        let mut stream = std::net::TcpStream::connect(receiver.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            // Under every provider's default limit (64 KiB the smallest), so that the head decides.
            "POST {target} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: 60000\r\n\r\n{{"
        )
        .unwrap();
        let mut answer = [0u8; 12];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 401", "{target}");
    }
    let stats = runtime().block_on(inbox.stats()).unwrap();
    assert_eq!((stats.pending, stats.completed), (0, 0));
}

#[test]
fn duplicate_storm_through_two_receivers_on_postgres() {
    let Some(url) = postgres_url("duplicate_storm_through_two_receivers_on_postgres") else {
        return;
    };
    let ns = namespace("storm");
    let open = || {
        let (url, ns) = (url.clone(), ns.clone());
        async move {
            delivery_webhooks::inbox::PostgresInbox::connect(
                &url,
                InboxOptions::default().namespace(ns),
            )
            .await
            .unwrap()
        }
    };
    let (a, inbox_a) = Receiver::start(open());
    let (b, inbox_b) = Receiver::start(open());
    storm(&[a, b], &[inbox_a, inbox_b]);
}

#[test]
fn duplicate_storm_through_two_receivers_on_one_sqlite_file() {
    let path = temp_db("storm");
    let open = || {
        let path = path.clone();
        async move {
            SqliteInbox::open(&path, InboxOptions::default())
                .await
                .unwrap()
        }
    };
    let (a, inbox_a) = Receiver::start(open());
    let (b, inbox_b) = Receiver::start(open());
    storm(&[a, b], &[inbox_a, inbox_b]);
}

#[test]
fn inbox_mode_answers_the_handshake_refuses_forgeries_and_stores_no_secret() {
    let path = temp_db("modes");
    let (receiver, inbox) = Receiver::start(async {
        SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap()
    });
    let calls = calls();
    let handshake = calls
        .iter()
        .find(|c| c.name == "isendu/verification")
        .unwrap();
    let (status, body) = receiver.send(handshake);
    assert_eq!(status, 200);
    assert_eq!(body, format!(r#"{{"response":"{ISENDU_SECRET}"}}"#));

    let mut forged = calls
        .iter()
        .find(|c| c.name.starts_with("wakilni/"))
        .unwrap()
        .clone();
    forged.headers[0].1 = wakilni::sign("guess", &forged.body);
    assert_eq!(receiver.send(&forged).0, 401);
    let mut forged = calls
        .iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap()
        .clone();
    forged.headers[0].1 = "guess".into();
    assert_eq!(receiver.send(&forged).0, 401);

    let peddler = calls
        .iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap();
    assert_eq!(receiver.send(peddler).0, 200);
    let skladon = calls.iter().find(|c| c.method == "GET").unwrap();
    assert_eq!(receiver.send(skladon).0, 200);
    let mut wakilni_call = calls
        .iter()
        .find(|c| c.name.starts_with("wakilni/"))
        .unwrap()
        .clone();
    wakilni_call
        .headers
        .push(("x-webhook-delivery-id".into(), "dl-inbox-9".into()));
    assert_eq!(receiver.send(&wakilni_call).0, 200);

    let rt = runtime();
    let stats = rt.block_on(inbox.stats()).unwrap();
    assert_eq!(
        stats.pending, 3,
        "only the three genuine deliveries are stored"
    );
    let items = rt
        .block_on(inbox.claim(10, Duration::from_secs(60)))
        .unwrap();
    let peddler_item = items
        .iter()
        .find(|i| i.delivery.provider().as_str() == "peddler")
        .unwrap();
    let token = peddler_item
        .raw
        .headers
        .iter()
        .find(|(k, _)| k == "x-webhook-shared-token")
        .unwrap();
    assert_eq!(token.1, "[redacted]");
    let skladon_item = items
        .iter()
        .find(|i| i.delivery.provider().as_str() == "skladon")
        .unwrap();
    assert!(
        !skladon_item.raw.uri.contains(SKLADON_TOKEN),
        "{}",
        skladon_item.raw.uri
    );
    assert_eq!(skladon_item.raw.method, "GET");
    let AnyDelivery::Skladon(d) = &skladon_item.delivery else {
        panic!()
    };
    assert_eq!(d.payload.entity_id().as_deref(), Some("123456"));
    // The handler reads the request's headers as in router mode, credentials masked.
    let wakilni_item = items
        .iter()
        .find(|i| i.delivery.provider().as_str() == "wakilni")
        .unwrap();
    let headers = wakilni_item.delivery.headers();
    assert_eq!(headers.get("x-webhook-delivery-id"), Some("dl-inbox-9"));
    assert_eq!(headers.get("x-webhook-signature"), Some("[redacted]"));
    let signature = &wakilni_call.headers[0].1;
    assert!(headers.iter().all(|(_, v)| v != signature), "{headers:?}");
    // Nothing secret anywhere in the file.
    drop(items);
    drop(inbox);
    drop(receiver);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
    for secret in [PEDDLER_TOKEN, SKLADON_TOKEN, ISENDU_SECRET] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} stored"
        );
    }
}

#[test]
fn sqlite_file_and_its_pending_items_survive_a_restart() {
    let path = temp_db("restart");
    let config = config();
    let calls: Vec<Call> = calls()
        .into_iter()
        .filter(|c| c.name.starts_with("wakilni/") || c.name.starts_with("skladon/"))
        .collect();
    let originals: Vec<AnyDelivery> = calls.iter().map(|c| receive(&config, c)).collect();
    {
        let rt = runtime();
        rt.block_on(async {
            let inbox = SqliteInbox::open(&path, InboxOptions::default())
                .await
                .unwrap();
            let mut keys = BTreeSet::new();
            for (call, delivery) in calls.iter().zip(&originals) {
                let acceptance = inbox.accept(delivery, &raw(call)).await.unwrap();
                // Some fixtures repeat a documented sample's id: the same event, so a duplicate.
                let first = keys.insert(delivery.dedup_key().clone());
                assert_eq!(
                    matches!(acceptance, Acceptance::Accepted(_)),
                    first,
                    "{}",
                    call.name
                );
            }
            let claimed = inbox.claim(2, Duration::from_secs(600)).await.unwrap();
            inbox.complete(claimed[0].claim).await.unwrap();
        });
    } // The runtime, the writer task and the connection are gone: a restart.
    let rt = runtime();
    rt.block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        let stats = inbox.stats().await.unwrap();
        let n = originals
            .iter()
            .map(AnyDelivery::dedup_key)
            .collect::<BTreeSet<_>>()
            .len() as u64;
        assert_eq!(
            (stats.completed, stats.claimed, stats.pending),
            (1, 1, n - 2)
        );
        for (call, delivery) in calls.iter().zip(&originals) {
            assert_eq!(
                inbox.accept(delivery, &raw(call)).await.unwrap(),
                Acceptance::Duplicate
            );
        }
        let items = inbox.claim(1000, Duration::from_secs(60)).await.unwrap();
        assert_eq!(items.len() as u64, n - 2);
        for item in items {
            // The first delivery with the key is the one stored.
            let original = originals
                .iter()
                .find(|d| d.dedup_key() == item.delivery.dedup_key())
                .unwrap();
            assert_eq!(&item.delivery, original, "rebuilt exactly as received");
            assert_eq!(item.attempts, 1);
        }
    });
}

/// A handler that fails: back-off, then dead letter, then replay. The back-off is zero here
/// (it is tested on its own), so every step is deterministic.
async fn fails_then_dies_then_replays<I: Inbox + Clone + 'static>(inbox: I) {
    let config = config();
    let call = calls()
        .into_iter()
        .find(|c| c.name.starts_with("xoxoday/"))
        .unwrap();
    let delivery = receive(&config, &call);
    let Acceptance::Accepted(id) = inbox.accept(&delivery, &raw(&call)).await.unwrap() else {
        panic!("not accepted")
    };
    let lease = Duration::from_secs(60);
    for attempt in 1..=3u32 {
        let items = inbox.claim(5, lease).await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!((items[0].id, items[0].attempts), (id, attempt));
        let failure = inbox
            .fail(items[0].claim, &format!("downstream down ({attempt})"))
            .await
            .unwrap();
        if attempt < 3 {
            assert!(matches!(failure, Failure::RetryAt(_)), "{failure:?}");
        } else {
            assert_eq!(failure, Failure::Dead);
        }
    }
    let info = inbox.item(id).await.unwrap().unwrap();
    assert_eq!((info.state, info.attempts), (ItemState::Dead, 3));
    assert_eq!(info.last_error.as_deref(), Some("downstream down (3)"));
    assert!(
        inbox.claim(5, lease).await.unwrap().is_empty(),
        "dead stays dead"
    );

    assert_eq!(inbox.replay(id).await.unwrap(), Replay::Queued);
    let worker = Worker::new(inbox.clone()).idle(Duration::from_millis(10));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let watcher = {
        let inbox = inbox.clone();
        tokio::spawn(async move {
            while inbox.item(id).await.unwrap().unwrap().state != ItemState::Completed {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            stop.send(()).unwrap();
        })
    };
    let report = worker
        .run(
            |item: Item| async move {
                assert_eq!(item.attempts, 1, "replay resets the attempts");
                Ok::<(), String>(())
            },
            async {
                let _ = stopped.await;
            },
        )
        .await;
    watcher.await.unwrap();
    assert_eq!((report.completed, report.failed), (1, 0));
    // Completed, but inside its dedup window: purge keeps it, and the retry is still a duplicate.
    assert_eq!(inbox.purge(Duration::ZERO).await.unwrap(), 0);
    assert_eq!(
        inbox.accept(&delivery, &raw(&call)).await.unwrap(),
        Acceptance::Duplicate
    );
}

fn failing_options() -> InboxOptions {
    InboxOptions::default()
        .max_attempts(3)
        .backoff(Duration::ZERO, Duration::ZERO)
}

#[test]
fn failing_handler_backs_off_then_dead_letters_then_replays_on_sqlite() {
    let path = temp_db("fails");
    runtime().block_on(async {
        fails_then_dies_then_replays(SqliteInbox::open(&path, failing_options()).await.unwrap())
            .await;
    });
}

#[test]
fn failing_handler_backs_off_then_dead_letters_then_replays_on_postgres() {
    let Some(url) =
        postgres_url("failing_handler_backs_off_then_dead_letters_then_replays_on_postgres")
    else {
        return;
    };
    runtime().block_on(async {
        let options = failing_options().namespace(namespace("fails"));
        let inbox = delivery_webhooks::inbox::PostgresInbox::connect(&url, options)
            .await
            .unwrap();
        fails_then_dies_then_replays(inbox).await;
    });
}

/// The worker process of the crash tests: opens the inbox named by `INBOX_CRASH_CHILD`
/// (`sqlite:<path>` or `postgres:<schema>`), claims everything under a 5 s lease and processes
/// slowly, until the parent kills it.
#[test]
#[ignore = "the child process of the crash tests, run by them"]
fn crash_child() {
    let Ok(spec) = std::env::var("INBOX_CRASH_CHILD") else {
        return;
    };
    let handler = |item: Item| async move {
        println!("processing {}", item.id);
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok::<(), String>(())
    };
    runtime().block_on(async {
        if let Some(path) = spec.strip_prefix("sqlite:") {
            let inbox = SqliteInbox::open(path, InboxOptions::default())
                .await
                .unwrap();
            Worker::new(inbox)
                .batch(100)
                .lease(Duration::from_secs(5))
                .run(handler, std::future::pending())
                .await;
        } else if let Some(ns) = spec.strip_prefix("postgres:") {
            let url = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL").unwrap();
            let inbox = delivery_webhooks::inbox::PostgresInbox::connect(
                &url,
                InboxOptions::default().namespace(ns),
            )
            .await
            .unwrap();
            Worker::new(inbox)
                .batch(100)
                .lease(Duration::from_secs(5))
                .run(handler, std::future::pending())
                .await;
        }
    });
}

/// Fills the inbox, starts a worker process, kills it with SIGKILL mid-batch, then checks that
/// its claimed items come back only after the lease, and that every item is processed.
async fn crash<I: Inbox + Clone + 'static>(inbox: I, child_spec: String) {
    let config = config();
    let calls = calls();
    let mut keys = BTreeSet::new();
    for call in &calls {
        let delivery = receive(&config, call);
        if delivery.reply().holds_secret() {
            continue;
        }
        if let Acceptance::Accepted(_) = inbox.accept(&delivery, &raw(call)).await.unwrap() {
            keys.insert(delivery.dedup_key().to_string());
        }
    }
    let total = keys.len() as u64;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("INBOX_CRASH_CHILD", &child_spec)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let stats = inbox.stats().await.unwrap();
        if stats.completed >= 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child processed nothing: {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup of any kind.
    let status = child.wait().unwrap();
    assert!(!status.success());
    let killed_at = Instant::now();
    let stats = inbox.stats().await.unwrap();
    assert!(
        stats.claimed > 0,
        "the child held a batch when killed: {stats:?}"
    );
    assert!(stats.completed < total, "{stats:?}");
    let done_by_child = stats.completed;

    // Its items are leased: nobody gets them before the lease runs out.
    assert!(
        inbox
            .claim(1000, Duration::from_secs(60))
            .await
            .unwrap()
            .is_empty()
    );
    // After it, they come back, each with its second attempt, and nothing is lost.
    let mut processed = Vec::new();
    while (processed.len() as u64) < total - done_by_child {
        assert!(killed_at.elapsed() < Duration::from_secs(30), "items lost");
        for item in inbox.claim(1000, Duration::from_secs(60)).await.unwrap() {
            assert_eq!(item.attempts, 2, "{item:?}");
            processed.push(item.delivery.dedup_key().to_string());
            inbox.complete(item.claim).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        (stats.completed, stats.pending, stats.claimed, stats.dead),
        (total, 0, 0, 0)
    );
    let unique: BTreeSet<_> = processed.iter().collect();
    assert_eq!(unique.len(), processed.len(), "a completed item came back");
}

#[test]
fn crashed_worker_process_items_come_back_after_the_lease_on_sqlite() {
    let path = temp_db("crash");
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        crash(inbox, format!("sqlite:{}", path.display())).await;
    });
}

#[test]
fn crashed_worker_process_items_come_back_after_the_lease_on_postgres() {
    let Some(url) =
        postgres_url("crashed_worker_process_items_come_back_after_the_lease_on_postgres")
    else {
        return;
    };
    runtime().block_on(async {
        let ns = namespace("crash");
        let inbox = delivery_webhooks::inbox::PostgresInbox::connect(
            &url,
            InboxOptions::default().namespace(ns.clone()),
        )
        .await
        .unwrap();
        crash(inbox, format!("postgres:{ns}")).await;
    });
}

#[test]
fn schema_version_is_recorded_and_reopening_migrates_nothing() {
    let path = temp_db("schema");
    runtime().block_on(async {
        for _ in 0..2 {
            let inbox = SqliteInbox::open(&path, InboxOptions::default().namespace("app"))
                .await
                .unwrap();
            assert_eq!(inbox.stats().await.unwrap(), Default::default());
        }
    });
    // In WAL mode the table may still sit in the write-ahead log rather than the main file.
    let mut bytes = std::fs::read(&path).unwrap();
    let mut wal = path.clone().into_os_string();
    wal.push("-wal");
    if let Ok(more) = std::fs::read(&wal) {
        bytes.extend(more);
    }
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("app_webhook_inbox_schema_version"));
}

/// The worker process of the storm test below (run by it, never on its own): processes the
/// PostgreSQL inbox in `INBOX_STORM_CHILD`, appending each handled key to `INBOX_STORM_LOG`
/// (one `write` per line, `O_APPEND`), a little slowly, so that a kill lands mid-handler.
#[test]
#[ignore = "the child process of the storm test, run by it"]
fn storm_child() {
    let (Ok(ns), Ok(log)) = (
        std::env::var("INBOX_STORM_CHILD"),
        std::env::var("INBOX_STORM_LOG"),
    ) else {
        return;
    };
    let url = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL").unwrap();
    runtime().block_on(async move {
        let inbox = delivery_webhooks::inbox::PostgresInbox::connect(
            &url,
            InboxOptions::default().namespace(ns),
        )
        .await
        .unwrap();
        let handler = move |item: Item| {
            let log = log.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(40)).await;
                use std::io::Write;
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&log)
                    .unwrap();
                file.write_all(format!("{}\n", item.delivery.dedup_key()).as_bytes())
                    .unwrap();
                Ok::<(), String>(())
            }
        };
        // A lease long enough that a live worker's heartbeat keeps it on a loaded machine: only
        // a killed worker's items change hands.
        Worker::new(inbox)
            .batch(4)
            .lease(Duration::from_secs(5))
            .idle(Duration::from_millis(20))
            .run(handler, std::future::pending())
            .await;
    });
}

/// The duplicate storm through two receiver instances on one PostgreSQL, processed by worker
/// processes killed with SIGKILL at random moments and replaced: every distinct event is
/// completed exactly once (counted), none is lost, and the handler ran again only for items a
/// killed worker held (at most one per kill: a worker runs one handler at a time, and writes
/// the completion of one slower than 5 ms, as these are, before starting the next).
#[test]
fn a_storm_processed_by_workers_killed_at_random_completes_each_event_once_on_postgres() {
    let Some(_) = postgres_url(
        "a_storm_processed_by_workers_killed_at_random_completes_each_event_once_on_postgres",
    ) else {
        return;
    };
    let url = std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL").unwrap();
    let ns = namespace("killstorm");
    let open = || {
        let (url, ns) = (url.clone(), ns.clone());
        async move {
            delivery_webhooks::inbox::PostgresInbox::connect(
                &url,
                InboxOptions::default().namespace(ns),
            )
            .await
            .unwrap()
        }
    };
    let (a, inbox) = Receiver::start(open());
    let (b, _other) = Receiver::start(open());
    // The storm: every call three times at once, over both receivers; each answered 200.
    let calls = calls();
    let expected = expected_keys(&calls);
    for call in &calls {
        std::thread::scope(|s| {
            let answers: Vec<_> = [&a, &b, &a]
                .into_iter()
                .map(|receiver| s.spawn(move || receiver.send(call)))
                .collect();
            for answer in answers {
                let (status, body) = answer.join().unwrap();
                assert_eq!(status, 200, "{}: {body}", call.name);
            }
        });
    }
    let log = std::env::temp_dir().join(format!("{ns}.log"));
    let spawn = || {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args(["storm_child", "--exact", "--ignored", "--test-threads=1"])
            .env("INBOX_STORM_CHILD", &ns)
            .env("INBOX_STORM_LOG", &log)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let rt = runtime();
    let completed = || rt.block_on(inbox.stats()).unwrap().completed;
    let mut workers = vec![spawn(), spawn()];
    // Kills at pseudo-random moments (a fixed seed: the moments vary with the machine's speed
    // anyway; no assertion depends on them), each victim replaced at once.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut kills = 0u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    while completed() < expected.len() as u64 {
        assert!(Instant::now() < deadline, "not every event was completed");
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        std::thread::sleep(Duration::from_millis(40 + (seed >> 33) % 120));
        if kills < 8 {
            let victim = usize::try_from(seed >> 63).unwrap();
            workers[victim].kill().unwrap(); // SIGKILL: no cleanup of any kind.
            workers[victim].wait().unwrap();
            workers[victim] = spawn();
            kills += 1;
        }
    }
    for mut worker in workers {
        worker.kill().unwrap();
        worker.wait().unwrap();
    }
    let stats = rt.block_on(inbox.stats()).unwrap();
    assert_eq!(
        (stats.completed, stats.pending, stats.claimed, stats.dead),
        (expected.len() as u64, 0, 0, 0),
        "each distinct event completed once, nothing left"
    );
    let handled = std::fs::read_to_string(&log).unwrap_or_default();
    let mut runs: BTreeMap<&str, u64> = BTreeMap::new();
    for key in handled.lines() {
        *runs.entry(key).or_default() += 1;
    }
    let seen: BTreeSet<String> = runs.keys().map(|k| (*k).to_owned()).collect();
    assert_eq!(seen, expected, "every event reached the handler");
    let reruns: u64 = runs.values().map(|n| n - 1).sum();
    eprintln!(
        "{} events, {} handler runs, {kills} workers killed, {reruns} re-runs after a kill",
        expected.len(),
        handled.lines().count()
    );
    assert!(
        reruns <= kills,
        "{reruns} re-runs for {kills} kills: {runs:?}"
    );
    let _ = std::fs::remove_file(&log);
}

/// A real version-1 SQLite file, written by the crate as it was before schema v2 (commit
/// `da8a539`: two Peddler updates, one of them completed, a Wakilni event with its attempt
/// number, a Skladon POST and a Skladon GET whose id holds a space, in the v1 context form
/// `GET <TYPE> <id>`), is migrated on open: every item is still there in its state, the pending
/// ones are handed out rebuilt equal to what `receive` gives today, and the completed one still
/// deduplicates.
#[test]
fn a_real_version_1_sqlite_file_is_migrated_and_read_equal() {
    let path = temp_db("v1-file");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inbox/v1.sqlite"),
        &path,
    )
    .unwrap();
    let fixture = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name),
        )
        .unwrap()
    };
    let peddler = delivery_webhooks::peddler::Verifier::new("v1-peddler-token").unwrap();
    let skladon = delivery_webhooks::skladon::Verifier::new("v1-skladon-token").unwrap();
    let wakilni = delivery_webhooks::wakilni::Verifier::new("v1-wakilni-secret").unwrap();
    let token = [("x-webhook-shared-token", "v1-peddler-token")];
    let none: [(&str, &str); 0] = [];
    let out_for_delivery = fixture("peddler/out_for_delivery.json");
    let failed = fixture("peddler/failed_attempt.json");
    let created = fixture("wakilni/order_created.json");
    let signature = wakilni::sign("v1-wakilni-secret", &created);
    let receiving = fixture("skladon/receiving.json");
    let expected: Vec<AnyDelivery> = vec![
        peddler
            .receive(&Request::new(&token, &failed))
            .unwrap()
            .into(),
        wakilni
            .receive(&Request::new(
                &[
                    ("x-webhook-signature", signature.as_str()),
                    ("x-attempt-number", "2"),
                ],
                &created,
            ))
            .unwrap()
            .into(),
        skladon
            .receive(
                &Request::new(&none, &receiving)
                    .uri("/webhooks/skladon/v1-skladon-token/UPDATE_RECEIVING_STATUS"),
            )
            .unwrap()
            .into(),
        skladon
            .receive(
                &Request::new(&none, b"")
                    .method("GET")
                    .uri("/webhooks/skladon/v1-skladon-token/UPDATE_ORDER_STATUS/ORD%207"),
            )
            .unwrap()
            .into(),
    ];
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        let stats = inbox.stats().await.unwrap();
        assert_eq!((stats.pending, stats.completed), (4, 1), "{stats:?}");
        // The completed one is still a duplicate.
        let done: AnyDelivery = peddler
            .receive(&Request::new(&token, &out_for_delivery))
            .unwrap()
            .into();
        let raw = OwnedRequest::new("POST", "/webhooks/peddler").body(out_for_delivery.clone());
        assert_eq!(
            inbox.accept(&done, &raw).await.unwrap(),
            Acceptance::Duplicate
        );
        let mut items = inbox.claim(10, Duration::from_secs(60)).await.unwrap();
        items.sort_by_key(|i| i.id);
        let rebuilt: Vec<AnyDelivery> = items.into_iter().map(|i| i.delivery).collect();
        assert_eq!(rebuilt, expected);
    });
}

#[path = "inbox/faults.rs"]
mod faults;

/// A real version-2 SQLite file, written by the crate as it was before schema v3 (commit
/// `d6b8ca6`: 1 a completed Peddler update, 2 a dead Peddler update whose one attempt failed
/// with an HTTP 503, 3 a pending Wakilni order, 4 a pending Skladon order POST, 5 a pending
/// Xoxoday update), is migrated on open: the references of every item are read again from its
/// stored body, the dead item's error gets its cause and an attempt row, every item a history
/// row for the state it is in, and the items are still handed out as before.
#[test]
fn a_real_version_2_sqlite_file_is_migrated_with_its_references() {
    use sqlx::Connection as _;
    let path = temp_db("v2-file");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inbox/v2.sqlite"),
        &path,
    )
    .unwrap();
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        let stats = inbox.stats().await.unwrap();
        assert_eq!(
            (stats.pending, stats.completed, stats.dead),
            (3, 1, 1),
            "{stats:?}"
        );
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let version: i64 =
            sqlx::query_scalar("SELECT MAX(version) FROM webhook_inbox_schema_version")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(version, 5);
        let refs: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT item_id, kind, value FROM webhook_inbox_ref ORDER BY item_id, kind, value",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let refs: Vec<(i64, &str, &str)> = refs
            .iter()
            .map(|(i, k, v)| (*i, k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            refs,
            [
                (1, "external_id", "SHIP_AMS_002"),
                (1, "shipment_id", "PlakFjJkuYatSCXFvDxTs"),
                (1, "tracking_number", "P123456789012345678"),
                (2, "external_id", "78420240902-2"),
                (2, "shipment_id", "fx6_ZSWp0RDc24csBqOj9"),
                (2, "tracking_number", "P199684830307745678"),
                (3, "order_id", "123456"),
                (3, "waybill", "WK123456"),
                (4, "eshop_order_id", "12345"),
                (4, "external_id", "1"),
                (4, "external_id", "4790712402150"),
                (4, "external_id", "PARTNER-77"),
                (4, "order_id", "12345"),
                (4, "tracking_number", "012364479"),
                (5, "order_id", "10254678901"),
                (5, "po_number", "PO-2019-7781"),
            ]
        );
        let causes: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, cause FROM webhook_inbox WHERE cause IS NOT NULL")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            causes,
            [(
                2,
                Some("handler: HTTP # from https://erp.example/orders/# after #".to_owned())
            )]
        );
        let attempts: Vec<(i64, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT item_id, attempt, outcome, error FROM webhook_inbox_attempt ORDER BY id",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            attempts,
            [
                (1, 1, "completed".to_owned(), None),
                (
                    2,
                    1,
                    "dead".to_owned(),
                    Some("handler: HTTP 503 from https://erp.example/orders/4711 after 30s".into())
                ),
            ]
        );
        let history: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT item_id, state, actor FROM webhook_inbox_history ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let states: Vec<(i64, &str)> = history
            .iter()
            .map(|(i, s, a)| {
                assert_eq!(a, "migration");
                (*i, s.as_str())
            })
            .collect();
        assert_eq!(
            states,
            [
                (1, "completed"),
                (2, "dead"),
                (3, "pending"),
                (4, "pending"),
                (5, "pending")
            ]
        );
        conn.close().await.unwrap();
        // The operator's queries read the migrated rows like new ones.
        #[cfg(feature = "console")]
        {
            use delivery_webhooks::console::Console;
            use delivery_webhooks::inbox::ItemId;
            use delivery_webhooks::inbox::query::{Filter, RefField, Reference};
            let console = Console::from(inbox.clone());
            let groups = console.failures(None).await.unwrap();
            assert_eq!(groups.len(), 1);
            assert_eq!(
                (
                    groups[0].provider.as_str(),
                    groups[0].count,
                    groups[0].latest
                ),
                ("peddler", 1, ItemId(2))
            );
            let by_tracking = Filter::new().reference(Reference::of(
                RefField::TrackingNumber,
                "P199684830307745678",
            ));
            let page = console.list(&by_tracking, None, 10).await.unwrap();
            assert_eq!(
                page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
                [ItemId(2)]
            );
            let story = console.story(&Reference::any("12345")).await.unwrap();
            assert_eq!(
                story.steps.iter().map(|s| s.item).collect::<Vec<_>>(),
                [ItemId(4)]
            );
        }
        let mut items = inbox.claim(10, Duration::from_secs(60)).await.unwrap();
        items.sort_by_key(|i| i.id);
        let keys: Vec<String> = items
            .iter()
            .map(|i| i.delivery.dedup_key().to_string())
            .collect();
        assert_eq!(
            keys,
            [
                "wakilni:e2986cd1-1e85-4ef1-a85a-89488dd27b92",
                "skladon:UPDATE_ORDER_STATUS:12345:2022-05-23T18:45:02.000Z:inProcess",
                "xoxoday:10000000000000000001"
            ]
        );
    });
}
