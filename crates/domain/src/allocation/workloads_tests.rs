//! Tests of [`super::workload_costs`]: pods merge into their workloads, unowned pods stay
//! themselves, idle is one line per cluster, and the lines hold exactly the window's money.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use super::{Workload, workload_costs};
use crate::allocation::sums::{NodeIdleSums, PodWindowSums, ResourceSeconds, WindowSums};
use crate::cluster::ClusterName;
use crate::costs::CostBreakdown;
use crate::description::PodDescription;
use crate::money::Money;
use crate::snapshot::Owner;
use crate::window::TimeWindow;

fn usd(cents: i64) -> Money {
    Money::from_decimal(Decimal::new(cents, 2))
}

fn day() -> TimeWindow {
    TimeWindow::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
    )
    .unwrap()
}

fn pod(
    cluster: &str,
    node: &str,
    name: &str,
    owner: Option<(&str, &str)>,
    labels: &[(&str, &str)],
    cents: i64,
) -> PodWindowSums {
    PodWindowSums {
        pod: PodDescription {
            cluster: ClusterName::new(cluster).unwrap(),
            namespace: "web".to_owned(),
            name: name.to_owned(),
            node: Some(node.to_owned()),
            owner: owner.map(|(kind, name)| Owner {
                kind: kind.to_owned(),
                name: name.to_owned(),
            }),
            owner_inferred: false,
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            phase: None,
            qos_class: None,
            containers: vec!["main".to_owned()],
        },
        cost: CostBreakdown {
            cpu: usd(cents),
            memory: usd(cents / 2),
            storage: usd(1),
            ..CostBreakdown::default()
        },
        resources: ResourceSeconds {
            seconds: Decimal::from(43_200),
            ..ResourceSeconds::default()
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

fn sums() -> WindowSums {
    let api = Some(("Deployment", "api"));
    WindowSums {
        pods: vec![
            pod(
                "prod",
                "n1",
                "api-5d8f-a",
                api,
                &[("team", "shop"), ("pod-template-hash", "5d8f")],
                300,
            ),
            pod(
                "prod",
                "n2",
                "api-6e9a-b",
                api,
                &[("team", "shop"), ("pod-template-hash", "6e9a")],
                100,
            ),
            pod("prod", "n1", "debug", None, &[("owner", "me")], 40),
            pod("prod", "n1", "db-0", Some(("StatefulSet", "db")), &[], 70),
            // Same workload name in another cluster: another workload.
            pod("dev", "d1", "api-5d8f-c", api, &[("team", "lab")], 20),
        ],
        nodes: vec![
            idle("prod", "n1", 500, 250),
            idle("prod", "n2", 100, 50),
            idle("dev", "d1", 0, 0),
        ],
        containers: vec![],
    }
}

#[test]
fn pods_merge_into_their_workloads_per_cluster() {
    let costs = workload_costs(&day(), &sums());
    let lines: Vec<_> = costs
        .workloads
        .iter()
        .map(|w| {
            (
                w.cluster.as_str(),
                w.workload.kind_display(),
                w.workload.name(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("dev", "Deployment".to_owned(), "api"),
            ("prod", "Deployment".to_owned(), "api"),
            ("prod", "StatefulSet".to_owned(), "db"),
            ("prod", "Pod".to_owned(), "debug"),
        ]
    );
    let api = &costs.workloads[1];
    assert_eq!(
        api.workload,
        Workload::Controller {
            kind: "deployment".to_owned(),
            name: "api".to_owned()
        }
    );
    // $3 + $1.50 + $0.01 and $1 + $0.50 + $0.01.
    assert_eq!(api.allocation.total_cost(), usd(602));
    assert_eq!(
        api.pod_hours(),
        Decimal::from(24),
        "two pods, 12 hours each"
    );
    // Only the labels every pod carries.
    assert_eq!(
        api.allocation.properties.labels,
        BTreeMap::from([("team".to_owned(), "shop".to_owned())])
    );
    assert_eq!(
        costs.workloads[3].allocation.properties.labels,
        BTreeMap::from([("owner".to_owned(), "me".to_owned())])
    );
}

#[test]
fn idle_is_one_line_per_cluster_and_everything_adds_up() {
    let sums = sums();
    let costs = workload_costs(&day(), &sums);
    assert_eq!(
        costs.idle.keys().collect::<Vec<_>>(),
        ["prod"],
        "zero idle is left out"
    );
    assert_eq!(costs.idle["prod"].cpu, usd(600));
    assert_eq!(costs.idle["prod"].ram, usd(300));
    let pods: Money = sums.pods.iter().map(|p| p.cost.total()).sum();
    assert_eq!(costs.total_cost(), pods + usd(900));
}

#[test]
fn unknown_kinds_are_capitalized() {
    let kind = |kind: &str| {
        Workload::Controller {
            kind: kind.to_owned(),
            name: "x".to_owned(),
        }
        .kind_display()
    };
    assert_eq!(kind("cronjob"), "CronJob");
    assert_eq!(kind("rollout"), "Rollout");
    assert_eq!(kind(""), "");
}

proptest::proptest! {
    /// Whatever the pods and nodes, the lines hold exactly their money, once each.
    #[test]
    fn the_lines_hold_exactly_the_windows_money(
        pods in proptest::collection::vec(
            (0..2usize, 0..3usize, proptest::option::of(0..2usize), -500..100_000i64),
            0..12,
        ),
        nodes in proptest::collection::vec((0..3usize, -1_000..1_000i64, 0..1_000i64), 0..5),
    ) {
        let clusters = ["prod", "dev", "lab"];
        let kinds = ["Deployment", "StatefulSet"];
        let sums = WindowSums {
            pods: pods
                .iter()
                .enumerate()
                .map(|(i, (cluster, owner, kind, cents))| {
                    let owner = kind.map(|k| (kinds[k], ["a", "b", "c"][*owner]));
                    pod(clusters[*cluster], "n", &format!("p{i}"), owner, &[], *cents)
                })
                .collect(),
            nodes: nodes
                .iter()
                .enumerate()
                .map(|(i, (cluster, cpu, ram))| idle(clusters[*cluster], &format!("n{i}"), *cpu, *ram))
                .collect(),
            containers: vec![],
        };
        let costs = workload_costs(&day(), &sums);
        let expected: Money = sums.pods.iter().map(|p| p.cost.total()).sum::<Money>()
            + sums.nodes.iter().map(|n| n.idle_cpu + n.idle_ram).sum::<Money>();
        proptest::prop_assert_eq!(costs.total_cost(), expected);
        let keys: std::collections::BTreeSet<_> = costs
            .workloads
            .iter()
            .map(|w| (&w.cluster, &w.namespace, &w.workload))
            .collect();
        proptest::prop_assert_eq!(keys.len(), costs.workloads.len());
        proptest::prop_assert!(costs.workloads.len() <= sums.pods.len());
    }
}
