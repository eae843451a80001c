//! The measurements of one step of the scale bench, the retention run and the plans.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use delivery_webhooks::Provider;
use delivery_webhooks::console::Console;
use delivery_webhooks::inbox::query::{Filter, RefField, Reference};
use delivery_webhooks::inbox::{Inbox, Item, ItemState, Worker, dedup_window};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use crate::db::{P, Raw, t};
use crate::fill::{self, Span};
use crate::load::{self, Run};
use crate::plans;

const CLAIM_RUNS: usize = 200;
const CLAIM_WARM_UP: usize = 20;
const CLAIM_BATCH: usize = 10;
const PAGE: u32 = 50;

/// What every step works on.
pub struct Ctx<'a, I> {
    pub inbox: &'a I,
    pub console: &'a Console,
    pub raw: &'a Raw,
    pub server: &'a Runtime,
    pub client: &'a Runtime,
    pub addr: SocketAddr,
    /// The next delivery number (each delivery sent once in the whole run).
    pub next: &'a Arc<AtomicU64>,
    pub secs: u64,
}

impl<I: Inbox + Clone + Send + Sync + 'static> Ctx<'_, I> {
    fn load(&self, secs: u64, rate: Option<f64>) -> Run {
        self.client
            .block_on(load::load(&[self.addr], secs, rate, Arc::clone(self.next)))
    }

    /// Steps 1 to 5 at `size` items.
    pub fn step(&self, size: i64) -> Value {
        println!("  -- {size} items; load average {}", loadavg());
        let max = self.load(self.secs, None);
        load::show("accept, as fast as answered", &max);
        let rate = max.accepted_per_s / 2.0;
        let half = self.load(self.secs, Some(rate));
        load::show("accept, at half that rate", &half);

        // Console queries one after another while accepts arrive at half rate.
        let accepting = self.client.spawn(load::load_owned(
            vec![self.addr],
            self.secs,
            Some(rate),
            Arc::clone(self.next),
        ));
        let sent = self.next.load(Ordering::Relaxed).max(1);
        let mut pick = Picker(size as u64 ^ 0x9e37_79b9_7f4a_7c15);
        let mut times: [Vec<Duration>; 3] = Default::default();
        self.server.block_on(async {
            let dead = Filter::new()
                .provider(Provider::Wakilni)
                .state(ItemState::Dead);
            while !accepting.is_finished() {
                let started = Instant::now();
                self.console.overview().await.unwrap();
                times[0].push(started.elapsed());
                let started = Instant::now();
                self.console.list(&dead, None, PAGE).await.unwrap();
                times[1].push(started.elapsed());
                // A waybill of a delivery sent so far (`load::request` names `W{n}`).
                let waybill = format!("W{}", pick.next() % sent);
                let started = Instant::now();
                let page = self
                    .console
                    .list(
                        &Filter::new().reference(Reference::of(RefField::Waybill, &waybill)),
                        None,
                        PAGE,
                    )
                    .await
                    .unwrap();
                times[2].push(started.elapsed());
                assert_eq!(page.items.len(), 1, "{waybill}");
            }
        });
        let with_console = self.client.block_on(accepting).unwrap();
        load::show("accept at half rate, console meanwhile", &with_console);
        let names = [
            "overview",
            "list: wakilni + dead",
            "reference search: waybill",
        ];
        let mut console = Vec::new();
        for (name, mut t) in names.iter().zip(times) {
            t.sort();
            let (p50, p99) = (at(&t, 0.50), at(&t, 0.99));
            println!(
                "    console {name:<32} p50 {:>7.2} ms   p99 {:>7.2} ms   ({} runs)",
                ms(p50),
                ms(p99),
                t.len()
            );
            console.push(
                json!({"query": name, "p50_ms": ms(p50), "p99_ms": ms(p99), "runs": t.len()}),
            );
        }

        // Claim latency: batches of 10, each completed.
        let mut claims = self.server.block_on(async {
            let mut times = Vec::new();
            for i in 0..CLAIM_WARM_UP + CLAIM_RUNS {
                let started = Instant::now();
                let claimed = self
                    .inbox
                    .claim(CLAIM_BATCH, Duration::from_secs(60))
                    .await
                    .unwrap();
                let took = started.elapsed();
                assert_eq!(claimed.len(), CLAIM_BATCH, "pending items to claim");
                if i >= CLAIM_WARM_UP {
                    times.push(took);
                }
                for item in claimed {
                    self.inbox.complete(item.claim).await.unwrap();
                }
            }
            times
        });
        claims.sort();
        let (claim_p50, claim_p99) = (at(&claims, 0.50), at(&claims, 0.99));
        println!(
            "    claim of {CLAIM_BATCH}                            p50 {:>7.2} ms   p99 {:>7.2} ms",
            ms(claim_p50),
            ms(claim_p99)
        );

        // A worker with a handler doing nothing, while accepts arrive at half rate.
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = Worker::new(self.inbox.clone()).retention(None);
        let running = self.server.spawn(worker.run(|_: Item| async {}, async {
            let _ = stopped.await;
        }));
        let with_worker = self.load(self.secs, Some(rate));
        let rss = status_kb("VmRSS");
        let _ = stop.send(());
        let report = self.server.block_on(running).unwrap();
        let peak = status_kb("VmHWM");
        load::show("accept at half rate, worker running", &with_worker);
        println!(
            "    worker: {} completed in {} s; RSS {} MB, peak {} MB",
            report.completed,
            self.secs,
            rss / 1024,
            peak / 1024
        );
        json!({
            "items": size,
            "load_average": loadavg(),
            "accept_max_per_s": max.accepted_per_s,
            "accept_max_p99_ms": ms(max.p99),
            "accept_half_rate_per_s": rate,
            "accept_half_p50_ms": ms(half.p50),
            "accept_half_p99_ms": ms(half.p99),
            "accept_half_with_console_p99_ms": ms(with_console.p99),
            "console": console,
            "claim_p50_ms": ms(claim_p50),
            "claim_p99_ms": ms(claim_p99),
            "accept_half_with_worker_p99_ms": ms(with_worker.p99),
            "worker_completed": report.completed,
            "rss_mb": rss / 1024,
            "peak_rss_mb": peak / 1024,
        })
    }

    /// `Inbox::purge` of the oldest `backlog` copies while accepts arrive at `rate`.
    pub fn retention(&self, span: &Span, backlog: i64, rate: f64) -> Value {
        println!(
            "  -- retention: the oldest {backlog} items; load average {}",
            loadavg()
        );
        let before = self.load(self.secs, Some(rate));
        load::show("accept at half rate, no purge", &before);
        let older = older_than(span, backlog);
        let inbox = self.inbox.clone();
        let purging = self.server.spawn(async move {
            let started = Instant::now();
            let n = inbox.purge(older).await.unwrap();
            (n, started.elapsed())
        });
        // Windows of 2 s until the purge ends: the accepts all fall while it runs, but the last.
        let mut latencies = Vec::new();
        while !purging.is_finished() {
            latencies.extend(self.load(2, Some(rate)).latencies);
        }
        let (deleted, took) = self.server.block_on(purging).unwrap();
        latencies.sort();
        let (p50, p99) = (at(&latencies, 0.50), at(&latencies, 0.99));
        println!(
            "    accept at half rate, purge running       p50 {:>6.2} ms   p99 {:>6.2} ms   ({} requests)",
            ms(p50),
            ms(p99),
            latencies.len()
        );
        let ratio = ms(p99) / ms(before.p99);
        println!(
            "    purge: {deleted} items in {:.1} s ({:.0} items/s); accept p99 {ratio:.2}x without",
            took.as_secs_f64(),
            deleted as f64 / took.as_secs_f64()
        );
        json!({
            "deleted": deleted,
            "purge_s": took.as_secs_f64(),
            "accept_rate_per_s": rate,
            "accept_p99_without_ms": ms(before.p99),
            "accept_p50_during_ms": ms(p50),
            "accept_p99_during_ms": ms(p99),
            "accept_requests_during": latencies.len(),
            "ratio": ratio,
            "load_average": loadavg(),
        })
    }

    /// The plans of the statements claim, accept, purge and the console queries ran.
    pub fn plans(&self, span: &Span, backlog: i64) -> Value {
        let config = fill::config();
        let raw = self.raw;
        let inbox = self.inbox;
        let console = self.console;
        let older = older_than(span, backlog);
        self.server.block_on(async {
            let mut out = Vec::new();
            let d = fill::wakilni(&config, "order_created", 999_999);
            // As many as the accept's statements take: PostgreSQL's one statement has 16.
            let accept = vec![P::N; 16];
            let (_, sql) = plans::catch(inbox.accept(&d.0, &d.1)).await;
            out.push(("accept (new)", sql, accept.clone()));
            let (_, sql) = plans::catch(inbox.accept(&d.0, &d.1)).await;
            out.push(("accept (duplicate)", sql, accept));
            let (claimed, sql) = plans::catch(inbox.claim(1, Duration::from_secs(60))).await;
            for item in claimed.unwrap() {
                inbox.complete(item.claim).await.unwrap();
            }
            out.push(("claim", sql, vec![P::I(60_000), P::I(1)]));
            let (_, sql) = plans::catch(inbox.purge(older)).await;
            let window = dedup_window(Provider::Wakilni).as_millis() as i64;
            let purge = vec![
                P::I(older.as_millis() as i64),
                t("wakilni"),
                P::I(window),
                P::I(1000),
            ];
            out.push(("retention purge", sql, purge));
            let (_, sql) = plans::catch(console.overview()).await;
            out.push(("console: overview", sql, vec![]));
            let dead = Filter::new()
                .provider(Provider::Wakilni)
                .state(ItemState::Dead);
            let (_, sql) = plans::catch(console.list(&dead, None, PAGE)).await;
            out.push((
                "console: list wakilni + dead",
                sql,
                vec![t("wakilni"), t("dead"), P::I(PAGE.into())],
            ));
            let waybill = "W17";
            let by_ref = Filter::new().reference(Reference::of(RefField::Waybill, waybill));
            let (_, sql) = plans::catch(console.list(&by_ref, None, PAGE)).await;
            out.push((
                "console: reference search (waybill)",
                sql,
                vec![t("waybill"), t(waybill), P::I(PAGE.into())],
            ));
            let mut shown = Vec::new();
            println!("\n  Plans:");
            for (label, statements, params) in out {
                println!("  -- {label}");
                let mut these = Vec::new();
                for sql in statements {
                    let plan = raw.plan(&sql, &params).await;
                    println!("     {sql}");
                    for line in &plan {
                        println!("       {line}");
                    }
                    these.push(json!({"sql": sql, "plan": plan}));
                }
                shown.push(json!({"operation": label, "statements": these}));
            }
            json!(shown)
        })
    }
}

/// The retention limit under which the oldest `backlog` copies' completions fall (they
/// completed 2 s after they were received).
fn older_than(span: &Span, backlog: i64) -> Duration {
    let cutoff = span.start + (backlog as f64 * span.per_item) as i64 + 2000;
    Duration::from_millis((now_ms() - cutoff) as u64)
}

fn at(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A line of `/proc/self/status`, in kB.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .map(|v| {
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: a number"))
        })
        .unwrap_or(default)
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `df -h` of the temp directory's file system: its free space.
pub fn disk_free() -> String {
    std::process::Command::new("df")
        .arg("-h")
        .arg(std::env::temp_dir())
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .unwrap_or_default()
}

/// The free bytes of the temp directory's file system (`df`).
pub fn disk_free_bytes() -> u64 {
    std::process::Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(std::env::temp_dir())
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)
                .and_then(|l| l.trim().parse().ok())
        })
        .unwrap_or(0)
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A small deterministic generator (splitmix64).
struct Picker(u64);

impl Picker {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
