//! `inbox list` and `inbox show`: a table or one item in full, or `--json`.

use std::io::{IsTerminal, Write};

use clap::Args;
use delivery_webhooks::console::MAX_PAGE;
use delivery_webhooks::console::{Console, ItemView};
use delivery_webhooks::inbox::ItemId;
use delivery_webhooks::inbox::query::{ItemRecord, ItemSummary, RefField};
use serde::Serialize;

use super::failed;
use super::filter::{FilterArgs, rfc3339, short};
use crate::common::print_json;
use crate::common::{Failure, print_line};
use crate::terminal::escape_line;

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// At most this many items (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PAGE)))]
    limit: u32,
    /// Start after the page that printed this cursor.
    #[arg(long, value_name = "CURSOR")]
    cursor: Option<String>,
    /// Print one JSON document: {"items": [...], "next": cursor or null}.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The item's id (the first column of `list`).
    id: i64,
    /// Print one JSON document.
    #[arg(long, conflicts_with = "raw")]
    json: bool,
    /// Write the body's bytes exactly as received, nothing else (to a file or a pipe).
    #[arg(long)]
    raw: bool,
}

/// One item of `list --json`.
#[derive(Serialize)]
struct ListItem<'a> {
    id: i64,
    received_at: String,
    provider: &'a str,
    state: &'static str,
    attempts: u32,
    dedup_key: &'a str,
    handled: bool,
    last_error: Option<&'a str>,
    references: Vec<Ref<'a>>,
}

#[derive(Serialize)]
pub struct Ref<'a> {
    kind: &'static str,
    value: &'a str,
}

pub fn refs(references: &[(RefField, String)]) -> Vec<Ref<'_>> {
    references
        .iter()
        .map(|(kind, value)| Ref {
            kind: kind.as_str(),
            value,
        })
        .collect()
}

pub async fn list(console: &Console, args: ListArgs) -> Result<(), Failure> {
    let filter = args.filter.filter(None);
    let page = console
        .list(&filter, args.cursor.as_deref(), args.limit)
        .await
        .map_err(failed)?;
    // A list row holds no references: each item's come from its record.
    let mut references = Vec::with_capacity(page.items.len());
    for item in &page.items {
        let record = console.item(item.id).await.map_err(failed)?;
        references.push(record.map(|v| v.record.references).unwrap_or_default());
    }
    if args.json {
        #[derive(Serialize)]
        struct ListPage<'a> {
            items: Vec<ListItem<'a>>,
            next: Option<&'a str>,
        }
        let items = page
            .items
            .iter()
            .zip(&references)
            .map(|(i, r)| ListItem {
                id: i.id.0,
                received_at: rfc3339(i.received_at),
                provider: &i.provider,
                state: i.state.as_str(),
                attempts: i.attempts,
                dedup_key: &i.dedup_key,
                handled: i.handled,
                last_error: i.last_error.as_deref(),
                references: refs(r),
            })
            .collect();
        return print_json(&ListPage {
            items,
            next: page.next.as_deref(),
        });
    }
    if page.items.is_empty() {
        return print_line(if args.cursor.is_some() {
            "no more items"
        } else {
            "no items match"
        });
    }
    let mut rows = vec![[
        "ID".to_owned(),
        "RECEIVED (UTC)".to_owned(),
        "PROVIDER".to_owned(),
        "STATE".to_owned(),
        "ATTEMPTS".to_owned(),
        "REFERENCES".to_owned(),
    ]];
    for (item, references) in page.items.iter().zip(&references) {
        rows.push(row(item, references));
    }
    print_table(&rows)?;
    match &page.next {
        Some(next) => print_line(&format!("next page: --cursor {next}")),
        None => Ok(()),
    }
}

fn row(item: &ItemSummary, references: &[(RefField, String)]) -> [String; 6] {
    let state = if item.handled {
        format!("{} (discarded)", item.state.as_str())
    } else {
        item.state.as_str().to_owned()
    };
    let references: Vec<String> = references
        .iter()
        .map(|(kind, value)| format!("{kind}={}", escape_line(value)))
        .collect();
    [
        item.id.to_string(),
        short(item.received_at),
        escape_line(&item.provider).into_owned(),
        state,
        item.attempts.to_string(),
        references.join(" "),
    ]
}

/// Columns padded to their widest cell (the cells are escaped already), two spaces apart.
pub fn print_table<const N: usize>(rows: &[[String; N]]) -> Result<(), Failure> {
    let mut widths = [0; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                line.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 2));
            }
        }
        print_line(line.trim_end())?;
    }
    Ok(())
}

pub async fn show(console: &Console, args: &ShowArgs) -> Result<(), Failure> {
    let view = console
        .item(ItemId(args.id))
        .await
        .map_err(failed)?
        .ok_or_else(|| Failure::Rejected(format!("no item {} in this inbox", args.id)))?;
    if args.raw {
        return write_raw(&view.record.body);
    }
    if args.json {
        return print_json(&item_json(&view));
    }
    for line in item_text(&view) {
        print_line(&line)?;
    }
    Ok(())
}

/// The body's bytes on stdout, unescaped: refused on a terminal, where they could be escape
/// sequences.
fn write_raw(body: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        return Err(Failure::Usage(
            "--raw writes the body's bytes unescaped: redirect it to a file or a pipe (or drop \
             --raw to read it here)"
                .into(),
        ));
    }
    out.write_all(body)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Usage(format!("cannot write to standard output: {e}")))
}

fn item_text(view: &ItemView) -> Vec<String> {
    let r: &ItemRecord = &view.record;
    let s = &r.summary;
    let mut lines = vec![
        format!(
            "item {}  {}  {}  attempts {}",
            s.id,
            escape_line(&s.provider),
            s.state.as_str(),
            s.attempts
        ),
        format!("received    {}", rfc3339(s.received_at)),
        format!("dedup key   {}", escape_line(&s.dedup_key)),
        format!(
            "request     {} {}",
            escape_line(&r.method),
            escape_line(&r.uri)
        ),
    ];
    if let Some(peer) = &r.peer {
        lines.push(format!("peer        {}", escape_line(peer)));
    }
    if let Some(error) = &s.last_error {
        lines.push(format!("last error  {}", escape_line(error)));
    }
    if let Some(h) = &r.handled {
        lines.push(format!(
            "discarded   {} by {}: {}",
            rfc3339(h.at),
            escape_line(&h.by),
            escape_line(&h.reason)
        ));
    }
    lines.push("references".into());
    for (kind, value) in &r.references {
        lines.push(format!("  {kind}  {}", escape_line(value)));
    }
    lines.push("headers (credentials masked)".into());
    for (name, value) in &r.headers {
        lines.push(format!("  {}: {}", escape_line(name), escape_line(value)));
    }
    lines.push("attempts".into());
    for a in &r.attempts {
        let error = a.error.as_deref().map(escape_line).unwrap_or_default();
        lines.push(format!(
            "  {}  {}  {}  {error}",
            a.attempt,
            rfc3339(a.at),
            escape_line(&a.outcome)
        ));
    }
    lines.push("history".into());
    for h in &r.history {
        lines.push(format!(
            "  {}  {}  {}",
            rfc3339(h.at),
            escape_line(&h.state),
            escape_line(&h.actor)
        ));
    }
    // The body keeps its lines; `print_line` escapes any control character in it.
    match &view.pretty_json {
        Some(pretty) => lines.push(format!("body (JSON, {} bytes)\n{pretty}", r.body.len())),
        None if r.body.is_empty() => lines.push("body (empty)".into()),
        None => lines.push(format!(
            "body ({} bytes, not JSON)\n{}",
            r.body.len(),
            String::from_utf8_lossy(&r.body)
        )),
    }
    lines
}

/// `show --json`: stable field names, documented in docs/console.md ("Command line").
#[derive(Serialize)]
struct ItemJson<'a> {
    id: i64,
    provider: &'a str,
    dedup_key: &'a str,
    state: &'static str,
    attempts: u32,
    received_at: String,
    last_error: Option<&'a str>,
    handled: Option<HandledJson<'a>>,
    method: &'a str,
    uri: &'a str,
    peer: Option<&'a str>,
    headers: Vec<HeaderJson<'a>>,
    references: Vec<Ref<'a>>,
    attempt_history: Vec<AttemptJson<'a>>,
    history: Vec<ChangeJson<'a>>,
    /// The body as text (invalid UTF-8 replaced; `--raw` has the exact bytes).
    body: String,
    body_is_utf8: bool,
    /// The body parsed, when it is JSON.
    body_json: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct HandledJson<'a> {
    at: String,
    by: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct HeaderJson<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct AttemptJson<'a> {
    attempt: u32,
    at: String,
    outcome: &'a str,
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    state: &'a str,
    at: String,
    actor: &'a str,
}

fn item_json(view: &ItemView) -> ItemJson<'_> {
    let r = &view.record;
    let s = &r.summary;
    ItemJson {
        id: s.id.0,
        provider: &s.provider,
        dedup_key: &s.dedup_key,
        state: s.state.as_str(),
        attempts: s.attempts,
        received_at: rfc3339(s.received_at),
        last_error: s.last_error.as_deref(),
        handled: r.handled.as_ref().map(|h| HandledJson {
            at: rfc3339(h.at),
            by: &h.by,
            reason: &h.reason,
        }),
        method: &r.method,
        uri: &r.uri,
        peer: r.peer.as_deref(),
        headers: r
            .headers
            .iter()
            .map(|(name, value)| HeaderJson { name, value })
            .collect(),
        references: refs(&r.references),
        attempt_history: r
            .attempts
            .iter()
            .map(|a| AttemptJson {
                attempt: a.attempt,
                at: rfc3339(a.at),
                outcome: &a.outcome,
                error: a.error.as_deref(),
            })
            .collect(),
        history: r
            .history
            .iter()
            .map(|h| ChangeJson {
                state: &h.state,
                at: rfc3339(h.at),
                actor: &h.actor,
            })
            .collect(),
        body: String::from_utf8_lossy(&r.body).into_owned(),
        body_is_utf8: std::str::from_utf8(&r.body).is_ok(),
        body_json: view
            .pretty_json
            .as_ref()
            .and_then(|_| serde_json::from_slice(&r.body).ok()),
    }
}
