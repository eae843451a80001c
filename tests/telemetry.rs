//! Observability end to end over real loopback TCP: the ready axum `Router` served on
//! 127.0.0.1 receives genuine, forged, malformed and unprocessable deliveries from a real HTTP
//! client (ureq), while a real `tracing` subscriber (a registry with a capturing layer) and a
//! real `metrics` recorder (`metrics-util`'s debugging recorder) capture everything the crate
//! emits. The tests assert span and event names, fields and metric counts, that no secret (nor
//! its SHA-256 hex, nor a signature sent) appears anywhere in what was captured, and that
//! Xoxoday's health warning fires at the second consecutive failure and resets on success.
//!
//! The subscriber and the recorder are process-wide, so the tests take turns on one lock.
#![cfg(all(
    feature = "axum",
    feature = "tracing",
    feature = "metrics",
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock, mpsc};
use std::time::Duration;

use delivery_webhooks::telemetry::{Health, HealthWarning};
use delivery_webhooks::{AnyDelivery, Config, Provider, wakilni};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use sha2::{Digest, Sha256};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::{LookupSpan, Registry};

const WAKILNI_SECRET: &str = "tm-wakilni-secret-5f2a";
const PEDDLER_TOKEN: &str = "tm-peddler-token-9c1e";
const XOXODAY_KEY: &str = "tmXoxodayApiKey77";
const ISENDU_KEY_ID: &str = "ak_3f1c2a9e5b7d4e8a";
const ISENDU_SECRET: &str = "tm-isendu-secret-0b3d";
const ISENDU_URL_TOKEN: &str = "tm-isendu-url-token-4e6f";
const SKLADON_TOKEN: &str = "tm-skladon-token-8a7b";
const SECRETS: [&str; 6] = [
    WAKILNI_SECRET,
    PEDDLER_TOKEN,
    XOXODAY_KEY,
    ISENDU_SECRET,
    ISENDU_URL_TOKEN,
    SKLADON_TOKEN,
];

// ----- capture ---------------------------------------------------------------------------

/// A span as the layer saw it: its name and every field recorded into it.
#[derive(Debug, Clone)]
struct SpanSeen {
    name: String,
    fields: BTreeMap<String, String>,
}

/// An event: its level, target, fields (`message` included) and the span it happened in.
#[derive(Debug, Clone)]
struct EventSeen {
    level: tracing::Level,
    target: String,
    fields: BTreeMap<String, String>,
    span: Option<usize>,
}

#[derive(Default)]
struct Store {
    spans: Vec<SpanSeen>,
    /// Open span ids to their index in `spans` (ids are reused once a span closes).
    open: HashMap<u64, usize>,
    events: Vec<EventSeen>,
}

fn store() -> MutexGuard<'static, Store> {
    static STORE: OnceLock<Mutex<Store>> = OnceLock::new();
    STORE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// Keeps everything in [`store`].
struct Capture;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut store = store();
        store.spans.push(SpanSeen {
            name: attrs.metadata().name().to_owned(),
            fields,
        });
        let index = store.spans.len() - 1;
        store.open.insert(id.into_u64(), index);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut store = store();
        if let Some(&index) = store.open.get(&id.into_u64()) {
            values.record(&mut Fields(&mut store.spans[index].fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span_id = ctx.event_span(event).map(|s| s.id().into_u64());
        let mut store = store();
        let span = span_id.and_then(|id| store.open.get(&id).copied());
        store.events.push(EventSeen {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
            span,
        });
    }

    fn on_close(&self, id: Id, _: Context<'_, S>) {
        store().open.remove(&id.into_u64());
    }
}

/// Installs the subscriber and the recorder once; returns the recorder's snapshotter.
fn snapshotter() -> &'static Snapshotter {
    static SNAPSHOTTER: OnceLock<Snapshotter> = OnceLock::new();
    SNAPSHOTTER.get_or_init(|| {
        tracing::subscriber::set_global_default(Registry::default().with(Capture)).unwrap();
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().unwrap();
        delivery_webhooks::telemetry::metrics::describe();
        snapshotter
    })
}

/// One test at a time: the subscriber and the recorder are global.
fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let snapshotter = snapshotter();
    // Drains the recorder and forgets what earlier tests emitted.
    let _ = snapshotter.snapshot();
    let mut store = store();
    store.spans.clear();
    store.events.clear();
    guard
}

/// A metric as captured: name, sorted labels, value.
#[derive(Debug)]
struct MetricSeen {
    name: String,
    labels: Vec<(String, String)>,
    description: Option<String>,
    value: DebugValue,
}

fn metrics() -> Vec<MetricSeen> {
    snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, description, value)| {
            let mut labels: Vec<_> = key
                .key()
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            labels.sort();
            MetricSeen {
                name: key.key().name().to_owned(),
                labels,
                description: description.map(|d| d.to_string()),
                value,
            }
        })
        .collect()
}

fn find<'a>(
    metrics: &'a [MetricSeen],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a DebugValue> {
    let mut wanted: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    wanted.sort();
    metrics
        .iter()
        .find(|m| m.name == name && m.labels == wanted)
        .map(|m| &m.value)
}

fn counter(metrics: &[MetricSeen], name: &str, labels: &[(&str, &str)]) -> u64 {
    match find(metrics, name, labels) {
        Some(DebugValue::Counter(n)) => *n,
        None => 0,
        Some(other) => panic!("{name} is not a counter: {other:?}"),
    }
}

fn gauge(metrics: &[MetricSeen], name: &str, labels: &[(&str, &str)]) -> f64 {
    match find(metrics, name, labels) {
        Some(DebugValue::Gauge(v)) => v.into_inner(),
        other => panic!("{name} {labels:?} is not a gauge: {other:?}"),
    }
}

fn histogram_len(metrics: &[MetricSeen], name: &str, labels: &[(&str, &str)]) -> usize {
    match find(metrics, name, labels) {
        Some(DebugValue::Histogram(v)) => v.len(),
        None => 0,
        Some(other) => panic!("{name} is not a histogram: {other:?}"),
    }
}

// ----- the server ------------------------------------------------------------------------

fn config(health: Health) -> Config {
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
    config.health = health;
    config
}

/// The ready router on loopback. Its handler refuses (`Err`) a Peddler delivery whose id is
/// `FAIL`, and takes care of everything else.
struct Server {
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(health: Health) -> Self {
        let handler = |delivery: AnyDelivery| async move {
            match &delivery {
                AnyDelivery::Peddler(d) if d.payload.id == "FAIL" => Err("storage is down"),
                _ => Ok(()),
            }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = delivery_webhooks::axum::router(config(health), handler);
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
            _runtime: runtime,
        }
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
        self.call("POST", path, headers, body)
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let url = format!("http://{}{path}", self.addr);
        let mut response = if method == "GET" {
            let mut request = agent.get(&url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call().unwrap()
        } else {
            let mut request = agent.post(&url).header("Content-Type", "application/json");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send(body).unwrap()
        };
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path),
    )
    .unwrap()
}

fn deliveries() -> Vec<SpanSeen> {
    store()
        .spans
        .iter()
        .filter(|s| s.name == "webhook_delivery")
        .cloned()
        .collect()
}

/// The delivery spans of `provider` with `outcome`.
fn spans_of(spans: &[SpanSeen], provider: &str, outcome: &str) -> Vec<SpanSeen> {
    spans
        .iter()
        .filter(|s| s.fields.get("provider").map(String::as_str) == Some(provider))
        .filter(|s| s.fields.get("outcome").map(String::as_str) == Some(outcome))
        .cloned()
        .collect()
}

fn field<'a>(span: &'a SpanSeen, name: &str) -> &'a str {
    span.fields
        .get(name)
        .unwrap_or_else(|| panic!("no field {name} in {span:?}"))
}

/// Every string captured: span and event names, targets, fields, metric names, labels and
/// descriptions.
fn everything(metrics: &[MetricSeen]) -> Vec<String> {
    let store = store();
    let mut all = Vec::new();
    for span in &store.spans {
        all.push(span.name.clone());
        for (k, v) in &span.fields {
            all.push(k.clone());
            all.push(v.clone());
        }
    }
    for event in &store.events {
        all.push(event.target.clone());
        for (k, v) in &event.fields {
            all.push(k.clone());
            all.push(v.clone());
        }
    }
    for m in metrics {
        all.push(m.name.clone());
        all.extend(m.description.clone());
        for (k, v) in &m.labels {
            all.push(k.clone());
            all.push(v.clone());
        }
    }
    all
}

fn assert_no_secret(captured: &[String], extra: &[&str]) {
    assert!(captured.len() > 50, "too little captured: {captured:?}");
    for secret in SECRETS.iter().chain(extra) {
        let digest: String = Sha256::digest(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        for text in captured {
            assert!(!text.contains(secret), "secret {secret} in {text}");
            assert!(!text.contains(&digest), "digest of {secret} in {text}");
            assert!(
                !text.contains(&digest.to_uppercase()),
                "digest of {secret} in {text}"
            );
        }
    }
}

// ----- the tests -------------------------------------------------------------------------

#[test]
fn spans_events_and_metrics_for_every_outcome_without_a_secret() {
    let _turn = exclusive();
    let health = Health::new();
    let server = Server::start(health.clone());

    // Wakilni: genuine (with an attempt number), forged, an unknown event.
    let created = fixture("wakilni/order_created.json");
    let signature = wakilni::sign(WAKILNI_SECRET, &created);
    let headers = [
        ("x-webhook-signature", signature.as_str()),
        ("x-attempt-number", "2"),
    ];
    assert_eq!(server.post("/webhooks/wakilni", &headers, &created).0, 200);
    let forged_signature = wakilni::sign("a-guessed-secret", &created);
    let forged = [("x-webhook-signature", forged_signature.as_str())];
    assert_eq!(server.post("/webhooks/wakilni", &forged, &created).0, 401);
    let unknown_event =
        br#"{"event_id":"ev-unknown-1","event":"Order Teleported","timestamp":"2024-11-14 14:39:13","data":{"order_id":5}}"#;
    let unknown_signature = wakilni::sign(WAKILNI_SECRET, unknown_event);
    let headers = [("x-webhook-signature", unknown_signature.as_str())];
    assert_eq!(
        server.post("/webhooks/wakilni", &headers, unknown_event).0,
        200
    );

    // Peddler: an unknown status, a malformed body with the right token, a delivery the
    // handler cannot store, a wrong token.
    let token = [("x-webhook-shared-token", PEDDLER_TOKEN)];
    let unknown_status = fixture("peddler/unknown_status.json");
    assert_eq!(
        server.post("/webhooks/peddler", &token, &unknown_status).0,
        200
    );
    let malformed = br#"{"id":[],"status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
    let (status, body) = server.post("/webhooks/peddler", &token, malformed);
    assert_eq!(status, 400, "{body}");
    let fail = br#"{"id":"FAIL","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
    assert_eq!(server.post("/webhooks/peddler", &token, fail).0, 500);
    let wrong = [("x-webhook-shared-token", "a-guessed-token")];
    assert_eq!(server.post("/webhooks/peddler", &wrong, fail).0, 401);

    // Xoxoday: genuine through the proxy; an untrusted source.
    let from_xoxoday = [
        ("X-Forwarded-For", "52.76.120.90"),
        ("X-Api-Key", XOXODAY_KEY),
    ];
    let delivered = fixture("xoxoday/delivered.json");
    assert_eq!(
        server
            .post("/webhooks/xoxoday", &from_xoxoday, &delivered)
            .0,
        200
    );
    let elsewhere = [
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Api-Key", XOXODAY_KEY),
    ];
    assert_eq!(
        server.post("/webhooks/xoxoday", &elsewhere, &delivered).0,
        403
    );

    // isendu: the handshake, whose answer holds the secret key; a guessed URL token.
    let isendu = format!("/webhooks/isendu?token={ISENDU_URL_TOKEN}");
    let (status, answer) = server.post(&isendu, &[], &fixture("isendu/verification.json"));
    assert_eq!(status, 200);
    assert!(answer.contains(ISENDU_SECRET));
    let guessed = "/webhooks/isendu?token=guess";
    assert_eq!(
        server
            .post(guessed, &[], &fixture("isendu/verification.json"))
            .0,
        401
    );

    // Skladon: a GET call with the token in the path; a guessed token; a wrong method.
    let get = format!("/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_ORDER_STATUS/12345");
    assert_eq!(server.call("GET", &get, &[], b"").0, 200);
    let guessed = "/webhooks/skladon/guess/UPDATE_ORDER_STATUS/12345";
    assert_eq!(server.call("GET", guessed, &[], b"").0, 401);

    // ----- spans
    let spans = deliveries();
    assert_eq!(spans.len(), 13, "{spans:#?}");
    for span in &spans {
        for name in ["provider", "outcome", "status", "receive_us"] {
            assert!(span.fields.contains_key(name), "{name} missing: {span:?}");
        }
    }
    let genuine = spans_of(&spans, "wakilni", "accepted");
    assert_eq!(genuine.len(), 2);
    assert_eq!(
        field(&genuine[0], "dedup_key"),
        "wakilni:e2986cd1-1e85-4ef1-a85a-89488dd27b92"
    );
    assert_eq!(field(&genuine[0], "attempt"), "2");
    assert_eq!(field(&genuine[0], "status"), "200");
    assert_eq!(field(&genuine[0], "unknown_events"), "0");
    assert!(field(&genuine[0], "handler_us").parse::<u64>().is_ok());
    assert_eq!(field(&genuine[1], "dedup_key"), "wakilni:ev-unknown-1");
    assert_eq!(field(&genuine[1], "unknown_events"), "1");
    assert!(!genuine[1].fields.contains_key("attempt"));

    let forged = spans_of(&spans, "wakilni", "rejected");
    assert_eq!(forged.len(), 1);
    assert_eq!(field(&forged[0], "reason"), "signature");
    assert_eq!(field(&forged[0], "status"), "401");
    assert_eq!(field(&forged[0], "error"), "signature mismatch");
    assert_eq!(field(&forged[0], "authenticated"), "false");
    assert!(!forged[0].fields.contains_key("dedup_key"));

    let peddler_rejected = spans_of(&spans, "peddler", "rejected");
    assert_eq!(peddler_rejected.len(), 2);
    let payload = &peddler_rejected[0];
    assert_eq!(field(payload, "reason"), "payload");
    assert_eq!(field(payload, "authenticated"), "true");
    assert!(field(payload, "error").contains("`id`"), "{payload:?}");
    assert_eq!(field(&peddler_rejected[1], "reason"), "token");
    let failed = spans_of(&spans, "peddler", "failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(field(&failed[0], "reason"), "handler");
    assert_eq!(field(&failed[0], "status"), "500");
    // The handler's own error is logged (and only logged: the 500's body does not show it).
    assert_eq!(field(&failed[0], "error"), "storage is down");
    assert_eq!(
        field(&failed[0], "dedup_key").split(':').next(),
        Some("peddler")
    );
    let unknown = spans_of(&spans, "peddler", "accepted");
    assert_eq!(field(&unknown[0], "unknown_statuses"), "1");

    assert_eq!(
        field(&spans_of(&spans, "xoxoday", "rejected")[0], "reason"),
        "source"
    );
    // The client address is kept in the span, though the 403's body leaves it out.
    assert_eq!(
        field(&spans_of(&spans, "xoxoday", "rejected")[0], "error"),
        "untrusted source address 203.0.113.9"
    );
    assert_eq!(spans_of(&spans, "isendu", "accepted").len(), 1);
    assert_eq!(
        field(&spans_of(&spans, "isendu", "rejected")[0], "reason"),
        "token"
    );
    let skladon = spans_of(&spans, "skladon", "accepted");
    assert_eq!(
        field(&skladon[0], "dedup_key"),
        "skladon:UPDATE_ORDER_STATUS:12345:get"
    );

    // ----- events
    let events = store().events.clone();
    let messages = |level: tracing::Level, text: &str| {
        events
            .iter()
            .filter(|e| {
                e.level == level && e.fields.get("message").is_some_and(|m| m.contains(text))
            })
            .count()
    };
    assert_eq!(messages(tracing::Level::INFO, "delivery accepted"), 6);
    // Forged and misaddressed requests are information, authenticated failures warnings.
    assert_eq!(messages(tracing::Level::INFO, "request rejected"), 5);
    assert_eq!(messages(tracing::Level::WARN, "delivery rejected"), 1);
    assert_eq!(messages(tracing::Level::WARN, "did not take care"), 1);
    let handler_failed: Vec<_> = events
        .iter()
        .filter(|e| e.fields.get("reason").is_some_and(|r| r == "handler"))
        .collect();
    assert_eq!(handler_failed.len(), 1, "{events:#?}");
    assert_eq!(handler_failed[0].fields["error"], "storage is down");
    assert_eq!(handler_failed[0].level, tracing::Level::WARN);
    // Peddler's cut-off is 3: two failures in a row put it at risk.
    let at_risk: Vec<_> = events
        .iter()
        .filter(|e| {
            e.fields
                .get("message")
                .is_some_and(|m| m.contains("about to disable"))
        })
        .collect();
    assert_eq!(at_risk.len(), 1, "{events:#?}");
    assert_eq!(at_risk[0].fields["provider"], "peddler");
    assert_eq!(at_risk[0].fields["consecutive_failures"], "2");
    assert_eq!(at_risk[0].target, "delivery_webhooks");
    // Every accepted or rejected event happened inside its delivery's span.
    assert!(
        events
            .iter()
            .filter(|e| e
                .fields
                .get("message")
                .is_some_and(|m| m.contains("rejected") || m.contains("accepted")))
            .all(|e| e.span.is_some())
    );

    // ----- metrics
    let metrics = metrics();
    let received = "delivery_webhooks_received_total";
    assert_eq!(
        counter(
            &metrics,
            received,
            &[("provider", "wakilni"), ("outcome", "accepted")]
        ),
        2
    );
    assert_eq!(
        counter(
            &metrics,
            received,
            &[("provider", "wakilni"), ("outcome", "rejected")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            received,
            &[("provider", "peddler"), ("outcome", "failed")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            received,
            &[("provider", "peddler"), ("outcome", "rejected")]
        ),
        2
    );
    assert_eq!(
        counter(
            &metrics,
            received,
            &[("provider", "skladon"), ("outcome", "accepted")]
        ),
        1
    );
    let rejected = "delivery_webhooks_rejected_total";
    assert_eq!(
        counter(
            &metrics,
            rejected,
            &[("provider", "wakilni"), ("reason", "signature")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            rejected,
            &[("provider", "peddler"), ("reason", "payload")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            rejected,
            &[("provider", "peddler"), ("reason", "token")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            rejected,
            &[("provider", "xoxoday"), ("reason", "source")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            rejected,
            &[("provider", "isendu"), ("reason", "token")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            rejected,
            &[("provider", "skladon"), ("reason", "token")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_handler_failures_total",
            &[("provider", "peddler")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_unknown_events_total",
            &[("provider", "wakilni")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_unknown_statuses_total",
            &[("provider", "peddler")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_unknown_statuses_total",
            &[("provider", "wakilni")]
        ),
        1
    );
    let receive = "delivery_webhooks_receive_seconds";
    assert_eq!(
        histogram_len(
            &metrics,
            receive,
            &[("provider", "wakilni"), ("outcome", "accepted")]
        ),
        2
    );
    assert_eq!(
        histogram_len(
            &metrics,
            receive,
            &[("provider", "peddler"), ("outcome", "rejected")]
        ),
        2
    );
    let handler = "delivery_webhooks_handler_seconds";
    assert_eq!(
        histogram_len(
            &metrics,
            handler,
            &[("provider", "peddler"), ("outcome", "failed")]
        ),
        1
    );
    assert_eq!(
        gauge(
            &metrics,
            "delivery_webhooks_consecutive_failures",
            &[("provider", "peddler")]
        ),
        2.0
    );
    assert_eq!(
        gauge(
            &metrics,
            "delivery_webhooks_at_risk",
            &[("provider", "peddler")]
        ),
        1.0
    );
    assert_eq!(
        gauge(
            &metrics,
            "delivery_webhooks_at_risk",
            &[("provider", "wakilni")]
        ),
        0.0
    );
    let names: Vec<_> = metrics.iter().map(|m| m.name.as_str()).collect();
    assert!(
        names.iter().all(|n| n.starts_with("delivery_webhooks_")),
        "{names:?}"
    );
    let labels: Vec<_> = metrics
        .iter()
        .flat_map(|m| m.labels.iter().map(|(k, _)| k.as_str()))
        .collect();
    assert!(
        labels
            .iter()
            .all(|l| ["provider", "reason", "outcome"].contains(l)),
        "{labels:?}"
    );

    // ----- health: forged requests did not count, authenticated failures did.
    let peddler = health.provider(Provider::Peddler);
    assert_eq!((peddler.consecutive_failures, peddler.at_risk), (2, true));
    assert_eq!(
        peddler.last_error.as_deref(),
        Some("the handler did not take care of the delivery (answered 500)")
    );
    for p in [
        Provider::Wakilni,
        Provider::Xoxoday,
        Provider::Isendu,
        Provider::Skladon,
    ] {
        assert_eq!(health.provider(p).consecutive_failures, 0, "{p}");
    }
    let report = serde_json::to_string(&health.report()).unwrap();

    // ----- no secret anywhere
    let mut captured = everything(&metrics);
    captured.push(report);
    assert_no_secret(
        &captured,
        &[signature.as_str(), unknown_signature.as_str(), &answer],
    );
}

#[test]
fn xoxoday_warns_at_the_second_consecutive_failure_and_resets_on_success() {
    let _turn = exclusive();
    let (tx, warnings) = mpsc::channel::<HealthWarning>();
    let tx = Mutex::new(tx);
    let health = Health::new().on_warning(move |w| {
        let _ = tx.lock().unwrap().send(w.clone());
    });
    let server = Server::start(health.clone());
    let path = "/webhooks/xoxoday";
    let from_xoxoday = [
        ("X-Forwarded-For", "52.76.120.90"),
        ("X-Api-Key", XOXODAY_KEY),
    ];
    let delivered = fixture("xoxoday/delivered.json");
    let malformed = String::from_utf8(delivered.clone())
        .unwrap()
        .replace("10254678901", "\"not a number\"");
    // Watched from the start, healthy.
    let report = health.report();
    assert_eq!(report.providers.len(), 5);
    assert!(!report.at_risk);

    assert_eq!(
        server.post(path, &from_xoxoday, malformed.as_bytes()).0,
        400
    );
    assert_eq!(health.provider(Provider::Xoxoday).consecutive_failures, 1);
    assert!(warnings.try_recv().is_err());

    // Forged requests, however many, neither count nor reset.
    let no_key = [("X-Forwarded-For", "52.76.120.90")];
    let elsewhere = [
        ("X-Forwarded-For", "198.51.100.7"),
        ("X-Api-Key", XOXODAY_KEY),
    ];
    for _ in 0..4 {
        assert_eq!(server.post(path, &no_key, &delivered).0, 401);
        assert_eq!(server.post(path, &elsewhere, &delivered).0, 403);
    }
    assert_eq!(health.provider(Provider::Xoxoday).consecutive_failures, 1);
    assert!(warnings.try_recv().is_err());

    assert_eq!(
        server.post(path, &from_xoxoday, malformed.as_bytes()).0,
        400
    );
    let warning = warnings.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(warning.provider, Provider::Xoxoday);
    assert_eq!((warning.consecutive_failures, warning.cutoff), (2, 3));
    assert!(!warning.likely_disabled);
    assert!(
        warning.last_error.contains("data.orderId"),
        "{}",
        warning.last_error
    );
    let now = health.provider(Provider::Xoxoday);
    assert!(now.at_risk && !now.likely_disabled);
    let json = serde_json::to_value(health.report()).unwrap();
    assert_eq!(json["at_risk"], true);
    let xoxoday = json["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == "xoxoday")
        .unwrap()
        .clone();
    assert_eq!(xoxoday["consecutive_failures"], 2);
    assert_eq!(xoxoday["warn_at"], 2);
    assert_eq!(xoxoday["at_risk"], true);
    assert!(xoxoday["last_failure"].as_str().unwrap().ends_with('Z'));
    assert_eq!(xoxoday["last_success"], serde_json::Value::Null);
    let warned: Vec<_> = store()
        .events
        .iter()
        .filter(|e| {
            e.level == tracing::Level::WARN
                && e.fields
                    .get("message")
                    .is_some_and(|m| m.contains("about to disable"))
        })
        .map(|e| e.fields.clone())
        .collect();
    assert_eq!(warned.len(), 1);
    assert_eq!(warned[0]["provider"], "xoxoday");
    assert_eq!(warned[0]["cutoff"], "3");

    // A success resets the count; the next run of failures warns again.
    assert_eq!(server.post(path, &from_xoxoday, &delivered).0, 200);
    let now = health.provider(Provider::Xoxoday);
    assert_eq!((now.consecutive_failures, now.at_risk), (0, false));
    assert!(now.last_success.is_some());
    assert_eq!(
        gauge(
            &metrics(),
            "delivery_webhooks_at_risk",
            &[("provider", "xoxoday")]
        ),
        0.0
    );
    assert_eq!(
        server.post(path, &from_xoxoday, malformed.as_bytes()).0,
        400
    );
    assert!(warnings.try_recv().is_err());
    assert_eq!(
        server.post(path, &from_xoxoday, malformed.as_bytes()).0,
        400
    );
    assert_eq!(
        warnings
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .consecutive_failures,
        2
    );
    // The third: Xoxoday has likely disabled the endpoint.
    assert_eq!(
        server.post(path, &from_xoxoday, malformed.as_bytes()).0,
        400
    );
    let last = warnings.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(last.likely_disabled);
    assert!(health.provider(Provider::Xoxoday).likely_disabled);
    assert!(store().events.iter().any(|e| {
        e.level == tracing::Level::ERROR
            && e.fields
                .get("message")
                .is_some_and(|m| m.contains("likely disabled"))
    }));

    assert_no_secret(&everything(&metrics()), &[]);
}

#[test]
fn inbox_hooks_reach_the_recorder() {
    let _turn = exclusive();
    delivery_webhooks::telemetry::record_duplicate(Provider::Skladon);
    delivery_webhooks::telemetry::record_duplicate(Provider::Skladon);
    delivery_webhooks::telemetry::record_accept_time(Provider::Skladon, Duration::from_millis(4));
    delivery_webhooks::telemetry::record_inbox_depth(17);
    delivery_webhooks::telemetry::record_dead_letters(3);
    let metrics = metrics();
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_duplicates_total",
            &[("provider", "skladon")]
        ),
        2
    );
    assert_eq!(
        histogram_len(
            &metrics,
            "delivery_webhooks_accept_seconds",
            &[("provider", "skladon")]
        ),
        1
    );
    assert_eq!(gauge(&metrics, "delivery_webhooks_inbox_depth", &[]), 17.0);
    assert_eq!(gauge(&metrics, "delivery_webhooks_dead_letters", &[]), 3.0);
    let described = metrics
        .iter()
        .find(|m| m.name == "delivery_webhooks_duplicates_total")
        .and_then(|m| m.description.clone());
    assert!(described.is_some_and(|d| d.contains("Retries")));
    assert!(store().events.iter().any(|e| {
        e.fields
            .get("message")
            .is_some_and(|m| m == "duplicate delivery")
    }));
}

/// Peddler issues its shared token, so a short one keeps working: one warning at start-up that
/// names the variable (never the value), and a flag in the health report. A short URL token,
/// which the operator chooses, is refused instead.
#[test]
fn a_short_peddler_token_is_accepted_with_one_warning() {
    let _guard = exclusive();
    let short = "pd-token";
    let config =
        Config::from_vars(|name| (name == "PEDDLER_WEBHOOK_TOKEN").then(|| short.into())).unwrap();
    let token = [("x-webhook-shared-token", short)];
    config
        .peddler
        .as_ref()
        .unwrap()
        .verify(&delivery_webhooks::Request::new(&token, b"{}"))
        .unwrap();
    let report = config.health.report();
    assert_eq!(report.providers.len(), 1);
    assert!(report.providers[0].short_credential);
    // Built again on the same health: no second warning.
    Config::builder()
        .health(config.health.clone())
        .peddler_token(short)
        .build()
        .unwrap();

    let events = store().events.clone();
    let warnings: Vec<&EventSeen> = events
        .iter()
        .filter(|e| e.fields.contains_key("setting"))
        .collect();
    assert_eq!(warnings.len(), 1, "{events:?}");
    let warning = warnings[0];
    assert_eq!(warning.level, tracing::Level::WARN);
    assert_eq!(warning.target, "delivery_webhooks");
    assert_eq!(warning.fields["setting"], "PEDDLER_WEBHOOK_TOKEN");
    assert_eq!(warning.fields["provider"], "peddler");
    assert!(
        warning.fields["message"].contains("shorter than 16 bytes"),
        "{warning:?}"
    );
    assert!(!format!("{events:?}").contains(short), "{events:?}");

    let err =
        Config::from_vars(|name| (name == "SKLADON_URL_TOKEN").then(|| "tok-5f1c9a7e2b".into()))
            .unwrap_err();
    assert_eq!(err.len(), 1, "{err}");
    let err = &err.errors()[0];
    assert_eq!(err.variable(), Some("SKLADON_URL_TOKEN"));
    assert!(err.reason().contains("at least 16 bytes"), "{err}");
}

/// Inbox mode is observed as the router is: a forged request gets a span with its reason and
/// a `rejected` count before any body is read, a stored delivery is `accepted`, and endpoint
/// health records both (the forgery never counts as a failure).
#[cfg(feature = "inbox-sqlite")]
#[test]
fn inbox_mode_records_refusals_and_acceptances_as_the_router_does() {
    use delivery_webhooks::inbox::{InboxOptions, SqliteInbox};
    let _turn = exclusive();
    let health = Health::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-telemetry-inbox-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let inbox = runtime
        .block_on(SqliteInbox::open(
            dir.join("inbox.db"),
            InboxOptions::default(),
        ))
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let app = delivery_webhooks::axum::inbox_router(config(health.clone()), inbox);
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let server = Server {
        addr,
        _runtime: runtime,
    };
    let body = fixture("peddler/out_for_delivery.json");
    let wrong = [("x-webhook-shared-token", "a-guessed-token")];
    assert_eq!(server.post("/webhooks/peddler", &wrong, &body).0, 401);
    let token = [("x-webhook-shared-token", PEDDLER_TOKEN)];
    assert_eq!(server.post("/webhooks/peddler", &token, &body).0, 200);

    let spans = deliveries();
    let rejected = spans_of(&spans, "peddler", "rejected");
    assert_eq!(rejected.len(), 1, "{spans:#?}");
    assert_eq!(field(&rejected[0], "reason"), "token");
    assert_eq!(field(&rejected[0], "status"), "401");
    let accepted = spans_of(&spans, "peddler", "accepted");
    assert_eq!(accepted.len(), 1, "{spans:#?}");
    assert!(field(&accepted[0], "dedup_key").starts_with("peddler:"));
    let metrics = metrics();
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_rejected_total",
            &[("provider", "peddler"), ("reason", "token")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "delivery_webhooks_received_total",
            &[("provider", "peddler"), ("outcome", "accepted")]
        ),
        1
    );
    let report = health.provider(Provider::Peddler);
    assert_eq!(report.consecutive_failures, 0);
    assert!(report.last_success.is_some(), "{report:?}");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// The worker's handler follows the router's rule: a named function returning the crate's
/// `HandlerResult` writes a bare `Ok(())`, `?` converts any error, and an `Err` fails the item
/// with a `warn` event carrying the handler's error and the delivery's key.
#[cfg(feature = "inbox-sqlite")]
#[test]
fn a_failing_worker_handler_is_logged_as_a_router_handler_is() {
    use delivery_webhooks::inbox::{Inbox, InboxOptions, Item, SqliteInbox, Worker};
    use delivery_webhooks::{HandlerError, HandlerResult, OwnedRequest, peddler};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    async fn handle(item: Item) -> HandlerResult {
        let AnyDelivery::Peddler(d) = &item.delivery else {
            return Ok(());
        };
        if d.payload.id == "FAIL" {
            // Any std::error::Error converts with `?`.
            Err(std::io::Error::other("storage is down"))?;
        }
        if d.payload.id.is_empty() {
            return Err(HandlerError::msg("no id"));
        }
        Ok(())
    }

    let _turn = exclusive();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-telemetry-worker-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let report = runtime.block_on(async {
        let inbox = SqliteInbox::open(dir.join("inbox.db"), InboxOptions::default())
            .await
            .unwrap();
        let body = br#"{"id":"FAIL","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
        let verifier = peddler::Verifier::new(PEDDLER_TOKEN).unwrap();
        let raw = OwnedRequest::post_json("/webhooks/peddler", body.to_vec())
            .header("x-webhook-shared-token", PEDDLER_TOKEN);
        let delivery = AnyDelivery::from(verifier.receive(&raw.request()).unwrap());
        inbox.accept(&delivery, &raw).await.unwrap();
        let handled = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&handled);
        let stop = std::future::poll_fn(move |_| {
            if seen.load(Ordering::SeqCst) {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        });
        Worker::new(inbox)
            .idle(Duration::from_millis(10))
            .run(
                move |item| {
                    handled.store(true, Ordering::SeqCst);
                    handle(item)
                },
                stop,
            )
            .await
    });
    assert_eq!((report.completed, report.failed), (0, 1));
    let events = store().events.clone();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.fields.get("reason").is_some_and(|r| r == "handler"))
        .collect();
    assert_eq!(failed.len(), 1, "{events:#?}");
    assert_eq!(failed[0].level, tracing::Level::WARN);
    assert_eq!(failed[0].fields["error"], "storage is down");
    assert_eq!(failed[0].fields["provider"], "peddler");
    assert_eq!(failed[0].fields["attempt"], "1");
    assert!(failed[0].fields["dedup_key"].starts_with("peddler:FAIL:"));
    let _ = std::fs::remove_dir_all(dir);
}

/// actix's router follows the same rule as axum's: a named handler returning the crate's
/// `HandlerResult`, and an `Err` answered 500 (the error not shown) and logged.
#[cfg(feature = "actix")]
#[test]
fn an_actix_handler_error_is_answered_500_and_logged() {
    use actix_web::test::{TestRequest, call_service, init_service, read_body};
    use delivery_webhooks::{HandlerError, HandlerResult};

    async fn handle(delivery: AnyDelivery) -> HandlerResult {
        match &delivery {
            AnyDelivery::Peddler(d) if d.payload.id == "FAIL" => {
                Err(HandlerError::msg("the queue is full"))
            }
            _ => Ok(()),
        }
    }

    let _turn = exclusive();
    actix_web::rt::System::new().block_on(async {
        let app = init_service(
            actix_web::App::new().service(delivery_webhooks::actix::router(
                config(Health::new()),
                handle,
            )),
        )
        .await;
        let token = ("x-webhook-shared-token", PEDDLER_TOKEN);
        let fail = br#"{"id":"FAIL","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
        let response = call_service(
            &app,
            TestRequest::post()
                .uri("/webhooks/peddler")
                .insert_header(token)
                .set_payload(fail.to_vec())
                .to_request(),
        )
        .await;
        assert_eq!(response.status().as_u16(), 500);
        let body = read_body(response).await;
        assert!(
            !String::from_utf8_lossy(&body).contains("queue is full"),
            "{body:?}"
        );
        let fine = br#"{"id":"OK","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500}"#;
        let response = call_service(
            &app,
            TestRequest::post()
                .uri("/webhooks/peddler")
                .insert_header(token)
                .set_payload(fine.to_vec())
                .to_request(),
        )
        .await;
        assert_eq!(response.status().as_u16(), 200);
    });
    let spans = deliveries();
    let failed = spans_of(&spans, "peddler", "failed");
    assert_eq!(failed.len(), 1, "{spans:#?}");
    assert_eq!(field(&failed[0], "error"), "the queue is full");
    let events = store().events.clone();
    assert!(events.iter().any(|e| {
        e.level == tracing::Level::WARN
            && e.fields
                .get("error")
                .is_some_and(|m| m == "the queue is full")
    }));
}
