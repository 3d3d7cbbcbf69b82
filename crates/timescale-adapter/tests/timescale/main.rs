//! The PostgreSQL/TimescaleDB adapter's integration tests, one binary: the shared store contracts on PostgreSQL (`ports_contract`) and on TimescaleDB through PGlite (`timescaledb`), PostgreSQL specifics (`postgres`) and the namespace rollups (`namespace_rollups`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod namespace_rollups;
mod ports_contract;
mod postgres;
mod support;
mod timescaledb;
