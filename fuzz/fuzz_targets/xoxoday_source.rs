//! The proxy-aware source check: `xoxoday::Verifier::verify` over an arbitrary peer address and
//! headers (including `X-Forwarded-For` and `Forwarded`) never panics; without a trusted proxy
//! only an allowed peer passes, whatever the headers say; behind a proxy the verdict is on an
//! allowed address.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use delivery_webhooks::xoxoday::{self, ProxyHeader};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "fuzz-api-key-0123456789";

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn allowed(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => v4 == Ipv4Addr::new(52, 76, 120, 90) || v4.octets()[..3] == [10, 1, 2],
        IpAddr::V6(v6) => v6.segments()[..3] == [0x2001, 0xdb8, 0x7],
    }
}

fn peer(pick: u8, v4: [u8; 4], v6: [u8; 16]) -> IpAddr {
    match pick % 6 {
        0 => IpAddr::V4(Ipv4Addr::new(52, 76, 120, 90)),
        1 => IpAddr::V4(Ipv4Addr::new(10, 0, 0, v4[3])), // a trusted proxy
        2 => IpAddr::V4(Ipv4Addr::from(v4)),
        3 => IpAddr::V6(Ipv4Addr::from(v4).to_ipv6_mapped()),
        4 => IpAddr::V6(Ipv6Addr::from(v6)),
        _ => IpAddr::V4(Ipv4Addr::new(10, 1, 2, v4[3])),
    }
}

fuzz_target!(|input: (u8, [u8; 4], [u8; 16], Vec<(String, String)>, u8)| {
    let (pick, v4, v6, headers, header_pick) = input;
    let peer = peer(pick, v4, v6);
    let base = xoxoday::Verifier::new()
        .allowlist(["52.76.120.90", "10.1.2.0/24", "2001:db8:7::/48"])
        .expect("valid allowlist");

    // No trusted proxy: forwarding headers are ignored, the peer alone decides.
    match base.verify(peer, &headers) {
        Ok(client) => {
            assert_eq!(client, canonical(peer));
            assert!(allowed(peer), "{peer} passed");
        }
        Err(_) => assert!(!allowed(peer), "{peer} refused"),
    }

    // With a key: the right key is needed on top.
    let keyed = base.clone().api_key(KEY).expect("non-empty key");
    if keyed.verify(peer, &headers).is_ok() {
        assert!(allowed(peer));
        let presented: Vec<_> = headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("x-api-key"))
            .map(|(_, v)| v.trim())
            .collect();
        assert!(presented.contains(&KEY), "passed without the key: {headers:?}");
    }

    // Behind trusted proxies: whatever passes was judged on an allowed address, and a peer
    // that is not a proxy is judged on itself.
    let header = match header_pick % 3 {
        0 => ProxyHeader::Auto,
        1 => ProxyHeader::XForwardedFor,
        _ => ProxyHeader::Forwarded,
    };
    let proxied = base
        .trusted_proxies(["10.0.0.0/24", "fd00::/8"])
        .expect("valid proxies")
        .proxy_header(header);
    let is_proxy = match canonical(peer) {
        IpAddr::V4(v4) => v4.octets()[..3] == [10, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] >> 8 == 0xfd,
    };
    let _ = proxied.client_addr(peer, &headers);
    if let Ok(client) = proxied.verify(peer, &headers) {
        assert!(allowed(client), "{client} passed");
        if !is_proxy {
            assert_eq!(client, canonical(peer));
        }
    }
});
