//! `node_assets`: per node its cost, capacity-time and sampled time over a window, from
//! its raw samples (a node has one sample per snapshot: few rows next to pods').

use chrono::{DateTime, Utc};
use kcost_domain::assets::NodeWindowSums;
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::error::{db, unexpected};

const SELECT: &str = "
SELECT cluster, node,
       (array_agg(instance_type ORDER BY ts DESC))[1] AS instance_type,
       SUM(cpu_cost) AS cpu_cost, SUM(ram_cost) AS ram_cost,
       SUM(idle_cpu) AS idle_cpu, SUM(idle_ram) AS idle_ram,
       SUM(cpu_capacity_m::numeric * duration_seconds) AS cpu_capacity_mcs,
       SUM(mem_capacity_b::numeric * duration_seconds) AS ram_capacity_bs,
       SUM(duration_seconds)::numeric AS seconds,
       min(ts) AS first_ts,
       max(ts + make_interval(secs => duration_seconds)) AS last_end
FROM node_samples
WHERE tenant_id = $1 AND ts >= $2 AND ts < $3
GROUP BY cluster, node
ORDER BY cluster, node";

pub(crate) async fn node_assets(
    pool: &PgPool,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<Vec<NodeWindowSums>, MetricsStoreError> {
    let rows = sqlx::query(SELECT)
        .bind(tenant.as_uuid())
        .bind(window.start())
        .bind(window.end())
        .fetch_all(pool)
        .await
        .map_err(db("node_assets"))?;
    rows.iter()
        .map(decode)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| unexpected("node_assets: decode", e))
}

fn decode(row: &PgRow) -> anyhow::Result<NodeWindowSums> {
    let decimal = |column: &str| -> anyhow::Result<Decimal> { Ok(row.try_get(column)?) };
    Ok(NodeWindowSums {
        cluster: ClusterName::new(row.try_get::<String, _>("cluster")?)?,
        node: row.try_get("node")?,
        instance_type: row.try_get("instance_type")?,
        cpu_cost: Money::from_decimal(decimal("cpu_cost")?),
        ram_cost: Money::from_decimal(decimal("ram_cost")?),
        idle_cpu: Money::from_decimal(decimal("idle_cpu")?),
        idle_ram: Money::from_decimal(decimal("idle_ram")?),
        cpu_capacity_mcs: decimal("cpu_capacity_mcs")?,
        ram_capacity_bs: decimal("ram_capacity_bs")?,
        seconds: decimal("seconds")?,
        start: row.try_get::<DateTime<Utc>, _>("first_ts")?,
        end: row.try_get::<DateTime<Utc>, _>("last_end")?,
    })
}
