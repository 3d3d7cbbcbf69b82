//! Per-pod hourly sums computed from raw samples, in the shape of a `pod_costs_hourly` row:
//! what the rollup job stores for a closed hour, and what queries read for the hours not
//! rolled up yet. Samples are summed per pod id first and only then joined with `pods`
//! (thousands of rows instead of every sample), and analytic statements run with nested
//! loops off (`analytic`): right after a day partition or a tenant's first pods appear,
//! PostgreSQL has no statistics yet, estimates a handful of rows and would otherwise pick a
//! nested loop over every sample × every pod (measured: 38 s instead of 0.1 s for 120,000
//! samples).
//!
//! Resource-seconds are multiplied in `bigint` and summed by `SUM(bigint)`, which
//! accumulates in 128 bits and answers an exact `numeric`: the same integers as casting
//! every factor to `numeric` first, without a `numeric` multiplication per sample. No
//! product overflows: figures are at most 2⁴⁶ (bytes) and a sample's duration at most a
//! day (86,400 s < 2¹⁷), so every product stays below 2⁶³.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgPool, Postgres};
use uuid::Uuid;

use crate::copy_binary::CopyBinary;
use crate::error::db;
use crate::hour_sums::PodHour;
use kcost_ports::MetricsStoreError;

/// Columns of [`hourly_from_samples`], in `pod_costs_hourly`'s names.
pub(crate) const HOURLY_COLUMNS: &str = "cluster, namespace, pod, node, hour, pod_id, cpu_cost, \
    ram_cost, storage_cost, network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs, \
    mem_usage_bs, mem_request_bs, max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds, \
    cpu_alloc_mcs, mem_alloc_bs";

/// Hourly per-pod rows of the samples matching `range` (a condition on `pod_samples`
/// columns; the tenant is `$1`), with the pod's cluster, namespace, name and node (`''`
/// when pending). Filters on those go outside: `SELECT … FROM (…) AS raw WHERE …`.
pub(crate) fn hourly_from_samples(range: &str) -> String {
    format!(
        "SELECT p.cluster, p.namespace, p.pod, COALESCE(p.node, '') AS node, a.hour, a.pod_id,
                a.cpu_cost, a.ram_cost, a.storage_cost, a.network_cost, a.load_balancer_cost,
                a.cpu_usage_mcs, a.cpu_request_mcs, a.mem_usage_bs, a.mem_request_bs,
                a.max_cpu_usage_m, a.max_mem_usage_b, a.sample_count, a.sample_seconds,
                a.cpu_alloc_mcs, a.mem_alloc_bs
         FROM (SELECT pod_id, date_trunc('hour', ts, 'UTC') AS hour,
                      SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
                      SUM(storage_cost) AS storage_cost, SUM(network_cost) AS network_cost,
                      SUM(load_balancer_cost) AS load_balancer_cost,
                      SUM(cpu_usage_m * duration_seconds) AS cpu_usage_mcs,
                      SUM(cpu_request_m * duration_seconds) AS cpu_request_mcs,
                      SUM(mem_usage_b * duration_seconds) AS mem_usage_bs,
                      SUM(mem_request_b * duration_seconds) AS mem_request_bs,
                      MAX(cpu_usage_m) AS max_cpu_usage_m, MAX(mem_usage_b) AS max_mem_usage_b,
                      COUNT(*)::integer AS sample_count,
                      SUM(duration_seconds)::bigint AS sample_seconds,
                      SUM(GREATEST(cpu_usage_m, cpu_request_m) * duration_seconds)
                          AS cpu_alloc_mcs,
                      SUM(GREATEST(mem_usage_b, mem_request_b) * duration_seconds)
                          AS mem_alloc_bs
               FROM pod_samples WHERE {range}
               GROUP BY pod_id, 2) AS a
         JOIN pods p ON p.tenant_id = $1 AND p.pod_id = a.pod_id"
    )
}

/// `pod_costs_hourly` rows summed in memory (`hour_sums`), in [`pod_hourly_rows`]' order.
pub(crate) const COPY_HOURLY: &str = "
COPY pod_costs_hourly (tenant_id, cluster, namespace, pod, node, hour, pod_id, cpu_cost,
                       ram_cost, storage_cost, network_cost, load_balancer_cost,
                       cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs,
                       max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds,
                       cpu_alloc_mcs, mem_alloc_bs)
FROM STDIN (FORMAT binary)";

/// Fields of a [`COPY_HOURLY`] row.
const HOURLY_FIELDS: i16 = 22;

/// The binary COPY payload of `rows` ((hour, pod id, sums) of `tenant`'s `cluster`); the
/// same values [`hourly_from_samples`] computes from the samples (its `numeric` sums of
/// resource-seconds are whole numbers).
pub(crate) fn pod_hourly_rows(
    tenant: Uuid,
    cluster: &str,
    rows: &[(DateTime<Utc>, i64, PodHour)],
) -> Vec<u8> {
    let whole = Decimal::from;
    let mut copy = CopyBinary::with_capacity(rows.len() * 320);
    for (hour, id, sums) in rows {
        copy.row(HOURLY_FIELDS)
            .uuid(&tenant)
            .text(cluster)
            .text(&sums.names.namespace)
            .text(&sums.names.pod)
            .text(&sums.names.node)
            .timestamptz(*hour)
            .int8(*id)
            .numeric(sums.cpu_cost)
            .numeric(sums.ram_cost)
            .numeric(sums.storage_cost)
            .numeric(sums.network_cost)
            .numeric(sums.load_balancer_cost)
            .numeric(whole(sums.cpu_usage_mcs))
            .numeric(whole(sums.cpu_request_mcs))
            .numeric(whole(sums.mem_usage_bs))
            .numeric(whole(sums.mem_request_bs))
            .int8(sums.max_cpu_usage_m)
            .int8(sums.max_mem_usage_b)
            .int4(sums.sample_count)
            .int8(sums.sample_seconds)
            .numeric(whole(sums.cpu_alloc_mcs))
            .numeric(whole(sums.mem_alloc_bs));
    }
    copy.finish()
}

/// Runs an analytic query with nested loops off (see the module docs), in a transaction of
/// its own so the setting ends with it.
pub(crate) async fn fetch_all<'q>(
    pool: &PgPool,
    query: Query<'q, Postgres, PgArguments>,
    what: &'static str,
) -> Result<Vec<PgRow>, MetricsStoreError> {
    let mut tx = pool.begin().await.map_err(db(what))?;
    sqlx::query(NO_NESTED_LOOPS)
        .execute(&mut *tx)
        .await
        .map_err(db(what))?;
    let rows = query.fetch_all(&mut *tx).await.map_err(db(what))?;
    tx.commit().await.map_err(db(what))?;
    Ok(rows)
}

/// For this transaction only. JIT goes too: disabling a plan type makes the planner add a
/// huge cost to any plan that still needs one (a join on `IS NOT DISTINCT FROM`), and that
/// cost would trigger JIT compilation (measured: ~700 ms per query on a tiny table).
pub(crate) const NO_NESTED_LOOPS: &str =
    "SELECT set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)";
