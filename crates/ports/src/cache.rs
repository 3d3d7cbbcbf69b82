//! Cache port: a byte-oriented key-value cache with TTLs and counters. Serialization and
//! key design belong to the use cases; the adapter only stores bytes.

use std::time::Duration;

use async_trait::async_trait;

/// Errors of the port: `Unavailable` when the cache cannot be reached or timed out (callers
/// treat the cache as empty and carry on from the database; they never fail a request
/// because of it), else `Unexpected`.
pub type CacheError = crate::BackendFailure;

/// A shared cache (Redis, or an in-process stand-in).
///
/// Contract: `get` of a missing or expired key is `Ok(None)`; `set` overwrites; `delete`
/// of a missing key is `Ok(())`; `increment` creates a missing counter at 0 then adds 1
/// and returns the new value (counters do not expire). A slow backend answers
/// `Unavailable` within its configured timeout rather than blocking.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError>;
    async fn delete(&self, key: &str) -> Result<(), CacheError>;
    async fn increment(&self, key: &str) -> Result<u64, CacheError>;
}
