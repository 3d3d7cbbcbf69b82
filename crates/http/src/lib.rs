//! The REST API (actix-web): routes, request/response DTOs, authentication, the single
//! `ApiError` mapping and the OpenAPI document. Depends on `kcost-app` and `kcost-domain`
//! only; it never sees an adapter.

pub mod state;

pub use state::{AppState, HttpLimits};
