//! Right-sizing recommendations for one tenant: generate them from usage history, list,
//! read, apply and dismiss them.
//!
//! Generation reads every pod's usage over the lookback, pools replicas per workload, asks
//! `kcost-recommender` for advice, prices it at the rates the pods ran at, and upserts one
//! recommendation per target and resource:
//! - no earlier one: a new open recommendation, if the change is worth making
//!   ([`worth_recommending`]);
//! - an open one: refreshed in place (same id, new numbers), so regenerating never
//!   duplicates;
//! - a dismissed one: left dismissed unless the advice changed *materially* since
//!   ([`changed_materially`]): it now points the other way (a saving became a needed
//!   increase, or back), or its value moved by more than [`MATERIAL_CHANGE`] (and by more
//!   than the resource's noise floor). Then a new open recommendation is created; the
//!   dismissal stays on record.
//!
//! A workload whose pods have two or more containers, with their containers' usage stored
//! (agents send `containers`), is advised per container instead ([`containers`]): each
//! container's series pooled across all replicas, one recommendation per (workload,
//! container, resource), priced at the pod's per-unit rates (so each container's saving is
//! its share of the pod's).
//!
//! Each generation also answers per workload, or per container of one
//! ([`WorkloadAdvice`]): both requests and the memory limit as one `kubectl set resources`
//! command and one strategic-merge patch, with the monthly saving of both. For a workload
//! advised as a whole, the container is named when every replica has exactly one and they
//! agree (from the stored pod descriptions); one with several containers but no container
//! usage gets no command, because the advice is for the pod as a whole.

mod containers;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use kcost_domain::api_key::{AuthError, AuthenticatedKey, Scope};
use kcost_domain::costs::CostFilter;
use kcost_domain::description::StoredPod;
use kcost_domain::money::Money;
use kcost_domain::pricing::ResourceRates;
use kcost_domain::recommendation::{
    Confidence, Recommendation, RecommendationId, RecommendationStatus, RecommendationTarget,
    Resource, TransitionError,
};
use kcost_domain::resource_change::ResourceChange;
use kcost_domain::window::TimeWindow;
use kcost_ports::BackendFailure;
use kcost_ports::{
    Clock, MetricsStore, Page, RecommendationFilter, RecommendationPage, RecommendationRepository,
    RecommendationRepositoryError,
};
use kcost_recommender::savings::monthly_savings;

use crate::query_cache::QueryCache;
pub use kcost_recommender::RiskProfile;
pub use kcost_recommender::right_size::OomFreeTarget;
use kcost_recommender::{
    Advice, History, KcostRecommender, ResourceAdvice, WorkloadUsage, group_by_workload,
};
use uuid::Uuid;

/// Longest lookback accepted (90 days): the recommender weighs the last two weeks most.
pub const MAX_LOOKBACK_HOURS: u32 = 90 * 24;
/// A lookback that gives full confidence (a week); the seed's default of 24 h also works,
/// with reduced confidence.
pub const RECOMMENDED_LOOKBACK_HOURS: u32 = 7 * 24;
/// A change smaller than this fraction of the current request is not worth a recommendation.
pub const WORTHWHILE_CHANGE: f64 = 0.10;
/// A dismissed recommendation comes back only if the advice moved by more than this fraction.
pub const MATERIAL_CHANGE: f64 = 0.25;
/// Longest dismissal reason kept.
pub const MAX_REASON_CHARS: usize = 1000;

/// Absolute noise floors: below these, differences are not worth anyone's attention.
const CPU_FLOOR_MILLICORES: u64 = 10;
const MEMORY_FLOOR_BYTES: u64 = 32 << 20;

/// Why a recommendation request failed.
#[derive(Debug, thiserror::Error)]
pub enum RecommendationError {
    #[error(transparent)]
    Forbidden(#[from] AuthError),
    #[error("{0}")]
    Invalid(String),
    /// No recommendation with this id belongs to the key's tenant.
    #[error("recommendation not found")]
    NotFound,
    /// Applying or dismissing a recommendation that is no longer open.
    #[error(transparent)]
    AlreadyClosed(#[from] TransitionError),
    /// Someone else applied or dismissed it at the same moment.
    #[error("recommendation was changed concurrently; reload it and try again")]
    ChangedConcurrently,
    /// A store failed to answer (unavailable: the caller may retry).
    #[error(transparent)]
    Failed(#[from] BackendFailure),
}

kcost_ports::carries_backend_failure!(RecommendationError);

impl From<RecommendationRepositoryError> for RecommendationError {
    fn from(error: RecommendationRepositoryError) -> Self {
        match error {
            RecommendationRepositoryError::NotFound => Self::NotFound,
            RecommendationRepositoryError::Conflict => Self::ChangedConcurrently,
            RecommendationRepositoryError::Failed(failure) => Self::Failed(failure),
        }
    }
}

/// What to generate recommendations for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    /// Hours of history to read, 1..=[`MAX_LOOKBACK_HOURS`].
    pub lookback_hours: u32,
    /// Optionally one cluster and/or namespace.
    pub filter: CostFilter,
    /// How much risk the advice may take (docs/recommender.md, "Risk profiles"); `None`
    /// uses the service's recommender (the balanced profile unless configured otherwise).
    pub profile: Option<RiskProfile>,
}

/// A target that got no advice, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedTarget {
    pub target: RecommendationTarget,
    pub reason: String,
}

/// One workload's advice as one change to apply (both resources at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadAdvice {
    /// The workload (or unowned pod); `container` is set when the advice is for one
    /// container of a multi-container workload, or when the workload's only container is
    /// known.
    pub target: RecommendationTarget,
    pub current_cpu_millicores: u64,
    pub current_memory_bytes: u64,
    /// Requests and memory limit to set, per replica.
    pub change: ResourceChange,
    /// Replicas running at the latest sample (the savings count every one).
    pub replicas: u32,
    /// Monthly (730 h) saving of both resources; negative for an increase.
    pub monthly_savings: Money,
    /// `kubectl set resources …` (with `-c <container>` when it is known); `None` for a
    /// workload with several containers advised as a whole (no container usage stored).
    pub kubectl_command: Option<String>,
    /// Strategic-merge patch of the pod template; `None` unless the container is known.
    pub patch: Option<String>,
}

/// What a generation run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GenerateOutcome {
    /// Every open recommendation this run created or refreshed, largest saving first.
    pub recommendations: Vec<Recommendation>,
    pub created: usize,
    pub refreshed: usize,
    /// Dismissed recommendations whose advice has not changed materially.
    pub kept_dismissed: usize,
    /// Targets without advice (too little history).
    pub skipped: Vec<SkippedTarget>,
    /// Every advised workload as one change, largest saving first (including workloads whose
    /// per-resource changes are too small to become recommendations).
    pub workloads: Vec<WorkloadAdvice>,
    /// Σ monthly savings of `recommendations` (increases count negative).
    pub total_monthly_savings: Money,
}

/// The recommendation use cases.
pub struct Recommendations {
    metrics: Arc<dyn MetricsStore>,
    repository: Arc<dyn RecommendationRepository>,
    clock: Arc<dyn Clock>,
    recommender: KcostRecommender,
    /// Cached answers (Kubecent's savings among them) read recommendations: every change
    /// makes the tenant's cached answers unreachable.
    query_cache: Arc<QueryCache>,
}

impl std::fmt::Debug for Recommendations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recommendations")
            .field("recommender", &self.recommender)
            .finish_non_exhaustive()
    }
}

impl Recommendations {
    pub fn new(
        metrics: Arc<dyn MetricsStore>,
        repository: Arc<dyn RecommendationRepository>,
        clock: Arc<dyn Clock>,
        recommender: KcostRecommender,
        query_cache: Arc<QueryCache>,
    ) -> Self {
        Self {
            metrics,
            repository,
            clock,
            recommender,
            query_cache,
        }
    }

    /// Generates and upserts recommendations (needs `recommendations:write`).
    #[tracing::instrument(name = "generate_recommendations", skip_all, fields(tenant = %key.tenant_id, lookback = request.lookback_hours))]
    pub async fn generate(
        &self,
        key: &AuthenticatedKey,
        request: GenerateRequest,
    ) -> Result<GenerateOutcome, RecommendationError> {
        key.require(Scope::RecommendationsWrite)?;
        if !(1..=MAX_LOOKBACK_HOURS).contains(&request.lookback_hours) {
            return Err(RecommendationError::Invalid(format!(
                "lookback_hours must be between 1 and {MAX_LOOKBACK_HOURS}"
            )));
        }
        let tenant = key.tenant_id;
        let now = self.clock.now();
        let window = TimeWindow::new(
            now - Duration::hours(i64::from(request.lookback_hours)),
            now,
        )
        .map_err(|e| RecommendationError::Invalid(e.to_string()))?;
        let series = self
            .metrics
            .usage_series(tenant, &window, &request.filter)
            .await?;
        let recommender = request
            .profile
            .map_or(self.recommender, KcostRecommender::for_profile);
        let container_series = self
            .metrics
            .container_usage_series(tenant, &window, &request.filter)
            .await?;
        let descriptions = self
            .metrics
            .pod_descriptions(tenant, &request.filter)
            .await?;
        let mut outcome = GenerateOutcome::default();
        for workload in group_by_workload(&series) {
            let per_container = containers::per_container(&workload, &container_series);
            if per_container.is_empty() {
                self.advise(
                    key,
                    &recommender,
                    &workload,
                    &descriptions,
                    now,
                    &mut outcome,
                )
                .await?;
            }
            for container in &per_container {
                self.advise(
                    key,
                    &recommender,
                    container,
                    &descriptions,
                    now,
                    &mut outcome,
                )
                .await?;
            }
        }
        outcome
            .workloads
            .sort_by_key(|w| std::cmp::Reverse(w.monthly_savings));
        outcome.recommendations.sort_by(|a, b| {
            b.monthly_savings
                .cmp(&a.monthly_savings)
                .then(a.id.cmp(&b.id))
        });
        outcome.total_monthly_savings = outcome
            .recommendations
            .iter()
            .map(|r| r.monthly_savings)
            .sum();
        self.query_cache.invalidate(tenant).await;
        Ok(outcome)
    }

    /// Advises one workload (or one container of it): its recommendations upserted and its
    /// change listed, or the reason it got no advice.
    async fn advise(
        &self,
        key: &AuthenticatedKey,
        recommender: &KcostRecommender,
        workload: &WorkloadUsage<'_>,
        descriptions: &[StoredPod],
        now: DateTime<Utc>,
        outcome: &mut GenerateOutcome,
    ) -> Result<(), RecommendationError> {
        let points = workload.merged_points();
        // The metrics store does not report restarts or OOM kills yet.
        let history = History {
            points: &points,
            ooms: &[],
            restarts: 0,
            now,
        };
        let advice = match recommender.advise(&history) {
            Ok(advice) => advice,
            Err(no_advice) => {
                outcome.skipped.push(SkippedTarget {
                    target: workload.target.clone(),
                    reason: no_advice.to_string(),
                });
                return Ok(());
            }
        };
        for resource in [Resource::Cpu, Resource::Memory] {
            self.upsert(key, workload, &advice, resource, outcome)
                .await?;
        }
        outcome
            .workloads
            .push(workload_advice(workload, &advice, descriptions));
        Ok(())
    }

    async fn upsert(
        &self,
        key: &AuthenticatedKey,
        workload: &WorkloadUsage<'_>,
        advice: &Advice,
        resource: Resource,
        outcome: &mut GenerateOutcome,
    ) -> Result<(), RecommendationError> {
        let tenant = key.tenant_id;
        let now = self.clock.now();
        let fresh = advice.resource(resource);
        let rates = workload
            .rates()
            .unwrap_or_else(ResourceRates::opencost_defaults);
        let savings = monthly_savings(
            resource,
            fresh.current,
            fresh.recommended,
            &rates,
            workload.running_replicas(),
        );
        let confidence = Confidence::new(advice.confidence)
            .map_err(|e| RecommendationError::unexpected(anyhow::Error::new(e)))?;
        let reason = stored_reason(fresh, advice);
        let latest = self
            .repository
            .latest_for_target(tenant, &workload.target, resource)
            .await?;
        let record = match latest {
            Some(mut open) if open.status == RecommendationStatus::Open => {
                open.current = fresh.current;
                open.recommended = fresh.recommended;
                open.monthly_savings = savings;
                open.confidence = confidence;
                open.reason = reason;
                open.updated_at = now;
                outcome.refreshed += 1;
                open
            }
            Some(dismissed)
                if dismissed.status == RecommendationStatus::Dismissed
                    && !changed_materially(&dismissed, fresh) =>
            {
                outcome.kept_dismissed += 1;
                return Ok(());
            }
            _ if !worth_recommending(fresh) => return Ok(()),
            _ => {
                outcome.created += 1;
                Recommendation {
                    id: RecommendationId::from_uuid(Uuid::new_v4()),
                    tenant_id: tenant,
                    target: workload.target.clone(),
                    resource,
                    current: fresh.current,
                    recommended: fresh.recommended,
                    monthly_savings: savings,
                    confidence,
                    reason,
                    status: RecommendationStatus::Open,
                    created_at: now,
                    updated_at: now,
                    closed_by: None,
                    close_reason: None,
                }
            }
        };
        self.repository.save(&record).await?;
        outcome.recommendations.push(record);
        Ok(())
    }

    /// One page of the tenant's recommendations (needs `recommendations:read`).
    pub async fn list(
        &self,
        key: &AuthenticatedKey,
        filter: &RecommendationFilter,
        page: Page,
    ) -> Result<RecommendationPage, RecommendationError> {
        key.require(Scope::RecommendationsRead)?;
        Ok(self.repository.list(key.tenant_id, filter, page).await?)
    }

    /// One of the tenant's recommendations (needs `recommendations:read`).
    pub async fn get(
        &self,
        key: &AuthenticatedKey,
        id: RecommendationId,
    ) -> Result<Recommendation, RecommendationError> {
        key.require(Scope::RecommendationsRead)?;
        Ok(self.repository.get(key.tenant_id, id).await?)
    }

    /// Marks an open recommendation applied (needs `recommendations:write`).
    #[tracing::instrument(name = "apply_recommendation", skip(self, key), fields(tenant = %key.tenant_id))]
    pub async fn apply(
        &self,
        key: &AuthenticatedKey,
        id: RecommendationId,
    ) -> Result<Recommendation, RecommendationError> {
        key.require(Scope::RecommendationsWrite)?;
        let mut recommendation = self.repository.get(key.tenant_id, id).await?;
        recommendation.apply(Some(key.key_id.to_string()), self.clock.now())?;
        self.repository
            .transition(RecommendationStatus::Open, &recommendation)
            .await?;
        self.query_cache.invalidate(key.tenant_id).await;
        Ok(recommendation)
    }

    /// Marks an open recommendation dismissed, with an optional reason (needs
    /// `recommendations:write`). A blank reason is none; one longer than
    /// [`MAX_REASON_CHARS`] is refused.
    #[tracing::instrument(name = "dismiss_recommendation", skip(self, key, reason), fields(tenant = %key.tenant_id))]
    pub async fn dismiss(
        &self,
        key: &AuthenticatedKey,
        id: RecommendationId,
        reason: Option<String>,
    ) -> Result<Recommendation, RecommendationError> {
        key.require(Scope::RecommendationsWrite)?;
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
        {
            return Err(RecommendationError::Invalid(format!(
                "reason must be at most {MAX_REASON_CHARS} characters"
            )));
        }
        let mut recommendation = self.repository.get(key.tenant_id, id).await?;
        recommendation.dismiss(Some(key.key_id.to_string()), reason, self.clock.now())?;
        self.repository
            .transition(RecommendationStatus::Open, &recommendation)
            .await?;
        self.query_cache.invalidate(key.tenant_id).await;
        Ok(recommendation)
    }
}

/// The workload's advice as one change: for one container of it when its target names one
/// (advised from that container's usage), else named down to its container when every
/// replica described has exactly one container and they agree.
fn workload_advice(
    workload: &WorkloadUsage<'_>,
    advice: &Advice,
    descriptions: &[StoredPod],
) -> WorkloadAdvice {
    let for_one_container = workload.target.container.is_some();
    let containers: Vec<&[String]> = workload
        .pods
        .iter()
        .flat_map(|pod| {
            descriptions
                .iter()
                .filter(|d| {
                    d.description.cluster == pod.cluster
                        && d.description.namespace == pod.namespace
                        && d.description.name == pod.pod
                })
                .map(|d| d.description.containers.as_slice())
        })
        .collect();
    let several = containers.iter().any(|c| c.len() > 1);
    let single = match containers.first() {
        Some([only]) if containers.iter().all(|c| *c == std::slice::from_ref(only)) => {
            Some(only.clone())
        }
        _ => None,
    };
    let mut target = workload.target.clone();
    if target.container.is_none() {
        target.container = single;
    }
    let change = ResourceChange {
        cpu_request_millicores: advice.cpu.recommended,
        memory_request_bytes: advice.memory.recommended,
        memory_limit_bytes: advice.limits.memory_limit_bytes,
    };
    let rates = workload
        .rates()
        .unwrap_or_else(ResourceRates::opencost_defaults);
    let replicas = workload.running_replicas();
    let savings = |a: &ResourceAdvice| {
        monthly_savings(a.resource, a.current, a.recommended, &rates, replicas)
    };
    WorkloadAdvice {
        current_cpu_millicores: advice.cpu.current,
        current_memory_bytes: advice.memory.current,
        change,
        replicas,
        monthly_savings: savings(&advice.cpu) + savings(&advice.memory),
        kubectl_command: if several && !for_one_container {
            None
        } else {
            target.kubectl_set_resources(&change)
        },
        patch: target.strategic_merge_patch(&change),
        target,
    }
}

/// The resource's own reason, then the caveats that apply to the whole workload.
fn stored_reason(fresh: &ResourceAdvice, advice: &Advice) -> String {
    let mut parts = vec![fresh.reason.as_str()];
    parts.extend(advice.caveats.iter().map(String::as_str));
    format!("{}.", parts.join(". "))
}

fn floor(resource: Resource) -> u64 {
    match resource {
        Resource::Cpu => CPU_FLOOR_MILLICORES,
        Resource::Memory => MEMORY_FLOOR_BYTES,
    }
}

/// `to` differs from `from` by more than `fraction` of `from` and by more than the
/// resource's noise floor.
fn differs(resource: Resource, from: u64, to: u64, fraction: f64) -> bool {
    let delta = from.abs_diff(to);
    delta > floor(resource) && delta as f64 > fraction * from as f64
}

/// A change is worth recommending when it moves the request by more than
/// [`WORTHWHILE_CHANGE`] (the evaluation's "change" threshold) and the noise floor.
pub fn worth_recommending(advice: &ResourceAdvice) -> bool {
    differs(
        advice.resource,
        advice.current,
        advice.recommended,
        WORTHWHILE_CHANGE,
    )
}

/// Whether fresh advice differs enough from a dismissed recommendation to ask again: it now
/// points the other way (a dismissed saving became a needed increase, or back), or the
/// recommended value moved by more than [`MATERIAL_CHANGE`] and the noise floor. Otherwise
/// the user's "no" stands.
pub fn changed_materially(dismissed: &Recommendation, fresh: &ResourceAdvice) -> bool {
    let was_increase = dismissed.recommended > dismissed.current;
    let is_increase = fresh.recommended > fresh.current;
    (was_increase != is_increase && worth_recommending(fresh))
        || differs(
            fresh.resource,
            dismissed.recommended,
            fresh.recommended,
            MATERIAL_CHANGE,
        )
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use kcost_domain::cluster::ClusterName;
    use kcost_domain::costs::{ContainerUsageSeries, PodUsageSeries, UsagePoint};
    use kcost_domain::quantity::{Bytes, Millicores};
    use kcost_domain::snapshot::{Owner, ResourceFigures};
    use kcost_ports::{MockCache, MockMetricsStore, MockRecommendationRepository};
    use kcost_recommender::Policy;
    use rust_decimal::Decimal;

    use super::*;
    use crate::test_support::{clock, key_with, now, query_cache_over, tenant};

    const GIB: u64 = 1 << 30;

    /// A replica using 100 m and 1 GiB steadily against 1000 m / 4 GiB requests, sampled
    /// every 10 minutes for `hours` up to now.
    fn replica(name: &str, hours: i64) -> PodUsageSeries {
        let points = (0..hours * 6)
            .map(|i| UsagePoint {
                at: now() - Duration::minutes(10 * (hours * 6 - i)),
                seconds: 600,
                figures: ResourceFigures {
                    cpu_usage: Millicores::new(100),
                    memory_usage: Bytes::new(GIB),
                    cpu_request: Millicores::new(1000),
                    memory_request: Bytes::new(4 * GIB),
                    cpu_limit: None,
                    memory_limit: None,
                },
            })
            .collect();
        PodUsageSeries {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            pod: name.into(),
            owner: Some(Owner {
                kind: "Deployment".into(),
                name: "api".into(),
            }),
            rates: ResourceRates::opencost_defaults(),
            points,
        }
    }

    fn metrics_with(series: Vec<PodUsageSeries>) -> MockMetricsStore {
        metrics_described(series, Vec::new())
    }

    fn metrics_described(
        series: Vec<PodUsageSeries>,
        descriptions: Vec<StoredPod>,
    ) -> MockMetricsStore {
        let mut metrics = MockMetricsStore::new();
        metrics
            .expect_usage_series()
            .withf(|t, window, _| *t == tenant() && window.end() == now())
            .returning(move |_, _, _| Ok(series.clone()));
        metrics
            .expect_pod_descriptions()
            .withf(|t, _| *t == tenant())
            .returning(move |_, _| Ok(descriptions.clone()));
        metrics
            .expect_container_usage_series()
            .withf(|t, window, _| *t == tenant() && window.end() == now())
            .returning(|_, _, _| Ok(Vec::new()));
        metrics
    }

    /// `pod` of the `api` Deployment as stored, with these containers.
    fn described(pod: &str, containers: &[&str]) -> StoredPod {
        StoredPod {
            description: kcost_domain::description::PodDescription {
                cluster: ClusterName::new("prod").unwrap(),
                namespace: "web".into(),
                name: pod.into(),
                node: None,
                owner: Some(Owner {
                    kind: "Deployment".into(),
                    name: "api".into(),
                }),
                owner_inferred: false,
                labels: Default::default(),
                phase: None,
                qos_class: None,
                containers: containers.iter().map(|c| (*c).to_owned()).collect(),
            },
            first_seen: now(),
        }
    }

    /// `container` of replica `pod` of the `api` Deployment using `usage` (millicores,
    /// bytes) steadily against `request`, for `hours` up to now.
    fn container(
        pod: &str,
        container: &str,
        usage: (u64, u64),
        request: (u64, u64),
        hours: i64,
    ) -> ContainerUsageSeries {
        let mut series = replica(pod, hours);
        for point in &mut series.points {
            point.figures.cpu_usage = Millicores::new(usage.0);
            point.figures.memory_usage = Bytes::new(usage.1);
            point.figures.cpu_request = Millicores::new(request.0);
            point.figures.memory_request = Bytes::new(request.1);
        }
        ContainerUsageSeries {
            container: container.into(),
            usage: series,
        }
    }

    /// Both replicas of `api` with an `app` (400 m, 2 GiB of 800 m, 3 GiB) and a `sidecar`
    /// (20 m, 64 MiB of 200 m, 1 GiB).
    fn two_containers_per_replica() -> Vec<ContainerUsageSeries> {
        ["api-1", "api-2"]
            .into_iter()
            .flat_map(|pod| {
                [
                    container(pod, "app", (400, 2 * GIB), (800, 3 * GIB), 48),
                    container(pod, "sidecar", (20, 64 << 20), (200, GIB), 48),
                ]
            })
            .collect()
    }

    fn metrics_with_containers(
        series: Vec<PodUsageSeries>,
        containers: Vec<ContainerUsageSeries>,
    ) -> MockMetricsStore {
        let mut metrics = MockMetricsStore::new();
        metrics
            .expect_usage_series()
            .returning(move |_, _, _| Ok(series.clone()));
        metrics
            .expect_container_usage_series()
            .withf(|t, window, _| *t == tenant() && window.end() == now())
            .returning(move |_, _, _| Ok(containers.clone()));
        metrics.expect_pod_descriptions().returning(|_, _| {
            Ok(vec![
                described("api-1", &["app", "sidecar"]),
                described("api-2", &["app", "sidecar"]),
            ])
        });
        metrics
    }

    #[tokio::test]
    async fn a_two_container_workload_gets_each_containers_advice_from_all_replicas() {
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service(
            metrics_with_containers(
                vec![replica("api-1", 48), replica("api-2", 48)],
                two_containers_per_replica(),
            ),
            repository_with(Vec::new(), saved.clone()),
        );
        let outcome = service.generate(&writer(), request()).await.unwrap();
        // One recommendation per (workload, container, resource); none for the pod as a whole.
        let mut targets: Vec<(Option<&str>, Resource)> = outcome
            .recommendations
            .iter()
            .map(|r| (r.target.container.as_deref(), r.resource))
            .collect();
        targets.sort_by_key(|(c, r)| (*c, r.as_str()));
        assert_eq!(
            targets,
            [
                (Some("app"), Resource::Cpu),
                (Some("app"), Resource::Memory),
                (Some("sidecar"), Resource::Cpu),
                (Some("sidecar"), Resource::Memory),
            ]
        );
        assert_eq!(saved.lock().unwrap().len(), 4);
        let rates = ResourceRates::opencost_defaults();
        for record in &outcome.recommendations {
            assert_eq!(
                record.target.workload,
                Some(("Deployment".into(), "api".into()))
            );
            // The container's own request, priced at the pod's rates, for both replicas.
            let current = match (record.target.container.as_deref(), record.resource) {
                (Some("app"), Resource::Cpu) => 800,
                (Some("app"), Resource::Memory) => 3 * GIB,
                (_, Resource::Cpu) => 200,
                (_, Resource::Memory) => GIB,
            };
            assert_eq!(record.current, current, "{record:?}");
            assert_eq!(
                record.monthly_savings,
                monthly_savings(record.resource, current, record.recommended, &rates, 2)
            );
        }
        let sidecar_cpu = outcome
            .recommendations
            .iter()
            .find(|r| {
                r.target.container.as_deref() == Some("sidecar") && r.resource == Resource::Cpu
            })
            .unwrap();
        assert!(sidecar_cpu.recommended < 100, "{sidecar_cpu:?}");
        // One change per container: its command and patch name it.
        let mut workloads = outcome.workloads.clone();
        workloads.sort_by(|a, b| a.target.container.cmp(&b.target.container));
        assert_eq!(workloads.len(), 2);
        for (advice, name) in workloads.iter().zip(["app", "sidecar"]) {
            assert_eq!(advice.target.container.as_deref(), Some(name));
            assert_eq!(advice.replicas, 2);
            let memory = advice.change.memory_request_bytes >> 20;
            assert_eq!(
                advice.kubectl_command.as_deref().unwrap(),
                format!(
                    "kubectl set resources deployment/api -n web -c {name} --requests=cpu={}m,memory={memory}Mi --limits=memory={memory}Mi",
                    advice.change.cpu_request_millicores
                )
            );
            let patch = advice.patch.as_deref().unwrap();
            assert!(
                patch.starts_with(&format!(
                    r#"{{"spec":{{"template":{{"spec":{{"containers":[{{"name":"{name}""#
                )),
                "{patch}"
            );
        }
        assert_eq!(workloads[0].current_cpu_millicores, 800);
        assert_eq!(workloads[1].current_memory_bytes, GIB);
    }

    /// A workload without container usage keeps being advised as a whole, beside one that
    /// has it.
    #[tokio::test]
    async fn single_container_workloads_keep_their_advice_as_a_whole() {
        let mut lone = replica("debug", 48);
        lone.owner = None;
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service(
            metrics_with_containers(
                vec![replica("api-1", 48), replica("api-2", 48), lone],
                two_containers_per_replica(),
            ),
            repository_with(Vec::new(), saved),
        );
        let outcome = service.generate(&writer(), request()).await.unwrap();
        let debug: Vec<&Recommendation> = outcome
            .recommendations
            .iter()
            .filter(|r| r.target.pod.as_deref() == Some("debug"))
            .collect();
        assert_eq!(debug.len(), 2);
        assert!(debug.iter().all(|r| r.target.container.is_none()));
        // Its pod-level figures (1000 m requested), not any container's.
        assert!(debug.iter().any(|r| r.current == 1000));
        assert_eq!(outcome.recommendations.len(), 6);
        let debug_advice = outcome
            .workloads
            .iter()
            .find(|w| w.target.pod.as_deref() == Some("debug"))
            .unwrap();
        assert!(
            debug_advice
                .kubectl_command
                .as_deref()
                .unwrap()
                .starts_with("kubectl set resources pod/debug -n web --requests=")
        );
    }

    async fn workloads_advised(descriptions: Vec<StoredPod>) -> Vec<WorkloadAdvice> {
        let service = service(
            metrics_described(
                vec![replica("api-1", 48), replica("api-2", 48)],
                descriptions,
            ),
            repository_with(Vec::new(), Arc::new(Mutex::new(Vec::new()))),
        );
        service
            .generate(&writer(), request())
            .await
            .unwrap()
            .workloads
    }

    #[tokio::test]
    async fn a_workload_gets_one_command_and_patch_for_its_container_with_both_savings() {
        let single = vec![described("api-1", &["app"]), described("api-2", &["app"])];
        let workloads = workloads_advised(single).await;
        assert_eq!(workloads.len(), 1);
        let advice = &workloads[0];
        assert_eq!(advice.target.container.as_deref(), Some("app"));
        assert_eq!(advice.replicas, 2);
        let memory = advice.change.memory_request_bytes;
        assert_eq!(advice.change.memory_limit_bytes, memory);
        assert_eq!(
            advice.kubectl_command.as_deref(),
            Some(
                format!(
                    "kubectl set resources deployment/api -n web -c app --requests=cpu={}m,memory={}Mi --limits=memory={}Mi",
                    advice.change.cpu_request_millicores,
                    memory >> 20,
                    memory >> 20
                )
                .as_str()
            )
        );
        let patch = advice.patch.as_deref().unwrap();
        assert!(patch.starts_with(r#"{"spec":{"template":{"spec":{"containers":[{"name":"app""#));
        // Both resources' savings, for both replicas.
        let rates = ResourceRates::opencost_defaults();
        let expected = monthly_savings(
            Resource::Cpu,
            1000,
            advice.change.cpu_request_millicores,
            &rates,
            2,
        ) + monthly_savings(Resource::Memory, 4 * GIB, memory, &rates, 2);
        assert_eq!(advice.monthly_savings, expected);
    }

    #[tokio::test]
    async fn several_containers_get_no_command_and_unknown_ones_no_patch() {
        let several = vec![described("api-1", &["app", "sidecar"])];
        let advice = &workloads_advised(several).await[0];
        assert_eq!((&advice.kubectl_command, &advice.patch), (&None, &None));
        // Containers never described: the command covers the pod's (unknown) containers.
        let advice = &workloads_advised(Vec::new()).await[0];
        assert!(
            advice
                .kubectl_command
                .as_deref()
                .unwrap()
                .starts_with("kubectl set resources deployment/api -n web --requests=")
        );
        assert_eq!(advice.patch, None);
        // Replicas that disagree on their container's name: no name.
        let disagree = vec![described("api-1", &["app"]), described("api-2", &["web"])];
        assert_eq!(workloads_advised(disagree).await[0].target.container, None);
    }

    fn service(
        metrics: MockMetricsStore,
        repository: MockRecommendationRepository,
    ) -> Recommendations {
        let mut cache = MockCache::new();
        cache.expect_increment().returning(|_| Ok(1));
        service_with_cache(metrics, repository, cache)
    }

    fn service_with_cache(
        metrics: MockMetricsStore,
        repository: MockRecommendationRepository,
        cache: MockCache,
    ) -> Recommendations {
        Recommendations::new(
            Arc::new(metrics),
            Arc::new(repository),
            clock(),
            KcostRecommender::new(Policy::default()),
            query_cache_over(cache),
        )
    }

    fn writer() -> AuthenticatedKey {
        key_with(
            &[Scope::RecommendationsWrite, Scope::RecommendationsRead],
            None,
        )
    }

    fn request() -> GenerateRequest {
        GenerateRequest {
            lookback_hours: RECOMMENDED_LOOKBACK_HOURS,
            filter: CostFilter::default(),
            profile: None,
        }
    }

    /// The memory recommended for one replica's usage under `profile`.
    async fn memory_advised(profile: Option<RiskProfile>) -> u64 {
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service(
            metrics_with(vec![replica("api-1", 48)]),
            repository_with(Vec::new(), saved.clone()),
        );
        let request = GenerateRequest {
            profile,
            ..request()
        };
        let outcome = service.generate(&writer(), request).await.unwrap();
        let memory = outcome
            .recommendations
            .iter()
            .find(|r| r.resource == Resource::Memory)
            .unwrap();
        memory.recommended
    }

    #[tokio::test]
    async fn the_profile_chooses_how_much_headroom_the_advice_keeps() {
        let conservative = memory_advised(Some(RiskProfile::Conservative)).await;
        let balanced = memory_advised(Some(RiskProfile::Balanced)).await;
        let aggressive = memory_advised(Some(RiskProfile::Aggressive)).await;
        assert!(conservative > balanced && balanced > aggressive);
        // No profile: the service's recommender, here the default (balanced) one.
        assert_eq!(memory_advised(None).await, balanced);
        // 1 GiB used: the aggressive profile keeps 512 MiB of headroom.
        assert_eq!(aggressive, GIB + 512 * (1 << 20));
    }

    /// A repository that knows `existing` (per resource) and records what is saved.
    fn repository_with(
        existing: Vec<Recommendation>,
        saved: Arc<Mutex<Vec<Recommendation>>>,
    ) -> MockRecommendationRepository {
        let mut repository = MockRecommendationRepository::new();
        repository
            .expect_latest_for_target()
            .returning(move |_, _, resource| {
                Ok(existing.iter().find(|r| r.resource == resource).cloned())
            });
        repository.expect_save().returning(move |r| {
            saved.lock().unwrap().push(r.clone());
            Ok(())
        });
        repository
    }

    #[tokio::test]
    async fn replicas_get_one_recommendation_per_resource_with_savings_for_all_of_them() {
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service(
            metrics_with(vec![replica("api-1", 48), replica("api-2", 48)]),
            repository_with(Vec::new(), saved.clone()),
        );
        let outcome = service.generate(&writer(), request()).await.unwrap();
        assert_eq!(outcome.created, 2);
        assert_eq!(saved.lock().unwrap().len(), 2);
        let cpu = outcome
            .recommendations
            .iter()
            .find(|r| r.resource == Resource::Cpu)
            .unwrap();
        assert_eq!(cpu.status, RecommendationStatus::Open);
        assert_eq!(
            cpu.target.workload,
            Some(("Deployment".into(), "api".into()))
        );
        assert!(cpu.recommended >= 100 && cpu.recommended < 200, "{cpu:?}");
        // (1000 − recommended) m × 0.031611 × 730 h × 2 replicas, exactly.
        let expected = Decimal::from(1000 - cpu.recommended) / Decimal::ONE_THOUSAND
            * Decimal::new(31_611, 6)
            * Decimal::from(730)
            * Decimal::TWO;
        assert_eq!(cpu.monthly_savings, Money::from_decimal(expected));
        assert!(
            cpu.kubectl_command()
                .contains("deployment/api --requests=cpu=")
        );
        assert!(cpu.reason.contains("days of history"), "{}", cpu.reason);
        assert_eq!(
            outcome.total_monthly_savings,
            outcome
                .recommendations
                .iter()
                .map(|r| r.monthly_savings)
                .sum()
        );
    }

    /// A cache that expects the tenant's version bumped exactly `times` times.
    fn invalidated(times: usize) -> MockCache {
        let mut cache = MockCache::new();
        cache
            .expect_increment()
            .withf(|key| key.contains(&tenant().to_string()))
            .times(times)
            .returning(|_| Ok(1));
        cache
    }

    /// Generating, applying and dismissing change what cached answers (Kubecent's savings)
    /// would say: each makes the tenant's cached answers unreachable.
    #[tokio::test]
    async fn every_change_of_recommendations_invalidates_the_query_cache() {
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service_with_cache(
            metrics_with(vec![replica("api-1", 48)]),
            repository_with(Vec::new(), saved.clone()),
            invalidated(1),
        );
        service.generate(&writer(), request()).await.unwrap();
        let record = saved.lock().unwrap()[0].clone();
        for close in ["apply", "dismiss"] {
            let mut repository = repository_holding(record.clone());
            repository.expect_transition().returning(|_, _| Ok(()));
            let service = service_with_cache(MockMetricsStore::new(), repository, invalidated(1));
            match close {
                "apply" => service.apply(&writer(), record.id).await.map(drop),
                _ => service.dismiss(&writer(), record.id, None).await.map(drop),
            }
            .unwrap();
        }
    }

    async fn first_run() -> Vec<Recommendation> {
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service(
            metrics_with(vec![replica("api-1", 48)]),
            repository_with(Vec::new(), saved.clone()),
        );
        service.generate(&writer(), request()).await.unwrap();
        saved.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn regenerating_refreshes_the_open_recommendation_instead_of_duplicating() {
        let existing = first_run().await;
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service = service(
            metrics_with(vec![replica("api-1", 72)]),
            repository_with(existing.clone(), saved.clone()),
        );
        let outcome = service.generate(&writer(), request()).await.unwrap();
        assert_eq!((outcome.created, outcome.refreshed), (0, 2));
        let saved = saved.lock().unwrap();
        for record in saved.iter() {
            let before = existing
                .iter()
                .find(|r| r.resource == record.resource)
                .unwrap();
            assert_eq!(record.id, before.id);
            assert_eq!(record.created_at, before.created_at);
            assert_eq!(record.status, RecommendationStatus::Open);
        }
    }

    #[tokio::test]
    async fn a_dismissed_recommendation_stays_dismissed_unless_the_advice_changes_materially() {
        let mut existing = first_run().await;
        for record in &mut existing {
            record
                .dismiss(None, Some("batch job".into()), now())
                .unwrap();
        }
        let saved = Arc::new(Mutex::new(Vec::new()));
        let service_same = service(
            metrics_with(vec![replica("api-1", 48)]),
            repository_with(existing.clone(), saved.clone()),
        );
        let outcome = service_same.generate(&writer(), request()).await.unwrap();
        assert_eq!((outcome.created, outcome.kept_dismissed), (0, 2));
        assert!(saved.lock().unwrap().is_empty());

        // Usage tripled: the advice moved by far more than the material threshold.
        let mut busier = replica("api-1", 48);
        for point in &mut busier.points {
            point.figures.cpu_usage = Millicores::new(300);
            point.figures.memory_usage = Bytes::new(3 * GIB);
        }
        let service_changed = service(
            metrics_with(vec![busier]),
            repository_with(existing.clone(), saved.clone()),
        );
        let outcome = service_changed
            .generate(&writer(), request())
            .await
            .unwrap();
        assert_eq!(outcome.created, 2);
        let saved = saved.lock().unwrap();
        assert!(saved.iter().all(|r| existing.iter().all(|e| e.id != r.id)));
    }

    #[test]
    fn material_change_rules() {
        let advice = |current, recommended| ResourceAdvice {
            resource: Resource::Cpu,
            current,
            recommended,
            reason: String::new(),
        };
        let mut dismissed = Recommendation {
            id: RecommendationId::from_uuid(Uuid::nil()),
            tenant_id: tenant(),
            target: RecommendationTarget {
                cluster: ClusterName::new("prod").unwrap(),
                namespace: "web".into(),
                workload: None,
                pod: Some("p".into()),
                container: None,
            },
            resource: Resource::Cpu,
            current: 1000,
            recommended: 400,
            monthly_savings: Money::ZERO,
            confidence: Confidence::new(Decimal::ONE).unwrap(),
            reason: String::new(),
            status: RecommendationStatus::Dismissed,
            created_at: now(),
            updated_at: now(),
            closed_by: None,
            close_reason: None,
        };
        assert!(!changed_materially(&dismissed, &advice(1000, 450)));
        assert!(changed_materially(&dismissed, &advice(1000, 250)));
        // A saving that turned into a needed increase always comes back.
        assert!(changed_materially(&dismissed, &advice(300, 450)));
        // Tiny values differ by less than the noise floor.
        dismissed.current = 20;
        dismissed.recommended = 12;
        assert!(!changed_materially(&dismissed, &advice(20, 18)));
        assert!(!worth_recommending(&advice(1000, 950)));
        assert!(worth_recommending(&advice(1000, 400)));
        assert!(worth_recommending(&advice(100, 200)));
    }

    #[tokio::test]
    async fn too_little_history_is_skipped_with_the_reason() {
        let mut repository = MockRecommendationRepository::new();
        repository.expect_save().never();
        let service = service(metrics_with(vec![replica("api-1", 3)]), repository);
        let outcome = service.generate(&writer(), request()).await.unwrap();
        assert!(outcome.recommendations.is_empty());
        assert_eq!(outcome.skipped.len(), 1);
        assert!(outcome.skipped[0].reason.contains("h of usage history"));
    }

    #[tokio::test]
    async fn generation_needs_the_write_scope_and_a_sane_lookback() {
        let service = service(MockMetricsStore::new(), MockRecommendationRepository::new());
        let reader = key_with(&[Scope::RecommendationsRead], None);
        assert!(matches!(
            service.generate(&reader, request()).await,
            Err(RecommendationError::Forbidden(AuthError::MissingScope(
                Scope::RecommendationsWrite
            )))
        ));
        for lookback_hours in [0, MAX_LOOKBACK_HOURS + 1] {
            let request = GenerateRequest {
                lookback_hours,
                ..request()
            };
            assert!(matches!(
                service.generate(&writer(), request).await,
                Err(RecommendationError::Invalid(_))
            ));
        }
    }

    #[tokio::test]
    async fn an_unavailable_store_is_reported_as_such() {
        let mut metrics = MockMetricsStore::new();
        metrics.expect_usage_series().returning(|_, _, _| {
            Err(kcost_ports::MetricsStoreError::unavailable(
                anyhow::anyhow!("down"),
            ))
        });
        let service = service(metrics, MockRecommendationRepository::new());
        assert!(matches!(
            service.generate(&writer(), request()).await,
            Err(RecommendationError::Failed(
                kcost_ports::BackendFailure::Unavailable(_)
            ))
        ));
    }

    async fn one_open() -> Recommendation {
        first_run().await.remove(0)
    }

    fn repository_holding(record: Recommendation) -> MockRecommendationRepository {
        let mut repository = MockRecommendationRepository::new();
        let id = record.id;
        repository.expect_get().returning(move |t, wanted| {
            if t == tenant() && wanted == id {
                Ok(record.clone())
            } else {
                Err(RecommendationRepositoryError::NotFound)
            }
        });
        repository
    }

    #[tokio::test]
    async fn apply_closes_an_open_recommendation_through_a_guarded_transition() {
        let record = one_open().await;
        let mut repository = repository_holding(record.clone());
        repository
            .expect_transition()
            .withf(|from, updated| {
                *from == RecommendationStatus::Open
                    && updated.status == RecommendationStatus::Applied
            })
            .times(1)
            .returning(|_, _| Ok(()));
        let service = service(MockMetricsStore::new(), repository);
        let applied = service.apply(&writer(), record.id).await.unwrap();
        assert_eq!(applied.status, RecommendationStatus::Applied);
        assert_eq!(applied.closed_by, Some(writer().key_id.to_string()));
    }

    #[tokio::test]
    async fn closing_twice_concurrently_or_unknown_ids_are_clear_errors() {
        let mut record = one_open().await;
        record.apply(None, now()).unwrap();
        let service_closed = service(MockMetricsStore::new(), repository_holding(record.clone()));
        assert!(matches!(
            service_closed.dismiss(&writer(), record.id, None).await,
            Err(RecommendationError::AlreadyClosed(
                TransitionError::AlreadyClosed(RecommendationStatus::Applied)
            ))
        ));
        let open = one_open().await;
        let mut repository = repository_holding(open.clone());
        repository
            .expect_transition()
            .returning(|_, _| Err(RecommendationRepositoryError::Conflict));
        let service_racing = service(MockMetricsStore::new(), repository);
        assert!(matches!(
            service_racing.apply(&writer(), open.id).await,
            Err(RecommendationError::ChangedConcurrently)
        ));
        let other = RecommendationId::from_uuid(Uuid::from_u128(42));
        assert!(matches!(
            service_racing.get(&writer(), other).await,
            Err(RecommendationError::NotFound)
        ));
    }

    #[tokio::test]
    async fn dismiss_keeps_a_trimmed_reason_and_refuses_an_overlong_one() {
        let record = one_open().await;
        let mut repository = repository_holding(record.clone());
        repository.expect_transition().returning(|_, _| Ok(()));
        let service = service(MockMetricsStore::new(), repository);
        let dismissed = service
            .dismiss(&writer(), record.id, Some("  batch job  ".into()))
            .await
            .unwrap();
        assert_eq!(dismissed.status, RecommendationStatus::Dismissed);
        assert_eq!(dismissed.close_reason.as_deref(), Some("batch job"));
        assert!(matches!(
            service
                .dismiss(&writer(), record.id, Some("x".repeat(MAX_REASON_CHARS + 1)))
                .await,
            Err(RecommendationError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn listing_is_scoped_to_the_tenant_and_needs_the_read_scope() {
        let mut repository = MockRecommendationRepository::new();
        repository
            .expect_list()
            .withf(|t, filter, page| {
                *t == tenant()
                    && filter.status == Some(RecommendationStatus::Open)
                    && page.limit() == 10
            })
            .returning(|_, _, _| {
                Ok(RecommendationPage {
                    items: Vec::new(),
                    total: 0,
                })
            });
        let service = service(MockMetricsStore::new(), repository);
        let filter = RecommendationFilter {
            status: Some(RecommendationStatus::Open),
            ..RecommendationFilter::default()
        };
        let page = Page::new(10, 0).unwrap();
        assert_eq!(
            service.list(&writer(), &filter, page).await.unwrap().total,
            0
        );
        let costs_only = key_with(&[Scope::CostsRead], None);
        assert!(matches!(
            service.list(&costs_only, &filter, page).await,
            Err(RecommendationError::Forbidden(_))
        ));
    }
}
