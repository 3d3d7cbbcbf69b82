//! `node_assets`: per node its cost, capacity-time and sampled time over a window, from
//! its raw samples (a node has one sample per snapshot: few rows next to pods). Money
//! sums are INTEGER units; capacity-time is summed in Rust as decimals, since a month of
//! memory-seconds overflows SQLite's 64-bit INTEGER.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

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
    let mut nodes: BTreeMap<(ClusterName, String), NodeWindowSums> = BTreeMap::new();
    for row in &rows {
        let sample = node_sample(row).map_err(unexpected("node_assets: decode"))?;
        match nodes.entry((sample.cluster.clone(), sample.node.clone())) {
            Entry::Occupied(mut total) => add_later(total.get_mut(), sample),
            Entry::Vacant(slot) => {
                slot.insert(sample);
            }
        }
    }
    Ok(nodes.into_values().collect())
}

/// One node sample as the sums of a window that holds only it.
fn node_sample(row: &QueryResult) -> anyhow::Result<NodeWindowSums> {
    let seconds: i64 = row.try_get_by("duration_seconds")?;
    let start = instant(row.try_get_by("ts")?)?;
    let money =
        |column: &str| -> anyhow::Result<Money> { Ok(money_from_units(row.try_get_by(column)?)) };
    let times_seconds = |column: &str| -> anyhow::Result<Decimal> {
        Ok(Decimal::from(row.try_get_by::<i64, _>(column)?) * Decimal::from(seconds))
    };
    Ok(NodeWindowSums {
        cluster: ClusterName::new(row.try_get_by::<String, _>("cluster")?)?,
        node: row.try_get_by("node")?,
        instance_type: row.try_get_by("instance_type")?,
        cpu_cost: money("cpu_cost")?,
        ram_cost: money("ram_cost")?,
        idle_cpu: money("idle_cpu")?,
        idle_ram: money("idle_ram")?,
        cpu_capacity_mcs: times_seconds("cpu_capacity_m")?,
        ram_capacity_bs: times_seconds("mem_capacity_b")?,
        seconds: Decimal::from(seconds),
        start,
        end: start + chrono::Duration::seconds(seconds),
    })
}

/// A node's sums with a later sample of it added: the later instance type (rows come
/// oldest first, so the last one's is the latest), the latest end; the first start kept.
fn add_later(total: &mut NodeWindowSums, later: NodeWindowSums) {
    let NodeWindowSums {
        cluster: _,
        node: _,
        instance_type,
        cpu_cost,
        ram_cost,
        idle_cpu,
        idle_ram,
        cpu_capacity_mcs,
        ram_capacity_bs,
        seconds,
        start: _,
        end,
    } = later;
    total.instance_type = instance_type;
    total.cpu_cost += cpu_cost;
    total.ram_cost += ram_cost;
    total.idle_cpu += idle_cpu;
    total.idle_ram += idle_ram;
    total.cpu_capacity_mcs += cpu_capacity_mcs;
    total.ram_capacity_bs += ram_capacity_bs;
    total.seconds += seconds;
    total.end = total.end.max(end);
}
