//! Health of the services kcost depends on, for `/v1/health` and `/readyz`: the relational
//! store and the time-series store are required; the cache is optional (kcost keeps
//! serving from the database without it, so a failing cache is "degraded", not "down").
//! OpenCost import sources, when configured, are reported beside them but never affect
//! readiness: kcost serves what it has stored whether OpenCost answers or not.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kcost_ports::{Cache, MetricsStore, TenantRepository};
use serde::Serialize;

use crate::deadline::within;
use crate::opencost_import::{ImportStatus, OpenCostImports};

/// One component's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentStatus {
    Up,
    /// Optional component failing; requests still succeed.
    Degraded,
    /// Required component failing; requests that need it fail with 503.
    Down,
}

/// The state of every component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    pub database: ComponentStatus,
    pub timeseries: ComponentStatus,
    pub cache: ComponentStatus,
}

impl HealthReport {
    /// Ready to serve: every required component is up.
    pub fn is_ready(&self) -> bool {
        self.database == ComponentStatus::Up && self.timeseries == ComponentStatus::Up
    }
}

/// Probes the components.
pub struct HealthCheck {
    tenants: Arc<dyn TenantRepository>,
    metrics: Arc<dyn MetricsStore>,
    cache: Arc<dyn Cache>,
    /// Set once at start-up when OpenCost sources are configured.
    opencost: OnceLock<Arc<OpenCostImports>>,
}

impl std::fmt::Debug for HealthCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCheck").finish_non_exhaustive()
    }
}

/// Key read to probe the cache; it never exists, a miss is a healthy answer.
const CACHE_PROBE_KEY: &str = "kcost:health:probe";

impl HealthCheck {
    pub fn new(
        tenants: Arc<dyn TenantRepository>,
        metrics: Arc<dyn MetricsStore>,
        cache: Arc<dyn Cache>,
    ) -> Self {
        Self {
            tenants,
            metrics,
            cache,
            opencost: OnceLock::new(),
        }
    }

    /// Reports `imports` from now on (the server builds them after the HTTP state, since
    /// they share its query cache). A second call is ignored.
    pub fn attach_opencost(&self, imports: Arc<OpenCostImports>) {
        let _ = self.opencost.set(imports);
    }

    /// Every OpenCost source's import status; empty when none is configured.
    pub fn opencost_statuses(&self) -> Vec<ImportStatus> {
        self.opencost
            .get()
            .map(|imports| imports.statuses())
            .unwrap_or_default()
    }

    /// Kubecent's one-word `opencost` health: `not_configured`, `connected`,
    /// `unreachable` or `unknown` (see `opencost_import::overall_connection`).
    pub fn opencost_connection(&self) -> &'static str {
        crate::opencost_import::overall_connection(&self.opencost_statuses())
    }

    /// Probes every component at once, each for at most [`PROBE_TIMEOUT`]; failures are
    /// logged here with their cause and reported to callers only as a status.
    pub async fn check(&self) -> HealthReport {
        let (database, timeseries, cache) = tokio::join!(
            probe("pinging the relational store", self.tenants.ping()),
            probe("pinging the time-series store", self.metrics.ping()),
            probe("reading the cache", self.cache.get(CACHE_PROBE_KEY)),
        );
        HealthReport {
            database: status(database, "relational store", ComponentStatus::Down),
            timeseries: status(timeseries, "time-series store", ComponentStatus::Down),
            cache: status(cache, "cache", ComponentStatus::Degraded),
        }
    }
}

/// How long one probe may take. Kubernetes' probes time out after 1 s by default, and a
/// store that has not answered a `SELECT 1` in this long is not serving requests either.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(750);

/// `work` bounded by [`PROBE_TIMEOUT`]; its answer is only whether it succeeded.
async fn probe<T, E>(
    what: &'static str,
    work: impl Future<Output = Result<T, E>>,
) -> anyhow::Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let answered = async { work.await.map(drop).map_err(anyhow::Error::new) };
    within(PROBE_TIMEOUT, what, answered, std::convert::identity).await
}

/// `Up`, or `failed` with the cause logged.
fn status(
    probe: anyhow::Result<()>,
    component: &'static str,
    failed: ComponentStatus,
) -> ComponentStatus {
    match probe {
        Ok(()) => ComponentStatus::Up,
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), component, "health: {failed:?}");
            failed
        }
    }
}

#[cfg(test)]
mod tests {
    use kcost_ports::{
        CacheError, MetricsStoreError, MockCache, MockMetricsStore, MockTenantRepository,
        TenantRepositoryError,
    };

    use super::*;

    fn check(db_up: bool, ts_up: bool, cache_up: bool) -> HealthCheck {
        let mut tenants = MockTenantRepository::new();
        tenants.expect_ping().returning(move || {
            if db_up {
                Ok(())
            } else {
                Err(TenantRepositoryError::unavailable(anyhow::anyhow!(
                    "refused"
                )))
            }
        });
        let mut metrics = MockMetricsStore::new();
        metrics.expect_ping().returning(move || {
            if ts_up {
                Ok(())
            } else {
                Err(MetricsStoreError::unavailable(anyhow::anyhow!("refused")))
            }
        });
        let mut cache = MockCache::new();
        cache.expect_get().returning(move |_| {
            if cache_up {
                Ok(None)
            } else {
                Err(CacheError::unavailable(anyhow::anyhow!("timeout")))
            }
        });
        HealthCheck::new(Arc::new(tenants), Arc::new(metrics), Arc::new(cache))
    }

    #[tokio::test]
    async fn all_up_is_ready() {
        let report = check(true, true, true).check().await;
        assert_eq!(report.cache, ComponentStatus::Up);
        assert!(report.is_ready());
    }

    #[tokio::test]
    async fn a_failing_cache_degrades_but_stays_ready() {
        let report = check(true, true, false).check().await;
        assert_eq!(report.cache, ComponentStatus::Degraded);
        assert!(report.is_ready());
    }

    #[tokio::test]
    async fn a_failing_store_is_down_and_not_ready() {
        let report = check(true, false, true).check().await;
        assert_eq!(report.timeseries, ComponentStatus::Down);
        assert!(!report.is_ready());
        let report = check(false, true, true).check().await;
        assert_eq!(report.database, ComponentStatus::Down);
        assert!(!report.is_ready());
    }

    /// A cache that accepts the command and never answers, like a frozen Redis.
    struct HungCache;

    #[async_trait::async_trait]
    impl Cache for HungCache {
        async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, CacheError> {
            std::future::pending().await
        }
        async fn set(&self, _: &str, _: &[u8], _: Duration) -> Result<(), CacheError> {
            std::future::pending().await
        }
        async fn delete(&self, _: &str) -> Result<(), CacheError> {
            std::future::pending().await
        }
        async fn increment(&self, _: &str) -> Result<u64, CacheError> {
            std::future::pending().await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_component_that_never_answers_is_reported_at_the_probe_timeout() {
        let mut tenants = MockTenantRepository::new();
        tenants.expect_ping().returning(|| Ok(()));
        let mut metrics = MockMetricsStore::new();
        metrics.expect_ping().returning(|| Ok(()));
        let health = HealthCheck::new(Arc::new(tenants), Arc::new(metrics), Arc::new(HungCache));
        let started = tokio::time::Instant::now();
        let report = health.check().await;
        assert_eq!(started.elapsed(), PROBE_TIMEOUT);
        assert_eq!(report.cache, ComponentStatus::Degraded);
        assert!(report.is_ready());
    }
}
