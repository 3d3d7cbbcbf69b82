//! The use cases, built on the opened stores with the settled secrets, and the HTTP
//! layer's state over them. Shared by `kcost serve` and the admin commands, so both run
//! the very same code paths.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use kcost_app::Clock;
use kcost_app::allocations::AllocationQueries;
use kcost_app::anomalies::Anomalies;
use kcost_app::auth::{ApiKeyAdmin, ApiKeyAuthenticator, ApiKeyCache, ApiKeyCacheSettings};
use kcost_app::budgets::Budgets;
use kcost_app::budgets::delivery::AlertDelivery;
use kcost_app::budgets::spend::ScopeSpend;
use kcost_app::budgets::watch::BudgetWatch;
use kcost_app::cost_series::CostSeries;
use kcost_app::costs::CostQueries;
use kcost_app::focus_export::FocusExport;
use kcost_app::forecasts::Forecasts;
use kcost_app::health::HealthCheck;
use kcost_app::ingest::IngestSnapshot;
use kcost_app::instance::InstanceSecrets;
use kcost_app::key_usage::KeyUsage;
use kcost_app::kubecent::KubecentQueries;
use kcost_app::prices::PriceAdmin;
use kcost_app::query_cache::QueryCache;
use kcost_app::recommendations::Recommendations;
use kcost_app::tenants::TenantAdmin;
use kcost_domain::catalog::Catalog;
use kcost_domain::money::Currency;
use kcost_http::metrics::HttpMetrics;
use kcost_http::{AppState, HttpLimits};
use kcost_recommender::{KcostRecommender, Policy};
use kcost_webhook_adapter::HttpWebhookSender;

use crate::config::Settings;
use crate::stores::Stores;

/// Prefix of every cache key, so deployments can share one Redis with other software.
pub const CACHE_PREFIX: &str = "kcost:";

/// The administration use cases (admin API and CLI).
#[derive(Debug, Clone)]
pub struct AdminServices {
    pub tenants: Arc<TenantAdmin>,
    pub api_keys: Arc<ApiKeyAdmin>,
    pub prices: Arc<PriceAdmin>,
    /// The API-key cache key administration drops revoked keys from (and, over the
    /// invalidation bus, every replica's).
    pub api_key_cache: Arc<ApiKeyCache>,
}

impl AdminServices {
    pub fn new(
        settings: &Settings,
        stores: &Stores,
        secrets: &InstanceSecrets,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let api_key_cache = Arc::new(ApiKeyCache::new(
            stores.cache.clone(),
            stores.invalidations.clone(),
            ApiKeyCacheSettings::new(Duration::from_secs(
                settings.security.api_key_cache_ttl_seconds,
            )),
            CACHE_PREFIX,
        ));
        Self {
            tenants: Arc::new(TenantAdmin::new(stores.tenants.clone(), clock.clone())),
            api_keys: Arc::new(ApiKeyAdmin::new(
                stores.api_keys.clone(),
                api_key_cache.clone(),
                secrets.pepper.clone(),
                clock,
            )),
            prices: Arc::new(PriceAdmin::new(stores.prices.clone())),
            api_key_cache,
        }
    }
}

/// Everything the HTTP server needs, and the parts the background tasks share with it.
#[derive(Debug)]
pub struct Services {
    pub state: AppState,
    pub key_usage: Arc<KeyUsage>,
    /// Fed by a background task from the invalidation bus.
    pub api_key_cache: Arc<ApiKeyCache>,
    /// Budget evaluation and alert delivery, run by background tasks.
    pub budget_alerts: BudgetAlerts,
}

/// The two halves of budget alerting, shared by the background tasks and the tests.
#[derive(Debug, Clone)]
pub struct BudgetAlerts {
    pub watch: Arc<BudgetWatch>,
    pub delivery: Arc<AlertDelivery>,
}

impl Services {
    pub fn new(
        settings: &Settings,
        stores: &Stores,
        secrets: &InstanceSecrets,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let admin = AdminServices::new(settings, stores, secrets, clock.clone());
        let api_key_cache = admin.api_key_cache.clone();
        let query_cache = Arc::new(QueryCache::new(
            stores.cache.clone(),
            Duration::from_secs(settings.redis.query_cache_ttl_seconds),
            CACHE_PREFIX,
        ));
        let catalog = Catalog::builtin().context("loading the built-in price catalog")?;
        let ingest = IngestSnapshot::new(
            stores.metrics.clone(),
            stores.prices.clone(),
            Arc::new(catalog),
            clock.clone(),
            query_cache.clone(),
            settings
                .ingest
                .use_case_settings(&settings.pricing, settings.timescale.retention_days)?,
        );
        let authenticator = ApiKeyAuthenticator::new(
            stores.api_keys.clone(),
            api_key_cache.clone(),
            secrets.pepper.clone(),
            clock.clone(),
        );
        let key_usage = Arc::new(KeyUsage::new(stores.api_keys.clone(), clock.clone()));
        let recommendations = Arc::new(Recommendations::new(
            stores.metrics.clone(),
            stores.recommendations.clone(),
            clock.clone(),
            KcostRecommender::new(Policy::default()),
            query_cache.clone(),
        ));
        let kubecent = Arc::new(KubecentQueries::new(
            stores.metrics.clone(),
            recommendations.clone(),
            query_cache.clone(),
            clock.clone(),
        ));
        let allocations = Arc::new(AllocationQueries::new(
            stores.metrics.clone(),
            query_cache.clone(),
        ));
        let spend = ScopeSpend::new(allocations.clone());
        let series = CostSeries::new(allocations.clone());
        let budgets = Arc::new(Budgets::new(
            stores.budgets.clone(),
            stores.alerts.clone(),
            spend.clone(),
            clock.clone(),
            settings.budgets.webhook_policy(),
        ));
        let sender = HttpWebhookSender::new(Duration::from_secs(
            settings.budgets.delivery_timeout_seconds,
        ))
        .context("building the webhook client")?;
        let budget_alerts = BudgetAlerts {
            watch: Arc::new(BudgetWatch::new(
                stores.budgets.clone(),
                stores.alerts.clone(),
                spend,
                clock.clone(),
            )),
            delivery: Arc::new(AlertDelivery::new(
                stores.alerts.clone(),
                stores.budgets.clone(),
                Arc::new(sender),
                clock.clone(),
                Duration::from_secs(settings.budgets.delivery_timeout_seconds),
            )),
        };
        let state = AppState {
            ingest: Arc::new(ingest),
            costs: Arc::new(CostQueries::new(
                stores.metrics.clone(),
                query_cache.clone(),
            )),
            allocations,
            // Resolved at start-up (`kcost_app::settings::AnonymousTenant::resolve`).
            allocation_anonymous_tenant: None,
            focus_export: Arc::new(FocusExport::new(
                stores.metrics.clone(),
                stores.tenants.clone(),
                Currency::new(&settings.pricing.currency)
                    .context("pricing.currency must be an ISO 4217 code")?,
            )),
            authenticator: Arc::new(authenticator),
            key_usage: key_usage.clone(),
            api_keys: admin.api_keys,
            tenants: admin.tenants,
            prices: admin.prices,
            recommendations,
            budgets,
            forecasts: Arc::new(Forecasts::new(series.clone(), clock.clone())),
            anomalies: Arc::new(Anomalies::new(series, clock.clone())),
            kubecent,
            // Resolved at start-up (`kcost_app::settings::AnonymousTenant::resolve`).
            kubecent_anonymous_tenant: None,
            health: Arc::new(HealthCheck::new(
                stores.tenants.clone(),
                stores.metrics.clone(),
                stores.cache.clone(),
            )),
            query_cache,
            admin_token: secrets.admin_token_hash,
            clock,
            limits: HttpLimits {
                max_payload_bytes: usize::try_from(settings.ingest.max_payload_bytes)
                    .unwrap_or(usize::MAX),
            },
            metrics: Arc::new(http_metrics(stores)),
        };
        Ok(Self {
            state,
            key_usage,
            api_key_cache,
            budget_alerts,
        })
    }
}

/// The HTTP metrics, with the database pools' occupancy and the cache's evictions when it
/// counts them.
fn http_metrics(stores: &Stores) -> HttpMetrics {
    let databases = stores.databases.clone();
    let metrics = HttpMetrics::new().with_pool_usage(move || pool_usage(&databases));
    match stores.cache_backend.evictions() {
        Some(evictions) => metrics.with_cache_evictions(evictions),
        None => metrics,
    }
}

/// Occupancy of each distinct pool (one when both stores share a database).
fn pool_usage(databases: &crate::storage::Databases) -> Vec<kcost_http::PoolUsage> {
    let mut pools = vec![one_pool("relational", &databases.relational)];
    if !databases.shared {
        pools.push(one_pool("timeseries", &databases.timeseries));
    }
    pools.into_iter().flatten().collect()
}

fn one_pool(name: &'static str, db: &sea_orm::DatabaseConnection) -> Option<kcost_http::PoolUsage> {
    let usage = |open: u32, idle: usize, max: u32| kcost_http::PoolUsage {
        pool: name,
        open,
        idle: u32::try_from(idle).unwrap_or(u32::MAX),
        max,
    };
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some(usage(
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some(usage(
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        _ => None,
    }
}
