//! Peak heap while parsing, measured, for the body shapes that cost the most memory per byte
//! (issue 15, finding 2). Where a provider's credential is optional (isendu without a URL token,
//! Skladon `without_token`), anyone who can reach the endpoint chooses the body, so the bound
//! must hold for every shape, not only for genuine deliveries:
//!
//! **peak heap while parsing ≤ 16 × body + 4 MiB**, whatever the body.
//!
//! `allocation-counter` installs a counting global allocator (per thread) and reports the most
//! bytes held at any one time. Its `realloc` is allocate, copy, free, so a growing list is
//! counted with its old and new buffers both alive, as a copying allocator holds them.
//! The body itself is built before measuring: only what parsing adds is counted. Bodies are
//! 1 to 4 MiB: every cost measured here is linear in the body, so larger ones show nothing more.
//!
//! A shape may also be refused (its parsed form would cost more than the bound): that answers
//! the request with 400 and costs no more memory than the check itself.
// Some helpers serve only some providers: a build with fewer of them leaves them unused.
#![cfg_attr(
    not(all(
        feature = "wakilni",
        feature = "peddler",
        feature = "xoxoday",
        feature = "isendu",
        feature = "skladon"
    )),
    allow(dead_code, unused_imports, unused_variables)
)]

mod common;

use std::fmt::Write as _;

/// The bound, for a body of `len` bytes.
fn bound(len: usize) -> u64 {
    16 * len as u64 + 4 * 1024 * 1024
}

thread_local! {
    /// The shapes over the bound so far, in this test.
    static OVER: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Fails the test if any shape measured so far on this thread went over the bound.
fn check() {
    let over = OVER.with(|over| std::mem::take(&mut *over.borrow_mut()));
    assert!(over.is_empty(), "over the bound:\n{}", over.join("\n"));
}

/// Roughly this many bytes per body.
const SIZE: usize = 2 * 1024 * 1024;

/// Parses `body` with `parse`, returns whether it was accepted and the peak heap; asserts the
/// bound.
fn peak<T, E: std::fmt::Display>(
    what: &str,
    body: &[u8],
    parse: impl FnOnce(&[u8]) -> Result<T, E>,
) -> (bool, u64) {
    let mut accepted = false;
    let info = allocation_counter::measure(|| {
        let out = parse(body);
        accepted = out.is_ok();
        if let Err(e) = &out {
            assert!(
                !e.to_string().is_empty(),
                "{what}: an error must say something"
            );
        }
        drop(std::hint::black_box(out));
    });
    let limit = bound(body.len());
    let ratio = info.bytes_max as f64 / body.len() as f64;
    eprintln!(
        "{what}: body {} B, peak {} B ({ratio:.1}x), {}",
        body.len(),
        info.bytes_max,
        if accepted { "accepted" } else { "refused" }
    );
    if info.bytes_max > limit {
        OVER.with(|over| {
            over.borrow_mut().push(format!(
                "{what}: peak {} B for a body of {} B ({ratio:.1}x), over 16x + 4 MiB = {limit} B",
                info.bytes_max,
                body.len()
            ))
        });
    }
    (accepted, info.bytes_max)
}

/// `prefix`, then `element` (with `{i}` replaced by a counter) repeated, comma-separated, until
/// the body reaches about `SIZE` bytes, then `suffix`.
fn repeated(prefix: &str, element: &str, suffix: &str) -> Vec<u8> {
    let mut body = String::with_capacity(SIZE + 64);
    body.push_str(prefix);
    let mut i = 0u64;
    while body.len() < SIZE {
        if i > 0 {
            body.push(',');
        }
        if element.contains("{i}") {
            body.push_str(&element.replace("{i}", &i.to_string()));
        } else {
            body.push_str(element);
        }
        i += 1;
    }
    body.push_str(suffix);
    body.into_bytes()
}

/// One JSON string of about `SIZE` bytes.
fn huge_string() -> String {
    let mut s = String::with_capacity(SIZE + 2);
    s.push('"');
    while s.len() < SIZE {
        s.push_str("abcdefghijklmnopqrstuvwxyz0123456789");
    }
    s.push('"');
    s
}

/// One JSON string of about `SIZE` bytes made only of escapes (serde_json unescapes them into
/// its scratch buffer when it keeps the text).
fn huge_escaped_string() -> String {
    let mut s = String::with_capacity(SIZE + 2);
    s.push('"');
    while s.len() < SIZE {
        s.push_str(r"\u00e9\n");
    }
    s.push('"');
    s
}

/// A JSON array of about `SIZE` bytes of zeros.
fn huge_array() -> String {
    let mut s = String::with_capacity(SIZE + 2);
    s.push('[');
    while s.len() < SIZE {
        s.push_str("0,");
    }
    s.push_str("0]");
    s
}

#[cfg(feature = "isendu")]
#[test]
fn isendu_worst_shapes() {
    use delivery_webhooks::isendu;
    let parse = |b: &[u8]| isendu::parse(b);
    peak(
        "isendu, empty orders",
        &repeated(r#"{"order":["#, r#"{"uuid":""}"#, "]}"),
        parse,
    );
    peak(
        "isendu, empty trackings",
        &repeated(r#"{"tracking":["#, r#"{"uuid":""}"#, "]}"),
        parse,
    );
    peak(
        "isendu, empty steps",
        &repeated(r#"{"tracking":[{"uuid":"t","steps":["#, "{}", "]}]}"),
        parse,
    );
    peak(
        "isendu, steps with empty errors",
        &repeated(
            r#"{"tracking":[{"uuid":"t","steps":["#,
            r#"{"error":{}}"#,
            "]}]}",
        ),
        parse,
    );
    peak(
        "isendu, empty items",
        &repeated(r#"{"order":[{"uuid":"o","items":["#, "{}", "]}]}"),
        parse,
    );
    peak(
        "isendu, empty tracking information",
        &repeated(
            r#"{"order":[{"uuid":"o","trackingInformation":["#,
            "{}",
            "]}]}",
        ),
        parse,
    );
    peak(
        "isendu, orders with empty shipping information",
        &repeated(
            r#"{"order":["#,
            r#"{"uuid":"","shippingInformation":{},"error":{}}"#,
            "]}",
        ),
        parse,
    );
    for (what, value) in [
        ("a huge unknown string", huge_string()),
        ("a huge escaped unknown string", huge_escaped_string()),
        ("a huge unknown array", huge_array()),
    ] {
        let body = format!(r#"{{"order":[{{"uuid":"o-1","storeName":{value}}}]}}"#);
        peak(&format!("isendu order, {what}"), body.as_bytes(), parse);
    }
    peak(
        "isendu order, many small unknown fields",
        &repeated(r#"{"order":[{"uuid":"o","#, r#""x{i}":0"#, "}]}"),
        parse,
    );
    peak(
        "isendu order, a huge customer note",
        format!(
            r#"{{"order":[{{"uuid":"o-1","customerNote":{}}}]}}"#,
            huge_escaped_string()
        )
        .as_bytes(),
        parse,
    );
    peak(
        "isendu, a huge unknown top-level field",
        format!(r#"{{"tracking":[],"batch":{}}}"#, huge_array()).as_bytes(),
        parse,
    );
    check();
}

#[cfg(feature = "skladon")]
#[test]
fn skladon_worst_shapes() {
    use delivery_webhooks::skladon::EntityKind;
    let receiving = |b: &[u8]| crate::common::parse_kind(EntityKind::Receiving, b);
    peak(
        "Skladon receiving, empty product lines",
        &repeated(
            r#"{"eshopReceivingId":"R","products":["#,
            r#"{"sku":""}"#,
            "]}",
        ),
        receiving,
    );
    peak(
        "Skladon receiving, product lines, by parse_any",
        &repeated(
            r#"{"eshopReceivingId":"R","products":["#,
            r#"{"sku":""}"#,
            "]}",
        ),
        |b: &[u8]| crate::common::parse_any(b),
    );
    let ret = |b: &[u8]| crate::common::parse_kind(EntityKind::Return, b);
    peak(
        "Skladon return, empty files",
        &repeated(r#"{"eshopReturnId":"R","files":["#, "{}", "]}"),
        ret,
    );
    peak(
        "Skladon return, empty returned lines",
        &repeated(
            r#"{"eshopReturnId":"R","returnedOrderProducts":["#,
            r#"{"sku":""}"#,
            "]}",
        ),
        ret,
    );
    let order = |b: &[u8]| crate::common::parse_kind(EntityKind::Order, b);
    for (what, value) in [
        ("a huge unknown string", huge_string()),
        ("a huge escaped unknown string", huge_escaped_string()),
        ("a huge unknown array", huge_array()),
    ] {
        let body = format!(r#"{{"eshopOrderId":"1","cashOnDelivery":{value}}}"#);
        peak(&format!("Skladon order, {what}"), body.as_bytes(), order);
        peak(
            &format!("Skladon order, {what}, by parse_any"),
            body.as_bytes(),
            |b: &[u8]| crate::common::parse_any(b),
        );
    }
    peak(
        "Skladon order, many small unknown fields",
        &repeated(r#"{"eshopOrderId":"1","#, r#""x{i}":0"#, "}"),
        order,
    );
    peak(
        "Skladon order, many tracking numbers",
        &repeated(r#"{"eshopOrderId":"1","trackingNumbers":["#, r#""""#, "]}"),
        order,
    );
    check();
}

#[cfg(feature = "wakilni")]
#[test]
fn wakilni_worst_shapes() {
    use delivery_webhooks::wakilni;
    for (what, value) in [
        ("a huge string", huge_string()),
        ("a huge array", huge_array()),
    ] {
        let body = format!(
            r#"{{"event_id":"e1","event":"Order Returned","timestamp":"2024-11-14 14:39:13","data":{value}}}"#
        );
        peak(
            &format!("Wakilni unknown event, {what}"),
            body.as_bytes(),
            |b: &[u8]| wakilni::parse(b),
        );
        let body = format!(
            r#"{{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{{"order_id":1,"waybill":"W","created_at":"2024-11-14 14:39:10","extra":{value}}}}}"#
        );
        peak(
            &format!("Wakilni known event, {what} unknown field"),
            body.as_bytes(),
            |b: &[u8]| wakilni::parse(b),
        );
    }
    check();
}

#[cfg(feature = "peddler")]
#[test]
fn peddler_worst_shapes() {
    use delivery_webhooks::peddler;
    let head = r#"{"id":"s","status":"DELIVERED","code":500,"ts":"2024-09-02T13:08:06Z""#;
    let parse = |b: &[u8]| peddler::parse(b);
    for (what, value) in [
        ("a huge string", huge_string()),
        ("a huge array", huge_array()),
    ] {
        peak(
            &format!("Peddler, {what} unknown field"),
            format!(r#"{head},"extra":{value}}}"#).as_bytes(),
            parse,
        );
        peak(
            &format!("Peddler, {what} as collection point"),
            format!(r#"{head},"details":{{"collectionPoint":{value}}}}}"#).as_bytes(),
            parse,
        );
        peak(
            &format!("Peddler, {what} as delivered at neighbours"),
            format!(r#"{head},"details":{{"deliveredAtNeighbours":{value}}}}}"#).as_bytes(),
            parse,
        );
    }
    peak(
        "Peddler, many empty languages",
        &repeated(
            &format!(r#"{head},"details":{{"lang":{{"#),
            r#""l{i}":{}"#,
            "}}}",
        ),
        parse,
    );
    check();
}

#[cfg(feature = "xoxoday")]
#[test]
fn xoxoday_worst_shapes() {
    use delivery_webhooks::xoxoday;
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/xoxoday/delivered.json"),
    )
    .unwrap();
    let text = String::from_utf8(body).unwrap();
    let open = text.find('{').unwrap();
    for (what, value) in [
        ("a huge string", huge_string()),
        ("a huge array", huge_array()),
    ] {
        let mut body = String::new();
        body.push_str(&text[..=open]);
        write!(body, r#""extra":{value},"#).unwrap();
        body.push_str(&text[open + 1..]);
        peak(
            &format!("Xoxoday, {what} unknown field"),
            body.as_bytes(),
            |b: &[u8]| xoxoday::parse(b),
        );
    }
    check();
}

/// Genuine shapes at size: accepted, and within the bound with room to spare.
#[cfg(all(feature = "isendu", feature = "skladon"))]
#[test]
fn genuine_large_bodies_are_accepted() {
    use delivery_webhooks::isendu;
    use delivery_webhooks::skladon::EntityKind;
    let batch = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/isendu/update_batch.json"),
    )
    .unwrap();
    let batch: serde_json::Value = serde_json::from_slice(&batch).unwrap();
    let one = &batch["tracking"][0];
    let tracking: Vec<_> = (0..4_000).map(|_| one.clone()).collect();
    let order = &batch["order"][0];
    let orders: Vec<_> = (0..1_000).map(|_| order.clone()).collect();
    let body =
        serde_json::to_vec(&serde_json::json!({ "order": orders, "tracking": tracking })).unwrap();
    let (accepted, _) = peak("isendu, a genuine batch", &body, |b: &[u8]| {
        isendu::parse(b)
    });
    assert!(accepted);

    let lines = repeated(
        r#"{"eshopReceivingId":"R-1","status":"received","products":["#,
        r#"{"sku":"SKU-{i}","quantity":1}"#,
        "]}",
    );
    let (accepted, _) = peak("Skladon, a genuine receiving of short lines", &lines, |b| {
        crate::common::parse_kind(EntityKind::Receiving, b)
    });
    assert!(accepted);
    check();
}
