//! The SQLite adapter's integration tests, one binary: the shared store contracts (`ports_contract`), the time-series migrations with data (`migration`) and SQLite specifics (`sqlite`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod migration;
mod ports_contract;
mod sqlite;
mod support;
