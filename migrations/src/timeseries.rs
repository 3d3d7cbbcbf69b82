//! Time-series schema: snapshots, pod and node samples, hourly rollups.
//!
//! [`TimeseriesMigrator`] keeps its own tracking table (`kcost_timeseries_migrations`), so it
//! can share a database with the relational migrator or run against a separate one
//! (`timescale.url`). Every migration branches on the backend:
//! - PostgreSQL: raw SQL; sample tables partitioned by day (`PARTITION BY RANGE (ts)`) with
//!   a partition-maintenance function ([`postgres`]), or TimescaleDB hypertables when the
//!   extension is enabled in the database ([`timescale`]);
//! - SQLite: plain tables with the same columns ([`sqlite`]).
//!
//! Later migrations add PostgreSQL-only tables (namespace rollups, pod presence; no-ops on
//! SQLite) and pods' direct-cost columns (both backends); the fifth makes pods and nodes
//! dimensions, samples narrow and append-only, and rollups a background task's
//! (`postgres_dimensions`, `sqlite_dimensions`); the sixth adds the PostgreSQL-only daily
//! namespace rollup and pod presence spans; the seventh keeps allocated resource-seconds
//! (`max(request, usage)`) in the pod rollups.
//!
//! `execute` runs a migration's statements (none on SQLite for the PostgreSQL-only ones);
//! `dimension_rows` holds the fifth migration's data moves that both backends run.

mod dimension_rows;
mod execute;
mod m20261123_000001_create_timeseries;
mod m20261124_000001_namespace_rollups;
mod m20261126_000001_pod_direct_costs;
mod m20261206_000001_pod_dimensions;
mod m20261207_000001_rollup_spans;
mod m20261208_000001_allocated_seconds;
pub mod postgres;
pub mod postgres_dimensions;
pub mod sqlite;
pub mod sqlite_dimensions;
pub mod timescale;

use sea_orm_migration::prelude::*;

/// Name of the table recording applied time-series migrations.
pub const TRACKING_TABLE: &str = "kcost_timeseries_migrations";

/// Migrator for the time-series tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeseriesMigrator;

#[async_trait::async_trait]
impl MigratorTrait for TimeseriesMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_timeseries::Migration),
            Box::new(m20261124_000001_namespace_rollups::Migration),
            Box::new(m20261126_000001_pod_direct_costs::Migration),
            Box::new(m20261206_000001_pod_dimensions::Migration),
            Box::new(m20261207_000001_rollup_spans::Migration),
            Box::new(m20261208_000001_allocated_seconds::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        TRACKING_TABLE.into_iden()
    }
}
