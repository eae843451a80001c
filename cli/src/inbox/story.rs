//! `inbox story` (one shipment reference across providers) and `inbox stats` (items per state,
//! dead letters by cause).

use clap::Args;
use delivery_webhooks::StatusUpdate;
use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::Inbox as _;
use delivery_webhooks::inbox::query::RefField;
use serde::Serialize;

use super::filter::{parse_ref_kind, reference, rfc3339, short};
use super::view::print_table;
use super::{Store, failed, inbox_failed};
use crate::common::print_json;
use crate::common::{Failure, print_line};
use crate::terminal::escape_line;

#[derive(Args)]
pub struct StoryArgs {
    /// The reference: an order id, a waybill, a tracking number… exactly as sent.
    reference: String,
    /// Only a reference of this kind (order_id, waybill, tracking_number…).
    #[arg(long, value_name = "KIND", value_parser = parse_ref_kind)]
    ref_kind: Option<RefField>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct StatsArgs {
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct StoryJson<'a> {
    reference: RefJson<'a>,
    steps: Vec<StepJson<'a>>,
    timeline: Vec<&'a StatusUpdate>,
    without_steps: Vec<WithoutJson<'a>>,
}

#[derive(Serialize)]
struct RefJson<'a> {
    kind: Option<&'static str>,
    value: &'a str,
}

#[derive(Serialize)]
struct StepJson<'a> {
    item: i64,
    provider: &'a str,
    received_at: String,
    update: &'a StatusUpdate,
}

#[derive(Serialize)]
struct WithoutJson<'a> {
    item: i64,
    /// Why this build cannot rebuild it; `null` when it reports no status change about the
    /// reference.
    reason: Option<&'a str>,
}

pub async fn story(console: &Console, args: &StoryArgs) -> Result<(), Failure> {
    let story = console
        .story(&reference(args.ref_kind, &args.reference))
        .await
        .map_err(failed)?;
    if args.json {
        return print_json(&StoryJson {
            reference: RefJson {
                kind: story.reference.field.map(RefField::as_str),
                value: &story.reference.value,
            },
            steps: story
                .steps
                .iter()
                .map(|s| StepJson {
                    item: s.item.0,
                    provider: &s.provider,
                    received_at: rfc3339(s.received_at),
                    update: &s.update,
                })
                .collect(),
            timeline: story.timeline.iter().collect(),
            without_steps: story
                .without_steps
                .iter()
                .map(|(item, reason)| WithoutJson {
                    item: item.0,
                    reason: (!reason.is_empty()).then_some(reason.as_str()),
                })
                .collect(),
        });
    }
    let kind = args.ref_kind.map_or("any kind", RefField::as_str);
    let mut providers: Vec<&str> = story.steps.iter().map(|s| s.provider.as_str()).collect();
    providers.sort_unstable();
    providers.dedup();
    let (steps, from) = (story.steps.len(), providers.len());
    print_line(&format!(
        "story of {} ({kind}): {steps} {} from {from} {}",
        escape_line(&story.reference.value),
        if steps == 1 { "step" } else { "steps" },
        if from == 1 { "provider" } else { "providers" },
    ))?;
    if !story.steps.is_empty() {
        let mut rows = vec![
            [
                "TIME (UTC)",
                "PROVIDER",
                "ITEM",
                "STATUS",
                "AS SENT",
                "SHIPMENT",
            ]
            .map(String::from),
        ];
        for s in &story.steps {
            rows.push([
                s.update
                    .time
                    .map_or_else(|| "(no time)".to_owned(), |t| short(t.into())),
                escape_line(&s.provider).into_owned(),
                s.item.to_string(),
                s.update.status.to_string(),
                escape_line(&s.update.provider_status).into_owned(),
                escape_line(&s.update.shipment.shipment_key()).into_owned(),
            ]);
        }
        print_table(&rows)?;
    }
    if !story.timeline.is_empty() {
        print_line("timeline: the current status of each shipment")?;
        let mut rows = Vec::new();
        for u in story.timeline.iter() {
            rows.push([
                format!("  {}", u.provider),
                escape_line(&u.shipment.shipment_key()).into_owned(),
                u.status.to_string(),
                u.time
                    .map_or_else(|| "(no time)".to_owned(), |t| short(t.into())),
            ]);
        }
        print_table(&rows)?;
    }
    for (item, reason) in &story.without_steps {
        if reason.is_empty() {
            print_line(&format!(
                "item {item} carries it but reports no status change about it"
            ))?;
        } else {
            print_line(&format!(
                "item {item} carries it but cannot be read by this build: {}",
                escape_line(reason)
            ))?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct StatsJson<'a> {
    states: States,
    failures: Vec<FailureJson<'a>>,
}

#[derive(Serialize)]
struct States {
    pending: u64,
    claimed: u64,
    completed: u64,
    dead: u64,
}

#[derive(Serialize)]
struct FailureJson<'a> {
    provider: &'a str,
    cause: &'a str,
    count: u64,
    first_seen: String,
    last_seen: String,
    latest: i64,
}

pub async fn stats(store: &Store, args: &StatsArgs) -> Result<(), Failure> {
    let counts = match store {
        Store::Sqlite(i) => i.stats().await,
        Store::Postgres(i) => i.stats().await,
    }
    .map_err(|e| inbox_failed(&e))?;
    let failures = store.console().failures(None).await.map_err(failed)?;
    if args.json {
        return print_json(&StatsJson {
            states: States {
                pending: counts.pending,
                claimed: counts.claimed,
                completed: counts.completed,
                dead: counts.dead,
            },
            failures: failures
                .iter()
                .map(|f| FailureJson {
                    provider: &f.provider,
                    cause: &f.cause,
                    count: f.count,
                    first_seen: rfc3339(f.first_seen),
                    last_seen: rfc3339(f.last_seen),
                    latest: f.latest.0,
                })
                .collect(),
        });
    }
    print_table(&[
        ["pending".to_owned(), counts.pending.to_string()],
        ["in progress".to_owned(), counts.claimed.to_string()],
        ["done".to_owned(), counts.completed.to_string()],
        ["dead".to_owned(), counts.dead.to_string()],
    ])?;
    if failures.is_empty() {
        return print_line("no dead letters to look at");
    }
    print_line("dead letters by cause (not discarded), the largest first")?;
    let mut rows = vec![["COUNT", "PROVIDER", "LATEST", "LAST (UTC)", "CAUSE"].map(String::from)];
    for f in &failures {
        rows.push([
            f.count.to_string(),
            escape_line(&f.provider).into_owned(),
            f.latest.to_string(),
            short(f.last_seen),
            escape_line(&f.cause).into_owned(),
        ]);
    }
    print_table(&rows)
}
