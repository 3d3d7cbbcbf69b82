//! The adapters configuration asks for, opened and ready: repositories on the relational
//! database, the metrics store on the time-series database (PostgreSQL → `PgMetricsStore`,
//! SQLite → `SqliteMetricsStore`) and the cache (in-process; Redis arrives with issue 5).

use std::sync::Arc;

use anyhow::Context as _;
use kcost_ports::{
    ApiKeyRepository, Cache, InstanceSettingsRepository, MetricsStore, PriceRepository,
    RecommendationRepository, TenantRepository,
};
use kcost_postgres_adapter::{
    SeaOrmApiKeyRepository, SeaOrmInstanceSettingsRepository, SeaOrmPriceRepository,
    SeaOrmRecommendationRepository, SeaOrmTenantRepository,
};
use kcost_redis_adapter::InProcessCache;
use kcost_sqlite_adapter::SqliteMetricsStore;
use kcost_timescale_adapter::PgMetricsStore;
use sea_orm::DbBackend;

use crate::config::Settings;
use crate::maintenance::MetricsMaintenance;
use crate::storage::{self, Databases};

/// Every store port, on the configured backends.
#[derive(Clone)]
pub struct Stores {
    pub databases: Databases,
    pub tenants: Arc<dyn TenantRepository>,
    pub api_keys: Arc<dyn ApiKeyRepository>,
    pub prices: Arc<dyn PriceRepository>,
    pub recommendations: Arc<dyn RecommendationRepository>,
    pub instance: Arc<dyn InstanceSettingsRepository>,
    pub metrics: Arc<dyn MetricsStore>,
    pub maintenance: MetricsMaintenance,
    pub cache: Arc<dyn Cache>,
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
        let cache = cache(settings)?;
        let databases = storage::open(settings).await?;
        if settings.database.run_migrations {
            let report = storage::migrate(&databases, settings.timescale.timescaledb).await?;
            for (store, applied) in [
                ("relational", &report.relational),
                ("time-series", &report.timeseries),
            ] {
                if !applied.is_empty() {
                    tracing::info!(store, migrations = ?applied, "applied migrations");
                }
            }
        }
        let (metrics, maintenance) = metrics_store(&databases)?;
        let db = &databases.relational;
        Ok(Self {
            tenants: Arc::new(SeaOrmTenantRepository::new(db.clone())),
            api_keys: Arc::new(SeaOrmApiKeyRepository::new(db.clone())),
            prices: Arc::new(SeaOrmPriceRepository::new(db.clone())),
            recommendations: Arc::new(SeaOrmRecommendationRepository::new(db.clone())),
            instance: Arc::new(SeaOrmInstanceSettingsRepository::new(db.clone())),
            metrics,
            maintenance,
            cache,
            databases,
        })
    }

    /// Closes the pools (SQLite checkpoints its WAL). Closing a pool shared by both stores
    /// twice is harmless.
    pub async fn close(&self) {
        let _ = self.databases.relational.close_by_ref().await;
        let _ = self.databases.timeseries.close_by_ref().await;
    }
}

/// The cache to use. A configured Redis is refused rather than silently ignored.
fn cache(settings: &Settings) -> anyhow::Result<Arc<dyn Cache>> {
    if settings.redis.url.is_some() {
        anyhow::bail!(
            "redis.url is set, but this kcost has no Redis cache adapter yet (it arrives with \
             issue 5, \"Redis: API-key cache, query cache…\"); unset redis.url \
             (KCOST_REDIS__URL) to use the in-process cache, which suits a single replica"
        );
    }
    Ok(Arc::new(InProcessCache::default()))
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
