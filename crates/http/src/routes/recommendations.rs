//! `/v1/recommendations*`: list (`recommendations:read`), generate, apply and dismiss
//! (`recommendations:write`), for the caller's tenant only: another tenant's id is a 404.

use actix_web::{HttpRequest, web};
use kcost_app::ports::{Page, RecommendationFilter};
use kcost_app::recommendations::{GenerateRequest, MAX_LOOKBACK_HOURS, OomFreeTarget, RiskProfile};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostFilter;
use kcost_domain::recommendation::{RecommendationId, RecommendationStatus};
use uuid::Uuid;

use crate::auth::ApiKeyCaller;
use crate::body::optional_json;
use crate::dto::recommendations::{
    DismissRequest, GenerateParams, GenerateResponse, RecommendationDto, RecommendationListParams,
    RecommendationListResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::error_code::ErrorCode;
use crate::state::AppState;

/// Seed 1's default lookback.
const DEFAULT_LOOKBACK_HOURS: u32 = 24;

fn cluster_param(value: Option<&str>) -> Result<Option<ClusterName>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => ClusterName::new(name).map(Some).map_err(|error| {
            ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("invalid `cluster`: {error}"),
            )
        }),
    }
}

fn namespace_param(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|namespace| !namespace.is_empty())
        .map(str::to_owned)
}

/// `profile`, exactly as `GenerateParams` documents it: empty (the default), a profile's
/// name, or a target share of OOM-free pod-days answered with the least conservative
/// profile that met it on the training trace.
fn profile_param(value: Option<&str>) -> Result<Option<RiskProfile>, ApiError> {
    let invalid = |message: String| ApiError::bad_request(ErrorCode::InvalidQuery, message);
    match value {
        None | Some("") => Ok(None),
        Some(text) => {
            if let Some(profile) = RiskProfile::ALL.into_iter().find(|p| p.as_str() == text) {
                return Ok(Some(profile));
            }
            let target = text.parse::<OomFreeTarget>().map_err(|_| {
                invalid(format!(
                    "`profile` must be conservative, balanced, aggressive or a target OOM-free \
                     level from 0 to 1 with at most 6 decimals such as 0.995 (got {text:?})"
                ))
            })?;
            RiskProfile::for_oom_free_target(target)
                .map(Some)
                .map_err(|unreachable| invalid(format!("`profile`: {unreachable}")))
        }
    }
}

/// The tenant's recommendations, largest saving first.
#[utoipa::path(
    get, path = "/v1/recommendations", tag = "recommendations", params(RecommendationListParams),
    responses(
        (status = 200, description = "One page", body = RecommendationListResponse),
        (status = 400, description = "Invalid filter or page", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `recommendations:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<RecommendationListParams>,
) -> Result<web::Json<RecommendationListResponse>, ApiError> {
    let status =
        match params.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(text.parse::<RecommendationStatus>().map_err(|error| {
                ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string())
            })?),
        };
    let filter = RecommendationFilter {
        status,
        cluster: cluster_param(params.cluster.as_deref())?,
        namespace: namespace_param(params.namespace.as_deref()),
    };
    let default = Page::default();
    let page = Page::new(
        params.limit.unwrap_or(default.limit()),
        params.offset.unwrap_or(default.offset()),
    )
    .map_err(|error| ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()))?;
    let found = state.recommendations.list(&caller.0, &filter, page).await?;
    Ok(web::Json(RecommendationListResponse {
        recommendations: found.items.iter().map(RecommendationDto::from).collect(),
        total: found.total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// Analyse usage over the lookback and create or refresh recommendations (one open
/// recommendation per target and resource; regenerating never duplicates).
#[utoipa::path(
    post, path = "/v1/recommendations/generate", tag = "recommendations", params(GenerateParams),
    responses(
        (status = 200, description = "Generated", body = GenerateResponse),
        (status = 400, description = "Invalid lookback, filter or profile", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `recommendations:write`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn generate(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<GenerateParams>,
) -> Result<web::Json<GenerateResponse>, ApiError> {
    let lookback_hours = params.lookback_hours.unwrap_or(DEFAULT_LOOKBACK_HOURS);
    if !(1..=MAX_LOOKBACK_HOURS).contains(&lookback_hours) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            format!("`lookback_hours` must be between 1 and {MAX_LOOKBACK_HOURS}"),
        ));
    }
    let profile = profile_param(params.profile.as_deref())?;
    let request = GenerateRequest {
        lookback_hours,
        filter: CostFilter {
            cluster: cluster_param(params.cluster.as_deref())?,
            namespace: namespace_param(params.namespace.as_deref()),
        },
        profile,
    };
    let outcome = state.recommendations.generate(&caller.0, request).await?;
    Ok(web::Json(GenerateResponse::new(
        lookback_hours,
        profile.unwrap_or_default(),
        &outcome,
    )))
}

/// Mark an open recommendation applied.
#[utoipa::path(
    post, path = "/v1/recommendations/{id}/apply", tag = "recommendations",
    params(("id" = Uuid, Path, description = "The recommendation's id")),
    responses(
        (status = 200, description = "The updated recommendation", body = RecommendationDto),
        (status = 400, description = "`id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `recommendations:write`", body = ErrorBody),
        (status = 404, description = "No such recommendation for this tenant", body = ErrorBody),
        (status = 409, description = "Already applied or dismissed", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all, fields(recommendation = %id))]
pub async fn apply(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecommendationDto>, ApiError> {
    let id = RecommendationId::from_uuid(id.into_inner());
    let updated = state.recommendations.apply(&caller.0, id).await?;
    Ok(web::Json(RecommendationDto::from(&updated)))
}

/// Mark an open recommendation dismissed, optionally with a reason.
#[utoipa::path(
    post, path = "/v1/recommendations/{id}/dismiss", tag = "recommendations",
    params(("id" = Uuid, Path, description = "The recommendation's id")),
    request_body(content = Option<DismissRequest>, description = "Optional `{\"reason\": \"…\"}`"),
    responses(
        (status = 200, description = "The updated recommendation", body = RecommendationDto),
        (status = 400, description = "Malformed JSON, or `id` is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `recommendations:write`", body = ErrorBody),
        (status = 404, description = "No such recommendation for this tenant", body = ErrorBody),
        (status = 409, description = "Already applied or dismissed", body = ErrorBody),
        (status = 422, description = "Reason too long", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all, fields(recommendation = %id))]
pub async fn dismiss(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    id: web::Path<Uuid>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<RecommendationDto>, ApiError> {
    // No body, an empty one and JSON `null` all mean "no reason".
    let body: Option<Option<DismissRequest>> = optional_json(request.headers(), payload).await?;
    let id = RecommendationId::from_uuid(id.into_inner());
    let reason = body.flatten().and_then(|body| body.reason);
    let updated = state.recommendations.dismiss(&caller.0, id, reason).await?;
    Ok(web::Json(RecommendationDto::from(&updated)))
}
