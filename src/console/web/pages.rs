//! The HTML pages (all GET, all usable without JavaScript): overview, items, failures, audit;
//! one item and a shipment's story are in `page_item.rs`. Ids and data attributes are a
//! contract with the browser tests (`docs/console.md`, "HTTP").

use http::Response;
use maud::{Markup, html};

use crate::delivery::Provider;
use crate::inbox::query::RefField;

use super::render::{Ctx, age, count, layout, notice_box, time};
use super::{ConsoleWeb, Params, bad_request, console_error, params, problem, respond};

#[path = "page_item.rs"]
mod page_item;

/// A page as an answer.
fn page(markup: Markup) -> Response<Vec<u8>> {
    respond(
        200,
        "text/html; charset=utf-8",
        markup.into_string().into_bytes(),
    )
}

/// The page at `path` (below the mount, no trailing `/`).
pub(crate) async fn get(
    web: &ConsoleWeb,
    ctx: &Ctx,
    path: &str,
    query: &Params,
) -> Response<Vec<u8>> {
    let result = match path {
        "/" => overview(web, ctx, query).await,
        "/items" => items(web, ctx, query).await,
        "/story" => page_item::story(web, ctx, query).await,
        "/failures" => failures(web, ctx, query).await,
        "/audit" => audit(web, ctx, query).await,
        p => match p.strip_prefix("/items/") {
            Some(id) => match params::item_id("id", id) {
                Ok(id) => page_item::item(web, ctx, id, query).await,
                Err(e) => return bad_request(&e),
            },
            None => return problem(404, "no such page", None),
        },
    };
    result.unwrap_or_else(|e| e)
}

type Page = Result<Response<Vec<u8>>, Response<Vec<u8>>>;

async fn overview(web: &ConsoleWeb, ctx: &Ctx, query: &Params) -> Page {
    let o = web
        .console()
        .overview()
        .await
        .map_err(|e| console_error(&e))?;
    let health = web.health_report();
    let main = html! {
        main #overview {
            h1 { "Overview" }
            (notice_box(query))
            dl #depth data-pending=(o.depth.pending.value()) data-claimed=(o.depth.claimed.value()) data-dead=(o.depth.dead.value()) {
                div { dt { "Pending" } dd #pending { (count(o.depth.pending)) } }
                div { dt { "In progress" } dd #claimed { (count(o.depth.claimed)) } }
                div { dt { "Dead" } dd #dead { (count(o.depth.dead)) } }
                div {
                    dt { "Oldest pending" }
                    dd #oldest { @match o.oldest_pending_age { Some(d) => (age(d)), None => "none waiting" } }
                }
            }
            h2 { "Providers" }
            div.scroll {
                table #providers {
                    thead { tr {
                        th { "Provider" } th { "Dead letters" } th { "Causes" } th { "Retrying" }
                        th { "Last 5 min" } th { "Last hour" }
                    } }
                    tbody {
                        @for l in &o.providers {
                            tr.provider data-provider=(l.provider) data-dead=(l.dead.value()) {
                                td { (l.provider) }
                                td { a href=(ctx.link("/items", &[("provider", &l.provider), ("state", "dead"), ("handled", "false")])) { (count(l.dead)) } }
                                td { a href=(ctx.link("/failures", &[("provider", &l.provider)])) { (count(l.failures)) } }
                                td { (count(l.retrying)) }
                                td { (count(l.last_5_minutes)) }
                                td { (count(l.last_hour)) }
                            }
                        }
                    }
                }
            }
            h2 { "Endpoint health" }
            @match &health {
                None => p { "Not reported: this console was not given the receivers' health." },
                Some(report) if report.providers.is_empty() => p { "No provider has called yet." },
                Some(report) => {
                    @for p in report.providers.iter().filter(|p| p.at_risk) {
                        p.warning role="alert" data-provider=(p.provider.as_str()) {
                            @if p.likely_disabled {
                                (p.provider.as_str()) " has likely disabled the endpoint: "
                                (p.consecutive_failures) " failures in a row (it stops at " (p.cutoff)
                                "). Fix the cause, then re-enable it in the provider's dashboard."
                            } @else {
                                (p.provider.as_str()) " is about to disable the endpoint: "
                                (p.consecutive_failures) " failures in a row of " (p.cutoff) " allowed."
                            }
                            @if let Some(e) = &p.last_error { " Last error: " (e) }
                        }
                    }
                    div.scroll {
                        table #health {
                            thead { tr { th { "Provider" } th { "Failures in a row" } th { "Cut-off" } th { "Successes" } th { "Failures" } th { "Last error" } } }
                            tbody {
                                @for p in &report.providers {
                                    tr.health.warn[p.at_risk] data-provider=(p.provider.as_str()) data-at-risk=(p.at_risk) {
                                        td { (p.provider.as_str()) }
                                        td { (p.consecutive_failures) }
                                        td { (p.cutoff) }
                                        td { (p.successes) }
                                        td { (p.failures) }
                                        td { (p.last_error.as_deref().unwrap_or("")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(layout(ctx, "Overview", main)))
}

/// The filter form of the items page: GET, so a filter is a link.
fn filter_form(ctx: &Ctx, query: &Params) -> Markup {
    let value = |n: &str| query.get(n).unwrap_or("").to_owned();
    let states = ["pending", "claimed", "completed", "dead"];
    html! {
        form #filter method="get" action=(ctx.href("/items")) {
            label { "Provider " select name="provider" {
                option value="" { "any" }
                @for p in Provider::ALL {
                    option value=(p.as_str()) selected[query.get("provider") == Some(p.as_str())] { (p.as_str()) }
                }
            } }
            label { "State " select name="state" {
                option value="" { "any" }
                @for s in states {
                    option value=(s) selected[query.get("state") == Some(s)] { (s) }
                }
            } }
            label { "From " input type="text" name="from" value=(value("from")) placeholder="2026-12-07T14:30:00Z"; }
            label { "Before " input type="text" name="before" value=(value("before")) placeholder="2026-12-07"; }
            label { "Dedup key " input type="text" name="dedup_key" value=(value("dedup_key")); }
            label { "Reference " input type="text" name="ref" value=(value("ref")); }
            (ref_kind_select(query))
            label { "Per page " input type="number" name="limit" min="1" max=(super::super::MAX_PAGE) value=(value("limit")) placeholder=(params::DEFAULT_LIMIT); }
            button type="submit" { "Filter" }
            a href=(ctx.href("/items")) { "Clear" }
        }
    }
}

pub(crate) fn ref_kind_select(query: &Params) -> Markup {
    html! {
        label { "Kind " select name="ref_kind" {
            option value="" { "any" }
            @for k in RefField::ALL {
                option value=(k.as_str()) selected[query.get("ref_kind") == Some(k.as_str())] { (k.as_str()) }
            }
        } }
    }
}

async fn items(web: &ConsoleWeb, ctx: &Ctx, query: &Params) -> Page {
    let filter = query.filter().map_err(|e| bad_request(&e))?;
    let limit = query.limit().map_err(|e| bad_request(&e))?;
    let page_ = web
        .console()
        .list(&filter, query.get("cursor"), limit)
        .await
        .map_err(|e| console_error(&e))?;
    // The filter as hidden fields and as link parameters: the next page and the bulk verbs
    // keep it.
    let kept: Vec<(&str, &str)> = query
        .pairs()
        .iter()
        .filter(|(n, v)| {
            !matches!(n.as_str(), "cursor" | "notice" | "count" | "csrf") && !v.is_empty()
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let filtered = kept.iter().any(|(n, _)| *n != "limit");
    let main = html! {
        main #items {
            h1 { "Items" }
            (notice_box(query))
            (filter_form(ctx, query))
            div.scroll {
                table {
                    thead { tr { th { "Id" } th { "Provider" } th { "State" } th { "Attempts" } th { "Received" } th { "Last error" } th { "Dedup key" } } }
                    tbody {
                        @for i in &page_.items {
                            tr.item data-id=(i.id.0) data-provider=(i.provider) data-state=(i.state.as_str()) {
                                td { a href=(ctx.href(&format!("/items/{}", i.id.0))) { (i.id.0) } }
                                td { (i.provider) }
                                td { (i.state.as_str()) @if i.handled { " (discarded)" } }
                                td { (i.attempts) }
                                td { time datetime=(time(i.received_at)) { (time(i.received_at)) } }
                                td { (i.last_error.as_deref().unwrap_or("")) }
                                td.key { (i.dedup_key) }
                            }
                        }
                    }
                }
            }
            @if page_.items.is_empty() { p.empty { "No item matches." } }
            @if let Some(next) = &page_.next {
                @let pairs: Vec<(&str, &str)> = kept.iter().copied().chain([("cursor", next.as_str())]).collect();
                p { a #next rel="next" href=(ctx.link("/items", &pairs)) { "Older items" } }
            }
            @if filtered {
                section.bulk {
                    h2 { "Every item this filter selects" }
                    form #bulk-replay method="post" action=(ctx.href("/replay")) {
                        (ctx.csrf_field())
                        @for (n, v) in &kept { @if *n != "limit" { input type="hidden" name=(n) value=(v); } }
                        input type="hidden" name="back" value="items";
                        label { "Reason " input type="text" name="reason"; }
                        button type="submit" { "Replay the dead and completed ones" }
                    }
                    form #bulk-discard method="post" action=(ctx.href("/discard")) {
                        (ctx.csrf_field())
                        @for (n, v) in &kept { @if *n != "limit" { input type="hidden" name=(n) value=(v); } }
                        input type="hidden" name="back" value="items";
                        label { "Reason " input type="text" name="reason" required; }
                        button type="submit" { "Discard the dead ones" }
                    }
                }
            }
        }
    };
    Ok(page(layout(ctx, "Items", main)))
}

async fn failures(web: &ConsoleWeb, ctx: &Ctx, query: &Params) -> Page {
    let provider = query.filter().map_err(|e| bad_request(&e))?.provider;
    let groups = web
        .console()
        .failures(provider)
        .await
        .map_err(|e| console_error(&e))?;
    let main = html! {
        main #failures {
            h1 { "Failures" }
            (notice_box(query))
            @if groups.is_empty() { p.empty { "No dead letter left to look at." } }
            @for g in &groups {
                section.failure data-provider=(g.provider) data-count=(g.count) {
                    h2 { (g.provider) ": " code { (g.cause) } }
                    p {
                        (g.count) " dead, first " (time(g.first_seen)) ", last " (time(g.last_seen)) ". "
                        a href=(ctx.link("/items", &[("provider", &g.provider), ("state", "dead"), ("handled", "false"), ("cause", &g.cause)])) { "List them" }
                        ", or "
                        a href=(ctx.href(&format!("/items/{}", g.latest.0))) { "the latest" }
                        "."
                    }
                    @for (verb, label, needs_reason) in [("replay", "Replay all", false), ("discard", "Discard all", true)] {
                        form.inline method="post" action=(ctx.href(&format!("/{verb}"))) data-verb=(verb) {
                            (ctx.csrf_field())
                            input type="hidden" name="provider" value=(g.provider);
                            input type="hidden" name="state" value="dead";
                            input type="hidden" name="handled" value="false";
                            input type="hidden" name="cause" value=(g.cause);
                            input type="hidden" name="back" value="failures";
                            input type="text" name="reason" placeholder="reason" aria-label="reason" required[needs_reason];
                            button type="submit" { (label) " " (g.count) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(layout(ctx, "Failures", main)))
}

async fn audit(web: &ConsoleWeb, ctx: &Ctx, query: &Params) -> Page {
    let limit = query.limit().map_err(|e| bad_request(&e))?;
    let entries = web
        .console()
        .audit(limit)
        .await
        .map_err(|e| console_error(&e))?;
    let main = html! {
        main #audit {
            h1 { "Audit" }
            div.scroll {
                table {
                    thead { tr { th { "When" } th { "Verb" } th { "Target" } th { "Who" } th { "Reason" } th { "Items" } } }
                    tbody {
                        @for e in &entries {
                            tr.audit data-verb=(e.verb) data-count=(e.count) {
                                td { (time(e.at)) }
                                td { (e.verb) }
                                td { code { (e.target) } }
                                td { (e.actor) }
                                td { (e.reason.as_deref().unwrap_or("")) }
                                td { (e.count) }
                            }
                        }
                    }
                }
            }
            @if entries.is_empty() { p.empty { "Nothing done yet." } }
        }
    };
    Ok(page(layout(ctx, "Audit", main)))
}
