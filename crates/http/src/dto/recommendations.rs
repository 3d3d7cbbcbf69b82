//! Query parameters and bodies of `/v1/recommendations*`.
//!
//! Field names follow seed 1's recommendation record in snake_case (`cluster_name`,
//! `namespace`, `pod_name`, `resource_type`, `current_request`, `recommended_request`,
//! `potential_savings_usd`, `confidence`, `reason`, `status`, `created_at`), with the
//! workload, the unit, a ready `kubectl` command and the lifecycle fields added.

use chrono::{DateTime, Utc};
use kcost_app::recommendations::{GenerateOutcome, RiskProfile, WorkloadAdvice};
use kcost_domain::recommendation::{Recommendation, Resource};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Usd;
use super::query::ClusterFilter;

/// `GET /v1/recommendations` filters and page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationListParams {
    /// `open`, `applied` or `dismissed`; all when absent or blank.
    #[param(pattern = "^(|open|applied|dismissed)$")]
    pub status: Option<String>,
    #[param(value_type = Option<ClusterFilter>)]
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 1000000000)]
    pub offset: Option<u64>,
}

/// `POST /v1/recommendations/generate` parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GenerateParams {
    /// Hours of usage history to read (default 24, as in seed 1; a week gives full
    /// confidence; at most 2160).
    #[param(minimum = 1, maximum = 2160)]
    pub lookback_hours: Option<u32>,
    /// Only this cluster.
    #[param(value_type = Option<ClusterFilter>)]
    pub cluster: Option<String>,
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Risk profile: `conservative`, `balanced` (default) or `aggressive`; or a target
    /// share of OOM-free pod-days from 0 to 1 (at most 6 decimals, e.g. `0.995`), answered
    /// with the least conservative profile whose OOM-free pod-days on the training trace
    /// meet it (conservative 100.00%, balanced 99.89%, aggressive 97.50%; see
    /// docs/recommender.md). The response's `profile` names the profile used.
    // Exactly what the route accepts: every target from 0 to 1 is met by some profile
    // because the conservative one reached 100% (a target above 1 is a 400 naming it).
    #[param(pattern = "^(|conservative|balanced|aggressive|0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$")]
    pub profile: Option<String>,
}

/// Optional body of `POST /v1/recommendations/{id}/dismiss`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DismissRequest {
    /// Why it does not apply (kept with the recommendation; at most 1000 characters).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// One right-sizing recommendation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationDto {
    pub id: Uuid,
    pub cluster_name: String,
    pub namespace: String,
    /// The pod, when the advice is for a single pod rather than a workload.
    pub pod_name: Option<String>,
    /// Owner kind (`Deployment`, `StatefulSet`, …), when known.
    pub workload_kind: Option<String>,
    pub workload_name: Option<String>,
    pub container: Option<String>,
    /// `cpu` or `memory`.
    pub resource_type: &'static str,
    /// `millicores` (cpu) or `bytes` (memory).
    pub unit: &'static str,
    /// Current request per pod, in `unit`.
    pub current_request: u64,
    /// Recommended request per pod, in `unit`.
    pub recommended_request: u64,
    /// Monthly (730 h) saving in USD; negative when the advice is to request more.
    pub monthly_savings_usd: Usd,
    /// Same as `monthly_savings_usd`; seed 1's name.
    pub potential_savings_usd: Usd,
    /// 0–1; grows with the length and steadiness of the history.
    pub confidence: f64,
    pub reason: String,
    /// `open`, `applied` or `dismissed`.
    pub status: &'static str,
    /// The change as a command (requests only; review before running).
    pub kubectl_command: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Key id that applied or dismissed it.
    pub closed_by: Option<String>,
    /// Reason given when dismissing.
    pub close_reason: Option<String>,
}

impl From<&Recommendation> for RecommendationDto {
    fn from(recommendation: &Recommendation) -> Self {
        let target = &recommendation.target;
        let savings = Usd::from(recommendation.monthly_savings);
        Self {
            id: *recommendation.id.as_uuid(),
            cluster_name: target.cluster.as_str().to_owned(),
            namespace: target.namespace.clone(),
            pod_name: target.pod.clone(),
            workload_kind: target.workload.as_ref().map(|(kind, _)| kind.clone()),
            workload_name: target.workload.as_ref().map(|(_, name)| name.clone()),
            container: target.container.clone(),
            resource_type: recommendation.resource.as_str(),
            unit: match recommendation.resource {
                Resource::Cpu => "millicores",
                Resource::Memory => "bytes",
            },
            current_request: recommendation.current,
            recommended_request: recommendation.recommended,
            monthly_savings_usd: savings,
            potential_savings_usd: savings,
            confidence: recommendation
                .confidence
                .value()
                .round_dp(3)
                .to_f64()
                .unwrap_or_default(),
            reason: recommendation.reason.clone(),
            status: recommendation.status.as_str(),
            kubectl_command: recommendation.kubectl_command(),
            created_at: recommendation.created_at,
            updated_at: recommendation.updated_at,
            closed_by: recommendation.closed_by.clone(),
            close_reason: recommendation.close_reason.clone(),
        }
    }
}

/// One page of recommendations, largest saving first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationListResponse {
    pub recommendations: Vec<RecommendationDto>,
    /// How many match the filters in all.
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// What `POST /v1/recommendations/generate` did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GenerateResponse {
    /// `recommendations generated` (seed 1's text).
    #[schema(example = "recommendations generated")]
    pub status: &'static str,
    pub lookback_hours: u32,
    /// The risk profile the advice was computed with.
    #[schema(example = "balanced")]
    pub profile: &'static str,
    /// New open recommendations.
    pub created: usize,
    /// Open recommendations updated in place (same id).
    pub refreshed: usize,
    /// Dismissed recommendations left dismissed (the advice has not changed materially).
    pub kept_dismissed: usize,
    /// Open recommendations for a multi-container workload as a whole, dismissed now that
    /// each of its containers is advised on its own.
    pub superseded: usize,
    /// Targets without enough history for advice.
    pub skipped: usize,
    /// Σ monthly savings of `recommendations`.
    pub total_monthly_savings_usd: Usd,
    /// Every open recommendation created or refreshed, largest saving first.
    pub recommendations: Vec<RecommendationDto>,
    /// Every advised workload as one change (both resources), or one per container for a
    /// workload whose pods have several containers with their usage sent; largest saving
    /// first.
    pub workloads: Vec<WorkloadAdviceDto>,
}

/// One workload's (or one of its containers') advice as one change: both requests and the
/// memory limit on the container (kcost's limits policy: memory limit = request, no CPU
/// limit).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkloadAdviceDto {
    pub cluster_name: String,
    pub namespace: String,
    /// Owner kind (`Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, …).
    pub workload_kind: Option<String>,
    pub workload_name: Option<String>,
    /// The pod, for a pod without an owner.
    pub pod_name: Option<String>,
    /// The container: the one advised, for a workload whose pods have several containers
    /// (each advised from its own usage across all replicas); else the workload's only
    /// container, when every replica has exactly one and they agree.
    pub container: Option<String>,
    pub current_cpu_request_millicores: u64,
    pub recommended_cpu_request_millicores: u64,
    pub current_memory_request_bytes: u64,
    pub recommended_memory_request_bytes: u64,
    pub recommended_memory_limit_bytes: u64,
    /// Replicas running at the latest sample.
    pub replicas: u32,
    /// Monthly (730 h) saving of both resources for every replica; negative for an increase.
    pub monthly_savings_usd: Usd,
    /// `kubectl set resources <kind>/<name> -n <ns> -c <container> --requests=cpu=…,memory=…
    /// --limits=memory=…`; null for a workload with several containers whose usage per
    /// container was not sent (the advice is then for the pod as a whole).
    pub kubectl_command: Option<String>,
    /// Strategic-merge patch of the pod template (`kubectl patch <kind>/<name> -n <ns>
    /// --type strategic -p '<patch>'`); also removes a CPU limit; null unless the container
    /// is known.
    pub strategic_merge_patch: Option<String>,
}

impl From<&WorkloadAdvice> for WorkloadAdviceDto {
    fn from(advice: &WorkloadAdvice) -> Self {
        let target = &advice.target;
        Self {
            cluster_name: target.cluster.as_str().to_owned(),
            namespace: target.namespace.clone(),
            workload_kind: target.workload.as_ref().map(|(kind, _)| kind.clone()),
            workload_name: target.workload.as_ref().map(|(_, name)| name.clone()),
            pod_name: target.pod.clone(),
            container: target.container.clone(),
            current_cpu_request_millicores: advice.current_cpu_millicores,
            recommended_cpu_request_millicores: advice.change.cpu_request_millicores,
            current_memory_request_bytes: advice.current_memory_bytes,
            recommended_memory_request_bytes: advice.change.memory_request_bytes,
            recommended_memory_limit_bytes: advice.change.memory_limit_bytes,
            replicas: advice.replicas,
            monthly_savings_usd: Usd::from(advice.monthly_savings),
            kubectl_command: advice.kubectl_command.clone(),
            strategic_merge_patch: advice.patch.clone(),
        }
    }
}

impl GenerateResponse {
    pub fn new(lookback_hours: u32, profile: RiskProfile, outcome: &GenerateOutcome) -> Self {
        Self {
            status: "recommendations generated",
            lookback_hours,
            profile: profile.as_str(),
            created: outcome.created,
            refreshed: outcome.refreshed,
            kept_dismissed: outcome.kept_dismissed,
            superseded: outcome.superseded,
            skipped: outcome.skipped.len(),
            total_monthly_savings_usd: Usd::from(outcome.total_monthly_savings),
            recommendations: outcome
                .recommendations
                .iter()
                .map(RecommendationDto::from)
                .collect(),
            workloads: outcome
                .workloads
                .iter()
                .map(WorkloadAdviceDto::from)
                .collect(),
        }
    }
}
