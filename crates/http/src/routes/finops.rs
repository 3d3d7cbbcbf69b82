//! `GET /v1/costs/forecast` and `GET /v1/anomalies` (scope `costs:read`): each group's
//! forecast, and the groups whose cost departed from their own history.

use actix_web::web;
use kcost_analytics::anomaly::Granularity;
use kcost_app::anomalies::AnomalyError;
use kcost_app::cost_series::GroupBy;
use kcost_app::forecasts::HISTORY_DAYS;
use kcost_domain::window::TimeWindow;

use crate::auth::ApiKeyCaller;
use crate::dto::finops::{
    AnomalyParams, AnomalyResponse, ForecastParams, ForecastResponse, GroupForecastDto,
};
use crate::error::{ApiError, ErrorBody};
use crate::error_code::ErrorCode;
use crate::routes::query::given;
use crate::state::AppState;

/// `namespace` (default), `cluster` or `label:<key>`.
fn group_by(aggregate: Option<&str>) -> Result<GroupBy, ApiError> {
    match given(aggregate) {
        None | Some("namespace") => Ok(GroupBy::Namespace),
        Some("cluster") => Ok(GroupBy::Cluster),
        Some(other) => match other.strip_prefix("label:") {
            Some(key) if !key.is_empty() => Ok(GroupBy::Label(key.to_owned())),
            _ => Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("`aggregate` must be namespace, cluster or label:<key> (got {other:?})"),
            )),
        },
    }
}

/// Each group's daily cost forecast, from four weeks of history.
#[utoipa::path(
    get, path = "/v1/costs/forecast", tag = "costs", params(ForecastParams),
    responses(
        (status = 200, description = "Each group's forecast, largest total first", body = ForecastResponse),
        (status = 400, description = "Invalid horizon or aggregate", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn forecast(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<ForecastParams>,
) -> Result<web::Json<ForecastResponse>, ApiError> {
    let horizon_days = match given(params.horizon.as_deref()) {
        None | Some("7d") => 7,
        Some("30d") => 30,
        Some(other) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("`horizon` must be 7d or 30d (got {other:?})"),
            ));
        }
    };
    let by = group_by(params.aggregate.as_deref())?;
    let (first_date, forecasts) = state
        .forecasts
        .forecast(&caller.0, &by, horizon_days)
        .await?;
    Ok(web::Json(ForecastResponse {
        horizon_days,
        first_date,
        history_days: HISTORY_DAYS,
        forecast: forecasts
            .iter()
            .map(|f| GroupForecastDto::new(&by, f))
            .collect(),
    }))
}

/// The groups whose hourly or daily cost in the window was anomalous against their own
/// history (same hour of the week, or weekday, before the window; robust statistics).
#[utoipa::path(
    get, path = "/v1/anomalies", tag = "costs", params(AnomalyParams),
    responses(
        (status = 200, description = "The anomalous groups, most anomalous first", body = AnomalyResponse),
        (status = 400, description = "Invalid window, granularity or aggregate; a window without a whole bucket, or too long", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn anomalies(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<AnomalyParams>,
) -> Result<web::Json<AnomalyResponse>, ApiError> {
    let window = TimeWindow::from_query(
        params.window.as_deref(),
        params.start_time.as_deref(),
        params.end_time.as_deref(),
        state.clock.now(),
    )?;
    let granularity = match given(params.granularity.as_deref()) {
        None => None,
        Some("hourly") => Some(Granularity::Hourly),
        Some("daily") => Some(Granularity::Daily),
        Some(other) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("`granularity` must be hourly or daily (got {other:?})"),
            ));
        }
    };
    let by = group_by(params.aggregate.as_deref())?;
    let report = state
        .anomalies
        .anomalies(&caller.0, &by, &window, granularity)
        .await
        .map_err(|error| match error {
            AnomalyError::Window(message) => {
                ApiError::bad_request(ErrorCode::InvalidWindow, message)
            }
            AnomalyError::Query(error) => error.into(),
        })?;
    Ok(web::Json(AnomalyResponse::new(&by, &report)))
}
