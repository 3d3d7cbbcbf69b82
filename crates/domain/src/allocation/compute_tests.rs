//! Tests of [`super::compute`] and [`super::accumulate`]: grouping, idle, sharing and the
//! invariant every answer keeps — its money is exactly the money of what it covers.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::accumulate::accumulate;
use super::allocation::{IDLE, UNALLOCATED};
use super::compute::{AllocationSet, SHARED, compute};
use super::filter::parse;
use super::query::{Accumulate, AggregateBy, AllocationQuery, ShareSplit, Sharing};
use super::sums::{NodeIdleSums, PodWindowSums, ResourceSeconds, WindowSums};
use crate::cluster::ClusterName;
use crate::costs::CostBreakdown;
use crate::description::PodDescription;
use crate::money::Money;
use crate::snapshot::Owner;
use crate::window::TimeWindow;

fn usd(cents: i64) -> Money {
    Money::from_decimal(Decimal::new(cents, 2))
}

fn window(day: u32) -> TimeWindow {
    TimeWindow::new(
        Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, day + 1, 0, 0, 0).unwrap(),
    )
    .unwrap()
}

fn pod(
    cluster: &str,
    node: &str,
    ns: &str,
    name: &str,
    labels: &[(&str, &str)],
    cpu: i64,
    ram: i64,
) -> PodWindowSums {
    PodWindowSums {
        pod: PodDescription {
            cluster: ClusterName::new(cluster).unwrap(),
            namespace: ns.to_owned(),
            name: name.to_owned(),
            node: Some(node.to_owned()),
            owner: Some(Owner {
                kind: "Deployment".to_owned(),
                name: name.split('-').next().unwrap().to_owned(),
            }),
            owner_inferred: true,
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            phase: None,
            qos_class: None,
            containers: vec!["main".to_owned()],
        },
        cost: CostBreakdown {
            cpu: usd(cpu),
            memory: usd(ram),
            ..CostBreakdown::default()
        },
        resources: ResourceSeconds {
            cpu_usage_mcs: Decimal::from(250 * 86_400),
            cpu_request_mcs: Decimal::from(500 * 86_400),
            cpu_alloc_mcs: Decimal::from(500 * 86_400),
            mem_usage_bs: Decimal::from(86_400),
            mem_request_bs: Decimal::from(2 * 86_400),
            mem_alloc_bs: Decimal::from(2 * 86_400),
            seconds: Decimal::from(86_400),
        },
    }
}

fn idle(cluster: &str, node: &str, cpu: i64, ram: i64) -> NodeIdleSums {
    NodeIdleSums {
        cluster: ClusterName::new(cluster).unwrap(),
        node: node.to_owned(),
        idle_cpu: usd(cpu),
        idle_ram: usd(ram),
    }
}

fn sample() -> WindowSums {
    WindowSums {
        pods: vec![
            pod(
                "prod",
                "n1",
                "web",
                "web-7d9f8-abcde",
                &[("team", "shop")],
                300,
                100,
            ),
            pod(
                "prod",
                "n1",
                "web",
                "api-7d9f8-abcde",
                &[("team", "shop")],
                100,
                100,
            ),
            pod("prod", "n2", "kube-system", "dns-7d9f8-abcde", &[], 50, 50),
            pod(
                "dev",
                "d1",
                "web",
                "web-7d9f8-xyzab",
                &[("team", "lab")],
                20,
                20,
            ),
        ],
        nodes: vec![
            idle("prod", "n1", 190, 100),
            idle("prod", "n2", 80, 25),
            idle("dev", "d1", 10, 10),
        ],
        containers: Vec::new(),
    }
}

fn query(aggregate: &str, sharing: Sharing) -> AllocationQuery {
    AllocationQuery {
        aggregate: AggregateBy::parse_list(aggregate).unwrap(),
        sharing,
        ..AllocationQuery::default()
    }
}

fn totals(set: &AllocationSet) -> BTreeMap<String, Money> {
    set.allocations
        .iter()
        .map(|a| (a.name.clone(), a.total_cost()))
        .collect()
}

#[test]
fn namespaces_sum_their_pods_across_clusters() {
    let set = compute(
        &window(1),
        &sample(),
        &query("namespace", Sharing::default()),
    );
    assert_eq!(
        totals(&set),
        BTreeMap::from([
            ("kube-system".to_owned(), usd(100)),
            ("web".to_owned(), usd(640))
        ])
    );
    let web = &set.allocations[1];
    assert_eq!(web.properties.namespace, "web");
    assert_eq!(
        web.properties.cluster, "",
        "pods of two clusters share no cluster"
    );
}

#[test]
fn several_keys_join_with_a_slash_and_missing_labels_are_unallocated() {
    let set = compute(
        &window(1),
        &sample(),
        &query("cluster,label:team", Sharing::default()),
    );
    assert_eq!(
        totals(&set),
        BTreeMap::from([
            ("dev/lab".to_owned(), usd(40)),
            (format!("prod/{UNALLOCATED}"), usd(100)),
            ("prod/shop".to_owned(), usd(600)),
        ])
    );
}

#[test]
fn controllers_are_named_kind_colon_name() {
    let set = compute(
        &window(1),
        &sample(),
        &query("controller", Sharing::default()),
    );
    let names: Vec<&str> = set.allocations.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["deployment:api", "deployment:dns", "deployment:web"]
    );
    let set = compute(
        &window(1),
        &sample(),
        &query("statefulset", Sharing::default()),
    );
    assert_eq!(
        totals(&set),
        BTreeMap::from([(UNALLOCATED.to_owned(), usd(740))])
    );
}

#[test]
fn included_idle_is_one_entry_with_every_cluster_idle() {
    let sharing = Sharing {
        include_idle: true,
        ..Sharing::default()
    };
    let set = compute(&window(1), &sample(), &query("namespace", sharing));
    assert_eq!(totals(&set)[IDLE], usd(415));
    assert_eq!(set.total_cost(), usd(740 + 415));
    let idle = set.allocations.iter().find(|a| a.name == IDLE).unwrap();
    assert_eq!((idle.cost.cpu, idle.cost.ram), (usd(280), usd(135)));
}

#[test]
fn shared_idle_follows_each_resource_cost_within_its_cluster() {
    let sharing = Sharing {
        share_idle: true,
        ..Sharing::default()
    };
    let set = compute(&window(1), &sample(), &query("pod", sharing));
    assert!(!totals(&set).contains_key(IDLE));
    assert_eq!(set.total_cost(), usd(740 + 415));
    let by_pod: BTreeMap<_, _> = set
        .allocations
        .iter()
        .map(|a| (a.name.as_str(), a))
        .collect();
    // prod's 2.70 idle CPU over CPU costs 3.00 : 1.00 : 0.50; 1.25 idle RAM over 1 : 1 : 0.5.
    assert_eq!(by_pod["web-7d9f8-abcde"].cost.cpu, usd(300 + 180));
    assert_eq!(by_pod["api-7d9f8-abcde"].cost.cpu, usd(100 + 60));
    assert_eq!(by_pod["dns-7d9f8-abcde"].cost.ram, usd(50 + 25));
    // dev's idle goes to dev's only pod.
    assert_eq!(by_pod["web-7d9f8-xyzab"].total_cost(), usd(40 + 20));
}

#[test]
fn idle_by_node_stays_on_its_node() {
    let sharing = Sharing {
        share_idle: true,
        idle_by_node: true,
        ..Sharing::default()
    };
    let set = compute(&window(1), &sample(), &query("pod", sharing));
    let dns = set
        .allocations
        .iter()
        .find(|a| a.name == "dns-7d9f8-abcde")
        .unwrap();
    // n2's idle (0.80 + 0.25) all goes to the one pod on n2.
    assert_eq!(dns.total_cost(), usd(100 + 105));
}

#[test]
fn a_filtered_answer_keeps_each_pods_share_of_idle() {
    let sharing = Sharing {
        share_idle: true,
        ..Sharing::default()
    };
    let mut q = query("namespace", sharing);
    q.filter = parse(r#"namespace:"web"+cluster:"prod""#).unwrap();
    let set = compute(&window(1), &sample(), &q);
    assert_eq!(
        totals(&set),
        BTreeMap::from([("web".to_owned(), usd(600 + 230 + 110))])
    );
}

#[test]
fn shared_namespaces_spread_over_the_others_by_cost_or_evenly() {
    let sharing = Sharing {
        share_namespaces: vec!["kube-system".to_owned()],
        ..Sharing::default()
    };
    let set = compute(&window(1), &sample(), &query("pod", sharing.clone()));
    assert!(
        set.allocations
            .iter()
            .all(|a| a.properties.namespace != "kube-system")
    );
    assert_eq!(set.total_cost(), usd(740));
    let shared: Vec<Money> = set.allocations.iter().map(|a| a.cost.shared).collect();
    // 1.00 over total costs 2.00 (api), 4.00 (web), 0.40 (dev web), ordered by name.
    assert_eq!(
        shared,
        [
            Decimal::new(3125, 4),
            Decimal::new(625, 3),
            Decimal::new(625, 4)
        ]
        .map(Money::from_decimal)
    );
    assert_eq!(shared.iter().copied().sum::<Money>(), usd(100));

    let even = Sharing {
        split: ShareSplit::Even,
        ..sharing
    };
    let set = compute(&window(1), &sample(), &query("pod", even));
    let shared: Vec<Money> = set.allocations.iter().map(|a| a.cost.shared).collect();
    assert_eq!(shared.iter().copied().sum::<Money>(), usd(100));
    assert!(
        shared
            .iter()
            .all(|s| (s.amount() - Decimal::new(3333333333, 10)).abs() <= Decimal::new(1, 10))
    );
}

#[test]
fn shared_labels_and_overhead_are_spread_too() {
    let sharing = Sharing {
        share_labels: vec![("team".to_owned(), "lab".to_owned())],
        share_cost_monthly: usd(73_000),
        ..Sharing::default()
    };
    let set = compute(&window(1), &sample(), &query("namespace", sharing));
    // 730 USD a month is 24 USD a day; plus the lab pod's 0.40.
    assert_eq!(set.total_cost(), usd(700 + 2_400 + 40));
    let shared: Money = set.allocations.iter().map(|a| a.cost.shared).sum();
    assert_eq!(shared, usd(2_440));
}

#[test]
fn shared_cost_with_nobody_to_receive_it_stays_visible() {
    let sharing = Sharing {
        share_namespaces: vec!["web".into(), "kube-system".into()],
        ..Sharing::default()
    };
    let set = compute(&window(1), &sample(), &query("namespace", sharing));
    assert_eq!(
        totals(&set),
        BTreeMap::from([(SHARED.to_owned(), usd(740))])
    );
}

#[test]
fn steps_accumulate_into_periods_with_the_same_money() {
    let q = query(
        "namespace",
        Sharing {
            include_idle: true,
            ..Sharing::default()
        },
    );
    let steps: Vec<AllocationSet> = (1..=3)
        .map(|d| compute(&window(d), &sample(), &q))
        .collect();
    let all = accumulate(steps.clone(), Accumulate::All);
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].total_cost(),
        steps.iter().map(AllocationSet::total_cost).sum()
    );
    assert_eq!((all[0].start, all[0].end), (steps[0].start, steps[2].end));
    let web = all[0].allocations.iter().find(|a| a.name == "web").unwrap();
    assert_eq!(web.running_seconds, Decimal::from(3 * 86_400));
    assert_eq!(
        web.cpu_cores(),
        Decimal::new(15, 1),
        "three pods of 0.5 cores each"
    );
    assert_eq!(accumulate(steps.clone(), Accumulate::Day).len(), 3);
    assert_eq!(accumulate(steps, Accumulate::Month).len(), 1);
}

#[test]
fn derived_figures_follow_opencost() {
    let set = compute(&window(1), &sample(), &query("pod", Sharing::default()));
    let web = &set.allocations[2];
    assert_eq!(web.cpu_core_hours(), Decimal::from(12));
    assert_eq!(web.cpu_cores(), Decimal::new(5, 1));
    assert_eq!(web.cpu_core_request_average(), Decimal::new(5, 1));
    assert_eq!(web.cpu_core_usage_average(), Decimal::new(25, 2));
    assert_eq!(web.cpu_efficiency(), Decimal::new(5, 1));
    assert_eq!(web.ram_bytes(), Decimal::from(2));
    assert_eq!(web.ram_efficiency(), Decimal::new(5, 1));
    assert_eq!(web.total_efficiency(), Decimal::new(5, 1));
    assert_eq!(web.minutes(), Decimal::from(1_440));
}

fn arb_sums() -> impl Strategy<Value = WindowSums> {
    let pods = prop::collection::vec(
        (
            0..2usize,
            0..3usize,
            0..3usize,
            0..3usize,
            0..5_000i64,
            0..5_000i64,
            0..3usize,
        ),
        0..12,
    );
    let nodes = prop::collection::vec((0..2usize, 0..3usize, 0..5_000i64, 0..5_000i64), 0..6);
    (pods, nodes).prop_map(|(pods, nodes)| {
        let clusters = ["a", "b"];
        let nodes_names = ["n0", "n1", "n2"];
        let teams = ["x", "y", ""];
        WindowSums {
            pods: pods
                .into_iter()
                .enumerate()
                .map(|(i, (c, n, ns, team, cpu, ram, _))| {
                    let labels: Vec<(&str, &str)> = if teams[team].is_empty() {
                        vec![]
                    } else {
                        vec![("team", teams[team])]
                    };
                    pod(
                        clusters[c],
                        nodes_names[n],
                        ["ns0", "ns1", "ns2"][ns],
                        &format!("p{i}-abc"),
                        &labels,
                        cpu,
                        ram,
                    )
                })
                .collect(),
            nodes: nodes
                .into_iter()
                .map(|(c, n, cpu, ram)| idle(clusters[c], nodes_names[n], cpu, ram))
                .collect(),
            containers: Vec::new(),
        }
    })
}

proptest! {
    /// Cost conservation: any aggregation, with idle included or shared (by cluster or by
    /// node), and any shared namespace or overhead, holds exactly the pods' and idle money.
    #[test]
    fn every_answer_holds_exactly_the_money_it_covers(
        sums in arb_sums(),
        aggregate in prop::sample::select(vec!["", "cluster", "namespace", "node", "label:team", "cluster,namespace", "controller,pod"]),
        share_idle in any::<bool>(),
        idle_by_node in any::<bool>(),
        share_ns in any::<bool>(),
        even in any::<bool>(),
        overhead in 0..10_000i64,
    ) {
        let sharing = Sharing {
            include_idle: true,
            share_idle,
            idle_by_node,
            share_namespaces: if share_ns { vec!["ns0".to_owned()] } else { vec![] },
            share_cost_monthly: usd(overhead),
            split: if even { ShareSplit::Even } else { ShareSplit::Weighted },
            ..Sharing::default()
        };
        let w = window(1);
        let set = compute(&w, &sums, &query(aggregate, sharing));
        let pods: Money = sums.pods.iter().map(|p| p.cost.total()).sum();
        let idle: Money = sums.nodes.iter().map(|n| n.idle_cpu + n.idle_ram).sum();
        let overhead = Money::from_decimal(usd(overhead).amount() * Decimal::from(86_400) / Decimal::from(730 * 3_600));
        prop_assert_eq!(set.total_cost(), pods + idle + overhead);
    }
}

#[test]
fn containers_share_their_pods_cost_by_allocated_resources() {
    let mut sums = sample();
    let two = &mut sums.pods[0];
    two.pod.containers = vec!["app".to_owned(), "proxy".to_owned()];
    let container = |name: &str, cpu: i64, mem: i64| super::sums::ContainerWindowSums {
        pod: two.pod.clone(),
        container: name.to_owned(),
        resources: ResourceSeconds {
            cpu_alloc_mcs: Decimal::from(cpu),
            mem_alloc_bs: Decimal::from(mem),
            seconds: Decimal::from(86_400),
            ..ResourceSeconds::default()
        },
    };
    sums.containers = vec![container("app", 3, 1), container("proxy", 1, 1)];
    let set = compute(&window(1), &sums, &query("container", Sharing::default()));
    // web-7d9f8-abcde: CPU 3.00 → 2.25 + 0.75, RAM 1.00 → 0.50 + 0.50; every other pod
    // has one container, `main`.
    assert_eq!(
        totals(&set),
        BTreeMap::from([
            ("app".to_owned(), usd(225 + 50)),
            ("main".to_owned(), usd(200 + 100 + 40)),
            ("proxy".to_owned(), usd(75 + 50)),
        ])
    );
    assert_eq!(set.total_cost(), usd(740));
    // Grouped by pod, the containers add back up to their pod.
    let set = compute(&window(1), &sums, &query("pod", Sharing::default()));
    assert_eq!(totals(&set)["web-7d9f8-abcde"], usd(400));
    // A question not about containers keeps pods whole.
    let mut q = query("", Sharing::default());
    assert!(!q.needs_containers());
    q.filter = parse(r#"container:"proxy""#).unwrap();
    assert!(q.needs_containers());
    let set = compute(&window(1), &sums, &q);
    assert_eq!(set.total_cost(), usd(75 + 50));
}

#[test]
fn a_pod_relabelled_in_the_window_ran_for_the_time_of_both_descriptions() {
    let mut sums = sample();
    let mut relabelled = sums.pods[0].clone();
    relabelled
        .pod
        .labels
        .insert("team".to_owned(), "checkout".to_owned());
    for part in [&mut sums.pods[0], &mut relabelled] {
        part.resources.seconds = Decimal::from(43_200);
        part.resources.cpu_alloc_mcs = Decimal::from(500 * 43_200);
    }
    sums.pods.push(relabelled);
    let set = compute(&window(1), &sums, &query("", Sharing::default()));
    let pod = set
        .allocations
        .iter()
        .find(|a| a.properties.pod == "web-7d9f8-abcde")
        .unwrap();
    assert_eq!(pod.minutes(), Decimal::from(1_440));
    assert_eq!(pod.cpu_cores(), Decimal::new(5, 1));
    assert_eq!(pod.total_cost(), usd(800));
}

#[test]
fn idle_of_a_resource_nobody_paid_for_stays_listed() {
    let mut sums = sample();
    // dev's only pod pays no RAM: dev's RAM idle has no weight to follow.
    sums.pods[3].cost.memory = Money::ZERO;
    let sharing = Sharing {
        share_idle: true,
        ..Sharing::default()
    };
    let set = compute(&window(1), &sums, &query("cluster", sharing));
    let idle = set.allocations.iter().find(|a| a.name == IDLE).unwrap();
    assert_eq!((idle.cost.cpu, idle.cost.ram), (Money::ZERO, usd(10)));
    assert_eq!(idle.properties.cluster, "dev");
    let dev = set.allocations.iter().find(|a| a.name == "dev").unwrap();
    assert_eq!(dev.total_cost(), usd(20 + 10));
    assert_eq!(set.total_cost(), usd(720 + 415));
}
