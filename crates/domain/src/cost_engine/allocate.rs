//! The allocation rules (see the [engine's module docs](crate::cost_engine)): node cost split
//! into CPU and RAM, pods allocated `max(request, usage)` at their node's rates, the rest
//! settled per node as idle or overcommit, and pods no node pays for priced at the cluster
//! average.

use rust_decimal::Decimal;

use super::direct::DirectCosts;
use super::duration::SampleDuration;
use super::placement::PodPlacements;
use super::priced::{NodeCost, Placement, PodCost, PricedSnapshot};
use crate::money::{Money, apportion};
use crate::pricing::{NodePrice, PriceBook, ResourceRates};
use crate::snapshot::{PodSample, Snapshot};

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
    let placements = PodPlacements::of(&snapshot);

    let mut pods: Vec<PodCost> = snapshot
        .pods()
        .iter()
        .zip(&placements.pods)
        .map(|(pod, &(placement, node))| {
            // Pods no listed node pays for are priced at the cluster's average.
            let rates = node.map_or(cluster_rates, |i| prices[i].rates);
            raw_pod_cost(pod, placement, rates, seconds)
        })
        .collect();

    let nodes = snapshot
        .nodes()
        .iter()
        .zip(&prices)
        .zip(&placements.by_node)
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

    PricedSnapshot::from_checked_parts(snapshot, duration, pods, nodes, cluster_rates)
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

    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::Catalog;
    use crate::cost_engine::DurationBasis;
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
