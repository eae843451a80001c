//! The operator console over real HTTP on loopback (#34): the axum mount, each authentication
//! mode, the CSRF rule, escaping, the security headers, bad parameters, and the pages and JSON
//! API over real data on SQLite and (under `scripts/with-postgres.sh`) PostgreSQL.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use delivery_webhooks::console::Console;
use delivery_webhooks::console::web::{AuthError, ConsoleAuth, ConsoleWeb};
use delivery_webhooks::inbox::query::Filter;
use delivery_webhooks::inbox::{
    Acceptance, Inbox, InboxOptions, ItemId, ItemState, PostgresInbox, SqliteInbox,
};
use delivery_webhooks::{AnyDelivery, Config, OwnedRequest, Request, wakilni};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const WAKILNI_SECRET: &str = "console-wakilni-secret";
const PEDDLER_TOKEN: &str = "console-peddler-token";
const HOSTILE_SCRIPT: &str = "<script>window.pwned=1</script>";
const HOSTILE_IMG: &str = "\"><img src=x onerror=alert(1)>";

fn config() -> Config {
    Config::builder()
        .wakilni_secret(WAKILNI_SECRET)
        .peddler_token(PEDDLER_TOKEN)
        .xoxoday_enabled(true)
        .build()
        .unwrap()
}

fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A delivery of `provider` with `body`, as its provider sends it, and its raw request.
fn delivery(provider: &str, body: &serde_json::Value) -> (AnyDelivery, OwnedRequest) {
    let body = serde_json::to_vec(body).unwrap();
    let config = config();
    let path = format!("/webhooks/{provider}");
    let mut headers: Vec<(String, String)> = Vec::new();
    match provider {
        "wakilni" => headers.push((
            "x-webhook-signature".into(),
            wakilni::sign(WAKILNI_SECRET, &body),
        )),
        "peddler" => headers.push(("x-webhook-shared-token".into(), PEDDLER_TOKEN.into())),
        _ => {}
    }
    let request = Request::new(&headers, &body)
        .method("POST")
        .uri(&path)
        .peer("52.76.120.90".parse::<std::net::IpAddr>().unwrap());
    let any: AnyDelivery = match provider {
        "wakilni" => config
            .wakilni
            .as_ref()
            .unwrap()
            .receive(&request)
            .unwrap()
            .into(),
        "peddler" => config
            .peddler
            .as_ref()
            .unwrap()
            .receive(&request)
            .unwrap()
            .into(),
        _ => config
            .xoxoday
            .as_ref()
            .unwrap()
            .receive(&request)
            .unwrap()
            .into(),
    };
    let mut raw = OwnedRequest::new("POST", path).body(body.clone());
    for (name, value) in &headers {
        raw = raw.header(name, value.clone());
    }
    (any, raw)
}

/// Both backends' inboxes, as the tests open them.
#[derive(Clone)]
enum Store {
    Sqlite(SqliteInbox),
    Postgres(PostgresInbox),
}

impl Store {
    async fn accept(&self, (delivery, raw): &(AnyDelivery, OwnedRequest)) -> ItemId {
        let acceptance = match self {
            Store::Sqlite(i) => i.accept(delivery, raw).await,
            Store::Postgres(i) => i.accept(delivery, raw).await,
        };
        match acceptance.unwrap() {
            Acceptance::Accepted(id) => id,
            other => panic!("{other:?}"),
        }
    }

    /// Claims every waiting item and fails it with `error` (one attempt allowed: dead).
    async fn fail_all(&self, error: &str) {
        match self {
            Store::Sqlite(i) => {
                for item in i
                    .claim(100, std::time::Duration::from_secs(60))
                    .await
                    .unwrap()
                {
                    i.fail(item.claim, error).await.unwrap();
                }
            }
            Store::Postgres(i) => {
                for item in i
                    .claim(100, std::time::Duration::from_secs(60))
                    .await
                    .unwrap()
                {
                    i.fail(item.claim, error).await.unwrap();
                }
            }
        }
    }

    fn console(&self) -> Console {
        match self {
            Store::Sqlite(i) => Console::from(i.clone()),
            Store::Postgres(i) => Console::from(i.clone()),
        }
    }
}

fn unique(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}_{}_{nanos}", std::process::id())
}

async fn sqlite(test: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("delivery-webhooks-console-{}", unique(test)));
    std::fs::create_dir_all(&dir).unwrap();
    let inbox = SqliteInbox::open(
        dir.join("inbox.db"),
        InboxOptions::default().max_attempts(1),
    )
    .await
    .unwrap();
    Store::Sqlite(inbox)
}

/// The PostgreSQL store, or `None` (with a notice) without a server, unless one is required.
async fn postgres(test: &str) -> Option<Store> {
    let url = match std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("DELIVERY_WEBHOOKS_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1 but no DELIVERY_WEBHOOKS_TEST_POSTGRES_URL"
            );
            eprintln!("SKIPPED {test} on PostgreSQL: run it under scripts/with-postgres.sh");
            return None;
        }
    };
    let options = InboxOptions::default()
        .max_attempts(1)
        .namespace(format!("t_{}", unique(test)));
    Some(Store::Postgres(
        PostgresInbox::connect(&url, options).await.unwrap(),
    ))
}

async fn stores(test: &str) -> Vec<Store> {
    let mut stores = vec![sqlite(test).await];
    stores.extend(postgres(test).await);
    stores
}

/// Serves `web` on loopback (nested under `base` when not empty), with the peer known.
async fn serve(web: ConsoleWeb, base: &str) -> SocketAddr {
    let router = delivery_webhooks::axum::console_router(web);
    let app = if base.is_empty() {
        router
    } else {
        axum::Router::new().nest(base, router)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// One answer: status, headers (lowercase names), body.
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
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Sends one HTTP/1.1 request over a fresh connection and reads the whole answer.
async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

fn basic(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The CSRF token of the first form of a page.
fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const USER: &str = "ops";
const PASSWORD: &str = "console-password-current";
const PREVIOUS: &str = "console-password-previous";

fn basic_web(store: &Store) -> ConsoleWeb {
    let auth = ConsoleAuth::basic(USER, PASSWORD, Some(PREVIOUS.into())).unwrap();
    ConsoleWeb::new(store.console(), auth).unwrap()
}

/// Every answer carries the security headers.
fn assert_secure(answer: &Answer) {
    assert_eq!(
        answer.header("content-security-policy"),
        Some(delivery_webhooks::console::web::CONTENT_SECURITY_POLICY),
        "{answer:?}"
    );
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(answer.header(name), Some(value), "{name}: {answer:?}");
    }
}

#[tokio::test]
async fn no_console_without_an_authentication_mode() {
    let err = ConsoleAuth::from_vars(|_| None).unwrap_err();
    assert_eq!(err, AuthError::Missing);
    assert!(err.to_string().contains("DELIVERY_WEBHOOKS_CONSOLE_TOKEN"));
    assert_eq!(
        ConsoleAuth::bearer(" ", None).unwrap_err(),
        AuthError::Blank("token")
    );
    assert_eq!(
        ConsoleAuth::basic("ops", "", None).unwrap_err(),
        AuthError::Blank("password")
    );
}

#[tokio::test]
async fn basic_bearer_and_loopback_only_each_let_in_only_who_they_should() {
    let store = sqlite("auth").await;
    let addr = serve(basic_web(&store), "").await;
    let none = send(addr, "GET", "/", &[], "").await;
    assert_eq!(none.status, 401);
    assert!(
        none.header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert_secure(&none);
    let wrong = send(
        addr,
        "GET",
        "/",
        &[("authorization", &basic(USER, "nope"))],
        "",
    )
    .await;
    assert_eq!(wrong.status, 401);
    for password in [PASSWORD, PREVIOUS] {
        let ok = send(
            addr,
            "GET",
            "/",
            &[("authorization", &basic(USER, password))],
            "",
        )
        .await;
        assert_eq!(ok.status, 200);
        assert!(ok.body.contains("<main id=\"overview\">"));
    }

    let bearer = ConsoleAuth::bearer("console-token-current", None).unwrap();
    let addr = serve(ConsoleWeb::new(store.console(), bearer).unwrap(), "").await;
    let none = send(addr, "GET", "/api/overview", &[], "").await;
    assert_eq!(
        (none.status, none.header("www-authenticate")),
        (401, Some("Bearer realm=\"delivery-webhooks console\""))
    );
    let ok = send(
        addr,
        "GET",
        "/api/overview",
        &[("authorization", "Bearer console-token-current")],
        "",
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["depth"]["pending"], 0);

    // Loopback only: this client is on loopback; a peer it cannot see, or another, is refused.
    let web = ConsoleWeb::new(store.console(), ConsoleAuth::LoopbackOnly).unwrap();
    let addr = serve(web.clone(), "").await;
    assert_eq!(send(addr, "GET", "/", &[], "").await.status, 200);
    let request = || http::Request::get("/").body(Vec::new()).unwrap();
    let far = web
        .handle(request(), Some("10.1.2.3".parse().unwrap()))
        .await;
    assert_eq!(far.status(), 403);
    assert_eq!(web.handle(request(), None).await.status(), 403);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let blind = listener.local_addr().unwrap();
    let app = delivery_webhooks::axum::console_router(web);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    assert_eq!(send(blind, "GET", "/", &[], "").await.status, 403);
}

#[tokio::test]
async fn a_state_change_needs_the_same_origin_and_a_token() {
    let store = sqlite("csrf").await;
    let id = store
        .accept(&delivery("peddler", &fixture("peddler/failed_attempt")))
        .await;
    store.fail_all("ERP answered 503").await;
    let addr = serve(basic_web(&store), "").await;
    let auth = basic(USER, PASSWORD);
    let page = send(
        addr,
        "GET",
        &format!("/items/{}", id.0),
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(page.status, 200);
    let token = csrf(&page.body);
    let body = form(&[("csrf", &token), ("id", &id.0.to_string())]);
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    let origin = format!("http://{addr}");
    let refused = [
        // Another site's page, with a valid token.
        vec![
            ("authorization", auth.as_str()),
            form_type,
            ("origin", "http://evil.example"),
        ],
        vec![
            ("authorization", auth.as_str()),
            form_type,
            ("sec-fetch-site", "cross-site"),
        ],
        // Neither Origin nor Sec-Fetch-Site.
        vec![("authorization", auth.as_str()), form_type],
    ];
    for headers in &refused {
        let answer = send(addr, "POST", "/replay", headers, &body).await;
        assert_eq!(answer.status, 403, "{headers:?}");
        assert_secure(&answer);
    }
    // The same origin, without a token, or with a forged one.
    let same = [
        ("authorization", auth.as_str()),
        form_type,
        ("origin", origin.as_str()),
    ];
    let no_token = form(&[("id", &id.0.to_string())]);
    assert_eq!(
        send(addr, "POST", "/replay", &same, &no_token).await.status,
        403
    );
    let forged = form(&[
        (
            "csrf",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
        ("id", &id.0.to_string()),
    ]);
    assert_eq!(
        send(addr, "POST", "/replay", &same, &forged).await.status,
        403
    );
    // The JSON API under basic authentication (which a browser sends by itself) too.
    let json = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("origin", "http://evil.example"),
    ];
    let answer = send(
        addr,
        "POST",
        "/api/replay",
        &json,
        &format!("{{\"id\":{}}}", id.0),
    )
    .await;
    assert_eq!(answer.status, 403);
    // Nothing was touched.
    let console = store.console();
    assert_eq!(
        console
            .item(id)
            .await
            .unwrap()
            .unwrap()
            .record
            .summary
            .state,
        ItemState::Dead
    );
    assert!(console.audit(10).await.unwrap().is_empty());

    // From the page itself: done, and the page says so.
    let ok = send(addr, "POST", "/replay", &same, &body).await;
    assert_eq!(ok.status, 303);
    assert_secure(&ok);
    let location = ok.header("location").unwrap().to_owned();
    assert_eq!(location, format!("/items/{}?notice=replay&count=1", id.0));
    let after = send(addr, "GET", &location, &[("authorization", &auth)], "").await;
    assert!(
        after.body.contains("1 item queued for replay"),
        "{}",
        after.body
    );
    assert!(after.body.contains(&format!(
        "<main id=\"item\" data-id=\"{}\" data-state=\"pending\"",
        id.0
    )));
    let audit = console.audit(10).await.unwrap();
    assert_eq!(
        (
            audit[0].verb.as_str(),
            audit[0].actor.as_str(),
            audit[0].count
        ),
        ("replay", USER, 1)
    );
    // Sec-Fetch-Site: same-origin stands for a missing Origin.
    let fetch_site = [
        ("authorization", auth.as_str()),
        form_type,
        ("sec-fetch-site", "same-origin"),
    ];
    let again = send(addr, "POST", "/replay", &fetch_site, &body).await;
    assert_eq!(again.status, 303);
    assert_eq!(
        again.header("location"),
        Some(format!("/items/{}?notice=replay&count=0", id.0).as_str())
    );
}

#[tokio::test]
async fn a_bearer_script_needs_no_csrf_token() {
    let store = sqlite("bearer").await;
    let id = store
        .accept(&delivery("peddler", &fixture("peddler/failed_attempt")))
        .await;
    store.fail_all("ERP answered 503").await;
    let auth =
        ConsoleAuth::bearer("console-token-current", Some("console-token-old".into())).unwrap();
    let addr = serve(ConsoleWeb::new(store.console(), auth).unwrap(), "").await;
    let headers = [
        ("authorization", "Bearer console-token-old"),
        ("content-type", "application/json"),
    ];
    let answer = send(
        addr,
        "POST",
        "/api/replay",
        &headers,
        "{\"provider\":\"peddler\",\"state\":\"dead\"}",
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json(), serde_json::json!({ "count": 1 }));
    assert_eq!(
        store
            .console()
            .item(id)
            .await
            .unwrap()
            .unwrap()
            .record
            .summary
            .state,
        ItemState::Pending
    );
    // A form, even with the bearer header (a proxy may add it), still needs both checks.
    let form_headers = [
        ("authorization", "Bearer console-token-old"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    assert_eq!(
        send(
            addr,
            "POST",
            "/replay",
            &form_headers,
            &form(&[("id", "1")])
        )
        .await
        .status,
        403
    );
    // An empty filter is not "everything".
    let empty = send(addr, "POST", "/api/replay", &headers, "{}").await;
    assert_eq!(
        (empty.status, empty.json()["parameter"].as_str()),
        (400, Some("filter"))
    );
}

#[tokio::test]
async fn payload_values_render_as_text() {
    let store = sqlite("xss").await;
    let mut body = fixture("peddler/failed_attempt");
    body["customerName"] = HOSTILE_SCRIPT.into();
    body["metaData"] = HOSTILE_IMG.into();
    let id = store.accept(&delivery("peddler", &body)).await;
    store
        .fail_all(&format!("customer {HOSTILE_SCRIPT} refused"))
        .await;
    let addr = serve(basic_web(&store), "").await;
    let auth = basic(USER, PASSWORD);
    for target in [
        format!("/items/{}", id.0),
        "/items".into(),
        "/failures".into(),
    ] {
        let page = send(addr, "GET", &target, &[("authorization", &auth)], "").await;
        assert_eq!(page.status, 200, "{target}");
        assert!(!page.body.contains("<script>window.pwned"), "{target}");
        assert!(!page.body.contains("<img src=x"), "{target}");
        // (The failure's cause has its digits replaced: `pwned=#`.)
        assert!(
            page.body.contains("&lt;script&gt;window.pwned="),
            "{target}"
        );
        // The only scripts are the console's own.
        assert_eq!(page.body.matches("<script").count(), 1, "{target}");
    }
    let item = send(
        addr,
        "GET",
        &format!("/items/{}", id.0),
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert!(
        item.body
            .contains("&lt;script&gt;window.pwned=1&lt;/script&gt;")
    );
    assert!(
        item.body
            .contains("\\&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
    );
    let story = send(
        addr,
        "GET",
        &format!("/story?ref={}", encode(HOSTILE_IMG)),
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(story.status, 200);
    assert!(!story.body.contains("<img src=x"));
}

#[tokio::test]
async fn bad_parameters_are_400_problems_naming_them() {
    let store = sqlite("params").await;
    let addr = serve(basic_web(&store), "").await;
    let auth = basic(USER, PASSWORD);
    for (target, parameter) in [
        ("/items?state=lost", "state"),
        ("/items?provider=fedex", "provider"),
        ("/items?from=yesterday", "from"),
        ("/items?before=2026-02-30", "before"),
        ("/items?cursor=c1.bogus", "cursor"),
        ("/items?limit=0", "limit"),
        ("/items?limit=100000", "limit"),
        ("/items/abc", "id"),
        ("/items/-4", "id"),
        ("/story?ref=1&ref_kind=zip", "ref_kind"),
        ("/api/items?state=lost", "state"),
        ("/api/items/x1", "id"),
        ("/api/story", "ref"),
        ("/audit?limit=x", "limit"),
    ] {
        let answer = send(addr, "GET", target, &[("authorization", &auth)], "").await;
        assert_eq!(answer.status, 400, "{target}: {answer:?}");
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json")
        );
        let problem = answer.json();
        assert_eq!(problem["parameter"], parameter, "{target}");
        assert_eq!(problem["status"], 400);
        assert!(
            problem["detail"].as_str().unwrap().starts_with(parameter),
            "{problem}"
        );
        assert_secure(&answer);
    }
    for target in ["/items/999999", "/api/items/999999", "/nothing"] {
        let answer = send(addr, "GET", target, &[("authorization", &auth)], "").await;
        assert_eq!(answer.status, 404, "{target}");
        assert_secure(&answer);
    }
    let css = send(
        addr,
        "GET",
        "/assets/console.css",
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(
        (css.status, css.header("content-type")),
        (200, Some("text/css; charset=utf-8"))
    );
    assert_secure(&css);
    assert_eq!(
        send(addr, "DELETE", "/items", &[("authorization", &auth)], "")
            .await
            .status,
        405
    );
}

/// The pages and the API over real data, on both backends, nested under `/console`.
#[tokio::test]
async fn pages_and_api_show_the_inbox_on_both_backends() {
    for store in stores("pages").await {
        pages_and_api(store).await;
    }
}

async fn pages_and_api(store: Store) {
    let mut created = fixture("wakilni/order_created");
    created["data"]["created_at"] = "2024-11-14 09:00:00".into();
    let wakilni_id = store.accept(&delivery("wakilni", &created)).await;
    let mut xoxoday = fixture("xoxoday/delivered");
    xoxoday["data"]["orderId"] = 123456.into();
    let xoxoday_id = store.accept(&delivery("xoxoday", &xoxoday)).await;
    let first = store
        .accept(&delivery("peddler", &fixture("peddler/failed_attempt")))
        .await;
    let second = store
        .accept(&delivery("peddler", &fixture("peddler/out_for_delivery")))
        .await;
    store.fail_all("order 4711: ERP answered 503").await;

    let web = basic_web(&store).base_path("/console").unwrap();
    let addr = serve(web, "/console").await;
    let auth = basic(USER, PASSWORD);
    let get = |target: String| {
        let auth = auth.clone();
        async move { send(addr, "GET", &target, &[("authorization", &auth)], "").await }
    };

    let overview = get("/console".into()).await;
    assert_eq!(overview.status, 200);
    assert!(
        overview
            .body
            .contains("<dl id=\"depth\" data-pending=\"0\" data-claimed=\"0\" data-dead=\"4\">"),
        "{}",
        overview.body
    );
    assert!(
        overview
            .body
            .contains("<tr class=\"provider\" data-provider=\"peddler\" data-dead=\"2\">")
    );
    assert!(
        overview
            .body
            .contains("href=\"/console/assets/console.css\"")
    );
    let api = get("/console/api/overview".into()).await.json();
    assert_eq!(
        api["depth"],
        serde_json::json!({ "pending": 0, "claimed": 0, "dead": 4, "capped": [] })
    );
    let peddler = api["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == "peddler")
        .unwrap()
        .clone();
    assert_eq!(
        (
            peddler["dead"].as_u64(),
            peddler["failures"].as_u64(),
            peddler["last_hour"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(peddler["capped"], serde_json::json!([]));
    assert_eq!(api["count_cap"], 10_000);

    // The filter narrows the list; the rows carry their id, provider and state.
    let items = get("/console/items?provider=peddler&state=dead".into()).await;
    let rows: Vec<&str> = items
        .body
        .match_indices("<tr class=\"item\" data-id=\"")
        .map(|(i, _)| &items.body[i + 26..])
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(rows, [second.0.to_string(), first.0.to_string()]);
    assert!(items.body.contains(&format!(
        "data-id=\"{}\" data-provider=\"peddler\" data-state=\"dead\"",
        first.0
    )));
    assert!(
        items
            .body
            .contains("<form id=\"filter\" method=\"get\" action=\"/console/items\">")
    );
    // Pages are links: one item a page, the next page's link keeps the filter.
    let one = get("/console/items?provider=peddler&limit=1".into()).await;
    let next_at = one.body.find("id=\"next\" rel=\"next\" href=\"").unwrap() + 27;
    let next = one.body[next_at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        next.starts_with("/console/items?provider=peddler&limit=1&cursor=c1."),
        "{next}"
    );
    let page_two = get(next).await;
    assert!(page_two.body.contains(&format!("data-id=\"{}\"", first.0)));
    assert!(!page_two.body.contains(&format!("data-id=\"{}\"", second.0)));
    let api_items = get("/console/api/items?provider=peddler&limit=1".into())
        .await
        .json();
    assert_eq!(api_items["items"][0]["id"], second.0);
    assert_eq!(api_items["items"][0]["state"], "dead");
    assert!(api_items["next"].as_str().unwrap().starts_with("c1."));

    // The list's bulk verb keeps the filter, and comes back to it.
    let filtered =
        get("/console/items?provider=wakilni&ref=WK123456&ref_kind=waybill".into()).await;
    assert!(
        filtered
            .body
            .contains("<form id=\"bulk-replay\" method=\"post\" action=\"/console/replay\">")
    );
    let bulk = form(&[
        ("csrf", &csrf(&filtered.body)),
        ("provider", "wakilni"),
        ("ref", "WK123456"),
        ("ref_kind", "waybill"),
        ("back", "items"),
        ("reason", "dry run"),
    ]);
    let origin = format!("http://{addr}");
    let form_headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("origin", origin.as_str()),
    ];
    let discarded = send(addr, "POST", "/console/discard", &form_headers, &bulk).await;
    assert_eq!(
        discarded.header("location"),
        Some(
            "/console/items?notice=discard&count=1&provider=wakilni&ref=WK123456&ref_kind=waybill"
        )
    );
    let c = store.console();
    let handled = c
        .item(wakilni_id)
        .await
        .unwrap()
        .unwrap()
        .record
        .handled
        .unwrap();
    assert_eq!(
        (handled.by.as_str(), handled.reason.as_str()),
        (USER, "dry run")
    );

    // One item in full.
    let item = get(format!("/console/items/{}", first.0)).await;
    assert!(item.body.contains(&format!(
        "<main id=\"item\" data-id=\"{}\" data-state=\"dead\"",
        first.0
    )));
    assert!(item.body.contains("<pre id=\"body\">{\n  &quot;"));
    assert!(
        item.body
            .contains("\n  &quot;id&quot;: &quot;fx6_ZSWp0RDc24csBqOj9&quot;,\n")
    );
    assert!(
        item.body
            .contains("<form id=\"replay\" method=\"post\" action=\"/console/replay\">")
    );
    assert!(item.body.contains("order 4711: ERP answered 503"));
    let api_item = get(format!("/console/api/items/{}", first.0)).await.json();
    assert_eq!(api_item["summary"]["provider"], "peddler");
    assert_eq!(
        api_item["attempts"][0]["error"],
        "order 4711: ERP answered 503"
    );
    assert_eq!(
        api_item["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == "x-webhook-shared-token")
            .unwrap()[1]
            .as_str()
            .map(|v| v.contains(PEDDLER_TOKEN)),
        Some(false)
    );

    // A story across two providers, its steps in order.
    let story = get("/console/story?ref=123456".into()).await;
    let steps: Vec<(String, String)> = story
        .body
        .match_indices("<li class=\"step\" data-provider=\"")
        .map(|(i, _)| {
            let rest = &story.body[i..];
            let attr = |name: &str| {
                let at = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                rest[at..].split('"').next().unwrap().to_owned()
            };
            (attr("data-provider"), attr("data-item"))
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("xoxoday".to_owned(), xoxoday_id.0.to_string()),
            ("wakilni".to_owned(), wakilni_id.0.to_string()),
        ],
        "{}",
        story.body
    );
    assert!(
        story
            .body
            .contains("<form id=\"search\" method=\"get\" action=\"/console/story\">")
    );
    let api_story = get("/console/api/story?ref=123456".into()).await.json();
    assert_eq!(api_story["steps"].as_array().unwrap().len(), 2);
    assert_eq!(api_story["steps"][1]["provider"], "wakilni");

    // Failures: one group per provider and cause; its bulk replay, by form.
    let failures = get("/console/failures".into()).await;
    assert!(failures.body.contains("<main id=\"failures\">"));
    assert!(
        failures
            .body
            .contains("<section class=\"failure\" data-provider=\"peddler\" data-count=\"2\">")
    );
    let token = csrf(&failures.body);
    let replay = form(&[
        ("csrf", &token),
        ("provider", "peddler"),
        ("state", "dead"),
        ("handled", "false"),
        ("cause", "order #: ERP answered #"),
        ("back", "failures"),
    ]);
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("origin", origin.as_str()),
    ];
    let done = send(addr, "POST", "/console/replay", &headers, &replay).await;
    assert_eq!(
        (done.status, done.header("location")),
        (303, Some("/console/failures?notice=replay&count=2"))
    );
    assert!(
        get("/console/failures?notice=replay&count=2".into())
            .await
            .body
            .contains("2 items queued for replay")
    );
    let c = store.console();
    assert_eq!(
        c.list(&Filter::new().state(ItemState::Pending), None, 10)
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    // The JSON API's verbs, with the token from the API.
    let token = get("/console/api/csrf".into()).await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let json_headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("origin", origin.as_str()),
        ("x-csrf-token", token.as_str()),
    ];
    let discard = send(
        addr,
        "POST",
        "/console/api/discard",
        &json_headers,
        "{\"provider\":\"xoxoday\",\"state\":\"dead\",\"reason\":\"test order\"}",
    )
    .await;
    assert_eq!(discard.json(), serde_json::json!({ "count": 1 }));
    // An expunge by form needs its box ticked.
    let expunge = |confirm: bool| {
        let mut pairs = vec![("csrf", token.as_str()), ("ref", "123456")];
        if confirm {
            pairs.push(("confirm", "yes"));
        }
        form(&pairs)
    };
    let unconfirmed = send(addr, "POST", "/console/expunge", &headers, &expunge(false)).await;
    assert_eq!(
        (unconfirmed.status, unconfirmed.json()["parameter"].as_str()),
        (400, Some("confirm"))
    );
    let gone = send(addr, "POST", "/console/expunge", &headers, &expunge(true)).await;
    assert_eq!(
        (gone.status, gone.header("location")),
        (
            303,
            Some("/console/story?notice=expunge&count=2&ref=123456")
        )
    );
    assert!(c.item(wakilni_id).await.unwrap().is_none());
    let audit = get("/console/api/audit".into()).await.json();
    let verbs: Vec<(&str, u64)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["verb"].as_str().unwrap(), e["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        verbs,
        [
            ("expunge", 2),
            ("discard", 1),
            ("replay", 2),
            ("discard", 1)
        ]
    );
    let audit_page = get("/console/audit".into()).await;
    assert!(
        audit_page
            .body
            .contains("<tr class=\"audit\" data-verb=\"expunge\" data-count=\"2\">")
    );
}

#[tokio::test]
async fn the_overview_warns_of_a_provider_about_to_disable_the_endpoint() {
    let store = sqlite("health").await;
    let health = delivery_webhooks::telemetry::Health::new();
    health.record_failure(
        delivery_webhooks::Provider::Xoxoday,
        "malformed payload at `data`",
    );
    health.record_failure(
        delivery_webhooks::Provider::Xoxoday,
        "malformed payload at `data`",
    );
    health.record_success(delivery_webhooks::Provider::Peddler);
    let addr = serve(basic_web(&store).health(health), "").await;
    let auth = basic(USER, PASSWORD);
    let page = send(addr, "GET", "/", &[("authorization", &auth)], "").await;
    assert!(page.body.contains("<p class=\"warning\" role=\"alert\" data-provider=\"xoxoday\">xoxoday is about to disable the endpoint: 2 failures in a row of 3 allowed."), "{}", page.body);
    assert!(
        !page
            .body
            .contains("data-provider=\"peddler\">peddler is about")
    );
    let api = send(
        addr,
        "GET",
        "/api/overview",
        &[("authorization", &auth)],
        "",
    )
    .await
    .json();
    assert_eq!(api["health"]["at_risk"], true);
}

/// The actix-web mount forwards to the same core: the path below its scope, the peer, the body.
#[actix_web::test]
async fn the_actix_scope_serves_the_same_console() {
    use actix_web::test;
    let store = sqlite("actix").await;
    let id = store
        .accept(&delivery("peddler", &fixture("peddler/failed_attempt")))
        .await;
    let web = ConsoleWeb::new(store.console(), ConsoleAuth::LoopbackOnly)
        .unwrap()
        .base_path("/console")
        .unwrap();
    let app = test::init_service(
        actix_web::App::new().service(delivery_webhooks::actix::console_router(web)),
    )
    .await;
    let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let request = test::TestRequest::get()
        .uri("/console/items?provider=peddler")
        .peer_addr(local)
        .to_request();
    let answer = test::call_service(&app, request).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers().get("x-frame-options").unwrap(), "DENY");
    let body = String::from_utf8(test::read_body(answer).await.to_vec()).unwrap();
    assert!(
        body.contains(&format!(
            "<tr class=\"item\" data-id=\"{}\" data-provider=\"peddler\" data-state=\"pending\">",
            id.0
        )),
        "{body}"
    );
    assert!(body.contains("action=\"/console/items\""));
    // Another peer is refused; a bad parameter is a 400 here too.
    let far = test::TestRequest::get()
        .uri("/console/")
        .peer_addr("10.0.0.9:40000".parse().unwrap())
        .to_request();
    assert_eq!(test::call_service(&app, far).await.status(), 403);
    let bad = test::TestRequest::get()
        .uri("/console/items?limit=0")
        .peer_addr(local)
        .to_request();
    assert_eq!(test::call_service(&app, bad).await.status(), 400);
    // A POST from another site touches nothing.
    let post = test::TestRequest::post()
        .uri("/console/replay")
        .peer_addr(local)
        .insert_header(("origin", "http://evil.example"))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(format!("id={}", id.0))
        .to_request();
    assert_eq!(test::call_service(&app, post).await.status(), 403);
    assert!(store.console().audit(5).await.unwrap().is_empty());
}
