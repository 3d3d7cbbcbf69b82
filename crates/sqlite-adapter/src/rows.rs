//! A priced snapshot laid out as the SQLite tables want it: the `snapshots` row and one
//! value row per pod, container and node sample (pods and nodes by the ids of their stored
//! descriptions, `dimensions`), in the column order of the INSERT statements in `append`.
//! Pure; no I/O.

use anyhow::Context;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::snapshot::ResourceFigures;
use kcost_domain::tenant::TenantId;
use kcost_store_support::{stored_duration_basis, stored_placement};
use sea_orm::Value;

use crate::encoding::{hour_start, integer, money_units, unix_seconds};

/// Columns of `snapshots`, in insert order.
pub(crate) const SNAPSHOT_COLUMNS: &str = "tenant_id, cluster, ts, duration_seconds, \
    duration_basis, pod_count, node_count, node_cost, idle, off_node_pod_cost";

/// Columns of the narrow `pod_samples`, in insert order.
pub(crate) const POD_SAMPLE_COLUMNS: &str = "tenant_id, ts, pod_id, duration_seconds, placement, \
    cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b, mem_request_b, mem_limit_b, cpu_cost, \
    ram_cost, storage_cost, network_cost, load_balancer_cost, cpu_rate, ram_rate";
pub(crate) const POD_SAMPLE_WIDTH: usize = 18;

/// Columns of `container_samples`, in insert order.
pub(crate) const CONTAINER_SAMPLE_COLUMNS: &str = "tenant_id, ts, pod_id, container, \
    cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b, mem_request_b, mem_limit_b, restarts";
pub(crate) const CONTAINER_SAMPLE_WIDTH: usize = 11;

/// Columns of `node_samples`, in insert order.
pub(crate) const NODE_SAMPLE_COLUMNS: &str = "tenant_id, cluster, ts, duration_seconds, node, \
    instance_type, cpu_capacity_m, mem_capacity_b, cpu_allocatable_m, mem_allocatable_b, \
    hourly_price, price_source, cpu_rate, ram_rate, cpu_cost, ram_cost, idle_cpu, idle_ram, \
    overcommit_cpu, overcommit_ram, node_id";
pub(crate) const NODE_SAMPLE_WIDTH: usize = 21;

/// What identifies one snapshot's rows: the idempotency key and its rollup hour.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotKey {
    pub tenant: String,
    pub cluster: String,
    pub ts: i64,
    pub hour: i64,
    pub duration_seconds: i64,
}

impl SnapshotKey {
    pub fn new(tenant: TenantId, priced: &PricedSnapshot) -> Self {
        let ts = unix_seconds(priced.snapshot().timestamp());
        Self {
            tenant: tenant.as_uuid().hyphenated().to_string(),
            cluster: priced.snapshot().cluster().as_str().to_owned(),
            ts,
            hour: hour_start(ts),
            duration_seconds: i64::from(priced.duration().seconds),
        }
    }
}

/// The `snapshots` row, in [`SNAPSHOT_COLUMNS`] order.
pub(crate) fn snapshot_row(
    key: &SnapshotKey,
    priced: &PricedSnapshot,
) -> anyhow::Result<Vec<Value>> {
    let totals = priced.totals();
    let snapshot = priced.snapshot();
    Ok(vec![
        key.tenant.clone().into(),
        key.cluster.clone().into(),
        key.ts.into(),
        key.duration_seconds.into(),
        stored_duration_basis(priced.duration().basis).into(),
        i64::try_from(snapshot.pods().len())
            .context("too many pods")?
            .into(),
        i64::try_from(snapshot.nodes().len())
            .context("too many nodes")?
            .into(),
        money_units(totals.node_cost)?.into(),
        money_units(totals.idle)?.into(),
        money_units(totals.off_node_pod_cost)?.into(),
    ])
}

/// One narrow row per pod, in [`POD_SAMPLE_COLUMNS`] order; `pod_ids[i]` is the stored
/// description of the snapshot's `i`-th pod.
pub(crate) fn pod_sample_rows(
    key: &SnapshotKey,
    priced: &PricedSnapshot,
    pod_ids: &[i64],
) -> anyhow::Result<Vec<Vec<Value>>> {
    with_ids(priced.snapshot().pods(), priced.pods(), pod_ids, "pod")?
        .map(|(sample, cost, pod_id)| {
            let mut row: Vec<Value> = Vec::with_capacity(POD_SAMPLE_WIDTH);
            row.extend([
                key.tenant.clone().into(),
                key.ts.into(),
                pod_id.into(),
                key.duration_seconds.into(),
                stored_placement(cost.placement).into(),
            ]);
            row.extend(figure_values(&sample.figures)?);
            row.extend([
                money_units(cost.cpu_cost)?.into(),
                money_units(cost.ram_cost)?.into(),
                money_units(cost.direct.storage)?.into(),
                money_units(cost.direct.network)?.into(),
                money_units(cost.direct.load_balancer)?.into(),
                cost.rates.cpu_core_hourly.to_string().into(),
                cost.rates.ram_gib_hourly.to_string().into(),
            ]);
            Ok(row)
        })
        .collect()
}

/// One row per container that says more than its pod (`PodSample::containers_beyond_pod`),
/// in [`CONTAINER_SAMPLE_COLUMNS`] order; `container` is the index into the pod's
/// description's `containers`.
pub(crate) fn container_sample_rows(
    key: &SnapshotKey,
    priced: &PricedSnapshot,
    pod_ids: &[i64],
) -> anyhow::Result<Vec<Vec<Value>>> {
    let mut rows = Vec::new();
    for (sample, pod_id) in priced.snapshot().pods().iter().zip(pod_ids) {
        for (index, container) in sample.containers_beyond_pod().iter().enumerate() {
            let mut row: Vec<Value> = Vec::with_capacity(CONTAINER_SAMPLE_WIDTH);
            row.extend([
                key.tenant.clone().into(),
                key.ts.into(),
                (*pod_id).into(),
                i64::try_from(index).context("too many containers")?.into(),
            ]);
            row.extend(figure_values(&container.figures)?);
            row.push(i64::from(container.restarts).into());
            rows.push(row);
        }
    }
    Ok(rows)
}

/// One row per node, in [`NODE_SAMPLE_COLUMNS`] order; `node_ids[i]` is the stored
/// description of the snapshot's `i`-th node.
pub(crate) fn node_sample_rows(
    key: &SnapshotKey,
    priced: &PricedSnapshot,
    node_ids: &[i64],
) -> anyhow::Result<Vec<Vec<Value>>> {
    with_ids(priced.snapshot().nodes(), priced.nodes(), node_ids, "node")?
        .map(|(sample, cost, node_id)| {
            Ok(vec![
                key.tenant.clone().into(),
                key.cluster.clone().into(),
                key.ts.into(),
                key.duration_seconds.into(),
                sample.name.clone().into(),
                sample.instance_type.clone().into(),
                integer(sample.cpu_capacity.get())?.into(),
                integer(sample.memory_capacity.get())?.into(),
                integer(sample.cpu_allocatable.get())?.into(),
                integer(sample.memory_allocatable.get())?.into(),
                cost.price.hourly.to_string().into(),
                cost.price.source.as_str().into(),
                cost.price.rates.cpu_core_hourly.to_string().into(),
                cost.price.rates.ram_gib_hourly.to_string().into(),
                money_units(cost.cpu_cost)?.into(),
                money_units(cost.ram_cost)?.into(),
                money_units(cost.idle_cpu)?.into(),
                money_units(cost.idle_ram)?.into(),
                money_units(cost.overcommit_cpu)?.into(),
                money_units(cost.overcommit_ram)?.into(),
                node_id.into(),
            ])
        })
        .collect()
}

/// Each of a snapshot's `samples` with its priced cost and the id of its stored
/// description (`ids[i]` for the `i`-th `what`).
fn with_ids<'a, S, C>(
    samples: &'a [S],
    costs: &'a [C],
    ids: &'a [i64],
    what: &str,
) -> anyhow::Result<impl Iterator<Item = (&'a S, &'a C, i64)>> {
    anyhow::ensure!(ids.len() == samples.len(), "one {what} id per {what}");
    Ok(samples
        .iter()
        .zip(costs)
        .zip(ids)
        .map(|((sample, cost), id)| (sample, cost, *id)))
}

/// Usage, request and limit as the INTEGER columns `cpu_usage_m, cpu_request_m,
/// cpu_limit_m, mem_usage_b, mem_request_b, mem_limit_b` (an unset limit: NULL), which
/// pod and container samples share.
fn figure_values(f: &ResourceFigures) -> anyhow::Result<[Value; 6]> {
    Ok([
        integer(f.cpu_usage.get())?.into(),
        integer(f.cpu_request.get())?.into(),
        f.cpu_limit.map(|l| integer(l.get())).transpose()?.into(),
        integer(f.memory_usage.get())?.into(),
        integer(f.memory_request.get())?.into(),
        f.memory_limit.map(|l| integer(l.get())).transpose()?.into(),
    ])
}
