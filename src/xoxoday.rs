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
//! proxies the client address they report — against an allowlist, and optionally the key, in
//! constant time. [`Verifier::receive`] checks, then parses.
//!
//! # Example
//! ```
//! use std::net::IpAddr;
//! use delivery_webhooks::xoxoday::{self, DeliveryStatus};
//!
//! let body = br#"{"id":12345678901234567890,"data":{"orderId":10254678,"poNumber":"PO-7781",
//!   "orderDate":"2019-12-27 16:41:33","deliveryStatus":"delivered"},"createdAt":"2019-12-27 16:45:02"}"#;
//!
//! // Built once at start-up: Xoxoday's address, your proxy, and the key set in the dashboard.
//! let verifier = xoxoday::Verifier::default()
//!     .trusted_proxies(["10.0.0.0/8"])?
//!     .api_key("Key4Xoxoday2024")?;
//!
//! // In the handler: the TCP peer (here the proxy), the headers and the raw body.
//! let peer: IpAddr = "10.1.2.3".parse()?;
//! let headers = [("X-Forwarded-For", "52.76.120.90"), ("x-api-key", "Key4Xoxoday2024")];
//! let update = verifier.receive(peer, &headers, body)?;
//! assert_eq!(update.data.order_id, 10254678);
//! assert_eq!(update.data.delivery_status, DeliveryStatus::Delivered);
//! assert_eq!(update.dedup_key().get(), 12345678901234567890);
//!
//! // The same request sent straight from elsewhere, claiming to be forwarded: refused.
//! let err = verifier.receive("203.0.113.9".parse()?, &headers, body).unwrap_err();
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
//! - Dates are `YYYY-MM-DD HH:MM:SS` with no documented timezone ([`Timestamp::Naive`]); an
//!   RFC 3339 date with an offset is accepted too ([`Timestamp::Offset`]).
//! - The doc's sample uses single quotes and type placeholders: the crate reads real JSON of that
//!   shape, with the camelCase names the sample shows.
//!
//! See `docs/xoxoday.md` for configuration behind proxies and what to answer.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::Error;
use crate::headers::Headers;
use crate::json;
use crate::macros::wire_enum;
use crate::verify::TokenSet;

pub use crate::verify::{InvalidIpNet, IpNet, ProxyHeader};

/// The custom header a receiver may configure in Xoxoday's dashboard (Settings > API >
/// Configure Webhook > Add Custom Header).
pub const API_KEY_HEADER: &str = "x-api-key";
/// The `X-Forwarded-For` header, read only from trusted proxies.
pub const X_FORWARDED_FOR_HEADER: &str = crate::verify::X_FORWARDED_FOR;
/// The RFC 7239 `Forwarded` header, read only from trusted proxies.
pub const FORWARDED_HEADER: &str = crate::verify::FORWARDED;

/// The address Xoxoday documents for its webhook calls, the only one [`Verifier::default`]
/// allows.
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
    json::parse(body)
}

/// Checks that a request comes from Xoxoday: its source address and, optionally, `x-api-key`.
///
/// Xoxoday signs nothing, so the source address is the whole of its authenticity: a request
/// from an allowed address is genuine as far as anything can tell. The optional API key adds a
/// shared secret on top (sent in the clear, so only worth it over HTTPS).
///
/// - [`Verifier::default`] allows `52.76.120.90` only, trusts no proxy and checks no key.
/// - [`allowlist`](Verifier::allowlist) replaces the allowed sources, [`allow`](Verifier::allow)
///   adds one: single addresses or CIDR ranges, IPv4 or IPv6.
/// - Behind a reverse proxy or load balancer, name it with
///   [`trusted_proxies`](Verifier::trusted_proxies): the client address is then read from
///   `X-Forwarded-For` or `Forwarded` (see [`proxy_header`](Verifier::proxy_header)), and only
///   when the peer is one of those proxies; anybody else's forwarding headers are ignored.
/// - [`api_key`](Verifier::api_key)/[`api_keys`](Verifier::api_keys) require `x-api-key`.
///
/// `Debug` shows the addresses but never a key.
#[derive(Clone)]
pub struct Verifier {
    allowlist: Vec<IpNet>,
    trusted_proxies: Vec<IpNet>,
    proxy_header: ProxyHeader,
    api_keys: Option<TokenSet>,
    max_body_size: usize,
}

impl Default for Verifier {
    /// Allows [`CALLBACK_IP`] only; no trusted proxy; no API key.
    fn default() -> Self {
        Self {
            allowlist: vec![IpNet::host(CALLBACK_IP)],
            trusted_proxies: Vec::new(),
            proxy_header: ProxyHeader::Auto,
            api_keys: None,
            max_body_size: crate::DEFAULT_MAX_BODY_SIZE,
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("xoxoday::Verifier")
            .field("allowlist", &self.allowlist)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("proxy_header", &self.proxy_header)
            .field("api_keys", &self.api_keys)
            .field("max_body_size", &self.max_body_size)
            .finish()
    }
}

impl Verifier {
    /// The same as [`Verifier::default`]: allows `52.76.120.90` only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the allowed sources with `entries`: addresses (`52.76.120.90`, `2001:db8::7`) or
    /// CIDR ranges (`52.76.120.0/24`, `2001:db8::/48`). Include `52.76.120.90` if you still want
    /// it.
    ///
    /// # Errors
    /// [`InvalidIpNet`] for an entry that is not an address or range, or has bits set after its
    /// prefix length; and for an empty list, which would refuse every request.
    ///
    /// ```
    /// use delivery_webhooks::xoxoday::Verifier;
    ///
    /// let v = Verifier::default().allowlist(["52.76.120.90", "52.74.39.101", "2001:db8::/32"])?;
    /// assert!(Verifier::default().allowlist(["52.76.120.90/24"]).is_err());
    /// # Ok::<(), delivery_webhooks::xoxoday::InvalidIpNet>(())
    /// ```
    pub fn allowlist<I, S>(mut self, entries: I) -> Result<Self, InvalidIpNet>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let nets = crate::verify::parse_nets(entries)?;
        if nets.is_empty() {
            return Err(InvalidIpNet::new(
                "",
                "empty allowlist: every request would be refused",
            ));
        }
        self.allowlist = nets;
        Ok(self)
    }

    /// Adds one allowed source (an address converts: `allow(ip)`).
    #[must_use]
    pub fn allow(mut self, net: impl Into<IpNet>) -> Self {
        self.allowlist.push(net.into());
        self
    }

    /// Names the reverse proxies and load balancers in front of the receiver, as addresses or
    /// CIDR ranges. Replaces any earlier list; an empty list trusts none.
    ///
    /// When the peer is one of them, the client address is read from the forwarding header:
    /// the rightmost hop that is not a trusted proxy (the leftmost if all are). List every
    /// proxy of a chain. Never list a range that the public can send from.
    ///
    /// # Errors
    /// [`InvalidIpNet`] for an entry that is not an address or range.
    pub fn trusted_proxies<I, S>(mut self, entries: I) -> Result<Self, InvalidIpNet>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.trusted_proxies = crate::verify::parse_nets(entries)?;
        Ok(self)
    }

    /// Which forwarding header the trusted proxies set ([`ProxyHeader::Auto`] by default).
    #[must_use]
    pub fn proxy_header(mut self, header: ProxyHeader) -> Self {
        self.proxy_header = header;
        self
    }

    /// Requires `x-api-key` to equal `key`, compared in constant time.
    ///
    /// Xoxoday's dashboard takes 13 to 60 letters and digits; the crate only refuses an empty
    /// key, so that whatever the dashboard holds can be configured here unchanged.
    ///
    /// # Errors
    /// [`Error::EmptySecret`] if `key` is empty.
    pub fn api_key(self, key: impl AsRef<[u8]>) -> Result<Self, Error> {
        self.api_keys([key])
    }

    /// Requires `x-api-key` to equal any of `keys` (rotation: configure the new key here, then
    /// in the dashboard, then drop the old one).
    ///
    /// # Errors
    /// [`Error::EmptySecret`] if the list or any key is empty.
    pub fn api_keys<I, S>(mut self, keys: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.api_keys = Some(TokenSet::new(keys)?);
        Ok(self)
    }

    /// Sets the largest body accepted, in bytes ([`DEFAULT_MAX_BODY_SIZE`](crate::DEFAULT_MAX_BODY_SIZE)
    /// by default). Larger bodies are refused with [`Error::BodyTooLarge`] before any work.
    #[must_use]
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// The client address a request is judged on: `peer_ip`, or behind a trusted proxy the
    /// address it forwarded (IPv4-mapped IPv6 as IPv4). Useful for logging.
    ///
    /// # Errors
    /// [`Error::InvalidHeader`] for a malformed, hidden or contradictory forwarding header from
    /// a trusted proxy.
    pub fn client_addr<H: Headers + ?Sized>(
        &self,
        peer_ip: IpAddr,
        headers: &H,
    ) -> Result<IpAddr, Error> {
        crate::verify::client_addr(peer_ip, headers, &self.trusted_proxies, self.proxy_header)
    }

    /// Checks the source address and, if configured, the API key. Returns the client address
    /// the decision was made on. Allocates nothing.
    ///
    /// `peer_ip` is the remote address of the TCP connection as your server sees it (axum's
    /// `ConnectInfo`, actix's `peer_addr`), never a header value.
    ///
    /// # Errors
    /// - [`Error::UntrustedSource`] (403) when the client is not allowed;
    /// - [`Error::InvalidHeader`] (400) for a bad forwarding header from a trusted proxy;
    /// - [`Error::MissingHeader`] (401) without `x-api-key` when a key is configured,
    ///   [`Error::TokenMismatch`] (401) for a wrong one, [`Error::ConflictingHeader`] (400) for
    ///   two different ones.
    pub fn verify<H: Headers + ?Sized>(
        &self,
        peer_ip: IpAddr,
        headers: &H,
    ) -> Result<IpAddr, Error> {
        let client = self.client_addr(peer_ip, headers)?;
        if !crate::verify::any_contains(&self.allowlist, client) {
            return Err(Error::UntrustedSource { addr: client });
        }
        if let Some(keys) = &self.api_keys {
            let key = headers.require(API_KEY_HEADER)?;
            if !keys.matches(key.as_bytes()) {
                return Err(Error::TokenMismatch);
            }
        }
        Ok(client)
    }

    /// Checks the body size, then the source and key ([`verify`](Verifier::verify)), then
    /// parses the body ([`parse`]).
    ///
    /// # Errors
    /// [`Error::BodyTooLarge`], then those of [`verify`](Verifier::verify) and [`parse`].
    pub fn receive<H: Headers + ?Sized>(
        &self,
        peer_ip: IpAddr,
        headers: &H,
        body: &[u8],
    ) -> Result<DeliveryUpdate, Error> {
        crate::check_body_size(body, self.max_body_size)?;
        self.verify(peer_ip, headers)?;
        parse(body)
    }
}

// ----- payload -----------------------------------------------------------------------------

/// One delivery status update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryUpdate {
    /// `id`: the webhook's id ("unique webhook id to identify that the webhook is thrown"),
    /// up to 20 digits.
    pub id: WebhookId,
    /// `data`: the order and its new status.
    pub data: DeliveryData,
    /// `createdAt`: when the callback was invoked.
    pub created_at: Timestamp,
}

impl DeliveryUpdate {
    /// The key to deduplicate on: the webhook [`id`](DeliveryUpdate::id).
    ///
    /// Xoxoday does not document whether a retry carries the same id (its sample even labels
    /// the field `orderID`). Since a status is final, making the handling of
    /// (`order_id`, `delivery_status`) idempotent as well costs little.
    #[must_use]
    pub fn dedup_key(&self) -> WebhookId {
        self.id
    }
}

/// The `data` object of a [`DeliveryUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryData {
    /// `orderId`: the Xoxoday order id returned when the order was placed through the Plum API
    /// (Number(11)); also read from a string of digits.
    #[serde(with = "json::lenient_uint")]
    pub order_id: u64,
    /// `poNumber`: the purchase-order number the client gave when placing the order.
    ///
    /// Absent, `null` and `""` are all `None` (an empty reference is no reference), and `None`
    /// is written back as `null`: a round trip gives an equal value, not the same bytes. A
    /// number is kept as its text.
    #[serde(
        default,
        deserialize_with = "po_number",
        serialize_with = "serialize_po_number"
    )]
    pub po_number: Option<String>,
    /// `orderDate`: when the order was placed.
    pub order_date: Timestamp,
    /// `deliveryStatus`.
    pub delivery_status: DeliveryStatus,
}

fn po_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    json::lenient_string::option::deserialize(d).map(|v| v.filter(|s| !s.is_empty()))
}

fn serialize_po_number<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

wire_enum! {
    /// A reward order's delivery status.
    ///
    /// Matched ignoring ASCII case: Xoxoday's own pages write `delivered|canceled`,
    /// `delivered|Canceled` and `Delivered|Canceled`. Written back in lowercase.
    pub enum DeliveryStatus matching eq_ignore_case {
        /// The reward was delivered.
        Delivered = "delivered",
        /// The order was canceled (`Cancelled` accepted too).
        Canceled = "canceled" | "cancelled",
        /// Not final yet: the Plum API knows this status, the webhook page does not list it.
        Pending = "pending",
    }
}

/// The webhook `id`: Number(20) in Xoxoday's docs, so up to 20 decimal digits.
///
/// Twenty digits can exceed `u64::MAX` (18446744073709551615), hence `u128`. Read exactly from a
/// JSON number of any length up to 39 digits or from a string of digits (never through `f64`);
/// written as a JSON number.
///
/// `serde_json::to_value` cannot hold an id beyond `u64` (a `Value` number is at most 64 bits
/// without serde_json's `arbitrary_precision` feature) and returns an error for one: serialize
/// with `serde_json::to_vec`/`to_string`, which write every digit.
///
/// Reading needs serde_json (`parse`, `serde_json::from_slice`, `from_str`, `from_reader` or
/// `from_value`): without its `arbitrary_precision` feature, the only exact way to read an
/// integer beyond `u64` that may also come as a string is its raw text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebhookId(u128);

impl WebhookId {
    /// The id as a number.
    #[must_use]
    pub const fn get(self) -> u128 {
        self.0
    }

    /// Reads a JSON number's or a string's text: ASCII digits only.
    fn from_digits(s: &str) -> Option<Self> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().map(WebhookId)
    }
}

impl From<u128> for WebhookId {
    fn from(v: u128) -> Self {
        WebhookId(v)
    }
}

impl From<u64> for WebhookId {
    fn from(v: u64) -> Self {
        WebhookId(u128::from(v))
    }
}

impl fmt::Display for WebhookId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for WebhookId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u128(self.0)
    }
}

impl<'de> Deserialize<'de> for WebhookId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde_json hands integers beyond u64 to visitors as f64 (lossy), and its exact u128
        // path refuses strings; the raw text serves both.
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        let digits = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => inner.trim(),
            None => text,
        };
        WebhookId::from_digits(digits).ok_or_else(|| {
            // The value is the sender's text, of any size (a 10 MiB array): an error quotes
            // only its start, so that logging it costs little.
            let shown: String = text.chars().take(48).collect();
            let more = if shown.len() < text.len() { "..." } else { "" };
            de::Error::custom(format_args!(
                "invalid value: {shown}{more}, expected a webhook id (an integer of up to 39 digits, or a string of digits)"
            ))
        })
    }
}

/// A date-time as Xoxoday sends it.
///
/// The docs give `YYYY-MM-DD HH:MM:SS` (String(19)) and no timezone, so such a value is
/// [`Naive`](Timestamp::Naive): the crate does not guess an offset (Xoxoday is based in India
/// and hosted in Singapore; neither is documented). An RFC 3339 value with an offset
/// (`2019-12-27T16:41:33+05:30`) is kept as [`Offset`](Timestamp::Offset). Each writes back in
/// its own form, so a round trip gives an equal value.
///
/// ```
/// use delivery_webhooks::xoxoday::Timestamp;
/// use time::{UtcOffset, macros::datetime};
///
/// let t: Timestamp = "2019-12-27 16:41:33".parse()?;
/// assert_eq!(t.naive(), datetime!(2019-12-27 16:41:33));
/// assert_eq!(t.offset(), None);
/// let ist = UtcOffset::from_hms(5, 30, 0)?;
/// assert_eq!(t.assume_offset(ist), datetime!(2019-12-27 16:41:33 +05:30));
/// assert_eq!(t.to_string(), "2019-12-27 16:41:33");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// `YYYY-MM-DD HH:MM:SS` (or with `T`): a wall-clock time in an undocumented timezone.
    Naive(PrimitiveDateTime),
    /// RFC 3339 with `Z` or an offset.
    Offset(OffsetDateTime),
}

impl Timestamp {
    /// The wall-clock date and time as sent (for [`Offset`](Timestamp::Offset), in its offset).
    #[must_use]
    pub fn naive(&self) -> PrimitiveDateTime {
        match self {
            Timestamp::Naive(t) => *t,
            Timestamp::Offset(t) => PrimitiveDateTime::new(t.date(), t.time()),
        }
    }

    /// The offset sent, `None` for a naive value.
    #[must_use]
    pub fn offset(&self) -> Option<UtcOffset> {
        match self {
            Timestamp::Naive(_) => None,
            Timestamp::Offset(t) => Some(t.offset()),
        }
    }

    /// The instant, assuming `offset` for a naive value (an explicit offset is kept).
    #[must_use]
    pub fn assume_offset(&self, offset: UtcOffset) -> OffsetDateTime {
        match self {
            Timestamp::Naive(t) => t.assume_offset(offset),
            Timestamp::Offset(t) => *t,
        }
    }

    fn parse_str(s: &str) -> Option<Self> {
        json::parse_naive(s)
            .map(Timestamp::Naive)
            .or_else(|| json::parse_rfc3339(s).map(Timestamp::Offset))
    }
}

/// The error of [`Timestamp`]'s `FromStr`: neither `YYYY-MM-DD HH:MM:SS` nor RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a date-time as `YYYY-MM-DD HH:MM:SS` or RFC 3339")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl std::str::FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// `YYYY-MM-DD HH:MM:SS` (or with `T`) as [`Naive`](Timestamp::Naive), RFC 3339 as
    /// [`Offset`](Timestamp::Offset).
    fn from_str(s: &str) -> Result<Self, InvalidTimestamp> {
        Timestamp::parse_str(s).ok_or(InvalidTimestamp)
    }
}

impl From<PrimitiveDateTime> for Timestamp {
    fn from(t: PrimitiveDateTime) -> Self {
        Timestamp::Naive(t)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Timestamp::Offset(t)
    }
}

impl fmt::Display for Timestamp {
    /// The wire form: `YYYY-MM-DD HH:MM:SS`, or RFC 3339.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::Naive(t) => f.write_str(&json::format_naive(t)),
            Timestamp::Offset(t) => f.write_str(&json::format_rfc3339(t)),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Timestamp::Naive(t) => s.serialize_str(&json::format_naive(t)),
            Timestamp::Offset(t) => s.serialize_str(&json::format_rfc3339(t)),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time as `YYYY-MM-DD HH:MM:SS` or RFC 3339")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_str(v)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_ignoring_case() {
        for (wire, status) in [
            ("delivered", DeliveryStatus::Delivered),
            ("Delivered", DeliveryStatus::Delivered),
            ("DELIVERED", DeliveryStatus::Delivered),
            ("canceled", DeliveryStatus::Canceled),
            ("Canceled", DeliveryStatus::Canceled),
            ("Cancelled", DeliveryStatus::Canceled),
            ("Pending", DeliveryStatus::Pending),
        ] {
            assert_eq!(DeliveryStatus::from(wire), status, "{wire}");
        }
        assert_eq!(
            DeliveryStatus::from("Returned"),
            DeliveryStatus::Other("Returned".into())
        );
        assert_eq!(DeliveryStatus::ALL.len(), 3);
    }

    #[test]
    fn timestamps_in_both_forms() {
        assert_eq!(
            Timestamp::parse_str(" 2019-12-27 16:41:33 "),
            Some(Timestamp::Naive(
                time::macros::datetime!(2019-12-27 16:41:33)
            ))
        );
        assert_eq!(
            Timestamp::parse_str("2019-12-27T16:41:33+05:30"),
            Some(Timestamp::Offset(
                time::macros::datetime!(2019-12-27 16:41:33 +05:30)
            ))
        );
        assert_eq!(Timestamp::parse_str("2019-12-27"), None);
    }

    #[test]
    fn webhook_id_digits() {
        assert_eq!(WebhookId::from_digits("0"), Some(WebhookId(0)));
        assert_eq!(
            WebhookId::from_digits("340282366920938463463374607431768211455"),
            Some(WebhookId(u128::MAX))
        );
        for bad in [
            "",
            "-1",
            "+1",
            "1.0",
            "1e3",
            "12a",
            "340282366920938463463374607431768211456",
        ] {
            assert_eq!(WebhookId::from_digits(bad), None, "{bad}");
        }
    }
}
