//! The REST API (actix-web): routes, request/response DTOs, authentication, the single
//! `ApiError` mapping and the OpenAPI document. Depends on `kcost-app` and `kcost-domain`
//! only; it never sees an adapter.
//!
//! # Assembling the server
//!
//! ```ignore
//! use actix_web::middleware::from_fn;
//!
//! let state = web::Data::new(AppState { /* use cases, admin token hash, limits,
//!                                          metrics: Arc::new(HttpMetrics::new()) */ });
//! let rate_limit = kcost_http::rate_limiter(config.rate_limit_per_minute)?; // 0 = off
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(state.clone())
//!         .configure(kcost_http::configure)
//!         // Innermost first: actix runs the last `wrap` first.
//!         .wrap(rate_limit.clone())
//!         .wrap(kcost_http::cors(&cors_origins))
//!         .wrap(from_fn(kcost_http::track_metrics))
//!         .wrap(from_fn(kcost_http::request_id))
//! })
//! ```
//!
//! `request_id` must be outermost: it opens the request's tracing span, puts the id into
//! every error body (429s and CORS refusals included) and the `X-Request-Id` header.
//! `track_metrics` outside CORS and the rate limiter counts their refusals too.

pub mod auth;
pub mod body;
pub mod cors;
pub mod credentials;
pub mod dto;
pub mod error;
pub mod error_code;
pub mod metrics;
pub mod openapi;
pub mod opencost_metrics;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod state;

pub use cors::cors;
pub use error::ApiError;
pub use metrics::{HttpMetrics, PoolUsage, track_metrics};
pub use rate_limit::{RateLimitConfigError, RateLimiter, rate_limiter};
pub use request_id::request_id;
pub use routes::configure;
pub use state::{AppState, HttpLimits};
