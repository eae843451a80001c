//! The `delivery-webhooks` binary, run as a user runs it: every fixture, bad input, secrets from
//! the environment and from files, and the documented exit codes (0 ok, 1 rejected or
//! malformed, 2 usage).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use delivery_webhooks::{isendu, peddler, skladon, wakilni, xoxoday};

const BIN: &str = env!("CARGO_BIN_EXE_delivery-webhooks");
/// The repository root, where `fixtures/` lives (this crate is `cli/` in the workspace).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const SECRET: &str = "cli-test-secret";
const SECRET_VAR: &str = "DW_CLI_TEST_SECRET";
/// isendu's and Skladon's URL token: at least 16 bytes (`SECRET` is 15, too short for one).
const URL_TOKEN: &str = "cli-test-url-token-5f1c";
const URL_TOKEN_VAR: &str = "DW_CLI_TEST_URL_TOKEN";

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
        "quirk_timestamp_compact_offset",
        "Order Assigned, order 123458, driver Ali",
    ),
    (
        "quirk_timestamp_fraction_offset",
        "Order Created, order 123457, waybill WK123457",
    ),
    (
        "quirk_timestamp_plain_date",
        "Order Confirmed, order 123459, now Confirmed",
    ),
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
        "order_ready_for_self_pickup_two_offices",
        "Order Ready for Self-Pickup, order 123457, at Wakilni Dekwaneh",
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

/// The summary `parse` prints on stderr for each Peddler fixture (without the `peddler: `).
const PEDDLER_SUMMARIES: &[(&str, &str)] = &[
    (
        "quirk_ts_compact_offset",
        "DELIVERED, shipment Tz4Kc8Wm2Qp6Rb1Xn5Jv7, code 500",
    ),
    (
        "quirk_ts_without_zone",
        "OUT_FOR_DELIVERY, shipment Uy5Ld9Xn3Rq7Sc2Yo6Kw8, code 410",
    ),
    (
        "delivered_at_neighbours",
        "DELIVERED, shipment PlakFjJkuYatSCXFvDxTs, tracking P123456789012345678, code 501",
    ),
    (
        "delivered_collection_point",
        "DELIVERED_COLLECTION_POINT, shipment Kd4Pn7Qs2VxB9mTe1Rw6Y, tracking P555000111222333444, code 550",
    ),
    (
        "delivered_in_mailbox",
        "DELIVERED, shipment Zr8Tq1WbN5mKcX0vHs2Le, tracking P998877665544332211, code 502",
    ),
    (
        "failed_attempt",
        "FAILED_ATTEMPT, shipment fx6_ZSWp0RDc24csBqOj9, tracking P199684830307745678, code 601, reason CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS",
    ),
    (
        "failed_attempt_unknown_reason",
        "FAILED_ATTEMPT, shipment Fa1LuReR3aS0nXyZ8bCdE, tracking P321321321321321321, code 620, reason CUSTOMER_ON_HOLIDAY",
    ),
    (
        "out_for_delivery",
        "OUT_FOR_DELIVERY, shipment PlakFjJkuYatSCXFvDxTs, tracking P123456789012345678, code 410",
    ),
    (
        "quirk_strings_offsets_languages",
        "OUT_FOR_DELIVERY, shipment Qx7Yb3Nc5Vd1Mf9Lg2Hj4, tracking P777888999000111222, code 410",
    ),
    (
        "schema_example",
        "FAILED_ATTEMPT, shipment Qm3kT8vLx2NpR7sWcY4dZ, tracking P204812345678901234, code 603, reason INCOMPLETE_ADDRESS",
    ),
    (
        "shipment_in_warehouse",
        "SHIPMENT_IN_WAREHOUSE, shipment Wh2Lc9Xp4Rt7Nb1Mz8Qs3, tracking P111222333444555666, code 210",
    ),
    (
        "unknown_status",
        "PARCEL_IN_LOCKER, shipment Un1Kn0wNsT4tUsXyZ9aBc, tracking P123123123123123123, code 580, unknown status, kept as sent",
    ),
];

/// The summary `parse` prints on stderr for each Xoxoday fixture (without the `xoxoday: `).
const XOXODAY_SUMMARIES: &[(&str, &str)] = &[
    (
        "quirk_dates_fraction_compact_offset",
        "delivered, order 10254678911, po PO-2020-0011, webhook 10000000000000000011",
    ),
    (
        "quirk_dates_plain_and_hours_offset",
        "canceled, order 10254678912, po PO-2020-0012, webhook 10000000000000000012",
    ),
    (
        "canceled",
        "canceled, order 10254678902, po PO-2019-7782, webhook 10000000000000000002",
    ),
    (
        "canceled_british",
        "canceled, order 10254678905, po PO-UK-0005, webhook 10000000000000000005",
    ),
    (
        "canceled_lowercase",
        "canceled, order 10254678904, webhook 10000000000000000004",
    ),
    (
        "delivered",
        "delivered, order 10254678901, po PO-2019-7781, webhook 10000000000000000001",
    ),
    (
        "delivered_capitalized",
        "delivered, order 10254678903, webhook 10000000000000000003",
    ),
    (
        "pending",
        "pending, order 10254678906, webhook 10000000000000000006",
    ),
    (
        "rfc3339_dates",
        "delivered, order 10254678909, po PO-2020-0009, webhook 18446744073709551616",
    ),
    (
        "string_ids",
        "delivered, order 10254678907, po 4500012345, webhook 98765432109876543210",
    ),
    (
        "twenty_digit_id",
        "delivered, order 99999999999, po PO-MAX, webhook 99999999999999999999",
    ),
    (
        "unknown_status",
        "Returned, order 10254678910, po PO-2020-0010, webhook 10000000000000000010, unknown status, kept as sent",
    ),
];

/// The summary `parse` prints on stderr for each isendu fixture (without the `isendu: `).
const ISENDU_SUMMARIES: &[(&str, &str)] = &[
    (
        "quirk_step_offset_without_colon",
        "update: 1 order, 1 tracking",
    ),
    (
        "quirk_step_timestamp_unreadable",
        "update: 0 orders, 1 tracking",
    ),
    (
        "quirk_loose_values",
        "update: 2 orders, 1 tracking, 1 delivered",
    ),
    ("update_batch", "update: 3 orders, 3 trackings, 1 delivered"),
    ("update_doc_sample", "update: 1 order, 1 tracking"),
    ("update_empty", "update: 0 orders, 0 trackings"),
    (
        "verification",
        "verification request for key id ak_3f1c2a9e5b7d4e8a",
    ),
];

/// For each Skladon fixture: the webhook type given with `--type`, and the summary.
const SKLADON_SUMMARIES: &[(&str, &str, &str)] = &[
    (
        "order_plain_dates",
        "UPDATE_ORDER",
        "UPDATE_ORDER: order 12346, status inProcess",
    ),
    (
        "order_times_without_zone",
        "UPDATE_ORDER",
        "UPDATE_ORDER: order 12347, status delivered",
    ),
    (
        "order",
        "UPDATE_ORDER_STATUS",
        "UPDATE_ORDER_STATUS: order 12345, status inProcess",
    ),
    (
        "order_unknown_values",
        "UPDATE_ORDER",
        "UPDATE_ORDER: order 98765, status teleported",
    ),
    (
        "product",
        "CREATE_PRODUCT",
        "CREATE_PRODUCT: product TEST_SKU_1",
    ),
    (
        "product_unknown_values",
        "UPDATE_PRODUCT",
        "UPDATE_PRODUCT: product 8594001234567",
    ),
    (
        "receiving",
        "UPDATE_RECEIVING_STATUS",
        "UPDATE_RECEIVING_STATUS: receiving ESHOP_RECIVING_ID_123, status received",
    ),
    (
        "receiving_api_dates",
        "CREATE_RECEIVING",
        "CREATE_RECEIVING: receiving ESHOP_RECEIVING_ID_456, status awaiting",
    ),
    (
        "return",
        "UPDATE_RETURN_STATUS",
        "UPDATE_RETURN_STATUS: return RET-2024-0042, status received",
    ),
    (
        "stock_movement",
        "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION",
        "CREATE_STOCK_MOVEMENT_STOCK_CORRECTION: stock_movement 778899, stock_correction, count -3, sku TEST_SKU_1",
    ),
    (
        "stock_movement_completition",
        "CREATE_STOCK_MOVEMENT_COMPLETITION",
        "CREATE_STOCK_MOVEMENT_COMPLETITION: stock_movement 778900, completition, count 12, sku SET_SKU_1",
    ),
    (
        "stock_movement_unknown_type",
        "CREATE_STOCK_MOVEMENT_QUALITY_HOLD",
        "CREATE_STOCK_MOVEMENT_QUALITY_HOLD: stock_movement 778901, quality_hold, count 5, sku TEST_SKU_3",
    ),
    (
        "unknown_type_unknown_entity",
        "CREATE_PICKING_LIST",
        "CREATE_PICKING_LIST: an entity this crate does not know, kept as sent",
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
        .env(URL_TOKEN_VAR, URL_TOKEN)
        .env_remove("DW_CLI_UNSET_VAR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut pipe = child.stdin.take().unwrap();
        // A command that exits before reading (a usage error) closes the pipe: not a failure.
        if let Err(e) = pipe.write_all(stdin.unwrap_or_default()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    finish(child.wait_with_output().unwrap())
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// Runs the binary with a standard input that fails when read (a directory): a command that
/// reads it exits 2 with `cannot read standard input`, one that does not is unaffected. This
/// shows that header-only checks never wait on stdin, without timing anything.
fn run_without_readable_stdin(args: &[&str]) -> Run {
    let dir = std::fs::File::open(ROOT).unwrap();
    let output = Command::new(BIN)
        .args(args)
        .env(SECRET_VAR, SECRET)
        .env(URL_TOKEN_VAR, URL_TOKEN)
        .stdin(Stdio::from(dir))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    finish(output)
}

fn fixture_path(provider: &str, name: &str) -> String {
    format!("{ROOT}/fixtures/{provider}/{name}.json")
}

fn fixture_names(provider: &str) -> Vec<String> {
    let dir = Path::new(ROOT).join("fixtures").join(provider);
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
            "error: wakilni needs the webhook secret: the value of --secret-env is not the name \
             of a set environment variable; pass the variable's NAME, e.g. --secret-env \
             WAKILNI_WEBHOOK_SECRET (the value given is not shown here: it may be the \
             credential itself)\n",
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
            "error: wakilni needs the webhook secret: cannot read the file given to \
             --secret-file (",
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
    assert!(top.stdout.contains("answer"), "{}", top.stdout);
    for (command, provider) in [
        ("parse", "wakilni"),
        ("verify", "wakilni"),
        ("sign", "wakilni"),
        ("answer", "isendu"),
    ] {
        let out = run(&[command, "--help"]);
        assert_exit(&out, 0);
        assert!(out.stdout.contains("Example"), "{command}: {}", out.stdout);
        assert!(
            out.stdout
                .contains(&format!("delivery-webhooks {command} {provider}")),
            "{command}: {}",
            out.stdout
        );
    }
    // Every provider is listed, and the options only some of them take are explained.
    let parse = run(&["parse", "--help"]);
    let verify = run(&["verify", "--help"]);
    for provider in ["wakilni", "peddler", "xoxoday", "isendu", "skladon"] {
        assert!(
            parse.stdout.contains(provider),
            "{provider}: {}",
            parse.stdout
        );
        assert!(
            verify.stdout.contains(provider),
            "{provider}: {}",
            verify.stdout
        );
    }
    assert!(
        parse.stdout.contains("--type <SKLADON_TYPE>"),
        "{}",
        parse.stdout
    );
    assert!(
        parse
            .stdout
            .contains("delivery-webhooks parse skladon --type UPDATE_ORDER_STATUS"),
        "{}",
        parse.stdout
    );
    for option in ["--peer <IP>", "--trusted-proxy <CIDR>", "--url <URL>"] {
        assert!(
            verify.stdout.contains(option),
            "{option}: {}",
            verify.stdout
        );
    }
    for example in ["verify peddler", "verify xoxoday", "verify skladon"] {
        assert!(
            verify.stdout.contains(example),
            "{example}: {}",
            verify.stdout
        );
    }
    let answer = run(&["answer", "--help"]);
    assert!(answer.stdout.contains("--key-id <ID>"), "{}", answer.stdout);
}

// ----- every provider: parse -----------------------------------------------------------------

/// Runs `parse` on every fixture of `provider`: exit 0, the expected summary on stderr, and on
/// stdout pretty JSON that `same` finds equal to the fixture once both are parsed by the crate.
fn parse_every_fixture(
    provider: &str,
    summaries: &[(&str, &str, &str)],
    same: &dyn Fn(&[u8], &[u8]) -> bool,
) {
    let names = fixture_names(provider);
    assert_eq!(
        names.len(),
        summaries.len(),
        "{provider}: a fixture without a summary here"
    );
    for name in &names {
        let (_, extra, expected) = summaries
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| panic!("no expected summary for {provider}/{name}"));
        let path = fixture_path(provider, name);
        let mut args = vec!["parse", provider, path.as_str()];
        if !extra.is_empty() {
            args.extend(["--type", extra]);
        }
        let out = run(&args);
        assert_exit(&out, 0);
        assert_eq!(out.stderr, format!("{provider}: {expected}\n"), "{name}");
        assert!(out.stdout.starts_with("{\n  \""), "{name}: {}", out.stdout);
        let original = std::fs::read(&path).unwrap();
        assert!(same(out.stdout.as_bytes(), &original), "{provider}/{name}");
    }
}

fn no_type<'a>(table: &'a [(&'a str, &'a str)]) -> Vec<(&'a str, &'a str, &'a str)> {
    table.iter().map(|(name, s)| (*name, "", *s)).collect()
}

#[test]
fn parse_prints_every_peddler_fixture_in_wire_format_with_a_summary() {
    parse_every_fixture(
        "peddler",
        &no_type(PEDDLER_SUMMARIES),
        &|printed, original| peddler::parse(printed).unwrap() == peddler::parse(original).unwrap(),
    );
    // Peddler's camelCase names, as Peddler sends them.
    let out = run(&[
        "parse",
        "peddler",
        &fixture_path("peddler", "failed_attempt"),
    ]);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["carrierTrackingNumber"], "P199684830307745678");
    assert_eq!(value["failedStatus"], "CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS");
    assert_eq!(value["code"], 601);
}

#[test]
fn parse_prints_every_xoxoday_fixture_in_wire_format_with_a_summary() {
    parse_every_fixture(
        "xoxoday",
        &no_type(XOXODAY_SUMMARIES),
        &|printed, original| xoxoday::parse(printed).unwrap() == xoxoday::parse(original).unwrap(),
    );
    // A twenty-digit id beyond u64 is printed as the exact number.
    let out = run(&[
        "parse",
        "xoxoday",
        &fixture_path("xoxoday", "twenty_digit_id"),
    ]);
    assert!(
        out.stdout
            .starts_with("{\n  \"id\": 99999999999999999999,\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\"deliveryStatus\": \"delivered\""),
        "{}",
        out.stdout
    );
}

#[test]
fn parse_prints_every_isendu_fixture_in_wire_format_with_a_summary() {
    parse_every_fixture(
        "isendu",
        &no_type(ISENDU_SUMMARIES),
        &|printed, original| isendu::parse(printed).unwrap() == isendu::parse(original).unwrap(),
    );
    let out = run(&["parse", "isendu", &fixture_path("isendu", "verification")]);
    assert_eq!(out.stdout, "{\n  \"keyId\": \"ak_3f1c2a9e5b7d4e8a\"\n}\n");
}

#[test]
fn parse_prints_every_skladon_fixture_in_wire_format_with_a_summary() {
    parse_every_fixture("skladon", SKLADON_SUMMARIES, &|printed, original| {
        // The type decides the entity: parse both as the kind the printed JSON is; an unknown
        // type's unknown entity is printed as sent.
        // An unknown type: `skladon::parse` recognises the entity by its keys.
        let unknown = skladon::WebhookType::from("A_TYPE_NOT_KNOWN_HERE");
        let Ok(printed) = skladon::parse(&unknown, printed) else {
            let as_value = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
            return as_value(printed) == as_value(original);
        };
        let of_its_kind = skladon::WebhookType::ALL
            .iter()
            .find(|t| t.entity() == Some(printed.kind()))
            .unwrap();
        let original = skladon::parse(of_its_kind, original).unwrap();
        printed == original
    });
    let out = run(&[
        "parse",
        "skladon",
        "--type",
        "UPDATE_RECEIVING_STATUS",
        &fixture_path("skladon", "receiving"),
    ]);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["eshopReceivingId"], "ESHOP_RECIVING_ID_123");
    assert_eq!(value["status"], "received");
}

#[test]
fn parse_skladon_needs_a_known_type_and_only_skladon_takes_one() {
    let path = fixture_path("skladon", "order");
    let out = run(&["parse", "skladon", &path]);
    assert_exit(&out, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("error: skladon bodies carry no type: pass --type SKLADON_TYPE"),
        "{}",
        out.stderr
    );

    // An empty type is a usage error.
    for bad in ["", "  "] {
        let out = run(&["parse", "skladon", &path, "--type", bad]);
        assert_exit(&out, 2);
        assert_eq!(out.stdout, "", "{bad:?}");
        assert!(
            out.stderr
                .contains("an empty skladon webhook type; one of: CREATE_ORDER, "),
            "{bad:?}: {}",
            out.stderr
        );
    }
    // A type this crate does not know (types match exactly, so a lowercase one is unknown) is
    // read as the receiver reads it: the entity recognised by its keys...
    for other in ["DELETE_ORDER", "update_order_status"] {
        let out = run(&["parse", "skladon", &path, "--type", other]);
        assert_exit(&out, 0);
        assert_eq!(
            out.stderr,
            format!("skladon: {other}: order 12345, status inProcess\n")
        );
    }
    // ...or kept as sent when it is no known entity.
    let unknown = fixture_path("skladon", "unknown_type_unknown_entity");
    let out = run(&[
        "parse",
        "skladon",
        &unknown,
        "--type",
        "CREATE_PICKING_LIST",
    ]);
    assert_exit(&out, 0);
    assert_eq!(
        out.stderr,
        "skladon: CREATE_PICKING_LIST: an entity this crate does not know, kept as sent\n"
    );
    let printed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(printed["pickingListId"], "PL-2024-0042");

    for provider in ["wakilni", "peddler", "xoxoday", "isendu"] {
        let body = fixture_path(provider, &fixture_names(provider)[0]);
        let out = run(&["parse", provider, &body, "--type", "CREATE_ORDER"]);
        assert_exit(&out, 2);
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!("error: --type does not apply to {provider}\n")
        );
    }

    // The wrong type for the body: the entity's required id is missing, named by its path.
    let out = run(&["parse", "skladon", &path, "--type", "CREATE_PRODUCT"]);
    assert_exit(&out, 1);
    assert!(
        out.stderr
            .starts_with("skladon: malformed payload at `.`: missing field `sku`"),
        "{}",
        out.stderr
    );
}

#[test]
fn parse_reports_malformed_bodies_of_every_provider_with_their_json_path() {
    let cases: [(&[&str], &[u8], &str); 8] = [
        (
            &["parse", "peddler"],
            br#"{"id":"s1","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":"soon"}"#,
            "peddler: malformed payload at `code`: ",
        ),
        (
            &["parse", "peddler"],
            br#"{"id":"s1","status":"DELIVERED","ts":"2024-09-02T13:08:06Z","code":500,
"location":{"lat":95.0,"lng":4.8}}"#,
            "peddler: malformed payload at `location.lat`: ",
        ),
        (
            &["parse", "xoxoday"],
            br#"{"id":1,"data":{"orderId":"abc","orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"},"createdAt":"2019-12-27 16:45:02"}"#,
            "xoxoday: malformed payload at `data.orderId`: ",
        ),
        (
            &["parse", "xoxoday"],
            br#"{"id":1,"data":{"orderId":7,"orderDate":"2019-12-27 16:41:33"},"createdAt":"2019-12-27 16:45:02"}"#,
            "xoxoday: malformed payload at `data`: missing field `deliveryStatus`",
        ),
        (
            &["parse", "isendu"],
            br#"{"tracking":[{"uuid":"t-1"},{"status":"D"}]}"#,
            "isendu: malformed payload at `tracking[1]`: missing field `uuid`",
        ),
        (
            &["parse", "isendu"],
            b"{}",
            "isendu: malformed payload at `.`: neither `keyId` nor `order`/`tracking` found",
        ),
        (
            &["parse", "skladon", "--type", "CREATE_STOCK_MOVEMENT_ORDER"],
            br#"{"id":17,"count":"many","sku":"S","type":"order"}"#,
            "skladon: malformed payload at `count`: ",
        ),
        (
            &["parse", "skladon", "--type", "CREATE_ORDER"],
            b"{not json",
            "skladon: malformed payload at `.`: ",
        ),
    ];
    for (args, body, expected) in cases {
        let out = run_with_stdin(args, Some(body));
        assert_exit(&out, 1);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(out.stderr.starts_with(expected), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("(line "), "{args:?}: {}", out.stderr);
    }
}

// ----- every provider: verify ----------------------------------------------------------------

#[test]
fn verify_peddler_checks_the_shared_token_without_reading_the_body() {
    let ok = run_without_readable_stdin(&[
        "verify",
        "peddler",
        "--secret-env",
        SECRET_VAR,
        "-H",
        "x-webhook-shared-token: cli-test-secret",
    ]);
    assert_exit(&ok, 0);
    assert_eq!((ok.stdout.as_str(), ok.stderr.as_str()), ("verified\n", ""));

    let wrong = run_without_readable_stdin(&[
        "verify",
        "peddler",
        "--secret-env",
        SECRET_VAR,
        "-H",
        "X-Webhook-Shared-Token: guess",
    ]);
    assert_exit(&wrong, 1);
    assert_eq!(
        wrong.stderr,
        "peddler: rejected: token mismatch (a receiver answers 401)\n"
    );

    let missing = run_without_readable_stdin(&["verify", "peddler", "--secret-env", SECRET_VAR]);
    assert_exit(&missing, 1);
    assert_eq!(
        missing.stderr,
        "peddler: rejected: missing header `x-webhook-shared-token` (a receiver answers 401)\n"
    );

    let no_secret = run(&["verify", "peddler", "-H", "x-webhook-shared-token: t"]);
    assert_exit(&no_secret, 2);
    assert_eq!(
        no_secret.stderr,
        "error: peddler needs the shared token: pass --secret-env VAR or --secret-file PATH\n"
    );
}

#[test]
fn verify_xoxoday_checks_the_source_address_and_the_optional_api_key() {
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "xoxoday"];
        args.extend_from_slice(extra);
        run_without_readable_stdin(&args)
    };
    // Straight from Xoxoday's documented address, no key configured.
    let out = verify(&["--peer", "52.76.120.90"]);
    assert_exit(&out, 0);
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str()),
        ("verified\n", "")
    );

    // Through a trusted proxy reporting Xoxoday's address.
    let out = verify(&[
        "--peer",
        "127.0.0.1",
        "--trusted-proxy",
        "10.0.0.0/8",
        "--trusted-proxy",
        "127.0.0.1/32",
        "-H",
        "X-Forwarded-For: 52.76.120.90",
    ]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "verified\n");
    assert_eq!(
        out.stderr,
        "xoxoday: client 52.76.120.90, forwarded by trusted proxy 127.0.0.1\n"
    );

    // Another forwarded source, and a forged header with no trusted proxy: 403.
    let out = verify(&[
        "--peer",
        "127.0.0.1",
        "--trusted-proxy",
        "127.0.0.1",
        "-H",
        "X-Forwarded-For: 203.0.113.9",
    ]);
    assert_exit(&out, 1);
    assert_eq!(
        out.stderr,
        "xoxoday: rejected: untrusted source address 203.0.113.9 (a receiver answers 403)\n"
    );
    let out = verify(&["--peer", "127.0.0.1", "-H", "X-Forwarded-For: 52.76.120.90"]);
    assert_exit(&out, 1);
    assert_eq!(
        out.stderr,
        "xoxoday: rejected: untrusted source address 127.0.0.1 (a receiver answers 403)\n"
    );

    // With a secret, x-api-key is required.
    let key = ["--peer", "52.76.120.90", "--secret-env", SECRET_VAR];
    let out = verify(&[&key[..], &["-H", "x-api-key: cli-test-secret"]].concat());
    assert_exit(&out, 0);
    let out = verify(&[&key[..], &["-H", "x-api-key: guess"]].concat());
    assert_exit(&out, 1);
    assert_eq!(
        out.stderr,
        "xoxoday: rejected: token mismatch (a receiver answers 401)\n"
    );
    let out = verify(&key);
    assert_exit(&out, 1);
    assert_eq!(
        out.stderr,
        "xoxoday: rejected: missing header `x-api-key` (a receiver answers 401)\n"
    );

    // Usage: no peer, a peer that is not an address, a proxy that is not a range.
    let out = verify(&[]);
    assert_exit(&out, 2);
    assert!(
        out.stderr
            .starts_with("error: xoxoday is checked by source address: pass --peer IP"),
        "{}",
        out.stderr
    );
    assert_exit(&verify(&["--peer", "xoxoday.com"]), 2);
    let out = verify(&["--peer", "127.0.0.1", "--trusted-proxy", "10.0.0.0/33"]);
    assert_exit(&out, 2);
    assert!(
        out.stderr.starts_with("error: --trusted-proxy: "),
        "{}",
        out.stderr
    );
}

#[test]
fn verify_url_tokens_of_isendu_and_skladon() {
    let cases = [
        (
            "isendu",
            "/webhooks/isendu?token=cli-test-url-token-5f1c",
            "https://me.example/webhooks/isendu?token=guess",
        ),
        (
            "skladon",
            "https://me.example/webhooks/skladon/cli-test-url-token-5f1c/UPDATE_ORDER_STATUS/123",
            "/webhooks/skladon/guess/UPDATE_ORDER_STATUS",
        ),
    ];
    for (provider, good, bad) in cases {
        let out = run_without_readable_stdin(&[
            "verify",
            provider,
            "--secret-env",
            URL_TOKEN_VAR,
            "--url",
            good,
        ]);
        assert_exit(&out, 0);
        assert_eq!(out.stdout, "verified\n", "{provider}");

        let out = run_without_readable_stdin(&[
            "verify",
            provider,
            "--secret-env",
            URL_TOKEN_VAR,
            "--url",
            bad,
        ]);
        assert_exit(&out, 1);
        assert_eq!(
            out.stderr,
            format!("{provider}: rejected: token mismatch (a receiver answers 401)\n")
        );

        let out = run(&["verify", provider, "--secret-env", URL_TOKEN_VAR]);
        assert_exit(&out, 2);
        assert!(
            out.stderr.starts_with(&format!(
                "error: {provider} is checked by the token in its url: pass --url URL"
            )),
            "{}",
            out.stderr
        );
    }
    // isendu's token is query parameter `token`; Skladon's a path segment.
    let out = run(&[
        "verify",
        "isendu",
        "--secret-env",
        URL_TOKEN_VAR,
        "--url",
        "/webhooks/isendu/cli-test-url-token-5f1c",
    ]);
    assert_exit(&out, 1);
    // A URL token shorter than 16 bytes is refused as configuration (exit 2), not shown.
    for (provider, url) in [
        ("isendu", "/webhooks/isendu?token=cli-test-secret"),
        (
            "skladon",
            "/webhooks/skladon/cli-test-secret/UPDATE_ORDER_STATUS",
        ),
    ] {
        let out = run_without_readable_stdin(&[
            "verify",
            provider,
            "--secret-env",
            SECRET_VAR,
            "--url",
            url,
        ]);
        assert_exit(&out, 2);
        assert_eq!(
            out.stderr,
            format!(
                "error: {provider}: invalid secret: a url token must be at least 16 bytes: choose a long random value\n"
            )
        );
    }
}

#[test]
fn options_of_other_providers_are_usage_errors() {
    let wakilni_body = fixture_path("wakilni", "order_assigned");
    let cases: [(&[&str], &str); 6] = [
        (
            &["verify", "wakilni", &wakilni_body, "--peer", "52.76.120.90"],
            "error: --peer does not apply to wakilni\n",
        ),
        (
            &["verify", "peddler", "--trusted-proxy", "10.0.0.0/8"],
            "error: --trusted-proxy does not apply to peddler\n",
        ),
        (
            &["verify", "skladon", "--url", "/x", "--peer", "127.0.0.1"],
            "error: --peer does not apply to skladon\n",
        ),
        (
            &["verify", "isendu", "--url", "/x", "--peer", "127.0.0.1"],
            "error: --peer does not apply to isendu\n",
        ),
        (
            &["verify", "xoxoday", "--peer", "127.0.0.1", "--url", "/x"],
            "error: --url does not apply to xoxoday\n",
        ),
        (
            &["verify", "peddler", "--url", "/x"],
            "error: --url does not apply to peddler\n",
        ),
    ];
    for (args, expected) in cases {
        let out = run_without_readable_stdin(args);
        assert_exit(&out, 2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert_eq!(out.stderr, expected, "{args:?}");
    }
    // Only Wakilni signs a body: the others' credential covers none, so a FILE is refused.
    for provider in ["peddler", "xoxoday", "isendu", "skladon"] {
        let out = run(&["sign", provider, &wakilni_body, "--secret-env", SECRET_VAR]);
        assert_exit(&out, 2);
        assert_eq!(
            out.stderr,
            format!("error: a FILE does not apply to {provider}\n")
        );
    }
}

// ----- answer isendu -----------------------------------------------------------------------

#[test]
fn answer_isendu_prints_exactly_the_handshake_response() {
    let handshake = fixture_path("isendu", "verification");
    let key = "ak_3f1c2a9e5b7d4e8a";

    // For the fixture's handshake, from a file or standard input.
    let out = run(&[
        "answer",
        "isendu",
        "--key-id",
        key,
        &handshake,
        "--secret-env",
        SECRET_VAR,
    ]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "{\"response\":\"cli-test-secret\"}\n");
    assert_eq!(out.stderr, "");
    let body = std::fs::read(&handshake).unwrap();
    let out = run_with_stdin(
        &[
            "answer",
            "isendu",
            "--key-id",
            key,
            "-",
            "--secret-env",
            SECRET_VAR,
        ],
        Some(&body),
    );
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "{\"response\":\"cli-test-secret\"}\n");

    // Without a body: the answer for --key-id, and standard input is not read.
    let out = run_without_readable_stdin(&[
        "answer",
        "isendu",
        "--key-id",
        "any-key",
        "--secret-env",
        SECRET_VAR,
    ]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "{\"response\":\"cli-test-secret\"}\n");

    // A secret key with JSON's special characters is escaped.
    let secret = scratch_file("isendu-secret", b"se\"cr\\et\n");
    let out = run(&[
        "answer",
        "isendu",
        "--key-id",
        key,
        "--secret-file",
        secret.to_str().unwrap(),
    ]);
    assert_exit(&out, 0);
    assert_eq!(out.stdout, "{\"response\":\"se\\\"cr\\\\et\"}\n");
}

#[test]
fn answer_isendu_reveals_nothing_to_the_wrong_handshake() {
    let args = |body: &str| {
        vec![
            "answer".to_owned(),
            "isendu".to_owned(),
            "--key-id".to_owned(),
            "ak_other_integration".to_owned(),
            body.to_owned(),
            "--secret-env".to_owned(),
            SECRET_VAR.to_owned(),
        ]
    };
    let run_owned = |args: Vec<String>| run(&args.iter().map(String::as_str).collect::<Vec<_>>());

    let out = run_owned(args(&fixture_path("isendu", "verification")));
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "isendu: rejected: token mismatch (a receiver answers 401)\n"
    );

    let out = run_owned(args(&fixture_path("isendu", "update_batch")));
    assert_exit(&out, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "isendu: not a verification request: an update is answered with an empty 200\n"
    );

    let out = run_with_stdin(
        &[
            "answer",
            "isendu",
            "--key-id",
            "k",
            "-",
            "--secret-env",
            SECRET_VAR,
        ],
        Some(b"{}"),
    );
    assert_exit(&out, 1);
    assert!(
        out.stderr.starts_with("isendu: malformed payload at `.`: "),
        "{}",
        out.stderr
    );

    // Usage: no secret, no key id, an empty key id.
    let out = run(&["answer", "isendu", "--key-id", "k"]);
    assert_exit(&out, 2);
    assert_eq!(
        out.stderr,
        "error: isendu needs the integration's secret key: pass --secret-env VAR or --secret-file PATH\n"
    );
    assert_exit(&run(&["answer", "isendu", "--secret-env", SECRET_VAR]), 2);
    let out = run(&[
        "answer",
        "isendu",
        "--key-id",
        "",
        "--secret-env",
        SECRET_VAR,
    ]);
    assert_exit(&out, 2);
    assert_eq!(out.stderr, "error: isendu: --key-id is empty\n");
}

#[test]
fn a_directory_as_standard_input_fails_commands_that_read_it() {
    // The premise of `run_without_readable_stdin`: reading such a stdin is an error.
    let out = run_without_readable_stdin(&["parse", "peddler"]);
    assert_exit(&out, 2);
    assert!(
        out.stderr
            .starts_with("error: cannot read standard input: "),
        "{}",
        out.stderr
    );
}

// ----- credentials off the command line ------------------------------------------------------

/// Runs the binary with `envs` set and `stdin` piped in.
fn run_env(args: &[&str], envs: &[(&str, &str)], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("DW_CLI_UNSET_VAR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Err(e) = pipe.write_all(stdin) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    finish(child.wait_with_output().unwrap())
}

/// Every credential-carrying value (`--header` values, `--url`, `--key-id`) can come from the
/// environment (`env:VAR`), a file (`@PATH`) or standard input (`-`), and headers from
/// `--header-file`; the command line then holds no credential.
#[test]
fn credentials_come_from_the_environment_a_file_or_standard_input() {
    let token = "pdlr-cli-token-3f9a7c";
    let envs = [("DW_TOKEN", token), (SECRET_VAR, token)];
    let token_file = scratch_file("peddler-token", format!("{token}\n").as_bytes());
    let token_at = format!("@{}", token_file.display());
    let headers_file = scratch_file(
        "peddler-headers",
        format!(
            "# captured\n\nContent-Type: application/json\nX-Webhook-Shared-Token: {token}\r\n"
        )
        .as_bytes(),
    );
    let headers_path = headers_file.to_str().unwrap();
    let verify = ["verify", "peddler", "--secret-env", SECRET_VAR];
    let with = |extra: &[&str], stdin: &[u8]| {
        let args: Vec<&str> = verify.iter().chain(extra).copied().collect();
        run_env(&args, &envs, stdin)
    };
    let header = |value: &str| format!("X-Webhook-Shared-Token: {value}");
    for (extra, stdin) in [
        (
            vec!["--header".to_owned(), header("env:DW_TOKEN")],
            &b""[..],
        ),
        (vec!["--header".to_owned(), header(&token_at)], b""),
        (
            vec!["--header".to_owned(), header("-")],
            format!("{token}\n").as_bytes(),
        ),
        (
            vec!["--header-file".to_owned(), headers_path.to_owned()],
            b"",
        ),
        (
            vec!["--header-file".to_owned(), "-".to_owned()],
            &std::fs::read(&headers_file).unwrap(),
        ),
    ] {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = with(&extra, stdin);
        assert_exit(&out, 0);
        assert_eq!(out.stdout, "verified\n", "{extra:?}");
    }
    // A wrong value read from the environment is a mismatch, as any other.
    let out = run_env(
        &[
            &verify[..],
            &["--header", "X-Webhook-Shared-Token: env:DW_OTHER"],
        ]
        .concat(),
        &[("DW_OTHER", "pdlr-guessed-token"), (SECRET_VAR, token)],
        b"",
    );
    assert_exit(&out, 1);

    // --url and --key-id the same way.
    let url = "/webhooks/skladon/cli-test-url-token-5f1c/UPDATE_ORDER_STATUS";
    let url_file = scratch_file("skladon-url", format!("{url}\n").as_bytes());
    let url_at = format!("@{}", url_file.display());
    let url_envs = [("DW_URL", url), (URL_TOKEN_VAR, URL_TOKEN)];
    for (source, stdin) in [
        ("env:DW_URL", &b""[..]),
        (url_at.as_str(), b""),
        ("-", url.as_bytes()),
    ] {
        let out = run_env(
            &[
                "verify",
                "skladon",
                "--secret-env",
                URL_TOKEN_VAR,
                "--url",
                source,
            ],
            &url_envs,
            stdin,
        );
        assert_exit(&out, 0);
        assert_eq!(out.stdout, "verified\n", "{source}");
    }
    let key_file = scratch_file("isendu-key-id", b"ak_3f1c2a9e5b7d4e8a\n");
    let key_at = format!("@{}", key_file.display());
    for source in ["env:DW_KEY_ID", key_at.as_str()] {
        let out = run_env(
            &[
                "answer",
                "isendu",
                "--key-id",
                source,
                "--secret-env",
                SECRET_VAR,
            ],
            &[
                ("DW_KEY_ID", "ak_3f1c2a9e5b7d4e8a"),
                (SECRET_VAR, "sk_live_0123456789"),
            ],
            b"",
        );
        assert_exit(&out, 0);
        assert_eq!(
            out.stdout, "{\"response\":\"sk_live_0123456789\"}\n",
            "{source}"
        );
    }
}

/// Reading a credential from elsewhere fails clearly, never showing the value: an unset
/// variable, an unreadable file, a bad header file line, and standard input asked for twice.
#[test]
fn credential_sources_fail_as_usage_errors() {
    let envs = [(SECRET_VAR, SECRET), ("DW_VALUE", "s3cr3t-value-in-env")];
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "verify",
                "peddler",
                "--secret-env",
                SECRET_VAR,
                "-H",
                "X-Webhook-Shared-Token: env:DW_CLI_UNSET_VAR",
            ],
            "error: --header X-Webhook-Shared-Token: the name after env: is not a set \
             environment variable; give the variable's NAME, e.g. env:WEBHOOK_TOKEN (the name \
             given is not shown here: it may be the credential itself)\n",
        ),
        (
            &[
                "verify",
                "skladon",
                "--secret-env",
                SECRET_VAR,
                "--url",
                "@/nonexistent/dw-url",
            ],
            "error: --url: cannot read the file given as @PATH (",
        ),
        (
            &[
                "verify",
                "peddler",
                "--secret-env",
                SECRET_VAR,
                "--header-file",
                "/nonexistent/dw-h",
            ],
            "error: --header-file: cannot read the file (",
        ),
        (
            &[
                "verify",
                "peddler",
                "--secret-env",
                SECRET_VAR,
                "--header-file",
                "-",
            ],
            "error: --header-file: line 2: expected `Name: value`\n",
        ),
        (
            &[
                "verify",
                "wakilni",
                "-",
                "--secret-env",
                SECRET_VAR,
                "-H",
                "X-Webhook-Signature: -",
            ],
            "error: the body and --header X-Webhook-Signature both ask for standard input (`-`)",
        ),
        (
            &[
                "answer",
                "isendu",
                "--key-id",
                "-",
                "-",
                "--secret-env",
                SECRET_VAR,
            ],
            "error: the body and --key-id both ask for standard input (`-`)",
        ),
    ];
    for (args, expected) in cases {
        let out = run_env(
            args,
            &envs,
            b"# headers\nX-Webhook-Shared-Token s3cr3t-value-on-stdin\n",
        );
        assert_exit(&out, 2);
        assert!(out.stderr.starts_with(expected), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("s3cr3t-value"), "{}", out.stderr);
        assert_eq!(out.stdout, "");
    }
    // `env:` and `@` need a name; `@@` is a literal `@`.
    let out = run(&["verify", "skladon", "--url", "env:"]);
    assert_exit(&out, 2);
    let out = run_env(
        &[
            "verify",
            "peddler",
            "--secret-env",
            "DW_AT",
            "-H",
            "X-Webhook-Shared-Token: @@at-token-value",
        ],
        &[("DW_AT", "@at-token-value")],
        b"",
    );
    assert_exit(&out, 0);
}

/// The help examples show credentials read from the environment or files, never written out.
#[test]
fn help_examples_keep_credentials_off_the_command_line() {
    let top = run(&["--help"]);
    for needle in ["env:VAR", "@PATH", "--header-file", "standard input"] {
        assert!(top.stdout.contains(needle), "{needle}: {}", top.stdout);
    }
    let verify = run(&["verify", "--help"]);
    for needle in [
        "--header-file <PATH>",
        "X-Webhook-Shared-Token: env:PEDDLER_WEBHOOK_TOKEN",
        "--url @",
    ] {
        assert!(
            verify.stdout.contains(needle),
            "{needle}: {}",
            verify.stdout
        );
    }
    assert!(!verify.stdout.contains("your-token"), "{}", verify.stdout);
    let answer = run(&["answer", "--help"]);
    assert!(
        answer
            .stdout
            .contains("--key-id @isendu-key-id.txt handshake.json"),
        "{}",
        answer.stdout
    );
    assert!(
        answer
            .stdout
            .contains("--secret-file isendu-secret-key.txt"),
        "{}",
        answer.stdout
    );
    let send = run(&["send", "--help"]);
    assert!(
        send.stdout.contains("--key-id env:ISENDU_KEY_ID"),
        "{}",
        send.stdout
    );
}

/// Every help text, the top level's and each command's.
fn every_help() -> Vec<(&'static str, Run)> {
    ["", "parse", "verify", "sign", "answer", "send", "schema"]
        .into_iter()
        .map(|command| {
            let args: Vec<&str> = [command, "--help"]
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect();
            let out = run(&args);
            assert_exit(&out, 0);
            (command, out)
        })
        .collect()
}

/// No example writes a secret out (`export VAR='value'`, `VAR=value command`): they read it
/// from a file, or with `read -rs` from a prompt that does not show it.
#[test]
fn help_examples_write_no_secret_literal() {
    for (command, out) in every_help() {
        let text = &out.stdout;
        for line in text.lines() {
            if let Some(rest) = line.trim_start().split("export ").nth(1) {
                assert!(!rest.contains('='), "{command}: {line}");
            }
            // `VAR=value` at the start of a line: only a command's output or a fixture's path.
            if let Some((_, value)) = line
                .split_whitespace()
                .next()
                .and_then(|word| word.split_once('='))
                .filter(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            {
                assert!(
                    value.starts_with("$(") || value.starts_with("fixtures/"),
                    "{command}: {line}"
                );
            }
        }
        // The help itself is plain text: no escape sequence, no carriage return.
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{command}: {text:?}"
        );
        for literal in ["your-secret", "sk_live", "'key-7f3a'", "--secret "] {
            assert!(!text.contains(literal), "{command}: {literal}: {text}");
        }
    }
    let sign = run(&["sign", "--help"]);
    assert!(
        sign.stdout
            .contains("read -rs WAKILNI_WEBHOOK_SECRET; export WAKILNI_WEBHOOK_SECRET"),
        "{}",
        sign.stdout
    );
    let verify = run(&["verify", "--help"]);
    assert!(
        verify.stdout.contains("--secret-file wakilni-secret.txt"),
        "{}",
        verify.stdout
    );
}

/// The help promises what the tool does: `sign` and `answer` print the credential (that is
/// their output), nothing else does; isendu's URL token is required by the library, not
/// optional.
#[test]
fn help_says_which_commands_print_a_credential_and_that_isendu_needs_its_url_token() {
    let helps = every_help();
    let top = &helps[0].1.stdout;
    assert!(!top.contains("are never printed"), "{top}");
    assert!(
        top.contains("`sign` and `answer` print a credential: that is their output"),
        "{top}"
    );
    assert!(top.contains("written as \\u{1b}, \\u{d}"), "{top}");
    let sign = run(&["sign", "--help"]);
    assert!(
        sign.stdout
            .contains("peddler  prints `x-webhook-shared-token: <token>`, the token itself"),
        "{}",
        sign.stdout
    );
    assert!(
        sign.stdout
            .contains("Printing the credential is what `sign` is for"),
        "{}",
        sign.stdout
    );
    for (command, out) in &helps {
        let text = out.stdout.replace('\n', " ");
        assert!(!text.contains("optional token"), "{command}: {text}");
        assert!(!text.contains("optional `x-api-key`"), "{command}: {text}");
    }
    for command in ["parse", "verify", "sign", "send"] {
        let out = run(&[command, "--help"]);
        let text = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(
                "a token in the URL (the library requires one unless the receiver opts out with \
                 `Verifier::without_url_token`)"
            ),
            "{command}: {text}"
        );
        assert!(
            text.contains(
                "an `x-api-key` (the library requires one unless the receiver opts out with \
                 `Verifier::without_api_key`)"
            ),
            "{command}: {text}"
        );
    }
}

/// A credential given where its NAME or PATH was expected (`--secret-env "$TOKEN"`) is never
/// repeated: not in the error, not on stdout. The error says what was expected instead.
#[test]
fn a_credential_options_argument_is_never_echoed() {
    let mistaken = "wk-test-secret";
    let header = "X-Webhook-Shared-Token: placeholder-token-value";
    let env_header = format!(
        "X-Webhook-Shared-Token: env:WkTestSecret{mistaken_name}",
        mistaken_name = "Name"
    );
    let name_expected = "pass the variable's NAME, e.g. --secret-env WAKILNI_WEBHOOK_SECRET";
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        // The issue's case: a value with characters no variable name has.
        (
            vec!["verify", "peddler", "--secret-env", mistaken, "-H", header],
            mistaken,
            name_expected,
        ),
        // A value that could be a name, but names no set variable.
        (
            vec![
                "sign",
                "peddler",
                "--secret-env",
                "WkTestSecretLooksLikeAName",
            ],
            "WkTestSecretLooksLikeAName",
            name_expected,
        ),
        // A value starting with `-` is taken as the argument, not reported as an unknown flag.
        (
            vec!["sign", "peddler", "--secret-env", "-wk-test-secret-dash"],
            "wk-test-secret-dash",
            name_expected,
        ),
        (
            vec!["sign", "peddler", "--secret-file", "wk-test-secret-as-path"],
            "wk-test-secret-as-path",
            "cannot read the file given to --secret-file (",
        ),
        (
            vec![
                "verify",
                "peddler",
                "--secret-env",
                SECRET_VAR,
                "-H",
                &env_header,
            ],
            "WkTestSecretName",
            "give the variable's NAME, e.g. env:WEBHOOK_TOKEN",
        ),
        (
            vec![
                "verify",
                "skladon",
                "--secret-env",
                SECRET_VAR,
                "--url",
                "@wk-test-secret-at",
            ],
            "wk-test-secret-at",
            "--url: cannot read the file given as @PATH (",
        ),
        (
            vec![
                "verify",
                "peddler",
                "--secret-env",
                SECRET_VAR,
                "--header-file",
                "wk-test-secret-hf",
            ],
            "wk-test-secret-hf",
            "--header-file: cannot read the file (",
        ),
        // clap's own errors would quote the value: these options' parsers do not.
        (
            vec![
                "verify",
                "peddler",
                "--secret-env",
                SECRET_VAR,
                "-H",
                "wk-test secret:tail",
            ],
            "wk-test secret",
            "invalid value for --header <NAME: VALUE> (the value is not shown here: it may be \
             the credential itself): the part before `:` is not a header name",
        ),
        (
            vec![
                "verify",
                "skladon",
                "--secret-env",
                SECRET_VAR,
                "--url",
                "env:wk-test-secret-env",
            ],
            "wk-test-secret-env",
            "invalid value for --url <URL> (the value is not shown here: it may be the \
             credential itself): `env:` needs a variable name: env:VAR",
        ),
        (
            vec![
                "answer",
                "isendu",
                "--key-id",
                "env:wk-test-secret-key",
                "--secret-env",
                SECRET_VAR,
            ],
            "wk-test-secret-key",
            "invalid value for --key-id <ID>",
        ),
    ];
    for (args, echo, expected) in cases {
        let out = run(&args);
        assert_exit(&out, 2);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains(echo), "{args:?}: {}", out.stderr);
        assert!(!out.stdout.contains(echo), "{args:?}: {}", out.stdout);
    }
}

/// Payload fields reach the terminal with their control characters escaped: the summary on
/// stderr writes them as `\u{1b}`, the JSON on stdout as JSON escapes.
#[test]
fn parse_prints_untrusted_fields_with_control_characters_escaped() {
    let body = std::fs::read_to_string(fixture_path("peddler", "failed_attempt")).unwrap();
    assert!(body.contains("\"fx6_ZSWp0RDc24csBqOj9\""));
    let body = body.replace(
        "\"fx6_ZSWp0RDc24csBqOj9\"",
        r#""fx6\u001b[31mX\u001b[2J\rverified""#,
    );
    let out = run_with_stdin(&["parse", "peddler", "-"], Some(body.as_bytes()));
    assert_exit(&out, 0);
    assert!(
        out.stderr.starts_with(
            "peddler: FAILED_ATTEMPT, shipment fx6\\u{1b}[31mX\\u{1b}[2J\\u{d}verified, "
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains(r#""fx6\u001b[31mX\u001b[2J\rverified""#),
        "{}",
        out.stdout
    );
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    }
}

/// C1 controls (`\u{9b}` is a CSI on many terminals) and bidirectional overrides in a payload
/// reach stdout as JSON escapes, and stdout stays JSON that reads back to the same text.
#[test]
fn parse_prints_c1_controls_and_bidi_overrides_as_json_escapes() {
    let body = std::fs::read_to_string(fixture_path("peddler", "failed_attempt")).unwrap();
    let body = body.replace("\"fx6_ZSWp0RDc24csBqOj9\"", r#""fx6\u009b2J\u202eevil""#);
    let out = run_with_stdin(&["parse", "peddler", "-"], Some(body.as_bytes()));
    assert_exit(&out, 0);
    assert!(
        out.stdout.contains(r#""fx6\u009b2J\u202eevil""#),
        "{}",
        out.stdout
    );
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        value.to_string().contains("fx6\u{9b}2J\u{202e}evil"),
        "{value}"
    );
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
    }
}
