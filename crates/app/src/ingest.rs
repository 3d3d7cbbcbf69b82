//! Ingest use case: an agent's payload becomes a priced, stored snapshot.
//!
//! Order matters: authorize (scope, cluster binding) → validate → decide the sample's
//! duration → resolve node prices → price (and refuse implausible totals) → append
//! atomically → invalidate the tenant's cached answers. The receipt is returned only after the store has committed; stores that
//! do not answer within `store_timeout` make the ingest "unavailable", with nothing written.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kcost_domain::api_key::{AuthError, AuthenticatedKey, Scope};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{
    CostTotals, DurationRules, SampleDuration, price_snapshot, sample_duration,
};
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::sample_limits::check_amounts;
use kcost_domain::snapshot::{InvalidSnapshot, Snapshot, SnapshotDraft, SnapshotRules};
use kcost_domain::tenant::TenantId;
use kcost_ports::BackendFailure;
use kcost_ports::{AppendOutcome, Clock, MetricsStore, PriceRepository, PriceRepositoryError};

use crate::deadline::within;
use crate::query_cache::QueryCache;

/// Ingest rules from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestSettings {
    pub snapshot: SnapshotRules,
    pub durations: DurationRules,
    pub default_rates: ResourceRates,
    /// Longest an ingest waits on its stores before answering "unavailable" (503, retry):
    /// under the agent's own request timeout, so a hung database is a retry, not a hang.
    pub store_timeout: Duration,
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            snapshot: SnapshotRules::default(),
            durations: DurationRules::default(),
            default_rates: ResourceRates::opencost_defaults(),
            store_timeout: Duration::from_secs(8),
        }
    }
}

/// What an accepted ingest did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReceipt {
    pub outcome: AppendOutcome,
    pub snapshot_time: DateTime<Utc>,
    pub pods: usize,
    pub nodes: usize,
    pub duration: SampleDuration,
    pub totals: CostTotals,
}

/// Why an ingest was refused.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The key may not ingest (scope or cluster binding).
    #[error(transparent)]
    Forbidden(#[from] AuthError),
    /// The payload failed validation; every bad field is listed.
    #[error(transparent)]
    Invalid(#[from] InvalidSnapshot),
    /// A store failed to answer; nothing was written. Unavailable: the agent should retry.
    #[error(transparent)]
    Failed(#[from] BackendFailure),
}

kcost_ports::carries_backend_failure!(IngestError);

impl From<PriceRepositoryError> for IngestError {
    fn from(error: PriceRepositoryError) -> Self {
        match error {
            PriceRepositoryError::Failed(failure) => Self::Failed(failure),
            other => Self::Failed(BackendFailure::Unexpected(
                anyhow::Error::new(other).context("loading price overrides"),
            )),
        }
    }
}

/// The ingest use case.
pub struct IngestSnapshot {
    metrics: Arc<dyn MetricsStore>,
    prices: Arc<dyn PriceRepository>,
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
    query_cache: Arc<QueryCache>,
    settings: IngestSettings,
}

impl std::fmt::Debug for IngestSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestSnapshot")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl IngestSnapshot {
    pub fn new(
        metrics: Arc<dyn MetricsStore>,
        prices: Arc<dyn PriceRepository>,
        catalog: Arc<Catalog>,
        clock: Arc<dyn Clock>,
        query_cache: Arc<QueryCache>,
        settings: IngestSettings,
    ) -> Self {
        Self {
            metrics,
            prices,
            catalog,
            clock,
            query_cache,
            settings,
        }
    }

    /// Validates `draft` (a payload decoded by the HTTP layer) and ingests it for the key's
    /// tenant.
    #[tracing::instrument(
        name = "ingest",
        skip_all,
        fields(tenant = %key.tenant_id, cluster = %draft.cluster, pods, outcome)
    )]
    pub async fn execute(
        &self,
        key: &AuthenticatedKey,
        draft: SnapshotDraft,
    ) -> Result<IngestReceipt, IngestError> {
        key.require(Scope::MetricsWrite)?;
        let snapshot = draft.validate(self.clock.now(), &self.settings.snapshot)?;
        key.check_cluster(snapshot.cluster())?;
        let tenant = key.tenant_id;
        let stored = self.price_and_store(tenant, snapshot);
        let receipt = within(
            self.settings.store_timeout,
            "ingest",
            stored,
            IngestError::unavailable,
        )
        .await?;
        // After the commit and outside the deadline: an acknowledged snapshot always
        // invalidates what the cache holds for its tenant.
        if receipt.outcome == AppendOutcome::Stored {
            self.query_cache.invalidate(tenant).await;
        }
        Ok(receipt)
    }

    /// The part of an ingest that waits on the metrics and price stores: the previous
    /// snapshot's time, the tenant's prices and the atomic append.
    async fn price_and_store(
        &self,
        tenant: TenantId,
        snapshot: Snapshot,
    ) -> Result<IngestReceipt, IngestError> {
        // Overrides only matter for nodes without a declared price.
        let needs_overrides = snapshot
            .nodes()
            .iter()
            .any(|node| node.hourly_cost.is_none());
        // The two reads are independent: asked at once, the ingest waits for one round
        // trip instead of two.
        let previous = async {
            match snapshot.interval_seconds() {
                Some(_) => Ok(None),
                None => {
                    self.metrics
                        .previous_snapshot_time(tenant, snapshot.cluster(), snapshot.timestamp())
                        .await
                }
            }
            .map_err(IngestError::from)
        };
        let overrides = async {
            if needs_overrides {
                self.prices
                    .overrides(tenant)
                    .await
                    .map_err(IngestError::from)
            } else {
                Ok(Vec::new())
            }
        };
        let (previous, overrides) = tokio::try_join!(previous, overrides)?;
        let duration = sample_duration(
            snapshot.interval_seconds(),
            previous,
            snapshot.timestamp(),
            &self.settings.durations,
        );

        let book = PriceBook::new(&overrides, &self.catalog, self.settings.default_rates);
        let priced = price_snapshot(snapshot, &book, duration);
        let totals = priced.totals();
        check_amounts(&totals)?;

        let outcome = self.metrics.append(tenant, &priced).await?;
        let span = tracing::Span::current();
        span.record("pods", priced.pods().len());
        span.record("outcome", tracing::field::debug(outcome));
        Ok(IngestReceipt {
            outcome,
            snapshot_time: priced.snapshot().timestamp(),
            pods: priced.pods().len(),
            nodes: priced.nodes().len(),
            duration,
            totals,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use kcost_domain::cost_engine::DurationBasis;
    use kcost_domain::pricing::{PriceOverride, PriceSource};
    use kcost_ports::{CacheError, MockCache, MockMetricsStore, MockPriceRepository};
    use mockall::predicate::eq;
    use rust_decimal::Decimal;

    use super::*;
    use crate::test_support::{
        clock, invalidation_counting_cache, key_with, query_cache_over, tenant,
    };

    use kcost_agent_contract::AgentPayload;
    use kcost_agent_contract::fixtures::{NODES_NULL, SMALL};

    /// The reference agent's `json`, decoded as the HTTP layer does.
    fn payload(json: &str) -> SnapshotDraft {
        serde_json::from_str::<AgentPayload>(json)
            .unwrap()
            .into_draft()
    }

    fn use_case(
        metrics: MockMetricsStore,
        prices: MockPriceRepository,
        cache: Arc<QueryCache>,
    ) -> IngestSnapshot {
        IngestSnapshot::new(
            Arc::new(metrics),
            Arc::new(prices),
            Arc::new(Catalog::builtin().unwrap()),
            clock(),
            cache,
            IngestSettings::default(),
        )
    }

    fn writer() -> AuthenticatedKey {
        key_with(&[Scope::MetricsWrite], None)
    }

    /// The writer ingests the reference agent's small snapshot.
    async fn ingest_small(
        metrics: MockMetricsStore,
        prices: MockPriceRepository,
        cache: Arc<QueryCache>,
    ) -> Result<IngestReceipt, IngestError> {
        use_case(metrics, prices, cache)
            .execute(&writer(), payload(SMALL))
            .await
    }

    /// Asserts the ingest failed as unavailable: the agent is to retry.
    fn assert_unavailable(ingested: Result<IngestReceipt, IngestError>) {
        assert!(
            matches!(
                ingested,
                Err(IngestError::Failed(BackendFailure::Unavailable(_)))
            ),
            "{ingested:?}"
        );
    }

    /// A metrics store that holds no earlier snapshot of the cluster; appends are up to
    /// each test.
    fn store_without_earlier_snapshots() -> MockMetricsStore {
        let mut metrics = MockMetricsStore::new();
        metrics
            .expect_previous_snapshot_time()
            .returning(|_, _, _| Ok(None));
        metrics
    }

    /// A price repository with no overrides for the tenant.
    fn no_overrides() -> MockPriceRepository {
        let mut prices = MockPriceRepository::new();
        prices.expect_overrides().returning(|_| Ok(vec![]));
        prices
    }

    /// Why `key` may not ingest the small snapshot; nothing is written.
    async fn refusal_of(key: &AuthenticatedKey) -> IngestError {
        let mut metrics = MockMetricsStore::new();
        metrics.expect_append().never();
        use_case(
            metrics,
            MockPriceRepository::new(),
            invalidation_counting_cache(0),
        )
        .execute(key, payload(SMALL))
        .await
        .unwrap_err()
    }

    #[tokio::test]
    async fn stores_a_priced_snapshot_and_invalidates_the_tenants_cache() {
        let snapshot_time = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let mut metrics = MockMetricsStore::new();
        metrics
            .expect_previous_snapshot_time()
            .withf(move |t, c, before| {
                *t == tenant() && c.as_str() == "cost-dashboard-dev" && *before == snapshot_time
            })
            .returning(move |_, _, _| Ok(Some(snapshot_time - chrono::Duration::minutes(10))));
        metrics
            .expect_append()
            .withf(|t, priced| {
                *t == tenant()
                    && priced.pods().len() == 24
                    && priced.duration().seconds == 600
                    && priced.nodes()[1].price.source == PriceSource::TenantOverride
            })
            .times(1)
            .returning(|_, _| Ok(AppendOutcome::Stored));
        let mut prices = MockPriceRepository::new();
        prices.expect_overrides().with(eq(tenant())).returning(|_| {
            Ok(vec![
                PriceOverride::new("m5.xlarge", Decimal::new(15, 2)).unwrap(),
            ])
        });

        let receipt = ingest_small(metrics, prices, invalidation_counting_cache(1))
            .await
            .unwrap();
        assert_eq!(receipt.outcome, AppendOutcome::Stored);
        assert_eq!((receipt.pods, receipt.nodes), (24, 4));
        assert_eq!(receipt.snapshot_time, snapshot_time);
        assert_eq!(receipt.duration.basis, DurationBasis::GapToPrevious);
        assert_eq!(
            receipt.totals.on_node_pod_cost + receipt.totals.idle,
            receipt.totals.node_cost
        );
    }

    #[tokio::test]
    async fn a_duplicate_is_reported_and_does_not_invalidate() {
        let mut metrics = store_without_earlier_snapshots();
        metrics
            .expect_append()
            .returning(|_, _| Ok(AppendOutcome::Duplicate));
        let receipt = ingest_small(metrics, no_overrides(), invalidation_counting_cache(0))
            .await
            .unwrap();
        assert_eq!(receipt.outcome, AppendOutcome::Duplicate);
        assert_eq!(receipt.duration.basis, DurationBasis::Default);
    }

    #[tokio::test]
    async fn a_declared_interval_skips_the_previous_snapshot_lookup() {
        let mut metrics = MockMetricsStore::new();
        metrics.expect_previous_snapshot_time().never();
        metrics
            .expect_append()
            .withf(|_, p| p.duration().seconds == 300)
            .returning(|_, _| Ok(AppendOutcome::Stored));
        let mut prices = MockPriceRepository::new();
        prices.expect_overrides().never();
        let mut body = payload(NODES_NULL);
        body.interval_seconds = Some(300);
        // No nodes at all: no override lookup either.
        let receipt = use_case(metrics, prices, invalidation_counting_cache(1))
            .execute(&writer(), body)
            .await
            .unwrap();
        assert_eq!(receipt.duration.basis, DurationBasis::Declared);
        assert_eq!(receipt.nodes, 0);
    }

    #[tokio::test]
    async fn invalid_payloads_write_nothing() {
        let mut metrics = MockMetricsStore::new();
        metrics.expect_append().never();
        metrics.expect_previous_snapshot_time().never();
        let mut body = payload(SMALL);
        body.cluster = String::new();
        let err = use_case(
            metrics,
            MockPriceRepository::new(),
            invalidation_counting_cache(0),
        )
        .execute(&writer(), body)
        .await
        .unwrap_err();
        let IngestError::Invalid(invalid) = err else {
            panic!("expected Invalid, got {err:?}")
        };
        assert_eq!(invalid.errors[0].path, "cluster_name");
    }

    #[tokio::test]
    async fn keys_without_the_write_scope_are_forbidden() {
        let err = refusal_of(&key_with(&[Scope::CostsRead], None)).await;
        assert!(matches!(
            err,
            IngestError::Forbidden(AuthError::MissingScope(Scope::MetricsWrite))
        ));
    }

    #[tokio::test]
    async fn keys_bound_to_another_cluster_are_forbidden() {
        let err = refusal_of(&key_with(&[Scope::MetricsWrite], Some("other-cluster"))).await;
        assert!(matches!(
            err,
            IngestError::Forbidden(AuthError::ClusterNotAllowed { .. })
        ));
    }

    #[tokio::test]
    async fn a_key_bound_to_the_payloads_cluster_may_ingest() {
        let mut metrics = store_without_earlier_snapshots();
        metrics
            .expect_append()
            .returning(|_, _| Ok(AppendOutcome::Stored));
        let bound = key_with(&[Scope::MetricsWrite], Some("cost-dashboard-dev"));
        assert!(
            use_case(metrics, no_overrides(), invalidation_counting_cache(1))
                .execute(&bound, payload(SMALL))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn an_unavailable_store_is_reported_as_such() {
        let mut metrics = store_without_earlier_snapshots();
        metrics.expect_append().returning(|_, _| {
            Err(kcost_ports::MetricsStoreError::unavailable(
                anyhow::anyhow!("pool timed out"),
            ))
        });
        assert_unavailable(
            ingest_small(metrics, no_overrides(), invalidation_counting_cache(0)).await,
        );
    }

    #[tokio::test]
    async fn an_unavailable_price_store_fails_before_writing() {
        let mut metrics = store_without_earlier_snapshots();
        metrics.expect_append().never();
        let mut prices = MockPriceRepository::new();
        prices
            .expect_overrides()
            .returning(|_| Err(PriceRepositoryError::unavailable(anyhow::anyhow!("down"))));
        assert_unavailable(ingest_small(metrics, prices, invalidation_counting_cache(0)).await);
    }

    #[tokio::test]
    async fn a_failing_cache_does_not_fail_a_committed_ingest() {
        let mut metrics = store_without_earlier_snapshots();
        metrics
            .expect_append()
            .returning(|_, _| Ok(AppendOutcome::Stored));
        let mut cache = MockCache::new();
        cache
            .expect_increment()
            .returning(|_| Err(CacheError::unavailable(anyhow::anyhow!("down"))));
        let cache = query_cache_over(cache);
        let receipt = ingest_small(metrics, no_overrides(), cache.clone())
            .await
            .unwrap();
        assert_eq!(receipt.outcome, AppendOutcome::Stored);
        assert_eq!(cache.stats().errors, 1);
    }
}
