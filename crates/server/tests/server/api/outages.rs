//! A PostgreSQL that stops answering with its connections open (SIGSTOP, a dead network
//! path), reproduced with a proxy that freezes: readiness says so within a second, ingest
//! answers 503 with `Retry-After` within `ingest.store_timeout_seconds` and writes nothing
//! (also when the database stops in the middle of the append's transaction), and once the
//! database answers again the retried snapshot lands beside everything acknowledged before.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::frozen_proxy::FrozenProxy;
use crate::support::{Backend, SMALL, TestDb, TestServer, postgres_server_url, send};

/// The store deadline the test configures, short to keep the test quick.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// Room for scheduling on a busy machine on top of a deadline.
const SLACK: Duration = Duration::from_millis(750);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_database_is_not_ready_and_ingest_is_a_quick_503_then_lands() {
    let db = TestDb::create(Backend::Postgres).await;
    let upstream = postgres_address(&postgres_server_url());
    let proxy = FrozenProxy::start(upstream).await;
    let mut settings = db.settings();
    // Without TLS, so that the proxy can see which statement it holds.
    let proxied = db.url().replacen(
        &upstream.to_string(),
        &format!("127.0.0.1:{}", proxy.port()),
        1,
    );
    let separator = if proxied.contains('?') { '&' } else { '?' };
    settings.database.url =
        kcost_server::config::ConnectionUrl::new(format!("{proxied}{separator}sslmode=disable"));
    settings.database.connect_timeout_seconds = STORE_TIMEOUT.as_secs();
    settings.ingest.store_timeout_seconds = STORE_TIMEOUT.as_secs();
    let server = TestServer::start_with(settings).await;
    let (_, key) = server.tenant_with_key("acme").await;
    let first = SMALL.to_owned();
    let mut second: Value = serde_json::from_str(SMALL).expect("fixture");
    second["timestamp"] = json!(second["timestamp"].as_i64().expect("unix") + 600);
    let second = second.to_string();
    assert_eq!(server.ingest(&key, &first).await.0, StatusCode::ACCEPTED);

    proxy.freeze();
    let started = Instant::now();
    let (status, body) = send(server.get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_within(started, Duration::from_secs(1), "/readyz");
    let started = Instant::now();
    let (status, health) = send(server.get("/v1/health")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
    assert_eq!(health["components"]["database"], "down", "{health}");
    assert_eq!(health["components"]["timeseries"], "down", "{health}");
    assert_within(started, Duration::from_secs(1), "/v1/health");

    let started = Instant::now();
    let response = server
        .post("/v1/ingest")
        .header("Authorization", format!("ApiKey {key}"))
        .header("Content-Type", "application/json")
        .body(second.clone())
        .send()
        .await
        .expect("ingest sent");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body: Value = response.json().await.expect("error body");
    assert_eq!(body["code"], "unavailable", "{body}");
    assert_within(started, STORE_TIMEOUT, "ingest");

    proxy.thaw();
    assert_eq!(send(server.get("/readyz")).await.0, StatusCode::OK);

    // Frozen in the middle of the append's transaction, at its first COPY: the ingest
    // still answers 503 at the deadline, and the open transaction is rolled back.
    proxy.freeze_on(b"FROM STDIN");
    let started = Instant::now();
    let (status, body) = server.ingest(&key, &second).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(proxy.is_frozen(), "the append never reached its COPY");
    assert_within(started, STORE_TIMEOUT, "ingest frozen mid-transaction");

    proxy.thaw();
    let (status, body) = server.ingest(&key, &second).await;
    assert_eq!(status, StatusCode::ACCEPTED, "the retry lands: {body}");
    assert_eq!(body["status"], "accepted", "{body}");
    // Both snapshots are stored once: resending either is a duplicate.
    for snapshot in [&first, &second] {
        let (status, body) = server.ingest(&key, snapshot).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("duplicate"))
        );
    }
    assert_eq!(send(server.get("/readyz")).await.0, StatusCode::OK);

    server.stop().await;
    drop(proxy);
    db.finish().await;
}

fn assert_within(started: Instant, limit: Duration, what: &str) {
    let elapsed = started.elapsed();
    assert!(
        elapsed < limit + SLACK,
        "{what} answered after {elapsed:?}, limit {limit:?}"
    );
}

/// `host:port` of a `postgres://user@host:port/…` URL.
fn postgres_address(url: &str) -> SocketAddr {
    let authority = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .expect("URL has an authority");
    let host_port = authority.rsplit('@').next().expect("host");
    host_port
        .parse()
        .expect("the test PostgreSQL is at an IP address and port")
}
