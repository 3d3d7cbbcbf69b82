//! Bodies of `POST /v1/ingest`.
//!
//! The request body is parsed into the domain's `AgentPayload`, the wire contract shared
//! with the agent simulator; the schemas here only document it for OpenAPI.

use chrono::{DateTime, Utc};
use kcost_app::ingest::IngestReceipt;
use kcost_app::ports::AppendOutcome;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

use super::query::{RFC3339_PATTERN, pattern_string};

/// `202 Accepted` (stored) or `200 OK` (the same cluster and timestamp were already
/// stored; nothing changed).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestResponse {
    /// `accepted` or `duplicate`.
    #[schema(example = "accepted")]
    pub status: &'static str,
    pub cluster_name: String,
    pub snapshot_time: DateTime<Utc>,
    /// Pods in the snapshot.
    pub pods: usize,
    /// Nodes in the snapshot.
    pub nodes: usize,
    /// Seconds of time this snapshot stands for in cost sums.
    pub sample_seconds: u32,
}

impl IngestResponse {
    pub fn new(cluster_name: String, receipt: &IngestReceipt) -> Self {
        Self {
            status: match receipt.outcome {
                AppendOutcome::Stored => "accepted",
                AppendOutcome::Duplicate => "duplicate",
            },
            cluster_name,
            snapshot_time: receipt.snapshot_time,
            pods: receipt.pods,
            nodes: receipt.nodes,
            sample_seconds: receipt.duration.seconds,
        }
    }
}

/// The agent's snapshot (documentation of the accepted body). Unknown fields, such as the
/// informational `namespace_costs`, are ignored. Rules a schema cannot state, answered with
/// 422 naming the field: `timestamp` at most `ingest.max_clock_skew_seconds` in the future
/// and not before the retention horizon; a pod (namespace and name) and a node (name) at most
/// once per snapshot; `controller_kind` and `controller_name` both or neither.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)] // Documentation only.
pub struct IngestPayloadDoc {
    #[schema(value_type = ClusterNameDoc, example = "prod-eu-1")]
    pub cluster_name: String,
    #[schema(value_type = SnapshotTimeDoc)]
    pub timestamp: serde_json::Value,
    pub pod_metrics: Option<Vec<PodMetricDoc>>,
    /// `null` when the agent could not list nodes. Entries use the reference agent's Go
    /// field names (`NodeName`, `InstanceType`, `CPUCapacity`, …) or snake_case.
    pub node_metrics: Option<Vec<NodeMetricDoc>>,
    /// Extension: the agent's sample period in seconds.
    #[schema(minimum = 1, maximum = 86400)]
    pub interval_seconds: Option<i64>,
}

/// A snapshot's time: Unix seconds (the reference agent) or an RFC3339 timestamp.
#[derive(Debug)]
pub struct SnapshotTimeDoc;

impl PartialSchema for SnapshotTimeDoc {
    fn schema() -> RefOr<Schema> {
        let unix = ObjectBuilder::new()
            .schema_type(Type::Number)
            .exclusive_minimum(Some(0))
            .maximum(Some(253_402_300_799_i64));
        let text = pattern_string(RFC3339_PATTERN, "")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
        OneOfBuilder::new()
            .item(unix)
            .item(text)
            .description(Some(
                "Unix seconds (the reference agent) or an RFC3339 timestamp; at most \
                 `ingest.max_clock_skew_seconds` ahead of the server's clock and not before \
                 the retention horizon (else 422).",
            ))
            .examples([serde_json::json!(1795165200)])
            .into()
    }
}

impl ToSchema for SnapshotTimeDoc {}

/// Not blank, no control characters (`Cc`), at most `max` characters; `may_be_empty` also
/// allows `""`. The server checks exactly this (`kubernetes_names::name_problem` and the
/// blank checks) and answers 422 naming the field otherwise.
fn name_schema(max: usize, may_be_empty: bool, description: &str) -> RefOr<Schema> {
    const NOT_BLANK: &str =
        "[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*";
    let pattern = if may_be_empty {
        format!("^({NOT_BLANK})?$")
    } else {
        format!("^{NOT_BLANK}$")
    };
    pattern_string(pattern, description)
        .max_length(Some(max))
        .into()
}

/// Documents a string field kcost stores as a name, by [`name_schema`].
macro_rules! name_doc {
    ($name:ident, $max:expr, $may_be_empty:expr, $description:expr) => {
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                name_schema($max, $may_be_empty, $description)
            }
        }

        impl ToSchema for $name {}
    };
}

name_doc!(
    ClusterNameDoc,
    253,
    false,
    "1–253 characters, not blank, no control characters."
);
name_doc!(
    ObjectNameDoc,
    253,
    false,
    "A Kubernetes object name: 1–253 characters, not blank, no control characters."
);
name_doc!(
    ShortNameDoc,
    63,
    false,
    "A namespace or container name: 1–63 characters, not blank, no control characters."
);
name_doc!(
    NodeRefDoc,
    253,
    true,
    "The pod's node, or empty for a pending pod: at most 253 characters, not blank, no \
     control characters."
);

/// An instance type: at most 63 characters, no control characters, empty when unknown.
#[derive(Debug)]
pub struct InstanceTypeDoc;

impl PartialSchema for InstanceTypeDoc {
    fn schema() -> RefOr<Schema> {
        pattern_string(
            "^[^\\x00-\\x1F\\x7F-\\x9F]{0,63}$",
            "At most 63 characters, no control characters; empty when unknown.",
        )
        .max_length(Some(63))
        .into()
    }
}

impl ToSchema for InstanceTypeDoc {}

/// Kubernetes labels: keys `[prefix/]name` (prefix a DNS subdomain, name 1–63 of
/// `[A-Za-z0-9-_.]`, alphanumeric at both ends), values empty or like a key's name.
#[derive(Debug)]
pub struct LabelsDoc;

/// A label key, as Kubernetes' validation accepts it.
const LABEL_KEY_PATTERN: &str = "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?){0,3}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
/// A label value.
const LABEL_VALUE_PATTERN: &str = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";

impl PartialSchema for LabelsDoc {
    fn schema() -> RefOr<Schema> {
        let value = pattern_string(LABEL_VALUE_PATTERN, "");
        let key = pattern_string(LABEL_KEY_PATTERN, "");
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(key))
            .additional_properties(Some(value))
            .description(Some(
                "Kubernetes labels: keys `[prefix/]name` (prefix a DNS subdomain of at most \
                 253 characters, name 1–63 of `[A-Za-z0-9-_.]`, alphanumeric at both ends); \
                 values empty or like a key's name (else 422).",
            ))
            .examples([serde_json::json!({"app": "payments", "team": "core"})])
            .into()
    }
}

impl ToSchema for LabelsDoc {}

/// One pod (documentation only).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct PodMetricDoc {
    #[schema(value_type = ObjectNameDoc)]
    pub pod_name: String,
    #[schema(value_type = ShortNameDoc)]
    pub namespace: String,
    /// Empty or absent for pending pods.
    #[serde(default)]
    #[schema(value_type = NodeRefDoc)]
    pub node_name: String,
    #[serde(flatten)]
    pub figures: FiguresDoc,
    #[schema(value_type = Option<LabelsDoc>)]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
    /// The owner's kind (`Deployment`, …); with `controller_name`, or inferred from the
    /// pod's name and labels when both are absent.
    #[schema(value_type = Option<ObjectNameDoc>)]
    pub controller_kind: Option<String>,
    #[schema(value_type = Option<ObjectNameDoc>)]
    pub controller_name: Option<String>,
    /// The agent's later form: one entry per container.
    pub containers: Option<Vec<ContainerMetricDoc>>,
    /// The agent's later form: `Running`, `Pending`, … (informational).
    pub phase: Option<String>,
    /// The agent's later form: `Guaranteed`, `Burstable` or `BestEffort` (informational).
    pub qos_class: Option<String>,
}

/// Usage, requests and limits, as pods and containers both carry them (documentation
/// only): CPU in millicores up to 2⁴⁰, memory in bytes up to 2⁴⁶ (else 422).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct FiguresDoc {
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    #[serde(default)]
    pub cpu_usage_millicores: i64,
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    #[serde(default)]
    pub memory_usage_bytes: i64,
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    #[serde(default)]
    pub cpu_request_millicores: i64,
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    #[serde(default)]
    pub memory_request_bytes: i64,
    /// Omitted when zero.
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_limit_millicores: Option<i64>,
    /// Omitted when zero.
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_limit_bytes: Option<i64>,
}

/// One container of a pod (documentation only).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ContainerMetricDoc {
    /// Also accepted as `name`.
    #[schema(value_type = ShortNameDoc)]
    pub container_name: String,
    #[serde(flatten)]
    pub figures: FiguresDoc,
    /// Restarts so far (also accepted as `restart_count`).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 4294967295_i64)]
    pub restarts: i64,
}

/// One node as the reference agent sends it (documentation only); snake_case aliases
/// `node_name`, `instance_type`, `cpu_capacity`, `memory_capacity`, … are accepted too.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct NodeMetricDoc {
    /// Informational.
    pub Timestamp: Option<String>,
    /// Informational: the snapshot's `cluster_name` applies.
    pub ClusterName: Option<String>,
    #[schema(value_type = ObjectNameDoc)]
    pub NodeName: String,
    /// Empty or absent when unknown.
    #[serde(default)]
    #[schema(value_type = InstanceTypeDoc)]
    pub InstanceType: String,
    /// Millicores.
    #[schema(minimum = 1, maximum = 1099511627776.0)]
    pub CPUCapacity: i64,
    /// Bytes.
    #[schema(minimum = 1, maximum = 70368744177664.0)]
    pub MemoryCapacity: i64,
    /// Defaults to `CPUCapacity`.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub CPUAllocatable: i64,
    /// Defaults to `MemoryCapacity`.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub MemoryAllocatable: i64,
    /// Optional declared price; wins over overrides and the catalog when > 0. At most
    /// 100,000.
    #[schema(minimum = 0, maximum = 100000)]
    pub hourly_cost_usd: Option<f64>,
    #[schema(value_type = Option<LabelsDoc>)]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}
