//! The cache and invalidation bus `[redis]` asks for: Redis when `url` is set (shared by
//! every replica), else the in-process cache and bus (one replica).

use std::sync::Arc;
use std::time::Duration;

use kcost_ports::{Cache, InvalidationBus};

use crate::{
    InProcessCache, InProcessInvalidationBus, RedisCache, RedisInvalidationBus, RedisOptions,
    RedisSettings,
};

/// The opened cache, its bus, and what closing them needs.
#[derive(Clone)]
pub struct CacheBackend {
    pub cache: Arc<dyn Cache>,
    pub invalidations: Arc<dyn InvalidationBus>,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    InProcess(InProcessCache),
    Redis(RedisCache, Arc<RedisInvalidationBus>),
}

impl std::fmt::Debug for CacheBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kind {
            Kind::InProcess(_) => "CacheBackend::InProcess",
            Kind::Redis(..) => "CacheBackend::Redis",
        })
    }
}

impl CacheBackend {
    /// Connects to Redis if configured, its bus on the pub/sub `channel`. Redis being down
    /// is not an error (kcost serves from the database and reconnects); an invalid
    /// `redis.url` is.
    pub async fn open(settings: &RedisSettings, channel: &str) -> anyhow::Result<Self> {
        let Some(url) = &settings.url else {
            let cache = InProcessCache::default();
            return Ok(Self {
                cache: Arc::new(cache.clone()),
                invalidations: Arc::new(InProcessInvalidationBus::default()),
                kind: Kind::InProcess(cache),
            });
        };
        let options = RedisOptions::new(url.expose(), Duration::from_millis(settings.timeout_ms));
        let cache = RedisCache::connect(options.clone()).await?;
        let bus = Arc::new(RedisInvalidationBus::start(
            &options,
            cache.clone(),
            channel,
        )?);
        Ok(Self {
            cache: Arc::new(cache.clone()),
            invalidations: bus.clone(),
            kind: Kind::Redis(cache, bus),
        })
    }

    /// Entries evicted for space since start, when the cache can tell (in-process only;
    /// Redis reports its own `evicted_keys`).
    pub fn evictions(&self) -> Option<impl Fn() -> u64 + Send + Sync + 'static> {
        match &self.kind {
            Kind::InProcess(cache) => {
                let cache = cache.clone();
                Some(move || cache.evictions())
            }
            Kind::Redis(..) => None,
        }
    }

    /// Stops the bus's receiving task and closes the Redis connections.
    pub async fn close(&self) {
        if let Kind::Redis(cache, bus) = &self.kind {
            bus.close().await;
            cache.close().await;
        }
    }
}
