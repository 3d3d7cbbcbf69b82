//! The HTTP API over the real use cases with mocked ports: status codes, error bodies,
//! authentication, ingest decoding, admin, probes, metrics and the OpenAPI document.
//! No database needed; end-to-end tests over real stores live in the server crate.

// Test helpers outside #[test] functions may unwrap and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod auth;
mod budgets;
mod costs;
mod export;
mod ingest;
mod kubecent;
mod ops;
mod recommendations;
mod support;
