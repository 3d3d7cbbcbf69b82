//! One OpenCost allocation set (one step, usually an hour) as a pre-priced snapshot of the
//! configured cluster, timestamped at the step's start and lasting the step.
//!
//! - Pods: requests, usage and limits are OpenCost's averages over the pod's run (cores →
//!   millicores, bytes, rounded to whole units); CPU and RAM costs are OpenCost's, each
//!   rounded once to the cost scale. A negative OpenCost cost (only possible through
//!   adjustments) counts as zero.
//! - Nodes: one synthetic node per OpenCost node the rows name (`aggregate` with `node`);
//!   rows without a node go to one synthetic node standing for the cluster,
//!   [`CLUSTER_NODE`]. Each node costs exactly Σ its pods + its idle, so the engine's
//!   invariant holds by construction; its price source is `opencost`. Capacities are the
//!   core-hours and byte-hours OpenCost billed on it (pods + idle) over the step: informative
//!   only, nothing is priced from them.
//! - Idle (`__idle__`, whole or split): the idle of the node its `node` property names,
//!   else of [`CLUSTER_NODE`]. OpenCost idle is per cluster unless asked `idleByNode`, so
//!   usually all idle sits on the cluster node. Negative idle (OpenCost allocated more than
//!   the assets cost) is reported as the node's overcommit and the node's cost is then Σ
//!   its pods: pod costs always stay as OpenCost priced them.
//! - `__unallocated__` rows (costs OpenCost could not tie to a pod, e.g.
//!   `kube-system/__unallocated__`) are kept as a pseudo-pod named `__unallocated__` in
//!   their namespace (or in namespace `__unallocated__` when they have none), so namespace
//!   and cluster totals match OpenCost's.
//! - Rows naming the same namespace and pod (a pod that moved node within the step) are
//!   merged: costs added, averages weighted by the minutes each row ran, placed on the node
//!   where it ran longest.
//! - Persistent-volume, network and load-balancer costs (adjustments included, negative as
//!   zero) become the pod's [`DirectCosts`]: OpenCost bills them to the pod, not to a
//!   node, so they stay outside node cost and idle. OpenCost's idle rows price only CPU,
//!   GPU and RAM; anything else on them is ignored.
//! - Not carried: GPU, shared and external costs. GPU has idle of its own on OpenCost's
//!   nodes, so it would need node-side columns, not a direct cost. OpenCost's `cluster`
//!   property is ignored: everything is stored under the configured cluster.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::cost_engine::{
    DirectCosts, DurationBasis, NodeCost, Placement, PodCost, PricedSnapshot, SampleDuration,
};
use crate::money::Money;
use crate::opencost::{Allocation, AllocationSet};
use crate::pre_priced::PrePricedError;
use crate::pricing::{NodePrice, PriceSource, ResourceRates};
use crate::quantity::{BYTES_PER_GIB, Bytes, Millicores};
use crate::snapshot::{
    InvalidSnapshot, MAX_INTERVAL_SECONDS, NodeSample, Owner, PodSample, ResourceFigures, Snapshot,
    SnapshotParts, SnapshotRules,
};

/// The synthetic node that stands for the whole cluster: it carries the idle of OpenCost's
/// per-cluster `__idle__` row and the pods of answers not aggregated by node.
pub const CLUSTER_NODE: &str = "__cluster__";

/// Pod (and, lacking one, namespace) name of costs OpenCost could not tie to a pod.
pub const UNALLOCATED_POD: &str = Allocation::UNALLOCATED;

/// Why an allocation set could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenCostMappingError {
    #[error("allocation set {start}..{end} is not a step of 1 s to {MAX_INTERVAL_SECONDS} s")]
    BadStep {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    #[error(transparent)]
    Invalid(#[from] InvalidSnapshot),
    #[error(transparent)]
    NotConserved(#[from] PrePricedError),
}

/// Maps `set` into a priced snapshot of `cluster` (see the module docs). `now` bounds the
/// timestamp as for agent snapshots.
pub fn snapshot_from_allocations(
    set: &AllocationSet,
    cluster: &str,
    now: DateTime<Utc>,
) -> Result<PricedSnapshot, OpenCostMappingError> {
    let seconds = step_seconds(set)?;
    let hours = Decimal::from(seconds) / Decimal::from(3600);
    let mut nodes: BTreeMap<String, NodeTally> = BTreeMap::new();
    let mut pods: BTreeMap<(String, String), Vec<&Allocation>> = BTreeMap::new();
    for allocation in &set.allocations {
        if allocation.is_idle() {
            let tally = nodes.entry(node_of(allocation)).or_default();
            tally.idle_cpu += Money::from_decimal(allocation.cpu_cost);
            tally.idle_ram += Money::from_decimal(allocation.ram_cost);
            tally.add_hours(allocation);
        } else {
            pods.entry(pod_key(allocation))
                .or_default()
                .push(allocation);
        }
    }

    let mut pod_samples = Vec::with_capacity(pods.len());
    let mut pod_costs = Vec::with_capacity(pods.len());
    for ((namespace, name), rows) in pods {
        let node = longest_running_node(&rows);
        let tally = nodes.entry(node.clone()).or_default();
        let cpu_cost: Money = rows.iter().map(|row| non_negative(row.cpu_cost)).sum();
        let ram_cost: Money = rows.iter().map(|row| non_negative(row.ram_cost)).sum();
        tally.pod_cpu += cpu_cost;
        tally.pod_ram += ram_cost;
        rows.iter().for_each(|row| tally.add_hours(row));
        let core_hours: Decimal = rows.iter().map(|row| row.cpu_core_hours).sum();
        let gib_hours = rows.iter().map(|row| row.ram_byte_hours).sum::<Decimal>()
            / Decimal::from(BYTES_PER_GIB);
        pod_costs.push(PodCost {
            allocated_cores: core_hours / hours,
            allocated_gib: gib_hours / hours,
            cpu_cost,
            ram_cost,
            placement: Placement::OnNode,
            rates: ResourceRates {
                cpu_core_hourly: rate(cpu_cost, core_hours),
                ram_gib_hourly: rate(ram_cost, gib_hours),
            },
            direct: rows.iter().map(|row| direct_costs(row)).sum(),
        });
        pod_samples.push(pod_sample(namespace, name, node, &rows));
    }

    let (node_samples, node_costs): (Vec<_>, Vec<_>) = nodes
        .into_iter()
        .map(|(name, tally)| tally.into_node(name, hours))
        .unzip();
    let parts = SnapshotParts {
        cluster: cluster.to_owned(),
        timestamp: set.start,
        interval_seconds: Some(seconds),
        pods: pod_samples,
        nodes: node_samples,
    };
    let snapshot = Snapshot::new(parts, now, &SnapshotRules::default())?;
    let duration = SampleDuration {
        seconds,
        basis: DurationBasis::Declared,
    };
    Ok(PricedSnapshot::pre_priced(
        snapshot,
        duration,
        pod_costs,
        node_costs,
        ResourceRates::opencost_defaults(),
    )?)
}

fn step_seconds(set: &AllocationSet) -> Result<u32, OpenCostMappingError> {
    u32::try_from((set.end - set.start).num_seconds())
        .ok()
        .filter(|s| (1..=MAX_INTERVAL_SECONDS).contains(s))
        .ok_or(OpenCostMappingError::BadStep {
            start: set.start,
            end: set.end,
        })
}

/// What one synthetic node accumulates.
#[derive(Debug, Default)]
struct NodeTally {
    pod_cpu: Money,
    pod_ram: Money,
    /// Signed: OpenCost's idle may be negative.
    idle_cpu: Money,
    idle_ram: Money,
    core_hours: Decimal,
    byte_hours: Decimal,
}

impl NodeTally {
    fn add_hours(&mut self, allocation: &Allocation) {
        self.core_hours += allocation.cpu_core_hours.max(Decimal::ZERO);
        self.byte_hours += allocation.ram_byte_hours.max(Decimal::ZERO);
    }

    fn into_node(self, name: String, hours: Decimal) -> (NodeSample, NodeCost) {
        let (idle_cpu, overcommit_cpu) = split_idle(self.idle_cpu);
        let (idle_ram, overcommit_ram) = split_idle(self.idle_ram);
        let cpu_cost = self.pod_cpu + idle_cpu;
        let ram_cost = self.pod_ram + idle_ram;
        let cpu_capacity = Millicores::new(whole(self.core_hours / hours * Decimal::ONE_THOUSAND));
        let memory_capacity = Bytes::new(whole(self.byte_hours / hours));
        let sample = NodeSample {
            name,
            instance_type: None,
            cpu_capacity,
            memory_capacity,
            cpu_allocatable: cpu_capacity,
            memory_allocatable: memory_capacity,
            hourly_cost: None,
            labels: Default::default(),
        };
        let cost = NodeCost {
            price: NodePrice {
                hourly: (cpu_cost + ram_cost).amount() / hours,
                source: PriceSource::OpenCost,
                rates: ResourceRates {
                    cpu_core_hourly: rate(cpu_cost, cpu_capacity.cores() * hours),
                    ram_gib_hourly: rate(ram_cost, memory_capacity.gib() * hours),
                },
            },
            cpu_cost,
            ram_cost,
            idle_cpu,
            idle_ram,
            overcommit_cpu,
            overcommit_ram,
        };
        (sample, cost)
    }
}

/// (idle, overcommit) from OpenCost's signed idle.
fn split_idle(idle: Money) -> (Money, Money) {
    if idle.is_negative() {
        (Money::ZERO, Money::ZERO - idle)
    } else {
        (idle, Money::ZERO)
    }
}

/// The costs OpenCost bills to the pod itself rather than to its node.
fn direct_costs(allocation: &Allocation) -> DirectCosts {
    DirectCosts {
        storage: non_negative(allocation.pv_cost),
        network: non_negative(allocation.network_cost),
        load_balancer: non_negative(allocation.load_balancer_cost),
    }
}

fn non_negative(cost: Decimal) -> Money {
    Money::from_decimal(cost.max(Decimal::ZERO))
}

/// Cost per unit-hour, zero when nothing was billed.
fn rate(cost: Money, unit_hours: Decimal) -> Decimal {
    if unit_hours > Decimal::ZERO {
        cost.amount() / unit_hours
    } else {
        Decimal::ZERO
    }
}

/// A positive whole quantity (at least 1: a node sample must have some capacity).
fn whole(value: Decimal) -> u64 {
    value.ceil().to_u64().unwrap_or(u64::MAX).max(1)
}

/// A non-negative average rounded to whole units.
fn rounded(value: Decimal) -> u64 {
    value
        .max(Decimal::ZERO)
        .round()
        .to_u64()
        .unwrap_or(u64::MAX)
}

fn present(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn node_of(allocation: &Allocation) -> String {
    present(allocation.properties.node.as_ref())
        .unwrap_or(CLUSTER_NODE)
        .to_owned()
}

fn pod_key(allocation: &Allocation) -> (String, String) {
    let namespace = present(allocation.properties.namespace.as_ref()).unwrap_or(UNALLOCATED_POD);
    let pod = present(allocation.properties.pod.as_ref())
        .filter(|_| !allocation.is_unallocated())
        .unwrap_or(UNALLOCATED_POD);
    (namespace.to_owned(), pod.to_owned())
}

fn longest_running_node(rows: &[&Allocation]) -> String {
    rows.iter()
        .rev()
        .max_by_key(|row| row.minutes)
        .map(|row| node_of(row))
        .unwrap_or_else(|| CLUSTER_NODE.to_owned())
}

fn pod_sample(namespace: String, name: String, node: String, rows: &[&Allocation]) -> PodSample {
    let average = |field: fn(&Allocation) -> Decimal| weighted_average(rows, field);
    let limit = |value: u64| (value > 0).then_some(value);
    let first = rows.first();
    let owner = first.and_then(|row| {
        let kind = present(row.properties.controller_kind.as_ref())?;
        let name = present(row.properties.controller.as_ref())?;
        Some(Owner {
            kind: kind.to_owned(),
            name: name.to_owned(),
        })
    });
    PodSample {
        name,
        namespace,
        node: Some(node),
        figures: ResourceFigures {
            cpu_usage: Millicores::new(rounded(
                average(|a| a.cpu_core_usage_average) * Decimal::ONE_THOUSAND,
            )),
            memory_usage: Bytes::new(rounded(average(|a| a.ram_byte_usage_average))),
            cpu_request: Millicores::new(rounded(
                average(|a| a.cpu_core_request_average) * Decimal::ONE_THOUSAND,
            )),
            memory_request: Bytes::new(rounded(average(|a| a.ram_byte_request_average))),
            cpu_limit: limit(rounded(
                average(|a| a.cpu_core_limit_average) * Decimal::ONE_THOUSAND,
            ))
            .map(Millicores::new),
            memory_limit: limit(rounded(average(|a| a.ram_byte_limit_average))).map(Bytes::new),
        },
        owner,
        labels: first
            .map(|row| row.properties.labels.clone())
            .unwrap_or_default(),
        owner_inferred: false,
        phase: None,
        qos_class: None,
        containers: Vec::new(),
    }
}

/// The average of `field` over `rows`, weighted by the minutes each ran (equally when
/// OpenCost sent no minutes). One row is returned as is.
fn weighted_average(rows: &[&Allocation], field: fn(&Allocation) -> Decimal) -> Decimal {
    if let [row] = rows {
        return field(row);
    }
    let weight = |row: &Allocation| {
        if row.minutes > Decimal::ZERO {
            row.minutes
        } else {
            Decimal::ONE
        }
    };
    let total: Decimal = rows.iter().map(|row| weight(row)).sum();
    if total.is_zero() {
        return Decimal::ZERO;
    }
    rows.iter()
        .map(|row| field(row) * weight(row))
        .sum::<Decimal>()
        / total
}

#[cfg(test)]
#[path = "opencost_mapping_tests.rs"]
mod tests;
