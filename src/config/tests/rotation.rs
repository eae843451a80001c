//! Every credential rotates, from the environment and the builder, each checked under its own variable.

use super::*;

/// Every credential of every provider, current and previous, as variables.
#[cfg(all_providers)]
pub(super) const ROTATING: [(&str, &str); 15] = [
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
