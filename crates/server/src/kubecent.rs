//! `[kubecent]` at run time: resolving an `anonymous_tenant` setting (Kubecent's and the
//! allocation API's) by id or name at start-up,
//! and warming the query cache with the default `/api/v1` answers of active tenants.
//!
//! "Active" means the tenant's cache was invalidated — it ingested — on this replica within
//! [`ACTIVE_WITHIN`]; each replica warms the tenants it ingests for, into the shared cache.
//! A replica that has not ingested since it started warms nothing.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use kcost_app::kubecent::KubecentQueries;
use kcost_app::ports::TenantRepositoryError;
use kcost_app::query_cache::QueryCache;
use kcost_domain::tenant::{TenantId, TenantName};
use kcost_http::AppState;

use crate::config::Settings;
use crate::stores::Stores;

/// Tenants that ingested within this long are warmed.
pub const ACTIVE_WITHIN: Duration = Duration::from_secs(60 * 60);

/// The tenant an `anonymous_tenant` setting (`key`) names, by id (UUID) or name; `None`
/// when unset. A tenant that does not exist fails start-up: serving nothing (or a 500 per
/// request) would hide the mistake. `routes` says what answers without a key, for the
/// warning logged when the mode is on.
pub async fn anonymous_tenant(
    key: &str,
    value: Option<&str>,
    routes: &str,
    stores: &Stores,
) -> anyhow::Result<Option<TenantId>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let tenant = if let Ok(id) = uuid::Uuid::parse_str(value) {
        match stores.tenants.get(TenantId::from_uuid(id)).await {
            Ok(tenant) => tenant.id,
            Err(TenantRepositoryError::NotFound) => {
                anyhow::bail!("{key}: no tenant has the id `{value}`")
            }
            Err(error) => {
                return Err(anyhow::Error::new(error)
                    .context(format!("{key}: looking up tenant `{value}`")));
            }
        }
    } else {
        let name = TenantName::new(value)
            .with_context(|| format!("{key}: `{value}` is not a tenant id or name"))?;
        stores
            .tenants
            .find_by_name(&name)
            .await
            .with_context(|| format!("{key}: looking up tenant `{value}`"))?
            .with_context(|| {
                format!(
                    "{key}: no tenant is named `{value}`; create it (`kcost tenants create`) \
                     or unset the key"
                )
            })?
            .id
    };
    tracing::warn!(%tenant, setting = key, "{key} is set: {routes} answer without an API key");
    Ok(Some(tenant))
}

/// What the warming task needs; `None` from [`CacheWarming::new`] when warming is off.
#[derive(Debug, Clone)]
pub struct CacheWarming {
    pub interval: Duration,
    kubecent: Arc<KubecentQueries>,
    query_cache: Arc<QueryCache>,
}

impl CacheWarming {
    /// Off when `kubecent.warm_interval_seconds` is 0 or the query cache is disabled
    /// (`redis.query_cache_ttl_seconds = 0`: there is nothing to keep warm).
    pub fn new(settings: &Settings, state: &AppState) -> Option<Self> {
        let seconds = settings.kubecent.warm_interval_seconds;
        if seconds == 0 || settings.redis.query_cache_ttl_seconds == 0 {
            return None;
        }
        Some(Self {
            interval: Duration::from_secs(seconds),
            kubecent: state.kubecent.clone(),
            query_cache: state.query_cache.clone(),
        })
    }

    /// One run: every active tenant's default answers, recomputed and stored. A failing
    /// tenant is logged and skipped; the next run tries again.
    pub async fn run(&self) {
        let tenants = self.query_cache.recently_invalidated(ACTIVE_WITHIN);
        for tenant in &tenants {
            if let Err(error) = self.kubecent.warm(*tenant).await {
                tracing::warn!(%tenant, error = %format_args!("{error:#}"), "cache warming failed");
            }
        }
        if !tenants.is_empty() {
            tracing::debug!(tenants = tenants.len(), "warmed the Kubecent answers");
        }
    }
}
