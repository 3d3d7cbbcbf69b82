//! `utilization`: per-pod time-weighted usage against requests over a window, from the
//! same rollup/edge split as the cost queries (rollups keep usage and request
//! resource-seconds, maxima, sample counts and seconds). Decoding the sums and the
//! time-weighted averages are `kcost_store_support`'s, as on SQLite.

use kcost_domain::costs::{CostFilter, PodUtilization};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{UtilizationSums, utilization_sums};
use sqlx::{AssertSqlSafe, PgPool};

use crate::error::unexpected;
use crate::hourly::{self, hourly_from_samples};
use crate::result_row::Columns;
use crate::scope::{EDGE_RANGE, Scope, watermark};

/// Pods ordered by cost descending, then by cluster, namespace and name.
pub(crate) async fn utilization(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<PodUtilization>, MetricsStoreError> {
    let scope = Scope::new(tenant, window, filter, watermark(pool, tenant).await?);
    let filters = scope.filter_sql(6, true);
    let raw = hourly_from_samples(EDGE_RANGE);
    let rollups = scope.pod_rollups_sql(
        "cluster, namespace, pod, \
         cpu_cost + ram_cost + storage_cost + network_cost + load_balancer_cost AS cost, \
         cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs, max_cpu_usage_m, \
         max_mem_usage_b, sample_count, sample_seconds",
        &filters,
        true,
    );
    let sql = format!(
        "WITH src AS (
            {rollups}
            UNION ALL
            SELECT cluster, namespace, pod,
                   cpu_cost + ram_cost + storage_cost + network_cost + load_balancer_cost,
                   cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs,
                   max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds
            FROM ({raw}) AS raw WHERE TRUE{filters}
        )
        SELECT cluster, namespace, pod, SUM(cost) AS cost,
               SUM(cpu_usage_mcs) AS cpu_usage_mcs, SUM(cpu_request_mcs) AS cpu_request_mcs,
               SUM(mem_usage_bs) AS mem_usage_bs, SUM(mem_request_bs) AS mem_request_bs,
               MAX(max_cpu_usage_m) AS max_cpu_usage_m, MAX(max_mem_usage_b) AS max_mem_usage_b,
               SUM(sample_count)::bigint AS samples, SUM(sample_seconds)::bigint AS seconds
        FROM src
        GROUP BY cluster, namespace, pod
        ORDER BY cost DESC, cluster, namespace, pod"
    );
    let query = scope.bind_filters(scope.bind_window(sqlx::query(AssertSqlSafe(sql))), true);
    let rows = hourly::fetch_all(pool, query, "utilization").await?;
    rows.iter()
        .map(|row| utilization_sums(&Columns(row)).map(UtilizationSums::into_utilization))
        .collect::<anyhow::Result<_>>()
        .map_err(|e| unexpected("utilization: decode", e))
}
