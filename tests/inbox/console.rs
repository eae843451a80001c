//! The operator's queries and verbs (`console::Console`, #34) on both backends: filters,
//! stable pages, one item in full, a shipment's story across providers, failures grouped by
//! cause, and replay, discard and expunge with their counts and audit rows.

use delivery_webhooks::console::{COUNT_CAP, Console, ConsoleError, Count};
use delivery_webhooks::inbox::query::{Filter, RefField, Reference};
use delivery_webhooks::{Provider, ShipmentStatus};

use super::*;

fn console(inbox: &TestInbox) -> Console {
    match inbox {
        TestInbox::Sqlite(i) => Console::from(i.clone()),
        TestInbox::Postgres(i) => Console::from(i.clone()),
    }
}

/// The delivery and request of the fixture call named `name`, its body changed by `edit`.
fn named(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> (AnyDelivery, OwnedRequest) {
    let mut call = calls().into_iter().find(|c| c.name == name).unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(&call.body).unwrap();
    edit(&mut body);
    call.body = serde_json::to_vec(&body).unwrap();
    if name.starts_with("wakilni/") {
        let signature = delivery_webhooks::wakilni::sign(super::super::WAKILNI_SECRET, &call.body);
        call.headers[0].1 = signature;
    }
    (receive(&config(), &call), raw(&call))
}

async fn accept(inbox: &TestInbox, (delivery, raw): &(AnyDelivery, OwnedRequest)) -> ItemId {
    match inbox.accept(delivery, raw).await.unwrap() {
        Acceptance::Accepted(id) => id,
        other => panic!("{}: {other:?}", delivery.dedup_key()),
    }
}

const MIX: [&str; 6] = [
    "peddler/out_for_delivery",
    "peddler/failed_attempt",
    "wakilni/order_created",
    "skladon/order",
    "xoxoday/delivered",
    "isendu/update_doc_sample",
];

/// Every page of `filter`, `size` at a time, accepting `between` before the second page.
async fn ids(console: &Console, filter: &Filter) -> Vec<ItemId> {
    let page = console.list(filter, None, 1000).await.unwrap();
    assert_eq!(page.next, None);
    page.items.iter().map(|i| i.id).collect()
}

async fn filters_select_by_indexed_columns_newest_first(store: Store) {
    let inbox = store.open(InboxOptions::default().max_attempts(1)).await;
    let c = console(&inbox);
    let mut accepted = Vec::new();
    for name in MIX {
        accepted.push(accept(&inbox, &named(name, |_| {})).await);
    }
    let newest_first: Vec<ItemId> = accepted.iter().rev().copied().collect();
    assert_eq!(ids(&c, &Filter::new()).await, newest_first);
    assert_eq!(
        ids(&c, &Filter::new().provider(Provider::Peddler)).await,
        [accepted[1], accepted[0]]
    );
    // The first two claimed: one completed, one dead.
    let claimed = inbox.claim(2, MINUTE).await.unwrap();
    assert_eq!(
        claimed.iter().map(|i| i.id).collect::<Vec<_>>(),
        accepted[..2]
    );
    inbox.complete(claimed[0].claim).await.unwrap();
    inbox.fail(claimed[1].claim, "ERP said 503").await.unwrap();
    assert_eq!(
        ids(&c, &Filter::new().state(ItemState::Dead)).await,
        [accepted[1]]
    );
    assert_eq!(
        ids(&c, &Filter::new().state(ItemState::Completed)).await,
        [accepted[0]]
    );
    assert_eq!(
        ids(&c, &Filter::new().state(ItemState::Pending)).await,
        newest_first[..4]
    );
    let dead = c.item(accepted[1]).await.unwrap().unwrap().record.summary;
    assert_eq!(dead.last_error.as_deref(), Some("ERP said 503"));
    assert_eq!(
        ids(&c, &Filter::new().dedup_key(dead.dedup_key.clone())).await,
        [accepted[1]]
    );
    // References: of a kind, or of any kind.
    let by = |field, value: &str| Filter::new().reference(Reference::of(field, value));
    assert_eq!(
        ids(&c, &by(RefField::ShipmentId, "fx6_ZSWp0RDc24csBqOj9")).await,
        [accepted[1]]
    );
    assert_eq!(
        ids(&c, &by(RefField::Waybill, "WK123456")).await,
        [accepted[2]]
    );
    assert_eq!(
        ids(&c, &by(RefField::EshopOrderId, "12345")).await,
        [accepted[3]]
    );
    assert_eq!(
        ids(&c, &by(RefField::PoNumber, "PO-2019-7781")).await,
        [accepted[4]]
    );
    assert_eq!(ids(&c, &by(RefField::OrderId, "WK123456")).await, []);
    assert_eq!(
        ids(&c, &Filter::new().reference(Reference::any("123456"))).await,
        [accepted[2]]
    );
    // A received-time range: from the third item's time (inclusive) to the fifth's (exclusive).
    let all = c.list(&Filter::new(), None, 1000).await.unwrap().items;
    let at = |id: ItemId| all.iter().find(|i| i.id == id).unwrap().received_at;
    let (from, before) = (at(accepted[2]), at(accepted[4]));
    let expected: Vec<ItemId> = all
        .iter()
        .filter(|i| i.received_at >= from && i.received_at < before)
        .map(|i| i.id)
        .collect();
    assert!(expected.contains(&accepted[2]) && !expected.contains(&accepted[4]));
    assert_eq!(
        ids(&c, &Filter::new().received(Some(from), Some(before))).await,
        expected
    );
    // Filters combine.
    assert_eq!(
        ids(
            &c,
            &Filter::new()
                .provider(Provider::Peddler)
                .state(ItemState::Completed)
        )
        .await,
        [accepted[0]]
    );
}

async fn pages_stay_stable_while_deliveries_arrive(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let c = console(&inbox);
    let mut first = Vec::new();
    for name in &MIX[..5] {
        first.push(accept(&inbox, &named(name, |_| {})).await);
    }
    let page = c.list(&Filter::new(), None, 2).await.unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [first[4], first[3]]
    );
    // Two more arrive between the pages.
    let late = [
        accept(&inbox, &named(MIX[5], |_| {})).await,
        accept(
            &inbox,
            &named("wakilni/order_confirmed", |b| {
                b["event_id"] = "ev-confirmed".into()
            }),
        )
        .await,
    ];
    let cursor = page.next.unwrap();
    let page = c.list(&Filter::new(), Some(&cursor), 2).await.unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [first[2], first[1]]
    );
    let page = c
        .list(&Filter::new(), page.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [first[0]]
    );
    assert_eq!(page.next, None);
    // A fresh first page shows the new ones.
    let page = c.list(&Filter::new(), None, 2).await.unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [late[1], late[0]]
    );
    assert!(matches!(
        c.list(&Filter::new(), Some("c1.bm90IGEgY3Vyc29y"), 2).await,
        Err(ConsoleError::Cursor)
    ));
}

async fn one_item_in_full_with_its_attempts_and_history(store: Store) {
    let inbox = store
        .open(
            InboxOptions::default()
                .max_attempts(3)
                .backoff(Duration::ZERO, Duration::ZERO)
                .jitter(false),
        )
        .await;
    let c = console(&inbox);
    let (delivery, raw) = named("peddler/failed_attempt", |_| {});
    let id = accept(&inbox, &(delivery, raw.clone())).await;
    let item = inbox.claim(1, MINUTE).await.unwrap().remove(0);
    inbox
        .fail(item.claim, "ERP timeout after 30s")
        .await
        .unwrap();
    let item = inbox.claim(1, MINUTE).await.unwrap().remove(0);
    inbox.complete(item.claim).await.unwrap();
    let view = c.item(id).await.unwrap().unwrap();
    let record = &view.record;
    assert_eq!(record.summary.provider, "peddler");
    assert_eq!(record.summary.state, ItemState::Completed);
    assert_eq!(record.summary.attempts, 2);
    assert_eq!(record.body, raw.body);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(view.pretty_json.as_deref().unwrap()).unwrap(),
        serde_json::from_slice::<serde_json::Value>(&raw.body).unwrap()
    );
    assert!(
        view.pretty_json
            .unwrap()
            .contains("\n  \"id\": \"fx6_ZSWp0RDc24csBqOj9\"")
    );
    assert_eq!(record.method, "POST");
    // The credential header is kept masked, never as sent.
    let token = record
        .headers
        .iter()
        .find(|(n, _)| n == "x-webhook-shared-token")
        .map(|(_, v)| v.as_str());
    assert!(
        token.is_none_or(|v| !v.contains(super::super::PEDDLER_TOKEN)),
        "{token:?}"
    );
    assert_eq!(
        record.references,
        [
            (RefField::ShipmentId, "fx6_ZSWp0RDc24csBqOj9".to_owned()),
            (RefField::TrackingNumber, "P199684830307745678".to_owned()),
            (RefField::ExternalId, "78420240902-2".to_owned()),
        ]
    );
    let attempts: Vec<(u32, &str, Option<&str>)> = record
        .attempts
        .iter()
        .map(|a| (a.attempt, a.outcome.as_str(), a.error.as_deref()))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, "failed", Some("ERP timeout after 30s")),
            (2, "completed", None)
        ]
    );
    let history: Vec<(&str, &str)> = record
        .history
        .iter()
        .map(|h| (h.state.as_str(), h.actor.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("pending", "receiver"),
            ("pending", "worker"),
            ("completed", "worker")
        ]
    );
    assert!(record.history.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(record.handled, None);
    assert_eq!(c.item(ItemId(id.0 + 1000)).await.unwrap(), None);
}

async fn a_shipment_s_story_across_providers(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let c = console(&inbox);
    let completed = accept(
        &inbox,
        &named("wakilni/order_completed", |b| {
            b["event_id"] = "ev-completed".into()
        }),
    )
    .await;
    // Created in the morning, received after its completion.
    let created = accept(
        &inbox,
        &named("wakilni/order_created", |b| {
            b["data"]["created_at"] = "2024-11-14 09:00:00".into();
        }),
    )
    .await;
    let _other = accept(&inbox, &named("peddler/out_for_delivery", |_| {})).await;
    // Xoxoday's order of the same number.
    let xoxoday = accept(
        &inbox,
        &named("xoxoday/delivered", |b| {
            b["data"]["orderId"] = 123456.into()
        }),
    )
    .await;
    let story = c.story(&Reference::any("123456")).await.unwrap();
    let steps: Vec<(ItemId, &str, &str)> = story
        .steps
        .iter()
        .map(|s| {
            (
                s.item,
                s.provider.as_str(),
                s.update.provider_status.as_str(),
            )
        })
        .collect();
    assert_eq!(steps.len(), 3, "{steps:?}");
    for expected in [
        (created, "wakilni", "Order Created"),
        (completed, "wakilni", "Order Completed"),
        (xoxoday, "xoxoday", "delivered"),
    ] {
        assert!(steps.contains(&expected), "{expected:?} in {steps:?}");
    }
    let created_at = steps.iter().position(|s| s.0 == created).unwrap();
    let completed_at = steps.iter().position(|s| s.0 == completed).unwrap();
    assert!(created_at < completed_at, "{steps:?}");
    assert_eq!(story.timeline.len(), 2);
    assert_eq!(
        story
            .timeline
            .current(Provider::Wakilni, "order:123456")
            .unwrap()
            .status,
        ShipmentStatus::Delivered
    );
    assert_eq!(
        story
            .timeline
            .current(Provider::Xoxoday, "order:123456")
            .unwrap()
            .status,
        ShipmentStatus::Delivered
    );
    assert!(story.without_steps.is_empty());
    // Of one kind only: Wakilni's waybill.
    let story = c
        .story(&Reference::of(RefField::Waybill, "WK123456"))
        .await
        .unwrap();
    let mut items: Vec<ItemId> = story.steps.iter().map(|s| s.item).collect();
    items.sort();
    assert_eq!(items, [completed, created]);
    assert!(matches!(
        c.story(&Reference::any("")).await,
        Err(ConsoleError::Empty("reference value"))
    ));
}

async fn failures_group_by_provider_and_cause(store: Store) {
    let inbox = store.open(InboxOptions::default().max_attempts(1)).await;
    let c = console(&inbox);
    let mut ids = Vec::new();
    for name in &MIX[..4] {
        ids.push(accept(&inbox, &named(name, |_| {})).await);
    }
    let claimed = inbox.claim(4, MINUTE).await.unwrap();
    let errors = [
        "order 4711: ERP answered 503",
        "order 4712: ERP answered 503",
        "order e2986cd1-1e85-4ef1-a85a-89488dd27b92: ERP answered 503",
        "order 12345: ERP answered 503",
    ];
    for (item, error) in claimed.iter().zip(errors) {
        inbox.fail(item.claim, error).await.unwrap();
    }
    let groups = c.failures(None).await.unwrap();
    let seen: Vec<(&str, &str, u64, ItemId)> = groups
        .iter()
        .map(|g| (g.provider.as_str(), g.cause.as_str(), g.count, g.latest))
        .collect();
    assert_eq!(
        seen,
        [
            ("peddler", "order #: ERP answered #", 2, ids[1]),
            ("skladon", "order #: ERP answered #", 1, ids[3]),
            ("wakilni", "order #: ERP answered #", 1, ids[2]),
        ]
    );
    assert!(groups[0].first_seen <= groups[0].last_seen);
    // One group, as a filter: what its bulk replay or discard selects.
    let group = Filter::new()
        .provider(Provider::Peddler)
        .state(ItemState::Dead)
        .handled(false)
        .cause("order #: ERP answered #");
    assert_eq!(ids_of(&c, &group).await, [ids[1], ids[0]]);
    assert_eq!(ids_of(&c, &Filter::new().cause("order #")).await, []);
    assert_eq!(c.failures(Some(Provider::Wakilni)).await.unwrap().len(), 1);
}

async fn verbs_count_what_they_touch_and_are_audited(store: Store) {
    let inbox = store.open(InboxOptions::default().max_attempts(1)).await;
    let c = console(&inbox);
    let mut ids = Vec::new();
    for name in &MIX[..4] {
        ids.push(accept(&inbox, &named(name, |_| {})).await);
    }
    for item in inbox.claim(4, MINUTE).await.unwrap() {
        inbox.fail(item.claim, "ERP down").await.unwrap();
    }
    let dead_peddler = Filter::new()
        .provider(Provider::Peddler)
        .state(ItemState::Dead);
    // Bulk replay: both dead Peddler items.
    assert_eq!(
        c.replay(&dead_peddler, "alice", Some("ERP is back"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(c.replay(&dead_peddler, "alice", None).await.unwrap(), 0);
    assert_eq!(info(&inbox, ids[0]).await.state, ItemState::Pending);
    // One item.
    assert_eq!(
        c.replay(&Filter::new().item(ids[2]), "bob", None)
            .await
            .unwrap(),
        1
    );
    let history = c.item(ids[2]).await.unwrap().unwrap().record.history;
    assert_eq!(
        history.last().map(|h| (h.state.as_str(), h.actor.as_str())),
        Some(("pending", "bob"))
    );
    // Discard the one still dead.
    assert_eq!(
        c.discard(
            &Filter::new().state(ItemState::Dead),
            "carol",
            "order cancelled by hand"
        )
        .await
        .unwrap(),
        1
    );
    let handled = c.item(ids[3]).await.unwrap().unwrap().record;
    assert!(handled.summary.handled);
    let h = handled.handled.unwrap();
    assert_eq!(
        (h.by.as_str(), h.reason.as_str()),
        ("carol", "order cancelled by hand")
    );
    assert_eq!(handled.history.last().unwrap().state, "handled");
    assert!(c.failures(None).await.unwrap().is_empty());
    let dead = Filter::new().state(ItemState::Dead);
    assert_eq!(ids_of(&c, &dead.clone().handled(true)).await, [ids[3]]);
    assert_eq!(ids_of(&c, &dead.handled(false)).await, []);
    assert_eq!(
        c.discard(&Filter::new(), "carol", "again").await.unwrap(),
        0,
        "a handled item is not discarded twice, a pending one never"
    );
    // Expunge every trace of one customer's reference.
    let reference = Reference::of(RefField::TrackingNumber, "P199684830307745678");
    assert_eq!(
        c.expunge(&reference, "dpo", Some("GDPR request 17"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(c.item(ids[1]).await.unwrap(), None);
    assert_eq!(
        ids_of(&c, &Filter::new().reference(reference.clone())).await,
        []
    );
    assert_eq!(c.expunge(&reference, "dpo", None).await.unwrap(), 0);
    let dump = String::from_utf8_lossy(&store.dump().await).into_owned();
    assert!(
        !dump.contains("fx6_ZSWp0RDc24csBqOj9"),
        "the expunged item left a trace"
    );
    // The audit, newest first.
    let audit: Vec<(String, String, String, Option<String>, u64)> = c
        .audit(10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.verb, a.target, a.actor, a.reason, a.count))
        .collect();
    let row = |verb: &str, target: &str, actor: &str, reason: Option<&str>, count| {
        (
            verb.to_owned(),
            target.to_owned(),
            actor.to_owned(),
            reason.map(str::to_owned),
            count,
        )
    };
    assert_eq!(
        audit,
        [
            row(
                "expunge",
                "tracking_number (value not kept)",
                "dpo",
                None,
                0
            ),
            row(
                "expunge",
                "tracking_number (value not kept)",
                "dpo",
                Some("GDPR request 17"),
                1
            ),
            row("discard", "all", "carol", Some("again"), 0),
            row(
                "discard",
                "state=dead",
                "carol",
                Some("order cancelled by hand"),
                1
            ),
            row("replay", &format!("id={}", ids[2].0), "bob", None, 1),
            row("replay", "provider=peddler state=dead", "alice", None, 0),
            row(
                "replay",
                "provider=peddler state=dead",
                "alice",
                Some("ERP is back"),
                2
            ),
        ]
    );
    assert!(matches!(
        c.discard(&Filter::new(), "carol", " ").await,
        Err(ConsoleError::Empty("reason"))
    ));
    assert!(matches!(
        c.replay(&Filter::new(), "", None).await,
        Err(ConsoleError::Empty("actor"))
    ));
}

async fn the_overview_counts_depth_failures_and_rates(store: Store) {
    let options = InboxOptions::default()
        .max_attempts(2)
        .backoff(Duration::ZERO, Duration::ZERO)
        .jitter(false);
    let inbox = store.open(options).await;
    let c = console(&inbox);
    let mut ids = Vec::new();
    for name in MIX {
        ids.push(accept(&inbox, &named(name, |_| {})).await);
    }
    let line = |o: &delivery_webhooks::console::Overview, p: &str| {
        let l = o
            .providers
            .iter()
            .find(|l| l.provider == p)
            .unwrap()
            .clone();
        let exact = |n: Count| {
            assert!(!n.is_capped(), "{p}: {n}");
            n.value()
        };
        (
            exact(l.dead),
            exact(l.failures),
            exact(l.retrying),
            exact(l.last_5_minutes),
            exact(l.last_hour),
        )
    };
    let depth = |o: &delivery_webhooks::console::Overview| {
        let d = o.depth;
        (d.pending, d.claimed, d.dead)
    };
    let exact = |pending, claimed, dead| {
        (
            Count::exact(pending),
            Count::exact(claimed),
            Count::exact(dead),
        )
    };
    let o = c.overview().await.unwrap();
    assert_eq!(depth(&o), exact(6, 0, 0));
    assert!(o.oldest_pending_age.unwrap() < Duration::from_secs(3600));
    let names: Vec<&str> = o.providers.iter().map(|l| l.provider.as_str()).collect();
    assert_eq!(
        names,
        ["wakilni", "peddler", "xoxoday", "isendu", "skladon"]
    );
    assert_eq!(line(&o, "peddler"), (0, 0, 0, 2, 2));
    assert_eq!(line(&o, "skladon"), (0, 0, 0, 1, 1));

    // Every item claimed; three fail once (back to pending, retrying), one completes.
    let claimed = inbox.claim(6, MINUTE).await.unwrap();
    let claim = |id: ItemId| claimed.iter().find(|i| i.id == id).unwrap().claim;
    inbox
        .fail(claim(ids[0]), "order 4711: ERP answered 503")
        .await
        .unwrap();
    inbox
        .fail(claim(ids[1]), "order 4712: ERP answered 503")
        .await
        .unwrap();
    inbox
        .fail(claim(ids[2]), "timeout after 30s")
        .await
        .unwrap();
    inbox.complete(claim(ids[3])).await.unwrap();
    let o = c.overview().await.unwrap();
    assert_eq!(depth(&o), exact(3, 2, 0));
    assert_eq!(line(&o, "peddler"), (0, 0, 2, 2, 2));
    assert_eq!(line(&o, "wakilni"), (0, 0, 1, 1, 1));

    // Their second attempt fails too: dead, two causes.
    let again = inbox.claim(6, MINUTE).await.unwrap();
    let mut again_ids: Vec<ItemId> = again.iter().map(|i| i.id).collect();
    again_ids.sort();
    assert_eq!(again_ids, ids[..3]);
    for (item, error) in again.iter().zip([
        "order 4711: ERP answered 503",
        "order 4712: ERP answered 503",
        "timeout after 30s",
    ]) {
        inbox.fail(item.claim, error).await.unwrap();
    }
    let o = c.overview().await.unwrap();
    assert_eq!(depth(&o), exact(0, 2, 3));
    assert_eq!(o.oldest_pending_age, None);
    assert_eq!(line(&o, "peddler").0, 2);
    assert_eq!(line(&o, "wakilni"), (1, 1, 0, 1, 1));
    let failures: u64 = o.providers.iter().map(|l| l.failures.value()).sum();
    assert_eq!(
        failures,
        u64::try_from(c.failures(None).await.unwrap().len()).unwrap()
    );

    // A discarded dead letter leaves the provider's line (the depth still counts it).
    let wakilni = Filter::new()
        .provider(Provider::Wakilni)
        .state(ItemState::Dead);
    assert_eq!(c.discard(&wakilni, "carol", "known").await.unwrap(), 1);
    let o = c.overview().await.unwrap();
    assert_eq!(o.depth.dead, Count::exact(3));
    assert_eq!(line(&o, "wakilni"), (0, 0, 0, 1, 1));
}

/// `rows` copies of item `template` written behind the inbox's back, `provider`'s, in `state`,
/// received `received` (`{now}`: this moment, in ms), each with its own dedup key (`tag`
/// and its number) and, when given, `last_error` and a dead letter's `cause` and `dead_at`
/// (`{n}`: its number).
struct Bulk<'a> {
    provider: &'a str,
    tag: &'a str,
    state: &'a str,
    received: &'a str,
    last_error: &'a str,
    cause: &'a str,
    dead_at: &'a str,
}

async fn bulk(store: &Store, template: ItemId, rows: u64, b: Bulk<'_>) {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    let fill = |s: &str| s.replace("{n}", "n.i").replace("{now}", &now);
    store
        .sql(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO {{inbox}} (provider, dedup_key, announce, state, attempts, fence, \
             available_at, received_at, dead_at, last_error, cause, method, uri, peer, headers, \
             body, payload) \
             SELECT '{}', '{}-' || n.i, 0, '{}', 1, 1, {now}, {}, {}, {}, {}, t.method, t.uri, \
             t.peer, t.headers, t.body, t.payload FROM n, {{inbox}} t WHERE t.id = {}",
            b.provider,
            b.tag,
            b.state,
            fill(b.received),
            fill(b.dead_at),
            fill(b.last_error),
            fill(b.cause),
            template.0,
        ))
        .await;
}

/// Past `COUNT_CAP`, each of the overview's counts stops and says so (`10,000+`); at the cap
/// it is exact. Filled behind the inbox's back: more than the cap of dead letters (each its
/// own cause) received just now, of items retrying, and the cap exactly of deliveries in the
/// last hour; and a provider this build does not know.
async fn the_overview_stops_counting_at_the_cap(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let c = console(&inbox);
    let template = accept(&inbox, &named("wakilni/order_created", |_| {})).await;
    let over = COUNT_CAP + 1;
    // Wakilni: COUNT_CAP + 1 dead letters, each its own cause, received now.
    bulk(
        &store,
        template,
        over,
        Bulk {
            provider: "wakilni",
            tag: "dead",
            state: "dead",
            received: "{now}",
            last_error: "'ERP answered 503'",
            cause: "'cause ' || {n}",
            dead_at: "{now}",
        },
    )
    .await;
    // Peddler: COUNT_CAP + 1 items retrying (pending after a failure), received two hours ago.
    bulk(
        &store,
        template,
        over,
        Bulk {
            provider: "peddler",
            tag: "retrying",
            state: "pending",
            received: "{now} - 7200000",
            last_error: "'timeout after 30s'",
            cause: "NULL",
            dead_at: "NULL",
        },
    )
    .await;
    // Xoxoday: COUNT_CAP completed deliveries, received ten minutes ago: exact.
    bulk(
        &store,
        template,
        COUNT_CAP,
        Bulk {
            provider: "xoxoday",
            tag: "hour",
            state: "completed",
            received: "{now} - 600000",
            last_error: "NULL",
            cause: "NULL",
            dead_at: "NULL",
        },
    )
    .await;
    // A provider this build does not know, with one dead letter.
    bulk(
        &store,
        template,
        1,
        Bulk {
            provider: "acme",
            tag: "acme",
            state: "dead",
            received: "{now} - 7200000",
            last_error: "'no handler'",
            cause: "'no handler'",
            dead_at: "{now}",
        },
    )
    .await;

    let o = c.overview().await.unwrap();
    let capped = Count::at_least(COUNT_CAP);
    assert_eq!(
        (o.depth.pending, o.depth.claimed, o.depth.dead),
        (capped, Count::exact(0), capped)
    );
    assert_eq!(capped.to_string(), "10,000+");
    // The oldest wait is the template's (its `available_at` is its acceptance), not counted.
    assert!(o.oldest_pending_age.unwrap() < Duration::from_secs(3600));
    let names: Vec<&str> = o.providers.iter().map(|l| l.provider.as_str()).collect();
    assert_eq!(
        names,
        ["wakilni", "peddler", "xoxoday", "isendu", "skladon", "acme"]
    );
    let line = |p: &str| {
        let l = o.providers.iter().find(|l| l.provider == p).unwrap();
        (
            l.dead,
            l.failures,
            l.retrying,
            l.last_5_minutes,
            l.last_hour,
        )
    };
    let e = Count::exact;
    // Wakilni: its dead letters and causes, and the deliveries of the last 5 minutes and hour
    // (the copies and the template) all past the cap.
    assert_eq!(line("wakilni"), (capped, capped, e(0), capped, capped));
    assert_eq!(line("peddler"), (e(0), e(0), capped, e(0), e(0)));
    assert_eq!(line("xoxoday"), (e(0), e(0), e(0), e(0), e(COUNT_CAP)));
    assert_eq!(line("isendu"), (e(0), e(0), e(0), e(0), e(0)));
    assert_eq!(line("acme"), (e(1), e(1), e(0), e(0), e(0)));
    // The gauges' figure stays exact.
    let depth = inbox.depth().await.unwrap();
    assert_eq!(
        (depth.pending, depth.claimed, depth.dead),
        (over + 1, 0, over + 1)
    );
}

/// 150 deliveries, each accepted twice at once, written in one batch (SQLite writes it in
/// multi-row inserts of at most 128 rows): each stored once, its repeat a duplicate, and each
/// item's references and first history row written once, its own.
async fn a_batch_with_repeats_writes_each_item_s_trail_once(store: Store) {
    let inbox = store
        .open(
            InboxOptions::default()
                .max_batch(300)
                .provider_budget(300, 16 << 20)
                .batch_linger(Duration::from_millis(300)),
        )
        .await;
    let c = console(&inbox);
    let calls: Vec<_> = (0..150)
        .map(|n| {
            named("wakilni/order_created", |b| {
                b["event_id"] = format!("batch-{n}").into();
                b["data"]["order_id"] = (700_000 + n).into();
                b["data"]["waybill"] = format!("WB{n}").into();
            })
        })
        .collect();
    let tasks: Vec<_> = calls
        .iter()
        .chain(&calls)
        .map(|(delivery, raw)| {
            let (inbox, delivery, raw) = (inbox.clone(), delivery.clone(), raw.clone());
            tokio::spawn(async move { inbox.accept(&delivery, &raw).await.unwrap() })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    for (n, pair) in answers[..150].iter().zip(&answers[150..]).enumerate() {
        let id = match pair {
            (Acceptance::Accepted(id), Acceptance::Duplicate)
            | (Acceptance::Duplicate, Acceptance::Accepted(id)) => *id,
            other => panic!("delivery {n}: {other:?}"),
        };
        let record = c.item(id).await.unwrap().unwrap().record;
        assert_eq!(record.summary.dedup_key, format!("wakilni:batch-{n}"));
        assert_eq!(
            record.references,
            [
                (RefField::OrderId, (700_000 + n).to_string()),
                (RefField::Waybill, format!("WB{n}")),
            ],
            "delivery {n}"
        );
        let history: Vec<(&str, &str)> = record
            .history
            .iter()
            .map(|h| (h.state.as_str(), h.actor.as_str()))
            .collect();
        assert_eq!(history, [("pending", "receiver")], "delivery {n}");
    }
    assert_eq!(inbox.stats().await.unwrap().pending, 150);
}

/// Deleting items deletes their references, attempts and history rows, whichever statement
/// deletes them: the operator's expunge (one item) and retention's purge (two in one
/// statement). SQLite deletes them by a trigger per row; PostgreSQL, since schema 4 dropped
/// the side tables' foreign keys, by one trigger per statement. And an accept writes no
/// history row: the item's `received_at` is its first.
async fn deleting_items_deletes_their_references_attempts_and_history(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let c = console(&inbox);
    let mut ids = Vec::new();
    for n in 0..3 {
        let call = named("wakilni/order_created", |b| {
            b["event_id"] = format!("forget-{n}").into();
            b["data"]["order_id"] = (900_000 + n).into();
            b["data"]["waybill"] = format!("FORGET{n}").into();
        });
        ids.push(accept(&inbox, &call).await);
    }
    let sides = ["{inbox}_ref", "{inbox}_attempt", "{inbox}_history"];
    let rows = |id: Option<ItemId>| {
        let store = &store;
        async move {
            let mut counts = Vec::new();
            for side in sides {
                let filter = id.map_or(String::new(), |id| format!(" WHERE item_id = {}", id.0));
                counts.push(
                    store
                        .count(&format!("SELECT COUNT(*) FROM {side}{filter}"))
                        .await,
                );
            }
            counts
        }
    };
    assert_eq!(
        rows(None).await,
        [6, 0, 0],
        "an accept writes references only"
    );
    for item in inbox.claim(3, MINUTE).await.unwrap() {
        inbox.complete(item.claim).await.unwrap();
    }
    assert_eq!(rows(None).await, [6, 3, 3]);
    assert_eq!(
        c.item(ids[0]).await.unwrap().unwrap().record.history.len(),
        2,
        "the receiver's, then the worker's"
    );

    let reference = Reference::of(RefField::OrderId, "900000");
    assert_eq!(c.expunge(&reference, "dpo", None).await.unwrap(), 1);
    assert_eq!(
        rows(Some(ids[0])).await,
        [0, 0, 0],
        "expunged with its item"
    );
    assert_eq!(rows(None).await, [4, 2, 2], "the others' rows are kept");

    // Completed long ago, outside Wakilni's dedup window: one purge statement takes both.
    store
        .sql("UPDATE {inbox} SET received_at = 0, completed_at = 0")
        .await;
    assert_eq!(inbox.purge(Duration::from_secs(1)).await.unwrap(), 2);
    assert_eq!(rows(None).await, [0, 0, 0], "purged with their items");
    assert_eq!(store.count("SELECT COUNT(*) FROM {inbox}").await, 0);
}

async fn ids_of(console: &Console, filter: &Filter) -> Vec<ItemId> {
    ids(console, filter).await
}

on_both!(
    filters_select_by_indexed_columns_newest_first,
    pages_stay_stable_while_deliveries_arrive,
    one_item_in_full_with_its_attempts_and_history,
    a_shipment_s_story_across_providers,
    failures_group_by_provider_and_cause,
    verbs_count_what_they_touch_and_are_audited,
    the_overview_counts_depth_failures_and_rates,
    the_overview_stops_counting_at_the_cap,
    a_batch_with_repeats_writes_each_item_s_trail_once,
    deleting_items_deletes_their_references_attempts_and_history,
);
