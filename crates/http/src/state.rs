//! What every handler can reach: the use cases, built by the server from adapters, and the
//! HTTP-level limits from configuration.

use std::sync::Arc;

use kcost_app::Clock;
use kcost_app::allocations::AllocationQueries;
use kcost_app::auth::{ApiKeyAdmin, ApiKeyAuthenticator};
use kcost_app::budgets::Budgets;
use kcost_app::costs::CostQueries;
use kcost_app::focus_export::FocusExport;
use kcost_app::health::HealthCheck;
use kcost_app::ingest::IngestSnapshot;
use kcost_app::key_usage::KeyUsage;
use kcost_app::kubecent::KubecentQueries;
use kcost_app::prices::PriceAdmin;
use kcost_app::query_cache::QueryCache;
use kcost_app::recommendations::Recommendations;
use kcost_app::tenants::TenantAdmin;
use kcost_domain::api_key::AdminTokenHash;
use kcost_domain::tenant::TenantId;

use crate::metrics::HttpMetrics;

/// Limits the HTTP layer enforces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// `ingest.max_payload_bytes`: largest body accepted, before and after gzip.
    pub max_payload_bytes: usize,
}

/// Shared application state (`web::Data<AppState>`).
pub struct AppState {
    pub ingest: Arc<IngestSnapshot>,
    pub costs: Arc<CostQueries>,
    /// OpenCost's allocation API.
    pub allocations: Arc<AllocationQueries>,
    /// `allocation.anonymous_tenant`, resolved: requests to the allocation routes without
    /// any key act for this tenant (read-only). `None` (the default): a key is needed.
    pub allocation_anonymous_tenant: Option<TenantId>,
    /// `GET /v1/export/focus`: the FOCUS billing export.
    pub focus_export: Arc<FocusExport>,
    pub authenticator: Arc<ApiKeyAuthenticator>,
    /// Last-use times of authenticated keys, batched in memory and flushed by the server.
    pub key_usage: Arc<KeyUsage>,
    pub api_keys: Arc<ApiKeyAdmin>,
    pub tenants: Arc<TenantAdmin>,
    pub prices: Arc<PriceAdmin>,
    pub recommendations: Arc<Recommendations>,
    /// Budgets and their alerts.
    pub budgets: Arc<Budgets>,
    /// Cost forecasts per group.
    pub forecasts: Arc<kcost_app::forecasts::Forecasts>,
    /// Cost anomalies per group.
    pub anomalies: Arc<kcost_app::anomalies::Anomalies>,
    pub health: Arc<HealthCheck>,
    /// The Kubecent-compatible questions under `/api/v1`.
    pub kubecent: Arc<KubecentQueries>,
    /// `kubecent.anonymous_tenant`, resolved: requests to the read-only `/api/v1`
    /// endpoints without any key act for this tenant. `None` (the default): a key is needed.
    pub kubecent_anonymous_tenant: Option<TenantId>,
    /// For `/metrics` (hits, misses, errors).
    pub query_cache: Arc<QueryCache>,
    /// Hash of the admin token; the token itself is never kept.
    pub admin_token: AdminTokenHash,
    pub clock: Arc<dyn Clock>,
    pub limits: HttpLimits,
    /// Request and ingest counters for `/metrics` (`Arc::new(HttpMetrics::new())`).
    pub metrics: Arc<HttpMetrics>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}
