//! The JSON API (`/api/…`, each page's data) and the verbs, answered as JSON or, for a form,
//! as a redirect to a page that says what happened.

use http::{HeaderValue, Response, header};
use serde_json::{Value, json};

use crate::console::{COUNT_CAP, Count};
use crate::inbox::query::{AuditEntry, FailureGroup, ItemSummary};

use super::render::{Ctx, encode, time_ms};
use super::{ConsoleWeb, Params, bad_request, console_error, params, problem, respond};

fn answer(value: &Value) -> Response<Vec<u8>> {
    respond(
        200,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// `GET /api/<path>`.
pub(crate) async fn get(web: &ConsoleWeb, path: &str, query: &Params) -> Response<Vec<u8>> {
    let c = web.console();
    let result: Result<Value, Response<Vec<u8>>> = async {
        Ok(match path {
            "/overview" => {
                let o = c.overview().await.map_err(|e| console_error(&e))?;
                let capped = |counts: &[(&str, Count)]| -> Vec<String> {
                    counts.iter().filter(|(_, n)| n.is_capped()).map(|(k, _)| (*k).to_owned()).collect()
                };
                let d = &o.depth;
                json!({
                    "count_cap": COUNT_CAP,
                    "depth": {
                        "pending": d.pending.value(), "claimed": d.claimed.value(), "dead": d.dead.value(),
                        "capped": capped(&[("pending", d.pending), ("claimed", d.claimed), ("dead", d.dead)]),
                    },
                    "oldest_pending_age_ms": o.oldest_pending_age.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                    "providers": o.providers.iter().map(|l| json!({
                        "provider": l.provider, "dead": l.dead.value(), "failures": l.failures.value(),
                        "retrying": l.retrying.value(), "last_5_minutes": l.last_5_minutes.value(),
                        "last_hour": l.last_hour.value(),
                        "capped": capped(&[
                            ("dead", l.dead), ("failures", l.failures), ("retrying", l.retrying),
                            ("last_5_minutes", l.last_5_minutes), ("last_hour", l.last_hour),
                        ]),
                    })).collect::<Vec<_>>(),
                    "health": web.health_report(),
                })
            }
            "/items" => {
                let filter = query.filter().map_err(|e| bad_request(&e))?;
                let limit = query.limit().map_err(|e| bad_request(&e))?;
                let page = c.list(&filter, query.get("cursor"), limit).await.map_err(|e| console_error(&e))?;
                json!({ "items": page.items.iter().map(summary).collect::<Vec<_>>(), "next": page.next })
            }
            "/story" => {
                let reference = query
                    .reference()
                    .map_err(|e| bad_request(&e))?
                    .ok_or_else(|| bad_request(&params::bad("ref", "required")))?;
                let story = c.story(&reference).await.map_err(|e| console_error(&e))?;
                json!({
                    "reference": { "kind": reference.field.map(|f| f.as_str()), "value": reference.value },
                    "steps": story.steps.iter().map(|s| json!({
                        "item": s.item.0, "provider": s.provider, "received_at": time_ms(s.received_at),
                        "update": s.update,
                    })).collect::<Vec<_>>(),
                    "timeline": story.timeline.iter().collect::<Vec<_>>(),
                    "without_steps": story.without_steps.iter().map(|(i, why)| json!({ "item": i.0, "reason": why })).collect::<Vec<_>>(),
                })
            }
            "/failures" => {
                let provider = query.filter().map_err(|e| bad_request(&e))?.provider;
                let groups = c.failures(provider).await.map_err(|e| console_error(&e))?;
                Value::Array(groups.iter().map(failure).collect())
            }
            "/audit" => {
                let limit = query.limit().map_err(|e| bad_request(&e))?;
                let entries = c.audit(limit).await.map_err(|e| console_error(&e))?;
                Value::Array(entries.iter().map(audit).collect())
            }
            "/csrf" => json!({ "token": web.csrf_token() }),
            p => match p.strip_prefix("/items/") {
                Some(id) => {
                    let id = params::item_id("id", id).map_err(|e| bad_request(&e))?;
                    let view = c.item(id).await.map_err(|e| console_error(&e))?
                        .ok_or_else(|| problem(404, &format!("no item {}", id.0), None))?;
                    let r = &view.record;
                    json!({
                        "summary": summary(&r.summary),
                        "method": r.method, "uri": r.uri, "peer": r.peer,
                        "headers": r.headers,
                        "body": String::from_utf8_lossy(&r.body),
                        "pretty_json": view.pretty_json,
                        "references": r.references.iter().map(|(k, v)| json!({ "kind": k.as_str(), "value": v })).collect::<Vec<_>>(),
                        "attempts": r.attempts.iter().map(|a| json!({
                            "attempt": a.attempt, "at": time_ms(a.at), "outcome": a.outcome, "error": a.error,
                        })).collect::<Vec<_>>(),
                        "history": r.history.iter().map(|h| json!({ "state": h.state, "at": time_ms(h.at), "actor": h.actor })).collect::<Vec<_>>(),
                        "handled": r.handled.as_ref().map(|h| json!({ "at": time_ms(h.at), "by": h.by, "reason": h.reason })),
                    })
                }
                None => return Err(problem(404, "no such API", None)),
            },
        })
    }
    .await;
    match result {
        Ok(value) => answer(&value),
        Err(response) => response,
    }
}

fn summary(i: &ItemSummary) -> Value {
    json!({
        "id": i.id.0, "provider": i.provider, "dedup_key": i.dedup_key, "state": i.state.as_str(),
        "attempts": i.attempts, "received_at": time_ms(i.received_at), "last_error": i.last_error,
        "handled": i.handled,
    })
}

fn failure(g: &FailureGroup) -> Value {
    json!({
        "provider": g.provider, "cause": g.cause, "count": g.count,
        "first_seen": time_ms(g.first_seen), "last_seen": time_ms(g.last_seen), "latest": g.latest.0,
    })
}

fn audit(e: &AuditEntry) -> Value {
    json!({
        "verb": e.verb, "target": e.target, "actor": e.actor, "reason": e.reason,
        "at": time_ms(e.at), "count": e.count,
    })
}

/// The filter fields a bulk verb must name at least one of: a verb over every item is not
/// sent by an empty form.
const FILTER_FIELDS: [&str; 9] = [
    "id",
    "provider",
    "state",
    "from",
    "before",
    "dedup_key",
    "ref",
    "handled",
    "cause",
];

/// `verb` (`replay`, `discard`, `expunge`) with `form`'s fields, by `actor`: `{"count": n}`
/// for the API, a 303 to the page that shows it for a form.
pub(crate) async fn verb(
    web: &ConsoleWeb,
    ctx: &Ctx,
    verb: &str,
    form: &Params,
    actor: &str,
    api: bool,
) -> Response<Vec<u8>> {
    let c = web.console();
    let reason = form.get("reason");
    let result = match verb {
        "expunge" => {
            let reference = match form.reference() {
                Ok(Some(r)) => r,
                Ok(None) => return bad_request(&params::bad("ref", "required")),
                Err(e) => return bad_request(&e),
            };
            if !api && form.get("confirm") != Some("yes") {
                return bad_request(&params::bad(
                    "confirm",
                    "tick the box to confirm the expunge",
                ));
            }
            c.expunge(&reference, actor, reason).await
        }
        _ => {
            if !FILTER_FIELDS.iter().any(|f| form.get(f).is_some()) {
                return bad_request(&params::bad(
                    "filter",
                    format!("name at least one of {}", FILTER_FIELDS.join(", ")),
                ));
            }
            let filter = match form.filter() {
                Ok(f) => f,
                Err(e) => return bad_request(&e),
            };
            if verb == "replay" {
                c.replay(&filter, actor, reason).await
            } else {
                let Some(reason) = reason else {
                    return bad_request(&params::bad("reason", "a discard needs a reason"));
                };
                c.discard(&filter, actor, reason).await
            }
        }
    };
    let count = match result {
        Ok(n) => n,
        Err(e) => return console_error(&e),
    };
    if api {
        return answer(&json!({ "count": count }));
    }
    let notice = format!("notice={verb}&count={count}");
    let location = match (verb, form.get("id"), form.get("back")) {
        ("expunge", _, _) => {
            let mut l = format!(
                "{}?{notice}&ref={}",
                ctx.href("/story"),
                encode(form.get("ref").unwrap_or(""))
            );
            if let Some(kind) = form.get("ref_kind") {
                l.push_str(&format!("&ref_kind={}", encode(kind)));
            }
            l
        }
        (_, Some(id), _) => format!("{}?{notice}", ctx.href(&format!("/items/{}", encode(id)))),
        (_, None, Some("items")) => {
            let kept: Vec<String> = form
                .pairs()
                .iter()
                .filter(|(n, v)| {
                    (FILTER_FIELDS.contains(&n.as_str()) || n == "ref_kind") && !v.trim().is_empty()
                })
                .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
                .collect();
            format!("{}?{notice}&{}", ctx.href("/items"), kept.join("&"))
        }
        _ => format!("{}?{notice}", ctx.href("/failures")),
    };
    let mut response = respond(303, "text/plain; charset=utf-8", Vec::new());
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
