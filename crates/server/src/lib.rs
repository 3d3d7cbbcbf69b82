//! The `kcost` binary's library half: config, telemetry, wiring, CLI — thin.
//!
//! Business logic lives in the domain/app crates; this crate only reads configuration,
//! sets up logging, opens and migrates storage, and dispatches commands.

pub mod cli;
pub mod config;
pub mod storage;
pub mod telemetry;
