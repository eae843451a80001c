//! Responses: [`Error`], [`Problem`] and [`Reply`] as actix responses.

use crate::error::Error;
use crate::problem::Problem;
use crate::reply::Reply;
use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{self};
use actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};

pub(super) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(super) fn problem_response(problem: &Problem) -> HttpResponse {
    let mut response = HttpResponse::build(status(problem.status_code()));
    if let Some(seconds) = problem.retry_after() {
        response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
    }
    // The same answer as `Answer::from_problem`.
    response
        .content_type(Problem::CONTENT_TYPE)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(problem.to_json())
}

impl ResponseError for Error {
    /// [`Error::status_code`].
    fn status_code(&self) -> StatusCode {
        status(Error::status_code(self))
    }

    /// A [`Problem`] body saying why (never a secret).
    fn error_response(&self) -> HttpResponse<BoxBody> {
        problem_response(&Problem::from_error(self))
    }
}

impl Responder for Problem {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse<BoxBody> {
        problem_response(&self)
    }
}

impl Responder for Reply {
    type Body = BoxBody;

    /// The reply's status, content type and body. A reply holding a secret (isendu's handshake
    /// answer) is also marked `Cache-Control: no-store`.
    fn respond_to(self, _: &HttpRequest) -> HttpResponse<BoxBody> {
        reply_response(&self)
    }
}

pub(super) fn reply_response(reply: &Reply) -> HttpResponse {
    let mut response = HttpResponse::build(status(reply.status_code()));
    if let Some(content_type) = reply.content_type() {
        response.content_type(content_type);
    }
    if reply.holds_secret() {
        response.insert_header((header::CACHE_CONTROL, "no-store"));
    }
    response.body(reply.body().to_vec())
}
