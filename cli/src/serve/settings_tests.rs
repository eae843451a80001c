use super::*;

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, Zeroizing<String>> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Zeroizing::new((*v).to_owned())))
        .collect()
}

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[test]
fn every_problem_is_named_at_once_and_no_value_is_shown() {
    let err = settings(&vars(&[
        ("WAKILNI_WEBHOOK_SECRET", " "),
        ("DELIVERY_WEBHOOKS_BODY_LIMIT", "16MiB"),
        (
            "DELIVERY_WEBHOOKS_FORWARD_URL",
            "ftp://downstream.example/hook-pa55",
        ),
        (
            "DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS",
            "not-a-whsec-pa55",
        ),
        ("DELIVERY_WEBHOOKS_WORKERS", "many"),
        ("DELIVERY_WEBHOOKS_OPS_LISTEN", "nowhere"),
    ]))
    .err()
    .unwrap();
    let text = err.to_string();
    assert_eq!(
        text,
        "DELIVERY_WEBHOOKS_BODY_LIMIT: expected a whole number of bytes above 0\n\
         DELIVERY_WEBHOOKS_FORWARD_SECRET: required with DELIVERY_WEBHOOKS_FORWARD_URL: events are always signed\n\
         DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS: expected a Standard Webhooks secret: whsec_ then base64\n\
         DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS: set without DELIVERY_WEBHOOKS_FORWARD_SECRET\n\
         DELIVERY_WEBHOOKS_FORWARD_URL: expected an http:// or https:// URL\n\
         DELIVERY_WEBHOOKS_OPS_LISTEN: expected host:port\n\
         DELIVERY_WEBHOOKS_WORKERS: expected a whole number above 0\n\
         WAKILNI_WEBHOOK_SECRET: empty secret\n\
         console: no authentication configured: set DELIVERY_WEBHOOKS_CONSOLE_TOKEN (bearer), or \
         DELIVERY_WEBHOOKS_CONSOLE_USER and DELIVERY_WEBHOOKS_CONSOLE_PASSWORD (basic), or \
         DELIVERY_WEBHOOKS_CONSOLE_LOOPBACK_ONLY=1 (loopback only)"
    );
    assert!(!text.contains("pa55"));
}

#[test]
fn no_provider_and_no_sink_are_both_refused() {
    let err = settings(&vars(&[])).err().unwrap();
    let lines = err.lines();
    assert_eq!(lines[0].0.as_deref(), Some("DELIVERY_WEBHOOKS_FORWARD_URL"));
    assert!(lines[0].1.starts_with("no sink"), "{lines:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!((lines[1].0.as_deref(), lines[2].0.as_deref()), (None, None));
    assert!(
        lines.iter().any(|l| l.1.contains("no provider")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.1.starts_with("console: no authentication")),
        "{lines:?}"
    );
}

#[test]
fn a_complete_configuration_gives_its_settings() {
    let settings = settings(&vars(&[
        ("PEDDLER_WEBHOOK_TOKEN", "peddler-token-1"),
        (
            "DELIVERY_WEBHOOKS_FORWARD_URL",
            "https://app.example/hooks/delivery",
        ),
        ("DELIVERY_WEBHOOKS_FORWARD_SECRET", SECRET),
        ("DELIVERY_WEBHOOKS_FORWARD_SECRET_PREVIOUS", SECRET),
        ("DELIVERY_WEBHOOKS_OPS_LISTEN", "127.0.0.1:0"),
        ("DELIVERY_WEBHOOKS_CONSOLE_LOOPBACK_ONLY", "1"),
    ]))
    .ok()
    .unwrap();
    let forward = settings.forward.unwrap();
    assert_eq!(forward.url.as_str(), "https://app.example/hooks/delivery");
    assert_eq!(forward.timeout, Duration::from_secs(30));
    assert_eq!(
        forward
            .signer
            .signature("msg_1", 1, b"{}")
            .matches("v1,")
            .count(),
        2
    );
    assert_eq!(settings.database.as_str(), DEFAULT_DATABASE);
    assert_eq!(
        (
            settings.ops_listen.as_str(),
            settings.workers,
            settings.shutdown
        ),
        ("127.0.0.1:0", 4, Duration::from_secs(40))
    );
    assert_eq!(
        settings.config.providers(),
        [delivery_webhooks::Provider::Peddler]
    );
    assert!(matches!(settings.console_auth, ConsoleAuth::LoopbackOnly));
}

#[test]
fn a_toml_file_is_read_and_its_errors_show_no_value() {
    let dir = std::env::temp_dir().join(format!("dw-serve-toml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        "PEDDLER_WEBHOOK_TOKEN = \"peddler-token-1\"\nDELIVERY_WEBHOOKS_WORKERS = 2\nXOXODAY_ENABLED = true\n",
    )
    .unwrap();
    let read = read_toml(&good).unwrap();
    assert_eq!(read["PEDDLER_WEBHOOK_TOKEN"].as_str(), "peddler-token-1");
    assert_eq!(read["DELIVERY_WEBHOOKS_WORKERS"].as_str(), "2");
    assert_eq!(read["XOXODAY_ENABLED"].as_str(), "1");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "A = 1\nPEDDLER_WEBHOOK_TOKEN = \"sec-pa55\n").unwrap();
    let err = read_toml(&bad).unwrap_err();
    assert_eq!(
        err,
        format!("--config {}: not valid TOML at line 2", bad.display())
    );
    let nested = dir.join("nested.toml");
    std::fs::write(&nested, "[table]\nX = \"pa55\"\n").unwrap();
    let err = read_toml(&nested).unwrap_err();
    assert!(
        err.ends_with("table: expected a string, an integer or a boolean"),
        "{err}"
    );
    assert!(!err.contains("pa55"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn docs_serve_md_lists_every_variable_with_its_default() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/serve.md"),
    )
    .unwrap();
    for (name, meaning, default) in VARIABLES {
        let row = format!("| `{name}` | {meaning} | {default} |");
        assert!(doc.contains(&row), "docs/serve.md lacks the row\n{row}");
    }
}
