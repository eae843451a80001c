//! Allocations counted, not timed: verification performs none, and parsing performs no more
//! than the owned strings and collections in its result.
//!
//! The counter is per thread, so tests running in parallel do not disturb each other.

/// Runs `f` and returns its result with the number of allocations it made on this thread
/// (`allocation-counter` installs a counting global allocator, per thread).
fn count<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info.count_total)
}

#[test]
fn the_counter_is_active() {
    // A zero-allocation assertion must not pass because nothing is counted.
    let (_, n) = count(|| std::hint::black_box(String::from("x")));
    assert_eq!(n, 1);
}

#[cfg(feature = "wakilni")]
mod wakilni {
    use super::count;
    use delivery_webhooks::wakilni;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../fixtures/wakilni/", $name, ".json")).as_slice()
        };
    }

    #[test]
    fn verification_allocates_nothing() {
        let verifier = wakilni::Verifier::with_secrets(["old", "new"]).unwrap();
        let body = fixture!("order_assigned");
        let sig = wakilni::sign("new", body);
        let headers = [
            ("content-type", "application/json"),
            ("x-webhook-signature", sig.as_str()),
        ];
        let owned: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (ok, n) = count(|| verifier.verify(&headers, body));
        assert!(ok.is_ok());
        assert_eq!(n, 0, "verify allocated");
        let (ok, n) = count(|| verifier.verify(&owned, body));
        assert!(ok.is_ok());
        assert_eq!(n, 0, "verify with owned headers allocated");
        // A rejection does not allocate either.
        let (err, n) = count(|| verifier.verify(&headers, b"{}"));
        assert!(err.is_err());
        assert_eq!(n, 0, "a rejected verify allocated");
    }

    #[test]
    fn parsing_allocates_only_the_owned_strings_of_the_result() {
        // (fixture, owned strings in the result)
        let cases: [(&[u8], u64); 6] = [
            (fixture!("order_created"), 2),               // event_id, waybill
            (fixture!("order_assigned"), 4),              // + driver_name, driver_phone
            (fixture!("order_confirmed"), 2),             // statuses are known: no allocation
            (fixture!("order_ready_for_self_pickup"), 4), // + office_name, phone_number
            (fixture!("order_ready_for_self_pickup_list"), 4),
            (fixture!("quirk_api_status_names"), 2),
        ];
        for (body, owned) in cases {
            let (event, n) = count(|| wakilni::parse(body).unwrap());
            assert_eq!(n, owned, "{}", event.event_name());
        }
    }

    #[test]
    fn an_unknown_event_costs_no_more_than_a_value() {
        let body = fixture!("unknown_event");
        let (_, value) = count(|| serde_json::from_slice::<serde_json::Value>(body).unwrap());
        let (_, typed) = count(|| wakilni::parse(body).unwrap());
        assert!(typed <= value, "typed {typed} > value {value}");
    }
}
