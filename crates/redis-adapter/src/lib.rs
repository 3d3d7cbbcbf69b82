//! Redis adapter (fred) implementing the cache port: API-key metadata cache, versioned
//! per-tenant query cache and cross-replica invalidation.
//!
//! Filled by the Redis issue; until then this crate only reserves its place in the
//! dependency graph.
