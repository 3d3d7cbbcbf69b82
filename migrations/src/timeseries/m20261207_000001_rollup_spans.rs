//! Sixth time-series migration (PostgreSQL only): two rollups that keep long-window
//! namespace and cluster breakdowns independent of the number of pods and days.
//!
//! - `namespace_costs_daily`: per (tenant, UTC day, cluster, namespace) the sums of
//!   `pod_costs_daily`, built by the rollup job when a day closes (~20 rows per cluster-day
//!   instead of ~480 namespace-hours or one row per pod and day).
//! - `pod_presence_spans`: per pod, the maximal runs of consecutive rolled-up hours in
//!   which it has samples (`[span_start, span_end)`). A pod counts in a window's whole
//!   hours exactly when one of its spans overlaps them, so the distinct pods of 30 days of
//!   a steady cluster are ~one row per pod instead of one per pod and day.
//!
//! Both are filled from the existing rollups. On SQLite this migration does nothing: the
//! SQLite store answers from its per-pod rollups and never reads these tables.

use sea_orm_migration::prelude::*;

use super::execute;

#[derive(Debug)]
pub struct Migration;

const CREATE: [&str; 3] = [
    "CREATE TABLE namespace_costs_daily (
        tenant_id          uuid           NOT NULL,
        day                timestamptz    NOT NULL,
        cluster            text           NOT NULL,
        namespace          text           NOT NULL,
        cpu_cost           numeric(20,10) NOT NULL,
        ram_cost           numeric(20,10) NOT NULL,
        storage_cost       numeric(20,10) NOT NULL,
        network_cost       numeric(20,10) NOT NULL,
        load_balancer_cost numeric(20,10) NOT NULL,
        cpu_usage_mcs      numeric        NOT NULL,
        cpu_request_mcs    numeric        NOT NULL,
        mem_usage_bs       numeric        NOT NULL,
        mem_request_bs     numeric        NOT NULL,
        sample_count       integer        NOT NULL,
        PRIMARY KEY (tenant_id, day, cluster, namespace)
    )",
    "CREATE TABLE pod_presence_spans (
        tenant_id  uuid        NOT NULL,
        cluster    text        NOT NULL,
        namespace  text        NOT NULL,
        pod_id     bigint      NOT NULL,
        span_start timestamptz NOT NULL,
        span_end   timestamptz NOT NULL CHECK (span_end > span_start),
        PRIMARY KEY (tenant_id, pod_id, span_start)
    )",
    // The rollup job cuts and extends a cluster's spans at its watermark.
    "CREATE INDEX pod_presence_spans_cluster_end
        ON pod_presence_spans (tenant_id, cluster, span_end)",
];

const BACKFILL: [&str; 2] = [
    "INSERT INTO namespace_costs_daily
     SELECT tenant_id, day, cluster, namespace, SUM(cpu_cost), SUM(ram_cost),
            SUM(storage_cost), SUM(network_cost), SUM(load_balancer_cost),
            SUM(cpu_usage_mcs), SUM(cpu_request_mcs), SUM(mem_usage_bs), SUM(mem_request_bs),
            SUM(sample_count)
     FROM pod_costs_daily GROUP BY tenant_id, day, cluster, namespace",
    // Consecutive hours share `hour - n hours` (n: the hour's rank within its pod).
    "INSERT INTO pod_presence_spans
     SELECT tenant_id, cluster, namespace, pod_id, min(hour), max(hour) + interval '1 hour'
     FROM (SELECT tenant_id, cluster, namespace, pod_id, hour,
                  hour - (row_number() OVER (PARTITION BY tenant_id, pod_id ORDER BY hour))
                         * interval '1 hour' AS run
           FROM pod_costs_hourly) AS h
     GROUP BY tenant_id, cluster, namespace, pod_id, run",
];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000001_rollup_spans"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute::on_postgres_only(manager, CREATE.into_iter().chain(BACKFILL)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = "DROP TABLE IF EXISTS pod_presence_spans, namespace_costs_daily";
        execute::on_postgres_only(manager, [drop]).await
    }
}
