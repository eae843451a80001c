//! IP networks: single addresses and CIDR ranges, IPv4-mapped IPv6 normalised.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use std::fmt;

use crate::error::ConfigError;

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
    /// [`ConfigError`] ([`InvalidNetwork`](crate::error::ConfigErrorKind::InvalidNetwork)) when the
    /// prefix is longer than the address (32 bits for IPv4, 128 for IPv6) or `addr` has bits set
    /// after the prefix.
    pub fn new(addr: IpAddr, prefix_len: u8) -> Result<Self, ConfigError> {
        let too_long = || {
            ConfigError::invalid_network(
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
            return Err(ConfigError::invalid_network(
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

    /// Whether this network covers a large part of the public internet: an IPv4 prefix shorter
    /// than `/16` or an IPv6 prefix shorter than `/32`, unless the whole range is private space
    /// that is never routed on the internet (IPv4 `10.0.0.0/8`, `172.16.0.0/12`, `100.64.0.0/10`,
    /// `127.0.0.0/8`; IPv6 `fc00::/7`, `fe80::/10`); or an IPv6 network holding every
    /// IPv4-mapped address (`::/8` or `::/80` trust every IPv4 peer of a dual-stack server).
    ///
    /// Such a range is almost always a mistake in an allowlist or a list of trusted proxies (a
    /// `/9` of a cloud provider's space holds millions of other tenants' addresses), so the
    /// verifiers refuse it unless asked for it by name.
    ///
    /// ```
    /// # #[cfg(feature = "xoxoday")] {
    /// use delivery_webhooks::xoxoday::IpNet;
    ///
    /// for broad in [
    ///     "0.0.0.0/0", "52.0.0.0/9", "52.76.0.0/15", "11.0.0.0/8", "::/0", "::/8",
    ///     "::ffff:0:0/96", "::/80", "2000::/3", "2600:1f00::/24", "2001:db8::/31",
    /// ] {
    ///     assert!(broad.parse::<IpNet>()?.is_broad(), "{broad}");
    /// }
    /// for narrow in [
    ///     "52.76.0.0/16", "52.76.120.90", "10.0.0.0/8", "172.16.0.0/12", "2001:db8::/32",
    ///     "fd00::/8", "fe80::/10",
    /// ] {
    ///     assert!(!narrow.parse::<IpNet>()?.is_broad(), "{narrow}");
    /// }
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_broad(&self) -> bool {
        match self.addr {
            IpAddr::V4(_) => self.prefix < 16 && !self.is_private(),
            IpAddr::V6(_) => {
                // What matters is the share of the public internet, and every IPv4 address
                // through the mapped range.
                let holds_mapped = self.prefix <= 96
                    && self.contains(IpAddr::V6(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0)));
                holds_mapped || (self.prefix < 32 && !self.is_private())
            }
        }
    }

    /// Whether the whole network lies in one of the ranges never routed on the public internet
    /// (private, shared, loopback, unique local, link-local): wide ones there expose no
    /// outsider's address.
    fn is_private(&self) -> bool {
        const V4: [([u8; 4], u8); 4] = [
            ([10, 0, 0, 0], 8),
            ([172, 16, 0, 0], 12),
            ([100, 64, 0, 0], 10),
            ([127, 0, 0, 0], 8),
        ];
        const V6: [(u16, u8); 2] = [(0xfc00, 7), (0xfe80, 10)];
        let within = |net: IpNet| self.prefix >= net.prefix && net.contains(self.addr);
        match self.addr {
            IpAddr::V4(_) => V4.iter().any(|&(a, prefix)| {
                within(IpNet {
                    addr: IpAddr::V4(Ipv4Addr::from(a)),
                    prefix,
                })
            }),
            IpAddr::V6(_) => V6.iter().any(|&(first, prefix)| {
                within(IpNet {
                    addr: IpAddr::V6(Ipv6Addr::new(first, 0, 0, 0, 0, 0, 0, 0)),
                    prefix,
                })
            }),
        }
    }

    /// Whether the two networks share any address (for CIDR ranges: one holds the other).
    #[must_use]
    pub fn overlaps(&self, other: &IpNet) -> bool {
        self.contains(other.addr) || other.contains(self.addr)
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
    type Err = ConfigError;

    /// `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or an IPv6 address `/n`; surrounding whitespace
    /// ignored.
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let text = s.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| ConfigError::invalid_network(s, "not an ip address"))?;
        let prefix = match prefix {
            None => match addr {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            },
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().map_err(|_| {
                    ConfigError::invalid_network(s, "prefix length longer than the address")
                })?
            }
            Some(_) => {
                return Err(ConfigError::invalid_network(
                    s,
                    "prefix length is not a number",
                ));
            }
        };
        Self::new(addr, prefix).map_err(|e| e.with_entry(s))
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
pub(crate) fn parse_nets<I, S>(entries: I) -> Result<Vec<IpNet>, ConfigError>
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
