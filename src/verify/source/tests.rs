//! Tests of the source-address primitives.

use std::net::IpAddr;

use super::forwarded::{Hop, node};
use super::*;
use crate::error::Error;

// ----- source addresses ------------------------------------------------------------------

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[test]
fn ipnet_parses_hosts_and_ranges() {
    assert_eq!(net("52.76.120.90").to_string(), "52.76.120.90/32");
    assert_eq!(net(" 10.0.0.0/8 ").to_string(), "10.0.0.0/8");
    assert_eq!(net("2001:db8::1").to_string(), "2001:db8::1/128");
    assert_eq!(net("2001:db8::/32").prefix_len(), 32);
    // IPv4-mapped networks are IPv4 networks.
    assert_eq!(net("::ffff:52.76.120.90"), net("52.76.120.90"));
    assert_eq!(net("::ffff:52.76.120.0/120"), net("52.76.120.0/24"));
    assert_eq!(net("::ffff:0:0/96"), net("0.0.0.0/0"));
    assert_eq!(IpNet::from(ip("::ffff:1.2.3.4")), net("1.2.3.4"));
    assert_eq!(IpNet::new(ip("10.0.0.0"), 8).unwrap(), net("10.0.0.0/8"));
}

#[test]
fn ipnet_refuses_bad_entries_with_a_reason() {
    for (bad, reason) in [
        ("", "not an ip address"),
        ("52.76.120", "not an ip address"),
        ("52.76.120.256", "not an ip address"),
        ("example.com", "not an ip address"),
        ("fe80::1%eth0", "not an ip address"),
        ("10.0.0.0/", "prefix length is not a number"),
        ("10.0.0.0/+8", "prefix length is not a number"),
        ("10.0.0.0/8/8", "prefix length is not a number"),
        ("10.0.0.0/1234", "prefix length is not a number"),
        ("10.0.0.0/33", "prefix length longer than the address"),
        ("::/129", "prefix length longer than the address"),
        ("10.0.0.1/8", "address has bits set after the prefix length"),
        (
            "52.76.120.90/24",
            "address has bits set after the prefix length",
        ),
        (
            "2001:db8::1/32",
            "address has bits set after the prefix length",
        ),
    ] {
        let err = bad.parse::<IpNet>().unwrap_err();
        assert_eq!(err.reason(), reason, "{bad}");
        assert_eq!(err.entry(), Some(bad));
        assert!(err.to_string().contains(reason));
    }
    assert!(IpNet::new(ip("10.0.0.0"), 33).is_err());
}

#[test]
fn ipnet_contains_edges() {
    let all4 = net("0.0.0.0/0");
    assert!(all4.contains(ip("0.0.0.0")) && all4.contains(ip("255.255.255.255")));
    assert!(all4.contains(ip("::ffff:8.8.8.8")));
    assert!(!all4.contains(ip("2001:db8::1")));
    let all6 = net("::/0");
    assert!(all6.contains(ip("2001:db8::1")) && all6.contains(ip("::")));
    // ::/0 covers the mapped range, so it covers IPv4 too.
    assert!(all6.contains(ip("8.8.8.8")));
    let one = net("52.76.120.90/32");
    assert!(one.contains(ip("52.76.120.90")) && one.contains(ip("::ffff:52.76.120.90")));
    assert!(!one.contains(ip("52.76.120.91")) && !one.contains(ip("52.76.120.89")));
    // IPv4-compatible (not mapped) addresses are IPv6.
    assert!(!one.contains(ip("::52.76.120.90")));
    let host6 = net("2001:db8::7/128");
    assert!(host6.contains(ip("2001:db8::7")) && !host6.contains(ip("2001:db8::8")));
    let range = net("10.0.0.0/31");
    assert!(range.contains(ip("10.0.0.1")) && !range.contains(ip("10.0.0.2")));
    let v6 = net("2001:db8::/127");
    assert!(v6.contains(ip("2001:db8::1")) && !v6.contains(ip("2001:db8::2")));
    assert!(!net("10.0.0.0/8").contains(ip("2001:db8::1")));
    assert!(!net("2001:db8::/32").contains(ip("10.0.0.1")));
}

fn hop(text: &str, forwarded: bool) -> Option<IpAddr> {
    match node(text, forwarded) {
        Hop::Ip(ip) => Some(ip),
        _ => None,
    }
}

#[test]
fn nodes_with_ports_brackets_and_hidden_forms() {
    assert_eq!(hop("192.0.2.60", false), Some(ip("192.0.2.60")));
    assert_eq!(hop("192.0.2.60:8080", false), Some(ip("192.0.2.60")));
    assert_eq!(hop("2001:db8::17", false), Some(ip("2001:db8::17")));
    assert_eq!(hop("[2001:db8::17]", true), Some(ip("2001:db8::17")));
    assert_eq!(hop("[2001:db8::17]:4711", true), Some(ip("2001:db8::17")));
    assert_eq!(hop("[2001:db8::17]:_p1", true), Some(ip("2001:db8::17")));
    assert_eq!(hop("::ffff:52.76.120.90", false), Some(ip("52.76.120.90")));
    assert_eq!(
        hop("[::ffff:52.76.120.90]:443", true),
        Some(ip("52.76.120.90"))
    );
    assert!(matches!(node("unknown", false), Hop::Hidden));
    assert!(matches!(node("UNKNOWN:80", true), Hop::Hidden));
    assert!(matches!(node("_hidden.proxy-1", true), Hop::Hidden));
    assert!(matches!(node("_hidden:_port", true), Hop::Hidden));
    // Obfuscation is Forwarded syntax, not X-Forwarded-For.
    assert!(matches!(node("_hidden", false), Hop::Malformed(_)));
    for bad in [
        "",
        "_",
        "garbage",
        "192.0.2.60:",
        "192.0.2.60:65536",
        "192.0.2.60:123456",
        "192.0.2.60:_p",
        "[2001:db8::17",
        "[2001:db8::17]x",
        "[192.0.2.60]",
        "2001:db8::17:80:",
        "_bad/char",
    ] {
        assert!(
            matches!(node(bad, bad != "192.0.2.60:_p"), Hop::Malformed(_)),
            "{bad}"
        );
    }
}

fn resolve(peer: &str, headers: &[(&str, &str)], mode: ProxyHeader) -> Result<IpAddr, Error> {
    let trusted = [net("10.0.0.0/8"), net("fd00::/8")];
    client_addr(ip(peer), headers, &trusted, mode)
}

#[test]
fn untrusted_peers_headers_are_ignored() {
    let forged = [
        ("x-forwarded-for", "52.76.120.90"),
        ("forwarded", "for=52.76.120.90"),
    ];
    assert_eq!(
        resolve("203.0.113.9", &forged, ProxyHeader::Auto).unwrap(),
        ip("203.0.113.9")
    );
    // Even unreadable ones.
    let junk = [("x-forwarded-for", "\u{1}"), ("forwarded", "for=\"")];
    assert_eq!(
        resolve("203.0.113.9", &junk, ProxyHeader::Auto).unwrap(),
        ip("203.0.113.9")
    );
    assert_eq!(
        client_addr(ip("::ffff:10.0.0.1"), &junk, &[], ProxyHeader::Auto).unwrap(),
        ip("10.0.0.1")
    );
}

#[test]
fn x_forwarded_for_rightmost_untrusted_hop() {
    let mode = ProxyHeader::XForwardedFor;
    let h = |v: &'static str| [("X-Forwarded-For", v)];
    assert_eq!(
        resolve("10.0.0.1", &h("52.76.120.90"), mode).unwrap(),
        ip("52.76.120.90")
    );
    assert_eq!(
        resolve("10.0.0.1", &h("6.6.6.6, 52.76.120.90, 10.0.0.2"), mode).unwrap(),
        ip("52.76.120.90")
    );
    assert_eq!(
        resolve("10.0.0.1", &h("52.76.120.90, 6.6.6.6"), mode).unwrap(),
        ip("6.6.6.6")
    );
    // Junk left of the client is the client's own and is not looked at.
    assert_eq!(
        resolve("10.0.0.1", &h("garbage, unknown, 52.76.120.90"), mode).unwrap(),
        ip("52.76.120.90")
    );
    // All trusted: the leftmost.
    assert_eq!(
        resolve("10.0.0.1", &h("10.9.9.9, 10.0.0.2"), mode).unwrap(),
        ip("10.9.9.9")
    );
    // Mapped and bracketed forms, ports.
    assert_eq!(
        resolve("::ffff:10.0.0.1", &h("::ffff:52.76.120.90"), mode).unwrap(),
        ip("52.76.120.90")
    );
    assert_eq!(
        resolve("fd00::1", &h("[2001:db8::5]:443, fd00::2"), mode).unwrap(),
        ip("2001:db8::5")
    );
    assert_eq!(
        resolve("10.0.0.1", &h("52.76.120.90:55123"), mode).unwrap(),
        ip("52.76.120.90")
    );
    // No header, or an empty one: the peer.
    assert_eq!(resolve("10.0.0.1", &[], mode).unwrap(), ip("10.0.0.1"));
    assert_eq!(resolve("10.0.0.1", &h("  "), mode).unwrap(), ip("10.0.0.1"));
}

#[test]
fn x_forwarded_for_lines_are_one_list_in_order() {
    let headers = [
        ("x-forwarded-for", "6.6.6.6"),
        ("X-Forwarded-For", "52.76.120.90, 10.0.0.3"),
        ("x-forwarded-for", "10.0.0.2"),
    ];
    assert_eq!(
        resolve("10.0.0.1", &headers, ProxyHeader::Auto).unwrap(),
        ip("52.76.120.90")
    );
    let reversed = [
        ("x-forwarded-for", "52.76.120.90"),
        ("x-forwarded-for", "6.6.6.6"),
    ];
    assert_eq!(
        resolve("10.0.0.1", &reversed, ProxyHeader::Auto).unwrap(),
        ip("6.6.6.6")
    );
}

#[test]
fn malformed_or_hidden_deciding_hop_is_invalid_header() {
    let mode = ProxyHeader::XForwardedFor;
    for (value, reason) in [
        (
            "52.76.120.90, garbage",
            "the client hop is not an ip address",
        ),
        ("52.76.120.90,", "the client hop is empty"),
        ("52.76.120.90,,10.0.0.2", "the client hop is empty"),
        (
            "52.76.120.90, unknown",
            "the client address is hidden (unknown or obfuscated)",
        ),
        (
            "52.76.120.90, 300.1.1.1",
            "the client hop is not an ip address",
        ),
        (
            "52.76.120.90 10.0.0.2",
            "the client hop is not an ip address",
        ),
        ("52.76.120.90\u{1}", "not visible ascii text"),
        ("52.76.120.90, é", "not visible ascii text"),
    ] {
        let err = resolve("10.0.0.1", &[("x-forwarded-for", value)], mode).unwrap_err();
        assert!(
            matches!(err, Error::InvalidHeader { name: "x-forwarded-for", reason: r } if r == reason),
            "{value:?}: {err:?}"
        );
        assert_eq!(err.status_code(), 400);
    }
}

#[test]
fn forwarded_header_rfc7239_forms() {
    let mode = ProxyHeader::Forwarded;
    let f = |v: &'static str| [("Forwarded", v)];
    for (value, client) in [
        ("for=52.76.120.90", "52.76.120.90"),
        (
            "For=\"52.76.120.90:4711\";proto=https;by=10.0.0.1",
            "52.76.120.90",
        ),
        ("for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
        ("for=[2001:db8:cafe::17]", "2001:db8:cafe::17"),
        ("for=\"[::ffff:52.76.120.90]\"", "52.76.120.90"),
        (
            "for=6.6.6.6, for=52.76.120.90;proto=https, for=10.0.0.2",
            "52.76.120.90",
        ),
        (
            "for=6.6.6.6,for=52.76.120.90 , ,for=10.0.0.2",
            "52.76.120.90",
        ),
        (
            "proto=https;for=52.76.120.90;host=\"a,b;c\"",
            "52.76.120.90",
        ),
        ("for=unknown, for=_hidden, for=52.76.120.90", "52.76.120.90"),
        ("for=10.0.0.9, for=10.0.0.2", "10.0.0.9"),
    ] {
        assert_eq!(
            resolve("10.0.0.1", &f(value), mode).unwrap(),
            ip(client),
            "{value}"
        );
    }
    let lines = [
        ("forwarded", "for=52.76.120.90"),
        ("forwarded", "for=10.0.0.2"),
    ];
    assert_eq!(
        resolve("10.0.0.1", &lines, mode).unwrap(),
        ip("52.76.120.90")
    );
    // X-Forwarded-For is ignored in this mode.
    let both = [
        ("forwarded", "for=52.76.120.90"),
        ("x-forwarded-for", "6.6.6.6"),
    ];
    assert_eq!(
        resolve("10.0.0.1", &both, mode).unwrap(),
        ip("52.76.120.90")
    );
}

#[test]
fn forwarded_header_errors() {
    let mode = ProxyHeader::Forwarded;
    for (value, reason) in [
        ("for=\"52.76.120.90", "unterminated quoted string"),
        ("for=\"52.76.120.90\\", "unterminated quoted string"),
        ("for", "expected `=` after a parameter name"),
        ("for =52.76.120.90", "expected `=` after a parameter name"),
        ("=52.76.120.90", "expected a parameter name"),
        ("for=", "empty parameter value"),
        (
            "for=52.76.120.90 x",
            "unexpected character between parameters",
        ),
        (
            "for=\"1.2.3.4\"x",
            "unexpected character between parameters",
        ),
        (
            "for=unknown",
            "the client address is hidden (unknown or obfuscated)",
        ),
        (
            "for=52.76.120.90, for=_secret",
            "the client address is hidden (unknown or obfuscated)",
        ),
        ("proto=https", "the client element has no for= parameter"),
        (
            "for=1.1.1.1;for=52.76.120.90",
            "the client element has several for= parameters",
        ),
        (
            "for=\"52.76.120\\.90\"",
            "the client for= value is not a node",
        ),
        (
            "for=2001:db8::1:99999",
            "the client hop is not an ip address",
        ),
        ("for=garbage", "the client hop is not an ip address"),
    ] {
        let err = resolve("10.0.0.1", &[("forwarded", value)], mode).unwrap_err();
        assert!(
            matches!(err, Error::InvalidHeader { name: "forwarded", reason: r } if r == reason),
            "{value:?}: {err:?}"
        );
    }
}

#[test]
fn auto_mode_uses_either_and_refuses_disagreement() {
    let auto = ProxyHeader::Auto;
    assert_eq!(
        resolve("10.0.0.1", &[("forwarded", "for=52.76.120.90")], auto).unwrap(),
        ip("52.76.120.90")
    );
    assert_eq!(
        resolve("10.0.0.1", &[("x-forwarded-for", "52.76.120.90")], auto).unwrap(),
        ip("52.76.120.90")
    );
    let agree = [
        ("forwarded", "for=\"52.76.120.90:1\""),
        ("x-forwarded-for", "52.76.120.90"),
    ];
    assert_eq!(
        resolve("10.0.0.1", &agree, auto).unwrap(),
        ip("52.76.120.90")
    );
    // A proxy appending to X-Forwarded-For, a client forging Forwarded.
    let forged = [
        ("forwarded", "for=52.76.120.90"),
        ("x-forwarded-for", "6.6.6.6"),
    ];
    let err = resolve("10.0.0.1", &forged, auto).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHeader {
                name: "forwarded",
                ..
            }
        ),
        "{err:?}"
    );
    // Only X-Forwarded-For named: the forged Forwarded is ignored and the real client shows.
    assert_eq!(
        resolve("10.0.0.1", &forged, ProxyHeader::XForwardedFor).unwrap(),
        ip("6.6.6.6")
    );
}
