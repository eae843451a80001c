//! A tour of the whole receiver on the embedded default, with no server to install: the axum
//! adapter in inbox mode on loopback, a SQLite inbox in a temporary file, and a worker.
//!
//! Every shipped fixture is delivered over real HTTP as its provider would send it (signed,
//! tokened, from Xoxoday's address behind a proxy, isendu's handshake first); Wakilni's are
//! retried with the next `x-attempt-number`, and every delivery is also sent twice at once.
//! Each is acknowledged (200) as soon as it is stored; duplicates are acknowledged too but
//! stored, and so processed, once. A forged delivery is refused. The worker then prints the
//! processed events as a short typed summary.
//!
//! The operator console is mounted beside the receiver at `/console` (loopback only), and the
//! tour ends by printing its URL. With `--serve` it keeps serving the receiver and the console
//! until Ctrl-C, so you can open the console in a browser; without it, it exits by itself.
//!
//! Run it from the repository root:
//! `cargo run --example tour --features axum,inbox-sqlite,console-web` (add `-- --serve`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use delivery_webhooks::console::Console;
use delivery_webhooks::console::web::{ConsoleAuth, ConsoleWeb};
use delivery_webhooks::inbox::{Inbox, InboxOptions, Item, SqliteInbox, Worker};
use delivery_webhooks::{AnyDelivery, Config, HandlerResult, isendu, wakilni};

const WAKILNI_SECRET: &str = "tour-secret";
const PEDDLER_TOKEN: &str = "tour-token";
const XOXODAY_KEY: &str = "TourKey2024xyz";
const ISENDU_URL_TOKEN: &str = "tour-url-token-5f1c";
const SKLADON_TOKEN: &str = "tour-skladon-token";

fn fixtures(provider: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let body = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, body)
        })
        .collect()
}

/// One line per delivery, whatever the provider.
fn summary(delivery: &AnyDelivery) -> String {
    match delivery {
        AnyDelivery::Wakilni(d) => format!(
            "{}, order {:?}",
            d.payload.event_name(),
            d.payload.data.order_id()
        ),
        AnyDelivery::Peddler(d) => format!(
            "{} code {}, shipment {}",
            d.payload.status, d.payload.code, d.payload.id
        ),
        AnyDelivery::Xoxoday(d) => format!(
            "{}, order {}",
            d.payload.data.delivery_status, d.payload.data.order_id
        ),
        AnyDelivery::Isendu(d) => match &d.payload {
            isendu::Message::Update(u) => format!(
                "batch: {} order(s), {} tracking(s)",
                u.order.len(),
                u.tracking.len()
            ),
            _ => "handshake".to_owned(),
        },
        AnyDelivery::Skladon(d) => {
            let id = d
                .payload
                .entity_id()
                .unwrap_or_else(|| "(unknown)".to_owned());
            format!("{} {id}", d.payload.webhook_type())
        }
        other => format!("{other:?}"),
    }
}

/// The Skladon webhook type a fixture was sent for (the body carries none: it is in the URL).
fn skladon_type(name: &str) -> &'static str {
    match name.split('_').next().unwrap_or_default() {
        _ if name.contains("completition") => "CREATE_STOCK_MOVEMENT_COMPLETITION",
        "order" => "UPDATE_ORDER",
        "product" => "UPDATE_PRODUCT",
        "receiving" => "UPDATE_RECEIVING",
        "return" => "UPDATE_RETURN",
        // A type this crate does not know, with an entity it does not know: kept as sent.
        "unknown" => "CREATE_PICKING_LIST",
        _ => "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
    }
}

/// One HTTP call as its provider makes it.
struct Call {
    what: String,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn all_calls() -> Vec<Call> {
    let mut calls = Vec::new();
    let mut call = |what: String, method, path: String, headers, body| {
        calls.push(Call {
            what,
            method,
            path,
            headers,
            body,
        });
    };
    for (name, body) in fixtures("wakilni") {
        // The first attempt, then Wakilni's retry of the same event_id.
        for attempt in ["1", "2"] {
            let headers = vec![
                ("x-webhook-signature", wakilni::sign(WAKILNI_SECRET, &body)),
                ("x-attempt-number", attempt.to_owned()),
            ];
            let what = format!("wakilni/{name} (attempt {attempt})");
            call(
                what,
                "POST",
                "/webhooks/wakilni".into(),
                headers,
                body.clone(),
            );
        }
    }
    for (name, body) in fixtures("peddler") {
        let headers = vec![("x-webhook-shared-token", PEDDLER_TOKEN.to_owned())];
        call(
            format!("peddler/{name}"),
            "POST",
            "/webhooks/peddler".into(),
            headers,
            body,
        );
    }
    for (name, body) in fixtures("xoxoday") {
        // From Xoxoday's address, through a proxy on loopback.
        let headers = vec![
            ("x-api-key", XOXODAY_KEY.to_owned()),
            ("x-forwarded-for", "52.76.120.90".to_owned()),
        ];
        call(
            format!("xoxoday/{name}"),
            "POST",
            "/webhooks/xoxoday".into(),
            headers,
            body,
        );
    }
    let mut isendu = fixtures("isendu");
    // The handshake comes first.
    isendu.sort_by_key(|(name, _)| name != "verification");
    for (name, body) in isendu {
        let path = format!("/webhooks/isendu?token={ISENDU_URL_TOKEN}");
        call(format!("isendu/{name}"), "POST", path, Vec::new(), body);
    }
    for (name, body) in fixtures("skladon") {
        let path = format!("/webhooks/skladon/{SKLADON_TOKEN}/{}", skladon_type(&name));
        call(format!("skladon/{name}"), "POST", path, Vec::new(), body);
    }
    let path = format!("/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_ORDER_STATUS/123456");
    call(
        "skladon GET .../123456".into(),
        "GET",
        path,
        Vec::new(),
        Vec::new(),
    );
    calls
}

/// Sends one call over HTTP; the status and body of the answer.
fn send(addr: SocketAddr, call: &Call) -> Result<(u16, String), ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://{addr}{}", call.path);
    let mut response = if call.method == "GET" {
        agent.get(&url).call()?
    } else {
        let mut request = agent.post(&url).header("content-type", "application/json");
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        request.send(&call.body[..])?
    };
    Ok((
        response.status().as_u16(),
        response.body_mut().read_to_string()?,
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let serve = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--serve") => true,
        Some(other) => return Err(format!("unknown argument {other:?}; expected --serve").into()),
    };
    let config = Config::builder()
        .wakilni_secret(WAKILNI_SECRET)
        .peddler_token(PEDDLER_TOKEN)
        .xoxoday_enabled(true)
        .xoxoday_api_key(XOXODAY_KEY)
        .xoxoday_trusted_proxies(["127.0.0.1"])
        .isendu_key("ak_3f1c2a9e5b7d4e8a", "tour-secret-key")
        .isendu_url_token(ISENDU_URL_TOKEN)
        .skladon_token(SKLADON_TOKEN)
        .build()?;

    // The inbox: one SQLite file, here in a temporary directory.
    let dir = std::env::temp_dir().join(format!("delivery-webhooks-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let inbox = SqliteInbox::open(dir.join("inbox.db"), InboxOptions::default()).await?;

    // The receiver: verify, store, answer 200, on loopback; the operator console beside it,
    // for this machine only (no credential: every peer off the loopback interface is refused).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let console = ConsoleWeb::new(Console::from(inbox.clone()), ConsoleAuth::LoopbackOnly)?
        .health(config.health.clone())
        .base_path("/console")?;
    let app = delivery_webhooks::axum::inbox_router(config, inbox.clone())
        .nest("/console", delivery_webhooks::axum::console_router(console));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    println!(
        "delivery-webhooks tour: a receiver on http://{addr}, its inbox in {}",
        inbox.path().display()
    );

    // Every delivery, each sent twice at once (a duplicate racing the original).
    let calls = Arc::new(all_calls());
    let sent = tokio::task::spawn_blocking({
        let calls = Arc::clone(&calls);
        move || -> Result<usize, ureq::Error> {
            for call in calls.iter() {
                let answers = std::thread::scope(|s| {
                    let copies: Vec<_> = (0..2).map(|_| s.spawn(|| send(addr, call))).collect();
                    copies
                        .into_iter()
                        .map(|c| c.join().expect("a sender"))
                        .collect::<Vec<_>>()
                });
                for answer in answers {
                    let (status, body) = answer?;
                    assert_eq!(status, 200, "{}: {body}", call.what);
                }
                if call.what == "isendu/verification" {
                    println!("  isendu handshake answered at once with the secret key, not stored");
                }
            }
            Ok(2 * calls.len())
        }
    })
    .await??;

    // A forged delivery: a Wakilni body signed with a guessed secret.
    let mut forged = all_calls()
        .into_iter()
        .find(|c| c.path == "/webhooks/wakilni")
        .expect("a wakilni fixture");
    forged.headers[0].1 = wakilni::sign("guess", &forged.body);
    let (status, problem) = tokio::task::spawn_blocking(move || send(addr, &forged)).await??;
    assert_eq!(status, 401);
    println!("  forged Wakilni delivery refused: {status} {problem}");

    let stats = inbox.stats().await?;
    println!(
        "\n{sent} requests acknowledged with 200; {} distinct deliveries stored, every retry and duplicate acknowledged but stored once.",
        stats.pending
    );

    // The worker: each stored delivery into the handler, once.
    let processed = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(inbox.clone())
            .idle(Duration::from_millis(20))
            .run(
                {
                    let processed = Arc::clone(&processed);
                    move |item: Item| {
                        let processed = Arc::clone(&processed);
                        async move {
                            let d = &item.delivery;
                            println!(
                                "  processed  {:<8} {:<48} {}",
                                d.provider(),
                                short(d),
                                summary(d)
                            );
                            *processed
                                .lock()
                                .expect("the tally")
                                .entry(d.dedup_key().to_string())
                                .or_default() += 1;
                            HandlerResult::Ok(())
                        }
                    }
                },
                async {
                    let _ = stopped.await;
                },
            ),
    );
    while inbox.stats().await?.completed < stats.pending {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    let report = worker.await?;
    let processed = std::mem::take(&mut *processed.lock().expect("the tally"));
    assert!(
        processed.values().all(|n| *n == 1),
        "each delivery processed once"
    );
    println!(
        "\nAll {} stored deliveries processed exactly once ({} handler calls); the forged one refused.",
        processed.len(),
        report.completed
    );

    // The console's overview answers, with what the worker did.
    let url = format!("http://{addr}/console");
    let overview = Call {
        what: "the console's overview".into(),
        method: "GET",
        path: "/console".into(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    let (status, page) = tokio::task::spawn_blocking(move || send(addr, &overview)).await??;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<main id=\"overview\">"), "{page}");
    println!("\nThe operator console (this machine only): {url}");
    if serve {
        println!("Serving the receiver on http://{addr}/webhooks/… and the console until Ctrl-C.");
        tokio::signal::ctrl_c().await?;
        println!("Stopped.");
    } else {
        println!("Run the tour with `-- --serve` to keep it open in a browser.");
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The dedup key, cut short for the table.
fn short(d: &AnyDelivery) -> String {
    d.dedup_key().to_string().chars().take(48).collect()
}
