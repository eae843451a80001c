//! The one list of header names whose values are credentials: masked in what a handler reads
//! ([`RequestHeaders`]) and in what the inbox stores. It sits above the providers, since it
//! names their header constants.

use crate::request_headers::RequestHeaders;

/// Headers whose values are credentials: the providers' own (named by their constants) and the
/// web's. A signature is one too: with the body, it would let a reader replay the delivery.
const CREDENTIAL_HEADERS: &[&str] = &[
    #[cfg(feature = "wakilni")]
    crate::wakilni::SIGNATURE_HEADER,
    #[cfg(feature = "peddler")]
    crate::peddler::TOKEN_HEADER,
    #[cfg(feature = "xoxoday")]
    crate::xoxoday::API_KEY_HEADER,
    "authorization",
    "proxy-authorization",
    "cookie",
];

/// Whether header `name` (any case) carries a credential.
pub(crate) fn is_credential(name: &str) -> bool {
    CREDENTIAL_HEADERS
        .iter()
        .any(|c| name.eq_ignore_ascii_case(c))
}

/// A request's headers as a handler may read them: every credential masked.
#[cfg_attr(not(any(feature = "actix", feature = "inbox")), allow(dead_code))]
pub(crate) fn masked<'h>(headers: impl Iterator<Item = (&'h str, &'h [u8])>) -> RequestHeaders {
    RequestHeaders::masked(headers, is_credential)
}

/// The headers of an `http` request, taken whole (not copied), every credential masked as it
/// is read.
#[cfg(feature = "axum")]
pub(crate) fn masked_http(map: http::HeaderMap) -> RequestHeaders {
    RequestHeaders::from_http(map, is_credential)
}
