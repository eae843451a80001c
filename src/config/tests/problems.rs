//! Every problem at once: several bad variables in one error, an empty configuration, a likely
//! misspelling; and where isendu's URL token stands.

use super::*;

#[test]
fn debug_reads_as_the_problems_so_that_main_prints_what_to_set() {
    // `fn main() -> Result<(), Box<dyn Error>>` prints `Error: ` and the error's `Debug`: the
    // README's receiver run for the first time, without its variables.
    let err = from_all(&[("DELIVERY_WEBHOOKS_BODY_LIMIT", "16MiB")]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("DELIVERY_WEBHOOKS_BODY_LIMIT: expected a whole number of bytes above 0\nno provider configured: "),
        "{text}"
    );
    assert_eq!(format!("{err:?}"), text);
    let boxed: Box<dyn std::error::Error> = err.into();
    assert_eq!(format!("{boxed:?}"), text);
}

#[cfg(feature = "wakilni")]
#[test]
fn three_bad_variables_make_one_error_naming_all_three_and_no_value() {
    let vars = [
        ("WAKILNI_WEBHOOK_SECRET", "wk-secret-value-1"),
        ("DELIVERY_WEBHOOKS_BODY_LIMIT", "limit-value-2"),
        ("DELIVERY_WEBHOOKS_LISTEN", "listen-value-3"),
        ("XOXODAY_PROXY_HEADER", "header-value-4"),
    ];
    let err = from_all(&vars).unwrap_err();
    let problems: Vec<(Option<&str>, &str)> = err.problems().collect();
    assert_eq!(
        problems,
        [
            (
                Some("DELIVERY_WEBHOOKS_BODY_LIMIT"),
                "expected a whole number of bytes above 0"
            ),
            (
                Some("DELIVERY_WEBHOOKS_LISTEN"),
                "expected a host and port, such as 127.0.0.1:3000, localhost:3000 or [::]:8080"
            ),
            (
                Some("XOXODAY_PROXY_HEADER"),
                "expected auto, x-forwarded-for or forwarded"
            ),
        ]
    );
    // One line each, in that order.
    let shown = err.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 3, "{shown}");
    assert!(
        lines[0].starts_with("DELIVERY_WEBHOOKS_BODY_LIMIT: "),
        "{shown}"
    );
    assert!(
        lines[1].starts_with("DELIVERY_WEBHOOKS_LISTEN: "),
        "{shown}"
    );
    assert_eq!(
        lines[2],
        "XOXODAY_PROXY_HEADER: expected auto, x-forwarded-for or forwarded"
    );
    let everything = format!("{err} {err:?}");
    for (_, value) in vars {
        assert!(!everything.contains(value), "{value} in {everything}");
    }
}

#[cfg(all_providers)]
#[test]
fn problems_of_several_providers_are_reported_together() {
    let err = from_all(&[
        ("WAKILNI_WEBHOOK_SECRET", " "),
        ("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "pd-old"),
        ("ISENDU_KEY_ID", "ak_1"),
        ("ISENDU_KEY_ID_PREVIOUS", "ak_0"),
        ("SKLADON_URL_TOKEN", "short"),
        ("XOXODAY_ALLOWLIST", "203.0.113.7"),
        ("XOXODAY_TRUSTED_PROXIES", "10.0.0.1"),
    ])
    .unwrap_err();
    let named: Vec<&str> = err.problems().filter_map(|(v, _)| v).collect();
    assert_eq!(
        named,
        [
            "ISENDU_SECRET_KEY",
            "ISENDU_SECRET_KEY_PREVIOUS",
            "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
            "SKLADON_URL_TOKEN",
            "WAKILNI_WEBHOOK_SECRET",
            "XOXODAY_ALLOWLIST",
            "XOXODAY_TRUSTED_PROXIES",
        ]
    );
    assert_eq!(err.len(), 7, "no problem of the whole: {err}");
}

#[test]
fn an_empty_configuration_is_refused_listing_the_variables() {
    let err = from_all(&[]).unwrap_err();
    assert_eq!(err.len(), 1);
    let (variable, reason) = err.problems().next().unwrap();
    assert_eq!(variable, None);
    assert_eq!(
        reason,
        "no provider configured: every request would be answered 404; set \
         WAKILNI_WEBHOOK_SECRET; PEDDLER_WEBHOOK_TOKEN; XOXODAY_ENABLED=1; ISENDU_KEY_ID with \
         ISENDU_SECRET_KEY and ISENDU_URL_TOKEN; SKLADON_URL_TOKEN or SKLADON_WITHOUT_URL_TOKEN=1"
    );
    assert_eq!(err.to_string(), reason);
    // Crate settings alone configure no provider either; the builder refuses the same.
    let err = from_all(&[("DELIVERY_WEBHOOKS_LISTEN", "0.0.0.0:80")]).unwrap_err();
    assert!(
        err.to_string().starts_with("no provider configured"),
        "{err}"
    );
    let err = Config::builder().build().unwrap_err();
    assert!(
        err.to_string().starts_with("no provider configured"),
        "{err}"
    );
    // Nothing to read through `from_vars` either.
    let err = Config::from_vars(|_| None).unwrap_err();
    assert!(
        err.to_string().starts_with("no provider configured"),
        "{err}"
    );
}

#[cfg(feature = "wakilni")]
#[test]
fn a_misspelled_variable_is_named_with_the_one_intended() {
    let err = from_all(&[("WAKILNI_SECRET", "wk-value")]).unwrap_err();
    let problems: Vec<_> = err.problems().collect();
    assert_eq!(
        problems,
        [
            (
                Some("WAKILNI_SECRET"),
                "not a variable delivery-webhooks reads: did you mean WAKILNI_WEBHOOK_SECRET?"
            ),
            (None, problems[1].1),
        ]
    );
    assert!(problems[1].1.starts_with("no provider configured"));
    assert!(!err.to_string().contains("wk-value"));
    // A typing mistake beside a working configuration: still refused, alone.
    let cases = [
        ("SKLADON_URL_TOKNE_PREVIOUS", "SKLADON_URL_TOKEN_PREVIOUS"),
        ("PEDDLER_TOKEN", "PEDDLER_WEBHOOK_TOKEN"),
        ("XOXODAY_ALLOW_LIST", "XOXODAY_ALLOWLIST"),
        ("ISENDU_TOKEN", "ISENDU_URL_TOKEN"),
        ("DELIVERY_WEBHOOKS_LISTEN_ADDR", "DELIVERY_WEBHOOKS_LISTEN"),
        (
            "DELIVERY_WEBHOOKS_BODY_TIMEOUT",
            "DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS",
        ),
    ];
    for (typed, meant) in cases {
        let err = from(&[("WAKILNI_WEBHOOK_SECRET", "wk"), (typed, "x")]).unwrap_err();
        assert_eq!(err.variable(), Some(typed));
        assert!(
            err.reason().ends_with(&format!("did you mean {meant}?")),
            "{err}"
        );
    }
    // A service's own variables, under a provider's prefix or none, are left alone.
    from(&[
        ("WAKILNI_WEBHOOK_SECRET", "wk"),
        ("SKLADON_API_KEY", "x"),
        ("PEDDLER_API_BASE_URL", "x"),
        ("DELIVERY_WEBHOOKS_TEST_POSTGRES_URL", "x"),
        ("DATABASE_URL", "x"),
        ("HOME", "x"),
    ])
    .unwrap();
}

/// A provider configured but compiled out mounts nothing: named, with its cargo feature.
#[cfg(not(all_providers))]
#[test]
fn a_provider_compiled_out_is_named_when_nothing_else_is_configured() {
    /// Whether the provider is compiled in, its feature, the variables that configure it.
    type Provider<'a> = (bool, &'a str, &'a [(&'a str, &'a str)]);
    let providers: [Provider<'_>; 5] = [
        (
            cfg!(feature = "wakilni"),
            "wakilni",
            &[("WAKILNI_WEBHOOK_SECRET", "wk")],
        ),
        (
            cfg!(feature = "peddler"),
            "peddler",
            &[("PEDDLER_WEBHOOK_TOKEN", "pd")],
        ),
        (
            cfg!(feature = "xoxoday"),
            "xoxoday",
            &[("XOXODAY_ENABLED", "1")],
        ),
        (
            cfg!(feature = "isendu"),
            "isendu",
            &[
                ("ISENDU_KEY_ID", "ak_1"),
                ("ISENDU_SECRET_KEY", "sk-1"),
                ("ISENDU_WITHOUT_URL_TOKEN", "1"),
            ],
        ),
        (
            cfg!(feature = "skladon"),
            "skladon",
            &[("SKLADON_WITHOUT_URL_TOKEN", "1")],
        ),
    ];
    let (_, feature, vars) = providers
        .into_iter()
        .find(|(compiled, _, _)| !compiled)
        .expect("not every provider is compiled in");
    let err = from(vars).unwrap_err();
    assert_eq!(err.variable(), None, "{err}");
    assert!(err.reason().starts_with("no provider configured"), "{err}");
    assert!(
        err.reason().ends_with(&format!(
            "(configured, but built without its cargo feature: {feature})"
        )),
        "{err}"
    );
}

#[cfg(feature = "isendu")]
#[test]
fn where_isendus_url_token_stands_is_set_from_the_environment() {
    use crate::request::Request;
    let pair = [
        ("ISENDU_KEY_ID", "ak_1"),
        ("ISENDU_SECRET_KEY", "sk-1"),
        ("ISENDU_URL_TOKEN", "is-token-5f1c9a7e2b"),
    ];
    let accepts = |config: &Config, url: &str| {
        let no_headers: [(&str, &str); 0] = [];
        let head = Request::new(&no_headers, b"").uri(url);
        config.isendu.as_ref().unwrap().verify_head(&head).is_ok()
    };
    let with = |extra: &[(&'static str, &'static str)]| [pair.as_slice(), extra].concat();
    // The default: query parameter `token`.
    let config = from(&pair).unwrap();
    assert!(accepts(
        &config,
        "/webhooks/isendu?token=is-token-5f1c9a7e2b"
    ));
    // Another parameter.
    let config = from(&with(&[("ISENDU_URL_TOKEN_PARAM", "k")])).unwrap();
    assert!(accepts(&config, "/webhooks/isendu?k=is-token-5f1c9a7e2b"));
    assert!(!accepts(
        &config,
        "/webhooks/isendu?token=is-token-5f1c9a7e2b"
    ));
    // A path segment.
    let config = from(&with(&[("ISENDU_URL_TOKEN_IN", "path")])).unwrap();
    assert!(accepts(&config, "/webhooks/isendu/is-token-5f1c9a7e2b"));
    assert!(!accepts(
        &config,
        "/webhooks/isendu?token=is-token-5f1c9a7e2b"
    ));
    // The builder says the same.
    let built = Config::builder()
        .isendu_key("ak_1", "sk-1")
        .isendu_url_token("is-token-5f1c9a7e2b")
        .isendu_url_token_in_path()
        .build()
        .unwrap();
    assert!(accepts(&built, "/in/is-token-5f1c9a7e2b/webhooks/isendu"));
    // Mistakes, each by name.
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("ISENDU_URL_TOKEN_IN", "header")], "ISENDU_URL_TOKEN_IN"),
        (
            &[("ISENDU_URL_TOKEN_PARAM", "a&b")],
            "ISENDU_URL_TOKEN_PARAM",
        ),
        (
            &[
                ("ISENDU_URL_TOKEN_IN", "path"),
                ("ISENDU_URL_TOKEN_PARAM", "k"),
            ],
            "ISENDU_URL_TOKEN_PARAM",
        ),
        (&[("ISENDU_URL_TOKEN_PARAM", " ")], "ISENDU_URL_TOKEN_PARAM"),
    ];
    for (extra, variable) in cases {
        let err = from(&with(extra)).unwrap_err();
        assert_eq!(err.variable(), Some(variable), "{extra:?}: {err}");
    }
    let alone = [
        ("ISENDU_KEY_ID", "ak_1"),
        ("ISENDU_SECRET_KEY", "sk-1"),
        ("ISENDU_WITHOUT_URL_TOKEN", "1"),
        ("ISENDU_URL_TOKEN_IN", "path"),
    ];
    let err = from(&alone).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ISENDU_URL_TOKEN_IN: set without ISENDU_URL_TOKEN"
    );
}
