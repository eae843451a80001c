use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use super::{Error, fmt};
use crate::headers::Headers;

/// An IP network: one address (`52.76.120.90`, `2001:db8::1`) or a CIDR range (`10.0.0.0/8`,
/// `2001:db8::/32`), IPv4 or IPv6.
///
/// Used for source allowlists and trusted proxies. Parse one with [`str::parse`] or build it
/// with [`IpNet::new`]; an address alone is the network of that one address (`/32`, `/128`).
///
/// An IPv4-mapped IPv6 address (`::ffff:52.76.120.90`) is the IPv4 address it carries, both as
/// a network (`::ffff:52.76.120.0/120` is `52.76.120.0/24`) and as an address tested with
/// [`contains`](IpNet::contains): dual-stack servers report IPv4 peers in that form. An IPv6
/// network wider than `/96` that covers the mapped range (`::/0`) contains IPv4 addresses too.
///
/// A range with bits set after the prefix (`10.0.0.1/8`) is refused rather than silently
/// truncated: it is almost always a typo, and a typo in an allowlist is a security problem.
///
/// ```
/// # #[cfg(feature = "xoxoday")] {
/// use delivery_webhooks::xoxoday::IpNet;
///
/// let net: IpNet = "52.76.120.0/24".parse()?;
/// assert!(net.contains("52.76.120.90".parse()?));
/// assert!(net.contains("::ffff:52.76.120.90".parse()?));
/// assert!(!net.contains("52.76.121.1".parse()?));
///
/// let one: IpNet = "2001:db8::1".parse()?;
/// assert_eq!(one.prefix_len(), 128);
/// assert!("10.0.0.1/8".parse::<IpNet>().is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet {
    // Invariants: canonical (IPv4-mapped networks of prefix >= 96 stored as IPv4), prefix within
    // the family's length, no bits set after the prefix.
    addr: IpAddr,
    prefix: u8,
}

/// Why a string or an address and prefix length is not an [`IpNet`].
///
/// A configuration error, met when a verifier is built, never while receiving: it says which
/// entry is wrong and why (addresses are not secret, so the entry is shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIpNet {
    input: String,
    reason: &'static str,
}

impl InvalidIpNet {
    pub(crate) fn new(input: impl Into<String>, reason: &'static str) -> Self {
        Self {
            input: input.into(),
            reason,
        }
    }

    /// The entry as given.
    #[must_use]
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for InvalidIpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid ip network `{}`: {}", self.input, self.reason)
    }
}

impl std::error::Error for InvalidIpNet {}

fn mask_v4(prefix: u8) -> u32 {
    // A shift by the full width would overflow: /0 is the empty mask.
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl IpNet {
    /// The network of `prefix_len` leading bits of `addr`.
    ///
    /// # Errors
    /// [`InvalidIpNet`] when the prefix is longer than the address (32 bits for IPv4, 128 for
    /// IPv6) or `addr` has bits set after the prefix.
    pub fn new(addr: IpAddr, prefix_len: u8) -> Result<Self, InvalidIpNet> {
        let too_long = || {
            InvalidIpNet::new(
                format!("{addr}/{prefix_len}"),
                "prefix length longer than the address",
            )
        };
        let (addr, prefix) = match addr {
            IpAddr::V4(_) if prefix_len > 32 => return Err(too_long()),
            IpAddr::V6(_) if prefix_len > 128 => return Err(too_long()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                // `::ffff:a.b.c.d/n` with n >= 96 is the IPv4 network a.b.c.d/(n - 96).
                Some(v4) if prefix_len >= 96 => (IpAddr::V4(v4), prefix_len - 96),
                _ => (addr, prefix_len),
            },
            IpAddr::V4(_) => (addr, prefix_len),
        };
        let clean = match addr {
            IpAddr::V4(a) => u32::from(a) & !mask_v4(prefix) == 0,
            IpAddr::V6(a) => u128::from(a) & !mask_v6(prefix) == 0,
        };
        if !clean {
            return Err(InvalidIpNet::new(
                format!("{addr}/{prefix}"),
                "address has bits set after the prefix length",
            ));
        }
        Ok(Self { addr, prefix })
    }

    /// The network of one address (`/32` or `/128`).
    #[must_use]
    pub fn host(addr: IpAddr) -> Self {
        let addr = addr.to_canonical();
        let prefix = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        Self { addr, prefix }
    }

    /// The network address (an IPv4-mapped network is reported as IPv4).
    #[must_use]
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    #[must_use]
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network. IPv4-mapped IPv6 addresses are tested as IPv4.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                u32::from(a) & mask_v4(self.prefix) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                u128::from(a) & mask_v6(self.prefix) == u128::from(net)
            }
            (IpAddr::V6(net), IpAddr::V4(a)) => {
                u128::from(a.to_ipv6_mapped()) & mask_v6(self.prefix) == u128::from(net)
            }
            (IpAddr::V4(_), IpAddr::V6(_)) => false,
        }
    }
}

impl From<IpAddr> for IpNet {
    fn from(addr: IpAddr) -> Self {
        Self::host(addr)
    }
}

impl From<Ipv4Addr> for IpNet {
    fn from(addr: Ipv4Addr) -> Self {
        Self::host(IpAddr::V4(addr))
    }
}

impl From<Ipv6Addr> for IpNet {
    fn from(addr: Ipv6Addr) -> Self {
        Self::host(IpAddr::V6(addr))
    }
}

impl FromStr for IpNet {
    type Err = InvalidIpNet;

    /// `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or an IPv6 address `/n`; surrounding whitespace
    /// ignored.
    fn from_str(s: &str) -> Result<Self, InvalidIpNet> {
        let text = s.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| InvalidIpNet::new(s, "not an ip address"))?;
        let prefix = match prefix {
            None => match addr {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            },
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse()
                .map_err(|_| InvalidIpNet::new(s, "prefix length longer than the address"))?,
            Some(_) => return Err(InvalidIpNet::new(s, "prefix length is not a number")),
        };
        Self::new(addr, prefix).map_err(|e| InvalidIpNet::new(s, e.reason))
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl fmt::Debug for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Parses a list of networks, e.g. from configuration.
pub(crate) fn parse_nets<I, S>(entries: I) -> Result<Vec<IpNet>, InvalidIpNet>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    entries.into_iter().map(|e| e.as_ref().parse()).collect()
}

/// Whether any of `nets` contains `ip`.
pub(crate) fn any_contains(nets: &[IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(ip))
}

/// Which forwarding header the receiver's trusted reverse proxies set.
///
/// Only consulted when the peer is a trusted proxy. Name the one your proxy writes when you
/// know it: a header the proxy does not touch is whatever the client sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxyHeader {
    /// Whichever of `X-Forwarded-For` and `Forwarded` is present. When both are, they must
    /// name the same client, or the request is refused ([`Error::InvalidHeader`]): a proxy
    /// maintains one of them, so the other was forged by the client (or comes from another
    /// proxy; then name the header explicitly).
    #[default]
    Auto,
    /// `X-Forwarded-For` only (nginx `$proxy_add_x_forwarded_for`, AWS ALB, most load
    /// balancers); `Forwarded` is ignored.
    XForwardedFor,
    /// RFC 7239 `Forwarded` only; `X-Forwarded-For` is ignored.
    Forwarded,
}

/// The `X-Forwarded-For` header.
pub(crate) const X_FORWARDED_FOR: &str = "x-forwarded-for";
/// The RFC 7239 `Forwarded` header.
pub(crate) const FORWARDED: &str = "forwarded";

/// The address of the client a request came from.
///
/// The peer address (the TCP connection's remote end) is the client unless it is one of the
/// `trusted` proxies. Then the forwarding header named by `mode` is read, hop by hop from the
/// right (the proxy nearest to us appends last): the client is the rightmost hop that is not a
/// trusted proxy, or the leftmost hop when all of them are. Hops left of the client were written
/// by the client itself and are never looked at. A trusted peer without forwarding headers is
/// the client. The result is canonical: an IPv4-mapped IPv6 address is returned as IPv4.
///
/// Several lines of the same forwarding header are one list, in order (RFC 9110 §5.3): unlike a
/// credential header, different values are expected there, one per proxy.
///
/// # Errors
/// [`Error::InvalidHeader`] (400) when the hop that decides is malformed, hidden (`unknown`, an
/// obfuscated identifier) or the header is not readable text, or when `X-Forwarded-For` and
/// `Forwarded` disagree in [`ProxyHeader::Auto`] mode. Never when the peer is not trusted.
pub(crate) fn client_addr<H: Headers + ?Sized>(
    peer: IpAddr,
    headers: &H,
    trusted: &[IpNet],
    mode: ProxyHeader,
) -> Result<IpAddr, Error> {
    let peer = peer.to_canonical();
    if !any_contains(trusted, peer) {
        // Forwarding headers from anyone else are the client's own claims: ignored.
        return Ok(peer);
    }
    let xff = match mode {
        ProxyHeader::Auto | ProxyHeader::XForwardedFor => from_x_forwarded_for(headers, trusted)?,
        ProxyHeader::Forwarded => None,
    };
    let fwd = match mode {
        ProxyHeader::Auto | ProxyHeader::Forwarded => from_forwarded(headers, trusted)?,
        ProxyHeader::XForwardedFor => None,
    };
    match (xff, fwd) {
        (Some(a), Some(b)) if a != b => Err(Error::InvalidHeader {
            name: FORWARDED,
            reason: "forwarded and x-forwarded-for name different clients",
        }),
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Ok(peer),
    }
}

/// One hop of a forwarding header.
#[derive(Clone, Copy)]
enum Hop {
    Ip(IpAddr),
    /// `unknown` or an obfuscated identifier: a hop that chose not to say.
    Hidden,
    /// Not a node; the reason is reported only if this hop decides.
    Malformed(&'static str),
}

/// The hops read so far, left to right. The rightmost untrusted hop is the last untrusted one
/// seen, so one forward pass suffices and nothing is stored.
struct Hops<'t> {
    trusted: &'t [IpNet],
    first: Option<Hop>,
    last_untrusted: Option<Hop>,
}

impl<'t> Hops<'t> {
    fn new(trusted: &'t [IpNet]) -> Self {
        Self {
            trusted,
            first: None,
            last_untrusted: None,
        }
    }

    fn push(&mut self, hop: Hop) {
        if self.first.is_none() {
            self.first = Some(hop);
        }
        let is_trusted = matches!(hop, Hop::Ip(ip) if any_contains(self.trusted, ip));
        if !is_trusted {
            self.last_untrusted = Some(hop);
        }
    }

    fn finish(self, name: &'static str) -> Result<Option<IpAddr>, Error> {
        match self.last_untrusted.or(self.first) {
            None => Ok(None),
            Some(Hop::Ip(ip)) => Ok(Some(ip)),
            Some(Hop::Hidden) => Err(Error::InvalidHeader {
                name,
                reason: "the client address is hidden (unknown or obfuscated)",
            }),
            Some(Hop::Malformed(reason)) => Err(Error::InvalidHeader { name, reason }),
        }
    }
}

/// Visible ASCII plus spaces and tabs, as `Headers::get` requires of every header.
fn is_field_text(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

fn from_x_forwarded_for<H: Headers + ?Sized>(
    headers: &H,
    trusted: &[IpNet],
) -> Result<Option<IpAddr>, Error> {
    let mut hops = Hops::new(trusted);
    let mut unreadable = false;
    headers.for_each_value(X_FORWARDED_FOR, &mut |line| {
        if !is_field_text(line) {
            unreadable = true;
            return;
        }
        if line.trim_ascii().is_empty() {
            return;
        }
        for part in line.split(|&b| b == b',') {
            let part = part.trim_ascii();
            hops.push(match std::str::from_utf8(part) {
                Ok("") => Hop::Malformed("the client hop is empty"),
                Ok(text) => node(text, false),
                Err(_) => Hop::Malformed("the client hop is not an ip address"),
            });
        }
    });
    if unreadable {
        return Err(Error::InvalidHeader {
            name: X_FORWARDED_FOR,
            reason: "not visible ascii text",
        });
    }
    hops.finish(X_FORWARDED_FOR)
}

fn from_forwarded<H: Headers + ?Sized>(
    headers: &H,
    trusted: &[IpNet],
) -> Result<Option<IpAddr>, Error> {
    let mut hops = Hops::new(trusted);
    let mut error: Option<&'static str> = None;
    headers.for_each_value(FORWARDED, &mut |line| {
        if error.is_some() {
            return;
        }
        if !is_field_text(line) {
            error = Some("not visible ascii text");
            return;
        }
        if let Err(reason) = forwarded_line(line, &mut hops) {
            error = Some(reason);
        }
    });
    if let Some(reason) = error {
        return Err(Error::InvalidHeader {
            name: FORWARDED,
            reason,
        });
    }
    hops.finish(FORWARDED)
}

/// RFC 7239 token characters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Reads one line of `Forwarded`: `for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"`.
///
/// A syntax error (an unterminated quote, a missing `=`) makes the rest of the line impossible
/// to split into elements, so it fails the whole header; an element that parses but names no
/// usable client becomes a malformed hop, which only matters if it is the one that decides.
fn forwarded_line(line: &[u8], hops: &mut Hops<'_>) -> Result<(), &'static str> {
    let n = line.len();
    let mut i = 0;
    let skip_ows = |i: &mut usize| {
        while *i < n && (line[*i] == b' ' || line[*i] == b'\t') {
            *i += 1;
        }
    };
    loop {
        // One element: pairs separated by `;`, ended by `,` or the end of the line.
        let mut any_pair = false;
        let mut for_value: Option<(&[u8], bool)> = None;
        let mut duplicate_for = false;
        let end_of_line = loop {
            skip_ows(&mut i);
            if i < n && line[i] != b';' && line[i] != b',' {
                let start = i;
                while i < n && is_tchar(line[i]) {
                    i += 1;
                }
                let name = &line[start..i];
                if name.is_empty() {
                    return Err("expected a parameter name");
                }
                if line.get(i) != Some(&b'=') {
                    return Err("expected `=` after a parameter name");
                }
                i += 1;
                let (value, escaped) = if line.get(i) == Some(&b'"') {
                    i += 1;
                    let start = i;
                    let mut escaped = false;
                    loop {
                        match line.get(i) {
                            None => return Err("unterminated quoted string"),
                            Some(b'"') => break,
                            Some(b'\\') => {
                                escaped = true;
                                i += 2;
                            }
                            Some(_) => i += 1,
                        }
                    }
                    let value = line.get(start..i).ok_or("unterminated quoted string")?;
                    i += 1;
                    (value, escaped)
                } else {
                    // Lenient: a bare `[2001:db8::1]` is not a token, but proxies send it.
                    let start = i;
                    while i < n && !matches!(line[i], b';' | b',' | b' ' | b'\t' | b'"') {
                        i += 1;
                    }
                    if start == i {
                        return Err("empty parameter value");
                    }
                    (&line[start..i], false)
                };
                any_pair = true;
                if name.eq_ignore_ascii_case(b"for") {
                    if for_value.is_some() {
                        duplicate_for = true;
                    }
                    for_value = Some((value, escaped));
                }
                skip_ows(&mut i);
            }
            match line.get(i) {
                None => break true,
                Some(b';') => i += 1,
                Some(b',') => {
                    i += 1;
                    break false;
                }
                Some(_) => return Err("unexpected character between parameters"),
            }
        };
        if any_pair {
            hops.push(match for_value {
                _ if duplicate_for => {
                    Hop::Malformed("the client element has several for= parameters")
                }
                None => Hop::Malformed("the client element has no for= parameter"),
                Some((_, true)) => Hop::Malformed("the client for= value is not a node"),
                Some((value, false)) => match std::str::from_utf8(value) {
                    Ok(text) => node(text.trim(), true),
                    Err(_) => Hop::Malformed("the client for= value is not a node"),
                },
            });
        }
        if end_of_line {
            return Ok(());
        }
    }
}

/// A port: 1 to 5 digits up to 65535, or (in `Forwarded`) an obfuscated `_port`.
fn is_port(p: &str, obfuscated_ok: bool) -> bool {
    if obfuscated_ok && is_obfuscated(p) {
        return true;
    }
    !p.is_empty()
        && p.len() <= 5
        && p.bytes().all(|b| b.is_ascii_digit())
        && p.parse::<u32>().is_ok_and(|v| v <= 65535)
}

/// RFC 7239 obfuscated identifier: `_` then letters, digits, `.`, `_`, `-`.
fn is_obfuscated(s: &str) -> bool {
    s.strip_prefix('_').is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    })
}

/// A node: `192.0.2.60`, `192.0.2.60:8080`, `[2001:db8::17]`, `[2001:db8::17]:4711`, a bare
/// IPv6 address, `unknown`, and (for `Forwarded`) an obfuscated `_name`, each with an optional
/// port. Addresses come back canonical (IPv4-mapped IPv6 as IPv4).
fn node(text: &str, forwarded: bool) -> Hop {
    const NOT_A_NODE: &str = "the client hop is not an ip address";
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Hop::Ip(ip.to_canonical());
    }
    if let Some(rest) = text.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return Hop::Malformed(NOT_A_NODE);
        };
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|p| is_port(p, forwarded));
        return match inside.parse::<Ipv6Addr>() {
            Ok(ip) if port_ok => Hop::Ip(IpAddr::V6(ip).to_canonical()),
            _ => Hop::Malformed(NOT_A_NODE),
        };
    }
    let (name, port_ok) = match text.split_once(':') {
        Some((name, port)) => (name, is_port(port, forwarded)),
        None => (text, true),
    };
    if !port_ok {
        return Hop::Malformed(NOT_A_NODE);
    }
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        Hop::Ip(IpAddr::V4(ip))
    } else if name.eq_ignore_ascii_case("unknown") || (forwarded && is_obfuscated(name)) {
        Hop::Hidden
    } else {
        Hop::Malformed(NOT_A_NODE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(err.input(), bad);
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
}
