//! One item in full, and a shipment's story.

use maud::html;

use crate::inbox::ItemId;

use super::super::render::{Ctx, layout, notice_box, time};
use super::super::{ConsoleWeb, Params, bad_request, console_error, problem};
use super::{Page, page, ref_kind_select};

pub(super) async fn item(web: &ConsoleWeb, ctx: &Ctx, id: ItemId, query: &Params) -> Page {
    let Some(view) = web
        .console()
        .item(id)
        .await
        .map_err(|e| console_error(&e))?
    else {
        return Err(problem(404, &format!("no item {}", id.0), None));
    };
    let r = &view.record;
    let s = &r.summary;
    let body = match &view.pretty_json {
        Some(pretty) => pretty.clone(),
        None => String::from_utf8_lossy(&r.body).into_owned(),
    };
    let main = html! {
        main #item data-id=(s.id.0) data-state=(s.state.as_str()) data-provider=(s.provider) {
            h1 { "Item " (s.id.0) }
            (notice_box(query))
            dl.facts {
                div { dt { "Provider" } dd { (s.provider) } }
                div { dt { "State" } dd #state { (s.state.as_str()) } }
                div { dt { "Attempts" } dd { (s.attempts) } }
                div { dt { "Received" } dd { (time(s.received_at)) } }
                div { dt { "Dedup key" } dd.key { (s.dedup_key) } }
                div { dt { "Request" } dd.key { (r.method) " " (r.uri) } }
                div { dt { "Peer" } dd { (r.peer.as_deref().unwrap_or("unknown")) } }
                @if let Some(e) = &s.last_error { div { dt { "Last error" } dd { (e) } } }
                @if let Some(h) = &r.handled {
                    div { dt { "Discarded" } dd { (time(h.at)) " by " (h.by) ": " (h.reason) } }
                }
            }
            div.actions {
                form #replay method="post" action=(ctx.href("/replay")) {
                    (ctx.csrf_field())
                    input type="hidden" name="id" value=(s.id.0);
                    label { "Reason " input type="text" name="reason"; }
                    button type="submit" { "Replay" }
                }
                form #discard method="post" action=(ctx.href("/discard")) {
                    (ctx.csrf_field())
                    input type="hidden" name="id" value=(s.id.0);
                    label { "Reason " input type="text" name="reason" required; }
                    button type="submit" { "Discard" }
                }
            }
            h2 { "Body" @if view.pretty_json.is_some() { " (JSON, pretty-printed)" } }
            pre #body { (body) }
            @if view.pretty_json.is_some() {
                details { summary { "As received" } pre #raw-body { (String::from_utf8_lossy(&r.body)) } }
            }
            h2 { "Headers" }
            div.scroll { table #headers {
                tbody { @for (name, value) in &r.headers { tr { th { (name) } td.key { (value) } } } }
            } }
            h2 { "References" }
            ul #references {
                @for (kind, value) in &r.references {
                    li { (kind.as_str()) ": "
                        a href=(ctx.link("/story", &[("ref", value), ("ref_kind", kind.as_str())])) { (value) } }
                }
            }
            h2 { "Attempts" }
            div.scroll { table #attempts {
                thead { tr { th { "#" } th { "When" } th { "Outcome" } th { "Error" } } }
                tbody { @for a in &r.attempts {
                    tr { td { (a.attempt) } td { (time(a.at)) } td { (a.outcome) } td { (a.error.as_deref().unwrap_or("")) } }
                } }
            } }
            h2 { "History" }
            div.scroll { table #history {
                thead { tr { th { "When" } th { "State" } th { "By" } } }
                tbody { @for h in &r.history {
                    tr { td { (time(h.at)) } td { (h.state) } td { (h.actor) } }
                } }
            } }
        }
    };
    Ok(page(layout(ctx, &format!("Item {}", s.id.0), main)))
}

pub(super) async fn story(web: &ConsoleWeb, ctx: &Ctx, query: &Params) -> Page {
    let reference = query.reference().map_err(|e| bad_request(&e))?;
    let story = match &reference {
        Some(r) => Some(
            web.console()
                .story(r)
                .await
                .map_err(|e| console_error(&e))?,
        ),
        None => None,
    };
    let value = query.get("ref").unwrap_or("");
    let main = html! {
        main #story {
            h1 { "Shipment story" }
            (notice_box(query))
            form #search method="get" action=(ctx.href("/story")) {
                label { "Reference " input type="search" name="ref" value=(value) required placeholder="order id, waybill, tracking number…"; }
                (ref_kind_select(query))
                button type="submit" { "Search" }
            }
            @if let Some(story) = &story {
                @if story.steps.is_empty() && story.without_steps.is_empty() {
                    p.empty { "No delivery carries " code { (value) } "." }
                }
                @if !story.steps.is_empty() {
                    h2 { "Steps" }
                    ol.steps {
                        @for step in &story.steps {
                            li.step data-provider=(step.provider) data-item=(step.item.0) data-status=(step.update.status.as_str()) {
                                strong { (step.update.status.as_str()) }
                                " (" (step.update.provider_status) ")"
                                " · " (step.provider)
                                " · " @match step.update.time { Some(t) => (time(t.into())), None => "no time" } " · "
                                a href=(ctx.href(&format!("/items/{}", step.item.0))) { "item " (step.item.0) }
                                @if let Some(reason) = &step.update.failure_reason { " · " (reason) }
                            }
                        }
                    }
                    h2 { "Now" }
                    div.scroll { table #timeline {
                        thead { tr { th { "Provider" } th { "Shipment" } th { "Status" } th { "Since" } } }
                        tbody { @for u in story.timeline.iter() {
                            tr.current data-provider=(u.provider.as_str()) data-status=(u.status.as_str()) {
                                td { (u.provider.as_str()) } td.key { (u.shipment.id) } td { (u.status.as_str()) }
                                td { @match u.time { Some(t) => (time(t.into())), None => "" } }
                            }
                        } }
                    } }
                }
                @if !story.without_steps.is_empty() {
                    h2 { "Deliveries without a step" }
                    ul #without-steps {
                        @for (item, why) in &story.without_steps {
                            li { a href=(ctx.href(&format!("/items/{}", item.0))) { "item " (item.0) }
                                @if !why.is_empty() { ": " (why) } }
                        }
                    }
                }
                @if !story.steps.is_empty() || !story.without_steps.is_empty() {
                    h2 { "Forget this reference" }
                    form #expunge method="post" action=(ctx.href("/expunge")) {
                        (ctx.csrf_field())
                        input type="hidden" name="ref" value=(value);
                        input type="hidden" name="ref_kind" value=(query.get("ref_kind").unwrap_or(""));
                        label { "Reason " input type="text" name="reason"; }
                        label.confirm { input type="checkbox" name="confirm" value="yes" required;
                            span { "Delete every stored delivery carrying " code { (value) } ", in any state. This cannot be undone." } }
                        button type="submit" { "Expunge" }
                    }
                }
            }
        }
    };
    Ok(page(layout(ctx, "Story", main)))
}
