//! The OpenCost UI's other calls, bare and under `/model`: `/assets` (kcost's nodes with
//! their costs), the cloud- and custom-cost routes (the valid empty answers OpenCost gives
//! when such a source is enabled without data: kcost has none) and the autocomplete
//! routes. Same callers as the allocation routes: `costs:read`, or the anonymous tenant.

pub mod paths;

use std::collections::BTreeSet;

use actix_web::web;
use chrono::{Duration, NaiveTime};
use kcost_app::allocations::AllocationRequest;
use kcost_domain::allocation::allocation::{IDLE, UNALLOCATED};
use kcost_domain::allocation::query::{Accumulate, AggregateBy, AllocationQuery};
use kcost_domain::window::TimeWindow;

use crate::dto::allocation::{Envelope, Ordered, WindowDto};
use crate::dto::opencost_ui::{
    AutocompleteDto, AutocompleteParams, CloudCostRangeDto, CloudCostSetDto,
    CustomCostTimeseriesDto, CustomCostTotalDto, DataEnvelope, NoParams, NodeAssetDto, UiParams,
};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::routes::allocation::AllocationCaller;
use crate::routes::allocation::params::required_window;
use crate::routes::query::given;
use crate::state::AppState;

/// Cloud-cost properties OpenCost aggregates by default.
const CLOUD_COST_PROPERTIES: [&str; 6] = [
    "invoiceEntityID",
    "accountID",
    "provider",
    "providerID",
    "category",
    "service",
];
/// Values an autocomplete answers by default, and at most.
const DEFAULT_AUTOCOMPLETE_LIMIT: usize = 100;
const MAX_AUTOCOMPLETE_LIMIT: usize = 10_000;

fn window(state: &AppState, expr: &Option<String>) -> Result<TimeWindow, ApiError> {
    required_window(expr, state.clock.now())
}

fn window_dto(window: &TimeWindow) -> WindowDto {
    WindowDto {
        start: window.start(),
        end: window.end(),
    }
}

/// The UTC days `window` touches, each cut to the window.
fn days(window: &TimeWindow) -> Vec<WindowDto> {
    let mut out = Vec::new();
    let mut start = window.start();
    while start < window.end() {
        let midnight = start.date_naive().and_time(NaiveTime::MIN).and_utc() + Duration::days(1);
        let end = midnight.min(window.end());
        out.push(WindowDto { start, end });
        start = end;
    }
    out
}

/// Every node with its cost over the window.
pub async fn assets(
    state: web::Data<AppState>,
    caller: AllocationCaller,
    params: web::Query<UiParams>,
) -> Result<web::Json<Envelope<Ordered<NodeAssetDto>>>, ApiError> {
    let window = window(&state, &params.window)?;
    let nodes = state.allocations.node_assets(&caller.0, &window).await?;
    let dto = window_dto(&window);
    Ok(web::Json(Envelope::success(Ordered(
        nodes
            .iter()
            .map(|n| (NodeAssetDto::key(n), NodeAssetDto::of(n, dto)))
            .collect(),
    ))))
}

/// What kcost answers where OpenCost shows cloud or custom costs: none, in the shape
/// OpenCost gives for the window.
pub trait NoCosts {
    fn over(window: &TimeWindow) -> Self;
}

/// No cloud costs: one empty set per day.
impl NoCosts for CloudCostRangeDto {
    fn over(window: &TimeWindow) -> Self {
        Self {
            sets: days(window)
                .into_iter()
                .map(|day| CloudCostSetDto {
                    cloud_costs: Default::default(),
                    window: day,
                    aggregation_properties: CLOUD_COST_PROPERTIES.to_vec(),
                })
                .collect(),
            window: window_dto(window),
        }
    }
}

/// No cloud costs: the table and totals views are null, as OpenCost's.
impl NoCosts for Option<()> {
    fn over(_: &TimeWindow) -> Self {
        None
    }
}

/// No cloud costs: the graph is an empty list.
impl NoCosts for Vec<()> {
    fn over(_: &TimeWindow) -> Self {
        Vec::new()
    }
}

/// No custom costs: a zero total.
impl NoCosts for CustomCostTotalDto {
    fn over(window: &TimeWindow) -> Self {
        no_custom_costs(window_dto(window))
    }
}

/// No custom costs: a zero total per day.
impl NoCosts for CustomCostTimeseriesDto {
    fn over(window: &TimeWindow) -> Self {
        Self {
            window: window_dto(window),
            timeseries: days(window).into_iter().map(no_custom_costs).collect(),
        }
    }
}

fn no_custom_costs(window: WindowDto) -> CustomCostTotalDto {
    CustomCostTotalDto {
        window,
        total_cost: 0.0,
        total_cost_type: "blended",
        custom_costs: Vec::new(),
    }
}

/// Every cloud- and custom-cost route but `/cloudCost/status`: the empty answer `T` for the
/// window asked, which must be valid, as on every OpenCost route.
pub async fn no_costs<T: NoCosts>(
    state: web::Data<AppState>,
    _caller: AllocationCaller,
    params: web::Query<UiParams>,
) -> Result<web::Json<DataEnvelope<T>>, ApiError> {
    let window = window(&state, &params.window)?;
    Ok(web::Json(DataEnvelope::ok(T::over(&window))))
}

/// No cloud-cost integration: an empty list (the UI then says none is configured).
pub async fn cloud_cost_status(
    _state: web::Data<AppState>,
    _caller: AllocationCaller,
    _params: web::Query<NoParams>,
) -> Result<web::Json<DataEnvelope<Vec<()>>>, ApiError> {
    Ok(web::Json(DataEnvelope::ok(Vec::new())))
}

fn invalid(parameter: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        ErrorCode::InvalidQuery,
        format!("invalid `{parameter}`: {message}"),
    )
}

/// The answer: `search` and `limit` applied to sorted, distinct `values`.
fn completed(
    values: impl IntoIterator<Item = String>,
    params: &AutocompleteParams,
) -> Result<web::Json<DataEnvelope<AutocompleteDto>>, ApiError> {
    let limit = match params.limit.as_deref().filter(|l| !l.is_empty()) {
        None => DEFAULT_AUTOCOMPLETE_LIMIT,
        // Exactly the OpenAPI pattern: 1–4 digits, or 10000.
        Some(text) => Some(text)
            .filter(|t| {
                *t == "10000"
                    || ((1..=4).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            })
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or_else(|| {
                invalid(
                    "limit",
                    format!("expected 0 to {MAX_AUTOCOMPLETE_LIMIT}, got {text:?}"),
                )
            })?,
    };
    let search = params.search.as_deref().unwrap_or("").to_lowercase();
    let values: BTreeSet<String> = values
        .into_iter()
        .filter(|v| v.to_lowercase().contains(&search))
        .collect();
    Ok(web::Json(DataEnvelope::ok(AutocompleteDto {
        data: values.into_iter().take(limit).collect(),
    })))
}

/// The window and the field an autocomplete asks about, both required.
fn asked<'a>(
    state: &AppState,
    params: &'a AutocompleteParams,
) -> Result<(TimeWindow, &'a str), ApiError> {
    let window = window(state, &params.window)?;
    let field = given(params.field.as_deref())
        .ok_or_else(|| invalid("field", "required, e.g. namespace"))?;
    Ok((window, field))
}

/// The values a property takes among the window's pods.
pub async fn allocation_autocomplete(
    state: web::Data<AppState>,
    caller: AllocationCaller,
    params: web::Query<AutocompleteParams>,
) -> Result<web::Json<DataEnvelope<AutocompleteDto>>, ApiError> {
    let (window, name) = asked(&state, &params)?;
    // OpenCost's `controllerName` is the controller's own name.
    let by_name = name == "controllerName";
    let by = if by_name {
        AggregateBy::Controller
    } else {
        name.parse::<AggregateBy>()
            .map_err(|e| invalid("field", e))?
    };
    // Grouped by the property itself: the group names are its values (containers split
    // from their pods as for any question about containers).
    let request = AllocationRequest {
        window,
        step: None,
        accumulate: Accumulate::All,
        query: AllocationQuery {
            aggregate: vec![by],
            ..AllocationQuery::default()
        },
    };
    let sets = state.allocations.allocations(&caller.0, &request).await?;
    let values = sets
        .iter()
        .flat_map(|set| &set.allocations)
        .map(|a| a.name.as_str())
        .filter(|name| *name != UNALLOCATED && *name != IDLE)
        .map(|name| match (by_name, name.split_once(':')) {
            (true, Some((_, controller))) => controller.to_owned(),
            _ => name.to_owned(),
        });
    completed(values, &params)
}

/// The values an asset property takes among the window's nodes.
pub async fn assets_autocomplete(
    state: web::Data<AppState>,
    caller: AllocationCaller,
    params: web::Query<AutocompleteParams>,
) -> Result<web::Json<DataEnvelope<AutocompleteDto>>, ApiError> {
    let (window, name) = asked(&state, &params)?;
    let nodes = state.allocations.node_assets(&caller.0, &window).await?;
    let values: Vec<String> = match name {
        "type" | "assetType" => nodes.iter().map(|_| "Node".to_owned()).collect(),
        "category" => nodes.iter().map(|_| "Compute".to_owned()).collect(),
        "cluster" => nodes
            .iter()
            .map(|n| n.cluster.as_str().to_owned())
            .collect(),
        "name" => nodes.iter().map(|n| n.node.clone()).collect(),
        "account" | "provider" | "providerID" | "project" | "service" => Vec::new(),
        other => {
            return Err(invalid(
                "field",
                format!(
                    "expected type, category, cluster, name, account, provider, providerID, project or service, got {other:?}"
                ),
            ));
        }
    };
    completed(values, &params)
}

/// No cloud costs: no values.
pub async fn cloud_cost_autocomplete(
    state: web::Data<AppState>,
    _caller: AllocationCaller,
    params: web::Query<AutocompleteParams>,
) -> Result<web::Json<DataEnvelope<AutocompleteDto>>, ApiError> {
    asked(&state, &params)?;
    completed(Vec::new(), &params)
}
