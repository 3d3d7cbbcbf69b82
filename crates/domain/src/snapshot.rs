//! A snapshot: one cluster's pods and nodes at one instant, as an agent observed them.
//!
//! Construction validates everything the cost engine and the stores rely on (see
//! [`SnapshotRules`]); a [`Snapshot`] that exists is safe to price and to store.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cluster::ClusterName;
use crate::kubernetes_names::{
    MAX_LABEL_LEN, MAX_NAMESPACE_LEN, MAX_OBJECT_NAME_LEN, label_key_problem, label_value_problem,
    name_problem,
};
use crate::pricing::MAX_HOURLY_PRICE;
use crate::quantity::{Bytes, Millicores};
use crate::retention::retention_cutoff;

/// Longest declared sample interval accepted (one day).
pub const MAX_INTERVAL_SECONDS: u32 = 86_400;

/// The largest CPU figure accepted (2⁴⁰ millicores, about a billion cores): far beyond any
/// machine, and small enough that a figure times a day's seconds fits 64-bit storage.
pub const MAX_MILLICORES: u64 = 1 << 40;
/// The largest memory figure accepted (2⁴⁶ bytes, 64 TiB: twice the largest instances
/// sold), with the same headroom.
pub const MAX_BYTES: u64 = 1 << 46;

/// Limits a snapshot must respect. The clock skew comes from configuration
/// (`ingest.max_clock_skew_seconds`, default 300 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotRules {
    /// How far in the future a snapshot's timestamp may be, to absorb agent clock skew.
    pub max_clock_skew: Duration,
    /// The retention horizon in days (`timescale.retention_days`; 0 keeps everything): a
    /// snapshot from before it would be deleted by the next retention run, so it is
    /// refused instead of stored.
    pub retention_days: u32,
}

impl Default for SnapshotRules {
    fn default() -> Self {
        Self {
            max_clock_skew: Duration::minutes(5),
            retention_days: 0,
        }
    }
}

impl SnapshotRules {
    /// The first instant kept at `now`: midnight UTC `retention_days` days ago, as
    /// retention cuts (`None`: everything is kept).
    pub fn oldest_kept(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self.retention_days > 0).then(|| {
            retention_cutoff(now.date_naive(), self.retention_days)
                .and_time(chrono::NaiveTime::MIN)
                .and_utc()
        })
    }
}

/// One invalid field, named by its JSON path in the agent payload
/// (e.g. `pod_metrics[3].cpu_usage_millicores`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A snapshot that failed validation, with every invalid field found (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid snapshot: {}{}", .errors.first().map(ToString::to_string).unwrap_or_default(),
    if .errors.len() > 1 { format!(" (and {} more)", .errors.len() - 1) } else { String::new() })]
pub struct InvalidSnapshot {
    pub errors: Vec<FieldError>,
}

impl InvalidSnapshot {
    pub fn single(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError::new(path, message)],
        }
    }
}

/// The workload that owns a pod (`controller_kind`/`controller_name` in the payload).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Owner {
    pub kind: String,
    pub name: String,
}

/// Usage, requests and limits of one resource pair (CPU and memory).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceFigures {
    pub cpu_usage: Millicores,
    pub memory_usage: Bytes,
    pub cpu_request: Millicores,
    pub memory_request: Bytes,
    /// `None` when the agent omitted it (the reference agent omits zero limits).
    pub cpu_limit: Option<Millicores>,
    pub memory_limit: Option<Bytes>,
}

/// One container of a pod, when the agent reports containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSample {
    pub name: String,
    pub figures: ResourceFigures,
    pub restarts: u32,
}

/// One pod at the snapshot's instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodSample {
    pub name: String,
    pub namespace: String,
    /// `None` for a pending pod (the agent sends an empty `node_name`).
    pub node: Option<String>,
    pub figures: ResourceFigures,
    pub owner: Option<Owner>,
    /// Whether `owner` was inferred from the pod's name and labels (see
    /// [`crate::owner::infer_owner`]) rather than sent by the agent.
    pub owner_inferred: bool,
    pub labels: BTreeMap<String, String>,
    /// Pod phase as Kubernetes reports it (`Running`, `Pending`, …), when sent.
    pub phase: Option<String>,
    /// QoS class (`Guaranteed`, `Burstable`, `BestEffort`), when sent.
    pub qos_class: Option<String>,
    pub containers: Vec<ContainerSample>,
}

impl PodSample {
    /// The containers whose samples say more than the pod's own: none when the pod has one
    /// container with exactly the pod's figures and no restarts (the common case: its
    /// sample is the pod's, and its name is in the pod's description), else all of them.
    pub fn containers_beyond_pod(&self) -> &[ContainerSample] {
        match self.containers.as_slice() {
            [only] if only.figures == self.figures && only.restarts == 0 => &[],
            all => all,
        }
    }
}

/// One node at the snapshot's instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSample {
    pub name: String,
    pub instance_type: Option<String>,
    pub cpu_capacity: Millicores,
    pub memory_capacity: Bytes,
    pub cpu_allocatable: Millicores,
    pub memory_allocatable: Bytes,
    /// Hourly price the agent declared; `None` when absent or zero.
    pub hourly_cost: Option<Decimal>,
    /// Node labels when sent (zone, region, capacity type: spot/on-demand, …).
    pub labels: BTreeMap<String, String>,
}

/// Unvalidated parts of a snapshot. Field paths in errors follow the agent payload's
/// names; `pods[i]` and `nodes[i]` map to `pod_metrics[i]` and `node_metrics[i]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotParts {
    pub cluster: String,
    pub timestamp: DateTime<Utc>,
    pub interval_seconds: Option<u32>,
    pub pods: Vec<PodSample>,
    pub nodes: Vec<NodeSample>,
}

/// A snapshot as decoded from an agent's payload, before validation: what could be read,
/// and an error with its JSON path for each field that could not. Decoding is the wire
/// format's business (the agent contract crate); validation is the domain's:
/// [`SnapshotDraft::validate`] reports the decoding errors and the rules' together, so a
/// client learns every bad field at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotDraft {
    pub cluster: String,
    /// `None` when the timestamp could not be read (its error is in `errors`).
    pub timestamp: Option<DateTime<Utc>>,
    pub interval_seconds: Option<u32>,
    pub pods: Vec<PodSample>,
    pub nodes: Vec<NodeSample>,
    /// Fields decoding could not read.
    pub errors: Vec<FieldError>,
}

impl SnapshotDraft {
    /// Validates the draft against `rules` at `now`: a [`Snapshot`] when decoding found no
    /// error and every rule holds, else every problem found.
    pub fn validate(
        self,
        now: DateTime<Utc>,
        rules: &SnapshotRules,
    ) -> Result<Snapshot, InvalidSnapshot> {
        let mut errors = self.errors;
        let parts = SnapshotParts {
            cluster: self.cluster,
            // An unreadable timestamp is already reported; `now` passes the time rules.
            timestamp: self.timestamp.unwrap_or(now),
            interval_seconds: self.interval_seconds,
            pods: self.pods,
            nodes: self.nodes,
        };
        match Snapshot::new(parts, now, rules) {
            Ok(snapshot) if errors.is_empty() => Ok(snapshot),
            Ok(_) => Err(InvalidSnapshot { errors }),
            Err(invalid) => {
                errors.extend(invalid.errors);
                Err(InvalidSnapshot { errors })
            }
        }
    }
}

/// A validated snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    cluster: ClusterName,
    timestamp: DateTime<Utc>,
    interval_seconds: Option<u32>,
    pods: Vec<PodSample>,
    nodes: Vec<NodeSample>,
}

impl Snapshot {
    /// Validates `parts` against `rules` at `now`, reporting every invalid field.
    pub fn new(
        parts: SnapshotParts,
        now: DateTime<Utc>,
        rules: &SnapshotRules,
    ) -> Result<Self, InvalidSnapshot> {
        let mut errors = Vec::new();
        let cluster = ClusterName::new(parts.cluster)
            .map_err(|e| errors.push(FieldError::new("cluster_name", e.to_string())))
            .ok();
        if parts.timestamp > now + rules.max_clock_skew {
            errors.push(FieldError::new(
                "timestamp",
                format!(
                    "{} is more than {} s in the future (server time {})",
                    parts.timestamp.to_rfc3339(),
                    rules.max_clock_skew.num_seconds(),
                    now.to_rfc3339()
                ),
            ));
        }
        if let Some(oldest) = rules
            .oldest_kept(now)
            .filter(|oldest| parts.timestamp < *oldest)
        {
            errors.push(FieldError::new(
                "timestamp",
                format!(
                    "{} is before the retention horizon ({} days: {}); it would be deleted at once",
                    parts.timestamp.to_rfc3339(),
                    rules.retention_days,
                    oldest.to_rfc3339()
                ),
            ));
        }
        if matches!(parts.interval_seconds, Some(s) if s == 0 || s > MAX_INTERVAL_SECONDS) {
            errors.push(FieldError::new(
                "interval_seconds",
                format!("must be between 1 and {MAX_INTERVAL_SECONDS}"),
            ));
        }
        validate_pods(&parts.pods, &mut errors);
        validate_nodes(&parts.nodes, &mut errors);

        match cluster {
            Some(cluster) if errors.is_empty() => Ok(Self {
                cluster,
                timestamp: parts.timestamp,
                interval_seconds: parts.interval_seconds,
                pods: parts.pods,
                nodes: parts.nodes,
            }),
            _ => Err(InvalidSnapshot { errors }),
        }
    }

    pub fn cluster(&self) -> &ClusterName {
        &self.cluster
    }

    pub fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }

    /// The sample interval the agent declared, if any.
    pub fn interval_seconds(&self) -> Option<u32> {
        self.interval_seconds
    }

    pub fn pods(&self) -> &[PodSample] {
        &self.pods
    }

    pub fn nodes(&self) -> &[NodeSample] {
        &self.nodes
    }
}

fn validate_pods(pods: &[PodSample], errors: &mut Vec<FieldError>) {
    let mut seen = HashSet::with_capacity(pods.len());
    for (i, pod) in pods.iter().enumerate() {
        let at = |field: &str| format!("pod_metrics[{i}].{field}");
        if pod.name.trim().is_empty() {
            errors.push(FieldError::new(at("pod_name"), "must not be empty"));
        }
        if pod.namespace.trim().is_empty() {
            errors.push(FieldError::new(at("namespace"), "must not be empty"));
        }
        let names = [
            ("pod_name", pod.name.as_str(), MAX_OBJECT_NAME_LEN),
            ("namespace", pod.namespace.as_str(), MAX_NAMESPACE_LEN),
            (
                "node_name",
                pod.node.as_deref().unwrap_or(""),
                MAX_OBJECT_NAME_LEN,
            ),
        ];
        for (field, value, max) in names {
            if let Some(problem) = name_problem(value, max) {
                errors.push(FieldError::new(at(field), problem));
            }
        }
        if let Some(owner) = &pod.owner {
            for (field, value) in [
                ("controller_kind", &owner.kind),
                ("controller_name", &owner.name),
            ] {
                if let Some(problem) = name_problem(value, MAX_OBJECT_NAME_LEN) {
                    errors.push(FieldError::new(at(field), problem));
                }
            }
        }
        check_labels(&pod.labels, &at("labels"), errors);
        check_figures(&pod.figures, &at(""), errors);
        for (j, container) in pod.containers.iter().enumerate() {
            let at = at(&format!("containers[{j}]"));
            if container.name.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.container_name"),
                    "must not be empty",
                ));
            }
            if let Some(problem) = name_problem(&container.name, MAX_LABEL_LEN) {
                errors.push(FieldError::new(format!("{at}.container_name"), problem));
            }
            check_figures(&container.figures, &format!("{at}."), errors);
        }
        if !seen.insert((pod.namespace.as_str(), pod.name.as_str())) {
            errors.push(FieldError::new(
                at("pod_name"),
                format!("pod {}/{} appears more than once", pod.namespace, pod.name),
            ));
        }
        if matches!(&pod.node, Some(node) if node.trim().is_empty()) {
            errors.push(FieldError::new(
                at("node_name"),
                "must be a node name or empty",
            ));
        }
        if matches!(&pod.owner, Some(o) if o.kind.trim().is_empty() || o.name.trim().is_empty()) {
            errors.push(FieldError::new(
                at("controller_name"),
                "controller_kind and controller_name must both be set",
            ));
        }
    }
}

fn validate_nodes(nodes: &[NodeSample], errors: &mut Vec<FieldError>) {
    let mut seen = HashSet::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let at = |field: &str| format!("node_metrics[{i}].{field}");
        if node.name.trim().is_empty() {
            errors.push(FieldError::new(at("NodeName"), "must not be empty"));
        } else if !seen.insert(node.name.as_str()) {
            errors.push(FieldError::new(
                at("NodeName"),
                format!("node {} appears more than once", node.name),
            ));
        }
        if let Some(problem) = name_problem(&node.name, MAX_OBJECT_NAME_LEN) {
            errors.push(FieldError::new(at("NodeName"), problem));
        }
        if let Some(problem) = node
            .instance_type
            .as_deref()
            .and_then(|t| name_problem(t, MAX_LABEL_LEN))
        {
            errors.push(FieldError::new(at("InstanceType"), problem));
        }
        check_labels(&node.labels, &at("labels"), errors);
        // Allocatable defaults to capacity: reported only when it was sent and differs.
        check_at_most(
            node.cpu_capacity.get(),
            MAX_MILLICORES,
            &at("CPUCapacity"),
            errors,
        );
        if node.cpu_allocatable != node.cpu_capacity {
            let at = at("CPUAllocatable");
            check_at_most(node.cpu_allocatable.get(), MAX_MILLICORES, &at, errors);
        }
        check_at_most(
            node.memory_capacity.get(),
            MAX_BYTES,
            &at("MemoryCapacity"),
            errors,
        );
        if node.memory_allocatable != node.memory_capacity {
            let at = at("MemoryAllocatable");
            check_at_most(node.memory_allocatable.get(), MAX_BYTES, &at, errors);
        }
        if node.cpu_capacity == Millicores::ZERO {
            errors.push(FieldError::new(at("CPUCapacity"), "must be positive"));
        }
        if node.memory_capacity == Bytes::ZERO {
            errors.push(FieldError::new(at("MemoryCapacity"), "must be positive"));
        }
        if matches!(node.hourly_cost, Some(cost) if cost < Decimal::ZERO) {
            errors.push(FieldError::new(
                at("hourly_cost_usd"),
                "must not be negative",
            ));
        }
        if matches!(node.hourly_cost, Some(cost) if cost > MAX_HOURLY_PRICE) {
            errors.push(FieldError::new(
                at("hourly_cost_usd"),
                format!("must be at most {MAX_HOURLY_PRICE}"),
            ));
        }
    }
}

/// Label keys and values by Kubernetes' rules; `at` is the labels' field path.
fn check_labels(labels: &BTreeMap<String, String>, at: &str, errors: &mut Vec<FieldError>) {
    for (key, value) in labels {
        let problem = label_key_problem(key).or_else(|| label_value_problem(key, value));
        if let Some(problem) = problem {
            errors.push(FieldError::new(at, problem));
        }
    }
}

/// Usage, requests and limits within [`MAX_MILLICORES`] and [`MAX_BYTES`]; `prefix` is the
/// field path up to the agent's figure names (`pod_metrics[0].`).
fn check_figures(figures: &ResourceFigures, prefix: &str, errors: &mut Vec<FieldError>) {
    let cpu = |value: Millicores| (value.get(), MAX_MILLICORES);
    let memory = |value: Bytes| (value.get(), MAX_BYTES);
    let checks = [
        ("cpu_usage_millicores", Some(cpu(figures.cpu_usage))),
        ("cpu_request_millicores", Some(cpu(figures.cpu_request))),
        ("cpu_limit_millicores", figures.cpu_limit.map(cpu)),
        ("memory_usage_bytes", Some(memory(figures.memory_usage))),
        ("memory_request_bytes", Some(memory(figures.memory_request))),
        ("memory_limit_bytes", figures.memory_limit.map(memory)),
    ];
    for (field, value_and_max) in checks {
        if let Some((_, max)) = value_and_max.filter(|(value, max)| value > max) {
            errors.push(FieldError::new(
                format!("{prefix}{field}"),
                format!("must be at most {max}"),
            ));
        }
    }
}

fn check_at_most(value: u64, max: u64, at: &str, errors: &mut Vec<FieldError>) {
    if value > max {
        errors.push(FieldError::new(at, format!("must be at most {max}")));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn pod(name: &str, node: Option<&str>) -> PodSample {
        PodSample {
            name: name.into(),
            namespace: "default".into(),
            node: node.map(Into::into),
            figures: ResourceFigures::default(),
            owner: None,
            owner_inferred: false,
            labels: BTreeMap::new(),
            phase: None,
            qos_class: None,
            containers: Vec::new(),
        }
    }

    pub(crate) fn node(name: &str, cores: u64, gib: u64) -> NodeSample {
        NodeSample {
            name: name.into(),
            instance_type: None,
            cpu_capacity: Millicores::new(cores * 1000),
            memory_capacity: Bytes::new(gib << 30),
            cpu_allocatable: Millicores::new(cores * 1000),
            memory_allocatable: Bytes::new(gib << 30),
            hourly_cost: None,
            labels: BTreeMap::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
    }

    fn parts() -> SnapshotParts {
        SnapshotParts {
            cluster: "prod".into(),
            timestamp: now(),
            interval_seconds: None,
            pods: vec![pod("a", Some("n1")), pod("b", None)],
            nodes: vec![node("n1", 2, 8)],
        }
    }

    fn paths(err: InvalidSnapshot) -> Vec<String> {
        err.errors.into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn a_valid_snapshot_is_accepted() {
        let snapshot = Snapshot::new(parts(), now(), &SnapshotRules::default()).unwrap();
        assert_eq!(snapshot.cluster().as_str(), "prod");
        assert_eq!(snapshot.pods().len(), 2);
        assert_eq!(snapshot.nodes().len(), 1);
    }

    #[test]
    fn timestamps_up_to_the_skew_are_accepted_and_beyond_refused() {
        let rules = SnapshotRules::default();
        let mut p = parts();
        p.timestamp = now() + Duration::minutes(5);
        assert!(Snapshot::new(p.clone(), now(), &rules).is_ok());
        p.timestamp = now() + Duration::minutes(5) + Duration::seconds(1);
        assert_eq!(
            paths(Snapshot::new(p, now(), &rules).unwrap_err()),
            vec!["timestamp"]
        );
    }

    #[test]
    fn names_beyond_kubernetes_limits_or_with_control_characters_are_refused() {
        let mut p = parts();
        p.pods[0].namespace = "n".repeat(64);
        p.pods[0].labels.insert("app".into(), "web\0".into());
        p.pods[1].name = "b\0".into();
        p.pods[1].node = Some("x".repeat(254));
        p.pods[1].containers.push(ContainerSample {
            name: "c".repeat(64),
            figures: ResourceFigures::default(),
            restarts: 0,
        });
        p.pods[1].containers.push(ContainerSample {
            name: " ".into(),
            figures: ResourceFigures::default(),
            restarts: 0,
        });
        p.nodes[0].instance_type = Some("m5.large\0".into());
        p.nodes[0].labels.insert("-zone".into(), "a".into());
        let err = Snapshot::new(p, now(), &SnapshotRules::default()).unwrap_err();
        assert_eq!(
            paths(err),
            vec![
                "pod_metrics[0].namespace",
                "pod_metrics[0].labels",
                "pod_metrics[1].pod_name",
                "pod_metrics[1].node_name",
                "pod_metrics[1].containers[0].container_name",
                "pod_metrics[1].containers[1].container_name",
                "node_metrics[0].InstanceType",
                "node_metrics[0].labels",
            ]
        );
        let mut p = parts();
        p.pods[0].namespace = "n".repeat(63);
        p.pods[0].name = "p".repeat(253);
        assert!(Snapshot::new(p, now(), &SnapshotRules::default()).is_ok());
    }

    #[test]
    fn snapshots_before_the_retention_horizon_are_refused() {
        let rules = SnapshotRules {
            retention_days: 30,
            ..SnapshotRules::default()
        };
        // `now()` is 2026-11-20 09:00: the horizon is 2026-10-21 00:00.
        let horizon = Utc.with_ymd_and_hms(2026, 10, 21, 0, 0, 0).unwrap();
        let mut p = parts();
        p.timestamp = horizon;
        assert!(Snapshot::new(p.clone(), now(), &rules).is_ok());
        // A horizon further back than the calendar keeps everything, without a panic.
        let forever = SnapshotRules {
            retention_days: u32::MAX,
            ..SnapshotRules::default()
        };
        assert!(Snapshot::new(p.clone(), now(), &forever).is_ok());
        p.timestamp = horizon - Duration::seconds(1);
        assert_eq!(
            paths(Snapshot::new(p.clone(), now(), &rules).unwrap_err()),
            vec!["timestamp"]
        );
        // 0 keeps everything.
        assert!(Snapshot::new(p, now(), &SnapshotRules::default()).is_ok());
    }

    #[test]
    fn figures_beyond_the_maximum_are_refused() {
        let mut p = parts();
        p.pods[0].figures.cpu_usage = Millicores::new(MAX_MILLICORES);
        p.pods[0].figures.memory_limit = Some(Bytes::new(MAX_BYTES));
        assert!(Snapshot::new(p.clone(), now(), &SnapshotRules::default()).is_ok());
        p.pods[0].figures.cpu_usage = Millicores::new(MAX_MILLICORES + 1);
        p.pods[0].figures.memory_limit = Some(Bytes::new(u64::MAX));
        p.nodes[0].memory_capacity = Bytes::new(MAX_BYTES + 1);
        p.nodes[0].hourly_cost = Some(Decimal::from(1_000_000));
        let err = Snapshot::new(p, now(), &SnapshotRules::default()).unwrap_err();
        assert_eq!(
            paths(err),
            vec![
                "pod_metrics[0].cpu_usage_millicores",
                "pod_metrics[0].memory_limit_bytes",
                "node_metrics[0].MemoryCapacity",
                "node_metrics[0].hourly_cost_usd",
            ]
        );
    }

    #[test]
    fn every_invalid_field_is_reported_with_its_path() {
        let mut p = parts();
        p.cluster = String::new();
        p.interval_seconds = Some(0);
        p.pods[0].name = String::new();
        p.pods[1].namespace = " ".into();
        p.nodes[0].cpu_capacity = Millicores::ZERO;
        p.nodes[0].hourly_cost = Some(Decimal::NEGATIVE_ONE);
        let err = Snapshot::new(p, now(), &SnapshotRules::default()).unwrap_err();
        assert_eq!(
            paths(err.clone()),
            vec![
                "cluster_name",
                "interval_seconds",
                "pod_metrics[0].pod_name",
                "pod_metrics[1].namespace",
                "node_metrics[0].CPUCapacity",
                "node_metrics[0].hourly_cost_usd",
            ]
        );
        assert!(
            err.to_string()
                .starts_with("invalid snapshot: cluster_name: ")
        );
        assert!(err.to_string().ends_with("(and 5 more)"));
    }

    #[test]
    fn duplicate_pods_and_nodes_are_refused() {
        let mut p = parts();
        p.pods.push(pod("a", Some("n1")));
        p.nodes.push(node("n1", 4, 16));
        let err = Snapshot::new(p, now(), &SnapshotRules::default()).unwrap_err();
        assert_eq!(
            paths(err),
            vec!["pod_metrics[2].pod_name", "node_metrics[1].NodeName"]
        );
    }

    #[test]
    fn same_pod_name_in_two_namespaces_is_fine() {
        let mut p = parts();
        let mut other = pod("a", Some("n1"));
        other.namespace = "web".into();
        p.pods.push(other);
        assert!(Snapshot::new(p, now(), &SnapshotRules::default()).is_ok());
    }

    #[test]
    fn interval_bounds() {
        let mut p = parts();
        p.interval_seconds = Some(MAX_INTERVAL_SECONDS);
        assert!(Snapshot::new(p.clone(), now(), &SnapshotRules::default()).is_ok());
        p.interval_seconds = Some(MAX_INTERVAL_SECONDS + 1);
        assert!(Snapshot::new(p, now(), &SnapshotRules::default()).is_err());
    }

    #[test]
    fn a_lone_container_like_its_pod_adds_nothing_beyond_it() {
        let container = |restarts| ContainerSample {
            name: "app".into(),
            figures: ResourceFigures::default(),
            restarts,
        };
        let mut p = pod("a", Some("n1"));
        assert!(p.containers_beyond_pod().is_empty());
        p.containers = vec![container(0)];
        assert!(p.containers_beyond_pod().is_empty());
        p.containers = vec![container(2)];
        assert_eq!(p.containers_beyond_pod().len(), 1, "restarts are news");
        p.containers = vec![container(0), container(0)];
        assert_eq!(p.containers_beyond_pod().len(), 2);
        p.containers = vec![container(0)];
        p.figures.cpu_usage = Millicores::new(5);
        assert_eq!(p.containers_beyond_pod().len(), 1, "figures differ");
    }

    #[test]
    fn owner_must_be_complete() {
        let mut p = parts();
        p.pods[0].owner = Some(Owner {
            kind: "Deployment".into(),
            name: String::new(),
        });
        let err = Snapshot::new(p, now(), &SnapshotRules::default()).unwrap_err();
        assert_eq!(paths(err), vec!["pod_metrics[0].controller_name"]);
    }
}
