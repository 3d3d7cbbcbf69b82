//! `costs`: cost rows for every grouping, from hourly rollups (whole hours) and raw samples
//! (edge hours), merged with node idle for the cluster and time groupings.
//!
//! The cluster and namespace breakdowns read the namespace-level rollup
//! (`namespace_costs`); the pod and time breakdowns read the per-pod rollup here (trend
//! buckets need distinct pods per bucket, which the per-pod rows give directly).
//!
//! Money columns are NUMERIC and summed by PostgreSQL as NUMERIC; they arrive as
//! `rust_decimal` at the cost scale. Distinct pod and namespace counts are computed over
//! the union of rollup and edge rows, so a pod seen in both counts once. Merging with idle,
//! the order, the key columns of each grouping (`KeyColumns`, in PostgreSQL's spelling) and
//! decoding the rows are `kcost_store_support`'s, as on SQLite: the SQL selects the columns
//! its `allocation_row` and `idle_row` read.

use kcost_domain::costs::{CostGrouping, CostQuery, CostRow, TrendInterval};
use kcost_domain::tenant::TenantId;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{
    KeyColumns, KeyDialect, allocation_row, idle_row, includes_idle, merge_cost_rows,
};
use sqlx::{AssertSqlSafe, PgPool};

use crate::error::unexpected;
use crate::hourly::{self, hourly_from_samples};
use crate::namespace_costs;
use crate::result_row::Columns;
use crate::scope::{EDGE_RANGE, ROLLUP_RANGE, Scope, watermark};

/// Answers `query` for `tenant`, ordered as the port says.
pub(crate) async fn costs(
    pool: &PgPool,
    tenant: TenantId,
    query: &CostQuery,
) -> Result<Vec<CostRow>, MetricsStoreError> {
    let scope = Scope::new(
        tenant,
        &query.window,
        &query.filter,
        watermark(pool, tenant).await?,
    );
    let keys = KeyColumns::of(query.grouping, &KEYS);

    let sql = match query.grouping {
        // Namespace-level rollup and daily pod rows: ~20 rows per cluster-hour to sum
        // instead of one per pod.
        CostGrouping::Cluster | CostGrouping::Namespace => {
            namespace_costs::allocation_sql(keys.cluster, keys.namespace, &scope)
        }
        // Hourly buckets need hourly rows; everything else reads whole days from the
        // daily rollup.
        CostGrouping::Pod | CostGrouping::Time(_) => allocation_sql(
            query.grouping,
            &keys,
            &scope,
            query.grouping != CostGrouping::Time(TrendInterval::Hourly),
        ),
    };
    let statement = scope.bind_filters(scope.bind_window(sqlx::query(AssertSqlSafe(sql))), true);
    let rows = hourly::fetch_all(pool, statement, "costs: allocation").await?;
    let allocation = rows
        .iter()
        .map(|row| allocation_row(query.grouping, &Columns(row)))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("costs: decode allocation", e))?;

    let mut idle = Vec::new();
    if includes_idle(query.grouping, &query.filter) {
        let sql = idle_sql(&keys, &scope);
        let statement =
            scope.bind_filters(scope.bind_window(sqlx::query(AssertSqlSafe(sql))), false);
        let rows = hourly::fetch_all(pool, statement, "costs: idle").await?;
        idle = rows
            .iter()
            .map(|row| idle_row(query.grouping, &Columns(row)))
            .collect::<anyhow::Result<Vec<_>>>()
            .map_err(|e| unexpected("costs: decode idle", e))?;
    }
    Ok(merge_cost_rows(query.grouping, allocation, idle))
}

/// Distinct pods and namespaces of a group that may hold many pods.
const DISTINCT_COUNTS: &str = "COUNT(DISTINCT (cluster, namespace, pod)) AS pod_count,
               COUNT(DISTINCT namespace) AS namespace_count";

/// A pod group is one pod in one namespace: constants there, because a `COUNT(DISTINCT)`
/// forces a sort of every row where hashing would do (the pod list ~20% faster).
const ONE_POD_COUNTS: &str = "1::bigint AS pod_count, 1::bigint AS namespace_count";

/// PostgreSQL's key columns: typed NULLs, so each column has the type it is read as; days
/// and weeks truncated from `hour` in UTC (`date_trunc('week')` starts on Monday).
const KEYS: KeyDialect = KeyDialect {
    null_text: "NULL::text",
    null_bucket: "NULL::timestamptz",
    day: "date_trunc('day', hour, 'UTC')",
    week: "date_trunc('week', hour, 'UTC')",
};

/// Columns every per-pod source of the allocation query gives.
const POD_COLUMNS: &str = "cluster, namespace, pod, hour, cpu_cost, ram_cost, storage_cost, \
    network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, \
    mem_request_bs";

fn allocation_sql(
    grouping: CostGrouping,
    keys: &KeyColumns,
    scope: &Scope<'_>,
    days: bool,
) -> String {
    let counts = if grouping == CostGrouping::Pod {
        ONE_POD_COUNTS
    } else {
        DISTINCT_COUNTS
    };
    let filters = scope.filter_sql(6, true);
    let raw = hourly_from_samples(EDGE_RANGE);
    let rollups = scope.pod_rollups_sql(POD_COLUMNS, &filters, days);
    format!(
        "WITH src AS (
            {rollups}
            UNION ALL
            SELECT cluster, namespace, pod, hour, cpu_cost, ram_cost, storage_cost,
                   network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs,
                   mem_usage_bs, mem_request_bs
            FROM ({raw}) AS raw WHERE TRUE{filters}
        )
        SELECT {} AS k_cluster, {} AS k_namespace, {} AS k_pod, {} AS k_bucket,
               SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
               SUM(storage_cost) AS storage_cost, SUM(network_cost) AS network_cost,
               SUM(load_balancer_cost) AS load_balancer_cost,
               SUM(cpu_usage_mcs) AS cpu_usage_mcs, SUM(cpu_request_mcs) AS cpu_request_mcs,
               SUM(mem_usage_bs) AS mem_usage_bs, SUM(mem_request_bs) AS mem_request_bs,
               {counts}
        FROM src GROUP BY 1, 2, 3, 4",
        keys.cluster, keys.namespace, keys.pod, keys.bucket
    )
}

fn idle_sql(keys: &KeyColumns, scope: &Scope<'_>) -> String {
    let filters = scope.filter_sql(6, false);
    format!(
        "WITH src AS (
            SELECT cluster, hour, idle_cpu + idle_ram AS idle
            FROM node_idle_hourly WHERE {ROLLUP_RANGE}{filters}
            UNION ALL
            SELECT cluster, date_trunc('hour', ts, 'UTC'), idle_cpu + idle_ram
            FROM node_samples WHERE {EDGE_RANGE}{filters}
        )
        SELECT {} AS k_cluster, {} AS k_bucket, SUM(idle) AS idle
        FROM src GROUP BY 1, 2",
        keys.cluster, keys.bucket
    )
}
