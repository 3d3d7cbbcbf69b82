//! What pricing yields: each pod's and node's cost for one sample, their sums, and the
//! snapshot carrying them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::direct::DirectCosts;
use super::duration::SampleDuration;
use crate::money::Money;
use crate::pricing::{NodePrice, ResourceRates};
use crate::snapshot::Snapshot;

/// Where a pod's cost was charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// On a node of the snapshot, at that node's rates.
    OnNode,
    /// Pending (no node): at the cluster's average rates.
    Pending,
    /// On a node the snapshot does not list: at the cluster's average rates.
    UnknownNode,
}

/// One pod's cost for the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodCost {
    /// `max(request, usage)` in cores.
    pub allocated_cores: Decimal,
    /// `max(request, usage)` in GiB.
    pub allocated_gib: Decimal,
    pub cpu_cost: Money,
    pub ram_cost: Money,
    pub placement: Placement,
    /// The rates the pod was priced at (its node's, or the cluster average).
    pub rates: ResourceRates,
    /// Zero for agent-fed pods; `default` so serialized costs from before still read.
    #[serde(default)]
    pub direct: DirectCosts,
}

impl PodCost {
    /// CPU + RAM: the part allocated from a node's cost (the engine's invariant).
    pub fn compute_cost(&self) -> Money {
        self.cpu_cost + self.ram_cost
    }

    /// Compute plus direct costs: everything the pod costs.
    pub fn total(&self) -> Money {
        self.compute_cost() + self.direct.total()
    }
}

/// One node's cost for the sample, and how it was allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCost {
    pub price: NodePrice,
    pub cpu_cost: Money,
    pub ram_cost: Money,
    pub idle_cpu: Money,
    pub idle_ram: Money,
    /// Allocation above what the node costs, apportioned away (see the
    /// [engine's rules](crate::cost_engine)).
    pub overcommit_cpu: Money,
    pub overcommit_ram: Money,
}

impl NodeCost {
    pub fn total(&self) -> Money {
        self.cpu_cost + self.ram_cost
    }

    pub fn idle(&self) -> Money {
        self.idle_cpu + self.idle_ram
    }

    pub fn overcommit(&self) -> Money {
        self.overcommit_cpu + self.overcommit_ram
    }

    pub fn is_overcommitted(&self) -> bool {
        self.overcommit() > Money::ZERO
    }
}

/// Sums over one priced snapshot. Exactly: `on_node_pod_cost + idle = node_cost`; pod
/// costs here are compute (CPU + RAM) costs, and `direct` sums the pods' direct costs
/// (on and off node), which no node pays for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTotals {
    pub node_cost: Money,
    pub on_node_pod_cost: Money,
    pub off_node_pod_cost: Money,
    pub idle: Money,
    pub overcommit: Money,
    #[serde(default)]
    pub direct: DirectCosts,
}

impl CostTotals {
    /// Everything the snapshot costs: nodes, pods no node pays for, and direct costs.
    pub fn total(&self) -> Money {
        self.node_cost + self.off_node_pod_cost + self.direct.total()
    }
}

/// A snapshot with its duration and every pod's and node's cost.
/// `pods()[i]` is the cost of `snapshot().pods()[i]`; likewise for nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedSnapshot {
    snapshot: Snapshot,
    duration: SampleDuration,
    pods: Vec<PodCost>,
    nodes: Vec<NodeCost>,
    cluster_rates: ResourceRates,
}

impl PricedSnapshot {
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn duration(&self) -> SampleDuration {
        self.duration
    }

    pub fn pods(&self) -> &[PodCost] {
        &self.pods
    }

    pub fn nodes(&self) -> &[NodeCost] {
        &self.nodes
    }

    /// Capacity-weighted average rates over the snapshot's nodes.
    pub fn cluster_rates(&self) -> ResourceRates {
        self.cluster_rates
    }

    /// Assembles a priced snapshot from parts whose invariants the caller kept: the engine
    /// (`price_snapshot`) by construction, `pre_priced` by checking them.
    pub(crate) fn from_checked_parts(
        snapshot: Snapshot,
        duration: SampleDuration,
        pods: Vec<PodCost>,
        nodes: Vec<NodeCost>,
        cluster_rates: ResourceRates,
    ) -> Self {
        Self {
            snapshot,
            duration,
            pods,
            nodes,
            cluster_rates,
        }
    }

    pub fn totals(&self) -> CostTotals {
        let (on_node, off_node): (Vec<&PodCost>, Vec<&PodCost>) = self
            .pods
            .iter()
            .partition(|pod| pod.placement == Placement::OnNode);
        CostTotals {
            node_cost: self.nodes.iter().map(NodeCost::total).sum(),
            on_node_pod_cost: on_node.iter().map(|pod| pod.compute_cost()).sum(),
            off_node_pod_cost: off_node.iter().map(|pod| pod.compute_cost()).sum(),
            idle: self.nodes.iter().map(NodeCost::idle).sum(),
            overcommit: self.nodes.iter().map(NodeCost::overcommit).sum(),
            direct: self.pods.iter().map(|pod| pod.direct).sum(),
        }
    }
}
