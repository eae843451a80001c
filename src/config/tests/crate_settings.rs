//! The crate-wide settings under `DELIVERY_WEBHOOKS_`: where to listen (`PORT` too), the
//! database, the names of 0.2; and the one table every list of variables comes from.

use super::*;

/// A provider, so that a configuration is not refused as empty (compiled in or not).
const WAKILNI: (&str, &str) = ("WAKILNI_WEBHOOK_SECRET", "wk-secret");

#[test]
fn prefixed_settings_are_read() {
    let config = from(&[
        WAKILNI,
        ("DELIVERY_WEBHOOKS_LISTEN", "0.0.0.0:8080"),
        (
            "DELIVERY_WEBHOOKS_DATABASE_URL",
            " /var/lib/webhooks/inbox.db ",
        ),
        ("DELIVERY_WEBHOOKS_BODY_LIMIT", "4096"),
        ("DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS", "7"),
    ])
    .unwrap();
    assert_eq!(config.listen_addr.as_str(), "0.0.0.0:8080");
    assert_eq!(config.database_url(), Some("/var/lib/webhooks/inbox.db"));
    #[cfg(feature = "wakilni")]
    {
        use crate::delivery::Receive;
        let wakilni = config.wakilni.as_ref().unwrap();
        assert_eq!(wakilni.body_limit(), 4096);
        assert_eq!(wakilni.body_timeout(), std::time::Duration::from_secs(7));
    }
    // Unset: the defaults.
    let config = from(&[WAKILNI]).unwrap();
    assert_eq!(config.listen_addr, ListenAddr::from(DEFAULT_LISTEN_ADDR));
    assert_eq!(config.listen_addr.as_str(), "127.0.0.1:3000");
    assert_eq!(config.database_url(), None);
}

#[test]
fn port_alone_listens_on_every_interface() {
    let config = from(&[WAKILNI, ("PORT", "8080")]).unwrap();
    assert_eq!(config.listen_addr.as_str(), "0.0.0.0:8080");
    assert_eq!(config.listen_addr.port(), 8080);
    // The crate's own variable wins over the platform's.
    let both = [
        WAKILNI,
        ("PORT", "8080"),
        ("DELIVERY_WEBHOOKS_LISTEN", "127.0.0.1:9000"),
    ];
    assert_eq!(from(&both).unwrap().listen_addr.as_str(), "127.0.0.1:9000");
    let err = from(&[WAKILNI, ("PORT", "80800")]).unwrap_err();
    assert_eq!(err.variable(), Some("PORT"));
    assert_eq!(err.reason(), "expected a port, 0 to 65535");
}

#[test]
fn a_host_name_is_accepted_and_resolved_at_bind() {
    use std::net::ToSocketAddrs;
    let config = from(&[WAKILNI, ("DELIVERY_WEBHOOKS_LISTEN", "localhost:3000")]).unwrap();
    let addr = &config.listen_addr;
    assert_eq!(
        (addr.host(), addr.port(), addr.as_str()),
        ("localhost", 3000, "localhost:3000")
    );
    let resolved: Vec<_> = addr.to_socket_addrs().unwrap().collect();
    assert!(
        !resolved.is_empty()
            && resolved
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 3000)
    );
    for good in ["[::]:8080", "webhooks.internal:0", "10.0.0.7:443"] {
        assert_eq!(good.parse::<ListenAddr>().unwrap().as_str(), good);
    }
    for bad in [
        "nowhere-at-all",
        ":3001",
        "::1:3001",
        "[webhooks]:80",
        "a b:80",
        "host:99999",
        "-x:1",
    ] {
        let err = from(&[WAKILNI, ("DELIVERY_WEBHOOKS_LISTEN", bad)]).unwrap_err();
        assert_eq!(err.variable(), Some("DELIVERY_WEBHOOKS_LISTEN"), "{bad}");
        assert!(!err.to_string().contains(bad), "{err}");
    }
}

#[test]
fn the_database_url_is_checked_and_never_shown() {
    let url = "postgresql://inbox:s3cret-pw@db.internal:5432/inbox";
    let config = from(&[WAKILNI, ("DELIVERY_WEBHOOKS_DATABASE_URL", url)]).unwrap();
    assert_eq!(config.database_url(), Some(url));
    assert!(!format!("{config:?}").contains("s3cret-pw"), "{config:?}");
    let builder = Config::builder().database_url(url);
    assert!(!format!("{builder:?}").contains("s3cret-pw"), "{builder:?}");
    for bad in [
        "mysql://root:s3cret-pw@db/inbox",
        "sqlite://s3cret-pw.db",
        "  ",
    ] {
        let err = from(&[WAKILNI, ("DELIVERY_WEBHOOKS_DATABASE_URL", bad)]).unwrap_err();
        assert_eq!(err.variable(), Some("DELIVERY_WEBHOOKS_DATABASE_URL"));
        assert!(!format!("{err} {err:?}").contains("s3cret-pw"), "{err:?}");
    }
}

#[test]
fn the_listen_url_is_a_postgres_url_and_never_shown() {
    let url = "postgres://inbox:s3cret-pw@db-primary.internal:5432/inbox";
    let config = from(&[WAKILNI, ("DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL", url)]).unwrap();
    assert_eq!(config.database_listen_url(), Some(url));
    assert_eq!(config.database_url(), None);
    assert!(!format!("{config:?}").contains("s3cret-pw"), "{config:?}");
    let builder = Config::builder().database_listen_url(url);
    assert!(!format!("{builder:?}").contains("s3cret-pw"), "{builder:?}");
    for bad in [
        "/var/lib/s3cret-pw.db",
        "mysql://root:s3cret-pw@db/inbox",
        " ",
    ] {
        let err = from(&[WAKILNI, ("DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL", bad)]).unwrap_err();
        assert_eq!(
            err.variable(),
            Some("DELIVERY_WEBHOOKS_DATABASE_LISTEN_URL")
        );
        assert!(!format!("{err} {err:?}").contains("s3cret-pw"), "{err:?}");
    }
}

#[test]
fn a_name_of_0_2_is_refused_naming_its_replacement() {
    for (old, new) in variables::RENAMED {
        let err = from(&[WAKILNI, (old, "1234")]).unwrap_err();
        assert_eq!(err.variable(), Some(old));
        assert_eq!(
            err.to_string(),
            format!("{old}: renamed {new} in delivery-webhooks 0.3: set {new} instead")
        );
    }
    // Beside its replacement, the old name is the service's own: left alone.
    let both = [
        WAKILNI,
        ("LISTEN_ADDR", "its-own-value"),
        ("DELIVERY_WEBHOOKS_LISTEN", "127.0.0.1:0"),
    ];
    assert_eq!(from(&both).unwrap().listen_addr.port(), 0);
    // DATABASE_URL never was the crate's: a service's own, never refused.
    let database = [WAKILNI, ("DATABASE_URL", "postgres://x")];
    assert_eq!(from(&database).unwrap().database_url(), None);
}
