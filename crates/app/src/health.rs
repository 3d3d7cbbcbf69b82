//! Health of the services kcost depends on, for `/v1/health` and `/readyz`: the relational
//! store and the time-series store are required; the cache is optional (kcost keeps
//! serving from the database without it, so a failing cache is "degraded", not "down").
//! OpenCost import sources, when configured, are reported beside them but never affect
//! readiness: kcost serves what it has stored whether OpenCost answers or not.

use std::sync::{Arc, OnceLock};

use kcost_ports::{Cache, MetricsStore, TenantRepository};
use serde::Serialize;

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

    /// Probes every component; failures are logged here with their cause and reported
    /// to callers only as a status.
    pub async fn check(&self) -> HealthReport {
        let database = match self.tenants.ping().await {
            Ok(()) => ComponentStatus::Up,
            Err(error) => {
                tracing::warn!(error = %error, "health: relational store down");
                ComponentStatus::Down
            }
        };
        let timeseries = match self.metrics.ping().await {
            Ok(()) => ComponentStatus::Up,
            Err(error) => {
                tracing::warn!(error = %error, "health: time-series store down");
                ComponentStatus::Down
            }
        };
        let cache = match self.cache.get(CACHE_PROBE_KEY).await {
            Ok(_) => ComponentStatus::Up,
            Err(error) => {
                tracing::warn!(error = %error, "health: cache degraded");
                ComponentStatus::Degraded
            }
        };
        HealthReport {
            database,
            timeseries,
            cache,
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
                Err(TenantRepositoryError::Unavailable(anyhow::anyhow!(
                    "refused"
                )))
            }
        });
        let mut metrics = MockMetricsStore::new();
        metrics.expect_ping().returning(move || {
            if ts_up {
                Ok(())
            } else {
                Err(MetricsStoreError::Unavailable(anyhow::anyhow!("refused")))
            }
        });
        let mut cache = MockCache::new();
        cache.expect_get().returning(move |_| {
            if cache_up {
                Ok(None)
            } else {
                Err(CacheError::Unavailable(anyhow::anyhow!("timeout")))
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
}
