//! `window_sums`: per pod description its costs and resource-seconds over a window, and
//! per node its idle cost — the allocation API's input.
//!
//! The sums come from the daily and hourly rollups for the window's rolled-up whole hours
//! and from raw samples for the rest (`scope`), grouped by pod id and only then joined
//! with `pods` (one row per description, not one per sample or day).

use chrono::{DateTime, Utc};
use kcost_domain::allocation::sums::{NodeIdleSums, PodWindowSums, ResourceSeconds, WindowSums};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::pod_costs;
use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgPool, Row};

use crate::descriptions::{DESCRIPTION_COLUMNS, description};
use crate::error::{db, unexpected};
use crate::hourly;
use crate::result_row::Columns;
use crate::scope::{EDGE_RANGE, ROLLUP_RANGE, Scope, WATERMARK};

/// The summed columns, as each source names them.
const SUMMED: &str = "cpu_cost, ram_cost, storage_cost, network_cost, load_balancer_cost, \
    cpu_usage_mcs, cpu_request_mcs, cpu_alloc_mcs, mem_usage_bs, mem_request_bs, \
    mem_alloc_bs, sample_seconds";

fn pods_sql(scope: &Scope<'_>) -> String {
    let rollups = scope.pod_rollups_sql(&format!("pod_id, {SUMMED}"), "", true);
    let sums = SUMMED
        .split(", ")
        .map(|c| format!("SUM({c}) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH src AS (
            {rollups}
            UNION ALL
            SELECT pod_id, cpu_cost, ram_cost, storage_cost, network_cost, load_balancer_cost,
                   cpu_usage_m * duration_seconds, cpu_request_m * duration_seconds,
                   GREATEST(cpu_usage_m, cpu_request_m) * duration_seconds,
                   mem_usage_b * duration_seconds, mem_request_b * duration_seconds,
                   GREATEST(mem_usage_b, mem_request_b) * duration_seconds, duration_seconds
            FROM pod_samples WHERE {EDGE_RANGE}
        ), sums AS (SELECT pod_id, {sums} FROM src GROUP BY pod_id)
        SELECT {DESCRIPTION_COLUMNS}, s.*
        FROM sums s JOIN pods p ON p.tenant_id = $1 AND p.pod_id = s.pod_id"
    )
}

/// `{ROLLUP}` and `{EDGE}` stand for the scope's ranges.
const NODES: &str = "WITH src AS (
        SELECT cluster, node, idle_cpu, idle_ram FROM node_idle_hourly WHERE {ROLLUP}
        UNION ALL
        SELECT cluster, node, idle_cpu, idle_ram FROM node_samples WHERE {EDGE}
    )
    SELECT cluster, node, SUM(idle_cpu) AS idle_cpu, SUM(idle_ram) AS idle_ram
    FROM src GROUP BY cluster, node";

/// Answers the port's `window_sums` for `tenant`: the watermark, the pods and the nodes in
/// one repeatable-read transaction, so a snapshot committed meanwhile is in all of them or
/// in none (its pods' cost and its nodes' idle must add up to its nodes' cost).
pub(crate) async fn window_sums(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<WindowSums, MetricsStoreError> {
    let what = "window_sums";
    let mut tx = pool.begin().await.map_err(db(what))?;
    for setting in [
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        hourly::NO_NESTED_LOOPS,
    ] {
        sqlx::query(setting)
            .execute(&mut *tx)
            .await
            .map_err(db(what))?;
    }
    let rolled_until: Option<DateTime<Utc>> = sqlx::query_scalar(WATERMARK)
        .bind(tenant.as_uuid())
        .fetch_one(&mut *tx)
        .await
        .map_err(db(what))?;
    let everything = CostFilter::default();
    let scope = Scope::new(tenant, window, &everything, rolled_until);

    let rows = scope
        .bind_window(sqlx::query(AssertSqlSafe(pods_sql(&scope))))
        .fetch_all(&mut *tx)
        .await
        .map_err(db(what))?;
    let pods = rows
        .iter()
        .map(pod_sums)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("window_sums: decode pods", e))?;

    let nodes_sql = NODES
        .replace("{ROLLUP}", ROLLUP_RANGE)
        .replace("{EDGE}", EDGE_RANGE);
    let rows = scope
        .bind_window(sqlx::query(AssertSqlSafe(nodes_sql)))
        .fetch_all(&mut *tx)
        .await
        .map_err(db(what))?;
    tx.commit().await.map_err(db(what))?;
    let nodes = rows
        .iter()
        .map(node_sums)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("window_sums: decode nodes", e))?;
    Ok(WindowSums {
        pods,
        nodes,
        containers: Vec::new(),
    })
}

fn pod_sums(row: &PgRow) -> anyhow::Result<PodWindowSums> {
    Ok(PodWindowSums {
        pod: description(row)?,
        cost: pod_costs(&Columns(row))?,
        resources: resource_seconds(row, "sample_seconds")?,
    })
}

/// The resource-second sums a row selects under their `ResourceSeconds` names, with the
/// sampled seconds under `seconds`.
pub(crate) fn resource_seconds(row: &PgRow, seconds: &str) -> anyhow::Result<ResourceSeconds> {
    let decimal = |column: &str| -> anyhow::Result<Decimal> { Ok(row.try_get(column)?) };
    Ok(ResourceSeconds {
        cpu_usage_mcs: decimal("cpu_usage_mcs")?,
        cpu_request_mcs: decimal("cpu_request_mcs")?,
        cpu_alloc_mcs: decimal("cpu_alloc_mcs")?,
        mem_usage_bs: decimal("mem_usage_bs")?,
        mem_request_bs: decimal("mem_request_bs")?,
        mem_alloc_bs: decimal("mem_alloc_bs")?,
        seconds: decimal(seconds)?,
    })
}

fn node_sums(row: &PgRow) -> anyhow::Result<NodeIdleSums> {
    Ok(NodeIdleSums {
        cluster: ClusterName::new(row.try_get::<String, _>("cluster")?)?,
        node: row.try_get("node")?,
        idle_cpu: Money::from_decimal(row.try_get("idle_cpu")?),
        idle_ram: Money::from_decimal(row.try_get("idle_ram")?),
    })
}
