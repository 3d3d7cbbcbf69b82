//! Tests of the OpenCost allocation-set mapping, including a property test of conservation.

use std::str::FromStr;

use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::opencost::AllocationProperties;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    start() + Duration::hours(2)
}

fn row(name: &str, namespace: Option<&str>, pod: Option<&str>, node: Option<&str>) -> Allocation {
    let mut allocation = Allocation::zero(name, start(), start() + Duration::hours(1));
    allocation.properties = AllocationProperties {
        cluster: Some("cluster-one".into()),
        namespace: namespace.map(Into::into),
        pod: pod.map(Into::into),
        node: node.map(Into::into),
        ..AllocationProperties::default()
    };
    allocation.minutes = d("60");
    allocation
}

fn priced_row(
    namespace: &str,
    pod: &str,
    node: Option<&str>,
    cpu_cost: &str,
    ram_cost: &str,
) -> Allocation {
    let mut allocation = row(
        &format!("{namespace}/{pod}"),
        Some(namespace),
        Some(pod),
        node,
    );
    allocation.cpu_cost = d(cpu_cost);
    allocation.ram_cost = d(ram_cost);
    allocation.cpu_core_hours = d("0.5");
    allocation.ram_byte_hours = d("1073741824");
    allocation
}

fn idle(cpu_cost: &str, ram_cost: &str) -> Allocation {
    let mut allocation = row(Allocation::IDLE, None, None, None);
    allocation.cpu_cost = d(cpu_cost);
    allocation.ram_cost = d(ram_cost);
    allocation.cpu_core_hours = d("1.5");
    allocation.ram_byte_hours = d("3221225472");
    allocation
}

fn set(allocations: Vec<Allocation>) -> AllocationSet {
    AllocationSet {
        start: start(),
        end: start() + Duration::hours(1),
        allocations,
    }
}

fn conserved(priced: &PricedSnapshot) {
    let totals = priced.totals();
    assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
    assert_eq!(totals.off_node_pod_cost, Money::ZERO);
}

#[test]
fn namespace_pod_rows_land_on_the_cluster_node_with_idle() {
    let mut web = priced_row("web", "web-1", None, "0.018170", "0.012474");
    web.cpu_core_request_average = d("0.019995");
    web.cpu_core_usage_average = d("0.001821");
    web.cpu_core_limit_average = d("0.5");
    web.ram_byte_request_average = d("109970800.411162");
    web.ram_byte_usage_average = d("35525920.971352");
    web.properties.controller_kind = Some("deployment".into());
    web.properties.controller = Some("web".into());
    let priced =
        snapshot_from_allocations(&set(vec![web, idle("0.1", "0.02")]), "prod", now()).unwrap();

    let snapshot = priced.snapshot();
    assert_eq!(snapshot.cluster().as_str(), "prod");
    assert_eq!(snapshot.timestamp(), start());
    assert_eq!(priced.duration().seconds, 3600);
    assert_eq!(snapshot.nodes().len(), 1);
    assert_eq!(snapshot.nodes()[0].name, CLUSTER_NODE);
    let pod = &snapshot.pods()[0];
    assert_eq!(
        (pod.namespace.as_str(), pod.name.as_str()),
        ("web", "web-1")
    );
    assert_eq!(pod.node.as_deref(), Some(CLUSTER_NODE));
    assert_eq!(pod.figures.cpu_request, Millicores::new(20));
    assert_eq!(pod.figures.cpu_usage, Millicores::new(2));
    assert_eq!(pod.figures.cpu_limit, Some(Millicores::new(500)));
    assert_eq!(pod.figures.memory_request, Bytes::new(109_970_800));
    assert_eq!(pod.figures.memory_usage, Bytes::new(35_525_921));
    assert_eq!(pod.figures.memory_limit, None);
    assert_eq!(pod.owner.as_ref().map(|o| o.name.as_str()), Some("web"));

    let cost = priced.pods()[0];
    assert_eq!(cost.cpu_cost.amount(), d("0.018170"));
    assert_eq!(cost.ram_cost.amount(), d("0.012474"));
    let node = priced.nodes()[0];
    assert_eq!(node.price.source, PriceSource::OpenCost);
    assert_eq!(node.idle().amount(), d("0.12"));
    assert_eq!(node.total().amount(), d("0.150644"));
    assert_eq!(node.price.hourly, d("0.150644"));
    // 0.5 + 1.5 core-hours over one hour.
    assert_eq!(snapshot.nodes()[0].cpu_capacity, Millicores::new(2000));
    conserved(&priced);
}

#[test]
fn node_aggregated_rows_get_one_node_each_and_idle_goes_to_the_cluster_node() {
    let rows = vec![
        priced_row("a", "a-1", Some("n1"), "0.1", "0.01"),
        priced_row("a", "a-2", Some("n2"), "0.2", "0.02"),
        priced_row("b", "b-1", Some("n2"), "0.3", "0.03"),
        idle("0.05", "0.005"),
    ];
    let priced = snapshot_from_allocations(&set(rows), "prod", now()).unwrap();
    let names: Vec<&str> = priced
        .snapshot()
        .nodes()
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(names, [CLUSTER_NODE, "n1", "n2"]);
    let totals: Vec<Decimal> = priced.nodes().iter().map(|n| n.total().amount()).collect();
    assert_eq!(totals, [d("0.055"), d("0.11"), d("0.55")]);
    assert_eq!(priced.nodes()[2].idle(), Money::ZERO);
    conserved(&priced);
}

#[test]
fn idle_by_node_rows_are_that_nodes_idle() {
    let mut node_idle = idle("0.05", "0.005");
    node_idle.name = "n1/__idle__".into();
    node_idle.properties.node = Some("n1".into());
    let rows = vec![priced_row("a", "a-1", Some("n1"), "0.1", "0.01"), node_idle];
    let priced = snapshot_from_allocations(&set(rows), "prod", now()).unwrap();
    assert_eq!(priced.snapshot().nodes().len(), 1);
    assert_eq!(priced.nodes()[0].idle().amount(), d("0.055"));
    conserved(&priced);
}

#[test]
fn negative_idle_is_overcommit_and_pods_keep_their_costs() {
    let rows = vec![
        priced_row("a", "a-1", None, "0.1", "0.01"),
        idle("-0.02", "0.003"),
    ];
    let priced = snapshot_from_allocations(&set(rows), "prod", now()).unwrap();
    let node = priced.nodes()[0];
    assert_eq!(node.idle_cpu, Money::ZERO);
    assert_eq!(node.overcommit_cpu.amount(), d("0.02"));
    assert_eq!(node.cpu_cost.amount(), d("0.1"));
    assert_eq!(priced.pods()[0].cpu_cost.amount(), d("0.1"));
    conserved(&priced);
}

#[test]
fn unallocated_rows_are_a_pseudo_pod_of_their_namespace() {
    let mut with_namespace = row(
        "kube-system/__unallocated__",
        Some("kube-system"),
        None,
        None,
    );
    with_namespace.cpu_cost = d("0.04");
    let mut without = row("__unallocated__", None, None, None);
    without.ram_cost = d("0.01");
    let priced =
        snapshot_from_allocations(&set(vec![with_namespace, without]), "prod", now()).unwrap();
    let keys: Vec<(&str, &str)> = priced
        .snapshot()
        .pods()
        .iter()
        .map(|p| (p.namespace.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            (UNALLOCATED_POD, UNALLOCATED_POD),
            ("kube-system", UNALLOCATED_POD)
        ]
    );
    assert_eq!(priced.totals().on_node_pod_cost.amount(), d("0.05"));
    conserved(&priced);
}

#[test]
fn a_pod_that_moved_node_is_merged_onto_the_node_it_ran_longest() {
    let mut before = priced_row("db", "db-0", Some("n1"), "0.01", "0.001");
    before.minutes = d("15");
    before.cpu_core_request_average = d("1");
    let mut after = priced_row("db", "db-0", Some("n2"), "0.03", "0.003");
    after.name = "n2/db/db-0".into();
    after.minutes = d("45");
    after.cpu_core_request_average = d("2");
    let priced = snapshot_from_allocations(&set(vec![before, after]), "prod", now()).unwrap();
    assert_eq!(priced.snapshot().pods().len(), 1);
    let pod = &priced.snapshot().pods()[0];
    assert_eq!(pod.node.as_deref(), Some("n2"));
    assert_eq!(pod.figures.cpu_request, Millicores::new(1750));
    assert_eq!(priced.pods()[0].total().amount(), d("0.044"));
    conserved(&priced);
}

#[test]
fn pv_network_and_load_balancer_costs_are_direct_costs_outside_the_nodes() {
    let mut web = priced_row("web", "web-1", None, "0.01", "0.002");
    web.pv_cost = d("0.003");
    web.network_cost = d("0.0004");
    web.load_balancer_cost = d("0.025");
    web.total_cost = d("0.0404");
    let mut moved = priced_row("db", "db-0", Some("n1"), "0.02", "0.001");
    moved.pv_cost = d("0.001");
    moved.network_cost = d("-0.5"); // an adjustment below zero counts as zero
    let mut moved_back = priced_row("db", "db-0", Some("n2"), "0.01", "0.001");
    moved_back.name = "n2/db/db-0".into();
    moved_back.pv_cost = d("0.002");
    let rows = vec![web.clone(), moved, moved_back, idle("0.1", "0.02")];
    let priced = snapshot_from_allocations(&set(rows), "prod", now()).unwrap();
    conserved(&priced);

    let index = |name: &str| {
        priced
            .snapshot()
            .pods()
            .iter()
            .position(|p| p.name == name)
            .unwrap()
    };
    let web_cost = priced.pods()[index("web-1")];
    assert_eq!(web_cost.direct.storage.amount(), d("0.003"));
    assert_eq!(web_cost.direct.network.amount(), d("0.0004"));
    assert_eq!(web_cost.direct.load_balancer.amount(), d("0.025"));
    assert_eq!(
        web_cost.total().amount(),
        web.total_cost,
        "OpenCost's totalCost"
    );
    let db_cost = priced.pods()[index("db-0")];
    assert_eq!(
        db_cost.direct.storage.amount(),
        d("0.003"),
        "merged rows add up"
    );
    assert_eq!(db_cost.direct.network, Money::ZERO);

    let totals = priced.totals();
    assert_eq!(totals.direct.total().amount(), d("0.0314"));
    // Nodes cost what they did without direct costs: compute + idle only.
    assert_eq!(totals.node_cost.amount(), d("0.044") + d("0.12"));
    assert_eq!(
        totals.total().amount(),
        d("0.044") + d("0.12") + d("0.0314")
    );
}

#[test]
fn an_empty_set_is_an_empty_snapshot_and_bad_steps_are_refused() {
    let priced = snapshot_from_allocations(&set(vec![]), "prod", now()).unwrap();
    assert!(priced.snapshot().pods().is_empty() && priced.snapshot().nodes().is_empty());
    let mut backwards = set(vec![]);
    backwards.end = backwards.start;
    assert!(matches!(
        snapshot_from_allocations(&backwards, "prod", now()),
        Err(OpenCostMappingError::BadStep { .. })
    ));
    assert!(matches!(
        snapshot_from_allocations(&set(vec![]), "", now()),
        Err(OpenCostMappingError::Invalid(_))
    ));
}

fn arb_allocation(index: usize) -> impl Strategy<Value = Allocation> {
    (
        0usize..4,
        0usize..6,
        prop::option::of(0usize..3),
        -200_000i64..2_000_000,
        -200_000i64..2_000_000,
        0i64..4_000_000,
        0u32..61,
    )
        .prop_map(move |(kind, pod, node, cpu, ram, hours, minutes)| {
            let node = node.map(|n| format!("n{n}"));
            let mut allocation = match kind {
                0 => row(Allocation::IDLE, None, None, node.as_deref()),
                1 => row("ns/__unallocated__", Some("ns"), None, node.as_deref()),
                _ => row(
                    &format!("r{index}"),
                    Some("ns"),
                    Some(&format!("p{pod}")),
                    node.as_deref(),
                ),
            };
            allocation.cpu_cost = Decimal::new(cpu, 9);
            allocation.ram_cost = Decimal::new(ram, 9);
            allocation.pv_cost = Decimal::new(ram - cpu, 9);
            allocation.network_cost = Decimal::new(cpu / 3, 9);
            allocation.load_balancer_cost = Decimal::new(ram / 7, 9);
            allocation.cpu_core_hours = Decimal::new(hours, 6);
            allocation.ram_byte_hours = Decimal::new(hours, 0) * d("1000");
            allocation.minutes = Decimal::from(minutes);
            allocation
        })
}

fn arb_set() -> impl Strategy<Value = AllocationSet> {
    (0usize..12)
        .prop_flat_map(|count| (0..count).map(arb_allocation).collect::<Vec<_>>())
        .prop_map(set)
}

proptest! {
    #[test]
    fn mapped_sets_conserve_cost_and_keep_opencost_pod_costs(set in arb_set()) {
        let priced = snapshot_from_allocations(&set, "prod", now()).unwrap();
        let totals = priced.totals();
        prop_assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
        prop_assert_eq!(totals.off_node_pod_cost, Money::ZERO);
        let pod_cost: Decimal = set
            .allocations
            .iter()
            .filter(|a| !a.is_idle())
            .map(|a| a.cpu_cost.max(Decimal::ZERO) + a.ram_cost.max(Decimal::ZERO))
            .sum();
        prop_assert_eq!(totals.on_node_pod_cost.amount(), pod_cost);
        let idle: Decimal = set
            .allocations
            .iter()
            .filter(|a| a.is_idle())
            .map(|a| a.cpu_cost + a.ram_cost)
            .sum();
        prop_assert_eq!(totals.idle.amount() - totals.overcommit.amount(), idle);
        prop_assert!(priced.pods().iter().all(|p| p.placement == Placement::OnNode));
        let direct: Decimal = set
            .allocations
            .iter()
            .filter(|a| !a.is_idle())
            .map(|a| {
                [a.pv_cost, a.network_cost, a.load_balancer_cost]
                    .into_iter()
                    .map(|c| c.max(Decimal::ZERO))
                    .sum::<Decimal>()
            })
            .sum();
        prop_assert_eq!(totals.direct.total().amount(), direct);
        prop_assert_eq!(totals.total(), totals.node_cost + totals.direct.total());
    }
}
