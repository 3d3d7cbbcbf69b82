//! The agent contract: the JSON body of `POST /v1/ingest` exactly as agents send it.
//!
//! Two dialects arrive on the same endpoint and both are accepted:
//! - the reference agent (seed 1's Go cost-agent): snake_case pods, but `node_metrics`
//!   entries keyed by Go field names (`NodeName`, `CPUCapacity`, …) with no price,
//!   `node_metrics: null` when listing nodes failed, limits omitted when zero, the
//!   timestamp in unix seconds;
//! - the seed's documented snake_case form (`node_name`, `cpu_capacity`,
//!   `hourly_cost_usd`, …), with an RFC3339 or unix timestamp.
//!
//! Unknown fields (`namespace_costs`, which is informational, among them) are ignored.
//! [`AgentPayload::into_draft`] decodes a payload into the domain's [`SnapshotDraft`],
//! naming each field it cannot read by its JSON path; the draft's validation does the
//! rest. The schemas ([`crate::schema`]) document exactly these types in OpenAPI.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kcost_domain::owner::infer_owner;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::{
    ContainerSample, FieldError, NodeSample, Owner, PodSample, ResourceFigures, SnapshotDraft,
};

use crate::schema::{
    ClusterNameDoc, InstanceTypeDoc, LabelsDoc, NodeRefDoc, ObjectNameDoc, ShortNameDoc,
    SnapshotTimeDoc,
};
use crate::wire_integer::{optional_whole, whole};

/// A snapshot's timestamp on the wire: unix seconds (the reference agent) or RFC3339.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum WireTimestamp {
    UnixSeconds(i64),
    FractionalUnixSeconds(f64),
    Rfc3339(String),
}

/// The agent's snapshot, the body of `POST /v1/ingest`. Unknown fields, such as the
/// informational `namespace_costs`, are ignored. Rules a schema cannot state, answered with
/// 422 naming the field: `timestamp` at most `ingest.max_clock_skew_seconds` in the future
/// and not before the retention horizon; a pod (namespace and name) and a node (name) at most
/// once per snapshot; `controller_kind` and `controller_name` both or neither.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = IngestPayload)]
pub struct AgentPayload {
    #[schema(value_type = ClusterNameDoc, example = "prod-eu-1")]
    pub cluster_name: String,
    #[schema(value_type = SnapshotTimeDoc)]
    pub timestamp: WireTimestamp,
    #[serde(default)]
    pub pod_metrics: Option<Vec<WirePod>>,
    /// `null` when the agent could not list nodes. Entries use the reference agent's Go
    /// field names (`NodeName`, `InstanceType`, `CPUCapacity`, …) or snake_case.
    #[serde(default)]
    pub node_metrics: Option<Vec<WireNode>>,
    /// Extension: the agent's sample period in seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_whole"
    )]
    #[schema(minimum = 1, maximum = 86400)]
    pub interval_seconds: Option<i64>,
}

/// A pod entry (snake_case in both dialects). Read through [`FlatWirePod`]: serde's
/// `flatten` buffers the figures' keys and values before reading them (a tenth of the
/// payload's parse time in allocations).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(from = "FlatWirePod")]
#[schema(as = PodMetric)]
pub struct WirePod {
    #[schema(value_type = ObjectNameDoc)]
    pub pod_name: String,
    #[schema(value_type = ShortNameDoc)]
    pub namespace: String,
    /// Empty or absent for pending pods.
    #[serde(default)]
    #[schema(value_type = NodeRefDoc)]
    pub node_name: String,
    #[serde(flatten)]
    pub figures: WireFigures,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<LabelsDoc>)]
    pub labels: Option<BTreeMap<String, String>>,
    /// The owner's kind (`Deployment`, …); with `controller_name`, or inferred from the
    /// pod's name and labels when both are absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ObjectNameDoc>)]
    pub controller_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ObjectNameDoc>)]
    pub controller_name: Option<String>,
    /// The agent's later form: one entry per container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<WireContainer>>,
    /// The agent's later form: `Running`, `Pending`, … (informational; omitted when empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The agent's later form: `Guaranteed`, `Burstable` or `BestEffort` (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<String>,
}

/// [`WirePod`] as it is read: the figures' fields inline.
#[derive(Deserialize)]
struct FlatWirePod {
    pod_name: String,
    namespace: String,
    #[serde(default)]
    node_name: String,
    #[serde(default, deserialize_with = "whole")]
    cpu_usage_millicores: i64,
    #[serde(default, deserialize_with = "whole")]
    memory_usage_bytes: i64,
    #[serde(default, deserialize_with = "whole")]
    cpu_request_millicores: i64,
    #[serde(default, deserialize_with = "whole")]
    memory_request_bytes: i64,
    #[serde(default, deserialize_with = "optional_whole")]
    cpu_limit_millicores: Option<i64>,
    #[serde(default, deserialize_with = "optional_whole")]
    memory_limit_bytes: Option<i64>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    controller_kind: Option<String>,
    #[serde(default)]
    controller_name: Option<String>,
    #[serde(default)]
    containers: Option<Vec<WireContainer>>,
    #[serde(default)]
    phase: Option<String>,
    #[serde(default)]
    qos_class: Option<String>,
}

impl From<FlatWirePod> for WirePod {
    fn from(flat: FlatWirePod) -> Self {
        Self {
            pod_name: flat.pod_name,
            namespace: flat.namespace,
            node_name: flat.node_name,
            figures: WireFigures {
                cpu_usage_millicores: flat.cpu_usage_millicores,
                memory_usage_bytes: flat.memory_usage_bytes,
                cpu_request_millicores: flat.cpu_request_millicores,
                memory_request_bytes: flat.memory_request_bytes,
                cpu_limit_millicores: flat.cpu_limit_millicores,
                memory_limit_bytes: flat.memory_limit_bytes,
            },
            labels: flat.labels,
            controller_kind: flat.controller_kind,
            controller_name: flat.controller_name,
            containers: flat.containers,
            phase: flat.phase,
            qos_class: flat.qos_class,
        }
    }
}

/// Usage, requests and limits as the agent names them, as pods and containers both carry
/// them: CPU in millicores up to 2⁴⁰, memory in bytes up to 2⁴⁶ (else 422). Limits are
/// omitted when zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = ResourceFigures)]
pub struct WireFigures {
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_usage_millicores: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_usage_bytes: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_request_millicores: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_request_bytes: i64,
    /// Omitted when zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_limit_millicores: Option<i64>,
    /// Omitted when zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_limit_bytes: Option<i64>,
}

/// A container entry (extension). Read through [`FlatWireContainer`], as [`WirePod`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(from = "FlatWireContainer")]
#[schema(as = ContainerMetric)]
pub struct WireContainer {
    /// `container_name` as the agent sends it; also accepted as `name`.
    #[serde(rename = "container_name", alias = "name")]
    #[schema(value_type = ShortNameDoc)]
    pub name: String,
    #[serde(flatten)]
    pub figures: WireFigures,
    /// Restarts so far (also accepted as `restart_count`).
    #[serde(default, alias = "restart_count")]
    #[schema(minimum = 0, maximum = 4294967295_i64)]
    pub restarts: i64,
}

/// [`WireContainer`] as it is read: the figures' fields inline.
#[derive(Deserialize)]
struct FlatWireContainer {
    #[serde(rename = "container_name", alias = "name")]
    name: String,
    #[serde(default, deserialize_with = "whole")]
    cpu_usage_millicores: i64,
    #[serde(default, deserialize_with = "whole")]
    memory_usage_bytes: i64,
    #[serde(default, deserialize_with = "whole")]
    cpu_request_millicores: i64,
    #[serde(default, deserialize_with = "whole")]
    memory_request_bytes: i64,
    #[serde(default, deserialize_with = "optional_whole")]
    cpu_limit_millicores: Option<i64>,
    #[serde(default, deserialize_with = "optional_whole")]
    memory_limit_bytes: Option<i64>,
    #[serde(default, alias = "restart_count", deserialize_with = "whole")]
    restarts: i64,
}

impl From<FlatWireContainer> for WireContainer {
    fn from(flat: FlatWireContainer) -> Self {
        Self {
            name: flat.name,
            figures: WireFigures {
                cpu_usage_millicores: flat.cpu_usage_millicores,
                memory_usage_bytes: flat.memory_usage_bytes,
                cpu_request_millicores: flat.cpu_request_millicores,
                memory_request_bytes: flat.memory_request_bytes,
                cpu_limit_millicores: flat.cpu_limit_millicores,
                memory_limit_bytes: flat.memory_limit_bytes,
            },
            restarts: flat.restarts,
        }
    }
}

/// One node as the reference agent sends it, with Go field names; the snake_case
/// aliases `node_name`, `instance_type`, `cpu_capacity`, `memory_capacity`, … are accepted
/// too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = NodeMetric)]
pub struct WireNode {
    #[serde(
        rename = "Timestamp",
        alias = "timestamp",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Informational.
    pub timestamp: Option<String>,
    #[serde(
        rename = "ClusterName",
        alias = "cluster_name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Informational: the snapshot's `cluster_name` applies.
    pub cluster_name: Option<String>,
    #[serde(rename = "NodeName", alias = "node_name")]
    #[schema(value_type = ObjectNameDoc)]
    pub node_name: String,
    /// Empty or absent when unknown.
    #[serde(rename = "InstanceType", alias = "instance_type", default)]
    #[schema(value_type = InstanceTypeDoc)]
    pub instance_type: String,
    #[serde(
        rename = "CPUCapacity",
        alias = "cpu_capacity",
        default,
        deserialize_with = "whole"
    )]
    /// Millicores.
    #[schema(required = true, minimum = 1, maximum = 1099511627776.0)]
    pub cpu_capacity: i64,
    #[serde(
        rename = "MemoryCapacity",
        alias = "memory_capacity",
        default,
        deserialize_with = "whole"
    )]
    /// Bytes.
    #[schema(required = true, minimum = 1, maximum = 70368744177664.0)]
    pub memory_capacity: i64,
    #[serde(
        rename = "CPUAllocatable",
        alias = "cpu_allocatable",
        default,
        deserialize_with = "whole"
    )]
    /// Defaults to `CPUCapacity`.
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_allocatable: i64,
    #[serde(
        rename = "MemoryAllocatable",
        alias = "memory_allocatable",
        default,
        deserialize_with = "whole"
    )]
    /// Defaults to `MemoryCapacity`.
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_allocatable: i64,
    #[serde(
        rename = "hourly_cost_usd",
        alias = "HourlyCostUSD",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Optional declared price; wins over overrides and the catalog when > 0. At most
    /// 100,000.
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100000)]
    pub hourly_cost_usd: Option<Decimal>,
    /// Extension: node labels (zone, region, capacity type, …).
    #[serde(
        rename = "labels",
        alias = "Labels",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<LabelsDoc>)]
    pub labels: Option<BTreeMap<String, String>>,
}

impl AgentPayload {
    /// Decodes the payload into a [`SnapshotDraft`]: what could be read, and an error with
    /// its JSON path for each field that could not. Validation comes after, in the draft.
    pub fn into_draft(self) -> SnapshotDraft {
        let mut errors = Vec::new();
        let timestamp = parse_timestamp(&self.timestamp)
            .map_err(|message| errors.push(FieldError::new("timestamp", message)))
            .ok();
        let interval_seconds = self.interval_seconds.and_then(|seconds| {
            u32::try_from(seconds).ok().or_else(|| {
                errors.push(FieldError::new(
                    "interval_seconds",
                    "must be between 1 and 86400",
                ));
                None
            })
        });
        let pods = self
            .pod_metrics
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, pod)| pod.into_sample(&format!("pod_metrics[{i}]"), &mut errors))
            .collect();
        let nodes = self
            .node_metrics
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, node)| node.into_sample(&format!("node_metrics[{i}]"), &mut errors))
            .collect();
        SnapshotDraft {
            cluster: self.cluster_name,
            timestamp,
            interval_seconds,
            pods,
            nodes,
            errors,
        }
    }
}

fn parse_timestamp(timestamp: &WireTimestamp) -> Result<DateTime<Utc>, String> {
    const EXPECTED: &str = "must be unix seconds (positive) or an RFC3339 timestamp";
    let parsed = match timestamp {
        WireTimestamp::UnixSeconds(seconds) if *seconds > 0 => {
            Utc.timestamp_opt(*seconds, 0).single()
        }
        WireTimestamp::FractionalUnixSeconds(seconds) if seconds.is_finite() && *seconds > 0.0 => {
            // Whole seconds only: sub-second precision carries no meaning for 10-minute samples.
            Utc.timestamp_opt(seconds.trunc() as i64, 0).single()
        }
        WireTimestamp::Rfc3339(text) => DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    };
    parsed.ok_or_else(|| EXPECTED.to_owned())
}

fn non_negative<T>(
    value: i64,
    path: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
    wrap: fn(u64) -> T,
) -> T {
    u64::try_from(value).map(wrap).unwrap_or_else(|_| {
        errors.push(FieldError::new(
            format!("{path}.{field}"),
            "must not be negative",
        ));
        wrap(0)
    })
}

/// A limit of zero means "no limit" in the agent's encoding.
fn optional_limit<T>(
    value: Option<i64>,
    path: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
    wrap: fn(u64) -> T,
) -> Option<T> {
    match value {
        None | Some(0) => None,
        Some(v) => Some(non_negative(v, path, field, errors, wrap)),
    }
}

impl WireFigures {
    fn into_figures(self, path: &str, errors: &mut Vec<FieldError>) -> ResourceFigures {
        ResourceFigures {
            cpu_usage: non_negative(
                self.cpu_usage_millicores,
                path,
                "cpu_usage_millicores",
                errors,
                Millicores::new,
            ),
            memory_usage: non_negative(
                self.memory_usage_bytes,
                path,
                "memory_usage_bytes",
                errors,
                Bytes::new,
            ),
            cpu_request: non_negative(
                self.cpu_request_millicores,
                path,
                "cpu_request_millicores",
                errors,
                Millicores::new,
            ),
            memory_request: non_negative(
                self.memory_request_bytes,
                path,
                "memory_request_bytes",
                errors,
                Bytes::new,
            ),
            cpu_limit: optional_limit(
                self.cpu_limit_millicores,
                path,
                "cpu_limit_millicores",
                errors,
                Millicores::new,
            ),
            memory_limit: optional_limit(
                self.memory_limit_bytes,
                path,
                "memory_limit_bytes",
                errors,
                Bytes::new,
            ),
        }
    }
}

impl WirePod {
    fn into_sample(self, path: &str, errors: &mut Vec<FieldError>) -> PodSample {
        let labels = self.labels.unwrap_or_default();
        let sent = match (self.controller_kind, self.controller_name) {
            (None, None) => None,
            (kind, name) => Some(Owner {
                kind: kind.unwrap_or_default(),
                name: name.unwrap_or_default(),
            }),
        };
        let owner_inferred = sent.is_none();
        let owner = sent.or_else(|| infer_owner(&self.pod_name, &labels));
        let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let containers = self
            .containers
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let at = format!("{path}.containers[{i}]");
                let restarts = u32::try_from(c.restarts).unwrap_or_else(|_| {
                    errors.push(FieldError::new(
                        format!("{at}.restarts"),
                        "must not be negative",
                    ));
                    0
                });
                ContainerSample {
                    name: c.name,
                    figures: c.figures.into_figures(&at, errors),
                    restarts,
                }
            })
            .collect();
        PodSample {
            name: self.pod_name,
            namespace: self.namespace,
            node: (!self.node_name.is_empty()).then_some(self.node_name),
            figures: self.figures.into_figures(path, errors),
            owner_inferred: owner_inferred && owner.is_some(),
            owner,
            labels,
            phase: present(self.phase),
            qos_class: present(self.qos_class),
            containers,
        }
    }
}

impl WireNode {
    fn into_sample(self, path: &str, errors: &mut Vec<FieldError>) -> NodeSample {
        let cpu_capacity = non_negative(
            self.cpu_capacity,
            path,
            "CPUCapacity",
            errors,
            Millicores::new,
        );
        let memory_capacity = non_negative(
            self.memory_capacity,
            path,
            "MemoryCapacity",
            errors,
            Bytes::new,
        );
        // Allocatable is informational; when absent it defaults to capacity.
        let cpu_allocatable = match self.cpu_allocatable {
            0 => cpu_capacity,
            v => non_negative(v, path, "CPUAllocatable", errors, Millicores::new),
        };
        let memory_allocatable = match self.memory_allocatable {
            0 => memory_capacity,
            v => non_negative(v, path, "MemoryAllocatable", errors, Bytes::new),
        };
        NodeSample {
            name: self.node_name,
            instance_type: Some(self.instance_type.trim().to_owned()).filter(|t| !t.is_empty()),
            cpu_capacity,
            memory_capacity,
            cpu_allocatable,
            memory_allocatable,
            hourly_cost: self.hourly_cost_usd.filter(|cost| !cost.is_zero()),
            labels: self.labels.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    use kcost_domain::snapshot::{InvalidSnapshot, Snapshot, SnapshotRules};

    use crate::fixtures::{LABELS, NODES_NULL, SMALL};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap()
    }

    fn parse(json: &str) -> Result<Snapshot, InvalidSnapshot> {
        serde_json::from_str::<AgentPayload>(json)
            .unwrap()
            .into_draft()
            .validate(now(), &SnapshotRules::default())
    }

    #[test]
    fn reference_agent_snapshot_deserializes() {
        let snapshot = parse(SMALL).unwrap();
        assert_eq!(snapshot.cluster().as_str(), "cost-dashboard-dev");
        assert_eq!(
            snapshot.timestamp(),
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
        );
        assert_eq!(snapshot.pods().len(), 24);
        assert_eq!(snapshot.nodes().len(), 4);
        let first = &snapshot.nodes()[0];
        assert_eq!(first.name, "ip-10-0-0-0.ec2.internal");
        assert_eq!(first.instance_type.as_deref(), Some("m5.large"));
        assert_eq!(first.cpu_capacity, Millicores::new(2000));
        assert_eq!(first.memory_capacity, Bytes::new(8_011_055_104));
        assert_eq!(first.cpu_allocatable, Millicores::new(1930));
        assert_eq!(first.hourly_cost, None);
        let types: Vec<_> = snapshot
            .nodes()
            .iter()
            .map(|n| n.instance_type.clone().unwrap())
            .collect();
        assert_eq!(types, ["m5.large", "m5.xlarge", "c5.2xlarge", "t3.medium"]);
    }

    #[test]
    fn the_labelled_agent_form_keeps_labels_phase_qos_containers_and_infers_owners() {
        let snapshot = parse(LABELS).unwrap();
        assert_eq!(snapshot.pods().len(), 8);
        let payments = &snapshot.pods()[2];
        assert_eq!(payments.name, "payments-api-7pt8cn474-kxsrd");
        assert_eq!(
            payments.labels.get("team").map(String::as_str),
            Some("checkout")
        );
        assert_eq!(payments.phase.as_deref(), Some("Running"));
        assert_eq!(payments.qos_class.as_deref(), Some("Burstable"));
        assert_eq!(payments.containers[0].name, "app");
        assert_eq!(
            payments.containers[0].figures.cpu_limit,
            Some(Millicores::new(1000))
        );
        let owner = |i: usize| {
            let pod = &snapshot.pods()[i];
            let owner = pod.owner.clone().expect("inferred owner");
            (owner.kind, owner.name, pod.owner_inferred)
        };
        assert_eq!(owner(2), ("Deployment".into(), "payments-api".into(), true));
        assert_eq!(owner(4), ("StatefulSet".into(), "ml-db".into(), true));
    }

    #[test]
    fn a_sent_owner_is_kept_and_not_marked_inferred() {
        let json = r#"{"cluster_name": "prod", "timestamp": 1795165200,
            "pod_metrics": [{"pod_name": "api-5d9f8c7b6-x2x4z", "namespace": "web",
                "controller_kind": "Rollout", "controller_name": "api-canary", "phase": ""}],
            "node_metrics": [{"NodeName": "n1", "CPUCapacity": 2000, "MemoryCapacity": 8000000000,
                "labels": {"topology.kubernetes.io/zone": "eu-west-1a"}}]}"#;
        let snapshot = parse(json).unwrap();
        let pod = &snapshot.pods()[0];
        assert_eq!(pod.owner.as_ref().map(|o| o.kind.as_str()), Some("Rollout"));
        assert!(!pod.owner_inferred);
        assert_eq!(pod.phase, None, "an empty phase is no phase");
        let zone = snapshot.nodes()[0]
            .labels
            .get("topology.kubernetes.io/zone");
        assert_eq!(zone.map(String::as_str), Some("eu-west-1a"));
    }

    #[test]
    fn pods_without_owner_or_recognisable_name_have_none() {
        let snapshot = parse(SMALL).unwrap();
        let bare = &snapshot.pods()[0];
        assert_eq!(bare.name, "default-app-0-204f8");
        assert_eq!(bare.owner, None);
        assert!(!bare.owner_inferred);
    }

    #[test]
    fn omitted_limits_are_absent_and_present_ones_kept() {
        let snapshot = parse(SMALL).unwrap();
        let default_pod = &snapshot.pods()[0];
        assert_eq!(default_pod.figures.cpu_limit, None);
        assert_eq!(default_pod.figures.memory_limit, None);
        let kube_system = &snapshot.pods()[1];
        assert_eq!(kube_system.figures.cpu_limit, Some(Millicores::new(1000)));
        assert_eq!(kube_system.figures.memory_limit, Some(Bytes::new(1 << 30)));
    }

    #[test]
    fn null_node_metrics_and_pending_pods_deserialize() {
        let snapshot = parse(NODES_NULL).unwrap();
        assert_eq!(snapshot.cluster().as_str(), "edge-cluster");
        assert!(snapshot.nodes().is_empty());
        let pending: Vec<_> = snapshot
            .pods()
            .iter()
            .filter(|p| p.node.is_none())
            .collect();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].name, "ml-app-4-1e43b");
        assert_eq!(pending[0].figures.cpu_request, Millicores::new(1000));
    }

    #[test]
    fn snake_case_seed_form_with_price_and_rfc3339_is_accepted() {
        let json = r#"{
            "cluster_name": "prod", "timestamp": "2026-11-20T09:00:00Z",
            "interval_seconds": 300,
            "pod_metrics": [{"pod_name": "api-1", "namespace": "web", "node_name": "n1",
                "cpu_usage_millicores": 120, "memory_usage_bytes": 1000,
                "controller_kind": "Deployment", "controller_name": "api",
                "labels": {"team": "web"},
                "containers": [{"name": "app", "cpu_usage_millicores": 120, "restarts": 2}]}],
            "node_metrics": [{"node_name": "n1", "instance_type": "custom", "cpu_capacity": 4000,
                "memory_capacity": 17179869184, "hourly_cost_usd": 0.192}],
            "some_future_field": {"ignored": true}
        }"#;
        let snapshot = parse(json).unwrap();
        assert_eq!(snapshot.interval_seconds(), Some(300));
        let node = &snapshot.nodes()[0];
        assert_eq!(node.hourly_cost, Some(Decimal::from_str("0.192").unwrap()));
        assert_eq!(
            node.cpu_allocatable,
            Millicores::new(4000),
            "allocatable defaults to capacity"
        );
        let pod = &snapshot.pods()[0];
        assert_eq!(
            pod.owner,
            Some(Owner {
                kind: "Deployment".into(),
                name: "api".into()
            })
        );
        assert_eq!(pod.labels.get("team").map(String::as_str), Some("web"));
        assert_eq!(pod.containers[0].restarts, 2);
    }

    #[test]
    fn whole_numbers_written_as_floats_are_read_as_integers() {
        let json = r#"{"cluster_name": "c", "timestamp": 1795165200, "interval_seconds": 600.0,
            "pod_metrics": [{"pod_name": "p", "namespace": "n", "cpu_usage_millicores": 250.0,
                "memory_limit_bytes": 1073741824.0,
                "containers": [{"name": "app", "restarts": 3.0}]}],
            "node_metrics": [{"NodeName": "n1", "CPUCapacity": 4000.0,
                "MemoryCapacity": 31637626701.0}]}"#;
        let snapshot = parse(json).unwrap();
        assert_eq!(snapshot.interval_seconds(), Some(600));
        let pod = &snapshot.pods()[0];
        assert_eq!(pod.figures.cpu_usage, Millicores::new(250));
        assert_eq!(pod.figures.memory_limit, Some(Bytes::new(1_073_741_824)));
        assert_eq!(pod.containers[0].restarts, 3);
        assert_eq!(
            snapshot.nodes()[0].memory_capacity,
            Bytes::new(31_637_626_701)
        );
        let fraction = json.replace("250.0", "250.5");
        assert!(serde_json::from_str::<AgentPayload>(&fraction).is_err());
    }

    #[test]
    fn negative_quantities_are_reported_with_their_paths() {
        let json = r#"{"cluster_name": "c", "timestamp": 1795165200,
            "pod_metrics": [{"pod_name": "p", "namespace": "n", "cpu_usage_millicores": -1,
                "memory_limit_bytes": -5}],
            "node_metrics": [{"NodeName": "n1", "CPUCapacity": -2000, "MemoryCapacity": 1}]}"#;
        let err = parse(json).unwrap_err();
        let paths: Vec<_> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pod_metrics[0].cpu_usage_millicores",
                "pod_metrics[0].memory_limit_bytes",
                "node_metrics[0].CPUCapacity",
                // Clamped to zero by the conversion, then refused as non-positive.
                "node_metrics[0].CPUCapacity",
            ]
        );
    }

    #[test]
    fn bad_timestamps_are_refused() {
        for ts in ["0", "-5", "\"yesterday\"", "\"2026-13-01T00:00:00Z\""] {
            let json = format!(r#"{{"cluster_name": "c", "timestamp": {ts}}}"#);
            let err = parse(&json).unwrap_err();
            assert_eq!(err.errors[0].path, "timestamp", "for {ts}");
        }
        let future = r#"{"cluster_name": "c", "timestamp": 1895165200}"#;
        assert_eq!(parse(future).unwrap_err().errors[0].path, "timestamp");
    }

    #[test]
    fn negative_interval_is_refused() {
        let json = r#"{"cluster_name": "c", "timestamp": 1795165200, "interval_seconds": -1}"#;
        assert_eq!(parse(json).unwrap_err().errors[0].path, "interval_seconds");
    }

    #[test]
    fn serializes_nodes_in_the_reference_agents_form() {
        let payload: AgentPayload = serde_json::from_str(SMALL).unwrap();
        let json = serde_json::to_value(&payload).unwrap();
        let node = &json["node_metrics"][0];
        assert_eq!(node["NodeName"], "ip-10-0-0-0.ec2.internal");
        assert_eq!(node["CPUCapacity"], 2000);
        assert!(json["pod_metrics"][0].get("cpu_limit_millicores").is_none());
        let again: AgentPayload = serde_json::from_value(json).unwrap();
        assert_eq!(again, payload);
    }
}
