//! Bodies of `POST /v1/ingest`.
//!
//! The request body is parsed into the domain's `AgentPayload`, the wire contract shared
//! with the agent simulator; the schemas here only document it for OpenAPI.

use chrono::{DateTime, Utc};
use kcost_app::ingest::IngestReceipt;
use kcost_app::ports::AppendOutcome;
use serde::Serialize;
use utoipa::ToSchema;

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
/// informational `namespace_costs`, are ignored.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documentation only.
pub struct IngestPayloadDoc {
    #[schema(example = "prod-eu-1")]
    pub cluster_name: String,
    /// Unix seconds (the reference agent) or an RFC3339 timestamp.
    #[schema(value_type = Object, example = 1795165200)]
    pub timestamp: serde_json::Value,
    pub pod_metrics: Option<Vec<PodMetricDoc>>,
    /// `null` when the agent could not list nodes. Entries use the reference agent's Go
    /// field names (`NodeName`, `InstanceType`, `CPUCapacity`, …) or snake_case.
    pub node_metrics: Option<Vec<NodeMetricDoc>>,
    /// Extension: the agent's sample period in seconds.
    pub interval_seconds: Option<i64>,
}

/// One pod (documentation only).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PodMetricDoc {
    /// A DNS subdomain, as Kubernetes names pods (no control characters).
    #[schema(max_length = 253)]
    pub pod_name: String,
    /// A DNS label, as Kubernetes names namespaces (no control characters).
    #[schema(max_length = 63)]
    pub namespace: String,
    /// Empty for pending pods.
    #[schema(max_length = 253)]
    pub node_name: String,
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_usage_millicores: i64,
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_usage_bytes: i64,
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_request_millicores: i64,
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_request_bytes: i64,
    /// Omitted when zero.
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub cpu_limit_millicores: Option<i64>,
    /// Omitted when zero.
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub memory_limit_bytes: Option<i64>,
    /// Keys and values by Kubernetes' label syntax.
    pub labels: Option<std::collections::BTreeMap<String, String>>,
    pub controller_kind: Option<String>,
    pub controller_name: Option<String>,
}

/// One node as the reference agent sends it (documentation only); snake_case aliases
/// `node_name`, `instance_type`, `cpu_capacity`, `memory_capacity`, … are accepted too.
#[derive(Debug, ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct NodeMetricDoc {
    pub Timestamp: Option<String>,
    pub ClusterName: Option<String>,
    #[schema(max_length = 253)]
    pub NodeName: String,
    #[schema(max_length = 63)]
    pub InstanceType: String,
    /// Millicores.
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub CPUCapacity: i64,
    /// Bytes.
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub MemoryCapacity: i64,
    #[schema(minimum = 0, maximum = 1099511627776.0)]
    pub CPUAllocatable: i64,
    #[schema(minimum = 0, maximum = 70368744177664.0)]
    pub MemoryAllocatable: i64,
    /// Optional declared price; wins over overrides and the catalog when > 0.
    pub hourly_cost_usd: Option<f64>,
}
