//! [`ApiKeyCache`]: where verified API-key records are cached — a small bounded map in
//! this process (L1, a few seconds) in front of the shared cache (Redis, or the in-process
//! stand-in; `security.api_key_cache_ttl_seconds`) in front of the database.
//!
//! Entries are the stored records (salt, hash, scopes, binding, expiry), never the secret.
//! Unknown key ids are cached too, briefly, so a flood of made-up keys does not reach the
//! database. [`ApiKeyCache::forget`] (revocation, creation) drops the entry here and in
//! the shared cache and tells the other replicas over the invalidation bus to drop theirs;
//! if that message is lost, their L1 entry still expires within the L1 TTL.

use std::sync::Arc;
use std::time::Duration;

use kcost_domain::api_key::{ApiKeyRecord, KeyId};
use kcost_ports::{
    Cache, CacheError, InvalidationBus, InvalidationEvent, InvalidationSubscription,
};
use moka::sync::Cache as LocalMap;
use serde::{Deserialize, Serialize};

/// Longest time an unknown key id stays cached as unknown.
pub const MAX_NEGATIVE_TTL: Duration = Duration::from_secs(10);
/// Default L1 TTL: how long another replica may accept a key revoked elsewhere when the
/// revocation message is lost.
pub const DEFAULT_LOCAL_TTL: Duration = Duration::from_secs(3);
/// Default L1 bound, in entries (a record is a few hundred bytes).
pub const DEFAULT_LOCAL_CAPACITY: u64 = 10_000;
/// Prefix of invalidation messages about API keys: `apikey:<key_id>`.
const MESSAGE_PREFIX: &str = "apikey:";

/// How long entries live where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiKeyCacheSettings {
    /// In the shared cache (`security.api_key_cache_ttl_seconds`); zero disables caching
    /// altogether, L1 included.
    pub shared_ttl: Duration,
    /// In this process; capped by `shared_ttl`.
    pub local_ttl: Duration,
    /// Most entries kept in this process.
    pub local_capacity: u64,
}

impl ApiKeyCacheSettings {
    /// `shared_ttl` with the default L1.
    pub fn new(shared_ttl: Duration) -> Self {
        Self {
            shared_ttl,
            local_ttl: DEFAULT_LOCAL_TTL,
            local_capacity: DEFAULT_LOCAL_CAPACITY,
        }
    }
}

/// What is cached for a key id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum CachedKey {
    Known(ApiKeyRecord),
    Unknown,
}

/// Where a lookup was answered, for tests and benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cached {
    /// L1 had it.
    Local(Arc<CachedKey>),
    /// The shared cache had it (now in L1 too).
    Shared(Arc<CachedKey>),
    /// Neither: ask the database.
    Miss,
}

/// The two-level API-key cache and its invalidation.
pub struct ApiKeyCache {
    shared: Arc<dyn Cache>,
    bus: Arc<dyn InvalidationBus>,
    local: LocalMap<KeyId, Arc<CachedKey>>,
    settings: ApiKeyCacheSettings,
    prefix: String,
}

impl std::fmt::Debug for ApiKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyCache")
            .field("settings", &self.settings)
            .field("local_entries", &self.local.entry_count())
            .finish_non_exhaustive()
    }
}

impl ApiKeyCache {
    /// `prefix` namespaces the shared cache's keys (`<prefix>apikey:<key_id>`).
    pub fn new(
        shared: Arc<dyn Cache>,
        bus: Arc<dyn InvalidationBus>,
        settings: ApiKeyCacheSettings,
        prefix: impl Into<String>,
    ) -> Self {
        let local_ttl = settings.local_ttl.min(settings.shared_ttl);
        let local = LocalMap::builder()
            .max_capacity(settings.local_capacity)
            // moka refuses a zero TTL; a disabled cache never inserts anyway.
            .time_to_live(local_ttl.max(Duration::from_millis(1)))
            .build();
        Self {
            shared,
            bus,
            local,
            settings: ApiKeyCacheSettings {
                local_ttl,
                ..settings
            },
            prefix: prefix.into(),
        }
    }

    fn enabled(&self) -> bool {
        !self.settings.shared_ttl.is_zero()
    }

    fn local_enabled(&self) -> bool {
        !self.settings.local_ttl.is_zero()
    }

    fn shared_key(&self, key_id: KeyId) -> String {
        format!("{}apikey:{key_id}", self.prefix)
    }

    /// L1, then the shared cache. A failing shared cache reads as a miss.
    pub(crate) async fn get(&self, key_id: KeyId) -> Cached {
        if !self.enabled() {
            return Cached::Miss;
        }
        if let Some(entry) = self.local.get(&key_id) {
            return Cached::Local(entry);
        }
        match self.shared.get(&self.shared_key(key_id)).await {
            Ok(Some(bytes)) => match serde_json::from_slice::<CachedKey>(&bytes) {
                Ok(entry) => {
                    let entry = Arc::new(entry);
                    if self.local_enabled() {
                        self.local.insert(key_id, entry.clone());
                    }
                    Cached::Shared(entry)
                }
                Err(error) => {
                    tracing::warn!(%error, "unreadable API-key cache entry");
                    Cached::Miss
                }
            },
            Ok(None) => Cached::Miss,
            Err(error) => {
                log_cache_error(&error, "API-key cache unavailable; using the database");
                Cached::Miss
            }
        }
    }

    /// Caches what the database said about `key_id` in both levels.
    pub(crate) async fn put(&self, key_id: KeyId, record: Option<&ApiKeyRecord>) {
        if !self.enabled() {
            return;
        }
        let (entry, ttl) = match record {
            Some(record) => (CachedKey::Known(record.clone()), self.settings.shared_ttl),
            None => (
                CachedKey::Unknown,
                self.settings.shared_ttl.min(MAX_NEGATIVE_TTL),
            ),
        };
        match serde_json::to_vec(&entry) {
            Ok(bytes) => {
                if let Err(error) = self.shared.set(&self.shared_key(key_id), &bytes, ttl).await {
                    log_cache_error(&error, "could not cache an API key");
                }
            }
            Err(error) => tracing::warn!(%error, "could not serialize an API-key cache entry"),
        }
        if self.local_enabled() {
            self.local.insert(key_id, Arc::new(entry));
        }
    }

    /// Drops `key_id` everywhere: here at once, in the shared cache, and (by a message on
    /// the bus) in every other replica's L1. Failures are logged: the entries expire anyway.
    pub async fn forget(&self, key_id: KeyId) {
        self.local.invalidate(&key_id);
        if let Err(error) = self.shared.delete(&self.shared_key(key_id)).await {
            tracing::warn!(%error, %key_id, "could not drop an API key from the shared cache");
        }
        // Dropped again in case a concurrent lookup re-filled it from the shared cache
        // between the two steps above.
        self.local.invalidate(&key_id);
        if let Err(error) = self.bus.publish(&format!("{MESSAGE_PREFIX}{key_id}")).await {
            tracing::warn!(
                %error,
                %key_id,
                "could not tell other replicas to drop an API key; their copies expire within the local TTL"
            );
        }
    }

    /// Applies one event from the invalidation bus to L1.
    pub fn apply(&self, event: &InvalidationEvent) {
        match event {
            InvalidationEvent::Message(message) => {
                if let Some(key_id) = message
                    .strip_prefix(MESSAGE_PREFIX)
                    .and_then(|id| id.parse::<KeyId>().ok())
                {
                    self.local.invalidate(&key_id);
                }
            }
            InvalidationEvent::MayHaveMissed => self.local.invalidate_all(),
        }
    }

    /// Applies every event of `subscription` until it ends (the bus shut down). The server
    /// runs this as a background task and drops it at shutdown.
    pub async fn follow(&self, mut subscription: Box<dyn InvalidationSubscription>) {
        while let Some(event) = subscription.next().await {
            self.apply(&event);
        }
    }
}

/// An unreachable shared cache is routine during an outage, which the adapter already
/// reports (rate-limited): only debug here. Anything else is a warning.
fn log_cache_error(error: &CacheError, message: &'static str) {
    match error {
        CacheError::Unavailable(cause) => {
            tracing::debug!(error = format!("cache unavailable: {cause:#}"), "{message}");
        }
        CacheError::Unexpected(cause) => tracing::warn!(error = format!("{cause:#}"), "{message}"),
    }
}
