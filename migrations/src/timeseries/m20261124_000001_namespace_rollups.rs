//! Second time-series migration: the namespace-level rollups that let namespace, cluster
//! and trend cost queries over long windows avoid the per-pod hourly rollup.
//!
//! - `namespace_costs_hourly`: per (tenant, hour, cluster, namespace) sums of pod costs and
//!   usage/request resource-seconds — the per-pod rollup summed over pods, written in the
//!   same ingest transaction (about 20 rows per snapshot instead of thousands).
//! - `pod_presence_monthly`: per (tenant, UTC month, cluster, namespace, pod) one bit per
//!   hour of the month (`bit(744)`, bit 0 = the month's first hour) set when the pod has a
//!   sample in that hour. Distinct pod counts over any set of whole hours stay exact: a pod
//!   counts when its bits intersect the window's, and a 30-day window reads one or two rows
//!   per pod instead of 720.
//!
//! PostgreSQL only (with or without TimescaleDB, both are plain tables). On SQLite this
//! migration does nothing: the SQLite store answers every query from its per-pod rollups
//! and never reads these tables.

use sea_orm_migration::prelude::*;

use super::execute;

#[derive(Debug)]
pub struct Migration;

const NAMESPACE_COSTS_HOURLY: &str = "
CREATE TABLE namespace_costs_hourly (
    tenant_id       uuid           NOT NULL,
    hour            timestamptz    NOT NULL,
    cluster         text           NOT NULL,
    namespace       text           NOT NULL,
    cpu_cost        numeric(20,10) NOT NULL,
    ram_cost        numeric(20,10) NOT NULL,
    cpu_usage_mcs   numeric        NOT NULL,
    cpu_request_mcs numeric        NOT NULL,
    mem_usage_bs    numeric        NOT NULL,
    mem_request_bs  numeric        NOT NULL,
    sample_count    integer        NOT NULL,
    PRIMARY KEY (tenant_id, hour, cluster, namespace)
)";

const POD_PRESENCE_MONTHLY: &str = "
CREATE TABLE pod_presence_monthly (
    tenant_id uuid        NOT NULL,
    month     timestamptz NOT NULL,
    cluster   text        NOT NULL,
    namespace text        NOT NULL,
    pod       text        NOT NULL,
    -- 744 = 31 days x 24 hours, the longest month.
    hours     bit(744)    NOT NULL,
    PRIMARY KEY (tenant_id, month, cluster, namespace, pod)
)";

/// Fills the new tables from the per-pod rollup, so a database migrated with data in it
/// answers the same as before.
const BACKFILL: [&str; 2] = [
    "INSERT INTO namespace_costs_hourly
     SELECT tenant_id, hour, cluster, namespace, SUM(cpu_cost), SUM(ram_cost),
            SUM(cpu_usage_mcs), SUM(cpu_request_mcs), SUM(mem_usage_bs), SUM(mem_request_bs),
            SUM(sample_count)
     FROM pod_costs_hourly GROUP BY tenant_id, hour, cluster, namespace",
    "INSERT INTO pod_presence_monthly
     SELECT tenant_id, month, cluster, namespace, pod,
            bit_or(set_bit(repeat('0', 744)::bit(744),
                           (extract(epoch FROM hour - month) / 3600)::int, 1))
     FROM (SELECT DISTINCT tenant_id, cluster, namespace, pod, hour,
                  date_trunc('month', hour, 'UTC') AS month
           FROM pod_costs_hourly) AS h
     GROUP BY tenant_id, month, cluster, namespace, pod",
];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_namespace_rollups"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let create = [NAMESPACE_COSTS_HOURLY, POD_PRESENCE_MONTHLY];
        execute::on_postgres_only(manager, create.into_iter().chain(BACKFILL)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = "DROP TABLE IF EXISTS pod_presence_monthly, namespace_costs_hourly";
        execute::on_postgres_only(manager, [drop]).await
    }
}
