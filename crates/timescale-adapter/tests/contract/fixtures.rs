//! Priced snapshots for the contract tests, built with the real domain: the reference
//! agent's fixture payload, or hand-built pods and nodes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::agent_payload::{AgentPayload, WireTimestamp};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
use kcost_domain::money::Money;
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::{
    NodeSample, Owner, PodSample, ResourceFigures, Snapshot, SnapshotParts, SnapshotRules,
};
use kcost_domain::tenant::TenantId;
use rust_decimal::Decimal;

pub const GIB: u64 = 1 << 30;
const SMALL: &str = include_str!("../../../domain/tests/fixtures/agent/snapshot-small.json");

pub fn tenant() -> TenantId {
    TenantId::from_uuid(uuid::Uuid::new_v4())
}

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
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

/// The reference agent's 24-pod, 4-node snapshot, taken at `ts` in `cluster`, 600 s.
pub fn agent_snapshot(cluster: &str, ts: DateTime<Utc>) -> PricedSnapshot {
    let mut payload: AgentPayload = serde_json::from_str(SMALL).unwrap();
    payload.timestamp = WireTimestamp::UnixSeconds(ts.timestamp());
    payload.cluster_name = cluster.to_owned();
    let snapshot = payload
        .into_snapshot(ts, &SnapshotRules::default())
        .unwrap();
    price(snapshot, 600)
}

/// A pod with requests and usage (millicores, bytes).
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

/// Two namespaces, three pods (one pending), two nodes.
pub fn small_snapshot(cluster: &str, ts: DateTime<Utc>, seconds: u32) -> PricedSnapshot {
    snapshot(
        cluster,
        ts,
        seconds,
        vec![
            pod("web", "web-1", Some("n1"), (500, 700), (GIB, GIB / 2)),
            pod("web", "web-2", Some("n2"), (250, 100), (2 * GIB, 3 * GIB)),
            pod("batch", "job-1", None, (1000, 0), (4 * GIB, 0)),
        ],
        vec![node("n1", 4, 16, "0.192"), node("n2", 2, 8, "0.0961")],
    )
}

/// Expected (cpu, memory) per key over `snapshots`.
pub fn expected<K: Ord>(
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
pub fn idle(snapshots: &[&PricedSnapshot]) -> Money {
    snapshots.iter().map(|s| s.totals().idle).sum()
}

/// Distinct namespaces over `snapshots`.
pub fn namespaces(snapshots: &[&PricedSnapshot]) -> BTreeSet<String> {
    snapshots
        .iter()
        .flat_map(|s| s.snapshot().pods().iter().map(|p| p.namespace.clone()))
        .collect()
}
