//! The admin API (admin token): tenants and API keys.

use actix_web::{HttpRequest, HttpResponse, web};
use kcost_app::auth::NewApiKey;
use kcost_domain::api_key::KeyId;
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::{TenantId, TenantName};
use uuid::Uuid;

use crate::auth::AdminCaller;
use crate::body::required_json;
use crate::dto::admin::{
    ApiKeyDto, ApiKeyListParams, ApiKeyListResponse, CreateApiKeyRequest, CreateTenantRequest,
    CreatedApiKeyResponse, DEFAULT_KEY_SCOPES, TenantDto, TenantListResponse, parse_scopes,
};
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::state::AppState;

/// Create a tenant.
#[utoipa::path(
    post, path = "/v1/admin/tenants", tag = "admin",
    request_body = CreateTenantRequest,
    responses(
        (status = 201, description = "Created", body = TenantDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 409, description = "A tenant with this name exists", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_tenant(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateTenantRequest = required_json(request.headers(), payload).await?;
    let name = TenantName::new(body.name)
        .map_err(|error| ApiError::validation(vec![FieldIssue::new("name", error.to_string())]))?;
    let tenant = state.tenants.create(name).await?;
    Ok(HttpResponse::Created().json(TenantDto::from(&tenant)))
}

/// List tenants, oldest first.
#[utoipa::path(
    get, path = "/v1/admin/tenants", tag = "admin",
    responses(
        (status = 200, description = "Every tenant", body = TenantListResponse),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_tenants(
    _admin: AdminCaller,
    state: web::Data<AppState>,
) -> Result<web::Json<TenantListResponse>, ApiError> {
    let tenants = state.tenants.list().await?;
    Ok(web::Json(TenantListResponse {
        tenants: tenants.iter().map(TenantDto::from).collect(),
    }))
}

/// Create an API key. The response holds the secret; it is shown this once.
#[utoipa::path(
    post, path = "/v1/admin/api_keys", tag = "admin",
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "Created; store `api_key` now", body = CreatedApiKeyResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
        (status = 422, description = "Unknown scope, past expiry or invalid cluster name", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_api_key(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateApiKeyRequest = required_json(request.headers(), payload).await?;
    let mut issues = Vec::new();
    let names = body
        .scopes
        .unwrap_or_else(|| DEFAULT_KEY_SCOPES.map(str::to_owned).to_vec());
    let scopes = parse_scopes(&names)
        .map_err(|found| issues.extend(found))
        .ok();
    let cluster = match body.cluster_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => ClusterName::new(name)
            .map_err(|error| issues.push(FieldIssue::new("cluster_name", error.to_string())))
            .ok(),
    };
    let name = body
        .name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    let Some(scopes) = scopes.filter(|_| issues.is_empty()) else {
        return Err(ApiError::validation(issues));
    };
    let created = state
        .api_keys
        .create(NewApiKey {
            tenant_id: TenantId::from_uuid(body.tenant_id),
            scopes,
            expires_at: body.expires_at,
            name,
            cluster,
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyResponse::from(&created)))
}

/// List a tenant's API keys (never their secrets), newest first.
#[utoipa::path(
    get, path = "/v1/admin/api_keys", tag = "admin", params(ApiKeyListParams),
    responses(
        (status = 200, description = "The tenant's keys", body = ApiKeyListResponse),
        (status = 400, description = "Missing or invalid `tenant_id`", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_api_keys(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    params: web::Query<ApiKeyListParams>,
) -> Result<web::Json<ApiKeyListResponse>, ApiError> {
    let tenant = TenantId::from_uuid(params.tenant_id);
    // An unknown tenant is a 404, not an empty list that hides a typo.
    state.tenants.get(tenant).await?;
    let keys = state.api_keys.list(tenant).await?;
    Ok(web::Json(ApiKeyListResponse {
        api_keys: keys.iter().map(ApiKeyDto::from).collect(),
    }))
}

/// Revoke an API key; refused at once on this replica, within the cache TTL elsewhere.
#[utoipa::path(
    post, path = "/v1/admin/api_keys/{key_id}/revoke", tag = "admin",
    params(("key_id" = Uuid, Path, description = "The key's id")),
    responses(
        (status = 200, description = "Revoked (idempotent)", body = ApiKeyDto),
        (status = 400, description = "`key_id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown key", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all, fields(key_id = %key_id))]
pub async fn revoke_api_key(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    key_id: web::Path<Uuid>,
) -> Result<web::Json<ApiKeyDto>, ApiError> {
    let record = state
        .api_keys
        .revoke(KeyId::from_uuid(key_id.into_inner()))
        .await?;
    Ok(web::Json(ApiKeyDto::from(&record)))
}
