//! Xoxoday (Plum Pro): reward delivery status updates, authenticated by source address.
//!
//! # What Xoxoday sends
//! One event only: when a reward order placed through the Plum Pro API is delivered or canceled,
//! Xoxoday `POST`s a JSON [`DeliveryUpdate`] to the callback URL configured in its dashboard:
//!
//! ```json
//! {"id": 12345678901234567890,
//!  "data": {"orderId": 10254678, "poNumber": "PO-7781", "orderDate": "2019-12-27 16:41:33",
//!           "deliveryStatus": "delivered"},
//!  "createdAt": "2019-12-27 16:45:02"}
//! ```
//!
//! [`parse`] turns it into typed values.
//!
//! # How it is authenticated
//! It is not signed. Xoxoday asks receivers to allow its callback address, `52.76.120.90`, and
//! lets them add one custom header (`x-api-key: <value chosen in the dashboard>`). So the
//! [`Verifier`] checks where the request comes from — the peer address, or behind your reverse
//! proxies the client address they report — against an allowlist, and the key in constant time
//! (unless built [`without_api_key`](Verifier::without_api_key)). [`Verifier::receive`] checks,
//! then parses into the crate's [`Delivery`], deduplicated on `xoxoday:<id>`.
//!
//! # Example
//! ```
//! use std::net::IpAddr;
//! use delivery_webhooks::Request;
//! use delivery_webhooks::xoxoday::{self, DeliveryStatus};
//!
//! let body = br#"{"id":12345678901234567890,"data":{"orderId":10254678,"poNumber":"PO-7781",
//!   "orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"},"createdAt":"2019-12-27 16:45:02"}"#;
//!
//! // Built once at start-up: Xoxoday's address, your proxy, and the key set in the dashboard.
//! let verifier = xoxoday::Verifier::new("Key4Xoxoday2024")?.trusted_proxies(["10.0.0.0/8"])?;
//!
//! // In the handler: the TCP peer (here the proxy), the headers and the raw body.
//! let peer: IpAddr = "10.1.2.3".parse()?;
//! let headers = [("X-Forwarded-For", "52.76.120.90"), ("x-api-key", "Key4Xoxoday2024")];
//! let delivery = verifier.receive(&Request::new(&headers, body).peer(peer))?;
//! assert_eq!(delivery.payload.data.order_id, 10254678);
//! assert_eq!(delivery.payload.data.delivery_status, DeliveryStatus::Delivered);
//! assert_eq!(delivery.dedup_key().as_str(), "xoxoday:12345678901234567890");
//!
//! // The same request sent straight from elsewhere, claiming to be forwarded: refused.
//! let elsewhere: IpAddr = "203.0.113.9".parse()?;
//! let err = verifier.receive(&Request::new(&headers, body).peer(elsewhere)).unwrap_err();
//! assert_eq!(err.status_code(), 403);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Quirks handled
//! - `id` is documented as Number(20): twenty digits can exceed `u64`, so it is a
//!   [`WebhookId`] over `u128`, read exactly (never through a float) from a number or a string of
//!   digits, and written back as a number.
//! - `orderId` is a number or a string of digits.
//! - `deliveryStatus` matches ignoring case: Xoxoday's pages write `delivered|canceled`,
//!   `delivered|Canceled` and `Delivered|Canceled`; `pending` and `Cancelled` are accepted too,
//!   anything else is kept verbatim in [`DeliveryStatus::Other`].
//! - `poNumber` absent, `null` or `""` is `None`.
//! - Dates are documented as `YYYY-MM-DD HH:MM:SS` with no timezone: they are
//!   [`Timestamp`](crate::Timestamp)s, which read that and every other ISO 8601 form (`T`,
//!   fractional seconds, `Z` or an offset, a plain date) and keep no guessed offset.
//! - The doc's sample uses single quotes and type placeholders: the crate reads real JSON of that
//!   shape, with the camelCase names the sample shows.
//!
//! See `docs/xoxoday.md` for configuration behind proxies and what to answer.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

mod payload;

use crate::delivery::{DedupKey, Delivery, Provider};
use crate::error::{ConfigError, Error};
use crate::request::Request;
use crate::verify::TokenSet;
use crate::wire;

pub use payload::{DeliveryData, DeliveryStatus, DeliveryUpdate, WebhookId};

pub use crate::verify::{IpNet, ProxyHeader};

/// The custom header a receiver may configure in Xoxoday's dashboard (Settings > API >
/// Configure Webhook > Add Custom Header).
pub const API_KEY_HEADER: &str = "x-api-key";
/// The `X-Forwarded-For` header, read only from trusted proxies.
pub const X_FORWARDED_FOR_HEADER: &str = crate::verify::X_FORWARDED_FOR;
/// The RFC 7239 `Forwarded` header, read only from trusted proxies.
pub const FORWARDED_HEADER: &str = crate::verify::FORWARDED;

/// The address Xoxoday documents for its webhook calls, the only one a [`Verifier`] allows
/// unless told otherwise.
pub const CALLBACK_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(52, 76, 120, 90));

/// Other Xoxoday production addresses that appear on its other integration pages. Whether they
/// send webhooks is not documented, so they are not allowed by default; add them with
/// [`Verifier::allow`] only if you see genuine deliveries refused from them.
pub const OTHER_PRODUCTION_IPS: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(52, 74, 39, 101)),
    IpAddr::V4(Ipv4Addr::new(52, 221, 42, 47)),
    IpAddr::V4(Ipv4Addr::new(46, 137, 196, 217)),
];

/// Parses a Xoxoday delivery update body.
///
/// # Errors
/// [`Error::Payload`] naming the JSON path when the body is not JSON of the documented shape:
/// `id`, `data.orderId`, `data.orderDate`, `data.deliveryStatus` and `createdAt` are required.
///
/// ```
/// let body = br#"{"id":"99999999999999999999","data":{"orderId":"42","poNumber":"",
///   "orderDate":"2019-12-27 16:41:33","deliveryStatus":"Canceled"},"createdAt":"2019-12-27 16:45:02"}"#;
/// let update = delivery_webhooks::xoxoday::parse(body)?;
/// assert_eq!(update.id.get(), 99_999_999_999_999_999_999);
/// assert_eq!(update.data.po_number, None);
/// # Ok::<(), delivery_webhooks::Error>(())
/// ```
pub fn parse(body: &[u8]) -> Result<DeliveryUpdate, Error> {
    wire::parse(body)
}

/// Checks that a request comes from Xoxoday: its source address and its `x-api-key`.
///
/// Xoxoday signs nothing. Its dashboard lets you add one custom header, `x-api-key`, with a
/// value you choose: [`Verifier::new`] requires it (constant time) on top of the source
/// address. Without a key, the source address is the whole of the authenticity check: build
/// that with the explicitly named [`Verifier::without_api_key`].
///
/// - The allowed sources are `52.76.120.90` only by default; [`allowlist`](Verifier::allowlist)
///   replaces them, [`allow`](Verifier::allow) adds one: single addresses or CIDR ranges, IPv4
///   or IPv6.
/// - Behind a reverse proxy or load balancer, name it with
///   [`trusted_proxies`](Verifier::trusted_proxies): the client address is then read from
///   `X-Forwarded-For` or `Forwarded` (see [`proxy_header`](Verifier::proxy_header)), and only
///   when the peer is one of those proxies; anybody else's forwarding headers are ignored.
/// - The [`Request`] must carry the peer address ([`Request::peer`]): without it every call is
///   refused with [`Error::MissingRequestPart`] (500), a bug in the integration.
///
/// `Debug` shows the addresses but never a key.
#[derive(Clone)]
pub struct Verifier {
    allowlist: Vec<IpNet>,
    trusted_proxies: Vec<IpNet>,
    broad_ranges: bool,
    proxy_header: ProxyHeader,
    api_keys: Option<TokenSet>,
    body_limit: usize,
    body_timeout: std::time::Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("xoxoday::Verifier")
            .field("allowlist", &self.allowlist)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("broad_ranges", &self.broad_ranges)
            .field("proxy_header", &self.proxy_header)
            .field("api_keys", &self.api_keys)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .finish()
    }
}

impl Verifier {
    /// The largest body this verifier accepts unless told otherwise (`body_limit`): 64 KiB. A
    /// Xoxoday update is one order's delivery status: the documented updates are a few hundred
    /// bytes, a few KiB at most. 64 KiB is more than ten times that (`docs/security.md`, "Body
    /// limits per provider").
    pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

    /// Requires `x-api-key` to equal `api_key` (compared in constant time) and the source to be
    /// `52.76.120.90`.
    ///
    /// Xoxoday's dashboard takes 13 to 60 letters and digits; the crate only refuses an empty or
    /// blank key, so that whatever the dashboard holds can be configured here unchanged.
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if `api_key` is
    /// empty or only whitespace.
    /// [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret) if one has
    /// surrounding whitespace: header values arrive trimmed, so it could never match.
    pub fn new(api_key: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::with_secrets([api_key])
    }

    /// Requires `x-api-key` to equal any of `api_keys` (rotation: configure the new key here,
    /// then in the dashboard, then drop the old one).
    ///
    /// # Errors
    /// [`ConfigErrorKind::EmptySecret`](crate::error::ConfigErrorKind::EmptySecret) if the list or
    /// any key is empty or only whitespace.
    /// [`ConfigErrorKind::InvalidSecret`](crate::error::ConfigErrorKind::InvalidSecret) if one has
    /// surrounding whitespace: header values arrive trimmed, so it could never match.
    pub fn with_secrets<I, S>(api_keys: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Ok(Self {
            api_keys: Some(TokenSet::for_header(api_keys)?),
            ..Self::without_api_key()
        })
    }

    /// Checks the source address only, with no `x-api-key`: anyone who can send from an allowed
    /// address (or through a trusted proxy) is believed. Allows `52.76.120.90` only.
    #[must_use]
    pub fn without_api_key() -> Self {
        Self {
            allowlist: vec![IpNet::host(CALLBACK_IP)],
            trusted_proxies: Vec::new(),
            broad_ranges: false,
            proxy_header: ProxyHeader::Auto,
            api_keys: None,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
        }
    }

    /// Replaces the allowed sources with `entries`: addresses (`52.76.120.90`, `2001:db8::7`) or
    /// CIDR ranges (`52.76.120.0/24`, `2001:db8::/48`). Include `52.76.120.90` if you still want
    /// it.
    ///
    /// # Errors
    /// [`ConfigError`] for an entry that is not an address or range, or has bits set after its
    /// prefix length; for an empty list, which would refuse every request; for a range covering
    /// a large part of the internet ([`IpNet::is_broad`]), unless
    /// [`allow_broad_ranges`](Verifier::allow_broad_ranges) was called first; and for an entry
    /// overlapping a trusted proxy.
    ///
    /// ```
    /// use delivery_webhooks::xoxoday::Verifier;
    ///
    /// let v = Verifier::without_api_key().allowlist(["52.76.120.90", "52.74.39.101", "2001:db8::/32"])?;
    /// assert!(Verifier::without_api_key().allowlist(["52.76.120.90/24"]).is_err());
    /// assert!(Verifier::without_api_key().allowlist(["0.0.0.0/0"]).is_err());
    /// // Asked for by name, before the list:
    /// let open = Verifier::without_api_key().allow_broad_ranges().allowlist(["0.0.0.0/0"])?;
    /// # Ok::<(), delivery_webhooks::ConfigError>(())
    /// ```
    pub fn allowlist<I, S>(self, entries: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.set_allowlist(crate::verify::parse_nets(entries)?)
    }

    /// Lets the [`allowlist`](Verifier::allowlist), [`allow`](Verifier::allow) and
    /// [`trusted_proxies`](Verifier::trusted_proxies) calls that follow accept ranges covering a
    /// large part of the internet ([`IpNet::is_broad`]: `0.0.0.0/0`, `::/8`, a cloud provider's
    /// /12), which they refuse otherwise. Call it first: a call before it has already refused
    /// such a range.
    ///
    /// For tests and for receivers protected otherwise. With a broad allowed source, the API key
    /// is the only check that remains; with a broad trusted proxy, anyone in that range can claim
    /// any client address, so list one only when every address in it really is a proxy of yours.
    /// A proxy range overlapping an allowed source is refused even so.
    ///
    /// ```
    /// use delivery_webhooks::xoxoday::Verifier;
    ///
    /// let v = Verifier::new("Key4Xoxoday2024")?
    ///     .allow_broad_ranges()
    ///     .allowlist(["0.0.0.0/0", "::/0"])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn allow_broad_ranges(mut self) -> Self {
        self.broad_ranges = true;
        self
    }

    /// Adds one allowed source (an address converts: `allow(ip)`).
    ///
    /// # Errors
    /// [`ConfigError`] for a broad range or one overlapping a trusted proxy, as
    /// [`allowlist`](Verifier::allowlist).
    pub fn allow(self, net: impl Into<IpNet>) -> Result<Self, ConfigError> {
        let mut nets = self.allowlist.clone();
        nets.push(net.into());
        self.set_allowlist(nets)
    }

    fn set_allowlist(mut self, nets: Vec<IpNet>) -> Result<Self, ConfigError> {
        if nets.is_empty() {
            return Err(ConfigError::invalid_networks(
                "empty allowlist: every request would be refused",
            ));
        }
        check_ranges(&nets, &self.trusted_proxies, self.broad_ranges)?;
        self.allowlist = nets;
        Ok(self)
    }

    /// Names the reverse proxies and load balancers in front of the receiver, as addresses or
    /// CIDR ranges. Replaces any earlier list; an empty list trusts none.
    ///
    /// When the peer is one of them, the client address is read from the forwarding header:
    /// the rightmost hop that is not a trusted proxy (the leftmost if all are). List every
    /// proxy of a chain. Never list a range that the public can send from.
    ///
    /// # Errors
    /// [`ConfigError`] for an entry that is not an address or range; for a range covering a
    /// large part of the internet ([`IpNet::is_broad`]: `::/8` would trust every IPv4 peer),
    /// unless [`allow_broad_ranges`](Verifier::allow_broad_ranges) was called first; and for a
    /// range holding an allowed source, which would let anyone
    /// reaching the receiver from there claim to be Xoxoday.
    ///
    /// ```
    /// use delivery_webhooks::xoxoday::Verifier;
    ///
    /// let v = Verifier::without_api_key().trusted_proxies(["10.0.0.0/8", "fd00::/8"])?;
    /// assert!(Verifier::without_api_key().trusted_proxies(["::/0"]).is_err());
    /// assert!(Verifier::without_api_key().trusted_proxies(["52.76.120.0/24"]).is_err());
    /// # Ok::<(), delivery_webhooks::ConfigError>(())
    /// ```
    pub fn trusted_proxies<I, S>(mut self, entries: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let nets = crate::verify::parse_nets(entries)?;
        check_ranges(&nets, &self.allowlist, self.broad_ranges)?;
        self.trusted_proxies = nets;
        Ok(self)
    }

    /// Which forwarding header the trusted proxies set ([`ProxyHeader::Auto`] by default).
    #[must_use]
    pub fn proxy_header(mut self, header: ProxyHeader) -> Self {
        self.proxy_header = header;
        self
    }

    crate::body::limit_builders!();

    /// The client address a request is judged on: the peer, or behind a trusted proxy the
    /// address it forwarded (IPv4-mapped IPv6 as IPv4). Useful for logging.
    ///
    /// # Errors
    /// [`Error::MissingRequestPart`] without a peer address; [`Error::InvalidHeader`] for a
    /// malformed, hidden or contradictory forwarding header from a trusted proxy.
    pub fn client_addr(&self, request: &Request<'_>) -> Result<IpAddr, Error> {
        let peer = request
            .peer
            .ok_or(Error::MissingRequestPart { part: Error::PEER })?;
        crate::verify::client_addr(
            peer,
            request.headers,
            &self.trusted_proxies,
            self.proxy_header,
        )
    }

    /// Checks the body size, the source address and, unless built
    /// [`without_api_key`](Verifier::without_api_key), the API key. Allocates nothing.
    ///
    /// # Errors
    /// - [`Error::BodyTooLarge`] (413);
    /// - [`Error::MissingRequestPart`] (500) when the request carries no peer address;
    /// - [`Error::UntrustedSource`] (403) when the client is not allowed;
    /// - [`Error::InvalidHeader`] (400) for a bad forwarding header from a trusted proxy;
    /// - [`Error::MissingHeader`] (401) without `x-api-key`, [`Error::TokenMismatch`] (401) for
    ///   a wrong one, [`Error::ConflictingHeader`] (400) for two different ones.
    pub fn verify(&self, request: &Request<'_>) -> Result<(), Error> {
        crate::body::check_body_size(request.body, self.body_limit)?;
        self.verify_head(request)
    }

    /// Checks what the request head proves without its body, before a framework adapter reads
    /// the body: the source address and the API key, the whole credential. Allocates nothing;
    /// the body is not looked at.
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify) but [`Error::BodyTooLarge`].
    pub fn verify_head(&self, head: &Request<'_>) -> Result<(), Error> {
        let client = self.client_addr(head)?;
        if !crate::verify::any_contains(&self.allowlist, client) {
            return Err(Error::UntrustedSource { addr: client });
        }
        if let Some(keys) = &self.api_keys {
            let key = head.headers.require(API_KEY_HEADER)?;
            if !keys.matches(key.as_bytes()) {
                return Err(Error::TokenMismatch);
            }
        }
        Ok(())
    }

    /// [`verify`](Verifier::verify), then [`parse`]; the dedup key is `xoxoday:<id>`.
    ///
    /// # Errors
    /// Those of [`verify`](Verifier::verify), then those of [`parse`].
    pub fn receive(&self, request: &Request<'_>) -> Result<Delivery<DeliveryUpdate>, Error> {
        self.verify(request)?;
        let update = parse(request.body)?;
        let key = DedupKey::new(Provider::Xoxoday, update.id);
        Ok(Delivery::new(Provider::Xoxoday, key, update))
    }
}

crate::delivery::receive_by_inherent_methods!(Verifier, Provider::Xoxoday, DeliveryUpdate);

/// Refuses, among `nets`, a broad range (unless `broad_ok`) and any range overlapping one of
/// `others` (the allowlist against the proxies, or the reverse): a proxy range holding an
/// allowed source would let a client there forge its address.
fn check_ranges(nets: &[IpNet], others: &[IpNet], broad_ok: bool) -> Result<(), ConfigError> {
    for net in nets {
        if !broad_ok && net.is_broad() {
            return Err(ConfigError::invalid_network(
                net.to_string(),
                "covers a large part of the internet; call `allow_broad_ranges()` first if you mean it",
            ));
        }
        if others.iter().any(|other| other.overlaps(net)) {
            return Err(ConfigError::invalid_network(
                net.to_string(),
                "overlaps both the allowed sources and the trusted proxies",
            ));
        }
    }
    Ok(())
}
