//! The relational repositories' integration tests, one binary: the repository contracts on PostgreSQL and SQLite (`repositories`, cases in `contract`) and the instance settings (`instance_settings`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod contract;
mod instance_settings;
mod repositories;
mod support;
