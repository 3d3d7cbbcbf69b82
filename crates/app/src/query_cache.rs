//! The per-tenant response cache with versioned keys.
//!
//! Each tenant has a version counter in the cache. Answers are stored under
//! `<prefix>q:<tenant>:v<version>:<query>`; an ingest bumps the version after its commit,
//! so every request that starts after the bump misses the old entries and recomputes from
//! the store: no answer older than the newest committed snapshot is served. Old entries
//! simply expire. A failing cache never fails a request: it is bypassed and logged.
//!
//! Besides hits, misses and errors it counts invalidations and warming refreshes, and
//! remembers which tenants were invalidated lately (they ingested), so a background task
//! can keep their answers warm.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kcost_domain::tenant::TenantId;
use kcost_ports::Cache;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Hit and miss counts since start, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryCacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Requests that bypassed the cache because it failed.
    pub errors: u64,
}

/// Versioned per-tenant cache of serialized answers.
pub struct QueryCache {
    cache: Arc<dyn Cache>,
    ttl: Duration,
    prefix: String,
    hits: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
    invalidations: AtomicU64,
    refreshes: AtomicU64,
    /// When each tenant was last invalidated on this replica (i.e. last ingested here).
    last_invalidated: Mutex<HashMap<TenantId, Instant>>,
    /// Tenants whose version bump failed (cache down during an ingest). Their answers are
    /// not served from the cache by this replica until a retried bump succeeds, so an
    /// answer cached before that ingest cannot come back when the cache does.
    unconfirmed: Mutex<HashSet<TenantId>>,
}

impl std::fmt::Debug for QueryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryCache")
            .field("ttl", &self.ttl)
            .field("prefix", &self.prefix)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl QueryCache {
    /// `prefix` namespaces every key (e.g. `kcost:`), so deployments and tests can share
    /// one Redis.
    pub fn new(cache: Arc<dyn Cache>, ttl: Duration, prefix: impl Into<String>) -> Self {
        Self {
            cache,
            ttl,
            prefix: prefix.into(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
            refreshes: AtomicU64::new(0),
            last_invalidated: Mutex::new(HashMap::new()),
            unconfirmed: Mutex::new(HashSet::new()),
        }
    }

    /// Invalidations since start (one per committed ingest).
    pub fn invalidations(&self) -> u64 {
        self.invalidations.load(Ordering::Relaxed)
    }

    /// Answers recomputed and stored by [`QueryCache::refresh`] (cache warming).
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// Tenants invalidated on this replica within `within`, i.e. that ingested recently.
    /// Forgets older ones, so the map stays as small as the set of active tenants.
    pub fn recently_invalidated(&self, within: Duration) -> Vec<TenantId> {
        let mut seen = self
            .last_invalidated
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.retain(|_, at| at.elapsed() <= within);
        let mut tenants: Vec<TenantId> = seen.keys().copied().collect();
        tenants.sort_unstable();
        tenants
    }

    pub fn stats(&self) -> QueryCacheStats {
        QueryCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
        }
    }

    fn version_key(&self, tenant: TenantId) -> String {
        format!("{}q:{tenant}:version", self.prefix)
    }

    /// Makes every cached answer of `tenant` unreachable. Called after each committed
    /// ingest. Failure is logged, not returned: the data is committed either way.
    pub async fn invalidate(&self, tenant: TenantId) {
        self.invalidations.fetch_add(1, Ordering::Relaxed);
        self.last_invalidated
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(tenant, Instant::now());
        if let Err(error) = self.cache.increment(&self.version_key(tenant)).await {
            self.errors.fetch_add(1, Ordering::Relaxed);
            self.unconfirmed_tenants().insert(tenant);
            tracing::warn!(%tenant, error = format!("{:#}", anyhow::Error::new(error)), "could not invalidate the query cache; retrying before its next use");
        }
    }

    fn unconfirmed_tenants(&self) -> std::sync::MutexGuard<'_, HashSet<TenantId>> {
        self.unconfirmed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Retries a failed version bump of `tenant`; whether its cached answers may be used.
    async fn confirm_invalidation(&self, tenant: TenantId) -> bool {
        if !self.unconfirmed_tenants().contains(&tenant) {
            return true;
        }
        match self.cache.increment(&self.version_key(tenant)).await {
            Ok(_) => {
                self.unconfirmed_tenants().remove(&tenant);
                true
            }
            Err(_) => false,
        }
    }

    /// Returns the cached answer for `query` or computes, stores and returns it.
    /// Errors of `compute` are returned and never cached.
    pub async fn get_or_compute<T, E, F, Fut>(
        &self,
        tenant: TenantId,
        query: &str,
        compute: F,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(key) = self.answer_key(tenant, query).await else {
            return compute().await;
        };
        match self.cache.get(&key).await {
            Ok(Some(bytes)) => match serde_json::from_slice(&bytes) {
                Ok(answer) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(answer);
                }
                Err(error) => tracing::warn!(%key, %error, "unreadable cache entry; recomputing"),
            },
            Ok(None) => {}
            Err(error) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                // Routine during an outage, which the cache adapter logs (rate-limited).
                tracing::debug!(error = %error, "query cache unavailable; answering from the store");
                return compute().await;
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let answer = compute().await?;
        match serde_json::to_vec(&answer) {
            Ok(bytes) => {
                if let Err(error) = self.cache.set(&key, &bytes, self.ttl).await {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(
                        error = format!("{:#}", anyhow::Error::new(error)),
                        "could not store a query answer"
                    );
                }
            }
            Err(error) => tracing::warn!(%error, "could not serialize a query answer"),
        }
        Ok(answer)
    }

    /// Computes the answer for `query` and stores it whether or not one is cached (cache
    /// warming: the entry's TTL starts over). Counts neither a hit nor a miss.
    pub async fn refresh<T, E, F, Fut>(
        &self,
        tenant: TenantId,
        query: &str,
        compute: F,
    ) -> Result<(), E>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(key) = self.answer_key(tenant, query).await else {
            return Ok(());
        };
        let answer = compute().await?;
        match serde_json::to_vec(&answer) {
            Ok(bytes) => match self.cache.set(&key, &bytes, self.ttl).await {
                Ok(()) => {
                    self.refreshes.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %error, "could not store a warmed answer");
                }
            },
            Err(error) => tracing::warn!(%error, "could not serialize a warmed answer"),
        }
        Ok(())
    }

    async fn answer_key(&self, tenant: TenantId, query: &str) -> Option<String> {
        if self.ttl.is_zero() {
            // `redis.query_cache_ttl_seconds = 0`: caching is off; every query computes.
            return None;
        }
        if !self.confirm_invalidation(tenant).await {
            self.errors.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        match self.cache.get(&self.version_key(tenant)).await {
            Ok(version) => {
                let version = version
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .and_then(|text| text.trim().parse::<u64>().ok())
                    .unwrap_or(0);
                Some(format!("{}q:{tenant}:v{version}:{query}", self.prefix))
            }
            Err(error) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                // Routine during an outage, which the cache adapter logs (rate-limited).
                tracing::debug!(error = %error, "query cache unavailable; answering from the store");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::tenant;
    use kcost_ports::{CacheError, MockCache};
    use mockall::predicate::eq;

    fn cache_with(mock: MockCache) -> QueryCache {
        QueryCache::new(Arc::new(mock), Duration::from_secs(300), "t:")
    }

    #[tokio::test]
    async fn a_hit_is_served_without_computing() {
        let mut mock = MockCache::new();
        let version_key = format!("t:q:{}:version", tenant());
        let answer_key = format!("t:q:{}:v3:costs", tenant());
        mock.expect_get()
            .with(eq(version_key))
            .returning(|_| Ok(Some(b"3".to_vec())));
        mock.expect_get()
            .with(eq(answer_key))
            .returning(|_| Ok(Some(b"[1,2]".to_vec())));
        let cache = cache_with(mock);
        let answer: Result<Vec<u32>, ()> = cache
            .get_or_compute(tenant(), "costs", || async { panic!("must not compute") })
            .await;
        assert_eq!(answer, Ok(vec![1, 2]));
        assert_eq!(
            cache.stats(),
            QueryCacheStats {
                hits: 1,
                misses: 0,
                errors: 0
            }
        );
    }

    #[tokio::test]
    async fn a_miss_computes_and_stores_under_the_current_version() {
        let mut mock = MockCache::new();
        mock.expect_get()
            .times(2)
            .returning(|key| Ok(key.ends_with(":version").then(|| b"7".to_vec())));
        let expected_key = format!("t:q:{}:v7:costs", tenant());
        mock.expect_set()
            .withf(move |key, value, ttl| {
                key == expected_key && value == b"[4]" && *ttl == Duration::from_secs(300)
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let cache = cache_with(mock);
        let answer: Result<Vec<u32>, ()> = cache
            .get_or_compute(tenant(), "costs", || async { Ok(vec![4]) })
            .await;
        assert_eq!(answer, Ok(vec![4]));
        assert_eq!(cache.stats().misses, 1);
    }

    #[tokio::test]
    async fn errors_of_the_computation_are_not_cached() {
        let mut mock = MockCache::new();
        mock.expect_get().returning(|_| Ok(None));
        mock.expect_set().never();
        let cache = cache_with(mock);
        let answer: Result<Vec<u32>, &str> = cache
            .get_or_compute(tenant(), "costs", || async { Err("store down") })
            .await;
        assert_eq!(answer, Err("store down"));
    }

    #[tokio::test]
    async fn a_failing_cache_is_bypassed() {
        let mut mock = MockCache::new();
        mock.expect_get().returning(|_| {
            Err(CacheError::unavailable(anyhow::anyhow!(
                "connection refused"
            )))
        });
        mock.expect_set().never();
        let cache = cache_with(mock);
        let answer: Result<Vec<u32>, ()> = cache
            .get_or_compute(tenant(), "costs", || async { Ok(vec![9]) })
            .await;
        assert_eq!(answer, Ok(vec![9]));
        assert_eq!(cache.stats().errors, 1);
    }

    #[tokio::test]
    async fn after_a_failed_invalidation_the_cache_is_bypassed_until_a_retry_succeeds() {
        let mut mock = MockCache::new();
        let mut attempts = 0;
        // Fails at the ingest and at the first query's retry; succeeds at the second's.
        mock.expect_increment().times(3).returning(move |_| {
            attempts += 1;
            if attempts < 3 {
                Err(CacheError::unavailable(anyhow::anyhow!("down")))
            } else {
                Ok(5)
            }
        });
        mock.expect_get()
            .returning(|key| Ok(key.ends_with(":version").then(|| b"5".to_vec())));
        mock.expect_set().times(1).returning(|_, _, _| Ok(()));
        let cache = cache_with(mock);
        cache.invalidate(tenant()).await;
        let fresh: Result<Vec<u32>, ()> = cache
            .get_or_compute(tenant(), "costs", || async { Ok(vec![1]) })
            .await;
        assert_eq!(fresh, Ok(vec![1]), "computed, cache bypassed");
        let fresh: Result<Vec<u32>, ()> = cache
            .get_or_compute(tenant(), "costs", || async { Ok(vec![2]) })
            .await;
        assert_eq!(
            fresh,
            Ok(vec![2]),
            "bumped, then a miss under the new version"
        );
        assert_eq!(cache.stats().misses, 1);
    }

    #[tokio::test]
    async fn a_zero_ttl_disables_the_cache() {
        let mut mock = MockCache::new();
        mock.expect_get().never();
        mock.expect_set().never();
        let cache = QueryCache::new(Arc::new(mock), Duration::ZERO, "t:");
        let answer: Result<Vec<u32>, ()> = cache
            .get_or_compute(tenant(), "costs", || async { Ok(vec![1]) })
            .await;
        assert_eq!(answer, Ok(vec![1]));
        assert_eq!(cache.stats(), QueryCacheStats::default());
    }

    #[tokio::test]
    async fn invalidation_bumps_the_tenants_version() {
        let mut mock = MockCache::new();
        mock.expect_increment()
            .with(eq(format!("t:q:{}:version", tenant())))
            .times(1)
            .returning(|_| Ok(8));
        cache_with(mock).invalidate(tenant()).await;
    }

    #[tokio::test]
    async fn invalidated_tenants_are_remembered_as_active() {
        let mut mock = MockCache::new();
        mock.expect_increment().returning(|_| Ok(1));
        let cache = cache_with(mock);
        assert!(
            cache
                .recently_invalidated(Duration::from_secs(60))
                .is_empty()
        );
        cache.invalidate(tenant()).await;
        assert_eq!(cache.invalidations(), 1);
        assert_eq!(
            cache.recently_invalidated(Duration::from_secs(60)),
            vec![tenant()]
        );
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.recently_invalidated(Duration::ZERO).is_empty());
    }

    #[tokio::test]
    async fn a_refresh_overwrites_without_counting_a_hit_or_miss() {
        let mut mock = MockCache::new();
        mock.expect_get()
            .times(1)
            .returning(|_| Ok(Some(b"2".to_vec())));
        let expected_key = format!("t:q:{}:v2:costs", tenant());
        mock.expect_set()
            .withf(move |key, value, _| key == expected_key && value == b"[5]")
            .times(1)
            .returning(|_, _, _| Ok(()));
        let cache = cache_with(mock);
        let refreshed: Result<(), ()> = cache
            .refresh(tenant(), "costs", || async { Ok(vec![5_u32]) })
            .await;
        assert_eq!(refreshed, Ok(()));
        assert_eq!(cache.refreshes(), 1);
        assert_eq!(cache.stats(), QueryCacheStats::default());
    }

    #[tokio::test]
    async fn failed_invalidation_is_counted_not_raised() {
        let mut mock = MockCache::new();
        mock.expect_increment()
            .returning(|_| Err(CacheError::unavailable(anyhow::anyhow!("timeout"))));
        let cache = cache_with(mock);
        cache.invalidate(tenant()).await;
        assert_eq!(cache.stats().errors, 1);
    }
}
