//! Hourly rollups of one snapshot, merged into the rows already stored for its hour.
//!
//! `pod_costs_hourly` holds resource-second sums as TEXT decimals, which SQLite cannot add
//! exactly, so the merge happens here: the hour's stored rows for the cluster are read,
//! the snapshot's samples added with `rust_decimal`, and the merged rows upserted
//! (`ON CONFLICT … DO UPDATE`). This runs inside the append transaction, which holds the
//! write lock from its first statement, so no other writer can change the rows in between.
//! `node_idle_hourly` is all INTEGER and is accumulated by SQLite in the upsert itself.

use std::collections::HashMap;

use anyhow::Context;
use kcost_domain::cost_engine::PricedSnapshot;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};

use crate::encoding::{decimal, integer, money_units};
use crate::rows::SnapshotKey;

/// Columns of `pod_costs_hourly`, in insert order.
pub(crate) const POD_ROLLUP_COLUMNS: &str = "tenant_id, hour, cluster, namespace, pod, node, \
    cpu_cost, ram_cost, cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs, \
    max_cpu_usage_m, max_mem_usage_b, sample_count, sample_seconds, storage_cost, network_cost, \
    load_balancer_cost";
pub(crate) const POD_ROLLUP_WIDTH: usize = 19;

/// Overwrites a stored row with the merged one.
pub(crate) const POD_ROLLUP_CONFLICT: &str = "ON CONFLICT (tenant_id, hour, cluster, namespace, \
    pod, node) DO UPDATE SET cpu_cost = excluded.cpu_cost, ram_cost = excluded.ram_cost, \
    cpu_usage_mcs = excluded.cpu_usage_mcs, cpu_request_mcs = excluded.cpu_request_mcs, \
    mem_usage_bs = excluded.mem_usage_bs, mem_request_bs = excluded.mem_request_bs, \
    max_cpu_usage_m = excluded.max_cpu_usage_m, max_mem_usage_b = excluded.max_mem_usage_b, \
    sample_count = excluded.sample_count, sample_seconds = excluded.sample_seconds, \
    storage_cost = excluded.storage_cost, network_cost = excluded.network_cost, \
    load_balancer_cost = excluded.load_balancer_cost";

/// Columns of `node_idle_hourly`, in insert order.
pub(crate) const NODE_ROLLUP_COLUMNS: &str = "tenant_id, hour, cluster, node, cpu_cost, \
    ram_cost, idle_cpu, idle_ram, overcommit_cpu, overcommit_ram, sample_count";
pub(crate) const NODE_ROLLUP_WIDTH: usize = 11;

/// Adds the snapshot's node figures to the stored ones.
pub(crate) const NODE_ROLLUP_CONFLICT: &str = "ON CONFLICT (tenant_id, hour, cluster, node) \
    DO UPDATE SET cpu_cost = cpu_cost + excluded.cpu_cost, \
    ram_cost = ram_cost + excluded.ram_cost, idle_cpu = idle_cpu + excluded.idle_cpu, \
    idle_ram = idle_ram + excluded.idle_ram, \
    overcommit_cpu = overcommit_cpu + excluded.overcommit_cpu, \
    overcommit_ram = overcommit_ram + excluded.overcommit_ram, \
    sample_count = sample_count + excluded.sample_count";

const STORED_POD_ROLLUPS: &str = "SELECT namespace, pod, node, cpu_cost, ram_cost, \
    cpu_usage_mcs, cpu_request_mcs, mem_usage_bs, mem_request_bs, max_cpu_usage_m, \
    max_mem_usage_b, sample_count, sample_seconds, storage_cost, network_cost, \
    load_balancer_cost FROM pod_costs_hourly \
    WHERE tenant_id = ?1 AND hour = ?2 AND cluster = ?3";

/// `(namespace, pod, node)`; `node` is `''` for pods without a node, as on PostgreSQL.
type PodRollupKey = (String, String, String);

/// One pod's figures for one hour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PodRollup {
    cpu_cost: i64,
    ram_cost: i64,
    cpu_usage_mcs: Decimal,
    cpu_request_mcs: Decimal,
    mem_usage_bs: Decimal,
    mem_request_bs: Decimal,
    max_cpu_usage_m: i64,
    max_mem_usage_b: i64,
    sample_count: i64,
    sample_seconds: i64,
    storage_cost: i64,
    network_cost: i64,
    load_balancer_cost: i64,
}

impl PodRollup {
    fn merge(&mut self, other: &Self) -> anyhow::Result<()> {
        let add = |a: i64, b: i64| a.checked_add(b).context("rollup sum overflows INTEGER");
        let add_decimal =
            |a: Decimal, b: Decimal| a.checked_add(b).context("rollup sum overflows a decimal");
        self.cpu_cost = add(self.cpu_cost, other.cpu_cost)?;
        self.ram_cost = add(self.ram_cost, other.ram_cost)?;
        self.cpu_usage_mcs = add_decimal(self.cpu_usage_mcs, other.cpu_usage_mcs)?;
        self.cpu_request_mcs = add_decimal(self.cpu_request_mcs, other.cpu_request_mcs)?;
        self.mem_usage_bs = add_decimal(self.mem_usage_bs, other.mem_usage_bs)?;
        self.mem_request_bs = add_decimal(self.mem_request_bs, other.mem_request_bs)?;
        self.max_cpu_usage_m = self.max_cpu_usage_m.max(other.max_cpu_usage_m);
        self.max_mem_usage_b = self.max_mem_usage_b.max(other.max_mem_usage_b);
        self.sample_count = add(self.sample_count, other.sample_count)?;
        self.sample_seconds = add(self.sample_seconds, other.sample_seconds)?;
        self.storage_cost = add(self.storage_cost, other.storage_cost)?;
        self.network_cost = add(self.network_cost, other.network_cost)?;
        self.load_balancer_cost = add(self.load_balancer_cost, other.load_balancer_cost)?;
        Ok(())
    }

    fn stored(row: &QueryResult) -> anyhow::Result<(PodRollupKey, Self)> {
        let text = |c: &str| {
            row.try_get_by::<String, _>(c)
                .with_context(|| format!("column {c}"))
        };
        let int = |c: &str| {
            row.try_get_by::<i64, _>(c)
                .with_context(|| format!("column {c}"))
        };
        let key = (text("namespace")?, text("pod")?, text("node")?);
        let rollup = Self {
            cpu_cost: int("cpu_cost")?,
            ram_cost: int("ram_cost")?,
            cpu_usage_mcs: decimal(&text("cpu_usage_mcs")?)?,
            cpu_request_mcs: decimal(&text("cpu_request_mcs")?)?,
            mem_usage_bs: decimal(&text("mem_usage_bs")?)?,
            mem_request_bs: decimal(&text("mem_request_bs")?)?,
            max_cpu_usage_m: int("max_cpu_usage_m")?,
            max_mem_usage_b: int("max_mem_usage_b")?,
            sample_count: int("sample_count")?,
            sample_seconds: int("sample_seconds")?,
            storage_cost: int("storage_cost")?,
            network_cost: int("network_cost")?,
            load_balancer_cost: int("load_balancer_cost")?,
        };
        Ok((key, rollup))
    }

    fn values(self, key: &SnapshotKey, (namespace, pod, node): PodRollupKey) -> Vec<Value> {
        vec![
            key.tenant.clone().into(),
            key.hour.into(),
            key.cluster.clone().into(),
            namespace.into(),
            pod.into(),
            node.into(),
            self.cpu_cost.into(),
            self.ram_cost.into(),
            self.cpu_usage_mcs.to_string().into(),
            self.cpu_request_mcs.to_string().into(),
            self.mem_usage_bs.to_string().into(),
            self.mem_request_bs.to_string().into(),
            self.max_cpu_usage_m.into(),
            self.max_mem_usage_b.into(),
            self.sample_count.into(),
            self.sample_seconds.into(),
            self.storage_cost.into(),
            self.network_cost.into(),
            self.load_balancer_cost.into(),
        ]
    }
}

/// The snapshot's contribution to each pod's rollup of its hour.
fn snapshot_pod_rollups(priced: &PricedSnapshot) -> anyhow::Result<Vec<(PodRollupKey, PodRollup)>> {
    let seconds = i64::from(priced.duration().seconds);
    let times = |quantity: u64| Decimal::from(quantity) * Decimal::from(seconds);
    priced
        .snapshot()
        .pods()
        .iter()
        .zip(priced.pods())
        .map(|(sample, cost)| {
            let f = &sample.figures;
            let key = (
                sample.namespace.clone(),
                sample.name.clone(),
                sample.node.clone().unwrap_or_default(),
            );
            let rollup = PodRollup {
                cpu_cost: money_units(cost.cpu_cost)?,
                ram_cost: money_units(cost.ram_cost)?,
                cpu_usage_mcs: times(f.cpu_usage.get()),
                cpu_request_mcs: times(f.cpu_request.get()),
                mem_usage_bs: times(f.memory_usage.get()),
                mem_request_bs: times(f.memory_request.get()),
                max_cpu_usage_m: integer(f.cpu_usage.get())?,
                max_mem_usage_b: integer(f.memory_usage.get())?,
                sample_count: 1,
                sample_seconds: seconds,
                storage_cost: money_units(cost.direct.storage)?,
                network_cost: money_units(cost.direct.network)?,
                load_balancer_cost: money_units(cost.direct.load_balancer)?,
            };
            Ok((key, rollup))
        })
        .collect()
}

/// The stored `pod_costs_hourly` rows of the snapshot's cluster and hour.
pub(crate) async fn stored_pod_rollups<C: ConnectionTrait>(
    conn: &C,
    key: &SnapshotKey,
) -> Result<Vec<QueryResult>, DbErr> {
    conn.query_all_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        STORED_POD_ROLLUPS,
        [
            key.tenant.clone().into(),
            key.hour.into(),
            key.cluster.clone().into(),
        ],
    ))
    .await
}

/// The merged `pod_costs_hourly` rows for the snapshot's pods: `stored` figures of the hour
/// plus the snapshot's, in [`POD_ROLLUP_COLUMNS`] order.
pub(crate) fn merged_pod_rollups(
    key: &SnapshotKey,
    priced: &PricedSnapshot,
    stored: &[QueryResult],
) -> anyhow::Result<Vec<Vec<Value>>> {
    let mut stored: HashMap<PodRollupKey, PodRollup> = stored
        .iter()
        .map(PodRollup::stored)
        .collect::<anyhow::Result<_>>()?;
    snapshot_pod_rollups(priced)?
        .into_iter()
        .map(|(pod, increment)| {
            let mut merged = stored.remove(&pod).unwrap_or_default();
            merged.merge(&increment)?;
            Ok(merged.values(key, pod))
        })
        .collect()
}

/// The snapshot's `node_idle_hourly` rows, in [`NODE_ROLLUP_COLUMNS`] order.
pub(crate) fn node_rollups(
    key: &SnapshotKey,
    priced: &PricedSnapshot,
) -> anyhow::Result<Vec<Vec<Value>>> {
    priced
        .snapshot()
        .nodes()
        .iter()
        .zip(priced.nodes())
        .map(|(sample, cost)| {
            Ok(vec![
                key.tenant.clone().into(),
                key.hour.into(),
                key.cluster.clone().into(),
                sample.name.clone().into(),
                money_units(cost.cpu_cost)?.into(),
                money_units(cost.ram_cost)?.into(),
                money_units(cost.idle_cpu)?.into(),
                money_units(cost.idle_ram)?.into(),
                money_units(cost.overcommit_cpu)?.into(),
                money_units(cost.overcommit_ram)?.into(),
                1_i64.into(),
            ])
        })
        .collect()
}
