//! The operator console (#34) in a real browser: Chromium driven over WebDriver.
//! `scripts/with-chromium.sh` starts chromedriver on loopback and sets
//! `DELIVERY_WEBHOOKS_TEST_WEBDRIVER_URL`; without it each test prints a notice and passes,
//! unless `DELIVERY_WEBHOOKS_REQUIRE_BROWSER=1` (as in CI) makes its absence a failure.
//!
//! Each test serves the console itself over loopback HTTP (`axum::console_router`,
//! loopback-only), over a SQLite inbox it fills through the library with genuine fixture
//! deliveries: one that a worker's handler failed (dead), one it processed, and four waiting:
//! a Wakilni order created and then completed (waybill `WK123456`), Peddler's last mile of the
//! same parcel (its `metaData` the waybill) and a Skladon order whose customer names are
//! markup. Only one browser runs at a time (2 cores); every wait is a bounded poll on a
//! condition (a URL, an attribute), never a sleep that decides the verdict.
//!
//! With `DELIVERY_WEBHOOKS_CONSOLE_SCREENSHOTS=<dir>` the overview, story and item tests save
//! `overview.png`, `story.png` and `item.png` there, in a 1280×900 window (`docs/console.md`,
//! "Screenshots").
#![cfg(all(
    feature = "console-web",
    feature = "axum",
    feature = "inbox-sqlite",
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "skladon"
))]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use url::Url;

use delivery_webhooks::console::Console;
use delivery_webhooks::console::web::{ConsoleAuth, ConsoleWeb};
use delivery_webhooks::inbox::{
    Acceptance, Inbox, InboxOptions, Item, ItemId, ItemState, SqliteInbox, Worker,
};
use delivery_webhooks::{
    AnyDelivery, Config, HandlerError, OwnedRequest, Provider, Request, wakilni,
};

const WAKILNI_SECRET: &str = "browser-wakilni-secret";
const PEDDLER_TOKEN: &str = "browser-peddler-token";
const XOXODAY_KEY: &str = "browserXoxodayKey1";
const SKLADON_TOKEN: &str = "browser-skladon-token";

/// The waybill of the shipment whose story the tests read.
const WAYBILL: &str = "WK123456";
/// The customer names of the hostile Skladon order.
const SCRIPT_NAME: &str = "<script>window.pwned=1</script>";
const IMG_NAME: &str = "\"><img src=x onerror=\"window.pwned=2\">";
/// The error the worker's handler fails the Peddler delivery with.
const HANDLER_ERROR: &str = "ERP timeout after 30s for order 4711";

/// The browser window for every page but the phone's: the screenshots' size.
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (375, 812);

/// Only one browser at a time: the machine has 2 cores, and Chromium starting seven times at
/// once makes every test slow.
static BROWSER: Mutex<()> = Mutex::new(());

/// The WebDriver URL, or `None` (with a notice) when it is absent and not required.
fn webdriver(test: &str) -> Option<String> {
    match std::env::var("DELIVERY_WEBHOOKS_TEST_WEBDRIVER_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("DELIVERY_WEBHOOKS_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "DELIVERY_WEBHOOKS_REQUIRE_BROWSER=1 but DELIVERY_WEBHOOKS_TEST_WEBDRIVER_URL is not set"
            );
            eprintln!(
                "SKIPPED {test}: no browser (run it under scripts/with-chromium.sh, see README)"
            );
            None
        }
    }
}

fn config() -> Config {
    Config::builder()
        .wakilni_secret(WAKILNI_SECRET)
        .peddler_token(PEDDLER_TOKEN)
        .xoxoday_enabled(true)
        .xoxoday_api_key(XOXODAY_KEY)
        .xoxoday_trusted_proxies(["127.0.0.1"])
        .skladon_token(SKLADON_TOKEN)
        .build()
        .unwrap()
}

/// The fixture `provider/name`, changed by `edit`.
fn fixture(name: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    let mut body: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut body);
    serde_json::to_vec(&body).unwrap()
}

/// `body` as its provider sends it: the delivery the crate makes of it, and the request the
/// inbox stores.
fn delivery(config: &Config, provider: Provider, body: Vec<u8>) -> (AnyDelivery, OwnedRequest) {
    let (path, headers): (String, Vec<(&str, String)>) = match provider {
        Provider::Wakilni => (
            "/webhooks/wakilni".into(),
            vec![
                ("x-webhook-signature", wakilni::sign(WAKILNI_SECRET, &body)),
                ("x-attempt-number", "1".into()),
            ],
        ),
        Provider::Peddler => (
            "/webhooks/peddler".into(),
            vec![("x-webhook-shared-token", PEDDLER_TOKEN.into())],
        ),
        Provider::Xoxoday => (
            "/webhooks/xoxoday".into(),
            vec![
                ("x-api-key", XOXODAY_KEY.into()),
                ("x-forwarded-for", "52.76.120.90".into()),
            ],
        ),
        _ => (
            format!("/webhooks/skladon/{SKLADON_TOKEN}/UPDATE_ORDER"),
            Vec::new(),
        ),
    };
    let peer: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let request = Request::new(&headers, &body)
        .method("POST")
        .uri(&path)
        .peer(peer);
    let delivery: AnyDelivery = match provider {
        Provider::Wakilni => config
            .wakilni
            .as_ref()
            .unwrap()
            .receive(&request)
            .map(Into::into),
        Provider::Peddler => config
            .peddler
            .as_ref()
            .unwrap()
            .receive(&request)
            .map(Into::into),
        Provider::Xoxoday => config
            .xoxoday
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
    .unwrap_or_else(|e| panic!("{provider:?}: {e}"));
    let mut raw = OwnedRequest::new("POST", path.clone())
        .peer(peer)
        .body(body.clone());
    for (name, value) in &headers {
        raw = raw.header(*name, value.clone());
    }
    (delivery, raw)
}

async fn accept(inbox: &SqliteInbox, (delivery, raw): (AnyDelivery, OwnedRequest)) -> ItemId {
    match inbox.accept(&delivery, &raw).await.unwrap() {
        Acceptance::Accepted(id) => id,
        other => panic!("{}: {other:?}", delivery.dedup_key()),
    }
}

/// The items the tests look at.
#[derive(Debug)]
struct Items {
    /// Peddler's failed attempt, failed by the worker's handler: dead.
    dead: ItemId,
    /// Xoxoday's delivered order, processed.
    done: ItemId,
    /// Wakilni: the order with waybill `WK123456` created, then completed.
    created: ItemId,
    completed: ItemId,
    /// Peddler out for delivery with the same parcel (`metaData` = the waybill).
    last_mile: ItemId,
    /// Skladon's order whose customer names are markup.
    hostile: ItemId,
}

/// The console on loopback over its own inbox, and what it answered.
struct Site {
    addr: SocketAddr,
    console: Console,
    items: Items,
    /// Every request the console answered: method, path, status.
    answers: Arc<Mutex<Vec<(String, String, u16)>>>,
    dir: PathBuf,
}

impl Site {
    async fn start(test: &str) -> Site {
        let dir = std::env::temp_dir().join(format!(
            "delivery-webhooks-browser-{test}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let options = InboxOptions::default().max_attempts(1);
        let inbox = SqliteInbox::open(dir.join("inbox.db"), options)
            .await
            .unwrap();
        let items = fill(&inbox).await;
        let console = Console::from(inbox);
        let web = ConsoleWeb::new(console.clone(), ConsoleAuth::LoopbackOnly).unwrap();
        let answers = Arc::new(Mutex::new(Vec::new()));
        let app = delivery_webhooks::axum::console_router(web).layer(axum::middleware::from_fn({
            let answers = Arc::clone(&answers);
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let answers = Arc::clone(&answers);
                async move {
                    let method = request.method().to_string();
                    let path = request.uri().path().to_owned();
                    let response = next.run(request).await;
                    answers
                        .lock()
                        .unwrap()
                        .push((method, path, response.status().as_u16()));
                    response
                }
            }
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Site {
            addr,
            console,
            items,
            answers,
            dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn state(&self, id: ItemId) -> ItemState {
        let view = self.console.item(id).await.unwrap().unwrap();
        view.record.summary.state
    }
}

/// Two deliveries through a worker whose handler fails Peddler's (dead at its first failure),
/// then four that wait.
async fn fill(inbox: &SqliteInbox) -> Items {
    let config = config();
    let dead = accept(
        inbox,
        delivery(
            &config,
            Provider::Peddler,
            fixture("peddler/failed_attempt", |_| {}),
        ),
    )
    .await;
    let done = accept(
        inbox,
        delivery(
            &config,
            Provider::Xoxoday,
            fixture("xoxoday/delivered", |_| {}),
        ),
    )
    .await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(inbox.clone())
            .idle(Duration::from_millis(10))
            .run(
                |item: Item| async move {
                    if item.delivery.provider() == Provider::Peddler {
                        Err(HandlerError::msg(HANDLER_ERROR))
                    } else {
                        Ok(())
                    }
                },
                async {
                    let _ = stopped.await;
                },
            ),
    );
    until("the worker to finish both items", async || {
        let stats = inbox.stats().await.unwrap();
        (stats.completed == 1 && stats.dead == 1).then_some(())
    })
    .await;
    let _ = stop.send(());
    worker.await.unwrap();

    // The shipment: created in the morning, out with Peddler at noon, completed after.
    let created = accept(
        inbox,
        delivery(
            &config,
            Provider::Wakilni,
            fixture("wakilni/order_created", |b| {
                b["data"]["created_at"] = "2024-11-14 09:00:00".into();
            }),
        ),
    )
    .await;
    let last_mile = accept(
        inbox,
        delivery(
            &config,
            Provider::Peddler,
            fixture("peddler/out_for_delivery", |b| {
                b["metaData"] = WAYBILL.into();
                b["ts"] = "2024-11-14T11:00:00.000Z".into();
            }),
        ),
    )
    .await;
    let completed = accept(
        inbox,
        delivery(
            &config,
            Provider::Wakilni,
            fixture("wakilni/order_completed", |b| {
                b["event_id"] = "ev-completed".into();
            }),
        ),
    )
    .await;
    let hostile = accept(
        inbox,
        delivery(
            &config,
            Provider::Skladon,
            fixture("skladon/order", |b| {
                b["recipientName"] = SCRIPT_NAME.into();
                b["billingName"] = IMG_NAME.into();
            }),
        ),
    )
    .await;
    Items {
        dead,
        done,
        created,
        completed,
        last_mile,
        hostile,
    }
}

/// Polls `check` until it gives a value: at most 200 times, 50 ms apart. What a test asserts
/// is the value; the wait only lets the browser (or the worker) get there.
async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting for {what}");
}

/// A Chromium session: headless, its own empty profile, nothing but loopback to talk to.
async fn browser(webdriver: &str, profile: &Path) -> Client {
    let chromium = std::env::var("DELIVERY_WEBHOOKS_TEST_CHROMIUM")
        .unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // A proxy from the environment must not stand between it and loopback.
                "--no-proxy-server",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .unwrap_or_else(|e| panic!("no browser session at {webdriver}: {e}"));
    client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    client
}

/// Runs `body` with a browser and a fresh console; closes the browser whatever happens.
fn run<F, Fut>(test: &'static str, body: F)
where
    F: FnOnce(Client, Arc<Site>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(webdriver) = webdriver(test) else {
        return;
    };
    let _one = BROWSER.lock().unwrap_or_else(PoisonError::into_inner);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let site = Arc::new(Site::start(test).await);
        let profile = site.dir.join("chromium-profile");
        std::fs::create_dir_all(&profile).unwrap();
        let client = browser(&webdriver, &profile).await;
        let outcome = tokio::spawn(body(client.clone(), Arc::clone(&site))).await;
        let closed = client.close().await;
        let _ = std::fs::remove_dir_all(&site.dir);
        match outcome {
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("{test}: {e}"),
            Ok(()) => closed.unwrap(),
        }
    });
}

/// Saves what the browser shows as `name` when `DELIVERY_WEBHOOKS_CONSOLE_SCREENSHOTS` names a
/// directory.
async fn screenshot(b: &Client, name: &str) {
    let Ok(dir) = std::env::var("DELIVERY_WEBHOOKS_CONSOLE_SCREENSHOTS") else {
        return;
    };
    let png = b.screenshot().await.unwrap();
    assert_eq!(&png[1..4], b"PNG", "a PNG screenshot");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(Path::new(&dir).join(name), png).unwrap();
}

async fn text(b: &Client, css: &str) -> String {
    let element = b
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    element.text().await.unwrap()
}

async fn attr(b: &Client, css: &str, name: &str) -> Option<String> {
    let element = b
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    element.attr(name).await.unwrap()
}

/// Clicks `button` and waits until the browser has left `from` (the page it was on): the
/// address it went to.
async fn click_and_leave(b: &Client, button: Element) -> Url {
    let from = b.current_url().await.unwrap();
    button.click().await.unwrap();
    for _ in 0..200 {
        let now = b.current_url().await.unwrap();
        if now != from {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never left {from}");
}

/// The value of `name` in `url`'s query.
fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// An attribute an element must have.
async fn data(element: &Element, name: &str) -> String {
    element
        .attr(name)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Each row of the items list: (id, provider, state).
async fn rows(b: &Client) -> Vec<(i64, String, String)> {
    let mut rows = Vec::new();
    for row in b.find_all(Locator::Css("tr.item")).await.unwrap() {
        rows.push((
            data(&row, "data-id").await.parse().unwrap(),
            data(&row, "data-provider").await,
            data(&row, "data-state").await,
        ));
    }
    rows
}

#[test]
fn the_overview_shows_what_the_inbox_holds() {
    run("overview", |b, site| async move {
        b.goto(&site.url("/")).await.unwrap();
        b.find(Locator::Css("main#overview")).await.unwrap();
        // Four waiting, none in progress, the one the handler failed in the dead letters.
        assert_eq!(text(&b, "dd#pending").await, "4");
        assert_eq!(text(&b, "dd#claimed").await, "0");
        assert_eq!(text(&b, "dd#dead").await, "1");
        assert_eq!(attr(&b, "#depth", "data-dead").await.as_deref(), Some("1"));
        // Per provider: dead letters, causes, retrying, last 5 minutes, last hour.
        let mut seen = Vec::new();
        for row in b.find_all(Locator::Css("tr.provider")).await.unwrap() {
            let provider = row.attr("data-provider").await.unwrap().unwrap();
            let mut cells = Vec::new();
            for cell in row.find_all(Locator::Css("td")).await.unwrap() {
                cells.push(cell.text().await.unwrap());
            }
            seen.push((provider, cells[1..].join(" ")));
        }
        seen.sort();
        let expected = [
            ("isendu", "0 0 0 0 0"),
            ("peddler", "1 1 0 2 2"),
            ("skladon", "0 0 0 1 1"),
            ("wakilni", "0 0 0 2 2"),
            ("xoxoday", "0 0 0 1 1"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
            .collect();
        assert_eq!(seen, expected);
        screenshot(&b, "overview.png").await;
    });
}

#[test]
fn a_filter_narrows_the_list() {
    run("filter", |b, site| async move {
        let i = &site.items;
        b.goto(&site.url("/items")).await.unwrap();
        let all = rows(&b).await;
        let mut providers: Vec<&str> = all.iter().map(|r| r.1.as_str()).collect();
        providers.sort_unstable();
        assert_eq!(
            providers,
            [
                "peddler", "peddler", "skladon", "wakilni", "wakilni", "xoxoday"
            ]
        );
        assert!(all.contains(&(i.done.0, "xoxoday".to_owned(), "completed".to_owned())));
        // Peddler's only, newest first.
        let form = b.find(Locator::Css("form#filter")).await.unwrap();
        let select = form
            .find(Locator::Css("select[name=provider]"))
            .await
            .unwrap();
        select.select_by_value("peddler").await.unwrap();
        let submit = form
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap();
        let url = click_and_leave(&b, submit).await;
        assert_eq!(url.path(), "/items");
        assert_eq!(query(&url, "provider").as_deref(), Some("peddler"));
        assert_eq!(
            rows(&b).await,
            [
                (i.last_mile.0, "peddler".to_owned(), "pending".to_owned()),
                (i.dead.0, "peddler".to_owned(), "dead".to_owned()),
            ]
        );
        // And dead: the filters combine, the URL carries both.
        let form = b.find(Locator::Css("form#filter")).await.unwrap();
        let provider = form
            .find(Locator::Css("select[name=provider]"))
            .await
            .unwrap();
        assert_eq!(
            provider.prop("value").await.unwrap().as_deref(),
            Some("peddler")
        );
        let state = form.find(Locator::Css("select[name=state]")).await.unwrap();
        state.select_by_value("dead").await.unwrap();
        let submit = form
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap();
        let url = click_and_leave(&b, submit).await;
        assert_eq!(url.path(), "/items");
        assert_eq!(query(&url, "state").as_deref(), Some("dead"));
        assert_eq!(query(&url, "provider").as_deref(), Some("peddler"));
        assert_eq!(
            rows(&b).await,
            [(i.dead.0, "peddler".to_owned(), "dead".to_owned())]
        );
    });
}

#[test]
fn a_waybill_finds_the_shipment_across_providers() {
    run("story", |b, site| async move {
        let i = &site.items;
        b.goto(&site.url("/story")).await.unwrap();
        let form = b.find(Locator::Css("form#search")).await.unwrap();
        form.find(Locator::Css("input[name=ref]"))
            .await
            .unwrap()
            .send_keys(WAYBILL)
            .await
            .unwrap();
        let submit = form
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap();
        let url = click_and_leave(&b, submit).await;
        assert_eq!(url.path(), "/story");
        assert_eq!(query(&url, "ref").as_deref(), Some(WAYBILL));
        let mut steps = Vec::new();
        for step in b
            .find_all(Locator::Css("main#story li.step"))
            .await
            .unwrap()
        {
            steps.push((
                data(&step, "data-provider").await,
                data(&step, "data-status").await,
                data(&step, "data-item").await.parse::<i64>().unwrap(),
            ));
        }
        let expected = [
            ("wakilni", "created", i.created.0),
            ("peddler", "out_for_delivery", i.last_mile.0),
            ("wakilni", "delivered", i.completed.0),
        ];
        let expected: Vec<(String, String, i64)> = expected
            .iter()
            .map(|(p, s, id)| ((*p).to_owned(), (*s).to_owned(), *id))
            .collect();
        assert_eq!(steps, expected);
        screenshot(&b, "story.png").await;
    });
}

#[test]
fn the_replay_button_sends_a_dead_item_round_again() {
    run("replay", |b, site| async move {
        let dead = site.items.dead;
        b.goto(&site.url(&format!("/items/{}", dead.0)))
            .await
            .unwrap();
        assert_eq!(
            attr(&b, "main#item", "data-state").await.as_deref(),
            Some("dead")
        );
        assert!(text(&b, "main#item").await.contains(HANDLER_ERROR));
        screenshot(&b, "item.png").await;
        let replay = b
            .find(Locator::Css("form#replay button[type=submit]"))
            .await
            .unwrap();
        // The POST answers 303 to the item's page, with a notice.
        let url = click_and_leave(&b, replay).await;
        assert_eq!(url.path(), format!("/items/{}", dead.0));
        assert_eq!(query(&url, "notice").as_deref(), Some("replay"));
        assert_eq!(
            attr(&b, "main#item", "data-state").await.as_deref(),
            Some("pending")
        );
        assert_eq!(text(&b, "p.notice").await, "1 item queued for replay");
        assert_eq!(site.state(dead).await, ItemState::Pending);
        let answers = site.answers.lock().unwrap().clone();
        assert!(
            answers.contains(&("POST".to_owned(), "/replay".to_owned(), 303)),
            "{answers:?}"
        );
        let audit = site.console.audit(10).await.unwrap();
        let audit: Vec<(&str, &str, u64)> = audit
            .iter()
            .map(|a| (a.verb.as_str(), a.target.as_str(), a.count))
            .collect();
        assert_eq!(audit, [("replay", format!("id={}", dead.0).as_str(), 1)]);
    });
}

#[test]
fn a_hostile_payload_renders_as_text() {
    run("hostile", |b, site| async move {
        let hostile = site.items.hostile;
        b.goto(&site.url(&format!("/items/{}", hostile.0)))
            .await
            .unwrap();
        let body = text(&b, "pre#body").await;
        // The customer names, shown as the characters they are (inside JSON strings).
        assert!(
            body.contains(&format!("\"recipientName\": \"{SCRIPT_NAME}\"")),
            "{body}"
        );
        assert!(
            body.contains("\"billingName\": \"\\\"><img src=x onerror=\\\"window.pwned=2\\\">\""),
            "{body}"
        );
        // Nothing ran, nothing became an element: no image, no script but the console's own.
        let seen = b
            .execute(
                "return [typeof window.pwned, document.images.length, \
                 Array.from(document.scripts).map(s => s.getAttribute('src'))];",
                Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(seen, json!(["undefined", 0, ["/assets/console.js"]]));
    });
}

#[test]
fn a_cross_origin_post_is_refused() {
    run("cross_origin", |b, site| async move {
        let dead = site.items.dead;
        // A token the console gave out, as if it had leaked: only the origin check stands.
        b.goto(&site.url(&format!("/items/{}", dead.0)))
            .await
            .unwrap();
        let token = attr(&b, "form#replay input[name=csrf]", "value")
            .await
            .unwrap();
        // Another origin: another port on loopback, serving a form aimed at the console.
        let page = format!(
            "<!doctype html><title>elsewhere</title>\
             <form method=post action=\"{}\">\
             <input type=hidden name=id value=\"{}\">\
             <input type=hidden name=csrf value=\"{token}\">\
             <button id=go type=submit>Win a prize</button></form>",
            site.url("/replay"),
            dead.0
        );
        let elsewhere = axum::Router::new().route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(page) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let other = listener.local_addr().unwrap();
        assert_ne!(other.port(), site.addr.port());
        tokio::spawn(async move { axum::serve(listener, elsewhere).await });
        b.goto(&format!("http://{other}/")).await.unwrap();
        let go = b.find(Locator::Id("go")).await.unwrap();
        // The console's answer to the foreign form.
        let url = click_and_leave(&b, go).await;
        assert_eq!(url.port(), Some(site.addr.port()));
        assert_eq!(url.path(), "/replay");
        let answers = site.answers.lock().unwrap().clone();
        let posts: Vec<&(String, String, u16)> = answers.iter().filter(|a| a.0 == "POST").collect();
        assert_eq!(
            posts,
            [&("POST".to_owned(), "/replay".to_owned(), 403)],
            "{answers:?}"
        );
        assert!(
            text(&b, "body")
                .await
                .contains("cross-origin request refused")
        );
        assert_eq!(site.state(dead).await, ItemState::Dead);
        assert!(site.console.audit(10).await.unwrap().is_empty());
    });
}

#[test]
fn the_pages_fit_a_phone() {
    run("phone", |b, site| async move {
        let i = &site.items;
        b.set_window_size(PHONE.0, PHONE.1).await.unwrap();
        for (path, main) in [
            ("/".to_owned(), "main#overview"),
            ("/items".to_owned(), "main#items"),
            (format!("/items/{}", i.hostile.0), "main#item"),
            (format!("/story?ref={WAYBILL}"), "main#story"),
        ] {
            b.goto(&site.url(&path)).await.unwrap();
            b.find(Locator::Css(main)).await.unwrap();
            let widths = b
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    Vec::new(),
                )
                .await
                .unwrap();
            let scroll = widths[0].as_u64().unwrap();
            let inner = widths[1].as_u64().unwrap();
            assert_eq!(inner, u64::from(PHONE.0), "{path}: the window's width");
            assert!(
                scroll <= inner,
                "{path}: {scroll} px wide in a {inner} px window"
            );
        }
        // The story page holds its three steps at this width too.
        assert_eq!(b.find_all(Locator::Css("li.step")).await.unwrap().len(), 3);
    });
}
