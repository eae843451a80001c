//! The statements the console issues, caught as sqlx runs them (its `sqlx::query` events carry
//! the SQL text), so the plans printed are those of the library's own statements, not copies.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

static CATCHING: AtomicBool = AtomicBool::new(false);
static CAUGHT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Catches `sqlx::query` events while [`catch`] runs; ignores every other event.
pub struct Catcher;

impl<S: Subscriber> Layer<S> for Catcher {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.target() == "sqlx::query" {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, _: &Metadata<'_>, _: Context<'_, S>) -> bool {
        CATCHING.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        struct Statement(Option<String>);
        impl Visit for Statement {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "db.statement" {
                    self.0 = Some(value.trim().to_owned());
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        let mut statement = Statement(None);
        event.record(&mut statement);
        if let Some(sql) = statement.0.filter(|s| !s.is_empty()) {
            CAUGHT.lock().unwrap().push(sql);
        }
    }
}

/// Installs the catcher as the global subscriber.
pub fn install() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let subscriber = tracing_subscriber::registry().with(Catcher);
    tracing::subscriber::set_global_default(subscriber).unwrap();
}

/// Runs `f` and returns the distinct statements it ran that have a plan, in the order first
/// run. A pool that opens a connection meanwhile runs its set-up (`PRAGMA …` on SQLite, `SET …`
/// on PostgreSQL) inside `f` too: that is no statement of the library's, and explaining it
/// failed a run.
pub async fn catch<F: std::future::Future>(f: F) -> (F::Output, Vec<String>) {
    CAUGHT.lock().unwrap().clear();
    CATCHING.store(true, Ordering::SeqCst);
    let out = f.await;
    CATCHING.store(false, Ordering::SeqCst);
    let mut seen = BTreeSet::new();
    let caught = CAUGHT
        .lock()
        .unwrap()
        .drain(..)
        .filter(|s| planned(s) && seen.insert(s.clone()))
        .collect();
    (out, caught)
}

/// Whether `sql` is a statement with a plan to explain.
fn planned(sql: &str) -> bool {
    let word: String = sql
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH"
    )
}

/// How many `$n` / `?n` parameters `sql` has: the highest number named.
pub fn parameters(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let mut most = 0;
    let mut in_string = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\'' {
            in_string = !in_string;
        }
        if !in_string && (b == b'$' || b == b'?') {
            let digits: String = sql[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<usize>() {
                most = most.max(n);
            }
        }
    }
    most
}
