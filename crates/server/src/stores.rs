//! The adapters configuration asks for, opened and ready: repositories on the relational
//! database, the metrics store on the time-series database (PostgreSQL → `PgMetricsStore`,
//! SQLite → `SqliteMetricsStore`) and the cache with its invalidation bus (Redis when
//! `redis.url` is set, else in process; see [`CacheBackend`]).

use std::sync::Arc;

use anyhow::Context as _;
use kcost_ports::{
    AlertRepository, ApiKeyRepository, BudgetRepository, Cache, InstanceSettingsRepository,
    InvalidationBus, MetricsStore, PriceRepository, RecommendationRepository, TenantRepository,
};
use kcost_postgres_adapter::{
    SeaOrmAlertRepository, SeaOrmApiKeyRepository, SeaOrmBudgetRepository,
    SeaOrmInstanceSettingsRepository, SeaOrmPriceRepository, SeaOrmRecommendationRepository,
    SeaOrmTenantRepository,
};
use kcost_redis_adapter::CacheBackend;
use kcost_sqlite_adapter::SqliteMetricsStore;
use kcost_timescale_adapter::PgMetricsStore;
use sea_orm::DbBackend;

use crate::config::Settings;
use crate::maintenance::MetricsMaintenance;
use crate::storage::{self, Databases};

/// Pub/sub channel of invalidation messages (API-key revocations), under the cache's
/// key prefix.
pub const INVALIDATION_CHANNEL: &str = "kcost:invalidations";

/// Every store port, on the configured backends.
#[derive(Clone)]
pub struct Stores {
    pub databases: Databases,
    pub tenants: Arc<dyn TenantRepository>,
    pub api_keys: Arc<dyn ApiKeyRepository>,
    pub prices: Arc<dyn PriceRepository>,
    pub recommendations: Arc<dyn RecommendationRepository>,
    pub budgets: Arc<dyn BudgetRepository>,
    pub alerts: Arc<dyn AlertRepository>,
    pub instance: Arc<dyn InstanceSettingsRepository>,
    pub metrics: Arc<dyn MetricsStore>,
    pub maintenance: MetricsMaintenance,
    pub cache: Arc<dyn Cache>,
    /// Tells every replica to drop what it caches in process (revoked API keys).
    pub invalidations: Arc<dyn InvalidationBus>,
    pub cache_backend: CacheBackend,
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stores")
            .field("databases", &self.databases)
            .finish_non_exhaustive()
    }
}

impl Stores {
    /// Opens both databases, migrates them when `database.run_migrations` is set, and
    /// builds the adapters on them.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        let cache_backend = CacheBackend::open(&settings.redis, INVALIDATION_CHANNEL).await?;
        let databases = match storage::open(settings).await {
            Ok(databases) => databases,
            Err(error) => {
                cache_backend.close().await;
                return Err(error.into());
            }
        };
        if settings.database.run_migrations {
            let report = storage::migrate(&databases, settings.timescale.timescaledb).await?;
            // One line for both stores, and none when nothing was pending.
            if !report.relational.is_empty() || !report.timeseries.is_empty() {
                tracing::info!(
                    relational = report.relational.len(),
                    timeseries = report.timeseries.len(),
                    "applied {} pending migrations",
                    report.relational.len() + report.timeseries.len()
                );
            }
        }
        let (metrics, maintenance) = metrics_store(&databases)?;
        let db = &databases.relational;
        Ok(Self {
            tenants: Arc::new(SeaOrmTenantRepository::new(db.clone())),
            api_keys: Arc::new(SeaOrmApiKeyRepository::new(db.clone())),
            prices: Arc::new(SeaOrmPriceRepository::new(db.clone())),
            recommendations: Arc::new(SeaOrmRecommendationRepository::new(db.clone())),
            budgets: Arc::new(SeaOrmBudgetRepository::new(db.clone())),
            alerts: Arc::new(SeaOrmAlertRepository::new(db.clone())),
            instance: Arc::new(SeaOrmInstanceSettingsRepository::new(db.clone())),
            metrics,
            maintenance,
            cache: cache_backend.cache.clone(),
            invalidations: cache_backend.invalidations.clone(),
            cache_backend,
            databases,
        })
    }

    /// Closes the pools (SQLite checkpoints its WAL) and the Redis connections. Closing a
    /// pool shared by both stores twice is harmless.
    pub async fn close(&self) {
        self.cache_backend.close().await;
        let _ = self.databases.relational.close_by_ref().await;
        let _ = self.databases.timeseries.close_by_ref().await;
    }
}

fn metrics_store(
    databases: &Databases,
) -> anyhow::Result<(Arc<dyn MetricsStore>, MetricsMaintenance)> {
    let db = &databases.timeseries;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let store = PgMetricsStore::from_connection(db)
                .context("opening the PostgreSQL metrics store")?;
            Ok((Arc::new(store.clone()), MetricsMaintenance::Postgres(store)))
        }
        DbBackend::Sqlite => {
            let store =
                SqliteMetricsStore::new(db.clone()).context("opening the SQLite metrics store")?;
            Ok((Arc::new(store.clone()), MetricsMaintenance::Sqlite(store)))
        }
        other => anyhow::bail!("timescale.url: unsupported database backend {other:?}"),
    }
}
