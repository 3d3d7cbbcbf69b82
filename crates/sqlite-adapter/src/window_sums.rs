//! `window_sums`: per pod description its costs and resource-seconds over a window, and
//! per node its idle cost — the allocation API's input.
//!
//! Sums come from the daily and hourly rollups for the rolled-up whole hours and from raw
//! samples for the rest (`scope`), grouped by pod id and then joined with `pods`, in one
//! read transaction with the watermark. Money is summed as INTEGER units, resource-seconds
//! exactly in two INTEGER parts (`encoding::exact_sum_sql`).

use kcost_domain::allocation::sums::{NodeIdleSums, PodWindowSums, ResourceSeconds, WindowSums};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::{ResultRow, pod_costs};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, TransactionTrait};

use crate::descriptions::description;
use crate::encoding::{allocated_second_sums_sql, exact_sum, resource_second_sums_sql};
use crate::error::{chained, db, unexpected};
use crate::result_row::Columns;
use crate::scope::{EDGE_RANGE, POD_DAY_RANGE, POD_HOUR_RANGE, ROLLUP_RANGE, Scope, rolled_until};

/// Columns every per-pod source gives.
const POD_COLUMNS: &str = "pod_id, cpu_cost, ram_cost, storage_cost, network_cost, \
    load_balancer_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs, \
    cpu_alloc_mcs, mem_alloc_bs, sample_seconds";

fn pods_sql() -> String {
    format!(
        "WITH src AS (
            SELECT {POD_COLUMNS} FROM pod_costs_hourly WHERE {POD_HOUR_RANGE}
            UNION ALL
            SELECT {POD_COLUMNS} FROM pod_costs_daily WHERE {POD_DAY_RANGE}
            UNION ALL
            SELECT pod_id, cpu_cost, ram_cost, storage_cost, network_cost, load_balancer_cost,
                   CAST(cpu_usage_m * duration_seconds AS TEXT),
                   CAST(cpu_request_m * duration_seconds AS TEXT),
                   CAST(mem_usage_b * duration_seconds AS TEXT),
                   CAST(mem_request_b * duration_seconds AS TEXT),
                   CAST(MAX(cpu_usage_m, cpu_request_m) * duration_seconds AS TEXT),
                   CAST(MAX(mem_usage_b, mem_request_b) * duration_seconds AS TEXT),
                   duration_seconds
            FROM pod_samples WHERE {EDGE_RANGE}
        ), sums AS (
            SELECT pod_id, SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
                   SUM(storage_cost) AS storage_cost, SUM(network_cost) AS network_cost,
                   SUM(load_balancer_cost) AS load_balancer_cost,
                   {}, {}, SUM(sample_seconds) AS sample_seconds
            FROM src GROUP BY pod_id
        )
        SELECT p.cluster, p.namespace, p.pod, p.node, p.owner_kind, p.owner_name,
               p.owner_inferred, p.labels, p.phase, p.qos_class, p.containers, s.*
        FROM sums s JOIN pods p ON p.tenant_id = ?1 AND p.pod_id = s.pod_id",
        resource_second_sums_sql(),
        allocated_second_sums_sql(),
    )
}

fn nodes_sql() -> String {
    format!(
        "WITH src AS (
            SELECT cluster, node, idle_cpu, idle_ram FROM node_idle_hourly WHERE {ROLLUP_RANGE}
            UNION ALL
            SELECT cluster, node, idle_cpu, idle_ram FROM node_samples WHERE {EDGE_RANGE}
        )
        SELECT cluster, node, SUM(idle_cpu) AS idle_cpu, SUM(idle_ram) AS idle_ram
        FROM src GROUP BY cluster, node"
    )
}

/// Answers the port's `window_sums` for `tenant`.
pub(crate) async fn window_sums(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<WindowSums, MetricsStoreError> {
    let txn = conn.begin().await.map_err(db("window_sums: begin"))?;
    let watermark = rolled_until(&txn, tenant)
        .await
        .map_err(chained("window_sums: watermark"))?;
    let everything = CostFilter::default();
    let scope = Scope::new(tenant, window, &everything, watermark).with_days();
    let pod_rows = txn
        .query_all_raw(scope.statement(pods_sql(), false))
        .await
        .map_err(db("window_sums: pods"))?;
    let node_rows = txn
        .query_all_raw(scope.statement(nodes_sql(), false))
        .await
        .map_err(db("window_sums: nodes"))?;
    txn.commit().await.map_err(db("window_sums: commit"))?;
    let pods = pod_rows
        .iter()
        .map(pod_sums)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("window_sums: decode pods"))?;
    let nodes = node_rows
        .iter()
        .map(node_sums)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(unexpected("window_sums: decode nodes"))?;
    Ok(WindowSums {
        pods,
        nodes,
        containers: Vec::new(),
    })
}

fn pod_sums(row: &QueryResult) -> anyhow::Result<PodWindowSums> {
    let listed = |column: &str| exact_sum(row, column);
    Ok(PodWindowSums {
        pod: description(row)?,
        cost: pod_costs(&Columns(row))?,
        resources: ResourceSeconds {
            cpu_usage_mcs: listed("cpu_usage_mcs")?,
            cpu_request_mcs: listed("cpu_request_mcs")?,
            cpu_alloc_mcs: listed("cpu_alloc_mcs")?,
            mem_usage_bs: listed("mem_usage_bs")?,
            mem_request_bs: listed("mem_request_bs")?,
            mem_alloc_bs: listed("mem_alloc_bs")?,
            seconds: Decimal::from(
                row.try_get_by::<Option<i64>, _>("sample_seconds")?
                    .unwrap_or_default(),
            ),
        },
    })
}

fn node_sums(row: &QueryResult) -> anyhow::Result<NodeIdleSums> {
    let columns = Columns(row);
    Ok(NodeIdleSums {
        cluster: ClusterName::new(row.try_get_by::<String, _>("cluster")?)?,
        node: row.try_get_by("node")?,
        idle_cpu: columns.money("idle_cpu")?,
        idle_ram: columns.money("idle_ram")?,
    })
}
