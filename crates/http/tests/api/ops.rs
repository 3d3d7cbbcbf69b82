//! Probes, request ids, the error shape, metrics, rate limiting, CORS and the OpenAPI
//! document.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, RETRY_AFTER};
use actix_web::test::TestRequest;
use kcost_app::ports::{MetricsStoreError, TenantRepositoryError};

use crate::support::{Mocks, TestKey, app, send};

fn healthy() -> Mocks {
    let mut mocks = Mocks::new();
    mocks.tenants.expect_ping().returning(|| Ok(()));
    mocks.metrics.expect_ping().returning(|| Ok(()));
    mocks
}

#[actix_web::test]
async fn health_reports_components_and_is_503_when_a_store_is_down() {
    let state = healthy().into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, TestRequest::get().uri("/v1/health"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["components"]["database"], "up");
    let (status, _, _) = send!(app, TestRequest::get().uri("/readyz"));
    assert_eq!(status, StatusCode::OK);

    let mut mocks = Mocks::new();
    mocks
        .tenants
        .expect_ping()
        .returning(|| Err(TenantRepositoryError::unavailable(anyhow::anyhow!("down"))));
    mocks
        .metrics
        .expect_ping()
        .returning(|| Err(MetricsStoreError::Unavailable(anyhow::anyhow!("down"))));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, TestRequest::get().uri("/v1/health"));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["components"]["timeseries"], "down");
    let (status, _, _) = send!(app, TestRequest::get().uri("/readyz"));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _, _) = send!(app, TestRequest::get().uri("/livez"));
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated_and_appear_in_error_bodies() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (status, headers, body) = send!(
        app,
        TestRequest::get()
            .uri("/v1/costs/namespaces")
            .insert_header(("x-request-id", "trace-abc-123"))
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers.get("x-request-id").unwrap(), "trace-abc-123");
    assert_eq!(body["request_id"], "trace-abc-123");

    let (_, headers, body) = send!(
        app,
        TestRequest::get()
            .uri("/v1/costs/namespaces")
            .insert_header(("x-request-id", "bad id with spaces"))
    );
    let generated = headers.get("x-request-id").unwrap().to_str().unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok());
    assert_eq!(body["request_id"], generated);
}

/// A known path asked with a method it does not take is 405 naming the ones it does.
#[actix_web::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    for (request, allow) in [
        (TestRequest::get().uri("/v1/ingest"), "POST"),
        (
            TestRequest::default()
                .method(actix_web::http::Method::TRACE)
                .uri("/v1/costs/namespaces"),
            "GET",
        ),
        (TestRequest::delete().uri("/v1/admin/tenants"), "GET, POST"),
        (
            TestRequest::post()
                .uri("/v1/admin/tenants/00000000-0000-0000-0000-000000000001/prices/m5"),
            "PUT, DELETE",
        ),
    ] {
        let (status, headers, body) = send!(app, request);
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
        assert_eq!(headers.get("allow").unwrap(), allow);
        assert_eq!(body["code"], "method_not_allowed");
    }
}

#[actix_web::test]
async fn errors_have_exactly_the_documented_shape() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, TestRequest::get().uri("/v1/nothing-here"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "error", "request_id"]);
    assert_eq!(body["code"], "not_found");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status() {
    let state = healthy().into_state();
    let app = app!(state);
    send!(app, TestRequest::get().uri("/v1/health"));
    send!(app, TestRequest::get().uri("/v1/health"));
    let response =
        actix_web::test::call_service(&app, TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = String::from_utf8(actix_web::test::read_body(response).await.to_vec()).unwrap();
    assert!(
        text.contains(
            r#"kcost_http_requests_total{route="/v1/health",method="GET",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(text.contains("kcost_http_request_duration_seconds_bucket{"));
    assert!(text.contains("kcost_query_cache_hits_total 0"));
}

#[actix_web::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_costs().returning(|_, _| Ok(vec![]));
    let state = mocks.into_state();
    let app = app!(state, 2);
    let request = || {
        TestRequest::get()
            .uri("/v1/costs/clusters")
            .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Reader.text())))
    };
    for _ in 0..2 {
        let (status, _, _) = send!(app, request());
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) = send!(app, request());
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        headers
            .get(RETRY_AFTER)
            .unwrap()
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(body["code"], "rate_limited");
    assert!(!body["request_id"].as_str().unwrap().is_empty());
    // Another key has its own quota.
    let (status, _, _) = send!(
        app,
        TestRequest::get()
            .uri("/v1/costs/clusters")
            .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::All.text())))
    );
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn cors_allows_the_configured_origins_only() {
    let state = healthy().into_state();
    let app = app!(state);
    let (_, headers, _) = send!(
        app,
        TestRequest::get()
            .uri("/v1/health")
            .insert_header(("origin", "https://dash.example"))
    );
    assert_eq!(
        headers.get("access-control-allow-origin").unwrap(),
        "https://dash.example"
    );
    // Served, but without the header, so the browser withholds the answer from the page.
    let (_, headers, _) = send!(
        app,
        TestRequest::get()
            .uri("/v1/health")
            .insert_header(("origin", "https://evil.example"))
    );
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn the_openapi_document_lists_every_route_and_docs_are_served() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (status, _, doc) = send!(app, TestRequest::get().uri("/openapi.json"));
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // The routes as registered, not a list kept by hand beside them.
    let expected: Vec<(&str, String)> = kcost_http::routes::route_table()
        .into_iter()
        .map(|(path, method)| (path, method.as_str().to_ascii_lowercase()))
        .collect();
    assert!(expected.len() > 20, "{expected:?}");
    for (path, method) in &expected {
        assert!(
            doc["paths"][path][method.as_str()].is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        expected.len(),
        "undocumented extra or missing routes"
    );
    assert!(doc["components"]["schemas"]["NamespaceCostsResponse"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let mut references = Vec::new();
    collect_references(&doc, &mut references);
    assert!(references.iter().any(|r| r == "#/components/schemas/Usd"));
    for reference in references {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} points outside the schemas"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{reference} is referenced but not defined"
        );
    }
    assert_eq!(doc["components"]["schemas"]["Usd"]["type"], "number");
    // The answers any operation can give are documented on every one.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            for status in ["429", "500"] {
                assert!(
                    responses[status].is_object(),
                    "{method} {path}: no {status}"
                );
            }
            if path != "/livez" && path != "/metrics" {
                assert!(responses["503"].is_object(), "{method} {path}: no 503");
            }
            if operation["requestBody"].is_object() {
                assert!(responses["413"].is_object(), "{method} {path}: no 413");
            }
        }
    }

    let (status, _, _) = send!(app, TestRequest::get().uri("/docs/"));
    assert_eq!(status, StatusCode::OK);
}

/// Every `$ref` anywhere in `value`.
fn collect_references(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item.as_str()) {
                    ("$ref", Some(reference)) => into.push(reference.to_owned()),
                    _ => collect_references(item, into),
                }
            }
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|item| collect_references(item, into))
        }
        _ => {}
    }
}
