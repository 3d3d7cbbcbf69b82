//! kcost with Redis, end to end: `Application::build` on port 0 over SQLite with
//! `redis.url` set — the query cache serves repeated questions and never an answer older
//! than the last ingest, a revocation reaches a second replica sharing the Redis, and a
//! Redis stopped mid-test costs nothing but the cache.
//!
//! The shared Redis is `KCOST_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`); the
//! outage test starts and kills a `redis-server` of its own on a free port.

use std::time::{Duration, Instant};

use kcost_server::config::{ConnectionUrl, Settings};
use kcost_test_support::redis::OwnRedis;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    Backend, FIXTURE_WINDOW, NODES_NULL, NODES_NULL_CLUSTER, SMALL, SMALL_CLUSTER, TestDb,
    TestServer, free_port, send,
};

fn shared_redis_url() -> String {
    kcost_test_support::redis::redis_url()
}

fn with_redis(db: &TestDb, url: &str) -> Settings {
    let mut settings = db.settings();
    settings.redis.url = Some(ConnectionUrl::new(url));
    settings.redis.timeout_ms = 250;
    settings
}

/// A counter's value in the `/metrics` text.
async fn counter(server: &TestServer, name: &str) -> u64 {
    let text = server.metrics_text().await;
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} not in /metrics"))
        .parse()
        .unwrap()
}

fn clusters_of(body: &Value) -> Vec<String> {
    let mut clusters: Vec<String> = body["costs"]
        .as_array()
        .unwrap_or_else(|| panic!("no costs in {body}"))
        .iter()
        .filter_map(|row| row["cluster_name"].as_str().map(str::to_owned))
        .collect();
    clusters.sort();
    clusters.dedup();
    clusters
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_query_is_served_from_redis_and_an_ingest_is_seen_at_once() {
    let db = TestDb::create(Backend::Sqlite).await;
    let server = TestServer::start_with(with_redis(&db, &shared_redis_url())).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let path = format!("/v1/costs/clusters?{FIXTURE_WINDOW}");
    assert_eq!(server.ingest(&key, SMALL).await.0, StatusCode::ACCEPTED);

    let (hits, misses) = (
        counter(&server, "kcost_query_cache_hits_total").await,
        counter(&server, "kcost_query_cache_misses_total").await,
    );
    let (status, first) = server.get_as(&key, &path).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, second) = server.get_as(&key, &path).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(first, second);
    assert_eq!(
        counter(&server, "kcost_query_cache_misses_total").await,
        misses + 1
    );
    assert_eq!(
        counter(&server, "kcost_query_cache_hits_total").await,
        hits + 1,
        "the second identical query came from the cache"
    );
    assert_eq!(clusters_of(&first), vec![SMALL_CLUSTER]);

    // An ingest between two identical queries: the second sees the new data.
    assert_eq!(
        server.ingest(&key, NODES_NULL).await.0,
        StatusCode::ACCEPTED
    );
    let (status, after) = server.get_as(&key, &path).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(clusters_of(&after), vec![SMALL_CLUSTER, NODES_NULL_CLUSTER]);
    assert_eq!(
        counter(&server, "kcost_query_cache_misses_total").await,
        misses + 2
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_on_one_replica_is_refused_there_at_once_and_on_the_other_within_the_bound() {
    // Two replicas: one database, one Redis.
    let db = TestDb::create(Backend::Sqlite).await;
    let url = shared_redis_url();
    let a = TestServer::start_with(with_redis(&db, &url)).await;
    let b = TestServer::start_with(with_redis(&db, &url)).await;
    let tenant = a.create_tenant("acme").await;
    let (key_id, key) = a.create_key(&tenant, &["*"], None).await;
    let path = format!("/v1/costs/namespaces?{FIXTURE_WINDOW}");
    // Both replicas now hold the key in their L1 (and Redis holds it).
    for server in [&a, &b] {
        for _ in 0..2 {
            assert_eq!(server.get_as(&key, &path).await.0, StatusCode::OK);
        }
    }

    let (status, body) =
        send(a.admin(a.post(&format!("/v1/admin/api_keys/{key_id}/revoke")))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        a.get_as(&key, &path).await.0,
        StatusCode::UNAUTHORIZED,
        "refused at once where it was revoked"
    );
    // The bound: the L1 TTL (3 s), even if the pub/sub message were lost.
    let revoked_at = Instant::now();
    loop {
        if b.get_as(&key, &path).await.0 == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            revoked_at.elapsed() < Duration::from_secs(4),
            "the other replica still accepts the revoked key"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = revoked_at.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "pub/sub, not expiry: {took:?}"
    );
    a.stop().await;
    b.stop().await;
}

async fn cache_status(server: &TestServer) -> Value {
    let (status, body) = send(server.get("/v1/health")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["components"]["cache"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_stopped_mid_test_auth_and_queries_still_succeed_and_it_recovers() {
    let port = free_port();
    let mut redis = OwnRedis::start_on(port);
    let db = TestDb::create(Backend::Sqlite).await;
    let server =
        TestServer::start_with(with_redis(&db, &format!("redis://127.0.0.1:{port}"))).await;
    let (tenant, key) = server.tenant_with_key("acme").await;
    let path = format!("/v1/costs/namespaces?{FIXTURE_WINDOW}");
    assert_eq!(server.ingest(&key, SMALL).await.0, StatusCode::ACCEPTED);
    let (status, before) = server.get_as(&key, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_status(&server).await, "up");

    redis.stop();
    // A key never seen (auth from the database), a known one, a query, an ingest: all
    // work, each within the Redis timeout of its usual time.
    let (_, new_key) = server.create_key(&tenant, &["*"], None).await;
    for key in [&key, &new_key] {
        let started = Instant::now();
        let (status, body) = server.get_as(key, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, before);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    assert_eq!(
        server.ingest(&new_key, NODES_NULL).await.0,
        StatusCode::ACCEPTED
    );
    let (status, after) = server.get_as(&new_key, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(after, before, "the ingest is visible while Redis is down");
    assert_eq!(
        send(server.get("/readyz")).await.0,
        StatusCode::OK,
        "still ready"
    );
    assert_eq!(cache_status(&server).await, "degraded");

    let _restarted = OwnRedis::start_on(port);
    let recovered_by = Instant::now() + Duration::from_secs(10);
    while cache_status(&server).await != "up" {
        assert!(Instant::now() < recovered_by, "the cache did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, again) = server.get_as(&key, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, after);
    server.stop().await;
}
