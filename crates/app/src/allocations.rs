//! The allocation use case (OpenCost's `/allocation`): a window cut into steps, each
//! step's sums read once from the metrics store through the tenant's query cache (every
//! aggregation of the same step shares them), turned into allocation sets by the domain's
//! rules and accumulated into periods.

use std::sync::Arc;

use chrono::TimeDelta;
use kcost_domain::allocation::accumulate::accumulate;
use kcost_domain::allocation::compute::{AllocationSet, compute};
use kcost_domain::allocation::query::{Accumulate, AllocationQuery, StepError, split_steps};
use kcost_domain::allocation::sums::{ContainerWindowSums, WindowSums};
use kcost_domain::api_key::{AuthenticatedKey, Scope};
use kcost_domain::assets::NodeWindowSums;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStore;

use crate::costs::QueryError;
use crate::query_cache::QueryCache;

/// Why an allocation question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AllocationError {
    /// The step does not fit the window (a client error).
    #[error(transparent)]
    Step(#[from] StepError),
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// An allocation question over a window.
#[derive(Debug, Clone)]
pub struct AllocationRequest {
    pub window: TimeWindow,
    /// `None`: the accumulation's default (the whole window, or a day for periods).
    pub step: Option<TimeDelta>,
    pub accumulate: Accumulate,
    pub query: AllocationQuery,
}

impl AllocationRequest {
    /// The length of each step: as asked, else the accumulation's default (`None`: the
    /// whole window).
    pub fn step(&self) -> Option<TimeDelta> {
        self.step.or(self.accumulate.default_step())
    }
}

/// The allocation use cases.
pub struct AllocationQueries {
    metrics: Arc<dyn MetricsStore>,
    cache: Arc<QueryCache>,
}

impl std::fmt::Debug for AllocationQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllocationQueries").finish_non_exhaustive()
    }
}

impl AllocationQueries {
    pub fn new(metrics: Arc<dyn MetricsStore>, cache: Arc<QueryCache>) -> Self {
        Self { metrics, cache }
    }

    /// One allocation set per step (or per accumulated period), oldest first, for the
    /// key's tenant only (needs `costs:read`).
    #[tracing::instrument(name = "allocations", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn allocations(
        &self,
        key: &AuthenticatedKey,
        request: &AllocationRequest,
    ) -> Result<Vec<AllocationSet>, AllocationError> {
        key.require(Scope::CostsRead).map_err(QueryError::from)?;
        self.compute(key.tenant_id, request).await
    }

    /// [`Self::allocations`] for `tenant`, for use cases that authorized the caller
    /// themselves (budgets, forecasts, anomalies) or act for no caller (budget alerts). Their
    /// windows and steps are their own, bounded by them: a step the window cannot take is
    /// a bug there, not a client's error, so it is `Unexpected`.
    pub async fn tenant_allocations(
        &self,
        tenant: TenantId,
        request: &AllocationRequest,
    ) -> Result<Vec<AllocationSet>, QueryError> {
        self.compute(tenant, request)
            .await
            .map_err(|error| match error {
                AllocationError::Query(error) => error,
                AllocationError::Step(error) => QueryError::Failed(
                    kcost_ports::BackendFailure::Unexpected(anyhow::Error::new(error)),
                ),
            })
    }

    async fn compute(
        &self,
        tenant: TenantId,
        request: &AllocationRequest,
    ) -> Result<Vec<AllocationSet>, AllocationError> {
        let step = request.step();
        let steps = split_steps(&request.window, step, request.accumulate)?;
        // The whole answer is cached (a dashboard's second look costs a lookup). So are a
        // single window's sums (another aggregation of the same window reads the store no
        // more), but not each of many steps': a month of hours would be 720 entries of
        // every pod.
        let cache_key = answer_key(request, step);
        let cache_sums = steps.len() == 1;
        let needs_containers = request.query.needs_containers();
        let answer = self
            .cache
            .get_or_compute(tenant, &cache_key, || async {
                let mut sets = Vec::with_capacity(steps.len());
                for window in &steps {
                    let mut sums = self.window_sums(tenant, window, cache_sums).await?;
                    if needs_containers {
                        sums.containers = self.container_sums(tenant, window, cache_sums).await?;
                    }
                    sets.push(compute(window, &sums, &request.query));
                }
                Ok::<_, QueryError>(accumulate(sets, request.accumulate))
            })
            .await?;
        Ok(answer)
    }

    /// Every node's cost and capacity over `window` (OpenCost's `/assets`), for the key's
    /// tenant only (needs `costs:read`).
    #[tracing::instrument(name = "node_assets", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn node_assets(
        &self,
        key: &AuthenticatedKey,
        window: &TimeWindow,
    ) -> Result<Vec<NodeWindowSums>, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let cache_key =
            serde_json::json!(["node_assets", window.start(), window.end()]).to_string();
        self.cache
            .get_or_compute(tenant, &cache_key, || async {
                self.metrics
                    .node_assets(tenant, window)
                    .await
                    .map_err(QueryError::from)
            })
            .await
    }

    async fn container_sums(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        cached: bool,
    ) -> Result<Vec<ContainerWindowSums>, QueryError> {
        let cache_key =
            serde_json::json!(["container_sums", window.start(), window.end()]).to_string();
        let read = || async {
            self.metrics
                .container_sums(tenant, window)
                .await
                .map_err(QueryError::from)
        };
        if !cached {
            return read().await;
        }
        self.cache.get_or_compute(tenant, &cache_key, read).await
    }

    async fn window_sums(
        &self,
        tenant: TenantId,
        window: &TimeWindow,
        cached: bool,
    ) -> Result<WindowSums, QueryError> {
        let cache_key =
            serde_json::json!(["window_sums", window.start(), window.end()]).to_string();
        let read = || async {
            self.metrics
                .window_sums(tenant, window)
                .await
                .map_err(QueryError::from)
        };
        if !cached {
            return read().await;
        }
        self.cache.get_or_compute(tenant, &cache_key, read).await
    }
}

/// The cache key of a whole answer: every part of the question, the filter as its tree
/// (its text cannot tell every value apart: the language has no escapes).
fn answer_key(request: &AllocationRequest, step: Option<TimeDelta>) -> String {
    let query = &request.query;
    let sharing = &query.sharing;
    serde_json::json!([
        "allocations",
        request.window.start(),
        request.window.end(),
        step.map(|s| s.num_seconds()),
        format!("{:?}", request.accumulate),
        query
            .aggregate
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        format!("{:?}", query.filter),
        [
            sharing.include_idle,
            sharing.idle_by_node,
            sharing.share_idle
        ],
        sharing.share_namespaces,
        sharing.share_labels,
        sharing.share_cost_monthly.amount().to_string(),
        format!("{:?}", sharing.split),
    ])
    .to_string()
}

#[cfg(test)]
mod tests;
