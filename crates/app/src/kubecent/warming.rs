//! Warming the query cache with the default `/api/v1` answers of active tenants, every
//! `kubecent.warm_interval_seconds` (the server runs [`CacheWarming::run`] on a timer).
//!
//! "Active" means the tenant's cache was invalidated — it ingested — on this replica within
//! [`ACTIVE_WITHIN`]; each replica warms the tenants it ingests for, into the shared cache.
//! A replica that has not ingested since it started warms nothing.

use std::sync::Arc;
use std::time::Duration;

use super::KubecentQueries;
use crate::query_cache::QueryCache;
use crate::settings::KubecentSettings;

/// Tenants that ingested within this long are warmed.
pub const ACTIVE_WITHIN: Duration = Duration::from_secs(60 * 60);

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
    pub fn new(
        settings: &KubecentSettings,
        query_cache_ttl_seconds: u64,
        kubecent: Arc<KubecentQueries>,
        query_cache: Arc<QueryCache>,
    ) -> Option<Self> {
        let seconds = settings.warm_interval_seconds;
        if seconds == 0 || query_cache_ttl_seconds == 0 {
            return None;
        }
        Some(Self {
            interval: Duration::from_secs(seconds),
            kubecent,
            query_cache,
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
