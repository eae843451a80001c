//! A handler says how it failed (`HandlerError::permanent`, `HandlerError::retry_after`), and
//! the worker and the inbox honour it on both backends: dead after one attempt with the error
//! in its history; due again no sooner than the wait asked for, the attempt counted.

use delivery_webhooks::console::Console;
use delivery_webhooks::{HandlerError, HandlerResult, MAX_RETRY_AFTER, Retry};

use super::*;

fn console(inbox: &TestInbox) -> Console {
    match inbox {
        TestInbox::Sqlite(i) => Console::from(i.clone()),
        TestInbox::Postgres(i) => Console::from(i.clone()),
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// Through the worker: one item refused for good, one asked back in two hours (the back-off a
/// minute), one done.
async fn the_worker_carries_a_handler_s_retry_hint_to_the_inbox(store: Store) {
    let inbox = store
        .open(
            InboxOptions::default()
                .backoff(MINUTE, MINUTE)
                .jitter(false)
                .max_attempts(5),
        )
        .await;
    let ids = fill(&inbox, 3).await;
    let (refused, later, fine) = (ids[0], ids[1], ids[2]);
    // The database's clock, in whole milliseconds, may read up to two milliseconds behind this
    // process's (SQLite's `julianday('now')` is kept in milliseconds, then truncated again
    // through a float): a margin of two, so the rounding never fails the test.
    let before = SystemTime::now() - Duration::from_millis(2);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        Worker::new(inbox.clone())
            .batch(3)
            .idle(Duration::from_millis(10))
            .run(
                move |item: Item| async move {
                    if item.id == refused {
                        return Err(HandlerError::permanent("HTTP 400: {\"error\":\"bad\"}"));
                    }
                    if item.id == later {
                        return Err(HandlerError::retry_after("HTTP 429", 2 * HOUR));
                    }
                    HandlerResult::Ok(())
                },
                async {
                    let _ = stopped.await;
                },
            ),
    );
    for id in [refused, later, fine] {
        until(&inbox, id, "an outcome recorded", |i| {
            i.attempts == 1 && i.state != ItemState::Claimed
        })
        .await;
    }
    stop.send(()).unwrap();
    let report = worker.await.unwrap();
    assert_eq!((report.completed, report.failed, report.dead), (1, 2, 1));

    let dead = info(&inbox, refused).await;
    assert_eq!(
        (dead.state, dead.attempts, dead.last_error.as_deref()),
        (ItemState::Dead, 1, Some("HTTP 400: {\"error\":\"bad\"}"))
    );
    let record = console(&inbox).item(refused).await.unwrap().unwrap().record;
    let attempts: Vec<_> = record
        .attempts
        .iter()
        .map(|a| (a.attempt, a.outcome.as_str(), a.error.as_deref()))
        .collect();
    assert_eq!(
        attempts,
        [(1, "dead", Some("HTTP 400: {\"error\":\"bad\"}"))]
    );
    assert_eq!(
        record
            .history
            .last()
            .map(|h| (h.state.as_str(), h.actor.as_str())),
        Some(("dead", "worker"))
    );

    let waiting = info(&inbox, later).await;
    assert_eq!(
        (
            waiting.state,
            waiting.attempts,
            waiting.last_error.as_deref()
        ),
        (ItemState::Pending, 1, Some("HTTP 429"))
    );
    assert!(
        waiting.due_at >= before + 2 * HOUR,
        "due {:?}, asked for two hours after {before:?}",
        waiting.due_at
    );
    assert!(waiting.due_at <= SystemTime::now() + 2 * HOUR + MINUTE);
    assert_eq!(info(&inbox, fine).await.state, ItemState::Completed);
}

/// Straight on the inbox: a wait shorter than the back-off keeps the back-off; a wait beyond
/// `MAX_RETRY_AFTER` is cut to it; a `Retry::After` still counts against `max_attempts`.
async fn retry_after_is_a_floor_under_the_back_off_and_still_counts(store: Store) {
    let inbox = store
        .open(
            InboxOptions::default()
                .backoff(HOUR, HOUR)
                .jitter(false)
                .max_attempts(2),
        )
        .await;
    let [id] = fill(&inbox, 1).await[..] else {
        unreachable!()
    };
    // The database's clock, in whole milliseconds, may read up to two milliseconds behind this
    // process's (SQLite's `julianday('now')` is kept in milliseconds, then truncated again
    // through a float): a margin of two, so the rounding never fails the test.
    let before = SystemTime::now() - Duration::from_millis(2);
    let claim = inbox.claim(1, MINUTE).await.unwrap()[0].claim;
    let failure = inbox
        .fail_with(claim, "HTTP 503", Retry::After(Duration::from_secs(5)))
        .await
        .unwrap();
    let Failure::RetryAt(at) = failure else {
        panic!("{failure:?}")
    };
    assert!(at >= before + HOUR, "the back-off of an hour kept: {at:?}");
    assert!(at <= SystemTime::now() + HOUR + MINUTE);

    // Due now again (behind the inbox's back), the second and last attempt: dead, however
    // long the wait asked for.
    store.sql("UPDATE {inbox} SET available_at = 0").await;
    let claim = inbox.claim(1, MINUTE).await.unwrap()[0].claim;
    assert_eq!(claim.attempt(), 2);
    let failure = inbox
        .fail_with(claim, "HTTP 503", Retry::After(10 * MAX_RETRY_AFTER))
        .await
        .unwrap();
    assert_eq!(failure, Failure::Dead);
    assert_eq!(info(&inbox, id).await.state, ItemState::Dead);

    // Replayed, then asked back beyond the maximum: cut to one day.
    assert!(matches!(inbox.replay(id).await.unwrap(), Replay::Queued));
    // The database's clock, in whole milliseconds, may read up to two milliseconds behind this
    // process's (SQLite's `julianday('now')` is kept in milliseconds, then truncated again
    // through a float): a margin of two, so the rounding never fails the test.
    let before = SystemTime::now() - Duration::from_millis(2);
    let claim = inbox.claim(1, MINUTE).await.unwrap()[0].claim;
    let Failure::RetryAt(at) = inbox
        .fail_with(claim, "HTTP 429", Retry::After(10 * MAX_RETRY_AFTER))
        .await
        .unwrap()
    else {
        panic!("not dead on the first attempt after a replay")
    };
    assert!(at >= before + MAX_RETRY_AFTER, "{at:?}");
    assert!(at <= SystemTime::now() + MAX_RETRY_AFTER + MINUTE, "{at:?}");
}

on_both!(
    the_worker_carries_a_handler_s_retry_hint_to_the_inbox,
    retry_after_is_a_floor_under_the_back_off_and_still_counts,
);
