//! What every page shares: the layout, the navigation, times, links that keep a filter, and
//! the hidden CSRF field. Every value goes through maud, which escapes it.

use std::time::{Duration, SystemTime};

use maud::{DOCTYPE, Markup, html};

use crate::console::Count;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What a page needs to know about the request.
pub(crate) struct Ctx {
    /// The mount point, `""` for the root.
    pub(crate) base: String,
    /// A fresh CSRF token for the page's forms.
    pub(crate) csrf: String,
}

impl Ctx {
    /// `path` below the mount.
    pub(crate) fn href(&self, path: &str) -> String {
        if path == "/" && !self.base.is_empty() {
            return self.base.clone();
        }
        format!("{}{path}", self.base)
    }

    /// `path` with the query `pairs` (percent-encoded), blanks left out.
    pub(crate) fn link(&self, path: &str, pairs: &[(&str, &str)]) -> String {
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect();
        if query.is_empty() {
            self.href(path)
        } else {
            format!("{}?{}", self.href(path), query.join("&"))
        }
    }

    /// The hidden field every form carries.
    pub(crate) fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }
}

/// The page around `main`, titled `title`.
pub(crate) fn layout(ctx: &Ctx, title: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · delivery-webhooks console" }
                link rel="stylesheet" href=(ctx.href("/assets/console.css"));
                script src=(ctx.href("/assets/console.js")) defer {}
            }
            body {
                header {
                    nav {
                        a href=(ctx.href("/")) { "Overview" }
                        a href=(ctx.href("/items")) { "Items" }
                        a href=(ctx.href("/story")) { "Story" }
                        a href=(ctx.href("/failures")) { "Failures" }
                        a href=(ctx.href("/audit")) { "Audit" }
                    }
                }
                (main)
            }
        }
    }
}

/// The notice a verb's redirect asks for (`notice=replay&count=3`), if any.
pub(crate) fn notice(query: &super::Params) -> Option<String> {
    let count: u64 = query.get("count")?.parse().ok()?;
    let items = if count == 1 { "item" } else { "items" };
    let what = match query.get("notice")? {
        "replay" => "queued for replay",
        "discard" => "discarded",
        "expunge" => "expunged",
        _ => return None,
    };
    Some(format!("{count} {items} {what}"))
}

pub(crate) fn notice_box(query: &super::Params) -> Markup {
    html! {
        @if let Some(text) = notice(query) {
            p.notice role="status" { (text) }
        }
    }
}

/// A time as RFC 3339 in UTC, to the second.
pub(crate) fn time(t: SystemTime) -> String {
    let t = OffsetDateTime::from(t)
        .replace_millisecond(0)
        .unwrap_or(OffsetDateTime::from(t));
    t.format(&Rfc3339).unwrap_or_default()
}

/// A time as RFC 3339 in UTC, to the millisecond (JSON).
pub(crate) fn time_ms(t: SystemTime) -> String {
    OffsetDateTime::from(t).format(&Rfc3339).unwrap_or_default()
}

/// A duration for people: `3 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`.
pub(crate) fn age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        3600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

/// An overview count: `1,234`, or `10,000+` when counting stopped at the cap, which the
/// title says.
pub(crate) fn count(n: Count) -> Markup {
    if n.is_capped() {
        html! { span.capped title={ "at least " (Count::exact(n.value())) ": the overview stops counting there" } { (n) } }
    } else {
        html! { (n) }
    }
}

/// Percent-encodes everything but unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capped_count_reads_10_000_plus_and_says_why() {
        assert_eq!(count(Count::exact(1_234)).into_string(), "1,234");
        assert_eq!(
            count(Count::at_least(10_000)).into_string(),
            "<span class=\"capped\" title=\"at least 10,000: the overview stops counting there\">10,000+</span>"
        );
    }

    #[test]
    fn links_encode_and_ages_read() {
        let ctx = Ctx {
            base: "/console".into(),
            csrf: "t".into(),
        };
        assert_eq!(
            ctx.link("/items", &[("ref", "A&B <x>"), ("state", "")]),
            "/console/items?ref=A%26B%20%3Cx%3E"
        );
        assert_eq!(age(Duration::from_secs(250)), "4 min 10 s");
        assert_eq!(age(Duration::from_secs(90_000)), "1 d 1 h");
        assert_eq!(
            time(SystemTime::UNIX_EPOCH + Duration::from_millis(1500)),
            "1970-01-01T00:00:01Z"
        );
    }
}
