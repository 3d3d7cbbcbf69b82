//! The REST API (actix-web): routes, request/response DTOs, authentication middleware,
//! the single `ApiError` mapping and the OpenAPI document. Depends on `kcost-app` and
//! `kcost-domain` only; it never sees an adapter.
//!
//! Filled by the HTTP issue; until then this crate only reserves its place in the
//! dependency graph.
