//! [`ListenAddr`]: where a receiver listens, as a host (name or IP address) and a port.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};

use crate::error::ConfigError;

/// The host and port a receiver listens on: an IP address (`0.0.0.0:8080`, `[::1]:8080`) or a
/// host name (`localhost:3000`).
///
/// A host name is kept as written and resolved when the listener binds, not when the
/// configuration is read: reading stays free of DNS (no blocking lookup in an async program, no
/// failure for a name that resolves only once the network is up), and each bind sees the
/// current answer. Bind with the text (`TcpListener::bind(config.listen_addr.as_str())` in
/// tokio) or the value itself wherever `std::net::ToSocketAddrs` is taken (actix-web's
/// `HttpServer::bind`).
///
/// ```
/// use delivery_webhooks::ListenAddr;
///
/// let addr: ListenAddr = "localhost:3000".parse()?;
/// assert_eq!((addr.host(), addr.port()), ("localhost", 3000));
/// let v6: ListenAddr = "[::1]:8080".parse()?;
/// assert_eq!((v6.host(), v6.as_str()), ("::1", "[::1]:8080"));
/// assert!("localhost".parse::<ListenAddr>().is_err(), "no port");
/// # Ok::<(), delivery_webhooks::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ListenAddr {
    /// `host:port`, an IPv6 host in brackets.
    text: String,
    /// Where the host ends in `text`, brackets excluded.
    host: (usize, usize),
    port: u16,
}

impl ListenAddr {
    /// The host: an IP address (IPv6 without brackets) or a host name.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.text[self.host.0..self.host.1]
    }

    /// The port (`0`: a free one, picked by the system).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host:port`, an IPv6 host in brackets: what tokio's `TcpListener::bind` takes.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `0.0.0.0:port`: every IPv4 interface, as a platform that assigns `PORT` expects.
    pub(super) fn any_interface(port: u16) -> Self {
        SocketAddr::from(([0, 0, 0, 0], port)).into()
    }
}

/// Why a text is not a listen address (never quoting it: a configuration error quotes no value).
const EXPECTED: &str = "expected a host and port, such as 127.0.0.1:3000, localhost:3000 or \
                        [::]:8080";

impl std::str::FromStr for ListenAddr {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        let invalid = || ConfigError::whole(EXPECTED);
        let (host, port) = text.rsplit_once(':').ok_or_else(invalid)?;
        let port: u16 = port.parse().map_err(|_| invalid())?;
        let start = usize::from(host.starts_with('['));
        let bracketed = start == 1;
        let inner = if bracketed {
            host.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .ok_or_else(invalid)?
        } else {
            host
        };
        let ipv6 = inner.parse::<std::net::Ipv6Addr>().is_ok();
        // An IPv6 address needs its brackets (`::1:80` is ambiguous); a host name is letters,
        // digits, dots and hyphens (RFC 1123), an IPv4 address among them.
        let name = |h: &str| {
            !h.is_empty()
                && h.len() <= 253
                && h.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        };
        if bracketed != ipv6 || !(ipv6 || name(inner)) {
            return Err(invalid());
        }
        Ok(Self {
            text: text.to_owned(),
            host: (start, start + inner.len()),
            port,
        })
    }
}

impl From<SocketAddr> for ListenAddr {
    fn from(addr: SocketAddr) -> Self {
        let text = addr.to_string();
        let host = match addr {
            SocketAddr::V4(v4) => (0, v4.ip().to_string().len()),
            SocketAddr::V6(v6) => (1, 1 + v6.ip().to_string().len()),
        };
        Self {
            text,
            host,
            port: addr.port(),
        }
    }
}

impl ToSocketAddrs for ListenAddr {
    type Iter = std::vec::IntoIter<SocketAddr>;

    /// Resolves the host now (a name through the system's resolver).
    fn to_socket_addrs(&self) -> std::io::Result<Self::Iter> {
        (self.host(), self.port).to_socket_addrs()
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ListenAddr({})", self.text)
    }
}
