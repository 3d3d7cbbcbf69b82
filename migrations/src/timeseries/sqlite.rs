//! SQLite time-series schema: the PostgreSQL tables and columns without partitioning, as
//! the first migration creates them. `m20261206_000001_pod_dimensions` (`sqlite_dimensions`)
//! later reshapes them: pods and nodes become dimension tables (`pods`, `nodes`),
//! `pod_samples` narrow append-only rows referring to them (read through the view
//! `pod_samples_named`), with `container_samples` beside it; `pod_costs_hourly` is keyed by
//! `(tenant_id, hour, pod_id)`, `pod_costs_daily` and the rollup watermark `rollup_state`
//! are added, and rollups are built off the ingest path.
//!
//! SQLite has no decimal type and would sum `REAL`s, so the representation differs:
//! - money columns (`numeric(20,10)` on PostgreSQL) are INTEGERs counting 10⁻¹⁰ units of
//!   the currency (the domain's `COST_SCALE`), so `SUM` is exact integer arithmetic (and
//!   raises an error rather than wrapping on overflow, past ±922 million units);
//! - rates and resource-second sums (unconstrained `numeric`) are TEXT decimals, summed in
//!   the adapter, never by SQLite;
//! - timestamps (`ts`, `hour`) are INTEGER unix seconds (UTC), so hour and day buckets are
//!   integer arithmetic; `tenant_id` is the hyphenated UUID as TEXT.
//!
//! Retention on SQLite deletes rows by `ts`/`hour`/`day` (indexes and keys make that a range
//! scan).

use sea_orm_migration::prelude::*;

use super::execute;

const TABLES: [&str; 5] = [
    "CREATE TABLE snapshots (
        tenant_id         TEXT    NOT NULL,
        cluster           TEXT    NOT NULL,
        ts                INTEGER NOT NULL,
        duration_seconds  INTEGER NOT NULL CHECK (duration_seconds > 0),
        duration_basis    TEXT    NOT NULL,
        pod_count         INTEGER NOT NULL,
        node_count        INTEGER NOT NULL,
        node_cost         INTEGER NOT NULL,
        idle              INTEGER NOT NULL,
        off_node_pod_cost INTEGER NOT NULL,
        created_at        INTEGER NOT NULL DEFAULT (unixepoch()),
        PRIMARY KEY (tenant_id, cluster, ts)
    )",
    "CREATE TABLE pod_samples (
        tenant_id        TEXT    NOT NULL,
        cluster          TEXT    NOT NULL,
        ts               INTEGER NOT NULL,
        namespace        TEXT    NOT NULL,
        pod              TEXT    NOT NULL,
        node             TEXT,
        placement        TEXT    NOT NULL,
        owner_kind       TEXT,
        owner_name       TEXT,
        cpu_usage_m      INTEGER NOT NULL,
        cpu_request_m    INTEGER NOT NULL,
        cpu_limit_m      INTEGER,
        mem_usage_b      INTEGER NOT NULL,
        mem_request_b    INTEGER NOT NULL,
        mem_limit_b      INTEGER,
        duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
        cpu_cost         INTEGER NOT NULL,
        ram_cost         INTEGER NOT NULL,
        cpu_rate         TEXT    NOT NULL,
        ram_rate         TEXT    NOT NULL,
        PRIMARY KEY (tenant_id, cluster, ts, namespace, pod)
    )",
    "CREATE TABLE node_samples (
        tenant_id         TEXT    NOT NULL,
        cluster           TEXT    NOT NULL,
        ts                INTEGER NOT NULL,
        node              TEXT    NOT NULL,
        instance_type     TEXT,
        cpu_capacity_m    INTEGER NOT NULL,
        mem_capacity_b    INTEGER NOT NULL,
        cpu_allocatable_m INTEGER NOT NULL,
        mem_allocatable_b INTEGER NOT NULL,
        hourly_price      TEXT    NOT NULL,
        price_source      TEXT    NOT NULL,
        cpu_rate          TEXT    NOT NULL,
        ram_rate          TEXT    NOT NULL,
        cpu_cost          INTEGER NOT NULL,
        ram_cost          INTEGER NOT NULL,
        idle_cpu          INTEGER NOT NULL,
        idle_ram          INTEGER NOT NULL,
        overcommit_cpu    INTEGER NOT NULL,
        overcommit_ram    INTEGER NOT NULL,
        duration_seconds  INTEGER NOT NULL CHECK (duration_seconds > 0),
        PRIMARY KEY (tenant_id, cluster, ts, node)
    )",
    "CREATE TABLE pod_costs_hourly (
        tenant_id       TEXT    NOT NULL,
        hour            INTEGER NOT NULL,
        cluster         TEXT    NOT NULL,
        namespace       TEXT    NOT NULL,
        pod             TEXT    NOT NULL,
        node            TEXT    NOT NULL,
        cpu_cost        INTEGER NOT NULL,
        ram_cost        INTEGER NOT NULL,
        cpu_usage_mcs   TEXT    NOT NULL,
        cpu_request_mcs TEXT    NOT NULL,
        mem_usage_bs    TEXT    NOT NULL,
        mem_request_bs  TEXT    NOT NULL,
        max_cpu_usage_m INTEGER NOT NULL,
        max_mem_usage_b INTEGER NOT NULL,
        sample_count    INTEGER NOT NULL,
        sample_seconds  INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, hour, cluster, namespace, pod, node)
    )",
    "CREATE TABLE node_idle_hourly (
        tenant_id      TEXT    NOT NULL,
        hour           INTEGER NOT NULL,
        cluster        TEXT    NOT NULL,
        node           TEXT    NOT NULL,
        cpu_cost       INTEGER NOT NULL,
        ram_cost       INTEGER NOT NULL,
        idle_cpu       INTEGER NOT NULL,
        idle_ram       INTEGER NOT NULL,
        overcommit_cpu INTEGER NOT NULL,
        overcommit_ram INTEGER NOT NULL,
        sample_count   INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, hour, cluster, node)
    )",
];

const INDEXES: [&str; 3] = [
    "CREATE INDEX snapshots_tenant_ts ON snapshots (tenant_id, ts)",
    "CREATE INDEX pod_samples_tenant_ts ON pod_samples (tenant_id, ts)",
    "CREATE INDEX node_samples_tenant_ts ON node_samples (tenant_id, ts)",
];

/// Creates the SQLite time-series tables.
pub async fn create(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    execute::all(db, TABLES.into_iter().chain(INDEXES)).await
}

/// Drops the SQLite time-series tables.
pub async fn drop(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let tables = [
        "node_idle_hourly",
        "pod_costs_hourly",
        "node_samples",
        "pod_samples",
        "snapshots",
    ];
    execute::all(
        db,
        tables.map(|table| format!("DROP TABLE IF EXISTS {table}")),
    )
    .await
}
