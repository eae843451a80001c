//! Completions written a batch at a time (issue 36, "Drain rate"): `Inbox::complete_batch`
//! records every claim it still holds in one commit, each fenced by its own token, and the
//! `Worker` records its finished items that way.

use delivery_webhooks::console::Console;

use super::*;

fn console(inbox: &TestInbox) -> Console {
    match inbox {
        TestInbox::Sqlite(i) => Console::from(i.clone()),
        TestInbox::Postgres(i) => Console::from(i.clone()),
    }
}

/// `(attempt, outcome)` and `(state, actor)` of the item's trail, as the console shows them.
async fn trail(inbox: &TestInbox, id: ItemId) -> (Vec<(u32, String)>, Vec<(String, String)>) {
    let view = console(inbox).item(id).await.unwrap().unwrap();
    let record = view.record;
    (
        record
            .attempts
            .iter()
            .map(|a| (a.attempt, a.outcome.clone()))
            .collect(),
        record
            .history
            .iter()
            .map(|h| (h.state.clone(), h.actor.clone()))
            .collect(),
    )
}

fn strings(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// A batch of completions in which one claim's lease was taken over by another worker: the
/// others are recorded (state, attempt and history), the stale one writes nothing and is
/// answered `LeaseLost` with its own id and token, and the new holder completes it afterwards.
async fn a_batch_completion_records_the_claims_it_holds_and_nothing_for_a_lost_one(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let ids = fill(&inbox, 4).await;
    // A lease of zero: every claim is stale at once, until extended.
    let claims: Vec<Claim> = inbox
        .claim(4, Duration::ZERO)
        .await
        .unwrap()
        .iter()
        .map(|i| i.claim)
        .collect();
    assert_eq!(claims.iter().map(Claim::id).collect::<Vec<_>>(), ids);
    let [a, b, stale, d] = claims[..] else {
        unreachable!()
    };
    for held in [a, b, d] {
        inbox.extend(held, MINUTE).await.unwrap();
    }
    // Another worker takes over the one left stale.
    let taken = inbox.claim(4, MINUTE).await.unwrap();
    assert_eq!(taken.len(), 1);
    let fresh = taken[0].claim;
    assert_eq!((fresh.id(), fresh.attempt()), (stale.id(), 2));

    let recorded = inbox.complete_batch(&[a, stale, b]).await.unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(recorded[0].is_ok() && recorded[2].is_ok(), "{recorded:?}");
    assert!(
        matches!(recorded[1], Err(InboxError::LeaseLost { id, token })
            if id == stale.id() && token == stale.token()),
        "{recorded:?}"
    );
    for (id, state) in [
        (a.id(), ItemState::Completed),
        (b.id(), ItemState::Completed),
        (stale.id(), ItemState::Claimed),
        (d.id(), ItemState::Claimed),
    ] {
        assert_eq!(info(&inbox, id).await.state, state, "{id:?}");
    }
    let (attempts, history) = trail(&inbox, a.id()).await;
    assert_eq!(attempts, [(1, "completed".to_owned())]);
    assert_eq!(
        history,
        strings(&[("pending", "receiver"), ("completed", "worker")])
    );
    // The lost claim wrote no attempt and no change of state.
    let (attempts, history) = trail(&inbox, stale.id()).await;
    assert_eq!(
        (attempts, history),
        (vec![], strings(&[("pending", "receiver")]))
    );

    // Nothing to record, nothing written; an item already completed is not completed twice.
    assert!(inbox.complete_batch(&[]).await.unwrap().is_empty());
    assert!(matches!(
        inbox.complete_batch(&[a]).await.unwrap()[..],
        [Err(InboxError::LeaseLost { .. })]
    ));
    assert_eq!(trail(&inbox, a.id()).await.0.len(), 1);

    // The new holder records it, with the batch's last one.
    let recorded = inbox.complete_batch(&[fresh, d]).await.unwrap();
    assert!(recorded.iter().all(Result::is_ok), "{recorded:?}");
    assert_eq!(info(&inbox, fresh.id()).await.state, ItemState::Completed);
    assert_eq!(
        trail(&inbox, fresh.id()).await.0,
        [(2, "completed".to_owned())]
    );
    let stats = inbox.stats().await.unwrap();
    assert_eq!((stats.completed, stats.claimed, stats.pending), (4, 0, 0));
}

/// A worker with batches of 4 over 10 items: each handled once and recorded completed, with
/// one attempt and the worker's change of state in its trail.
async fn a_worker_records_its_batches_completed(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let ids = fill(&inbox, 10).await;
    let handled = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = {
        let handled = Arc::clone(&handled);
        let mut stopped = stopped.clone();
        tokio::spawn(Worker::new(inbox.clone()).batch(4).retention(None).run(
            move |item: Item| {
                handled.lock().unwrap().push(item.id);
                async {}
            },
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            },
        ))
    };
    for id in &ids {
        until(&inbox, *id, "completed", |i| {
            i.state == ItemState::Completed
        })
        .await;
    }
    stop.send(true).unwrap();
    let report = worker.await.unwrap();
    assert_eq!((report.completed, report.lost, report.failed), (10, 0, 0));
    assert_eq!(*handled.lock().unwrap(), ids);
    for id in ids {
        let (attempts, history) = trail(&inbox, id).await;
        assert_eq!(attempts, [(1, "completed".to_owned())]);
        assert_eq!(
            history,
            strings(&[("pending", "receiver"), ("completed", "worker")])
        );
    }
}

on_both!(
    a_batch_completion_records_the_claims_it_holds_and_nothing_for_a_lost_one,
    a_worker_records_its_batches_completed,
);
