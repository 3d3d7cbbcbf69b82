//! `GET /v1/costs/{namespaces,clusters,pods,trends,utilization}` (scope `costs:read`):
//! cost and usage over a window, for the caller's tenant only.

use actix_web::web;
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery, CostRow, TrendInterval};
use kcost_domain::window::TimeWindow;

use crate::auth::ApiKeyCaller;
use crate::dto::costs::{
    ClusterCostsResponse, CostList, CostListRow, CostParams, IntervalParams,
    NamespaceCostsResponse, PodCostsResponse, TrendPointDto, TrendsResponse, UtilizationDto,
    UtilizationResponse, bucket_hours, elapsed_hours, usage_and_cost,
};
use crate::error::{ApiError, ErrorBody};
use crate::error_code::ErrorCode;
use crate::routes::query::given;
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
    let cluster = given(params.cluster.as_deref())
        .map(|name| {
            ClusterName::new(name).map_err(|error| {
                ApiError::bad_request(
                    ErrorCode::InvalidQuery,
                    format!("invalid `cluster`: {error}"),
                )
            })
        })
        .transpose()?;
    let namespace = given(params.namespace.as_deref()).map(str::to_owned);
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

/// The answer `R` lists: the rows of its grouping, usage averaged over the part of the
/// window that has passed.
async fn cost_list<R: CostList>(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<CostParams>,
) -> Result<web::Json<R>, ApiError> {
    let (window, rows) = cost_rows(&state, &caller, &params, R::Row::GROUPING).await?;
    let hours = elapsed_hours(window.start(), window.end(), state.clock.now());
    let costs = rows
        .iter()
        .filter_map(|row| {
            let (usage, cost) = usage_and_cost(row, hours);
            R::Row::of(row, usage, cost)
        })
        .collect();
    Ok(web::Json(R::new(&window, costs)))
}

documented_get_family! {
    tag = "costs", caller = ApiKeyCaller, security = (("api_key" = [])),
    params = CostParams, invalid = "Invalid window or filter", handler = cost_list;
    /// Cost per namespace (idle is on `/v1/costs/clusters`: it belongs to nodes).
    namespaces "/v1/costs/namespaces" => NamespaceCostsResponse, "Namespaces, most expensive first";
    /// Cost per cluster, idle included.
    clusters "/v1/costs/clusters" => ClusterCostsResponse, "Clusters, most expensive first";
    /// Cost per pod.
    pods "/v1/costs/pods" => PodCostsResponse, "Pods, most expensive first";
}

/// Cost over time in hourly, daily or weekly buckets (UTC).
#[utoipa::path(
    get, path = "/v1/costs/trends", tag = "costs", params(CostParams, IntervalParams),
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
    params: web::Query<CostParams>,
    interval: web::Query<IntervalParams>,
) -> Result<web::Json<TrendsResponse>, ApiError> {
    let interval = given(interval.interval.as_deref())
        .map(str::parse::<TrendInterval>)
        .transpose()
        .map_err(|error| ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()))?
        .unwrap_or(TrendInterval::Daily);
    let grouping = CostGrouping::Time(interval);
    let (window, rows) = cost_rows(&state, &caller, &params, grouping).await?;
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
