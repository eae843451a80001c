//! Issue 33, security round four: the inbox has budgets. Its files are private, it refuses to
//! start where it cannot write, it stores only the headers it needs, each payload once, keeps
//! its `-wal` bounded, and answers 503 rather than wait without end or let one provider's flood
//! starve the others. Faults are injected deterministically (a held write lock, a child process
//! without write permission), never by timing.

use std::collections::BTreeMap;

use super::*;
use crate::{ISENDU_URL_TOKEN, SKLADON_TOKEN};

on_both!(
    only_the_headers_on_the_list_are_stored_each_bounded,
    a_payload_that_is_the_body_is_stored_once,
    a_provider_over_its_budget_is_refused_while_another_is_accepted,
);

/// 33.1: the SQLite file and its `-wal` and `-shm` hold personal data: owner only (0600).
#[cfg(unix)]
#[test]
fn the_sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let path = temp_db("private_files");
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        fill(&TestInbox::Sqlite(inbox.clone()), 2).await;
        for file in [
            path.clone(),
            path.with_extension("db-wal"),
            path.with_extension("db-shm"),
        ] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
        }
    });
}

/// The child of [`an_inbox_that_cannot_write_refuses_to_start`]: opens the SQLite file named by
/// `INBOX_READ_ONLY_CHILD` (without write permission) and prints the error.
#[test]
#[ignore = "the child process of an_inbox_that_cannot_write_refuses_to_start, run by it"]
fn read_only_child() {
    let Ok(path) = std::env::var("INBOX_READ_ONLY_CHILD") else {
        return;
    };
    runtime().block_on(async {
        match SqliteInbox::open(&path, InboxOptions::default()).await {
            Ok(_) => panic!("opened a file it cannot write"),
            Err(err) => println!("refused: {err}"),
        }
    });
}

/// 33.4: an inbox on a file it cannot write refuses to start, naming the path and the reason
/// (it started, and answered every delivery 503: Xoxoday disables the webhook after 3). The
/// file (its schema current, so migrating writes nothing) is made read-only (0444) in a
/// writable directory; tests may
/// run as root, whom no mode stops, so the inbox is opened by a child process: this test binary,
/// run as `nobody` (uid 65534) when this one is root.
#[cfg(unix)]
#[test]
fn an_inbox_that_cannot_write_refuses_to_start() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    use std::os::unix::process::CommandExt as _;
    let path = temp_db("read_only");
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        fill(&TestInbox::Sqlite(inbox), 1).await;
        // Fold the -wal back into the file, which stays in WAL mode (so opening it writes
        // nothing to the file).
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
    for side in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(path.with_extension(side));
    }
    // The file read-only in a directory anyone may write: SQLite opens it, creates its -wal
    // and -shm, and (without the check) the inbox started.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let dir = path.parent().unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "read_only_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("INBOX_READ_ONLY_CHILD", &path);
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if root {
        child.uid(65534).gid(65534);
    }
    let output = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "root {root}: {stdout}\n{stderr}");
    let expected = format!("refused: inbox: cannot write to {}: ", path.display());
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(stdout.contains("readonly"), "{stdout}");
    // The file is as it was: the check wrote nothing.
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

/// 33.4 on PostgreSQL: a role that may read the inbox's table but not insert into it (its
/// schema current, so migrating writes nothing) is refused at `connect`, naming the table and
/// the database's reason; a rolled-back insert checks it.
#[test]
fn a_postgres_role_that_cannot_insert_is_refused_at_connect() {
    let test = "a_postgres_role_that_cannot_insert_is_refused_at_connect";
    let Some(url) = postgres_url(test) else {
        return;
    };
    let ns = namespace("no_insert");
    let role = format!("r_{ns}");
    runtime().block_on(async {
        let store = Store::Postgres {
            url: url.clone(),
            ns: ns.clone(),
        };
        drop(store.open(InboxOptions::default()).await);
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(&format!(
            "CREATE ROLE {role} LOGIN; \
             GRANT CREATE ON DATABASE {db} TO {role}; \
             GRANT USAGE, CREATE ON SCHEMA \"{ns}\" TO {role}; \
             GRANT SELECT ON ALL TABLES IN SCHEMA \"{ns}\" TO {role};",
            db = url.rsplit('/').next().unwrap().split('?').next().unwrap(),
        ))
        .execute(&mut admin)
        .await
        .unwrap();
        // The same server and database, as the role (the test server trusts local logins).
        let (scheme, rest) = url.split_once("://").unwrap();
        let host = rest.split_once('@').map_or(rest, |(_, host)| host);
        let as_role = format!("{scheme}://{role}@{host}");
        let refused = PostgresInbox::connect(&as_role, InboxOptions::default().namespace(&ns))
            .await
            .unwrap_err();
        let InboxError::NotWritable { location, reason } = &refused else {
            panic!("{refused:?}");
        };
        assert_eq!(location, &format!("\"{ns}\".webhook_inbox"));
        assert!(reason.contains("permission denied"), "{reason}");
        assert!(!refused.to_string().contains(&as_role), "{refused}");
        sqlx::raw_sql(&format!("DROP OWNED BY {role}; DROP ROLE {role};"))
            .execute(&mut admin)
            .await
            .unwrap();
        // The owner can still insert: the check wrote nothing (no probe row left behind).
        let stats = store
            .open(InboxOptions::default())
            .await
            .stats()
            .await
            .unwrap();
        assert_eq!(stats.pending, 0);
    });
}

/// 33.2/33.3: only the headers on the list are stored (what the provider's verifier reads, and
/// `content-type`, `user-agent`), each at most 1 KiB: not 100 junk headers of 2 KiB, not a
/// proxy's copy of the URL carrying Skladon's path token or isendu's `?token=`, not a custom
/// `x-auth-token`. The stored row is read whole (the SQLite file and -wal, every PostgreSQL row
/// as text); Wakilni's signature and attempt number are stored, so the rebuild still works.
async fn only_the_headers_on_the_list_are_stored_each_bounded(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let config = config();
    let calls = calls();
    let junk: Vec<(String, String)> = (0..100)
        .map(|i| (format!("x-junk-{i}"), format!("junk{i:03}-").repeat(256)))
        .collect();
    let proxied = [
        (
            "x-forwarded-uri",
            format!("/webhooks/skladon/{SKLADON_TOKEN}/X"),
        ),
        (
            "x-original-url",
            format!("/webhooks/skladon/{SKLADON_TOKEN}/X"),
        ),
        (
            "x-original-uri",
            format!("/webhooks/isendu?token={ISENDU_URL_TOKEN}"),
        ),
        (
            "referer",
            format!("https://r.example/webhooks/isendu?token={ISENDU_URL_TOKEN}"),
        ),
        ("x-auth-token", "infrastructure-secret-7Q".to_owned()),
    ];
    let long_agent = format!("agent-{}", "a".repeat(4000));
    let mut expected = BTreeMap::new();
    for name in ["wakilni/", "skladon/", "isendu/", "peddler/", "xoxoday/"] {
        let call = calls
            .iter()
            .find(|c| c.name.starts_with(name) && c.name != "isendu/verification")
            .unwrap();
        let delivery = receive(&config, call);
        let mut request = raw(call).header("user-agent", long_agent.clone());
        for (n, v) in junk
            .iter()
            .cloned()
            .chain(proxied.iter().map(|(n, v)| ((*n).to_owned(), v.clone())))
        {
            request = request.header(&n, v);
        }
        let Acceptance::Accepted(id) = inbox.accept(&delivery, &request).await.unwrap() else {
            panic!("{name} not accepted");
        };
        expected.insert(id, (call.clone(), delivery));
    }
    let items = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(items.len(), expected.len());
    for item in items {
        let (call, delivery) = &expected[&item.id];
        assert_eq!(&item.delivery, delivery, "{}", call.name);
        let names: Vec<&str> = item.raw.headers.iter().map(|(n, _)| n.as_str()).collect();
        let mut want: Vec<&str> = call
            .headers
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| {
                [
                    "x-webhook-signature",
                    "x-attempt-number",
                    "x-webhook-shared-token",
                    "x-api-key",
                    "x-forwarded-for",
                ]
                .contains(n)
            })
            .collect();
        want.push("user-agent");
        assert_eq!(names, want, "{}", call.name);
        let agent = &item.raw.headers.last().unwrap().1;
        assert_eq!(agent.len(), 1024, "{}", call.name);
        assert!(long_agent.starts_with(agent.as_str()));
        // Credential values are stored masked: a signature with the body would let a reader of
        // the database replay the delivery (src/credentials.rs, the handler's mask too).
        for (name, value) in &item.raw.headers {
            if ["x-webhook-signature", "x-webhook-shared-token", "x-api-key"]
                .contains(&name.as_str())
            {
                assert_eq!(value, "[redacted]", "{}: {name}", call.name);
            }
        }
    }
    let dump = store.dump().await;
    let holds = |needle: &str| dump.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(holds("agent-aaaa"), "the dump reads nothing");
    for needle in [
        "x-junk-",
        "junk042-",
        SKLADON_TOKEN,
        ISENDU_URL_TOKEN,
        "x-forwarded-uri",
        "referer",
        "infrastructure-secret-7Q",
        &"a".repeat(1100),
    ] {
        assert!(!holds(needle), "{needle} stored");
    }
}

/// The stored lengths of an item's `body` and `payload`, read behind the inbox's back.
async fn stored_lengths(store: &Store, id: ItemId) -> (i64, i64) {
    match store {
        Store::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            let lengths = sqlx::query_as(&format!(
                "SELECT length(body), length(payload) FROM {SQLITE_NS}_webhook_inbox WHERE id = ?1"
            ))
            .bind(id.0)
            .fetch_one(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
            lengths
        }
        Store::Postgres { url, ns } => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            let lengths: (i32, i32) = sqlx::query_as(&format!(
                "SELECT octet_length(body), octet_length(payload) FROM \"{ns}\".webhook_inbox \
                 WHERE id = $1"
            ))
            .bind(id.0)
            .fetch_one(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
            (i64::from(lengths.0), i64::from(lengths.1))
        }
    }
}

/// 33 (a payload stored twice): a Skladon POST of an unknown type is kept as its body, and was
/// stored twice (body and payload). The payload is stored only where it is not the body; a
/// typed payload (Wakilni's) is still stored beside its body. Both rebuild equal.
async fn a_payload_that_is_the_body_is_stored_once(store: Store) {
    let inbox = store.open(InboxOptions::default()).await;
    let config = config();
    let body = format!(r#"{{"note":"{}"}}"#, "n".repeat(10_000)).into_bytes();
    let unknown = Call {
        name: "skladon: an unknown type".into(),
        method: "POST",
        path: format!("/webhooks/skladon/{SKLADON_TOKEN}/SOMETHING_NEW"),
        headers: Vec::new(),
        body: body.clone(),
    };
    let typed = calls()
        .into_iter()
        .find(|c| c.name.starts_with("wakilni/"))
        .unwrap();
    let mut ids = Vec::new();
    for call in [&unknown, &typed] {
        let delivery = receive(&config, call);
        let Acceptance::Accepted(id) = inbox.accept(&delivery, &raw(call)).await.unwrap() else {
            panic!("{} not accepted", call.name);
        };
        ids.push((id, delivery));
    }
    assert_eq!(
        stored_lengths(&store, ids[0].0).await,
        (i64::try_from(body.len()).unwrap(), 0)
    );
    let (typed_body, typed_payload) = stored_lengths(&store, ids[1].0).await;
    assert_eq!(typed_body, i64::try_from(typed.body.len()).unwrap());
    assert!(typed_payload > 0, "the typed payload is stored");
    let items = inbox.claim(10, MINUTE).await.unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let (_, delivery) = ids.iter().find(|(id, _)| *id == item.id).unwrap();
        assert_eq!(&item.delivery, delivery);
    }
}

/// 33 (the -wal never truncated): SQLite's -wal kept its largest size (67.6 MB after one claim).
/// A reader holding a snapshot makes it grow past 40 MiB (deterministically: no checkpoint can
/// reset it meanwhile); once the reader is gone, the next writes truncate it to the
/// `journal_size_limit` (16 MiB), and `retain` checkpoints it down to nothing.
#[test]
fn the_sqlite_wal_is_truncated_after_a_checkpoint() {
    const MIB: u64 = 1 << 20;
    let path = temp_db("wal_truncated");
    let wal = path.with_extension("db-wal");
    let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let config = config();
    let skladon = |i: usize, mib: usize| {
        let call = Call {
            name: format!("skladon: unknown type {i}"),
            method: "POST",
            path: format!("/webhooks/skladon/{SKLADON_TOKEN}/SOMETHING_NEW"),
            headers: Vec::new(),
            body: format!(r#"{{"n":{i},"note":"{}"}}"#, "n".repeat(mib << 20)).into_bytes(),
        };
        (receive(&config, &call), raw(&call))
    };
    runtime().block_on(async {
        let inbox = SqliteInbox::open(&path, InboxOptions::default())
            .await
            .unwrap();
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
        let mut reader = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql("BEGIN; SELECT count(*) FROM webhook_inbox;")
            .execute(&mut reader)
            .await
            .unwrap();
        for i in 0..40 {
            let (delivery, raw) = skladon(i, 1);
            inbox.accept(&delivery, &raw).await.unwrap();
        }
        let grown = size();
        assert!(grown > 40 * MIB, "{grown}");
        sqlx::raw_sql("COMMIT").execute(&mut reader).await.unwrap();
        reader.close().await.unwrap();
        // The first write checkpoints (the -wal is past 1,000 pages), the second restarts the
        // -wal and truncates it to the limit.
        for i in 40..42 {
            let (delivery, raw) = skladon(i, 0);
            inbox.accept(&delivery, &raw).await.unwrap();
        }
        let limited = size();
        assert!(limited <= 16 * MIB + MIB, "{grown} -> {limited}");
        assert_eq!(inbox.retain().await.unwrap(), 0);
        assert_eq!(size(), 0, "{grown} -> {limited} -> after retain");
        assert_eq!(inbox.stats().await.unwrap().pending, 42);
    });
}

/// A connection that holds the inbox's writer: SQLite's write lock (`BEGIN IMMEDIATE`), or on
/// PostgreSQL a lock on the table that every `INSERT` waits for. Until [`Held::release`],
/// nothing is written: a deterministic overload.
enum Held {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Held {
    async fn hold(store: &Store) -> Self {
        match store {
            Store::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let mut conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .unwrap();
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Held::Sqlite(conn)
            }
            Store::Postgres { url, ns } => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql(&format!(
                    "BEGIN; LOCK TABLE \"{ns}\".webhook_inbox IN EXCLUSIVE MODE"
                ))
                .execute(&mut conn)
                .await
                .unwrap();
                Held::Postgres(conn)
            }
        }
    }

    async fn release(self) {
        match self {
            Held::Sqlite(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
            Held::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
        }
    }
}

/// Polls `future` once (it must not finish): an accept has then taken its place in its
/// provider's budget and queued, deterministically, before the test goes on.
async fn started<F: std::future::Future + Unpin>(future: &mut F) {
    std::future::poll_fn(|cx| {
        assert!(
            std::pin::Pin::new(&mut *future).poll(cx).is_pending(),
            "finished while the writer is held"
        );
        std::task::Poll::Ready(())
    })
    .await;
}

/// 33.6: a provider with its budget of deliveries waiting for the writer (here 2, the writer
/// held) is refused at once with `ProviderBacklog`, while another provider's delivery is still
/// taken; once the writer is free, all that were taken are stored, and the provider is taken
/// again.
async fn a_provider_over_its_budget_is_refused_while_another_is_accepted(store: Store) {
    let options = InboxOptions::default()
        .provider_budget(2, 64 << 20)
        .accept_deadline(Duration::from_secs(120));
    let inbox = store.open(options).await;
    let wakilni = calls()
        .into_iter()
        .find(|c| c.name.starts_with("wakilni/"))
        .unwrap();
    let wakilni = (receive(&config(), &wakilni), raw(&wakilni));
    let peddler: Vec<_> = (0..4).map(peddler_numbered).collect();
    let held = Held::hold(&store).await;
    let mut first = Box::pin(inbox.accept(&peddler[0].0, &peddler[0].1));
    let mut second = Box::pin(inbox.accept(&peddler[1].0, &peddler[1].1));
    started(&mut first).await;
    started(&mut second).await;
    match inbox.accept(&peddler[2].0, &peddler[2].1).await {
        Err(InboxError::ProviderBacklog {
            provider: delivery_webhooks::Provider::Peddler,
            items: 2,
            bytes,
        }) => assert!(bytes > peddler[0].1.body.len() * 2, "{bytes}"),
        other => panic!("{other:?}"),
    }
    let mut other = Box::pin(inbox.accept(&wakilni.0, &wakilni.1));
    started(&mut other).await;
    held.release().await;
    for accepted in [first.await, second.await, other.await] {
        assert!(
            matches!(accepted, Ok(Acceptance::Accepted(_))),
            "{accepted:?}"
        );
    }
    // Its budget given back, the provider is taken again.
    let again = inbox.accept(&peddler[3].0, &peddler[3].1).await.unwrap();
    assert!(matches!(again, Acceptance::Accepted(_)), "{again:?}");
    assert_eq!(inbox.stats().await.unwrap().pending, 4);
}

/// 33.6: an inbox whose writer is held (a lock another connection keeps) answers within its
/// accept deadline: `Overloaded`, which inbox mode answers 503 with `Retry-After` and endpoint
/// health counts, never an unbounded wait. Once the writer is free, the provider's retry is
/// stored (once).
fn a_held_writer_answers_503_at_the_deadline(store: Store) {
    let options = InboxOptions::default().accept_deadline(Duration::from_millis(300));
    let (receiver, inbox) = super::super::Receiver::start(store.open(options));
    let call = calls()
        .into_iter()
        .find(|c| c.name.starts_with("peddler/"))
        .unwrap();
    let side = runtime();
    let held = side.block_on(Held::hold(&store));
    let started = std::time::Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.post(format!("http://{}{}", receiver.addr, call.path));
    for (k, v) in &call.headers {
        request = request.header(k, v);
    }
    let mut response = request.send(&call.body[..]).unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("send it again later"), "{body}");
    let peddler = delivery_webhooks::Provider::Peddler;
    assert_eq!(receiver.health.provider(peddler).consecutive_failures, 1);
    // The inbox's own answer, directly.
    let delivery = receive(&config(), &call);
    let direct = receiver
        ._runtime
        .block_on(inbox.accept(&delivery, &raw(&call)));
    assert!(
        matches!(direct, Err(InboxError::Overloaded { waited }) if waited == Duration::from_millis(300)),
        "{direct:?}"
    );
    side.block_on(held.release());
    assert_eq!(receiver.send(&call).0, 200);
    assert_eq!(receiver.health.provider(peddler).consecutive_failures, 0);
    let stats = receiver._runtime.block_on(inbox.stats()).unwrap();
    assert_eq!(stats.pending, 1);
}

#[test]
fn a_held_writer_answers_503_at_the_deadline_on_sqlite() {
    a_held_writer_answers_503_at_the_deadline(Store::Sqlite(temp_db("held_writer")));
}

#[test]
fn a_held_writer_answers_503_at_the_deadline_on_postgres() {
    let test = "a_held_writer_answers_503_at_the_deadline_on_postgres";
    let Some(url) = postgres_url(test) else {
        return;
    };
    let ns = namespace("held_writer");
    a_held_writer_answers_503_at_the_deadline(Store::Postgres { url, ns });
}
