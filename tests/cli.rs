//! The `delivery-webhooks` binary, run as a user runs it: every fixture, bad input, secrets from
//! the environment and from files, and the documented exit codes (0 ok, 1 rejected or
//! malformed, 2 usage).
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use delivery_webhooks::wakilni;

const BIN: &str = env!("CARGO_BIN_EXE_delivery-webhooks");
const SECRET: &str = "cli-test-secret";
const SECRET_VAR: &str = "DW_CLI_TEST_SECRET";

// Known answers computed outside the crate:
//   openssl dgst -sha256 -hmac 'cli-test-secret' -binary < fixtures/wakilni/<name>.json | base64
const KNOWN_SIGNATURES: &[(&str, &str)] = &[
    (
        "order_assigned",
        "3hyay99p+q97LHRgoaDSA05zQWBtZfnwAIL+fzy3Jzw=",
    ),
    (
        "order_created",
        "/JIqxrn2NaIxym+U2Xnl26CQ0tTyX0e8siv5+XVnZWA=",
    ),
    (
        "unknown_event",
        "vPKm1ySfbmRLBpqxhhyijklGz0NBf2RHeyNSK1WD2Qc=",
    ),
    (
        "quirk_api_status_names",
        "tFkK92m8TjkP9dgLyiQaDNuGjeD9g+ubVlak3EbSPCA=",
    ),
];

/// The summary `parse` prints on stderr for each Wakilni fixture (without the `wakilni: `).
const WAKILNI_SUMMARIES: &[(&str, &str)] = &[
    (
        "order_assigned",
        "Order Assigned, order 123456, driver Ali Haddad",
    ),
    (
        "order_canceled",
        "Order Canceled, order 123456, Confirmed -> Canceled",
    ),
    (
        "order_closed_failed",
        "Order Closed Failed, order 123456, Failed -> Closed Failed",
    ),
    (
        "order_completed",
        "Order Completed, order 123456, Processing -> Success",
    ),
    (
        "order_completed_rejected",
        "Order Completed Rejected, order 123456, Processing -> Rejected",
    ),
    (
        "order_confirmed",
        "Order Confirmed, order 123456, Pending -> Confirmed",
    ),
    (
        "order_created",
        "Order Created, order 123456, waybill WK123456",
    ),
    (
        "order_declined",
        "Order Declined, order 123456, Pending -> Declined",
    ),
    (
        "order_failed",
        "Order Failed, order 123456, Processing -> Failed",
    ),
    (
        "order_pending_cancelation",
        "Order Pending Cancelation, order 123456, Processing -> Pending Cancellation",
    ),
    (
        "order_postponed",
        "Order Postponed, order 123456, Processing -> Postponed",
    ),
    (
        "order_processed",
        "Order Processed, order 123456, Confirmed -> Processing",
    ),
    (
        "order_ready_for_self_pickup",
        "Order Ready for Self-Pickup, order 123456, at Wakilni Dekwaneh",
    ),
    (
        "order_ready_for_self_pickup_list",
        "Order Ready for Self-Pickup, order 123456, at Wakilni Dekwaneh",
    ),
    (
        "quirk_api_status_names",
        "Order Closed Failed, order 123456, Failed -> Closed Failed",
    ),
    (
        "quirk_string_order_id",
        "Order Created, order 123456, waybill WK123456",
    ),
    (
        "unknown_event",
        "Order Returned, order 123456, unknown event, data kept as sent",
    ),
];

// ----- helpers ---------------------------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs the binary with `args`, `stdin` piped in (empty when `None`) and the test secret in
/// `DW_CLI_TEST_SECRET`.
fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .env(SECRET_VAR, SECRET)
        .env_remove("DW_CLI_UNSET_VAR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.unwrap_or_default()).unwrap();
    }
    finish(child.wait_with_output().unwrap())
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

fn fixture_path(provider: &str, name: &str) -> String {
    format!(
        "{}/fixtures/{provider}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn fixture_names(provider: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(provider);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A scratch file under the target directory, unique per test.
fn scratch_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn assert_exit(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "exit code\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

// ----- parse -----------------------------------------------------------------------------

#[test]
fn parse_prints_every_wakilni_fixture_in_wire_format_with_a_summary() {
    let names = fixture_names("wakilni");
    assert_eq!(
        names.len(),
        WAKILNI_SUMMARIES.len(),
        "a fixture without a summary here"
    );
    for name in &names {
        let expected = WAKILNI_SUMMARIES
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no expected summary for {name}"))
            .1;
        let path = fixture_path("wakilni", name);
        let out = run(&["parse", "wakilni", &path]);
        assert_exit(&out, 0);
        assert_eq!(out.stderr, format!("wakilni: {expected}\n"), "{name}");
        // stdout is the typed payload in Wakilni's wire format: it parses back to the same event.
        let printed = wakilni::parse(out.stdout.as_bytes()).unwrap();
        let original = wakilni::parse(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(printed, original, "{name}");
        assert!(
            out.stdout.starts_with("{\n  \"event_id\": "),
            "{name}: {}",
            out.stdout
        );
    }
}

#[test]
fn parse_normalizes_quirks_into_the_wire_format() {
    let out = run(&[
        "parse",
        "wakilni",
        &fixture_path("wakilni", "quirk_string_order_id"),
    ]);
    assert_exit(&out, 0);
    // `"123456"` in the body is written back as the number Wakilni documents.
    assert!(
        out.stdout.contains("\"order_id\": 123456,"),
        "{}",
        out.stdout
    );

    let out = run(&[
        "parse",
        "wakilni",
        &fixture_path("wakilni", "order_assigned"),
    ]);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["event"], "Order Assigned");
    assert_eq!(value["data"]["driver_name"], "Ali Haddad");
    assert_eq!(value["data"]["driver_phone"], "+96170123456");
}

#[test]
fn parse_reads_standard_input_with_a_dash_or_without_a_file() {
    let body = std::fs::read(fixture_path("wakilni", "order_created")).unwrap();
    for args in [&["parse", "wakilni", "-"][..], &["parse", "wakilni"][..]] {
        let out = run_with_stdin(args, Some(&body));
        assert_exit(&out, 0);
        assert_eq!(
            out.stderr,
            "wakilni: Order Created, order 123456, waybill WK123456\n"
        );
        assert!(out.stdout.contains("\"waybill\": \"WK123456\""));
    }
}

#[test]
fn parse_reports_a_malformed_body_with_its_json_path() {
    let body = br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13",
"data":{"order_id":"abc","waybill":"W1","created_at":"2024-11-14 14:39:10"}}"#;
    let out = run_with_stdin(&["parse", "wakilni", "-"], Some(body));
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("wakilni: malformed payload at `data.order_id`: "),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(line 2, column "), "{}", out.stderr);

    let out = run_with_stdin(&["parse", "wakilni"], Some(b"{not json"));
    assert_exit(&out, 1);
    assert!(
        out.stderr
            .starts_with("wakilni: malformed payload at `.`: "),
        "{}",
        out.stderr
    );

    let missing = br#"{"event_id":"e1","event":"Order Assigned","timestamp":"2024-11-14 14:39:13",
"data":{"waybill":"W1","updated_at":"2024-11-14 14:39:10"}}"#;
    let out = run_with_stdin(&["parse", "wakilni"], Some(missing));
    assert_exit(&out, 1);
    assert!(
        out.stderr.contains("missing field `order_id`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`data"), "{}", out.stderr);
}

// ----- sign and verify -------------------------------------------------------------------

#[test]
fn sign_matches_openssl_known_answers() {
    for (name, expected) in KNOWN_SIGNATURES {
        let out = run(&[
            "sign",
            "wakilni",
            &fixture_path("wakilni", name),
            "--secret-env",
            SECRET_VAR,
        ]);
        assert_exit(&out, 0);
        assert_eq!(out.stdout, format!("{expected}\n"), "{name}");
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn every_wakilni_fixture_signed_by_the_cli_verifies() {
    for name in fixture_names("wakilni") {
        let path = fixture_path("wakilni", &name);
        let signature = run(&["sign", "wakilni", &path, "--secret-env", SECRET_VAR]);
        assert_exit(&signature, 0);
        let header = format!("X-Webhook-Signature: {}", signature.stdout.trim_end());
        let out = run(&[
            "verify",
            "wakilni",
            &path,
            "--secret-env",
            SECRET_VAR,
            "--header",
            &header,
            "-H",
            "X-Webhook-Topic: ignored by verify",
        ]);
        assert_exit(&out, 0);
        assert_eq!(out.stdout, "verified\n", "{name}");
        assert_eq!(out.stderr, "", "{name}");
    }
}

#[test]
fn verify_reads_the_body_from_standard_input_and_headers_in_any_case() {
    let body = std::fs::read(fixture_path("wakilni", "order_assigned")).unwrap();
    let out = run_with_stdin(
        &[
            "verify",
            "wakilni",
            "--secret-env",
            SECRET_VAR,
            "-H",
            "x-webhook-signature:3hyay99p+q97LHRgoaDSA05zQWBtZfnwAIL+fzy3Jzw=",
        ],
        Some(&body),
    );
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "verified\n");
}

fn verify_order_assigned(extra: &[&str]) -> Run {
    let path = fixture_path("wakilni", "order_assigned");
    let mut args = vec!["verify", "wakilni", path.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn verify_rejects_a_tampered_body() {
    // order_created's signature on order_assigned's body: a body that was changed in transit.
    let out = verify_order_assigned(&[
        "--secret-env",
        SECRET_VAR,
        "-H",
        "X-Webhook-Signature: /JIqxrn2NaIxym+U2Xnl26CQ0tTyX0e8siv5+XVnZWA=",
    ]);
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "wakilni: rejected: signature mismatch (a receiver answers 401)\n"
    );
}

#[test]
fn verify_rejects_a_missing_or_unreadable_signature() {
    let out = verify_order_assigned(&["--secret-env", SECRET_VAR]);
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "wakilni: rejected: missing header `x-webhook-signature` (a receiver answers 401)\n"
    );

    let out = verify_order_assigned(&[
        "--secret-env",
        SECRET_VAR,
        "-H",
        "X-Webhook-Signature: not base64!",
    ]);
    assert_exit(&out, 1);
    assert!(
        out.stderr
            .starts_with("wakilni: rejected: invalid header `x-webhook-signature`: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("(a receiver answers 400)\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn verify_rejects_the_wrong_secret() {
    let wrong = scratch_file("wrong-secret", b"not-the-secret\n");
    let out = verify_order_assigned(&[
        "--secret-file",
        wrong.to_str().unwrap(),
        "-H",
        "X-Webhook-Signature: 3hyay99p+q97LHRgoaDSA05zQWBtZfnwAIL+fzy3Jzw=",
    ]);
    assert_exit(&out, 1);
    assert_eq!(
        out.stderr,
        "wakilni: rejected: signature mismatch (a receiver answers 401)\n"
    );
}

#[test]
fn secret_file_loses_exactly_one_trailing_newline() {
    let signature = "X-Webhook-Signature: 3hyay99p+q97LHRgoaDSA05zQWBtZfnwAIL+fzy3Jzw=";
    for (file, contents, code) in [
        ("secret-lf", "cli-test-secret\n", 0),
        ("secret-crlf", "cli-test-secret\r\n", 0),
        ("secret-bare", "cli-test-secret", 0),
        // Only one newline is the file's; a second one is part of the secret.
        ("secret-two-lf", "cli-test-secret\n\n", 1),
        ("secret-space", "cli-test-secret \n", 1),
    ] {
        let path = scratch_file(file, contents.as_bytes());
        let out =
            verify_order_assigned(&["--secret-file", path.to_str().unwrap(), "-H", signature]);
        assert_exit(&out, code);
        assert_eq!(
            out.stdout,
            if code == 0 { "verified\n" } else { "" },
            "{file}"
        );
    }
}

#[test]
fn the_secret_is_never_printed() {
    let secret_file = scratch_file("secret-for-echo", format!("{SECRET}\n").as_bytes());
    let path = fixture_path("wakilni", "order_assigned");
    let body = path.as_str();
    let runs = [
        run(&["sign", "wakilni", body, "--secret-env", SECRET_VAR]),
        run(&["verify", "wakilni", body, "--secret-env", SECRET_VAR]),
        run(&[
            "verify",
            "wakilni",
            body,
            "--secret-file",
            secret_file.to_str().unwrap(),
            "-H",
            "X-Webhook-Signature: AAAA",
        ]),
        run(&[
            "verify",
            "wakilni",
            body,
            "--secret-env",
            SECRET_VAR,
            "-H",
            "X-Webhook-Signature: 3hyay99p+q97LHRgoaDSA05zQWBtZfnwAIL+fzy3Jzw=",
        ]),
        run(&["verify", "wakilni", "--help"]),
        // There is no flag taking the secret itself: a user trying one gets a usage error that
        // does not repeat the value.
        run(&["sign", "wakilni", body, "--secret", SECRET]),
    ];
    for out in &runs {
        assert!(!out.stdout.contains(SECRET), "stdout: {}", out.stdout);
        assert!(!out.stderr.contains(SECRET), "stderr: {}", out.stderr);
    }
    assert_exit(&runs[5], 2);
}

// ----- usage errors (exit 2) ---------------------------------------------------------------

#[test]
fn missing_or_unusable_secret_configuration_is_a_usage_error() {
    let path = fixture_path("wakilni", "order_assigned");
    let empty = scratch_file("secret-empty", b"\n");
    let header = "X-Webhook-Signature: 3hyay99p+q97LHRgoaDSA05zQWBtZfnwAIL+fzy3Jzw=";
    let cases: [(&[&str], &str); 6] = [
        (
            &["sign", "wakilni", &path],
            "error: wakilni needs the webhook secret: pass --secret-env VAR or --secret-file PATH\n",
        ),
        (
            &["verify", "wakilni", &path, "-H", header],
            "error: wakilni needs the webhook secret: pass --secret-env VAR or --secret-file PATH\n",
        ),
        (
            &["sign", "wakilni", &path, "--secret-env", "DW_CLI_UNSET_VAR"],
            "error: environment variable DW_CLI_UNSET_VAR (from --secret-env) is not set\n",
        ),
        (
            &[
                "sign",
                "wakilni",
                &path,
                "--secret-file",
                empty.to_str().unwrap(),
            ],
            "error: wakilni needs the webhook secret: the secret given is empty\n",
        ),
        (
            &[
                "verify",
                "wakilni",
                &path,
                "-H",
                header,
                "--secret-file",
                "/nonexistent/secret",
            ],
            "error: cannot read secret file /nonexistent/secret: ",
        ),
        (
            &["parse", "wakilni", "/nonexistent/body.json"],
            "error: cannot read /nonexistent/body.json: ",
        ),
    ];
    for (args, expected) in cases {
        let out = run(args);
        assert_exit(&out, 2);
        assert_eq!(out.stdout, "");
        assert!(out.stderr.starts_with(expected), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn bad_arguments_exit_2() {
    let path = fixture_path("wakilni", "order_assigned");
    let cases: [&[&str]; 7] = [
        &[],
        &["parse"],
        &["parse", "acme", &path],
        &["sign", "acme", &path, "--secret-env", SECRET_VAR],
        &["verify", "wakilni", &path, "-H", "no colon here"],
        &["verify", "wakilni", &path, "-H", ": empty name"],
        &[
            "sign",
            "wakilni",
            &path,
            "--secret-env",
            SECRET_VAR,
            "--secret-file",
            "/tmp/x",
        ],
    ];
    for args in cases {
        let out = run(args);
        assert_exit(&out, 2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.contains("Usage:") || out.stderr.starts_with("error:"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let top = run(&["--help"]);
    assert_exit(&top, 0);
    for needle in ["parse", "verify", "sign", "Exit codes:", "2  usage"] {
        assert!(top.stdout.contains(needle), "{needle}: {}", top.stdout);
    }
    for command in ["parse", "verify", "sign"] {
        let out = run(&[command, "--help"]);
        assert_exit(&out, 0);
        assert!(out.stdout.contains("Example"), "{command}: {}", out.stdout);
        assert!(
            out.stdout
                .contains(&format!("delivery-webhooks {command} wakilni")),
            "{command}: {}",
            out.stdout
        );
    }
}
