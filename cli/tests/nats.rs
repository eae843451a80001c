//! `serve`'s NATS JetStream sink (feature `nats`) against a real `nats-server -js`, which
//! `scripts/with-nats.sh` starts (its URL in `DELIVERY_WEBHOOKS_TEST_NATS_URL`; without it the
//! test says so and passes, unless `DELIVERY_WEBHOOKS_REQUIRE_NATS=1`, as in CI).
#![cfg(feature = "nats")]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_delivery-webhooks");
const PEDDLER: &str = "pd-token-nats-9e2b";

fn nats_url() -> Option<String> {
    match std::env::var("DELIVERY_WEBHOOKS_TEST_NATS_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("DELIVERY_WEBHOOKS_REQUIRE_NATS").is_none(),
                "DELIVERY_WEBHOOKS_REQUIRE_NATS is set but no NATS server is"
            );
            eprintln!("no NATS server: run under scripts/with-nats.sh; skipped");
            None
        }
    }
}

#[test]
fn a_delivery_becomes_one_message_and_a_duplicate_publish_is_dropped() {
    let Some(url) = nats_url() else { return };
    let dir = std::env::temp_dir().join(format!("dw-serve-nats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let stream = format!("DW_TEST_{}", std::process::id());
    let subject = format!("dw-test.{}.events", std::process::id());
    let mut child = Command::new(BIN)
        .args(["serve", "--log-format", "json"])
        .env_clear()
        .env("PEDDLER_WEBHOOK_TOKEN", PEDDLER)
        .env("DELIVERY_WEBHOOKS_LISTEN", "127.0.0.1:0")
        .env("DELIVERY_WEBHOOKS_OPS_LISTEN", "127.0.0.1:0")
        .env("DELIVERY_WEBHOOKS_DATABASE_URL", dir.join("inbox.db"))
        .env("DELIVERY_WEBHOOKS_NATS_URL", &url)
        .env("DELIVERY_WEBHOOKS_NATS_SUBJECT", &subject)
        .env("DELIVERY_WEBHOOKS_NATS_STREAM", &stream)
        .env("DELIVERY_WEBHOOKS_CONSOLE_LOOPBACK_ONLY", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let lines = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("  receiving on http://") {
                let _ = tx.send(Ok(rest.trim().parse::<SocketAddr>().unwrap()));
            } else {
                let _ = tx.send(Err(line));
            }
        }
    });
    let receiver = loop {
        match rx
            .recv_timeout(Duration::from_secs(60))
            .expect("serve's summary")
        {
            Ok(addr) => break addr,
            Err(line) => eprintln!("{line}"),
        }
    };
    let sent = Command::new(BIN)
        .args([
            "send",
            "peddler",
            &format!(
                "{}/../fixtures/peddler/out_for_delivery.json",
                env!("CARGO_MANIFEST_DIR")
            ),
            "--secret-env",
            "SECRET",
            "--to",
        ])
        .arg(format!("http://{receiver}/webhooks/peddler"))
        .env("SECRET", PEDDLER)
        .status()
        .unwrap();
    assert!(sent.success());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(url.as_str()).await.unwrap();
        let jetstream = async_nats::jetstream::new(client);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut handle = loop {
            if let Ok(mut handle) = jetstream.get_stream(&stream).await
                && handle.info().await.unwrap().state.messages >= 1
            {
                break handle;
            }
            assert!(Instant::now() < deadline, "no message in the stream");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let message = handle.get_raw_message(1).await.unwrap();
        let event: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
        assert_eq!(event["provider"], "peddler");
        assert_eq!(event["version"], 1);
        assert_eq!(event["status_updates"][0]["status"], "out_for_delivery");
        let id = event["id"].as_str().unwrap().to_owned();
        // The same event published again under its id (a worker that crashed after publishing):
        // JetStream acknowledges it as a duplicate, which it can only be if serve published
        // with the event's id as `Nats-Msg-Id`, and keeps one message.
        let ack = jetstream
            .send_publish(
                subject.clone(),
                async_nats::jetstream::context::Publish::build()
                    .payload(message.payload.clone())
                    .message_id(&id),
            )
            .await
            .unwrap()
            .await
            .unwrap();
        assert!(ack.duplicate);
        assert_eq!(handle.info().await.unwrap().state.messages, 1);
        jetstream.delete_stream(&stream).await.unwrap();
    });

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}
