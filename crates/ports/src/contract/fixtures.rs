//! Priced snapshots and query helpers for the contract suites, built with the real domain:
//! the reference agent's payloads priced from the built-in catalog, or hand-built pods and
//! nodes, moved to whatever instant and cluster a test needs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use kcost_agent_contract::{AgentPayload, WireTimestamp};
use kcost_domain::catalog::Catalog;
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery, CostRow, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::{
    NodeSample, Owner, PodSample, ResourceFigures, Snapshot, SnapshotParts, SnapshotRules,
};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::{AppendOutcome, MetricsStore};

pub use kcost_agent_contract::fixtures::{LABELS, NODES_NULL, SMALL};

pub const GIB: u64 = 1 << 30;

pub fn tenant_a() -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0xa))
}

pub fn tenant_b() -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0xb))
}

/// A fresh tenant, so tests sharing a store never share rows by accident.
pub fn tenant() -> TenantId {
    TenantId::from_uuid(Uuid::new_v4())
}

/// 2026-11-20 (a Friday) at `hour:minute:00` UTC.
pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    utc(2026, 11, 20, hour, minute, 0)
}

/// Any instant, UTC.
pub fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, second)
        .single()
        .expect("valid time")
}

pub fn window(start: DateTime<Utc>, end: DateTime<Utc>) -> TimeWindow {
    TimeWindow::new(start, end).expect("valid window")
}

fn price(snapshot: Snapshot, seconds: u32) -> PricedSnapshot {
    let catalog = Catalog::builtin().expect("catalog parses");
    let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
    let duration = SampleDuration {
        seconds,
        basis: DurationBasis::Declared,
    };
    price_snapshot(snapshot, &book, duration)
}

/// `payload` (agent JSON) taken at `timestamp`, in `cluster` (or the payload's own), priced
/// for `seconds`.
fn agent(
    payload: &str,
    cluster: Option<&str>,
    timestamp: DateTime<Utc>,
    seconds: u32,
) -> PricedSnapshot {
    let mut payload: AgentPayload = serde_json::from_str(payload).expect("fixture parses");
    payload.timestamp = WireTimestamp::UnixSeconds(timestamp.timestamp());
    if let Some(cluster) = cluster {
        cluster.clone_into(&mut payload.cluster_name);
    }
    let snapshot = payload
        .into_draft()
        .validate(timestamp + Duration::hours(1), &SnapshotRules::default())
        .expect("fixture is valid");
    price(snapshot, seconds)
}

/// `payload` (agent JSON: `SMALL`, `NODES_NULL`) taken at `timestamp` in its own cluster
/// and priced for `seconds`.
pub fn priced(payload: &str, timestamp: DateTime<Utc>, seconds: u32) -> PricedSnapshot {
    agent(payload, None, timestamp, seconds)
}

/// `payload` (agent JSON: `SMALL`, `NODES_NULL`) in `cluster`, taken at `timestamp`,
/// priced for `seconds`.
pub fn agent_snapshot(
    payload: &str,
    cluster: &str,
    timestamp: DateTime<Utc>,
    seconds: u32,
) -> PricedSnapshot {
    agent(payload, Some(cluster), timestamp, seconds)
}

/// A pod with (request, usage) for CPU in millicores and memory in bytes, owned by the
/// Deployment `<name>-deploy`.
pub fn pod(
    namespace: &str,
    name: &str,
    node: Option<&str>,
    cpu: (u64, u64),
    memory: (u64, u64),
) -> PodSample {
    PodSample {
        name: name.into(),
        namespace: namespace.into(),
        node: node.map(Into::into),
        figures: ResourceFigures {
            cpu_request: Millicores::new(cpu.0),
            cpu_usage: Millicores::new(cpu.1),
            memory_request: Bytes::new(memory.0),
            memory_usage: Bytes::new(memory.1),
            cpu_limit: Some(Millicores::new(cpu.0 * 2)),
            memory_limit: None,
        },
        owner: Some(Owner {
            kind: "Deployment".into(),
            name: format!("{name}-deploy"),
        }),
        labels: BTreeMap::new(),
        owner_inferred: false,
        phase: None,
        qos_class: None,
        containers: Vec::new(),
    }
}

/// A node with a declared hourly price.
pub fn node(name: &str, cores: u64, gib: u64, hourly: &str) -> NodeSample {
    NodeSample {
        name: name.into(),
        instance_type: Some("m5.xlarge".into()),
        cpu_capacity: Millicores::new(cores * 1000),
        memory_capacity: Bytes::new(gib * GIB),
        cpu_allocatable: Millicores::new(cores * 1000),
        memory_allocatable: Bytes::new(gib * GIB),
        hourly_cost: Some(hourly.parse::<Decimal>().expect("hourly price")),
        labels: Default::default(),
    }
}

/// A hand-built snapshot priced for `seconds`.
pub fn snapshot(
    cluster: &str,
    timestamp: DateTime<Utc>,
    seconds: u32,
    pods: Vec<PodSample>,
    nodes: Vec<NodeSample>,
) -> PricedSnapshot {
    let parts = SnapshotParts {
        cluster: cluster.into(),
        timestamp,
        interval_seconds: Some(seconds),
        pods,
        nodes,
    };
    let snapshot =
        Snapshot::new(parts, timestamp, &SnapshotRules::default()).expect("fixture is valid");
    price(snapshot, seconds)
}

/// The labelled agent payload (`LABELS`) in `cluster` at `timestamp`, with a `sidecar`
/// container added to its first pod: that pod's two containers say more than the pod, the
/// others' lone container (the pod's own figures) does not.
pub fn labelled_with_sidecar(cluster: &str, timestamp: DateTime<Utc>) -> PricedSnapshot {
    let base = agent_snapshot(LABELS, cluster, timestamp, 600);
    let mut pods = base.snapshot().pods().to_vec();
    let mut sidecar = pods[0].containers[0].clone();
    sidecar.name = "sidecar".into();
    pods[0].containers.push(sidecar);
    snapshot(
        cluster,
        timestamp,
        600,
        pods,
        base.snapshot().nodes().to_vec(),
    )
}

/// Hand-built: two namespaces, three pods (one pending), two nodes.
pub fn three_pod_snapshot(cluster: &str, timestamp: DateTime<Utc>, seconds: u32) -> PricedSnapshot {
    snapshot(
        cluster,
        timestamp,
        seconds,
        vec![
            pod("web", "web-1", Some("n1"), (500, 700), (GIB, GIB / 2)),
            pod("web", "web-2", Some("n2"), (250, 100), (2 * GIB, 3 * GIB)),
            pod("batch", "job-1", None, (1000, 0), (4 * GIB, 0)),
        ],
        vec![node("n1", 4, 16, "0.192"), node("n2", 2, 8, "0.0961")],
    )
}

/// Appends every snapshot, each expected to be stored.
pub async fn store_all(store: &dyn MetricsStore, tenant: TenantId, snapshots: &[&PricedSnapshot]) {
    for snapshot in snapshots {
        let outcome = store.append(tenant, snapshot).await.expect("append");
        assert_eq!(outcome, AppendOutcome::Stored);
    }
}

/// A cost question without filters.
pub fn query(window: TimeWindow, grouping: CostGrouping) -> CostQuery {
    CostQuery {
        window,
        grouping,
        filter: CostFilter::default(),
    }
}

/// The store's answer to a cost query.
pub async fn costs(
    store: &dyn MetricsStore,
    tenant: TenantId,
    grouping: CostGrouping,
    window: TimeWindow,
    filter: CostFilter,
) -> Vec<CostRow> {
    let query = CostQuery {
        filter,
        ..query(window, grouping)
    };
    store.costs(tenant, &query).await.expect("costs query")
}

/// The store's answer to a cost query without filters.
pub async fn unfiltered_costs(
    store: &dyn MetricsStore,
    tenant: TenantId,
    grouping: CostGrouping,
    window: TimeWindow,
) -> Vec<CostRow> {
    costs(store, tenant, grouping, window, CostFilter::default()).await
}

/// The namespace of a row of the namespace grouping.
pub fn namespace_of(row: &CostRow) -> &str {
    match &row.key {
        CostKey::Namespace(namespace) => namespace,
        other => panic!("not a namespace key: {other:?}"),
    }
}

/// The cluster, namespace and name of a row of the pod grouping.
pub fn pod_of(row: &CostRow) -> (&ClusterName, &str, &str) {
    match &row.key {
        CostKey::Pod {
            cluster,
            namespace,
            pod,
        } => (cluster, namespace, pod),
        other => panic!("not a pod key: {other:?}"),
    }
}

/// A cost query of every kind: by cluster, namespace and pod, and trends by the hour and
/// by the week (the shortest and the longest bucket).
pub const GROUPINGS: [CostGrouping; 5] = [
    CostGrouping::Cluster,
    CostGrouping::Namespace,
    CostGrouping::Pod,
    CostGrouping::Time(TrendInterval::Hourly),
    CostGrouping::Time(TrendInterval::Weekly),
];

/// `tenant` sees nothing over `window` through any query: no cost rows in any grouping,
/// no utilization, no usage series, no snapshot of `cluster` before the window's end.
pub async fn assert_sees_nothing(
    store: &dyn MetricsStore,
    tenant: TenantId,
    window: TimeWindow,
    cluster: &ClusterName,
) {
    for grouping in GROUPINGS {
        let rows = unfiltered_costs(store, tenant, grouping, window).await;
        assert!(rows.is_empty(), "{grouping:?}");
    }
    let everything = CostFilter::default();
    let pods = store.utilization(tenant, &window, &everything).await;
    assert!(pods.expect("utilization").is_empty());
    let series = store.usage_series(tenant, &window, &everything).await;
    assert!(series.expect("usage series").is_empty());
    let previous = store
        .previous_snapshot_time(tenant, cluster, window.end())
        .await;
    assert_eq!(previous.expect("previous snapshot"), None);
}

/// Σ pod compute costs (CPU + memory) of a priced snapshot.
pub fn all_pods(priced: &PricedSnapshot) -> Money {
    priced.pods().iter().map(|pod| pod.compute_cost()).sum()
}

/// Σ allocated cost over answer rows.
pub fn allocated(rows: &[CostRow]) -> Money {
    rows.iter().map(|row| row.cost.allocated()).sum()
}

/// Σ (cpu, memory) per `key` of each pod over `snapshots`.
pub fn expected_costs_by<K: Ord>(
    snapshots: &[&PricedSnapshot],
    key: impl Fn(&PricedSnapshot, &PodSample) -> K,
) -> BTreeMap<K, (Money, Money)> {
    let mut sums = BTreeMap::new();
    for priced in snapshots {
        for (sample, cost) in priced.snapshot().pods().iter().zip(priced.pods()) {
            let entry = sums
                .entry(key(priced, sample))
                .or_insert((Money::ZERO, Money::ZERO));
            entry.0 += cost.cpu_cost;
            entry.1 += cost.ram_cost;
        }
    }
    sums
}

/// Σ idle over `snapshots`.
pub fn idle_of(snapshots: &[&PricedSnapshot]) -> Money {
    snapshots.iter().map(|s| s.totals().idle).sum()
}

/// Distinct namespaces over `snapshots`.
pub fn namespaces_of(snapshots: &[&PricedSnapshot]) -> BTreeSet<String> {
    snapshots
        .iter()
        .flat_map(|s| s.snapshot().pods().iter().map(|p| p.namespace.clone()))
        .collect()
}
