//! Real payloads of the reference agent (see `fixtures/agent/README.md` for where each
//! comes from), shared by every crate's tests.

/// The reference agent's 4-node, 24-pod snapshot (cluster `cost-dashboard-dev`).
pub const SMALL: &str = include_str!("../fixtures/agent/snapshot-small.json");
/// The reference agent's snapshot with `node_metrics: null` and a pending pod
/// (cluster `edge-cluster`).
pub const NODES_NULL: &str = include_str!("../fixtures/agent/snapshot-nodes-null.json");
/// The agent's later, labelled form: labels, phase, QoS class and containers per pod, no
/// owners (cluster `prod-eu`, 8 pods).
pub const LABELS: &str = include_str!("../fixtures/agent/snapshot-labels.json");
