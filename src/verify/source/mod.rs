//! Source-address primitives, for providers authenticated by where they call from (Xoxoday):
//! CIDR parsing and matching, IPv4-mapped IPv6 normalisation, and the client address read
//! through trusted reverse proxies. Nothing here allocates on the verify path.

mod forwarded;
mod ip_net;

pub use forwarded::ProxyHeader;
pub(crate) use forwarded::{FORWARDED, X_FORWARDED_FOR, client_addr};
pub use ip_net::IpNet;
pub(crate) use ip_net::{any_contains, parse_nets};

#[cfg(test)]
mod tests;
