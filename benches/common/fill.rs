//! Filling an inbox fast, for the console and scale benchmarks and the plan regression test:
//! five genuine template deliveries accepted through the library (four failed to the dead
//! letters, one completed, through the worker's calls), then `INSERT … SELECT` copies of their
//! rows (one per item, with the side rows the worker and receiver write) in big transactions.
#![allow(dead_code)] // each user takes its own subset

use std::time::{Duration, Instant};

use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::query::RefField;
use delivery_webhooks::inbox::{Acceptance, Inbox, ItemId};
use delivery_webhooks::skladon::WebhookType;
use delivery_webhooks::{AnyDelivery, Config, OwnedRequest, testing};
use serde_json::{Value, json};

const WAKILNI_SECRET: &str = "bench-wakilni-secret";
const PEDDLER_TOKEN: &str = "bench-peddler-token";
const XOXODAY_KEY: &str = "bench-xoxoday-key";
const ISENDU_KEY_ID: &str = "bench-isendu-key";
const ISENDU_SECRET: &str = "bench-isendu-secret";
const ISENDU_URL_TOKEN: &str = "bench-isendu-url-token";
const SKLADON_TOKEN: &str = "bench-skladon-token";

/// The received times span this long, ending an hour ago.
pub const SPAN_MS: i64 = 30 * 24 * 3600 * 1000;

/// The dead letters' errors, one per cause (`{n}` is the item number).
pub const ERRORS: [&str; 4] = [
    "order {n}: ERP answered 503",
    "timeout after 30s calling https://erp.example/orders/{n}",
    "ERP rejected the payload: missing field customer",
    "shipment {n} unknown to the warehouse",
];

pub fn config() -> Config {
    Config::builder()
        .wakilni_secret(WAKILNI_SECRET)
        .peddler_token(PEDDLER_TOKEN)
        .xoxoday_enabled(true)
        .xoxoday_api_key(XOXODAY_KEY)
        .isendu_key(ISENDU_KEY_ID, ISENDU_SECRET)
        .isendu_url_token(ISENDU_URL_TOKEN)
        .skladon_token(SKLADON_TOKEN)
        .build()
        .unwrap()
}

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The delivery of genuine call `i` of `provider` (0 to 4: Wakilni, Peddler, Xoxoday, isendu,
/// Skladon), as the receiver would get it. Peddler's `i` and isendu's `i` share a tracking
/// number: one parcel reported by two providers.
pub fn genuine(config: &Config, provider: usize, i: u64) -> (AnyDelivery, OwnedRequest) {
    let shared_tracking = format!("1ZG{i:010}");
    match provider {
        0 => {
            let mut body = fixture("wakilni/order_created");
            body["event_id"] = json!(format!("genuine-{i}"));
            body["data"]["order_id"] = json!(700_000_000 + i);
            body["data"]["waybill"] = json!(format!("WG{i:08}"));
            let raw = testing::wakilni::request(WAKILNI_SECRET, serde_json::to_vec(&body).unwrap())
                .build();
            let d = config.wakilni.as_ref().unwrap().receive(&raw.request());
            (d.unwrap().into(), raw)
        }
        1 => {
            let mut body = fixture("peddler/out_for_delivery");
            body["id"] = json!(format!("Genuine{i:08}"));
            body["carrierTrackingNumber"] = json!(shared_tracking);
            let raw = testing::peddler::request(PEDDLER_TOKEN, serde_json::to_vec(&body).unwrap())
                .build();
            let d = config.peddler.as_ref().unwrap().receive(&raw.request());
            (d.unwrap().into(), raw)
        }
        2 => {
            let mut body = fixture("xoxoday/delivered");
            body["id"] = json!(20_000_000 + i);
            body["data"]["orderId"] = json!(30_000_000 + i);
            body["data"]["poNumber"] = json!(format!("PO-G-{i:08}"));
            let raw =
                testing::xoxoday::request(XOXODAY_KEY, serde_json::to_vec(&body).unwrap()).build();
            let d = config.xoxoday.as_ref().unwrap().receive(&raw.request());
            (d.unwrap().into(), raw)
        }
        3 => {
            let mut body = fixture("isendu/update_doc_sample");
            body["order"][0]["uuid"] = json!(format!("o-genuine-{i:08}"));
            body["tracking"][0]["uuid"] = json!(format!("t-genuine-{i:08}"));
            body["tracking"][0]["trackingNumber"] = json!(shared_tracking);
            let raw =
                testing::isendu::request(ISENDU_URL_TOKEN, serde_json::to_vec(&body).unwrap())
                    .build();
            let d = config.isendu.as_ref().unwrap().receive(&raw.request());
            (d.unwrap().into(), raw)
        }
        _ => {
            let mut body = fixture("skladon/order");
            body["id"] = json!(800_000_000 + i);
            body["eshopOrderId"] = json!(format!("ESHOP-G-{i:08}"));
            body["trackingNumbers"] = json!([format!("SKG{i:08}")]);
            let raw = testing::skladon::post(
                SKLADON_TOKEN,
                WebhookType::UpdateOrder,
                serde_json::to_vec(&body).unwrap(),
            )
            .build();
            let d = config.skladon.as_ref().unwrap().receive(&raw.request());
            (d.unwrap().into(), raw)
        }
    }
}

/// Wakilni delivery `i` from fixture `name` (its event id, order id and waybill made unique).
pub fn wakilni(config: &Config, name: &str, i: u64) -> (AnyDelivery, OwnedRequest) {
    let mut body = fixture(&format!("wakilni/{name}"));
    body["event_id"] = json!(format!("e{i:08}-1e85-4ef1-a85a-89488dd27b92"));
    body["data"]["order_id"] = json!(500_000_000 + i);
    body["data"]["waybill"] = json!(format!("WK{i:09}"));
    let raw = testing::wakilni::request(WAKILNI_SECRET, serde_json::to_vec(&body).unwrap()).build();
    let d = config.wakilni.as_ref().unwrap().receive(&raw.request());
    (d.unwrap().into(), raw)
}

/// The five templates, made through the library: `make(k)` is delivery `k` (0 to 4); the
/// first four die of the four [`ERRORS`] (three attempts), the fifth completes. Returns them
/// with the four causes as the inbox normalized them (`causes[k]` for `ERRORS[k]`). The inbox
/// must be opened with three attempts and no back-off.
pub async fn templates<I: Inbox>(
    inbox: &I,
    console: &Console,
    raw: &crate::db::Raw,
    table: &str,
    make: impl Fn(usize) -> (AnyDelivery, OwnedRequest),
) -> (Vec<Template>, Vec<String>) {
    let mut template_ids = Vec::new();
    for k in 0..5 {
        template_ids.push(accept(inbox, &make(k)).await);
    }
    let mut causes = vec![String::new(); ERRORS.len()];
    for attempt in 0..3 {
        let claimed = inbox.claim(5, Duration::from_secs(60)).await.unwrap();
        assert_eq!(
            claimed.len(),
            if attempt == 0 { 5 } else { 4 },
            "attempt {attempt}"
        );
        for item in claimed {
            let k = template_ids.iter().position(|i| *i == item.id).unwrap();
            if k < ERRORS.len() {
                let error = ERRORS[k].replace("{n}", &item.id.0.to_string());
                inbox.fail(item.claim, &error).await.unwrap();
            } else if attempt == 0 {
                inbox.complete(item.claim).await.unwrap();
            }
        }
    }
    for group in console.failures(None).await.unwrap() {
        let k = template_ids
            .iter()
            .position(|i| *i == group.latest)
            .unwrap();
        causes[k] = group.cause;
    }
    assert!(causes.iter().all(|c| !c.is_empty()), "{causes:?}");
    let mut templates: Vec<Template> = Vec::new();
    for id in &template_ids {
        let view = console.item(*id).await.unwrap().unwrap();
        let payload = crate::db::payload_of(raw, table, *id).await;
        let refs = view
            .record
            .references
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        templates.push(template(id.0, refs, &view.record.body, &payload));
    }
    (templates, causes)
}

/// Copies the templates to items `from..=to` (item `n` a copy of template `n % 5`), 100,000
/// items per transaction, printing progress to stderr.
#[allow(clippy::too_many_arguments)]
pub async fn copy(
    raw: &crate::db::Raw,
    postgres: bool,
    table: &str,
    templates: &[Template],
    causes: &[String],
    span: &Span,
    from: i64,
    to: i64,
) {
    const CHUNK: i64 = 100_000;
    let started = Instant::now();
    let mut at = from;
    while at <= to {
        let end = (at + CHUNK - 1).min(to);
        crate::db::begin(raw).await;
        for (k, t) in templates.iter().enumerate() {
            let bulk = bulk_sql(postgres, table, t, span, causes);
            // This template's items: n % 5 == k.
            let start = at + (k as i64 - at % 5).rem_euclid(5);
            raw.run(&bulk.items, &[start, end]).await;
            for sql in bulk.refs.iter().chain(&bulk.attempts).chain(&bulk.history) {
                raw.run(sql, &[start, end]).await;
            }
        }
        crate::db::commit(raw).await;
        at = end + 1;
        eprint!(
            "\r  copied {} of {} items ({:.0} s)",
            end - from + 1,
            to - from + 1,
            started.elapsed().as_secs_f64()
        );
    }
    eprintln!();
}

/// Makes the ids the inbox hands out next start after `at_least` (and after every row).
pub async fn reserve_ids(raw: &crate::db::Raw, postgres: bool, table: &str, at_least: i64) {
    if postgres {
        raw.run(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 GREATEST({at_least}, (SELECT MAX(id) FROM {table})))"
            ),
            &[],
        )
        .await;
    } else {
        raw.run(
            &format!(
                "UPDATE sqlite_sequence SET seq = MAX(seq, {at_least}) WHERE name = '{table}'"
            ),
            &[],
        )
        .await;
    }
}

/// Accepts `delivery` through the library; it must be new.
pub async fn accept(inbox: &impl Inbox, (delivery, raw): &(AnyDelivery, OwnedRequest)) -> ItemId {
    match inbox.accept(delivery, raw).await.unwrap() {
        Acceptance::Accepted(id) => id,
        other => panic!("{}: {other:?}", delivery.dedup_key()),
    }
}

/// One template row, turned into the text a copy is made from: its references' values replaced
/// by placeholders `@@0@@` … in the body (and payload), each copy putting `value || suffix`
/// there.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: i64,
    pub refs: Vec<(RefField, String)>,
    pub body: String,
    pub payload: String,
}

/// Replaces every JSON leaf equal to a reference value by its placeholder (a number's by an
/// unquoted one, so the copy stays a number).
pub fn template(id: i64, refs: Vec<(RefField, String)>, body: &[u8], payload: &[u8]) -> Template {
    let place = |bytes: &[u8]| -> String {
        if bytes.is_empty() {
            return String::new();
        }
        let mut value: Value = serde_json::from_slice(bytes).unwrap();
        let mut numbers = Vec::new();
        walk(&mut value, &refs, &mut numbers);
        let mut text = serde_json::to_string(&value).unwrap();
        for k in numbers {
            text = text.replace(&format!("\"@@N{k}@@\""), &format!("@@{k}@@"));
        }
        text.replace("@@N", "@@")
    };
    Template {
        id,
        body: place(body),
        payload: place(payload),
        refs,
    }
}

fn walk(value: &mut Value, refs: &[(RefField, String)], numbers: &mut Vec<usize>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, refs, numbers)),
        Value::Object(map) => map.values_mut().for_each(|v| walk(v, refs, numbers)),
        Value::String(s) => {
            if let Some(k) = refs.iter().position(|(_, v)| v == s) {
                *s = format!("@@{k}@@");
            }
        }
        Value::Number(n) => {
            let text = n.to_string();
            if let Some(k) = refs.iter().position(|(_, v)| *v == text) {
                numbers.push(k);
                *value = Value::String(format!("@@N{k}@@"));
            }
        }
        _ => {}
    }
}

/// The SQL of one chunk of copies of template `t`, items `$1`, `$1 + 5`, … up to `$2`, for each
/// dialect: the item rows, their references, attempts and history. `{inbox}` is the table.
/// Item `n`'s state: dead for 4 in 200 (of which 1 in 4 discarded by an operator), pending for
/// 1 in 200, else completed; its references `value || lpad(n, 9)`.
pub struct Bulk {
    pub items: String,
    pub refs: Vec<String>,
    pub attempts: Vec<String>,
    pub history: Vec<String>,
}

pub struct Span {
    /// The first item number of the whole load.
    pub first: i64,
    /// The first received time, ms.
    pub start: i64,
    /// Ms between two items.
    pub per_item: f64,
}

pub fn bulk_sql(postgres: bool, inbox: &str, t: &Template, span: &Span, causes: &[String]) -> Bulk {
    let (first, start, span_per_item) = (span.first, span.start, span.per_item);
    let lit = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let (series, suffix, to_blob) = if postgres {
        (
            "SELECT generate_series($1::bigint, $2::bigint, 5) AS n".to_owned(),
            "lpad(n::text, 9, '0')".to_owned(),
            (|e| format!("convert_to({e}, 'UTF8')")) as fn(String) -> String,
        )
    } else {
        (
            "WITH RECURSIVE s(n) AS (SELECT $1 UNION ALL SELECT n + 5 FROM s WHERE n + 5 <= $2) SELECT n FROM s"
                .to_owned(),
            "printf('%09d', n)".to_owned(),
            (|e| format!("CAST({e} AS BLOB)")) as fn(String) -> String,
        )
    };
    let fill = |text: &str| {
        let mut e = lit(text);
        for (k, (_, v)) in t.refs.iter().enumerate() {
            e = format!("replace({e}, '@@{k}@@', {} || {suffix})", lit(v));
        }
        e
    };
    // m: the item's place in a cycle of 200 (providers take turns, so every provider gets each
    // state); c: its cause, changing every 1000 items.
    let m = "((n / 5) % 200)";
    let state =
        format!("CASE WHEN {m} < 4 THEN 'dead' WHEN {m} = 4 THEN 'pending' ELSE 'completed' END");
    let received = format!("({start} + CAST((n - {first}) * {span_per_item} AS BIGINT))");
    let error = {
        let mut case = "CASE (n / 1000) % 4".to_owned();
        for (i, e) in ERRORS.iter().enumerate() {
            let parts: Vec<String> = e.split("{n}").map(lit).collect();
            case.push_str(&format!(
                " WHEN {i} THEN {}",
                parts.join(" || CAST(n AS TEXT) || ")
            ));
        }
        case + " END"
    };
    let cause = {
        let mut case = "CASE (n / 1000) % 4".to_owned();
        for (i, c) in causes.iter().enumerate() {
            case.push_str(&format!(" WHEN {i} THEN {}", lit(c)));
        }
        case + " END"
    };
    let body = to_blob(fill(&t.body));
    let payload = if t.payload.is_empty() {
        to_blob("''".to_owned())
    } else {
        to_blob(fill(&t.payload))
    };
    let items = format!(
        "INSERT INTO {inbox} (id, provider, dedup_key, full_key, announce, state, attempts, fence, \
         available_at, received_at, completed_at, dead_at, last_error, delivery_attempt, context, \
         method, uri, peer, headers, body, payload, cause, handled_at, handled_by, handled_reason) \
         SELECT n, t.provider, t.dedup_key || '-' || {suffix}, NULL, 0, st, \
         CASE st WHEN 'dead' THEN 3 WHEN 'pending' THEN 0 ELSE 1 END, \
         CASE st WHEN 'dead' THEN 3 WHEN 'pending' THEN 0 ELSE 1 END, \
         CASE st WHEN 'dead' THEN r + 3600000 + 60000 WHEN 'pending' THEN r ELSE r + 60000 END, r, \
         CASE st WHEN 'completed' THEN r + 2000 END, CASE st WHEN 'dead' THEN r + 3600000 END, \
         CASE st WHEN 'dead' THEN {error} END, t.delivery_attempt, t.context, t.method, t.uri, \
         t.peer, t.headers, {body}, {payload}, CASE st WHEN 'dead' THEN {cause} END, \
         CASE WHEN st = 'dead' AND {m} = 3 THEN r + 7200000 END, \
         CASE WHEN st = 'dead' AND {m} = 3 THEN 'bench' END, \
         CASE WHEN st = 'dead' AND {m} = 3 THEN 'ERP outage, handled by hand' END \
         FROM (SELECT n, {state} AS st, {received} AS r FROM ({series}) AS s) AS g, \
         {inbox} AS t WHERE t.id = {tid}",
        tid = t.id,
    );
    let refs = t
        .refs
        .iter()
        .map(|(kind, value)| {
            format!(
                "INSERT INTO {inbox}_ref (item_id, kind, value) SELECT n, {}, {} || {suffix} \
                 FROM ({series}) AS s",
                lit(kind.as_str()),
                lit(value)
            )
        })
        .collect();
    let g = format!("SELECT n, {state} AS st, {received} AS r FROM ({series}) AS s");
    let attempts = vec![
        format!(
            "INSERT INTO {inbox}_attempt (item_id, attempt, at, outcome, error) \
             SELECT n, 1, r + 2000, 'completed', NULL FROM ({g}) AS g WHERE st = 'completed'"
        ),
        format!(
            "INSERT INTO {inbox}_attempt (item_id, attempt, at, outcome, error) \
             SELECT n, a, r + a * 1200000, CASE WHEN a = 3 THEN 'dead' ELSE 'failed' END, {error} \
             FROM ({g}) AS g, (SELECT 1 AS a UNION ALL SELECT 2 UNION ALL SELECT 3) AS x \
             WHERE st = 'dead'"
        ),
    ];
    // No row for the receiver's accept: since schema 4 the item's `received_at` is its first.
    let history = vec![
        format!(
            "INSERT INTO {inbox}_history (item_id, state, at, actor) \
             SELECT n, 'pending', r + 1200000 * a, 'worker' \
             FROM ({g}) AS g, (SELECT 1 AS a UNION ALL SELECT 2) AS x WHERE st = 'dead'"
        ),
        format!(
            "INSERT INTO {inbox}_history (item_id, state, at, actor) \
             SELECT n, st, CASE st WHEN 'dead' THEN r + 3600000 ELSE r + 2000 END, 'worker' \
             FROM ({g}) AS g WHERE st <> 'pending'"
        ),
        format!(
            "INSERT INTO {inbox}_history (item_id, state, at, actor) \
             SELECT n, 'handled', r + 7200000, 'bench' FROM ({g}) AS g \
             WHERE st = 'dead' AND {m} = 3"
        ),
    ];
    Bulk {
        items,
        refs,
        attempts,
        history,
    }
}
