//! The Redis cache when Redis is unreachable, stopped, frozen and back: every command
//! answers `Unavailable` within the timeout, and the cache recovers by itself.

use std::time::{Duration, Instant};

use crate::support::{OwnRedis, eventually, free_port, options};
use kcost_ports::{Cache, CacheError};
use kcost_redis_adapter::RedisCache;

const LONG: Duration = Duration::from_secs(60);
/// The test caches' timeout (250 ms) plus scheduling slack.
const TIMEOUT_BOUND: Duration = Duration::from_millis(600);

async fn assert_unavailable_quickly(cache: &RedisCache) {
    let started = Instant::now();
    let outcomes = [
        cache.get("k").await.map(drop),
        cache.set("k", b"v", LONG).await,
        cache.delete("k").await,
        cache.increment("n").await.map(drop),
    ];
    for outcome in outcomes {
        assert!(
            matches!(outcome, Err(CacheError::Unavailable(_))),
            "{outcome:?}"
        );
    }
    assert!(
        started.elapsed() < TIMEOUT_BOUND * 4,
        "four commands took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_closed_port_is_unavailable_within_the_timeout() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let cache = RedisCache::connect(options(&url)).await.expect("valid URL");
    assert_unavailable_quickly(&cache).await;
}

#[tokio::test]
async fn an_invalid_url_is_an_error_without_the_password() {
    let error = RedisCache::connect(options("redis://user:pw-0xsecret@host:notaport"))
        .await
        .unwrap_err()
        .to_string();
    assert!(!error.contains("pw-0xsecret"), "{error}");
    assert!(error.contains("[redacted]"), "{error}");
}

#[tokio::test]
async fn a_stopped_redis_is_unavailable_and_a_restarted_one_is_used_again() {
    let mut redis = OwnRedis::start();
    let cache = RedisCache::connect(options(&redis.url())).await.unwrap();
    cache.set("k", b"before", LONG).await.unwrap();
    assert_eq!(cache.get("k").await.unwrap(), Some(b"before".to_vec()));

    redis.stop();
    assert_unavailable_quickly(&cache).await;

    let _restarted = OwnRedis::start_on(redis.port);
    let recovered = eventually(Duration::from_secs(10), || async {
        cache.set("k", b"after", LONG).await.is_ok()
    })
    .await;
    assert!(recovered, "the cache reconnected by itself");
    // A fresh server: what was cached before is gone, and that is fine for a cache.
    assert_eq!(cache.get("k").await.unwrap(), Some(b"after".to_vec()));
}

#[tokio::test]
async fn a_frozen_redis_times_out_and_is_used_again_when_it_thaws() {
    let redis = OwnRedis::start();
    let cache = RedisCache::connect(options(&redis.url())).await.unwrap();
    cache.set("k", b"v", LONG).await.unwrap();

    redis.signal("-STOP");
    assert_unavailable_quickly(&cache).await;
    redis.signal("-CONT");

    let recovered = eventually(Duration::from_secs(10), || async {
        cache.get("k").await.is_ok()
    })
    .await;
    assert!(recovered, "the cache answers again after the freeze");
}

/// A frozen Redis answers nothing; after `OPEN_AFTER` timeouts in a row the cache stops
/// waiting for it (commands are skipped, not timed out) until the background probe gets an
/// answer after the thaw.
#[tokio::test]
async fn a_frozen_redis_is_skipped_after_a_few_timeouts_until_it_answers_again() {
    let redis = OwnRedis::start();
    let cache = RedisCache::connect(options(&redis.url())).await.unwrap();
    cache.set("k", b"v", LONG).await.unwrap();

    redis.signal("-STOP");
    for _ in 0..kcost_redis_adapter::OPEN_AFTER {
        match cache.get("k").await {
            // fred's timeout or kcost's own, whichever fires first.
            Err(CacheError::Unavailable(error)) => {
                assert!(!error.to_string().contains("circuit open"), "{error}");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }
    for _ in 0..10 {
        match cache.get("k").await {
            Err(CacheError::Unavailable(error)) => {
                assert!(error.to_string().contains("circuit open"), "{error}");
            }
            other => panic!("expected a skipped command, got {other:?}"),
        }
    }
    redis.signal("-CONT");

    let recovered = eventually(Duration::from_secs(10), || async {
        cache.get("k").await.is_ok()
    })
    .await;
    assert!(recovered, "the probe closed the circuit after the thaw");
    assert_eq!(cache.get("k").await.unwrap(), Some(b"v".to_vec()));
}
