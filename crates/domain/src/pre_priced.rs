//! Pre-priced snapshots: costs computed elsewhere (OpenCost) checked against the invariants
//! the cost engine guarantees, so that every store can append them like any priced snapshot.
//!
//! Checked: one cost per pod and per node sample; each pod's placement matches its node
//! (`OnNode` on a listed node, `UnknownNode` on another, `Pending` without one); no negative
//! cost, idle or overcommit; and per node and resource, Σ its pods' costs + idle = the
//! node's cost, exactly — hence Σ on-node pod compute costs + Σ idle = Σ node costs. Pods'
//! direct costs (storage, network, load balancer) only have to be non-negative: no node
//! pays for them, so they take no part in conservation.

use crate::cost_engine::{
    NodeCost, Placement, PodCost, PodPlacements, PricedSnapshot, SampleDuration, average_rates,
};
use crate::money::Money;
use crate::pricing::{NodePrice, ResourceRates};
use crate::snapshot::Snapshot;

/// Why pre-priced parts do not make a priced snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrePricedError {
    #[error("a sample must last at least one second")]
    ZeroDuration,
    #[error("{costs} pod costs for {samples} pod samples")]
    PodCount { costs: usize, samples: usize },
    #[error("{costs} node costs for {samples} node samples")]
    NodeCount { costs: usize, samples: usize },
    #[error("pod {index}: placement {placement:?} does not match its node")]
    Placement { index: usize, placement: Placement },
    #[error("pod {index}: a cost is negative")]
    NegativePodCost { index: usize },
    #[error("node {name}: a cost, idle or overcommit is negative")]
    NegativeNodeCost { name: String },
    #[error(
        "node {name}: {resource} pod costs plus idle ({allocated}) differ from the node's cost ({node_cost})"
    )]
    NotConserved {
        name: String,
        resource: &'static str,
        allocated: Money,
        node_cost: Money,
    },
}

impl PricedSnapshot {
    /// A priced snapshot from costs priced elsewhere, checked as the module docs say. The
    /// cluster's average rates are the capacity-weighted node rates (`fallback_rates` when
    /// there is no node).
    pub fn pre_priced(
        snapshot: Snapshot,
        duration: SampleDuration,
        pods: Vec<PodCost>,
        nodes: Vec<NodeCost>,
        fallback_rates: ResourceRates,
    ) -> Result<Self, PrePricedError> {
        if duration.seconds == 0 {
            return Err(PrePricedError::ZeroDuration);
        }
        check_counts(&snapshot, &pods, &nodes)?;
        let on_node = check_pods(&snapshot, &pods)?;
        check_nodes(&snapshot, &pods, &nodes, &on_node)?;
        let prices: Vec<NodePrice> = nodes.iter().map(|node| node.price).collect();
        let cluster_rates = average_rates(&snapshot, &prices).unwrap_or(fallback_rates);
        Ok(Self::from_checked_parts(
            snapshot,
            duration,
            pods,
            nodes,
            cluster_rates,
        ))
    }
}

fn check_counts(
    snapshot: &Snapshot,
    pods: &[PodCost],
    nodes: &[NodeCost],
) -> Result<(), PrePricedError> {
    if pods.len() != snapshot.pods().len() {
        return Err(PrePricedError::PodCount {
            costs: pods.len(),
            samples: snapshot.pods().len(),
        });
    }
    if nodes.len() != snapshot.nodes().len() {
        return Err(PrePricedError::NodeCount {
            costs: nodes.len(),
            samples: snapshot.nodes().len(),
        });
    }
    Ok(())
}

/// Checks placements and signs; returns, per node index, the indices of its pods.
fn check_pods(snapshot: &Snapshot, pods: &[PodCost]) -> Result<Vec<Vec<usize>>, PrePricedError> {
    let placements = PodPlacements::of(snapshot);
    for (index, (cost, &(expected, _))) in pods.iter().zip(&placements.pods).enumerate() {
        if cost.placement != expected {
            return Err(PrePricedError::Placement {
                index,
                placement: cost.placement,
            });
        }
        if cost.cpu_cost.is_negative() || cost.ram_cost.is_negative() || cost.direct.is_negative() {
            return Err(PrePricedError::NegativePodCost { index });
        }
    }
    Ok(placements.by_node)
}

fn check_nodes(
    snapshot: &Snapshot,
    pods: &[PodCost],
    nodes: &[NodeCost],
    on_node: &[Vec<usize>],
) -> Result<(), PrePricedError> {
    for ((sample, node), members) in snapshot.nodes().iter().zip(nodes).zip(on_node) {
        let name = || sample.name.clone();
        let amounts = [
            node.cpu_cost,
            node.ram_cost,
            node.idle_cpu,
            node.idle_ram,
            node.overcommit_cpu,
            node.overcommit_ram,
        ];
        if amounts.iter().any(|amount| amount.is_negative()) {
            return Err(PrePricedError::NegativeNodeCost { name: name() });
        }
        let cpu: Money = members.iter().map(|&i| pods[i].cpu_cost).sum();
        let ram: Money = members.iter().map(|&i| pods[i].ram_cost).sum();
        for (resource, allocated, node_cost) in [
            ("cpu", cpu + node.idle_cpu, node.cpu_cost),
            ("ram", ram + node.idle_ram, node.ram_cost),
        ] {
            if allocated != node_cost {
                return Err(PrePricedError::NotConserved {
                    name: name(),
                    resource,
                    allocated,
                    node_cost,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;
    use crate::cost_engine::{DirectCosts, DurationBasis};
    use crate::pricing::PriceSource;
    use crate::snapshot::tests::{node, pod};
    use crate::snapshot::{SnapshotParts, SnapshotRules};

    const HOUR: SampleDuration = SampleDuration {
        seconds: 3600,
        basis: DurationBasis::Declared,
    };

    fn snapshot(pod_nodes: &[Option<&str>], nodes: &[&str]) -> Snapshot {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let parts = SnapshotParts {
            cluster: "c".into(),
            timestamp: at,
            interval_seconds: Some(3600),
            pods: pod_nodes
                .iter()
                .enumerate()
                .map(|(i, n)| pod(&format!("p{i}"), *n))
                .collect(),
            nodes: nodes.iter().map(|n| node(n, 1, 1)).collect(),
        };
        Snapshot::new(parts, at, &SnapshotRules::default()).unwrap()
    }

    fn money(units: i64) -> Money {
        Money::from_decimal(Decimal::new(units, 6))
    }

    fn pod_cost(cpu: i64, ram: i64, placement: Placement) -> PodCost {
        PodCost {
            allocated_cores: Decimal::ONE,
            allocated_gib: Decimal::ONE,
            cpu_cost: money(cpu),
            ram_cost: money(ram),
            placement,
            rates: ResourceRates::opencost_defaults(),
            direct: DirectCosts::ZERO,
        }
    }

    fn node_cost(cpu: i64, ram: i64, idle_cpu: i64, idle_ram: i64) -> NodeCost {
        NodeCost {
            price: NodePrice {
                hourly: Decimal::ONE,
                source: PriceSource::OpenCost,
                rates: ResourceRates::opencost_defaults(),
            },
            cpu_cost: money(cpu),
            ram_cost: money(ram),
            idle_cpu: money(idle_cpu),
            idle_ram: money(idle_ram),
            overcommit_cpu: Money::ZERO,
            overcommit_ram: Money::ZERO,
        }
    }

    fn build(pods: Vec<PodCost>, nodes: Vec<NodeCost>) -> Result<PricedSnapshot, PrePricedError> {
        let snap = snapshot(&[Some("n1"), Some("n1"), None], &["n1"]);
        PricedSnapshot::pre_priced(snap, HOUR, pods, nodes, ResourceRates::opencost_defaults())
    }

    fn pods() -> Vec<PodCost> {
        vec![
            pod_cost(10, 5, Placement::OnNode),
            pod_cost(20, 5, Placement::OnNode),
            pod_cost(7, 1, Placement::Pending),
        ]
    }

    #[test]
    fn conserved_parts_make_a_priced_snapshot() {
        let priced = build(pods(), vec![node_cost(40, 12, 10, 2)]).unwrap();
        let totals = priced.totals();
        assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
        assert_eq!(totals.off_node_pod_cost, money(8));
        assert_eq!(priced.cluster_rates(), ResourceRates::opencost_defaults());
        assert_eq!(totals.direct, DirectCosts::ZERO);
    }

    #[test]
    fn direct_costs_stay_outside_node_conservation_and_add_to_the_totals() {
        let direct = |storage, network, load_balancer| DirectCosts {
            storage: money(storage),
            network: money(network),
            load_balancer: money(load_balancer),
        };
        let mut with_direct = pods();
        with_direct[0].direct = direct(3, 2, 1);
        with_direct[2].direct = direct(4, 0, 0);
        // The same node cost as without direct costs: no node pays for them.
        let priced = build(with_direct, vec![node_cost(40, 12, 10, 2)]).unwrap();
        let totals = priced.totals();
        assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
        assert_eq!(totals.on_node_pod_cost, money(40));
        assert_eq!(totals.off_node_pod_cost, money(8));
        assert_eq!(totals.direct, direct(7, 2, 1));
        assert_eq!(totals.total(), money(52 + 8 + 10));
        assert_eq!(priced.pods()[0].compute_cost(), money(15));
        assert_eq!(priced.pods()[0].total(), money(21));

        let mut negative = pods();
        negative[1].direct = direct(0, -1, 0);
        assert!(matches!(
            build(negative, vec![node_cost(40, 12, 10, 2)]),
            Err(PrePricedError::NegativePodCost { index: 1 })
        ));
    }

    #[test]
    fn unconserved_nodes_are_refused() {
        let err = build(pods(), vec![node_cost(41, 12, 10, 2)]).unwrap_err();
        assert!(matches!(
            err,
            PrePricedError::NotConserved {
                resource: "cpu",
                ..
            }
        ));
        let err = build(pods(), vec![node_cost(40, 12, 10, 3)]).unwrap_err();
        assert!(matches!(
            err,
            PrePricedError::NotConserved {
                resource: "ram",
                ..
            }
        ));
    }

    #[test]
    fn mismatched_placements_counts_and_signs_are_refused() {
        let mut wrong = pods();
        wrong[2].placement = Placement::OnNode;
        assert!(matches!(
            build(wrong, vec![node_cost(40, 12, 10, 2)]),
            Err(PrePricedError::Placement { index: 2, .. })
        ));
        assert!(matches!(
            build(pods()[..2].to_vec(), vec![node_cost(40, 12, 10, 2)]),
            Err(PrePricedError::PodCount { .. })
        ));
        assert!(matches!(
            build(pods(), vec![]),
            Err(PrePricedError::NodeCount { .. })
        ));
        let mut negative = pods();
        negative[2].cpu_cost = money(-1);
        assert!(matches!(
            build(negative, vec![node_cost(40, 12, 10, 2)]),
            Err(PrePricedError::NegativePodCost { index: 2 })
        ));
        assert!(matches!(
            build(pods(), vec![node_cost(40, 12, 10, 2)]).map(|_| ()),
            Ok(())
        ));
        let zero = SampleDuration { seconds: 0, ..HOUR };
        let snap = snapshot(&[], &[]);
        assert_eq!(
            PricedSnapshot::pre_priced(
                snap,
                zero,
                vec![],
                vec![],
                ResourceRates::opencost_defaults()
            ),
            Err(PrePricedError::ZeroDuration)
        );
    }

    proptest! {
        /// Any node cost built as Σ pods + idle is accepted; shifting any amount by one unit
        /// of the cost scale is refused.
        #[test]
        fn conservation_is_exact(
            costs in prop::collection::vec((0i64..10_000_000, 0i64..10_000_000), 0..6),
            idle in (0i64..10_000_000, 0i64..10_000_000),
            nudge in prop::bool::ANY,
        ) {
            let names: Vec<Option<&str>> = costs.iter().map(|_| Some("n1")).collect();
            let snap = snapshot(&names, &["n1"]);
            let pods: Vec<PodCost> = costs.iter().map(|(c, r)| pod_cost(*c, *r, Placement::OnNode)).collect();
            let cpu: i64 = costs.iter().map(|(c, _)| c).sum::<i64>() + idle.0;
            let ram: i64 = costs.iter().map(|(_, r)| r).sum::<i64>() + idle.1;
            let mut node = node_cost(cpu, ram, idle.0, idle.1);
            if nudge {
                node.ram_cost += Money::from_decimal(Decimal::new(1, crate::money::COST_SCALE));
            }
            let result = PricedSnapshot::pre_priced(snap, HOUR, pods, vec![node], ResourceRates::opencost_defaults());
            prop_assert_eq!(result.is_ok(), !nudge);
            if let Ok(priced) = result {
                let totals = priced.totals();
                prop_assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
            }
        }
    }
}
