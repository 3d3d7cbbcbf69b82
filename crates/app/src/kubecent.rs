//! The Kubecent-compatible questions (seed 2's `/api/v1` endpoints) for one tenant:
//! namespace costs with an idle toggle, pod costs, monthly totals and savings. They read
//! whatever the metrics store holds — agent- or OpenCost-fed — and each whole answer is
//! cached per tenant through the [`QueryCache`] (invalidated by every ingest).
//!
//! Decisions (also in docs/api.md):
//! - **Idle** (`include_idle`): off, namespaces carry their allocated cost only and
//!   `idle = 0`, exactly what `/v1/costs/namespaces` reports. On, each cluster's idle cost
//!   is shared out among that cluster's namespaces in proportion to their allocated cost
//!   (OpenCost's `shareIdle` weighting), so Σ namespaces = Σ cluster totals; a cluster
//!   with idle but no namespaces in the window keeps it under `__idle__`.
//! - **Monthly** ([`MONTHLY_DEFAULT_WINDOW`]): seed 2's "30-day aggregation" — the last
//!   30 whole days (OpenCost `30d`), split at calendar-month boundaries (UTC); each month
//!   reports idle-inclusive cost and a daily average over its elapsed days.
//! - **Savings**: kcost's stored *open* recommendations with a positive monthly saving
//!   (read only; nothing is generated here), see [`savings`].
//!
//! [`warming`] keeps the default answers of active tenants in the cache.

pub mod dashboard;
mod idle;
mod monthly;
pub mod savings;
#[cfg(test)]
mod tests;
pub mod warming;

use std::sync::Arc;

use kcost_domain::api_key::{AuthenticatedKey, KeyId, Scope, Scopes};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostBreakdown, CostFilter, CostGrouping, CostKey, CostQuery};
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{Clock, MetricsStore};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use monthly::{MonthCost, MonthlyCosts};
pub use savings::{Priority, SavingsItem, SavingsReport};
pub use warming::CacheWarming;

use crate::costs::QueryError;
use crate::query_cache::QueryCache;
use crate::recommendations::Recommendations;

/// Window of `/cost/namespaces` and `/cost/pods` when none is given (seed 2's default).
pub const DEFAULT_WINDOW: &str = "7d";
/// Window of `/cost/monthly`: seed 2's "30-day aggregation".
pub const MONTHLY_DEFAULT_WINDOW: &str = "30d";
/// Where idle goes when a cluster had no namespaces to share it with (OpenCost's key).
pub const UNSHARED_IDLE: &str = "__idle__";

/// One namespace's cost over the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceCost {
    pub name: String,
    /// `idle` is this namespace's share of idle when idle was asked for, else zero.
    pub cost: CostBreakdown,
    pub pod_count: u64,
}

/// `/cost/namespaces`: most expensive first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceCosts {
    pub window: TimeWindow,
    pub include_idle: bool,
    pub namespaces: Vec<NamespaceCost>,
}

/// One pod's cost over the window (idle is never attributed to pods).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodCost {
    pub cluster: ClusterName,
    pub namespace: String,
    pub name: String,
    pub cost: CostBreakdown,
}

/// `/cost/pods`: most expensive first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodCosts {
    pub window: TimeWindow,
    pub namespace: Option<String>,
    pub pods: Vec<PodCost>,
}

/// A read-only caller for `tenant`: `costs:read` and `recommendations:read`, no key id.
/// Used for cache warming and for `kubecent.anonymous_tenant`.
pub fn read_only_caller(tenant: TenantId) -> AuthenticatedKey {
    AuthenticatedKey {
        key_id: KeyId::from_uuid(Uuid::nil()),
        tenant_id: tenant,
        scopes: Scopes::new([Scope::CostsRead, Scope::RecommendationsRead])
            .unwrap_or_else(|_| Scopes::single(Scope::CostsRead)),
        cluster: None,
    }
}

/// The Kubecent use cases.
pub struct KubecentQueries {
    metrics: Arc<dyn MetricsStore>,
    recommendations: Arc<Recommendations>,
    cache: Arc<QueryCache>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for KubecentQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubecentQueries").finish_non_exhaustive()
    }
}

impl KubecentQueries {
    pub fn new(
        metrics: Arc<dyn MetricsStore>,
        recommendations: Arc<Recommendations>,
        cache: Arc<QueryCache>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            metrics,
            recommendations,
            cache,
            clock,
        }
    }

    /// Namespace costs over `window` (needs `costs:read`).
    #[tracing::instrument(name = "kubecent_namespaces", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn namespaces(
        &self,
        key: &AuthenticatedKey,
        window: TimeWindow,
        include_idle: bool,
    ) -> Result<NamespaceCosts, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let query = cache_key("namespaces", &window, &include_idle);
        self.cache
            .get_or_compute(tenant, &query, || {
                self.compute_namespaces(tenant, window, include_idle)
            })
            .await
    }

    /// Pod costs over `window`, optionally of one namespace (needs `costs:read`).
    #[tracing::instrument(name = "kubecent_pods", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn pods(
        &self,
        key: &AuthenticatedKey,
        window: TimeWindow,
        namespace: Option<String>,
    ) -> Result<PodCosts, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let query = cache_key("pods", &window, &namespace);
        self.cache
            .get_or_compute(tenant, &query, || {
                self.compute_pods(tenant, window, namespace.clone())
            })
            .await
    }

    /// Cost per calendar month within `window` (needs `costs:read`).
    #[tracing::instrument(name = "kubecent_monthly", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn monthly(
        &self,
        key: &AuthenticatedKey,
        window: TimeWindow,
    ) -> Result<MonthlyCosts, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let query = cache_key("monthly", &window, &());
        self.cache
            .get_or_compute(tenant, &query, || {
                monthly::compute(&*self.metrics, tenant, window, self.clock.now())
            })
            .await
    }

    /// The `limit` largest savings and the totals over all of them (needs `costs:read` and
    /// `recommendations:read`). One cached answer serves every `limit`.
    #[tracing::instrument(name = "kubecent_savings", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn savings(
        &self,
        key: &AuthenticatedKey,
        limit: usize,
    ) -> Result<SavingsReport, QueryError> {
        key.require(Scope::CostsRead)?;
        key.require(Scope::RecommendationsRead)?;
        let mut report = self
            .cache
            .get_or_compute(key.tenant_id, &savings_cache_key(), || {
                self.compute_savings(key)
            })
            .await?;
        report.recommendations.truncate(limit);
        Ok(report)
    }

    /// Recomputes and re-stores the default answers of every endpoint for `tenant` (cache
    /// warming). Stops at the first failure; the next run tries again.
    #[tracing::instrument(name = "kubecent_warm", skip(self))]
    pub async fn warm(&self, tenant: TenantId) -> Result<(), QueryError> {
        let now = self.clock.now();
        let window =
            TimeWindow::parse(DEFAULT_WINDOW, now).map_err(|e| QueryError::unexpected(e.into()))?;
        let month_window = TimeWindow::parse(MONTHLY_DEFAULT_WINDOW, now)
            .map_err(|e| QueryError::unexpected(e.into()))?;
        let cache = &self.cache;
        let key = read_only_caller(tenant);
        for include_idle in [false, true] {
            let query = cache_key("namespaces", &window, &include_idle);
            cache
                .refresh(tenant, &query, || {
                    self.compute_namespaces(tenant, window, include_idle)
                })
                .await?;
        }
        let query = cache_key("pods", &window, &None::<String>);
        cache
            .refresh(tenant, &query, || self.compute_pods(tenant, window, None))
            .await?;
        let query = cache_key("monthly", &month_window, &());
        cache
            .refresh(tenant, &query, || {
                monthly::compute(&*self.metrics, tenant, month_window, now)
            })
            .await?;
        cache
            .refresh(tenant, &savings_cache_key(), || self.compute_savings(&key))
            .await
    }

    async fn compute_namespaces(
        &self,
        tenant: TenantId,
        window: TimeWindow,
        include_idle: bool,
    ) -> Result<NamespaceCosts, QueryError> {
        let query = CostQuery {
            window,
            grouping: CostGrouping::Namespace,
            filter: CostFilter::default(),
        };
        let rows = self.metrics.costs(tenant, &query).await?;
        let mut namespaces: Vec<NamespaceCost> = rows
            .into_iter()
            .filter_map(|row| match row.key {
                CostKey::Namespace(name) => Some(NamespaceCost {
                    name,
                    cost: CostBreakdown {
                        idle: Money::ZERO,
                        ..row.cost
                    },
                    pod_count: row.pod_count,
                }),
                _ => None,
            })
            .collect();
        if include_idle {
            for (name, idle) in idle::shared_idle(&*self.metrics, tenant, window).await? {
                match namespaces
                    .iter_mut()
                    .find(|namespace| namespace.name == name)
                {
                    Some(namespace) => namespace.cost.idle += idle,
                    None => namespaces.push(NamespaceCost {
                        name,
                        cost: CostBreakdown {
                            idle,
                            ..CostBreakdown::default()
                        },
                        pod_count: 0,
                    }),
                }
            }
            namespaces.sort_by(|a, b| {
                b.cost
                    .total()
                    .cmp(&a.cost.total())
                    .then_with(|| a.name.cmp(&b.name))
            });
        }
        Ok(NamespaceCosts {
            window,
            include_idle,
            namespaces,
        })
    }

    async fn compute_pods(
        &self,
        tenant: TenantId,
        window: TimeWindow,
        namespace: Option<String>,
    ) -> Result<PodCosts, QueryError> {
        let query = CostQuery {
            window,
            grouping: CostGrouping::Pod,
            filter: CostFilter {
                cluster: None,
                namespace: namespace.clone(),
            },
        };
        let rows = self.metrics.costs(tenant, &query).await?;
        let pods = rows
            .into_iter()
            .filter_map(|row| match row.key {
                CostKey::Pod {
                    cluster,
                    namespace,
                    pod,
                } => Some(PodCost {
                    cluster,
                    namespace,
                    name: pod,
                    cost: row.cost,
                }),
                _ => None,
            })
            .collect();
        Ok(PodCosts {
            window,
            namespace,
            pods,
        })
    }

    async fn compute_savings(&self, key: &AuthenticatedKey) -> Result<SavingsReport, QueryError> {
        let open = savings::open_recommendations(&self.recommendations, key).await?;
        let monthly_cost =
            savings::projected_monthly_cost(&*self.metrics, key.tenant_id, self.clock.now())
                .await?;
        Ok(SavingsReport::new(&open, monthly_cost))
    }
}

/// A cache key that cannot collide with another question's (every part JSON-encoded).
fn cache_key(kind: &str, window: &TimeWindow, extra: &impl Serialize) -> String {
    serde_json::json!(["kubecent", kind, window.start(), window.end(), extra]).to_string()
}

fn savings_cache_key() -> String {
    serde_json::json!(["kubecent", "savings"]).to_string()
}
