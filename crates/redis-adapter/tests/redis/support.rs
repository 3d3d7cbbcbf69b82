//! Test support: the test Redis, unique key prefixes, and a Redis server of a test's own
//! (to stop it mid-test).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use kcost_redis_adapter::{RedisCache, RedisOptions};

pub use kcost_test_support::free_port;
pub use kcost_test_support::redis::{OwnRedis, redis_url, unique_prefix};

pub fn options(url: &str) -> RedisOptions {
    RedisOptions::new(url, Duration::from_millis(250)).with_key_prefix(unique_prefix())
}

/// A cache on the shared test Redis with a unique prefix.
pub async fn redis_cache() -> RedisCache {
    RedisCache::connect(options(&redis_url()))
        .await
        .expect("valid Redis URL")
}

/// Polls `check` every 50 ms until it is true or `within` has passed; returns whether it
/// became true.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return true;
        }
        if started.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
