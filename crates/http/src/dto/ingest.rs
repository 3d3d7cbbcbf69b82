//! The answer of `POST /v1/ingest`. The request body is the agent contract's
//! `AgentPayload` (crate `kcost-agent-contract`), documented in OpenAPI from that very type.

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
