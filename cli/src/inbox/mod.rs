//! `delivery-webhooks inbox …`: the operator's console on the command line, over the library's
//! `console::Console` (no SQL here): list, show, story, replay, discard, expunge, stats.
//!
//! Layout: this file holds the arguments and opens the database; `filter.rs` turns the filter
//! options into the library's `Filter`; `view.rs` prints list and show, `story.rs` story and
//! stats (text or `--json`); `verbs.rs` counts, confirms and runs the verbs.

mod filter;
mod story;
mod verbs;
mod view;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use delivery_webhooks::console::{Console, ConsoleError};
use delivery_webhooks::inbox::{InboxError, InboxOptions, PostgresInbox, SqliteInbox};

use crate::common::Failure;

/// The configuration variable the receiver reads its database from (`Config::database_url`).
const DATABASE_VAR: &str = "DELIVERY_WEBHOOKS_DATABASE_URL";

/// Shown under `inbox --help`.
pub const HELP: &str = "\
The database is the receiver's: --database, or DELIVERY_WEBHOOKS_DATABASE_URL as the receiver
reads it. A SQLite file path (or sqlite://PATH), or a postgres:// or postgresql:// URL (best
given in the variable: a URL on the command line shows its password to `ps`). A SQLite file
that does not exist is an error, never created. It is opened as the receiver opens it (the
same schema migrations); --namespace if the receiver sets InboxOptions::namespace.

States: pending, in-progress (claimed), done (completed), dead; either name is accepted.
Times: RFC 3339 (2024-11-14T09:00:00Z) or an age: 90s, 30m, 2h, 7d, 2w.
Reference kinds (--ref-kind): order_id, eshop_order_id, shipment_id, receiving_id, return_id,
waybill, tracking_number, po_number, external_id; without one, a value of any kind.

replay, discard and expunge first count what they would touch and ask `Replay 40 dead or
completed items? [y/N]` on the terminal; --yes answers yes. Without --yes and without a
terminal on standard input they refuse. A verb on one <ID> does not ask. Each prints
how many items it touched and is recorded in the inbox's audit log with --actor (default
$USER@host).

Text from payloads is printed with control characters written as \\u{1b}; --json output is
JSON (its shape: docs/console.md, \"Command line\"). Exit codes: 0 ok, 1 failed (database,
no such item, declined), 2 usage.

Examples:
  export DELIVERY_WEBHOOKS_DATABASE_URL=/var/lib/receiver/webhooks.db
  delivery-webhooks inbox list --state dead --provider skladon --since 2h
  delivery-webhooks inbox show 42
  delivery-webhooks inbox story WK123456 --ref-kind waybill
  delivery-webhooks inbox replay --state dead --provider skladon --reason 'ERP is back'
  delivery-webhooks inbox discard --state dead --dedup-key wakilni:ev-9 --reason 'test order'
  delivery-webhooks inbox expunge 'customer@example.com' --ref-kind external_id --yes
  delivery-webhooks inbox stats --json";

/// `delivery-webhooks inbox <verb>`.
#[derive(Args)]
pub struct InboxArgs {
    #[command(subcommand)]
    verb: Verb,
    /// The inbox's database: a SQLite file path (or sqlite://PATH) or a postgres:// URL;
    /// default: DELIVERY_WEBHOOKS_DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// The namespace the receiver opened the inbox with (InboxOptions::namespace), if any.
    #[arg(long, global = true, value_name = "NAME")]
    namespace: Option<String>,
}

#[derive(Subcommand)]
enum Verb {
    /// List items, newest first, with the filters; prints the next page's cursor.
    List(view::ListArgs),
    /// One item in full: request, headers (credentials masked), body, attempts, history.
    Show(view::ShowArgs),
    /// Every delivery of one shipment reference, across providers, with its timeline.
    Story(story::StoryArgs),
    /// Send dead or completed items round again: one <ID>, or those a filter selects.
    Replay(verbs::ReplayArgs),
    /// Mark dead items as handled (they leave the failures), with a reason.
    Discard(verbs::DiscardArgs),
    /// Delete every stored trace of a shipment reference (a data-removal request).
    Expunge(verbs::ExpungeArgs),
    /// Items per state, and the dead letters grouped by cause.
    Stats(story::StatsArgs),
}

/// The inbox behind a console: `stats` asks the inbox itself.
#[derive(Clone)]
enum Store {
    Sqlite(SqliteInbox),
    Postgres(PostgresInbox),
}

impl Store {
    fn console(&self) -> Console {
        match self {
            Store::Sqlite(i) => Console::from(i.clone()),
            Store::Postgres(i) => Console::from(i.clone()),
        }
    }
}

/// Runs `inbox <verb>`: a current-thread runtime drives the console's calls.
pub fn run(args: InboxArgs) -> Result<(), Failure> {
    let url = match args.database {
        Some(url) => url,
        None => std::env::var(DATABASE_VAR)
            .ok()
            .filter(|url| !url.trim().is_empty())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "no inbox database: pass --database or set {DATABASE_VAR}"
                ))
            })?,
    };
    let target = Target::parse(&url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Rejected(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let store = target.open(args.namespace).await?;
        match args.verb {
            Verb::List(a) => view::list(&store.console(), a).await,
            Verb::Show(a) => view::show(&store.console(), &a).await,
            Verb::Story(a) => story::story(&store.console(), &a).await,
            Verb::Replay(a) => verbs::replay(&store.console(), a).await,
            Verb::Discard(a) => verbs::discard(&store.console(), a).await,
            Verb::Expunge(a) => verbs::expunge(&store.console(), a).await,
            Verb::Stats(a) => story::stats(&store, &a).await,
        }
    })
}

/// Where the database is.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Sqlite(PathBuf),
    /// The URL (never shown: it may hold a password).
    Postgres(String),
}

impl Target {
    /// `postgres://`/`postgresql://` (any case) is PostgreSQL; `sqlite://PATH` or a plain path
    /// is SQLite; any other scheme is refused without repeating the URL.
    fn parse(url: &str) -> Result<Self, Failure> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_owned()));
        }
        let path = if lower.starts_with("sqlite://") {
            &url["sqlite://".len()..]
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(Failure::Usage(format!(
                "--database: scheme `{scheme}` is not supported: give a SQLite file path (or \
                 sqlite://PATH), or a postgres:// or postgresql:// URL"
            )));
        } else {
            url
        };
        if path.is_empty() {
            return Err(Failure::Usage(
                "--database: the SQLite path is empty".into(),
            ));
        }
        Ok(Target::Sqlite(PathBuf::from(path)))
    }

    async fn open(self, namespace: Option<String>) -> Result<Store, Failure> {
        let mut options = InboxOptions::default().pool_size(2);
        if let Some(ns) = namespace {
            options = options.namespace(ns);
        }
        match self {
            Target::Sqlite(path) => {
                refuse_missing(&path)?;
                SqliteInbox::open(&path, options)
                    .await
                    .map(Store::Sqlite)
                    .map_err(|e| Failure::Rejected(format!("{}: {e}", path.display())))
            }
            Target::Postgres(url) => PostgresInbox::connect(&url, options)
                .await
                .map(Store::Postgres)
                // The error names no URL; neither does this.
                .map_err(|e| Failure::Rejected(format!("PostgreSQL inbox: {e}"))),
        }
    }
}

/// A SQLite file that is not there is a typo, not a new inbox: opening would create it.
fn refuse_missing(path: &Path) -> Result<(), Failure> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err(Failure::Usage(format!(
            "--database: {} is not a file",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::Usage(format!(
            "--database: no inbox database at {}: the file does not exist (the receiver creates \
             it when it starts)",
            path.display()
        ))),
        Err(e) => Err(Failure::Usage(format!(
            "--database: cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// A console call that failed: a bad argument (an empty reason, a foreign cursor) is usage
/// (2); the database's failure is 1.
fn failed(err: ConsoleError) -> Failure {
    match err {
        ConsoleError::Cursor => {
            Failure::Usage("--cursor: not a cursor this command printed".into())
        }
        ConsoleError::Empty(what) => Failure::Usage(format!("{what} must not be empty")),
        ConsoleError::Inbox(e) => inbox_failed(&e),
        other => Failure::Rejected(other.to_string()),
    }
}

fn inbox_failed(err: &InboxError) -> Failure {
    Failure::Rejected(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_choose_the_backend() {
        let parse = |url: &str| Target::parse(url).ok();
        assert_eq!(
            parse("sqlite:///var/lib/w.db"),
            Some(Target::Sqlite("/var/lib/w.db".into()))
        );
        assert_eq!(parse("w.db"), Some(Target::Sqlite("w.db".into())));
        assert_eq!(
            parse("PostgreSQL://u:p@h/db"),
            Some(Target::Postgres("PostgreSQL://u:p@h/db".into()))
        );
        assert_eq!(
            parse("postgres://h/db"),
            Some(Target::Postgres("postgres://h/db".into()))
        );
        match Target::parse("mysql://u:secret@h/db") {
            Err(Failure::Usage(m)) => {
                assert!(m.contains("`mysql`") && !m.contains("secret"), "{m}");
            }
            _ => panic!("mysql accepted"),
        }
        assert!(matches!(Target::parse("sqlite://"), Err(Failure::Usage(_))));
    }
}
