//! Implementations of the cache port (`kcost_ports::Cache`) and of the invalidation bus
//! (`kcost_ports::InvalidationBus`).
//!
//! - [`RedisCache`] and [`RedisInvalidationBus`] (fred): shared by every replica — API-key
//!   metadata, query answers and per-tenant versions in Redis, key revocations over pub/sub.
//!   Bounded by a per-command timeout, reconnecting by themselves, skipping a Redis that
//!   keeps timing out until a background ping gets an answer, logging outages rate-limited.
//! - [`InProcessCache`] and [`InProcessInvalidationBus`]: the same semantics in process
//!   memory, used when no `redis.url` is configured — right for a single replica.
//!
//! Both caches pass the same contract suite (`kcost_ports::contract::cache`). Which one
//! runs is configured by `[redis]` ([`RedisSettings`], validated here) and opened as a
//! [`CacheBackend`].

mod backend;
mod circuit;
mod in_process;
mod in_process_bus;
mod outage_log;
mod redis_bus;
mod redis_cache;
mod redis_options;
mod settings;

pub use backend::CacheBackend;
pub use circuit::{OPEN_AFTER, PROBE_INTERVAL};
pub use in_process::{DEFAULT_MAX_BYTES, InProcessCache};
pub use in_process_bus::InProcessInvalidationBus;
pub use outage_log::WARNING_INTERVAL;
pub use redis_bus::RedisInvalidationBus;
pub use redis_cache::RedisCache;
pub use redis_options::{DEFAULT_POOL_SIZE, InvalidRedisUrl, RedisOptions};
pub use settings::{REDIS_SCHEMES, RedisSettings};
