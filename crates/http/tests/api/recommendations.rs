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

/// The store has no pod descriptions and no per-container samples.
fn no_descriptions_or_containers(mocks: &mut Mocks) {
    mocks
        .metrics
        .expect_pod_descriptions()
        .returning(|_, _| Ok(vec![]));
    mocks
        .metrics
        .expect_container_usage_series()
        .returning(|_, _, _| Ok(vec![]));
}

/// A store with no usage at all: generation finds nothing to advise.
fn empty_store() -> Mocks {
    let mut mocks = Mocks::new();
    mocks
        .metrics
        .expect_usage_series()
        .returning(|_, _, _| Ok(vec![]));
    no_descriptions_or_containers(&mut mocks);
    mocks
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
    no_descriptions_or_containers(&mut mocks);
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
    let mocks = empty_store();
    let state = mocks.into_state();
    let app = app!(state);
    for profile in ["conservative", "balanced", "aggressive"] {
        let uri = format!("/v1/recommendations/generate?profile={profile}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["profile"], profile);
    }
    // Names are exact, as the OpenAPI pattern says.
    for refused in ["reckless", "Aggressive", "%20balanced"] {
        let uri = format!("/v1/recommendations/generate?profile={refused}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}: {body}");
        assert_eq!(body["code"], "invalid_query");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("`profile` must be"),
            "{body}"
        );
    }
}

#[actix_web::test]
async fn a_target_oom_free_level_chooses_the_least_conservative_profile_that_met_it() {
    let mocks = empty_store();
    let state = mocks.into_state();
    let app = app!(state);
    // On the training trace: conservative 100.00%, balanced 99.89%, aggressive 97.50%.
    for (target, chosen) in [
        ("0", "aggressive"),
        ("0.95", "aggressive"),
        ("0.975", "aggressive"),
        ("0.98", "balanced"),
        ("0.995", "balanced"),
        ("0.9989", "balanced"),
        ("0.999", "conservative"),
        ("1", "conservative"),
        ("1.000", "conservative"),
    ] {
        let uri = format!("/v1/recommendations/generate?profile={target}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(status, StatusCode::OK, "{target}: {body}");
        assert_eq!(body["profile"], chosen, "{target}");
    }
    // Above every level reached: 400 naming the highest reachable.
    for unreachable in ["1.5", "1.000001", "2"] {
        let uri = format!("/v1/recommendations/generate?profile={unreachable}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{unreachable}: {body}");
        assert_eq!(body["code"], "invalid_query");
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains("the highest reachable is 100.00% (conservative"),
            "{error}"
        );
    }
    // Not a plain decimal of at most 6 places.
    for malformed in ["99.5%25", ".995", "0.9999999", "1e0", "-0.5", "00.5"] {
        let uri = format!("/v1/recommendations/generate?profile={malformed}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{malformed}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("`profile` must be"),
            "{body}"
        );
    }
}

/// The OpenAPI pattern of `profile` accepts exactly the values the route does: Schemathesis
/// sends values matching it (and expects success) and values breaking it (and expects a
/// 4xx), against /openapi.json.
#[actix_web::test]
async fn the_documented_profile_pattern_is_what_the_route_accepts() {
    let mocks = empty_store();
    let state = mocks.into_state();
    let app = app!(state);
    let (status, _, document) = send!(app, TestRequest::get().uri("/openapi.json"));
    assert_eq!(status, StatusCode::OK);
    let profile = document["paths"]["/v1/recommendations/generate"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "profile")
        .unwrap()
        .clone();
    let pattern = regex::Regex::new(profile["schema"]["pattern"].as_str().unwrap()).unwrap();
    for value in [
        "",
        "conservative",
        "balanced",
        "aggressive",
        "Balanced",
        "balanced ",
        "0",
        "1",
        "0.5",
        "0.995",
        "0.999999",
        "0.9999999",
        "1.0",
        "1.000000",
        "1.0000000",
        "1.000001",
        "1.5",
        "2",
        "01",
        "00.5",
        ".5",
        "0.",
        "1.",
        "-0",
        "+1",
        "1e0",
        "0,5",
        "99.5",
    ] {
        let query: String = url_encoded(value);
        let uri = format!("/v1/recommendations/generate?profile={query}");
        let (status, _, body) = send!(app, post(&uri));
        assert_eq!(
            status == StatusCode::OK,
            pattern.is_match(value),
            "{value:?}: {status} {body}"
        );
    }
}

/// `value` as a query string value (every byte but unreserved ones percent-encoded).
fn url_encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
