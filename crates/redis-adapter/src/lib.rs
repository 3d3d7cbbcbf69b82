//! Implementations of the cache port (`kcost_ports::Cache`).
//!
//! Today: [`InProcessCache`], the bounded in-process cache (moka) kcost uses when no
//! `redis.url` is configured — right for a single replica. The Redis implementation (fred:
//! shared API-key and query caches, cross-replica invalidation) arrives with the Redis
//! issue and must pass the same contract suite (`kcost_ports::contract::cache`).

mod in_process;

pub use in_process::{DEFAULT_MAX_BYTES, InProcessCache};
