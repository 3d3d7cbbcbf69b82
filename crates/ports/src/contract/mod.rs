//! The store contract suite: one set of behavioural tests every adapter of a store port
//! must pass, so the SQLite, PostgreSQL and TimescaleDB backends cannot drift apart.
//!
//! Compiled only with the `contract` feature, which adapters enable in their
//! dev-dependencies. Each function takes a port object backed by a fresh, migrated, empty
//! store and panics (assert) on a breach; adapters call every function from one
//! `#[tokio::test]` each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod fixtures;
pub mod metrics;
