//! The OpenCost UI's routes bare and under `/model`, one documented handler per path (the
//! OpenAPI document describes every path the router serves).

use actix_web::web;

use super::super::allocation::AllocationCaller;
use crate::dto::allocation::{Envelope, Ordered};
use crate::dto::opencost_ui::{
    AssetsResponseDoc, AutocompleteDto, AutocompleteParams, AutocompleteResponseDoc,
    CloudCostRangeDto, CloudCostResponseDoc, CloudCostViewResponseDoc, CustomCostTimeseriesDto,
    CustomCostTimeseriesResponseDoc, CustomCostTotalDto, CustomCostTotalResponseDoc, DataEnvelope,
    NoParams, NodeAssetDto, UiParams,
};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

macro_rules! ui_path {
    ($name:ident, $path:literal, $handler:ident, $params:ty, $ret:ty, $doc:ty, $what:literal) => {
        #[doc = $what]
        #[utoipa::path(
            get, path = $path, tag = "opencost-ui", params($params),
            responses(
                (status = 200, description = $what, body = $doc),
                (status = 400, description = "A parameter is invalid; the error names it", body = ErrorBody),
                (status = 401, description = "Missing or invalid API key (without the anonymous mode)", body = ErrorBody),
                (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
                (status = 503, description = "Store unavailable", body = ErrorBody),
            ),
            security(("api_key" = []), ())
        )]
        #[tracing::instrument(skip_all)]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: AllocationCaller,
            params: web::Query<$params>,
        ) -> Result<web::Json<$ret>, ApiError> {
            ui_call!($handler, state, caller, params)
        }
    };
}

/// `cloud_cost_status` needs no state.
macro_rules! ui_call {
    (cloud_cost_status, $state:ident, $caller:ident, $params:ident) => {{
        let _ = $state;
        super::cloud_cost_status($caller, $params).await
    }};
    ($handler:ident, $state:ident, $caller:ident, $params:ident) => {
        super::$handler($state, $caller, $params).await
    };
}

macro_rules! ui_paths {
    ($($name:ident $path:literal $handler:ident $params:ty, $ret:ty, $doc:ty, $what:literal;)*) => {
        $(ui_path!($name, $path, $handler, $params, $ret, $doc, $what);)*

        /// Every route: path and handler.
        pub fn routes() -> Vec<(&'static str, actix_web::Route)> {
            vec![$(($path, web::get().to($name))),*]
        }
    };
}

type Assets = Envelope<Ordered<NodeAssetDto>>;
type Null = DataEnvelope<Option<()>>;
type Empty = DataEnvelope<Vec<()>>;
type Range = DataEnvelope<CloudCostRangeDto>;
type Total = DataEnvelope<CustomCostTotalDto>;
type Series = DataEnvelope<CustomCostTimeseriesDto>;
type Values = DataEnvelope<AutocompleteDto>;

ui_paths! {
    assets "/assets" assets UiParams, Assets, AssetsResponseDoc, "Nodes with their costs over the window, keyed as OpenCost keys assets";
    cloud_cost "/cloudCost" cloud_cost UiParams, Range, CloudCostResponseDoc, "No cloud costs (kcost has no cloud bill source): one empty set per day";
    cloud_cost_table "/cloudCost/view/table" cloud_cost_null_view UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    cloud_cost_totals "/cloudCost/view/totals" cloud_cost_null_view UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    cloud_cost_graph "/cloudCost/view/graph" cloud_cost_graph UiParams, Empty, CloudCostViewResponseDoc, "No cloud costs: an empty list";
    cloud_cost_status "/cloudCost/status" cloud_cost_status NoParams, Empty, CloudCostViewResponseDoc, "No cloud-cost integration: an empty list";
    custom_cost_total "/customCost/total" custom_cost_total UiParams, Total, CustomCostTotalResponseDoc, "No custom costs: a zero total";
    custom_cost_timeseries "/customCost/timeseries" custom_cost_timeseries UiParams, Series, CustomCostTimeseriesResponseDoc, "No custom costs: a zero total per day";
    allocation_autocomplete "/allocation/autocomplete" allocation_autocomplete AutocompleteParams, Values, AutocompleteResponseDoc, "Values a property takes among the window's pods";
    assets_autocomplete "/assets/autocomplete" assets_autocomplete AutocompleteParams, Values, AutocompleteResponseDoc, "Values an asset property takes among the window's nodes";
    cloud_cost_autocomplete "/cloudCost/autocomplete" cloud_cost_autocomplete AutocompleteParams, Values, AutocompleteResponseDoc, "No cloud costs: no values";
    model_assets "/model/assets" assets UiParams, Assets, AssetsResponseDoc, "Nodes with their costs over the window, keyed as OpenCost keys assets";
    model_cloud_cost "/model/cloudCost" cloud_cost UiParams, Range, CloudCostResponseDoc, "No cloud costs (kcost has no cloud bill source): one empty set per day";
    model_cloud_cost_table "/model/cloudCost/view/table" cloud_cost_null_view UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    model_cloud_cost_totals "/model/cloudCost/view/totals" cloud_cost_null_view UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    model_cloud_cost_graph "/model/cloudCost/view/graph" cloud_cost_graph UiParams, Empty, CloudCostViewResponseDoc, "No cloud costs: an empty list";
    model_cloud_cost_status "/model/cloudCost/status" cloud_cost_status NoParams, Empty, CloudCostViewResponseDoc, "No cloud-cost integration: an empty list";
    model_custom_cost_total "/model/customCost/total" custom_cost_total UiParams, Total, CustomCostTotalResponseDoc, "No custom costs: a zero total";
    model_custom_cost_timeseries "/model/customCost/timeseries" custom_cost_timeseries UiParams, Series, CustomCostTimeseriesResponseDoc, "No custom costs: a zero total per day";
    model_allocation_autocomplete "/model/allocation/autocomplete" allocation_autocomplete AutocompleteParams, Values, AutocompleteResponseDoc, "Values a property takes among the window's pods";
    model_assets_autocomplete "/model/assets/autocomplete" assets_autocomplete AutocompleteParams, Values, AutocompleteResponseDoc, "Values an asset property takes among the window's nodes";
    model_cloud_cost_autocomplete "/model/cloudCost/autocomplete" cloud_cost_autocomplete AutocompleteParams, Values, AutocompleteResponseDoc, "No cloud costs: no values";
}
