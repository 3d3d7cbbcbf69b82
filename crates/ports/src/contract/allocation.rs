//! Contract of `window_sums`, the allocation API's input: per pod description the exact
//! sums of its priced samples in the window — costs, usage, requests and allocation
//! (`max(request, usage)`), seconds — and per node its idle, the same before and after
//! rollups.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use kcost_domain::allocation::sums::{
    ContainerWindowSums, NodeIdleSums, PodWindowSums, ResourceSeconds, WindowSums,
};
use kcost_domain::assets::NodeWindowSums;
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::costs::CostBreakdown;
use kcost_domain::description::PodDescription;
use kcost_domain::money::Money;
use kcost_domain::snapshot::ResourceFigures;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;

use super::fixtures::{at, labelled_with_sidecar, store_all, tenant, utc, window};
use super::rollup::history;
use crate::MetricsStore;

/// Every allocation contract test, by name.
pub const ALL: [&str; 3] = [
    "window_sums_equal_the_priced_samples",
    "node_assets_equal_the_node_samples",
    "container_sums_equal_the_container_samples",
];

/// `figures` held for `seconds`: usage, request and allocation (`max(request, usage)`)
/// in resource-seconds.
fn held_for(figures: &ResourceFigures, seconds: Decimal) -> ResourceSeconds {
    let times = |value: u64| Decimal::from(value) * seconds;
    let (cpu_usage, cpu_request) = (figures.cpu_usage.get(), figures.cpu_request.get());
    let (mem_usage, mem_request) = (figures.memory_usage.get(), figures.memory_request.get());
    ResourceSeconds {
        cpu_usage_mcs: times(cpu_usage),
        cpu_request_mcs: times(cpu_request),
        cpu_alloc_mcs: times(cpu_usage.max(cpu_request)),
        mem_usage_bs: times(mem_usage),
        mem_request_bs: times(mem_request),
        mem_alloc_bs: times(mem_usage.max(mem_request)),
        seconds,
    }
}

/// What `window_sums` must answer for `window`, from the snapshots themselves.
fn expected(snapshots: &[PricedSnapshot], window: &TimeWindow) -> WindowSums {
    let mut pods: BTreeMap<String, PodWindowSums> = BTreeMap::new();
    let mut nodes: BTreeMap<(String, String), NodeIdleSums> = BTreeMap::new();
    for priced in snapshots {
        let snapshot = priced.snapshot();
        if !window.contains(snapshot.timestamp()) {
            continue;
        }
        let seconds = Decimal::from(priced.duration().seconds);
        for (pod, cost) in snapshot.pods().iter().zip(priced.pods()) {
            let description = PodDescription::of(snapshot.cluster(), pod);
            let entry = pods
                .entry(format!("{description:?}"))
                .or_insert_with(|| PodWindowSums {
                    pod: description,
                    cost: CostBreakdown::default(),
                    resources: ResourceSeconds::default(),
                });
            entry.cost.cpu += cost.cpu_cost;
            entry.cost.memory += cost.ram_cost;
            entry.cost.storage += cost.direct.storage;
            entry.cost.network += cost.direct.network;
            entry.cost.load_balancer += cost.direct.load_balancer;
            entry.resources += held_for(&pod.figures, seconds);
        }
        for (node, cost) in snapshot.nodes().iter().zip(priced.nodes()) {
            let entry = nodes
                .entry((snapshot.cluster().as_str().to_owned(), node.name.clone()))
                .or_insert_with(|| NodeIdleSums {
                    cluster: snapshot.cluster().clone(),
                    node: node.name.clone(),
                    idle_cpu: Money::ZERO,
                    idle_ram: Money::ZERO,
                });
            entry.idle_cpu += cost.idle_cpu;
            entry.idle_ram += cost.idle_ram;
        }
    }
    WindowSums {
        pods: pods.into_values().collect(),
        nodes: nodes.into_values().collect(),
        containers: Vec::new(),
    }
}

/// The store's answer in the order [`expected`] builds (stores need not order).
async fn answered(store: &dyn MetricsStore, tenant: TenantId, window: &TimeWindow) -> WindowSums {
    let mut sums = store
        .window_sums(tenant, window)
        .await
        .expect("window sums");
    sums.pods.sort_by_cached_key(|p| format!("{:?}", p.pod));
    sums.nodes
        .sort_by(|a, b| (&a.cluster, &a.node).cmp(&(&b.cluster, &b.node)));
    sums
}

/// Sums equal the samples' for whole days, cut hours and sub-hour windows, from raw
/// samples and from rollups alike; another tenant sees none of them.
pub async fn window_sums_equal_the_priced_samples(store: &dyn MetricsStore) {
    let owner = tenant();
    let snapshots = history();
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(store, owner, &refs).await;
    let windows = [
        window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0)),
        window(utc(2026, 11, 19, 23, 25, 0), at(8, 35)),
        window(at(8, 5), at(8, 45)),
    ];
    for w in &windows {
        let want = expected(&snapshots, w);
        assert!(!want.pods.is_empty() && !want.nodes.is_empty(), "{w:?}");
        assert_eq!(answered(store, owner, w).await, want, "raw, {w:?}");
    }
    store
        .roll_up(utc(2026, 11, 22, 12, 0, 0))
        .await
        .expect("roll up");
    for w in &windows {
        assert_eq!(
            answered(store, owner, w).await,
            expected(&snapshots, w),
            "rolled up, {w:?}"
        );
    }
    let other = store
        .window_sums(tenant(), &windows[0])
        .await
        .expect("window sums");
    assert_eq!(other, WindowSums::default(), "another tenant sees nothing");
}

/// Per node, the sums of its samples in `window`.
fn expected_nodes(snapshots: &[PricedSnapshot], window: &TimeWindow) -> Vec<NodeWindowSums> {
    let mut nodes: BTreeMap<(String, String), NodeWindowSums> = BTreeMap::new();
    let mut ordered: Vec<&PricedSnapshot> = snapshots.iter().collect();
    ordered.sort_by_key(|s| s.snapshot().timestamp());
    for priced in ordered {
        let snapshot = priced.snapshot();
        let at = snapshot.timestamp();
        if !window.contains(at) {
            continue;
        }
        let seconds = priced.duration().seconds;
        let end = at + chrono::Duration::seconds(i64::from(seconds));
        let seconds = Decimal::from(seconds);
        for (node, cost) in snapshot.nodes().iter().zip(priced.nodes()) {
            let entry = nodes
                .entry((snapshot.cluster().as_str().to_owned(), node.name.clone()))
                .or_insert_with(|| NodeWindowSums {
                    cluster: snapshot.cluster().clone(),
                    node: node.name.clone(),
                    instance_type: None,
                    cpu_cost: Money::ZERO,
                    ram_cost: Money::ZERO,
                    idle_cpu: Money::ZERO,
                    idle_ram: Money::ZERO,
                    cpu_capacity_mcs: Decimal::ZERO,
                    ram_capacity_bs: Decimal::ZERO,
                    seconds: Decimal::ZERO,
                    start: at,
                    end,
                });
            entry.instance_type = node.instance_type.clone();
            entry.cpu_cost += cost.cpu_cost;
            entry.ram_cost += cost.ram_cost;
            entry.idle_cpu += cost.idle_cpu;
            entry.idle_ram += cost.idle_ram;
            entry.cpu_capacity_mcs += Decimal::from(node.cpu_capacity.get()) * seconds;
            entry.ram_capacity_bs += Decimal::from(node.memory_capacity.get()) * seconds;
            entry.seconds += seconds;
            entry.end = entry.end.max(end);
        }
    }
    nodes.into_values().collect()
}

/// Node sums equal their samples' over whole days and cut windows; another tenant sees
/// none of them.
pub async fn node_assets_equal_the_node_samples(store: &dyn MetricsStore) {
    let owner = tenant();
    let snapshots = history();
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(store, owner, &refs).await;
    for w in [
        window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0)),
        window(at(8, 5), at(8, 45)),
    ] {
        let want = expected_nodes(&snapshots, &w);
        assert!(!want.is_empty(), "{w:?}");
        assert_eq!(
            store.node_assets(owner, &w).await.expect("node assets"),
            want,
            "{w:?}"
        );
    }
    let other = store
        .node_assets(
            tenant(),
            &window(utc(2026, 11, 19, 0, 0, 0), utc(2026, 11, 22, 0, 0, 0)),
        )
        .await
        .expect("node assets");
    assert!(other.is_empty(), "another tenant sees nothing");
}

/// Containers of pods with two or more: each sample's figures times its duration.
fn expected_containers(
    snapshots: &[PricedSnapshot],
    window: &TimeWindow,
) -> Vec<ContainerWindowSums> {
    let mut out: BTreeMap<String, ContainerWindowSums> = BTreeMap::new();
    for priced in snapshots {
        let snapshot = priced.snapshot();
        if !window.contains(snapshot.timestamp()) {
            continue;
        }
        let seconds = Decimal::from(priced.duration().seconds);
        for pod in snapshot.pods().iter().filter(|p| p.containers.len() > 1) {
            let description = PodDescription::of(snapshot.cluster(), pod);
            for container in &pod.containers {
                out.entry(format!("{description:?}/{}", container.name))
                    .or_insert_with(|| ContainerWindowSums {
                        pod: description.clone(),
                        container: container.name.clone(),
                        resources: ResourceSeconds::default(),
                    })
                    .resources += held_for(&container.figures, seconds);
            }
        }
    }
    out.into_values().collect()
}

/// Container sums equal their samples' (a pod with a sidecar: two containers; the lone
/// containers of the other pods are not listed); another tenant sees none.
pub async fn container_sums_equal_the_container_samples(store: &dyn MetricsStore) {
    let owner = tenant();
    let snapshots: Vec<PricedSnapshot> = (0..3)
        .map(|i| labelled_with_sidecar("prod-eu", at(8, 0) + chrono::Duration::minutes(10 * i)))
        .collect();
    let refs: Vec<&PricedSnapshot> = snapshots.iter().collect();
    store_all(store, owner, &refs).await;
    for w in [window(at(8, 0), at(9, 0)), window(at(8, 5), at(8, 25))] {
        let want = expected_containers(&snapshots, &w);
        assert!(!want.is_empty(), "{w:?}");
        let mut got = store
            .container_sums(owner, &w)
            .await
            .expect("container sums");
        got.sort_by_cached_key(|c| format!("{:?}/{}", c.pod, c.container));
        assert_eq!(got, want, "{w:?}");
    }
    let other = store
        .container_sums(tenant(), &window(at(8, 0), at(9, 0)))
        .await
        .expect("container sums");
    assert!(other.is_empty(), "another tenant sees nothing");
}
