//! `GET /v1/costs/{namespaces,clusters,pods,trends,utilization}` (scope `costs:read`):
//! cost and usage over a window, for the caller's tenant only.

use actix_web::web;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery, CostRow, TrendInterval};
use kcost_domain::window::TimeWindow;

use crate::auth::ApiKeyCaller;
use crate::dto::costs::{
    ClusterCostDto, ClusterCostsResponse, CostBreakdownDto, CostParams, NamespaceCostDto,
    NamespaceCostsResponse, PodCostDto, PodCostsResponse, ResourceUsageDto, TrendParams,
    TrendPointDto, TrendsResponse, UtilizationDto, UtilizationResponse, bucket_hours,
    elapsed_hours, usage_and_cost,
};
use crate::error::{ApiError, ErrorBody};
use crate::error_code::ErrorCode;
use crate::state::AppState;

/// The window and filter a request asks about.
fn window_and_filter(
    state: &AppState,
    params: &CostParams,
) -> Result<(TimeWindow, CostFilter), ApiError> {
    let window = TimeWindow::from_query(
        params.window.as_deref(),
        params.start_time.as_deref(),
        params.end_time.as_deref(),
        state.clock.now(),
    )?;
    let cluster = match params.cluster.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(ClusterName::new(name).map_err(|error| {
            ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("invalid `cluster`: {error}"),
            )
        })?),
    };
    let namespace = params
        .namespace
        .as_deref()
        .map(str::trim)
        .filter(|namespace| !namespace.is_empty())
        .map(str::to_owned);
    Ok((window, CostFilter { cluster, namespace }))
}

async fn cost_rows(
    state: &AppState,
    caller: &ApiKeyCaller,
    params: &CostParams,
    grouping: CostGrouping,
) -> Result<(TimeWindow, Vec<CostRow>), ApiError> {
    let (window, filter) = window_and_filter(state, params)?;
    let query = CostQuery {
        window,
        grouping,
        filter,
    };
    let rows = state.costs.costs(&caller.0, query).await?;
    Ok((window, rows))
}

/// Rows of `grouping` turned into DTOs by `to_dto`, usage averaged over the part of the
/// window that has passed. `to_dto` returns `None` for rows of another kind.
async fn costs_as<T>(
    state: &AppState,
    caller: &ApiKeyCaller,
    params: &CostParams,
    grouping: CostGrouping,
    to_dto: impl Fn(&CostRow, ResourceUsageDto, CostBreakdownDto) -> Option<T>,
) -> Result<(TimeWindow, Vec<T>), ApiError> {
    let (window, rows) = cost_rows(state, caller, params, grouping).await?;
    let hours = elapsed_hours(window.start(), window.end(), state.clock.now());
    let dtos = rows
        .iter()
        .filter_map(|row| {
            let (usage, cost) = usage_and_cost(row, hours);
            to_dto(row, usage, cost)
        })
        .collect();
    Ok((window, dtos))
}

/// Cost per namespace (idle is on `/v1/costs/clusters`: it belongs to nodes).
#[utoipa::path(
    get, path = "/v1/costs/namespaces", tag = "costs", params(CostParams),
    responses(
        (status = 200, description = "Namespaces, most expensive first", body = NamespaceCostsResponse),
        (status = 400, description = "Invalid window or filter", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn namespaces(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<CostParams>,
) -> Result<web::Json<NamespaceCostsResponse>, ApiError> {
    let (window, costs) = costs_as(
        &state,
        &caller,
        &params,
        CostGrouping::Namespace,
        |row, usage, cost| match &row.key {
            CostKey::Namespace(namespace) => Some(NamespaceCostDto {
                namespace: namespace.clone(),
                pod_count: row.pod_count,
                usage,
                cost,
            }),
            _ => None,
        },
    )
    .await?;
    Ok(web::Json(NamespaceCostsResponse {
        start_time: window.start(),
        end_time: window.end(),
        costs,
    }))
}

/// Cost per cluster, idle included.
#[utoipa::path(
    get, path = "/v1/costs/clusters", tag = "costs", params(CostParams),
    responses(
        (status = 200, description = "Clusters, most expensive first", body = ClusterCostsResponse),
        (status = 400, description = "Invalid window or filter", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn clusters(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<CostParams>,
) -> Result<web::Json<ClusterCostsResponse>, ApiError> {
    let (window, costs) = costs_as(
        &state,
        &caller,
        &params,
        CostGrouping::Cluster,
        |row, usage, cost| match &row.key {
            CostKey::Cluster(cluster) => Some(ClusterCostDto {
                cluster_name: cluster.as_str().to_owned(),
                pod_count: row.pod_count,
                namespace_count: row.namespace_count,
                usage,
                cost,
            }),
            _ => None,
        },
    )
    .await?;
    Ok(web::Json(ClusterCostsResponse {
        start_time: window.start(),
        end_time: window.end(),
        costs,
    }))
}

/// Cost per pod.
#[utoipa::path(
    get, path = "/v1/costs/pods", tag = "costs", params(CostParams),
    responses(
        (status = 200, description = "Pods, most expensive first", body = PodCostsResponse),
        (status = 400, description = "Invalid window or filter", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn pods(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<CostParams>,
) -> Result<web::Json<PodCostsResponse>, ApiError> {
    let (window, costs) = costs_as(
        &state,
        &caller,
        &params,
        CostGrouping::Pod,
        |row, usage, cost| match &row.key {
            CostKey::Pod {
                cluster,
                namespace,
                pod,
            } => Some(PodCostDto {
                cluster_name: cluster.as_str().to_owned(),
                namespace: namespace.clone(),
                pod_name: pod.clone(),
                usage,
                cost,
            }),
            _ => None,
        },
    )
    .await?;
    Ok(web::Json(PodCostsResponse {
        start_time: window.start(),
        end_time: window.end(),
        costs,
    }))
}

/// Cost over time in hourly, daily or weekly buckets (UTC).
#[utoipa::path(
    get, path = "/v1/costs/trends", tag = "costs", params(TrendParams),
    responses(
        (status = 200, description = "Buckets, oldest first", body = TrendsResponse),
        (status = 400, description = "Invalid window, filter or interval", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn trends(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<TrendParams>,
) -> Result<web::Json<TrendsResponse>, ApiError> {
    let interval = match params.interval.as_deref().map(str::trim) {
        None | Some("") => TrendInterval::Daily,
        Some(text) => text
            .parse::<TrendInterval>()
            .map_err(|error| ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()))?,
    };
    let grouping = CostGrouping::Time(interval);
    let (window, rows) = cost_rows(&state, &caller, &params.cost_params(), grouping).await?;
    let now = state.clock.now();
    let trends = rows
        .iter()
        .filter_map(|row| match &row.key {
            CostKey::Time(bucket) => {
                let hours = bucket_hours(*bucket, interval, &window, now);
                let (usage, cost) = usage_and_cost(row, hours);
                Some(TrendPointDto {
                    time: *bucket,
                    pod_count: row.pod_count,
                    usage,
                    cost,
                })
            }
            _ => None,
        })
        .collect();
    Ok(web::Json(TrendsResponse {
        start_time: window.start(),
        end_time: window.end(),
        interval: interval.as_str().to_owned(),
        trends,
    }))
}

/// Per-pod usage against requests (right-sizing input).
#[utoipa::path(
    get, path = "/v1/costs/utilization", tag = "costs", params(CostParams),
    responses(
        (status = 200, description = "Pods with usage, requests and utilization", body = UtilizationResponse),
        (status = 400, description = "Invalid window or filter", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn utilization(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<CostParams>,
) -> Result<web::Json<UtilizationResponse>, ApiError> {
    let (window, filter) = window_and_filter(&state, &params)?;
    let pods = state.costs.utilization(&caller.0, window, filter).await?;
    Ok(web::Json(UtilizationResponse {
        start_time: window.start(),
        end_time: window.end(),
        metrics: pods.iter().map(UtilizationDto::from).collect(),
    }))
}
