//! Request ids and request logging: every request gets an id (the caller's `X-Request-Id`
//! when it is sane, else a fresh UUID), carried in a tracing span around the whole request,
//! echoed in the `X-Request-Id` response header and in error bodies, and logged once when
//! the response is ready.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;
use tracing::field::Empty;

/// The request and response header carrying the id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming id kept; longer ones are replaced (they end up in every log line).
const MAX_INCOMING_LEN: usize = 128;

tokio::task_local! {
    // Task-local rather than passed around so `ApiError::error_response`, which actix calls
    // without the request, can still put the id in the body.
    static CURRENT: RequestId;
}

/// A request's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string().into())
    }

    /// The caller's id if it is short printable ASCII without spaces or quotes (so it is
    /// safe in headers and logs), else `None`.
    pub fn from_incoming(value: &str) -> Option<Self> {
        let sane = !value.is_empty()
            && value.len() <= MAX_INCOMING_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b));
        sane.then(|| Self(value.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Middleware (`actix_web::middleware::from_fn(kcost_http::request_id::request_id)`): assigns the id,
/// opens the request span (fields `request_id`, `method`, `path`, `route`, `status`, and
/// `key_id`/`tenant` once authenticated), renders errors escaping inner middleware while
/// the id is known, sets `X-Request-Id` and logs the outcome. Wrap it outermost.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(RequestId::from_incoming)
        .unwrap_or_else(RequestId::generate);
    req.extensions_mut().insert(id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        route = Empty,
        status = Empty,
        key_id = Empty,
        tenant = Empty,
    );
    let started = Instant::now();
    let handled = CURRENT.scope(id.clone(), async move {
        // Errors from inner middleware (CORS refusals, …) are rendered here, inside the
        // scope, so their bodies carry the id; actix sends the rendered response as is.
        next.call(req).await.map_err(|error| {
            let response = error.error_response();
            (error, response)
        })
    });
    let header_value = HeaderValue::from_str(id.as_str()).ok();
    match handled.instrument(span.clone()).await {
        Ok(mut response) => {
            if let Some(value) = header_value {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            let route = response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned());
            log_outcome(&span, &route, response.status(), started);
            Ok(response)
        }
        Err((error, mut response)) => {
            if let Some(value) = header_value {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            log_outcome(&span, "unmatched", response.status(), started);
            Err(InternalError::from_response(error, response).into())
        }
    }
}

fn log_outcome(span: &tracing::Span, route: &str, status: StatusCode, started: Instant) {
    span.record("status", status.as_u16());
    span.record("route", route);
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), latency_ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), latency_ms, "request completed");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_ids_must_be_sane() {
        assert!(RequestId::from_incoming("abc-123_x.y").is_some());
        assert!(RequestId::from_incoming("").is_none());
        assert!(RequestId::from_incoming("has space").is_none());
        assert!(RequestId::from_incoming("quote\"").is_none());
        assert!(RequestId::from_incoming(&"a".repeat(129)).is_none());
    }
}
