//! `Config` from variables and from the builder: every check names its variable, never the value.

use super::*;
#[cfg(feature = "xoxoday")]
use crate::error::ConfigErrorKind;

fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
}

#[test]
fn nothing_set_is_no_provider_on_the_default_address() {
    let config = from(&[]).unwrap();
    assert!(config.providers().is_empty());
    assert_eq!(config.listen_addr, DEFAULT_LISTEN_ADDR);
}

#[cfg(all_providers)]
#[test]
fn previous_without_current_is_refused() {
    let err = from(&[("SKLADON_URL_TOKEN_PREVIOUS", "old-token-value")]).unwrap_err();
    assert_eq!(err.variable(), Some("SKLADON_URL_TOKEN_PREVIOUS"));
    assert!(!err.to_string().contains("old-token-value"), "{err}");
}

#[cfg(all_providers)]
#[test]
fn short_url_tokens_are_refused_naming_the_variable() {
    let isendu = [
        ("ISENDU_KEY_ID", "key-7f3a"),
        ("ISENDU_SECRET_KEY", "sk-live-1"),
    ];
    let cases: [(Vec<(&str, &str)>, &str); 3] = [
        (
            vec![("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b")],
            "SKLADON_URL_TOKEN",
        ),
        (
            vec![
                ("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b4d"),
                ("SKLADON_URL_TOKEN_PREVIOUS", "old-5f1c9a7e"),
            ],
            "SKLADON_URL_TOKEN_PREVIOUS",
        ),
        (
            [isendu.as_slice(), &[("ISENDU_URL_TOKEN", "u9X2-random")]].concat(),
            "ISENDU_URL_TOKEN",
        ),
    ];
    for (vars, variable) in cases {
        let err = from(&vars).unwrap_err();
        assert_eq!(err.variable(), Some(variable));
        assert_eq!(err.kind(), ConfigErrorKind::InvalidSecret);
        assert_eq!(
            err.to_string(),
            format!(
                "{variable}: invalid secret: a url token must be at least 16 bytes: choose a long \
                 random value"
            )
        );
        assert!(!err.to_string().contains("5f1c9a7e"), "{err}");
        assert!(!err.to_string().contains("u9X2"), "{err}");
    }
    // 16 bytes are enough.
    from(&[("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b4d")]).unwrap();
}

#[cfg(all_providers)]
#[test]
fn short_provider_credentials_work_and_are_flagged() {
    let config = from(&[
        ("PEDDLER_WEBHOOK_TOKEN", "pd-token"),
        ("XOXODAY_ENABLED", "1"),
        ("XOXODAY_API_KEY", "Key4Xoxoday"),
        ("ISENDU_KEY_ID", "key-7f3a"),
        ("ISENDU_SECRET_KEY", "sk-live-1"),
        ("ISENDU_URL_TOKEN", "u9X2-long-random-value"),
        ("SKLADON_URL_TOKEN", "tok-5f1c9a7e2b4d"),
        ("WAKILNI_WEBHOOK_SECRET", "wk"),
    ])
    .unwrap();
    let flagged = |p| config.health.provider(p).short_credential;
    assert!(flagged(Provider::Peddler) && flagged(Provider::Xoxoday));
    assert!(flagged(Provider::Isendu));
    assert!(!flagged(Provider::Skladon) && !flagged(Provider::Wakilni));
    let long = from(&[("PEDDLER_WEBHOOK_TOKEN", "pd-token-5f1c9a7e2b")]).unwrap();
    assert!(long.health.report().providers.is_empty());
}

#[test]
fn bad_listen_addr_names_the_variable_only() {
    let err = from(&[("LISTEN_ADDR", "nowhere-at-all")]).unwrap_err();
    assert_eq!(err.variable(), Some("LISTEN_ADDR"));
    assert!(!err.to_string().contains("nowhere-at-all"));
}

#[cfg(all_providers)]
#[test]
fn every_provider_with_rotation_from_the_variables() {
    let config = from(&[
        ("WAKILNI_WEBHOOK_SECRET", "wk-1"),
        ("WAKILNI_WEBHOOK_SECRET_PREVIOUS", "wk-0"),
        ("PEDDLER_WEBHOOK_TOKEN", "pd-1"),
        ("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "pd-0"),
        ("XOXODAY_ENABLED", "1"),
        ("XOXODAY_API_KEY", "xo-key"),
        ("XOXODAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1,"),
        ("ISENDU_KEY_ID", "ak_1"),
        ("ISENDU_SECRET_KEY", "is-secret"),
        ("ISENDU_URL_TOKEN", "is-token-5f1c9a7e2b"),
        ("SKLADON_URL_TOKEN", "sk-1-5f1c9a7e2b4d"),
        ("SKLADON_URL_TOKEN_PREVIOUS", "sk-0-5f1c9a7e2b4d"),
        ("LISTEN_ADDR", "[::1]:8080"),
    ])
    .unwrap();
    assert_eq!(config.providers(), Provider::ALL.to_vec());
    assert_eq!(config.listen_addr, "[::1]:8080".parse().unwrap());
    #[cfg(feature = "wakilni")]
    {
        use crate::request::Request;
        let wakilni = config.wakilni.as_ref().unwrap();
        for secret in ["wk-1", "wk-0"] {
            let signature = crate::wakilni::sign(secret, b"{}");
            let headers = [("x-webhook-signature", signature.as_str())];
            assert!(wakilni.verify(&Request::new(&headers, b"{}")).is_ok());
        }
    }
    let shown = format!("{config:?}");
    for secret in [
        "wk-1",
        "wk-0",
        "pd-1",
        "xo-key",
        "is-secret",
        "is-token-5f1c9a7e2b",
        "sk-1-5f1c9a7e2b4d",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[cfg(all_providers)]
#[test]
fn errors_name_the_variable_and_never_show_the_value() {
    /// The variables set, the variable the error must name, the value it must not show.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case<'_>] = &[
        (
            &[("WAKILNI_WEBHOOK_SECRET", "   ")],
            "WAKILNI_WEBHOOK_SECRET",
            "   ",
        ),
        (
            &[
                ("WAKILNI_WEBHOOK_SECRET", "wk-value-1"),
                ("WAKILNI_WEBHOOK_SECRET_PREVIOUS", ""),
            ],
            "WAKILNI_WEBHOOK_SECRET_PREVIOUS",
            "wk-value-1",
        ),
        (
            &[("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "pd-value-2")],
            "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
            "pd-value-2",
        ),
        (
            &[("XOXODAY_ENABLED", "yes-value-3")],
            "XOXODAY_ENABLED",
            "yes-value-3",
        ),
        (
            &[("XOXODAY_API_KEY", "xo-value-4")],
            "XOXODAY_API_KEY",
            "xo-value-4",
        ),
        (
            &[
                ("XOXODAY_ENABLED", "1"),
                ("XOXODAY_TRUSTED_PROXIES", "10.0.0.1, proxy-value-5"),
            ],
            "XOXODAY_TRUSTED_PROXIES",
            "proxy-value-5",
        ),
        (
            &[("ISENDU_KEY_ID", "id-value-6")],
            "ISENDU_SECRET_KEY",
            "id-value-6",
        ),
        (
            &[("ISENDU_SECRET_KEY", "sk-value-7")],
            "ISENDU_KEY_ID",
            "sk-value-7",
        ),
        (
            &[("ISENDU_KEY_ID", "ak_1"), ("ISENDU_SECRET_KEY", "\t ")],
            "ISENDU_SECRET_KEY",
            "\t ",
        ),
        (
            &[
                ("ISENDU_KEY_ID", "ak_1"),
                ("ISENDU_SECRET_KEY", "sk-value-10"),
            ],
            "ISENDU_URL_TOKEN",
            "sk-value-10",
        ),
        (
            &[("ISENDU_URL_TOKEN", "tok-value-8")],
            "ISENDU_URL_TOKEN",
            "tok-value-8",
        ),
        (&[("SKLADON_URL_TOKEN", "")], "SKLADON_URL_TOKEN", "\u{0}"),
        (
            &[("LISTEN_ADDR", "addr-value-9")],
            "LISTEN_ADDR",
            "addr-value-9",
        ),
    ];
    for (vars, variable, value) in cases {
        let err = from(vars).unwrap_err();
        assert_eq!(err.variable(), Some(*variable), "{vars:?}: {err}");
        assert!(err.to_string().starts_with(variable), "{err}");
        if !value.trim().is_empty() {
            assert!(!err.to_string().contains(value), "{value} in {err}");
            assert!(!format!("{err:?}").contains(value), "{value} in {err:?}");
        }
    }
}

#[test]
fn builder_debug_shows_no_secret() {
    let b = Config::builder()
        .wakilni_secret("wk-hidden-1")
        .isendu_key("id-hidden-2", "sk-hidden-3")
        .xoxoday_api_key("xo-hidden-4");
    let shown = format!("{b:?}");
    assert!(!shown.contains("hidden"), "{shown}");
}

/// Every credential of every provider, current and previous, as variables.
#[cfg(all_providers)]
const ROTATING: [(&str, &str); 15] = [
    ("WAKILNI_WEBHOOK_SECRET", "wk-new"),
    ("WAKILNI_WEBHOOK_SECRET_PREVIOUS", "wk-old"),
    ("PEDDLER_WEBHOOK_TOKEN", "pd-new-5f1c9a7e2b"),
    ("PEDDLER_WEBHOOK_TOKEN_PREVIOUS", "pd-old-5f1c9a7e2b"),
    ("XOXODAY_ENABLED", "1"),
    ("XOXODAY_API_KEY", "XoNew5f1c9a7e2b"),
    ("XOXODAY_API_KEY_PREVIOUS", "XoOld5f1c9a7e2b"),
    ("ISENDU_KEY_ID", "ak-new"),
    ("ISENDU_SECRET_KEY", "sk-new"),
    ("ISENDU_KEY_ID_PREVIOUS", "ak-old"),
    ("ISENDU_SECRET_KEY_PREVIOUS", "sk-old"),
    ("ISENDU_URL_TOKEN", "is-new-5f1c9a7e2b4d"),
    ("ISENDU_URL_TOKEN_PREVIOUS", "is-old-5f1c9a7e2b4d"),
    ("SKLADON_URL_TOKEN", "sk-new-5f1c9a7e2b4d"),
    ("SKLADON_URL_TOKEN_PREVIOUS", "sk-old-5f1c9a7e2b4d"),
];

/// A request with the previous credential (`old`) and one with the current (`new`) is accepted
/// by every provider, one with neither is refused.
#[cfg(all_providers)]
fn accepts_both_credentials(config: &Config) {
    use crate::isendu::VerificationRequest;
    use crate::request::Request;
    let xoxoday_ip: std::net::IpAddr = "52.76.120.90".parse().unwrap();
    let (wakilni, peddler) = (
        config.wakilni.as_ref().unwrap(),
        config.peddler.as_ref().unwrap(),
    );
    let (xoxoday, isendu) = (
        config.xoxoday.as_ref().unwrap(),
        config.isendu.as_ref().unwrap(),
    );
    let skladon = config.skladon.as_ref().unwrap();
    let no_headers: [(&str, &str); 0] = [];
    for (age, accepted) in [("new", true), ("old", true), ("bad", false)] {
        let signature = crate::wakilni::sign(format!("wk-{age}"), b"{}");
        let headers = [("x-webhook-signature", signature.as_str())];
        assert_eq!(
            wakilni.verify(&Request::new(&headers, b"{}")).is_ok(),
            accepted
        );
        let token = format!("pd-{age}-5f1c9a7e2b");
        let headers = [("x-webhook-shared-token", token.as_str())];
        assert_eq!(
            peddler.verify(&Request::new(&headers, b"{}")).is_ok(),
            accepted
        );
        let key = format!("Xo{}5f1c9a7e2b", age[..1].to_uppercase() + &age[1..]);
        let headers = [("x-api-key", key.as_str())];
        let request = Request::new(&headers, b"{}").peer(xoxoday_ip);
        assert_eq!(xoxoday.verify(&request).is_ok(), accepted, "{key}");
        let url = format!("/webhooks/isendu?token=is-{age}-5f1c9a7e2b4d");
        let head = Request::new(&no_headers, b"").uri(&url);
        assert_eq!(isendu.verify_head(&head).is_ok(), accepted);
        let answer = isendu.answer(&VerificationRequest::new(format!("ak-{age}")));
        assert_eq!(
            answer.ok().map(|a| a.to_string()),
            accepted.then(|| format!(r#"{{"response":"sk-{age}"}}"#))
        );
        let url = format!("/webhooks/skladon/sk-{age}-5f1c9a7e2b4d/UPDATE_ORDER_STATUS");
        let head = Request::new(&no_headers, b"").uri(&url);
        assert_eq!(skladon.verify_head(&head).is_ok(), accepted);
    }
}

#[cfg(all_providers)]
#[test]
fn every_credential_rotates_from_the_environment_and_the_builder() {
    let from_env = from(&ROTATING).unwrap();
    assert_eq!(from_env.providers(), Provider::ALL.to_vec());
    accepts_both_credentials(&from_env);
    let built = Config::builder()
        .wakilni_secret("wk-new")
        .wakilni_previous_secret("wk-old")
        .peddler_token("pd-new-5f1c9a7e2b")
        .peddler_previous_token("pd-old-5f1c9a7e2b")
        .xoxoday_enabled(true)
        .xoxoday_api_key("XoNew5f1c9a7e2b")
        .xoxoday_previous_api_key("XoOld5f1c9a7e2b")
        .isendu_key("ak-new", "sk-new")
        .isendu_previous_key("ak-old", "sk-old")
        .isendu_url_token("is-new-5f1c9a7e2b4d")
        .isendu_previous_url_token("is-old-5f1c9a7e2b4d")
        .skladon_token("sk-new-5f1c9a7e2b4d")
        .skladon_previous_token("sk-old-5f1c9a7e2b4d")
        .build()
        .unwrap();
    accepts_both_credentials(&built);
    let shown = format!("{built:?}");
    for (_, value) in ROTATING.iter().filter(|(_, v)| v.len() > 1) {
        assert!(!shown.contains(value), "{value} in {shown}");
    }
}

#[cfg(all_providers)]
#[test]
fn every_previous_without_its_current_is_refused_by_name() {
    for variable in builder::CREDENTIALS {
        // Alone (the other half of an isendu pair set with it, so only the pairing is wrong).
        let mut vars: Vec<(&str, &str)> = ROTATING
            .iter()
            .copied()
            .filter(|(name, _)| *name != variable.current)
            .collect();
        let err = from(&vars).unwrap_err();
        assert_eq!(err.variable(), Some(variable.previous), "{err}");
        assert_eq!(err.reason(), format!("set without {}", variable.current));
        assert!(!err.to_string().contains("-old"), "{err}");
        // Blank beside its current value.
        vars.push((variable.current, "a-current-value-5f1c9a7e"));
        let blank = vars
            .iter_mut()
            .find(|(n, _)| *n == variable.previous)
            .unwrap();
        blank.1 = " ";
        let err = from(&vars).unwrap_err();
        assert_eq!(err.variable(), Some(variable.previous), "{err}");
        assert_eq!(err.reason(), "empty secret");
    }
}

#[cfg(all_providers)]
#[test]
fn half_a_previous_isendu_key_pair_is_refused_by_name() {
    let without = |name: &str| -> Vec<(&str, &str)> {
        ROTATING
            .iter()
            .copied()
            .filter(|(n, _)| *n != name)
            .collect()
    };
    let err = from(&without("ISENDU_SECRET_KEY_PREVIOUS")).unwrap_err();
    assert_eq!(err.variable(), Some("ISENDU_SECRET_KEY_PREVIOUS"));
    assert!(
        err.reason()
            .starts_with("unset while ISENDU_KEY_ID_PREVIOUS is set")
    );
    let err = from(&without("ISENDU_KEY_ID_PREVIOUS")).unwrap_err();
    assert_eq!(err.variable(), Some("ISENDU_KEY_ID_PREVIOUS"));
    assert_eq!(
        err.reason(),
        "unset while ISENDU_SECRET_KEY_PREVIOUS is set"
    );
    for err in [
        from(&without("ISENDU_SECRET_KEY_PREVIOUS")).unwrap_err(),
        from(&without("ISENDU_KEY_ID_PREVIOUS")).unwrap_err(),
    ] {
        assert!(!format!("{err} {err:?}").contains("-old"), "{err}");
    }
}

#[cfg(all_providers)]
#[test]
fn a_bad_previous_value_is_named_not_its_current_one() {
    let with = |name: &str, value: &'static str| -> Vec<(&'static str, &'static str)> {
        let mut vars = ROTATING.to_vec();
        vars.iter_mut().find(|(n, _)| *n == name).unwrap().1 = value;
        vars
    };
    let cases = [
        // Surrounding whitespace: a header value arrives trimmed, so it could never match.
        (
            "PEDDLER_WEBHOOK_TOKEN_PREVIOUS",
            " pd-old-5f1c9a7e2b",
            "surrounding whitespace",
        ),
        (
            "XOXODAY_API_KEY_PREVIOUS",
            "XoOld5f1c9a7e2b\t",
            "surrounding whitespace",
        ),
        (
            "ISENDU_URL_TOKEN_PREVIOUS",
            "is-old-5f1c",
            "at least 16 bytes",
        ),
        (
            "SKLADON_URL_TOKEN_PREVIOUS",
            "sk-old-5f1c",
            "at least 16 bytes",
        ),
    ];
    for (name, value, reason) in cases {
        let err = from(&with(name, value)).unwrap_err();
        assert_eq!(err.variable(), Some(name), "{err}");
        assert!(err.reason().contains(reason), "{err}");
        assert!(!format!("{err} {err:?}").contains(value.trim()), "{err}");
    }
}

/// The body limit and timeout of every configured verifier.
#[cfg(all_providers)]
fn limits(config: &Config) -> Vec<(usize, std::time::Duration)> {
    use crate::delivery::Receive;
    fn of(r: &impl Receive) -> (usize, std::time::Duration) {
        (r.body_limit(), r.body_timeout())
    }
    vec![
        of(config.wakilni.as_ref().unwrap()),
        of(config.peddler.as_ref().unwrap()),
        of(config.xoxoday.as_ref().unwrap()),
        of(config.isendu.as_ref().unwrap()),
        of(config.skladon.as_ref().unwrap()),
    ]
}

/// What the settings below change, checked on a config built from them.
#[cfg(all_providers)]
fn has_every_verifier_setting(config: &Config) {
    use crate::request::Request;
    let expected = (4096, std::time::Duration::from_secs(7));
    assert_eq!(limits(config), vec![expected; 5]);
    let no_headers: [(&str, &str); 0] = [];
    let skladon = config.skladon.as_ref().unwrap();
    let under = |path: &str| {
        let url = format!("{path}/sk-new-5f1c9a7e2b4d/UPDATE_ORDER_STATUS");
        skladon
            .verify_head(&Request::new(&no_headers, b"").uri(&url))
            .is_ok()
    };
    assert!(under("/api/webhooks/skladon"));
    assert!(!under("/webhooks/skladon"));
    let xoxoday = config.xoxoday.as_ref().unwrap();
    let from = |peer: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("x-api-key", "XoNew5f1c9a7e2b")];
        all.extend_from_slice(headers);
        let request = Request::new(&all, b"{}").peer(peer.parse::<std::net::IpAddr>().unwrap());
        xoxoday.verify(&request).is_ok()
    };
    assert!(from("203.0.113.7", &[]));
    assert!(
        !from("52.76.120.90", &[]),
        "the allowlist replaces the default"
    );
    assert!(from("10.0.0.1", &[("forwarded", "for=203.0.113.7")]));
    assert!(
        !from("10.0.0.1", &[("x-forwarded-for", "203.0.113.7")]),
        "only `Forwarded` is read"
    );
}

#[cfg(all_providers)]
#[test]
fn every_verifier_setting_is_reachable_from_the_environment_and_the_builder() {
    let mut vars = ROTATING.to_vec();
    vars.extend([
        ("BODY_LIMIT", " 4096"),
        ("BODY_TIMEOUT_SECS", "7"),
        ("SKLADON_MOUNT", "/api/webhooks/skladon/"),
        ("XOXODAY_ALLOWLIST", "203.0.113.7, 198.51.100.0/24"),
        ("XOXODAY_TRUSTED_PROXIES", "10.0.0.0/8"),
        ("XOXODAY_PROXY_HEADER", "Forwarded"),
    ]);
    has_every_verifier_setting(&from(&vars).unwrap());
    let built = Config::builder()
        .wakilni_secret("wk-new")
        .peddler_token("pd-new")
        .xoxoday_enabled(true)
        .xoxoday_api_key("XoNew5f1c9a7e2b")
        .xoxoday_allowlist(["203.0.113.7", "198.51.100.0/24"])
        .xoxoday_trusted_proxies(["10.0.0.0/8"])
        .xoxoday_proxy_header(crate::verify::ProxyHeader::Forwarded)
        .isendu_key("ak-new", "sk-new")
        .isendu_url_token("is-new-5f1c9a7e2b4d")
        .skladon_token("sk-new-5f1c9a7e2b4d")
        .skladon_mounted_at("/api/webhooks/skladon")
        .body_limit(4096)
        .body_timeout(std::time::Duration::from_secs(7))
        .build()
        .unwrap();
    has_every_verifier_setting(&built);
    // Unset, the defaults.
    let defaults = (
        crate::body::DEFAULT_BODY_LIMIT,
        crate::body::DEFAULT_BODY_TIMEOUT,
    );
    assert_eq!(limits(&from(&ROTATING).unwrap()), vec![defaults; 5]);
}

#[cfg(all_providers)]
#[test]
fn opt_ins_are_reachable_from_the_environment() {
    // Skladon without a token: `<mount>/<TYPE>`.
    let config = from(&[("SKLADON_WITHOUT_URL_TOKEN", "1"), ("SKLADON_MOUNT", "/in")]).unwrap();
    assert_eq!(config.providers(), [Provider::Skladon]);
    let no_headers: [(&str, &str); 0] = [];
    let head = crate::request::Request::new(&no_headers, b"").uri("/in/UPDATE_ORDER_STATUS");
    config.skladon.unwrap().verify_head(&head).unwrap();
    assert!(
        from(&[("SKLADON_WITHOUT_URL_TOKEN", "0")])
            .unwrap()
            .providers()
            .is_empty()
    );
    // Broad ranges: refused unless asked for by name.
    let open = [("XOXODAY_ENABLED", "1"), ("XOXODAY_ALLOWLIST", "0.0.0.0/0")];
    let err = from(&open).unwrap_err();
    assert_eq!(err.variable(), Some("XOXODAY_ALLOWLIST"));
    assert!(err.reason().contains("large part of the internet"), "{err}");
    let config = from(&[open.as_slice(), &[("XOXODAY_ALLOW_BROAD_RANGES", "1")]].concat()).unwrap();
    let headers: [(&str, &str); 0] = [];
    let anyone = crate::request::Request::new(&headers, b"{}").peer([198, 51, 100, 1]);
    config.xoxoday.unwrap().verify(&anyone).unwrap();
}

#[cfg(all_providers)]
#[test]
fn bad_settings_are_refused_by_name() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("BODY_LIMIT", "16MiB")], "BODY_LIMIT"),
        (&[("BODY_LIMIT", "0")], "BODY_LIMIT"),
        (
            &[
                ("XOXODAY_ENABLED", "1"),
                ("XOXODAY_PROXY_HEADER", "x-real-ip"),
            ],
            "XOXODAY_PROXY_HEADER",
        ),
        (
            &[("XOXODAY_ENABLED", "1"), ("XOXODAY_ALLOWLIST", ",")],
            "XOXODAY_ALLOWLIST",
        ),
        (&[("XOXODAY_ALLOWLIST", "203.0.113.7")], "XOXODAY_ALLOWLIST"),
        (
            &[("XOXODAY_ALLOW_BROAD_RANGES", "1")],
            "XOXODAY_ALLOW_BROAD_RANGES",
        ),
        (
            &[("XOXODAY_ALLOW_BROAD_RANGES", "yes")],
            "XOXODAY_ALLOW_BROAD_RANGES",
        ),
        (&[("XOXODAY_PROXY_HEADER", "auto")], "XOXODAY_PROXY_HEADER"),
        (&[("SKLADON_MOUNT", "/api/skladon")], "SKLADON_MOUNT"),
        (
            &[("SKLADON_WITHOUT_URL_TOKEN", "true")],
            "SKLADON_WITHOUT_URL_TOKEN",
        ),
        (
            &[("ISENDU_WITHOUT_URL_TOKEN", "yes")],
            "ISENDU_WITHOUT_URL_TOKEN",
        ),
    ];
    for (vars, variable) in cases {
        let err = from(vars).unwrap_err();
        assert_eq!(err.variable(), Some(*variable), "{vars:?}: {err}");
    }
}

#[cfg(feature = "xoxoday")]
#[test]
fn one_error_type_from_constructors_and_from_config() {
    let direct: ConfigError = crate::xoxoday::Verifier::without_api_key()
        .trusted_proxies(["10.0.0.1", "proxy-5"])
        .unwrap_err();
    assert_eq!(direct.kind(), ConfigErrorKind::InvalidNetwork);
    assert_eq!(direct.variable(), None);
    assert_eq!(direct.entry(), Some("proxy-5"), "an address is no secret");
    let vars = [
        ("XOXODAY_ENABLED", "1"),
        ("XOXODAY_TRUSTED_PROXIES", "10.0.0.1, proxy-5"),
    ];
    let named = from(&vars).unwrap_err();
    assert_eq!(
        (named.kind(), named.reason()),
        (direct.kind(), direct.reason())
    );
    assert_eq!(named.variable(), Some("XOXODAY_TRUSTED_PROXIES"));
    assert_eq!(named.entry(), None, "an error from Config quotes no value");
    assert_eq!(
        named.to_string(),
        "XOXODAY_TRUSTED_PROXIES: invalid ip network: not an ip address"
    );
    // Wrapped for `?` beside request errors: a 500, labelled `config`.
    let wrapped = crate::error::Error::from(direct);
    assert_eq!((wrapped.status_code(), wrapped.reason()), (500, "config"));
}
