//! Seventh time-series migration (both backends): the pod rollups keep allocated
//! resource-seconds, `Σ max(request, usage) · seconds` per pod and period
//! (`cpu_alloc_mcs`, millicore-seconds; `mem_alloc_bs`, byte-seconds), so the allocation
//! API answers OpenCost's `cpuCoreHours` and `ramByteHours` exactly from rollups — the
//! quantities kcost priced, sample by sample.
//!
//! Rows rolled up before this migration get `max(Σ request, Σ usage)`: exact whenever a
//! pod's usage stayed on one side of its request within the period, and never above the
//! true figure. Every period rolled up afterwards sums the samples.
//! On PostgreSQL the columns are `numeric`; on SQLite TEXT integers, like the other
//! resource-second columns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::execute;

#[derive(Debug)]
pub struct Migration;

const TABLES: [&str; 2] = ["pod_costs_hourly", "pod_costs_daily"];

/// The larger of two TEXT non-negative integers without leading zeros, exactly.
const SQLITE_GREATER: &str = "CASE WHEN length({a}) > length({b})
                                    OR (length({a}) = length({b}) AND {a} > {b})
                               THEN {a} ELSE {b} END";

fn statements(backend: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    for table in TABLES {
        match backend {
            DbBackend::Postgres => {
                out.push(format!(
                    "ALTER TABLE {table} ADD COLUMN cpu_alloc_mcs numeric NOT NULL DEFAULT 0,
                                         ADD COLUMN mem_alloc_bs numeric NOT NULL DEFAULT 0"
                ));
                out.push(format!(
                    "UPDATE {table}
                     SET cpu_alloc_mcs = GREATEST(cpu_usage_mcs, cpu_request_mcs),
                         mem_alloc_bs = GREATEST(mem_usage_bs, mem_request_bs)"
                ));
            }
            _ => {
                for column in ["cpu_alloc_mcs", "mem_alloc_bs"] {
                    out.push(format!(
                        "ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT '0'"
                    ));
                }
                let greater = |a: &str, b: &str| SQLITE_GREATER.replace("{a}", a).replace("{b}", b);
                out.push(format!(
                    "UPDATE {table} SET cpu_alloc_mcs = {}, mem_alloc_bs = {}",
                    greater("cpu_usage_mcs", "cpu_request_mcs"),
                    greater("mem_usage_bs", "mem_request_bs"),
                ));
            }
        }
    }
    out
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000001_allocated_seconds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = statements(manager.get_database_backend());
        execute::all(manager.get_connection(), statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = TABLES.into_iter().flat_map(|table| {
            ["cpu_alloc_mcs", "mem_alloc_bs"]
                .map(|column| format!("ALTER TABLE {table} DROP COLUMN {column}"))
        });
        execute::all(manager.get_connection(), statements).await
    }
}
