//! `HttpOpenCostSource` against a scripted OpenCost on 127.0.0.1: retries, timeouts,
//! refusals, malformed bodies, endpoint fallback and health. Delays are milliseconds.

use std::time::{Duration, Instant};

use crate::support::mock_opencost::{MockOpenCost, Reply};
use crate::support::{at, dec, namespace_query};
use kcost_opencost_adapter::{
    AllocationEndpoint, HttpOpenCostSource, OpenCostClientConfig, RetryPolicy,
};
use kcost_ports::{OpenCostError, OpenCostSource};

const TWO_DAYS: &str = include_str!("../fixtures/allocation-namespace-2d.json");
const COMPUTE: &str = "/allocation/compute";
const ALLOCATION: &str = "/allocation";
const HEALTHZ: &str = "/healthz";

const FAST_RETRY: RetryPolicy = RetryPolicy {
    attempts: 3,
    base: Duration::from_millis(20),
    max: Duration::from_millis(50),
};

fn source_for(base_url: &str, timeout_ms: u64, endpoint: AllocationEndpoint) -> HttpOpenCostSource {
    let mut config = OpenCostClientConfig::new(base_url);
    config.timeout = Duration::from_millis(timeout_ms);
    config.health_timeout = Duration::from_millis(timeout_ms);
    config.retry = FAST_RETRY;
    config.endpoint = endpoint;
    HttpOpenCostSource::new(config).unwrap()
}

fn source(mock: &MockOpenCost) -> HttpOpenCostSource {
    source_for(
        &mock.base_url,
        2_000,
        AllocationEndpoint::ComputeWithFallback,
    )
}

async fn fetch_two_days(
    source: &HttpOpenCostSource,
) -> Result<Vec<kcost_domain::opencost::AllocationSet>, OpenCostError> {
    source
        .allocations(&namespace_query(
            "2023-01-18T11:38:45Z",
            "2023-01-20T11:38:45Z",
            0,
        ))
        .await
}

/// A base URL where nothing listens: the port was just released.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[tokio::test]
async fn success_parses_the_body_and_sends_the_query() {
    let mock = MockOpenCost::start(vec![(COMPUTE, vec![Reply::ok(TWO_DAYS)])]).await;
    let query = namespace_query("2023-01-18T11:38:45Z", "2023-01-20T11:38:45Z", 3600);

    let sets = source(&mock).allocations(&query).await.unwrap();

    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].start, at("2023-01-18T11:38:45Z"));
    assert_eq!(sets[0].allocations[0].name, "kube-system");
    assert_eq!(sets[0].allocations[0].total_cost, dec("0.425469"));
    assert_eq!(
        mock.requests(),
        [
            "/allocation/compute?window=2023-01-18T11%3A38%3A45Z%2C2023-01-20T11%3A38%3A45Z\
          &aggregate=namespace&step=1h&accumulate=false&includeIdle=true"
        ]
    );
}

#[tokio::test]
async fn two_failures_then_success() {
    let replies = vec![
        Reply::status(500, "boom"),
        Reply::Hangup,
        Reply::ok(TWO_DAYS),
    ];
    let mock = MockOpenCost::start(vec![(COMPUTE, replies)]).await;
    let started = Instant::now();

    let sets = fetch_two_days(&source(&mock)).await.unwrap();

    assert_eq!(sets[0].allocations.len(), 3);
    assert_eq!(mock.hits(COMPUTE), 3);
    // Backoff happened: at least base (20 ms) then 2·base (40 ms).
    assert!(
        started.elapsed() >= Duration::from_millis(60),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn timeout_then_success() {
    let replies = vec![
        Reply::Stall {
            delay: Duration::from_millis(400),
        },
        Reply::ok(TWO_DAYS),
    ];
    let mock = MockOpenCost::start(vec![(COMPUTE, replies)]).await;
    let source = source_for(&mock.base_url, 100, AllocationEndpoint::Compute);

    let sets = fetch_two_days(&source).await.unwrap();

    assert_eq!(sets[0].allocations.len(), 3);
    assert_eq!(mock.hits(COMPUTE), 2);
}

#[tokio::test]
async fn timeouts_on_every_attempt_are_unreachable() {
    let mock = MockOpenCost::start(vec![(
        COMPUTE,
        vec![Reply::Stall {
            delay: Duration::from_millis(400),
        }],
    )])
    .await;
    let source = source_for(&mock.base_url, 100, AllocationEndpoint::Compute);
    let started = Instant::now();

    let error = fetch_two_days(&source).await.unwrap_err();

    assert!(matches!(error, OpenCostError::Unreachable(_)), "{error:?}");
    assert_eq!(mock.hits(COMPUTE), 3);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn unavailable_503_is_tried_exactly_three_times() {
    let mock = MockOpenCost::start(vec![(COMPUTE, vec![Reply::status(503, "warming up")])]).await;

    let error = fetch_two_days(&source(&mock)).await.unwrap_err();

    let OpenCostError::Unreachable(cause) = &error else {
        panic!("expected Unreachable, got {error:?}");
    };
    let cause = format!("{cause:#}");
    assert!(
        cause.contains("failed 3 times") && cause.contains("503"),
        "{cause}"
    );
    assert_eq!(mock.hits(COMPUTE), 3);
}

#[tokio::test]
async fn client_errors_are_rejected_after_one_attempt() {
    let body = r#"{"code":400,"status":"error","message":"invalid window"}"#;
    let mock = MockOpenCost::start(vec![(COMPUTE, vec![Reply::status(400, body)])]).await;

    let error = fetch_two_days(&source(&mock)).await.unwrap_err();

    assert!(
        matches!(&error, OpenCostError::Rejected { status: 400, message } if message == "invalid window"),
        "{error:?}"
    );
    assert_eq!(mock.hits(COMPUTE), 1);
}

#[tokio::test]
async fn malformed_body_is_a_bad_response_after_one_attempt() {
    let mock =
        MockOpenCost::start(vec![(COMPUTE, vec![Reply::ok("<html>proxy login</html>")])]).await;

    let error = fetch_two_days(&source(&mock)).await.unwrap_err();

    assert!(matches!(error, OpenCostError::BadResponse(_)), "{error:?}");
    assert_eq!(mock.hits(COMPUTE), 1);
}

#[tokio::test]
async fn connection_refused_is_unreachable() {
    let source = source_for(&closed_port_url().await, 500, AllocationEndpoint::Compute);

    let error = fetch_two_days(&source).await.unwrap_err();

    assert!(matches!(error, OpenCostError::Unreachable(_)), "{error:?}");
}

#[tokio::test]
async fn missing_compute_endpoint_falls_back_to_allocation_for_good() {
    let mock = MockOpenCost::start(vec![(ALLOCATION, vec![Reply::ok(TWO_DAYS)])]).await;
    let source = source(&mock);

    fetch_two_days(&source).await.unwrap();
    fetch_two_days(&source).await.unwrap();

    assert_eq!(mock.hits(COMPUTE), 1);
    assert_eq!(mock.hits(ALLOCATION), 2);
}

#[tokio::test]
async fn configured_endpoint_is_the_only_one_asked() {
    let mock = MockOpenCost::start(vec![(ALLOCATION, vec![Reply::ok(TWO_DAYS)])]).await;

    let allocation_only = source_for(&mock.base_url, 2_000, AllocationEndpoint::Allocation);
    fetch_two_days(&allocation_only).await.unwrap();
    let compute_only = source_for(&mock.base_url, 2_000, AllocationEndpoint::Compute);
    let error = fetch_two_days(&compute_only).await.unwrap_err();

    assert!(
        matches!(error, OpenCostError::Rejected { status: 404, .. }),
        "{error:?}"
    );
    assert_eq!((mock.hits(ALLOCATION), mock.hits(COMPUTE)), (1, 1));
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let mock = MockOpenCost::start(vec![(
        "/model/allocation/compute",
        vec![Reply::ok(TWO_DAYS)],
    )])
    .await;
    let source = source_for(
        &format!("{}/model", mock.base_url),
        2_000,
        AllocationEndpoint::Compute,
    );

    fetch_two_days(&source).await.unwrap();

    assert_eq!(mock.hits("/model/allocation/compute"), 1);
}

#[tokio::test]
async fn health_up() {
    let mock = MockOpenCost::start(vec![(HEALTHZ, vec![Reply::ok("OK")])]).await;

    source(&mock).health().await.unwrap();

    assert_eq!(mock.hits(HEALTHZ), 1);
}

#[tokio::test]
async fn health_down_on_5xx_after_a_single_try() {
    let mock = MockOpenCost::start(vec![(HEALTHZ, vec![Reply::status(503, "not ready")])]).await;

    let error = source(&mock).health().await.unwrap_err();

    assert!(matches!(error, OpenCostError::Unreachable(_)), "{error:?}");
    assert_eq!(mock.hits(HEALTHZ), 1);
}

#[tokio::test]
async fn health_down_when_nothing_listens_or_it_stalls() {
    let refused = source_for(&closed_port_url().await, 200, AllocationEndpoint::Compute);
    assert!(matches!(
        refused.health().await,
        Err(OpenCostError::Unreachable(_))
    ));

    let mock = MockOpenCost::start(vec![(
        HEALTHZ,
        vec![Reply::Stall {
            delay: Duration::from_millis(400),
        }],
    )])
    .await;
    let stalled = source_for(&mock.base_url, 100, AllocationEndpoint::Compute);
    assert!(matches!(
        stalled.health().await,
        Err(OpenCostError::Unreachable(_))
    ));
}

#[tokio::test]
async fn health_on_a_wrong_base_url_is_rejected() {
    let mock = MockOpenCost::start(vec![]).await;

    let error = source(&mock).health().await.unwrap_err();

    assert!(
        matches!(error, OpenCostError::Rejected { status: 404, .. }),
        "{error:?}"
    );
}
