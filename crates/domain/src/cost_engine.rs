//! The cost engine: prices one snapshot the way OpenCost allocates cost.
//!
//! For each sample of `seconds`:
//! - a node costs `price · hours`, split into a CPU part (`cpu_rate · cores · hours`) and a
//!   RAM part (the rest);
//! - a pod on a known node is allocated `max(request, usage)` of each resource and costs
//!   `allocated · node rate · hours`;
//! - idle per node and resource is what the node costs minus what its pods were allocated;
//! - when pods on a node were allocated more than it costs (bursting above requests), the
//!   node is over-committed: its cost is apportioned to its pods in proportion to their
//!   allocations, idle is zero and the excess is reported as `overcommit`;
//! - pods with no node (pending) or on a node absent from the snapshot are priced at the
//!   cluster's average rates (capacity-weighted; the default rates when no node is known)
//!   and reported as off-node cost, since no node in the snapshot pays for them.
//!
//! Every amount is rounded once to [`COST_SCALE`](crate::money::COST_SCALE) and only added
//! after that, so per snapshot exactly: Σ on-node pod compute (CPU + RAM) costs + Σ idle =
//! Σ node costs.
//!
//! A pod may also carry [`DirectCosts`] (storage, network, load balancer) priced elsewhere
//! (OpenCost). They are charged to the pod directly, are not part of any node's cost nor of
//! its idle, and are reported beside the invariant ([`CostTotals::direct`]). The engine
//! itself never prices them: agent-fed pods have none.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Money, apportion};
use crate::pricing::{NodePrice, PriceBook, ResourceRates};
use crate::snapshot::{PodSample, Snapshot};

/// Sample-duration settings (`ingest.default_interval_seconds`, `ingest.max_sample_gap_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationRules {
    /// Used when neither a declared interval nor a previous snapshot is known: the reference
    /// agent's period.
    pub default_seconds: u32,
    /// Cap on the gap to the previous snapshot, so an agent outage is not billed as one
    /// enormous sample.
    pub max_gap_seconds: u32,
}

impl Default for DurationRules {
    fn default() -> Self {
        Self {
            default_seconds: 600,
            max_gap_seconds: 1800,
        }
    }
}

/// How a sample's duration was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationBasis {
    Declared,
    GapToPrevious,
    Default,
}

/// The length of time one snapshot stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleDuration {
    pub seconds: u32,
    pub basis: DurationBasis,
}

/// The duration rule: the declared `interval_seconds`; else the gap to the cluster's
/// previous snapshot, capped; else the default.
pub fn sample_duration(
    declared_seconds: Option<u32>,
    previous: Option<DateTime<Utc>>,
    current: DateTime<Utc>,
    rules: &DurationRules,
) -> SampleDuration {
    if let Some(seconds) = declared_seconds.filter(|s| *s > 0) {
        return SampleDuration {
            seconds,
            basis: DurationBasis::Declared,
        };
    }
    let gap = previous
        .filter(|previous| *previous < current)
        .map(|previous| (current - previous).num_seconds())
        .and_then(|gap| u32::try_from(gap).ok());
    match gap {
        Some(gap) => SampleDuration {
            seconds: gap.min(rules.max_gap_seconds),
            basis: DurationBasis::GapToPrevious,
        },
        None => SampleDuration {
            seconds: rules.default_seconds,
            basis: DurationBasis::Default,
        },
    }
}

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

/// Costs charged to a pod directly rather than through a node: not part of node cost,
/// idle or overcommit (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectCosts {
    /// Persistent volumes the pod mounted.
    pub storage: Money,
    pub network: Money,
    pub load_balancer: Money,
}

impl DirectCosts {
    pub const ZERO: Self = Self {
        storage: Money::ZERO,
        network: Money::ZERO,
        load_balancer: Money::ZERO,
    };

    pub fn total(&self) -> Money {
        self.storage + self.network + self.load_balancer
    }

    pub fn is_negative(&self) -> bool {
        self.storage.is_negative() || self.network.is_negative() || self.load_balancer.is_negative()
    }
}

impl std::ops::Add for DirectCosts {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self {
            storage: self.storage + other.storage,
            network: self.network + other.network,
            load_balancer: self.load_balancer + other.load_balancer,
        }
    }
}

impl std::iter::Sum for DirectCosts {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |sum, costs| sum + costs)
    }
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
    /// Allocation above what the node costs, apportioned away (see module docs).
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

    /// Assembles a priced snapshot from parts already checked by the caller (see
    /// `pre_priced`, which keeps the invariants `price_snapshot` guarantees).
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

/// Prices `snapshot` for `duration` with node prices from `book`.
pub fn price_snapshot(
    snapshot: Snapshot,
    book: &PriceBook<'_>,
    duration: SampleDuration,
) -> PricedSnapshot {
    let seconds = duration.seconds;
    let prices: Vec<NodePrice> = snapshot
        .nodes()
        .iter()
        .map(|node| book.price_node(node))
        .collect();
    let cluster_rates = average_rates(&snapshot, &prices).unwrap_or(*book.defaults());
    let node_index: HashMap<&str, usize> = snapshot
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, node)| (node.name.as_str(), i))
        .collect();

    let mut pods: Vec<PodCost> = snapshot
        .pods()
        .iter()
        .map(|pod| {
            let (placement, rates) = match pod.node.as_deref().map(|name| node_index.get(name)) {
                Some(Some(&i)) => (Placement::OnNode, prices[i].rates),
                Some(None) => (Placement::UnknownNode, cluster_rates),
                None => (Placement::Pending, cluster_rates),
            };
            raw_pod_cost(pod, placement, rates, seconds)
        })
        .collect();

    let mut pods_by_node: Vec<Vec<usize>> = vec![Vec::new(); prices.len()];
    for (pod_index, pod) in snapshot.pods().iter().enumerate() {
        if let Some(&node) = pod.node.as_deref().and_then(|name| node_index.get(name)) {
            pods_by_node[node].push(pod_index);
        }
    }

    let nodes = snapshot
        .nodes()
        .iter()
        .zip(&prices)
        .zip(&pods_by_node)
        .map(|((node, price), members)| {
            let total = Money::for_duration(price.hourly, seconds);
            let cpu_cost = Money::for_duration(
                price.rates.cpu_core_hourly * node.cpu_capacity.cores(),
                seconds,
            )
            .min(total);
            let ram_cost = total - cpu_cost;
            let (idle_cpu, overcommit_cpu) =
                settle(cpu_cost, members, &mut pods, |p| &mut p.cpu_cost);
            let (idle_ram, overcommit_ram) =
                settle(ram_cost, members, &mut pods, |p| &mut p.ram_cost);
            NodeCost {
                price: *price,
                cpu_cost,
                ram_cost,
                idle_cpu,
                idle_ram,
                overcommit_cpu,
                overcommit_ram,
            }
        })
        .collect();

    PricedSnapshot {
        snapshot,
        duration,
        pods,
        nodes,
        cluster_rates,
    }
}

fn raw_pod_cost(
    pod: &PodSample,
    placement: Placement,
    rates: ResourceRates,
    seconds: u32,
) -> PodCost {
    let figures = &pod.figures;
    let allocated_cores = figures.cpu_request.max(figures.cpu_usage).cores();
    let allocated_gib = figures.memory_request.max(figures.memory_usage).gib();
    PodCost {
        allocated_cores,
        allocated_gib,
        cpu_cost: Money::for_duration(rates.cpu_core_hourly * allocated_cores, seconds),
        ram_cost: Money::for_duration(rates.ram_gib_hourly * allocated_gib, seconds),
        placement,
        rates,
        // The agent reports no storage, network or load-balancer costs.
        direct: DirectCosts::ZERO,
    }
}

/// Settles one resource of one node: returns (idle, overcommit). When the node's pods were
/// allocated more than the node costs, their costs are scaled down to the node cost.
fn settle(
    node_cost: Money,
    members: &[usize],
    pods: &mut [PodCost],
    cost_of: impl Fn(&mut PodCost) -> &mut Money,
) -> (Money, Money) {
    let allocated: Money = members.iter().map(|&i| *cost_of(&mut pods[i])).sum();
    if allocated <= node_cost {
        return (node_cost - allocated, Money::ZERO);
    }
    let weights: Vec<Decimal> = members
        .iter()
        .map(|&i| cost_of(&mut pods[i]).amount())
        .collect();
    for (&i, share) in members.iter().zip(apportion(node_cost, &weights)) {
        *cost_of(&mut pods[i]) = share;
    }
    (Money::ZERO, allocated - node_cost)
}

/// Capacity-weighted average CPU and RAM rates; `None` without nodes.
pub(crate) fn average_rates(snapshot: &Snapshot, prices: &[NodePrice]) -> Option<ResourceRates> {
    let mut cores = Decimal::ZERO;
    let mut gib = Decimal::ZERO;
    let mut cpu_spend = Decimal::ZERO;
    let mut ram_spend = Decimal::ZERO;
    for (node, price) in snapshot.nodes().iter().zip(prices) {
        let node_cores = node.cpu_capacity.cores();
        let node_gib = node.memory_capacity.gib();
        cores += node_cores;
        gib += node_gib;
        cpu_spend += price.rates.cpu_core_hourly * node_cores;
        ram_spend += price.rates.ram_gib_hourly * node_gib;
    }
    (cores > Decimal::ZERO && gib > Decimal::ZERO).then(|| ResourceRates {
        cpu_core_hourly: cpu_spend / cores,
        ram_gib_hourly: ram_spend / gib,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::Catalog;
    use crate::pricing::{PriceOverride, PriceSource};
    use crate::quantity::{Bytes, Millicores};
    use crate::snapshot::tests::{node, pod};
    use crate::snapshot::{NodeSample, ResourceFigures, SnapshotParts, SnapshotRules};

    const HOUR: SampleDuration = SampleDuration {
        seconds: 3600,
        basis: DurationBasis::Declared,
    };

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
    }

    fn snapshot(pods: Vec<PodSample>, nodes: Vec<NodeSample>) -> Snapshot {
        let parts = SnapshotParts {
            cluster: "c".into(),
            timestamp: at(),
            interval_seconds: None,
            pods,
            nodes,
        };
        Snapshot::new(parts, at(), &SnapshotRules::default()).unwrap()
    }

    fn using(
        name: &str,
        node: Option<&str>,
        cpu_req: u64,
        cpu_use: u64,
        mem_req: u64,
        mem_use: u64,
    ) -> PodSample {
        PodSample {
            figures: ResourceFigures {
                cpu_request: Millicores::new(cpu_req),
                cpu_usage: Millicores::new(cpu_use),
                memory_request: Bytes::new(mem_req),
                memory_usage: Bytes::new(mem_use),
                ..ResourceFigures::default()
            },
            ..pod(name, node)
        }
    }

    fn price(snapshot: Snapshot, duration: SampleDuration) -> PricedSnapshot {
        let catalog = Catalog::builtin().unwrap();
        let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
        price_snapshot(snapshot, &book, duration)
    }

    fn assert_conserved(priced: &PricedSnapshot) {
        let totals = priced.totals();
        assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
    }

    fn close(a: Money, b: Decimal) -> bool {
        (a.amount() - b).abs() <= d("0.000000001")
    }

    const GIB: u64 = 1 << 30;

    #[test]
    fn node_with_a_payload_price() {
        let n1 = NodeSample {
            hourly_cost: Some(d("0.2")),
            labels: Default::default(),
            ..node("n1", 4, 16)
        };
        let priced = price(
            snapshot(vec![using("a", Some("n1"), 1000, 0, 4 * GIB, 0)], vec![n1]),
            HOUR,
        );
        let node = priced.nodes()[0];
        assert_eq!(node.price.source, PriceSource::Payload);
        assert_eq!(node.total().amount(), d("0.2"));
        // The pod holds a quarter of both resources, so a quarter of the price.
        assert!(close(priced.pods()[0].total(), d("0.05")));
        assert!(close(node.idle(), d("0.15")));
        assert_conserved(&priced);
    }

    #[test]
    fn m5_xlarge_priced_from_the_catalog() {
        let n1 = NodeSample {
            instance_type: Some("m5.xlarge".into()),
            ..node("n1", 4, 16)
        };
        let priced = price(
            snapshot(vec![], vec![n1]),
            SampleDuration {
                seconds: 600,
                ..HOUR
            },
        );
        let node = priced.nodes()[0];
        assert_eq!(node.price.source, PriceSource::Catalog);
        assert_eq!(
            node.total().amount(),
            d("0.032"),
            "0.192 $/h for 10 minutes"
        );
        assert_eq!(node.idle(), node.total(), "an empty node is all idle");
        assert_conserved(&priced);
    }

    #[test]
    fn unknown_instance_type_priced_from_default_rates() {
        let n1 = NodeSample {
            instance_type: Some("homelab-box".into()),
            ..node("n1", 2, 8)
        };
        let priced = price(
            snapshot(vec![using("a", Some("n1"), 1000, 0, GIB, 0)], vec![n1]),
            HOUR,
        );
        assert_eq!(priced.nodes()[0].price.source, PriceSource::DefaultRates);
        assert_eq!(priced.nodes()[0].total().amount(), d("0.097118"));
        assert_eq!(priced.pods()[0].cpu_cost.amount(), d("0.031611"));
        assert_eq!(priced.pods()[0].ram_cost.amount(), d("0.004237"));
        assert_conserved(&priced);
    }

    #[test]
    fn a_pod_using_more_than_it_requests_pays_for_its_usage() {
        let priced = price(
            snapshot(
                vec![using("a", Some("n1"), 500, 800, GIB, 2 * GIB)],
                vec![node("n1", 4, 16)],
            ),
            HOUR,
        );
        let pod = priced.pods()[0];
        assert_eq!(pod.allocated_cores, d("0.8"));
        assert_eq!(pod.allocated_gib, d("2"));
        assert_eq!(pod.cpu_cost.amount(), d("0.0252888"));
        assert_eq!(pod.ram_cost.amount(), d("0.008474"));
    }

    #[test]
    fn a_pod_without_requests_pays_for_its_usage() {
        let priced = price(
            snapshot(
                vec![using("a", Some("n1"), 0, 250, 0, GIB / 2)],
                vec![node("n1", 4, 16)],
            ),
            HOUR,
        );
        let pod = priced.pods()[0];
        assert_eq!(
            (pod.allocated_cores, pod.allocated_gib),
            (d("0.25"), d("0.5"))
        );
        assert_eq!(
            pod.total().amount(),
            d("0.25") * d("0.031611") + d("0.5") * d("0.004237")
        );
    }

    #[test]
    fn a_pending_pod_is_priced_at_the_cluster_average() {
        let cheap = NodeSample {
            hourly_cost: Some(d("0.1")),
            labels: Default::default(),
            ..node("cheap", 4, 16)
        };
        let dear = NodeSample {
            hourly_cost: Some(d("0.3")),
            labels: Default::default(),
            ..node("dear", 4, 16)
        };
        let priced = price(
            snapshot(
                vec![using("p", None, 1000, 0, 4 * GIB, 0)],
                vec![cheap, dear],
            ),
            HOUR,
        );
        let pending = priced.pods()[0];
        assert_eq!(pending.placement, Placement::Pending);
        // Equal capacities: the average of the two nodes' rates; a quarter of a 0.2 $/h node.
        assert!(close(pending.total(), d("0.05")));
        let totals = priced.totals();
        assert_eq!(totals.off_node_pod_cost, pending.total());
        assert_eq!(totals.on_node_pod_cost, Money::ZERO);
        assert_conserved(&priced);
    }

    #[test]
    fn pods_on_unknown_nodes_and_without_any_node_use_default_rates_when_no_node_is_known() {
        let priced = price(
            snapshot(
                vec![
                    using("p", Some("ghost"), 1000, 0, GIB, 0),
                    using("q", None, 0, 0, 0, 0),
                ],
                vec![],
            ),
            HOUR,
        );
        assert_eq!(priced.pods()[0].placement, Placement::UnknownNode);
        assert_eq!(priced.pods()[0].rates, ResourceRates::opencost_defaults());
        assert_eq!(priced.pods()[0].total().amount(), d("0.035848"));
        assert_eq!(priced.pods()[1].total(), Money::ZERO);
        assert_eq!(priced.totals().node_cost, Money::ZERO);
    }

    #[test]
    fn an_overcommitted_node_has_no_idle_and_reports_the_excess() {
        // 1 core node; two pods each bursting to 1 core: twice what the node's CPU costs.
        let priced = price(
            snapshot(
                vec![
                    using("a", Some("n1"), 0, 1000, 0, 0),
                    using("b", Some("n1"), 0, 1000, 0, 0),
                ],
                vec![node("n1", 1, 4)],
            ),
            HOUR,
        );
        let node = priced.nodes()[0];
        assert!(node.is_overcommitted());
        assert_eq!(node.idle_cpu, Money::ZERO);
        assert_eq!(node.overcommit_cpu, node.cpu_cost);
        assert_eq!(node.idle_ram, node.ram_cost, "memory is untouched");
        assert_eq!(
            priced.pods()[0].cpu_cost + priced.pods()[1].cpu_cost,
            node.cpu_cost
        );
        assert_eq!(priced.pods()[0].cpu_cost, priced.pods()[1].cpu_cost);
        assert_conserved(&priced);
    }

    #[test]
    fn the_reference_agents_snapshot_is_priced_from_the_catalog_and_conserved() {
        let json = include_str!("../tests/fixtures/agent/snapshot-small.json");
        let payload: crate::agent_payload::AgentPayload = serde_json::from_str(json).unwrap();
        let snapshot = payload
            .into_snapshot(at() + Duration::hours(1), &SnapshotRules::default())
            .unwrap();
        let priced = price(
            snapshot,
            SampleDuration {
                seconds: 600,
                basis: DurationBasis::Default,
            },
        );
        assert!(
            priced
                .nodes()
                .iter()
                .all(|n| n.price.source == PriceSource::Catalog)
        );
        let node_total = priced.totals().node_cost.amount();
        // (0.096 + 0.192 + 0.34 + 0.0416) $/h for 10 minutes.
        assert_eq!(node_total, d("0.6696") / d("6"));
        assert_conserved(&priced);
    }

    #[test]
    fn tenant_overrides_flow_through_the_price_book() {
        let catalog = Catalog::builtin().unwrap();
        let overrides = [PriceOverride::new("m5.xlarge", d("0.1")).unwrap()];
        let book = PriceBook::new(&overrides, &catalog, ResourceRates::opencost_defaults());
        let n1 = NodeSample {
            instance_type: Some("m5.xlarge".into()),
            ..node("n1", 4, 16)
        };
        let priced = price_snapshot(snapshot(vec![], vec![n1]), &book, HOUR);
        assert_eq!(priced.nodes()[0].total().amount(), d("0.1"));
    }

    #[test]
    fn sample_duration_rules() {
        let rules = DurationRules::default();
        let now = at();
        let declared = sample_duration(Some(300), Some(now - Duration::minutes(20)), now, &rules);
        assert_eq!(
            declared,
            SampleDuration {
                seconds: 300,
                basis: DurationBasis::Declared
            }
        );
        let gap = sample_duration(None, Some(now - Duration::minutes(10)), now, &rules);
        assert_eq!(
            gap,
            SampleDuration {
                seconds: 600,
                basis: DurationBasis::GapToPrevious
            }
        );
        let capped = sample_duration(None, Some(now - Duration::hours(5)), now, &rules);
        assert_eq!(
            capped,
            SampleDuration {
                seconds: 1800,
                basis: DurationBasis::GapToPrevious
            }
        );
        let first = sample_duration(None, None, now, &rules);
        assert_eq!(
            first,
            SampleDuration {
                seconds: 600,
                basis: DurationBasis::Default
            }
        );
        let out_of_order = sample_duration(None, Some(now + Duration::minutes(10)), now, &rules);
        assert_eq!(out_of_order.basis, DurationBasis::Default);
    }

    prop_compose! {
        fn arb_node(index: usize)(
            cores in 1u64..96,
            gib in 1u64..768,
            kind in 0usize..4,
            declared in 1u64..20_000,
        ) -> NodeSample {
            let types = ["m5.large", "c5.2xlarge", "not-in-catalog", ""];
            NodeSample {
                instance_type: Some(types[kind].to_owned()).filter(|t| !t.is_empty()),
                hourly_cost: (kind == 3).then(|| Decimal::new(declared as i64, 4)),
                labels: Default::default(),
                ..node(&format!("n{index}"), cores, gib)
            }
        }
    }

    fn arb_snapshot() -> impl Strategy<Value = Snapshot> {
        (0usize..6)
            .prop_flat_map(|node_count| {
                let nodes: Vec<_> = (0..node_count).map(arb_node).collect();
                let pods = prop::collection::vec(
                    (
                        0..node_count + 2,
                        0u64..4000,
                        0u64..4000,
                        0u64..(8 * GIB),
                        0u64..(8 * GIB),
                    ),
                    0..40,
                );
                (nodes, pods)
            })
            .prop_map(|(nodes, pods)| {
                let node_count = nodes.len();
                let pods = pods
                    .into_iter()
                    .enumerate()
                    .map(|(i, (slot, cpu_req, cpu_use, mem_req, mem_use))| {
                        let node = match slot {
                            s if s < node_count => Some(format!("n{s}")),
                            s if s == node_count => None,
                            _ => Some("unknown".to_owned()),
                        };
                        using(
                            &format!("p{i}"),
                            node.as_deref(),
                            cpu_req,
                            cpu_use,
                            mem_req,
                            mem_use,
                        )
                    })
                    .collect();
                snapshot(pods, nodes)
            })
    }

    proptest! {
        #[test]
        fn pod_costs_plus_idle_equal_node_costs_exactly(
            snapshot in arb_snapshot(),
            seconds in 1u32..86_400,
        ) {
            let priced = price(snapshot, SampleDuration { seconds, basis: DurationBasis::Declared });
            let totals = priced.totals();
            prop_assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
            for (index, node) in priced.nodes().iter().enumerate() {
                let name = &priced.snapshot().nodes()[index].name;
                let on_node: Money = priced
                    .snapshot()
                    .pods()
                    .iter()
                    .zip(priced.pods())
                    .filter(|(pod, _)| pod.node.as_ref() == Some(name))
                    .map(|(_, cost)| cost.compute_cost())
                    .sum();
                prop_assert_eq!(on_node + node.idle(), node.total());
                prop_assert!(!node.idle_cpu.is_negative() && !node.idle_ram.is_negative());
                prop_assert!(!node.overcommit().is_negative());
                prop_assert!(node.idle() == Money::ZERO || !node.is_overcommitted() || node.idle_cpu == Money::ZERO || node.idle_ram == Money::ZERO);
            }
            prop_assert!(priced.pods().iter().all(|p| !p.cpu_cost.is_negative() && !p.ram_cost.is_negative()));
            // The engine prices no direct costs: the agent reports none.
            prop_assert!(priced.pods().iter().all(|p| p.direct == DirectCosts::ZERO && p.total() == p.compute_cost()));
            prop_assert_eq!(totals.direct, DirectCosts::ZERO);
            prop_assert_eq!(totals.total(), totals.node_cost + totals.off_node_pod_cost);
        }
    }
}
