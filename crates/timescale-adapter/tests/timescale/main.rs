//! The PostgreSQL/TimescaleDB adapter's integration tests, one binary: the shared store contracts on PostgreSQL (`ports_contract`) and on TimescaleDB through PGlite (`timescaledb`), PostgreSQL specifics (`postgres`), the namespace rollups (`namespace_rollups`) and the hourly sums kept in memory (`hour_sums`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod hour_sums;
mod namespace_rollups;
mod ports_contract;
mod postgres;
mod support;
mod timescaledb;
