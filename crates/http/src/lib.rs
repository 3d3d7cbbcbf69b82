//! The REST API (actix-web): routes, request/response DTOs, authentication, the single
//! `ApiError` mapping and the OpenAPI document. Depends on `kcost-app` and `kcost-domain`
//! only; it never sees an adapter.
//!
//! # Assembling the server
//!
//! [`HttpApp`] builds the app, routes and middleware, the same for the server's workers and
//! for tests (see [`assembly`]); [`serve()`] runs it on a bound listener as `[server]`
//! ([`ServerSettings`], see [`settings`]) says:
//!
//! ```ignore
//! let app = kcost_http::HttpApp::new(web::Data::new(state), rate_limit_per_minute, cors_origins)?;
//! HttpServer::new(move || app.app())
//! ```

pub mod assembly;
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
pub mod serve;
pub mod settings;
pub mod state;

pub use assembly::HttpApp;
pub use error::ApiError;
pub use metrics::{HttpMetrics, PoolUsage};
pub use serve::serve;
pub use settings::ServerSettings;
pub use state::{AppState, HttpLimits};
