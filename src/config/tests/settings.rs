//! Every verifier setting reachable from the environment and the builder; one configuration error type.

#[cfg(all_providers)]
use super::rotation::ROTATING;
use super::*;
#[cfg(feature = "xoxoday")]
use crate::error::ConfigErrorKind;

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
        ("DELIVERY_WEBHOOKS_BODY_LIMIT", " 4096"),
        ("DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS", "7"),
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
    // Unset, each verifier's own default.
    let timeout = crate::body::DEFAULT_BODY_TIMEOUT;
    assert_eq!(
        limits(&from(&ROTATING).unwrap()),
        vec![
            (64 * 1024, timeout),
            (64 * 1024, timeout),
            (64 * 1024, timeout),
            (16 << 20, timeout),
            (16 << 20, timeout),
        ]
    );
}

/// Precedence: a provider's own variable, then the crate-wide one, then the verifier's default.
#[cfg(all_providers)]
#[test]
fn a_providers_own_body_settings_win_over_the_crate_wide_ones() {
    use std::time::Duration;
    let mut vars = ROTATING.to_vec();
    vars.extend([
        ("DELIVERY_WEBHOOKS_BODY_LIMIT", "4096"),
        ("DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS", "7"),
        ("WAKILNI_BODY_LIMIT", "1024"),
        ("WAKILNI_BODY_TIMEOUT_SECS", "2"),
        ("ISENDU_BODY_LIMIT", "33554432"),
        ("SKLADON_BODY_TIMEOUT_SECS", "90"),
    ]);
    let crate_wide = (4096, Duration::from_secs(7));
    assert_eq!(
        limits(&from(&vars).unwrap()),
        vec![
            (1024, Duration::from_secs(2)),
            crate_wide,
            crate_wide,
            (32 << 20, Duration::from_secs(7)),
            (4096, Duration::from_secs(90)),
        ]
    );
    // Without the crate-wide ones, a provider's own over its verifier's default.
    let mut vars = ROTATING.to_vec();
    vars.extend([
        ("PEDDLER_BODY_LIMIT", "2048"),
        ("XOXODAY_BODY_TIMEOUT_SECS", "3"),
    ]);
    let timeout = crate::body::DEFAULT_BODY_TIMEOUT;
    assert_eq!(
        limits(&from(&vars).unwrap()),
        vec![
            (64 * 1024, timeout),
            (2048, timeout),
            (64 * 1024, Duration::from_secs(3)),
            (16 << 20, timeout),
            (16 << 20, timeout),
        ]
    );
    // The same from the builder.
    let built = Config::builder()
        .wakilni_secret("wk-secret")
        .body_limit(4096)
        .provider_body_limit(crate::delivery::Provider::Wakilni, 512)
        .provider_body_timeout(crate::delivery::Provider::Wakilni, Duration::from_secs(4))
        .build()
        .unwrap();
    let wakilni = built.wakilni.as_ref().unwrap();
    use crate::delivery::Receive;
    assert_eq!(
        (wakilni.body_limit(), wakilni.body_timeout()),
        (512, Duration::from_secs(4))
    );
}

#[test]
fn bad_body_settings_are_refused_naming_their_variable() {
    for (name, value) in [
        ("WAKILNI_BODY_LIMIT", "64KiB"),
        ("SKLADON_BODY_LIMIT", "0"),
        ("PEDDLER_BODY_TIMEOUT_SECS", "-1"),
        ("DELIVERY_WEBHOOKS_BODY_BUDGET", "0"),
        ("DELIVERY_WEBHOOKS_BODY_BUDGET", "lots"),
    ] {
        let errors =
            from_all(&[("WAKILNI_WEBHOOK_SECRET", "wk-secret"), (name, value)]).unwrap_err();
        assert!(
            errors.errors().iter().any(|e| e.variable() == Some(name)),
            "{name}={value}: {errors}"
        );
    }
}

#[test]
fn the_body_budget_is_read_and_unset_by_default() {
    let config = from(&[
        ("WAKILNI_WEBHOOK_SECRET", "wk-secret"),
        ("DELIVERY_WEBHOOKS_BODY_BUDGET", "8388608"),
    ])
    .unwrap();
    assert_eq!(config.body_budget, Some(8 << 20));
    let config = from(&[("WAKILNI_WEBHOOK_SECRET", "wk-secret")]).unwrap();
    assert_eq!(config.body_budget, None);
    let built = Config::builder()
        .wakilni_secret("wk-secret")
        .body_budget(1 << 20)
        .build()
        .unwrap();
    assert_eq!(built.body_budget, Some(1 << 20));
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
    // Switched off, it configures nothing: an empty configuration.
    let err = from(&[("SKLADON_WITHOUT_URL_TOKEN", "0")]).unwrap_err();
    assert_eq!(err.variable(), None, "{err}");
    assert!(err.reason().starts_with("no provider configured"), "{err}");
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
    let wakilni = ("WAKILNI_WEBHOOK_SECRET", "wk");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("DELIVERY_WEBHOOKS_BODY_LIMIT", "16MiB"), wakilni],
            "DELIVERY_WEBHOOKS_BODY_LIMIT",
        ),
        (
            &[("DELIVERY_WEBHOOKS_BODY_LIMIT", "0"), wakilni],
            "DELIVERY_WEBHOOKS_BODY_LIMIT",
        ),
        (
            &[("DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS", "30s"), wakilni],
            "DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS",
        ),
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
