//! `Config` from variables and from the builder: every check names its variable, never the value.
//! Rotation and the verifier settings have files of their own.

use super::*;
use crate::error::ConfigError;

/// A config from `vars`, or its one problem (more than one fails the test).
fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    from_all(vars).map_err(|errors| {
        assert_eq!(errors.len(), 1, "one problem expected, got:\n{errors}");
        errors.errors()[0].clone()
    })
}

/// A config from `vars`, or all its problems.
fn from_all(vars: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
    Config::from_pairs(vars.iter().copied())
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
        assert_eq!(err.kind(), crate::error::ConfigErrorKind::InvalidSecret);
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
        ("DELIVERY_WEBHOOKS_LISTEN", "[::1]:8080"),
    ])
    .unwrap();
    assert_eq!(config.providers(), Provider::ALL.to_vec());
    assert_eq!(config.listen_addr.as_str(), "[::1]:8080");
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
            &[
                ("DELIVERY_WEBHOOKS_LISTEN", "addr-value-9"),
                ("WAKILNI_WEBHOOK_SECRET", "wk"),
            ],
            "DELIVERY_WEBHOOKS_LISTEN",
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
fn every_list_of_variables_comes_from_the_table() {
    let names: Vec<&str> = Config::VARIABLES.iter().map(|v| v.name).collect();
    assert_eq!(names.len(), 47);
    for (_, limit, timeout) in variables::PROVIDER_BODY {
        assert!(
            names.contains(&limit) && names.contains(&timeout),
            "{limit}"
        );
    }
    assert_eq!(names[0], "DELIVERY_WEBHOOKS_LISTEN");
    for variable in builder::CREDENTIALS {
        assert!(names.contains(&variable.current) && names.contains(&variable.previous));
    }
    for (old, new) in variables::RENAMED {
        assert!(!names.contains(&old) && names.contains(&new), "{old}");
    }
    let enabling = variables::ENABLING.replace(['=', ';', ','], " ");
    for word in enabling.split_whitespace().filter(|w| w.contains('_')) {
        assert!(names.contains(&word), "{word} is not in the table");
    }
    // The README shows the same table, row for row.
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(variables::MARKDOWN_TABLE),
        "the README's table of variables differs from src/config/variables.rs:\n{}",
        variables::MARKDOWN_TABLE
    );
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

// A configuration that builds needs a provider compiled in: Wakilni's, here.
#[cfg(feature = "wakilni")]
mod crate_settings;
mod problems;
// Rotation is shown across all five providers at once.
#[cfg(all_providers)]
mod rotation;
#[cfg(any(all_providers, feature = "xoxoday"))]
mod settings;
