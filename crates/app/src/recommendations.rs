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
/// Why a whole-workload recommendation was dismissed when its containers got their own.
pub const SUPERSEDED_BY_CONTAINERS: &str =
    "superseded: each container of this workload is now advised on its own";
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
    /// Open recommendations for a multi-container workload as a whole, dismissed because
    /// each of its containers is now advised on its own.
    pub superseded: usize,
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
            if !per_container.is_empty() {
                self.supersede_whole(key, &workload, now, &mut outcome)
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

    /// Dismisses the open recommendations of `workload` as a whole (no container named),
    /// which per-container advice replaces: one open recommendation per target and
    /// resource stays true when a workload starts being advised per container.
    async fn supersede_whole(
        &self,
        key: &AuthenticatedKey,
        workload: &WorkloadUsage<'_>,
        now: DateTime<Utc>,
        outcome: &mut GenerateOutcome,
    ) -> Result<(), RecommendationError> {
        let mut whole = workload.target.clone();
        whole.container = None;
        for resource in [Resource::Cpu, Resource::Memory] {
            let latest = self
                .repository
                .latest_for_target(key.tenant_id, &whole, resource)
                .await?;
            let Some(mut open) = latest.filter(|r| r.status == RecommendationStatus::Open) else {
                continue;
            };
            open.dismiss(
                Some(key.key_id.to_string()),
                Some(SUPERSEDED_BY_CONTAINERS.to_owned()),
                now,
            )?;
            match self
                .repository
                .transition(RecommendationStatus::Open, &open)
                .await
            {
                Ok(()) => outcome.superseded += 1,
                // Applied or dismissed meanwhile by someone else: nothing left to do.
                Err(RecommendationRepositoryError::Conflict) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
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
mod tests;
