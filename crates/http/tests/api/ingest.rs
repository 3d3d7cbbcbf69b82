//! `POST /v1/ingest`: the agent's bodies byte-for-byte, gzip, limits and every error.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use actix_web::test::TestRequest;
use kcost_ports::{AppendOutcome, MetricsStoreError};

use crate::support::{Mocks, NODES_NULL, SMALL, TestKey, app, detail_paths, gzip, send};

fn ingest(body: impl Into<actix_web::web::Bytes>) -> TestRequest {
    TestRequest::post()
        .uri("/v1/ingest")
        .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Writer.text())))
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(body.into())
}

#[actix_web::test]
async fn the_agents_fixtures_are_accepted_plain_and_gzipped() {
    let state = Mocks::new()
        .accepting_ingest(AppendOutcome::Stored)
        .into_state();
    let app = app!(state);
    for (fixture, nodes) in [(SMALL, 4), (NODES_NULL, 0)] {
        let (status, _, body) = send!(app, ingest(fixture));
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["status"], "accepted");
        assert!(body["pods"].as_u64().unwrap() > 0);
        assert_eq!(body["nodes"], nodes, "{body}");
        let (status, _, gz_body) = send!(
            app,
            ingest(gzip(fixture.as_bytes())).insert_header((CONTENT_ENCODING, "gzip"))
        );
        assert_eq!(status, StatusCode::ACCEPTED, "{gz_body}");
        assert_eq!(gz_body, body);
    }
    let (_, _, body) = send!(app, ingest(SMALL));
    assert_eq!(body["snapshot_time"], "2026-11-20T09:00:00Z");
    assert_eq!(body["cluster_name"], "cost-dashboard-dev");
    assert_eq!(body["pods"], 24);
}

#[actix_web::test]
async fn a_duplicate_snapshot_is_200_duplicate() {
    let state = Mocks::new()
        .accepting_ingest(AppendOutcome::Duplicate)
        .into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, ingest(SMALL));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "duplicate");
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413_as_sent_and_decompressed() {
    let mut mocks = Mocks::new();
    mocks.max_payload_bytes = 4_000;
    let state = mocks.into_state();
    let app = app!(state);
    assert!(SMALL.len() > 4_000);
    let (status, _, body) = send!(app, ingest(SMALL));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "payload_too_large");

    let packed = gzip(SMALL.as_bytes());
    assert!(packed.len() < 4_000);
    let (status, _, body) = send!(
        app,
        ingest(packed).insert_header((CONTENT_ENCODING, "gzip"))
    );
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"].as_str().unwrap().contains("decompressed"));
}

#[actix_web::test]
async fn an_unknown_encoding_is_415() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, ingest(SMALL).insert_header((CONTENT_ENCODING, "br")));
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn a_body_that_is_not_json_by_its_content_type_is_415() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let request = ingest(SMALL).insert_header((CONTENT_TYPE, content_type));
        let (status, _, body) = send!(app, request);
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        assert_eq!(body["code"], "unsupported_media_type");
        assert!(body["error"].as_str().unwrap().contains(content_type));
    }
}

#[actix_web::test]
async fn malformed_json_is_400_and_says_where() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, ingest(r#"{"cluster_name":"c","timestamp":"#));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "malformed_json");

    let wrong_type =
        r#"{"cluster_name":"c","timestamp":1795165200,"pod_metrics":[{"pod_name":7}]}"#;
    let (status, _, body) = send!(app, ingest(wrong_type));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["details"][0]["path"], "pod_metrics[0].pod_name",
        "{body}"
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("pod_metrics[0].pod_name")
    );
}

#[actix_web::test]
async fn invalid_fields_are_422_with_every_path() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let negative = r#"{"cluster_name":"c","timestamp":1795165200,"pod_metrics":[
        {"pod_name":"p","namespace":"n","node_name":"","cpu_usage_millicores":-5,
         "memory_usage_bytes":-1}]}"#;
    let (status, _, body) = send!(app, ingest(negative));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "validation_failed");
    let paths = detail_paths(&body);
    assert!(
        paths.contains(&"pod_metrics[0].cpu_usage_millicores"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"pod_metrics[0].memory_usage_bytes"),
        "{paths:?}"
    );
}

/// Figures at `i64::MAX` (they overflowed into a 500 once), a NUL byte in a name and a
/// 64-character namespace: each a 422 naming its field, nothing stored.
#[actix_web::test]
async fn out_of_range_figures_and_names_are_422_with_their_paths() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let long_namespace = "n".repeat(64);
    let payload = format!(
        r#"{{"cluster_name":"c","timestamp":1795165200,"pod_metrics":[
            {{"pod_name":"p","namespace":"n","node_name":"","cpu_usage_millicores":9223372036854775807,
             "cpu_request_millicores":9223372036854775807}},
            {{"pod_name":"q\u0000","namespace":"{long_namespace}","node_name":""}}],
           "node_metrics":[{{"NodeName":"n1","InstanceType":"m5\u0000","CPUCapacity":2000,
             "MemoryCapacity":9223372036854775807}}]}}"#
    );
    let (status, _, body) = send!(app, ingest(payload));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let paths = detail_paths(&body);
    assert_eq!(
        paths,
        [
            "pod_metrics[0].cpu_usage_millicores",
            "pod_metrics[0].cpu_request_millicores",
            "pod_metrics[1].pod_name",
            "pod_metrics[1].namespace",
            "node_metrics[0].InstanceType",
            "node_metrics[0].MemoryCapacity",
        ]
    );
}

/// Figures within their limits that price to more than a sample may cost (a huge request
/// on a tiny, expensive node): a 422 naming the pods, and the store is never asked.
#[actix_web::test]
async fn a_snapshot_priced_beyond_the_limit_is_422_and_stores_nothing() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let payload = r#"{"cluster_name":"c","timestamp":1795165200,"interval_seconds":86400,
        "pod_metrics":[{"pod_name":"p","namespace":"n","node_name":"gone",
            "cpu_request_millicores":1099511627776}],
        "node_metrics":[{"NodeName":"tiny","CPUCapacity":1,"MemoryCapacity":1,
            "hourly_cost_usd":100000}]}"#;
    let (status, _, body) = send!(app, ingest(payload.to_owned()));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(detail_paths(&body), ["pod_metrics"]);
}

#[actix_web::test]
async fn an_unavailable_store_is_503_with_retry_after() {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_previous_snapshot_time()
        .returning(|_, _, _| Ok(None));
    mocks.metrics.expect_append().returning(|_, _| {
        Err(MetricsStoreError::Unavailable(anyhow::anyhow!(
            "connection refused (secret detail)"
        )))
    });
    mocks.prices.expect_overrides().returning(|_| Ok(vec![]));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, headers, body) = send!(app, ingest(SMALL));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers.get(RETRY_AFTER).unwrap(), "5");
    assert_eq!(body["code"], "unavailable");
    assert!(!body.to_string().contains("secret detail"));
}
