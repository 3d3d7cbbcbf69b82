//! Builds `AppState` from the real use cases over mockall mocks of the ports, with API keys
//! whose secrets the tests know, and the app with every middleware the server uses.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kcost_app::Clock;
use kcost_app::auth::{ApiKeyAdmin, ApiKeyAuthenticator, ApiKeyCache, ApiKeyCacheSettings};
use kcost_app::costs::CostQueries;
use kcost_app::health::HealthCheck;
use kcost_app::ingest::{IngestSettings, IngestSnapshot};
use kcost_app::key_usage::KeyUsage;
use kcost_app::kubecent::KubecentQueries;
use kcost_app::prices::PriceAdmin;
use kcost_app::query_cache::QueryCache;
use kcost_app::recommendations::Recommendations;
use kcost_app::tenants::TenantAdmin;
use kcost_domain::api_key::{
    AdminToken, ApiKeyRecord, ApiKeySecret, ApiKeyString, KeyId, Pepper, Salt, Scope, Scopes,
    SecretHash,
};
use kcost_domain::catalog::Catalog;
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::recommendation::{
    Confidence, Recommendation, RecommendationId, RecommendationStatus, RecommendationTarget,
    Resource,
};
use kcost_domain::tenant::TenantId;
use kcost_http::{AppState, HttpLimits, HttpMetrics};
use kcost_ports::{
    MockApiKeyRepository, MockCache, MockMetricsStore, MockPriceRepository,
    MockRecommendationRepository, MockTenantRepository,
};
use rust_decimal::Decimal;
use uuid::Uuid;

pub use kcost_agent_contract::fixtures::{NODES_NULL, SMALL};
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdefghijklmnop";
const PEPPER: &str = "a-test-pepper-of-32-bytes-length";

pub use kcost_test_support::FixedClock;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap()
}

pub fn tenant() -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0x7e4a))
}

/// An open recommendation of the test tenant, id `id`: lower the CPU request of
/// deployment `api` in `web` on `prod` from 1000m to 250m, saving $17.34 a month, with
/// confidence 0.8.
pub fn open_recommendation(id: u128) -> Recommendation {
    Recommendation {
        id: RecommendationId::from_uuid(Uuid::from_u128(id)),
        tenant_id: tenant(),
        target: RecommendationTarget {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            workload: Some(("Deployment".into(), "api".into())),
            pod: None,
            container: None,
        },
        resource: Resource::Cpu,
        current: 1000,
        recommended: 250,
        monthly_savings: Money::from_decimal(Decimal::new(1734, 2)),
        confidence: Confidence::new(Decimal::new(8, 1)).unwrap(),
        reason: "p95 usage is 180m".into(),
        status: RecommendationStatus::Open,
        created_at: now(),
        updated_at: now(),
        closed_by: None,
        close_reason: None,
    }
}

/// The keys the mock repository knows, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    Writer,
    Reader,
    All,
    BoundToOtherCluster,
    Revoked,
    Expired,
}

impl TestKey {
    const EVERY: [TestKey; 6] = [
        TestKey::Writer,
        TestKey::Reader,
        TestKey::All,
        TestKey::BoundToOtherCluster,
        TestKey::Revoked,
        TestKey::Expired,
    ];

    fn id(self) -> KeyId {
        KeyId::from_uuid(Uuid::from_u128(0x1000 + self as u128))
    }

    fn secret(self) -> ApiKeySecret {
        ApiKeySecret::from_random_bytes(&[self as u8 + 1; 32])
    }

    /// `<key_id>:<secret>`.
    pub fn text(self) -> String {
        ApiKeyString::new(self.id(), &self.secret())
            .expose()
            .to_owned()
    }

    /// The same key id with another secret.
    pub fn wrong_secret(self) -> String {
        ApiKeyString::new(self.id(), &ApiKeySecret::from_random_bytes(&[0xEE; 32]))
            .expose()
            .to_owned()
    }

    fn record(self) -> ApiKeyRecord {
        let pepper = Pepper::new(PEPPER).unwrap();
        let salt = Salt::from_bytes([self as u8; 16]);
        let scopes = match self {
            TestKey::Reader => Scopes::single(Scope::CostsRead),
            TestKey::All => Scopes::single(Scope::All),
            _ => Scopes::single(Scope::MetricsWrite),
        };
        ApiKeyRecord {
            key_id: self.id(),
            tenant_id: tenant(),
            name: None,
            secret_hash: SecretHash::compute(&pepper, &salt, &self.secret()),
            salt,
            scopes,
            cluster: (self == TestKey::BoundToOtherCluster)
                .then(|| ClusterName::new("other-cluster").unwrap()),
            revoked: self == TestKey::Revoked,
            expires_at: (self == TestKey::Expired).then(|| now() - chrono::Duration::hours(1)),
            created_at: now() - chrono::Duration::days(1),
            last_used_at: None,
        }
    }
}

/// The ports, for tests to add expectations before the state is built.
pub struct Mocks {
    pub metrics: MockMetricsStore,
    pub prices: MockPriceRepository,
    pub tenants: MockTenantRepository,
    pub keys: MockApiKeyRepository,
    pub recommendations: MockRecommendationRepository,
    pub budgets: kcost_ports::MockBudgetRepository,
    pub alerts: kcost_ports::MockAlertRepository,
    pub cache: MockCache,
    pub max_payload_bytes: usize,
    /// `kubecent.anonymous_tenant`, resolved.
    pub kubecent_anonymous_tenant: Option<TenantId>,
}

impl Mocks {
    /// Keys resolve; the cache is an always-empty, always-working cache.
    pub fn new() -> Self {
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find().returning(|id| {
            Ok(TestKey::EVERY
                .into_iter()
                .find(|key| key.id() == id)
                .map(TestKey::record))
        });
        let mut cache = MockCache::new();
        cache.expect_get().returning(|_| Ok(None));
        cache.expect_set().returning(|_, _, _| Ok(()));
        cache.expect_delete().returning(|_| Ok(()));
        cache.expect_increment().returning(|_| Ok(1));
        Self {
            metrics: MockMetricsStore::new(),
            prices: MockPriceRepository::new(),
            tenants: MockTenantRepository::new(),
            keys,
            recommendations: MockRecommendationRepository::new(),
            budgets: kcost_ports::MockBudgetRepository::new(),
            alerts: kcost_ports::MockAlertRepository::new(),
            cache,
            max_payload_bytes: 1 << 20,
            kubecent_anonymous_tenant: None,
        }
    }

    /// Ingest succeeds: no previous snapshot, no overrides, `outcome` from the store.
    pub fn accepting_ingest(mut self, outcome: kcost_ports::AppendOutcome) -> Self {
        self.metrics
            .expect_previous_snapshot_time()
            .returning(|_, _, _| Ok(None));
        self.metrics
            .expect_append()
            .returning(move |_, _| Ok(outcome));
        self.prices.expect_overrides().returning(|_| Ok(vec![]));
        self
    }

    pub fn into_state(self) -> actix_web::web::Data<AppState> {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock(now()));
        let metrics: Arc<dyn kcost_ports::MetricsStore> = Arc::new(self.metrics);
        let prices: Arc<dyn kcost_ports::PriceRepository> = Arc::new(self.prices);
        let tenants: Arc<dyn kcost_ports::TenantRepository> = Arc::new(self.tenants);
        let keys: Arc<dyn kcost_ports::ApiKeyRepository> = Arc::new(self.keys);
        let cache: Arc<dyn kcost_ports::Cache> = Arc::new(self.cache);
        let pepper = Pepper::new(PEPPER).unwrap();
        let mut bus = kcost_ports::MockInvalidationBus::new();
        bus.expect_publish().returning(|_| Ok(()));
        let key_cache = Arc::new(ApiKeyCache::new(
            cache.clone(),
            Arc::new(bus),
            ApiKeyCacheSettings::new(Duration::ZERO),
            "t:",
        ));
        let query_cache = Arc::new(QueryCache::new(
            cache.clone(),
            Duration::from_secs(60),
            "t:",
        ));
        let recommendations = Arc::new(Recommendations::new(
            metrics.clone(),
            Arc::new(self.recommendations),
            clock.clone(),
            kcost_recommender::KcostRecommender::default(),
            query_cache.clone(),
        ));
        let allocations = Arc::new(kcost_app::allocations::AllocationQueries::new(
            metrics.clone(),
            query_cache.clone(),
        ));
        let allocations_for_series = allocations.clone();
        let budgets = Arc::new(kcost_app::budgets::Budgets::new(
            Arc::new(self.budgets),
            Arc::new(self.alerts),
            kcost_app::budgets::spend::ScopeSpend::new(allocations.clone()),
            clock.clone(),
            kcost_domain::budget::WebhookPolicy::default(),
        ));
        actix_web::web::Data::new(AppState {
            ingest: Arc::new(IngestSnapshot::new(
                metrics.clone(),
                prices.clone(),
                Arc::new(Catalog::builtin().unwrap()),
                clock.clone(),
                query_cache.clone(),
                IngestSettings::default(),
            )),
            costs: Arc::new(CostQueries::new(metrics.clone(), query_cache.clone())),
            allocations,
            allocation_anonymous_tenant: None,
            focus_export: Arc::new(kcost_app::focus_export::FocusExport::new(
                metrics.clone(),
                tenants.clone(),
                kcost_domain::money::Currency::USD,
            )),
            // TTL zero: every request reaches the (mock) repository.
            authenticator: Arc::new(ApiKeyAuthenticator::new(
                keys.clone(),
                key_cache.clone(),
                pepper.clone(),
                clock.clone(),
            )),
            key_usage: Arc::new(KeyUsage::new(keys.clone(), clock.clone())),
            api_keys: Arc::new(ApiKeyAdmin::new(keys, key_cache, pepper, clock.clone())),
            tenants: Arc::new(TenantAdmin::new(tenants.clone(), clock.clone())),
            prices: Arc::new(PriceAdmin::new(prices)),
            recommendations: recommendations.clone(),
            budgets,
            forecasts: Arc::new(kcost_app::forecasts::Forecasts::new(
                kcost_app::cost_series::CostSeries::new(allocations_for_series.clone()),
                clock.clone(),
            )),
            anomalies: Arc::new(kcost_app::anomalies::Anomalies::new(
                kcost_app::cost_series::CostSeries::new(allocations_for_series),
                clock.clone(),
            )),
            kubecent: Arc::new(KubecentQueries::new(
                metrics.clone(),
                recommendations,
                query_cache.clone(),
                clock.clone(),
            )),
            kubecent_anonymous_tenant: self.kubecent_anonymous_tenant,
            health: Arc::new(HealthCheck::new(tenants, metrics, cache)),
            query_cache,
            admin_token: AdminToken::new(ADMIN_TOKEN).unwrap().hash(),
            clock,
            limits: HttpLimits {
                max_payload_bytes: self.max_payload_bytes,
            },
            metrics: Arc::new(HttpMetrics::new()),
        })
    }
}

/// The app as the server assembles it (rate limit off unless given).
macro_rules! app {
    ($state:expr) => {
        app!($state, 0)
    };
    ($state:expr, $per_minute:expr) => {
        actix_web::test::init_service(
            kcost_http::HttpApp::new(
                $state.clone(),
                $per_minute,
                vec!["https://dash.example".to_owned()],
            )
            .unwrap()
            .app(),
        )
        .await
    };
}
pub(crate) use app;

/// Sends a `TestRequest` and returns the status, headers and JSON body (`Null` if none).
macro_rules! send {
    ($app:expr, $req:expr) => {{
        let response = actix_web::test::call_service(&$app, $req.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = actix_web::test::read_body(response).await;
        let json: serde_json::Value =
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, headers, json)
    }};
}
pub(crate) use send;

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The field paths of a 422 body's `details`, in order.
pub fn detail_paths(body: &serde_json::Value) -> Vec<&str> {
    body["details"]
        .as_array()
        .expect("a details list")
        .iter()
        .map(|detail| detail["path"].as_str().expect("a path"))
        .collect()
}
