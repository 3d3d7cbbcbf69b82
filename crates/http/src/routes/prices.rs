//! The admin API (admin token): a tenant's own hourly price per instance type, which beats
//! the built-in catalog for that tenant's future ingests.

use actix_web::{HttpRequest, HttpResponse, web};
use kcost_domain::pricing::{PriceOverride, PriceOverrideError};
use kcost_domain::tenant::TenantId;
use uuid::Uuid;

use crate::auth::AdminCaller;
use crate::body::required_json;
use crate::dto::admin::{PriceListResponse, PriceOverrideDto, PutPriceRequest};
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::state::AppState;

/// List a tenant's price overrides.
#[utoipa::path(
    get, path = "/v1/admin/tenants/{tenant_id}/prices", tag = "admin",
    params(("tenant_id" = Uuid, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "The overrides", body = PriceListResponse),
        (status = 400, description = "`tenant_id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all, fields(tenant = %tenant_id))]
pub async fn list_prices(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    tenant_id: web::Path<Uuid>,
) -> Result<web::Json<PriceListResponse>, ApiError> {
    let tenant = TenantId::from_uuid(*tenant_id);
    state.tenants.get(tenant).await?;
    let prices = state.prices.list(tenant).await?;
    Ok(web::Json(PriceListResponse {
        tenant_id: *tenant_id,
        prices: prices.iter().map(PriceOverrideDto::from).collect(),
    }))
}

/// Set (or replace) the tenant's hourly price for an instance type. Snapshots already
/// stored keep the price they were priced at.
#[utoipa::path(
    put, path = "/v1/admin/tenants/{tenant_id}/prices/{instance_type}", tag = "admin",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant's id"),
        ("instance_type" = String, Path, description = "e.g. `m5.large`: 1–63 characters, no control characters, no surrounding whitespace",
            pattern = "^[^\\s\\x00-\\x1F\\x7F-\\x9F]([^\\x00-\\x1F\\x7F-\\x9F]{0,61}[^\\s\\x00-\\x1F\\x7F-\\x9F])?$"),
    ),
    request_body = PutPriceRequest,
    responses(
        (status = 200, description = "Stored", body = PriceOverrideDto),
        (status = 400, description = "Malformed JSON, or `tenant_id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "Unknown tenant", body = ErrorBody),
        (status = 422, description = "Price not above 0, above 100,000 or with more than 10 decimals; invalid instance type", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all, fields(tenant = %path.0, instance_type = %path.1))]
pub async fn put_price(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<PriceOverrideDto>, ApiError> {
    let (tenant_id, instance_type) = path.into_inner();
    let body: PutPriceRequest = required_json(request.headers(), payload).await?;
    let price = PriceOverride::new(instance_type, body.hourly_cost_usd).map_err(|error| {
        let field = match error {
            PriceOverrideError::EmptyInstanceType | PriceOverrideError::InvalidInstanceType(_) => {
                "instance_type"
            }
            _ => "hourly_cost_usd",
        };
        ApiError::validation(vec![FieldIssue::new(field, error.to_string())])
    })?;
    let stored = state
        .prices
        .put(TenantId::from_uuid(tenant_id), price)
        .await?;
    Ok(web::Json(PriceOverrideDto::from(&stored)))
}

/// Remove the tenant's price for an instance type (the catalog applies again).
#[utoipa::path(
    delete, path = "/v1/admin/tenants/{tenant_id}/prices/{instance_type}", tag = "admin",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant's id"),
        ("instance_type" = String, Path, description = "e.g. `m5.large`: 1–63 characters, no control characters, no surrounding whitespace",
            pattern = "^[^\\s\\x00-\\x1F\\x7F-\\x9F]([^\\x00-\\x1F\\x7F-\\x9F]{0,61}[^\\s\\x00-\\x1F\\x7F-\\x9F])?$"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "`tenant_id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or wrong admin token", body = ErrorBody),
        (status = 404, description = "No such override", body = ErrorBody),
    ),
    security(("admin_token" = []))
)]
#[tracing::instrument(skip_all, fields(tenant = %path.0, instance_type = %path.1))]
pub async fn delete_price(
    _admin: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, instance_type) = path.into_inner();
    state
        .prices
        .delete(TenantId::from_uuid(tenant_id), &instance_type)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
