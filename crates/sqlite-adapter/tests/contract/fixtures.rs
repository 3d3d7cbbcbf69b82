//! Priced snapshots for the contract tests, built with the real domain: the reference
//! agent's fixture payloads priced from the built-in catalog, or hand-built pods and nodes.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::agent_payload::{AgentPayload, WireTimestamp};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
use kcost_domain::costs::{CostFilter, CostGrouping, CostQuery, CostRow};
use kcost_domain::money::Money;
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::{
    NodeSample, Owner, PodSample, ResourceFigures, Snapshot, SnapshotParts, SnapshotRules,
};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{AppendOutcome, MetricsStore};
use rust_decimal::Decimal;

pub const GIB: u64 = 1 << 30;
/// The reference agent's 24-pod, 4-node snapshot.
pub const SMALL: &str = include_str!("../../../domain/tests/fixtures/agent/snapshot-small.json");
/// The reference agent's snapshot with `node_metrics: null` and a pending pod.
pub const NODES_NULL: &str =
    include_str!("../../../domain/tests/fixtures/agent/snapshot-nodes-null.json");

/// A fresh tenant, so tests never share rows by accident.
pub fn tenant() -> TenantId {
    TenantId::from_uuid(uuid::Uuid::new_v4())
}

/// 2026-11-20 (a Friday) at `hour:minute:00` UTC.
pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0).unwrap()
}

pub fn window(start: DateTime<Utc>, end: DateTime<Utc>) -> TimeWindow {
    TimeWindow::new(start, end).unwrap()
}

fn price(snapshot: Snapshot, seconds: u32) -> PricedSnapshot {
    let catalog = Catalog::builtin().unwrap();
    let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
    let duration = SampleDuration {
        seconds,
        basis: DurationBasis::Declared,
    };
    price_snapshot(snapshot, &book, duration)
}

/// An agent fixture payload (`SMALL`, `NODES_NULL`) in `cluster`, taken at `ts`, priced for
/// `seconds`.
pub fn agent_snapshot(
    payload: &str,
    cluster: &str,
    ts: DateTime<Utc>,
    seconds: u32,
) -> PricedSnapshot {
    let mut payload: AgentPayload = serde_json::from_str(payload).unwrap();
    payload.timestamp = WireTimestamp::UnixSeconds(ts.timestamp());
    payload.cluster_name = cluster.to_owned();
    let snapshot = payload
        .into_snapshot(ts, &SnapshotRules::default())
        .unwrap();
    price(snapshot, seconds)
}

/// A pod with (request, usage) for CPU in millicores and memory in bytes.
pub fn pod(
    ns: &str,
    name: &str,
    node: Option<&str>,
    cpu: (u64, u64),
    mem: (u64, u64),
) -> PodSample {
    PodSample {
        name: name.into(),
        namespace: ns.into(),
        node: node.map(Into::into),
        figures: ResourceFigures {
            cpu_request: Millicores::new(cpu.0),
            cpu_usage: Millicores::new(cpu.1),
            memory_request: Bytes::new(mem.0),
            memory_usage: Bytes::new(mem.1),
            cpu_limit: Some(Millicores::new(cpu.0 * 2)),
            memory_limit: None,
        },
        owner: Some(Owner {
            kind: "Deployment".into(),
            name: format!("{name}-deploy"),
        }),
        labels: BTreeMap::new(),
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
        hourly_cost: Some(hourly.parse::<Decimal>().unwrap()),
    }
}

/// A hand-built snapshot priced for `seconds`.
pub fn snapshot(
    cluster: &str,
    ts: DateTime<Utc>,
    seconds: u32,
    pods: Vec<PodSample>,
    nodes: Vec<NodeSample>,
) -> PricedSnapshot {
    let parts = SnapshotParts {
        cluster: cluster.into(),
        timestamp: ts,
        interval_seconds: Some(seconds),
        pods,
        nodes,
    };
    price(
        Snapshot::new(parts, ts, &SnapshotRules::default()).unwrap(),
        seconds,
    )
}

/// Appends every snapshot, each expected to be stored.
pub async fn store_all(store: &dyn MetricsStore, tenant: TenantId, snapshots: &[&PricedSnapshot]) {
    for snapshot in snapshots {
        assert_eq!(
            store.append(tenant, snapshot).await.unwrap(),
            AppendOutcome::Stored
        );
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
        window,
        grouping,
        filter,
    };
    store.costs(tenant, &query).await.unwrap()
}

/// Σ pod costs (CPU + memory) of a priced snapshot.
pub fn all_pods(priced: &PricedSnapshot) -> Money {
    priced.pods().iter().map(|pod| pod.total()).sum()
}

/// Σ allocated cost over answer rows.
pub fn allocated(rows: &[CostRow]) -> Money {
    rows.iter().map(|row| row.cost.allocated()).sum()
}
