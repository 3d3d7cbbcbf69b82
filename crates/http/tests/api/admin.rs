//! The admin API: the admin token, tenants, keys and prices.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::test::TestRequest;
use kcost_app::ports::TenantRepositoryError;
use kcost_domain::tenant::{Tenant, TenantName};

use crate::support::{ADMIN_TOKEN, Mocks, TestKey, app, detail_paths, now, send, tenant};

fn admin(request: TestRequest) -> TestRequest {
    request.insert_header((AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}")))
}

fn a_tenant() -> Tenant {
    Tenant {
        id: tenant(),
        name: TenantName::new("payments").unwrap(),
        created_at: now(),
    }
}

#[actix_web::test]
async fn the_admin_api_needs_the_admin_token() {
    let mut mocks = Mocks::new();
    mocks
        .tenants
        .expect_list()
        .returning(|| Ok(vec![a_tenant()]));
    let state = mocks.into_state();
    let app = app!(state);
    let list = || TestRequest::get().uri("/v1/admin/tenants");
    let refused = [
        list(),
        list().insert_header((AUTHORIZATION, "Bearer wrong-token-wrong-token-wrong-token")),
        // An API key is not the admin token, whatever its scopes.
        list().insert_header((AUTHORIZATION, format!("Bearer {}", TestKey::All.text()))),
    ];
    for request in refused {
        let (status, _, body) = send!(app, request);
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "unauthorized");
    }
    let (status, _, body) = send!(app, admin(list()));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tenants"][0]["name"], "payments");
}

#[actix_web::test]
async fn tenants_are_created_and_duplicates_conflict() {
    let mut mocks = Mocks::new();
    let mut calls = 0;
    mocks.tenants.expect_create().returning(move |t| {
        calls += 1;
        if calls == 1 {
            Ok(())
        } else {
            Err(TenantRepositoryError::Duplicate(t.name.clone()))
        }
    });
    let state = mocks.into_state();
    let app = app!(state);
    let create = || {
        admin(TestRequest::post().uri("/v1/admin/tenants")).set_payload(r#"{"name":"payments"}"#)
    };
    let (status, _, body) = send!(app, create());
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["name"], "payments");
    assert!(body["tenant_id"].is_string());
    let (status, _, body) = send!(app, create());
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "tenant_exists");
}

#[actix_web::test]
async fn a_created_key_is_shown_once_ready_to_use() {
    let mut mocks = Mocks::new();
    mocks.keys.expect_insert().returning(|_| Ok(()));
    let state = mocks.into_state();
    let app = app!(state);
    let body = format!(
        r#"{{"tenant_id":"{}","scopes":["metrics:write"],"expires_at":null,
            "name":"prod agent","cluster_name":"prod"}}"#,
        tenant()
    );
    let (status, _, body) = send!(
        app,
        admin(TestRequest::post().uri("/v1/admin/api_keys")).set_payload(body)
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key_id = body["key_id"].as_str().unwrap();
    let secret = body["secret"].as_str().unwrap();
    assert_eq!(body["api_key"], format!("{key_id}:{secret}"));
    assert_eq!(body["scopes"][0], "metrics:write");
    assert_eq!(body["cluster_name"], "prod");
    assert_eq!(body["revoked"], false);
}

/// Seed 1's clients create keys with `{tenant_id}` alone: they get the access seed 1's keys
/// had, and the answer names `key_id` once.
#[actix_web::test]
async fn a_key_requested_without_scopes_gets_the_default_scopes() {
    let mut mocks = Mocks::new();
    mocks.keys.expect_insert().returning(|_| Ok(()));
    let state = mocks.into_state();
    let app = app!(state);
    let request = admin(TestRequest::post().uri("/v1/admin/api_keys"))
        .set_payload(format!(r#"{{"tenant_id":"{}"}}"#, tenant()))
        .to_request();
    let response = actix_web::test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = String::from_utf8(actix_web::test::read_body(response).await.to_vec()).unwrap();
    assert_eq!(text.matches("\"key_id\"").count(), 1, "{text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body["scopes"],
        serde_json::json!([
            "metrics:write",
            "costs:read",
            "recommendations:read",
            "recommendations:write"
        ])
    );
}

#[actix_web::test]
async fn key_requests_with_unknown_scopes_or_past_expiry_are_422() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let body = format!(
        r#"{{"tenant_id":"{}","scopes":["costs:read","root"],"cluster_name":"{}"}}"#,
        tenant(),
        "c".repeat(300)
    );
    let (status, _, body) = send!(
        app,
        admin(TestRequest::post().uri("/v1/admin/api_keys")).set_payload(body)
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let paths = detail_paths(&body);
    assert_eq!(paths, ["scopes[1]", "cluster_name"]);

    let past = format!(
        r#"{{"tenant_id":"{}","scopes":["*"],"expires_at":"2020-01-01T00:00:00Z"}}"#,
        tenant()
    );
    let (status, _, body) = send!(
        app,
        admin(TestRequest::post().uri("/v1/admin/api_keys")).set_payload(past)
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["details"][0]["path"], "expires_at");
}

#[actix_web::test]
async fn revoking_returns_the_revoked_key_and_unknown_ids_are_404() {
    let mut mocks = Mocks::new();
    let revoked_id = uuid::Uuid::from_u128(0x1000 + 4);
    mocks.keys.expect_revoke().returning(move |id| {
        if *id.as_uuid() == revoked_id {
            let mut record = kcost_domain::api_key::ApiKeyRecord {
                key_id: id,
                tenant_id: tenant(),
                name: None,
                salt: kcost_domain::api_key::Salt::from_bytes([0; 16]),
                secret_hash: kcost_domain::api_key::SecretHash::from_bytes([0; 32]),
                scopes: kcost_domain::api_key::Scopes::single(kcost_domain::api_key::Scope::All),
                cluster: None,
                revoked: false,
                expires_at: None,
                created_at: now(),
                last_used_at: None,
            };
            record.revoked = true;
            Ok(record)
        } else {
            Err(kcost_app::ports::ApiKeyRepositoryError::NotFound)
        }
    });
    let state = mocks.into_state();
    let app = app!(state);
    let uri = format!("/v1/admin/api_keys/{revoked_id}/revoke");
    let (status, _, body) = send!(app, admin(TestRequest::post().uri(&uri)));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], true);
    assert!(body.get("secret").is_none());

    let uri = format!("/v1/admin/api_keys/{}/revoke", uuid::Uuid::nil());
    let (status, _, _) = send!(app, admin(TestRequest::post().uri(&uri)));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = send!(
        app,
        admin(TestRequest::post().uri("/v1/admin/api_keys/not-a-uuid/revoke"))
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_path");
}

#[actix_web::test]
async fn price_overrides_are_put_listed_and_deleted() {
    let mut mocks = Mocks::new();
    mocks.prices.expect_put().returning(|_, _| Ok(()));
    mocks.prices.expect_delete().returning(|_, _| Ok(()));
    mocks.tenants.expect_get().returning(|_| Ok(a_tenant()));
    mocks.prices.expect_overrides().returning(|_| {
        Ok(vec![
            kcost_domain::pricing::PriceOverride::new("m5.large", "0.0832".parse().unwrap())
                .unwrap(),
        ])
    });
    let state = mocks.into_state();
    let app = app!(state);
    let base = format!("/v1/admin/tenants/{}/prices", tenant());
    let (status, _, body) = send!(
        app,
        admin(TestRequest::put().uri(&format!("{base}/m5.large")))
            .set_payload(r#"{"hourly_cost_usd":0.0832}"#)
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["hourly_cost_usd"], 0.0832);
    let (status, _, body) = send!(
        app,
        admin(TestRequest::put().uri(&format!("{base}/m5.large")))
            .set_payload(r#"{"hourly_cost_usd":-1}"#)
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Above the maximum (1e10 overflowed the column into a 500 once), and below the
    // ten-decimal scale (1e-11 was stored as 0): both refused, naming the field.
    for price in ["10000000000", "0.00000000001"] {
        let (status, _, body) = send!(
            app,
            admin(TestRequest::put().uri(&format!("{base}/m5.large")))
                .set_payload(format!(r#"{{"hourly_cost_usd":{price}}}"#))
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{price}: {body}");
        assert_eq!(body["details"][0]["path"], "hourly_cost_usd", "{body}");
    }
    let (status, _, body) = send!(app, admin(TestRequest::get().uri(&base)));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["prices"][0]["instance_type"], "m5.large");
    let (status, _, _) = send!(
        app,
        admin(TestRequest::delete().uri(&format!("{base}/m5.large")))
    );
    assert_eq!(status, StatusCode::NO_CONTENT);
}
