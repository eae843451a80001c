//! `serve`: the whole receiver as one process (docs/serve.md). It receives on the adapter's
//! routes, stores each delivery in the inbox, and its workers forward one normalized, signed
//! event per delivery; operations endpoints listen on their own address.
//!
//! Layout: `settings.rs` reads the configuration, `event.rs` the event and its schema,
//! `sign.rs` Standard Webhooks signing, `forward.rs` the HTTP sink, `nats.rs` the JetStream
//! sink (feature `nats`), `ops.rs` the operations endpoints; this file starts and stops them.

pub mod event;
pub mod forward;
#[cfg(feature = "nats")]
pub mod nats;
pub mod ops;
pub mod settings;
pub mod sign;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use delivery_webhooks::console::Console;
use delivery_webhooks::console::web::ConsoleWeb;
use delivery_webhooks::inbox::{Inbox, InboxOptions, Item, PostgresInbox, SqliteInbox, Worker};
use delivery_webhooks::{HandlerError, HandlerResult};
use zeroize::Zeroizing;

use crate::common::Failure;
use event::Event;
use settings::Settings;

/// `serve`'s help: the variables are in docs/serve.md.
pub const HELP: &str = "\
Reads its settings from the environment, and from --config FILE (a TOML table of the same
names; the environment wins): the library's (PEDDLER_WEBHOOK_TOKEN, DELIVERY_WEBHOOKS_LISTEN,
DELIVERY_WEBHOOKS_DATABASE_URL...) and its own (DELIVERY_WEBHOOKS_FORWARD_URL,
DELIVERY_WEBHOOKS_FORWARD_SECRET, DELIVERY_WEBHOOKS_OPS_LISTEN...): docs/serve.md lists each.
Every missing or invalid setting is reported at once, and it does not start.

Each delivery is verified, stored in the inbox (a SQLite file by default, PostgreSQL with a
postgres:// URL) and answered; workers forward one normalized event per delivery, signed per
Standard Webhooks, retried as docs/serve.md says. SIGTERM or Ctrl-C stops it: it stops
accepting, finishes or releases the work in flight, and exits 0.

Exit codes: 0 stopped by a signal, 2 configuration error, 1 any other failure to start.";

/// `serve`'s options.
#[derive(Args)]
pub struct ServeArgs {
    /// A TOML file of `NAME = value` settings, the same names as the environment's (which wins).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// How logs are written on stderr: `text` for people, `json` (one object a line) for a
    /// log collector.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Print the JSON Schema of the events it forwards (docs/serve/event.v1.schema.json) and exit.
    #[arg(long)]
    event_schema: bool,
}

/// The log formats.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum LogFormat {
    /// Human text.
    Text,
    /// JSON lines.
    Json,
}

/// Runs `serve` until a signal: `Usage` (exit 2) for its settings, `Rejected` (exit 1) for a
/// failure to start or to keep running.
pub fn run(args: ServeArgs) -> Result<(), Failure> {
    if args.event_schema {
        print!("{}", event::schema_json());
        return Ok(());
    }
    init_logs(args.log_format);
    let mut vars: BTreeMap<String, Zeroizing<String>> = match &args.config {
        Some(path) => settings::read_toml(path).map_err(Failure::Usage)?,
        None => BTreeMap::new(),
    };
    for (name, value) in std::env::vars_os() {
        if let (Ok(name), Ok(value)) = (name.into_string(), value.into_string()) {
            vars.insert(name, Zeroizing::new(value));
        }
    }
    let settings = settings::settings(&vars).map_err(|problems| {
        Failure::Usage(format!(
            "serve cannot start; fix these settings:\n{problems}"
        ))
    })?;
    drop(vars);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Rejected(format!("serve: cannot start the runtime: {e}")))?;
    runtime
        .block_on(start(settings))
        .map_err(|e| Failure::Rejected(format!("serve: {e}")))
}

fn init_logs(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Opens the inbox `database` names and runs everything over it.
async fn start(settings: Settings) -> Result<(), String> {
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
    delivery_webhooks::telemetry::metrics::describe();
    let mut options = InboxOptions::default();
    if let Some(base) = settings.retry_base {
        // The library's ceiling: 3 days.
        options = options.backoff(base, Duration::from_secs(3 * 24 * 3600));
    }
    // The workers' LISTEN session, when the database URL goes through a transaction pooler.
    if let Some(listen) = settings.config.database_listen_url() {
        options = options.listen_url(listen);
    }
    let url = settings.database.trim();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        let inbox = PostgresInbox::connect(url, options)
            .await
            // The inbox's errors name no URL.
            .map_err(|e| format!("PostgreSQL inbox: {e}"))?;
        serve(
            settings,
            inbox,
            "PostgreSQL (URL not shown)".to_owned(),
            metrics,
        )
        .await
    } else {
        let path = if lower.starts_with("sqlite://") {
            url["sqlite://".len()..].to_owned()
        } else {
            url.to_owned()
        };
        if url.contains("://") && !lower.starts_with("sqlite://") {
            return Err("DELIVERY_WEBHOOKS_DATABASE_URL: expected a SQLite path, sqlite://PATH or a postgres:// URL".into());
        }
        let inbox = SqliteInbox::open(&path, options)
            .await
            .map_err(|e| format!("SQLite inbox {path}: {e}"))?;
        serve(settings, inbox, format!("SQLite file {path}"), metrics).await
    }
}

/// Where events go.
struct Sinks {
    http: Option<forward::HttpSink>,
    #[cfg(feature = "nats")]
    nats: Option<nats::NatsSink>,
}

impl Sinks {
    async fn deliver(&self, event: &Event) -> HandlerResult {
        if let Some(http) = &self.http {
            let outcome = http.forward(event).await;
            count("http", &outcome);
            outcome?;
        }
        #[cfg(feature = "nats")]
        if let Some(nats) = &self.nats {
            let outcome = nats.publish(event).await;
            count("nats", &outcome);
            outcome?;
        }
        tracing::info!(id = %event.id, provider = %event.provider, dedup_key = %event.dedup_key, "event forwarded");
        Ok(())
    }
}

/// `delivery_webhooks_forwarded_total{sink, outcome}`: `done`, `retry` or `dead`.
fn count(sink: &'static str, outcome: &HandlerResult) {
    let outcome = match outcome {
        Ok(()) => "done",
        Err(err) if err.retry() == delivery_webhooks::Retry::Never => "dead",
        Err(_) => "retry",
    };
    metrics::counter!("delivery_webhooks_forwarded_total", "sink" => sink, "outcome" => outcome)
        .increment(1);
}

async fn serve<I>(
    settings: Settings,
    inbox: I,
    inbox_name: String,
    metrics: metrics_exporter_prometheus::PrometheusHandle,
) -> Result<(), String>
where
    I: Inbox + Clone + 'static,
    Console: From<I>,
{
    let Settings {
        config,
        forward,
        nats,
        ops_listen,
        workers,
        shutdown: grace,
        console_auth,
        ..
    } = settings;
    let console = ConsoleWeb::new(Console::from(inbox.clone()), console_auth)
        .and_then(|web| web.base_path(ops::CONSOLE_PATH))
        .map_err(|e| format!("console: {e}"))?;
    let _ = &nats;
    let listen = config.listen_addr.as_str().to_owned();
    let receiver = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("DELIVERY_WEBHOOKS_LISTEN {listen}: cannot listen: {e}"))?;
    let ops = tokio::net::TcpListener::bind(&ops_listen)
        .await
        .map_err(|e| format!("DELIVERY_WEBHOOKS_OPS_LISTEN {ops_listen}: cannot listen: {e}"))?;
    let timeout = forward
        .as_ref()
        .map_or(Duration::from_secs(30), |f| f.timeout);
    let mut summary = vec![format!(
        "delivery-webhooks serve {}",
        env!("CARGO_PKG_VERSION")
    )];
    summary.push(format!(
        "  receiving on http://{}",
        receiver.local_addr().map_err(|e| e.to_string())?
    ));
    for provider in config.providers() {
        let route = match provider {
            delivery_webhooks::Provider::Skladon => {
                format!("{}/<token>/<TYPE>[/<id>]", provider.route())
            }
            _ => provider.route().to_owned(),
        };
        summary.push(format!("    {provider:<8} {route}"));
    }
    summary.push(format!("  inbox: {inbox_name}"));
    let http = match forward {
        Some(f) => {
            summary.push(format!(
                "  forwarding to {} (signed per Standard Webhooks)",
                shown(&f.url)
            ));
            Some(forward::HttpSink::new(f.url, f.signer, f.timeout)?)
        }
        None => None,
    };
    #[cfg(feature = "nats")]
    let nats = match nats {
        Some(n) => {
            summary.push(format!(
                "  publishing to NATS JetStream subject {}",
                n.subject
            ));
            Some(nats::NatsSink::connect(&n).await?)
        }
        None => None,
    };
    let ops_addr = ops.local_addr().map_err(|e| e.to_string())?;
    summary.push(format!(
        "  operations on http://{ops_addr}: /healthz /readyz /metrics"
    ));
    summary.push(format!(
        "  console at http://{ops_addr}{}/",
        ops::CONSOLE_PATH
    ));
    eprintln!("{}", summary.join("\n"));
    let sinks = Arc::new(Sinks {
        http,
        #[cfg(feature = "nats")]
        nats,
    });

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    let app = delivery_webhooks::axum::inbox_router(config, inbox.clone());
    let shutdown = until_stopped();
    tasks.spawn(async move {
        axum::serve(
            receiver,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("receiver: {e}"))
    });
    let ops_app = ops::router(inbox.clone(), metrics, Some(console));
    let shutdown = until_stopped();
    tasks.spawn(async move {
        axum::serve(
            ops,
            ops_app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("operations endpoints: {e}"))
    });
    for _ in 0..workers {
        let sinks = Arc::clone(&sinks);
        let worker = Worker::new(inbox.clone())
            // A forward that outlives its own timeout is cut off by the worker too.
            .timeout(timeout + Duration::from_secs(5));
        let shutdown = until_stopped();
        tasks.spawn(async move {
            let report = worker
                .run(
                    move |item: Item| {
                        let sinks = Arc::clone(&sinks);
                        async move { handle(&sinks, &item).await }
                    },
                    shutdown,
                )
                .await;
            tracing::info!(
                completed = report.completed,
                failed = report.failed,
                dead = report.dead,
                released = report.released,
                "worker stopped"
            );
            Ok(())
        });
    }

    tokio::select! {
        () = signal() => {}
        Some(ended) = tasks.join_next() => {
            // A server that ends by itself is a failure: stop the rest.
            let _ = stop.send(true);
            return Err(match ended {
                Ok(Err(err)) => err,
                Ok(Ok(())) => "a task ended unexpectedly".to_owned(),
                Err(err) => format!("a task failed: {err}"),
            });
        }
    }
    tracing::info!(
        grace_secs = grace.as_secs(),
        "stopping: no new requests; finishing the work in flight"
    );
    let _ = stop.send(true);
    let drained = tokio::time::timeout(grace, async {
        while let Some(ended) = tasks.join_next().await {
            if let Ok(Err(err)) = ended {
                tracing::warn!(error = %err, "while stopping");
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "stopped before the work in flight finished: claimed items come back to a worker when their lease runs out"
        );
    }
    tracing::info!("stopped");
    Ok(())
}

/// One item: its event, to every sink.
async fn handle(sinks: &Sinks, item: &Item) -> HandlerResult {
    let event = Event::new(&item.delivery, item.received_at)
        .map_err(|e| HandlerError::permanent(format!("the event cannot be written: {e}")))?;
    sinks.deliver(&event).await
}

/// The URL as it may be shown: scheme, host, port and path, without user, password or query.
fn shown(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// SIGTERM or Ctrl-C.
async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return ctrl_c.await,
            };
        tokio::select! {
            () = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
