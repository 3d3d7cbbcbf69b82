//! `node_assets`: per node its cost, capacity-time and sampled time over a window, from
//! its raw samples (a node has one sample per snapshot: few rows next to pods). Money
//! sums are INTEGER units; capacity-time is summed in Rust as decimals, since a month of
//! memory-seconds overflows SQLite's 64-bit INTEGER.

use std::collections::BTreeMap;

use kcost_domain::assets::NodeWindowSums;
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use rust_decimal::Decimal;
use sea_orm::{DatabaseConnection, QueryResult};

use crate::encoding::{instant, money_from_units};
use crate::error::{db, unexpected};
use crate::scope::window_rows;

const SELECT: &str = "
SELECT cluster, node, instance_type, cpu_cost, ram_cost, idle_cpu, idle_ram, cpu_capacity_m, mem_capacity_b,
       duration_seconds, ts
FROM node_samples
WHERE tenant_id = ?1 AND ts >= ?2 AND ts < ?3
ORDER BY cluster, node, ts";

pub(crate) async fn node_assets(
    conn: &DatabaseConnection,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<Vec<NodeWindowSums>, MetricsStoreError> {
    let rows = window_rows(conn, SELECT, tenant, window)
        .await
        .map_err(db("node_assets"))?;
    let mut nodes: BTreeMap<(String, String), NodeWindowSums> = BTreeMap::new();
    for row in &rows {
        add(&mut nodes, row).map_err(unexpected("node_assets: decode"))?;
    }
    Ok(nodes.into_values().collect())
}

fn add(
    nodes: &mut BTreeMap<(String, String), NodeWindowSums>,
    row: &QueryResult,
) -> anyhow::Result<()> {
    let cluster: String = row.try_get_by("cluster")?;
    let node: String = row.try_get_by("node")?;
    let seconds: i64 = row.try_get_by("duration_seconds")?;
    let ts = instant(row.try_get_by("ts")?)?;
    let end = ts + chrono::Duration::seconds(seconds);
    let instance_type: Option<String> = row.try_get_by("instance_type")?;
    let times = |value: i64| Decimal::from(value) * Decimal::from(seconds);
    let cpu = times(row.try_get_by("cpu_capacity_m")?);
    let ram = times(row.try_get_by("mem_capacity_b")?);
    let cpu_cost = money_from_units(row.try_get_by("cpu_cost")?);
    let ram_cost = money_from_units(row.try_get_by("ram_cost")?);
    let idle_cpu = money_from_units(row.try_get_by("idle_cpu")?);
    let idle_ram = money_from_units(row.try_get_by("idle_ram")?);
    let entry = match nodes.entry((cluster.clone(), node.clone())) {
        std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::btree_map::Entry::Vacant(e) => e.insert(NodeWindowSums {
            cluster: ClusterName::new(cluster)?,
            node,
            instance_type: None,
            cpu_cost: Money::ZERO,
            ram_cost: Money::ZERO,
            idle_cpu: Money::ZERO,
            idle_ram: Money::ZERO,
            cpu_capacity_mcs: Decimal::ZERO,
            ram_capacity_bs: Decimal::ZERO,
            seconds: Decimal::ZERO,
            start: ts,
            end,
        }),
    };
    // Rows come oldest first: the last one's instance type is the latest.
    entry.instance_type = instance_type;
    entry.cpu_cost += cpu_cost;
    entry.ram_cost += ram_cost;
    entry.idle_cpu += idle_cpu;
    entry.idle_ram += idle_ram;
    entry.cpu_capacity_mcs += cpu;
    entry.ram_capacity_bs += ram;
    entry.seconds += Decimal::from(seconds);
    entry.end = entry.end.max(end);
    Ok(())
}
