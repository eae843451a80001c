//! Issue 36: an idle worker starts when an item becomes due, not at its next look (`idle`,
//! 200 ms by default), and a lost wake-up is still found at the next look.
//!
//! Each test makes the worker idle first (it processes one item, then waits), with a look so
//! rare (an hour) that only a wake-up can start it within the test, or, for the lost wake-up,
//! so frequent that the look is what finds it. A worker that had not gone idle yet when the
//! second item is stored finds it by its look: the test passes then too, so no ordering can
//! fail it; the pause before storing makes the idle case the usual one.

use super::*;

const HOUR: Duration = Duration::from_secs(3600);

on_both!(
    an_idle_worker_starts_on_a_wake_up_not_at_its_next_look,
    a_lost_wake_up_is_found_at_the_next_look,
);

/// Runs a worker over `inbox` (looking every `idle`), sending each dedup key its handler sees.
fn start_worker(
    inbox: TestInbox,
    idle: Duration,
) -> (
    tokio::sync::mpsc::UnboundedReceiver<String>,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<delivery_webhooks::inbox::WorkerReport>,
) {
    let (seen, keys) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(inbox).idle(idle).retention(None);
    let running = tokio::spawn(worker.run(
        move |item: Item| {
            let seen = seen.clone();
            async move {
                let _ = seen.send(item.delivery.dedup_key().to_string());
            }
        },
        async {
            let _ = stopped.await;
        },
    ));
    (keys, stop, running)
}

/// The next key a handler saw; fails after 60 s (a worker that never started).
async fn next(keys: &mut tokio::sync::mpsc::UnboundedReceiver<String>, what: &str) -> String {
    tokio::time::timeout(Duration::from_secs(60), keys.recv())
        .await
        .unwrap_or_else(|_| panic!("{what}: the worker never started"))
        .unwrap()
}

async fn an_idle_worker_starts_on_a_wake_up_not_at_its_next_look(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let two = distinct(2);
    let (mut keys, stop, running) = start_worker(inbox.clone(), HOUR);
    // Stored in this process: the inbox rings its own wake-up.
    let Acceptance::Accepted(first) = inbox.accept(&two[0].0, &two[0].1).await.unwrap() else {
        panic!("a new delivery is accepted")
    };
    assert_eq!(
        next(&mut keys, "first").await,
        two[0].0.dedup_key().to_string()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Stored by another instance over the same database (its own pool): on PostgreSQL the
    // notification reaches this process's `LISTEN` session; SQLite has none between
    // instances, so there the second item is stored through this instance again.
    let other = match &store {
        Store::Postgres { .. } => store.open(InboxOptions::default()).await,
        Store::Sqlite(_) => inbox.clone(),
    };
    other.accept(&two[1].0, &two[1].1).await.unwrap();
    assert_eq!(
        next(&mut keys, "second").await,
        two[1].0.dedup_key().to_string()
    );
    // Replayed: due again, and the worker wakes for it too.
    until(&inbox, first, "completed", |i| {
        i.state == ItemState::Completed
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(inbox.replay(first).await.unwrap(), Replay::Queued);
    assert_eq!(
        next(&mut keys, "replayed").await,
        two[0].0.dedup_key().to_string()
    );
    let _ = stop.send(());
    let report = running.await.unwrap();
    assert_eq!(report.completed, 3);
}

async fn a_lost_wake_up_is_found_at_the_next_look(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let two = distinct(2);
    let (mut keys, stop, running) = start_worker(inbox.clone(), Duration::from_millis(100));
    inbox.accept(&two[0].0, &two[0].1).await.unwrap();
    next(&mut keys, "first").await;
    // The fault: a wake-up that never arrives. SQLite: another instance (another process, as
    // far as this one can tell) stores the item, and nothing crosses between instances.
    // PostgreSQL: the worker's `LISTEN` session is killed first, so the notification of the
    // store finds nobody listening (the session comes back and rings once, or the look finds it).
    let other = store.open(InboxOptions::default()).await;
    if let Store::Postgres { url, ns } = &store {
        let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
        let channel: String = format!("delivery_webhooks_{ns}").chars().take(63).collect();
        let killed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE query = 'LISTEN \"' || $1 || '\"' AND pid <> pg_backend_pid()",
        )
        .bind(&channel)
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert_eq!(killed, [true], "the worker's LISTEN session");
        admin.close().await.unwrap();
    }
    other.accept(&two[1].0, &two[1].1).await.unwrap();
    assert_eq!(
        next(&mut keys, "second").await,
        two[1].0.dedup_key().to_string()
    );
    let _ = stop.send(());
    assert_eq!(running.await.unwrap().completed, 2);
}

/// With `InboxOptions::listen_url` (the operator's way past a transaction pooler, where a
/// `LISTEN` does not last), the `LISTEN` session connects there, and an item stored by another
/// instance still wakes the idle worker: here the server's own URL (or, under
/// `scripts/with-pgbouncer.sh`, the server behind the bouncer).
#[test]
fn a_listen_url_of_its_own_carries_the_wake_up_on_postgres() {
    let test = "a_listen_url_of_its_own_carries_the_wake_up_on_postgres";
    let Some(url) = postgres_url(test) else {
        return;
    };
    let listen =
        std::env::var("DELIVERY_WEBHOOKS_TEST_POSTGRES_LISTEN_URL").unwrap_or_else(|_| url.clone());
    let store = Store::Postgres {
        url,
        ns: namespace("listen_url"),
    };
    runtime().block_on(async {
        let inbox = store.open(InboxOptions::default().listen_url(listen)).await;
        let two = distinct(2);
        let (mut keys, stop, running) = start_worker(inbox.clone(), HOUR);
        inbox.accept(&two[0].0, &two[0].1).await.unwrap();
        assert_eq!(
            next(&mut keys, "first").await,
            two[0].0.dedup_key().to_string()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        let other = store.open(InboxOptions::default()).await;
        other.accept(&two[1].0, &two[1].1).await.unwrap();
        assert_eq!(
            next(&mut keys, "second").await,
            two[1].0.dedup_key().to_string()
        );
        let _ = stop.send(());
        assert_eq!(running.await.unwrap().completed, 2);
    });
}
