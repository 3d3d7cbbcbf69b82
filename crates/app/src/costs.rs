//! Cost and utilization questions for one tenant, answered from the metrics store through
//! the tenant's versioned query cache.

use std::sync::Arc;

use kcost_domain::api_key::{AuthError, AuthenticatedKey, Scope};
use kcost_domain::costs::{CostFilter, CostQuery, CostRow, PodUtilization};
use kcost_domain::window::TimeWindow;
use kcost_ports::BackendFailure;
use kcost_ports::MetricsStore;

use crate::query_cache::QueryCache;

/// Why a cost question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Forbidden(#[from] AuthError),
    /// The store failed to answer (unavailable: the caller may retry).
    #[error(transparent)]
    Failed(#[from] BackendFailure),
}

kcost_ports::carries_backend_failure!(QueryError);

/// The cost-query use cases.
pub struct CostQueries {
    metrics: Arc<dyn MetricsStore>,
    cache: Arc<QueryCache>,
}

impl std::fmt::Debug for CostQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CostQueries")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl CostQueries {
    pub fn new(metrics: Arc<dyn MetricsStore>, cache: Arc<QueryCache>) -> Self {
        Self { metrics, cache }
    }

    /// Cost rows for `query`, for the key's tenant only (needs `costs:read`).
    #[tracing::instrument(name = "costs", skip_all, fields(tenant = %key.tenant_id, grouping = ?query.grouping))]
    pub async fn costs(
        &self,
        key: &AuthenticatedKey,
        query: CostQuery,
    ) -> Result<Vec<CostRow>, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let cache_key = cache_key("costs", &query.window, &query.filter, &query.grouping);
        self.cache
            .get_or_compute(tenant, &cache_key, || async {
                self.metrics
                    .costs(tenant, &query)
                    .await
                    .map_err(QueryError::from)
            })
            .await
    }

    /// Per-pod usage against requests (needs `costs:read`).
    #[tracing::instrument(name = "utilization", skip_all, fields(tenant = %key.tenant_id))]
    pub async fn utilization(
        &self,
        key: &AuthenticatedKey,
        window: TimeWindow,
        filter: CostFilter,
    ) -> Result<Vec<PodUtilization>, QueryError> {
        key.require(Scope::CostsRead)?;
        let tenant = key.tenant_id;
        let cache_key = cache_key("utilization", &window, &filter, &());
        self.cache
            .get_or_compute(tenant, &cache_key, || async {
                self.metrics
                    .utilization(tenant, &window, &filter)
                    .await
                    .map_err(QueryError::from)
            })
            .await
    }
}

/// A cache key that cannot collide between different questions: every part is serialized
/// as JSON, so separators inside names cannot be confused with the key's own.
fn cache_key(
    kind: &str,
    window: &TimeWindow,
    filter: &CostFilter,
    extra: &impl serde::Serialize,
) -> String {
    let parts = serde_json::json!([kind, window.start(), window.end(), filter, extra]);
    parts.to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use kcost_domain::cluster::ClusterName;
    use kcost_domain::costs::{CostBreakdown, CostGrouping, CostKey, ResourceHours};
    use kcost_domain::money::Money;
    use kcost_ports::MockMetricsStore;

    use super::*;
    use crate::test_support::{empty_cache, key_with, missing_scope, tenant};

    fn window() -> TimeWindow {
        let start = chrono::Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
        TimeWindow::new(start, start + chrono::Duration::days(1)).unwrap()
    }

    fn row(namespace: &str, cents: i64) -> CostRow {
        CostRow {
            key: CostKey::Namespace(namespace.into()),
            cost: CostBreakdown {
                cpu: Money::from_decimal(rust_decimal::Decimal::new(cents, 2)),
                ..CostBreakdown::default()
            },
            usage: ResourceHours::default(),
            pod_count: 1,
            namespace_count: 1,
        }
    }

    fn namespace_query() -> CostQuery {
        CostQuery {
            window: window(),
            grouping: CostGrouping::Namespace,
            filter: CostFilter {
                cluster: Some(ClusterName::new("prod").unwrap()),
                namespace: None,
            },
        }
    }

    #[tokio::test]
    async fn answers_for_the_keys_tenant_only() {
        let mut metrics = MockMetricsStore::new();
        metrics
            .expect_costs()
            .withf(|t, q| *t == tenant() && q.grouping == CostGrouping::Namespace)
            .times(1)
            .returning(|_, _| Ok(vec![row("web", 150), row("batch", 20)]));
        let queries = CostQueries::new(Arc::new(metrics), empty_cache());
        let rows = queries
            .costs(&key_with(&[Scope::CostsRead], None), namespace_query())
            .await
            .unwrap();
        assert_eq!(rows, vec![row("web", 150), row("batch", 20)]);
    }

    #[tokio::test]
    async fn needs_the_read_scope() {
        let mut metrics = MockMetricsStore::new();
        metrics.expect_costs().never();
        let queries = CostQueries::new(Arc::new(metrics), empty_cache());
        let err = queries
            .costs(&key_with(&[Scope::MetricsWrite], None), namespace_query())
            .await
            .unwrap_err();
        assert_eq!(missing_scope(&err), Some(Scope::CostsRead));
    }

    #[tokio::test]
    async fn an_unavailable_store_is_reported() {
        let mut metrics = MockMetricsStore::new();
        metrics.expect_utilization().returning(|_, _, _| {
            Err(kcost_ports::MetricsStoreError::unavailable(
                anyhow::anyhow!("down"),
            ))
        });
        let queries = CostQueries::new(Arc::new(metrics), empty_cache());
        let err = queries
            .utilization(
                &key_with(&[Scope::All], None),
                window(),
                CostFilter::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            QueryError::Failed(kcost_ports::BackendFailure::Unavailable(_))
        ));
    }

    #[test]
    fn cache_keys_tell_questions_apart() {
        let a = CostFilter {
            cluster: None,
            namespace: Some("a:b".into()),
        };
        let b = CostFilter {
            cluster: None,
            namespace: Some("a".into()),
        };
        assert_ne!(
            cache_key("costs", &window(), &a, &CostGrouping::Namespace),
            cache_key("costs", &window(), &b, &CostGrouping::Namespace)
        );
        assert_ne!(
            cache_key("costs", &window(), &a, &CostGrouping::Namespace),
            cache_key("costs", &window(), &a, &CostGrouping::Pod)
        );
    }
}
