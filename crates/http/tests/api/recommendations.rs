//! `/v1/recommendations*`: list, generate, apply, dismiss, tenancy and conflicts.

use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::TestRequest;
use kcost_app::ports::{RecommendationPage, RecommendationRepositoryError};
use kcost_domain::recommendation::RecommendationStatus;
use uuid::Uuid;

use crate::support::{Mocks, TestKey, app, open_recommendation, send, tenant};

const KNOWN: u128 = 0xAB;

/// A repository holding one recommendation of the test tenant; ids of anything else (any
/// other tenant's included) are `NotFound`, and transitions check the stored status.
fn repository(mocks: &mut Mocks) {
    let stored = Arc::new(Mutex::new(open_recommendation(KNOWN)));
    let read = stored.clone();
    mocks.recommendations.expect_get().returning(move |t, id| {
        let current = read.lock().unwrap().clone();
        if t == tenant() && id == current.id {
            Ok(current)
        } else {
            Err(RecommendationRepositoryError::NotFound)
        }
    });
    mocks
        .recommendations
        .expect_transition()
        .returning(move |from, updated| {
            let mut current = stored.lock().unwrap();
            if current.status != from {
                return Err(RecommendationRepositoryError::Conflict);
            }
            *current = updated.clone();
            Ok(())
        });
}

fn post(uri: &str) -> TestRequest {
    TestRequest::post()
        .uri(uri)
        .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::All.text())))
}

#[actix_web::test]
async fn applying_returns_the_update_and_applying_again_is_409() {
    let mut mocks = Mocks::new();
    repository(&mut mocks);
    let state = mocks.into_state();
    let app = app!(state);
    let uri = format!("/v1/recommendations/{}/apply", Uuid::from_u128(KNOWN));
    let (status, _, body) = send!(app, post(&uri));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "applied");
    assert_eq!(body["resource_type"], "cpu");
    assert_eq!(body["current_request"], 1000);
    assert_eq!(body["recommended_request"], 250);
    assert_eq!(body["potential_savings_usd"], 17.34);
    assert_eq!(body["workload_name"], "api");
    assert!(
        body["kubectl_command"]
            .as_str()
            .unwrap()
            .contains("deployment/api")
    );

    let (status, _, body) = send!(app, post(&uri));
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "already_closed");
    let dismiss = format!("/v1/recommendations/{}/dismiss", Uuid::from_u128(KNOWN));
    let (status, _, _) = send!(app, post(&dismiss));
    assert_eq!(status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn dismissing_keeps_the_reason_and_the_body_is_optional() {
    let mut mocks = Mocks::new();
    repository(&mut mocks);
    let state = mocks.into_state();
    let app = app!(state);
    let uri = format!("/v1/recommendations/{}/dismiss", Uuid::from_u128(KNOWN));
    let (status, _, body) = send!(
        app,
        post(&uri).set_payload(r#"{"reason":"batch job, spiky by design"}"#)
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "dismissed");
    assert_eq!(body["close_reason"], "batch job, spiky by design");

    let mut mocks = Mocks::new();
    repository(&mut mocks);
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, post(&uri));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["close_reason"].is_null());

    // JSON `null`, as the document's optional body allows, also means "no reason".
    let mut mocks = Mocks::new();
    repository(&mut mocks);
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(
        app,
        post(&uri)
            .insert_header(("content-type", "application/json"))
            .set_payload("null")
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["close_reason"].is_null());
}

#[actix_web::test]
async fn another_tenants_recommendation_is_404() {
    let mut mocks = Mocks::new();
    repository(&mut mocks);
    let state = mocks.into_state();
    let app = app!(state);
    let uri = format!("/v1/recommendations/{}/apply", Uuid::from_u128(0xFFFF));
    let (status, _, body) = send!(app, post(&uri));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[actix_web::test]
async fn writing_needs_the_write_scope() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let uri = format!("/v1/recommendations/{}/apply", Uuid::from_u128(KNOWN));
    let (status, _, body) = send!(
        app,
        TestRequest::post()
            .uri(&uri)
            .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::Reader.text())))
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("recommendations:write")
    );
}

#[actix_web::test]
async fn lists_are_filtered_and_paginated() {
    let mut mocks = Mocks::new();
    mocks
        .recommendations
        .expect_list()
        .withf(|t, filter, page| {
            *t == tenant()
                && filter.status == Some(RecommendationStatus::Open)
                && filter.namespace.as_deref() == Some("web")
                && page.limit() == 10
                && page.offset() == 20
        })
        .returning(|_, _, _| {
            Ok(RecommendationPage {
                items: vec![open_recommendation(KNOWN)],
                total: 21,
            })
        });
    let state = mocks.into_state();
    let app = app!(state);
    let get = |uri: &str| {
        TestRequest::get()
            .uri(uri)
            .insert_header((AUTHORIZATION, format!("ApiKey {}", TestKey::All.text())))
    };
    let (status, _, body) = send!(
        app,
        get("/v1/recommendations?status=open&namespace=web&limit=10&offset=20")
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 21);
    assert_eq!(body["recommendations"][0]["status"], "open");

    let (status, _, body) = send!(app, get("/v1/recommendations?status=maybe"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
    let (status, _, _) = send!(app, get("/v1/recommendations?limit=0"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An offset no store can take (beyond a signed 64-bit integer) is a 400, not a 500.
    for offset in ["1000000001", "18446744073709551615"] {
        let uri = format!("/v1/recommendations?offset={offset}");
        let (status, _, body) = send!(app, get(&uri));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{offset}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("`offset`"),
            "{body}"
        );
    }
}

#[actix_web::test]
async fn generation_defaults_to_24_hours_and_bounds_the_lookback() {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_usage_series()
        .withf(|_, window, _| window.duration() == chrono::Duration::hours(24))
        .returning(|_, _, _| Ok(vec![]));
    mocks
        .metrics
        .expect_pod_descriptions()
        .returning(|_, _| Ok(vec![]));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, body) = send!(app, post("/v1/recommendations/generate"));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "recommendations generated");
    assert_eq!(body["lookback_hours"], 24);
    assert_eq!(body["profile"], "balanced");
    assert_eq!(body["created"], 0);
    assert_eq!(body["workloads"], serde_json::json!([]));

    let (status, _, body) = send!(app, post("/v1/recommendations/generate?lookback_hours=0"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
}

#[actix_web::test]
async fn generation_takes_a_risk_profile_and_refuses_an_unknown_one() {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_usage_series()
        .returning(|_, _, _| Ok(vec![]));
    mocks
        .metrics
        .expect_pod_descriptions()
        .returning(|_, _| Ok(vec![]));
    let state = mocks.into_state();
    let app = app!(state);
    for profile in ["conservative", "balanced", "Aggressive"] {
        let uri = format!("/v1/recommendations/generate?profile={profile}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["profile"], profile.to_ascii_lowercase());
    }
    let (status, _, body) = send!(app, post("/v1/recommendations/generate?profile=reckless"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
    assert!(
        body["error"].as_str().unwrap().contains("reckless"),
        "{body}"
    );
}
