//! `/v1/budgets*` and `/v1/alerts`: validation, scopes, tenancy and store failures. The
//! happy paths, which read real spend, run end to end in the server crate.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::TestRequest;
use kcost_app::ports::{BackendFailure, BudgetRepositoryError};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Mocks, TestKey, app, detail_paths, send};

fn with_key(request: TestRequest, key: TestKey) -> TestRequest {
    request.insert_header((AUTHORIZATION, format!("ApiKey {}", key.text())))
}

fn valid_body() -> serde_json::Value {
    json!({
        "name": "payments",
        "amount_usd": 1500,
        "period": "monthly",
        "scope": {"namespace": "payments", "labels": {"team": "payments"}},
        "thresholds": [50, 100],
        "notify": {"webhook_url": "https://hooks.slack.com/services/T/B/x"},
    })
}

#[actix_web::test]
async fn an_invalid_budget_is_a_422_naming_every_field_and_nothing_is_stored() {
    // No repository expectation: any store call would panic the mock.
    let app = app!(Mocks::new().into_state());
    let body = json!({
        "name": "  ",
        "amount_usd": 0,
        "period": "monthly",
        "scope": {"namespace": "", "labels": {"-x": "y"}},
        "thresholds": [0, 80],
        "notify": {"webhook_url": "https://169.254.169.254/latest"},
    });
    let request = with_key(TestRequest::post().uri("/v1/budgets"), TestKey::All).set_json(body);
    let (status, _, body) = send!(app, request);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(
        detail_paths(&body),
        [
            "name",
            "amount_usd",
            "scope.namespace",
            "scope.labels.-x",
            "thresholds",
            "notify.webhook_url"
        ]
    );
}

#[actix_web::test]
async fn an_unknown_period_or_a_malformed_body_is_a_400() {
    let app = app!(Mocks::new().into_state());
    let mut body = valid_body();
    body["period"] = json!("yearly");
    let request = with_key(TestRequest::post().uri("/v1/budgets"), TestKey::All).set_json(body);
    let (status, _, body) = send!(app, request);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "malformed_json");

    for payload in ["{\"name\":", "[\"payments\", 1500, \"daily\"]"] {
        let request = with_key(TestRequest::post().uri("/v1/budgets"), TestKey::All)
            .insert_header(("content-type", "application/json"))
            .set_payload(payload);
        let (status, _, body) = send!(app, request);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{payload}: {body}");
        assert_eq!(body["code"], "malformed_json");
    }
}

#[actix_web::test]
async fn budgets_need_their_scopes() {
    let app = app!(Mocks::new().into_state());
    let request =
        with_key(TestRequest::post().uri("/v1/budgets"), TestKey::Reader).set_json(valid_body());
    let (status, _, body) = send!(app, request);
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].as_str().unwrap().contains("budgets:write"));

    for uri in ["/v1/budgets", "/v1/alerts"] {
        let request = with_key(TestRequest::get().uri(uri), TestKey::Reader);
        let (status, _, body) = send!(app, request);
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
        assert!(body["error"].as_str().unwrap().contains("budgets:read"));
    }
    let (status, _, _) = send!(app, TestRequest::get().uri("/v1/budgets"));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn another_tenants_budget_is_a_404_for_every_method() {
    let mut mocks = Mocks::new();
    mocks
        .budgets
        .expect_get()
        .returning(|_, _| Err(BudgetRepositoryError::NotFound));
    mocks
        .budgets
        .expect_delete()
        .returning(|_, _| Err(BudgetRepositoryError::NotFound));
    let app = app!(mocks.into_state());
    let uri = format!("/v1/budgets/{}", Uuid::new_v4());
    for request in [
        TestRequest::get().uri(&uri),
        TestRequest::delete().uri(&uri),
        TestRequest::put().uri(&uri).set_json(valid_body()),
        TestRequest::get().uri(&format!("/v1/alerts?budget_id={}", Uuid::new_v4())),
    ] {
        let (status, _, body) = send!(app, with_key(request, TestKey::All));
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["error"], "budget not found");
    }
}

#[actix_web::test]
async fn a_malformed_id_or_page_is_a_400() {
    let app = app!(Mocks::new().into_state());
    for uri in [
        "/v1/budgets/not-a-uuid",
        "/v1/alerts?limit=0",
        "/v1/alerts?budget_id=x",
    ] {
        let (status, _, body) = send!(app, with_key(TestRequest::get().uri(uri), TestKey::All));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
}

#[actix_web::test]
async fn an_unavailable_store_is_a_503_and_nothing_else_is_tried() {
    let mut mocks = Mocks::new();
    mocks.budgets.expect_list().returning(|_| {
        Err(BudgetRepositoryError::Failed(BackendFailure::unavailable(
            anyhow::anyhow!("down"),
        )))
    });
    let app = app!(mocks.into_state());
    let request =
        with_key(TestRequest::post().uri("/v1/budgets"), TestKey::All).set_json(valid_body());
    let (status, headers, body) = send!(app, request);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(headers.contains_key("retry-after"));
}
