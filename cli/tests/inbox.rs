//! `delivery-webhooks inbox …`: the real binary against an inbox this test fills through the
//! library (genuine deliveries built with the test kit, received by the verifiers, accepted by
//! `Inbox::accept`; one made dead by a worker whose handler fails). SQLite in a temporary file;
//! PostgreSQL too where `DELIVERY_WEBHOOKS_TEST_POSTGRES_URL` is set (`scripts/with-postgres.sh`;
//! without it those tests print a notice and pass, unless `DELIVERY_WEBHOOKS_REQUIRE_POSTGRES=1`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::query::Filter;
use delivery_webhooks::inbox::{
    Acceptance, Inbox, InboxOptions, Item, ItemId, ItemState, PostgresInbox, SqliteInbox, Worker,
};
use delivery_webhooks::{AnyDelivery, Config, HandlerError, OwnedRequest, Provider, testing};
use serde_json::Value;

const WAKILNI_SECRET: &str = "cli-inbox-wakilni-secret";
const PEDDLER_TOKEN: &str = "cli-inbox-peddler-token";
const XOXODAY_KEY: &str = "cliInboxXoxodayKey1";
/// What the worker's handler answers the Peddler delivery: the dead letter's cause.
const HANDLER_ERROR: &str = "ERP said 503 for order 4711";
/// Characters a terminal acts on, stored in a waybill and a field of one body (both valid in
/// JSON as they are: neither is a C0 control).
const HOSTILE_WAYBILL: &str = "WK\u{9b}2J\u{202e}777";

fn config() -> Config {
    Config::builder()
        .wakilni_secret(WAKILNI_SECRET)
        .peddler_token(PEDDLER_TOKEN)
        .xoxoday_enabled(true)
        .xoxoday_api_key(XOXODAY_KEY)
        .build()
        .unwrap()
}

fn fixture(name: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name);
    let mut body: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut body);
    serde_json::to_vec(&body).unwrap()
}

/// A genuine delivery: the provider's request from the test kit, through its verifier.
fn delivery(provider: Provider, body: Vec<u8>) -> (AnyDelivery, OwnedRequest) {
    let config = config();
    let raw = match provider {
        Provider::Wakilni => testing::wakilni::request(WAKILNI_SECRET, body).build(),
        Provider::Peddler => testing::peddler::request(PEDDLER_TOKEN, body).build(),
        _ => testing::xoxoday::request(XOXODAY_KEY, body).build(),
    };
    let request = raw.request();
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
        _ => config
            .xoxoday
            .as_ref()
            .unwrap()
            .receive(&request)
            .map(Into::into),
    }
    .unwrap();
    (delivery, raw)
}

/// The items [`fill`] stores.
#[derive(Debug, Clone, Copy)]
struct Items {
    /// Wakilni order 123456 created (waybill WK123456): completed by the worker.
    created: ItemId,
    /// Peddler's failed attempt: dead (the handler failed).
    dead: ItemId,
    /// Wakilni order 123456 completed: pending.
    completed: ItemId,
    /// Xoxoday order 123456 delivered: pending.
    xoxoday: ItemId,
    /// Wakilni order 777 with a hostile waybill and field: pending.
    hostile: ItemId,
}

async fn accept<I: Inbox>(inbox: &I, (delivery, raw): (AnyDelivery, OwnedRequest)) -> ItemId {
    match inbox.accept(&delivery, &raw).await.unwrap() {
        Acceptance::Accepted(id) => id,
        other => panic!("{other:?}"),
    }
}

/// Two deliveries run through a worker (one completes, one dies), then three left pending.
async fn fill<I: Inbox + Clone + 'static>(inbox: &I) -> Items {
    let created = accept(
        inbox,
        delivery(
            Provider::Wakilni,
            fixture("wakilni/order_created.json", |b| {
                b["data"]["created_at"] = "2024-11-14 09:00:00".into();
            }),
        ),
    )
    .await;
    let dead = accept(
        inbox,
        delivery(
            Provider::Peddler,
            fixture("peddler/failed_attempt.json", |_| {}),
        ),
    )
    .await;
    let watched = inbox.clone();
    let _report = Worker::new(inbox.clone())
        .idle(Duration::from_millis(10))
        .run(
            |item: Item| async move {
                if item.delivery.provider() == Provider::Peddler {
                    Err(HandlerError::msg(HANDLER_ERROR))
                } else {
                    Ok(())
                }
            },
            // Stops once neither item waits nor runs: both outcomes are recorded.
            async move {
                loop {
                    let s = watched.stats().await.unwrap();
                    if s.pending == 0 && s.claimed == 0 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
        )
        .await;
    let completed = accept(
        inbox,
        delivery(
            Provider::Wakilni,
            fixture("wakilni/order_completed.json", |b| {
                b["event_id"] = "ev-completed".into();
            }),
        ),
    )
    .await;
    let xoxoday = accept(
        inbox,
        delivery(
            Provider::Xoxoday,
            fixture("xoxoday/delivered.json", |b| {
                b["data"]["orderId"] = 123456.into();
            }),
        ),
    )
    .await;
    let hostile = accept(
        inbox,
        delivery(
            Provider::Wakilni,
            fixture("wakilni/order_created.json", |b| {
                b["event_id"] = "ev-hostile".into();
                b["data"]["order_id"] = 777.into();
                b["data"]["waybill"] = HOSTILE_WAYBILL.into();
                b["data"]["note"] = "\u{1b}]0;pwned\u{7}\u{9b}31m".into();
            }),
        ),
    )
    .await;
    let items = Items {
        created,
        dead,
        completed,
        xoxoday,
        hostile,
    };
    let state = |id| {
        let inbox = inbox.clone();
        async move { inbox.item(id).await.unwrap().unwrap().state }
    };
    assert_eq!(state(created).await, ItemState::Completed);
    assert_eq!(state(dead).await, ItemState::Dead);
    items
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn options() -> InboxOptions {
    InboxOptions::default().max_attempts(1)
}

/// A filled SQLite inbox in a file of its own; the filling runtime (and its pool) is gone when
/// this returns, so only the binary has it open.
fn sqlite(test: &str) -> (PathBuf, Items) {
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-cli-inbox-{test}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("inbox.db");
    let items = runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, options()).await.unwrap();
        fill(&inbox).await
    });
    (path, items)
}

/// The library's view afterwards, on a runtime of its own.
fn with_console<T>(path: &Path, look: impl AsyncFnOnce(Console) -> T) -> T {
    runtime().block_on(async {
        let inbox = SqliteInbox::open(path, options()).await.unwrap();
        look(Console::from(inbox)).await
    })
}

/// Runs `delivery-webhooks inbox <args>` with standard input closed (not a terminal) and no
/// database in the environment.
fn inbox(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_delivery-webhooks"))
        .arg("inbox")
        .args(args)
        .args(["--database", db])
        .env_remove("DELIVERY_WEBHOOKS_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&ok(output)).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The ids in the first column of a `list` table (after its header).
fn listed(stdout: &str) -> Vec<i64> {
    stdout
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("next page"))
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn list_applies_the_library_filters() {
    let (path, it) = sqlite("list");
    let db = path.to_str().unwrap();
    let ids = |args: &[&str]| listed(&ok(&inbox(db, &[&["list"][..], args].concat())));
    let all = ok(&inbox(db, &["list"]));
    let header = all.lines().next().unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        [
            "ID",
            "RECEIVED",
            "(UTC)",
            "PROVIDER",
            "STATE",
            "ATTEMPTS",
            "REFERENCES"
        ]
    );
    assert_eq!(
        listed(&all),
        [it.hostile, it.xoxoday, it.completed, it.dead, it.created].map(|i| i.0)
    );
    let dead_row = all
        .lines()
        .find(|l| l.starts_with(&format!("{} ", it.dead.0)));
    let dead_row: Vec<&str> = dead_row.unwrap().split_whitespace().collect();
    assert_eq!(dead_row[3..6], ["peddler", "dead", "1"]);
    assert!(
        dead_row.contains(&"tracking_number=P199684830307745678"),
        "{dead_row:?}"
    );
    assert_eq!(ids(&["--state", "dead"]), [it.dead.0]);
    assert_eq!(ids(&["--state", "done"]), [it.created.0]);
    assert_eq!(ids(&["--state", "completed"]), [it.created.0]);
    assert_eq!(
        ids(&["--provider", "wakilni", "--state", "pending"]),
        [it.hostile.0, it.completed.0]
    );
    assert_eq!(
        ids(&["--ref", "123456"]),
        [it.xoxoday.0, it.completed.0, it.created.0]
    );
    assert_eq!(
        ids(&["--ref", "WK123456", "--ref-kind", "waybill"]),
        [it.completed.0, it.created.0]
    );
    assert_eq!(
        ids(&["--ref", "WK123456", "--ref-kind", "order_id"]),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&["--since", "1h", "--provider", "xoxoday"]),
        [it.xoxoday.0]
    );
    assert_eq!(ids(&["--unhandled", "--state", "dead"]), [it.dead.0]);
    assert_eq!(ids(&["--handled"]), Vec::<i64>::new());
    let dead = json(&inbox(db, &["list", "--json", "--state", "dead"]));
    let key = dead["items"][0]["dedup_key"].as_str().unwrap();
    assert_eq!(ids(&["--dedup-key", key]), [it.dead.0]);
    assert_eq!(
        ok(&inbox(db, &["list", "--until", "2000-01-01T00:00:00Z"])),
        "no items match\n"
    );
    assert_eq!(
        ok(&inbox(db, &["list", "--state", "in-progress"])),
        "no items match\n"
    );
    // Pages: the cursor printed leads to the rest.
    let first = ok(&inbox(db, &["list", "--limit", "2"]));
    assert_eq!(listed(&first), [it.hostile.0, it.xoxoday.0]);
    let cursor = first
        .lines()
        .last()
        .unwrap()
        .strip_prefix("next page: --cursor ")
        .unwrap();
    let rest = ok(&inbox(db, &["list", "--limit", "2", "--cursor", cursor]));
    assert_eq!(listed(&rest), [it.completed.0, it.dead.0]);
    // Usage errors: exit 2, one line naming the problem.
    for (args, says) in [
        (&["list", "--ref-kind", "waybill"][..], "--ref"),
        (&["list", "--state", "failed"][..], "in-progress"),
        (&["list", "--since", "yesterday"][..], "RFC 3339"),
        (&["list", "--cursor", "c1.bogus"][..], "--cursor"),
        (&["list", "--limit", "0"][..], "--limit"),
    ] {
        let out = inbox(db, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn list_json_is_one_document_with_stable_fields() {
    let (path, it) = sqlite("list-json");
    let db = path.to_str().unwrap();
    let page = json(&inbox(db, &["list", "--json", "--limit", "4"]));
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let next = page["next"].as_str().unwrap();
    let dead = &items[3];
    assert_eq!(dead["id"], it.dead.0);
    assert_eq!(dead["provider"], "peddler");
    assert_eq!(dead["state"], "dead");
    assert_eq!(dead["attempts"], 1);
    assert!(
        dead["dedup_key"].as_str().unwrap().starts_with("peddler:"),
        "{dead}"
    );
    assert_eq!(dead["handled"], false);
    assert_eq!(dead["last_error"], HANDLER_ERROR);
    let received = dead["received_at"].as_str().unwrap();
    assert!(
        received.ends_with('Z') && received.contains('T'),
        "{received}"
    );
    assert!(
        dead["references"].as_array().unwrap().contains(
            &serde_json::json!({"kind": "tracking_number", "value": "P199684830307745678"})
        ),
        "{dead}"
    );
    let mut keys: Vec<&str> = dead
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "attempts",
            "dedup_key",
            "handled",
            "id",
            "last_error",
            "provider",
            "received_at",
            "references",
            "state"
        ]
    );
    let rest = json(&inbox(db, &["list", "--json", "--cursor", next]));
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["id"], it.created.0);
    assert_eq!(rest["items"][0]["state"], "completed");
    assert_eq!(rest["next"], Value::Null);
}

#[test]
fn show_prints_one_item_in_full() {
    let (path, it) = sqlite("show");
    let db = path.to_str().unwrap();
    let id = it.dead.0.to_string();
    let text = ok(&inbox(db, &["show", &id]));
    assert!(
        text.starts_with(&format!("item {id}  peddler  dead  attempts 1\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("\nlast error  {HANDLER_ERROR}\n")),
        "{text}"
    );
    assert!(
        text.contains("\nrequest     POST /webhooks/peddler\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  tracking_number  P199684830307745678\n"),
        "{text}"
    );
    assert!(text.contains("\nattempts\n  1  "), "{text}");
    assert!(
        text.contains(&format!("  dead  {HANDLER_ERROR}\n")),
        "{text}"
    );
    assert!(text.contains("  pending  receiver\n"), "{text}");
    assert!(
        text.contains("\n  \"id\": \"fx6_ZSWp0RDc24csBqOj9\",\n"),
        "{text}"
    );
    // The credential header is masked by the inbox, and never shown as sent.
    assert!(text.contains("x-webhook-shared-token: "), "{text}");
    assert!(!text.contains(PEDDLER_TOKEN), "{text}");

    let item = json(&inbox(db, &["show", &id, "--json"]));
    assert_eq!(item["id"], it.dead.0);
    assert_eq!(item["state"], "dead");
    assert_eq!(item["method"], "POST");
    assert_eq!(item["attempt_history"][0]["attempt"], 1);
    assert_eq!(item["attempt_history"][0]["outcome"], "dead");
    assert_eq!(item["attempt_history"][0]["error"], HANDLER_ERROR);
    assert_eq!(item["history"][0]["state"], "pending");
    assert_eq!(item["history"][0]["actor"], "receiver");
    assert_eq!(item["body_json"]["status"], "FAILED_ATTEMPT");
    assert_eq!(item["body_is_utf8"], true);
    assert_eq!(item["handled"], Value::Null);
    assert!(!item.to_string().contains(PEDDLER_TOKEN));

    // --raw: the stored bytes exactly (stdout is a pipe here).
    let raw = inbox(db, &["show", &id, "--raw"]);
    assert!(raw.status.success());
    assert_eq!(raw.stdout, fixture("peddler/failed_attempt.json", |_| {}));

    let missing = inbox(db, &["show", "999999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stderr(&missing), "no item 999999 in this inbox\n");
}

#[test]
fn story_follows_a_reference_across_providers() {
    let (path, it) = sqlite("story");
    let db = path.to_str().unwrap();
    let text = ok(&inbox(db, &["story", "123456"]));
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "story of 123456 (any kind): 3 steps from 2 providers"
    );
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(2)
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    // Provider time: Xoxoday's 2019 delivery, then Wakilni's creation (09:00), its completion.
    assert_eq!(rows[0][2..4], ["xoxoday", &it.xoxoday.0.to_string()[..]]);
    assert_eq!(rows[1][2..4], ["wakilni", &it.created.0.to_string()[..]]);
    assert_eq!(rows[2][2..4], ["wakilni", &it.completed.0.to_string()[..]]);
    assert!(
        text.contains("timeline: the current status of each shipment\n"),
        "{text}"
    );
    assert!(
        text.contains("  wakilni  order:123456  delivered"),
        "{text}"
    );
    assert!(
        text.contains("  xoxoday  order:123456  delivered"),
        "{text}"
    );

    let story = json(&inbox(db, &["story", "123456", "--json"]));
    assert_eq!(
        story["reference"],
        serde_json::json!({"kind": null, "value": "123456"})
    );
    let steps: Vec<(i64, &str, &str)> = story["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["item"].as_i64().unwrap(),
                s["provider"].as_str().unwrap(),
                s["update"]["provider_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (it.xoxoday.0, "xoxoday", "delivered"),
            (it.created.0, "wakilni", "Order Created"),
            (it.completed.0, "wakilni", "Order Completed"),
        ]
    );
    assert_eq!(story["timeline"].as_array().unwrap().len(), 2);
    assert_eq!(story["without_steps"], serde_json::json!([]));
    // Of one kind: Wakilni's waybill only.
    let waybill = json(&inbox(
        db,
        &["story", "WK123456", "--ref-kind", "waybill", "--json"],
    ));
    assert_eq!(waybill["steps"].as_array().unwrap().len(), 2);
    assert_eq!(waybill["reference"]["kind"], "waybill");
}

#[test]
fn replay_with_yes_queues_the_dead_and_says_how_many() {
    let (path, it) = sqlite("replay");
    let db = path.to_str().unwrap();
    let out = inbox(
        db,
        &[
            "replay",
            "--state",
            "dead",
            "--yes",
            "--actor",
            "alice",
            "--reason",
            "ERP is back",
        ],
    );
    assert_eq!(ok(&out), "queued 1 item for replay\n");
    let (state, audit) = with_console(&path, async |c: Console| {
        let item = c.item(it.dead).await.unwrap().unwrap().record.summary;
        (item.state, c.audit(1).await.unwrap().remove(0))
    });
    assert_eq!(state, ItemState::Pending);
    assert_eq!(
        (
            audit.verb.as_str(),
            audit.actor.as_str(),
            audit.reason.as_deref(),
            audit.count
        ),
        ("replay", "alice", Some("ERP is back"), 1)
    );
    assert_eq!(audit.target, "state=dead");
    // One item by id: no question asked; the completed one goes round again.
    let out = inbox(db, &["replay", &it.created.0.to_string()]);
    assert_eq!(ok(&out), "queued 1 item for replay\n");
    let state = with_console(&path, async |c: Console| {
        c.item(it.created)
            .await
            .unwrap()
            .unwrap()
            .record
            .summary
            .state
    });
    assert_eq!(state, ItemState::Pending);
    // One item that cannot go round: said why.
    let out = inbox(db, &["replay", &it.xoxoday.0.to_string()]);
    assert_eq!(
        ok(&out),
        "queued 0 items for replay (the item is pending)\n"
    );
    let out = inbox(db, &["replay", "999999"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "no item 999999 in this inbox\n");
    // Nothing left to replay: said, nothing done, no question.
    assert_eq!(
        ok(&inbox(db, &["replay", "--state", "dead"])),
        "no dead or completed item matches: nothing done\n"
    );
}

#[test]
fn bulk_verbs_refuse_without_yes_when_stdin_is_not_a_terminal() {
    let (path, it) = sqlite("refuse");
    let db = path.to_str().unwrap();
    let out = inbox(db, &["replay", "--state", "dead"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: Replay 1 dead item? Standard input is not a terminal to ask on: pass --yes to confirm\n"
    );
    assert!(out.stdout.is_empty());
    let out = inbox(db, &["expunge", "123456"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Delete 3 items carrying this reference"),
        "{}",
        stderr(&out)
    );
    // Without a filter, a verb is refused rather than applied to the whole inbox.
    let out = inbox(db, &["replay", "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: replay needs an ID, a filter (--state dead, --provider …) or --all\n"
    );
    let (state, items) = with_console(&path, async |c: Console| {
        let state = c.item(it.dead).await.unwrap().unwrap().record.summary.state;
        (
            state,
            c.list(&Filter::new(), None, 100).await.unwrap().items.len(),
        )
    });
    assert_eq!((state, items), (ItemState::Dead, 5));
}

#[test]
fn discard_needs_a_reason_and_counts() {
    let (path, it) = sqlite("discard");
    let db = path.to_str().unwrap();
    let out = inbox(db, &["discard", "--state", "dead", "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--reason"), "{}", stderr(&out));
    let out = inbox(
        db,
        &["discard", "--state", "dead", "--yes", "--reason", "  "],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: reason must not be empty\n");
    let out = inbox(
        db,
        &[
            "discard",
            "--provider",
            "peddler",
            "--yes",
            "--reason",
            "test parcel",
            "--actor",
            "bob",
        ],
    );
    assert_eq!(ok(&out), "discarded 1 dead item\n");
    let handled = with_console(&path, async |c: Console| {
        c.item(it.dead)
            .await
            .unwrap()
            .unwrap()
            .record
            .handled
            .unwrap()
    });
    assert_eq!(
        (handled.by.as_str(), handled.reason.as_str()),
        ("bob", "test parcel")
    );
    let stats = json(&inbox(db, &["stats", "--json"]));
    assert_eq!(stats["failures"], serde_json::json!([]));
    // Again by id: no question, nothing to do, and why.
    let out = inbox(
        db,
        &["discard", &it.dead.0.to_string(), "--reason", "again"],
    );
    assert_eq!(
        ok(&out),
        "discarded 0 dead items (the item is dead, discarded)\n"
    );
    assert_eq!(ok(&inbox(db, &["list", "--handled"])).lines().count(), 2);
}

#[test]
fn expunge_deletes_every_item_of_a_reference_and_counts_them() {
    let (path, _) = sqlite("expunge");
    let db = path.to_str().unwrap();
    let out = inbox(
        db,
        &["expunge", "123456", "--yes", "--reason", "GDPR request 17"],
    );
    assert_eq!(ok(&out), "expunged 3 items\n");
    assert_eq!(
        ok(&inbox(db, &["expunge", "123456"])),
        "no item carries this reference: nothing done\n"
    );
    assert_eq!(
        ok(&inbox(db, &["list", "--ref", "123456"])),
        "no items match\n"
    );
    assert_eq!(listed(&ok(&inbox(db, &["list"]))).len(), 2);
    let audit = with_console(&path, async |c: Console| {
        c.audit(1).await.unwrap().remove(0)
    });
    assert_eq!((audit.verb.as_str(), audit.count), ("expunge", 3));
    assert!(!audit.target.contains("123456"), "{}", audit.target);
}

#[test]
fn stats_count_states_and_group_dead_letters_by_cause() {
    let (path, it) = sqlite("stats");
    let db = path.to_str().unwrap();
    let stats = json(&inbox(db, &["stats", "--json"]));
    assert_eq!(
        stats["states"],
        serde_json::json!({"pending": 3, "claimed": 0, "completed": 1, "dead": 1})
    );
    let failures = stats["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["provider"], "peddler");
    assert_eq!(failures[0]["cause"], "ERP said # for order #");
    assert_eq!(failures[0]["count"], 1);
    assert_eq!(failures[0]["latest"], it.dead.0);
    let text = ok(&inbox(db, &["stats"]));
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["pending", "3"]);
    assert_eq!(lines[1], ["in", "progress", "0"]);
    assert_eq!(lines[2], ["done", "1"]);
    assert_eq!(lines[3], ["dead", "1"]);
    assert!(text.ends_with("ERP said # for order #\n"), "{text}");
}

#[test]
fn a_hostile_body_is_printed_without_raw_escape_sequences() {
    let (path, it) = sqlite("hostile");
    let db = path.to_str().unwrap();
    let id = it.hostile.0.to_string();
    let raw_controls = |s: &str| {
        s.chars()
            .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}'))
    };
    let outputs = [
        inbox(db, &["list"]),
        inbox(db, &["list", "--json"]),
        inbox(db, &["show", &id]),
        inbox(db, &["show", &id, "--json"]),
        inbox(db, &["story", "777"]),
        inbox(db, &["story", "777", "--json"]),
    ];
    for out in &outputs {
        let stdout = ok(out);
        assert!(!raw_controls(&stdout), "{stdout:?}");
    }
    // Text shows each as an escape; JSON keeps them as JSON escapes of the same characters.
    // (The inbox indexes no reference holding a control character: the list shows the order.)
    let list = ok(&outputs[0]);
    assert!(
        list.contains(&format!("{id}  ")) && list.contains("order_id=777\n"),
        "{list}"
    );
    let show = ok(&outputs[2]);
    assert!(
        show.contains("\"waybill\": \"WK\\u{9b}2J\\u{202e}777\""),
        "{show}"
    );
    assert!(
        show.contains("\"note\": \"\\u001b]0;pwned\\u0007\\u{9b}31m\""),
        "{show}"
    );
    let item: Value = serde_json::from_str(&ok(&outputs[3])).unwrap();
    assert_eq!(item["body_json"]["data"]["waybill"], HOSTILE_WAYBILL);
    assert_eq!(
        item["body_json"]["data"]["note"],
        "\u{1b}]0;pwned\u{7}\u{9b}31m"
    );
    assert!(
        ok(&outputs[4]).starts_with("story of 777 (any kind): 1 step from 1 provider\n"),
        "{}",
        ok(&outputs[4])
    );
    let story: Value = serde_json::from_str(&ok(&outputs[5])).unwrap();
    assert_eq!(
        story["steps"][0]["update"]["shipment"]["waybill"],
        HOSTILE_WAYBILL
    );
    // --raw is the exact bytes, so it refuses a terminal; into a pipe it writes them.
    let raw = inbox(db, &["show", &id, "--raw"]);
    assert!(raw.stdout.windows(2).any(|w| w == "\u{9b}".as_bytes()));
}

#[test]
fn a_database_that_is_not_there_is_an_error_and_is_not_created() {
    let dir = std::env::temp_dir().join(format!(
        "delivery-webhooks-cli-missing-{}",
        std::process::id()
    ));
    let path = dir.join("typo.db");
    let out = inbox(path.to_str().unwrap(), &["list"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: --database: no inbox database at {}: the file does not exist (the receiver creates it when it starts)\n",
            path.display()
        )
    );
    assert!(!path.exists() && !dir.exists());
    // No --database and no variable.
    let out = Command::new(env!("CARGO_BIN_EXE_delivery-webhooks"))
        .args(["inbox", "stats"])
        .env_remove("DELIVERY_WEBHOOKS_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: no inbox database: pass --database or set DELIVERY_WEBHOOKS_DATABASE_URL\n"
    );
    // The receiver's variable, and sqlite://PATH.
    let (path, _) = sqlite("variable");
    let out = Command::new(env!("CARGO_BIN_EXE_delivery-webhooks"))
        .args(["inbox", "list", "--state", "dead"])
        .env(
            "DELIVERY_WEBHOOKS_DATABASE_URL",
            format!("sqlite://{}", path.display()),
        )
        .output()
        .unwrap();
    assert_eq!(listed(&ok(&out)).len(), 1);
    let out = inbox("mysql://root:hunter2@db/inbox", &["list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
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

#[test]
fn list_and_replay_on_postgres() {
    let Some(url) = postgres_url("list_and_replay_on_postgres") else {
        return;
    };
    let ns = format!(
        "t_cli_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let it = runtime().block_on(async {
        let inbox = PostgresInbox::connect(&url, options().namespace(&ns))
            .await
            .unwrap();
        fill(&inbox).await
    });
    let ns_arg = ["--namespace", ns.as_str()];
    let args =
        |verb: &[&'static str]| -> Vec<&str> { verb.iter().copied().chain(ns_arg).collect() };
    assert_eq!(
        listed(&ok(&inbox(&url, &args(&["list"])))),
        [it.hostile, it.xoxoday, it.completed, it.dead, it.created].map(|i| i.0)
    );
    assert_eq!(
        listed(&ok(&inbox(
            &url,
            &args(&["list", "--ref", "123456", "--provider", "wakilni"])
        ))),
        [it.completed.0, it.created.0]
    );
    let page = json(&inbox(&url, &args(&["list", "--json", "--state", "dead"])));
    assert_eq!(page["items"][0]["last_error"], HANDLER_ERROR);
    let refused = inbox(&url, &args(&["replay", "--state", "dead"]));
    assert_eq!(refused.status.code(), Some(2));
    let out = inbox(&url, &args(&["replay", "--state", "dead", "--yes"]));
    assert_eq!(ok(&out), "queued 1 item for replay\n");
    let state = runtime().block_on(async {
        let inbox = PostgresInbox::connect(&url, options().namespace(&ns))
            .await
            .unwrap();
        inbox.item(it.dead).await.unwrap().unwrap().state
    });
    assert_eq!(state, ItemState::Pending);
}

#[test]
fn inbox_help_names_every_verb_the_database_and_the_confirmation_rule() {
    let out = Command::new(env!("CARGO_BIN_EXE_delivery-webhooks"))
        .args(["inbox", "--help"])
        .output()
        .unwrap();
    let help = ok(&out);
    for verb in [
        "list", "show", "story", "replay", "discard", "expunge", "stats",
    ] {
        assert!(help.contains(&format!("\n  {verb} ")), "{verb}: {help}");
    }
    for needle in [
        "DELIVERY_WEBHOOKS_DATABASE_URL",
        "--yes answers yes",
        "delivery-webhooks inbox list --state dead",
        "docs/console.md",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}
