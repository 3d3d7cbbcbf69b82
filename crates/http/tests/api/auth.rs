//! API-key authentication: every refusal reads the same; scopes and cluster bindings 403.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use actix_web::test::TestRequest;
use kcost_ports::AppendOutcome;

use crate::support::{Mocks, SMALL, TestKey, app, send};

fn costs_request() -> TestRequest {
    TestRequest::get().uri("/v1/costs/namespaces?window=24h")
}

#[actix_web::test]
async fn every_refused_key_gets_the_same_401_body() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let attempts = [
        costs_request(),
        costs_request().insert_header((AUTHORIZATION, "ApiKey not-a-key")),
        costs_request().insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Reader.wrong_secret()))),
        costs_request().insert_header((
            AUTHORIZATION,
            "ApiKey 00000000-0000-0000-0000-00000000ffff:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )),
        costs_request().insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Revoked.text()))),
        costs_request().insert_header((AUTHORIZATION, format!("Bearer {}", TestKey::Expired.text()))),
    ];
    let mut bodies = Vec::new();
    for request in attempts {
        let (status, headers, mut body) = send!(app, request);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(headers.contains_key(WWW_AUTHENTICATE));
        assert!(!body["request_id"].as_str().unwrap().is_empty());
        body.as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert_eq!(bodies[0]["code"], "unauthorized");
    assert!(bodies.iter().all(|body| *body == bodies[0]), "{bodies:#?}");
    let text = bodies[0]["error"].as_str().unwrap();
    assert!(!text.contains("revoked") && !text.contains("expired"));
}

#[actix_web::test]
async fn two_different_credentials_are_400_and_the_same_key_twice_is_fine() {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_costs().returning(|_, _| Ok(vec![]));
    let state = mocks.into_state();
    let app = app!(state);
    let (reader, writer) = (TestKey::Reader.text(), TestKey::Writer.text());
    let both = costs_request()
        .insert_header((AUTHORIZATION, format!("ApiKey {reader}")))
        .insert_header(("x-api-key", writer));
    let (status, _, body) = send!(app, both);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "conflicting_credentials");
    let same = costs_request()
        .insert_header((AUTHORIZATION, format!("Bearer {reader}")))
        .insert_header(("x-api-key", reader));
    let (status, _, body) = send!(app, same);
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[actix_web::test]
async fn keys_are_accepted_in_all_three_headers() {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_costs().returning(|_, _| Ok(vec![]));
    let state = mocks.into_state();
    let app = app!(state);
    let key = TestKey::Reader.text();
    for (name, value) in [
        ("authorization", format!("ApiKey {key}")),
        ("authorization", format!("Bearer {key}")),
        ("x-api-key", key.clone()),
    ] {
        let (status, _, body) = send!(app, costs_request().insert_header((name, value)));
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
}

#[actix_web::test]
async fn a_missing_scope_is_403() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let request = TestRequest::post()
        .uri("/v1/ingest")
        .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Reader.text())))
        .set_payload(SMALL);
    let (status, _, body) = send!(app, request);
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
    assert!(body["error"].as_str().unwrap().contains("metrics:write"));
}

#[actix_web::test]
async fn a_key_bound_to_another_cluster_is_403() {
    let state = Mocks::new()
        .accepting_ingest(AppendOutcome::Stored)
        .into_state();
    let app = app!(state);
    let request = TestRequest::post()
        .uri("/v1/ingest")
        .insert_header((
            AUTHORIZATION,
            format!("ApiKey {}", TestKey::BoundToOtherCluster.text()),
        ))
        .set_payload(SMALL);
    let (status, _, body) = send!(app, request);
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "cluster_not_allowed");
}
