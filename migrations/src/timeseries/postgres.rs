//! PostgreSQL time-series schema (raw SQL).
//!
//! - `snapshots`: one row per ingested snapshot; its primary key (tenant_id, cluster, ts)
//!   is the idempotency key of ingest.
//! - `pod_samples`, `node_samples`: raw samples, declaratively partitioned by day on `ts`
//!   (`PARTITION BY RANGE (ts)`, partitions `<table>_pYYYYMMDD` covering one UTC day).
//!   With TimescaleDB enabled they are created unpartitioned and become hypertables.
//! - `pod_costs_hourly`: per (tenant, cluster, namespace, pod, node, hour) sums of costs,
//!   usage and request core-/byte-seconds, maxima and sample counts; `node` is `''` for
//!   pods without a node.
//! - `node_idle_hourly`: per (tenant, cluster, node, hour) node cost, idle and overcommit.
//! - `kcost_ensure_sample_partitions(from_day, to_day)`: creates missing day partitions
//!   (a no-op on hypertables); called at start for today..+7 days and on append for the
//!   snapshot's day.
//!
//! Money is `numeric(20,10)` (the domain's cost scale); rates are unconstrained `numeric`.

use sea_orm_migration::prelude::*;

use super::execute;

/// Columns of `pod_samples`, shared by the partitioned and the hypertable layouts.
pub const POD_SAMPLES_COLUMNS: &str = "
    tenant_id        uuid           NOT NULL,
    cluster          text           NOT NULL,
    ts               timestamptz    NOT NULL,
    namespace        text           NOT NULL,
    pod              text           NOT NULL,
    node             text,
    placement        text           NOT NULL,
    owner_kind       text,
    owner_name       text,
    cpu_usage_m      bigint         NOT NULL,
    cpu_request_m    bigint         NOT NULL,
    cpu_limit_m      bigint,
    mem_usage_b      bigint         NOT NULL,
    mem_request_b    bigint         NOT NULL,
    mem_limit_b      bigint,
    duration_seconds integer        NOT NULL CHECK (duration_seconds > 0),
    cpu_cost         numeric(20,10) NOT NULL,
    ram_cost         numeric(20,10) NOT NULL,
    cpu_rate         numeric        NOT NULL,
    ram_rate         numeric        NOT NULL,
    PRIMARY KEY (tenant_id, cluster, ts, namespace, pod)";

/// Columns of `node_samples`, shared by both layouts.
pub const NODE_SAMPLES_COLUMNS: &str = "
    tenant_id         uuid           NOT NULL,
    cluster           text           NOT NULL,
    ts                timestamptz    NOT NULL,
    node              text           NOT NULL,
    instance_type     text,
    cpu_capacity_m    bigint         NOT NULL,
    mem_capacity_b    bigint         NOT NULL,
    cpu_allocatable_m bigint         NOT NULL,
    mem_allocatable_b bigint         NOT NULL,
    hourly_price      numeric        NOT NULL,
    price_source      text           NOT NULL,
    cpu_rate          numeric        NOT NULL,
    ram_rate          numeric        NOT NULL,
    cpu_cost          numeric(20,10) NOT NULL,
    ram_cost          numeric(20,10) NOT NULL,
    idle_cpu          numeric(20,10) NOT NULL,
    idle_ram          numeric(20,10) NOT NULL,
    overcommit_cpu    numeric(20,10) NOT NULL,
    overcommit_ram    numeric(20,10) NOT NULL,
    duration_seconds  integer        NOT NULL CHECK (duration_seconds > 0),
    PRIMARY KEY (tenant_id, cluster, ts, node)";

const SNAPSHOTS: &str = "
CREATE TABLE snapshots (
    tenant_id         uuid           NOT NULL,
    cluster           text           NOT NULL,
    ts                timestamptz    NOT NULL,
    duration_seconds  integer        NOT NULL CHECK (duration_seconds > 0),
    duration_basis    text           NOT NULL,
    pod_count         integer        NOT NULL,
    node_count        integer        NOT NULL,
    node_cost         numeric(20,10) NOT NULL,
    idle              numeric(20,10) NOT NULL,
    off_node_pod_cost numeric(20,10) NOT NULL,
    created_at        timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, cluster, ts)
)";

const POD_COSTS_HOURLY: &str = "
CREATE TABLE pod_costs_hourly (
    tenant_id         uuid           NOT NULL,
    hour              timestamptz    NOT NULL,
    cluster           text           NOT NULL,
    namespace         text           NOT NULL,
    pod               text           NOT NULL,
    node              text           NOT NULL,
    cpu_cost          numeric(20,10) NOT NULL,
    ram_cost          numeric(20,10) NOT NULL,
    cpu_usage_mcs     numeric        NOT NULL,
    cpu_request_mcs   numeric        NOT NULL,
    mem_usage_bs      numeric        NOT NULL,
    mem_request_bs    numeric        NOT NULL,
    max_cpu_usage_m   bigint         NOT NULL,
    max_mem_usage_b   bigint         NOT NULL,
    sample_count      integer        NOT NULL,
    sample_seconds    bigint         NOT NULL,
    PRIMARY KEY (tenant_id, hour, cluster, namespace, pod, node)
)";

const NODE_IDLE_HOURLY: &str = "
CREATE TABLE node_idle_hourly (
    tenant_id      uuid           NOT NULL,
    hour           timestamptz    NOT NULL,
    cluster        text           NOT NULL,
    node           text           NOT NULL,
    cpu_cost       numeric(20,10) NOT NULL,
    ram_cost       numeric(20,10) NOT NULL,
    idle_cpu       numeric(20,10) NOT NULL,
    idle_ram       numeric(20,10) NOT NULL,
    overcommit_cpu numeric(20,10) NOT NULL,
    overcommit_ram numeric(20,10) NOT NULL,
    sample_count   integer        NOT NULL,
    PRIMARY KEY (tenant_id, hour, cluster, node)
)";

const INDEXES: [&str; 3] = [
    "CREATE INDEX snapshots_tenant_ts ON snapshots (tenant_id, ts)",
    "CREATE INDEX pod_samples_tenant_ts ON pod_samples (tenant_id, ts)",
    "CREATE INDEX node_samples_tenant_ts ON node_samples (tenant_id, ts)",
];

/// `kcost_ensure_sample_partitions(from_day, to_day)` over `tables`: creates missing day
/// partitions `[from_day, to_day]` of each natively partitioned one and returns how many it
/// created (hypertables are skipped: TimescaleDB makes its own chunks). Serialized by an
/// advisory lock so concurrent ingests cannot race. Later migrations re-create it over
/// more tables.
pub fn ensure_partitions_fn(tables: &[&str]) -> String {
    let tables = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"
CREATE OR REPLACE FUNCTION kcost_ensure_sample_partitions(from_day date, to_day date)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    day     date;
    parent  text;
    part    text;
    created integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('kcost_sample_partitions'));
    FOREACH parent IN ARRAY ARRAY[{tables}] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table
                       WHERE partrelid = to_regclass(parent)) THEN
            CONTINUE; -- a hypertable (TimescaleDB makes its own chunks)
        END IF;
        day := from_day;
        WHILE day <= to_day LOOP
            part := parent || '_p' || to_char(day, 'YYYYMMDD');
            IF to_regclass(part) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                               part, parent,
                               day::timestamp AT TIME ZONE 'UTC',
                               (day + 1)::timestamp AT TIME ZONE 'UTC');
                created := created + 1;
            END IF;
            day := day + 1;
        END LOOP;
    END LOOP;
    RETURN created;
END
$fn$"#
    )
}

/// Today's (UTC) partitions and the next seven days', created with the sample tables.
pub const INITIAL_PARTITIONS: &str = "SELECT kcost_ensure_sample_partitions(
    (now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 7)";

/// `CREATE TABLE name (columns)` for a sample table: partitioned by day on `ts` when
/// `partitioned`, plain (for TimescaleDB to convert) otherwise.
pub fn sample_table(name: &str, columns: &str, partitioned: bool) -> String {
    let partitioning = if partitioned {
        " PARTITION BY RANGE (ts)"
    } else {
        ""
    };
    format!("CREATE TABLE {name} ({columns}\n){partitioning}")
}

/// Creates the schema; sample tables partitioned by day when `partitioned`, plain (for
/// TimescaleDB to convert) otherwise.
pub async fn create(db: &SchemaManagerConnection<'_>, partitioned: bool) -> Result<(), DbErr> {
    let tables = [
        SNAPSHOTS.to_owned(),
        sample_table("pod_samples", POD_SAMPLES_COLUMNS, partitioned),
        sample_table("node_samples", NODE_SAMPLES_COLUMNS, partitioned),
        POD_COSTS_HOURLY.to_owned(),
        NODE_IDLE_HOURLY.to_owned(),
    ];
    execute::all(db, tables).await?;
    execute::all(db, INDEXES).await?;
    let partitions = [
        ensure_partitions_fn(&["pod_samples", "node_samples"]),
        INITIAL_PARTITIONS.to_owned(),
    ];
    execute::all(db, partitions).await
}

/// Drops everything [`create`] made (partitions go with their parents; hypertables take
/// their chunks and policies with them). One table per statement: TimescaleDB refuses to
/// drop a hypertable "along with other objects" in a single `DROP TABLE`.
pub async fn drop(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let statements = [
        "DROP FUNCTION IF EXISTS kcost_ensure_sample_partitions(date, date)",
        "DROP TABLE IF EXISTS node_idle_hourly",
        "DROP TABLE IF EXISTS pod_costs_hourly",
        "DROP TABLE IF EXISTS node_samples",
        "DROP TABLE IF EXISTS pod_samples",
        "DROP TABLE IF EXISTS snapshots",
    ];
    execute::all(db, statements).await
}
