//! Responses: [`Problem`], [`Error`] and [`Reply`] as axum responses.

use crate::error::Error;
use crate::problem::Problem;
use crate::reply::Reply;
use ::axum::body::Body;
use ::axum::http::{HeaderValue, StatusCode, header};
use ::axum::response::{IntoResponse, Response};

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for Problem {
    /// The problem's status with its JSON body, `application/problem+json`, `nosniff`: the
    /// same answer as [`Answer::from_problem`](crate::answer::Answer::from_problem).
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.to_json()));
        *response.status_mut() = status(self.status_code());
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(Problem::CONTENT_TYPE),
        );
        // As `Answer` does: the body quotes what the sender sent, never sniffed as markup.
        response.headers_mut().insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl IntoResponse for Error {
    /// [`Error::status_code`] with a [`Problem`] body saying why (never a secret).
    fn into_response(self) -> Response {
        Problem::from_error(&self).into_response()
    }
}

impl IntoResponse for Reply {
    /// The reply's status, content type and body. A reply holding a secret (isendu's handshake
    /// answer) is also marked `Cache-Control: no-store`.
    fn into_response(self) -> Response {
        // The common empty answer without a boxed body.
        let body = match self.body() {
            [] => Body::empty(),
            body => Body::from(body.to_vec()),
        };
        let mut response = Response::new(body);
        *response.status_mut() = status(self.status_code());
        if let Some(content_type) = self.content_type() {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        if self.holds_secret() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        response
    }
}
