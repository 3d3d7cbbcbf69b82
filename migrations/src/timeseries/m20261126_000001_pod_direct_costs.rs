//! Third time-series migration: pods' direct costs — storage (persistent volumes),
//! network and load balancer — as OpenCost prices them. No node pays for these, so they
//! live beside `cpu_cost`/`ram_cost` on the pod tables only, never on node tables or idle.
//!
//! Columns `storage_cost`, `network_cost`, `load_balancer_cost` are added to `pod_samples`
//! and `pod_costs_hourly` on both backends and to `namespace_costs_hourly` on PostgreSQL
//! (SQLite has no namespace rollup). Money as elsewhere: `numeric(20,10)` on PostgreSQL,
//! INTEGER 10⁻¹⁰ units on SQLite. Existing rows get 0: agent-fed data has no such costs,
//! and imports before this migration did not carry them.
//!
//! `ADD COLUMN … NOT NULL DEFAULT 0` is a catalog-only change on PostgreSQL 11+ (no table
//! rewrite), reaches every partition through its parent and is allowed on compressed
//! TimescaleDB hypertables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::execute;

#[derive(Debug)]
pub struct Migration;

/// The new money columns, in the order the adapters write them.
const DIRECT_COST_COLUMNS: [&str; 3] = ["storage_cost", "network_cost", "load_balancer_cost"];

const POSTGRES_TABLES: [&str; 3] = ["pod_samples", "pod_costs_hourly", "namespace_costs_hourly"];
const SQLITE_TABLES: [&str; 2] = ["pod_samples", "pod_costs_hourly"];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_pod_direct_costs"
    }
}

/// `(table, column type)` pairs to alter on this backend.
fn targets(backend: DbBackend) -> Result<(&'static [&'static str], &'static str), DbErr> {
    match backend {
        DbBackend::Postgres => Ok((&POSTGRES_TABLES, "numeric(20,10) NOT NULL DEFAULT 0")),
        DbBackend::Sqlite => Ok((&SQLITE_TABLES, "INTEGER NOT NULL DEFAULT 0")),
        other => Err(DbErr::Migration(format!(
            "time-series tables are not supported on {other:?}"
        ))),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (tables, column_type) = targets(manager.get_database_backend())?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let statements = tables.iter().flat_map(|table| {
            DIRECT_COST_COLUMNS
                .map(|column| format!("ALTER TABLE {table} ADD COLUMN {column} {column_type}"))
        });
        execute::all(manager.get_connection(), statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (tables, _) = targets(manager.get_database_backend())?;
        let statements = tables.iter().flat_map(|table| {
            DIRECT_COST_COLUMNS.map(|column| format!("ALTER TABLE {table} DROP COLUMN {column}"))
        });
        execute::all(manager.get_connection(), statements).await
    }
}
