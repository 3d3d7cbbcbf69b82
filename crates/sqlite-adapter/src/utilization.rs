//! `utilization`: per-pod time-weighted usage against requests over a window, from the
//! same rollup/raw split as the cost queries, whole days from daily rollups (rollups keep
//! usage and request resource-seconds, maxima, sample counts and seconds). Decoding the
//! sums and the time-weighted averages are `kcost_store_support`'s, as on PostgreSQL.
//! Pods ordered by cost descending, then by cluster, namespace and name.

use kcost_domain::costs::{CostFilter, PodUtilization};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{UtilizationSums, utilization_sums};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::encoding::resource_second_sums_sql;
use crate::error::{chained, db, unexpected};
use crate::result_row::Columns;
use crate::scope::{EDGE_RANGE, POD_DAY_RANGE, POD_HOUR_RANGE, Scope, rolled_until};

/// What the hourly and the daily pod rollups give alike (`cost` for all the pod cost).
const ROLLUP_COLUMNS: &str = "cluster, namespace, pod, \
    cpu_cost + ram_cost + storage_cost + network_cost + load_balancer_cost AS cost, \
    cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs, max_cpu_usage_m, \
    max_mem_usage_b, sample_count, sample_seconds";

pub(crate) async fn utilization(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
    filter: &CostFilter,
) -> Result<Vec<PodUtilization>, MetricsStoreError> {
    let txn = conn.begin().await.map_err(db("utilization: begin"))?;
    let watermark = rolled_until(&txn, tenant)
        .await
        .map_err(chained("utilization: watermark"))?;
    let scope = Scope::new(tenant, window, filter, watermark).with_days();
    let filters = scope.filter_sql(true);
    let resource_seconds = resource_second_sums_sql();
    let sql = format!(
        "WITH src AS (
            SELECT {ROLLUP_COLUMNS} FROM pod_costs_hourly WHERE {POD_HOUR_RANGE}{filters}
            UNION ALL
            SELECT {ROLLUP_COLUMNS} FROM pod_costs_daily WHERE {POD_DAY_RANGE}{filters}
            UNION ALL
            SELECT cluster, namespace, pod,
                   cpu_cost + ram_cost + storage_cost + network_cost + load_balancer_cost,
                   CAST(cpu_usage_m * duration_seconds AS TEXT),
                   CAST(cpu_request_m * duration_seconds AS TEXT),
                   CAST(mem_usage_b * duration_seconds AS TEXT),
                   CAST(mem_request_b * duration_seconds AS TEXT),
                   cpu_usage_m, mem_usage_b, 1, duration_seconds
            FROM pod_samples_named WHERE {EDGE_RANGE}{filters}
        )
        SELECT cluster, namespace, pod, SUM(cost) AS cost,
               {resource_seconds},
               MAX(max_cpu_usage_m) AS max_cpu_usage_m, MAX(max_mem_usage_b) AS max_mem_usage_b,
               SUM(sample_count) AS samples, SUM(sample_seconds) AS seconds
        FROM src
        GROUP BY cluster, namespace, pod"
    );
    let rows = txn
        .query_all_raw(scope.statement(sql, true))
        .await
        .map_err(db("utilization"))?;
    txn.commit().await.map_err(db("utilization: commit"))?;
    let mut pods = rows
        .iter()
        .map(|row| utilization_sums(&Columns(row)).map(UtilizationSums::into_utilization))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("utilization: decode"))?;
    // Sorted here rather than in SQL so the tie order is byte order, whatever the collation.
    pods.sort_by(|a, b| {
        b.cost
            .cmp(&a.cost)
            .then_with(|| a.cluster.cmp(&b.cluster))
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.pod.cmp(&b.pod))
    });
    Ok(pods)
}
