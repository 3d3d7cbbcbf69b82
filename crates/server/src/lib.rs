//! The `kcost` binary's library half: config, telemetry, wiring, CLI — thin.
//!
//! Business logic lives in the domain/app crates; this crate only reads configuration,
//! sets up logging, opens and migrates storage, wires adapters into the use cases and the
//! HTTP layer ([`app::Application`]), runs background upkeep, and dispatches commands.

pub mod app;
pub mod background;
pub mod cli;
pub mod config;
pub mod invalidations;
pub mod maintenance;
pub mod opencost;
pub mod secrets;
pub mod services;
pub mod shutdown;
pub mod storage;
pub mod stores;
pub mod telemetry;

pub use app::Application;
