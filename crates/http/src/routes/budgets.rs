//! `/v1/budgets*` (scopes `budgets:read` and `budgets:write`) and `/v1/alerts`
//! (`budgets:read`), for the caller's tenant only: another tenant's budget is a 404.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use kcost_app::ports::Page;
use kcost_domain::budget::{BudgetDraft, BudgetId};
use uuid::Uuid;

use crate::auth::ApiKeyCaller;
use crate::body::required_json;

/// A budget body: a JSON object (serde would read a struct from an array of its fields).
async fn budget_body(
    request: &HttpRequest,
    payload: web::Payload,
) -> Result<BudgetRequest, ApiError> {
    let value: serde_json::Value = required_json(request.headers(), payload).await?;
    if !value.is_object() {
        return Err(ApiError::malformed_json(".", "a budget is a JSON object"));
    }
    crate::body::parse_json(value.to_string().as_bytes())
}
use crate::dto::budgets::{
    AlertDto, AlertListParams, AlertListResponse, BudgetDto, BudgetListResponse, BudgetRequest,
};
use crate::error::{ApiError, ErrorBody};
use crate::error_code::ErrorCode;
use crate::state::AppState;

/// Create a budget.
#[utoipa::path(
    post, path = "/v1/budgets", tag = "budgets",
    request_body = BudgetRequest,
    responses(
        (status = 201, description = "Created, with its spend so far; `Location` names it", body = BudgetDto),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `budgets:write`", body = ErrorBody),
        (status = 409, description = "The tenant has 200 budgets already", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named in `details`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = budget_body(&request, payload).await?;
    let view = state
        .budgets
        .create(&caller.0, BudgetDraft::from(body))
        .await?;
    let dto = BudgetDto::from(&view);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/budgets/{}", dto.id)))
        .json(dto))
}

/// The tenant's budgets, oldest first, each with its spend, forecast and status.
#[utoipa::path(
    get, path = "/v1/budgets", tag = "budgets",
    responses(
        (status = 200, description = "Every budget", body = BudgetListResponse),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `budgets:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
) -> Result<web::Json<BudgetListResponse>, ApiError> {
    let views = state.budgets.list(&caller.0).await?;
    Ok(web::Json(BudgetListResponse {
        budgets: views.iter().map(BudgetDto::from).collect(),
    }))
}

/// One budget with its spend so far, its forecast at the period's end and its status.
#[utoipa::path(
    get, path = "/v1/budgets/{id}", tag = "budgets",
    params(("id" = Uuid, Path, description = "The budget's id")),
    responses(
        (status = 200, description = "The budget", body = BudgetDto),
        (status = 400, description = "`id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `budgets:read`", body = ErrorBody),
        (status = 404, description = "No such budget for this tenant", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all, fields(budget = %id))]
pub async fn get(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    id: web::Path<Uuid>,
) -> Result<web::Json<BudgetDto>, ApiError> {
    let id = BudgetId::from_uuid(id.into_inner());
    let view = state.budgets.get(&caller.0, id).await?;
    Ok(web::Json(BudgetDto::from(&view)))
}

/// Replace a budget, whole. Alerts already sent in the current period stay sent.
#[utoipa::path(
    put, path = "/v1/budgets/{id}", tag = "budgets",
    params(("id" = Uuid, Path, description = "The budget's id")),
    request_body = BudgetRequest,
    responses(
        (status = 200, description = "The replaced budget", body = BudgetDto),
        (status = 400, description = "Malformed JSON, or `id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `budgets:write`", body = ErrorBody),
        (status = 404, description = "No such budget for this tenant", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named in `details`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all, fields(budget = %id))]
pub async fn replace(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<BudgetDto>, ApiError> {
    let body = budget_body(&request, payload).await?;
    let id = BudgetId::from_uuid(id.into_inner());
    let view = state
        .budgets
        .replace(&caller.0, id, BudgetDraft::from(body))
        .await?;
    Ok(web::Json(BudgetDto::from(&view)))
}

/// Delete a budget and its alerts.
#[utoipa::path(
    delete, path = "/v1/budgets/{id}", tag = "budgets",
    params(("id" = Uuid, Path, description = "The budget's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "`id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `budgets:write`", body = ErrorBody),
        (status = 404, description = "No such budget for this tenant", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all, fields(budget = %id))]
pub async fn delete(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = BudgetId::from_uuid(id.into_inner());
    state.budgets.delete(&caller.0, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The tenant's alerts, newest first: what each budget said, when, and how delivery went.
#[utoipa::path(
    get, path = "/v1/alerts", tag = "budgets", params(AlertListParams),
    responses(
        (status = 200, description = "One page", body = AlertListResponse),
        (status = 400, description = "Invalid filter or page", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `budgets:read`", body = ErrorBody),
        (status = 404, description = "`budget_id` names no budget of this tenant", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn alerts(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<AlertListParams>,
) -> Result<web::Json<AlertListResponse>, ApiError> {
    let default = Page::default();
    let page = Page::new(
        params.limit.unwrap_or(default.limit()),
        params.offset.unwrap_or(default.offset()),
    )
    .map_err(|error| ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()))?;
    let budget = params.budget_id.map(BudgetId::from_uuid);
    let found = state.budgets.alerts(&caller.0, budget, page).await?;
    Ok(web::Json(AlertListResponse {
        alerts: found.items.iter().map(AlertDto::from).collect(),
        total: found.total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}
