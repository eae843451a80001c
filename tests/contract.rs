//! The receiver contract, checked the same way for all five providers: one generic function over
//! `Receive` drives each provider's verifier with a genuine request, a forged one, a malformed
//! body, an oversized body and duplicate keys, and checks that dedup keys are stable across
//! byte-identical retries and distinct across providers.
#![cfg(all(
    feature = "wakilni",
    feature = "peddler",
    feature = "xoxoday",
    feature = "isendu",
    feature = "skladon"
))]

use std::collections::HashSet;
use std::net::IpAddr;

use delivery_webhooks::{
    AnyDelivery, DedupKey, Delivery, Error, Provider, Receive, Request, UrlToken, isendu, peddler,
    skladon, wakilni, xoxoday,
};

/// Everything a provider puts around a body, owned so a case can be re-sent with another body.
#[derive(Clone)]
struct Call {
    method: &'static str,
    uri: String,
    peer: IpAddr,
    headers: Vec<(String, String)>,
}

impl Call {
    fn request<'a>(&'a self, body: &'a [u8]) -> Request<'a> {
        Request::new(&self.headers, body)
            .method(self.method)
            .uri(&self.uri)
            .peer(self.peer)
    }
}

/// One provider's case: how a genuine call looks, and how a forged one does.
struct Case<R> {
    receiver: R,
    /// A genuine body and the call that carries it (signed for it where the provider signs).
    genuine: (Vec<u8>, Call),
    /// The same body, sent without or with a wrong credential.
    forged: Call,
    /// The expected status of the forged call (401, or 403 for a source check).
    forged_status: u16,
    /// Builds the genuine call for another body (re-signing it where needed).
    call_for: fn(&[u8]) -> Call,
    /// A body that is JSON but not what the provider documents, and the JSON path to blame.
    malformed: (&'static [u8], &'static str),
    /// A body with a duplicate key, and the key.
    duplicate: (&'static [u8], &'static str),
}

/// The one generic check: written once, run for every provider.
fn check<R: Receive>(case: &Case<R>) -> DedupKey
where
    Delivery<R::Payload>: Into<AnyDelivery>,
    R::Payload: serde::Serialize + std::fmt::Debug + PartialEq,
{
    let provider = case.receiver.provider();
    let (body, call) = &case.genuine;

    // Genuine: verified, parsed, answered 200, namespaced key.
    case.receiver.verify(&call.request(body)).unwrap();
    let delivery = case.receiver.receive(&call.request(body)).unwrap();
    assert_eq!(delivery.provider, provider);
    assert_eq!(delivery.dedup_key().provider(), provider);
    assert!(
        delivery
            .dedup_key()
            .as_str()
            .starts_with(&format!("{provider}:")),
        "{}",
        delivery.dedup_key()
    );
    assert_eq!(delivery.reply.status_code(), 200);
    // A byte-identical retry has the same key.
    let retry = case.receiver.receive(&call.request(body)).unwrap();
    assert_eq!(retry.dedup_key(), delivery.dedup_key(), "{provider}");
    assert_eq!(retry.payload, delivery.payload, "{provider}");
    let key = delivery.dedup_key().clone();
    let any: AnyDelivery = delivery.into();
    assert_eq!(any.provider(), provider);
    assert_eq!(any.dedup_key(), &key);
    assert!(!any.payload_json().unwrap().is_empty());

    // Forged: refused with the provider's status, before the body is looked at.
    let err = case
        .receiver
        .receive(&case.forged.request(body))
        .unwrap_err();
    assert_eq!(err.status_code(), case.forged_status, "{provider}: {err}");
    assert!(err.is_authentication_failure(), "{provider}: {err}");
    let err = case
        .receiver
        .receive(&case.forged.request(b"not json"))
        .unwrap_err();
    assert_eq!(err.status_code(), case.forged_status, "{provider}: {err}");

    // Malformed and duplicate keys: 400, naming the JSON path.
    for ((bad, what), kind) in [(case.malformed, "malformed"), (case.duplicate, "duplicate")] {
        let call = (case.call_for)(bad);
        let err = case.receiver.receive(&call.request(bad)).unwrap_err();
        assert_eq!(err.status_code(), 400, "{provider} {kind}: {err}");
        let Error::Payload(p) = &err else {
            panic!("{provider} {kind}: {err:?}")
        };
        assert!(
            p.path().contains(what) || p.message().contains(what),
            "{provider} {kind}: expected `{what}` in {p}"
        );
        if kind == "duplicate" {
            assert!(p.message().contains("duplicate field"), "{provider}: {p}");
        }
    }
    let err = case
        .receiver
        .receive(&(case.call_for)(b"{not json").request(b"{not json"))
        .unwrap_err();
    assert_eq!(err.status_code(), 400, "{provider}: {err}");

    // Oversized: 413 before anything else, even before the credential.
    let limit = case.receiver.body_limit();
    // Each provider's own default, sized from what it sends (docs/security.md).
    let expected = match provider.as_str() {
        "wakilni" | "peddler" | "xoxoday" => 64 * 1024,
        _ => delivery_webhooks::DEFAULT_BODY_LIMIT,
    };
    assert_eq!(limit, expected, "{provider}");
    assert!(limit <= delivery_webhooks::DEFAULT_BODY_LIMIT);
    let huge = vec![b' '; limit + 1];
    for call in [call, &case.forged] {
        let err = case.receiver.receive(&call.request(&huge)).unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { .. }),
            "{provider}: {err:?}"
        );
        assert_eq!(err.status_code(), 413);
        let err = case.receiver.verify(&call.request(&huge)).unwrap_err();
        assert_eq!(err.status_code(), 413);
    }
    key
}

fn call(headers: &[(&str, &str)], uri: &str, peer: &str) -> Call {
    Call {
        method: "POST",
        uri: uri.to_owned(),
        peer: peer.parse().unwrap(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn fixture(provider: &str, name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/{provider}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const ELSEWHERE: &str = "203.0.113.9";
const XOXODAY: &str = "52.76.120.90";

fn wakilni_call(body: &[u8]) -> Call {
    let sig = wakilni::sign("wk-secret", body);
    call(
        &[("x-webhook-signature", &sig), ("x-attempt-number", "3")],
        "/webhooks/wakilni",
        ELSEWHERE,
    )
}

fn peddler_call(_: &[u8]) -> Call {
    call(
        &[("x-webhook-shared-token", "pd-token")],
        "/webhooks/peddler",
        ELSEWHERE,
    )
}

fn xoxoday_call(_: &[u8]) -> Call {
    call(
        &[("x-api-key", "XoxoKey2024abc")],
        "/webhooks/xoxoday",
        XOXODAY,
    )
}

fn isendu_call(_: &[u8]) -> Call {
    call(&[], "/webhooks/isendu?token=is-url-token-5f1c9a", ELSEWHERE)
}

fn skladon_call(_: &[u8]) -> Call {
    call(
        &[],
        "/webhooks/skladon/sk-token-5f1c9a7e2b/UPDATE_ORDER_STATUS",
        ELSEWHERE,
    )
}

fn genuine(provider: &str, name: &str, call_for: fn(&[u8]) -> Call) -> (Vec<u8>, Call) {
    let body = fixture(provider, name);
    let call = call_for(&body);
    (body, call)
}

#[test]
fn every_provider_keeps_the_contract() {
    let keys = [

        check(&Case {
        receiver: wakilni::Verifier::new("wk-secret").unwrap(),
        genuine: genuine("wakilni", "order_assigned", wakilni_call),
        forged: call(
            &[("x-webhook-signature", &wakilni::sign("guess", b"{}"))],
            "/webhooks/wakilni",
            ELSEWHERE,
        ),
        forged_status: 401,
        call_for: wakilni_call,
        malformed: (
            br#"{"event_id":"e1","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{"order_id":"x1","waybill":"W","created_at":"2024-11-14 14:39:13"}}"#,
            "data.order_id",
        ),
        duplicate: (
            br#"{"event_id":"e1","event_id":"e2","event":"Order Created","timestamp":"2024-11-14 14:39:13","data":{}}"#,
            "event_id",
        ),
    }),

        check(&Case {
        receiver: peddler::Verifier::new("pd-token").unwrap(),
        genuine: genuine("peddler", "failed_attempt", peddler_call),
        forged: call(
            &[("x-webhook-shared-token", "guess")],
            "/webhooks/peddler",
            ELSEWHERE,
        ),
        forged_status: 401,
        call_for: peddler_call,
        malformed: (
            br#"{"id":"x","status":"DELIVERED","ts":"2023-06-14T10:54:55Z","code":"soon"}"#,
            "code",
        ),
        duplicate: (
            br#"{"id":"x","status":"DELIVERED","status":"FAILED_ATTEMPT","ts":"2023-06-14T10:54:55Z","code":500}"#,
            "status",
        ),
    }),

        check(&Case {
        receiver: xoxoday::Verifier::new("XoxoKey2024abc").unwrap(),
        genuine: genuine("xoxoday", "delivered", xoxoday_call),
        forged: call(&[("x-api-key", "XoxoKey2024abc")], "/webhooks/xoxoday", ELSEWHERE),
        forged_status: 403,
        call_for: xoxoday_call,
        malformed: (
            br#"{"id":1,"data":{"orderId":[1],"orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"},"createdAt":"2019-12-27 16:45:02"}"#,
            "data.orderId",
        ),
        duplicate: (
            br#"{"id":1,"id":2,"data":{"orderId":1,"orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"},"createdAt":"2019-12-27 16:45:02"}"#,
            "id",
        ),
    }),

        check(&Case {
        receiver: isendu::Verifier::new("ak_3f1c2a9e5b7d4e8a", "sk_live", UrlToken::query("token", "is-url-token-5f1c9a").unwrap())
        .unwrap(),
        genuine: genuine("isendu", "update_batch", isendu_call),
        forged: call(&[], "/webhooks/isendu?token=guess", ELSEWHERE),
        forged_status: 401,
        call_for: isendu_call,
        malformed: (br#"{"tracking":[{"uuid":["t-1"]}]}"#, "tracking[0].uuid"),
        duplicate: (br#"{"tracking":[{"uuid":"t-1","uuid":"t-2"}]}"#, "uuid"),
    }),

        check(&Case {
        receiver: skladon::Verifier::new("sk-token-5f1c9a7e2b").unwrap(),
        genuine: genuine("skladon", "order", skladon_call),
        forged: call(
            &[],
            "/webhooks/skladon/guess/UPDATE_ORDER_STATUS",
            ELSEWHERE,
        ),
        forged_status: 401,
        call_for: skladon_call,
        malformed: (br#"{"eshopOrderId":["x"]}"#, "eshopOrderId"),
        duplicate: (
            br#"{"eshopOrderId":"1","status":"delivered","status":"canceled"}"#,
            "status",
        ),
    }),
    ];

    // Keys of different providers never collide, and each names its provider.
    let providers: HashSet<Provider> = keys.iter().map(DedupKey::provider).collect();
    assert_eq!(providers.len(), 5);
    let unique: HashSet<&DedupKey> = keys.iter().collect();
    assert_eq!(unique.len(), 5);
    // The same id under two providers is two keys.
    assert_ne!(
        DedupKey::new(Provider::Wakilni, "1"),
        DedupKey::new(Provider::Peddler, "1")
    );
}

#[test]
fn attempt_and_replies_where_the_provider_sends_them() {
    let body = fixture("wakilni", "order_created");
    let d = wakilni::Verifier::new("wk-secret")
        .unwrap()
        .receive(&wakilni_call(&body).request(&body))
        .unwrap();
    assert_eq!(d.attempt, Some(3));
    assert_eq!(d.dedup_key().id(), d.payload.event_id);

    // isendu's handshake comes back as the reply, wiped on drop, never in Debug.
    let v = isendu::Verifier::new(
        "ak_3f1c2a9e5b7d4e8a",
        "sk_live_secret",
        UrlToken::query("token", "is-url-token-5f1c9a").unwrap(),
    )
    .unwrap();
    let handshake = fixture("isendu", "verification");
    let d = v
        .receive(&isendu_call(&handshake).request(&handshake))
        .unwrap();
    assert_eq!(d.reply.body(), br#"{"response":"sk_live_secret"}"#);
    assert_eq!(d.reply.content_type(), Some("application/json"));
    assert!(!format!("{d:?}").contains("sk_live_secret"));
    // Every other delivery answers an empty 200.
    let batch = fixture("isendu", "update_batch");
    let d = v.receive(&isendu_call(&batch).request(&batch)).unwrap();
    assert_eq!(
        (
            d.reply.status_code(),
            d.reply.body(),
            d.reply.content_type()
        ),
        (200, &b""[..], None)
    );
}

/// A request without a part the provider needs is the receiver's own mistake: 500, a message
/// naming the setter to call, never the 401 of a forgery and never a credential.
#[test]
fn missing_request_parts_are_the_integrations_fault() {
    fn assert_missing(err: &Error, part: &str, message: &str) {
        assert!(
            matches!(err, Error::MissingRequestPart { part: p } if *p == part),
            "{err:?}"
        );
        assert_eq!((err.status_code(), err.reason()), (500, "config"));
        assert_eq!(err.to_string(), message);
    }
    const PEER: &str = "the receiver did not provide the request's peer address: \
                        pass the TCP peer address with `Request::peer(addr)`";
    const TARGET: &str = "the receiver did not provide the request's request target: \
                          pass the path and query as received with `Request::uri(target)` \
                          (`Request::from_http` sets it)";

    // Xoxoday without a peer address: not a 403 that would blame the sender.
    let body = fixture("xoxoday", "delivered");
    let headers = [("x-api-key", "XoxoKey2024abc")];
    let xoxoday = xoxoday::Verifier::new("XoxoKey2024abc").unwrap();
    let err = xoxoday.receive(&Request::new(&headers, &body)).unwrap_err();
    assert_missing(&err, Error::PEER, PEER);
    let err = xoxoday
        .verify_head(&Request::new(&headers, b""))
        .unwrap_err();
    assert_missing(&err, Error::PEER, PEER);

    // isendu with a URL token but no target: not the 401 `token mismatch` of a forgery.
    let isendu = isendu::Verifier::new(
        "ak_3f1c2a9e5b7d4e8a",
        "sk_live_secret",
        UrlToken::query("token", "is-url-token-5f1c9a").unwrap(),
    )
    .unwrap();
    let body = fixture("isendu", "verification");
    let none: [(&str, &str); 0] = [];
    for err in [
        isendu.receive(&Request::new(&none, &body)).unwrap_err(),
        isendu.verify_head(&Request::new(&none, b"")).unwrap_err(),
    ] {
        assert_missing(&err, Error::TARGET, TARGET);
        assert!(!err.to_string().contains("is-url-token"), "{err}");
    }
    // Without a URL token, isendu needs no target.
    let open =
        isendu::Verifier::without_url_token([("ak_3f1c2a9e5b7d4e8a", "sk_live_secret")]).unwrap();
    let batch = fixture("isendu", "update_batch");
    assert!(open.receive(&Request::new(&none, &batch)).is_ok());

    // Skladon without a target: its token, type and entity id all stand in the path.
    let skladon = skladon::Verifier::new("sk-token-5f1c9a7e2b").unwrap();
    let body = fixture("skladon", "order");
    for err in [
        skladon.receive(&Request::new(&none, &body)).unwrap_err(),
        skladon
            .verify_head(&Request::new(&none, b"").method("GET"))
            .unwrap_err(),
    ] {
        assert_missing(&err, Error::TARGET, TARGET);
    }
    // A target given but the wrong token: still the 401 of a forgery.
    let forged = Request::new(&none, &body).uri("/webhooks/skladon/guess/UPDATE_ORDER_STATUS");
    assert!(matches!(
        skladon.receive(&forged).unwrap_err(),
        Error::TokenMismatch
    ));
}

#[test]
fn every_status_has_an_http_status_code() {
    let cases: Vec<(Error, u16)> = vec![
        (Error::MissingHeader { name: "x" }, 401),
        (Error::SignatureMismatch, 401),
        (Error::TokenMismatch, 401),
        (
            Error::UntrustedSource {
                addr: ELSEWHERE.parse().unwrap(),
            },
            403,
        ),
        (Error::InvalidUrl { reason: "r" }, 404),
        (Error::MethodNotAllowed { method: "POST" }, 405),
        (Error::BodyTooLarge { len: 2, limit: 1 }, 413),
        (Error::from(wakilni::Verifier::new("").unwrap_err()), 500),
        (Error::MissingRequestPart { part: Error::PEER }, 500),
        (Error::ConflictingHeader { name: "x" }, 400),
        (
            Error::InvalidHeader {
                name: "x",
                reason: "r",
            },
            400,
        ),
        (wakilni::parse(b"{").unwrap_err(), 400),
    ];
    for (err, status) in cases {
        assert_eq!(err.status_code(), status, "{err}");
        #[cfg(feature = "http")]
        assert_eq!(err.http_status().as_u16(), status, "{err}");
    }
}

/// One answer shape for code without an adapter: the exact status, headers and body for a
/// delivery, isendu's handshake and a refusal, and the same as an `http::Response`.
#[test]
fn answers_for_a_delivery_a_handshake_and_a_failure() {
    use delivery_webhooks::{Answer, Problem};

    // A delivery: an empty 200, no header.
    let body = fixture("peddler", "failed_attempt");
    let peddler = peddler::Verifier::new("pd-token").unwrap();
    let received = peddler.receive(&peddler_call(&body).request(&body));
    let answer = Answer::from(&received);
    assert_eq!(answer.status_code(), 200);
    assert!(answer.headers().is_empty(), "{answer:?}");
    assert_eq!(answer.body(), b"");
    assert_eq!(Answer::from(received), answer);

    // isendu's handshake: the secret key as JSON, not to be cached, and never in Debug.
    let isendu = isendu::Verifier::new(
        "ak_3f1c2a9e5b7d4e8a",
        "sk_live_secret",
        UrlToken::query("token", "is-url-token-5f1c9a").unwrap(),
    )
    .unwrap();
    let handshake = fixture("isendu", "verification");
    let answer = Answer::from(isendu.receive(&isendu_call(&handshake).request(&handshake)));
    assert_eq!(answer.status_code(), 200);
    assert_eq!(
        answer.headers(),
        &[
            ("content-type", "application/json".to_owned()),
            ("cache-control", "no-store".to_owned()),
        ]
    );
    assert_eq!(answer.body(), br#"{"response":"sk_live_secret"}"#);
    assert!(answer.holds_secret());
    assert!(!format!("{answer:?}").contains("sk_live_secret"));

    // A forgery: the problem, as the adapters answer it.
    let forged = call(
        &[("x-webhook-shared-token", "guess")],
        "/webhooks/peddler",
        ELSEWHERE,
    );
    let answer = Answer::from(peddler.receive(&forged.request(&body)));
    assert_eq!(answer.status_code(), 401);
    assert_eq!(
        answer.headers(),
        &[
            ("content-type", "application/problem+json".to_owned()),
            ("x-content-type-options", "nosniff".to_owned()),
        ]
    );
    assert_eq!(
        std::str::from_utf8(answer.body()).unwrap(),
        r#"{"type":"about:blank","title":"Unauthorized","status":401,"detail":"token mismatch"}"#
    );
    assert!(!answer.holds_secret());

    // A problem with `Retry-After` carries it as a header, not in the body.
    let answer = Answer::from_problem(&Problem::new(503, "busy").with_retry_after(30));
    assert_eq!(answer.header("retry-after"), Some("30"));
    assert_eq!(answer.status_code(), 503);

    // With `http`: the same parts in an `http::Response`.
    #[cfg(feature = "http")]
    {
        let response = answer.into_http();
        assert_eq!(response.status(), http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "30");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert_eq!(
            response.body().as_slice(),
            br#"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"busy"}"#
        );
    }
}
