//! `costs`: cost rows for every grouping, from rollups (whole hours rolled up; their whole
//! days from daily rollups unless buckets are hourly) and raw samples (edge hours and hours
//! not rolled up yet, through `pod_samples_named`),
//! merged with node idle for the cluster and time groupings (and only without a namespace
//! filter: idle belongs to nodes, not namespaces).
//!
//! SQLite sums the INTEGER money columns, and the TEXT resource-second columns exactly in
//! two INTEGER parts (`encoding::exact_sum_sql`). Distinct pod and namespace
//! counts are taken over the union of rollup and edge rows, so a pod seen in both counts
//! once; namespaces are counted by name, as on PostgreSQL. Merging with idle and the order
//! (largest total first, ties by key; time buckets by start ascending) are
//! `kcost_store_support`'s, as on PostgreSQL, and so are the key columns of each grouping
//! (`KeyColumns`, in SQLite's spelling) and the decoding of the rows: the SQL selects the
//! columns its `allocation_row` and `idle_row` read.

use kcost_domain::costs::{CostGrouping, CostQuery, CostRow, TrendInterval};
use kcost_domain::tenant::TenantId;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{
    KeyColumns, KeyDialect, allocation_row, idle_row, includes_idle, merge_cost_rows,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::encoding::resource_second_sums_sql;
use crate::error::{chained, db, unexpected};
use crate::result_row::Columns;
use crate::scope::{
    EDGE_RANGE, POD_DAY_RANGE, POD_HOUR_RANGE, ROLLUP_RANGE, SAMPLE_HOUR, Scope, rolled_until,
};

/// Answers `query` for `tenant`, ordered as the port says.
pub(crate) async fn costs(
    conn: &DatabaseConnection,
    tenant: TenantId,
    query: &CostQuery,
) -> Result<Vec<CostRow>, MetricsStoreError> {
    let txn = conn.begin().await.map_err(db("costs: begin"))?;
    let watermark = rolled_until(&txn, tenant)
        .await
        .map_err(chained("costs: watermark"))?;
    let mut scope = Scope::new(tenant, &query.window, &query.filter, watermark);
    if query.grouping != CostGrouping::Time(TrendInterval::Hourly) {
        // Day, week and non-time buckets never split a day.
        scope = scope.with_days();
    }
    let keys = KeyColumns::of(query.grouping, &KEYS);

    let rows = txn
        .query_all_raw(scope.statement(allocation_sql(&keys, &scope), true))
        .await
        .map_err(db("costs: allocation"))?;
    let allocation = rows
        .iter()
        .map(|row| allocation_row(query.grouping, &Columns(row)))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("costs: decode allocation"))?;

    let mut idle = Vec::new();
    if includes_idle(query.grouping, &query.filter) {
        let rows = txn
            .query_all_raw(scope.statement(idle_sql(&keys, &scope), false))
            .await
            .map_err(db("costs: idle"))?;
        idle = rows
            .iter()
            .map(|row| idle_row(query.grouping, &Columns(row)))
            .collect::<anyhow::Result<Vec<_>>>()
            .map_err(unexpected("costs: decode idle"))?;
    }
    txn.commit().await.map_err(db("costs: commit"))?;
    Ok(merge_cost_rows(query.grouping, allocation, idle))
}

/// `(cluster, namespace, pod)` as one unambiguous value for `COUNT(DISTINCT …)`: each part
/// is prefixed with its length, so no name can make two pods collide.
const POD_IDENTITY: &str = "length(cluster) || ':' || cluster || length(namespace) || ':' \
    || namespace || ':' || pod";

/// SQLite's key columns: untyped NULLs; days and weeks computed from `hour` in unix seconds.
const KEYS: KeyDialect = KeyDialect {
    null_text: "NULL",
    null_bucket: "NULL",
    day: "(hour - ((hour % 86400) + 86400) % 86400)",
    // ISO weeks start on Monday; the first Monday after the epoch (a Thursday) is
    // 1970-01-05, 345 600 s in.
    week: "(hour - (((hour - 345600) % 604800) + 604800) % 604800)",
};

fn allocation_sql(keys: &KeyColumns, scope: &Scope<'_>) -> String {
    let filters = scope.filter_sql(true);
    let resource_seconds = resource_second_sums_sql();
    format!(
        "WITH src AS (
            SELECT cluster, namespace, pod, hour, cpu_cost, ram_cost, storage_cost,
                   network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs,
                   mem_usage_bs, mem_request_bs
            FROM pod_costs_hourly WHERE {POD_HOUR_RANGE}{filters}
            UNION ALL
            SELECT cluster, namespace, pod, day, cpu_cost, ram_cost, storage_cost,
                   network_cost, load_balancer_cost, cpu_usage_mcs, cpu_request_mcs,
                   mem_usage_bs, mem_request_bs
            FROM pod_costs_daily WHERE {POD_DAY_RANGE}{filters}
            UNION ALL
            SELECT cluster, namespace, pod, {SAMPLE_HOUR}, cpu_cost, ram_cost, storage_cost,
                   network_cost, load_balancer_cost,
                   CAST(cpu_usage_m * duration_seconds AS TEXT),
                   CAST(cpu_request_m * duration_seconds AS TEXT),
                   CAST(mem_usage_b * duration_seconds AS TEXT),
                   CAST(mem_request_b * duration_seconds AS TEXT)
            FROM pod_samples_named WHERE {EDGE_RANGE}{filters}
        )
        SELECT {} AS k_cluster, {} AS k_namespace, {} AS k_pod, {} AS k_bucket,
               SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
               SUM(storage_cost) AS storage_cost, SUM(network_cost) AS network_cost,
               SUM(load_balancer_cost) AS load_balancer_cost,
               {resource_seconds},
               COUNT(DISTINCT {POD_IDENTITY}) AS pod_count,
               COUNT(DISTINCT namespace) AS namespace_count
        FROM src GROUP BY 1, 2, 3, 4",
        keys.cluster, keys.namespace, keys.pod, keys.bucket
    )
}

fn idle_sql(keys: &KeyColumns, scope: &Scope<'_>) -> String {
    let filters = scope.filter_sql(false);
    format!(
        "WITH src AS (
            SELECT cluster, hour, idle_cpu + idle_ram AS idle
            FROM node_idle_hourly WHERE {ROLLUP_RANGE}{filters}
            UNION ALL
            SELECT cluster, {SAMPLE_HOUR}, idle_cpu + idle_ram
            FROM node_samples WHERE {EDGE_RANGE}{filters}
        )
        SELECT {} AS k_cluster, {} AS k_bucket, SUM(idle) AS idle
        FROM src GROUP BY 1, 2",
        keys.cluster, keys.bucket
    )
}
