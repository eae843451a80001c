//! The client address behind trusted reverse proxies: `X-Forwarded-For` and RFC 7239 `Forwarded`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ip_net::{IpNet, any_contains};
use crate::error::Error;
use crate::headers::Headers;

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
/// credential header, different values are expected there, one per proxy. A header source that
/// cannot vouch for line order ([`Headers::keeps_line_order`]) may send one line only.
///
/// # Errors
/// [`Error::InvalidHeader`] (400) when the hop that decides is malformed, hidden (`unknown`, an
/// obfuscated identifier) or the header is not readable text, or when `X-Forwarded-For` and
/// `Forwarded` disagree in [`ProxyHeader::Auto`] mode, or when an unordered header source sends
/// a forwarding header on several lines. Never when the peer is not trusted.
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
pub(super) enum Hop {
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

/// Refuses a forwarding header sent on several lines by a source that cannot vouch for their
/// order (see [`Headers::keeps_line_order`]): the client is read from the right end of the list,
/// so an order chosen by map iteration would let a client's own line decide.
fn check_line_order<H: Headers + ?Sized>(headers: &H, name: &'static str) -> Result<(), Error> {
    if headers.keeps_line_order() {
        return Ok(());
    }
    let mut lines = 0usize;
    headers.for_each_value(name, &mut |line| {
        if !line.trim_ascii().is_empty() {
            lines += 1;
        }
    });
    if lines > 1 {
        return Err(Error::InvalidHeader {
            name,
            reason: "sent on several lines, by a header source that does not keep their order",
        });
    }
    Ok(())
}

fn from_x_forwarded_for<H: Headers + ?Sized>(
    headers: &H,
    trusted: &[IpNet],
) -> Result<Option<IpAddr>, Error> {
    check_line_order(headers, X_FORWARDED_FOR)?;
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
    check_line_order(headers, FORWARDED)?;
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
pub(super) fn node(text: &str, forwarded: bool) -> Hop {
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
