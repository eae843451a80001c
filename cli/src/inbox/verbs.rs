//! `inbox replay`, `discard` and `expunge`: count what the verb would touch, ask on the terminal
//! (or take `--yes`), run it, print how many items it touched.

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use delivery_webhooks::console::{Console, MAX_PAGE};
use delivery_webhooks::inbox::ItemState;
use delivery_webhooks::inbox::query::{Filter, ItemSummary, RefField};

use super::failed;
use super::filter::{FilterArgs, parse_ref_kind, reference};
use crate::common::{Failure, print_line};

/// Who acts, and whether they already said yes.
#[derive(Args)]
pub struct Act {
    /// Who acts, for the audit log (default: $USER@host, or `cli`).
    #[arg(long, value_name = "NAME")]
    actor: Option<String>,
    /// Do not ask: the answer is yes (needed when standard input is not a terminal).
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Args)]
pub struct ReplayArgs {
    /// One item's id; or select items with the filters.
    #[arg(value_name = "ID")]
    id: Option<i64>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Without an ID or a filter: every dead or completed item.
    #[arg(long)]
    all: bool,
    /// Why, for the audit log.
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    #[command(flatten)]
    act: Act,
}

#[derive(Args)]
pub struct DiscardArgs {
    /// One item's id; or select items with the filters.
    #[arg(value_name = "ID")]
    id: Option<i64>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Without an ID or a filter: every dead item not yet discarded.
    #[arg(long)]
    all: bool,
    /// Why they need no replay (required; kept in the audit log and each item's history).
    #[arg(long, value_name = "TEXT", required = true)]
    reason: String,
    #[command(flatten)]
    act: Act,
}

#[derive(Args)]
pub struct ExpungeArgs {
    /// The reference whose every trace to delete, exactly as sent.
    reference: String,
    /// Only a reference of this kind (order_id, waybill, tracking_number…).
    #[arg(long, value_name = "KIND", value_parser = parse_ref_kind)]
    ref_kind: Option<RefField>,
    /// Why, for the audit log (which keeps the kind, never the value).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    #[command(flatten)]
    act: Act,
}

pub async fn replay(console: &Console, args: ReplayArgs) -> Result<(), Failure> {
    let filter = selection(args.id, &args.filter, args.all, "replay")?;
    let actor = actor(args.act.actor);
    // One item by id is not a bulk act: no question, but why nothing happened.
    let state = match args.id {
        Some(id) => Some(state_of(console, id).await?),
        None => {
            let n = count(console, &filter, |i| {
                matches!(i.state, ItemState::Dead | ItemState::Completed)
            })
            .await?;
            let what = match args.filter.state() {
                Some(ItemState::Dead) => "dead",
                Some(ItemState::Completed) => "completed",
                _ => "dead or completed",
            };
            let question = format!("Replay {n} {what} {}?", items(n));
            if !confirm(
                n,
                &question,
                "no dead or completed item matches",
                args.act.yes,
            )? {
                return Ok(());
            }
            None
        }
    };
    let n = console
        .replay(&filter, &actor, args.reason.as_deref())
        .await
        .map_err(failed)?;
    print_line(&format!(
        "queued {n} {} for replay{}",
        items(n),
        why_not(n, state)
    ))
}

pub async fn discard(console: &Console, args: DiscardArgs) -> Result<(), Failure> {
    let filter = selection(args.id, &args.filter, args.all, "discard")?;
    let actor = actor(args.act.actor);
    let state = match args.id {
        Some(id) => Some(state_of(console, id).await?),
        None => {
            let n = count(console, &filter, |i| {
                i.state == ItemState::Dead && !i.handled
            })
            .await?;
            let question = format!("Discard {n} dead {}?", items(n));
            if !confirm(
                n,
                &question,
                "no dead item left to discard matches",
                args.act.yes,
            )? {
                return Ok(());
            }
            None
        }
    };
    let n = console
        .discard(&filter, &actor, &args.reason)
        .await
        .map_err(failed)?;
    print_line(&format!(
        "discarded {n} dead {}{}",
        items(n),
        why_not(n, state)
    ))
}

/// For a verb on one item that touched none: the item's state, which says why.
fn why_not(n: u64, state: Option<(ItemState, bool)>) -> String {
    match state {
        Some((state, handled)) if n == 0 => {
            let discarded = if handled { ", discarded" } else { "" };
            format!(" (the item is {}{discarded})", state.as_str())
        }
        _ => String::new(),
    }
}

pub async fn expunge(console: &Console, args: ExpungeArgs) -> Result<(), Failure> {
    let reference = reference(args.ref_kind, &args.reference);
    if reference.value.trim().is_empty() {
        return Err(Failure::Usage("the reference must not be empty".into()));
    }
    let actor = actor(args.act.actor);
    let n = count(console, &Filter::new().reference(reference.clone()), |_| {
        true
    })
    .await?;
    let question = format!(
        "Delete {n} {} carrying this reference, for good, whatever their state?",
        items(n)
    );
    if !confirm(n, &question, "no item carries this reference", args.act.yes)? {
        return Ok(());
    }
    let n = console
        .expunge(&reference, &actor, args.reason.as_deref())
        .await
        .map_err(failed)?;
    print_line(&format!("expunged {n} {}", items(n)))
}

fn items(n: u64) -> &'static str {
    if n == 1 { "item" } else { "items" }
}

/// The filter of an id or the filter options; every item only with `--all`, so that a
/// forgotten filter does not act on the whole inbox.
fn selection(id: Option<i64>, args: &FilterArgs, all: bool, verb: &str) -> Result<Filter, Failure> {
    let filter = args.filter(id);
    let everything = filter == Filter::new();
    match (everything, all) {
        (true, false) => Err(Failure::Usage(format!(
            "{verb} needs an ID, a filter (--state dead, --provider …) or --all"
        ))),
        (false, true) => Err(Failure::Usage(format!(
            "{verb}: --all cannot be combined with an ID or a filter"
        ))),
        _ => Ok(filter),
    }
}

/// Item `id`'s state and whether it was discarded; no such item is a failure (exit 1).
async fn state_of(console: &Console, id: i64) -> Result<(ItemState, bool), Failure> {
    match console
        .item(delivery_webhooks::inbox::ItemId(id))
        .await
        .map_err(failed)?
    {
        Some(view) => Ok((view.record.summary.state, view.record.summary.handled)),
        None => Err(Failure::Rejected(format!("no item {id} in this inbox"))),
    }
}

/// How many items `filter` selects that `touched` says the verb acts on, paging the list.
async fn count(
    console: &Console,
    filter: &Filter,
    touched: impl Fn(&ItemSummary) -> bool,
) -> Result<u64, Failure> {
    let mut n = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = console
            .list(filter, cursor.as_deref(), MAX_PAGE)
            .await
            .map_err(failed)?;
        n += page.items.iter().filter(|i| touched(i)).count() as u64;
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(n),
        }
    }
}

/// Whether to go on: nothing to do is a no (said so), `--yes` a yes, otherwise the terminal's
/// answer; without a terminal to ask, a refusal (exit 2).
fn confirm(n: u64, question: &str, none: &str, yes: bool) -> Result<bool, Failure> {
    if n == 0 {
        print_line(&format!("{none}: nothing done"))?;
        return Ok(false);
    }
    if yes {
        return Ok(true);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::Usage(format!(
            "{question} Standard input is not a terminal to ask on: pass --yes to confirm"
        )));
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::Usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(true)
    } else {
        Err(Failure::Rejected("not confirmed: nothing done".into()))
    }
}

/// `$USER@host`, `$USER`, or `cli`.
fn actor(given: Option<String>) -> String {
    if let Some(actor) = given {
        return actor;
    }
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty());
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match (user, host) {
        (Some(user), Some(host)) => format!("{user}@{host}"),
        (Some(user), None) => user,
        _ => "cli".to_owned(),
    }
}
