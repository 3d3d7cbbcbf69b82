//! The store contract suites: one set of behavioural tests every adapter of a port must
//! pass, so the SQLite, PostgreSQL and TimescaleDB metrics stores (`metrics`) and the Redis
//! and in-process caches (`cache`) cannot drift apart.
//!
//! Compiled only with the `contract` feature, which adapters enable in their
//! dev-dependencies. Each function takes a port object backed by a fresh, migrated, empty
//! store and panics (assert) on a breach; adapters run every metrics function through
//! [`metrics_store_contract_tests!`](crate::metrics_store_contract_tests), one
//! `#[tokio::test]` each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod allocation;
pub mod cache;
pub mod containers;
pub mod detail;
pub mod fixtures;
pub mod metrics;
pub mod rollup;
mod runner;
