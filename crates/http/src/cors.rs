//! CORS from `server.cors_origins`: browsers on the listed origins (or any origin, for
//! `*`) may call the API. An empty list allows no cross-origin browser calls at all.

use actix_cors::Cors;
use actix_web::http::{Method, header};

/// Preflight answers may be cached this long by browsers.
const PREFLIGHT_MAX_AGE_SECONDS: usize = 3600;

/// Builds the CORS middleware. `*` anywhere in the list allows every origin; credentials
/// (cookies) are never allowed, since the API authenticates with headers only.
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::CONTENT_ENCODING,
            header::HeaderName::from_static("x-api-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
        ])
        .max_age(PREFLIGHT_MAX_AGE_SECONDS);
    if origins.iter().any(|origin| origin.trim() == "*") {
        cors = cors.allow_any_origin();
    } else {
        for origin in origins {
            let origin = origin.trim();
            if !origin.is_empty() {
                cors = cors.allowed_origin(origin);
            }
        }
    }
    cors
}
