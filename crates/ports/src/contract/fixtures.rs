//! Priced snapshots for the contract suite, built with the real domain: the reference
//! agent's payloads priced from the built-in catalog, moved to whatever instant a test needs.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kcost_domain::agent_payload::{AgentPayload, WireTimestamp};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::snapshot::SnapshotRules;
use kcost_domain::tenant::TenantId;
use uuid::Uuid;

/// The reference agent's 4-node, 24-pod snapshot (cluster `cost-dashboard-dev`).
pub const SMALL: &str = include_str!("../../../domain/tests/fixtures/agent/snapshot-small.json");
/// The reference agent's snapshot with `node_metrics: null` and a pending pod
/// (cluster `edge-cluster`).
pub const NODES_NULL: &str =
    include_str!("../../../domain/tests/fixtures/agent/snapshot-nodes-null.json");

pub fn tenant_a() -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0xa))
}

pub fn tenant_b() -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0xb))
}

/// 2026-11-20 at `hour:minute:00` UTC.
pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0)
        .single()
        .expect("valid time")
}

/// `payload` (agent JSON) taken at `timestamp` and priced for `seconds`.
pub fn priced(payload: &str, timestamp: DateTime<Utc>, seconds: u32) -> PricedSnapshot {
    let mut payload: AgentPayload = serde_json::from_str(payload).expect("fixture parses");
    payload.timestamp = WireTimestamp::UnixSeconds(timestamp.timestamp());
    let snapshot = payload
        .into_snapshot(timestamp + Duration::hours(1), &SnapshotRules::default())
        .expect("fixture is valid");
    let catalog = Catalog::builtin().expect("catalog parses");
    let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
    price_snapshot(
        snapshot,
        &book,
        SampleDuration {
            seconds,
            basis: DurationBasis::Declared,
        },
    )
}
