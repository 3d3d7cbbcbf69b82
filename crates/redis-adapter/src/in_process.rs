//! [`InProcessCache`]: the cache port in process memory, with Redis's semantics.
//!
//! Values live in a moka cache bounded by bytes (key + value), each entry expiring after
//! its own TTL. Counters live apart, in a plain map that is never evicted and never
//! expires: the query cache keeps per-tenant versions in counters, and a version that fell
//! back to 0 under memory pressure could resurrect answers cached before newer ingests.
//! There is one counter per tenant, so the map stays small.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kcost_ports::{Cache, CacheError};
use moka::Expiry;
use moka::future::Cache as MokaCache;
use moka::notification::RemovalCause;

/// Default bound of [`InProcessCache::default`]: 32 MiB of keys and values.
pub const DEFAULT_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// A stored value and how long it lives from its last write.
#[derive(Debug, Clone)]
struct Entry {
    value: Arc<[u8]>,
    ttl: Duration,
}

/// Each entry expires `ttl` after it was last written; reads do not extend it.
#[derive(Debug)]
struct WrittenTtl;

impl Expiry<String, Entry> for WrittenTtl {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// The in-process cache. Cheap to clone: clones share their entries.
///
/// Operations on one key are atomic among themselves, except that a `set` racing an
/// `increment` of the same key may lose either write (kcost never mixes the two on a key).
/// An `increment` of a value written with `set` continues from its number, as Redis
/// `INCR` does, but turns it into a counter that no longer expires.
#[derive(Clone)]
pub struct InProcessCache {
    values: MokaCache<String, Entry>,
    counters: Arc<Mutex<HashMap<String, u64>>>,
    /// Entries dropped to stay within the size bound (not expiries, not deletes).
    evictions: Arc<AtomicU64>,
}

impl std::fmt::Debug for InProcessCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessCache")
            .field("entries", &self.values.entry_count())
            .field("bytes", &self.values.weighted_size())
            .field("evictions", &self.evictions())
            .finish_non_exhaustive()
    }
}

impl Default for InProcessCache {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BYTES)
    }
}

impl InProcessCache {
    /// A cache holding at most about `max_bytes` of keys and values; the least valuable
    /// entries are evicted first. Counters are not counted and never evicted.
    pub fn new(max_bytes: u64) -> Self {
        let evictions = Arc::new(AtomicU64::new(0));
        let counted = evictions.clone();
        let values = MokaCache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.value.len()).unwrap_or(u32::MAX)
            })
            .expire_after(WrittenTtl)
            .eviction_listener(move |_key, _entry, cause| {
                if cause == RemovalCause::Size {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            })
            .build();
        Self {
            values,
            counters: Arc::new(Mutex::new(HashMap::new())),
            evictions,
        }
    }

    /// Entries evicted to stay within the size bound since start, for `/metrics`.
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    fn counters(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        // The map holds plain integers: a panic elsewhere cannot leave it inconsistent.
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn not_a_counter(key: &str) -> CacheError {
    CacheError::Unexpected(anyhow::anyhow!(
        "cache entry {key} is not an integer counter"
    ))
}

#[async_trait]
impl Cache for InProcessCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        if let Some(count) = self.counters().get(key) {
            return Ok(Some(count.to_string().into_bytes()));
        }
        Ok(self.values.get(key).await.map(|entry| entry.value.to_vec()))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        self.counters().remove(key);
        if ttl.is_zero() {
            // Expired on arrival: nothing may be readable afterwards, not even an old value.
            self.values.invalidate(key).await;
        } else {
            let entry = Entry {
                value: Arc::from(value),
                ttl,
            };
            self.values.insert(key.to_owned(), entry).await;
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.counters().remove(key);
        self.values.invalidate(key).await;
        Ok(())
    }

    async fn increment(&self, key: &str) -> Result<u64, CacheError> {
        if let Some(count) = self.counters().get_mut(key) {
            *count = count.checked_add(1).ok_or_else(|| not_a_counter(key))?;
            return Ok(*count);
        }
        // Not a counter yet: start from a numeric value written with `set`, else from 0.
        let start = match self.values.get(key).await {
            Some(entry) => std::str::from_utf8(&entry.value)
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok())
                .ok_or_else(|| not_a_counter(key))?,
            None => 0,
        };
        self.values.invalidate(key).await;
        // A concurrent first increment may have created the counter meanwhile: `or_insert`
        // then keeps its count, so neither increment is lost.
        let mut counters = self.counters();
        let count = counters.entry(key.to_owned()).or_insert(start);
        *count = count.checked_add(1).ok_or_else(|| not_a_counter(key))?;
        Ok(*count)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn the_size_bound_evicts_values_but_never_counters() {
        let cache = InProcessCache::new(64 * 1024);
        cache.increment("version").await.unwrap();
        let value = vec![7u8; 1024];
        for i in 0..1_000 {
            cache
                .set(&format!("answer:{i}"), &value, Duration::from_secs(60))
                .await
                .unwrap();
        }
        cache.values.run_pending_tasks().await;
        assert!(cache.values.weighted_size() <= 64 * 1024);
        assert!(cache.values.entry_count() < 1_000);
        assert!(cache.evictions() > 0);
        assert_eq!(cache.increment("version").await.unwrap(), 2);
    }

    #[tokio::test]
    async fn clones_share_entries() {
        let cache = InProcessCache::default();
        let clone = cache.clone();
        cache.set("k", b"v", Duration::from_secs(60)).await.unwrap();
        assert_eq!(clone.get("k").await.unwrap(), Some(b"v".to_vec()));
    }
}
